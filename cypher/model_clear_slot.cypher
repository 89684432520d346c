// Removes up to $batch embeddings of one slot from items and users (run until it returns 0).
// Parameters: $slot ('A' | 'B'), $batch.
// Returns: cleared (number of nodes cleared by this call).
CALL (){
  MATCH (n:Item) WHERE CASE $slot WHEN 'A' THEN n.embeddingA ELSE n.embeddingB END IS NOT NULL
  RETURN n LIMIT $batch
  UNION
  MATCH (n:User) WHERE CASE $slot WHEN 'A' THEN n.embeddingA ELSE n.embeddingB END IS NOT NULL
  RETURN n LIMIT $batch
}
WITH n LIMIT $batch
FOREACH (_ IN CASE WHEN $slot = 'A' THEN [1] ELSE [] END | REMOVE n.embeddingA)
FOREACH (_ IN CASE WHEN $slot = 'B' THEN [1] ELSE [] END | REMOVE n.embeddingB)
RETURN count(n) AS cleared
