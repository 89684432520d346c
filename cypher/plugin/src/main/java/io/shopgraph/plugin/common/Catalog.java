package io.shopgraph.plugin.common;

import org.neo4j.graphdb.Node;

/**
 * The catalogue's word on whether an item may be served at all, read on the live graph at each
 * call: an item whose {@code hidden} is true is never returned by any procedure; one whose
 * {@code inStock} is false only when the call includes items out of stock ({@code inStockOnly:
 * false}). Absent properties mean visible and in stock.
 */
public final class Catalog {

    /** The property that hides an item from every answer. */
    public static final String HIDDEN = "hidden";
    /** The property that marks an item out of stock. */
    public static final String IN_STOCK = "inStock";

    private Catalog() {}

    /** Whether the item exists and may be returned. */
    public static boolean servable(Node item, boolean inStockOnly) {
        return item != null && !hidden(item) && !(inStockOnly && Boolean.FALSE.equals(item.getProperty(IN_STOCK, null)));
    }

    /** Whether the item is hidden. */
    public static boolean hidden(Node item) {
        return Boolean.TRUE.equals(item.getProperty(HIDDEN, null));
    }
}
