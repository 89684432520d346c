package io.shopgraph.plugin.live;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Result;
import org.neo4j.graphdb.Transaction;

/**
 * The retention of the bookkeeping of recorded event ids ({@code (:RecordedEvent)}): an id is
 * remembered for {@link #RETENTION} after it was recorded (by the server's clock), so a retry
 * within that time changes nothing, and the bookkeeping stays bounded by the events of that
 * time. Every call of {@code shopgraph.events.record} prunes, before it records, up to
 * {@code 2 x its batch + 100} expired nodes, oldest first, so pruning outpaces recording.
 *
 * <p>Pruning runs in a transaction of its own, committed at once, and one at a time in this
 * server (a call that finds another pruning goes on without): two transactions deleting the
 * same nodes would make one of them fail, and a recording batch must never fail for its
 * bookkeeping. It runs before the batch takes any lock, so it never waits on its own batch.
 */
public final class RecordedEvents {

    /** How long a recorded event id is remembered. */
    public static final Duration RETENTION = Duration.ofDays(7);

    private static final AtomicBoolean PRUNING = new AtomicBoolean();

    private static final String PRUNE = "MATCH (e:RecordedEvent) WHERE e.recordedAt < $cutoff"
            + " WITH e ORDER BY e.recordedAt LIMIT $limit DELETE e RETURN count(*) AS pruned";

    private RecordedEvents() {}

    /**
     * Deletes up to {@code limit} bookkeeping nodes recorded before {@code now - RETENTION}.
     *
     * @param db the database, for a transaction of its own
     * @param now the current time
     * @param limit the most nodes deleted
     * @return the nodes deleted; 0 when another call is pruning
     */
    public static long prune(GraphDatabaseService db, Instant now, long limit) {
        if (!PRUNING.compareAndSet(false, true)) {
            return 0;
        }
        try (Transaction tx = db.beginTx()) {
            ZonedDateTime cutoff = ZonedDateTime.ofInstant(now.minus(RETENTION), ZoneOffset.UTC);
            long pruned;
            try (Result result = tx.execute(PRUNE, Map.of("cutoff", cutoff, "limit", limit))) {
                pruned = ((Number) result.next().get("pruned")).longValue();
            }
            tx.commit();
            return pruned;
        } finally {
            PRUNING.set(false);
        }
    }
}
