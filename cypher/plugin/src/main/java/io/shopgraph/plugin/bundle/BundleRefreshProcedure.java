package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.ShopgraphException;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.util.Map;
import java.util.Optional;
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
 * {@code CALL shopgraph.bundle.refresh($config)}: the statistics and item masses that
 * {@code shopgraph.bundle} scores with; a thin adapter over {@link MassRefresh} (the statistics)
 * and {@link PairIndexes#refresh} (a full build of the live pair index with them, whose masses
 * are the ones written). Run it after bulk loads or changing relationship weights (trust
 * scoring), in a transaction of its own (it commits its writes in batches, which an enclosing
 * transaction would not see); live writes need none, the index follows them.
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

    /**
     * The index a compaction built.
     *
     * @param items items whose pairs it holds
     * @param pairs pairs it holds, each direction counted
     * @param millis how long the build took, catching up included
     * @param bytes approximate heap it holds
     */
    public record CompactRow(long items, long pairs, long millis, long bytes) {}

    @Procedure(name = "shopgraph.bundle.compact", mode = Mode.READ)
    @Description("Rebuilds the in-memory pair index that shopgraph.bundle reads from the graph now, with"
            + " the statistics of the last shopgraph.bundle.refresh(), and waits: what the background"
            + " compaction does once the changes merged since the last build are many. Nothing is"
            + " written; results equal those of the merged index. Yields items, pairs, millis, bytes.")
    public Stream<CompactRow> compact() {
        long start = System.nanoTime();
        StatsStore.read(tx).orElseThrow(StatsStore::missing);
        IndexVersion version = PairIndexes.compact(db, log).orElseThrow(() -> ShopgraphException.conflict(
                "The bundle pair index would take more than a quarter of the heap; calls traverse the baskets."));
        return Stream.of(new CompactRow(version.base().items(), version.base().pairs() + version.overlayPairs(),
                (System.nanoTime() - start) / 1_000_000, version.estimatedBytes()));
    }

    /**
     * The live pair index of the database: what it holds and what its merges did.
     *
     * @param version the number of the version calls read (every merge publishes the next)
     * @param items items of the full build under it
     * @param pairs pairs of the full build
     * @param mergedItems items recomputed since the full build (the overlay)
     * @param mergedPairs pairs the overlay holds
     * @param decreased items whose mass went down since the full build (calls meet them first)
     * @param merges merges since the start of the database
     * @param itemsMerged items recomputed by them
     * @param mergeMillis their total duration
     * @param sessionMerges how many of them merged session changes too
     * @param builds full builds since the start
     * @param bytes approximate heap the index holds
     */
    public record StatusRow(long version, long items, long pairs, long mergedItems, long mergedPairs,
                            long decreased, long merges, long itemsMerged, long mergeMillis, long sessionMerges,
                            long builds, long bytes) {}

    @Procedure(name = "shopgraph.bundle.status", mode = Mode.READ)
    @Description("The in-memory pair index that shopgraph.bundle reads and how the database's commits"
            + " reach it: its version, the full build under it, the items and pairs recomputed since"
            + " (merged), the masses that went down, and what the merges and builds did since the"
            + " database started. No row before the first build. Yields version, items, pairs,"
            + " mergedItems, mergedPairs, decreased, merges, itemsMerged, mergeMillis, sessionMerges,"
            + " builds, bytes.")
    public Stream<StatusRow> status() {
        Optional<IndexVersion> latest = PairIndexes.current(db, log);
        if (latest.isEmpty()) {
            return Stream.empty();
        }
        IndexVersion version = latest.get();
        LiveIndex.MergeStats merges = PairIndexes.mergeStats(db, log);
        return Stream.of(new StatusRow(version.number(), version.base().items(), version.base().pairs(),
                version.overlayItems(), version.overlayPairs(), version.decreased().length, merges.merges,
                merges.items, merges.millis, merges.sessionMerges, merges.builds, version.estimatedBytes()));
    }

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
        MassRefresh refresh = new MassRefresh(db, tx, mass);
        MassRefresh.Outcome outcome = refresh.run();
        Optional<IndexVersion> built = PairIndexes.refresh(db, outcome.stats(), log,
                index -> refresh.write(outcome, index::mass));
        if (built.isEmpty()) {
            // No index (too large for the heap): the same masses, computed item by item.
            try (GraphBasketSource baskets = new GraphBasketSource(ktx, outcome.stats().weightedSources(),
                    ScoringConfig.DEFAULTS.adjacency())) {
                ComputedMasses masses = new ComputedMasses(baskets, outcome.stats());
                refresh.write(outcome, masses::mass);
            }
        }
        Temporal now = outcome.now();
        ZonedDateTime zoned = now == null ? null
                : now instanceof ZonedDateTime z ? z : ((java.time.OffsetDateTime) now).toZonedDateTime();
        BundleStats stats = outcome.stats();
        return Stream.of(new RefreshRow(stats.items(), stats.baskets(), zoned, stats.basketMass(),
                (System.nanoTime() - start) / 1_000_000));
    }
}
