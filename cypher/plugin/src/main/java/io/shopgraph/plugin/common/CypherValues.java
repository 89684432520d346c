package io.shopgraph.plugin.common;

import java.util.List;
import java.util.Map;

/** Wording of Cypher values in error messages. */
public final class CypherValues {

    private CypherValues() {}

    /**
     * Names a value as a Cypher user sees it, for "..., got X." messages: {@code null},
     * {@code the string 'abc'}, {@code an empty string}, {@code the integer 5},
     * {@code the float 1.5}, {@code the boolean true}, {@code a list}, {@code a map}.
     */
    public static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return s.isEmpty() ? "an empty string" : "the string '" + s + "'";
        }
        if (value instanceof Double || value instanceof Float) {
            return "the float " + value;
        }
        if (value instanceof Number) {
            return "the integer " + value;
        }
        if (value instanceof Boolean) {
            return "the boolean " + value;
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        if (value instanceof Map<?, ?>) {
            return "a map";
        }
        return "a value of type " + value.getClass().getSimpleName();
    }
}
