package io.shopgraph.plugin.bundle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The config maps of {@code shopgraph.bundle} and {@code shopgraph.bundle.refresh}, validated.
 * Every key is optional; an unknown key, a wrong type or a value out of range is an
 * {@link IllegalArgumentException} that names the key.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>in</th></tr>
 *   <tr><td>orderWeight, cartWeight, viewWeight</td><td>1.0, 0.5, 0.1</td><td>refresh (and
 *       bundle, where it must equal the refresh's)</td></tr>
 *   <tr><td>halfLifeDays (null: no decay)</td><td>135.0</td><td>same</td></tr>
 *   <tr><td>userCap</td><td>1.0</td><td>same</td></tr>
 *   <tr><td>alpha, beta, smoothing, sizeExponent</td><td>0.5, 0.6, 10, 0.5</td><td>bundle</td></tr>
 *   <tr><td>maxBasketSize (null: no limit)</td><td>null</td><td>bundle</td></tr>
 *   <tr><td>adjacencyBonus (0: off)</td><td>2.0</td><td>bundle</td></tr>
 *   <tr><td>user, maxPerBrand, categories, maxPrice</td><td>null (no filter)</td><td>bundle</td></tr>
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
     * @throws IllegalArgumentException for an unknown key or a bad value
     */
    public static MassConfig parseRefresh(Map<String, Object> config) {
        Map<String, Object> map = config == null ? Map.of() : config;
        requireKnown(map, MASS_KEYS);
        return massConfig(map, MassConfig.DEFAULTS);
    }

    /**
     * Parses the config of {@code shopgraph.bundle}.
     *
     * @param config the map (null means empty)
     * @return the knobs and filters, defaults where absent
     * @throws IllegalArgumentException for an unknown key or a bad value
     */
    public static BundleConfig parse(Map<String, Object> config) {
        Map<String, Object> map = config == null ? Map.of() : config;
        List<String> known = new ArrayList<>(SCORING_KEYS);
        known.addAll(OPTION_KEYS);
        known.addAll(MASS_KEYS);
        requireKnown(map, known);
        ScoringConfig defaults = ScoringConfig.DEFAULTS;
        Object maxBasketSize = map.get("maxBasketSize");
        ScoringConfig scoring = new ScoringConfig(
                number(map, "alpha", defaults.alpha()),
                number(map, "beta", defaults.beta()),
                number(map, "smoothing", defaults.smoothing()),
                number(map, "sizeExponent", defaults.sizeExponent()),
                maxBasketSize == null ? ScoringConfig.NO_LIMIT : integer("maxBasketSize", maxBasketSize),
                number(map, "adjacencyBonus", defaults.adjacencyBonus()));
        BundleOptions options = options(map);
        // Validate the mass knobs given, keeping only those.
        MassConfig given = massConfig(map, MassConfig.DEFAULTS);
        Map<String, Double> mass = new LinkedHashMap<>();
        for (String key : MASS_KEYS) {
            if (map.containsKey(key)) {
                mass.put(key, massValue(given, key));
            }
        }
        return new BundleConfig(scoring, options, Map.copyOf(mass));
    }

    /**
     * Checks that the mass-relevant knobs given equal those the statistics were computed with.
     *
     * @param used the knobs of the last refresh
     * @throws IllegalArgumentException naming the first knob that differs
     */
    public void requireSameMass(MassConfig used) {
        for (String key : MASS_KEYS) {
            Double value = mass.get(key);
            if (value != null && Double.compare(value, massValue(used, key)) != 0) {
                throw new IllegalArgumentException(key + " " + show(key, value) + " differs from the "
                        + show(key, massValue(used, key)) + " of the last refresh: run CALL"
                        + " shopgraph.bundle.refresh() with it first, or leave it out.");
            }
        }
    }

    private static MassConfig massConfig(Map<String, Object> map, MassConfig defaults) {
        double halfLife = defaults.halfLifeDays();
        if (map.containsKey("halfLifeDays")) {
            Object value = map.get("halfLifeDays");
            halfLife = value == null ? MassConfig.NO_DECAY : requireNumber("halfLifeDays", value);
        }
        return new MassConfig(
                number(map, "orderWeight", defaults.orderWeight()),
                number(map, "cartWeight", defaults.cartWeight()),
                number(map, "viewWeight", defaults.viewWeight()),
                halfLife,
                number(map, "userCap", defaults.userCap()));
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

    private static BundleOptions options(Map<String, Object> map) {
        Object user = map.get("user");
        if (user != null && !(user instanceof String s && !s.isBlank())) {
            throw new IllegalArgumentException("user must be a user id (a non-empty string), got "
                    + describe(user) + ".");
        }
        Object maxPerBrand = map.get("maxPerBrand");
        int perBrand = Selection.NO_LIMIT;
        if (maxPerBrand != null) {
            perBrand = integer("maxPerBrand", maxPerBrand);
            if (perBrand < 1) {
                throw new IllegalArgumentException(
                        "maxPerBrand must be an integer of at least 1, got " + perBrand + ".");
            }
        }
        Object inStockOnly = map.get("inStockOnly");
        if (inStockOnly != null && !(inStockOnly instanceof Boolean)) {
            throw new IllegalArgumentException(
                    "inStockOnly must be true or false, got " + describe(inStockOnly) + ".");
        }
        Object maxPrice = map.get("maxPrice");
        double price = BundleOptions.NO_MAX_PRICE;
        if (maxPrice != null) {
            price = requireNumber("maxPrice", maxPrice);
            if (price < 0.0) {
                throw new IllegalArgumentException(
                        "maxPrice must be a number of at least 0, got " + price + ".");
            }
        }
        return new BundleOptions((String) user, perBrand, categories(map.get("categories")),
                inStockOnly == null || (Boolean) inStockOnly, price);
    }

    private static List<String> categories(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("categories must be a list of category codes (strings),"
                    + " got " + describe(value) + ".");
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("categories must name at least one category code,"
                    + " or be left out for every category.");
        }
        Set<String> codes = new java.util.LinkedHashSet<>();
        for (Object code : list) {
            if (!(code instanceof String s) || s.isBlank()) {
                throw new IllegalArgumentException("categories must be a list of category codes"
                        + " (strings), got an element " + describe(code) + ".");
            }
            codes.add(s);
        }
        return List.copyOf(codes);
    }

    private static void requireKnown(Map<String, Object> map, List<String> known) {
        for (String key : map.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("Unknown config key '" + key + "'; known keys: "
                        + String.join(", ", new TreeSet<>(known)) + ".");
            }
        }
    }

    private static double number(Map<String, Object> map, String key, double otherwise) {
        Object value = map.get(key);
        return value == null ? otherwise : requireNumber(key, value);
    }

    private static double requireNumber(String key, Object value) {
        if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
            throw new IllegalArgumentException(key + " must be a finite number, got " + describe(value) + ".");
        }
        return number.doubleValue();
    }

    private static int integer(String key, Object value) {
        if (!(value instanceof Long || value instanceof Integer)
                || ((Number) value).longValue() != ((Number) value).intValue()) {
            throw new IllegalArgumentException(key + " must be an integer, got " + describe(value) + ".");
        }
        return ((Number) value).intValue();
    }

    /** A value as a message shows it: {@code 'text'}, {@code 2.5}, {@code true}, {@code null}, .... */
    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        if (value instanceof Map<?, ?>) {
            return "a map";
        }
        return "a " + value.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }
}
