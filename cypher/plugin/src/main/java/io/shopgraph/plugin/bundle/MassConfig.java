package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.ConfigReader;
import io.shopgraph.plugin.common.ConfigReader.Range;

/**
 * The knobs that the item masses {@code n(i)}, the basket mass {@code N} and the per-basket
 * weights {@code w(b) d(b)} depend on: fixed by {@code shopgraph.bundle.refresh} and stored with
 * its statistics, so that {@code shopgraph.bundle} scores with the same ones.
 *
 * <p>Defaults are those of {@code CoPurchaseConfig} in {@code evaluation/bundles.py}, with the
 * half-life in days: the reference's tuned 8000 orders of UCI Online Retail, at its 59 orders
 * a day (22,061 orders from 2010-12-01 to 2011-12-09), are {@value #DEFAULT_HALF_LIFE_DAYS}
 * days.
 *
 * @param orderWeight {@code w(b)} of orders, in [0, 1]; default 1.0
 * @param cartWeight {@code w(b)} of a session's added-to-cart items, in [0, 1]; default 0.5
 * @param viewWeight {@code w(b)} of a session's viewed items, in [0, 1]; default 0.1
 * @param halfLifeDays the recency half-life, in days, of a basket's weight by its age (from the
 *     newest basket), positive, or {@link #NO_DECAY}; default 135
 * @param userCap most that one user adds to an item's mass or a pair's support, positive;
 *     default 1.0
 */
public record MassConfig(
        double orderWeight, double cartWeight, double viewWeight, double halfLifeDays, double userCap) {

    /** {@link #halfLifeDays} of no recency decay ({@code halfLifeDays: null} in a config map). */
    public static final double NO_DECAY = Double.POSITIVE_INFINITY;
    /** The default half-life in days. */
    public static final double DEFAULT_HALF_LIFE_DAYS = 135.0;
    /** The values of {@code orderWeight}, {@code cartWeight} and {@code viewWeight}. */
    static final Range SOURCE_WEIGHT = Range.between(0, 1);
    /** The values of {@code halfLifeDays} (or null). */
    static final Range HALF_LIFE = Range.above(0);
    /** The values of {@code userCap}. */
    static final Range USER_CAP = Range.above(0);
    /** The defaults. */
    public static final MassConfig DEFAULTS = new MassConfig(1.0, 0.5, 0.1, DEFAULT_HALF_LIFE_DAYS, 1.0);

    /** A time-less basket, or no {@code now} at all: {@code d(b) = 1}. */
    public static final long NO_TIME = Long.MIN_VALUE;

    private static final double MILLIS_PER_DAY = 86_400_000.0;

    /** Checks the ranges, with the sentences of the config keys ({@link ConfigReader}). */
    public MassConfig {
        ConfigReader.checkNumber("orderWeight", orderWeight, SOURCE_WEIGHT);
        ConfigReader.checkNumber("cartWeight", cartWeight, SOURCE_WEIGHT);
        ConfigReader.checkNumber("viewWeight", viewWeight, SOURCE_WEIGHT);
        if (halfLifeDays != NO_DECAY) {
            ConfigReader.checkNumber("halfLifeDays", halfLifeDays, HALF_LIFE);
        }
        ConfigReader.checkNumber("userCap", userCap, USER_CAP);
    }

    /** {@code w(b)} of a basket of this source. */
    public double weight(Source source) {
        return switch (source) {
            case ORDER -> orderWeight;
            case CART -> cartWeight;
            case VIEW -> viewWeight;
        };
    }

    /**
     * {@code w(b) d(b)}: the source weight times {@code 0.5 ^ (age in days / halfLifeDays)}.
     * A basket newer than {@code now} (loaded after the last refresh) counts as of {@code now}.
     *
     * @param source the basket's source
     * @param nowMillis the reference time in epoch milliseconds, or {@link #NO_TIME}
     * @param timeMillis the basket's time in epoch milliseconds, or {@link #NO_TIME}
     */
    public double basketWeight(Source source, long nowMillis, long timeMillis) {
        double weight = weight(source);
        if (timeMillis == NO_TIME || nowMillis == NO_TIME || halfLifeDays == NO_DECAY) {
            return weight;
        }
        long age = Math.max(0L, nowMillis - timeMillis);
        return weight * Math.pow(0.5, age / MILLIS_PER_DAY / halfLifeDays);
    }
}
