// Writes item embeddings into one slot. Items that are not in the graph are skipped.
// Parameters: $slot ('A' | 'B'), $version, $rows [{id: item id, embedding: [float]}].
// Returns: written (number of items found and written).
UNWIND $rows AS row
MATCH (i:Item {itemId: row.id})
FOREACH (_ IN CASE WHEN $slot = 'A' THEN [1] ELSE [] END | SET i.embeddingA = row.embedding)
FOREACH (_ IN CASE WHEN $slot = 'B' THEN [1] ELSE [] END | SET i.embeddingB = row.embedding)
WITH count(i) AS written
MATCH (m:ModelVersion {version: $version})
SET m.items = m.items + written
RETURN written
