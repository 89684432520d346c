package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.LongIntMap;
import io.shopgraph.plugin.common.LongSet;
import java.util.Arrays;
import java.util.Set;

/**
 * One published state of a database's live pair index: a full build ({@link PairIndex}, the
 * base) and, copy on write over it, the runs and masses of the items recomputed since
 * ({@link OverlayRun}s, by {@link IndexMerge}). Immutable: a call reads one version from start
 * to end while merges publish newer ones.
 *
 * <p>The overlay has two levels so that a merge copies little: the runs of the last merges
 * ({@value #RECENT_LIMIT} items at most) over those of the older ones, folded into the older
 * level when the recent one is full.
 *
 * <p><b>Exact bounds.</b> A run's bounds were computed with the masses its partners had then.
 * Masses only grow while baskets are added, which keeps every bound valid; a mass that went
 * down (a basket deleted, a weight lowered) makes the bounds that used its larger value too low.
 * Each item keeps the largest mass it had since the base ({@link OverlayRun#highest}); the items
 * now below it are {@link #decreased()}, and a scorer meets them explicitly.
 */
final class IndexVersion implements PairRuns {

    /** Most runs in the recent level of the overlay before it is folded into the older one. */
    static final int RECENT_LIMIT = 4096;

    private static final long[] NONE = new long[0];

    private final PairIndex base;
    private final Level older;
    private final Level recent;
    private final LongSet decreased;
    private final long[] decreasedItems;
    private final BundleStats stats;
    private final Set<Source> weighted;
    private final long number;
    private final long txId;

    private IndexVersion(PairIndex base, Level older, Level recent, LongSet decreased, BundleStats stats,
                         Set<Source> weighted, long number, long txId) {
        this.base = base;
        this.older = older;
        this.recent = recent;
        this.decreased = decreased;
        this.decreasedItems = decreased.isEmpty() ? NONE : decreased.toArray();
        this.stats = stats;
        this.weighted = Set.copyOf(weighted);
        this.number = number;
        this.txId = txId;
    }

    /**
     * The version of a full build.
     *
     * @param base the build
     * @param stats the statistics it was built with
     * @param weighted the sources whose relationship weights it read
     * @param number this version's number (increasing)
     * @param txId the database's last closed transaction id before the build began
     */
    static IndexVersion of(PairIndex base, BundleStats stats, Set<Source> weighted, long number, long txId) {
        return new IndexVersion(base, Level.EMPTY, Level.EMPTY, new LongSet(4), stats, weighted, number, txId);
    }

    /**
     * This version with new runs of some items.
     *
     * @param items the items recomputed
     * @param runs their runs ({@link OverlayRun#ABSENT} for those no longer items)
     * @param count how many
     * @param weightedNow the sources whose weights the runs read
     * @param nextNumber the new version's number
     */
    IndexVersion with(long[] items, OverlayRun[] runs, int count, Set<Source> weightedNow, long nextNumber) {
        LongSet down = decreased.copy();
        for (int n = 0; n < count; n++) {
            OverlayRun run = runs[n];
            if (run.mass() < run.highest()) {
                down.add(items[n]);
            } else {
                down.remove(items[n]);
            }
        }
        Level olderNow = older;
        Level recentNow = recent.with(items, runs, count);
        if (recentNow.size() > RECENT_LIMIT) {
            olderNow = older.with(recentNow);
            recentNow = Level.EMPTY;
        }
        return new IndexVersion(base, olderNow, recentNow, down, stats, weightedNow, nextNumber, txId);
    }

    /** The recomputed run of an item, or null when it was not recomputed since the base. */
    private OverlayRun overlay(long item) {
        OverlayRun run = recent.get(item);
        return run != null ? run : older.get(item);
    }

    @Override
    public Run run(long item) {
        OverlayRun run = overlay(item);
        if (run != null) {
            return Double.isNaN(run.mass()) || run.isFailed() ? null : run;
        }
        return base.run(item);
    }

    @Override
    public double mass(long item) {
        OverlayRun run = overlay(item);
        return run != null ? run.mass() : base.mass(item);
    }

    /** The largest mass of the item since the base ({@code NaN} when unknown). */
    double highest(long item) {
        OverlayRun run = overlay(item);
        return run != null ? run.highest() : base.mass(item);
    }

    /** Whether the item is known here (recomputed since the base, or in it). */
    boolean knows(long item) {
        return overlay(item) != null || !Double.isNaN(base.mass(item));
    }

    @Override
    public boolean serves(ScoringConfig scoring) {
        return base.serves(scoring);
    }

    @Override
    public boolean bounds(ScoringConfig scoring) {
        return base.bounds(scoring);
    }

    @Override
    public long[] decreased() {
        return decreasedItems;
    }

    /** The full build under the overlay. */
    PairIndex base() {
        return base;
    }

    /** The statistics of the refresh the version was built with. */
    BundleStats stats() {
        return stats;
    }

    /** The sources whose relationship weights its runs read. */
    Set<Source> weighted() {
        return weighted;
    }

    /** Its number: every publication gets the next one. */
    long number() {
        return number;
    }

    /** The database's last closed transaction id before its base was built. */
    long txId() {
        return txId;
    }

    /** How many items were recomputed since the base. */
    int overlayItems() {
        return older.size() + recent.size() - recent.shadowed(older);
    }

    /** How many pairs the overlay holds. */
    long overlayPairs() {
        return older.pairs() + recent.pairs();
    }

    /** Approximate heap bytes of the base and the overlay. */
    long estimatedBytes() {
        return base.estimatedBytes() + older.bytes() + recent.bytes();
    }

    /** One level of the overlay: item handle -> run. Immutable. */
    private static final class Level {
        static final Level EMPTY = new Level(new LongIntMap(4), new OverlayRun[0], new long[0], 0, 0L, 0L);

        private final LongIntMap slots;
        private final OverlayRun[] runs;
        private final long[] items;
        private final int count;
        private final long pairs;
        private final long bytes;

        private Level(LongIntMap slots, OverlayRun[] runs, long[] items, int count, long pairs, long bytes) {
            this.slots = slots;
            this.runs = runs;
            this.items = items;
            this.count = count;
            this.pairs = pairs;
            this.bytes = bytes;
        }

        OverlayRun get(long item) {
            int slot = slots.get(item);
            return slot < 0 ? null : runs[slot];
        }

        int size() {
            return count;
        }

        long pairs() {
            return pairs;
        }

        long bytes() {
            return bytes + 32L * count;
        }

        /** How many of its items the other level holds too. */
        int shadowed(Level other) {
            int n = 0;
            for (int i = 0; i < count; i++) {
                if (other.slots.get(items[i]) >= 0) {
                    n++;
                }
            }
            return n;
        }

        /** A copy with these runs set (replacing those of the same items). */
        Level with(long[] changed, OverlayRun[] changedRuns, int changedCount) {
            LongIntMap map = slots.copy();
            OverlayRun[] copy = Arrays.copyOf(runs, Math.max(16, count + changedCount));
            long[] handles = Arrays.copyOf(items, copy.length);
            int size = count;
            long pairCount = pairs;
            long byteCount = bytes;
            for (int n = 0; n < changedCount; n++) {
                int slot = map.getOrPut(changed[n], size);
                if (slot < 0) {
                    slot = size++;
                    handles[slot] = changed[n];
                } else {
                    pairCount -= copy[slot].size();
                    byteCount -= copy[slot].estimatedBytes();
                }
                copy[slot] = changedRuns[n];
                pairCount += changedRuns[n].size();
                byteCount += changedRuns[n].estimatedBytes();
            }
            return new Level(map, copy, handles, size, pairCount, byteCount);
        }

        /** A copy with the runs of {@code newer} over its own. */
        Level with(Level newer) {
            return with(newer.items, newer.runs, newer.count);
        }
    }
}
