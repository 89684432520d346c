// Erases a user from the graph (shopgraph.users.forget): the node, its sessions, orders,
// feedback and recorded-event bookkeeping, its exposures of online experiments with their clicks;
// what another user holds too stays for them.
// Parameters: $userId.
// Returns: sessions, sessionsKept, sessionEvents, orders, ordersKept, orderLines, feedback,
//   recordedEvents, relationships, exposures.
CALL shopgraph.users.forget($userId)
  YIELD sessions, sessionsKept, sessionEvents, orders, ordersKept, orderLines, feedback,
        recordedEvents, relationships, exposures
RETURN sessions, sessionsKept, sessionEvents, orders, ordersKept, orderLines, feedback,
       recordedEvents, relationships, exposures
