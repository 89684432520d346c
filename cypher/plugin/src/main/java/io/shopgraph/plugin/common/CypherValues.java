package io.shopgraph.plugin.common;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAmount;
import java.util.List;
import java.util.Map;

/** Wording of Cypher values in error sentences, the same in every procedure. */
public final class CypherValues {

    /** Longer renderings of strings and lists are cut to this many characters. */
    private static final int MAX_SHOWN = 60;

    private CypherValues() {}

    /**
     * Names a value as a Cypher user sees it, for "..., got X." sentences: {@code null},
     * {@code an empty string}, {@code the string 'abc'}, {@code the integer 5},
     * {@code the float 1.5}, {@code the boolean true}, {@code an empty list},
     * {@code the list ['a', 1]}, {@code a map}, {@code the datetime 2024-03-01T00:00Z},
     * {@code the local datetime 2024-03-01T00:00:00} (a datetime without a timezone, seconds always
     * shown, as Python's {@code isoformat} shows them),
     * {@code the date 2024-03-01}, .... Long strings and lists are cut short with "...".
     */
    public static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return s.isEmpty() ? "an empty string" : "the string " + literal(s);
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
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "an empty list" : "the list " + literal(list);
        }
        if (value instanceof Map<?, ?>) {
            return "a map";
        }
        if (value instanceof ZonedDateTime || value instanceof OffsetDateTime) {
            return "the datetime " + value;
        }
        if (value instanceof LocalDateTime local) {
            return "the local datetime " + DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(local);
        }
        if (value instanceof LocalDate) {
            return "the date " + value;
        }
        if (value instanceof OffsetTime) {
            return "the time " + value;
        }
        if (value instanceof LocalTime) {
            return "the local time " + value;
        }
        if (value instanceof TemporalAmount) {
            return "the duration " + value;
        }
        if (value instanceof byte[]) {
            return "a byte array";
        }
        return "a value of type " + value.getClass().getSimpleName();
    }

    /** A string or list as a Cypher literal, cut short with "..." after {@value #MAX_SHOWN} characters. */
    private static String literal(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.length() <= MAX_SHOWN ? out.toString() : out.substring(0, MAX_SHOWN - 3) + "...";
    }

    private static void write(StringBuilder out, Object value) {
        if (out.length() > MAX_SHOWN) {
            return;
        }
        if (value instanceof String s) {
            out.append('\'').append(s.replace("\\", "\\\\").replace("'", "\\'")).append('\'');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size() && out.length() <= MAX_SHOWN; i++) {
                if (i > 0) {
                    out.append(", ");
                }
                write(out, list.get(i));
            }
            out.append(']');
        } else if (value instanceof Map<?, ?>) {
            out.append("{...}");
        } else {
            out.append(value);
        }
    }
}
