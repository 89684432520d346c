// Erases a user from the graph (shopgraph.users.forget): the node, its sessions, orders,
// feedback and recorded-event bookkeeping; what another user holds too stays for them.
// Parameters: $userId.
// Returns: sessions, sessionsKept, sessionEvents, orders, ordersKept, orderLines, feedback,
//   recordedEvents, relationships.
CALL shopgraph.users.forget($userId)
  YIELD sessions, sessionsKept, sessionEvents, orders, ordersKept, orderLines, feedback,
        recordedEvents, relationships
RETURN sessions, sessionsKept, sessionEvents, orders, ordersKept, orderLines, feedback,
       recordedEvents, relationships
