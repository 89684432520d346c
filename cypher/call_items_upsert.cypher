// Creates or changes catalog items (shopgraph.items.upsert): absent keys keep the stored value,
// null clears it; every item gets inCatalog = true.
// Parameters: $items [{itemId, name, brand, categoryCode, price, inStock, hidden, attributes}].
// Returns: items (upserted), created (new items).
CALL shopgraph.items.upsert($items) YIELD items, created
RETURN items, created
