// Records negative feedback as (:User)-[:REJECTED {kind, first, at, count}]->(:Item)
// (shopgraph.feedback.record); an unknown user is created.
// Parameters: $userId, $itemId, $kind ('not_interested' | 'dismissed'), $at (datetime or null: now).
// Returns: userId, itemId, kind (of the latest feedback), count, userCreated.
CALL shopgraph.feedback.record($userId, $itemId, $kind, $at)
  YIELD userId, itemId, kind, count, userCreated
RETURN userId, itemId, kind, count, userCreated
