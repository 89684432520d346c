// Stops a running experiment now (plugin): calls naming it are answered by its control, unlogged.
// Parameters: $name. Returns: name, stoppedAt.
CALL shopgraph.experiment.stop($name)
YIELD name, stoppedAt
RETURN name, stoppedAt
