package io.shopgraph.plugin.export;

import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.LongIntMap;
import io.shopgraph.plugin.common.ShopgraphException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.export.interactions($config)}: the weighted user-item edges of a
 * subgraph, for training, in compact rows (see {@link ExportRow}). A thin adapter: it walks
 * every user's sessions and orders in the caller's transaction and feeds {@link EdgeWeight},
 * {@link UserInteractions}, {@link ItemPositions} and {@link RowBuilder}.
 *
 * <p>The readable statement {@code cypher/export_interactions.cypher} computes the same edges,
 * one row per edge; the Python tests check that both give the same tensors. Read:
 * {@code (:User)-[:HAS_SESSION]->(:Session)-[r:VIEWED|ADDED_TO_CART|REMOVED_FROM_CART]->(:Item)}
 * timed by {@code r.last}, and {@code (:User)-[:PLACED]->(:Order {kind: 'order'})-[r:CONTAINS]->(:Item)}
 * timed by the order's {@code at}; the trust is {@code r.weight}. A pair on which the user gave
 * negative feedback ({@code (:User)-[:REJECTED]->(:Item)}) is left out: it is never one of the
 * user's positives. Users and items without a
 * string business key are skipped. Rows come in storage order: sort by id for a canonical
 * order. Neo4j node ids serve only as join keys inside the call and are never returned.
 */
public final class ExportProcedure {

    private static final Label USER = Label.label("User");
    private static final Label SESSION = Label.label("Session");
    private static final Label ORDER = Label.label("Order");
    private static final Label ITEM = Label.label("Item");
    private static final Label CATEGORY = Label.label("Category");
    private static final RelationshipType HAS_SESSION = RelationshipType.withName("HAS_SESSION");
    private static final RelationshipType PLACED = RelationshipType.withName("PLACED");
    private static final RelationshipType IN_CATEGORY = RelationshipType.withName("IN_CATEGORY");
    private static final RelationshipType CHILD_OF = RelationshipType.withName("CHILD_OF");
    private static final RelationshipType CONTAINS = RelationshipType.withName("CONTAINS");
    private static final RelationshipType REJECTED = RelationshipType.withName("REJECTED");
    private static final List<InteractionKind> SESSION_KINDS = List.of(
            InteractionKind.VIEWED, InteractionKind.ADDED_TO_CART, InteractionKind.REMOVED_FROM_CART);

    @Context
    public Transaction tx;

    @Procedure(name = "shopgraph.export.interactions", mode = Mode.READ)
    @Description("The weighted user-item edges of a subgraph, for training: per (user, item), the sum"
            + " over the user's session interactions (VIEWED, ADDED_TO_CART, REMOVED_FROM_CART, timed by"
            + " the relationship's last) and purchases (CONTAINS of orders of kind 'order', timed by the"
            + " order) of kind weight x 0.5 ^ (age / halfLifeDays) x relationship weight (trust); edges"
            + " of weight 0 are left out, and so are pairs with negative feedback ((:User)-[:REJECTED]->(:Item))."
            + " One row per batch of users: users, counts (edges per user),"
            + " items (item positions), weights, newItems (ids of the items first named in the row;"
            + " position n is the n-th of all newItems). Config keys (all optional): since, until"
            + " (datetimes with a timezone), categories (codes; descendants count), weights (map of"
            + " kind to weight; VIEWED 1.0, ADDED_TO_CART 2.0, REMOVED_FROM_CART 0.0, CONTAINS 4.0),"
            + " halfLifeDays (30.0: the recency half-life, in days, of an interaction's weight by its"
            + " age, from now; null: no decay), now (the datetime, with a timezone, that ages are"
            + " measured from; needed with decay),"
            + " useTrust (true), usersPerRow (10000).")
    public Stream<ExportRow> interactions(
            @Name(value = "config", defaultValue = "{}",
                    description = "Window, categories, weights, decay and trust; see the description for the keys.")
            Map<String, Object> config) {
        ExportConfig parsed = ExportConfig.parse(config);
        LongIntMap allowed = parsed.categories().isEmpty() ? null : itemsUnder(parsed.categories());
        Rows rows = new Rows(tx.findNodes(USER), parsed, allowed);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED), false)
                .onClose(rows::close);
    }

    /** Items in the categories or their descendants, keyed by node id (value 1). */
    @SuppressWarnings("removal") // Entity.getId(): only as a join key within this transaction.
    private LongIntMap itemsUnder(List<String> codes) {
        Set<String> unknown = new LinkedHashSet<>();
        Deque<Node> open = new ArrayDeque<>();
        LongIntMap categories = new LongIntMap(256);
        for (String code : codes) {
            Node category = tx.findNode(CATEGORY, "code", code);
            if (category == null) {
                unknown.add(code);
            } else if (categories.get(category.getId()) < 0) {
                categories.put(category.getId(), 1);
                open.add(category);
            }
        }
        if (!unknown.isEmpty()) {
            throw ShopgraphException.unknownIds("category", unknown);
        }
        // As the statement's (i)-[:IN_CATEGORY]->(:Category)-[:CHILD_OF*0..]->(c:Category):
        // descendants through any node, items through nodes labelled Category.
        LongIntMap items = new LongIntMap(1024);
        while (!open.isEmpty()) {
            Node category = open.poll();
            for (Relationship child : category.getRelationships(Direction.INCOMING, CHILD_OF)) {
                Node node = child.getStartNode();
                if (categories.get(node.getId()) < 0) {
                    categories.put(node.getId(), 1);
                    open.add(node);
                }
            }
            if (category.hasLabel(CATEGORY)) {
                for (Relationship in : category.getRelationships(Direction.INCOMING, IN_CATEGORY)) {
                    items.put(in.getStartNode().getId(), 1);
                }
            }
        }
        return items;
    }

    /** The rows, read lazily user by user. */
    private static final class Rows implements Iterator<ExportRow> {

        private final ResourceIterator<Node> users;
        private final EdgeWeight weight;
        private final LongIntMap allowed;
        private final RelationshipType[] sessionTypes;
        private final InteractionKind[] sessionKinds;
        private final boolean readOrders;
        private final UserInteractions interactions = new UserInteractions();
        /** Node ids of the items the current user rejected. */
        private final Set<Long> rejected = new HashSet<>();
        private final ItemPositions positions = new ItemPositions();
        private final RowBuilder builder;
        private final Function<Node, String> itemId;
        private ExportRow next;

        Rows(ResourceIterator<Node> users, ExportConfig config, LongIntMap allowed) {
            this.users = users;
            this.weight = new EdgeWeight(config);
            this.allowed = allowed;
            List<InteractionKind> kinds = new ArrayList<>();
            for (InteractionKind kind : SESSION_KINDS) {
                if (weight.reads(kind)) {
                    kinds.add(kind);
                }
            }
            this.sessionKinds = kinds.toArray(new InteractionKind[0]);
            this.sessionTypes = kinds.stream().map(k -> RelationshipType.withName(k.name()))
                    .toArray(RelationshipType[]::new);
            this.readOrders = weight.reads(InteractionKind.CONTAINS);
            this.builder = new RowBuilder(config.usersPerRow());
            this.itemId = this::exportedItemId;
        }

        @Override
        public boolean hasNext() {
            if (next == null) {
                next = read();
            }
            return next != null;
        }

        @Override
        public ExportRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ExportRow row = next;
            next = null;
            return row;
        }

        void close() {
            users.close();
        }

        private ExportRow read() {
            while (!builder.full() && users.hasNext()) {
                Node user = users.next();
                if (user.getProperty("userId", null) instanceof String userId) {
                    readRejected(user);
                    readSessions(user);
                    readOrders(user);
                    builder.add(userId, interactions);
                }
            }
            return builder.isEmpty() ? null : builder.build(positions.drainNew());
        }

        @SuppressWarnings("removal") // Entity.getId(): only as a join key within this transaction.
        private void readRejected(Node user) {
            rejected.clear();
            for (Relationship r : user.getRelationships(Direction.OUTGOING, REJECTED)) {
                rejected.add(r.getEndNode().getId());
            }
        }

        private void readSessions(Node user) {
            if (sessionTypes.length == 0) {
                return;
            }
            for (Relationship has : user.getRelationships(Direction.OUTGOING, HAS_SESSION)) {
                Node session = has.getEndNode();
                if (!session.hasLabel(SESSION)) {
                    continue;
                }
                for (Relationship r : session.getRelationships(Direction.OUTGOING, sessionTypes)) {
                    InteractionKind kind = kindOf(r);
                    Instant at = weight.needsTime() ? time(r.getProperty("last", null), kind, "last") : null;
                    if (weight.inWindow(at)) {
                        add(r, kind, at);
                    }
                }
            }
        }

        private void readOrders(Node user) {
            if (!readOrders) {
                return;
            }
            for (Relationship placed : user.getRelationships(Direction.OUTGOING, PLACED)) {
                Node order = placed.getEndNode();
                if (!order.hasLabel(ORDER) || !"order".equals(order.getProperty("kind", null))) {
                    continue;
                }
                Instant at = weight.needsTime()
                        ? time(order.getProperty("at", null), InteractionKind.CONTAINS, "at") : null;
                if (!weight.inWindow(at)) {
                    continue;
                }
                for (Relationship r : order.getRelationships(Direction.OUTGOING, CONTAINS)) {
                    add(r, InteractionKind.CONTAINS, at);
                }
            }
        }

        @SuppressWarnings("removal") // Entity.getId(): only as a join key within this transaction.
        private void add(Relationship r, InteractionKind kind, Instant at) {
            Node item = r.getEndNode();
            if (!rejected.isEmpty() && rejected.contains(item.getId())) {
                return;
            }
            int position = positions.position(item.getId(), item, itemId);
            if (position >= 0) {
                interactions.add(position, weight.of(kind, at, r.getProperty("weight", null)));
            }
        }

        @SuppressWarnings("removal") // Entity.getId(): only as a join key within this transaction.
        private String exportedItemId(Node node) {
            if (!node.hasLabel(ITEM) || (allowed != null && allowed.get(node.getId()) < 0)) {
                return null;
            }
            return node.getProperty("itemId", null) instanceof String id ? id : null;
        }

        private InteractionKind kindOf(Relationship r) {
            for (int n = 0; n < sessionTypes.length; n++) {
                if (r.isType(sessionTypes[n])) {
                    return sessionKinds[n];
                }
            }
            throw new IllegalStateException("Unexpected relationship type " + r.getType().name() + ".");
        }

        private static Instant time(Object value, InteractionKind kind, String property) {
            if (value == null) {
                return null;
            }
            if (value instanceof ZonedDateTime zoned) {
                return zoned.toInstant();
            }
            if (value instanceof OffsetDateTime offset) {
                return offset.toInstant();
            }
            throw ShopgraphException.badInput("The " + property + " of a " + kind + " interaction must be a"
                    + " datetime with a timezone, got " + CypherValues.describe(value) + ".");
        }
    }
}
