// Writes one chunk of a load through the plugin (shopgraph.load.chunk), with exactly the
// graph of merge_categories, merge_items, merge_sessions and merge_orders run in that order
// (those statements are the readable reference; a test checks that both give the same graph).
// Parameters: $categories, $items, $sessions, $orders: the rows of those four statements.
// Returns: rows (rows applied), nodesCreated, relationshipsCreated, propertiesSet (writes
//          inside a procedure are not in the query's own counters).
CALL shopgraph.load.chunk($categories, $items, $sessions, $orders)
  YIELD rows, nodesCreated, relationshipsCreated, propertiesSet
RETURN rows, nodesCreated, relationshipsCreated, propertiesSet
