package io.shopgraph.plugin.trust;

import java.util.List;

/**
 * What one user did, as {@link TrustScorer} needs it; items are indices {@code 0 .. nItems - 1}.
 *
 * @param userId the business id
 * @param items distinct items the user touched in any way (viewed, carted, removed, bought)
 * @param browsed distinct items the user viewed or added to a cart
 * @param purchased distinct items in the user's orders of kind {@code order}
 * @param sessions the user's sessions that have times
 * @param firstMillis the earliest event time (session start or order time), or null without times
 * @param lastMillis the latest event time, or null without times
 */
public record UserActivity(String userId, int[] items, int[] browsed, int[] purchased,
                           List<SessionSpan> sessions, Long firstMillis, Long lastMillis) {

    /**
     * One session.
     *
     * @param startMillis first event time
     * @param endMillis last event time
     * @param events number of events
     */
    public record SessionSpan(long startMillis, long endMillis, long events) {}

    /** Events of all timed sessions. */
    public long events() {
        long total = 0;
        for (SessionSpan session : sessions) {
            total += session.events();
        }
        return total;
    }
}
