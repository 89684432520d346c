package io.shopgraph.plugin.catalog;

import io.shopgraph.plugin.common.InputMap;
import io.shopgraph.plugin.load.ChunkRows;
import io.shopgraph.plugin.load.ChunkRows.CategoryRow;
import io.shopgraph.plugin.load.ChunkWriter;
import io.shopgraph.plugin.load.KeyLookup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.Transaction;

/**
 * Applies catalog items in one transaction: each item is created if new, gets
 * {@code inCatalog = true}, and has exactly the fields its upsert names changed, in the order
 * given (a later upsert of the same id in the batch wins):
 *
 * <ul>
 *   <li>{@code name}, {@code price}, {@code inStock}, {@code hidden}: the property is set, or
 *       removed when given as null;
 *   <li>{@code brand}: the item's one {@code HAS_BRAND} goes to that brand (created if new), or
 *       every {@code HAS_BRAND} is removed when null;
 *   <li>{@code categoryCode}: the category and its ancestors are created as a load creates them
 *       ({@code CHILD_OF} each prefix), and the item's one {@code IN_CATEGORY} goes to it, or
 *       every {@code IN_CATEGORY} is removed when null;
 *   <li>{@code attributes}: each named attribute is set ({@code attr_<name>}) or removed (null);
 *       {@code attributes: null} removes them all.
 * </ul>
 *
 * Brands and categories left without items stay. Item keys are locked in sorted order first.
 */
public final class CatalogWriter {

    private static final Label ITEM = Label.label("Item");
    private static final Label BRAND = Label.label("Brand");
    private static final Label CATEGORY = Label.label("Category");
    private static final RelationshipType HAS_BRAND = RelationshipType.withName("HAS_BRAND");
    private static final RelationshipType IN_CATEGORY = RelationshipType.withName("IN_CATEGORY");

    private final Transaction tx;

    /**
     * What an upsert did.
     *
     * @param items items upserted (repeats counted)
     * @param created items that did not exist
     */
    public record Upserted(long items, long created) { }

    public CatalogWriter(Transaction tx) {
        this.tx = tx;
    }

    /** Applies the items; see the class comment. */
    public Upserted upsert(List<CatalogItem> items) {
        writeCategories(items);
        long created = 0;
        try (KeyLookup keys = new KeyLookup(tx)) {
            Map<String, Node> nodes = new HashMap<>();
            for (String id : new TreeSet<>(items.stream().map(CatalogItem::itemId).toList())) {
                Node node = keys.findForMerge(ITEM, "itemId", id);
                if (node == null) {
                    node = tx.createNode(ITEM);
                    node.setProperty("itemId", id);
                    created++;
                }
                nodes.put(id, node);
            }
            Map<String, Node> brands = new HashMap<>();
            for (CatalogItem item : items) {
                Node node = nodes.get(item.itemId());
                node.setProperty(ChunkWriter.IN_CATALOG, true);
                property(node, "name", item.name());
                property(node, "price", item.price());
                property(node, "inStock", item.inStock());
                property(node, "hidden", item.hidden());
                if (item.brand() != null) {
                    Node brand = item.brand().map(name -> brands.computeIfAbsent(name, n -> brand(keys, n)))
                            .orElse(null);
                    relateOnly(node, HAS_BRAND, brand);
                }
                if (item.categoryCode() != null) {
                    Node category = item.categoryCode().map(code -> keys.find(CATEGORY, "code", code))
                            .orElse(null);
                    relateOnly(node, IN_CATEGORY, category);
                }
                attributes(node, item);
            }
        }
        return new Upserted(items.size(), created);
    }

    /** The categories named, with their ancestors, through the load writer. */
    private void writeCategories(List<CatalogItem> items) {
        Map<String, CategoryRow> rows = new TreeMap<>();
        for (CatalogItem item : items) {
            if (item.categoryCode() == null || item.categoryCode().isEmpty()) {
                continue;
            }
            String parent = null;
            long level = 1;
            for (String path : InputMap.categoryPath(item.categoryCode().get())) {
                rows.putIfAbsent(path, new CategoryRow(path, path.substring(path.lastIndexOf('.') + 1),
                        level, parent));
                parent = path;
                level++;
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        List<CategoryRow> sorted = new ArrayList<>(rows.values());
        sorted.sort(Comparator.comparingLong(CategoryRow::level).thenComparing(CategoryRow::code));
        new ChunkWriter(tx).write(new ChunkRows(sorted, List.of(), List.of(), List.of()));
    }

    private Node brand(KeyLookup keys, String name) {
        Node node = keys.findForMerge(BRAND, "name", name);
        if (node == null) {
            node = tx.createNode(BRAND);
            node.setProperty("name", name);
        }
        return node;
    }

    private static void property(Node node, String key, Optional<?> change) {
        if (change == null) {
            return;
        }
        if (change.isPresent()) {
            node.setProperty(key, change.get());
        } else {
            node.removeProperty(key);
        }
    }

    /** Leaves {@code node} with one relationship of {@code type}, to {@code target}, or none. */
    private static void relateOnly(Node node, RelationshipType type, Node target) {
        List<Relationship> existing = new ArrayList<>();
        try (ResourceIterable<Relationship> rels = node.getRelationships(Direction.OUTGOING, type)) {
            rels.forEach(existing::add);
        }
        boolean present = false;
        for (Relationship r : existing) {
            if (!present && r.getEndNode().equals(target)) {
                present = true;
            } else {
                r.delete();
            }
        }
        if (!present && target != null) {
            node.createRelationshipTo(target, type);
        }
    }

    private static void attributes(Node node, CatalogItem item) {
        if (item.clearAttributes()) {
            for (String key : node.getPropertyKeys()) {
                if (key.startsWith(CatalogItem.ATTRIBUTE_PREFIX)) {
                    node.removeProperty(key);
                }
            }
        }
        item.attributes().forEach((name, value) -> property(node, CatalogItem.ATTRIBUTE_PREFIX + name, value));
    }
}
