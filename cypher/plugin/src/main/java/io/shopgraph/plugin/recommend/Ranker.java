package io.shopgraph.plugin.recommend;

import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.common.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Ranking and re-ranking of {@code shopgraph.recommend}: candidates of all stages merged per
 * item, scored, then chosen greedily under diversity limits. Plain Java, no Neo4j.
 *
 * <p>Blended score (no model): each stage's scores are divided by that stage's best score,
 * weighted by the stage weight and summed per item; the item's reason is that of the stage
 * with the largest weighted share (ties: walk, bundle, popular). With a model, the score is
 * the model's (user and item embedding dot product) for items that have an embedding, and the
 * reason says so: {@code "model: "} before the stage's reason ({@code "model: walk"}); items
 * without an embedding follow, by blended score. Ties: item id ascending.
 */
public final class Ranker {

    private Ranker() {}

    /** A ranked item. */
    public record Ranked(String itemId, double score, String reason) {}

    /**
     * Merges and scores the candidates.
     *
     * @param candidates every stage's candidates (an item may come from several stages)
     * @param weights the stage weights
     * @param modelScore the model score of an item, or null without a model or embedding
     * @return the items, best first
     */
    public static List<Ranked> rank(List<Candidate> candidates, Map<Candidate.Source, Double> weights,
                                    Function<String, Double> modelScore) {
        Map<Candidate.Source, Double> best = new EnumMap<>(Candidate.Source.class);
        for (Candidate c : candidates) {
            best.merge(c.source(), c.score(), Math::max);
        }
        Map<String, double[]> blended = new LinkedHashMap<>();
        Map<String, String> reason = new HashMap<>();
        Map<String, Double> share = new HashMap<>();
        for (Candidate c : candidates) {
            double top = best.get(c.source());
            double part = top > 0 ? weights.getOrDefault(c.source(), 0.0) * c.score() / top : 0.0;
            blended.computeIfAbsent(c.itemId(), id -> new double[1])[0] += part;
            Double previous = share.get(c.itemId());
            if (previous == null || part > previous) {
                share.put(c.itemId(), part);
                reason.put(c.itemId(), c.reason());
            }
        }
        List<Ranked> withModel = new ArrayList<>();
        List<Ranked> without = new ArrayList<>();
        for (Map.Entry<String, double[]> e : blended.entrySet()) {
            Double model = modelScore.apply(e.getKey());
            if (model != null) {
                withModel.add(new Ranked(e.getKey(), model,
                        Reason.MODEL.label() + ": " + reason.get(e.getKey())));
            } else {
                without.add(new Ranked(e.getKey(), e.getValue()[0], reason.get(e.getKey())));
            }
        }
        Comparator<Ranked> order = Comparator.comparingDouble(Ranked::score).reversed()
                .thenComparing(Ranked::itemId);
        withModel.sort(order);
        without.sort(order);
        withModel.addAll(without);
        return withModel;
    }

    /**
     * The items in the same order, but those {@code demoted} after every other (in their order):
     * items very similar to one the user rejected.
     */
    public static List<Ranked> demote(List<Ranked> ranked, java.util.function.Predicate<String> demoted) {
        List<Ranked> first = new ArrayList<>(ranked.size());
        List<Ranked> last = new ArrayList<>();
        for (Ranked item : ranked) {
            (demoted.test(item.itemId()) ? last : first).add(item);
        }
        first.addAll(last);
        return first;
    }

    /**
     * Chooses the first {@code k} items in order whose brands and categories still have room.
     *
     * @param ranked the ranked items
     * @param k how many
     * @param keep whether an item may be returned at all (stock, already bought)
     * @param brands an item's brands
     * @param categories an item's categories
     * @param maxPerBrand most items per brand
     * @param maxPerCategory most items per category
     * @return at most {@code k} items, in rank order
     */
    public static List<Ranked> diversify(List<Ranked> ranked, int k, java.util.function.Predicate<String> keep,
                                         Function<String, Set<String>> brands,
                                         Function<String, Set<String>> categories,
                                         int maxPerBrand, int maxPerCategory) {
        return diversify(ranked, k, keep, id -> false, brands, categories, maxPerBrand, maxPerCategory);
    }

    /**
     * {@link #diversify(List, int, java.util.function.Predicate, Function, Function, int, int)},
     * with the items {@code demoted} (asked only of items kept, in order) after every other, in
     * their order, while places are left.
     */
    public static List<Ranked> diversify(List<Ranked> ranked, int k, java.util.function.Predicate<String> keep,
                                         java.util.function.Predicate<String> demoted,
                                         Function<String, Set<String>> brands,
                                         Function<String, Set<String>> categories,
                                         int maxPerBrand, int maxPerCategory) {
        Map<String, Integer> perBrand = new HashMap<>();
        Map<String, Integer> perCategory = new HashMap<>();
        List<Ranked> chosen = new ArrayList<>(k);
        List<Ranked> later = new ArrayList<>();
        for (Ranked item : ranked) {
            if (chosen.size() == k) {
                break;
            }
            if (!keep.test(item.itemId())) {
                continue;
            }
            if (demoted.test(item.itemId())) {
                later.add(item);
                continue;
            }
            choose(item, chosen, brands, categories, maxPerBrand, maxPerCategory, perBrand, perCategory);
        }
        for (Ranked item : later) {
            if (chosen.size() == k) {
                break;
            }
            choose(item, chosen, brands, categories, maxPerBrand, maxPerCategory, perBrand, perCategory);
        }
        return chosen;
    }

    private static void choose(Ranked item, List<Ranked> chosen, Function<String, Set<String>> brands,
                               Function<String, Set<String>> categories, int maxPerBrand, int maxPerCategory,
                               Map<String, Integer> perBrand, Map<String, Integer> perCategory) {
        Set<String> b = maxPerBrand == RecommendConfig.NO_LIMIT ? Set.of() : brands.apply(item.itemId());
        Set<String> c = maxPerCategory == RecommendConfig.NO_LIMIT ? Set.of() : categories.apply(item.itemId());
        if (b.stream().anyMatch(x -> perBrand.getOrDefault(x, 0) >= maxPerBrand)
                || c.stream().anyMatch(x -> perCategory.getOrDefault(x, 0) >= maxPerCategory)) {
            return;
        }
        b.forEach(x -> perBrand.merge(x, 1, Integer::sum));
        c.forEach(x -> perCategory.merge(x, 1, Integer::sum));
        chosen.add(item);
    }
}
