// "Frequently bought together" for a cart, through the plugin procedure, answered in one record.
// Parameters: $cart (1 to 50 item ids), $k (1 to 1000), $config (map, see shopgraph.bundle;
//   with experiment and user, the call runs through an online experiment).
// Returns: rows, the procedure's rows in rank order, each a list
//   [itemId, score, rank, reason, support, confidence, lift, because (list of cart ids),
//    requestId, variant (both null outside an experiment)]
//   (one Bolt message for the whole answer instead of one per item: GraphRunner.serve).
CALL shopgraph.bundle($cart, $k, $config)
YIELD itemId, score, rank, reason, support, confidence, lift, because, requestId, variant
RETURN collect([itemId, score, rank, reason, support, confidence, lift, because, requestId, variant]) AS rows
