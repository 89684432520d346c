package io.shopgraph.plugin.walk;

import java.util.Arrays;

/**
 * The relationships a node gained since the last full build of the projection, as
 * {@link WalkGraph} lays out its own: grouped by {@link EdgeKind}, each group with the running
 * sum of the relationship weights, so a step picks a group by type weight x group weight and a
 * neighbour by binary search. Immutable; {@link #with} and {@link #without} make copies.
 */
final class Adjacency {

    private static final int KINDS = EdgeKind.values().length;

    private final int[] start; // per kind: first position; KINDS + 1 of them
    private final int[] neighbours;
    private final float[] weights;
    private final float[] running; // within the kind's group

    private Adjacency(int[] start, int[] neighbours, float[] weights) {
        this.start = start;
        this.neighbours = neighbours;
        this.weights = weights;
        this.running = new float[weights.length];
        for (int k = 0; k < KINDS; k++) {
            double sum = 0;
            for (int n = start[k]; n < start[k + 1]; n++) {
                sum += weights[n];
                running[n] = (float) sum;
            }
        }
    }

    /** Nothing. */
    static final Adjacency EMPTY = new Adjacency(new int[KINDS + 1], new int[0], new float[0]);

    /** How many relationships. */
    int size() {
        return neighbours.length;
    }

    /** How many of a kind with a positive type weight. */
    int degree(double[] typeWeights) {
        int degree = 0;
        for (int k = 0; k < KINDS; k++) {
            if (typeWeights[k] > 0) {
                degree += start[k + 1] - start[k];
            }
        }
        return degree;
    }

    /** {@code sum of weight x type weight}. */
    double mass(double[] typeWeights) {
        double total = 0;
        for (int k = 0; k < KINDS; k++) {
            if (typeWeights[k] > 0 && start[k + 1] > start[k]) {
                total += typeWeights[k] * running[start[k + 1] - 1];
            }
        }
        return total;
    }

    /**
     * The relationship at {@code r} of those laid end to end by weight x type weight, for
     * {@code 0 <= r < mass(typeWeights)}: its kind's ordinal in the high 32 bits, the neighbour
     * in the low ones.
     */
    long pick(double r, double[] typeWeights) {
        int chosen = -1;
        double chosenMass = 0;
        for (int k = 0; k < KINDS; k++) {
            if (!(typeWeights[k] > 0) || start[k + 1] == start[k]) {
                continue;
            }
            double m = typeWeights[k] * running[start[k + 1] - 1];
            chosen = k;
            chosenMass = m;
            if (r < m) {
                break;
            }
            r -= m;
        }
        double x = Math.min(r, chosenMass) / typeWeights[chosen];
        int low = start[chosen];
        int high = start[chosen + 1] - 1;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (running[middle] > x) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return ((long) chosen << 32) | (neighbours[low] & 0xffffffffL);
    }

    /** Whether it holds a relationship of this kind to {@code neighbour}. */
    boolean has(int neighbour, EdgeKind kind) {
        return find(neighbour, kind) >= 0;
    }

    private int find(int neighbour, EdgeKind kind) {
        for (int n = start[kind.ordinal()]; n < start[kind.ordinal() + 1]; n++) {
            if (neighbours[n] == neighbour) {
                return n;
            }
        }
        return -1;
    }

    /** A copy with one more relationship (another of the same kind and neighbour included). */
    Adjacency with(int neighbour, EdgeKind kind, float weight) {
        int at = start[kind.ordinal() + 1];
        int[] next = new int[neighbours.length + 1];
        float[] nextWeights = new float[weights.length + 1];
        System.arraycopy(neighbours, 0, next, 0, at);
        System.arraycopy(weights, 0, nextWeights, 0, at);
        next[at] = neighbour;
        nextWeights[at] = weight;
        System.arraycopy(neighbours, at, next, at + 1, neighbours.length - at);
        System.arraycopy(weights, at, nextWeights, at + 1, weights.length - at);
        int[] nextStart = start.clone();
        for (int k = kind.ordinal() + 1; k <= KINDS; k++) {
            nextStart[k]++;
        }
        return new Adjacency(nextStart, next, nextWeights);
    }

    /** A copy without one relationship of this kind to {@code neighbour} (this when none). */
    Adjacency without(int neighbour, EdgeKind kind) {
        int at = find(neighbour, kind);
        if (at < 0) {
            return this;
        }
        int[] next = new int[neighbours.length - 1];
        float[] nextWeights = new float[weights.length - 1];
        System.arraycopy(neighbours, 0, next, 0, at);
        System.arraycopy(weights, 0, nextWeights, 0, at);
        System.arraycopy(neighbours, at + 1, next, at, neighbours.length - at - 1);
        System.arraycopy(weights, at + 1, nextWeights, at, weights.length - at - 1);
        int[] nextStart = start.clone();
        for (int k = kind.ordinal() + 1; k <= KINDS; k++) {
            nextStart[k]--;
        }
        return new Adjacency(nextStart, next, nextWeights);
    }

    /** Approximate heap bytes. */
    long bytes() {
        return 64L + 4L * start.length + 12L * neighbours.length;
    }

    @Override
    public String toString() {
        return "Adjacency" + Arrays.toString(neighbours);
    }
}
