package io.shopgraph.plugin.walk;

import io.shopgraph.plugin.live.changes.ChangeFeeds;
import io.shopgraph.plugin.walk.ProjectionCache.Snapshot;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.Log;
import org.neo4j.storageengine.api.TransactionIdStore;

/**
 * The walk projection of each database.
 *
 * <p>With the change feed ({@link ChangeFeeds}, registered by the plugin's extension), a
 * {@link LiveProjection}: built on first use, then kept fresh commit by commit, so that new
 * nodes and relationships are walked, and deleted ones never again, within tens of
 * milliseconds of their commit; {@code ttlSeconds} does not apply. Without it, one
 * {@link ProjectionCache} per database, rebuilt in the background once stale and older than the
 * call's {@code ttlSeconds}. {@code shopgraph.walk.refresh()} rebuilds either at once.
 *
 * <p>Two Neo4j internals are used, both through {@link GraphDatabaseAPI} and both optional:
 * the database's UUID, so that a database dropped and created again under the same name (or
 * another DBMS in the same JVM, as in tests) never sees an old projection, and the last
 * committed transaction id, to tell whether anything changed since a build. Without them the
 * database name is the key and every snapshot counts as changed after its TTL.
 */
public final class WalkProjections {

    private static final ConcurrentHashMap<String, Database> DATABASES = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, LiveProjection> LIVE = new ConcurrentHashMap<>();

    private static final ExecutorService REBUILDS = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "shopgraph-walk-rebuild");
        thread.setDaemon(true);
        return thread;
    });
    private static final ScheduledExecutorService APPLIER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "shopgraph-walk-apply");
        thread.setDaemon(true);
        return thread;
    });

    private WalkProjections() {}

    /** A database's projection cache and how to read its last committed transaction id. */
    private record Database(String identity, ProjectionCache cache, LongSupplier lastTxId) {}

    /**
     * The projection to walk on for the caller's database, building it first if there is none
     * yet (the caller waits).
     *
     * @param ttlSeconds without the change feed, how old a stale projection may get before a
     *     background rebuild
     */
    public static Walkable current(GraphDatabaseService db, long ttlSeconds, Log log) {
        String identity = identity(db);
        if (ChangeFeeds.listening(identity)) {
            return live(identity, db, log).current();
        }
        Database database = database(db, log);
        return database.cache().get(database.lastTxId().getAsLong(), ttlSeconds * 1000,
                () -> build(db, database, log)).graph();
    }

    /** Rebuilds the caller's database's projection and waits for it. */
    public static Snapshot refresh(GraphDatabaseService db, Log log) {
        String identity = identity(db);
        if (ChangeFeeds.listening(identity)) {
            return live(identity, db, log).rebuild();
        }
        Database database = database(db, log);
        return database.cache().refresh(() -> build(db, database, log));
    }

    /**
     * Waits until every background rebuild started so far has ended (rebuilds run one at a
     * time, in the order they were started), and the commits told so far are laid over the
     * projection. For tests.
     */
    static void awaitBackgroundRebuilds() throws InterruptedException, ExecutionException {
        for (int round = 0; round < 3; round++) {
            APPLIER.submit(() -> { }).get();
            REBUILDS.submit(() -> { }).get();
        }
    }

    /**
     * Waits until every commit told before the call is laid over the caller's database's live
     * projection (tests and benchmarks); nothing without the change feed.
     */
    public static void awaitApplied(GraphDatabaseService db, Log log) {
        String identity = identity(db);
        if (ChangeFeeds.listening(identity)) {
            live(identity, db, log).awaitApplied();
        }
    }

    private static LiveProjection live(String identity, GraphDatabaseService db, Log log) {
        LiveProjection known = LIVE.get(identity);
        if (known != null) {
            return known;
        }
        return LIVE.computeIfAbsent(identity, key -> new LiveProjection(key, db, log, APPLIER, REBUILDS));
    }

    /**
     * Builds a snapshot in a read transaction of its own, so that it holds committed data only
     * (never the uncommitted writes of a caller's transaction).
     */
    private static Snapshot build(GraphDatabaseService db, Database database, Log log) {
        long txId = database.lastTxId().getAsLong();
        long builtAt = database.cache().now();
        long start = System.nanoTime();
        WalkGraph graph;
        try (Transaction tx = db.beginTx()) {
            graph = WalkGraphLoader.load(tx).graph();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String name = db.databaseName();
        log.info("shopgraph: walk projection of database '%s' built in %d ms: %d nodes, %d"
                        + " relationships, about %d MiB, as of transaction %d.", name, millis,
                graph.nodeCount(), graph.relationshipCount(), graph.estimatedBytes() >> 20, txId);
        return new Snapshot(graph, txId, builtAt, millis);
    }

    private static Database database(GraphDatabaseService db, Log log) {
        String identity = identity(db);
        Database cached = DATABASES.get(db.databaseName());
        if (cached != null && cached.identity().equals(identity)) {
            return cached;
        }
        return DATABASES.compute(db.databaseName(), (name, known) ->
                known != null && known.identity().equals(identity) ? known
                        : new Database(identity, new ProjectionCache(System::currentTimeMillis,
                                REBUILDS, e -> log.warn("shopgraph: background rebuild of the walk"
                                        + " projection of database '" + name + "' failed; the"
                                        + " previous projection stays in use.", e)),
                                lastTxIdOf(db, log)));
    }

    /**
     * A key naming one database of one DBMS: its UUID (the name when the UUID cannot be read),
     * so that a database dropped and created again under the same name is another key.
     */
    public static String identity(GraphDatabaseService db) {
        return ChangeFeeds.identity(db);
    }

    private static LongSupplier lastTxIdOf(GraphDatabaseService db, Log log) {
        if (db instanceof GraphDatabaseAPI api
                && api.getDependencyResolver().containsDependency(TransactionIdStore.class)) {
            TransactionIdStore store =
                    api.getDependencyResolver().resolveDependency(TransactionIdStore.class);
            return store::getLastCommittedTransactionId;
        }
        log.warn("shopgraph: cannot read the last committed transaction id of database '%s'; the"
                + " walk projection is rebuilt every TTL.", db.databaseName());
        return () -> ProjectionCache.UNKNOWN_TX;
    }
}
