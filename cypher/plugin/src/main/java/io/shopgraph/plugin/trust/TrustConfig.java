package io.shopgraph.plugin.trust;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The thresholds of {@link TrustScorer}; every value has a default and is checked by
 * {@link #parse(Map)}.
 *
 * @param minGroup a lockstep pair needs at least this many users holding both items
 * @param jaccard a lockstep pair needs {@code |U_i and U_j| / |U_i or U_j|} at least this
 * @param lockstepFull partners of one item within a profile at which the lockstep penalty is full
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
public record TrustConfig(long minGroup, double jaccard, long lockstepFull, double rateStart,
                          double rateFull, long minSessionEvents, double repeatStart,
                          double repeatFull, long blindFull, double newAccountHours,
                          double newAccountPenalty, double floor) {

    private static final Map<String, Object> DEFAULTS = defaults();

    private static Map<String, Object> defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("minGroup", 10L);
        values.put("jaccard", 0.7);
        values.put("lockstepFull", 3L);
        values.put("rateStart", 20.0);
        values.put("rateFull", 60.0);
        values.put("minSessionEvents", 5L);
        values.put("repeatStart", 10.0);
        values.put("repeatFull", 40.0);
        values.put("blindFull", 3L);
        values.put("newAccountHours", 1.0);
        values.put("newAccountPenalty", 0.2);
        values.put("floor", 0.02);
        return values;
    }

    /** The defaults. */
    public static TrustConfig standard() {
        return parse(Map.of());
    }

    /**
     * Reads a config map; missing keys take their defaults.
     *
     * @param values keys of this record, numbers as values; null means all defaults
     * @return the config
     * @throws IllegalArgumentException on an unknown key, a value that is not a number, or a
     *     value out of range
     */
    public static TrustConfig parse(Map<String, ?> values) {
        Map<String, Object> merged = new LinkedHashMap<>(DEFAULTS);
        if (values != null) {
            Set<String> unknown = new TreeSet<>(values.keySet());
            unknown.removeAll(DEFAULTS.keySet());
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("Unknown trust config key " + String.join(", ", unknown)
                        + "; known keys are " + String.join(", ", new TreeSet<>(DEFAULTS.keySet())) + ".");
            }
            merged.putAll(values);
        }
        TrustConfig config = new TrustConfig(
                integer(merged, "minGroup", 2), fraction(merged, "jaccard"),
                integer(merged, "lockstepFull", 2), positive(merged, "rateStart"),
                positive(merged, "rateFull"), integer(merged, "minSessionEvents", 2),
                positive(merged, "repeatStart"), positive(merged, "repeatFull"),
                integer(merged, "blindFull", 1), positive(merged, "newAccountHours"),
                fraction(merged, "newAccountPenalty"), fraction(merged, "floor"));
        if (config.rateFull <= config.rateStart) {
            throw new IllegalArgumentException("rateFull must be above rateStart, got " + config.rateFull
                    + " and " + config.rateStart + ".");
        }
        if (config.repeatFull <= config.repeatStart) {
            throw new IllegalArgumentException("repeatFull must be above repeatStart, got "
                    + config.repeatFull + " and " + config.repeatStart + ".");
        }
        return config;
    }

    private static Number number(Map<String, Object> values, String key) {
        Object value = values.get(key);
        if (!(value instanceof Number number)) {
            throw new IllegalArgumentException(key + " must be a number, got " + value + ".");
        }
        return number;
    }

    private static long integer(Map<String, Object> values, String key, long least) {
        Number number = number(values, key);
        if (number.doubleValue() != Math.rint(number.doubleValue()) || number.longValue() < least) {
            throw new IllegalArgumentException(key + " must be a whole number of at least " + least
                    + ", got " + number + ".");
        }
        return number.longValue();
    }

    private static double fraction(Map<String, Object> values, String key) {
        double value = number(values, key).doubleValue();
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(key + " must be between 0 and 1, got " + value + ".");
        }
        return value;
    }

    private static double positive(Map<String, Object> values, String key) {
        double value = number(values, key).doubleValue();
        if (!(value > 0.0 && Double.isFinite(value))) {
            throw new IllegalArgumentException(key + " must be positive and finite, got " + value + ".");
        }
        return value;
    }
}
