// Every model version, newest first.
// Parameters: none.
// Returns: version, status (writing | ready | active | previous | retired), slot ('A' | 'B' |
//   null once retired), active, createdAt, activatedAt, dimensions, users, items, metadata.
MATCH (m:ModelVersion)
RETURN m.version AS version, m.status AS status, m.slot AS slot, m.active AS active,
       m.createdAt AS createdAt, m.activatedAt AS activatedAt, m.dimensions AS dimensions,
       m.users AS users, m.items AS items, m.metadata AS metadata
ORDER BY m.createdAt DESC, m.version DESC
