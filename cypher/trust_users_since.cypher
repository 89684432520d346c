// Users with behaviour at or after a time: sessions that end, or orders placed, since then.
// Parameters: $since (epoch ms).
// Returns: userId (one row per user, ascending).
CALL () {
  MATCH (u:User)-[:HAS_SESSION]->(s:Session)
  WHERE s.end >= datetime({epochMillis: $since})
  RETURN u
  UNION
  MATCH (u:User)-[:PLACED]->(o:Order)
  WHERE o.at >= datetime({epochMillis: $since})
  RETURN u
}
RETURN DISTINCT u.userId AS userId
ORDER BY userId
