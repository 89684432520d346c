// Records a batch of shop events as they happen (shopgraph.events.record): the graph a file
// load of the same events gives, once per event id (ids recorded in the last 7 days are
// duplicates), written whole or not at all.
// Parameters: $events [{eventId, time (epoch ms or a datetime with a timezone), type, itemId,
//   sessionId, userId, price, quantity, orderId, brand, categoryCode}].
// Returns: recorded, duplicates, nodesCreated, relationshipsCreated, pruned (expired
//   bookkeeping nodes of recorded ids deleted).
CALL shopgraph.events.record($events)
  YIELD recorded, duplicates, nodesCreated, relationshipsCreated, pruned
RETURN recorded, duplicates, nodesCreated, relationshipsCreated, pruned
