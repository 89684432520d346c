package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.ConfigReader;
import io.shopgraph.plugin.common.LongIntMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;

/**
 * Which ranked items {@link BundleScorer} may return, applied in rank order until it has
 * {@code k} rows: first the hard filters, then at most {@code maxPerBrand} items of any brand,
 * greedily (an item of several brands needs room in each; an item without a brand is never
 * limited; filtered-out items do not use up a brand's room). Demoted items come after every
 * item that is not, in their rank order, while places are left.
 *
 * @param admissible whether an item passes the hard filters (user's purchases and rejections,
 *     hidden items, categories, stock, price)
 * @param maxPerBrand most items of one brand, at least 1, or {@link #NO_LIMIT}
 * @param brands an item's distinct brand handles; only called when {@code maxPerBrand} limits
 * @param demoted whether an admissible item is demoted (very similar to one the user rejected)
 */
public record Selection(LongPredicate admissible, int maxPerBrand, LongFunction<long[]> brands,
                        LongPredicate demoted) {

    /** {@link #maxPerBrand} of no limit. */
    public static final int NO_LIMIT = Integer.MAX_VALUE;
    /** The largest {@code maxPerBrand} but {@link #NO_LIMIT}. */
    public static final int MAX_PER_BRAND = 1000;

    private static final long[] NO_BRANDS = new long[0];
    private static final LongPredicate NONE = item -> false;

    /** Every item, no brand limit. */
    public static final Selection ALL = new Selection(item -> true, NO_LIMIT, item -> NO_BRANDS);

    /** Checks {@code maxPerBrand}. */
    public Selection {
        if (maxPerBrand != NO_LIMIT) {
            ConfigReader.checkInteger("maxPerBrand", maxPerBrand, 1, MAX_PER_BRAND);
        }
    }

    /**
     * Whether the item's brands have room left under {@link #maxPerBrand}, counted in
     * {@code counts} (brand handle to items taken); when they have, the item takes its place in
     * each of them.
     */
    public boolean takeRoom(long item, LongIntMap counts) {
        if (maxPerBrand == NO_LIMIT) {
            return true;
        }
        long[] itemBrands = brands.apply(item);
        for (long brand : itemBrands) {
            if (Math.max(0, counts.get(brand)) >= maxPerBrand) {
                return false;
            }
        }
        for (long brand : itemBrands) {
            counts.put(brand, Math.max(0, counts.get(brand)) + 1);
        }
        return true;
    }

    /**
     * The items of {@code ranked} this selection returns, at most {@code k}, in the order
     * {@link BundleScorer} returns its own: those that pass the filters and have brand room in
     * rank order, then the demoted ones while places are left.
     *
     * @param ranked item handles, best first (read lazily, until {@code k} were taken)
     * @return the positions in {@code ranked} of the items taken, in the order taken
     */
    public List<Integer> choose(Iterator<Long> ranked, int k) {
        LongIntMap counts = new LongIntMap(16);
        List<Integer> taken = new ArrayList<>(Math.min(k, 64));
        List<long[]> later = new ArrayList<>();
        for (int position = 0; taken.size() < k && ranked.hasNext(); position++) {
            long item = ranked.next();
            if (!admissible.test(item)) {
                continue;
            }
            if (demoted.test(item)) {
                later.add(new long[] {item, position});
            } else if (takeRoom(item, counts)) {
                taken.add(position);
            }
        }
        for (long[] item : later) {
            if (taken.size() == k) {
                break;
            }
            if (takeRoom(item[0], counts)) {
                taken.add((int) item[1]);
            }
        }
        return taken;
    }

    /** A selection that demotes nothing. */
    public Selection(LongPredicate admissible, int maxPerBrand, LongFunction<long[]> brands) {
        this(admissible, maxPerBrand, brands, NONE);
    }
}
