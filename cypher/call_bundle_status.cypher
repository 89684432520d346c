// The live bundle pair index and its merges (shopgraph.bundle.status); no row before its first build.
// Parameters: none.
// Returns: version, items, pairs, mergedItems, mergedPairs, decreased, merges, itemsMerged,
//          mergeMillis, sessionMerges, builds, bytes.
CALL shopgraph.bundle.status()
  YIELD version, items, pairs, mergedItems, mergedPairs, decreased, merges, itemsMerged, mergeMillis,
        sessionMerges, builds, bytes
RETURN version, items, pairs, mergedItems, mergedPairs, decreased, merges, itemsMerged, mergeMillis,
       sessionMerges, builds, bytes
