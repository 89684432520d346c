// Stores trust and its signals on each user (clearing the trustStale mark that a merge of users
// sets), and the trust as the `weight` of every behaviour relationship of the user:
// HAS_SESSION, the session's VIEWED / ADDED_TO_CART / REMOVED_FROM_CART, PLACED and the
// order's CONTAINS. Event-type weights and recency decay
// are applied by each reader (bundles, walks, export), so weight x type weight x decay is the
// edge weight everywhere.
// Parameters: $rows [{userId, trust, lockstepPartners, lockstepPenalty, maxRate,
//   velocityPenalty, eventsPerItem, repeatPenalty, blindPurchases, blindPenalty, spanHours,
//   newAccountPenalty}], $at (epoch ms of the computation).
// Returns: users (number of users updated).
UNWIND $rows AS row
MATCH (u:User {userId: row.userId})
SET u.trust = row.trust, u.trustAt = datetime({epochMillis: $at}),
    u.trustLockstepPartners = row.lockstepPartners, u.trustLockstepPenalty = row.lockstepPenalty,
    u.trustMaxRate = row.maxRate, u.trustVelocityPenalty = row.velocityPenalty,
    u.trustEventsPerItem = row.eventsPerItem, u.trustRepeatPenalty = row.repeatPenalty,
    u.trustBlindPurchases = row.blindPurchases, u.trustBlindPenalty = row.blindPenalty,
    u.trustSpanHours = row.spanHours, u.trustNewAccountPenalty = row.newAccountPenalty,
    u.trustStale = null
WITH u, row
CALL (u, row) {
  MATCH (u)-[h:HAS_SESSION]->(s:Session)
  SET h.weight = row.trust
  WITH s, row
  MATCH (s)-[r:VIEWED|ADDED_TO_CART|REMOVED_FROM_CART]->(:Item)
  SET r.weight = row.trust
}
CALL (u, row) {
  MATCH (u)-[p:PLACED]->(o:Order)
  SET p.weight = row.trust
  WITH o, row
  MATCH (o)-[r:CONTAINS]->(:Item)
  SET r.weight = row.trust
}
RETURN count(DISTINCT u) AS users
