// Whether a user is in the graph.
// Parameters: $userId.
// Returns: exists (boolean).
OPTIONAL MATCH (u:User {userId: $userId})
RETURN u IS NOT NULL AS exists
