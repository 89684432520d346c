package io.shopgraph.plugin.live;

import io.shopgraph.plugin.load.ChunkWriter;
import io.shopgraph.plugin.load.KeyLookup;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.neo4j.graphdb.ConstraintViolationException;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.Transaction;

/**
 * Records a batch of events in one transaction, once per event id, through the load writer.
 *
 * <p><b>Idempotency.</b> Every event id recorded leaves a bookkeeping node
 * {@code (:RecordedEvent {eventId, sessionId, recordedAt})}, unique by {@code eventId}. For
 * each of the batch's distinct ids, in sorted order, the node is created with its properties
 * and then given its label, and the uniqueness constraint checks the id: it locks the id's
 * index entry as MERGE does and looks it up, so a concurrent batch holding the same id makes
 * this one wait for its commit and then see its node, and of two writers racing with one event
 * id exactly one records it. When the id is taken, the unlabelled node is deleted and the
 * event is a duplicate. One lookup per new id (the constraint's), where looking the id up
 * first would make two. An id already recorded, or repeated within the batch (the first one
 * counts), is a duplicate and changes nothing. The bookkeeping nodes are kept for
 * {@link RecordedEvents#RETENTION} after recording ({@link RecordedEvents}).
 *
 * <p><b>Position of an order line.</b> A purchase that starts a line of its order (the first
 * purchase of that item in that order) gives the line the order's highest position plus one,
 * or 0 for its first line: 0, 1, 2, ... in the order in which the items were first bought
 * (lines are never removed one by one, so that is also the number of lines the order had).
 * A file load numbers an order's lines by the file line of each item's first row, so within
 * each order both give the lines the same order when the file lists the events in the order
 * they were recorded, and lines recorded after a load of part of an order come after the
 * loaded ones. The order's key is locked before its lines are read, so concurrent batches
 * number the lines of one order one after the other.
 *
 * <p>The rest is the load path's: {@link LiveRows} aggregates the new events into chunk rows
 * and {@link ChunkWriter} writes them, so a batch of events gives the graph of a file load of
 * the same events (orders' {@code source} is {@value LiveRows#SOURCE}).
 */
public final class EventRecorder {

    static final Label RECORDED_EVENT = Label.label("RecordedEvent");
    private static final Label ORDER = Label.label("Order");
    private static final RelationshipType CONTAINS = RelationshipType.withName("CONTAINS");

    private final Transaction tx;

    /**
     * What a batch did.
     *
     * @param recorded events written (their ids not seen before)
     * @param duplicates events whose id was recorded before or earlier in the batch
     * @param written what the load writer wrote for them
     */
    public record Recorded(long recorded, long duplicates, ChunkWriter.Written written) { }

    public EventRecorder(Transaction tx) {
        this.tx = tx;
    }

    /** Records the events that are new; see the class comment. */
    public Recorded record(List<LiveEvent> events) {
        List<LiveEvent> fresh = new ArrayList<>(events.size());
        Map<String, Map<String, Long>> positions;
        ZonedDateTime now = ZonedDateTime.ofInstant(Instant.ofEpochMilli(System.currentTimeMillis()),
                ZoneOffset.UTC);
        try (KeyLookup keys = new KeyLookup(tx)) {
            keys.requireConstraint(RECORDED_EVENT, "eventId");
            Map<String, LiveEvent> firsts = new TreeMap<>();
            for (LiveEvent event : events) {
                firsts.putIfAbsent(event.eventId(), event);
            }
            Set<String> recorded = new HashSet<>();
            firsts.forEach((id, first) -> {
                if (remember(keys, first, now)) {
                    recorded.add(id);
                }
            });
            for (LiveEvent event : events) {
                if (recorded.remove(event.eventId())) {
                    fresh.add(event);
                }
            }
            positions = positions(keys, fresh);
        }
        ChunkWriter.Written written = fresh.isEmpty()
                ? new ChunkWriter.Written(0, 0, 0, 0)
                : new ChunkWriter(tx).write(LiveRows.of(fresh, positions));
        return new Recorded(fresh.size(), events.size() - fresh.size(), written);
    }

    /**
     * Creates the bookkeeping node of {@code event}'s id; false when the id was recorded before
     * (see the class comment).
     */
    private boolean remember(KeyLookup keys, LiveEvent event, ZonedDateTime now) {
        Node node = tx.createNode();
        node.setProperty("eventId", event.eventId());
        node.setProperty("sessionId", event.sessionId());
        node.setProperty("recordedAt", now);
        try {
            node.addLabel(RECORDED_EVENT);
            return true;
        } catch (ConstraintViolationException e) {
            node.delete();
            if (keys.findForMerge(RECORDED_EVENT, "eventId", event.eventId()) == null) {
                throw e; // refused for another reason than a recorded id
            }
            return false;
        }
    }

    /** Per order, the positions of the lines the events start (see the class comment). */
    private Map<String, Map<String, Long>> positions(KeyLookup keys, List<LiveEvent> events) {
        Map<String, List<String>> bought = new TreeMap<>();
        for (LiveEvent e : events) {
            if (e.type() == LiveEvent.Type.PURCHASE) {
                bought.computeIfAbsent(e.order(), id -> new ArrayList<>()).add(e.itemId());
            }
        }
        Map<String, Map<String, Long>> positions = new HashMap<>();
        bought.forEach((orderId, items) -> {
            Node order = keys.findForMerge(ORDER, "orderId", orderId);
            Set<String> lines = new HashSet<>();
            long next = 0;
            if (order != null) {
                try (ResourceIterable<Relationship> rels = order.getRelationships(Direction.OUTGOING, CONTAINS)) {
                    for (Relationship r : rels) {
                        if (r.getEndNode().getProperty("itemId", null) instanceof String itemId) {
                            lines.add(itemId);
                        }
                        if (r.getProperty("position", null) instanceof Number position) {
                            next = Math.max(next, position.longValue() + 1);
                        }
                    }
                }
            }
            Map<String, Long> placed = new HashMap<>();
            for (String item : items) {
                if (lines.add(item)) {
                    placed.put(item, next++);
                }
            }
            positions.put(orderId, placed);
        });
        return positions;
    }
}
