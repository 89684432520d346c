package io.shopgraph.plugin.walk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a user's history into weighted query items: the items of the user's most recent
 * interactions, most recent first.
 *
 * <p>An interaction (a view, cart add or removal in a session, or a line of a purchase) is
 * worth {@code typeWeight(kind) * weight * 2^(-age / halfLifeDays)}, where {@code weight} is
 * the relationship's trust weight and {@code age} is the time from the interaction to the
 * user's latest interaction (not to now: histories loaded from old data keep their shape).
 * Interactions worth 0 (a type weight of 0, a distrusted relationship) are ignored. Each item
 * keeps its best interaction's worth as query weight and its latest interaction's time for
 * the order; the {@code queryItems} most recent items are the query (ties by item id).
 * Interactions without a time count as older than all others.
 */
public final class UserQuery {

    private static final double MILLIS_PER_DAY = 86_400_000.0;

    private UserQuery() {}

    /**
     * One thing a user did with an item.
     *
     * @param itemId the item's business id
     * @param kind {@code VIEWED}, {@code ADDED_TO_CART}, {@code REMOVED_FROM_CART} or
     *     {@code CONTAINS} (a purchase)
     * @param atMillis when, in epoch milliseconds, or null when unknown
     * @param weight the relationship's weight (1.0 unless trust scoring lowered it)
     */
    public record Interaction(String itemId, EdgeKind kind, Long atMillis, double weight) {
        public Interaction {
            Objects.requireNonNull(itemId, "itemId");
            Objects.requireNonNull(kind, "kind");
        }
    }

    /**
     * The query items of a history.
     *
     * @param history the user's interactions, in any order
     * @param config {@code queryItems}, {@code halfLifeDays} and {@code typeWeights}
     * @return at most {@code queryItems} query items, most recent first
     */
    public static List<QueryItem> select(List<Interaction> history, WalkConfig config) {
        double[] typeWeights = config.typeWeightArray();
        long latest = Long.MIN_VALUE;
        long earliest = Long.MAX_VALUE;
        for (Interaction interaction : history) {
            if (interaction.atMillis() != null) {
                latest = Math.max(latest, interaction.atMillis());
                earliest = Math.min(earliest, interaction.atMillis());
            }
        }
        Map<String, double[]> byItem = new HashMap<>();
        for (Interaction interaction : history) {
            double base = typeWeights[interaction.kind().ordinal()] * interaction.weight();
            if (!(base > 0) || Double.isInfinite(base)) {
                continue;
            }
            long at = interaction.atMillis() != null ? interaction.atMillis()
                    : latest == Long.MIN_VALUE ? 0 : earliest;
            double ageDays = latest == Long.MIN_VALUE ? 0 : (latest - at) / MILLIS_PER_DAY;
            double worth = base * Math.pow(0.5, ageDays / config.halfLifeDays());
            // {best worth, latest time (-inf when unknown)}
            double[] item = byItem.computeIfAbsent(interaction.itemId(),
                    id -> new double[] {0, Double.NEGATIVE_INFINITY});
            item[0] = Math.max(item[0], worth);
            if (interaction.atMillis() != null) {
                item[1] = Math.max(item[1], interaction.atMillis());
            }
        }
        List<Map.Entry<String, double[]>> items = new ArrayList<>(byItem.entrySet());
        items.sort(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> -e.getValue()[1])
                .thenComparing(Map.Entry::getKey));
        List<QueryItem> query = new ArrayList<>();
        for (Map.Entry<String, double[]> item : items) {
            if (query.size() == config.queryItems()) {
                break;
            }
            query.add(new QueryItem(item.getKey(), item.getValue()[0]));
        }
        return query;
    }
}
