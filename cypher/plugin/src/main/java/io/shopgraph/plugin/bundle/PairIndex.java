package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.LongIntMap;
import java.util.Arrays;
import java.util.Locale;

/**
 * The pair sums of every item, precomputed: for each item {@code i}, what {@link BasketPairs}
 * computes for it ({@code n(i,j)} and {@code e(i,j)} by source for every {@code j}), and every
 * item's mass; so that a {@link BundleScorer} over it gives the numbers of the traversal bit
 * for bit, reading a few numbers per pair instead of the baskets. The sums depend on the
 * baskets, the statistics of the refresh ({@code now}, source weights, half-life, user cap) and
 * on {@code sizeExponent}, {@code maxBasketSize} and {@code adjacencyBonus} (and the positions of
 * order lines); {@code alpha}, {@code beta} and
 * {@code smoothing} apply when scoring, so any values of those can use it.
 *
 * <p>Each item's pairs are a run of entries ordered by {@link #bound}, an upper bound of
 * {@code e(i,j) / (n(j) + smoothing)^beta} for the {@code beta} and {@code smoothing} of the
 * build, so that a scorer with those may read the runs of its cart items best first and stop
 * early (a threshold algorithm); and, for looking a pair up, the run's entries ordered by
 * {@code j}. Per entry: the slot of {@code j} (4 bytes), a byte with a bit per source whose
 * evidence is not 0, {@code n(i,j)} and {@code e(i,j)} (8 bytes each; for the rare pair of
 * several sources, {@code e} is their sum and each source's part is kept aside), and its place
 * in the order by {@code j} (4 bytes): 25 bytes. Immutable once built, so any number of calls
 * may read it at once.
 */
final class PairIndex implements PairRuns {

    private static final int S = Source.values().length;

    private final ScoringConfig built;
    private final LongIntMap slots;
    private final long[] handles; // slot -> item handle
    private final double[] masses; // slot -> n(j), NaN without one
    private final int itemCount; // slots below it have their pairs here
    private final int[] firstEntry; // item slot -> first entry; itemCount + 1 of them
    private final int[] others; // entry -> slot of j
    private final byte[] sources; // entry -> bit s set when e_s(i,j) != 0
    private final double[] supports; // entry -> n(i,j)
    private final double[] evidence; // entry -> e(i,j), summed over its sources
    private final int[] byOther; // per item, its entries ordered by slot of j
    private final LongIntMap splitAt; // entry of several sources -> offset in split
    private final double[] split; // e_s(i,j) of each source, S per entry of several sources

    private PairIndex(Builder b, ScoringConfig built) {
        this.built = built;
        this.slots = b.slots;
        this.handles = Arrays.copyOf(b.handles, b.slotCount);
        this.masses = Arrays.copyOf(b.masses, b.slotCount);
        this.itemCount = b.firstEntry.length - 1;
        this.firstEntry = b.firstEntry;
        this.others = Arrays.copyOf(b.others, b.entries);
        this.sources = Arrays.copyOf(b.sources, b.entries);
        this.supports = Arrays.copyOf(b.supports, b.entries);
        this.evidence = Arrays.copyOf(b.evidence, b.entries);
        this.byOther = Arrays.copyOf(b.byOther, b.entries);
        this.splitAt = b.splitAt;
        this.split = Arrays.copyOf(b.split, b.splitCount);
    }

    /** Thrown when an index would hold more entries than its budget allows. */
    static final class TooLargeException extends IllegalStateException {
        TooLargeException(String message) {
            super(message);
        }
    }

    /**
     * Builds the index of {@code items}: {@link BasketPairs} over {@code source} for each one.
     *
     * @param items the handles of the items whose pairs are kept (every item a cart may hold)
     * @param source the baskets and masses, read in one consistent state
     * @param stats the statistics of the last refresh
     * @param scoring {@code sizeExponent}, {@code maxBasketSize} and {@code adjacencyBonus} of the
     *     sums, {@code beta} and {@code smoothing} of the order of each item's pairs
     * @param maxBytes the most the index may take ({@link #estimatedBytes()})
     * @return the index, with the masses of {@code source}
     * @throws TooLargeException when the index would take more than {@code maxBytes}
     */
    static PairIndex build(long[] items, BasketSource source, BundleStats stats, ScoringConfig scoring,
                           long maxBytes) {
        Builder builder = new Builder(source, items.length, scoring, maxBytes);
        for (long item : items) {
            builder.slot(item);
        }
        BasketPairs pairs = new BasketPairs(source, stats, scoring);
        for (int slot = 0; slot < items.length; slot++) {
            builder.firstEntry[slot] = builder.entries;
            pairs.forEachPair(items[slot], builder);
            builder.endItem();
        }
        builder.firstEntry[items.length] = builder.entries;
        return new PairIndex(builder, scoring);
    }

    /**
     * Fills the arrays of an index, one item's pairs after the other: each item's pairs are
     * gathered in the order {@link BasketPairs} gives them, then appended ordered by bound.
     */
    private static final class Builder implements PairVisitor {
        private final BasketSource source;
        private final ScoringConfig scoring;
        private final long maxBytes;
        final LongIntMap slots;
        long[] handles;
        double[] masses;
        int slotCount;
        final int[] firstEntry;
        int[] others = new int[1024];
        byte[] sources = new byte[1024];
        double[] supports = new double[1024];
        double[] evidence = new double[1024];
        int[] byOther = new int[1024];
        final LongIntMap splitAt = new LongIntMap(64);
        double[] split = new double[64 * S];
        int splitCount;
        int entries;
        // The current item's pairs, as given.
        private int[] runOther = new int[256];
        private double[] runSupport = new double[256];
        private double[] runEvidence = new double[256 * S];
        private long[] runOrder = new long[256];
        private int runCount;

        Builder(BasketSource source, int items, ScoringConfig scoring, long maxBytes) {
            this.source = source;
            this.scoring = scoring;
            this.maxBytes = maxBytes;
            slots = new LongIntMap(items);
            handles = new long[Math.max(16, items)];
            masses = new double[handles.length];
            firstEntry = new int[items + 1];
        }

        int slot(long item) {
            int slot = slots.getOrPut(item, slotCount);
            if (slot >= 0) {
                return slot;
            }
            slot = slotCount++;
            if (slot == handles.length) {
                handles = Arrays.copyOf(handles, slot * 2);
                masses = Arrays.copyOf(masses, slot * 2);
            }
            handles[slot] = item;
            masses[slot] = source.mass(item);
            return slot;
        }

        @Override
        public void visit(long other, double support, double[] pairEvidence) {
            if (runCount == runOther.length) {
                int size = runCount * 2;
                runOther = Arrays.copyOf(runOther, size);
                runSupport = Arrays.copyOf(runSupport, size);
                runEvidence = Arrays.copyOf(runEvidence, size * S);
                runOrder = Arrays.copyOf(runOrder, size);
            }
            runOther[runCount] = slot(other);
            runSupport[runCount] = support;
            System.arraycopy(pairEvidence, 0, runEvidence, runCount * S, S);
            runCount++;
        }

        /** Appends the current item's pairs, by bound descending (ties in the order given). */
        void endItem() {
            int first = entries;
            reserve(entries + runCount);
            for (int n = 0; n < runCount; n++) {
                double sum = 0.0;
                for (int s = 0; s < S; s++) {
                    sum += runEvidence[n * S + s];
                }
                float bound = bound(sum, runSupport[n], masses[runOther[n]], scoring);
                // Non-negative floats order as their bits: descending bound, then given order.
                runOrder[n] = ((long) (Integer.MAX_VALUE - Float.floatToIntBits(bound)) << 32) | n;
            }
            Arrays.sort(runOrder, 0, runCount);
            for (int r = 0; r < runCount; r++) {
                int n = (int) runOrder[r];
                int entry = entries++;
                int mask = 0;
                double sum = 0.0;
                for (int s = 0; s < S; s++) {
                    double part = runEvidence[n * S + s];
                    if (part != 0.0) {
                        mask |= 1 << s;
                    }
                    sum += part;
                }
                others[entry] = runOther[n];
                sources[entry] = (byte) mask;
                supports[entry] = runSupport[n];
                evidence[entry] = sum;
                if (Integer.bitCount(mask) > 1) {
                    if (splitCount + S > split.length) {
                        split = Arrays.copyOf(split, split.length * 2);
                    }
                    splitAt.put(entry, splitCount);
                    System.arraycopy(runEvidence, n * S, split, splitCount, S);
                    splitCount += S;
                }
                runOrder[r] = ((long) runOther[n] << 32) | entry;
            }
            Arrays.sort(runOrder, 0, runCount);
            for (int r = 0; r < runCount; r++) {
                byOther[first + r] = (int) runOrder[r];
            }
            runCount = 0;
        }

        private void reserve(int needed) {
            if (needed <= others.length) {
                return;
            }
            int size = Math.max(needed, others.length * 2);
            long bytes = bytes(slotCount, firstEntry.length, size);
            if (bytes > maxBytes || size > Integer.MAX_VALUE / 2) {
                throw new TooLargeException(String.format(Locale.ROOT, "The bundle pair index would take more"
                        + " than %.1f MiB (%d pairs so far).", maxBytes / 1048576.0, entries));
            }
            others = Arrays.copyOf(others, size);
            sources = Arrays.copyOf(sources, size);
            supports = Arrays.copyOf(supports, size);
            evidence = Arrays.copyOf(evidence, size);
            byOther = Arrays.copyOf(byOther, size);
        }
    }

    /**
     * The bound of a pair: {@code e(i,j) / (max(n(j), n(i,j)) + smoothing)^beta} rounded up to a
     * float; 0 when {@code n(j)} is NaN ({@code j} is never ranked). A scorer's denominator uses
     * a mass at least {@code max(n(j), n(i,j))}, so its contribution {@code e(i,j) / n(i)^alpha
     * / denominator} is at most {@code bound / n(i)^alpha} (up to the rounding of its sums).
     */
    static float bound(double evidence, double support, double mass, ScoringConfig scoring) {
        // StrictMath: the same bits at the build and at every call, so runs stay ordered.
        double value = evidence / StrictMath.pow(Math.max(mass, support) + scoring.smoothing(), scoring.beta());
        if (!(value >= 0.0)) {
            return 0.0f;
        }
        float rounded = (float) value;
        return rounded < value ? Math.nextUp(rounded) : rounded;
    }

    @Override
    public boolean serves(ScoringConfig scoring) {
        return Double.compare(scoring.sizeExponent(), built.sizeExponent()) == 0
                && Double.compare(scoring.adjacencyBonus(), built.adjacencyBonus()) == 0
                && scoring.maxBasketSize() == built.maxBasketSize();
    }

    @Override
    public boolean bounds(ScoringConfig scoring) {
        return serves(scoring) && Double.compare(scoring.beta(), built.beta()) == 0
                && Double.compare(scoring.smoothing(), built.smoothing()) == 0;
    }

    @Override
    public boolean holds(long item) {
        return itemSlot(item) >= 0;
    }

    @Override
    public Run run(long item) {
        int slot = itemSlot(item);
        return slot < 0 ? null : new BaseRun(slot);
    }

    @Override
    public long[] decreased() {
        return NONE;
    }

    private static final long[] NONE = new long[0];

    /** An item's run: its entries {@code [first, end)}. */
    private final class BaseRun implements Run {
        private final int slot;
        private final int first;
        private final int size;

        BaseRun(int slot) {
            this.slot = slot;
            this.first = firstEntry[slot];
            this.size = firstEntry[slot + 1] - first;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public long other(int n) {
            return PairIndex.this.other(first + n);
        }

        @Override
        public double support(int n) {
            return supports[first + n];
        }

        @Override
        public void evidence(int n, double[] out) {
            PairIndex.this.evidence(first + n, out);
        }

        @Override
        public float bound(int n) {
            return PairIndex.this.bound(first + n);
        }

        @Override
        public int find(long other) {
            int entry = PairIndex.this.find(slot, other);
            return entry < 0 ? -1 : entry - first;
        }
    }

    /** The slot of an item whose pairs are here, or -1. */
    int itemSlot(long item) {
        int slot = slots.get(item);
        return slot >= 0 && slot < itemCount ? slot : -1;
    }

    /** The first entry of an item's run ({@link #itemSlot}). */
    int first(int itemSlot) {
        return firstEntry[itemSlot];
    }

    /** The entry after the last of an item's run. */
    int end(int itemSlot) {
        return firstEntry[itemSlot + 1];
    }

    /** The handle of {@code j} of an entry. */
    long other(int entry) {
        return handles[others[entry]];
    }

    /** {@code n(i,j)} of an entry. */
    double support(int entry) {
        return supports[entry];
    }

    /** Writes {@code e(i,j)} of each source of an entry into {@code out}, by source ordinal. */
    void evidence(int entry, double[] out) {
        int mask = sources[entry];
        if (Integer.bitCount(mask) > 1) {
            System.arraycopy(split, splitAt.get(entry), out, 0, S);
            return;
        }
        for (int s = 0; s < S; s++) {
            out[s] = mask == 1 << s ? evidence[entry] : 0.0;
        }
    }

    /** The bound of an entry (see the class comment); not increasing along a run. */
    float bound(int entry) {
        return bound(evidence[entry], supports[entry], masses[others[entry]], built);
    }

    /** The entry of the pair ({@code itemSlot}'s item, {@code other}), or -1 when they share no basket. */
    int find(int itemSlot, long other) {
        int target = slots.get(other);
        if (target < 0) {
            return -1;
        }
        int low = firstEntry[itemSlot];
        int high = firstEntry[itemSlot + 1] - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int entry = byOther[middle];
            int slot = others[entry];
            if (slot < target) {
                low = middle + 1;
            } else if (slot > target) {
                high = middle - 1;
            } else {
                return entry;
            }
        }
        return -1;
    }

    /** The mass read when the index was built; {@code NaN} for an item it never met. */
    @Override
    public double mass(long item) {
        int slot = slots.get(item);
        return slot < 0 ? Double.NaN : masses[slot];
    }

    /** The item handles whose pairs are here, in slot order. */
    long[] heldItems() {
        return Arrays.copyOf(handles, itemCount);
    }

    /** How many items have their pairs here. */
    int items() {
        return itemCount;
    }

    /** How many (i, j) pairs, each direction counted. */
    long pairs() {
        return others.length;
    }

    /** Approximate heap bytes of the arrays. */
    long estimatedBytes() {
        return bytes(handles.length, firstEntry.length, others.length) + split.length * 8L
                + splitAt.capacity() * 32L;
    }

    private static long bytes(int slotCount, int itemSlots, long entries) {
        // handles and masses, the slot map (about 4 longs a key), the run offsets, and per entry
        // an int, a byte, two doubles and an int.
        return slotCount * (8L + 8L + 32L) + itemSlots * 4L + entries * 25L;
    }
}
