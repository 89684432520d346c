package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.ConfigReader;
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

    /** A selection that demotes nothing. */
    public Selection(LongPredicate admissible, int maxPerBrand, LongFunction<long[]> brands) {
        this(admissible, maxPerBrand, brands, NONE);
    }
}
