// Merges the user $source into the user $target (shopgraph.users.merge): relationships move,
// what both hold is kept once, the source is deleted, the target marked trustStale.
// Parameters: $source, $target (user ids).
// Returns: sessions, orders, feedback (moved), combined (already held), targetCreated.
CALL shopgraph.users.merge($source, $target)
  YIELD sessions, orders, feedback, combined, targetCreated
RETURN sessions, orders, feedback, combined, targetCreated
