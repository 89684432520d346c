package io.shopgraph.plugin.export;

import io.shopgraph.plugin.common.CypherValues;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The config map of {@code shopgraph.export.interactions}, validated. Every key is optional;
 * an unknown key, a wrong type or a value out of range is an {@link IllegalArgumentException}
 * naming the key.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>since, until</td><td>null</td><td>the time window (datetimes with a time zone;
 *       null: open); interactions without a time are outside any window</td></tr>
 *   <tr><td>categories</td><td>[] (every item)</td><td>category codes; items in one of them or
 *       a descendant only</td></tr>
 *   <tr><td>weights</td><td>VIEWED 1, ADDED_TO_CART 2, REMOVED_FROM_CART 0, CONTAINS 4</td>
 *       <td>weight per kind ({@link InteractionKind}); a partial map merges with the
 *       defaults; 0 leaves the kind out</td></tr>
 *   <tr><td>halfLifeDays</td><td>30.0</td><td>recency half-life; null turns decay off</td></tr>
 *   <tr><td>now</td><td>none</td><td>the datetime ages are measured from; needed with
 *       decay</td></tr>
 *   <tr><td>useTrust</td><td>true</td><td>multiply by the relationship's {@code weight}</td></tr>
 *   <tr><td>usersPerRow</td><td>10000</td><td>users per result row, 1 to 1,000,000</td></tr>
 * </table>
 *
 * @param since interactions at or after it only, or null
 * @param until interactions at or before it only, or null
 * @param categories category codes, distinct, in the given order; empty: every item
 * @param weights the weight of every kind
 * @param halfLifeDays the half-life, or null for no decay
 * @param now the reference time of the decay, or null (only without decay)
 * @param useTrust whether relationship weights count
 * @param usersPerRow users per result row
 */
public record ExportConfig(Instant since, Instant until, List<String> categories,
                           Map<InteractionKind, Double> weights, Double halfLifeDays, Instant now,
                           boolean useTrust, int usersPerRow) {

    /** The keys of the config map. */
    public static final List<String> KEYS = List.of(
            "since", "until", "categories", "weights", "halfLifeDays", "now", "useTrust", "usersPerRow");
    /** The default half-life in days. */
    public static final double DEFAULT_HALF_LIFE_DAYS = 30.0;
    /** The default number of users per row. */
    public static final int DEFAULT_USERS_PER_ROW = 10_000;
    private static final int MAX_USERS_PER_ROW = 1_000_000;

    /**
     * Reads a config map; absent keys take their defaults.
     *
     * @param config the map (null means empty)
     * @return the config
     * @throws IllegalArgumentException on an unknown key or a bad value
     */
    public static ExportConfig parse(Map<String, Object> config) {
        Map<String, Object> map = config == null ? Map.of() : config;
        Set<String> unknown = new TreeSet<>(map.keySet());
        KEYS.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown export config key " + String.join(", ", unknown)
                    + "; known keys are " + String.join(", ", new TreeSet<>(KEYS)) + ".");
        }
        Instant since = time(map, "since");
        Instant until = time(map, "until");
        if (since != null && until != null && since.isAfter(until)) {
            throw new IllegalArgumentException("since must not be later than until, got " + since
                    + " and " + until + ".");
        }
        Double halfLife = DEFAULT_HALF_LIFE_DAYS;
        if (map.containsKey("halfLifeDays")) {
            Object value = map.get("halfLifeDays");
            halfLife = value == null ? null : positive("halfLifeDays", value);
        }
        Instant now = time(map, "now");
        if (halfLife != null && now == null) {
            throw new IllegalArgumentException("now must be given when halfLifeDays is set: it is the"
                    + " datetime that ages are measured from (shopgraph passes the latest event time).");
        }
        Object useTrust = map.getOrDefault("useTrust", Boolean.TRUE);
        if (!(useTrust instanceof Boolean trust)) {
            throw new IllegalArgumentException("useTrust must be a boolean, got "
                    + CypherValues.describe(useTrust) + ".");
        }
        return new ExportConfig(since, until, categories(map.get("categories")), weights(map.get("weights")),
                halfLife, now, trust, usersPerRow(map.getOrDefault("usersPerRow", (long) DEFAULT_USERS_PER_ROW)));
    }

    /** The weight of one kind. */
    public double weight(InteractionKind kind) {
        return weights.get(kind);
    }

    private static Instant time(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof ZonedDateTime zoned) {
            return zoned.toInstant();
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        throw new IllegalArgumentException(key + " must be a datetime with a time zone, got "
                + CypherValues.describe(value) + ".");
    }

    private static List<String> categories(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("categories must be a list of category codes, got "
                    + CypherValues.describe(value) + ".");
        }
        List<String> codes = new ArrayList<>();
        for (Object code : list) {
            if (!(code instanceof String s) || s.isEmpty()) {
                throw new IllegalArgumentException("categories must hold category codes (non-empty"
                        + " strings), got " + CypherValues.describe(code) + ".");
            }
            if (!codes.contains(s)) {
                codes.add(s);
            }
        }
        return Collections.unmodifiableList(codes);
    }

    private static Map<InteractionKind, Double> weights(Object value) {
        Map<InteractionKind, Double> weights = new EnumMap<>(InteractionKind.class);
        for (InteractionKind kind : InteractionKind.values()) {
            weights.put(kind, kind.defaultWeight());
        }
        if (value == null) {
            return Collections.unmodifiableMap(weights);
        }
        if (!(value instanceof Map<?, ?> given)) {
            throw new IllegalArgumentException("weights must be a map of interaction kinds to numbers,"
                    + " got " + CypherValues.describe(value) + ".");
        }
        for (Map.Entry<?, ?> entry : given.entrySet()) {
            String name = String.valueOf(entry.getKey());
            InteractionKind kind = Arrays.stream(InteractionKind.values())
                    .filter(k -> k.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Unknown interaction kind " + name
                            + " in weights; known kinds are " + Arrays.stream(InteractionKind.values())
                            .map(Enum::name).sorted().collect(Collectors.joining(", ")) + "."));
            Object weight = entry.getValue();
            if (!(weight instanceof Number number) || !(number.doubleValue() >= 0)
                    || Double.isInfinite(number.doubleValue())) {
                throw new IllegalArgumentException("The weight of " + name
                        + " must be a finite number of at least 0, got " + CypherValues.describe(weight) + ".");
            }
            weights.put(kind, number.doubleValue());
        }
        return Collections.unmodifiableMap(weights);
    }

    private static double positive(String key, Object value) {
        if (!(value instanceof Number number) || !(number.doubleValue() > 0)
                || Double.isInfinite(number.doubleValue())) {
            throw new IllegalArgumentException(key + " must be a positive finite number or null, got "
                    + CypherValues.describe(value) + ".");
        }
        return number.doubleValue();
    }

    private static int usersPerRow(Object value) {
        if (!(value instanceof Long || value instanceof Integer) || ((Number) value).longValue() < 1
                || ((Number) value).longValue() > MAX_USERS_PER_ROW) {
            throw new IllegalArgumentException("usersPerRow must be an integer between 1 and "
                    + MAX_USERS_PER_ROW + ", got " + CypherValues.describe(value) + ".");
        }
        return ((Number) value).intValue();
    }
}
