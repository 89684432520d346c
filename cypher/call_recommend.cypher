// Recommendations for a user: candidates, ranking, re-ranking, through the plugin procedure,
// answered in one record.
// Parameters: $user (user id; unknown users get popular items), $k (1 to 1000), $config (map).
// Returns: rows, the procedure's rows in rank order, each a list [itemId, score, rank, reason]
//   (one Bolt message for the whole answer instead of one per item: GraphRunner.serve).
CALL shopgraph.recommend($user, $k, $config)
YIELD itemId, score, rank, reason
RETURN collect([itemId, score, rank, reason]) AS rows
