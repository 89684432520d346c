package io.shopgraph.plugin.common;

import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads one element of a batch that a procedure takes as a list of maps (an event, a catalog
 * item): every refusal is a {@link ShopgraphException} of code {@code BAD_INPUT} whose details
 * give the element's index and the field, with one sentence per rule, the same in every
 * procedure and in the Python client ({@code shopgraph.graph.live}):
 *
 * <ul>
 *   <li>{@code An event must be a map, got null.}
 *   <li>{@code Unknown event key 'colour'; known keys: eventId, time, ...}
 *   <li>{@code itemId must be a non-empty id, got an empty string.} ({@code ... or null} where
 *       the field may be null)
 *   <li>{@code brand must be a non-empty string or null, got the integer 5.}
 *   <li>{@code time must be a datetime with a timezone or epoch milliseconds, got ...}
 *   <li>{@code price must be a finite number of at least 0 or null, got the float -1.5.}
 *   <li>{@code quantity must be an integer of at least 1, got the integer 0.}
 *   <li>{@code inStock must be a boolean or null, got the string 'yes'.}
 *   <li>{@code categoryCode must be a dotted code without empty parts or null, got the string 'a..b'.}
 * </ul>
 *
 * <p>A key that is absent reads as absent ({@link #has}); readers that allow null return null
 * for both an absent key and an explicit null.
 */
public final class InputMap {

    /** The earliest epoch milliseconds accepted as a time: 0001-01-01T00:00:00Z. */
    public static final long MIN_EPOCH_MILLIS = -62_135_596_800_000L;
    /** The latest epoch milliseconds accepted as a time: 9999-12-31T23:59:59.999Z. */
    public static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;

    private final int index;
    private final Map<String, ?> map;

    private InputMap(int index, Map<String, ?> map) {
        this.index = index;
        this.map = map;
    }

    /**
     * The reader of element {@code index} of a batch, refusing a null element and unknown keys.
     *
     * @param what what an element is, with its article, for the sentences: {@code "An event"}
     * @param keyword what the keys are keys of: {@code "event"} ("Unknown event key ...")
     * @param index the element's 0-based index in the batch
     * @param value the element
     * @param known the keys accepted, in the order the sentence lists them
     */
    public static InputMap of(String what, String keyword, int index, Object value, List<String> known) {
        if (!(value instanceof Map<?, ?> raw)) {
            throw ShopgraphException.badInput(what + " must be a map, got " + CypherValues.describe(value) + ".",
                    index, null);
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> map = (Map<String, ?>) raw;
        for (String key : map.keySet()) {
            if (!known.contains(key)) {
                throw ShopgraphException.badInput("Unknown " + keyword + " key '" + key + "'; known keys: "
                        + String.join(", ", known) + ".", index, key);
            }
        }
        return new InputMap(index, map);
    }

    /** The element's index in its batch. */
    public int index() {
        return index;
    }

    /** Whether the key is given, null or not. */
    public boolean has(String key) {
        return map.containsKey(key);
    }

    /** The raw value of a key, or null. */
    public Object raw(String key) {
        return map.get(key);
    }

    /** The refusal of a field's value: "{@code <field> must be <expected>, got <value>.}" */
    public ShopgraphException invalid(String field, String expected, Object value) {
        return ShopgraphException.badInput(field + " must be " + expected + ", got "
                + CypherValues.describe(value) + ".", index, field);
    }

    /** A non-empty string id; null only when {@code nullable}. */
    public String id(String field, boolean nullable) {
        Object value = map.get(field);
        if (value == null && nullable) {
            return null;
        }
        if (value instanceof String s && !s.isBlank()) {
            return s;
        }
        throw invalid(field, nullable ? "a non-empty id or null" : "a non-empty id", value);
    }

    /** A non-empty string, or null. */
    public String text(String field) {
        Object value = map.get(field);
        if (value == null) {
            return null;
        }
        if (value instanceof String s && !s.isBlank()) {
            return s;
        }
        throw invalid(field, "a non-empty string or null", value);
    }

    /**
     * A time as epoch milliseconds: a datetime with a timezone (sub-milliseconds dropped) or an
     * integer of epoch milliseconds between years 1 and 9999.
     */
    public long time(String field) {
        Object value = map.get(field);
        if (value instanceof ZonedDateTime zoned) {
            return zoned.toInstant().toEpochMilli();
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.toInstant().toEpochMilli();
        }
        if (value instanceof Long millis && millis >= MIN_EPOCH_MILLIS && millis <= MAX_EPOCH_MILLIS) {
            return millis;
        }
        throw invalid(field, "a datetime with a timezone or epoch milliseconds", value);
    }

    /** A finite number of at least 0 (integers are taken too), as a double, or null. */
    public Double price(String field) {
        Object value = map.get(field);
        if (value == null) {
            return null;
        }
        if ((value instanceof Long || value instanceof Double) && Double.isFinite(((Number) value).doubleValue())
                && ((Number) value).doubleValue() >= 0) {
            return ((Number) value).doubleValue();
        }
        throw invalid(field, "a finite number of at least 0 or null", value);
    }

    /** An integer of at least 1; absent or null: {@code fallback}. */
    public long positive(String field, long fallback) {
        Object value = map.get(field);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Long n && n >= 1) {
            return n;
        }
        throw invalid(field, "an integer of at least 1", value);
    }

    /** A boolean, or null. */
    public Boolean bool(String field) {
        Object value = map.get(field);
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        throw invalid(field, "a boolean or null", value);
    }

    /**
     * A dotted category code ({@code appliances.kitchen}) without empty parts, or null: the rule
     * of the file loaders, which reject {@code a..b}, {@code .a} and {@code a.}.
     */
    public String categoryCode(String field) {
        Object value = map.get(field);
        if (value == null) {
            return null;
        }
        if (value instanceof String code && isCategoryCode(code)) {
            return code;
        }
        throw invalid(field, "a dotted code without empty parts or null", value);
    }

    /**
     * Whether {@code code} is a dotted code as the file loaders accept it: not blank, neither
     * starting nor ending with a dot, no empty part ({@code a..b}).
     */
    public static boolean isCategoryCode(String code) {
        return !code.isBlank() && !code.startsWith(".") && !code.endsWith(".") && !code.contains("..");
    }

    /**
     * The codes from the root down to {@code code}: {@code a.b.c} gives {@code a}, {@code a.b},
     * {@code a.b.c} (as {@code shopgraph.loaders.batch.category_path}).
     */
    public static List<String> categoryPath(String code) {
        List<String> path = new ArrayList<>();
        int dot = code.indexOf('.');
        while (dot >= 0) {
            path.add(code.substring(0, dot));
            dot = code.indexOf('.', dot + 1);
        }
        path.add(code);
        return path;
    }
}
