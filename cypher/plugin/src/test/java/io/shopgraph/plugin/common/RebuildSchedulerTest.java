package io.shopgraph.plugin.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler on real threads. Pauses are short (tens to hundreds of milliseconds) and only
 * their lower bounds are asserted (a start never comes before its pause is over); where a test
 * must see a start waiting, its clock stands still until the test moves it. Every other wait is
 * for a condition, with a deadline far above what it takes.
 */
class RebuildSchedulerTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final ScheduledExecutorService owner = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService builds = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopThreads() {
        owner.shutdownNow();
        builds.shutdownNow();
    }

    /**
     * A build as the owners run one: began and ended on the owner thread, recorded; it waits for
     * {@link #release} while {@link #blocking}, and the first {@link #toFail} builds throw.
     */
    private final class Builds implements Runnable {
        final List<Long> startNanos = new ArrayList<>();
        final List<Long> endNanos = new ArrayList<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final AtomicInteger toFail = new AtomicInteger();
        volatile CountDownLatch release = new CountDownLatch(0);
        volatile CountDownLatch started = new CountDownLatch(1);
        volatile boolean blocking;
        volatile long pauseMillis;
        RebuildScheduler scheduler;

        @Override
        public void run() {
            onOwner(() -> scheduler.began());
            int now = running.incrementAndGet();
            mostAtOnce.accumulateAndGet(now, Math::max);
            synchronized (this) {
                startNanos.add(System.nanoTime());
            }
            started.countDown();
            try {
                if (blocking && !release.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("The test never released the build.");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                running.decrementAndGet();
            }
            if (toFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                synchronized (this) {
                    endNanos.add(System.nanoTime());
                }
                throw new IllegalStateException("The graph could not be read.");
            }
            synchronized (this) {
                endNanos.add(System.nanoTime());
            }
            onOwner(() -> scheduler.ended(pauseMillis));
        }

        synchronized int count() {
            return startNanos.size();
        }

        synchronized long startNanos(int build) {
            return startNanos.get(build);
        }

        synchronized int endedCount() {
            return endNanos.size();
        }

        synchronized long gapMillis(int after) {
            return TimeUnit.NANOSECONDS.toMillis(startNanos.get(after + 1) - endNanos.get(after));
        }
    }

    private Builds builds(long minPauseMillis, long failurePauseMillis, List<RuntimeException> failures) {
        return builds(minPauseMillis, failurePauseMillis, failures, System::nanoTime);
    }

    private Builds builds(long minPauseMillis, long failurePauseMillis, List<RuntimeException> failures,
                          AtomicLong clock) {
        return builds(minPauseMillis, failurePauseMillis, failures, clock::get);
    }

    private Builds builds(long minPauseMillis, long failurePauseMillis, List<RuntimeException> failures,
                          LongSupplier clock) {
        Builds build = new Builds();
        build.scheduler = new RebuildScheduler(owner, builds, build, e -> {
            synchronized (failures) {
                failures.add(e);
            }
        }, minPauseMillis, failurePauseMillis, clock);
        return build;
    }

    private void onOwner(Runnable task) {
        try {
            owner.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private <T> T read(Supplier<T> read) {
        AtomicReference<T> value = new AtomicReference<>();
        onOwner(() -> value.set(read.get()));
        return value.get();
    }

    /** Waits until no build runs or waits, then until whatever was queued meanwhile ran. */
    /** Waits until the build under way has ended on the owner thread. */
    private void awaitBuilt(RebuildScheduler scheduler) {
        Await.until("the build has ended", () -> read(() -> !scheduler.building()), DEADLINE);
    }

    private void awaitQuiet(RebuildScheduler scheduler) {
        Await.until("no build runs or waits", () -> read(() -> !scheduler.building() && !scheduler.waiting()),
                DEADLINE);
        onOwner(() -> { });
        Await.until("still no build runs or waits", () -> read(() -> !scheduler.building() && !scheduler.waiting()),
                DEADLINE);
    }

    @Test
    void oneBuildRunsAtATimeAndRequestsDuringItRunExactlyOneMore() throws InterruptedException {
        List<RuntimeException> failures = new ArrayList<>();
        Builds build = builds(0, 0, failures);
        build.blocking = true;
        build.release = new CountDownLatch(1);
        build.scheduler.request();
        assertThat(build.started.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        for (int i = 0; i < 5; i++) {
            build.scheduler.request();
        }
        assertThat(read(build.scheduler::building)).isTrue();
        build.blocking = false;
        build.release.countDown();
        Await.until("the second build", () -> build.count() == 2, DEADLINE);
        awaitQuiet(build.scheduler);
        assertThat(build.count()).isEqualTo(2);
        assertThat(build.mostAtOnce.get()).isEqualTo(1);
        assertThat(failures).isEmpty();
    }

    @Test
    void theNextBuildStartsNoSoonerThanThePauseAfterTheLast() {
        Builds build = builds(150, 0, new ArrayList<>());
        build.scheduler.request();
        Await.until("the first build", () -> build.endedCount() == 1, DEADLINE);
        for (int i = 0; i < 3; i++) {
            build.scheduler.request();
        }
        Await.until("the second build", () -> build.count() == 2, DEADLINE);
        awaitQuiet(build.scheduler);
        assertThat(build.count()).isEqualTo(2);
        assertThat(build.gapMillis(0)).isGreaterThanOrEqualTo(150);
    }

    @Test
    void requestsWithinThePauseWaitAsOneStartForItsEnd() {
        AtomicLong clock = new AtomicLong();
        Builds build = builds(50, 0, new ArrayList<>(), clock);
        build.scheduler.request();
        Await.until("the first build", () -> build.endedCount() == 1, DEADLINE);
        awaitBuilt(build.scheduler);
        for (int i = 0; i < 3; i++) {
            build.scheduler.request();
        }
        assertThat(read(build.scheduler::waiting)).isTrue();
        assertThat(read(build.scheduler::building)).isFalse();
        assertThat(build.count()).isEqualTo(1);
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(50));
        Await.until("the second build", () -> build.count() == 2, DEADLINE);
        awaitQuiet(build.scheduler);
        assertThat(build.count()).isEqualTo(2);
    }

    @Test
    void theOwnersPauseCountsWhenLongerThanTheMinimum() {
        Builds build = builds(10, 0, new ArrayList<>());
        build.pauseMillis = 300;
        build.scheduler.request();
        Await.until("the first build", () -> build.endedCount() == 1, DEADLINE);
        build.scheduler.request();
        Await.until("the second build", () -> build.count() == 2, DEADLINE);
        assertThat(build.gapMillis(0)).isGreaterThanOrEqualTo(300);
    }

    @Test
    void aFailedBuildIsReportedAndTheNextWaitsTheLongerPause() throws InterruptedException {
        List<RuntimeException> failures = new ArrayList<>();
        Builds build = builds(20, 400, failures);
        build.toFail.set(1);
        build.blocking = true;
        build.release = new CountDownLatch(1);
        build.scheduler.request();
        assertThat(build.started.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        build.scheduler.request(); // during the failing build: runs once, after the failure's pause
        build.scheduler.request();
        build.blocking = false;
        build.release.countDown();
        Await.until("the build after the failure", () -> build.count() == 2, DEADLINE);
        awaitQuiet(build.scheduler);
        assertThat(build.count()).isEqualTo(2);
        assertThat(build.gapMillis(0)).isGreaterThanOrEqualTo(400);
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).isInstanceOf(IllegalStateException.class)
                .hasMessage("The graph could not be read.");
    }

    @Test
    void aDirectBuildHoldsBackRequestsAndGivesItsResult() throws InterruptedException {
        Builds build = builds(0, 0, new ArrayList<>());
        CountDownLatch began = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> result = new AtomicReference<>();
        Thread refresh = new Thread(() -> result.set(build.scheduler.runDirect(() -> {
            onOwner(() -> build.scheduler.began());
            began.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            onOwner(() -> build.scheduler.ended(0));
            return "built";
        })));
        refresh.start();
        assertThat(began.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        build.scheduler.request();
        build.scheduler.request();
        assertThat(read(build.scheduler::building)).isTrue();
        assertThat(build.count()).isZero();
        release.countDown();
        refresh.join(DEADLINE.toMillis());
        assertThat(result.get()).isEqualTo("built");
        Await.until("the build asked for during the direct one", () -> build.count() == 1, DEADLINE);
        awaitQuiet(build.scheduler);
        assertThat(build.count()).isEqualTo(1);
    }

    @Test
    void aFailedDirectBuildIsRethrownAndTheNextWaitsTheLongerPause() {
        List<RuntimeException> failures = new ArrayList<>();
        Builds build = builds(0, 300, failures);
        long failedAt = System.nanoTime();
        assertThatThrownBy(() -> build.scheduler.runDirect(() -> {
            onOwner(() -> build.scheduler.began());
            throw new IllegalStateException("The refresh could not read the graph.");
        })).isInstanceOf(IllegalStateException.class).hasMessage("The refresh could not read the graph.");
        build.scheduler.request();
        Await.until("the background build after the failure", () -> build.count() == 1, DEADLINE);
        assertThat(TimeUnit.NANOSECONDS.toMillis(build.startNanos(0) - failedAt)).isGreaterThanOrEqualTo(300);
        assertThat(failures).isEmpty(); // the caller has the exception
    }

    @Test
    void afterEndedUntilDirectBuildRequestsAreDroppedUntilABuildEnds() throws Exception {
        Builds build = builds(0, 0, new ArrayList<>());
        onOwner(() -> {
            build.scheduler.began();
            build.scheduler.endedUntilDirectBuild();
        });
        assertThat(read(build.scheduler::held)).isTrue();
        build.scheduler.request();
        onOwner(() -> { });
        assertThat(read(build.scheduler::waiting)).isFalse();
        assertThat(read(build.scheduler::building)).isFalse();
        builds.submit(() -> { }).get(1, TimeUnit.SECONDS); // nothing was handed to the builds thread
        assertThat(build.count()).isZero();
        onOwner(() -> {
            build.scheduler.began(); // a refresh, on the caller's thread
            build.scheduler.ended(0);
        });
        assertThat(read(build.scheduler::held)).isFalse();
        build.scheduler.request();
        Await.until("a background build again", () -> build.count() == 1, DEADLINE);
    }

    @Test
    void shutdownCancelsTheWaitingStartAndIgnoresLaterRequests() throws Exception {
        AtomicLong clock = new AtomicLong();
        Builds build = builds(50, 0, new ArrayList<>(), clock);
        build.scheduler.request();
        Await.until("the first build", () -> build.endedCount() == 1, DEADLINE);
        awaitBuilt(build.scheduler);
        build.scheduler.request();
        assertThat(read(build.scheduler::waiting)).isTrue();
        build.scheduler.shutdown();
        assertThat(read(build.scheduler::waiting)).isFalse();
        build.scheduler.request();
        assertThat(read(build.scheduler::waiting)).isFalse();
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        Thread.sleep(150); // three times the pause: a start left waiting would have run by now
        onOwner(() -> { });
        builds.submit(() -> { }).get(1, TimeUnit.SECONDS);
        assertThat(build.count()).isEqualTo(1);
    }

    @Test
    void aNegativePauseIsRefused() {
        assertThatThrownBy(() -> new RebuildScheduler(owner, builds, () -> { }, e -> { }, -1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The pauses between builds must be at least 0 ms, got -1 and 0.");
    }
}
