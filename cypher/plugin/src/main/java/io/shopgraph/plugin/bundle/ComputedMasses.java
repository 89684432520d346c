package io.shopgraph.plugin.bundle;

/**
 * The baskets of a source with masses computed from them ({@link BasketPairs#mass}), not read
 * from the source: what a full build of the live index reads, so that its masses are those that
 * a recomputation of changed items gives ({@link IndexMerge}), bit for bit. Not thread-safe.
 */
final class ComputedMasses implements BasketSource {

    private final BasketSource baskets;
    private final BasketPairs walker;

    /**
     * @param baskets the baskets
     * @param stats {@code now} and the mass knobs the masses are computed with
     */
    ComputedMasses(BasketSource baskets, BundleStats stats) {
        this.baskets = baskets;
        this.walker = new BasketPairs(baskets, stats, ScoringConfig.DEFAULTS, true);
    }

    @Override
    public void forEachBasket(long item, Source source, BasketVisitor visitor) {
        baskets.forEachBasket(item, source, visitor);
    }

    @Override
    public boolean isItem(long handle) {
        return baskets.isItem(handle);
    }

    /** {@code n(item)} computed from its baskets; {@code NaN} when the handle is no item. */
    @Override
    public double mass(long item) {
        return baskets.isItem(item) ? walker.mass(item) : Double.NaN;
    }

    @Override
    public String itemId(long item) {
        return baskets.itemId(item);
    }
}
