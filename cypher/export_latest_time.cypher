// The latest event time in the graph: the reference "now" of recency decay in exports, so that
// the same graph always exports the same weights (never the wall clock).
// Parameters: $until (datetime or null: only events up to it count).
// Returns: latest (datetime or null when the graph has no events).
CALL () {
  MATCH (s:Session) WHERE $until IS NULL OR s.end <= $until
  RETURN max(s.end) AS t
  UNION ALL
  MATCH (o:Order) WHERE $until IS NULL OR o.at <= $until
  RETURN max(o.at) AS t
}
RETURN max(t) AS latest
