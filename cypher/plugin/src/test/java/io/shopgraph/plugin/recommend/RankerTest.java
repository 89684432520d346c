package io.shopgraph.plugin.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.common.Candidate.Source;
import io.shopgraph.plugin.recommend.Ranker.Ranked;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RankerTest {

    private static final String BAD = "[shopgraph.bad_argument] ";

    private static final Map<Source, Double> WEIGHTS = Map.of(Source.WALK, 1.0, Source.BUNDLE, 2.0,
            Source.POPULAR, 0.5);

    @Test
    void blendsNormalisedStageScoresAndKeepsTheStrongestReason() {
        List<Candidate> candidates = List.of(
                new Candidate("a", Source.WALK, 10.0, "walk"),        // 1.0 * 10/10 = 1.0
                new Candidate("b", Source.WALK, 5.0, "walk"),         // 0.5
                new Candidate("b", Source.BUNDLE, 4.0, "bought with x"), // 2.0 * 4/8 = 1.0
                new Candidate("c", Source.BUNDLE, 8.0, "bought with y"), // 2.0
                new Candidate("d", Source.POPULAR, 100.0, "popular in z")); // 0.5
        List<Ranked> ranked = Ranker.rank(candidates, WEIGHTS, id -> null);
        assertThat(ranked).extracting(Ranked::itemId).containsExactly("c", "b", "a", "d");
        assertThat(ranked.get(0).score()).isEqualTo(2.0);
        assertThat(ranked.get(1).score()).isEqualTo(1.5);
        assertThat(ranked.get(1).reason()).isEqualTo("bought with x");
        assertThat(ranked.get(3).reason()).isEqualTo("popular in z");
    }

    @Test
    void modelScoresComeFirstThenItemsWithoutEmbeddings() {
        List<Candidate> candidates = List.of(
                new Candidate("a", Source.WALK, 10.0, "walk"),
                new Candidate("b", Source.WALK, 5.0, "walk"),
                new Candidate("c", Source.WALK, 1.0, "walk"));
        Map<String, Double> model = Map.of("b", 0.9, "c", 0.95);
        List<Ranked> ranked = Ranker.rank(candidates, WEIGHTS, model::get);
        assertThat(ranked).extracting(Ranked::itemId).containsExactly("c", "b", "a");
        assertThat(ranked.get(0).score()).isEqualTo(0.95);
        assertThat(ranked).extracting(Ranked::reason).containsExactly("model: walk", "model: walk", "walk");
    }

    @Test
    void diversifyKeepsBrandAndCategoryLimitsGreedily() {
        List<Ranked> ranked = List.of(new Ranked("a", 5, "walk"), new Ranked("b", 4, "walk"),
                new Ranked("c", 3, "walk"), new Ranked("d", 2, "walk"), new Ranked("e", 1, "walk"));
        Map<String, Set<String>> brand = Map.of("a", Set.of("acme"), "b", Set.of("acme"),
                "c", Set.of("zen"), "d", Set.of(), "e", Set.of("zen"));
        Map<String, Set<String>> category = Map.of("a", Set.of("tv"), "b", Set.of("audio"),
                "c", Set.of("tv"), "d", Set.of("tv"), "e", Set.of("audio"));
        List<Ranked> chosen = Ranker.diversify(ranked, 4, id -> !id.equals("b"), brand::get,
                category::get, 1, 2);
        // b is excluded outright; c keeps room in tv (a, c), d finds tv full, e's brand is full.
        assertThat(chosen).extracting(Ranked::itemId).containsExactly("a", "c");
        assertThat(Ranker.diversify(ranked, 3, id -> true, brand::get, category::get,
                RecommendConfig.NO_LIMIT, RecommendConfig.NO_LIMIT))
                .extracting(Ranked::itemId).containsExactly("a", "b", "c");
    }

    @Test
    void configValidation() {
        RecommendConfig defaults = RecommendConfig.parse(Map.of());
        assertThat(defaults.walkCandidates()).isEqualTo(200);
        assertThat(defaults.maxPerBrand()).isEqualTo(3);
        assertThat(defaults.steps()).isEqualTo(10_000);
        assertThat(defaults.modelSteps()).isEqualTo(5_000);
        assertThat(RecommendConfig.parse(Map.of("modelSteps", 800L)).modelSteps()).isEqualTo(800);
        java.util.HashMap<String, Object> noLimit = new java.util.HashMap<>();
        noLimit.put("maxPerBrand", null);
        assertThat(RecommendConfig.parse(noLimit).maxPerBrand()).isEqualTo(RecommendConfig.NO_LIMIT);
        assertThatThrownBy(() -> RecommendConfig.parse(Map.of("walkCandidate", 3L)))
                .hasMessageStartingWith(BAD + "Unknown config key 'walkCandidate'; known keys: walkCandidates,");
        assertThatThrownBy(() -> RecommendConfig.parse(Map.of("steps", 0L)))
                .hasMessage(BAD + "Config key 'steps' must be between 1 and 1000000, got 0.");
        assertThatThrownBy(() -> RecommendConfig.parse(Map.of("modelSteps", 0L)))
                .hasMessage(BAD + "Config key 'modelSteps' must be between 1 and 1000000, got 0.");
        assertThatThrownBy(() -> RecommendConfig.parse(Map.of("bundleWeight", -1.0)))
                .hasMessage(BAD + "Config key 'bundleWeight' must be a finite number of at least 0, got the"
                        + " float -1.0.");
        assertThatThrownBy(() -> RecommendConfig.parse(Map.of("useModel", "yes")))
                .hasMessage(BAD + "Config key 'useModel' must be a boolean, got the string 'yes'.");
        assertThatThrownBy(() -> RecommendConfig.parse(Map.of("maxPerBrand", 0L)))
                .hasMessage(BAD + "Config key 'maxPerBrand' must be between 1 and 1000, got 0.");
        assertThatThrownBy(() -> RecommendConfig.parse(Map.of("walkCandidates", 20.0)))
                .hasMessage(BAD + "Config key 'walkCandidates' must be an integer, got the float 20.0.");
    }
}
