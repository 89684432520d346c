// Counts of nodes and relationships, per label and per type, from Neo4j's count store
// (constant time, whatever the graph size).
// Parameters: none.
// Returns: nodes, relationships (totals), labels [[label, count]], types [[type, count]].
CALL db.stats.retrieve('GRAPH COUNTS') YIELD data
RETURN [n IN data.nodes WHERE n.label IS NULL | n.count][0] AS nodes,
       [r IN data.relationships
          WHERE r.relationshipType IS NULL AND r.startLabel IS NULL AND r.endLabel IS NULL
          | r.count][0] AS relationships,
       [n IN data.nodes WHERE n.label IS NOT NULL | [n.label, n.count]] AS labels,
       [r IN data.relationships
          WHERE r.relationshipType IS NOT NULL AND r.startLabel IS NULL AND r.endLabel IS NULL
          | [r.relationshipType, r.count]] AS types
