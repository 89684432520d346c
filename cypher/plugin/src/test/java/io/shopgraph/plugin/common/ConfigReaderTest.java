package io.shopgraph.plugin.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopgraph.plugin.common.ConfigReader.Range;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ConfigReader}: the accepted value types and every sentence. */
class ConfigReaderTest {

    private enum Kind { VIEWED, BOUGHT }

    private static ConfigReader reader(Map<String, ?> config) {
        return ConfigReader.of(config, List.of("a", "b", "c"));
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> map = new HashMap<>();
        map.put(key, value);
        return map;
    }

    /** The sentence of a refused config, checking that it is a bad argument. */
    private static String refused(Runnable read) {
        try {
            read.run();
        } catch (ShopgraphException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_ARGUMENT);
            assertThat(e.getMessage()).isEqualTo("[shopgraph.bad_argument] " + e.sentence());
            return e.sentence();
        }
        throw new AssertionError("the config was accepted");
    }

    @Test
    void anUnknownKeyNamesTheKnownKeysInTheirOrder() {
        assertThat(refused(() -> reader(Map.of("d", 1L))))
                .isEqualTo("Unknown config key 'd'; known keys: a, b, c.");
        assertThat(reader(null).has("a")).isFalse();
        assertThat(reader(Map.of()).integer("a", 7, 0, 10)).isEqualTo(7);
    }

    @Test
    void integerKeysTakeCypherIntegersOnly() {
        assertThat(reader(Map.of("a", 5L)).integer("a", 0, 1, 10)).isEqualTo(5);
        assertThat(reader(Map.of("a", 5)).integer("a", 0, 1, 10)).isEqualTo(5);
        assertThat(refused(() -> reader(Map.of("a", 5.0)).integer("a", 0, 1, 10)))
                .isEqualTo("Config key 'a' must be an integer, got the float 5.0.");
        assertThat(refused(() -> reader(Map.of("a", "5")).integer("a", 0, 1, 10)))
                .isEqualTo("Config key 'a' must be an integer, got the string '5'.");
        assertThat(refused(() -> reader(Map.of("a", true)).integer("a", 0, 1, 10)))
                .isEqualTo("Config key 'a' must be an integer, got the boolean true.");
        assertThat(refused(() -> reader(Map.of("a", 11L)).integer("a", 0, 1, 10)))
                .isEqualTo("Config key 'a' must be between 1 and 10, got 11.");
        assertThat(refused(() -> reader(Map.of("a", 0L)).integer("a", 5, 1, 10)))
                .isEqualTo("Config key 'a' must be between 1 and 10, got 0.");
    }

    @Test
    void floatKeysTakeIntegersAndFloatsThatAreFiniteAndInRange() {
        assertThat(reader(Map.of("a", 2L)).number("a", 0, Range.atLeast(0))).isEqualTo(2.0);
        assertThat(reader(Map.of("a", 2.5)).number("a", 0, Range.atLeast(0))).isEqualTo(2.5);
        assertThat(reader(Map.of("a", 0L)).number("a", 1, Range.atLeast(0))).isEqualTo(0.0);
        assertThat(refused(() -> reader(Map.of("a", -1.0)).number("a", 0, Range.atLeast(0))))
                .isEqualTo("Config key 'a' must be a finite number of at least 0, got the float -1.0.");
        assertThat(refused(() -> reader(Map.of("a", -1L)).number("a", 0, Range.atLeast(0))))
                .isEqualTo("Config key 'a' must be a finite number of at least 0, got the integer -1.");
        assertThat(refused(() -> reader(Map.of("a", Double.NaN)).number("a", 0, Range.any())))
                .isEqualTo("Config key 'a' must be a finite number, got the float NaN.");
        assertThat(refused(() -> reader(Map.of("a", Double.POSITIVE_INFINITY)).number("a", 0, Range.atLeast(0))))
                .isEqualTo("Config key 'a' must be a finite number of at least 0, got the float Infinity.");
        assertThat(refused(() -> reader(Map.of("a", "two")).number("a", 0, Range.atLeast(0))))
                .isEqualTo("Config key 'a' must be a finite number of at least 0, got the string 'two'.");
        assertThat(refused(() -> reader(Map.of("a", 0.0)).number("a", 1, Range.above(0))))
                .isEqualTo("Config key 'a' must be a finite number greater than 0, got the float 0.0.");
        assertThat(refused(() -> reader(Map.of("a", 1.5)).number("a", 1, Range.between(0, 1))))
                .isEqualTo("Config key 'a' must be a finite number between 0 and 1, got the float 1.5.");
        assertThat(refused(() -> reader(Map.of("a", 0L)).number("a", 1, Range.aboveAtMost(0, 1))))
                .isEqualTo("Config key 'a' must be a finite number greater than 0 and at most 1, got the integer 0.");
        assertThat(Range.between(0.5, 2.25).text()).isEqualTo("a finite number between 0.5 and 2.25");
        assertThat(ConfigReader.checkNumber("a", 1, Range.above(0))).isEqualTo(1.0);
    }

    @Test
    void nullTakesTheDefaultExceptWhereNullHasAMeaning() {
        Map<String, Object> nulls = new HashMap<>();
        nulls.put("a", null);
        nulls.put("b", null);
        ConfigReader config = reader(nulls);
        assertThat(config.has("a")).isFalse();
        assertThat(config.isNull("a")).isTrue();
        assertThat(config.isNull("c")).isFalse();
        assertThat(config.integer("a", 3, 1, 10)).isEqualTo(3);
        assertThat(config.number("a", 0.5, Range.any())).isEqualTo(0.5);
        assertThat(config.bool("a", true)).isTrue();
        assertThat(config.integerOrNull("a", 3L, 1, 10)).isNull();
        assertThat(config.integerOrNull("c", 3L, 1, 10)).isEqualTo(3L);
        assertThat(config.numberOrNull("b", 7.0, Range.above(0))).isNull();
        assertThat(config.numberOrNull("c", 7.0, Range.above(0))).isEqualTo(7.0);
        assertThat(refused(() -> reader(Map.of("a", 0L)).integerOrNull("a", 3L, 1, 10)))
                .isEqualTo("Config key 'a' must be between 1 and 10, got 0.");
    }

    @Test
    void booleanKeysTakeBooleansOnly() {
        assertThat(reader(Map.of("a", false)).bool("a", true)).isFalse();
        assertThat(refused(() -> reader(Map.of("a", "yes")).bool("a", true)))
                .isEqualTo("Config key 'a' must be a boolean, got the string 'yes'.");
        assertThat(refused(() -> reader(Map.of("a", 1L)).bool("a", true)))
                .isEqualTo("Config key 'a' must be a boolean, got the integer 1.");
    }

    @Test
    void timeKeysTakeDatetimesWithATimezoneOnly() {
        Instant t = Instant.parse("2024-03-01T00:00:00Z");
        assertThat(reader(Map.of("a", ZonedDateTime.ofInstant(t, ZoneId.of("Europe/Paris")))).datetime("a"))
                .isEqualTo(t);
        assertThat(reader(Map.of("a", OffsetDateTime.ofInstant(t, ZoneOffset.ofHours(-5)))).datetime("a"))
                .isEqualTo(t);
        assertThat(reader(with("a", null)).datetime("a")).isNull();
        assertThat(refused(() -> reader(Map.of("a", LocalDateTime.of(2024, 3, 1, 0, 0))).datetime("a")))
                .isEqualTo("Config key 'a' must be a datetime with a timezone, got the local datetime"
                        + " 2024-03-01T00:00:00.");
        assertThat(refused(() -> reader(Map.of("a", LocalDate.of(2024, 3, 1))).datetime("a")))
                .isEqualTo("Config key 'a' must be a datetime with a timezone, got the date 2024-03-01.");
        assertThat(refused(() -> reader(Map.of("a", "2024-03-01T00:00:00Z")).datetime("a")))
                .isEqualTo("Config key 'a' must be a datetime with a timezone, got the string"
                        + " '2024-03-01T00:00:00Z'.");
    }

    @Test
    void idAndStringListKeys() {
        assertThat(reader(Map.of("a", "u1")).id("a")).isEqualTo("u1");
        assertThat(refused(() -> reader(Map.of("a", "")).id("a")))
                .isEqualTo("Config key 'a' must be a non-empty id, got an empty string.");
        assertThat(refused(() -> reader(Map.of("a", 5L)).id("a")))
                .isEqualTo("Config key 'a' must be a non-empty id, got the integer 5.");
        assertThat(reader(Map.of("a", List.of("x", "y", "x"))).strings("a")).containsExactly("x", "y");
        assertThat(reader(Map.of()).strings("a")).isNull();
        assertThat(refused(() -> reader(Map.of("a", "x")).strings("a")))
                .isEqualTo("Config key 'a' must be a list of non-empty strings, got the string 'x'.");
        assertThat(refused(() -> reader(Map.of("a", Arrays.asList("x", null))).strings("a")))
                .isEqualTo("Config key 'a' must hold non-empty strings, got null at position 2.");
    }

    @Test
    void weightMapsMergeWithTheDefaults() {
        Map<Kind, Double> weights = reader(Map.of("a", Map.of("BOUGHT", 3L)))
                .weights("a", Kind.class, kind -> 1.0, Range.atLeast(0));
        assertThat(weights).containsExactly(Map.entry(Kind.VIEWED, 1.0), Map.entry(Kind.BOUGHT, 3.0));
        assertThat(refused(() -> reader(Map.of("a", Map.of("SOLD", 1.0)))
                .weights("a", Kind.class, kind -> 1.0, Range.atLeast(0))))
                .isEqualTo("Config key 'a' names unknown type 'SOLD'; known types: VIEWED, BOUGHT.");
        assertThat(refused(() -> reader(Map.of("a", Map.of("VIEWED", -1.0)))
                .weights("a", Kind.class, kind -> 1.0, Range.atLeast(0))))
                .isEqualTo("Config key 'a' must give VIEWED a finite number of at least 0, got the float -1.0.");
        assertThat(refused(() -> reader(Map.of("a", List.of(1L)))
                .weights("a", Kind.class, kind -> 1.0, Range.atLeast(0))))
                .isEqualTo("Config key 'a' must be a map from type to weight, got the list [1].");
    }
}
