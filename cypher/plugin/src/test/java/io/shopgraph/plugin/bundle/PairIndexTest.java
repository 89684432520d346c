package io.shopgraph.plugin.bundle;

import static io.shopgraph.plugin.bundle.MemoryBaskets.letters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.bundle.MemoryBaskets.Basket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * {@link PairIndex}: a scorer over it gives exactly the items and numbers of the traversal
 * ({@link BasketPairs}), bit for bit, for any {@code alpha}, {@code beta} and
 * {@code smoothing}, by its bounds (the threshold algorithm) or by reading every pair; it
 * serves only the {@code sizeExponent}, {@code maxBasketSize} and {@code adjacencyBonus} it was
 * built with; runs are
 * ordered by bound and every pair can be found; pairs of several sources keep each source's
 * evidence; and a build over its budget fails.
 */
class PairIndexTest {

    private static final MassConfig DECAY = new MassConfig(1.0, 0.5, 0.1, 30.0, 1.0);

    private static PairIndex index(MemoryBaskets shop, ScoringConfig scoring) {
        long[] items = LongStream.range(0, shop.stats().items()).toArray();
        return PairIndex.build(items, shop, shop.stats(), scoring, Long.MAX_VALUE);
    }

    private static List<ScoredItem> traversal(MemoryBaskets shop, ScoringConfig scoring, long[] cart, int k,
                                              Selection selection) {
        return new BundleScorer(shop, shop.stats(), scoring).recommend(cart, k, selection);
    }

    private static List<ScoredItem> indexed(MemoryBaskets shop, PairIndex index, ScoringConfig scoring, long[] cart,
                                            int k, Selection selection) {
        return new BundleScorer(index.items(shop), index, shop.stats(), scoring).recommend(cart, k, selection);
    }

    /**
     * A seeded random shop: 40 items (skewed popularity), 25 users, 400 baskets of every source,
     * a fifth anonymous, some without time, weights in [0, 1] with zeros, a few big baskets;
     * order positions in the given order, or drawn with ties and gaps (some absent).
     */
    static List<Basket> randomBaskets(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Basket> baskets = new ArrayList<>();
        for (int n = 0; n < 400; n++) {
            int size = n % 50 == 0 ? 12 + random.nextInt(10) : 1 + random.nextInt(5);
            Set<String> items = new LinkedHashSet<>();
            while (items.size() < size) {
                items.add("i" + (int) Math.floor(Math.pow(random.nextDouble(), 2) * 40));
            }
            double[] weights = new double[size];
            for (int w = 0; w < size; w++) {
                weights[w] = random.nextInt(6) == 0 ? random.nextInt(5) / 4.0 : 1.0;
            }
            Source source = Source.values()[random.nextInt(3)];
            String user = random.nextInt(5) == 0 ? null : "u" + random.nextInt(25);
            Double time = random.nextInt(10) == 0 ? null : (double) random.nextInt(200);
            Long[] positions = null;
            if (random.nextBoolean()) {
                positions = new Long[size];
                for (int p = 0; p < size; p++) {
                    positions[p] = random.nextInt(6) == 0 ? null : (long) random.nextInt(size + 2);
                }
            }
            baskets.add(new Basket(n, List.copyOf(items), time, source, user, weights, positions));
        }
        return baskets;
    }

    @Test
    void scoresOverTheIndexEqualTheTraversalBitForBit() {
        List<ScoringConfig> configs = List.of(ScoringConfig.DEFAULTS,
                new ScoringConfig(1.0, 1.0, 1.0, 0.5, ScoringConfig.NO_LIMIT, 0.0),
                new ScoringConfig(0.0, 0.0, 0.0, 0.5, ScoringConfig.NO_LIMIT, 1.0),
                new ScoringConfig(0.2, 2.0, 3.0, 1.0, 6, 3.5),
                new ScoringConfig(0.7, 0.3, 10.0, 0.0, 2, 2.0));
        int rows = 0;
        for (long seed = 1; seed <= 3; seed++) {
            for (MassConfig mass : List.of(DECAY, new MassConfig(0.8, 0.6, 0.3, MassConfig.NO_DECAY, 1.5))) {
                MemoryBaskets shop = new MemoryBaskets(randomBaskets(seed), mass);
                for (ScoringConfig scoring : configs) {
                    PairIndex index = index(shop, scoring);
                    // Another beta: no bounds for it, every pair is read.
                    ScoringConfig unbounded = new ScoringConfig(scoring.alpha(), scoring.beta() + 0.25,
                            scoring.smoothing(), scoring.sizeExponent(), scoring.maxBasketSize(),
                            scoring.adjacencyBonus());
                    assertThat(index.bounds(scoring)).isTrue();
                    assertThat(index.bounds(unbounded)).isFalse();
                    SplittableRandom random = new SplittableRandom(seed * 31);
                    for (int n = 0; n < 40; n++) {
                        long[] cart = random.longs(1 + random.nextInt(4), 0, shop.stats().items()).toArray();
                        int k = n % 4 == 0 ? 3 : n % 4 == 1 ? 1 : 1000;
                        for (ScoringConfig call : List.of(scoring, unbounded)) {
                            List<ScoredItem> expected = traversal(shop, call, cart, k, Selection.ALL);
                            assertThat(indexed(shop, index, call, cart, k, Selection.ALL))
                                    .as("seed %d, %s, cart %s", seed, call, java.util.Arrays.toString(cart))
                                    .isEqualTo(expected);
                            rows += expected.size();
                        }
                    }
                }
            }
        }
        assertThat(rows).as("rows compared").isGreaterThan(10_000);
    }

    @Test
    void runsAreOrderedByBoundAndEveryPairCanBeFound() {
        MemoryBaskets shop = new MemoryBaskets(randomBaskets(4), DECAY);
        PairIndex index = index(shop, ScoringConfig.DEFAULTS);
        int pairs = 0;
        for (long item = 0; item < index.items(); item++) {
            int slot = index.itemSlot(item);
            Set<Long> others = new java.util.HashSet<>();
            for (int entry = index.first(slot); entry < index.end(slot); entry++) {
                if (entry > index.first(slot)) {
                    assertThat(index.bound(entry)).isLessThanOrEqualTo(index.bound(entry - 1));
                }
                assertThat(index.find(slot, index.other(entry))).isEqualTo(entry);
                others.add(index.other(entry));
                pairs++;
            }
            for (long other = 0; other < index.items(); other++) {
                if (!others.contains(other)) {
                    assertThat(index.find(slot, other)).isEqualTo(-1);
                }
            }
            assertThat(index.find(slot, 12345)).isEqualTo(-1);
        }
        assertThat((long) pairs).isEqualTo(index.pairs()).isGreaterThan(500);
    }

    @Test
    void theBoundsLetACallReadOnlyTheBestPairs() {
        // A with B in 5 orders, and with each of X000..X199 in one order.
        List<Basket> baskets = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            baskets.add(new Basket(n, List.of("A", "B"), 0.0, Source.ORDER, null, null));
        }
        for (int n = 0; n < 200; n++) {
            baskets.add(new Basket(5 + n, List.of("A", String.format("X%03d", n)), 0.0, Source.ORDER, null, null));
        }
        MemoryBaskets shop = new MemoryBaskets(baskets, DECAY);
        PairIndex index = index(shop, ScoringConfig.DEFAULTS);
        long[] cart = shop.handles("A");
        BundleScorer bounded = new BundleScorer(index.items(shop), index, shop.stats(), ScoringConfig.DEFAULTS);
        List<ScoredItem> top = bounded.recommend(cart, 2, Selection.ALL);
        assertThat(top).extracting(ScoredItem::itemId).containsExactly("B", "X000");
        assertThat(top).isEqualTo(traversal(shop, ScoringConfig.DEFAULTS, cart, 2, Selection.ALL));
        // B, then the X: all tie (X000 comes first by id), so each is met before X000 is ranked.
        assertThat(bounded.met()).isEqualTo(201);
        BundleScorer best = new BundleScorer(index.items(shop), index, shop.stats(), ScoringConfig.DEFAULTS);
        assertThat(best.recommend(cart, 1, Selection.ALL)).isEqualTo(top.subList(0, 1));
        // B's exact score beats the bound of every X: only B is met.
        assertThat(best.met()).as("items met for the best one").isEqualTo(1);
        BundleScorer all = new BundleScorer(index.items(shop), (PairSums) index, shop.stats(), ScoringConfig.DEFAULTS);
        assertThat(all.recommend(cart, 1, Selection.ALL)).isEqualTo(top.subList(0, 1));
        assertThat(all.met()).as("items met reading every pair").isEqualTo(201);
    }

    @Test
    void aCallOfManyCartItemsAndALargeKReadsEveryPair() {
        // Cart items C0..C9, each with Y in 20 orders and with W000..W299, W<n> in n % 3 + 1
        // orders: 100 W in 3 orders with each cart item, 100 in 2, 100 in 1.
        List<Basket> baskets = new ArrayList<>();
        List<String> cartIds = new ArrayList<>();
        int id = 0;
        for (int c = 0; c < 10; c++) {
            String item = "C" + c;
            cartIds.add(item);
            for (int n = 0; n < 20; n++) {
                baskets.add(new Basket(id++, List.of(item, "Y"), 0.0, Source.ORDER, null, null));
            }
            for (int n = 0; n < 300; n++) {
                for (int copy = 0; copy <= n % 3; copy++) {
                    baskets.add(new Basket(id++, List.of(item, String.format("W%03d", n)), 0.0, Source.ORDER,
                            null, null));
                }
            }
        }
        MemoryBaskets shop = new MemoryBaskets(baskets, DECAY);
        PairIndex index = index(shop, ScoringConfig.DEFAULTS);
        long[] cart = shop.handles(cartIds.toArray(String[]::new));
        // k = 1: Y's exact score beats every bound left once it is met.
        BundleScorer one = new BundleScorer(index.items(shop), index, shop.stats(), ScoringConfig.DEFAULTS);
        assertThat(one.recommend(cart, 1, Selection.ALL)).extracting(ScoredItem::itemId).containsExactly("Y");
        assertThat(one.met()).as("items met by bounds for k = 1").isEqualTo(1);
        // k = 44 (44 * 9 look-ups per candidate, below the limit): by bounds, Y and the 100 W
        // in 3 orders are met (they tie, and beat every bound of the others), few of the rest.
        BundleScorer bounded = new BundleScorer(index.items(shop), index, shop.stats(), ScoringConfig.DEFAULTS);
        assertThat(bounded.recommend(cart, 44, Selection.ALL))
                .isEqualTo(traversal(shop, ScoringConfig.DEFAULTS, cart, 44, Selection.ALL));
        assertThat(bounded.met()).as("items met by bounds for k = 44").isBetween(101, 111);
        // k = 50 (50 * 9): every pair is read, so Y and all 300 W are met; the same answer.
        BundleScorer many = new BundleScorer(index.items(shop), index, shop.stats(), ScoringConfig.DEFAULTS);
        List<ScoredItem> top = many.recommend(cart, 50, Selection.ALL);
        assertThat(many.met()).as("items met reading every pair").isEqualTo(301);
        assertThat(top).hasSize(50).isEqualTo(traversal(shop, ScoringConfig.DEFAULTS, cart, 50, Selection.ALL));
        assertThat(top.subList(0, 2)).extracting(ScoredItem::itemId).containsExactly("Y", "W002");
        // The rule: k * (cart items - 1) of 450 or more reads every pair; one cart item never does.
        assertThat(BundleScorer.readsEveryPair(3, 224)).isFalse();
        assertThat(BundleScorer.readsEveryPair(3, 225)).isTrue();
        assertThat(BundleScorer.readsEveryPair(1, BundleScorer.MAX_K)).isFalse();
    }

    @Test
    void filtersAndTheBrandLimitApplyAlikeOverTheIndex() {
        MemoryBaskets shop = new MemoryBaskets(randomBaskets(5), DECAY);
        PairIndex index = index(shop, ScoringConfig.DEFAULTS);
        Selection odd = new Selection(item -> item % 3 != 0, 2, item -> new long[] {item % 4});
        SplittableRandom random = new SplittableRandom(9);
        for (int n = 0; n < 30; n++) {
            long[] cart = random.longs(1 + random.nextInt(3), 0, shop.stats().items()).toArray();
            List<ScoredItem> expected = traversal(shop, ScoringConfig.DEFAULTS, cart, 10, odd);
            assertThat(expected).allSatisfy(item -> assertThat(item.item() % 3).isNotZero());
            assertThat(indexed(shop, index, ScoringConfig.DEFAULTS, cart, 10, odd)).isEqualTo(expected);
        }
    }

    @Test
    void servesOnlyTheKnobsOfItsSums() {
        MemoryBaskets shop = new MemoryBaskets(randomBaskets(2), DECAY);
        PairIndex index = index(shop, ScoringConfig.DEFAULTS);
        assertThat(index.serves(ScoringConfig.DEFAULTS)).isTrue();
        assertThat(index.serves(new ScoringConfig(1.0, 2.0, 0.0, 0.5, ScoringConfig.NO_LIMIT, 2.0))).isTrue();
        assertThat(index.serves(new ScoringConfig(0.5, 0.6, 10.0, 1.0, ScoringConfig.NO_LIMIT, 2.0))).isFalse();
        assertThat(index.serves(new ScoringConfig(0.5, 0.6, 10.0, 0.5, 100, 2.0))).isFalse();
        assertThat(index.serves(new ScoringConfig(0.5, 0.6, 10.0, 0.5, ScoringConfig.NO_LIMIT, 0.0))).isFalse();
        assertThat(index.serves(new ScoringConfig(0.5, 0.6, 10.0, 0.5, ScoringConfig.NO_LIMIT, 1.0))).isFalse();
        assertThat(index.items()).isEqualTo(40);
        assertThat(index.holds(0)).isTrue();
        assertThat(index.holds(40)).isFalse();
        assertThatThrownBy(() -> index.forEachPair(40, (other, support, evidence) -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("The pair index does not hold item 40.");
    }

    @Test
    void pairsKeepTheEvidenceOfEachSourceAndTheMasses() {
        // A and B: an order (weight 1), a cart (0.5) and a view (0.1) of the same user u; A and C
        // a view only. No decay, cap 1: m_u(A,B) = 1.6 is capped, f = 1/1.6. A and B are on
        // neighbouring lines of the order: its evidence weighs 1 + 2, its support 1.
        List<Basket> baskets = List.of(
                new Basket(0, letters("AB"), null, Source.ORDER, "u", null),
                new Basket(1, letters("AB"), null, Source.CART, "u", null),
                new Basket(2, letters("ABC"), null, Source.VIEW, "u", null),
                new Basket(3, letters("AC"), null, Source.VIEW, null, null));
        MemoryBaskets shop = new MemoryBaskets(baskets, new MassConfig(1.0, 0.5, 0.1, MassConfig.NO_DECAY, 1.0));
        PairIndex index = index(shop, ScoringConfig.DEFAULTS);
        Map<String, double[]> pairs = new LinkedHashMap<>();
        index.forEachPair(shop.handle("A"), (other, support, evidence) ->
                pairs.put(shop.itemId(other), new double[] {support, evidence[0], evidence[1], evidence[2]}));
        double f = 1.0 / 1.6;
        double h3 = Math.pow(2.0, -0.5);
        assertThat(pairs).containsOnlyKeys("B", "C");
        assertThat(pairs.get("B")).containsExactly(1.0, f * 3.0, f * 0.5, f * (0.1 * h3));
        // C: u's view (0.1, size 3) and the anonymous view (0.1, size 2), neither capped.
        assertThat(pairs.get("C")).containsExactly(0.2, 0.0, 0.0, 0.1 * h3 + 0.1);
        assertThat(index.mass(shop.handle("A"))).isEqualTo(shop.mass(shop.handle("A")));
        assertThat(index.mass(99)).isNaN();
        assertThat(index.pairs()).isEqualTo(6); // A-B, A-C, B-A, B-C, C-A, C-B
    }

    @Test
    void aBuildOverItsBudgetFails() {
        MemoryBaskets shop = new MemoryBaskets(randomBaskets(3), DECAY);
        long[] items = LongStream.range(0, shop.stats().items()).toArray();
        assertThatThrownBy(() -> PairIndex.build(items, shop, shop.stats(), ScoringConfig.DEFAULTS, 1024))
                .isInstanceOf(PairIndex.TooLargeException.class)
                .hasMessageStartingWith("The bundle pair index would take more than 0.0 MiB (");
        PairIndex index = PairIndex.build(items, shop, shop.stats(), ScoringConfig.DEFAULTS, 1L << 30);
        assertThat(index.estimatedBytes()).isBetween(index.pairs() * 21, index.pairs() * 40 + 100_000);
    }
}
