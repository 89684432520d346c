package io.shopgraph.plugin.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopgraph.plugin.bundle.MemoryBaskets.Basket;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * {@link IndexMerge} over {@link IndexVersion}: after the items of every changed basket are
 * merged, the version answers every cart exactly as a full build of the changed shop does (items
 * and numbers bit for bit, for small {@code k} too, where the threshold algorithm stops early),
 * with masses that went down (baskets deleted, weights lowered) as well as up; and a handle that
 * is no item any more is no longer held.
 */
class IndexMergeTest {

    private static final MassConfig DECAY = new MassConfig(1.0, 0.5, 0.1, 30.0, 1.0);
    private static final Set<Source> ALL = EnumSet.allOf(Source.class);

    private static PairIndex build(MemoryBaskets shop, BundleStats stats) {
        long[] items = LongStream.range(0, shop.stats().items() + extra(shop)).toArray();
        return PairIndex.build(items, new ComputedMasses(shop, stats), stats, ScoringConfig.DEFAULTS,
                Long.MAX_VALUE);
    }

    /** Items of the universe in no basket (handles after those the statistics count). */
    private static long extra(MemoryBaskets shop) {
        long n = 0;
        while (shop.isItem(shop.stats().items() + n)) {
            n++;
        }
        return n;
    }

    /**
     * The shop changed: some baskets deleted, some added, some with an item more or less, a
     * weight lowered or a user changed.
     */
    private static List<Basket> changed(List<Basket> baskets, SplittableRandom random, List<Integer> touched) {
        List<Basket> out = new ArrayList<>();
        for (Basket b : baskets) {
            int roll = random.nextInt(20);
            if (roll == 0) {
                touched.add(b.index()); // deleted
                continue;
            }
            if (roll == 1 && b.items().size() > 1) {
                touched.add(b.index()); // an item fewer
                List<String> items = new ArrayList<>(b.items().subList(0, b.items().size() - 1));
                out.add(new Basket(b.index(), items, b.time(), b.source(), b.user(),
                        b.weights() == null ? null : java.util.Arrays.copyOf(b.weights(), items.size()),
                        b.positions() == null ? null : java.util.Arrays.copyOf(b.positions(), items.size())));
                continue;
            }
            if (roll == 2) {
                touched.add(b.index()); // an item more, or a weight lowered
                Set<String> items = new LinkedHashSet<>(b.items());
                items.add("i" + random.nextInt(45));
                double[] weights = new double[items.size()];
                java.util.Arrays.fill(weights, 1.0);
                weights[0] = 0.25;
                out.add(new Basket(b.index(), List.copyOf(items), b.time(), b.source(), b.user(), weights));
                continue;
            }
            if (roll == 3) {
                touched.add(b.index()); // another user
                out.add(new Basket(b.index(), b.items(), b.time(), b.source(),
                        random.nextBoolean() ? null : "u" + random.nextInt(25), b.weights(), b.positions()));
                continue;
            }
            out.add(b);
        }
        for (int n = 0; n < 15; n++) {
            int index = 1000 + n;
            touched.add(index);
            Set<String> items = new LinkedHashSet<>();
            int size = 1 + random.nextInt(4);
            while (items.size() < size) {
                items.add("i" + random.nextInt(45)); // new items i40..i44 too
            }
            out.add(new Basket(index, List.copyOf(items), (double) random.nextInt(250),
                    Source.values()[random.nextInt(3)], random.nextInt(4) == 0 ? null : "u" + random.nextInt(25),
                    null));
        }
        return out;
    }

    @Test
    void aMergedVersionAnswersAsAFullBuildOfTheChangedShop() {
        int rows = 0;
        int decreased = 0;
        for (long seed = 1; seed <= 6; seed++) {
            List<Basket> before = PairIndexTest.randomBaskets(seed);
            List<Integer> touched = new ArrayList<>();
            List<Basket> after = changed(before, new SplittableRandom(seed * 7), touched);
            List<String> universe = new ArrayList<>();
            for (int n = 0; n < 45; n++) {
                universe.add("i" + n);
            }
            MemoryBaskets old = new MemoryBaskets(before, DECAY, universe);
            MemoryBaskets shop = new MemoryBaskets(after, DECAY, universe);
            BundleStats stats = old.stats(); // the statistics of the last refresh, before the changes
            IndexVersion version = IndexVersion.of(build(old, stats), stats, ALL, 1, 0);
            // The items of every touched basket, before and after.
            Set<Long> changed = new TreeSet<>();
            for (List<Basket> side : List.of(before, after)) {
                for (Basket b : side) {
                    if (touched.contains(b.index())) {
                        b.items().forEach(item -> changed.add(shop.handle(item)));
                    }
                }
            }
            IndexVersion merged = IndexMerge.merge(version, changed.stream().mapToLong(Long::longValue).toArray(),
                    shop, ALL, 2);
            PairIndex fresh = build(shop, stats);
            decreased += merged.decreased().length;
            for (long item = 0; item < universe.size(); item++) {
                assertThat(merged.mass(item)).as("mass of %s, seed %d", shop.itemId(item), seed)
                        .isEqualTo(fresh.mass(item));
            }
            SplittableRandom random = new SplittableRandom(seed * 31);
            for (int n = 0; n < 60; n++) {
                long[] cart = random.longs(1 + random.nextInt(4), 0, universe.size()).toArray();
                for (int k : new int[] {1, 2, 5, 1000}) {
                    List<ScoredItem> expected = new BundleScorer(fresh.items(shop), fresh, stats,
                            ScoringConfig.DEFAULTS).recommend(cart, k, Selection.ALL);
                    List<ScoredItem> got = new BundleScorer(merged.items(shop), merged, stats,
                            ScoringConfig.DEFAULTS).recommend(cart, k, Selection.ALL);
                    assertThat(got).as("seed %d, cart %s, k %d", seed, java.util.Arrays.toString(cart), k)
                            .isEqualTo(expected);
                    rows += expected.size();
                }
            }
        }
        assertThat(rows).as("rows compared").isGreaterThan(10_000);
        assertThat(decreased).as("masses that went down, over the seeds").isGreaterThan(10);
    }

    @Test
    void decreasedMassesAreMetSoThatTheBoundsCannotStopTooEarly() {
        // A with B in 3 orders of one user (cap 10: nothing capped), and with C in 2 anonymous
        // orders; B is in 40 more anonymous orders. Then those 40 orders go: B's mass falls from 43
        // to 3, so A's run, still ordered by the bound of B's old mass, holds C first; B now beats C.
        MassConfig mass = new MassConfig(1.0, 0.5, 0.1, MassConfig.NO_DECAY, 10.0);
        List<Basket> before = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            before.add(new Basket(n, List.of("A", "B"), null, Source.ORDER, "heavy", null));
        }
        for (int n = 0; n < 2; n++) {
            before.add(new Basket(3 + n, List.of("A", "C"), null, Source.ORDER, null, null));
        }
        for (int n = 0; n < 40; n++) {
            before.add(new Basket(5 + n, List.of("B", "D" + n), null, Source.ORDER, null, null));
        }
        List<Basket> after = before.subList(0, 5);
        List<String> universe = new ArrayList<>(new TreeSet<>(before.stream().flatMap(b -> b.items().stream())
                .toList()));
        MemoryBaskets old = new MemoryBaskets(before, mass, universe);
        MemoryBaskets shop = new MemoryBaskets(after, mass, universe);
        BundleStats stats = old.stats();
        IndexVersion version = IndexVersion.of(build(old, stats), stats, ALL, 1, 0);
        long[] changed = universe.stream().filter(id -> id.startsWith("D") || id.equals("B"))
                .mapToLong(shop::handle).toArray();
        IndexVersion merged = IndexMerge.merge(version, changed, shop, ALL, 2);
        assertThat(merged.decreased()).contains(shop.handle("B"));
        PairRuns.Run runOfA = merged.run(shop.handle("A"));
        assertThat(shop.itemId(runOfA.other(0))).as("A's run still starts with C").isEqualTo("C");
        long[] cart = shop.handles("A");
        List<ScoredItem> top = new BundleScorer(merged.items(shop), merged, stats, ScoringConfig.DEFAULTS)
                .recommend(cart, 1, Selection.ALL);
        PairIndex fresh = build(shop, stats);
        assertThat(top).extracting(ScoredItem::itemId).containsExactly("B");
        assertThat(top).isEqualTo(new BundleScorer(fresh.items(shop), fresh, stats, ScoringConfig.DEFAULTS)
                .recommend(cart, 1, Selection.ALL));
        // Without meeting B first, the bound of C's entry would have stopped the scan at C.
        PairRuns forgetful = new Forgetful(merged);
        assertThat(new BundleScorer(forgetful.items(shop), forgetful, stats, ScoringConfig.DEFAULTS)
                .recommend(cart, 1, Selection.ALL)).extracting(ScoredItem::itemId).containsExactly("C");
    }

    /** A version that forgets which masses went down. */
    private record Forgetful(IndexVersion version) implements PairRuns {
        @Override
        public Run run(long item) {
            return version.run(item);
        }

        @Override
        public double mass(long item) {
            return version.mass(item);
        }

        @Override
        public boolean serves(ScoringConfig scoring) {
            return version.serves(scoring);
        }

        @Override
        public boolean bounds(ScoringConfig scoring) {
            return version.bounds(scoring);
        }

        @Override
        public long[] decreased() {
            return new long[0];
        }
    }

    @Test
    void aHandleThatIsNoItemAnyMoreIsNotHeld() {
        List<Basket> before = List.of(new Basket(0, List.of("A", "B"), null, Source.ORDER, null, null),
                new Basket(1, List.of("B", "C"), null, Source.ORDER, null, null));
        MemoryBaskets old = new MemoryBaskets(before, DECAY);
        BundleStats stats = old.stats();
        IndexVersion version = IndexVersion.of(build(old, stats), stats, ALL, 1, 0);
        // C is deleted with its order: a source where it is no item.
        MemoryBaskets left = new MemoryBaskets(before.subList(0, 1), DECAY, List.of("A", "B", "C"));
        BasketSource shop = new BasketSource() {
            @Override
            public void forEachBasket(long item, Source source, BasketVisitor visitor) {
                left.forEachBasket(item, source, visitor);
            }

            @Override
            public boolean isItem(long handle) {
                return handle != 2;
            }

            @Override
            public double mass(long item) {
                return left.mass(item);
            }

            @Override
            public String itemId(long item) {
                return left.itemId(item);
            }
        };
        IndexVersion merged = IndexMerge.merge(version, new long[] {1, 2}, shop, ALL, 2);
        assertThat(merged.holds(2)).isFalse();
        assertThat(merged.mass(2)).isNaN();
        assertThat(merged.mass(1)).isEqualTo(1.0);
        assertThat(merged.holds(0)).isTrue();
        List<ScoredItem> top = new BundleScorer(merged.items(shop), merged, stats, ScoringConfig.DEFAULTS)
                .recommend(new long[] {1}, 10, Selection.ALL);
        assertThat(top).extracting(ScoredItem::itemId).containsExactly("A");
    }
}
