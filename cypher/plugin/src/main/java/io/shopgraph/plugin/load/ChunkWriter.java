package io.shopgraph.plugin.load;

import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.load.ChunkRows.CategoryRow;
import io.shopgraph.plugin.load.ChunkRows.ItemRow;
import io.shopgraph.plugin.load.ChunkRows.Line;
import io.shopgraph.plugin.load.ChunkRows.OrderRow;
import io.shopgraph.plugin.load.ChunkRows.Pair;
import io.shopgraph.plugin.load.ChunkRows.SessionRow;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Entity;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.Transaction;

/**
 * Applies one chunk of a load with the Core API, with exactly the semantics of the reference
 * statements {@code cypher/merge_categories.cypher}, {@code merge_items}, {@code merge_sessions}
 * and {@code merge_orders} (run in that order): nodes are merged on their business keys,
 * relationships on their two ends, counts add to stored ones, first/start/at keep the earliest
 * time and last/end the latest, an order line's position the smallest, a null never overwrites
 * a stored value, new behaviour
 * relationships get weight 1.0, an item created here gets {@code inCatalog = false} (not yet
 * named by the catalog), and a row whose item, parent category or order session does
 * not exist skips that relationship (as the statements' MATCH does).
 *
 * <p>Nodes are looked up by key through the key's uniqueness constraint ({@link KeyLookup}), so
 * the schema's constraints must exist: a merged key is locked as MERGE locks it, a matched one
 * (an item of a view, a parent category, an order's session) is not, as MATCH does not. A load
 * only matches keys it has merged itself, in the same chunk or an earlier, committed one. The
 * user of a session or order and the brand of an item that existed before are first looked for
 * among that node's relationships, under the key's lock ({@link #mergeLinked}): the index is
 * searched only when they are not linked yet.
 *
 * <p>Times are stored as UTC datetimes, as Cypher's {@code datetime({epochMillis: t})} does.
 * The caller makes the chunk exactly-once (the chunk claim of {@code load_claim_chunk.cypher}
 * in the same transaction).
 */
public final class ChunkWriter {

    static final Label CATEGORY = Label.label("Category");
    static final Label ITEM = Label.label("Item");
    static final Label BRAND = Label.label("Brand");
    static final Label USER = Label.label("User");
    static final Label SESSION = Label.label("Session");
    static final Label ORDER = Label.label("Order");
    static final RelationshipType CHILD_OF = RelationshipType.withName("CHILD_OF");
    static final RelationshipType HAS_BRAND = RelationshipType.withName("HAS_BRAND");
    static final RelationshipType IN_CATEGORY = RelationshipType.withName("IN_CATEGORY");
    static final RelationshipType HAS_SESSION = RelationshipType.withName("HAS_SESSION");
    static final RelationshipType VIEWED = RelationshipType.withName("VIEWED");
    static final RelationshipType ADDED_TO_CART = RelationshipType.withName("ADDED_TO_CART");
    static final RelationshipType REMOVED_FROM_CART = RelationshipType.withName("REMOVED_FROM_CART");
    static final RelationshipType PLACED = RelationshipType.withName("PLACED");
    static final RelationshipType IN_SESSION = RelationshipType.withName("IN_SESSION");
    static final RelationshipType CONTAINS = RelationshipType.withName("CONTAINS");
    /**
     * The item property that says whether the catalog ({@code shopgraph.items.upsert}) has named
     * the item: false on an item that events (a load, a recorded event) created, true once the
     * catalog upserts it.
     */
    public static final String IN_CATALOG = "inCatalog";

    private final Transaction tx;
    /** Business-key lookups through the uniqueness constraints, open during {@link #write}. */
    private KeyLookup keys;
    /** Nodes looked up or created by this writer, per label and key (null: known absent). */
    private final Map<Label, Map<String, Node>> seen = new HashMap<>();

    private long nodesCreated;
    private long relationshipsCreated;
    private long propertiesSet;

    /**
     * What a call wrote: Cypher's query statistics do not count writes done inside a procedure.
     * {@code propertiesSet} counts the values stored; Cypher's own counter also counts a SET
     * that stores the value already there, so the two writers differ on it.
     */
    public record Written(long rows, long nodesCreated, long relationshipsCreated, long propertiesSet) { }

    /** A node and whether this call created it (then it has no relationships to look for). */
    private record Merged(Node node, boolean created) { }

    public ChunkWriter(Transaction tx) {
        this.tx = tx;
    }

    /** Writes the chunk; returns what was written. */
    public Written write(ChunkRows rows) {
        try (KeyLookup lookup = new KeyLookup(tx)) {
            keys = lookup;
            rows.categories().forEach(this::category);
            rows.items().forEach(this::item);
            rows.sessions().forEach(this::session);
            rows.orders().forEach(this::order);
        } finally {
            keys = null;
        }
        long applied = rows.categories().size() + rows.items().size() + rows.sessions().size()
                + rows.orders().size();
        return new Written(applied, nodesCreated, relationshipsCreated, propertiesSet);
    }

    private void category(CategoryRow row) {
        Merged c = merge(CATEGORY, "code", row.code());
        if (c.created()) {
            setIfNotNull(c.node(), "name", row.name());
            setIfNotNull(c.node(), "level", row.level());
        }
        if (row.parent() != null) {
            Node parent = find(CATEGORY, "code", row.parent());
            if (parent != null) {
                mergeRelationship(c, CHILD_OF, parent);
            }
        }
    }

    private void item(ItemRow row) {
        Merged i = merge(ITEM, "itemId", row.id());
        if (i.created()) {
            set(i.node(), IN_CATALOG, false);
        }
        setIfNotNull(i.node(), "price", row.price());
        setIfNotNull(i.node(), "categoryId", row.categoryId());
        setIfNotNull(i.node(), "name", row.name());
        if (row.brand() != null) {
            mergeLinked(i, Direction.OUTGOING, HAS_BRAND, BRAND, "name", row.brand());
        }
        if (row.category() != null) {
            Node category = find(CATEGORY, "code", row.category());
            if (category != null) {
                mergeRelationship(i, IN_CATEGORY, category);
            }
        }
    }

    private void session(SessionRow row) {
        Merged s = merge(SESSION, "sessionId", row.id());
        Node node = s.node();
        if (s.created()) {
            setIfNotNull(node, "start", time(row.start()));
            setIfNotNull(node, "end", time(row.end()));
            set(node, "events", row.n());
        } else {
            keepEarliest(node, "start", row.start());
            keepLatest(node, "end", row.end());
            set(node, "events", ((Number) node.getProperty("events", 0L)).longValue() + row.n());
        }
        for (String userId : row.users()) {
            mergeLinked(s, Direction.INCOMING, HAS_SESSION, USER, "userId", userId);
        }
        aggregate(s, VIEWED, row.views());
        aggregate(s, ADDED_TO_CART, row.carts());
        aggregate(s, REMOVED_FROM_CART, row.removals());
    }

    private void aggregate(Merged session, RelationshipType type, List<Pair> pairs) {
        if (pairs.isEmpty()) {
            return;
        }
        Map<Node, Relationship> existing = session.created() ? Map.of() : outgoing(session.node(), type);
        for (Pair pair : pairs) {
            Node item = find(ITEM, "itemId", pair.item());
            if (item == null) {
                continue;
            }
            Relationship r = existing.get(item);
            if (r == null) {
                r = relate(session.node(), item, type);
                set(r, "count", pair.count());
                setIfNotNull(r, "first", time(pair.first()));
                setIfNotNull(r, "last", time(pair.last()));
                set(r, "weight", 1.0);
            } else {
                set(r, "count", ((Number) r.getProperty("count", 0L)).longValue() + pair.count());
                keepEarliest(r, "first", pair.first());
                keepLatest(r, "last", pair.last());
            }
        }
    }

    private void order(OrderRow row) {
        Merged o = merge(ORDER, "orderId", row.id());
        Node node = o.node();
        if (o.created()) {
            setIfNotNull(node, "at", time(row.at()));
            setIfNotNull(node, "kind", row.kind());
            setIfNotNull(node, "source", row.source());
        } else {
            keepEarliest(node, "at", row.at());
        }
        for (String userId : row.users()) {
            mergeLinked(o, Direction.INCOMING, PLACED, USER, "userId", userId);
        }
        for (String sessionId : row.sessions()) {
            Node s = find(SESSION, "sessionId", sessionId);
            if (s != null) {
                mergeRelationship(o, IN_SESSION, s);
            }
        }
        if (row.lines().isEmpty()) {
            return;
        }
        Map<Node, Relationship> existing = o.created() ? Map.of() : outgoing(node, CONTAINS);
        for (Line line : row.lines()) {
            Node item = find(ITEM, "itemId", line.item());
            if (item == null) {
                continue;
            }
            Relationship r = existing.get(item);
            if (r == null) {
                r = relate(node, item, CONTAINS);
                set(r, "quantity", line.quantity());
                set(r, "lines", line.lines());
                setIfNotNull(r, "price", line.price());
                setIfNotNull(r, "position", line.position());
                set(r, "weight", 1.0);
            } else {
                set(r, "quantity", ((Number) r.getProperty("quantity", 0L)).longValue() + line.quantity());
                set(r, "lines", ((Number) r.getProperty("lines", 0L)).longValue() + line.lines());
                setIfNotNull(r, "price", line.price());
                keepSmallest(r, "position", line.position());
            }
        }
    }

    // ---- merging on business keys and on relationship ends ----

    /** {@code MATCH (:label {key: value})}: the node or null, without a lock. */
    private Node find(Label label, String key, String value) {
        Map<String, Node> byKey = seen.computeIfAbsent(label, l -> new HashMap<>());
        if (byKey.containsKey(value)) {
            return byKey.get(value);
        }
        Node node = keys.find(label, key, value);
        byKey.put(value, node);
        return node;
    }

    /** {@code MERGE (:label {key: value})}; a key not found yet is looked up again, locked. */
    private Merged merge(Label label, String key, String value) {
        Map<String, Node> byKey = seen.computeIfAbsent(label, l -> new HashMap<>());
        Node node = byKey.get(value);
        if (node == null) {
            node = keys.findForMerge(label, key, value);
        }
        if (node != null) {
            byKey.put(value, node);
            return new Merged(node, false);
        }
        node = tx.createNode(label);
        nodesCreated++;
        set(node, key, value);
        byKey.put(value, node);
        return new Merged(node, true);
    }

    /**
     * {@code MERGE (other:label {key: value})}, then {@code MERGE (node)-[:type]->(other)}
     * (direction {@code OUTGOING}) or {@code MERGE (other)-[:type]->(node)} ({@code INCOMING}).
     *
     * <p>When {@code node} existed before this call and {@code other} is not known to it yet,
     * the key is locked as {@link #merge} locks it and {@code node}'s own {@code type}
     * relationships are read first: a node there with the label and key is the one the key's
     * index would give (the key is unique), and the relationship exists, so the index is not
     * searched. That is the common case of a live event (the user of a known session or order,
     * the brand of a known item); otherwise the key is looked up as {@link #merge} does, still
     * locked.
     */
    private void mergeLinked(Merged node, Direction direction, RelationshipType type, Label label, String key,
                             String value) {
        Map<String, Node> byKey = seen.computeIfAbsent(label, l -> new HashMap<>());
        boolean unlinked = false;
        if (!node.created() && !byKey.containsKey(value)) {
            keys.lock(label, key, value);
            Node linked = neighbour(node.node(), direction, type, label, key, value);
            if (linked != null) {
                byKey.put(value, linked);
                return;
            }
            unlinked = true; // whatever node the key has, node has no such relationship to it
        }
        Merged other = merge(label, key, value);
        if (unlinked) {
            if (direction == Direction.OUTGOING) {
                relate(node.node(), other.node(), type);
            } else {
                relate(other.node(), node.node(), type);
            }
        } else if (direction == Direction.OUTGOING) {
            mergeRelationship(node, type, other.node());
        } else {
            mergeIncoming(other, type, node);
        }
    }

    /**
     * The node at the other end of one of {@code node}'s {@code type} relationships of this
     * direction that has {@code label} and {@code key} equal to {@code value}, or null.
     */
    private static Node neighbour(Node node, Direction direction, RelationshipType type, Label label, String key,
                                  String value) {
        try (ResourceIterable<Relationship> rels = node.getRelationships(direction, type)) {
            for (Relationship r : rels) {
                Node other = r.getOtherNode(node);
                if (value.equals(other.getProperty(key, null)) && other.hasLabel(label)) {
                    return other;
                }
            }
        }
        return null;
    }

    /** {@code MERGE (from)-[:type]->(to)}, looking only at the relationships of {@code from}. */
    private void mergeRelationship(Merged from, RelationshipType type, Node to) {
        if (!from.created() && outgoing(from.node(), type).containsKey(to)) {
            return;
        }
        relate(from.node(), to, type);
    }

    /** {@code MERGE (from)-[:type]->(to)}, looking only at the relationships of {@code to}. */
    private void mergeIncoming(Merged from, RelationshipType type, Merged to) {
        if (!from.created() && !to.created()) {
            try (ResourceIterable<Relationship> rels = to.node().getRelationships(Direction.INCOMING, type)) {
                for (Relationship r : rels) {
                    if (r.getStartNode().equals(from.node())) {
                        return;
                    }
                }
            }
        }
        relate(from.node(), to.node(), type);
    }

    private static Map<Node, Relationship> outgoing(Node node, RelationshipType type) {
        Map<Node, Relationship> out = new HashMap<>();
        try (ResourceIterable<Relationship> rels = node.getRelationships(Direction.OUTGOING, type)) {
            for (Relationship r : rels) {
                out.put(r.getEndNode(), r);
            }
        }
        return out;
    }

    // ---- properties ----

    static ZonedDateTime time(Long epochMillis) {
        return epochMillis == null ? null : ZonedDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    private Relationship relate(Node from, Node to, RelationshipType type) {
        relationshipsCreated++;
        return from.createRelationshipTo(to, type);
    }

    private void set(Entity entity, String key, Object value) {
        entity.setProperty(key, value);
        propertiesSet++;
    }

    private void setIfNotNull(Entity entity, String key, Object value) {
        if (value != null) {
            set(entity, key, value);
        }
    }

    private void keepSmallest(Entity entity, String key, Long value) {
        if (value == null) {
            return;
        }
        Object stored = entity.getProperty(key, null);
        if (!(stored instanceof Number number) || value < number.longValue()) {
            set(entity, key, value);
        }
    }

    private void keepEarliest(Entity entity, String key, Long epochMillis) {
        if (epochMillis == null) {
            return;
        }
        Object stored = entity.getProperty(key, null);
        if (stored == null || Instant.ofEpochMilli(epochMillis).isBefore(instant(stored))) {
            set(entity, key, time(epochMillis));
        }
    }

    private void keepLatest(Entity entity, String key, Long epochMillis) {
        if (epochMillis == null) {
            return;
        }
        Object stored = entity.getProperty(key, null);
        if (stored == null || Instant.ofEpochMilli(epochMillis).isAfter(instant(stored))) {
            set(entity, key, time(epochMillis));
        }
    }

    private static Instant instant(Object stored) {
        if (stored instanceof ZonedDateTime z) {
            return z.toInstant();
        }
        if (stored instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        throw ShopgraphException.badInput("A stored time must be a datetime with a timezone, got "
                + CypherValues.describe(stored) + ".");
    }
}
