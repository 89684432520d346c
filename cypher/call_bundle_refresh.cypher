// Recomputes the item masses that bundle scores normalise by (run after loads and trust).
// Parameters: $config (map: orderWeight, cartWeight, viewWeight, halfLifeDays, userCap).
// Returns: items, baskets, now, basketMass, millis.
CALL shopgraph.bundle.refresh($config)
YIELD items, baskets, now, basketMass, millis
RETURN items, baskets, now, basketMass, millis
