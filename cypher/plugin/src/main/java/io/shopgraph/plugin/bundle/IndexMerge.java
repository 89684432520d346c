package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.LongIntMap;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Recomputes the runs and masses of changed items over the graph as it is now, with the code of
 * a full build ({@link BasketPairs} for the pairs and the mass, {@link PairIndex#bound} for the
 * bounds), and publishes them over a version: after a merge of every item whose baskets changed,
 * the version holds exactly what a full build of the same graph would (items, pair sums and
 * masses bit for bit; only the order of ties between equal bounds may differ, which no score
 * depends on).
 *
 * <p>Which items: those given (the items of the changed baskets, the items removed from them,
 * the items created or deleted), and any partner of theirs the version does not know yet (an
 * item whose own change is still on its way). A handle that is no longer an item gets
 * {@link OverlayRun#ABSENT}. The bounds of a new run use the new masses of the items recomputed
 * with it and the version's masses of the others.
 */
final class IndexMerge {

    private static final int S = Source.values().length;

    private IndexMerge() {}

    /**
     * The version with the changed items recomputed.
     *
     * @param current the version to merge into
     * @param changed the items to recompute (repeats count once)
     * @param baskets the graph now, read with the sources' weights of {@code weighted}
     * @param weighted the sources whose weights {@code baskets} reads
     * @param number the new version's number
     * @return the new version
     */
    static IndexVersion merge(IndexVersion current, long[] changed, BasketSource baskets, Set<Source> weighted,
                              long number) {
        return merge(current, changed, baskets, weighted, number, error -> { });
    }

    /**
     * {@link #merge(IndexVersion, long[], BasketSource, Set, long)}, telling {@code failures} of
     * each item whose baskets could not be read (bad data: it gets a {@link OverlayRun#failed}
     * run, so that calls with it traverse and report the same error).
     */
    static IndexVersion merge(IndexVersion current, long[] changed, BasketSource baskets, Set<Source> weighted,
                              long number, Consumer<ShopgraphException> failures) {
        BasketPairs walker = new BasketPairs(baskets, current.stats(), ScoringConfig.DEFAULTS, true);
        Collected collected = new Collected(changed.length);
        for (long item : changed) {
            collected.enqueue(item);
        }
        for (int n = 0; n < collected.count; n++) {
            long item = collected.items[n];
            collected.begin(n);
            if (baskets.isItem(item)) {
                try {
                    walker.forEachPair(item, collected);
                } catch (ShopgraphException e) {
                    failures.accept(e);
                    collected.pairs = collected.firsts[n];
                    collected.failed(n);
                    collected.end(n);
                    continue;
                }
                collected.masses[n] = walker.lastMass();
                // Partners the version has no mass for are recomputed too (their own change is
                // still on its way, or their node is new under an old handle).
                for (int p = collected.firsts[n]; p < collected.pairs; p++) {
                    long other = collected.others[p];
                    if (collected.position.get(other) < 0 && Double.isNaN(current.mass(other))) {
                        collected.enqueue(other);
                    }
                }
            } else {
                collected.masses[n] = Double.NaN;
            }
            collected.end(n);
        }
        OverlayRun[] runs = new OverlayRun[collected.count];
        for (int n = 0; n < collected.count; n++) {
            double mass = collected.masses[n];
            if (collected.failed[n]) {
                long item = collected.items[n];
                runs[n] = OverlayRun.failed(current.mass(item), current.highest(item));
                continue;
            }
            if (Double.isNaN(mass)) {
                runs[n] = OverlayRun.ABSENT;
                continue;
            }
            double highest = current.highest(collected.items[n]);
            int first = collected.firsts[n];
            int count = collected.ends[n] - first;
            runs[n] = OverlayRun.of(mass, Double.isNaN(highest) ? mass : highest, count,
                    Arrays.copyOfRange(collected.others, first, first + count),
                    Arrays.copyOfRange(collected.supports, first, first + count),
                    Arrays.copyOfRange(collected.evidence, first * S, (first + count) * S),
                    other -> {
                        int position = collected.position.get(other);
                        return position >= 0 && !collected.failed[position] ? collected.masses[position]
                                : current.mass(other);
                    },
                    ScoringConfig.DEFAULTS);
        }
        return current.with(collected.items, runs, collected.count, weighted, number);
    }

    /** The items of a merge and their pairs, one item's pairs after the other. */
    private static final class Collected implements PairSums.PairVisitor {
        final LongIntMap position;
        long[] items;
        double[] masses;
        boolean[] failed;
        int[] firsts;
        int[] ends;
        int count;
        long[] others = new long[256];
        double[] supports = new double[256];
        double[] evidence = new double[256 * S];
        int pairs;

        Collected(int expected) {
            int size = Math.max(16, expected);
            position = new LongIntMap(size);
            items = new long[size];
            masses = new double[size];
            failed = new boolean[size];
            firsts = new int[size];
            ends = new int[size];
        }

        void enqueue(long item) {
            if (position.getOrPut(item, count) >= 0) {
                return;
            }
            if (count == items.length) {
                int size = count * 2;
                items = Arrays.copyOf(items, size);
                masses = Arrays.copyOf(masses, size);
                failed = Arrays.copyOf(failed, size);
                firsts = Arrays.copyOf(firsts, size);
                ends = Arrays.copyOf(ends, size);
            }
            items[count++] = item;
        }

        void begin(int n) {
            firsts[n] = pairs;
        }

        void failed(int n) {
            failed[n] = true;
            masses[n] = Double.NaN;
        }

        void end(int n) {
            ends[n] = pairs;
        }

        @Override
        public void visit(long other, double support, double[] pairEvidence) {
            if (pairs == others.length) {
                int size = pairs * 2;
                others = Arrays.copyOf(others, size);
                supports = Arrays.copyOf(supports, size);
                evidence = Arrays.copyOf(evidence, size * S);
            }
            others[pairs] = other;
            supports[pairs] = support;
            System.arraycopy(pairEvidence, 0, evidence, pairs * S, S);
            pairs++;
        }
    }
}
