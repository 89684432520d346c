// Starts writing a model version into a slot: the version that held the slot is retired
// (its embeddings are about to be overwritten), the new one is created with status 'writing'.
// Parameters: $version, $slot ('A' | 'B'), $dimensions, $metadata (JSON text).
// Returns: version.
OPTIONAL MATCH (old:ModelVersion {slot: $slot})
WHERE NOT old.active
SET old.status = 'retired', old.slot = null
WITH count(old) AS retired
CREATE (m:ModelVersion {version: $version, slot: $slot, status: 'writing', active: false,
                        createdAt: datetime(), dimensions: $dimensions, metadata: $metadata,
                        users: 0, items: 0})
RETURN m.version AS version
