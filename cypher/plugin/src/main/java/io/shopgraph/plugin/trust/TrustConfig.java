package io.shopgraph.plugin.trust;

import io.shopgraph.plugin.common.ConfigReader;
import io.shopgraph.plugin.common.ConfigReader.Range;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.List;
import java.util.Map;

/**
 * The thresholds of {@link TrustScorer}; every value has a default and is checked by
 * {@link #parse(Map)}.
 *
 * @param minGroup a lockstep pair needs at least this many users holding both items
 * @param jaccard a lockstep pair needs {@code |U_i and U_j| / |U_i or U_j|} at least this
 * @param lockstepFull partners of one item within a profile at which the lockstep penalty is full
 * @param corroboration crowd items (see {@link TrustScorer}) from which a user has no lockstep
 *     penalty; 0 turns corroboration off
 * @param crowdShare an item is a crowd item when the crowd holds at least this share of its audience
 * @param rateStart events per minute in a session where the velocity penalty starts
 * @param rateFull events per minute where it is full
 * @param minSessionEvents sessions with fewer events are not rated
 * @param repeatStart events per distinct item where the repeat penalty starts
 * @param repeatFull events per distinct item where it is full
 * @param blindFull purchased items never browsed at which the blind-purchase penalty is full
 * @param newAccountHours an account whose events span less than this is new
 * @param newAccountPenalty the penalty of a new account that bought something
 * @param floor the least trust a user gets
 */
public record TrustConfig(long minGroup, double jaccard, long lockstepFull, long corroboration,
                          double crowdShare, double rateStart,
                          double rateFull, long minSessionEvents, double repeatStart,
                          double repeatFull, long blindFull, double newAccountHours,
                          double newAccountPenalty, double floor) {

    /** The keys, in the order of the record. */
    static final List<String> KEYS = List.of("minGroup", "jaccard", "lockstepFull", "corroboration",
            "crowdShare", "rateStart",
            "rateFull", "minSessionEvents", "repeatStart", "repeatFull", "blindFull", "newAccountHours",
            "newAccountPenalty", "floor");

    /** The largest value of the integer keys. */
    private static final long MAX_COUNT = 1_000_000;

    /** The defaults. */
    public static TrustConfig standard() {
        return parse(Map.of());
    }

    /**
     * Reads a config map; missing keys take their defaults.
     *
     * @param values keys of this record, numbers as values; null means all defaults
     * @return the config
     * @throws ShopgraphException on an unknown key, a value of the wrong type, or a value out
     *     of range
     */
    public static TrustConfig parse(Map<String, ?> values) {
        ConfigReader reader = ConfigReader.of(values, KEYS);
        Range positive = Range.above(0);
        Range fraction = Range.between(0, 1);
        TrustConfig config = new TrustConfig(
                reader.integer("minGroup", 10, 2, MAX_COUNT),
                reader.number("jaccard", 0.7, fraction),
                reader.integer("lockstepFull", 3, 2, MAX_COUNT),
                reader.integer("corroboration", 3, 0, MAX_COUNT),
                reader.number("crowdShare", 0.2, fraction),
                reader.number("rateStart", 20.0, positive),
                reader.number("rateFull", 60.0, positive),
                reader.integer("minSessionEvents", 5, 2, MAX_COUNT),
                reader.number("repeatStart", 10.0, positive),
                reader.number("repeatFull", 40.0, positive),
                reader.integer("blindFull", 3, 1, MAX_COUNT),
                reader.number("newAccountHours", 1.0, positive),
                reader.number("newAccountPenalty", 0.2, fraction),
                reader.number("floor", 0.02, fraction));
        requireAbove("rateFull", config.rateFull, "rateStart", config.rateStart);
        requireAbove("repeatFull", config.repeatFull, "repeatStart", config.repeatStart);
        return config;
    }

    private static void requireAbove(String key, double value, String other, double bound) {
        if (value <= bound) {
            throw ShopgraphException.badArgument("Config key '" + key + "' must be greater than '"
                    + other + "' (" + bound + "), got " + value + ".");
        }
    }
}
