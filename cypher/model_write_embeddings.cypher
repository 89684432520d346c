// Writes embeddings of items or users into one slot's property (shopgraph.embeddings.write):
// float32 vectors sent as bytes, stored as float arrays like db.create.setNodeVectorProperty
// stores them; the slot's vector index on items takes them when the transaction commits.
// Ids with no node are skipped and counted as missing.
// Parameters: $label ('Item' | 'User'), $property ('embeddingA' | 'embeddingB'),
//   $ids (business ids), $vectors (bytes: float32 little-endian, one vector per id, in order).
// Returns: written, missing.
CALL shopgraph.embeddings.write($label, $property, $ids, $vectors)
YIELD written, missing
RETURN written, missing
