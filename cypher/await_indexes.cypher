// Waits until every index is online (after creating indexes or writing many vectors).
// Parameters: $seconds (timeout). Returns: nothing.
CALL db.awaitIndexes($seconds)
