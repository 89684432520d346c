package io.shopgraph.plugin.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.common.ShopgraphException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExportConfigTest {

    private static final ZonedDateTime NOW = ZonedDateTime.of(2024, 1, 15, 0, 0, 0, 0, ZoneOffset.UTC);

    @Test
    void absentKeysTakeTheDefaultsOfExportOptions() {
        ExportConfig config = ExportConfig.parse(Map.of("now", NOW));

        assertThat(config.since()).isNull();
        assertThat(config.until()).isNull();
        assertThat(config.categories()).isEmpty();
        assertThat(config.weights()).containsExactlyInAnyOrderEntriesOf(Map.of(
                InteractionKind.VIEWED, 1.0, InteractionKind.ADDED_TO_CART, 2.0,
                InteractionKind.REMOVED_FROM_CART, 0.0, InteractionKind.CONTAINS, 4.0));
        assertThat(config.halfLifeDays()).isEqualTo(30.0);
        assertThat(config.now()).isEqualTo(Instant.parse("2024-01-15T00:00:00Z"));
        assertThat(config.useTrust()).isTrue();
        assertThat(config.usersPerRow()).isEqualTo(10_000);
    }

    @Test
    void givenKeysAreReadAndPartialWeightsMergeWithTheDefaults() {
        Map<String, Object> map = new HashMap<>();
        map.put("since", NOW.minusDays(3).withZoneSameInstant(ZoneOffset.ofHours(2)));
        map.put("until", NOW.toOffsetDateTime());
        map.put("categories", List.of("electronics", "home", "electronics"));
        map.put("weights", Map.of("CONTAINS", 6L, "VIEWED", 0.5));
        map.put("halfLifeDays", null);
        map.put("useTrust", false);
        map.put("usersPerRow", 3L);

        ExportConfig config = ExportConfig.parse(map);

        assertThat(config.since()).isEqualTo(Instant.parse("2024-01-12T00:00:00Z"));
        assertThat(config.until()).isEqualTo(Instant.parse("2024-01-15T00:00:00Z"));
        assertThat(config.categories()).containsExactly("electronics", "home");
        assertThat(config.weight(InteractionKind.CONTAINS)).isEqualTo(6.0);
        assertThat(config.weight(InteractionKind.VIEWED)).isEqualTo(0.5);
        assertThat(config.weight(InteractionKind.ADDED_TO_CART)).isEqualTo(2.0);
        assertThat(config.halfLifeDays()).isNull();
        assertThat(config.now()).isNull();
        assertThat(config.useTrust()).isFalse();
        assertThat(config.usersPerRow()).isEqualTo(3);
    }

    @Test
    void badConfigsAreErrorsWithSentences() {
        rejects(Map.of("now", NOW, "halfLife", 3.0), "Unknown config key 'halfLife'; known keys: since, until,"
                + " categories, weights, halfLifeDays, now, useTrust, usersPerRow.");
        rejects(Map.of(), "Config key 'now' must be given when halfLifeDays is set: it is the datetime that"
                + " ages are measured from (shopgraph passes the latest event time).");
        rejects(Map.of("since", NOW, "until", NOW.minusSeconds(1)), "Config key 'since' must not be later than"
                + " 'until', got 2024-01-15T00:00:00Z and 2024-01-14T23:59:59Z.");
        rejects(Map.of("since", LocalDateTime.of(2024, 1, 1, 0, 0)), "Config key 'since' must be a datetime"
                + " with a timezone, got the local datetime 2024-01-01T00:00:00.");
        rejects(Map.of("now", LocalDateTime.of(2024, 1, 1, 0, 0)), "Config key 'now' must be a datetime"
                + " with a timezone, got the local datetime 2024-01-01T00:00:00.");
        rejects(Map.of("now", NOW, "halfLifeDays", 0L),
                "Config key 'halfLifeDays' must be a finite number greater than 0, got the integer 0.");
        rejects(Map.of("now", NOW, "categories", "home"),
                "Config key 'categories' must be a list of non-empty strings, got the string 'home'.");
        rejects(Map.of("now", NOW, "categories", List.of("home", "")),
                "Config key 'categories' must hold non-empty strings, got an empty string at position 2.");
        rejects(Map.of("now", NOW, "weights", Map.of("PURCHASED", 1.0)), "Config key 'weights' names unknown"
                + " type 'PURCHASED'; known types: VIEWED, ADDED_TO_CART, REMOVED_FROM_CART, CONTAINS.");
        rejects(Map.of("now", NOW, "weights", Map.of("VIEWED", -1.0)),
                "Config key 'weights' must give VIEWED a finite number of at least 0, got the float -1.0.");
        rejects(Map.of("now", NOW, "useTrust", "yes"),
                "Config key 'useTrust' must be a boolean, got the string 'yes'.");
        rejects(Map.of("now", NOW, "usersPerRow", 0L), "Config key 'usersPerRow' must be between 1 and 1000000,"
                + " got 0.");
        rejects(Map.of("now", NOW, "usersPerRow", 10.0), "Config key 'usersPerRow' must be an integer, got the"
                + " float 10.0.");
    }

    private static void rejects(Map<String, Object> config, String sentence) {
        assertThatThrownBy(() -> ExportConfig.parse(config))
                .isInstanceOf(ShopgraphException.class)
                .hasMessage("[shopgraph.bad_argument] " + sentence);
    }
}
