// Every experiment, newest first, as stored by shopgraph.experiment.start.
// Parameters: $name (an experiment's name, or null for all).
// Returns: name, surfaces, salt, start, end, control, attributionHours, variants (JSON text),
//   status ('running' or 'stopped'), createdAt, stoppedAt.
MATCH (e:Experiment)
WHERE $name IS NULL OR e.name = $name
RETURN e.name AS name, e.surfaces AS surfaces, e.salt AS salt, e.start AS start, e.end AS end,
       e.control AS control, e.attributionHours AS attributionHours, e.variants AS variants,
       e.status AS status, e.createdAt AS createdAt, e.stoppedAt AS stoppedAt
ORDER BY e.createdAt DESC, e.name
