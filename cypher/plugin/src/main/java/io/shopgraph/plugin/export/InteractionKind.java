package io.shopgraph.plugin.export;

/**
 * The kinds of interaction an export reads, each named by its relationship type, with its
 * default weight (those of {@code EventWeights} in {@code graph/export.py}).
 */
public enum InteractionKind {
    /** {@code (:Session)-[:VIEWED]->(:Item)}, timed by the relationship's {@code last}. */
    VIEWED(1.0),
    /** {@code (:Session)-[:ADDED_TO_CART]->(:Item)}, timed by the relationship's {@code last}. */
    ADDED_TO_CART(2.0),
    /** {@code (:Session)-[:REMOVED_FROM_CART]->(:Item)}, timed by the relationship's {@code last}. */
    REMOVED_FROM_CART(0.0),
    /** {@code (:Order {kind: 'order'})-[:CONTAINS]->(:Item)}, timed by the order's {@code at}. */
    CONTAINS(4.0);

    private final double defaultWeight;

    InteractionKind(double defaultWeight) {
        this.defaultWeight = defaultWeight;
    }

    /** The weight of this kind when the config names none. */
    public double defaultWeight() {
        return defaultWeight;
    }
}
