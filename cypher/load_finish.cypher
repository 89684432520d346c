// Marks a load complete once its last chunk is written.
// Parameters: $loadId, $chunks (the number of chunks of the file).
// Returns: status.
MATCH (l:Load {loadId: $loadId})
WHERE l.nextChunk = $chunks
SET l.status = 'complete', l.finishedAt = coalesce(l.finishedAt, datetime())
RETURN l.status AS status
