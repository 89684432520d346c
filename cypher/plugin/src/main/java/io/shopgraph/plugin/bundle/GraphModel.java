package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ShopgraphException;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;

/**
 * The parts of the shop graph (README, "The graph model") that bundles read, and the rules that
 * turn them into baskets, shared by the refresh and the scorer so both see the same baskets:
 *
 * <ul>
 *   <li>an order of {@code kind = 'order'} is one basket (its {@code CONTAINS} items, time
 *       {@code o.at}, user via {@code PLACED}); cancellations and adjustments are not baskets;</li>
 *   <li>a session is two baskets, its {@code ADDED_TO_CART} items and its {@code VIEWED} items
 *       (time {@code s.start}, user via {@code HAS_SESSION});</li>
 *   <li>{@code |b|} is the basket node's number of such relationships (the loaders make one per
 *       basket and item); {@code r(b,i)} is the relationship's {@code weight}, 1.0 when absent;</li>
 *   <li>the user of a basket with several users is the one with the smallest {@code userId};
 *       without one, the basket is its own user;</li>
 *   <li>an order's line order is its items with a {@code CONTAINS.position}, sorted by
 *       (position, {@code itemId}); two items are adjacent when consecutive in it. Sessions
 *       have no line order.</li>
 * </ul>
 */
final class GraphModel {
    static final Label ITEM = Label.label("Item");
    static final Label ORDER = Label.label("Order");
    static final Label SESSION = Label.label("Session");
    static final Label USER = Label.label("User");
    static final Label CATEGORY = Label.label("Category");
    static final Label BUNDLE_STATS = Label.label("BundleStats");

    static final RelationshipType CONTAINS = RelationshipType.withName("CONTAINS");
    static final RelationshipType ADDED_TO_CART = RelationshipType.withName("ADDED_TO_CART");
    static final RelationshipType VIEWED = RelationshipType.withName("VIEWED");
    static final RelationshipType PLACED = RelationshipType.withName("PLACED");
    static final RelationshipType HAS_SESSION = RelationshipType.withName("HAS_SESSION");
    static final RelationshipType HAS_BRAND = RelationshipType.withName("HAS_BRAND");
    static final RelationshipType IN_CATEGORY = RelationshipType.withName("IN_CATEGORY");
    static final RelationshipType CHILD_OF = RelationshipType.withName("CHILD_OF");

    static final String ITEM_ID = "itemId";
    static final String USER_ID = "userId";
    static final String MASS = "bundleMass";
    static final String POSITION = "position";
    static final String KIND_ORDER = "order";

    private GraphModel() {}

    /** The relationship from a basket of this source to its items. */
    static RelationshipType itemType(Source source) {
        return switch (source) {
            case ORDER -> CONTAINS;
            case CART -> ADDED_TO_CART;
            case VIEW -> VIEWED;
        };
    }

    /** The relationship from a user to a basket of this source. */
    static RelationshipType userType(Source source) {
        return source == Source.ORDER ? PLACED : HAS_SESSION;
    }

    /** Whether an order node is a basket: {@code kind = 'order'}. */
    static boolean isOrder(Node order) {
        return KIND_ORDER.equals(order.getProperty("kind", null));
    }

    /** The basket's time property. */
    static String timeKey(Source source) {
        return source == Source.ORDER ? "at" : "start";
    }

    /** The basket's business id ({@code orderId} or {@code sessionId}), for messages. */
    static Object basketId(Node basket, Source source) {
        return basket.getProperty(source == Source.ORDER ? "orderId" : "sessionId", "?");
    }

    /** The basket's time as a DATETIME value, or null. */
    static Temporal time(Node basket, Source source) {
        Object value = basket.getProperty(timeKey(source), null);
        if (value == null || value instanceof ZonedDateTime || value instanceof OffsetDateTime) {
            return (Temporal) value;
        }
        throw ShopgraphException.badInput((source == Source.ORDER ? "Order '" : "Session '")
                + basketId(basket, source) + "' has " + timeKey(source) + " "
                + CypherValues.describe(value) + "; basket times must be datetimes with a timezone, or null.");
    }

    /** A DATETIME value in epoch milliseconds (as Cypher's {@code .epochMillis}), or NO_TIME. */
    static long epochMillis(Temporal time) {
        if (time == null) {
            return MassConfig.NO_TIME;
        }
        return time instanceof ZonedDateTime zoned ? zoned.toInstant().toEpochMilli()
                : ((OffsetDateTime) time).toInstant().toEpochMilli();
    }

    /** {@code r(b, i)}: the relationship's {@code weight}, 1.0 when absent. */
    static double weight(Relationship relationship) {
        Object value = relationship.getProperty("weight", null);
        return value == null ? 1.0 : ((Number) value).doubleValue();
    }

    /**
     * The user of a basket: of its users ({@code type} relationships in), the one with the
     * smallest {@code userId} (users without one last), or null.
     */
    static Node user(Node basket, RelationshipType type) {
        int degree = basket.getDegree(type, Direction.INCOMING);
        if (degree == 0) {
            return null;
        }
        Node best = null;
        String bestId = null;
        try (ResourceIterable<Relationship> users = basket.getRelationships(Direction.INCOMING, type)) {
            for (Relationship placed : users) {
                Node user = placed.getStartNode();
                if (degree == 1) {
                    return user;
                }
                Object id = user.getProperty(USER_ID, null);
                String text = id == null ? null : id.toString();
                if (best == null || (text != null && (bestId == null || text.compareTo(bestId) < 0))) {
                    best = user;
                    bestId = text;
                }
            }
        }
        return best;
    }
}
