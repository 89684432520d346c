// One user's stored trust and signals.
// Parameters: $userId.
// Returns: userId, trust (null when never computed), at (epoch ms), lockstepPartners,
//   crowdItems, lockstepPenalty, maxRate, velocityPenalty, eventsPerItem, repeatPenalty, blindPurchases,
//   blindPenalty, spanHours, newAccountPenalty.
MATCH (u:User {userId: $userId})
RETURN u.userId AS userId, u.trust AS trust, u.trustAt.epochMillis AS at,
       u.trustLockstepPartners AS lockstepPartners, u.trustCrowdItems AS crowdItems,
       u.trustLockstepPenalty AS lockstepPenalty,
       u.trustMaxRate AS maxRate, u.trustVelocityPenalty AS velocityPenalty,
       u.trustEventsPerItem AS eventsPerItem, u.trustRepeatPenalty AS repeatPenalty,
       u.trustBlindPurchases AS blindPurchases, u.trustBlindPenalty AS blindPenalty,
       u.trustSpanHours AS spanHours, u.trustNewAccountPenalty AS newAccountPenalty
