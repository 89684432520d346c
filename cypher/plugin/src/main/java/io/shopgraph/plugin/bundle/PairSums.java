package io.shopgraph.plugin.bundle;

/**
 * The pair sums of an item {@code i} with each item {@code j} it shares a basket with, as
 * {@code evaluation/bundles.py} defines them: the capped support {@code n(i,j)} and the capped,
 * size-weighted evidence {@code e(i,j)} by source. {@link BasketPairs} computes them by a
 * traversal, {@link PairIndex} holds them precomputed.
 */
interface PairSums {

    /**
     * Calls {@code visitor} once for every item {@code j != item} that shares a counted basket
     * with {@code item} (a path of {@code m > 0}).
     *
     * @param item the item's handle
     * @param visitor receives each {@code j}
     */
    void forEachPair(long item, PairVisitor visitor);

    /** Receives the pairs of one item. */
    @FunctionalInterface
    interface PairVisitor {
        /**
         * One pair.
         *
         * @param other the handle of {@code j}
         * @param support {@code n(i,j)}
         * @param evidence {@code e(i,j)} of each source, by {@link Source#ordinal()}; valid only
         *     during this call
         */
        void visit(long other, double support, double[] evidence);
    }
}
