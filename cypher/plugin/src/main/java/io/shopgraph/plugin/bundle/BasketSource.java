package io.shopgraph.plugin.bundle;

/**
 * What {@link BasketPairs} traverses: the baskets that hold an item; and, as an
 * {@link ItemSource}, each item's mass and id. Items and users are opaque {@code long} handles of
 * the source (in Neo4j, node ids valid within one transaction; never public ids).
 * {@link GraphBasketSource} reads them from the graph, tests from memory.
 */
public interface BasketSource extends ItemSource {

    /** {@link Basket#user()} of a basket without a user: it is its own user. */
    long NO_USER = -1L;

    /**
     * Calls {@code visitor} once for every basket of {@code source} that holds {@code item}.
     *
     * @param item the item's handle
     * @param source which baskets: orders, or sessions' carts or views
     * @param visitor called with a view of the basket that is valid only during the call
     */
    void forEachBasket(long item, Source source, BasketVisitor visitor);

    /** Receives the baskets of an item. */
    @FunctionalInterface
    interface BasketVisitor {
        /**
         * One basket that holds the visited item.
         *
         * @param basket the basket, valid only during this call
         */
        void visit(Basket basket);
    }

    /** One basket, read lazily: the scorer asks only for what it needs. */
    interface Basket {
        /** {@code |b|}, its number of distinct items. */
        int size();

        /** Its time in epoch milliseconds, or {@link MassConfig#NO_TIME}. */
        long timeMillis();

        /** Its user's handle (at least 0), or {@link #NO_USER}. */
        long user();

        /** {@code r(b, i)}: the visited item's relationship weight in it. */
        double itemWeight();

        /** Calls {@code visitor} with each of its other items and their weight {@code r(b, j)}. */
        void forEachOtherItem(ItemVisitor visitor);
    }

    /** Receives the items of a basket. */
    @FunctionalInterface
    interface ItemVisitor {
        /** One item {@code j} of the basket with its weight {@code r(b, j)}. */
        void visit(long item, double weight);
    }
}
