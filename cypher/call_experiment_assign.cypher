// The variant of an experiment a user or visitor is assigned to (plugin; the same hash as Python).
// Parameters: $name, $userId. Returns: experiment, userId, variant, bucket.
CALL shopgraph.experiment.assign($name, $userId)
YIELD experiment, userId, variant, bucket
RETURN experiment, userId, variant, bucket
