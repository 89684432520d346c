package io.shopgraph.plugin.walk;

import io.shopgraph.plugin.common.ConfigReader;
import io.shopgraph.plugin.common.ConfigReader.Range;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The validated config of a random-walk procedure, parsed from the Cypher {@code $config} map.
 *
 * <p>Keys (all optional; absent or null: the default, but for {@code halfLifeDays}):
 * <ul>
 *   <li>{@code steps} (integer, 1 to 1,000,000, default 10,000): total step budget of one call,
 *       shared among the query items. A step is one relationship traversal (item to session,
 *       session to item, session to user, ...).
 *   <li>{@code restart} (float, greater than 0 and at most 1, default 0.3): probability that a
 *       walk jumps back to its query item each time it lands on an item, so walks average
 *       1 / restart item-to-item moves (3.3 by default): close enough to stay relevant, far
 *       enough to reach items the query was never seen with.
 *   <li>{@code seed} (integer, default 42): seed of the walks; the same projection, query and
 *       config give the same result.
 *   <li>{@code nP} (integer, 0 to 1,000,000, default 200) and {@code nV} (integer, 1 to
 *       1,000,000, default 4): early stopping; a query item's walks stop once {@code nP}
 *       candidate items have been visited at least {@code nV} times each ({@code nP = 0}
 *       turns it off). Raise {@code nP} when asking for many more than 200 results.
 *   <li>{@code typeWeights} (map of relationship type to float at least 0): per-type factor of
 *       the transition probabilities, merged over the defaults of {@link EdgeKind}
 *       ({@code VIEWED} 1.0, {@code ADDED_TO_CART} 2.0, {@code REMOVED_FROM_CART} 0.0,
 *       {@code CONTAINS} 3.0, {@code HAS_BRAND} 0.3, {@code IN_CATEGORY} 0.2,
 *       {@code HAS_SESSION} 0.5, {@code PLACED} 0.5). For a user they also weight the event
 *       types of the query items.
 *   <li>{@code queryItems} (integer, 1 to 50, default 20; {@code shopgraph.candidates} only):
 *       how many of a user's most recent items start walks (and are left out of the result);
 *       a user's sessions are read newest first only until that many items are known.
 *   <li>{@code halfLifeDays} (float greater than 0, or null for no decay; default 7.0;
 *       {@code shopgraph.candidates} only): the recency half-life, in days, of an
 *       interaction's weight by its age; a user's interaction this many days older than the
 *       user's latest one weighs half as much as a query item.
 *   <li>{@code ttlSeconds} (integer, 0 to 31,622,400 (366 days), default 300): on a server
 *       without the plugin's change feed only (with it, every commit reaches the projection
 *       within tens of milliseconds): once the database has committed transactions since the
 *       projection was built, a projection older than this is rebuilt in the background; the
 *       call itself still walks the current one.
 *   <li>{@code inStockOnly} (boolean, default true): skip items whose {@code inStock} property
 *       is false (items without it count as in stock).
 *   <li>{@code useModel} (boolean, default true; {@code shopgraph.similar} only): answer from
 *       the active embedding model's vector index when there is one and the item has an
 *       embedding; otherwise, or when false, by random walks.
 *   <li>{@code userId} (a user id, default null; {@code shopgraph.similar} only): the user who
 *       asks: the items they rejected are left out, and those very similar to them demoted.
 *   <li>{@code newItems} (integer, 0 to 1000, default 1; {@code shopgraph.similar} only): how
 *       many of the last places new items (no interactions yet) of the item's brand and
 *       category may take (0: none).
 * </ul>
 *
 * @param steps total step budget
 * @param restart restart probability on landing on an item
 * @param seed walk seed
 * @param nP early stopping: number of items that must reach {@code nV} visits, 0 for none
 * @param nV early stopping: visits an item needs to count towards {@code nP}
 * @param typeWeights type weight of every relationship kind
 * @param queryItems how many of a user's recent items start walks
 * @param halfLifeDays recency half-life of a user's interactions, in days, or {@link #NO_DECAY}
 * @param ttlSeconds how old a projection may get, once the database changed, before a rebuild
 * @param inStockOnly whether items with {@code inStock = false} are skipped
 * @param useModel whether {@code shopgraph.similar} may answer from the active embedding model
 * @param userId the user {@code shopgraph.similar} answers, or null
 * @param newItems how many places of {@code shopgraph.similar}'s answer new items may take
 */
public record WalkConfig(int steps, double restart, long seed, int nP, int nV,
                         Map<EdgeKind, Double> typeWeights, int queryItems, double halfLifeDays,
                         long ttlSeconds, boolean inStockOnly, boolean useModel, String userId, int newItems) {

    public static final int DEFAULT_STEPS = 10_000;
    public static final int MAX_STEPS = 1_000_000;
    public static final double DEFAULT_RESTART = 0.3;
    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_NP = 200;
    public static final int DEFAULT_NV = 4;
    public static final int DEFAULT_QUERY_ITEMS = 20;
    public static final int MAX_QUERY_ITEMS = 50;
    public static final double DEFAULT_HALF_LIFE_DAYS = 7.0;
    /** {@link #halfLifeDays} of no recency decay ({@code halfLifeDays: null}). */
    public static final double NO_DECAY = Double.POSITIVE_INFINITY;
    public static final long DEFAULT_TTL_SECONDS = 300;
    public static final long MAX_TTL_SECONDS = 366L * 24 * 3600;
    /** The default of {@code newItems}. */
    public static final int DEFAULT_NEW_ITEMS = 1;

    /** Which procedure a config is for; each accepts its own keys. */
    public enum Use {
        CANDIDATES(List.of("steps", "restart", "seed", "nP", "nV", "typeWeights", "queryItems",
                "halfLifeDays", "ttlSeconds", "inStockOnly")),
        SIMILAR(List.of("steps", "restart", "seed", "nP", "nV", "typeWeights", "ttlSeconds",
                "inStockOnly", "useModel", "userId", "newItems"));

        private final List<String> keys;

        Use(List<String> keys) {
            this.keys = keys;
        }

        /** The keys this procedure accepts, in documentation order. */
        public List<String> keys() {
            return keys;
        }
    }

    public WalkConfig {
        EnumMap<EdgeKind, Double> copy = new EnumMap<>(EdgeKind.class);
        for (EdgeKind kind : EdgeKind.values()) {
            copy.put(kind, typeWeights.getOrDefault(kind, kind.defaultWeight()));
        }
        typeWeights = Collections.unmodifiableMap(copy);
    }

    /** The config with every default. */
    public static WalkConfig defaults() {
        return parse(Map.of(), Use.CANDIDATES);
    }

    /**
     * Parses and validates a config map; missing keys take their defaults.
     *
     * @param raw the map given to the procedure (null means empty)
     * @param use the procedure it is for, which decides the accepted keys
     * @return the config
     * @throws ShopgraphException naming the key, for an unknown key, a value of the wrong type
     *     or a value out of range
     */
    public static WalkConfig parse(Map<String, ?> raw, Use use) {
        ConfigReader config = ConfigReader.of(raw, use.keys());
        Double halfLife = config.numberOrNull("halfLifeDays", DEFAULT_HALF_LIFE_DAYS, Range.above(0));
        return new WalkConfig(
                (int) config.integer("steps", DEFAULT_STEPS, 1, MAX_STEPS),
                config.number("restart", DEFAULT_RESTART, Range.aboveAtMost(0, 1)),
                config.integer("seed", DEFAULT_SEED, Long.MIN_VALUE, Long.MAX_VALUE),
                (int) config.integer("nP", DEFAULT_NP, 0, 1_000_000),
                (int) config.integer("nV", DEFAULT_NV, 1, 1_000_000),
                typeWeights(config),
                (int) config.integer("queryItems", DEFAULT_QUERY_ITEMS, 1, MAX_QUERY_ITEMS),
                halfLife == null ? NO_DECAY : halfLife,
                config.integer("ttlSeconds", DEFAULT_TTL_SECONDS, 0, MAX_TTL_SECONDS),
                config.bool("inStockOnly", true),
                config.bool("useModel", true),
                config.id("userId"),
                (int) config.integer("newItems", DEFAULT_NEW_ITEMS, 0, 1000));
    }

    /** The type weights as an array indexed by {@link EdgeKind} ordinal. */
    public double[] typeWeightArray() {
        double[] weights = new double[EdgeKind.values().length];
        typeWeights.forEach((kind, weight) -> weights[kind.ordinal()] = weight);
        return weights;
    }

    private static Map<EdgeKind, Double> typeWeights(ConfigReader config) {
        Map<EdgeKind, Double> weights = config.weights("typeWeights", EdgeKind.class,
                EdgeKind::defaultWeight, Range.atLeast(0));
        boolean itemsCanMove = weights.entrySet().stream().anyMatch(e -> e.getValue() > 0
                && (e.getKey().from() == NodeKind.ITEM || e.getKey().to() == NodeKind.ITEM));
        if (!itemsCanMove) {
            throw ShopgraphException.badArgument("Config key 'typeWeights' must give a positive"
                    + " weight to at least one relationship type of items ("
                    + Arrays.stream(EdgeKind.values())
                            .filter(k -> k.from() == NodeKind.ITEM || k.to() == NodeKind.ITEM)
                            .map(Enum::name).collect(Collectors.joining(", "))
                    + "), or no walk can leave its query item.");
        }
        return weights;
    }
}
