package io.shopgraph.plugin.bundle;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.kernel.impl.coreapi.InternalTransaction;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.Log;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * The {@link PairIndex} of each database, and when a call may score over it.
 *
 * <p><b>Builds.</b> {@code shopgraph.bundle.refresh()} builds it once the masses are committed,
 * and waits. A call that finds no index (after a restart) or a stale one starts a build in the
 * background, one at a time, and not sooner after the previous build than ten times its
 * duration (at least {@value #MIN_PAUSE_MILLIS} ms): a database written to all the time spends
 * at most about a tenth of a core on rebuilds that its writes keep making stale. A build reads
 * in a transaction of its own, with the statistics of the last refresh, every {@code Item} node
 * and {@link GraphBasketSource}, and gives up (keeping the traversal) when the index would take
 * more than a quarter of the heap.
 *
 * <p><b>Use.</b> A call scores over the index only when the index holds exactly what the
 * traversal would read: nothing was committed to the database since its build began (a build
 * records the last closed transaction id, so every transaction up to it was visible to it; a
 * call compares that with the last committed id, which moves as soon as a transaction is
 * written to the log), the caller's transaction has no changes of its own, the call's
 * {@code sizeExponent}, {@code maxBasketSize} and {@code adjacencyBonus} are those of the index
 * (the defaults) and every cart item has its pairs in it. Otherwise it traverses: the same results, more slowly.
 * The results never depend on which way a call took.
 *
 * <p>Two Neo4j internals are used, as by the walk projection: the last committed and last
 * closed transaction ids ({@link TransactionIdStore}, through {@link GraphDatabaseAPI}; without
 * them no index is ever used), and the database's id, so that a database dropped and created
 * again under the same name never sees an old index.
 */
final class PairIndexes {

    /** Least pause between two background builds of a database, in milliseconds. */
    static final long MIN_PAUSE_MILLIS = 1_000;

    private static final long UNKNOWN_TX = -1;
    private static final ConcurrentHashMap<String, Database> DATABASES = new ConcurrentHashMap<>();
    private static final ExecutorService BUILDS = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "shopgraph-bundle-index");
        thread.setDaemon(true);
        return thread;
    });
    private static final AtomicLong INDEXED_CALLS = new AtomicLong();

    private PairIndexes() {}

    /**
     * One built index.
     *
     * @param index the pair sums
     * @param stats the statistics it was built with
     * @param txId the database's last closed transaction id just before the build
     * @param millis how long the build took
     */
    record Built(PairIndex index, BundleStats stats, long txId, long millis) {}

    /** A database's index, and how to tell whether it changed. */
    private static final class Database {
        final String identity;
        final GraphDatabaseService db;
        final LongSupplier lastCommitted;
        final LongSupplier lastClosed;
        final Log log;
        final Object buildLock = new Object();
        final AtomicBoolean building = new AtomicBoolean();
        volatile Built current;
        volatile long nextBuildMillis;

        Database(String identity, GraphDatabaseService db, Log log) {
            this.identity = identity;
            this.db = db;
            this.log = log;
            if (db instanceof GraphDatabaseAPI api
                    && api.getDependencyResolver().containsDependency(TransactionIdStore.class)) {
                TransactionIdStore store = api.getDependencyResolver().resolveDependency(TransactionIdStore.class);
                lastCommitted = store::getLastCommittedTransactionId;
                lastClosed = store::getLastClosedTransactionId;
            } else {
                log.warn("shopgraph: cannot read the last committed transaction id of database '%s'; bundles"
                        + " are always computed by traversal.", db.databaseName());
                lastCommitted = () -> UNKNOWN_TX;
                lastClosed = () -> UNKNOWN_TX;
            }
        }
    }

    /**
     * The index a call may score over, or empty (it traverses); starts a background build when
     * the database has no index or a stale one.
     *
     * @param db the caller's database
     * @param ktx the caller's transaction
     * @param scoring the call's knobs
     * @param log where builds report
     */
    static Optional<Built> forCall(GraphDatabaseService db, KernelTransaction ktx, ScoringConfig scoring, Log log) {
        return usable(database(db, ktx, log), ktx, scoring);
    }

    /**
     * Builds the caller's database's index now (after any build under way) and waits; keeps the
     * traversal when the index would be too large (logged).
     *
     * @return the index, or empty when there are no statistics or it is too large
     */
    static Optional<Built> rebuild(GraphDatabaseService db, KernelTransaction ktx, Log log) {
        Database database = database(db, ktx, log);
        synchronized (database.buildLock) {
            return build(database);
        }
    }

    /**
     * A scorer for a call: over the index when {@code built} is present and holds every cart
     * item, else by traversal of {@code baskets}.
     */
    static BundleScorer scorer(Optional<Built> built, long[] cart, GraphBasketSource baskets, BundleStats stats,
                               ScoringConfig scoring) {
        if (built.isPresent()) {
            PairIndex index = built.get().index();
            boolean held = true;
            for (long item : cart) {
                held &= index.holds(item);
            }
            if (held) {
                INDEXED_CALLS.incrementAndGet();
                return new BundleScorer(index.items(baskets), index, stats, scoring);
            }
        }
        return new BundleScorer(baskets, stats, scoring);
    }

    /** How many scorers were made over an index since the start (for tests). */
    static long indexedCalls() {
        return INDEXED_CALLS.get();
    }

    /**
     * Waits until every background build started so far has ended (builds run one at a time,
     * in the order they were started). For tests.
     */
    static void awaitBackgroundBuilds() throws InterruptedException, ExecutionException {
        BUILDS.submit(() -> { }).get();
    }

    private static Optional<Built> usable(Database database, KernelTransaction ktx, ScoringConfig scoring) {
        Built built = database.current;
        long txId = database.lastCommitted.getAsLong();
        boolean fresh = built != null && txId != UNKNOWN_TX && built.txId() == txId;
        if (!fresh) {
            buildInBackground(database);
            return Optional.empty();
        }
        if (!built.index().serves(scoring) || ktx.dataRead().transactionStateHasChanges()) {
            return Optional.empty();
        }
        return Optional.of(built);
    }

    private static void buildInBackground(Database database) {
        if (System.currentTimeMillis() < database.nextBuildMillis || !database.building.compareAndSet(false, true)) {
            return;
        }
        try {
            BUILDS.execute(() -> {
                try {
                    synchronized (database.buildLock) {
                        build(database);
                    }
                } catch (RuntimeException e) {
                    database.log.warn("shopgraph: background build of the bundle pair index of database '"
                            + database.db.databaseName() + "' failed; calls traverse the baskets.", e);
                    database.nextBuildMillis = System.currentTimeMillis() + 10 * MIN_PAUSE_MILLIS;
                } finally {
                    database.building.set(false);
                }
            });
        } catch (RuntimeException e) {
            database.building.set(false);
            database.log.warn("shopgraph: cannot start a build of the bundle pair index.", e);
        }
    }

    /** Builds in a read transaction of its own and publishes it; the caller holds the build lock. */
    private static Optional<Built> build(Database database) {
        long txId = database.lastClosed.getAsLong();
        long start = System.nanoTime();
        String name = database.db.databaseName();
        Built built;
        try (Transaction tx = database.db.beginTx()) {
            Optional<BundleStats> stats = StatsStore.read(tx);
            if (stats.isEmpty()) {
                database.nextBuildMillis = System.currentTimeMillis() + MIN_PAUSE_MILLIS;
                return Optional.empty();
            }
            long[] items = items(tx);
            KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
            long maxBytes = Runtime.getRuntime().maxMemory() / 4;
            PairIndex index;
            ScoringConfig scoring = ScoringConfig.DEFAULTS;
            try (GraphBasketSource baskets = new GraphBasketSource(ktx, stats.get().weightedSources(),
                    scoring.adjacency())) {
                index = PairIndex.build(items, baskets, stats.get(), scoring, maxBytes);
            } catch (PairIndex.TooLargeException e) {
                database.log.warn("shopgraph: no bundle pair index for database '%s': %s Calls traverse the"
                        + " baskets.", name, e.getMessage());
                database.nextBuildMillis = Long.MAX_VALUE; // until the next refresh
                return Optional.empty();
            }
            built = new Built(index, stats.get(), txId, (System.nanoTime() - start) / 1_000_000);
        }
        database.log.info("shopgraph: bundle pair index of database '%s' built in %d ms: %d items, %d pairs,"
                        + " about %d MiB, as of transaction %d.", name, built.millis(), built.index().items(),
                built.index().pairs(), built.index().estimatedBytes() >> 20, txId);
        Built current = database.current;
        if (current == null || current.txId() <= txId) {
            database.current = built;
        }
        database.nextBuildMillis = System.currentTimeMillis() + Math.max(MIN_PAUSE_MILLIS, 10 * built.millis());
        return Optional.of(built);
    }

    @SuppressWarnings("removal") // Entity.getId(): handles within this index's transaction state.
    private static long[] items(Transaction tx) {
        long[] items = new long[1024];
        int count = 0;
        try (ResourceIterator<Node> nodes = tx.findNodes(GraphModel.ITEM)) {
            while (nodes.hasNext()) {
                if (count == items.length) {
                    items = Arrays.copyOf(items, count * 2);
                }
                items[count++] = nodes.next().getId();
            }
        }
        return Arrays.copyOf(items, count);
    }

    private static Database database(GraphDatabaseService db, KernelTransaction ktx, Log log) {
        String identity = identity(ktx);
        Database cached = DATABASES.get(ktx.getDatabaseName());
        if (cached != null && cached.identity.equals(identity)) {
            return cached;
        }
        return DATABASES.compute(ktx.getDatabaseName(), (name, known) ->
                known != null && known.identity.equals(identity) ? known
                        : new Database(identity, db, log));
    }

    private static String identity(KernelTransaction ktx) {
        return String.valueOf(ktx.getDatabaseId());
    }
}
