// "Frequently bought together" for a cart, through the plugin procedure.
// Parameters: $cart (1 to 50 item ids), $k (1 to 1000), $config (map, see shopgraph.bundle).
// Returns: itemId, score, rank, reason, support, confidence, lift, because (list of cart ids).
CALL shopgraph.bundle($cart, $k, $config)
YIELD itemId, score, rank, reason, support, confidence, lift, because
RETURN itemId, score, rank, reason, support, confidence, lift, because
