package io.shopgraph.plugin.walk;

/**
 * The node labels a walk can pass through, each with the property that holds its business key.
 *
 * <p>This enum is the allowlist of labels the projection reads: no label comes from input. The
 * order is the order of the node index ranges in a {@link WalkGraph}; items come first, so an
 * item's node index is also its item index.
 */
public enum NodeKind {
    ITEM("Item", "itemId"),
    SESSION("Session", "sessionId"),
    ORDER("Order", "orderId"),
    USER("User", "userId"),
    BRAND("Brand", "name"),
    CATEGORY("Category", "code");

    private final String label;
    private final String keyProperty;

    NodeKind(String label, String keyProperty) {
        this.label = label;
        this.keyProperty = keyProperty;
    }

    /** The Neo4j label, e.g. {@code Item}. */
    public String label() {
        return label;
    }

    /** The property holding the business key, e.g. {@code itemId}. */
    public String keyProperty() {
        return keyProperty;
    }
}
