// Trust per user from behaviour signals (shopgraph.trust.compute; it only reads).
// Parameters: $users (list of user ids, or null for every user), $config (map of thresholds:
//   minGroup, jaccard, lockstepFull, corroboration, crowdShare, rateStart, rateFull, minSessionEvents, repeatStart,
//   repeatFull, blindFull, newAccountHours, newAccountPenalty, floor).
// Returns: userId, trust, lockstepPartners, crowdItems, lockstepPenalty, maxRate, velocityPenalty,
//   eventsPerItem, repeatPenalty, blindPurchases, blindPenalty, spanHours, newAccountPenalty.
CALL shopgraph.trust.compute($users, $config)
YIELD userId, trust, lockstepPartners, crowdItems, lockstepPenalty, maxRate, velocityPenalty, eventsPerItem,
      repeatPenalty, blindPurchases, blindPenalty, spanHours, newAccountPenalty
RETURN userId, trust, lockstepPartners, crowdItems, lockstepPenalty, maxRate, velocityPenalty, eventsPerItem,
       repeatPenalty, blindPurchases, blindPenalty, spanHours, newAccountPenalty
