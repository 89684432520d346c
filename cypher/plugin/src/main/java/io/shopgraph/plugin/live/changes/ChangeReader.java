package io.shopgraph.plugin.live.changes;

import io.shopgraph.plugin.common.LongSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neo4j.graphdb.Entity;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.event.LabelEntry;
import org.neo4j.graphdb.event.PropertyEntry;
import org.neo4j.graphdb.event.TransactionData;

/**
 * Reads what a transaction about to commit changed of the shop's graph ({@link GraphChanges})
 * from its {@link TransactionData}, on the committing thread, before the commit: labels and
 * keys of created nodes and weights of created relationships come from the transaction's own
 * state (no store read), those of deleted ones from the data's snapshot of their last committed
 * values. Work is one pass over the changes; nothing of other nodes is read, but for the labels
 * and key of a node whose watched property changed.
 */
@SuppressWarnings("removal") // Entity.getId(): internal ids are the subscribers' join keys.
final class ChangeReader {

    private ChangeReader() {}

    /** The changes of {@code data}; call it in {@code beforeCommit}, while the transaction is open. */
    static GraphChanges read(TransactionData data) {
        List<NodeChange> nodes = new ArrayList<>();
        LongSet created = new LongSet(16);
        for (Node node : data.createdNodes()) {
            created.add(node.getId());
            int labels = 0;
            for (Label label : node.getLabels()) {
                ShopLabel known = ShopLabel.of(label.name());
                if (known != null) {
                    labels |= known.bit();
                }
            }
            if (labels != 0) {
                nodes.add(new NodeChange(node.getId(), labels, Change.CREATED, key(node, labels),
                        text(node.getProperty("kind", null)), Set.of()));
            }
        }
        readDeletedNodes(data, nodes);
        readChangedNodes(data, created, nodes);
        return new GraphChanges(nodes, relationships(data), true);
    }

    /** Deleted nodes: their labels and key as last committed (the data's snapshot). */
    private static void readDeletedNodes(TransactionData data, List<NodeChange> out) {
        Map<Long, int[]> labels = new LinkedHashMap<>();
        for (Node node : data.deletedNodes()) {
            labels.put(node.getId(), new int[1]);
        }
        if (labels.isEmpty()) {
            return;
        }
        for (LabelEntry entry : data.removedLabels()) {
            int[] mask = labels.get(entry.node().getId());
            ShopLabel known = ShopLabel.of(entry.label().name());
            if (mask != null && known != null) {
                mask[0] |= known.bit();
            }
        }
        Map<Long, Map<String, Object>> values = new java.util.HashMap<>();
        for (PropertyEntry<Node> entry : data.removedNodeProperties()) {
            long id = entry.entity().getId();
            if (labels.containsKey(id)) {
                values.computeIfAbsent(id, x -> new java.util.HashMap<>())
                        .put(entry.key(), entry.previouslyCommittedValue());
            }
        }
        labels.forEach((id, mask) -> {
            if (mask[0] != 0) {
                Map<String, Object> old = values.getOrDefault(id, Map.of());
                out.add(new NodeChange(id, mask[0], Change.DELETED, keyOf(mask[0], old::get),
                        text(old.get("kind")), Set.of()));
            }
        });
    }

    /** Nodes that existed before and after, whose watched properties or labels changed. */
    private static void readChangedNodes(TransactionData data, LongSet created, List<NodeChange> out) {
        Map<Long, Node> changed = new LinkedHashMap<>();
        Map<Long, Set<String>> properties = new java.util.HashMap<>();
        List<Iterable<PropertyEntry<Node>>> entries = List.of(data.assignedNodeProperties(),
                data.removedNodeProperties());
        for (Iterable<PropertyEntry<Node>> list : entries) {
            for (PropertyEntry<Node> entry : list) {
                Node node = entry.entity();
                if (GraphChanges.WATCHED.contains(entry.key()) && !created.contains(node.getId())
                        && !data.isDeleted(node)) {
                    changed.putIfAbsent(node.getId(), node);
                    properties.computeIfAbsent(node.getId(), x -> new HashSet<>()).add(entry.key());
                }
            }
        }
        for (Iterable<LabelEntry> list : List.of(data.assignedLabels(), data.removedLabels())) {
            for (LabelEntry entry : list) {
                Node node = entry.node();
                if (ShopLabel.of(entry.label().name()) != null && !created.contains(node.getId())
                        && !data.isDeleted(node)) {
                    changed.putIfAbsent(node.getId(), node);
                    properties.computeIfAbsent(node.getId(), x -> new HashSet<>()).add(NodeChange.LABEL);
                }
            }
        }
        changed.forEach((id, node) -> {
            int labels = 0;
            for (Label label : node.getLabels()) {
                ShopLabel known = ShopLabel.of(label.name());
                if (known != null) {
                    labels |= known.bit();
                }
            }
            int mask = labels;
            Set<String> watched = new HashSet<>();
            for (String property : properties.get(id)) {
                if (property.equals(NodeChange.LABEL) || GraphChanges.watched(mask, property)) {
                    watched.add(property);
                }
            }
            if (!watched.isEmpty()) {
                out.add(new NodeChange(id, labels, Change.CHANGED, key(node, labels),
                        text(node.getProperty("kind", null)), Set.copyOf(watched)));
            }
        });
    }

    private static List<RelationshipChange> relationships(TransactionData data) {
        List<RelationshipChange> out = new ArrayList<>();
        LongSet created = new LongSet(16);
        for (Relationship relationship : data.createdRelationships()) {
            ShopType type = ShopType.of(relationship.getType().name());
            created.add(relationship.getId());
            if (type != null) {
                out.add(change(relationship, type, Change.CREATED, weight(relationship.getProperty("weight", null))));
            }
        }
        for (Relationship relationship : data.deletedRelationships()) {
            ShopType type = ShopType.of(relationship.getType().name());
            if (type != null) {
                out.add(change(relationship, type, Change.DELETED, Double.NaN));
            }
        }
        Map<Long, RelationshipChange> changed = new LinkedHashMap<>();
        for (PropertyEntry<Relationship> entry : data.assignedRelationshipProperties()) {
            reweighted(data, created, entry, entry.key().equals("weight") ? entry.value() : null, changed);
        }
        for (PropertyEntry<Relationship> entry : data.removedRelationshipProperties()) {
            reweighted(data, created, entry, null, changed);
        }
        out.addAll(changed.values());
        return out;
    }

    /** A watched property of an existing relationship changed: one entry per relationship. */
    private static void reweighted(TransactionData data, LongSet created, PropertyEntry<Relationship> entry,
                                   Object assignedWeight, Map<Long, RelationshipChange> changed) {
        Relationship relationship = entry.entity();
        if (!GraphChanges.WATCHED_RELATIONSHIP.contains(entry.key()) || created.contains(relationship.getId())
                || data.isDeleted(relationship)) {
            return;
        }
        ShopType type = ShopType.of(relationship.getType().name());
        if (type == null) {
            return;
        }
        RelationshipChange known = changed.get(relationship.getId());
        if (known == null || entry.key().equals("weight")) {
            double weight = entry.key().equals("weight") ? weight(assignedWeight)
                    : weight(relationship.getProperty("weight", null));
            changed.put(relationship.getId(), change(relationship, type, Change.CHANGED, weight));
        }
    }

    private static RelationshipChange change(Relationship relationship, ShopType type, Change change, double weight) {
        return new RelationshipChange(relationship.getId(), type, relationship.getStartNode().getId(),
                relationship.getEndNode().getId(), change, weight);
    }

    /** A {@code weight} value as the readers take it: 1.0 when absent or not a number. */
    private static double weight(Object value) {
        return value instanceof Number number ? number.doubleValue() : 1.0;
    }

    private static String key(Entity node, int labels) {
        return keyOf(labels, key -> node.getProperty(key, null));
    }

    private static String keyOf(int labels, java.util.function.Function<String, Object> property) {
        for (ShopLabel label : ShopLabel.values()) {
            if ((labels & label.bit()) != 0) {
                return text(property.apply(label.key()));
            }
        }
        return null;
    }

    private static String text(Object value) {
        return value instanceof String text ? text : null;
    }
}
