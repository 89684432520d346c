package io.shopgraph.plugin.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.bundle.BundleConfig.BundleOptions;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link BundleConfig}: defaults, nulls and the mass-knob check (messages: the harness test). */
class BundleConfigTest {

    @Test
    void anEmptyOrNullMapGivesTheDefaults() {
        for (Map<String, Object> empty : java.util.Arrays.asList(Map.<String, Object>of(), null)) {
            BundleConfig config = BundleConfig.parse(empty);
            assertThat(config.scoring()).isEqualTo(ScoringConfig.DEFAULTS);
            assertThat(config.options()).isEqualTo(BundleOptions.DEFAULTS);
            assertThat(config.mass()).isEmpty();
            assertThat(BundleConfig.parseRefresh(empty)).isEqualTo(MassConfig.DEFAULTS);
        }
        assertThat(MassConfig.DEFAULTS).isEqualTo(new MassConfig(1.0, 0.5, 0.1, 135.0, 1.0));
        assertThat(ScoringConfig.DEFAULTS)
                .isEqualTo(new ScoringConfig(0.5, 0.6, 10.0, 0.5, ScoringConfig.NO_LIMIT, 2.0));
    }

    @Test
    void nullMeansTheDefaultButNoDecayForTheHalfLife() {
        Map<String, Object> map = new HashMap<>();
        map.put("alpha", null);
        map.put("maxBasketSize", null);
        map.put("adjacencyBonus", null);
        map.put("inStockOnly", null);
        map.put("halfLifeDays", null);
        BundleConfig config = BundleConfig.parse(map);
        assertThat(config.scoring()).isEqualTo(ScoringConfig.DEFAULTS);
        assertThat(config.options().inStockOnly()).isTrue();
        assertThat(config.mass()).containsExactly(Map.entry("halfLifeDays", MassConfig.NO_DECAY));
        assertThat(BundleConfig.parseRefresh(Map.of()).halfLifeDays()).isEqualTo(135.0);
        Map<String, Object> refresh = new HashMap<>();
        refresh.put("halfLifeDays", null);
        assertThat(BundleConfig.parseRefresh(refresh).halfLifeDays()).isEqualTo(MassConfig.NO_DECAY);
    }

    @Test
    void valuesAreReadWithIntegersAsNumbers() {
        BundleConfig config = BundleConfig.parse(Map.of("alpha", 1L, "maxBasketSize", 3L, "user", "u1",
                "maxPerBrand", 2L, "categories", List.of("a", "b", "a"), "inStockOnly", false, "maxPrice", 9L,
                "adjacencyBonus", 0L));
        assertThat(config.scoring()).isEqualTo(new ScoringConfig(1.0, 0.6, 10.0, 0.5, 3, 0.0));
        assertThat(config.scoring().adjacency()).isFalse();
        assertThat(ScoringConfig.DEFAULTS.adjacency()).isTrue();
        assertThat(ScoringConfig.DEFAULTS.adjacencyWeight()).isEqualTo(3.0);
        assertThat(config.options()).isEqualTo(new BundleOptions("u1", 2, List.of("a", "b"), false, 9.0));
    }

    @Test
    void massKnobsMustMatchTheRefresh() {
        BundleConfig.parse(Map.of("userCap", 1L, "orderWeight", 1.0)).requireSameMass(MassConfig.DEFAULTS);
        assertThatThrownBy(() -> BundleConfig.parse(Map.of("userCap", 2.0)).requireSameMass(MassConfig.DEFAULTS))
                .isInstanceOf(ShopgraphException.class)
                .hasMessageStartingWith("[shopgraph.conflict] Config key 'userCap' is 2.0 but the last refresh"
                        + " used 1.0: run CALL shopgraph.bundle.refresh() with it first");
    }

    @Test
    void decayIsPerDayAndClampedAtNow() {
        MassConfig config = new MassConfig(1.0, 0.5, 0.1, 2.0, 1.0);
        long day = 86_400_000L;
        assertThat(config.basketWeight(Source.CART, 10 * day, 6 * day)).isEqualTo(0.125);
        assertThat(config.basketWeight(Source.CART, 10 * day, 11 * day)).isEqualTo(0.5);
        assertThat(config.basketWeight(Source.VIEW, 10 * day, MassConfig.NO_TIME)).isEqualTo(0.1);
        assertThat(config.basketWeight(Source.ORDER, MassConfig.NO_TIME, 0)).isEqualTo(1.0);
    }
}
