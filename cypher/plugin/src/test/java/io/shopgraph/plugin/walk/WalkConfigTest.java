package io.shopgraph.plugin.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.common.ShopgraphException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WalkConfigTest {

    private static WalkConfig candidates(Map<String, ?> values) {
        return WalkConfig.parse(values, WalkConfig.Use.CANDIDATES);
    }

    private static void rejects(Map<String, ?> values, String sentence) {
        assertThatThrownBy(() -> candidates(values))
                .isInstanceOf(ShopgraphException.class).hasMessage("[shopgraph.bad_argument] " + sentence);
    }

    @Test
    void defaults() {
        WalkConfig config = WalkConfig.parse(null, WalkConfig.Use.CANDIDATES);

        assertThat(config.steps()).isEqualTo(10_000);
        assertThat(config.restart()).isEqualTo(0.3);
        assertThat(config.seed()).isEqualTo(42);
        assertThat(config.nP()).isEqualTo(200);
        assertThat(config.nV()).isEqualTo(4);
        assertThat(config.queryItems()).isEqualTo(20);
        assertThat(config.halfLifeDays()).isEqualTo(7.0);
        assertThat(config.ttlSeconds()).isEqualTo(300);
        assertThat(config.inStockOnly()).isTrue();
        assertThat(config.typeWeights()).containsExactlyInAnyOrderEntriesOf(Map.of(
                EdgeKind.VIEWED, 1.0, EdgeKind.ADDED_TO_CART, 2.0, EdgeKind.REMOVED_FROM_CART, 0.0,
                EdgeKind.CONTAINS, 3.0, EdgeKind.HAS_BRAND, 0.3, EdgeKind.IN_CATEGORY, 0.2,
                EdgeKind.HAS_SESSION, 0.5, EdgeKind.PLACED, 0.5));
        assertThat(config).isEqualTo(WalkConfig.defaults());
    }

    @Test
    void givenValuesOverrideTheDefaultsAndTypeWeightsMerge() {
        Map<String, Object> values = new HashMap<>();
        values.put("steps", 500L);
        values.put("restart", 1L);
        values.put("seed", -3L);
        values.put("nP", 0L);
        values.put("nV", 2L);
        values.put("typeWeights", Map.of("HAS_BRAND", 0L, "VIEWED", 1.5));
        values.put("queryItems", 50L);
        values.put("halfLifeDays", 0.5);
        values.put("ttlSeconds", 0L);
        values.put("inStockOnly", false);

        WalkConfig config = candidates(values);

        assertThat(config).extracting(WalkConfig::steps, WalkConfig::restart, WalkConfig::seed,
                        WalkConfig::nP, WalkConfig::nV, WalkConfig::queryItems, WalkConfig::halfLifeDays,
                        WalkConfig::ttlSeconds, WalkConfig::inStockOnly)
                .containsExactly(500, 1.0, -3L, 0, 2, 50, 0.5, 0L, false);
        assertThat(config.typeWeights().get(EdgeKind.HAS_BRAND)).isEqualTo(0.0);
        assertThat(config.typeWeights().get(EdgeKind.VIEWED)).isEqualTo(1.5);
        assertThat(config.typeWeights().get(EdgeKind.CONTAINS)).isEqualTo(3.0);
        assertThat(config.typeWeightArray()[EdgeKind.VIEWED.ordinal()]).isEqualTo(1.5);
    }

    @Test
    void unknownKeysAreNamedWithTheKnownOnes() {
        rejects(Map.of("stpes", 10L), "Unknown config key 'stpes'; known keys: steps, restart, seed,"
                + " nP, nV, typeWeights, queryItems, halfLifeDays, ttlSeconds, inStockOnly.");
        assertThatThrownBy(() -> WalkConfig.parse(Map.of("queryItems", 5L), WalkConfig.Use.SIMILAR))
                .isInstanceOf(ShopgraphException.class)
                .hasMessage("[shopgraph.bad_argument] Unknown config key 'queryItems'; known keys: steps,"
                        + " restart, seed, nP, nV, typeWeights, ttlSeconds, inStockOnly, useModel, userId, newItems.");
    }

    @Test
    void valuesOfTheWrongTypeAreRejected() {
        rejects(Map.of("steps", "10"), "Config key 'steps' must be an integer, got the string '10'.");
        rejects(Map.of("steps", 10.0), "Config key 'steps' must be an integer, got the float 10.0.");
        rejects(Map.of("seed", true), "Config key 'seed' must be an integer, got the boolean true.");
        rejects(Map.of("restart", "high"), "Config key 'restart' must be a finite number greater than 0"
                + " and at most 1, got the string 'high'.");
        rejects(Map.of("inStockOnly", 1L), "Config key 'inStockOnly' must be a boolean, got the integer 1.");
        rejects(Map.of("typeWeights", List.of(1L)),
                "Config key 'typeWeights' must be a map from type to weight, got the list [1].");
    }

    @Test
    void nullTakesTheDefaultButMeansNoDecayForTheHalfLife() {
        Map<String, Object> nulls = new HashMap<>();
        nulls.put("steps", null);
        nulls.put("inStockOnly", null);
        nulls.put("halfLifeDays", null);

        WalkConfig config = candidates(nulls);

        assertThat(config.steps()).isEqualTo(WalkConfig.DEFAULT_STEPS);
        assertThat(config.inStockOnly()).isTrue();
        assertThat(config.halfLifeDays()).isEqualTo(WalkConfig.NO_DECAY);
    }

    @Test
    void valuesOutOfRangeAreRejected() {
        rejects(Map.of("steps", 0L), "Config key 'steps' must be between 1 and 1000000, got 0.");
        rejects(Map.of("steps", 1_000_001L), "Config key 'steps' must be between 1 and 1000000, got 1000001.");
        rejects(Map.of("restart", 0.0),
                "Config key 'restart' must be a finite number greater than 0 and at most 1, got the float 0.0.");
        rejects(Map.of("restart", 1.5),
                "Config key 'restart' must be a finite number greater than 0 and at most 1, got the float 1.5.");
        rejects(Map.of("nP", -1L), "Config key 'nP' must be between 0 and 1000000, got -1.");
        rejects(Map.of("nV", 0L), "Config key 'nV' must be between 1 and 1000000, got 0.");
        rejects(Map.of("queryItems", 51L), "Config key 'queryItems' must be between 1 and 50, got 51.");
        rejects(Map.of("halfLifeDays", 0L),
                "Config key 'halfLifeDays' must be a finite number greater than 0, got the integer 0.");
        rejects(Map.of("ttlSeconds", -1L), "Config key 'ttlSeconds' must be between 0 and 31622400, got -1.");
    }

    @Test
    void typeWeightsNameKnownTypesWithNonNegativeWeights() {
        rejects(Map.of("typeWeights", Map.of("VIEW", 1.0)), "Config key 'typeWeights' names unknown"
                + " type 'VIEW'; known types: VIEWED, ADDED_TO_CART, REMOVED_FROM_CART,"
                + " CONTAINS, HAS_BRAND, IN_CATEGORY, HAS_SESSION, PLACED.");
        rejects(Map.of("typeWeights", Map.of("VIEWED", -1.0)),
                "Config key 'typeWeights' must give VIEWED a finite number of at least 0, got the float -1.0.");
        rejects(Map.of("typeWeights", Map.of("VIEWED", "1")),
                "Config key 'typeWeights' must give VIEWED a finite number of at least 0, got the string '1'.");
        rejects(Map.of("typeWeights", Map.of("VIEWED", 0L, "ADDED_TO_CART", 0L, "CONTAINS", 0L,
                        "HAS_BRAND", 0L, "IN_CATEGORY", 0L)),
                "Config key 'typeWeights' must give a positive weight to at least one relationship"
                        + " type of items (VIEWED, ADDED_TO_CART, REMOVED_FROM_CART, CONTAINS, HAS_BRAND,"
                        + " IN_CATEGORY), or no walk can leave its query item.");
    }
}
