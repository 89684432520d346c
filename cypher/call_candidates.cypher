// Random-walk candidates for a user (id) or a list of item ids, through the plugin procedure.
// Parameters: $query (user id or list of item ids), $k (1 to 1000), $config (map).
// Returns: itemId, score, rank, reason, visits.
CALL shopgraph.candidates($query, $k, $config)
YIELD itemId, score, rank, reason, visits
RETURN itemId, score, rank, reason, visits
