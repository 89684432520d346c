package io.shopgraph.plugin.recommend;

import io.shopgraph.plugin.common.Arguments;
import io.shopgraph.plugin.common.ConfigReader;
import io.shopgraph.plugin.common.ConfigReader.Range;
import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.walk.WalkConfig;
import java.util.List;
import java.util.Map;

/**
 * The validated config of {@code shopgraph.recommend}. Keys (all optional; absent or null:
 * the default, but for the diversity limits):
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
 *   <li>{@code maxPerBrand} (default 3) and {@code maxPerCategory} (default 4), 1 to 1000 or
 *       null for no limit: diversity of the final list;
 *   <li>{@code inStockOnly} (true): leave out items with {@code inStock = false};
 *   <li>{@code steps} (1 to 1,000,000, default 10,000) and {@code seed} (default 42): the
 *       random walks when the stages' blended scores rank;
 *   <li>{@code modelSteps} (1 to 1,000,000, default 5,000): the steps of the walks when the
 *       model ranks. The walks then only bring candidates, which the model orders, so they
 *       need fewer steps than when their own scores rank (benchmarks/walk_steps.py measures
 *       how the model's top items change with the steps; benchmarks/RESULTS.md has the
 *       figures), and the walks are the longest stage of a call.
 * </ul>
 */
public record RecommendConfig(int walkCandidates, int bundleCandidates, int popularCandidates,
                              double walkWeight, double bundleWeight, double popularWeight,
                              boolean useModel, int cartItems, int maxPerBrand, int maxPerCategory,
                              boolean inStockOnly, int steps, int modelSteps, long seed, int newItems) {

    /** A diversity limit that never binds. */
    public static final int NO_LIMIT = Integer.MAX_VALUE;

    static final List<String> KEYS = List.of("walkCandidates", "bundleCandidates",
            "popularCandidates", "walkWeight", "bundleWeight", "popularWeight", "useModel",
            "cartItems", "maxPerBrand", "maxPerCategory", "inStockOnly", "steps", "modelSteps", "seed", "newItems");

    /**
     * Parses and validates a config map; missing keys take their defaults.
     *
     * @throws ShopgraphException naming the key, for an unknown key, a wrong type or an
     *     out-of-range value
     */
    public static RecommendConfig parse(Map<String, ?> raw) {
        ConfigReader config = ConfigReader.of(raw, KEYS);
        return new RecommendConfig(
                (int) config.integer("walkCandidates", 200, 0, 1000),
                (int) config.integer("bundleCandidates", 200, 0, 1000),
                (int) config.integer("popularCandidates", 100, 0, 1000),
                config.number("walkWeight", 1.0, Range.atLeast(0)),
                config.number("bundleWeight", 1.0, Range.atLeast(0)),
                config.number("popularWeight", 0.25, Range.atLeast(0)),
                config.bool("useModel", true),
                (int) config.integer("cartItems", 10, 1, Arguments.MAX_ITEMS),
                limit(config, "maxPerBrand", 3),
                limit(config, "maxPerCategory", 4),
                config.bool("inStockOnly", true),
                (int) config.integer("steps", 10_000, 1, WalkConfig.MAX_STEPS),
                (int) config.integer("modelSteps", 5_000, 1, WalkConfig.MAX_STEPS),
                config.integer("seed", 42, Long.MIN_VALUE, Long.MAX_VALUE),
                (int) config.integer("newItems", 1, 0, 1000));
    }

    private static int limit(ConfigReader config, String key, long fallback) {
        Long limit = config.integerOrNull(key, fallback, 1, 1000);
        return limit == null ? NO_LIMIT : limit.intValue();
    }
}
