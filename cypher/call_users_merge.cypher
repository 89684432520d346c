// Merges the user $source into the user $target (shopgraph.users.merge): relationships move,
// what both hold is kept once, the source is deleted, the target marked trustStale; the source's
// exposures of online experiments count for the target, in the variant they were served.
// Parameters: $source, $target (user ids).
// Returns: sessions, orders, feedback (moved), combined (already held), targetCreated,
//   exposures (moved).
CALL shopgraph.users.merge($source, $target)
  YIELD sessions, orders, feedback, combined, targetCreated, exposures
RETURN sessions, orders, feedback, combined, targetCreated, exposures
