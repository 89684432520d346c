package io.shopgraph.plugin.walk;

import io.shopgraph.plugin.common.Catalog;
import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.walk.UserQuery.Interaction;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.Transaction;

/**
 * The live-graph reads around a walk: a user's history, whether item ids exist, and whether an
 * item may be returned (the arguments themselves are checked by {@link
 * io.shopgraph.plugin.common.Arguments}).
 */
public final class WalkInputs {

    private static final Label ITEM = Label.label(NodeKind.ITEM.label());
    private static final Label USER = Label.label(NodeKind.USER.label());
    private static final RelationshipType[] SESSION_EVENTS = {
        RelationshipType.withName(EdgeKind.VIEWED.name()),
        RelationshipType.withName(EdgeKind.ADDED_TO_CART.name()),
        RelationshipType.withName(EdgeKind.REMOVED_FROM_CART.name()),
    };
    private static final RelationshipType HAS_SESSION =
            RelationshipType.withName(EdgeKind.HAS_SESSION.name());
    private static final RelationshipType PLACED = RelationshipType.withName(EdgeKind.PLACED.name());
    private static final RelationshipType CONTAINS =
            RelationshipType.withName(EdgeKind.CONTAINS.name());

    private WalkInputs() {}

    /**
     * A user's interactions and purchased items, read from the live graph.
     *
     * @param interactions views, cart adds and removals in the user's sessions, and lines of
     *     the user's orders of {@code kind = 'order'}
     * @param bought items of those orders
     */
    public record UserHistory(List<Interaction> interactions, Set<String> bought) {}

    /**
     * Throws for ids that are neither in the projection nor in the database ("Unknown item
     * ids: a, b.", code {@code UNKNOWN_ID}). Ids in the database but not (yet) in the
     * projection pass; they start no walks.
     */
    public static void requireKnownItems(Transaction tx, Walkable graph, List<String> ids) {
        List<String> unknown = new ArrayList<>();
        for (String id : ids) {
            if (graph.itemIndex(id) < 0 && tx.findNode(ITEM, NodeKind.ITEM.keyProperty(), id) == null) {
                unknown.add(id);
            }
        }
        if (!unknown.isEmpty()) {
            throw ShopgraphException.unknownIds("item", unknown);
        }
    }

    /**
     * The user's history, or empty when no user has this id.
     *
     * <p>All orders of {@code kind = 'order'} are read (purchases are never returned, however
     * old). Sessions are read newest first (by {@code end}, else {@code start}) until they
     * have shown {@code queryItems} distinct items with a positive worth and the next session
     * is older than the last one read: the work of a call is bounded by the query, not by
     * the length of the user's history.
     */
    public static Optional<UserHistory> userHistory(Transaction tx, String userId, WalkConfig config) {
        Node user = tx.findNode(USER, NodeKind.USER.keyProperty(), userId);
        if (user == null) {
            return Optional.empty();
        }
        List<Interaction> interactions = new ArrayList<>();
        Set<String> bought = new HashSet<>();
        for (Relationship placed : user.getRelationships(Direction.OUTGOING, PLACED)) {
            Node order = placed.getEndNode();
            if (!"order".equals(order.getProperty("kind", null))) {
                continue;
            }
            Long at = firstTime(order.getProperty("at", null));
            for (Relationship line : order.getRelationships(Direction.OUTGOING, CONTAINS)) {
                if (itemId(line.getEndNode()) instanceof String itemId) {
                    bought.add(itemId);
                    interactions.add(new Interaction(itemId, EdgeKind.CONTAINS, at, weight(line)));
                }
            }
        }
        List<TimedSession> sessions = new ArrayList<>();
        for (Relationship hasSession : user.getRelationships(Direction.OUTGOING, HAS_SESSION)) {
            Node session = hasSession.getEndNode();
            Long at = firstTime(session.getProperty("end", null), session.getProperty("start", null));
            sessions.add(new TimedSession(session, at));
        }
        sessions.sort(Comparator.comparingLong(TimedSession::order));
        double[] typeWeights = config.typeWeightArray();
        Set<String> seen = new HashSet<>();
        long previous = Long.MIN_VALUE;
        for (TimedSession session : sessions) {
            if (seen.size() >= config.queryItems() && session.order() > previous) {
                break;
            }
            previous = session.order();
            for (Relationship event : session.node().getRelationships(Direction.OUTGOING,
                    SESSION_EVENTS)) {
                if (itemId(event.getEndNode()) instanceof String itemId) {
                    EdgeKind kind = EdgeKind.valueOf(event.getType().name());
                    Long at = firstTime(event.getProperty("last", null),
                            event.getProperty("first", null));
                    double weight = weight(event);
                    interactions.add(new Interaction(itemId, kind, at != null ? at : session.at(),
                            weight));
                    if (typeWeights[kind.ordinal()] * weight > 0) {
                        seen.add(itemId);
                    }
                }
            }
        }
        return Optional.of(new UserHistory(interactions, bought));
    }

    /** A session and its time; {@link #order()} sorts newest first, sessions without time last. */
    private record TimedSession(Node node, Long at) {
        long order() {
            return at == null ? Long.MAX_VALUE : -at;
        }
    }

    /**
     * Whether an item may be returned, checked on the live graph: it still exists, is not
     * hidden and, with {@code inStockOnly}, its {@code inStock} property is not false
     * ({@link Catalog#servable}).
     */
    public static Predicate<String> available(Transaction tx, boolean inStockOnly) {
        return id -> Catalog.servable(tx.findNode(ITEM, NodeKind.ITEM.keyProperty(), id), inStockOnly);
    }

    private static Object itemId(Node node) {
        return node.getProperty(NodeKind.ITEM.keyProperty(), null);
    }

    private static double weight(Relationship relationship) {
        return relationship.getProperty("weight", null) instanceof Number n ? n.doubleValue() : 1.0;
    }

    /** Epoch milliseconds of the first value that is a date or time, or null. */
    private static Long firstTime(Object... values) {
        for (Object value : values) {
            Instant instant = value instanceof ZonedDateTime z ? z.toInstant()
                    : value instanceof OffsetDateTime o ? o.toInstant()
                    : value instanceof LocalDateTime l ? l.toInstant(ZoneOffset.UTC)
                    : value instanceof LocalDate d ? d.atStartOfDay(ZoneOffset.UTC).toInstant()
                    : value instanceof Instant i ? i
                    : null;
            if (instant != null) {
                return instant.toEpochMilli();
            }
        }
        return null;
    }
}
