// What the graph knows of items, for answers people read: name, brand, category, price, stock.
// One record for all the ids (GraphRunner.serve); ids with no item are left out.
// Parameters: $ids (item ids).
// Returns: rows, each a list [itemId, name, brand, category, price, inStock]: name, price and
//   inStock are the item's properties, brand the name of its brand (the first by name when it
//   has several), category the code of its category (the deepest, first by code); null where
//   the graph has none.
UNWIND $ids AS id
MATCH (i:Item {itemId: id})
WITH i,
     head(COLLECT { MATCH (i)-[:HAS_BRAND]->(b:Brand) RETURN b.name ORDER BY b.name }) AS brand,
     head(COLLECT { MATCH (i)-[:IN_CATEGORY]->(c:Category)
                    RETURN c.code ORDER BY c.level DESC, c.code }) AS category
RETURN collect([i.itemId, i.name, brand, category, i.price, i.inStock]) AS rows
