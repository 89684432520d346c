package io.shopgraph.plugin.walk;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Holds the walk projection of one database and decides when to rebuild it.
 *
 * <p><b>Staleness.</b> A snapshot remembers the database's last committed transaction id
 * read just before it was built. A call that finds
 * <ul>
 *   <li>no snapshot builds one and waits for it (the first call after a start pays the build);
 *   <li>a snapshot of the current transaction id uses it: nothing was committed since;
 *   <li>a snapshot of an older transaction id (or an unknown one) that is younger than the
 *       call's TTL uses it: writes show up at most TTL later;
 *   <li>an older transaction id and a snapshot at least TTL old uses it too, and starts one
 *       background rebuild (never two at once); later calls get the new snapshot once built.
 * </ul>
 * {@link #refresh} rebuilds at once and waits. Builds run one at a time; the last one to
 * finish is the one in use. A snapshot is immutable, so calls never see half a rebuild.
 */
public final class ProjectionCache {

    /** Transaction id meaning "unknown": always treated as changed. */
    public static final long UNKNOWN_TX = -1;

    /**
     * One built projection.
     *
     * @param graph the projection
     * @param txId the database's last committed transaction id just before the build, or
     *     {@link #UNKNOWN_TX}
     * @param builtAtMillis when the build started, from the cache's clock
     * @param buildMillis how long the build took
     */
    public record Snapshot(WalkGraph graph, long txId, long builtAtMillis, long buildMillis) {}

    private final LongSupplier clock;
    private final Executor background;
    private final Consumer<RuntimeException> onBackgroundFailure;
    private final Object buildLock = new Object();
    private final AtomicBoolean rebuilding = new AtomicBoolean();
    private volatile Snapshot current;

    /**
     * @param clock milliseconds, for snapshot ages
     * @param background where background rebuilds run
     * @param onBackgroundFailure told of a background rebuild that failed (the old snapshot
     *     stays in use, and the next stale call tries again)
     */
    public ProjectionCache(LongSupplier clock, Executor background,
                           Consumer<RuntimeException> onBackgroundFailure) {
        this.clock = clock;
        this.background = background;
        this.onBackgroundFailure = onBackgroundFailure;
    }

    /**
     * The snapshot to walk on (see the class comment for when it is rebuilt).
     *
     * @param txId the database's last committed transaction id now, or {@link #UNKNOWN_TX}
     * @param ttlMillis how old a snapshot of an older transaction id may get before a rebuild
     * @param build builds a snapshot; called in the caller's thread for the first snapshot,
     *     in the background executor for rebuilds
     * @return the current snapshot
     */
    public Snapshot get(long txId, long ttlMillis, Supplier<Snapshot> build) {
        Snapshot snapshot = current;
        if (snapshot == null) {
            synchronized (buildLock) {
                if (current == null) {
                    current = build.get();
                }
                return current;
            }
        }
        if (isStale(snapshot, txId, ttlMillis, clock.getAsLong())
                && rebuilding.compareAndSet(false, true)) {
            try {
                background.execute(() -> {
                    try {
                        synchronized (buildLock) {
                            current = build.get();
                        }
                    } catch (RuntimeException e) {
                        onBackgroundFailure.accept(e);
                    } finally {
                        rebuilding.set(false);
                    }
                });
            } catch (RuntimeException e) {
                rebuilding.set(false);
                onBackgroundFailure.accept(e);
            }
        }
        return snapshot;
    }

    /** Rebuilds now (after any build under way) and returns the new snapshot. */
    public Snapshot refresh(Supplier<Snapshot> build) {
        synchronized (buildLock) {
            current = build.get();
            return current;
        }
    }

    /** The snapshot in use, or null before the first build. */
    public Snapshot current() {
        return current;
    }

    /** Milliseconds of the cache's clock. */
    public long now() {
        return clock.getAsLong();
    }

    /** Whether a snapshot should be rebuilt: the database changed and the snapshot is old. */
    static boolean isStale(Snapshot snapshot, long txId, long ttlMillis, long nowMillis) {
        boolean changed = txId == UNKNOWN_TX || snapshot.txId() == UNKNOWN_TX
                || txId != snapshot.txId();
        return changed && nowMillis - snapshot.builtAtMillis() >= ttlMillis;
    }
}
