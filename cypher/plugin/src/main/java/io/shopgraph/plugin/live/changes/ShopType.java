package io.shopgraph.plugin.live.changes;

/**
 * The relationship types whose changes the feed reports: behaviour (sessions, orders and their
 * items, users' sessions and orders), catalogue (brand, category, category tree) and negative
 * feedback ({@link #REJECTED}: a user said no to an item).
 */
public enum ShopType {
    VIEWED,
    ADDED_TO_CART,
    REMOVED_FROM_CART,
    CONTAINS,
    HAS_BRAND,
    IN_CATEGORY,
    HAS_SESSION,
    PLACED,
    CHILD_OF,
    REJECTED;

    private static final ShopType[] VALUES = values();

    /** The type of this name, or null when the feed does not report it. */
    static ShopType of(String name) {
        for (ShopType value : VALUES) {
            if (value.name().equals(name)) {
                return value;
            }
        }
        return null;
    }

    /** Whether it joins a basket (order or session) to an item. */
    public boolean basketItem() {
        return this == VIEWED || this == ADDED_TO_CART || this == CONTAINS || this == REMOVED_FROM_CART;
    }
}
