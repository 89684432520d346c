package io.shopgraph.plugin.common;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Condition waits for tests: a wait ends as soon as its condition holds, and fails with what
 * it waited for once its deadline passes. Checks are spaced by a short, growing pause (1 to
 * 50 ms) so that a busy machine is not spun; the pause only paces the checks, it never stands
 * in for the condition.
 */
public final class Await {

    private Await() {}

    /**
     * Checks {@code condition} until it holds.
     *
     * @param what what is waited for, for the failure message
     * @param condition checked at once, then after each pause
     * @param timeout how long to wait at most
     * @throws AssertionError when the condition still does not hold after {@code timeout}
     */
    public static void until(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = Duration.ofMillis(1).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Timed out after " + timeout + " waiting until " + what + ".");
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(2 * pause, Duration.ofMillis(50).toNanos());
        }
    }
}
