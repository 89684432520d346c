// Deletes up to $batch exposures answered before $before (the log's retention); run until 0.
// Parameters: $before (datetime), $batch (integer). Returns: deleted.
MATCH (e:Exposure)
WHERE e.at < $before
WITH e LIMIT $batch
DELETE e
RETURN count(*) AS deleted
