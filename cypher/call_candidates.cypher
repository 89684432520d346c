// Random-walk candidates for a user (id) or a list of item ids, through the plugin procedure,
// answered in one record.
// Parameters: $query (user id or list of item ids), $k (1 to 1000), $config (map).
// Returns: rows, the procedure's rows in rank order, each a list
//   [itemId, score, rank, reason, visits]
//   (one Bolt message for the whole answer instead of one per item: GraphRunner.serve).
CALL shopgraph.candidates($query, $k, $config)
YIELD itemId, score, rank, reason, visits
RETURN collect([itemId, score, rank, reason, visits]) AS rows
