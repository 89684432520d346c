// Rebuilds the bundle pair index from the graph with the statistics of the last refresh, and
// waits (shopgraph.bundle.compact); writes nothing.
// Parameters: none.
// Returns: items, pairs, millis, bytes.
CALL shopgraph.bundle.compact() YIELD items, pairs, millis, bytes
RETURN items, pairs, millis, bytes
