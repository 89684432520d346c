package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.ConfigReader;
import io.shopgraph.plugin.common.ConfigReader.Range;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config maps of {@code shopgraph.bundle} and {@code shopgraph.bundle.refresh}, validated
 * by {@link ConfigReader}. Every key is optional; an unknown key, a wrong type or a value out of
 * range is a {@link ShopgraphException} that names the key.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>in</th></tr>
 *   <tr><td>orderWeight, cartWeight, viewWeight</td><td>1.0, 0.5, 0.1</td><td>refresh (and
 *       bundle, where it must equal the refresh's)</td></tr>
 *   <tr><td>halfLifeDays (null: no decay)</td><td>135.0</td><td>same</td></tr>
 *   <tr><td>userCap</td><td>1.0</td><td>same</td></tr>
 *   <tr><td>alpha, beta, smoothing, sizeExponent</td><td>0.5, 0.6, 10, 0.5</td><td>bundle</td></tr>
 *   <tr><td>maxBasketSize (2 to 1,000,000; null: no limit)</td><td>null</td><td>bundle</td></tr>
 *   <tr><td>adjacencyBonus (0: off)</td><td>2.0</td><td>bundle</td></tr>
 *   <tr><td>user, maxPerBrand (1 to 1000), categories, maxPrice</td><td>null (no filter)</td><td>bundle</td></tr>
 *   <tr><td>inStockOnly</td><td>true</td><td>bundle</td></tr>
 * </table>
 *
 * <p>A key given as {@code null} takes its default, except {@code halfLifeDays}, where null
 * means no decay.
 *
 * @param scoring the score's knobs
 * @param options the filters
 * @param mass the mass-relevant knobs the caller gave (absent ones are not checked)
 */
public record BundleConfig(ScoringConfig scoring, BundleOptions options, Map<String, Double> mass) {

    /** Keys of the mass-relevant knobs, accepted by both procedures. */
    public static final List<String> MASS_KEYS =
            List.of("orderWeight", "cartWeight", "viewWeight", "halfLifeDays", "userCap");
    /** Keys of the score's knobs. */
    public static final List<String> SCORING_KEYS =
            List.of("alpha", "beta", "smoothing", "sizeExponent", "maxBasketSize", "adjacencyBonus");
    /** Keys of the filters. */
    public static final List<String> OPTION_KEYS =
            List.of("user", "maxPerBrand", "categories", "inStockOnly", "maxPrice");

    /**
     * The filters of {@code shopgraph.bundle}.
     *
     * @param user leave out the items this user bought in orders, or null
     * @param maxPerBrand most items of one brand, or {@link Selection#NO_LIMIT}
     * @param categories only items in one of these categories or a descendant, or null
     * @param inStockOnly leave out items with {@code inStock = false}
     * @param maxPrice leave out items with a price above it or without a price, or
     *     {@link #NO_MAX_PRICE}
     */
    public record BundleOptions(
            String user, int maxPerBrand, List<String> categories, boolean inStockOnly, double maxPrice) {

        /** {@link #maxPrice} of no price filter. */
        public static final double NO_MAX_PRICE = Double.POSITIVE_INFINITY;

        /** No filter but {@code inStockOnly}. */
        public static final BundleOptions DEFAULTS =
                new BundleOptions(null, Selection.NO_LIMIT, null, true, NO_MAX_PRICE);
    }

    /**
     * Parses the config of {@code shopgraph.bundle.refresh}.
     *
     * @param config the map (null means empty)
     * @return the knobs, defaults where absent
     * @throws ShopgraphException for an unknown key or a bad value
     */
    public static MassConfig parseRefresh(Map<String, Object> config) {
        return massConfig(ConfigReader.of(config, MASS_KEYS));
    }

    /**
     * Parses the config of {@code shopgraph.bundle}.
     *
     * @param config the map (null means empty)
     * @return the knobs and filters, defaults where absent
     * @throws ShopgraphException for an unknown key or a bad value
     */
    public static BundleConfig parse(Map<String, Object> config) {
        List<String> known = new ArrayList<>(SCORING_KEYS);
        known.addAll(OPTION_KEYS);
        known.addAll(MASS_KEYS);
        ConfigReader reader = ConfigReader.of(config, known);
        ScoringConfig defaults = ScoringConfig.DEFAULTS;
        ScoringConfig scoring = new ScoringConfig(
                reader.number("alpha", defaults.alpha(), ScoringConfig.EXPONENT),
                reader.number("beta", defaults.beta(), ScoringConfig.EXPONENT),
                reader.number("smoothing", defaults.smoothing(), ScoringConfig.EXPONENT),
                reader.number("sizeExponent", defaults.sizeExponent(), ScoringConfig.EXPONENT),
                (int) reader.integer("maxBasketSize", ScoringConfig.NO_LIMIT, ScoringConfig.MIN_BASKET_SIZE,
                        ScoringConfig.MAX_BASKET_SIZE),
                reader.number("adjacencyBonus", defaults.adjacencyBonus(), ScoringConfig.EXPONENT));
        BundleOptions options = options(reader);
        // Validate the mass knobs given, keeping only those.
        MassConfig given = massConfig(reader);
        Map<String, Double> mass = new LinkedHashMap<>();
        for (String key : MASS_KEYS) {
            if (config != null && config.containsKey(key)) {
                mass.put(key, massValue(given, key));
            }
        }
        return new BundleConfig(scoring, options, Map.copyOf(mass));
    }

    /**
     * Checks that the mass-relevant knobs given equal those the statistics were computed with.
     *
     * @param used the knobs of the last refresh
     * @throws ShopgraphException of code {@code CONFLICT}, naming the first knob that differs
     */
    public void requireSameMass(MassConfig used) {
        for (String key : MASS_KEYS) {
            Double value = mass.get(key);
            if (value != null && Double.compare(value, massValue(used, key)) != 0) {
                throw ShopgraphException.conflict("Config key '" + key + "' is " + show(key, value)
                        + " but the last refresh used " + show(key, massValue(used, key)) + ": run CALL"
                        + " shopgraph.bundle.refresh() with it first, or leave it out.");
            }
        }
    }

    private static MassConfig massConfig(ConfigReader reader) {
        MassConfig defaults = MassConfig.DEFAULTS;
        Double halfLife = reader.numberOrNull("halfLifeDays", defaults.halfLifeDays(), MassConfig.HALF_LIFE);
        return new MassConfig(
                reader.number("orderWeight", defaults.orderWeight(), MassConfig.SOURCE_WEIGHT),
                reader.number("cartWeight", defaults.cartWeight(), MassConfig.SOURCE_WEIGHT),
                reader.number("viewWeight", defaults.viewWeight(), MassConfig.SOURCE_WEIGHT),
                halfLife == null ? MassConfig.NO_DECAY : halfLife,
                reader.number("userCap", defaults.userCap(), MassConfig.USER_CAP));
    }

    private static double massValue(MassConfig config, String key) {
        return switch (key) {
            case "orderWeight" -> config.orderWeight();
            case "cartWeight" -> config.cartWeight();
            case "viewWeight" -> config.viewWeight();
            case "halfLifeDays" -> config.halfLifeDays();
            case "userCap" -> config.userCap();
            default -> throw new IllegalStateException("not a mass key: " + key);
        };
    }

    private static String show(String key, double value) {
        return key.equals("halfLifeDays") && value == MassConfig.NO_DECAY ? "null (no decay)"
                : String.valueOf(value);
    }

    private static BundleOptions options(ConfigReader reader) {
        List<String> categories = reader.strings("categories");
        if (categories != null && categories.isEmpty()) {
            throw ShopgraphException.badArgument("Config key 'categories' must name at least one"
                    + " category code, or be left out for every category.");
        }
        return new BundleOptions(reader.id("user"),
                (int) reader.integer("maxPerBrand", Selection.NO_LIMIT, 1, Selection.MAX_PER_BRAND),
                categories, reader.bool("inStockOnly", true),
                reader.number("maxPrice", BundleOptions.NO_MAX_PRICE, Range.atLeast(0)));
    }
}
