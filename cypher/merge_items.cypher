// Items of a chunk (new or changed ones), with their brand and deepest category.
// The stored price is the one of the item's last row in load order that carried a price.
// An item created here is not yet named by the catalog: inCatalog = false (shopgraph.items.upsert
// sets it true).
// Parameters: $rows [{id, price, categoryId, name, brand, category}] (nulls allowed but id).
// Returns: nothing.
UNWIND $rows AS row
MERGE (i:Item {itemId: row.id})
  ON CREATE SET i.inCatalog = false
SET i.price = coalesce(row.price, i.price),
    i.categoryId = coalesce(row.categoryId, i.categoryId),
    i.name = coalesce(row.name, i.name)
WITH i, row
CALL (i, row) {
  WITH i, row WHERE row.brand IS NOT NULL
  MERGE (b:Brand {name: row.brand})
  MERGE (i)-[:HAS_BRAND]->(b)
}
CALL (i, row) {
  WITH i, row WHERE row.category IS NOT NULL
  MATCH (c:Category {code: row.category})
  MERGE (i)-[:IN_CATEGORY]->(c)
}
