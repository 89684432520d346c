// Claims chunk $chunk of a load inside the transaction that writes it: the chunk counter and
// the chunk's data commit together or not at all, so a killed load resumes exactly.
// Parameters: $loadId, $chunk, $rowsRead, $rowsLoaded, $rowsRejected.
// Returns: one row (nextChunk) when the chunk was the next one; no row when another loader
//          got there first (the caller then rolls back).
MATCH (l:Load {loadId: $loadId})
WHERE l.nextChunk = $chunk AND l.status = 'running'
SET l.nextChunk = $chunk + 1,
    l.rowsRead = l.rowsRead + $rowsRead,
    l.rowsLoaded = l.rowsLoaded + $rowsLoaded,
    l.rowsRejected = l.rowsRejected + $rowsRejected
RETURN l.nextChunk AS nextChunk
