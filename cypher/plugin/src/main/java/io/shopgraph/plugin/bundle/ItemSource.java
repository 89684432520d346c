package io.shopgraph.plugin.bundle;

/**
 * What {@link BundleScorer} reads of an item besides its pairs: its mass and its business id.
 * Items are opaque {@code long} handles (in Neo4j, node ids valid within one transaction; never
 * public ids).
 */
public interface ItemSource {

    /** {@code n(item)}, or {@code NaN} when the item has no mass (not seen by the last refresh). */
    double mass(long item);

    /** The item's business id. */
    String itemId(long item);
}
