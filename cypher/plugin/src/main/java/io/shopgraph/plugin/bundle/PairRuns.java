package io.shopgraph.plugin.bundle;

/**
 * Precomputed pair sums, as {@link BundleScorer} reads them: for each item it holds, a
 * {@link Run} of its pairs ordered by an upper bound of their contribution (for the threshold
 * algorithm), and every item's mass. {@link PairIndex} is one built from the whole graph;
 * {@link IndexVersion} a {@link PairIndex} with the runs and masses of the items changed since,
 * recomputed by the same code.
 */
interface PairRuns extends PairSums {

    /** One item's pairs, by bound descending. */
    interface Run {
        /** How many pairs. */
        int size();

        /** The handle of {@code j} of the {@code n}-th pair. */
        long other(int n);

        /** {@code n(i,j)} of the {@code n}-th pair. */
        double support(int n);

        /** Writes {@code e(i,j)} of each source of the {@code n}-th pair into {@code out}, by source ordinal. */
        void evidence(int n, double[] out);

        /**
         * An upper bound of {@code e(i,j) / (max(n(j), n(i,j)) + smoothing)^beta} for the
         * {@code beta} and {@code smoothing} of the build and the mass {@code n(j)} had when the
         * bound was computed; not increasing along the run.
         */
        float bound(int n);

        /** The position of the pair with {@code other}, or -1 when they share no basket. */
        int find(long other);
    }

    /** The run of an item, or null when its pairs are not held here. */
    Run run(long item);

    /** The item's mass, or {@code NaN} when it has none here. */
    double mass(long item);

    /**
     * Whether a scorer with these knobs may use these sums: the same {@code sizeExponent},
     * {@code maxBasketSize} and {@code adjacencyBonus} as the build.
     */
    boolean serves(ScoringConfig scoring);

    /**
     * Whether a scorer with these knobs may also read the runs by bound: it {@link #serves}
     * them, with the {@code beta} and {@code smoothing} of the bounds.
     */
    boolean bounds(ScoringConfig scoring);

    /**
     * The items whose mass is now below a mass that some bound was computed with: a pair with
     * one of them may contribute more than its bound, so a scorer reading by bound evaluates
     * them explicitly. Empty for an index built at once.
     */
    long[] decreased();

    /** Whether the item's pairs are held here. */
    default boolean holds(long item) {
        return run(item) != null;
    }

    @Override
    default void forEachPair(long item, PairVisitor visitor) {
        Run run = run(item);
        if (run == null) {
            throw new IllegalStateException("The pair index does not hold item " + item + ".");
        }
        double[] parts = new double[Source.values().length];
        for (int n = 0; n < run.size(); n++) {
            run.evidence(n, parts);
            visitor.visit(run.other(n), run.support(n), parts);
        }
    }

    /**
     * The items as a scorer over these sums reads them: masses from here, business ids from
     * {@code ids} (no index holds them).
     */
    default ItemSource items(ItemSource ids) {
        return new ItemSource() {
            @Override
            public double mass(long item) {
                return PairRuns.this.mass(item);
            }

            @Override
            public String itemId(long item) {
                return ids.itemId(item);
            }
        };
    }
}
