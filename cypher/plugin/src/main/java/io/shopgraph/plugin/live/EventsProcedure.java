package io.shopgraph.plugin.live;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.events.record($events)}: a thin adapter that reads the events with
 * {@link LiveEvent#parse}, prunes expired bookkeeping when due ({@link RecordedEvents}) and
 * records them with {@link EventRecorder}, in the caller's transaction: the batch is written
 * whole or not at all.
 */
public final class EventsProcedure {

    @Context
    public Transaction tx;

    @Context
    public GraphDatabaseService db;

    /**
     * What a batch did.
     *
     * @param recorded events written
     * @param duplicates events whose id was recorded before (or earlier in the batch): nothing
     *     changed for them
     * @param nodesCreated nodes of the shop graph created (bookkeeping not counted)
     * @param relationshipsCreated relationships created
     * @param pruned expired bookkeeping nodes of recorded ids deleted by this call
     */
    public record RecordedBatch(long recorded, long duplicates, long nodesCreated,
                                long relationshipsCreated, long pruned) { }

    @Procedure(name = "shopgraph.events.record", mode = Mode.WRITE)
    @Description("Records shop events as they happen, as a file load of the same events would load"
            + " them; the batch is written whole or not at all. Each event is a map: eventId, time (a"
            + " datetime with a timezone, or epoch milliseconds), type (view, cart, remove_from_cart,"
            + " purchase), itemId, sessionId, and optionally userId, price, quantity (1), orderId (a"
            + " purchase's order; default the session id), brand, categoryCode. An event id recorded in"
            + " the last 7 days changes nothing (a duplicate). Unknown items and users are created"
            + " (items with inCatalog false). At most 10000 events per call. Yields recorded,"
            + " duplicates, nodesCreated, relationshipsCreated, pruned.")
    public Stream<RecordedBatch> record(
            @Name(value = "events", description = "A list of event maps; see the description for the keys.")
            List<Object> events) {
        List<LiveEvent> parsed = LiveEvent.parse(events);
        long pruned = RecordedEvents.pruneIfDue(db, Instant.now(), parsed.size());
        EventRecorder.Recorded done = new EventRecorder(tx).record(parsed);
        return Stream.of(new RecordedBatch(done.recorded(), done.duplicates(),
                done.written().nodesCreated(), done.written().relationshipsCreated(), pruned));
    }
}
