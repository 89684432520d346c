package io.shopgraph.plugin.common;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Runs a stage of a procedure that needs no transaction (a walk over the in-memory projection)
 * on a worker thread, while the caller's thread runs the stages that read its transaction (a
 * kernel transaction must stay on its thread). A call then costs the longer of the two instead
 * of their sum. A walk can also split its query items in two, one half on a worker
 * ({@link #fork}).
 *
 * <p>The workers are as many as the processors. When all are busy (many concurrent calls, where
 * running beside would only queue), the stage runs at once on the caller's thread: the result
 * is the same either way, only the timing differs.
 */
public final class ParallelStage {

    private static final int WORKERS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final Semaphore FREE = new Semaphore(WORKERS);
    private static final ExecutorService POOL = Executors.newFixedThreadPool(WORKERS, task -> {
        Thread thread = new Thread(task, "shopgraph-parallel-stage");
        thread.setDaemon(true);
        return thread;
    });

    private ParallelStage() {}

    /**
     * Starts {@code work}; the supplier returned waits for its result.
     *
     * @param work a stage that touches no transaction and no other state of the caller
     * @return its result, when asked: the stage's own exception if it failed
     */
    public static <T> Supplier<T> start(Supplier<T> work) {
        if (!FREE.tryAcquire()) {
            T result = work.get();
            return () -> result;
        }
        Future<T> future = POOL.submit(() -> {
            try {
                return work.get();
            } finally {
                FREE.release();
            }
        });
        return () -> join(future);
    }

    /**
     * {@link #start} for work without a result: the runnable returned waits for it.
     *
     * @param work a piece of work that touches no transaction
     * @return what waits for it to finish, rethrowing its exception
     */
    public static Runnable fork(Runnable work) {
        Supplier<Boolean> done = start(() -> {
            work.run();
            return true;
        });
        return done::get;
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a parallel stage.", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("A parallel stage failed.", e.getCause());
        }
    }
}
