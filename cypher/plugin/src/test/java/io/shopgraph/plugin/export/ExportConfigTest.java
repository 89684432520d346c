package io.shopgraph.plugin.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThatThrownBy(() -> ExportConfig.parse(Map.of("now", NOW, "halfLife", 3.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown export config key halfLife; known keys are categories, halfLifeDays, now,"
                        + " since, until, useTrust, usersPerRow, weights.");
        assertThatThrownBy(() -> ExportConfig.parse(Map.of()))
                .hasMessageStartingWith("now must be given when halfLifeDays is set:");
        assertThatThrownBy(() -> ExportConfig.parse(Map.of("since", NOW, "until", NOW.minusSeconds(1))))
                .hasMessage("since must not be later than until, got 2024-01-15T00:00:00Z and"
                        + " 2024-01-14T23:59:59Z.");
        assertThatThrownBy(() -> ExportConfig.parse(Map.of("since", LocalDateTime.of(2024, 1, 1, 0, 0))))
                .hasMessage("since must be a datetime with a time zone, got a value of type LocalDateTime.");
        assertThatThrownBy(() -> ExportConfig.parse(Map.of("now", NOW, "halfLifeDays", 0L)))
                .hasMessage("halfLifeDays must be a positive finite number or null, got the integer 0.");
        assertThatThrownBy(() -> ExportConfig.parse(Map.of("now", NOW, "categories", "home")))
                .hasMessage("categories must be a list of category codes, got the string 'home'.");
        assertThatThrownBy(() -> ExportConfig.parse(Map.of("now", NOW, "categories", List.of("home", ""))))
                .hasMessage("categories must hold category codes (non-empty strings), got an empty string.");
        assertThatThrownBy(() -> ExportConfig.parse(Map.of("now", NOW, "weights", Map.of("PURCHASED", 1.0))))
                .hasMessage("Unknown interaction kind PURCHASED in weights; known kinds are ADDED_TO_CART,"
                        + " CONTAINS, REMOVED_FROM_CART, VIEWED.");
        assertThatThrownBy(() -> ExportConfig.parse(Map.of("now", NOW, "weights", Map.of("VIEWED", -1.0))))
                .hasMessage("The weight of VIEWED must be a finite number of at least 0, got the float -1.0.");
        assertThatThrownBy(() -> ExportConfig.parse(Map.of("now", NOW, "useTrust", "yes")))
                .hasMessage("useTrust must be a boolean, got the string 'yes'.");
        assertThatThrownBy(() -> ExportConfig.parse(Map.of("now", NOW, "usersPerRow", 0L)))
                .hasMessage("usersPerRow must be an integer between 1 and 1000000, got the integer 0.");
    }
}
