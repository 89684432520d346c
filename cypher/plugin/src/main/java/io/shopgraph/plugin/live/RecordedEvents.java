package io.shopgraph.plugin.live;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Result;
import org.neo4j.graphdb.Transaction;

/**
 * The retention of the bookkeeping of recorded event ids ({@code (:RecordedEvent)}): an id is
 * remembered for {@link #RETENTION} after it was recorded (by the server's clock), so a retry
 * within that time changes nothing, and the bookkeeping stays bounded by the events of that
 * time. Recording enforces it: at most once every {@link #PRUNE_EVERY} per database, the call
 * of {@code shopgraph.events.record} that comes first deletes, before it records, up to twice
 * the events recorded since the last pruning plus {@value #PRUNE_SLACK} expired nodes, oldest
 * first, so pruning outpaces recording.
 *
 * <p>Pruning runs in a transaction of its own, committed at once, and one at a time per
 * database: two transactions deleting the same nodes would make one of them fail, and a
 * recording batch must never fail for its bookkeeping. It runs before the batch takes any
 * lock, so it never waits on its own batch.
 */
public final class RecordedEvents {

    /** How long a recorded event id is remembered. */
    public static final Duration RETENTION = Duration.ofDays(7);
    /** The least time between two prunings of one database. */
    public static final Duration PRUNE_EVERY = Duration.ofSeconds(1);
    /** Expired nodes a pruning may delete beyond twice the events recorded since the last. */
    static final long PRUNE_SLACK = 1_000;

    private static final String PRUNE = "MATCH (e:RecordedEvent) WHERE e.recordedAt < $cutoff"
            + " WITH e ORDER BY e.recordedAt LIMIT $limit DELETE e RETURN count(*) AS pruned";

    /** Per database: whether one is pruning, when the last one started, events recorded since. */
    private record State(AtomicBoolean pruning, AtomicLong last, AtomicLong recorded) { }

    private static final Map<String, State> STATES = new ConcurrentHashMap<>();

    private RecordedEvents() {}

    /**
     * Prunes when it is due (see the class comment) and counts the events about to be recorded.
     *
     * @param db the database, for a transaction of its own
     * @param now the current time
     * @param events the events of the calling batch
     * @return the nodes deleted; 0 when not due or another call is pruning
     */
    public static long pruneIfDue(GraphDatabaseService db, Instant now, int events) {
        State state = STATES.computeIfAbsent(db.databaseName(),
                name -> new State(new AtomicBoolean(), new AtomicLong(Long.MIN_VALUE), new AtomicLong()));
        state.recorded().addAndGet(events);
        long last = state.last().get();
        if (last != Long.MIN_VALUE && now.toEpochMilli() - last < PRUNE_EVERY.toMillis()) {
            return 0;
        }
        if (!state.pruning().compareAndSet(false, true)) {
            return 0;
        }
        try {
            state.last().set(now.toEpochMilli());
            long limit = 2 * state.recorded().getAndSet(0) + PRUNE_SLACK;
            return prune(db, now, limit);
        } finally {
            state.pruning().set(false);
        }
    }

    /**
     * Deletes up to {@code limit} bookkeeping nodes recorded before {@code now - RETENTION}, in
     * a transaction of its own.
     *
     * @return the nodes deleted
     */
    static long prune(GraphDatabaseService db, Instant now, long limit) {
        try (Transaction tx = db.beginTx()) {
            ZonedDateTime cutoff = ZonedDateTime.ofInstant(now.minus(RETENTION), ZoneOffset.UTC);
            long pruned;
            try (Result result = tx.execute(PRUNE, Map.of("cutoff", cutoff, "limit", limit))) {
                pruned = ((Number) result.next().get("pruned")).longValue();
            }
            tx.commit();
            return pruned;
        }
    }
}
