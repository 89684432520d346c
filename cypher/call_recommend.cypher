// Recommendations for a user: candidates, ranking, re-ranking, through the plugin procedure,
// answered in one record.
// Parameters: $user (user id; unknown users get popular items), $k (1 to 1000), $config (map;
//   with experiment, the call runs through an online experiment).
// Returns: rows, the procedure's rows in rank order, each a list [itemId, score, rank, reason,
//   requestId, variant] (the last two null outside an experiment)
//   (one Bolt message for the whole answer instead of one per item: GraphRunner.serve).
CALL shopgraph.recommend($user, $k, $config)
YIELD itemId, score, rank, reason, requestId, variant
RETURN collect([itemId, score, rank, reason, requestId, variant]) AS rows
