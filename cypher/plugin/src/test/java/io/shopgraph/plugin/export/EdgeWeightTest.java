package io.shopgraph.plugin.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.common.ShopgraphException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgeWeightTest {

    private static final Instant NOW = Instant.parse("2024-01-31T00:00:00Z");

    private static EdgeWeight weighting(Map<String, Object> extra) {
        Map<String, Object> map = new HashMap<>(Map.of("now", NOW.atZone(ZoneOffset.UTC)));
        map.putAll(extra);
        return new EdgeWeight(ExportConfig.parse(map));
    }

    @Test
    void kindWeightTimesHalfLifeDecayTimesTrust() {
        EdgeWeight weight = weighting(Map.of("halfLifeDays", 10.0));

        Instant tenDaysAgo = NOW.minusSeconds(10 * 86_400);
        assertThat(weight.of(InteractionKind.VIEWED, tenDaysAgo, null)).isEqualTo(0.5);
        assertThat(weight.of(InteractionKind.CONTAINS, tenDaysAgo, 0.25)).isEqualTo(4.0 * 0.5 * 0.25);
        assertThat(weight.of(InteractionKind.ADDED_TO_CART, NOW.minusSeconds(20 * 86_400), 1L))
                .isEqualTo(2.0 * 0.25);
        assertThat(weight.of(InteractionKind.VIEWED, null, null)).isEqualTo(1.0);
    }

    @Test
    void agesAreWholeSecondsRoundedDownAsInCypher() {
        EdgeWeight weight = weighting(Map.of("halfLifeDays", 1.0 / 86_400)); // one second

        // 1.5 s old counts as 1 s; 0.5 s in the future counts as -1 s.
        assertThat(weight.of(InteractionKind.VIEWED, NOW.minusMillis(1_500), null)).isEqualTo(0.5);
        assertThat(weight.of(InteractionKind.VIEWED, NOW.plusMillis(500), null)).isEqualTo(2.0);
        assertThat(weight.of(InteractionKind.VIEWED, NOW, null)).isEqualTo(1.0);
    }

    @Test
    void withoutDecayOrTrustOnlyTheKindWeightCounts() {
        EdgeWeight weight = weighting(Map.of("halfLifeDays", 1.0));
        Map<String, Object> off = new HashMap<>();
        off.put("halfLifeDays", null);
        off.put("useTrust", false);
        EdgeWeight plain = weighting(off);

        assertThat(plain.needsTime()).isFalse();
        assertThat(plain.of(InteractionKind.CONTAINS, NOW.minusSeconds(86_400 * 365), 0.1)).isEqualTo(4.0);
        assertThat(weight.needsTime()).isTrue();
        assertThat(plain.reads(InteractionKind.REMOVED_FROM_CART)).isFalse();
        assertThat(plain.reads(InteractionKind.VIEWED)).isTrue();
    }

    @Test
    void theWindowHoldsItsEndsAndLeavesUntimedInteractionsOut() {
        ZonedDateTime since = ZonedDateTime.parse("2024-01-10T00:00:00Z");
        EdgeWeight window = weighting(Map.of("since", since, "until", since.plusDays(1)));
        EdgeWeight open = weighting(Map.of());

        assertThat(window.inWindow(since.toInstant())).isTrue();
        assertThat(window.inWindow(since.plusDays(1).toInstant())).isTrue();
        assertThat(window.inWindow(since.toInstant().minusNanos(1))).isFalse();
        assertThat(window.inWindow(since.plusDays(1).toInstant().plusNanos(1))).isFalse();
        assertThat(window.inWindow(null)).isFalse();
        assertThat(open.inWindow(null)).isTrue();
    }

    @Test
    void aTrustThatIsNotANumberIsAnError() {
        assertThatThrownBy(() -> weighting(Map.of()).of(InteractionKind.VIEWED, NOW, "high"))
                .isInstanceOf(ShopgraphException.class)
                .hasMessage("[shopgraph.bad_input] The weight of a VIEWED relationship must be a number, got the"
                        + " string 'high'.");
    }
}
