package io.shopgraph.plugin.feedback;

import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.load.KeyLookup;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.Transaction;

/**
 * Stores negative feedback as one relationship per user and item:
 * {@code (:User)-[:REJECTED {kind, first, at, count}]->(:Item)}, where {@code count} is how
 * many times feedback was given, {@code first} and {@code at} the earliest and the latest time,
 * and {@code kind} ({@link FeedbackKind}) the kind of the latest. Serving leaves the item out of
 * every answer to that user; the training export leaves the pair out of the user's positives.
 * An unknown user is created (a visitor's first feedback); an unknown item is an error.
 */
public final class FeedbackWriter {

    /** The relationship type of negative feedback. */
    public static final RelationshipType REJECTED = RelationshipType.withName("REJECTED");
    private static final Label USER = Label.label("User");
    private static final Label ITEM = Label.label("Item");

    private final Transaction tx;

    /**
     * The feedback stored for the pair.
     *
     * @param kind the kind of the latest feedback
     * @param count how many times feedback was given on the pair
     * @param userCreated whether the user was new
     */
    public record Stored(FeedbackKind kind, long count, boolean userCreated) { }

    public FeedbackWriter(Transaction tx) {
        this.tx = tx;
    }

    /**
     * Records one feedback.
     *
     * @throws ShopgraphException {@code UNKNOWN_ID} when the item is not in the graph
     */
    public Stored record(String userId, String itemId, FeedbackKind kind, Instant at) {
        try (KeyLookup keys = new KeyLookup(tx)) {
            Node item = keys.find(ITEM, "itemId", itemId);
            if (item == null) {
                throw ShopgraphException.unknownIds("item", List.of(itemId));
            }
            Node user = keys.findForMerge(USER, "userId", userId);
            boolean created = user == null;
            if (created) {
                user = tx.createNode(USER);
                user.setProperty("userId", userId);
            }
            ZonedDateTime time = ZonedDateTime.ofInstant(at, ZoneOffset.UTC);
            Relationship r = created ? null : rejected(user, item);
            if (r == null) {
                r = user.createRelationshipTo(item, REJECTED);
                r.setProperty("kind", kind.value());
                r.setProperty("first", time);
                r.setProperty("at", time);
                r.setProperty("count", 1L);
                return new Stored(kind, 1, created);
            }
            long count = ((Number) r.getProperty("count", 0L)).longValue() + 1;
            r.setProperty("count", count);
            if (!at.isBefore(instant(r.getProperty("at", null)))) {
                r.setProperty("at", time);
                r.setProperty("kind", kind.value());
            }
            if (at.isBefore(instant(r.getProperty("first", null)))) {
                r.setProperty("first", time);
            }
            return new Stored(FeedbackKind.of(r.getProperty("kind")), count, false);
        }
    }

    private static Relationship rejected(Node user, Node item) {
        try (ResourceIterable<Relationship> rels = user.getRelationships(Direction.OUTGOING, REJECTED)) {
            for (Relationship r : rels) {
                if (r.getEndNode().equals(item)) {
                    return r;
                }
            }
        }
        return null;
    }

    /** A stored time; a missing one counts as the earliest. */
    static Instant instant(Object stored) {
        if (stored instanceof ZonedDateTime z) {
            return z.toInstant();
        }
        if (stored instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        return Instant.MIN;
    }
}
