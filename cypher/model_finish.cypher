// Marks a version whose embeddings are all written as ready to be activated, with the numbers
// of users and items that were given an embedding.
// Parameters: $version, $users, $items.
// Returns: version, users, items.
MATCH (m:ModelVersion {version: $version, status: 'writing'})
SET m.status = 'ready', m.users = $users, m.items = $items
RETURN m.version AS version, m.users AS users, m.items AS items
