// An experiment's log per user, variant and day (UTC): requests, items shown (impressions) and
// clicked items of its exposures, and the cart adds and purchases attributed to them.
// Attribution (last touch): a cart add (a session's ADDED_TO_CART of an item, at its first add)
// or a purchase (an order line of an order of kind 'order', at the order's time) by the user of
// an item that an exposure of this experiment showed them counts for the latest such exposure
// at or before it, at most $hours earlier (ties: the larger request id); revenue is the line's
// price times its quantity (a line without a price adds 0 and counts as unpriced). A clicked
// item counts once per exposure, on the day of its first click.
// Parameters: $experiment (name), $hours (the attribution window, in hours).
// Returns: userId, variant, day, requests, impressions, clicks, carts, purchases, revenue,
//   unpriced.
MATCH (e:Exposure {experiment: $experiment})
WITH e.userId AS userId, collect(e) AS shown, duration({seconds: toInteger(round($hours * 3600))}) AS window
WITH userId, shown, window,
     reduce(m = null, x IN shown | CASE WHEN m IS NULL OR x.at < m THEN x.at ELSE m END) AS firstAt,
     reduce(m = null, x IN shown | CASE WHEN m IS NULL OR x.at > m THEN x.at ELSE m END) AS lastAt
CALL (userId, shown, window, firstAt, lastAt) {
  UNWIND shown AS e
  RETURN e.variant AS variant, date(e.at) AS day, 1 AS requests, size(e.items) AS impressions,
         0 AS clicks, 0 AS carts, 0 AS purchases, 0.0 AS revenue, 0 AS unpriced
  UNION ALL
  UNWIND shown AS e
  UNWIND range(0, size(coalesce(e.clickedItems, [])) - 1) AS n
  WITH e, e.clickedItems[n] AS item, min(e.clickedAt[n]) AS at
  RETURN e.variant AS variant, date(at) AS day, 0 AS requests, 0 AS impressions, 1 AS clicks,
         0 AS carts, 0 AS purchases, 0.0 AS revenue, 0 AS unpriced
  UNION ALL
  MATCH (:User {userId: userId})-[:HAS_SESSION]->(:Session)-[c:ADDED_TO_CART]->(i:Item)
  WHERE c.first >= firstAt AND c.first <= lastAt + window
  WITH c.first AS at, [x IN shown WHERE i.itemId IN x.items AND x.at <= c.first AND c.first <= x.at + window] AS touches
  WHERE size(touches) > 0
  WITH at, reduce(best = null, x IN touches |
         CASE WHEN best IS NULL OR x.at > best.at OR (x.at = best.at AND x.requestId > best.requestId)
              THEN x ELSE best END) AS touch
  RETURN touch.variant AS variant, date(at) AS day, 0 AS requests, 0 AS impressions, 0 AS clicks,
         1 AS carts, 0 AS purchases, 0.0 AS revenue, 0 AS unpriced
  UNION ALL
  MATCH (:User {userId: userId})-[:PLACED]->(o:Order {kind: 'order'})-[l:CONTAINS]->(i:Item)
  WHERE o.at >= firstAt AND o.at <= lastAt + window
  WITH o.at AS at, l, [x IN shown WHERE i.itemId IN x.items AND x.at <= o.at AND o.at <= x.at + window] AS touches
  WHERE size(touches) > 0
  WITH at, l, reduce(best = null, x IN touches |
         CASE WHEN best IS NULL OR x.at > best.at OR (x.at = best.at AND x.requestId > best.requestId)
              THEN x ELSE best END) AS touch
  RETURN touch.variant AS variant, date(at) AS day, 0 AS requests, 0 AS impressions, 0 AS clicks,
         0 AS carts, 1 AS purchases, toFloat(coalesce(l.price, 0.0)) * coalesce(l.quantity, 1) AS revenue,
         CASE WHEN l.price IS NULL THEN 1 ELSE 0 END AS unpriced
}
RETURN userId, variant, day, sum(requests) AS requests, sum(impressions) AS impressions,
       sum(clicks) AS clicks, sum(carts) AS carts, sum(purchases) AS purchases,
       sum(revenue) AS revenue, sum(unpriced) AS unpriced
ORDER BY userId, variant, day
