package io.shopgraph.plugin.bundle;

import java.util.Arrays;

/**
 * The pair sums of every item, precomputed: for each item {@code i}, what {@link BasketPairs}
 * computes for it ({@code n(i,j)} and {@code e(i,j)} by source for every {@code j}), in the
 * order it gives them, and every item's mass; so that a {@link BundleScorer} over it gives the
 * numbers of the traversal bit for bit, reading a few numbers per pair instead of the baskets.
 * The sums depend on the baskets, the statistics of the refresh ({@code now}, source weights,
 * half-life, user cap) and on {@code sizeExponent} and {@code maxBasketSize}; {@code alpha},
 * {@code beta} and {@code smoothing} apply when scoring, so any values of those can use it.
 *
 * <p>Layout: items by dense slot (handle, mass); per item slot, a run of entries (slot of
 * {@code j}, a byte with a bit per source whose evidence is not 0) and a run of doubles
 * ({@code n(i,j)}, then the evidence of each source of the byte, in source order). A pair seen
 * through one source, the usual case, costs 4 + 1 + 16 bytes. Immutable once built, so any
 * number of calls may read it at once.
 */
final class PairIndex implements PairSums {

    private static final int S = Source.values().length;

    private final ScoringConfig built;
    private final LongIntMap slots;
    private final long[] handles; // slot -> item handle
    private final double[] masses; // slot -> n(j), NaN without one
    private final int itemCount; // slots below it have their pairs here
    private final int[] firstEntry; // item slot -> first entry; itemCount + 1 of them
    private final int[] firstValue; // item slot -> first value; itemCount + 1 of them
    private final int[] others; // entry -> slot of j
    private final byte[] sources; // entry -> bit s set when e_s(i,j) != 0
    private final double[] values; // n(i,j), then e_s(i,j) of each set bit

    private PairIndex(ScoringConfig built, LongIntMap slots, long[] handles, double[] masses, int itemCount,
                      int[] firstEntry, int[] firstValue, int[] others, byte[] sources, double[] values) {
        this.built = built;
        this.slots = slots;
        this.handles = handles;
        this.masses = masses;
        this.itemCount = itemCount;
        this.firstEntry = firstEntry;
        this.firstValue = firstValue;
        this.others = others;
        this.sources = sources;
        this.values = values;
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
     * @param scoring {@code sizeExponent} and {@code maxBasketSize} of the sums (the other knobs
     *     do not enter them)
     * @param maxBytes the most the index may take ({@link #estimatedBytes()})
     * @return the index, with the masses of {@code source}
     * @throws TooLargeException when the index would take more than {@code maxBytes}
     */
    static PairIndex build(long[] items, BasketSource source, BundleStats stats, ScoringConfig scoring,
                           long maxBytes) {
        Builder builder = new Builder(source, items.length, maxBytes);
        for (long item : items) {
            builder.slot(item);
        }
        BasketPairs pairs = new BasketPairs(source, stats, scoring);
        for (int slot = 0; slot < items.length; slot++) {
            builder.startItem(slot);
            pairs.forEachPair(items[slot], builder);
        }
        builder.startItem(items.length);
        return new PairIndex(scoring, builder.slots, Arrays.copyOf(builder.handles, builder.slotCount),
                Arrays.copyOf(builder.masses, builder.slotCount), items.length, builder.firstEntry,
                builder.firstValue, Arrays.copyOf(builder.others, builder.entries),
                Arrays.copyOf(builder.sources, builder.entries), Arrays.copyOf(builder.values, builder.valueCount));
    }

    /** Fills the arrays of an index, one item's pairs after the other. */
    private static final class Builder implements PairVisitor {
        private final BasketSource source;
        private final long maxBytes;
        final LongIntMap slots;
        long[] handles;
        double[] masses;
        int slotCount;
        final int[] firstEntry;
        final int[] firstValue;
        int[] others = new int[1024];
        byte[] sources = new byte[1024];
        double[] values = new double[2048];
        int entries;
        int valueCount;

        Builder(BasketSource source, int items, long maxBytes) {
            this.source = source;
            this.maxBytes = maxBytes;
            slots = new LongIntMap(items);
            handles = new long[Math.max(16, items)];
            masses = new double[handles.length];
            firstEntry = new int[items + 1];
            firstValue = new int[items + 1];
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

        void startItem(int slot) {
            firstEntry[slot] = entries;
            firstValue[slot] = valueCount;
        }

        @Override
        public void visit(long other, double support, double[] evidence) {
            int mask = 0;
            int count = 1;
            for (int s = 0; s < S; s++) {
                if (evidence[s] != 0.0) {
                    mask |= 1 << s;
                    count++;
                }
            }
            if (entries == others.length) {
                long bytes = bytes(slotCount, firstEntry.length, entries, valueCount);
                if (bytes > maxBytes || entries > Integer.MAX_VALUE / 2) {
                    throw new TooLargeException(String.format(java.util.Locale.ROOT, "The bundle pair index"
                            + " would take more than %.1f MiB (%d pairs so far).", maxBytes / 1048576.0, entries));
                }
                others = Arrays.copyOf(others, entries * 2);
                sources = Arrays.copyOf(sources, entries * 2);
            }
            if (valueCount + count > values.length) {
                if (values.length > Integer.MAX_VALUE / 2) {
                    throw new TooLargeException("The bundle pair index would hold more than "
                            + values.length + " numbers.");
                }
                values = Arrays.copyOf(values, values.length * 2);
            }
            int entry = entries++;
            others[entry] = slot(other);
            sources[entry] = (byte) mask;
            values[valueCount++] = support;
            for (int s = 0; s < S; s++) {
                if ((mask & (1 << s)) != 0) {
                    values[valueCount++] = evidence[s];
                }
            }
        }
    }

    /**
     * Whether a scorer with these knobs may use this index: the same {@code sizeExponent} and
     * {@code maxBasketSize} as its sums.
     */
    boolean serves(ScoringConfig scoring) {
        return Double.compare(scoring.sizeExponent(), built.sizeExponent()) == 0
                && scoring.maxBasketSize() == built.maxBasketSize();
    }

    /** Whether the item's pairs are here. */
    boolean holds(long item) {
        int slot = slots.get(item);
        return slot >= 0 && slot < itemCount;
    }

    @Override
    public void forEachPair(long item, PairVisitor visitor) {
        int slot = slots.get(item);
        if (slot < 0 || slot >= itemCount) {
            throw new IllegalStateException("The pair index does not hold item " + item + ".");
        }
        double[] evidence = new double[S];
        int value = firstValue[slot];
        for (int entry = firstEntry[slot]; entry < firstEntry[slot + 1]; entry++) {
            int mask = sources[entry];
            double support = values[value++];
            for (int s = 0; s < S; s++) {
                evidence[s] = (mask & (1 << s)) != 0 ? values[value++] : 0.0;
            }
            visitor.visit(handles[others[entry]], support, evidence);
        }
    }

    /** The mass read when the index was built; {@code NaN} for an item it never met. */
    double mass(long item) {
        int slot = slots.get(item);
        return slot < 0 ? Double.NaN : masses[slot];
    }

    /**
     * The items as a scorer over this index reads them: masses from here (those of the build),
     * business ids from {@code ids} (the index holds none).
     */
    ItemSource items(ItemSource ids) {
        return new ItemSource() {
            @Override
            public double mass(long item) {
                return PairIndex.this.mass(item);
            }

            @Override
            public String itemId(long item) {
                return ids.itemId(item);
            }
        };
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
        return bytes(handles.length, firstEntry.length, others.length, values.length);
    }

    private static long bytes(int slotCount, int itemSlots, long entries, long valueCount) {
        // handles and masses, the slot map (about 4 longs a key), the two offset arrays, and per
        // entry an int, a byte and its doubles.
        return slotCount * (8L + 8L + 32L) + itemSlots * 8L + entries * 5L + valueCount * 8L;
    }
}
