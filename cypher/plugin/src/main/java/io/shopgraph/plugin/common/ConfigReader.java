package io.shopgraph.plugin.common;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the {@code config} map of a procedure: the one place where config values are checked,
 * so that every procedure accepts the same value types and refuses the rest with the same
 * sentences ({@link ErrorCode#BAD_ARGUMENT}):
 *
 * <ul>
 *   <li>{@code Unknown config key 'x'; known keys: a, b, c.}
 *   <li>{@code Config key 'k' must be an integer, got the float 2.5.} Integer keys take Cypher
 *       integers only;
 *   <li>{@code Config key 'k' must be between 1 and 1000, got 0.}
 *   <li>{@code Config key 'k' must be a finite number of at least 0, got the float -1.0.} Float
 *       keys take integers and floats, finite, in the key's {@link Range};
 *   <li>{@code Config key 'k' must be a boolean, got the string 'yes'.}
 *   <li>{@code Config key 'k' must be a datetime with a timezone, got the local datetime
 *       2024-03-01T00:00.} A datetime without a timezone is refused wherever a time is taken.
 * </ul>
 *
 * <p>A key that is absent or given as {@code null} takes its default, except for the keys
 * whose readers say what null means ({@link #integerOrNull}, {@link #numberOrNull}: no limit,
 * no decay, ...).
 */
public final class ConfigReader {

    private final Map<String, ?> values;

    private ConfigReader(Map<String, ?> values) {
        this.values = values;
    }

    /**
     * A reader of {@code config}, refusing keys that are not in {@code known}.
     *
     * @param config the map given to the procedure; null means empty
     * @param known the keys the procedure accepts, in the order the sentence lists them
     */
    public static ConfigReader of(Map<String, ?> config, Collection<String> known) {
        Map<String, ?> values = config == null ? Map.of() : config;
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw ShopgraphException.badArgument("Unknown config key '" + key + "'; known keys: "
                        + String.join(", ", known) + ".");
            }
        }
        return new ConfigReader(values);
    }

    /** Whether the key is given with a value other than null. */
    public boolean has(String key) {
        return values.get(key) != null;
    }

    /** Whether the key is given as null (for keys where null has a meaning). */
    public boolean isNull(String key) {
        return values.containsKey(key) && values.get(key) == null;
    }

    /**
     * An integer key; absent or null: {@code fallback}.
     *
     * @param min the least value accepted
     * @param max the largest value accepted
     */
    public long integer(String key, long fallback, long min, long max) {
        Object value = values.get(key);
        return value == null ? fallback : checkInteger(key, value, min, max);
    }

    /**
     * An integer key where null has a meaning (no limit): absent gives {@code fallback}, null
     * gives null.
     */
    public Long integerOrNull(String key, Long fallback, long min, long max) {
        if (!values.containsKey(key)) {
            return fallback;
        }
        Object value = values.get(key);
        return value == null ? null : checkInteger(key, value, min, max);
    }

    /** A float key (integers are taken too); absent or null: {@code fallback}. */
    public double number(String key, double fallback, Range range) {
        Object value = values.get(key);
        return value == null ? fallback : checkNumber(key, value, range);
    }

    /**
     * A float key where null has a meaning (no decay): absent gives {@code fallback}, null
     * gives null.
     */
    public Double numberOrNull(String key, Double fallback, Range range) {
        if (!values.containsKey(key)) {
            return fallback;
        }
        Object value = values.get(key);
        return value == null ? null : checkNumber(key, value, range);
    }

    /** A boolean key; absent or null: {@code fallback}. */
    public boolean bool(String key, boolean fallback) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean b)) {
            throw invalid(key, "a boolean", value);
        }
        return b;
    }

    /** A datetime key with a timezone (offset or zone); absent or null: null. */
    public Instant datetime(String key) {
        Object value = values.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof ZonedDateTime zoned) {
            return zoned.toInstant();
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        throw invalid(key, "a datetime with a timezone", value);
    }

    /** An id key (a non-empty string, e.g. a user id to filter by); absent or null: null. */
    public String id(String key) {
        Object value = values.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s) || s.isBlank()) {
            throw invalid(key, "a non-empty id", value);
        }
        return s;
    }

    /**
     * A key holding a list of non-empty strings (codes, ids), repeats dropped; absent or null:
     * null.
     */
    public List<String> strings(String key) {
        Object value = values.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw invalid(key, "a list of non-empty strings", value);
        }
        Set<String> strings = new LinkedHashSet<>();
        for (int n = 0; n < list.size(); n++) {
            if (!(list.get(n) instanceof String s) || s.isBlank()) {
                throw ShopgraphException.badArgument("Config key '" + key + "' must hold non-empty"
                        + " strings, got " + CypherValues.describe(list.get(n)) + " at position "
                        + (n + 1) + ".");
            }
            strings.add(s);
        }
        return List.copyOf(strings);
    }

    /**
     * A key holding a map from type names to weights, merged over the defaults: "Config key
     * 'typeWeights' names unknown type 'VIEW'; known types: VIEWED, ...", "Config key
     * 'typeWeights' must give VIEWED a finite number of at least 0, got the float -1.0."
     *
     * @param key the key
     * @param types the enum of the type names
     * @param defaults the weight of a type the map does not name
     * @param range the weights accepted
     * @return every type's weight
     */
    public <E extends Enum<E>> Map<E, Double> weights(String key, Class<E> types,
                                                      Function<E, Double> defaults, Range range) {
        EnumMap<E, Double> weights = new EnumMap<>(types);
        for (E type : types.getEnumConstants()) {
            weights.put(type, defaults.apply(type));
        }
        Object value = values.get(key);
        if (value == null) {
            return Collections.unmodifiableMap(weights);
        }
        if (!(value instanceof Map<?, ?> given)) {
            throw invalid(key, "a map from type to weight", value);
        }
        for (Map.Entry<?, ?> entry : given.entrySet()) {
            String name = String.valueOf(entry.getKey());
            E type = null;
            List<String> names = new ArrayList<>();
            for (E candidate : types.getEnumConstants()) {
                names.add(candidate.name());
                if (candidate.name().equals(name)) {
                    type = candidate;
                }
            }
            if (type == null) {
                throw ShopgraphException.badArgument("Config key '" + key + "' names unknown type '"
                        + name + "'; known types: " + String.join(", ", names) + ".");
            }
            Object weight = entry.getValue();
            if (!isNumber(weight) || !range.contains(((Number) weight).doubleValue())) {
                throw ShopgraphException.badArgument("Config key '" + key + "' must give " + name + " "
                        + range.text() + ", got " + CypherValues.describe(weight) + ".");
            }
            weights.put(type, ((Number) weight).doubleValue());
        }
        return Collections.unmodifiableMap(weights);
    }

    /**
     * Checks an integer value of a config key.
     *
     * @return the value as a long
     */
    public static long checkInteger(String key, Object value, long min, long max) {
        if (!isInteger(value)) {
            throw invalid(key, "an integer", value);
        }
        long n = ((Number) value).longValue();
        if (n < min || n > max) {
            throw ShopgraphException.badArgument("Config key '" + key + "' must be between " + min
                    + " and " + max + ", got " + n + ".");
        }
        return n;
    }

    /**
     * Checks a float value of a config key (an integer is taken as a float).
     *
     * @return the value as a double
     */
    public static double checkNumber(String key, Object value, Range range) {
        if (!isNumber(value) || !range.contains(((Number) value).doubleValue())) {
            throw invalid(key, range.text(), value);
        }
        return ((Number) value).doubleValue();
    }

    /** The sentence of a value of the wrong type or out of range. */
    public static ShopgraphException invalid(String key, String expected, Object value) {
        return ShopgraphException.badArgument("Config key '" + key + "' must be " + expected + ", got "
                + CypherValues.describe(value) + ".");
    }

    private static boolean isInteger(Object value) {
        return value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte;
    }

    private static boolean isNumber(Object value) {
        return isInteger(value) || value instanceof Double || value instanceof Float;
    }

    /**
     * The values a float key accepts: finite, and above or at least a lower bound, below or at
     * most an upper one; its {@link #text()} is the sentence's "a finite number ...".
     *
     * @param min the lower bound ({@code -Infinity}: none)
     * @param minIncluded whether {@code min} itself is accepted
     * @param max the upper bound ({@code Infinity}: none)
     */
    public record Range(double min, boolean minIncluded, double max) {

        /** Any finite number. */
        public static Range any() {
            return new Range(Double.NEGATIVE_INFINITY, false, Double.POSITIVE_INFINITY);
        }

        /** At least {@code min}. */
        public static Range atLeast(double min) {
            return new Range(min, true, Double.POSITIVE_INFINITY);
        }

        /** Greater than {@code min}. */
        public static Range above(double min) {
            return new Range(min, false, Double.POSITIVE_INFINITY);
        }

        /** From {@code min} to {@code max}, both included. */
        public static Range between(double min, double max) {
            return new Range(min, true, max);
        }

        /** Greater than {@code min} and at most {@code max}. */
        public static Range aboveAtMost(double min, double max) {
            return new Range(min, false, max);
        }

        /** Whether a value is finite and in range. */
        public boolean contains(double value) {
            return Double.isFinite(value) && (minIncluded ? value >= min : value > min) && value <= max;
        }

        /** The accepted values in words: "a finite number of at least 0", .... */
        public String text() {
            boolean lower = min != Double.NEGATIVE_INFINITY;
            boolean upper = max != Double.POSITIVE_INFINITY;
            if (lower && upper && minIncluded) {
                return "a finite number between " + show(min) + " and " + show(max);
            }
            if (lower && upper) {
                return "a finite number greater than " + show(min) + " and at most " + show(max);
            }
            if (lower) {
                return minIncluded ? "a finite number of at least " + show(min)
                        : "a finite number greater than " + show(min);
            }
            return upper ? "a finite number of at most " + show(max) : "a finite number";
        }

        private static String show(double bound) {
            return bound == Math.rint(bound) && Math.abs(bound) < 1e15 ? String.valueOf((long) bound)
                    : String.valueOf(bound);
        }
    }
}
