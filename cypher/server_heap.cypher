// The server's JVM heap, from its memory MXBean (dbms.queryJmx).
// Parameters: none.
// Returns: used, committed, max (bytes).
CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes
WITH attributes.HeapMemoryUsage.value.properties AS heap
RETURN heap.used AS used, heap.committed AS committed, heap.max AS max
