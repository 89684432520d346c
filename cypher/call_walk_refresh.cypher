// Rebuilds the in-memory projection that random walks run on (otherwise rebuilt lazily).
// Parameters: none. Returns: nodes, relationships, millis, bytes.
CALL shopgraph.walk.refresh()
YIELD nodes, relationships, millis, bytes
RETURN nodes, relationships, millis, bytes
