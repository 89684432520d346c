package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.live.changes.ChangeFeeds;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.Log;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * The {@link LiveIndex} of each database, and when a call may score over its latest version.
 *
 * <p><b>Use.</b> A call scores over the latest {@link IndexVersion} when there is one, the
 * caller's transaction has no changes of its own (it must see them: it traverses), the call's
 * {@code sizeExponent}, {@code maxBasketSize} and {@code adjacencyBonus} are those of the index
 * (the defaults) and every cart item has its pairs in it (an item created since the last merge
 * has not). Otherwise it traverses the baskets, with the masses of the latest version when there
 * is one (those of {@code Item.bundleMass} before the first build). With the change feed
 * ({@link ChangeFeeds}), the latest version holds every commit within a merge's delay (see
 * {@link LiveIndex}); without it (the plugin's extension was not loaded) a version is used only
 * while nothing was committed since its build began, as the database's last committed
 * transaction id tells, and calls start a background build when it is stale.
 *
 * <p>Two Neo4j internals are used: the last committed and last closed transaction ids
 * ({@link TransactionIdStore}, through {@link GraphDatabaseAPI}), and the database's id, so that a
 * database dropped and created again under the same name never sees an old index.
 */
final class PairIndexes {

    /** Least pause between two background builds of a database, in milliseconds. */
    static final long MIN_PAUSE_MILLIS = 1_000;

    private static final long UNKNOWN_TX = -1;
    private static final ConcurrentHashMap<String, Entry> DATABASES = new ConcurrentHashMap<>();
    private static final ExecutorService BUILDS = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "shopgraph-bundle-index");
        thread.setDaemon(true);
        return thread;
    });
    private static final ScheduledExecutorService MERGES = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "shopgraph-bundle-merge");
        thread.setDaemon(true);
        return thread;
    });
    private static final AtomicLong INDEXED_CALLS = new AtomicLong();

    private PairIndexes() {}

    /** A database's live index and how to read its last committed transaction id. */
    private record Entry(LiveIndex index, LongSupplier lastCommitted) {}

    /**
     * The version a call may score over, of those {@link #latest} gives, or empty (it
     * traverses): one that serves the call's knobs, for a transaction without changes of its
     * own.
     *
     * @param latest the latest version
     * @param ktx the caller's transaction
     * @param scoring the call's knobs
     */
    static Optional<IndexVersion> forCall(Optional<IndexVersion> latest, KernelTransaction ktx,
                                          ScoringConfig scoring) {
        if (latest.isEmpty() || !latest.get().serves(scoring) || ktx.dataRead().transactionStateHasChanges()) {
            return Optional.empty();
        }
        return latest;
    }

    /**
     * The latest version whatever the call's knobs, for its masses; empty before the first build
     * (one is started), when it was built with other statistics than those in the graph now (a
     * build is started) and, without the change feed, when stale.
     *
     * @param db the caller's database
     * @param stats the statistics in the graph, as the caller's transaction reads them
     * @param log where builds report
     */
    static Optional<IndexVersion> latest(GraphDatabaseService db, BundleStats stats, Log log) {
        Entry entry = database(db, log);
        IndexVersion version = entry.index().current();
        if (version == null || !version.stats().equals(stats)) {
            entry.index().requestBuild();
            return Optional.empty();
        }
        if (!entry.index().live()) {
            long txId = entry.lastCommitted().getAsLong();
            if (txId == UNKNOWN_TX || version.txId() != txId) {
                entry.index().requestBuild();
                return Optional.empty();
            }
        }
        return Optional.of(version);
    }

    /**
     * Builds the caller's database's index now with a refresh's statistics (after any build under
     * way), publishes it and waits; {@code beforePublish} runs between the build and the
     * publication (the refresh writes the masses there).
     *
     * @return the version, or empty when the index would be too large
     */
    static Optional<IndexVersion> refresh(GraphDatabaseService db, BundleStats stats, Log log,
                                          java.util.function.Consumer<PairIndex> beforePublish) {
        return database(db, log).index().build(stats, beforePublish);
    }

    /**
     * Builds the caller's database's index now from the graph with the statistics of the last
     * refresh (a compaction on demand) and waits.
     *
     * @return the version, or empty without statistics or when the index would be too large
     */
    static Optional<IndexVersion> compact(GraphDatabaseService db, Log log) {
        return database(db, log).index().build(null, null);
    }

    /**
     * A scorer for a call: over the version when it is present and holds every cart item, else
     * by traversal of {@code baskets} with the masses of {@code masses} when present (else those
     * of {@code baskets}).
     */
    static BundleScorer scorer(Optional<IndexVersion> version, Optional<IndexVersion> masses, long[] cart,
                               GraphBasketSource baskets, BundleStats stats, ScoringConfig scoring) {
        if (version.isPresent()) {
            IndexVersion index = version.get();
            boolean held = true;
            for (long item : cart) {
                held &= index.holds(item);
            }
            if (held) {
                INDEXED_CALLS.incrementAndGet();
                return new BundleScorer(index.items(baskets), index, stats, scoring);
            }
        }
        if (masses.isPresent()) {
            return new BundleScorer(masses.get().items(baskets), new BasketPairs(baskets, stats, scoring), stats,
                    scoring);
        }
        return new BundleScorer(baskets, stats, scoring);
    }

    /** How many scorers were made over an index since the start (for tests). */
    static long indexedCalls() {
        return INDEXED_CALLS.get();
    }

    /**
     * Waits until every change committed to the caller's database before the call is in its
     * latest version (tests and benchmarks).
     */
    static void awaitMerged(GraphDatabaseService db, Log log) {
        database(db, log).index().awaitMerged();
    }

    /** The latest version of the caller's database, whatever the statistics; empty before the first build. */
    static Optional<IndexVersion> current(GraphDatabaseService db, Log log) {
        return Optional.ofNullable(database(db, log).index().current());
    }

    /** What the merges of the caller's database did since the start. */
    static LiveIndex.MergeStats mergeStats(GraphDatabaseService db, Log log) {
        return database(db, log).index().mergeStats();
    }

    /**
     * Waits until every background build and merge started so far has ended (they run one at a
     * time, in the order they were started). For tests.
     */
    static void awaitBackgroundBuilds() throws InterruptedException, ExecutionException {
        for (int round = 0; round < 3; round++) {
            MERGES.submit(() -> { }).get();
            BUILDS.submit(() -> { }).get();
        }
    }

    private static Entry database(GraphDatabaseService db, Log log) {
        String identity = ChangeFeeds.identity(db);
        Entry cached = DATABASES.get(identity);
        if (cached != null) {
            return cached;
        }
        return DATABASES.computeIfAbsent(identity, key -> {
            LongSupplier lastCommitted;
            LongSupplier lastClosed;
            if (db instanceof GraphDatabaseAPI api
                    && api.getDependencyResolver().containsDependency(TransactionIdStore.class)) {
                TransactionIdStore store = api.getDependencyResolver().resolveDependency(TransactionIdStore.class);
                lastCommitted = store::getLastCommittedTransactionId;
                lastClosed = store::getLastClosedTransactionId;
            } else {
                log.warn("shopgraph: cannot read the last committed transaction id of database '%s'; without"
                        + " the change feed, bundles are always computed by traversal.", db.databaseName());
                lastCommitted = () -> UNKNOWN_TX;
                lastClosed = () -> UNKNOWN_TX;
            }
            return new Entry(new LiveIndex(key, db, log, lastClosed, MERGES, BUILDS), lastCommitted);
        });
    }
}
