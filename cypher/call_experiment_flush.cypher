// Waits until the experiment log has committed what was handed to it before the call (plugin).
// Parameters: none. Returns: dropped (entries it could not write since the database started).
CALL shopgraph.experiment.flush()
YIELD dropped
RETURN dropped
