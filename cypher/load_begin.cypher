// Starts or resumes the load of one file: its bookkeeping node counts the chunks written.
// Parameters: $loadId (fingerprint of file bytes, loader and options), $kind, $file, $chunkSize.
// Returns: nextChunk (chunks already written), chunkSize (the one fixed at the first run),
//          status ("running" or "complete"), rowsRead, rowsLoaded, rowsRejected.
MERGE (l:Load {loadId: $loadId})
  ON CREATE SET l.kind = $kind, l.file = $file, l.chunkSize = $chunkSize, l.nextChunk = 0,
                l.status = 'running', l.rowsRead = 0, l.rowsLoaded = 0, l.rowsRejected = 0,
                l.startedAt = datetime()
RETURN l.nextChunk AS nextChunk, l.chunkSize AS chunkSize, l.status AS status,
       l.rowsRead AS rowsRead, l.rowsLoaded AS rowsLoaded, l.rowsRejected AS rowsRejected
