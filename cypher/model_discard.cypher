// Removes a model version whose write-back failed before it was activated (never the active
// one); the caller then clears its slot with model_clear_slot.
// Parameters: $version.
// Returns: removed (1 when the version was removed, 0 when it was not there or is active).
OPTIONAL MATCH (m:ModelVersion {version: $version})
WHERE NOT m.active
DETACH DELETE m
RETURN count(m) AS removed
