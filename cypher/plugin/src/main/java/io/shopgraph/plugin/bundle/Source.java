package io.shopgraph.plugin.bundle;

/**
 * The kind of basket two items share, as in {@code evaluation/bundle_protocol.py}'s {@code Source}; its
 * {@link #reason()} is the {@code reason} column when it is the strongest source of an item.
 */
public enum Source {
    /** Bought in the same order: {@code (:Order {kind: 'order'})-[:CONTAINS]->(:Item)}. */
    ORDER("bought together"),
    /** Added to cart in the same session: {@code (:Session)-[:ADDED_TO_CART]->(:Item)}. */
    CART("added to cart together"),
    /** Viewed in the same session: {@code (:Session)-[:VIEWED]->(:Item)}. */
    VIEW("viewed together");

    private final String reason;

    Source(String reason) {
        this.reason = reason;
    }

    /** The value of the {@code reason} column for items mostly recommended by this source. */
    public String reason() {
        return reason;
    }
}
