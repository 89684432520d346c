// Recommendations for a user: candidates, ranking, re-ranking, through the plugin procedure.
// Parameters: $user (user id; unknown users get popular items), $k (1 to 1000), $config (map).
// Returns: itemId, score, rank, reason.
CALL shopgraph.recommend($user, $k, $config)
YIELD itemId, score, rank, reason
RETURN itemId, score, rank, reason
