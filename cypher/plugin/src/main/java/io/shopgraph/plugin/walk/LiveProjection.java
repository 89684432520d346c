package io.shopgraph.plugin.walk;

import io.shopgraph.plugin.common.RebuildScheduler;
import io.shopgraph.plugin.live.changes.ChangeFeeds;
import io.shopgraph.plugin.live.changes.ChangeSubscriber;
import io.shopgraph.plugin.live.changes.GraphChanges;
import io.shopgraph.plugin.walk.ProjectionCache.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.logging.Log;

/**
 * The live walk projection of one database: a {@link LiveWalkGraph} kept fresh from the
 * database's change feed ({@link ChangeFeeds}).
 *
 * <p>Commits wait, in order, and are laid over the projection by one background thread (shared
 * by all databases) {@value #APPLY_DELAY_MILLIS} ms after the first of them: no read, only the
 * ids, keys and weights the feed carries, so new nodes and relationships are walked, and deleted
 * ones never again, within tens of milliseconds.
 *
 * <p>A full build (compaction) reads every projected node and relationship in a transaction of
 * its own on another thread, and replaces the base once what lies over it is large (a quarter
 * of the base's nodes or relationships new, a tenth deleted), when changes came that cannot be
 * laid over it (a key, label or order kind changed), and on {@code shopgraph.walk.refresh()}.
 * Commits go on being laid over the old base meanwhile; those laid since the build began are
 * laid again over the new one (the base may hold them already: a relationship it holds is not
 * added twice). Background builds are run by a {@link RebuildScheduler}: one at a time, waiting
 * {@value #BUILD_PAUSE_FACTOR} times the last build's duration (at least
 * {@value #MIN_PAUSE_MILLIS} ms) after it, {@value #FAILURE_PAUSE_MILLIS} ms after a failed one.
 */
final class LiveProjection implements ChangeSubscriber {

    /** Delay from the first waiting commit to its application, in milliseconds. */
    static final long APPLY_DELAY_MILLIS = 20;
    /** A background build waits at least this many times the last one's duration after it. */
    static final long BUILD_PAUSE_FACTOR = 10;
    /** Least pause between two background builds, in milliseconds. */
    static final long MIN_PAUSE_MILLIS = 1_000;
    /** Pause after a build that failed, in milliseconds. */
    static final long FAILURE_PAUSE_MILLIS = 10_000;

    private final GraphDatabaseService db;
    private final Log log;
    private final ScheduledExecutorService applier;
    private final RebuildScheduler rebuilds;
    private final Object buildLock = new Object();
    private volatile LiveWalkGraph current;
    private volatile Snapshot lastBuild;

    // Waiting commits, guarded by lock.
    private final Object lock = new Object();
    private boolean recording;
    private boolean scheduled;
    private List<GraphChanges> waiting = new ArrayList<>();

    // Applier-thread state.
    private List<GraphChanges> sinceBuild = new ArrayList<>();

    LiveProjection(String identity, GraphDatabaseService db, Log log, ScheduledExecutorService applier,
                   ExecutorService builds) {
        this.db = db;
        this.log = log;
        this.applier = applier;
        this.rebuilds = new RebuildScheduler(applier, builds, () -> {
            synchronized (buildLock) {
                build();
            }
        }, e -> log.warn("shopgraph: background build of the walk projection of database '" + db.databaseName()
                + "' failed; the previous one stays in use.", e), MIN_PAUSE_MILLIS, FAILURE_PAUSE_MILLIS);
        ChangeFeeds.subscribe(identity, this);
    }

    /** The projection to walk; the first call builds it (and waits). */
    LiveWalkGraph current() {
        LiveWalkGraph graph = current;
        if (graph != null) {
            return graph;
        }
        synchronized (buildLock) {
            if (current == null) {
                rebuilds.runDirect(this::build);
            }
            return current;
        }
    }

    @Override
    public void accept(GraphChanges changes) {
        synchronized (lock) {
            if (!recording) {
                return; // the first build reads everything
            }
            waiting.add(changes);
            if (scheduled) {
                return;
            }
            scheduled = true;
        }
        applier.schedule(this::applySafely, APPLY_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void applySafely() {
        try {
            apply();
        } catch (RuntimeException e) {
            log.warn("shopgraph: changes could not be laid over the walk projection of database '"
                    + db.databaseName() + "'; it is rebuilt.", e);
            requestBuild();
        }
    }

    /** On the applier thread. */
    private void apply() {
        List<GraphChanges> batch;
        synchronized (lock) {
            batch = waiting;
            waiting = new ArrayList<>();
            scheduled = false;
        }
        LiveWalkGraph graph = current;
        if (graph == null || batch.isEmpty()) {
            return;
        }
        LiveWalkGraph next = graph.with(batch);
        current = next;
        if (rebuilds.building()) {
            sinceBuild.addAll(batch);
        }
        WalkGraph base = next.base();
        if (next.stale() || next.newNodes() > Math.max(10_000, base.nodeCount() / 4)
                || next.newRelationships() > Math.max(10_000, base.relationshipCount() / 4)
                || next.deadNodes() > Math.max(1_000, base.nodeCount() / 10)
                || next.deadRelationships() > Math.max(1_000, base.relationshipCount() / 10)) {
            requestBuild();
        }
    }

    /** Asks for a background build, as soon as the pause after the last one allows. */
    void requestBuild() {
        rebuilds.request();
    }

    /**
     * Builds now and waits (after any build under way): {@code shopgraph.walk.refresh()}.
     *
     * @throws RuntimeException when the build failed: the next background build waits
     *     {@value #FAILURE_PAUSE_MILLIS} ms
     */
    Snapshot rebuild() {
        synchronized (buildLock) {
            return rebuilds.runDirect(this::build);
        }
    }

    /** Builds and publishes, and gives what was built; the caller holds the build lock. */
    private Snapshot build() {
        onApplier(() -> {
            // What was told before the build begins is read by it: laid over the old projection
            // now, it is never laid again over the new one (an id it names may be another node's
            // by then).
            apply();
            rebuilds.began();
            sinceBuild = new ArrayList<>();
            synchronized (lock) {
                if (!recording) {
                    recording = true;
                    waiting = new ArrayList<>();
                }
            }
        });
        long start = System.nanoTime();
        long builtAt = System.currentTimeMillis();
        WalkGraphLoader.Loaded loaded;
        try (Transaction tx = db.beginTx()) {
            loaded = WalkGraphLoader.load(tx);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        log.info("shopgraph: walk projection of database '%s' built in %d ms: %d nodes, %d relationships,"
                        + " about %d MiB.", db.databaseName(), millis, loaded.graph().nodeCount(),
                loaded.graph().relationshipCount(), loaded.graph().estimatedBytes() >> 20);
        onApplier(() -> {
            current = LiveWalkGraph.of(loaded.graph(), loaded.nodeIndex()).with(sinceBuild);
            lastBuild = new Snapshot(loaded.graph(), ProjectionCache.UNKNOWN_TX, builtAt, millis);
            sinceBuild = new ArrayList<>();
            rebuilds.ended(BUILD_PAUSE_FACTOR * millis); // a build asked for meanwhile starts after the pause
        });
        return lastBuild;
    }

    /**
     * Waits until every commit told before the call is laid over the projection and no build
     * is under way or waiting (tests and benchmarks).
     */
    void awaitApplied() {
        while (true) {
            synchronized (buildLock) {
                onApplier(this::apply);
            }
            boolean[] quiet = new boolean[1];
            onApplier(() -> {
                synchronized (lock) {
                    quiet[0] = waiting.isEmpty() && !rebuilds.building() && !rebuilds.waiting();
                }
            });
            if (quiet[0]) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the walk projection.", e);
            }
        }
    }

    private void onApplier(Runnable task) {
        try {
            applier.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the walk projection's thread.", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("The walk projection's thread failed.", e.getCause());
        }
    }
}
