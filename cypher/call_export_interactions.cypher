// Weighted user-item edges of a subgraph, in compact rows (shopgraph.export.interactions; it
// only reads). The same edges as the readable statement export_interactions.cypher.
// Parameters: $config (map: since, until (datetimes or null), categories (list of codes),
//   weights (map VIEWED, ADDED_TO_CART, REMOVED_FROM_CART, CONTAINS -> float), halfLifeDays
//   (float or null), now (datetime), useTrust (boolean); optional usersPerRow).
// Returns: users (user ids), counts (edges per user), items (item positions), weights,
//   newItems (ids of the items first named in the row: position n is the n-th of all of them);
//   one row per batch of users.
CALL shopgraph.export.interactions($config)
YIELD users, counts, items, weights, newItems
RETURN users, counts, items, weights, newItems
