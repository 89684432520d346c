package io.shopgraph.plugin.bundle;

import java.util.Arrays;
import java.util.function.LongToDoubleFunction;

/**
 * The run of one item recomputed after the graph changed: its pairs with their bounds (ordered
 * as {@link PairIndex} orders a run), its mass, and the largest mass it had since the last full
 * build ({@link IndexVersion} tracks which masses went down). Immutable. Per pair: the handle of
 * {@code j} (8 bytes), {@code n(i,j)} (8), {@code e(i,j)} of each source (8 each), the bound (4)
 * and its place in the order by {@code j} (4).
 */
final class OverlayRun implements PairRuns.Run {

    private static final int S = Source.values().length;

    /** The run of a node that is no item (deleted): no pairs, no mass. */
    static final OverlayRun ABSENT = new OverlayRun(Double.NaN, Double.NaN, new long[0], new double[0],
            new double[0], new float[0], new int[0]);

    /**
     * The run of an item whose baskets could not be read (bad data in the graph, such as a
     * position that is no integer): not held, so that a call with it in the cart traverses and
     * reports the error; its mass stays the one it had.
     */
    static OverlayRun failed(double mass, double highest) {
        return new OverlayRun(mass, highest, null, new double[0], new double[0], new float[0], new int[0]);
    }

    /** Whether its item's baskets could not be read ({@link #failed}). */
    boolean isFailed() {
        return others == null;
    }

    private final double mass;
    private final double highest;
    private final long[] others;
    private final double[] supports;
    private final double[] evidence; // S per pair
    private final float[] bounds;
    private final int[] byOther; // pair positions ordered by handle of j

    private OverlayRun(double mass, double highest, long[] others, double[] supports, double[] evidence,
                       float[] bounds, int[] byOther) {
        this.mass = mass;
        this.highest = highest;
        this.others = others;
        this.supports = supports;
        this.evidence = evidence;
        this.bounds = bounds;
        this.byOther = byOther;
    }

    /**
     * Orders an item's pairs by bound, descending (ties in the order given), as
     * {@link PairIndex} does.
     *
     * @param mass the item's mass
     * @param highest the largest mass the item had since the last full build (at least {@code mass})
     * @param count how many pairs
     * @param others the handle of {@code j} of each pair
     * @param supports {@code n(i,j)} of each pair
     * @param evidence {@code e(i,j)} of each source, {@code S} per pair
     * @param masses the mass of each {@code j} that the bounds use
     * @param scoring {@code beta} and {@code smoothing} of the bounds
     */
    static OverlayRun of(double mass, double highest, int count, long[] others, double[] supports,
                         double[] evidence, LongToDoubleFunction masses, ScoringConfig scoring) {
        long[] order = new long[count];
        float[] unsorted = new float[count];
        for (int n = 0; n < count; n++) {
            double sum = 0.0;
            for (int s = 0; s < S; s++) {
                sum += evidence[n * S + s];
            }
            unsorted[n] = PairIndex.bound(sum, supports[n], masses.applyAsDouble(others[n]), scoring);
            // Non-negative floats order as their bits: descending bound, then given order.
            order[n] = ((long) (Integer.MAX_VALUE - Float.floatToIntBits(unsorted[n])) << 32) | n;
        }
        Arrays.sort(order);
        long[] runOthers = new long[count];
        double[] runSupports = new double[count];
        double[] runEvidence = new double[count * S];
        float[] runBounds = new float[count];
        for (int r = 0; r < count; r++) {
            int n = (int) order[r];
            runOthers[r] = others[n];
            runSupports[r] = supports[n];
            System.arraycopy(evidence, n * S, runEvidence, r * S, S);
            runBounds[r] = unsorted[n];
        }
        Integer[] byHandle = new Integer[count];
        for (int r = 0; r < count; r++) {
            byHandle[r] = r;
        }
        Arrays.sort(byHandle, (a, b) -> Long.compare(runOthers[a], runOthers[b]));
        int[] byOther = new int[count];
        for (int r = 0; r < count; r++) {
            byOther[r] = byHandle[r];
        }
        return new OverlayRun(mass, Math.max(highest, mass), runOthers, runSupports, runEvidence, runBounds,
                byOther);
    }

    /** The item's mass ({@code NaN}: not an item). */
    double mass() {
        return mass;
    }

    /** The largest mass since the last full build. */
    double highest() {
        return highest;
    }

    @Override
    public int size() {
        return others == null ? 0 : others.length;
    }

    @Override
    public long other(int n) {
        return others[n];
    }

    @Override
    public double support(int n) {
        return supports[n];
    }

    @Override
    public void evidence(int n, double[] out) {
        System.arraycopy(evidence, n * S, out, 0, S);
    }

    @Override
    public float bound(int n) {
        return bounds[n];
    }

    @Override
    public int find(long other) {
        int low = 0;
        int high = byOther.length - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            long at = others[byOther[middle]];
            if (at < other) {
                low = middle + 1;
            } else if (at > other) {
                high = middle - 1;
            } else {
                return byOther[middle];
            }
        }
        return -1;
    }

    /** Approximate heap bytes. */
    long estimatedBytes() {
        return 64L + size() * (8L + 8L + 8L * S + 4L + 4L);
    }
}
