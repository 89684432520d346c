// Moves a merged user's experiment log to the user it was merged into (plugin): exposures
// logged under $source count for $target from now on, keeping their variant and the id they
// were logged under (loggedUserId). The merge of users does it too.
// Parameters: $source, $target. Returns: moved.
CALL shopgraph.experiment.mergeUsers($source, $target)
YIELD exposures
RETURN exposures AS moved
