package io.shopgraph.plugin.bundle;

import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.util.Map;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.logging.Log;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.bundle.refresh($config)}: the item masses and statistics that
 * {@code shopgraph.bundle} scores with; a thin adapter over {@link MassRefresh}, then
 * {@link PairIndexes#rebuild} (the pair sums of every item, so that bundle calls need not
 * traverse the baskets). Run it after loading data or changing relationship weights (trust
 * scoring), in a transaction of its own (it commits its writes in batches, which an enclosing
 * transaction would not see).
 */
public final class BundleRefreshProcedure {

    @Context
    public Transaction tx;

    @Context
    public GraphDatabaseService db;

    @Context
    public KernelTransaction ktx;

    @Context
    public Log log;

    /**
     * One row.
     *
     * @param items how many distinct items the counted baskets hold
     * @param baskets how many baskets were counted (non-empty, of a source with weight above 0)
     * @param now the newest counted basket's time, or null
     * @param basketMass {@code N}
     * @param millis how long the refresh took, pair index included
     */
    public record RefreshRow(long items, long baskets, ZonedDateTime now, double basketMass, long millis) {}

    @Procedure(name = "shopgraph.bundle.refresh", mode = Mode.WRITE)
    @Description("Computes what shopgraph.bundle scores with: Item.bundleMass n(i) for every item"
            + " and one (:BundleStats {key: 'default'}) node with N, now (the newest basket's time)"
            + " and the config used. Baskets: orders of kind 'order', and each session's carted and"
            + " viewed items. Run it after loading data or changing weights, in its own transaction"
            + " (writes commit in batches of 10,000 items); then it builds the in-memory index of item"
            + " pairs that bundle calls read. Config keys (all optional): orderWeight"
            + " (1.0), cartWeight (0.5), viewWeight (0.1), halfLifeDays (135.0: the recency half-life,"
            + " in days, of a basket's weight by its age, from the newest basket; null: no decay),"
            + " userCap (1.0)."
            + " Yields items, baskets, now, basketMass, millis.")
    public Stream<RefreshRow> refresh(
            @Name(value = "config", defaultValue = "{}",
                    description = "Source weights, half-life in days and user cap; see the description.")
            Map<String, Object> config) {
        long start = System.nanoTime();
        MassConfig mass = BundleConfig.parseRefresh(config);
        MassRefresh.Outcome outcome = new MassRefresh(db, tx, mass).run();
        PairIndexes.rebuild(db, ktx, log);
        Temporal now = outcome.now();
        ZonedDateTime zoned = now == null ? null
                : now instanceof ZonedDateTime z ? z : ((java.time.OffsetDateTime) now).toZonedDateTime();
        BundleStats stats = outcome.stats();
        return Stream.of(new RefreshRow(stats.items(), stats.baskets(), zoned, stats.basketMass(),
                (System.nanoTime() - start) / 1_000_000));
    }
}
