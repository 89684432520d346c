// Starts or resumes the load of one file: its bookkeeping node counts the chunks written.
// The reject file of every run that writes is recorded (rejectFiles), so that an erasure can
// find the rows that name a user.
// Parameters: $loadId (fingerprint of file bytes, loader and options), $kind, $file, $chunkSize,
//   $rejects (absolute path of this run's reject file).
// Returns: nextChunk (chunks already written), chunkSize (the one fixed at the first run),
//          status ("running" or "complete"), rowsRead, rowsLoaded, rowsRejected.
MERGE (l:Load {loadId: $loadId})
  ON CREATE SET l.kind = $kind, l.file = $file, l.chunkSize = $chunkSize, l.nextChunk = 0,
                l.status = 'running', l.rowsRead = 0, l.rowsLoaded = 0, l.rowsRejected = 0,
                l.startedAt = datetime(), l.rejectFiles = [$rejects]
  ON MATCH SET l.rejectFiles = CASE WHEN l.status = 'complete'
                                         OR $rejects IN coalesce(l.rejectFiles, [])
                                    THEN l.rejectFiles
                                    ELSE coalesce(l.rejectFiles, []) + $rejects END
RETURN l.nextChunk AS nextChunk, l.chunkSize AS chunkSize, l.status AS status,
       l.rowsRead AS rowsRead, l.rowsLoaded AS rowsLoaded, l.rowsRejected AS rowsRejected
