// Sessions of a chunk with what happened in them, each session looked up once.
// start/end are the first/last event time, events the number of events; per item, views,
// cart adds and removals are aggregated (count, first, last); weight is 1.0 until trust
// scoring sets it. Counts add to those of earlier chunks.
// Parameters: $rows [{id, start, end (epoch ms or null), n, users [user id],
//   views, carts, removals [[item id, count, first, last]]}]. Returns: nothing.
UNWIND $rows AS row
WITH row,
     CASE WHEN row.start IS NULL THEN null ELSE datetime({epochMillis: row.start}) END AS start,
     CASE WHEN row.end IS NULL THEN null ELSE datetime({epochMillis: row.end}) END AS end
MERGE (s:Session {sessionId: row.id})
  ON CREATE SET s.start = start, s.end = end, s.events = row.n
  ON MATCH SET s.start = CASE WHEN s.start IS NULL OR start < s.start THEN start ELSE s.start END,
               s.end = CASE WHEN s.end IS NULL OR end > s.end THEN end ELSE s.end END,
               s.events = s.events + row.n
WITH s, row
CALL (s, row) {
  UNWIND row.users AS userId
  MERGE (u:User {userId: userId})
  MERGE (u)-[:HAS_SESSION]->(s)
}
CALL (s, row) {
  UNWIND row.views AS v
  MATCH (i:Item {itemId: v[0]})
  MERGE (s)-[r:VIEWED]->(i)
    ON CREATE SET r.count = v[1], r.first = datetime({epochMillis: v[2]}),
                  r.last = datetime({epochMillis: v[3]}), r.weight = 1.0
    ON MATCH SET r.count = r.count + v[1],
                 r.first = CASE WHEN r.first IS NULL OR datetime({epochMillis: v[2]}) < r.first
                                THEN datetime({epochMillis: v[2]}) ELSE r.first END,
                 r.last = CASE WHEN r.last IS NULL OR datetime({epochMillis: v[3]}) > r.last
                               THEN datetime({epochMillis: v[3]}) ELSE r.last END
}
CALL (s, row) {
  UNWIND row.carts AS v
  MATCH (i:Item {itemId: v[0]})
  MERGE (s)-[r:ADDED_TO_CART]->(i)
    ON CREATE SET r.count = v[1], r.first = datetime({epochMillis: v[2]}),
                  r.last = datetime({epochMillis: v[3]}), r.weight = 1.0
    ON MATCH SET r.count = r.count + v[1],
                 r.first = CASE WHEN r.first IS NULL OR datetime({epochMillis: v[2]}) < r.first
                                THEN datetime({epochMillis: v[2]}) ELSE r.first END,
                 r.last = CASE WHEN r.last IS NULL OR datetime({epochMillis: v[3]}) > r.last
                               THEN datetime({epochMillis: v[3]}) ELSE r.last END
}
CALL (s, row) {
  UNWIND row.removals AS v
  MATCH (i:Item {itemId: v[0]})
  MERGE (s)-[r:REMOVED_FROM_CART]->(i)
    ON CREATE SET r.count = v[1], r.first = datetime({epochMillis: v[2]}),
                  r.last = datetime({epochMillis: v[3]}), r.weight = 1.0
    ON MATCH SET r.count = r.count + v[1],
                 r.first = CASE WHEN r.first IS NULL OR datetime({epochMillis: v[2]}) < r.first
                                THEN datetime({epochMillis: v[2]}) ELSE r.first END,
                 r.last = CASE WHEN r.last IS NULL OR datetime({epochMillis: v[3]}) > r.last
                               THEN datetime({epochMillis: v[3]}) ELSE r.last END
}
