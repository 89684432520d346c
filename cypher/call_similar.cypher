// Items similar to one item (item pages), through the plugin procedure.
// Parameters: $item (item id), $k (1 to 1000), $config (map).
// Returns: itemId, score, rank, reason.
CALL shopgraph.similar($item, $k, $config)
YIELD itemId, score, rank, reason
RETURN itemId, score, rank, reason
