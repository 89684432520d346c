package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ShopgraphException;
import java.time.temporal.ChronoField;
import java.util.Arrays;
import java.util.Set;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Node;
import org.neo4j.internal.kernel.api.CursorFactory;
import org.neo4j.internal.kernel.api.NodeCursor;
import org.neo4j.internal.kernel.api.PropertyCursor;
import org.neo4j.internal.kernel.api.Read;
import org.neo4j.internal.kernel.api.RelationshipTraversalCursor;
import org.neo4j.internal.kernel.api.TokenRead;
import org.neo4j.io.pagecache.context.CursorContext;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.memory.MemoryTracker;
import org.neo4j.storageengine.api.PropertySelection;
import org.neo4j.storageengine.api.RelationshipSelection;
import org.neo4j.token.api.TokenConstants;
import org.neo4j.values.storable.DateTimeValue;
import org.neo4j.values.storable.IntegralValue;
import org.neo4j.values.storable.NumberValue;
import org.neo4j.values.storable.TextValue;
import org.neo4j.values.storable.Value;
import org.neo4j.values.storable.Values;

/**
 * The baskets of the graph ({@link GraphModel}), read in the caller's transaction with the
 * kernel's cursors: tokens are resolved once, properties are read from the cursor already on the
 * relationship or node, and neighbours are plain node ids, so a path costs one relationship
 * record and its properties. Nothing is cached between calls. Item and user handles are node
 * ids, used only as join keys within this transaction. Masses are {@code Item.bundleMass}
 * ({@code NaN} when absent). Relationship weights are read only for the sources in which the
 * last refresh saw a weight other than 1.0 (the masses depend on the weights too, so a change
 * of weights needs a refresh anyway). Positions ({@code CONTAINS.position}, for line adjacency)
 * are read only when asked for, and of an order's other items only when the visited item has
 * one; a line's weight and position come from one read of its properties. Close it after the
 * call.
 */
final class GraphBasketSource implements BasketSource, AutoCloseable {

    private static final Source[] SOURCES = Source.values();
    private static final Value ORDER_KIND = Values.stringValue(GraphModel.KIND_ORDER);

    private final Read read;
    private final NodeCursor itemNode;
    private final NodeCursor basketNode;
    private final NodeCursor otherNode;
    private final RelationshipTraversalCursor itemRelationships;
    private final RelationshipTraversalCursor basketRelationships;
    private final RelationshipTraversalCursor userRelationships;
    private final PropertyCursor properties;

    private final int[] itemTypes = new int[SOURCES.length];
    private final boolean[] weighted = new boolean[SOURCES.length];
    private final int placed;
    private final int hasSession;
    private final int itemLabel;
    private final PropertySelection weight;
    private final PropertySelection position; // null when positions are not read
    private final PropertySelection weightAndPosition;
    private final int positionKey;
    private final PropertySelection mass;
    private final PropertySelection itemId;
    private final PropertySelection userId;
    private final PropertySelection kind;
    private final PropertySelection at;
    private final PropertySelection start;
    private final GraphBasket basket = new GraphBasket();

    /**
     * @param ktx the caller's transaction
     * @param weightedSources the sources whose relationship weights must be read
     * @param positions whether to read the positions of order items (for a scorer with an
     *     adjacency bonus)
     */
    GraphBasketSource(KernelTransaction ktx, Set<Source> weightedSources, boolean positions) {
        read = ktx.dataRead();
        TokenRead tokens = ktx.tokenRead();
        for (Source source : SOURCES) {
            itemTypes[source.ordinal()] = tokens.relationshipType(GraphModel.itemType(source).name());
            weighted[source.ordinal()] = weightedSources.contains(source);
        }
        placed = tokens.relationshipType(GraphModel.PLACED.name());
        hasSession = tokens.relationshipType(GraphModel.HAS_SESSION.name());
        itemLabel = tokens.nodeLabel(GraphModel.ITEM.name());
        weight = key(tokens, "weight");
        positionKey = positions ? tokens.propertyKey(GraphModel.POSITION) : TokenConstants.NO_TOKEN;
        position = positionKey == TokenConstants.NO_TOKEN ? null : PropertySelection.selection(positionKey);
        weightAndPosition = weight == null || position == null ? null
                : PropertySelection.selection(tokens.propertyKey("weight"), positionKey);
        mass = key(tokens, GraphModel.MASS);
        itemId = key(tokens, GraphModel.ITEM_ID);
        userId = key(tokens, GraphModel.USER_ID);
        kind = key(tokens, "kind");
        at = key(tokens, GraphModel.timeKey(Source.ORDER));
        start = key(tokens, GraphModel.timeKey(Source.CART));
        CursorFactory cursors = ktx.cursors();
        CursorContext context = ktx.cursorContext();
        MemoryTracker memory = ktx.memoryTracker();
        itemNode = cursors.allocateNodeCursor(context, memory);
        basketNode = cursors.allocateNodeCursor(context, memory);
        otherNode = cursors.allocateNodeCursor(context, memory);
        itemRelationships = cursors.allocateRelationshipTraversalCursor(context, memory);
        basketRelationships = cursors.allocateRelationshipTraversalCursor(context, memory);
        userRelationships = cursors.allocateRelationshipTraversalCursor(context, memory);
        properties = cursors.allocatePropertyCursor(context, memory);
    }

    /** A property key, or null when no entity has ever had it. */
    private static PropertySelection key(TokenRead tokens, String name) {
        int token = tokens.propertyKey(name);
        return token == TokenConstants.NO_TOKEN ? null : PropertySelection.selection(token);
    }

    /** The handle of an item node. */
    @SuppressWarnings("removal") // Entity.getId(): a join key within this transaction.
    static long handle(Node item) {
        return item.getId();
    }

    @Override
    public void forEachBasket(long item, Source source, BasketVisitor visitor) {
        int type = itemTypes[source.ordinal()];
        if (type == TokenConstants.NO_TOKEN) {
            return;
        }
        read.singleNode(item, itemNode);
        if (!itemNode.next()) {
            return;
        }
        itemNode.relationships(itemRelationships, RelationshipSelection.selection(type, Direction.INCOMING));
        while (itemRelationships.next()) {
            read.singleNode(itemRelationships.sourceNodeReference(), basketNode);
            if (!basketNode.next()) {
                continue;
            }
            if (source == Source.ORDER && !ORDER_KIND.equals(value(basketNode, kind))) {
                continue;
            }
            basket.reset(source, type, item);
            visitor.visit(basket);
        }
    }

    @Override
    public boolean isItem(long handle) {
        if (itemLabel == TokenConstants.NO_TOKEN) {
            return false;
        }
        read.singleNode(handle, otherNode);
        return otherNode.next() && otherNode.hasLabel(itemLabel);
    }

    @Override
    public double mass(long item) {
        read.singleNode(item, otherNode);
        if (!otherNode.next()) {
            return Double.NaN;
        }
        return value(otherNode, mass) instanceof NumberValue number ? number.doubleValue() : Double.NaN;
    }

    @Override
    public String itemId(long item) {
        read.singleNode(item, otherNode);
        if (!otherNode.next()) {
            return "null";
        }
        Value id = value(otherNode, itemId);
        return id instanceof TextValue text ? text.stringValue() : String.valueOf(id.asObjectCopy());
    }

    @Override
    public void close() {
        itemNode.close();
        basketNode.close();
        otherNode.close();
        itemRelationships.close();
        basketRelationships.close();
        userRelationships.close();
        properties.close();
    }

    /** {@code r(b, i)}: the relationship's weight, 1.0 when absent or not read for this source. */
    private double weight(RelationshipTraversalCursor relationship, Source source) {
        if (weight == null || !weighted[source.ordinal()]) {
            return 1.0;
        }
        relationship.properties(properties, weight);
        return properties.next() ? weight(properties.propertyValue()) : 1.0;
    }

    private static double weight(Value value) {
        if (value instanceof NumberValue number) {
            return number.doubleValue();
        }
        throw ShopgraphException.badInput("A relationship weight must be a number, got "
                + CypherValues.describe(value.asObjectCopy()) + ".");
    }

    /** The relationship's position, or {@link #NO_POSITION} when absent or not read. */
    private long position(RelationshipTraversalCursor relationship) {
        if (position == null) {
            return NO_POSITION;
        }
        relationship.properties(properties, position);
        return properties.next() ? position(properties.propertyValue()) : NO_POSITION;
    }

    private static long position(Value value) {
        if (value instanceof IntegralValue integral) {
            return integral.longValue();
        }
        throw ShopgraphException.badInput("A CONTAINS position must be an integer, got "
                + CypherValues.describe(value.asObjectCopy()) + ".");
    }

    private Value value(NodeCursor node, PropertySelection key) {
        if (key == null) {
            return Values.NO_VALUE;
        }
        node.properties(properties, key);
        return properties.next() ? properties.propertyValue() : Values.NO_VALUE;
    }

    /**
     * The basket under {@link #basketNode}, reached from the visited item by the relationship
     * under {@link #itemRelationships}; reused from basket to basket. A sparse basket node (all
     * its relationships in one chain: sessions, and orders of fewer than 50 lines) is read in one
     * pass that counts its items, keeps the other items with their weights (and positions) and
     * finds its users; a dense one answers its size from the relationship group counts and is
     * read by type.
     */
    private final class GraphBasket implements Basket {
        private Source source;
        private int type;
        private int userType;
        private long visited;
        private boolean scanned;
        private boolean placeRead;
        private long place;
        private int size;
        private long[] others = new long[64];
        private double[] otherWeights = new double[64];
        private long[] otherPositions = new long[64];
        private int otherCount;
        private long[] users = new long[4];
        private int userCount;
        // The weight and position of the line last read by readLine.
        private double lineWeight;
        private long linePosition;

        void reset(Source basketSource, int itemType, long visitedItem) {
            source = basketSource;
            type = itemType;
            userType = source == Source.ORDER ? placed : hasSession;
            visited = visitedItem;
            scanned = false;
            placeRead = false;
        }

        @Override
        public double itemWeight() {
            return weight(itemRelationships, source);
        }

        @Override
        public long itemPosition() {
            if (source != Source.ORDER) {
                return NO_POSITION;
            }
            if (!placeRead) {
                place = position(itemRelationships);
                placeRead = true;
            }
            return place;
        }

        /** Whether the other items' positions are wanted: the visited item has one. */
        private boolean withPositions() {
            return position != null && itemPosition() != NO_POSITION;
        }

        /**
         * Reads the weight (when read for this source) and, when {@code withPosition}, the
         * position of the line under {@code relationship}, in one pass over its properties.
         */
        private void readLine(RelationshipTraversalCursor relationship, boolean withPosition) {
            boolean withWeight = weight != null && weighted[source.ordinal()];
            lineWeight = 1.0;
            linePosition = NO_POSITION;
            if (!withPosition) {
                if (withWeight) {
                    lineWeight = weight(relationship, source);
                }
                return;
            }
            relationship.properties(properties, withWeight ? weightAndPosition : position);
            while (properties.next()) {
                if (properties.propertyKey() == positionKey) {
                    linePosition = position(properties.propertyValue());
                } else {
                    lineWeight = weight(properties.propertyValue());
                }
            }
        }

        @Override
        public int size() {
            if (basketNode.supportsFastDegreeLookup()) {
                return basketNode.degree(RelationshipSelection.selection(type, Direction.OUTGOING));
            }
            scan();
            return size;
        }

        /**
         * One pass over a sparse basket's relationships: its items (with weights and positions)
         * and users.
         */
        private void scan() {
            long basket = basketNode.nodeReference();
            boolean withPositions = withPositions();
            size = 0;
            otherCount = 0;
            userCount = 0;
            basketNode.relationships(basketRelationships, RelationshipSelection.ALL_RELATIONSHIPS);
            while (basketRelationships.next()) {
                int relationshipType = basketRelationships.type();
                if (relationshipType == type && basketRelationships.sourceNodeReference() == basket) {
                    size++;
                    long item = basketRelationships.targetNodeReference();
                    if (item != visited) {
                        if (otherCount == others.length) {
                            others = Arrays.copyOf(others, otherCount * 2);
                            otherWeights = Arrays.copyOf(otherWeights, otherCount * 2);
                            otherPositions = Arrays.copyOf(otherPositions, otherCount * 2);
                        }
                        readLine(basketRelationships, withPositions);
                        others[otherCount] = item;
                        otherWeights[otherCount] = lineWeight;
                        otherPositions[otherCount] = linePosition;
                        otherCount++;
                    }
                } else if (relationshipType == userType && basketRelationships.targetNodeReference() == basket) {
                    if (userCount == users.length) {
                        users = Arrays.copyOf(users, userCount * 2);
                    }
                    users[userCount++] = basketRelationships.sourceNodeReference();
                }
            }
            scanned = true;
        }

        @Override
        public long timeMillis() {
            Value time = value(basketNode, source == Source.ORDER ? at : start);
            if (time instanceof DateTimeValue dateTime) {
                return dateTime.getLong(ChronoField.INSTANT_SECONDS) * 1000L
                        + dateTime.getLong(ChronoField.MILLI_OF_SECOND);
            }
            if (time == Values.NO_VALUE) {
                return MassConfig.NO_TIME;
            }
            throw ShopgraphException.badInput((source == Source.ORDER ? "An order" : "A session")
                    + " has " + GraphModel.timeKey(source) + " " + CypherValues.describe(time.asObjectCopy())
                    + "; basket times must be datetimes with a timezone, or null.");
        }

        @Override
        public long user() {
            if (userType == TokenConstants.NO_TOKEN) {
                return NO_USER;
            }
            if (!scanned) {
                userCount = 0;
                basketNode.relationships(userRelationships,
                        RelationshipSelection.selection(userType, Direction.INCOMING));
                while (userRelationships.next()) {
                    if (userCount == users.length) {
                        users = Arrays.copyOf(users, userCount * 2);
                    }
                    users[userCount++] = userRelationships.sourceNodeReference();
                }
            }
            if (userCount <= 1) {
                return userCount == 0 ? NO_USER : users[0];
            }
            // Several users: the smallest userId (users without one last), as GraphModel.user.
            long best = users[0];
            String bestId = userId(best);
            for (int n = 1; n < userCount; n++) {
                String id = userId(users[n]);
                if (id != null && (bestId == null || id.compareTo(bestId) < 0)) {
                    best = users[n];
                    bestId = id;
                }
            }
            return best;
        }

        private String userId(long user) {
            read.singleNode(user, otherNode);
            if (!otherNode.next()) {
                return null;
            }
            Value id = value(otherNode, userId);
            return id == Values.NO_VALUE ? null : id instanceof TextValue text ? text.stringValue()
                    : String.valueOf(id.asObjectCopy());
        }

        @Override
        public void forEachOtherItem(ItemVisitor visitor) {
            if (scanned) {
                for (int n = 0; n < otherCount; n++) {
                    visitor.visit(others[n], otherWeights[n], otherPositions[n]);
                }
                return;
            }
            boolean withPositions = withPositions();
            basketNode.relationships(basketRelationships, RelationshipSelection.selection(type, Direction.OUTGOING));
            while (basketRelationships.next()) {
                long item = basketRelationships.targetNodeReference();
                if (item != visited) {
                    readLine(basketRelationships, withPositions);
                    visitor.visit(item, lineWeight, linePosition);
                }
            }
        }
    }
}
