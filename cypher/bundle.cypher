// Frequently bought together for a cart, in plain Cypher: the ranking of
// CALL shopgraph.bundle($cart, $k, $config), which is the fast path (a harness test checks that
// both agree). Formulas: evaluation/bundles.py. It reads the masses and knobs of the last
// CALL shopgraph.bundle.refresh() (Item.bundleMass; BundleStats: now, basketMass, orderWeight,
// cartWeight, viewWeight, halfLifeDays, userCap). Unlike the procedure it validates nothing:
// unknown cart ids, config keys and category codes are ignored, and no row comes back without
// BundleStats.
// Parameters:
//   $cart [item id], 1 to 50 ids; $k, 1 to 1000;
//   $config, the procedure's config map (one map, so that one query plan serves every call);
//     absent keys take the procedure's defaults:
//     alpha (0.5), beta (0.6), smoothing (10.0), sizeExponent (0.5): the score's knobs;
//     maxBasketSize: pairs count only in baskets of at most this many items (absent: no limit);
//     adjacencyBonus (2.0): the evidence of items on neighbouring lines of an order weighs
//       1 + adjacencyBonus (0: off);
//     user: leave out the items this user bought in orders;
//     maxPerBrand: at most this many items per brand, greedily in rank order;
//     categories [category code]: only items in one of them or a descendant;
//     inStockOnly (true): leave out items with inStock = false;
//     maxPrice: leave out items priced above it or without a price;
//     the mass knobs (orderWeight, ...) are those of BundleStats; given here, they are ignored.
// Returns: itemId, score, rank, reason, support, confidence, lift, because; by rank.
MATCH (stats:BundleStats {key: 'default'})
WITH stats {.*, nowMillis: stats.now.epochMillis,
            alpha: coalesce($config.alpha, 0.5), beta: coalesce($config.beta, 0.6),
            smoothing: coalesce($config.smoothing, 10.0),
            sizeExponent: coalesce($config.sizeExponent, 0.5), maxBasketSize: $config.maxBasketSize,
            adjacencyBonus: coalesce($config.adjacencyBonus, 2.0),
            user: $config.user, maxPerBrand: $config.maxPerBrand, categories: $config.categories,
            inStockOnly: coalesce($config.inStockOnly, true), maxPrice: $config.maxPrice} AS p
UNWIND $cart AS cartId
WITH DISTINCT p, cartId
MATCH (i:Item {itemId: cartId})
WITH p, collect(i) AS cart, sum(i.bundleMass) AS cartMass
UNWIND cart AS i
// Every path cart item i -> basket b (2 to maxBasketSize items) -> other item j, with b's
// user: the user with the smallest userId, or the basket itself for a basket without one; and
// a = 1 + adjacencyBonus when j is on a line next to i's: an order's line order is its items
// with a CONTAINS.position, by (position, itemId), and i's neighbours are the items just
// before and just after it (none when i has no position; sessions have no line order).
CALL (p, i) {
  MATCH (b:Order {kind: 'order'})-[ri:CONTAINS]->(i)
  WHERE p.orderWeight > 0
  WITH b, ri, COUNT { (b)-[:CONTAINS]->() } AS size
  WHERE size >= 2 AND (p.maxBasketSize IS NULL OR size <= p.maxBasketSize)
  WITH b, ri, size, COLLECT { MATCH (u:User)-[:PLACED]->(b) RETURN u ORDER BY u.userId LIMIT 1 } AS users,
       CASE WHEN p.adjacencyBonus > 0 AND ri.position IS NOT NULL
            THEN COLLECT { MATCH (b)-[r:CONTAINS]->(k)
                           WHERE r.position < ri.position OR (r.position = ri.position AND k.itemId < i.itemId)
                           RETURN k ORDER BY r.position DESC, k.itemId DESC LIMIT 1 }
               + COLLECT { MATCH (b)-[r:CONTAINS]->(k)
                           WHERE r.position > ri.position OR (r.position = ri.position AND k.itemId > i.itemId)
                           RETURN k ORDER BY r.position, k.itemId LIMIT 1 }
            ELSE [] END AS neighbours
  MATCH (b)-[rj:CONTAINS]->(j)
  WHERE j <> i
  RETURN 'order' AS source, p.orderWeight AS w, b.at AS time, size, ri, rj, j,
         CASE WHEN users = [] THEN ['order', b] ELSE users END AS user,
         CASE WHEN j IN neighbours THEN 1.0 + p.adjacencyBonus ELSE 1.0 END AS a
  UNION ALL
  MATCH (b:Session)-[ri:ADDED_TO_CART]->(i)
  WHERE p.cartWeight > 0
  WITH b, ri, COUNT { (b)-[:ADDED_TO_CART]->() } AS size
  WHERE size >= 2 AND (p.maxBasketSize IS NULL OR size <= p.maxBasketSize)
  WITH b, ri, size, COLLECT { MATCH (u:User)-[:HAS_SESSION]->(b) RETURN u ORDER BY u.userId LIMIT 1 } AS users
  MATCH (b)-[rj:ADDED_TO_CART]->(j)
  WHERE j <> i
  RETURN 'cart' AS source, p.cartWeight AS w, b.start AS time, size, ri, rj, j,
         CASE WHEN users = [] THEN ['cart', b] ELSE users END AS user, 1.0 AS a
  UNION ALL
  MATCH (b:Session)-[ri:VIEWED]->(i)
  WHERE p.viewWeight > 0
  WITH b, ri, COUNT { (b)-[:VIEWED]->() } AS size
  WHERE size >= 2 AND (p.maxBasketSize IS NULL OR size <= p.maxBasketSize)
  WITH b, ri, size, COLLECT { MATCH (u:User)-[:HAS_SESSION]->(b) RETURN u ORDER BY u.userId LIMIT 1 } AS users
  MATCH (b)-[rj:VIEWED]->(j)
  WHERE j <> i
  RETURN 'view' AS source, p.viewWeight AS w, b.start AS time, size, ri, rj, j,
         CASE WHEN users = [] THEN ['view', b] ELSE users END AS user, 1.0 AS a
}
// m = w(b) d(b) r(b,i) r(b,j), with d(b) = 0.5 ^ (age in days / halfLifeDays) (1 without a
// time or a half-life; a basket newer than now counts as of now); h(b) = (|b| - 1) ^ -sizeExponent;
// the evidence of the path is e = m h a.
WITH p, cart, cartMass, i, j, source, user, a,
     w * CASE WHEN time IS NULL OR p.nowMillis IS NULL OR p.halfLifeDays IS NULL THEN 1.0
              ELSE 0.5 ^ (CASE WHEN p.nowMillis > time.epochMillis
                                THEN p.nowMillis - time.epochMillis ELSE 0 END
                           / 86400000.0 / p.halfLifeDays) END
       * coalesce(ri.weight, 1.0) * coalesce(rj.weight, 1.0) AS m,
     (size - 1.0) ^ (-p.sizeExponent) AS h
// Per user: m_u and e_u by source, scaled by f = min(1, userCap / m_u).
WITH p, cart, cartMass, i, j, user,
     sum(m) AS mu,
     sum(CASE source WHEN 'order' THEN m * h * a ELSE 0.0 END) AS eOrder,
     sum(CASE source WHEN 'cart' THEN m * h * a ELSE 0.0 END) AS eCart,
     sum(CASE source WHEN 'view' THEN m * h * a ELSE 0.0 END) AS eView
WITH p, cart, cartMass, i, j, mu, eOrder, eCart, eView,
     CASE WHEN mu > p.userCap THEN p.userCap / mu ELSE 1.0 END AS f
// Per pair: n(i,j), and e(i,j) / n(i)^alpha by source (0 when n(i) = 0).
WITH p, cart, cartMass, i, j,
     sum(f * mu) AS nij, sum(f * eOrder) AS eOrder, sum(f * eCart) AS eCart, sum(f * eView) AS eView
WITH p, cart, cartMass, i, j, nij,
     CASE WHEN i.bundleMass > 0 THEN eOrder / (i.bundleMass ^ p.alpha) ELSE 0.0 END AS nOrder,
     CASE WHEN i.bundleMass > 0 THEN eCart / (i.bundleMass ^ p.alpha) ELSE 0.0 END AS nCart,
     CASE WHEN i.bundleMass > 0 THEN eView / (i.bundleMass ^ p.alpha) ELSE 0.0 END AS nView
WITH p, cart, cartMass, i, j, nij, nOrder, nCart, nView, nOrder + nCart + nView AS numerator
ORDER BY numerator DESC, i.itemId ASC
// Per candidate: contribution(i,j) = numerator(i,j) / (n(j) + smoothing)^beta, where n(j) is
// Item.bundleMass raised to the largest n(i,j) if below it (only when baskets were added after
// the last refresh; otherwise n(j) >= n(i,j) always); score = sum of contributions.
WITH p, cart, cartMass, j,
     sum(numerator) AS numerator, sum(nOrder) AS nOrder, sum(nCart) AS nCart, sum(nView) AS nView,
     sum(nij) AS support, max(nij) AS pairMass,
     collect(CASE WHEN numerator > 0 THEN i.itemId END) AS because
WITH p, cart, cartMass, j, numerator, nOrder, nCart, nView, support, because,
     CASE WHEN j.bundleMass < pairMass THEN pairMass ELSE j.bundleMass END AS mass
WITH p, cart, cartMass, j, numerator, nOrder, nCart, nView, support, because, mass,
     (mass + p.smoothing) ^ p.beta AS denominator
WITH p, cart, cartMass, j, support, because, mass, numerator / denominator AS score,
     nOrder / denominator AS sOrder, nCart / denominator AS sCart, nView / denominator AS sView
WHERE score > 0 AND NOT j IN cart
  AND (p.user IS NULL
       OR NOT EXISTS { (:User {userId: p.user})-[:PLACED]->(:Order {kind: 'order'})-[:CONTAINS]->(j) })
  AND (p.categories IS NULL
       OR EXISTS { (j)-[:IN_CATEGORY]->()-[:CHILD_OF*0..]->(c) WHERE c.code IN p.categories })
  AND (NOT p.inStockOnly OR j.inStock IS NULL OR j.inStock <> false)
  AND (p.maxPrice IS NULL OR j.price <= p.maxPrice)
WITH p, cartMass, j, score, support, because, mass,
     CASE WHEN sOrder >= sCart AND sOrder >= sView THEN 'bought together'
          WHEN sCart >= sView THEN 'added to cart together'
          ELSE 'viewed together' END AS reason
ORDER BY score DESC, j.itemId ASC
WITH p, cartMass,
     collect({item: j, score: score, support: support, because: because, reason: reason, mass: mass,
              brands: CASE WHEN p.maxPerBrand IS NULL THEN []
                           ELSE COLLECT { MATCH (j)-[:HAS_BRAND]->(brand) RETURN DISTINCT brand } END}) AS ranked
// The first $k in rank order that leave room in each of their brands.
WITH p, cartMass,
     reduce(acc = {kept: [], brands: []}, row IN ranked |
       CASE WHEN size(acc.kept) >= $k
                 OR any(brand IN row.brands WHERE size([b IN acc.brands WHERE b = brand]) >= p.maxPerBrand)
            THEN acc
            ELSE {kept: acc.kept + [row], brands: acc.brands + row.brands} END).kept AS kept
UNWIND range(1, size(kept)) AS rank
WITH p, cartMass, kept[rank - 1] AS row, rank
WITH p, row, rank, CASE WHEN cartMass > 0 THEN row.support / cartMass ELSE 0.0 END AS confidence
RETURN row.item.itemId AS itemId, row.score AS score, rank, row.reason AS reason,
       row.support AS support, confidence,
       CASE WHEN row.mass > 0 THEN confidence * p.basketMass / row.mass ELSE 0.0 END AS lift,
       row.because AS because
ORDER BY rank
