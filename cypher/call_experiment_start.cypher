// Starts an online experiment: checks it and stores it as an (:Experiment) node (plugin).
// Parameters: $definition (map: name, surfaces, variants, start, end, salt, control,
//   attributionHours; see shopgraph.experiment.start).
// Returns: name, surfaces, variants, shares, control, salt, start, end.
CALL shopgraph.experiment.start($definition)
YIELD name, surfaces, variants, shares, control, salt, start, end
RETURN name, surfaces, variants, shares, control, salt, start, end
