package io.shopgraph.plugin.recommend;

import io.shopgraph.plugin.common.CypherValues;
import java.util.List;
import java.util.Map;

/**
 * The validated config of {@code shopgraph.recommend}. Keys (all optional):
 *
 * <ul>
 *   <li>{@code walkCandidates} (integer 0 to 1000, default 200), {@code bundleCandidates}
 *       (0 to 1000, default 200), {@code popularCandidates} (0 to 1000, default 100): how many
 *       candidates each stage brings (0 turns a stage off);
 *   <li>{@code walkWeight} (1.0), {@code bundleWeight} (1.0), {@code popularWeight} (0.25):
 *       weights of each stage's normalised score in the blended ranking (no active model);
 *   <li>{@code useModel} (true): rank by the active embedding model's score when there is one
 *       and the user has an embedding;
 *   <li>{@code cartItems} (1 to 50, default 10): how many of the user's most recent items form
 *       the cart of the co-purchase stage;
 *   <li>{@code maxPerBrand} (default 3) and {@code maxPerCategory} (default 4): diversity of
 *       the final list (null: no limit);
 *   <li>{@code inStockOnly} (true): leave out items with {@code inStock = false};
 *   <li>{@code steps} (1 to 1,000,000, default 10,000) and {@code seed} (default 42): the
 *       random walks when the stages' blended scores rank;
 *   <li>{@code modelSteps} (1 to 1,000,000, default 5,000): the steps of the walks when the
 *       model ranks. The walks then only bring candidates, which the model orders: half the
 *       steps change the model's top 10 about as much as another seed does (1M-event benchmark
 *       shop, random embeddings: overlap with the top 10 of 200,000-step walks 0.58 at 5,000
 *       steps, 0.62 at 10,000; two seeds at 10,000 share 0.59; benchmarks/walk_steps.py), and
 *       the walks are the longest stage of a call.
 * </ul>
 */
public record RecommendConfig(int walkCandidates, int bundleCandidates, int popularCandidates,
                              double walkWeight, double bundleWeight, double popularWeight,
                              boolean useModel, int cartItems, int maxPerBrand, int maxPerCategory,
                              boolean inStockOnly, int steps, int modelSteps, long seed) {

    /** A diversity limit that never binds. */
    public static final int NO_LIMIT = Integer.MAX_VALUE;

    static final List<String> KEYS = List.of("walkCandidates", "bundleCandidates",
            "popularCandidates", "walkWeight", "bundleWeight", "popularWeight", "useModel",
            "cartItems", "maxPerBrand", "maxPerCategory", "inStockOnly", "steps", "modelSteps", "seed");

    /**
     * Parses and validates a config map; missing keys take their defaults.
     *
     * @throws IllegalArgumentException naming the key, for an unknown key, a wrong type or an
     *     out-of-range value
     */
    public static RecommendConfig parse(Map<String, ?> raw) {
        Map<String, ?> values = raw == null ? Map.of() : raw;
        for (String key : values.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("Unknown config key '" + key + "'; known keys: "
                        + String.join(", ", KEYS) + ".");
            }
        }
        return new RecommendConfig(
                (int) integer(values, "walkCandidates", 200, 0, 1000),
                (int) integer(values, "bundleCandidates", 200, 0, 1000),
                (int) integer(values, "popularCandidates", 100, 0, 1000),
                weight(values, "walkWeight", 1.0),
                weight(values, "bundleWeight", 1.0),
                weight(values, "popularWeight", 0.25),
                bool(values, "useModel", true),
                (int) integer(values, "cartItems", 10, 1, 50),
                limit(values, "maxPerBrand", 3),
                limit(values, "maxPerCategory", 4),
                bool(values, "inStockOnly", true),
                (int) integer(values, "steps", 10_000, 1, 1_000_000),
                (int) integer(values, "modelSteps", 5_000, 1, 1_000_000),
                integer(values, "seed", 42, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    private static long integer(Map<String, ?> values, String key, long fallback, long min, long max) {
        if (!values.containsKey(key)) {
            return fallback;
        }
        Object value = values.get(key);
        if (!(value instanceof Long || value instanceof Integer)) {
            throw new IllegalArgumentException("Config key '" + key + "' must be an integer, got "
                    + CypherValues.describe(value) + ".");
        }
        long n = ((Number) value).longValue();
        if (n < min || n > max) {
            throw new IllegalArgumentException("Config key '" + key + "' must be between " + min
                    + " and " + max + ", got " + n + ".");
        }
        return n;
    }

    private static int limit(Map<String, ?> values, String key, int fallback) {
        if (values.containsKey(key) && values.get(key) == null) {
            return NO_LIMIT;
        }
        return (int) integer(values, key, fallback, 1, 1000);
    }

    private static double weight(Map<String, ?> values, String key, double fallback) {
        if (!values.containsKey(key)) {
            return fallback;
        }
        Object value = values.get(key);
        if (!(value instanceof Number n) || !(n.doubleValue() >= 0) || Double.isInfinite(n.doubleValue())) {
            throw new IllegalArgumentException("Config key '" + key + "' must be a finite number of"
                    + " at least 0, got " + CypherValues.describe(value) + ".");
        }
        return n.doubleValue();
    }

    private static boolean bool(Map<String, ?> values, String key, boolean fallback) {
        if (!values.containsKey(key)) {
            return fallback;
        }
        if (!(values.get(key) instanceof Boolean b)) {
            throw new IllegalArgumentException("Config key '" + key + "' must be a boolean, got "
                    + CypherValues.describe(values.get(key)) + ".");
        }
        return b;
    }
}
