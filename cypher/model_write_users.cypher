// Writes user embeddings into one slot. Users that are not in the graph are skipped.
// Parameters: $slot ('A' | 'B'), $version, $rows [{id: user id, embedding: [float]}].
// Returns: written (number of users found and written).
UNWIND $rows AS row
MATCH (u:User {userId: row.id})
FOREACH (_ IN CASE WHEN $slot = 'A' THEN [1] ELSE [] END | SET u.embeddingA = row.embedding)
FOREACH (_ IN CASE WHEN $slot = 'B' THEN [1] ELSE [] END | SET u.embeddingB = row.embedding)
WITH count(u) AS written
MATCH (m:ModelVersion {version: $version})
SET m.users = m.users + written
RETURN written
