// Marks a version whose embeddings are all written as ready to be activated.
// Parameters: $version.
// Returns: version, users, items.
MATCH (m:ModelVersion {version: $version, status: 'writing'})
SET m.status = 'ready'
RETURN m.version AS version, m.users AS users, m.items AS items
