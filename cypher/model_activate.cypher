// Makes a version the active one in one transaction: readers see the old model or the new one,
// never a mix. The version active before becomes 'previous' (kept for rollback).
// Parameters: $version (status 'ready' or 'previous').
// Returns: version, slot (one row; no row when the version cannot be activated).
MATCH (m:ModelVersion {version: $version})
WHERE m.status IN ['ready', 'previous'] AND m.slot IS NOT NULL
OPTIONAL MATCH (old:ModelVersion {active: true})
SET old.active = false, old.status = 'previous'
SET m.active = true, m.status = 'active', m.activatedAt = datetime()
RETURN m.version AS version, m.slot AS slot
