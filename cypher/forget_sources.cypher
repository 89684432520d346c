// Where files that may hold a user id are recorded: the reject files of every load, and the
// metadata (JSON text, with its run_dir) of every model version.
// Parameters: none.
// Returns: rejectFiles (paths), metadata (JSON texts).
CALL () {
  OPTIONAL MATCH (l:Load)
  UNWIND coalesce(l.rejectFiles, []) AS path
  RETURN collect(DISTINCT path) AS rejectFiles
}
CALL () {
  OPTIONAL MATCH (m:ModelVersion)
  RETURN collect(m.metadata) AS metadata
}
RETURN rejectFiles, metadata
