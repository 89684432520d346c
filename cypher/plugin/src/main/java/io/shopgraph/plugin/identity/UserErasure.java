package io.shopgraph.plugin.identity;

import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.load.KeyLookup;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;

/**
 * Erases a user from the graph, in one transaction (ordinary committed writes, which serving
 * sees as any other):
 *
 * <ul>
 *   <li>the {@code User} node with every property (trust and its signals, the embeddings of
 *       every model slot) and every relationship (feedback {@code REJECTED} among them);
 *   <li>the user's sessions with their views, cart adds and removals, and the bookkeeping of
 *       the event ids recorded in them ({@code (:RecordedEvent {sessionId})});
 *   <li>the orders the user placed, and the orders of the user's sessions (a purchase of a
 *       visitor before they logged in), with their lines.
 * </ul>
 *
 * A session or order that another user also holds (both ids were seen in it) is kept for that
 * user: only this user's relationship to it goes. Items, brands and categories stay: they are
 * the shop's.
 */
public final class UserErasure {

    private static final Label USER = Label.label("User");
    private static final Label SESSION = Label.label("Session");
    private static final Label ORDER = Label.label("Order");
    private static final Label RECORDED_EVENT = Label.label("RecordedEvent");
    private static final RelationshipType HAS_SESSION = RelationshipType.withName("HAS_SESSION");
    private static final RelationshipType PLACED = RelationshipType.withName("PLACED");
    private static final RelationshipType IN_SESSION = RelationshipType.withName("IN_SESSION");
    private static final RelationshipType CONTAINS = RelationshipType.withName("CONTAINS");
    private static final RelationshipType REJECTED = RelationshipType.withName("REJECTED");
    private static final RelationshipType[] SESSION_EVENTS = {RelationshipType.withName("VIEWED"),
        RelationshipType.withName("ADDED_TO_CART"), RelationshipType.withName("REMOVED_FROM_CART")};

    private final Transaction tx;

    /**
     * What was removed.
     *
     * @param sessions sessions deleted
     * @param sessionsKept sessions another user holds too (only this user's link removed)
     * @param sessionEvents view, cart and removal aggregates of the deleted sessions
     * @param orders orders deleted
     * @param ordersKept orders another user placed too (only this user's link removed)
     * @param orderLines lines of the deleted orders
     * @param feedback feedback relationships of the user
     * @param recordedEvents bookkeeping nodes of event ids recorded in the deleted sessions
     * @param relationships relationships deleted in all
     */
    public record Erased(long sessions, long sessionsKept, long sessionEvents, long orders, long ordersKept,
                         long orderLines, long feedback, long recordedEvents, long relationships) { }

    public UserErasure(Transaction tx) {
        this.tx = tx;
    }

    /**
     * Erases the user; see the class comment.
     *
     * @throws ShopgraphException {@code UNKNOWN_ID} when the user is not in the graph
     */
    public Erased forget(String userId) {
        Node user;
        try (KeyLookup keys = new KeyLookup(tx)) {
            user = keys.findForMerge(USER, "userId", userId);
        }
        if (user == null) {
            throw ShopgraphException.unknownIds("user", List.of(userId));
        }
        Counter c = new Counter();
        Set<Node> orders = new LinkedHashSet<>();
        for (Node order : ends(user, PLACED, Direction.OUTGOING)) {
            orders.add(order);
        }
        for (Node session : ends(user, HAS_SESSION, Direction.OUTGOING)) {
            if (!session.hasLabel(SESSION) || heldByOthers(session, HAS_SESSION, user)) {
                c.sessionsKept += session.hasLabel(SESSION) ? 1 : 0;
                continue;
            }
            for (Node order : ends(session, IN_SESSION, Direction.INCOMING)) {
                orders.add(order);
            }
            c.sessionEvents += deleteAll(session, Direction.OUTGOING, SESSION_EVENTS, c);
            if (session.getProperty("sessionId", null) instanceof String sessionId) {
                try (ResourceIterator<Node> events = tx.findNodes(RECORDED_EVENT, "sessionId", sessionId)) {
                    while (events.hasNext()) {
                        events.next().delete();
                        c.recordedEvents++;
                    }
                }
            }
            deleteAll(session, Direction.BOTH, new RelationshipType[0], c);
            session.delete();
            c.sessions++;
        }
        for (Node order : orders) {
            if (!order.hasLabel(ORDER) || heldByOthers(order, PLACED, user)) {
                c.ordersKept += order.hasLabel(ORDER) ? 1 : 0;
                continue;
            }
            c.orderLines += deleteAll(order, Direction.OUTGOING, new RelationshipType[] {CONTAINS}, c);
            deleteAll(order, Direction.BOTH, new RelationshipType[0], c);
            order.delete();
            c.orders++;
        }
        c.feedback += deleteAll(user, Direction.OUTGOING, new RelationshipType[] {REJECTED}, c);
        deleteAll(user, Direction.BOTH, new RelationshipType[0], c);
        user.delete();
        return new Erased(c.sessions, c.sessionsKept, c.sessionEvents, c.orders, c.ordersKept, c.orderLines,
                c.feedback, c.recordedEvents, c.relationships);
    }

    private static final class Counter {
        long sessions;
        long sessionsKept;
        long sessionEvents;
        long orders;
        long ordersKept;
        long orderLines;
        long feedback;
        long recordedEvents;
        long relationships;
    }

    /** The nodes at the other end of a node's relationships of one type and direction. */
    private static List<Node> ends(Node node, RelationshipType type, Direction direction) {
        List<Node> out = new ArrayList<>();
        try (ResourceIterable<Relationship> rels = node.getRelationships(direction, type)) {
            for (Relationship r : rels) {
                out.add(r.getOtherNode(node));
            }
        }
        return out;
    }

    /** Whether a user other than {@code user} has a relationship of {@code type} to {@code node}. */
    private static boolean heldByOthers(Node node, RelationshipType type, Node user) {
        try (ResourceIterable<Relationship> rels = node.getRelationships(Direction.INCOMING, type)) {
            for (Relationship r : rels) {
                Node other = r.getStartNode();
                if (!other.equals(user) && other.hasLabel(USER)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Deletes the relationships of {@code node} of the types (none: all) in a direction. */
    private static long deleteAll(Node node, Direction direction, RelationshipType[] types, Counter c) {
        List<Relationship> doomed = new ArrayList<>();
        try (ResourceIterable<Relationship> rels = types.length == 0 ? node.getRelationships(direction)
                : node.getRelationships(direction, types)) {
            rels.forEach(doomed::add);
        }
        for (Relationship r : doomed) {
            r.delete();
        }
        c.relationships += doomed.size();
        return doomed.size();
    }
}
