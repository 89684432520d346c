// Orders of a chunk with their users, sessions and lines, each order looked up once.
// at is the earliest purchase time; kind is order, cancellation or adjustment. Per item,
// quantity and number of lines add to those of earlier chunks; price is the last line's;
// position (the place of the item's first line in the file) is the smallest given, a null
// never replacing a stored one; weight is 1.0 until trust scoring sets it.
// Parameters: $rows [{id, at (epoch ms or null), kind, source, users [user id],
//   sessions [session id], lines [[item id, quantity, lines, price or null, position or null]]}].
// Returns: nothing.
UNWIND $rows AS row
WITH row, CASE WHEN row.at IS NULL THEN null ELSE datetime({epochMillis: row.at}) END AS at
MERGE (o:Order {orderId: row.id})
  ON CREATE SET o.at = at, o.kind = row.kind, o.source = row.source
  ON MATCH SET o.at = CASE WHEN o.at IS NULL OR at < o.at THEN at ELSE o.at END
WITH o, row
CALL (o, row) {
  UNWIND row.users AS userId
  MERGE (u:User {userId: userId})
  MERGE (u)-[:PLACED]->(o)
}
CALL (o, row) {
  UNWIND row.sessions AS sessionId
  MATCH (s:Session {sessionId: sessionId})
  MERGE (o)-[:IN_SESSION]->(s)
}
CALL (o, row) {
  UNWIND row.lines AS line
  MATCH (i:Item {itemId: line[0]})
  MERGE (o)-[r:CONTAINS]->(i)
    ON CREATE SET r.quantity = line[1], r.lines = line[2], r.price = line[3], r.position = line[4],
                  r.weight = 1.0
    ON MATCH SET r.quantity = r.quantity + line[1], r.lines = r.lines + line[2],
                 r.price = coalesce(line[3], r.price),
                 r.position = CASE WHEN r.position IS NULL OR line[4] < r.position THEN coalesce(line[4], r.position)
                                   ELSE r.position END
}
