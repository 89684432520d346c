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

    /** The position of an item that has none, or whose position was not read. */
    long NO_POSITION = Long.MIN_VALUE;

    /**
     * Calls {@code visitor} once for every basket of {@code source} that holds {@code item}.
     *
     * @param item the item's handle
     * @param source which baskets: orders, or sessions' carts or views
     * @param visitor called with a view of the basket that is valid only during the call
     */
    void forEachBasket(long item, Source source, BasketVisitor visitor);

    /**
     * Whether a handle is an item of this source (in the graph, an {@code Item} node that
     * exists): a recomputation of a deleted item leaves it out. By default, an item is a handle
     * with a mass.
     */
    default boolean isItem(long handle) {
        return !Double.isNaN(mass(handle));
    }

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

        /**
         * The visited item's position in the order ({@code CONTAINS.position}), or
         * {@link #NO_POSITION}: always for sessions (no line order), and for orders of a source
         * that does not read positions.
         */
        long itemPosition();

        /**
         * Calls {@code visitor} with each of its other items, their weight {@code r(b, j)} and
         * their position (as {@link #itemPosition}; a source may leave it {@link #NO_POSITION}
         * when the visited item has none).
         */
        void forEachOtherItem(ItemVisitor visitor);
    }

    /** Receives the items of a basket. */
    @FunctionalInterface
    interface ItemVisitor {
        /** One item {@code j} of the basket with its weight {@code r(b, j)} and position. */
        void visit(long item, double weight, long position);
    }
}
