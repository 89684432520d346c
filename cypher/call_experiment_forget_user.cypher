// Erases a user's (or visitor's) experiment log: every exposure logged under the id, with its
// clicks, after the log has committed what it holds (plugin). The erasure of a user does it too.
// Parameters: $userId. Returns: deleted.
CALL shopgraph.experiment.forgetUser($userId)
YIELD exposures
RETURN exposures AS deleted
