// Moves a merged user's experiment log to the user it was merged into: exposures logged under
// $source are counted as $target's from now on, keeping their variant (and the id they were
// logged under, loggedUserId). Run it in the transaction that merges the users.
// Parameters: $source, $target. Returns: moved.
OPTIONAL MATCH (e:Exposure {userId: $source})
SET e.loggedUserId = coalesce(e.loggedUserId, $source), e.userId = $target
RETURN count(e) AS moved
