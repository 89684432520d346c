package io.shopgraph.plugin.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ParallelStageTest {

    @Test
    void theStageRunsBesideTheCallerAndGivesItsResult() throws InterruptedException {
        CountDownLatch callerWorked = new CountDownLatch(1);
        Supplier<String> stage = ParallelStage.start(() -> {
            try {
                callerWorked.await(); // finishes only once the caller has gone on
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return Thread.currentThread().getName();
        });
        callerWorked.countDown();
        assertThat(stage.get()).isEqualTo("shopgraph-parallel-stage");
    }

    @Test
    void aFailingStageRethrowsItsOwnException() {
        Supplier<Object> stage = ParallelStage.start(() -> {
            throw new IllegalArgumentException("k must be between 1 and 1000, got 0.");
        });
        assertThatThrownBy(stage::get).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("k must be between 1 and 1000, got 0.");
    }

    @Test
    void withEveryWorkerBusyTheStageRunsOnTheCallersThread() {
        int workers = Runtime.getRuntime().availableProcessors();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(workers);
        List<Supplier<String>> busy = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            busy.add(ParallelStage.start(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return "done";
            }));
        }
        try {
            String caller = Thread.currentThread().getName();
            assertThat(ParallelStage.start(() -> Thread.currentThread().getName()).get()).isEqualTo(caller);
        } finally {
            release.countDown();
        }
        assertThat(busy).extracting(Supplier::get).containsOnly("done");
    }
}
