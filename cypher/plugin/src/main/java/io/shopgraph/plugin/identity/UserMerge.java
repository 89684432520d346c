package io.shopgraph.plugin.identity;

import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.load.KeyLookup;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.Transaction;

/**
 * Merges one user into another, in one transaction: the anonymous visitor who logs in becomes
 * the known user. Every relationship of the source moves to the target with its properties
 * (sessions through {@code HAS_SESSION}, orders through {@code PLACED}, feedback through
 * {@code REJECTED}, and any other), so the target's history holds the source's; the source
 * node, with its id, trust and embeddings, is deleted.
 *
 * <p>Nothing is counted twice: where the target already has the same relationship to the same
 * node (both hold the session, both placed the order), the target keeps its own and the
 * source's is dropped; feedback on the same item from both becomes one {@code REJECTED} whose
 * {@code count} is the sum, {@code first} the earliest, {@code at} the latest and {@code kind}
 * that of the latest.
 *
 * <p>Trust: moved relationships keep their {@code weight} (the source's trust), and the target
 * is marked {@code trustStale = true} when either user had a trust score; the next trust run
 * of the target ({@code shopgraph trust --users TARGET}) recomputes it from the merged history,
 * reweights its edges and clears the mark.
 *
 * <p>Both keys are locked in sorted order. An unknown target is created (the login of a new
 * known id); an unknown source is an error.
 */
public final class UserMerge {

    private static final Label USER = Label.label("User");

    private final Transaction tx;

    /**
     * What a merge did.
     *
     * @param sessions sessions moved to the target
     * @param orders orders moved to the target
     * @param feedback feedback relationships moved to the target
     * @param combined relationships the target had already (dropped, or summed for feedback)
     * @param targetCreated whether the target was new
     */
    public record Merged(long sessions, long orders, long feedback, long combined, boolean targetCreated) { }

    public UserMerge(Transaction tx) {
        this.tx = tx;
    }

    /**
     * Merges {@code sourceId} into {@code targetId}.
     *
     * @throws ShopgraphException {@code BAD_ARGUMENT} when both are the same id;
     *     {@code UNKNOWN_ID} when the source is not in the graph
     */
    public Merged merge(String sourceId, String targetId) {
        if (sourceId.equals(targetId)) {
            throw ShopgraphException.badArgument("A user cannot be merged into itself, got '" + sourceId
                    + "' as source and target.");
        }
        Node source;
        Node target;
        try (KeyLookup keys = new KeyLookup(tx)) {
            boolean sourceFirst = sourceId.compareTo(targetId) < 0;
            Node first = keys.findForMerge(USER, "userId", sourceFirst ? sourceId : targetId);
            Node second = keys.findForMerge(USER, "userId", sourceFirst ? targetId : sourceId);
            source = sourceFirst ? first : second;
            target = sourceFirst ? second : first;
        }
        if (source == null) {
            throw ShopgraphException.unknownIds("user", List.of(sourceId));
        }
        boolean created = target == null;
        if (created) {
            target = tx.createNode(USER);
            target.setProperty("userId", targetId);
        }
        boolean scored = source.hasProperty("trust") || target.hasProperty("trust");
        Node into = target;
        Map<String, Map<Node, Relationship>> existing = new HashMap<>();
        List<Relationship> moving = new ArrayList<>();
        try (ResourceIterable<Relationship> rels = source.getRelationships()) {
            rels.forEach(moving::add);
        }
        long sessions = 0;
        long orders = 0;
        long feedback = 0;
        long combined = 0;
        for (Relationship r : moving) {
            Direction direction = r.getStartNode().equals(source) ? Direction.OUTGOING : Direction.INCOMING;
            Node other = r.getOtherNode(source);
            String type = r.getType().name();
            Map<Node, Relationship> targets = existing.computeIfAbsent(direction + type,
                    key -> relationships(into, r.getType(), direction));
            Relationship kept = targets.get(other);
            if (kept == null) {
                Relationship moved = direction == Direction.OUTGOING
                        ? into.createRelationshipTo(other, r.getType())
                        : other.createRelationshipTo(into, r.getType());
                r.getAllProperties().forEach(moved::setProperty);
                targets.put(other, moved);
                switch (type) {
                    case "HAS_SESSION" -> sessions++;
                    case "PLACED" -> orders++;
                    case "REJECTED" -> feedback++;
                    default -> { }
                }
            } else {
                combined++;
                if (type.equals("REJECTED")) {
                    combineFeedback(kept, r);
                }
            }
            r.delete();
        }
        source.delete();
        if (scored) {
            into.setProperty("trustStale", true);
        }
        return new Merged(sessions, orders, feedback, combined, created);
    }

    /** The relationships of {@code node} of a type and direction, by the node at the other end. */
    private static Map<Node, Relationship> relationships(Node node, RelationshipType type, Direction direction) {
        Map<Node, Relationship> out = new HashMap<>();
        try (ResourceIterable<Relationship> rels = node.getRelationships(direction, type)) {
            for (Relationship r : rels) {
                out.put(r.getOtherNode(node), r);
            }
        }
        return out;
    }

    /** Adds the source's feedback on an item to the target's: counts add, times widen. */
    private static void combineFeedback(Relationship kept, Relationship source) {
        long count = number(kept, "count") + number(source, "count");
        kept.setProperty("count", count);
        Object keptAt = kept.getProperty("at", null);
        Object sourceAt = source.getProperty("at", null);
        if (instant(sourceAt).isAfter(instant(keptAt))) {
            kept.setProperty("at", sourceAt);
            kept.setProperty("kind", source.getProperty("kind", null));
        }
        Object keptFirst = kept.getProperty("first", null);
        Object sourceFirst = source.getProperty("first", null);
        if (sourceFirst != null && (keptFirst == null || instant(sourceFirst).isBefore(instant(keptFirst)))) {
            kept.setProperty("first", sourceFirst);
        }
    }

    private static long number(Relationship r, String key) {
        return r.getProperty(key, 0L) instanceof Number n ? n.longValue() : 0L;
    }

    private static Instant instant(Object stored) {
        if (stored instanceof ZonedDateTime z) {
            return z.toInstant();
        }
        if (stored instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        return Instant.MIN;
    }
}
