package io.shopgraph.plugin.live.changes;

import java.util.List;
import java.util.Set;

/**
 * What one committed transaction changed of the shop's graph, as far as serving cares: nodes of
 * a {@link ShopLabel} created, deleted or changed in a watched property, relationships of a
 * {@link ShopType} created, deleted or re-weighted. In commit order within the transaction's
 * own lists (nodes, then relationships).
 *
 * @param nodes the node changes
 * @param relationships the relationship changes
 * @param complete false when the transaction's changes could not be read (the listener logged
 *     why): a subscriber must then treat everything as changed (rebuild)
 */
public record GraphChanges(List<NodeChange> nodes, List<RelationshipChange> relationships, boolean complete) {

    /**
     * The node properties whose changes are reported, whatever the label (each is then checked
     * against the node's labels: {@link #watched}).
     */
    public static final Set<String> WATCHED = Set.of("itemId", "sessionId", "orderId", "userId", "name", "code",
            "kind", "at", "start", "hidden", "inStock");

    /**
     * Whether a change of this property of a node of these labels is reported: its business
     * key, an order's {@code kind} and {@code at}, a session's {@code start} (basket kinds and
     * times), and an item's {@code hidden} and {@code inStock}.
     */
    public static boolean watched(int labels, String property) {
        for (ShopLabel label : ShopLabel.values()) {
            if ((labels & label.bit()) == 0) {
                continue;
            }
            boolean watched = label.key().equals(property) || switch (label) {
                case ORDER -> property.equals("kind") || property.equals("at");
                case SESSION -> property.equals("start");
                case ITEM -> property.equals("hidden") || property.equals("inStock");
                default -> false;
            };
            if (watched) {
                return true;
            }
        }
        return false;
    }

    /** The relationship properties whose changes are reported. */
    public static final Set<String> WATCHED_RELATIONSHIP = Set.of("weight", "position");

    /** The changes of a transaction that could not be read. */
    public static final GraphChanges UNKNOWN = new GraphChanges(List.of(), List.of(), false);

    /** Copies the lists. */
    public GraphChanges {
        nodes = List.copyOf(nodes);
        relationships = List.copyOf(relationships);
    }

    /** Whether nothing watched changed (and the changes are known). */
    public boolean isEmpty() {
        return complete && nodes.isEmpty() && relationships.isEmpty();
    }
}
