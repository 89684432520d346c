package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ShopgraphException;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;

/**
 * The one {@code (:BundleStats {key: 'default'})} node: {@code now} (DATETIME, absent when no
 * counted basket has a time), {@code basketMass}, {@code baskets}, {@code items} and the
 * mass-relevant knobs ({@code orderWeight}, {@code cartWeight}, {@code viewWeight},
 * {@code halfLifeDays} (absent: no decay), {@code userCap}), and {@code weightedSources}: the
 * sources ('order', 'cart', 'view') that had a relationship weight other than 1.0 (absent: all).
 */
final class StatsStore {
    static final String KEY = "default";

    private StatsStore() {}

    /** The statistics, or empty when no refresh has run. */
    static Optional<BundleStats> read(Transaction tx) {
        Node node = tx.findNode(GraphModel.BUNDLE_STATS, "key", KEY);
        if (node == null) {
            return Optional.empty();
        }
        Object halfLife = node.getProperty("halfLifeDays", null);
        MassConfig mass = new MassConfig(number(node, "orderWeight"), number(node, "cartWeight"),
                number(node, "viewWeight"), halfLife == null ? MassConfig.NO_DECAY : ((Number) halfLife).doubleValue(),
                number(node, "userCap"));
        Object now = node.getProperty("now", null);
        Set<Source> weighted = EnumSet.allOf(Source.class);
        if (node.getProperty("weightedSources", null) instanceof String[] names) {
            weighted = EnumSet.noneOf(Source.class);
            for (String name : names) {
                weighted.add(Source.valueOf(name.toUpperCase(Locale.ROOT)));
            }
        }
        return Optional.of(new BundleStats(mass, GraphModel.epochMillis((Temporal) now),
                number(node, "basketMass"), (long) number(node, "baskets"), (long) number(node, "items"),
                weighted));
    }

    /** The error of a call that needs the statistics before any refresh. */
    static ShopgraphException missing() {
        return ShopgraphException.conflict("Bundle statistics are missing: run CALL"
                + " shopgraph.bundle.refresh() after loading data.");
    }

    /** Creates or overwrites the node. */
    static void write(Transaction tx, BundleStats stats, Temporal now) {
        if (now != null && !(now instanceof ZonedDateTime || now instanceof OffsetDateTime)) {
            throw new IllegalStateException("now must be a datetime with a timezone, got "
                    + CypherValues.describe(now) + ".");
        }
        Node node = tx.findNode(GraphModel.BUNDLE_STATS, "key", KEY);
        if (node == null) {
            node = tx.createNode(GraphModel.BUNDLE_STATS);
            node.setProperty("key", KEY);
        }
        if (now == null) {
            node.removeProperty("now");
        } else {
            node.setProperty("now", now);
        }
        node.setProperty("basketMass", stats.basketMass());
        node.setProperty("baskets", stats.baskets());
        node.setProperty("items", stats.items());
        MassConfig mass = stats.mass();
        node.setProperty("orderWeight", mass.orderWeight());
        node.setProperty("cartWeight", mass.cartWeight());
        node.setProperty("viewWeight", mass.viewWeight());
        if (mass.halfLifeDays() == MassConfig.NO_DECAY) {
            node.removeProperty("halfLifeDays");
        } else {
            node.setProperty("halfLifeDays", mass.halfLifeDays());
        }
        node.setProperty("userCap", mass.userCap());
        node.setProperty("weightedSources", stats.weightedSources().stream().sorted()
                .map(source -> source.name().toLowerCase(Locale.ROOT)).toArray(String[]::new));
    }

    private static double number(Node node, String key) {
        Object value = node.getProperty(key, null);
        if (!(value instanceof Number number)) {
            throw ShopgraphException.conflict("Bundle statistics lack " + key + ": run CALL"
                    + " shopgraph.bundle.refresh() again.");
        }
        return number.doubleValue();
    }
}
