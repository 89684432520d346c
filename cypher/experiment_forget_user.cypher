// Erases a user's (or visitor's) experiment log: every exposure logged under the id, with its
// clicks. Run it in the transaction that erases the user's other data.
// Parameters: $userId. Returns: deleted.
OPTIONAL MATCH (e:Exposure {userId: $userId})
DELETE e
RETURN count(e) AS deleted
