// Categories from dotted codes, parents first: electronics.smartphone is CHILD_OF electronics.
// Parameters: $rows [{code, name, level, parent}] ordered by level. Returns: nothing.
UNWIND $rows AS row
MERGE (c:Category {code: row.code})
  ON CREATE SET c.name = row.name, c.level = row.level
WITH c, row
WHERE row.parent IS NOT NULL
MATCH (p:Category {code: row.parent})
MERGE (c)-[:CHILD_OF]->(p)
