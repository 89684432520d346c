// Logs a click on an item a request of an experiment showed (plugin; written in the background).
// Parameters: $requestId, $itemId, $config (map: at, a datetime with a timezone, optional).
// Returns: requestId, itemId, position, experiment, variant.
CALL shopgraph.experiment.click($requestId, $itemId, $config)
YIELD requestId, itemId, position, experiment, variant
RETURN requestId, itemId, position, experiment, variant
