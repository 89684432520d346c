package io.shopgraph.plugin.export;

import java.util.Arrays;

/**
 * Sums one user's interaction weights per item (a sparse accumulator over item positions),
 * then hands the edges over and is ready for the next user.
 */
public final class UserInteractions {

    private double[] sums = new double[1024];
    private boolean[] seen = new boolean[1024];
    private int[] touched = new int[64];
    private int size;

    /**
     * Adds a weight to the user's edge with an item.
     *
     * @param item the item's position, at least 0
     * @param weight the interaction's weight
     */
    public void add(int item, double weight) {
        if (item >= seen.length) {
            int length = Math.max(item + 1, seen.length * 2);
            sums = Arrays.copyOf(sums, length);
            seen = Arrays.copyOf(seen, length);
        }
        if (seen[item]) {
            sums[item] += weight;
            return;
        }
        seen[item] = true;
        sums[item] = weight;
        if (size == touched.length) {
            touched = Arrays.copyOf(touched, size * 2);
        }
        touched[size++] = item;
    }

    /** Receives the edges of a user. */
    public interface Sink {
        /**
         * One edge.
         *
         * @param item the item's position
         * @param weight the summed weight, above 0
         */
        void edge(int item, double weight);
    }

    /**
     * Hands the edges whose summed weight is above 0 to {@code sink}, in the order their items
     * were first added, and forgets them.
     *
     * @param sink the receiver
     * @return the number of edges handed over
     */
    public int drainTo(Sink sink) {
        int edges = 0;
        for (int n = 0; n < size; n++) {
            int item = touched[n];
            seen[item] = false;
            if (sums[item] > 0) {
                sink.edge(item, sums[item]);
                edges++;
            }
        }
        size = 0;
        return edges;
    }
}
