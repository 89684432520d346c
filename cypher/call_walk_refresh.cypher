// Rebuilds the in-memory projection that random walks run on now (writes reach it on their own
// within a second).
// Parameters: none. Returns: nodes, relationships, millis, bytes.
CALL shopgraph.walk.refresh()
YIELD nodes, relationships, millis, bytes
RETURN nodes, relationships, millis, bytes
