package io.shopgraph.plugin.export;

import io.shopgraph.plugin.common.ConfigReader;
import io.shopgraph.plugin.common.ConfigReader.Range;
import io.shopgraph.plugin.common.ShopgraphException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The config map of {@code shopgraph.export.interactions}, validated by {@link ConfigReader}.
 * Every key is optional (absent or null: the default, but for the keys where null has a
 * meaning); an unknown key, a wrong type or a value out of range is a
 * {@link ShopgraphException} naming the key.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>since, until</td><td>null</td><td>the time window (datetimes with a timezone;
 *       null: open); interactions without a time are outside any window</td></tr>
 *   <tr><td>categories</td><td>[] (every item)</td><td>category codes; items in one of them or
 *       a descendant only</td></tr>
 *   <tr><td>weights</td><td>VIEWED 1, ADDED_TO_CART 2, REMOVED_FROM_CART 0, CONTAINS 4</td>
 *       <td>weight per kind ({@link InteractionKind}); a partial map merges with the
 *       defaults; 0 leaves the kind out</td></tr>
 *   <tr><td>halfLifeDays</td><td>30.0</td><td>the recency half-life, in days, of an interaction's
 *       weight by its age (from {@code now}); null turns decay off</td></tr>
 *   <tr><td>now</td><td>none</td><td>the datetime ages are measured from; needed with
 *       decay</td></tr>
 *   <tr><td>useTrust</td><td>true</td><td>multiply by the relationship's {@code weight}</td></tr>
 *   <tr><td>usersPerRow</td><td>10000</td><td>users per result row, 1 to 1,000,000</td></tr>
 * </table>
 *
 * @param since interactions at or after it only, or null
 * @param until interactions at or before it only, or null
 * @param categories category codes, distinct, in the given order; empty: every item
 * @param weights the weight of every kind
 * @param halfLifeDays the half-life, or null for no decay
 * @param now the reference time of the decay, or null (only without decay)
 * @param useTrust whether relationship weights count
 * @param usersPerRow users per result row
 */
public record ExportConfig(Instant since, Instant until, List<String> categories,
                           Map<InteractionKind, Double> weights, Double halfLifeDays, Instant now,
                           boolean useTrust, int usersPerRow) {

    /** The keys of the config map. */
    public static final List<String> KEYS = List.of(
            "since", "until", "categories", "weights", "halfLifeDays", "now", "useTrust", "usersPerRow");
    /** The default half-life in days. */
    public static final double DEFAULT_HALF_LIFE_DAYS = 30.0;
    /** The default number of users per row. */
    public static final int DEFAULT_USERS_PER_ROW = 10_000;
    /** The largest number of users per row. */
    static final int MAX_USERS_PER_ROW = 1_000_000;

    /**
     * Reads a config map; absent keys take their defaults.
     *
     * @param config the map (null means empty)
     * @return the config
     * @throws ShopgraphException on an unknown key or a bad value
     */
    public static ExportConfig parse(Map<String, Object> config) {
        ConfigReader reader = ConfigReader.of(config, KEYS);
        Instant since = reader.datetime("since");
        Instant until = reader.datetime("until");
        if (since != null && until != null && since.isAfter(until)) {
            throw ShopgraphException.badArgument("Config key 'since' must not be later than 'until', got "
                    + since + " and " + until + ".");
        }
        Double halfLife = reader.numberOrNull("halfLifeDays", DEFAULT_HALF_LIFE_DAYS, Range.above(0));
        Instant now = reader.datetime("now");
        if (halfLife != null && now == null) {
            throw ShopgraphException.badArgument("Config key 'now' must be given when halfLifeDays is set:"
                    + " it is the datetime that ages are measured from (shopgraph passes the latest event"
                    + " time).");
        }
        List<String> categories = reader.strings("categories");
        return new ExportConfig(since, until, categories == null ? List.of() : categories,
                reader.weights("weights", InteractionKind.class, InteractionKind::defaultWeight,
                        Range.atLeast(0)),
                halfLife, now, reader.bool("useTrust", true),
                (int) reader.integer("usersPerRow", DEFAULT_USERS_PER_ROW, 1, MAX_USERS_PER_ROW));
    }

    /** The weight of one kind. */
    public double weight(InteractionKind kind) {
        return weights.get(kind);
    }
}
