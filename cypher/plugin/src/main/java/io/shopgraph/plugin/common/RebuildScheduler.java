package io.shopgraph.plugin.common;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * When the full build (compaction) of a live structure runs in the background: at most one at
 * a time, a build asked for during one runs once more after it (however many asks came), and
 * builds start no sooner after the last one than a pause, longer after a failed one. The live
 * bundle pair index and the live walk projection of a database each have one.
 *
 * <p><b>Threads.</b> The owner keeps its state on one single-threaded scheduled executor, its
 * <em>owner thread</em>, and so does this scheduler: {@link #began}, {@link #ended},
 * {@link #endedUntilDirectBuild}, {@link #building}, {@link #waiting} and {@link #held} are
 * called there only; {@link #request}, {@link #runDirect} and {@link #shutdown} from any other
 * thread. Background builds run on {@code builds}.
 *
 * <p><b>A request</b> goes to the owner thread, where it is:
 * <ul>
 *   <li>remembered while a build is under way, and run once that build has ended (its pause
 *       then applies);</li>
 *   <li>scheduled for the end of the pause while the pause after the last build is not over
 *       (one start waits at most: later requests join it);</li>
 *   <li>dropped after {@link #endedUntilDirectBuild}, until a build ends again;</li>
 *   <li>otherwise started at once: the build is marked under way and handed to {@code builds}.</li>
 * </ul>
 *
 * <p><b>A build</b>, the background one started here and any the owner runs directly on a
 * caller's thread through {@link #runDirect} (a refresh, which then holds back background builds
 * meanwhile), calls {@link #began} on the owner thread when it starts and {@link #ended} (or
 * {@link #endedUntilDirectBuild}) there when it ends, each within the owner's own task on that
 * thread so that the owner's state and this one change together. A build that throws a
 * {@link RuntimeException} ends there: the next build waits {@code failurePauseMillis} after
 * it; a background one is reported to {@code onFailure}, a direct one rethrown to its caller.
 *
 * <p>Pauses are measured on {@link System#nanoTime()}, so a change of the wall clock never
 * shortens or lengthens one.
 */
public final class RebuildScheduler {

    private final ScheduledExecutorService ownerThread;
    private final Executor builds;
    private final Runnable build;
    private final Consumer<RuntimeException> onFailure;
    private final long minPauseMillis;
    private final long failurePauseMillis;
    private final LongSupplier nanoClock;
    private volatile boolean shutdown;

    // Owner-thread state.
    private boolean building;
    private boolean again;
    private boolean held;
    private ScheduledFuture<?> waitingStart;
    private long notBefore;

    /**
     * A scheduler with nothing built yet: the first request starts a build at once.
     *
     * @param ownerThread the owner's single-threaded executor, where this scheduler's state lives
     * @param builds where background builds run (a build blocks it while it runs)
     * @param build the background build: it calls {@link #began} and {@link #ended} on the owner
     *     thread
     * @param onFailure told on the builds thread when a background build throws
     * @param minPauseMillis least pause between the end of one build and the start of the next
     * @param failurePauseMillis pause after a background build that threw
     * @throws IllegalArgumentException when a pause is negative
     */
    public RebuildScheduler(ScheduledExecutorService ownerThread, Executor builds, Runnable build,
                            Consumer<RuntimeException> onFailure, long minPauseMillis, long failurePauseMillis) {
        this(ownerThread, builds, build, onFailure, minPauseMillis, failurePauseMillis, System::nanoTime);
    }

    /** As above, with pauses measured on {@code nanoClock} (tests stop and move it). */
    RebuildScheduler(ScheduledExecutorService ownerThread, Executor builds, Runnable build,
                     Consumer<RuntimeException> onFailure, long minPauseMillis, long failurePauseMillis,
                     LongSupplier nanoClock) {
        if (minPauseMillis < 0 || failurePauseMillis < 0) {
            throw new IllegalArgumentException("The pauses between builds must be at least 0 ms, got "
                    + minPauseMillis + " and " + failurePauseMillis + ".");
        }
        this.ownerThread = ownerThread;
        this.builds = builds;
        this.build = build;
        this.onFailure = onFailure;
        this.minPauseMillis = minPauseMillis;
        this.failurePauseMillis = failurePauseMillis;
        this.nanoClock = nanoClock;
        this.notBefore = nanoClock.getAsLong();
    }

    /** Asks for a build in the background, as soon as the rules above allow. Any thread. */
    public void request() {
        if (!shutdown) {
            ownerThread.execute(this::start);
        }
    }

    /**
     * Runs a build on the caller's thread now (a refresh, or the first build, which the caller
     * waits for) and gives its result. Not on the owner thread, which the build needs.
     *
     * @param build the build: it calls {@link #began} and {@link #ended} on the owner thread
     * @return what {@code build} gives
     * @throws RuntimeException what {@code build} threw, after the failure's pause was set
     */
    public <T> T runDirect(Supplier<T> build) {
        try {
            return build.get();
        } catch (RuntimeException e) {
            ownerThread.execute(this::failed);
            throw e;
        }
    }

    /** On the owner thread: a build (background or direct) begins. */
    public void began() {
        building = true;
    }

    /**
     * On the owner thread: the build under way ended; the next one starts no sooner than
     * {@code pauseMillis} (at least the minimum pause) from now. A build asked for meanwhile
     * starts as soon as that pause is over.
     *
     * @param pauseMillis the pause the owner wants after this build (say, a multiple of its
     *     duration), in milliseconds, below about a century
     * @throws IllegalArgumentException when {@code pauseMillis} is negative
     */
    public void ended(long pauseMillis) {
        if (pauseMillis < 0) {
            throw new IllegalArgumentException("The pause after a build must be at least 0 ms, got "
                    + pauseMillis + ".");
        }
        endedPausing(Math.max(minPauseMillis, pauseMillis));
    }

    /**
     * On the owner thread: the build under way ended, and no background build could do better
     * (the structure would not fit the heap); requests are dropped until a build run directly
     * (a refresh) ends.
     */
    public void endedUntilDirectBuild() {
        building = false;
        again = false;
        held = true;
    }

    /** On the owner thread: whether a build was started or began and has not ended. */
    public boolean building() {
        return building;
    }

    /**
     * On the owner thread: whether background builds are held until a direct build ends
     * ({@link #endedUntilDirectBuild}).
     */
    public boolean held() {
        return held;
    }

    /** On the owner thread: whether a start waits for the pause after the last build. */
    public boolean waiting() {
        return waitingStart != null;
    }

    /**
     * Stops background builds: later requests are ignored and a start waiting for its pause is
     * cancelled. A build under way runs to its end. Any thread.
     */
    public void shutdown() {
        shutdown = true;
        try {
            ownerThread.execute(() -> {
                again = false;
                if (waitingStart != null) {
                    waitingStart.cancel(false);
                    waitingStart = null;
                }
            });
        } catch (RejectedExecutionException e) {
            // The owner thread is shut down as well: nothing it held runs any more.
        }
    }

    /** On the owner thread. */
    private void start() {
        if (shutdown) {
            return;
        }
        if (building) {
            again = true;
            return;
        }
        if (held) {
            return;
        }
        long wait = notBefore - nanoClock.getAsLong();
        if (wait > 0) {
            if (waitingStart == null) {
                waitingStart = ownerThread.schedule(() -> {
                    waitingStart = null;
                    start();
                }, wait, TimeUnit.NANOSECONDS);
            }
            return;
        }
        building = true;
        builds.execute(this::runBuild);
    }

    /** On the builds thread. */
    private void runBuild() {
        try {
            build.run();
        } catch (RuntimeException e) {
            onFailure.accept(e);
            ownerThread.execute(this::failed);
        }
    }

    /** On the owner thread: the build under way threw. */
    private void failed() {
        endedPausing(failurePauseMillis);
    }

    /** On the owner thread. */
    private void endedPausing(long pauseMillis) {
        building = false;
        held = false;
        notBefore = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(pauseMillis);
        if (again) {
            again = false;
            start();
        }
    }
}
