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
     * The node properties whose changes are reported: the business keys, an order's
     * {@code kind} and {@code at}, a session's {@code start} (basket times and kinds), and an
     * item's {@code hidden} and {@code inStock}.
     */
    public static final Set<String> WATCHED = Set.of("itemId", "sessionId", "orderId", "userId", "name", "code",
            "kind", "at", "start", "hidden", "inStock");

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
