package io.shopgraph.plugin.live.changes;

import org.neo4j.graphdb.Label;

/**
 * The node labels whose changes the feed reports, each with its business key property. The
 * allowlist of labels the change feed reads; nothing comes from input.
 */
public enum ShopLabel {
    ITEM("Item", "itemId"),
    SESSION("Session", "sessionId"),
    ORDER("Order", "orderId"),
    USER("User", "userId"),
    BRAND("Brand", "name"),
    CATEGORY("Category", "code");

    private static final ShopLabel[] VALUES = values();

    private final Label label;
    private final String key;

    ShopLabel(String label, String key) {
        this.label = Label.label(label);
        this.key = key;
    }

    /** The Neo4j label. */
    public Label label() {
        return label;
    }

    /** The property holding the business key. */
    public String key() {
        return key;
    }

    /** The bit of this label in a label mask ({@link NodeChange#labels()}). */
    public int bit() {
        return 1 << ordinal();
    }

    /** The label of this name, or null. */
    static ShopLabel of(String name) {
        for (ShopLabel value : VALUES) {
            if (value.label.name().equals(name)) {
                return value;
            }
        }
        return null;
    }
}
