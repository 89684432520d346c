// The readable reference of shopgraph.export.interactions (call_export_interactions.cypher),
// which computes the same edges in the plugin and returns them in compact rows; tests check
// that both give the same tensors (but for unknown category codes: no rows here, an error
// there). One row per edge makes this statement slow for big exports (1M rows through Bolt).
// User-item interactions of a subgraph, one row per (user, item) with its combined weight:
//   sum over the pair's session events and purchases of
//   event-type weight x recency decay x relationship weight (trust; 1.0 when not used).
// A session-item aggregate counts once per session (not per repeated view); purchases come
// from orders of kind 'order'. A pair with negative feedback ((u)-[:REJECTED]->(i)) is left
// out: it is never one of the user's positives. Recency decay is 0.5 ^ (age / half-life), age
// measured from $now.
// Parameters: $since, $until (datetime or null: the time window), $categories (list of codes;
//   empty = all; an item qualifies through its category or any ancestor), $weights (map
//   VIEWED, ADDED_TO_CART, REMOVED_FROM_CART, CONTAINS -> float), $halfLifeDays (float or null),
//   $now (datetime), $useTrust (boolean).
// Returns: user (userId), item (itemId), weight (float > 0), sorted by user then item.
CALL () {
  MATCH (u:User)-[:HAS_SESSION]->(:Session)-[r:VIEWED|ADDED_TO_CART|REMOVED_FROM_CART]->(i:Item)
  WHERE ($since IS NULL OR r.last >= $since) AND ($until IS NULL OR r.last <= $until)
  RETURN u, i, type(r) AS kind, r.last AS at, r.weight AS trust
  UNION ALL
  MATCH (u:User)-[:PLACED]->(o:Order {kind: 'order'})-[r:CONTAINS]->(i:Item)
  WHERE ($since IS NULL OR o.at >= $since) AND ($until IS NULL OR o.at <= $until)
  RETURN u, i, 'CONTAINS' AS kind, o.at AS at, r.weight AS trust
}
WITH u, i, kind, at, trust
WHERE NOT (u)-[:REJECTED]->(i)
  AND (size($categories) = 0
   OR EXISTS { (i)-[:IN_CATEGORY]->(:Category)-[:CHILD_OF*0..]->(c:Category)
               WHERE c.code IN $categories })
WITH u, i,
     sum(coalesce($weights[kind], 0.0)
         * CASE WHEN $halfLifeDays IS NULL OR at IS NULL THEN 1.0
                ELSE 0.5 ^ (duration.inSeconds(at, $now).seconds / 86400.0 / $halfLifeDays) END
         * CASE WHEN $useTrust THEN coalesce(trust, 1.0) ELSE 1.0 END) AS weight
WHERE weight > 0
RETURN u.userId AS user, i.itemId AS item, weight
ORDER BY user, item
