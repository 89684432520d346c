package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.ConfigReader;
import io.shopgraph.plugin.common.ConfigReader.Range;

/**
 * The knobs of the score that only {@code shopgraph.bundle} reads (they do not change the masses,
 * so they may differ from call to call). Defaults are those of {@code CoPurchaseConfig} in
 * {@code evaluation/bundles.py}, tuned on UCI Online Retail.
 *
 * @param alpha exponent of the cart item's mass, at least 0; default 0.5
 * @param beta exponent of the candidate's mass, at least 0; default 0.6
 * @param smoothing pseudo-count added to the candidate's mass, at least 0; default 10
 * @param sizeExponent {@code h(b) = (|b| - 1) ^ -sizeExponent}, at least 0; default 0.5
 * @param maxBasketSize pairs count only in baskets of at most this many items, 2 to
 *     {@value #MAX_BASKET_SIZE}, or {@link #NO_LIMIT} (default)
 * @param adjacencyBonus {@code a(b,i,j) = 1 + adjacencyBonus} for items on neighbouring lines of
 *     an order (their {@code CONTAINS.position}s are consecutive), else 1; at least 0 (0 turns
 *     adjacency off); default 2
 */
public record ScoringConfig(double alpha, double beta, double smoothing, double sizeExponent, int maxBasketSize,
                            double adjacencyBonus) {

    /** {@link #maxBasketSize} of no limit. */
    public static final int NO_LIMIT = Integer.MAX_VALUE;
    /** The smallest {@link #maxBasketSize}. */
    static final int MIN_BASKET_SIZE = 2;
    /** The largest {@link #maxBasketSize} but {@link #NO_LIMIT}. */
    static final int MAX_BASKET_SIZE = 1_000_000;
    /** The values of {@code alpha}, {@code beta}, {@code smoothing}, {@code sizeExponent} and
     * {@code adjacencyBonus}. */
    static final Range EXPONENT = Range.atLeast(0);
    /** The defaults. */
    public static final ScoringConfig DEFAULTS = new ScoringConfig(0.5, 0.6, 10.0, 0.5, NO_LIMIT, 2.0);

    /** Checks the ranges, with the sentences of the config keys ({@link ConfigReader}). */
    public ScoringConfig {
        ConfigReader.checkNumber("alpha", alpha, EXPONENT);
        ConfigReader.checkNumber("beta", beta, EXPONENT);
        ConfigReader.checkNumber("smoothing", smoothing, EXPONENT);
        ConfigReader.checkNumber("sizeExponent", sizeExponent, EXPONENT);
        ConfigReader.checkNumber("adjacencyBonus", adjacencyBonus, EXPONENT);
        if (maxBasketSize != NO_LIMIT) {
            ConfigReader.checkInteger("maxBasketSize", maxBasketSize, MIN_BASKET_SIZE, MAX_BASKET_SIZE);
        }
    }

    /** {@code h(b)} of a basket of {@code size >= 2} items. */
    public double sizeWeight(int size) {
        return Math.pow(size - 1.0, -sizeExponent);
    }

    /** Whether line adjacency weighs the evidence ({@code adjacencyBonus > 0}). */
    public boolean adjacency() {
        return adjacencyBonus > 0.0;
    }

    /** {@code a(b,i,j)} of two adjacent items: {@code 1 + adjacencyBonus}. */
    public double adjacencyWeight() {
        return 1.0 + adjacencyBonus;
    }
}
