package io.shopgraph.plugin.walk;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopgraph.plugin.walk.ProjectionCache.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ProjectionCacheTest {

    private static final long TTL = 60_000;

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final List<Runnable> background = new ArrayList<>();
    private final List<RuntimeException> failures = new ArrayList<>();
    private final ProjectionCache cache = new ProjectionCache(clock::get, background::add, failures::add);
    private final AtomicInteger builds = new AtomicInteger();

    private Supplier<Snapshot> buildAt(long txId) {
        return () -> {
            builds.incrementAndGet();
            return new Snapshot(WalkGraph.builder().build(), txId, clock.get(), 5);
        };
    }

    private Snapshot get(long txId) {
        return cache.get(txId, TTL, buildAt(txId));
    }

    @Test
    void theFirstCallBuildsAndWaits() {
        Snapshot first = get(10);

        assertThat(first.txId()).isEqualTo(10);
        assertThat(cache.current()).isSameAs(first);
        assertThat(builds).hasValue(1);
        assertThat(background).isEmpty();
    }

    @Test
    void anUnchangedDatabaseNeverRebuilds() {
        Snapshot first = get(10);
        clock.addAndGet(10 * TTL);

        assertThat(get(10)).isSameAs(first);
        assertThat(background).isEmpty();
    }

    @Test
    void aChangedDatabaseRebuildsInTheBackgroundOnceTheSnapshotIsOlderThanTheTtl() {
        Snapshot first = get(10);
        clock.addAndGet(TTL - 1);
        assertThat(get(11)).isSameAs(first);
        assertThat(background).isEmpty();

        clock.addAndGet(1);
        assertThat(get(11)).isSameAs(first);
        assertThat(get(12)).isSameAs(first);
        assertThat(background).hasSize(1);

        background.remove(0).run();
        assertThat(cache.current().txId()).isEqualTo(11);
        assertThat(get(11)).isSameAs(cache.current());
        assertThat(builds).hasValue(2);
    }

    @Test
    void aFailedBackgroundRebuildKeepsTheOldSnapshotAndIsTriedAgain() {
        Snapshot first = get(10);
        clock.addAndGet(TTL);
        cache.get(11, TTL, () -> {
            throw new IllegalStateException("database is shutting down");
        });
        background.remove(0).run();

        assertThat(cache.current()).isSameAs(first);
        assertThat(failures).singleElement().extracting(Throwable::getMessage)
                .isEqualTo("database is shutting down");
        get(11);
        assertThat(background).hasSize(1);
    }

    @Test
    void refreshRebuildsAtOnce() {
        get(10);

        Snapshot refreshed = cache.refresh(buildAt(11));

        assertThat(refreshed.txId()).isEqualTo(11);
        assertThat(cache.current()).isSameAs(refreshed);
        assertThat(background).isEmpty();
    }

    @Test
    void anUnknownTransactionIdCountsAsChanged() {
        Snapshot first = get(ProjectionCache.UNKNOWN_TX);
        clock.addAndGet(TTL);

        assertThat(get(ProjectionCache.UNKNOWN_TX)).isSameAs(first);
        assertThat(background).hasSize(1);
    }
}
