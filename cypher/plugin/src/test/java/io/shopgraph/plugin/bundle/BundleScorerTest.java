package io.shopgraph.plugin.bundle;

import static io.shopgraph.plugin.bundle.MemoryBaskets.letters;
import static io.shopgraph.plugin.bundle.MemoryBaskets.order;
import static io.shopgraph.plugin.bundle.MemoryBaskets.orders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.shopgraph.plugin.bundle.MemoryBaskets.Basket;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.assertj.core.data.Offset;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * {@link BundleScorer} on the hand-computed fixtures of {@code tests/gnn/test_bundles.py} (same
 * baskets, same numbers, so Java matches the Python reference), plus what only the procedure
 * has: reasons, filters and the brand limit.
 */
class BundleScorerTest {

    /**
     * alpha = beta = smoothing = sizeExponent = 1, no decay, cap 1, no adjacency: SIMPLE of the
     * reference.
     */
    static final MassConfig NO_DECAY = new MassConfig(1.0, 0.5, 0.1, MassConfig.NO_DECAY, 1.0);
    static final ScoringConfig SIMPLE = new ScoringConfig(1.0, 1.0, 1.0, 1.0, ScoringConfig.NO_LIMIT, 0.0);
    /** Every exponent, the smoothing and the adjacency bonus 0: FLAT of the reference. */
    static final ScoringConfig FLAT = new ScoringConfig(0.0, 0.0, 0.0, 0.0, ScoringConfig.NO_LIMIT, 0.0);

    /** M is in 6 of the 7 orders. n: A=4, B=3, M=6, C=2, D=1; N=7. h = 1/(|b|-1). */
    static final List<Basket> SHOP = orders("ABM", "AB", "AM", "BMC", "MC", "MD", "AM");

    static List<ScoredItem> recommend(MemoryBaskets baskets, ScoringConfig scoring, int k, String... cart) {
        return new BundleScorer(baskets, baskets.stats(), scoring).recommend(baskets.handles(cart), k, Selection.ALL);
    }

    static void expect(ScoredItem got, String item, double score, double support, double confidence,
                       double lift, String... because) {
        Offset<Double> tight = within(1e-12);
        assertThat(got.itemId()).isEqualTo(item);
        assertThat(got.score()).isCloseTo(score, tight);
        assertThat(got.support()).isCloseTo(support, tight);
        assertThat(got.confidence()).isCloseTo(confidence, tight);
        assertThat(got.lift()).isCloseTo(lift, tight);
        assertThat(got.because()).containsExactly(because);
    }

    @Test
    void scoresByHandAndPopularityNormalisationDemotesTheUniversalItem() {
        MemoryBaskets shop = new MemoryBaskets(SHOP, NO_DECAY);
        // e(A,B) = 1/2 (ABM) + 1 (AB) = 1.5, n(A,B) = 2: score 1.5 / (4 * (3 + 1)) = 0.09375.
        // e(A,M) = 1/2 + 1 + 1 = 2.5, n(A,M) = 3: score 2.5 / (4 * (6 + 1)) = 0.0892857.
        List<ScoredItem> got = recommend(shop, SIMPLE, 10, "A");
        assertThat(got).hasSize(2);
        expect(got.get(0), "B", 0.09375, 2.0, 0.5, 0.5 / (3.0 / 7), "A");
        expect(got.get(1), "M", 2.5 / 28, 3.0, 0.75, 0.75 / (6.0 / 7), "A");
        assertThat(got.get(0).reason()).isEqualTo(Source.ORDER);
        ScoringConfig noNorm = new ScoringConfig(1.0, 0.0, 1.0, 1.0, ScoringConfig.NO_LIMIT, 0.0);
        assertThat(recommend(shop, noNorm, 2, "A")).extracting(ScoredItem::itemId).containsExactly("M", "B");
    }

    @Test
    void severalCartItemsAddUpAndCartItemsAreExcluded() {
        MemoryBaskets shop = new MemoryBaskets(SHOP, NO_DECAY);
        // From C (n=2): e(C,B) = 1/2 (BMC), e(C,M) = 1/2 + 1 (MC) = 1.5.
        // B: 1.5/16 + 0.5/(2*4) = 0.15625; M: 2.5/28 + 1.5/(2*7) = 0.1964286.
        List<ScoredItem> got = recommend(shop, SIMPLE, 10, "A", "C");
        assertThat(got).extracting(ScoredItem::itemId).containsExactly("M", "B");
        expect(got.get(0), "M", 2.5 / 28 + 1.5 / 14, 5.0, 5.0 / 6, (5.0 / 6) / (6.0 / 7), "C", "A");
        expect(got.get(1), "B", 0.15625, 3.0, 0.5, 0.5 / (3.0 / 7), "A", "C");
        // Repeated cart ids change nothing; k cuts the list.
        assertThat(recommend(shop, SIMPLE, 10, "A", "C", "A")).isEqualTo(got);
        assertThat(recommend(shop, SIMPLE, 1, "A", "C")).isEqualTo(got.subList(0, 1));
    }

    @Test
    void maxBasketSizeSkipsPairsOfBigBasketsButNotMasses() {
        MemoryBaskets shop = new MemoryBaskets(SHOP, NO_DECAY);
        ScoringConfig small = new ScoringConfig(1.0, 1.0, 1.0, 1.0, 2, 0.0);
        // Only AB, AM, AM count: e(A,B) = 1, e(A,M) = 2; n(A) = 4, n(M) = 6 as before.
        List<ScoredItem> got = recommend(shop, small, 10, "A");
        expect(got.get(0), "M", 2.0 / (4 * 7), 2.0, 2.0 / 4, (2.0 / 4) / (6.0 / 7), "A");
        expect(got.get(1), "B", 1.0 / (4 * 4), 1.0, 1.0 / 4, (1.0 / 4) / (3.0 / 7), "A");
        assertThat(shop.mass(shop.handle("A"))).isEqualTo(4.0);
    }

    @Test
    void tiesGoToTheSmallerId() {
        MemoryBaskets shop = new MemoryBaskets(orders("AYX", "BYX", "AB"), NO_DECAY);
        ScoringConfig defaults = new ScoringConfig(0.5, 0.6, 10.0, 0.5, ScoringConfig.NO_LIMIT, 0.0);
        // From A: e(A,B) = 1 beats e(A,X) = e(A,Y) = 1/sqrt(2); X and Y tie.
        assertThat(recommend(shop, defaults, 10, "A"))
                .extracting(ScoredItem::itemId).containsExactly("B", "X", "Y");
        List<ScoredItem> got = recommend(shop, defaults, 10, "A", "B");
        // X and Y have the same evidence from A and from B; A and B have the same mass.
        assertThat(got).extracting(ScoredItem::itemId).containsExactly("X", "Y");
        assertThat(got.get(0).score()).isEqualTo(got.get(1).score());
        assertThat(got.get(0).because()).containsExactly("A", "B");
    }

    @Test
    void neighbouringLinesWeighTheEvidenceOnly() {
        MemoryBaskets shop = new MemoryBaskets(orders("AB", "AXC", "CYA"), NO_DECAY);
        // Without adjacency: e(A,C) = 2 leads B, X, Y (1 each).
        assertThat(recommend(shop, FLAT, 10, "A")).extracting(ScoredItem::itemId)
                .containsExactly("C", "B", "X", "Y");
        // Bonus 2: A is next to B, X and Y (e = 1 * 3 each) but never next to C (e = 1 + 1).
        ScoringConfig adjacent = new ScoringConfig(0.0, 0.0, 0.0, 0.0, ScoringConfig.NO_LIMIT, 2.0);
        List<ScoredItem> got = recommend(shop, adjacent, 10, "A");
        assertThat(got).extracting(ScoredItem::itemId, ScoredItem::score).containsExactly(
                Tuple.tuple("B", 3.0), Tuple.tuple("X", 3.0), Tuple.tuple("Y", 3.0), Tuple.tuple("C", 2.0));
        // Support, confidence and lift do not change: n(A) = 3, N = 3.
        expect(got.get(0), "B", 3.0, 1.0, 1.0 / 3, 1.0, "A");
        expect(got.get(3), "C", 2.0, 2.0, 2.0 / 3, 1.0, "A");
        // With the other knobs: e(A,X) = 3 / sqrt(2) in AXC.
        ScoringConfig defaults = ScoringConfig.DEFAULTS;
        ScoredItem x = recommend(shop, defaults, 10, "A").stream().filter(s -> s.itemId().equals("X"))
                .findFirst().orElseThrow();
        assertThat(x.score()).isCloseTo(3 / Math.sqrt(2) / Math.sqrt(3) / Math.pow(11, 0.6), within(1e-12));
    }

    @Test
    void theLineOrderComesFromPositionsThenIds() {
        ScoringConfig bonus1 = new ScoringConfig(0.0, 0.0, 0.0, 0.0, ScoringConfig.NO_LIMIT, 1.0);
        // Positions 5, none, 2: the line order is C, A; B has no position and no neighbour.
        MemoryBaskets placed = new MemoryBaskets(List.of(new Basket(0, letters("ABC"), 0.0, Source.ORDER, null,
                null, new Long[] {5L, null, 2L})), NO_DECAY);
        assertThat(recommend(placed, bonus1, 10, "A"))
                .extracting(ScoredItem::itemId, ScoredItem::score, ScoredItem::support)
                .containsExactly(Tuple.tuple("C", 2.0, 1.0), Tuple.tuple("B", 1.0, 1.0));
        // Equal positions go by item id: C (0), then A and B (1): C-A and A-B are adjacent, C-B not.
        MemoryBaskets tied = new MemoryBaskets(List.of(new Basket(0, letters("BAC"), 0.0, Source.ORDER, null,
                null, new Long[] {1L, 1L, 0L})), NO_DECAY);
        assertThat(recommend(tied, bonus1, 10, "C")).extracting(ScoredItem::itemId, ScoredItem::score)
                .containsExactly(Tuple.tuple("A", 2.0), Tuple.tuple("B", 1.0));
        assertThat(recommend(tied, bonus1, 10, "B")).extracting(ScoredItem::itemId, ScoredItem::score)
                .containsExactly(Tuple.tuple("A", 2.0), Tuple.tuple("C", 1.0));
        // A line of weight 0 still takes its place: in A X B (X at weight 0) A and B are not
        // adjacent, and X brings no evidence.
        MemoryBaskets zero = new MemoryBaskets(List.of(new Basket(0, letters("AXB"), 0.0, Source.ORDER, null,
                new double[] {1.0, 0.0, 1.0})), NO_DECAY);
        assertThat(recommend(zero, bonus1, 10, "A")).extracting(ScoredItem::itemId, ScoredItem::score)
                .containsExactly(Tuple.tuple("B", 1.0));
        // Sessions have no line order: a cart of A, B counts w(b) = 0.5, no bonus.
        MemoryBaskets cart = new MemoryBaskets(List.of(new Basket(0, letters("AB"), 0.0, Source.CART, null,
                null)), NO_DECAY);
        assertThat(recommend(cart, bonus1, 10, "A").get(0).score()).isEqualTo(0.5);
    }

    @Test
    void recencyDecay() {
        MassConfig halfLifeOneDay = new MassConfig(1.0, 0.5, 0.1, 1.0, 1.0);
        List<Basket> baskets = List.of(order(0, 0.0, null, "XY"), order(1, 2.0, null, "XZ"));
        MemoryBaskets shop = new MemoryBaskets(baskets, halfLifeOneDay);
        // d = 0.25 and 1 (now = 2): n(X) = 1.25, N = 1.25.
        List<ScoredItem> got = recommend(shop, FLAT, 10, "X");
        expect(got.get(0), "Z", 1.0, 1.0, 0.8, 1.0, "X");
        expect(got.get(1), "Y", 0.25, 0.25, 0.2, 0.2 / (0.25 / 1.25), "X");
        assertThat(shop.mass(shop.handle("X"))).isEqualTo(1.25);
        assertThat(shop.stats().basketMass()).isEqualTo(1.25);
        assertThat(shop.stats().nowMillis()).isEqualTo(2 * 86_400_000L);
    }

    @Test
    void aBasketWithoutTimeDoesNotDecay() {
        MassConfig halfLifeOneDay = new MassConfig(1.0, 0.5, 0.1, 1.0, 1.0);
        List<Basket> baskets = List.of(order(0, null, null, "XY"), order(1, 2.0, null, "XZ"),
                order(2, 0.0, null, "XW"));
        MemoryBaskets shop = new MemoryBaskets(baskets, halfLifeOneDay);
        assertThat(shop.mass(shop.handle("X"))).isEqualTo(2.25);
        assertThat(recommend(shop, FLAT, 10, "X")).extracting(ScoredItem::itemId, ScoredItem::score)
                .containsExactly(Tuple.tuple("Y", 1.0),
                        Tuple.tuple("Z", 1.0),
                        Tuple.tuple("W", 0.25));
    }

    @Test
    void eachUserContributionIsCapped() {
        List<Basket> baskets = List.of(
                order(0, 0.0, "u1", "PQ"),
                order(1, 1.0, "u1", "PQ"),
                order(2, 2.0, "u1", "PQ"),
                order(3, 3.0, "u2", "PR"),
                order(4, 4.0, null, "PR"));
        // cap 1: u1 adds 1 to n(P,Q); u2 and the anonymous order add 1 each to n(P,R).
        MemoryBaskets capped = new MemoryBaskets(baskets, NO_DECAY);
        assertThat(recommend(capped, FLAT, 10, "P")).extracting(ScoredItem::itemId, ScoredItem::support)
                .containsExactly(Tuple.tuple("R", 2.0),
                        Tuple.tuple("Q", 1.0));
        assertThat(capped.mass(capped.handle("P"))).isEqualTo(3.0);
        assertThat(capped.stats().basketMass()).isEqualTo(3.0);
        MemoryBaskets loose = new MemoryBaskets(baskets, new MassConfig(1.0, 0.5, 0.1, MassConfig.NO_DECAY, 10.0));
        assertThat(recommend(loose, FLAT, 10, "P")).extracting(ScoredItem::itemId, ScoredItem::support)
                .containsExactly(Tuple.tuple("Q", 3.0),
                        Tuple.tuple("R", 2.0));
    }

    @Test
    void theCapScalesScoreAndSupportAlike() {
        // u1 bought P with Q twice, in a 2-item and a 3-item basket: m_u = 2, f = 1/2.
        List<Basket> baskets = List.of(order(0, 0.0, "u1", "PQ"), order(1, 1.0, "u1", "PQS"));
        MemoryBaskets shop = new MemoryBaskets(baskets, NO_DECAY);
        ScoringConfig sized = new ScoringConfig(0.0, 0.0, 0.0, 1.0, ScoringConfig.NO_LIMIT, 0.0);
        List<ScoredItem> got = recommend(shop, sized, 10, "P");
        // Q: e = (1 * 1 + 1 * 1/2) / 2 = 0.75, support 1; S: e = 1/2 (u1's m for S is 1).
        expect(got.get(0), "Q", 0.75, 1.0, 1.0, 1.0, "P");
        expect(got.get(1), "S", 0.5, 1.0, 1.0, 1.0, "P");
    }

    @Test
    void relationshipAndSourceWeightsAndTheStrongestSourceIsTheReason() {
        List<Basket> baskets = List.of(
                new Basket(0, letters("AB"), 0.0, Source.ORDER, null, new double[] {1.0, 0.5}),
                new Basket(0, letters("AC"), 0.0, Source.CART, null, null),
                new Basket(0, letters("AD"), 0.0, Source.VIEW, null, null),
                new Basket(1, letters("AD"), 0.0, Source.VIEW, null, null));
        MemoryBaskets shop = new MemoryBaskets(baskets, NO_DECAY);
        // B: 1 * 0.5; C: cart 0.5; D: two views of 0.1. n(A) = 1 + 0.5 + 0.2 = 1.7.
        List<ScoredItem> got = recommend(shop, FLAT, 10, "A");
        assertThat(got).extracting(ScoredItem::itemId).containsExactly("B", "C", "D");
        assertThat(got.get(0).score()).isEqualTo(0.5);
        assertThat(got.get(1).score()).isEqualTo(0.5);
        assertThat(got.get(2).score()).isCloseTo(0.2, within(1e-15));
        assertThat(got.get(0).confidence()).isCloseTo(0.5 / 1.7, within(1e-15));
        assertThat(got).extracting(ScoredItem::reason).containsExactly(Source.ORDER, Source.CART, Source.VIEW);
        MemoryBaskets noViews = new MemoryBaskets(baskets, new MassConfig(1.0, 0.5, 0.0, MassConfig.NO_DECAY, 1.0));
        assertThat(recommend(noViews, FLAT, 10, "A")).extracting(ScoredItem::itemId).containsExactly("B", "C");
    }

    @Test
    void filtersAndTheBrandLimitApplyInRankOrder() {
        // From A, by score: B, C, D, E, F (A is in a basket with each, fewer times down the list).
        List<Basket> baskets = List.of(order(0, 0.0, null, "AB"), order(1, 0.0, null, "AB"),
                order(2, 0.0, null, "AB"), order(3, 0.0, null, "AB"), order(4, 0.0, null, "AC"),
                order(5, 0.0, null, "AC"), order(6, 0.0, null, "AC"), order(7, 0.0, null, "AD"),
                order(8, 0.0, null, "AD"), order(9, 0.0, null, "AE"), order(10, 0.0, null, "AEF"));
        MemoryBaskets shop = new MemoryBaskets(baskets, NO_DECAY);
        long b = shop.handle("B");
        long c = shop.handle("C");
        long d = shop.handle("D");
        long e = shop.handle("E");
        // Brands: B, C, E of brand 1; D of brands 1 and 2; F of brand 2.
        Selection twoPerBrand = new Selection(item -> true, 2, item -> item == b || item == c || item == e
                ? new long[] {1} : item == d ? new long[] {1, 2} : new long[] {2});
        BundleScorer scorer = new BundleScorer(shop, shop.stats(), FLAT);
        assertThat(scorer.recommend(shop.handles("A"), 10, twoPerBrand))
                .extracting(ScoredItem::itemId).containsExactly("B", "C", "F");
        // B filtered out: it does not use up brand 1.
        Selection noB = new Selection(item -> item != b, 2, twoPerBrand.brands());
        assertThat(new BundleScorer(shop, shop.stats(), FLAT).recommend(shop.handles("A"), 2, noB))
                .extracting(ScoredItem::itemId).containsExactly("C", "D");
    }

    @Test
    void itemsWithoutMassAreNotRanked() {
        MemoryBaskets shop = new MemoryBaskets(SHOP, NO_DECAY);
        long m = shop.handle("M");
        BasketSource stale = new BasketSource() {
            @Override
            public void forEachBasket(long item, Source source, BasketVisitor visitor) {
                shop.forEachBasket(item, source, visitor);
            }

            @Override
            public double mass(long item) {
                return item == m ? Double.NaN : shop.mass(item);
            }

            @Override
            public String itemId(long item) {
                return shop.itemId(item);
            }
        };
        List<ScoredItem> got = new BundleScorer(stale, shop.stats(), SIMPLE)
                .recommend(shop.handles("A"), 10, Selection.ALL);
        assertThat(got).extracting(ScoredItem::itemId).containsExactly("B");
        // M in the cart adds support but no score (C and D, only seen with M, are not ranked);
        // its mass is left out of the confidence: n(A,B) + n(M,B) = 2 + 2 over n(A) = 4.
        got = new BundleScorer(stale, shop.stats(), SIMPLE).recommend(shop.handles("A", "M"), 10, Selection.ALL);
        assertThat(got).extracting(ScoredItem::itemId).containsExactly("B");
        expect(got.get(0), "B", 0.09375, 4.0, 1.0, 7.0 / 3, "A");
    }

    /** A source that counts mass reads and may report a stale (too small) mass for one item. */
    private static final class CountingSource implements BasketSource {
        private final MemoryBaskets baskets;
        private final String staleItem;
        private final double staleMass;
        int massReads;

        CountingSource(MemoryBaskets baskets, String staleItem, double staleMass) {
            this.baskets = baskets;
            this.staleItem = staleItem;
            this.staleMass = staleMass;
        }

        @Override
        public void forEachBasket(long item, Source source, BasketVisitor visitor) {
            baskets.forEachBasket(item, source, visitor);
        }

        @Override
        public double mass(long item) {
            massReads++;
            return baskets.itemId(item).equals(staleItem) ? staleMass : baskets.mass(item);
        }

        @Override
        public String itemId(long item) {
            return baskets.itemId(item);
        }
    }

    @Test
    void massesAreReadOnlyForCandidatesThatMayReachTheTop() {
        // A with B in 5 orders, and with each of X00..X59 in one order.
        List<Basket> baskets = new java.util.ArrayList<>();
        for (int n = 0; n < 5; n++) {
            baskets.add(new Basket(n, List.of("A", "B"), 0.0, Source.ORDER, null, null));
        }
        for (int n = 0; n < 60; n++) {
            baskets.add(new Basket(5 + n, List.of("A", String.format("X%02d", n)), 0.0, Source.ORDER, null, null));
        }
        MemoryBaskets shop = new MemoryBaskets(baskets, NO_DECAY);
        CountingSource counting = new CountingSource(shop, null, 0.0);
        List<ScoredItem> top = new BundleScorer(counting, shop.stats(), ScoringConfig.DEFAULTS)
                .recommend(shop.handles("A"), 3, Selection.ALL);

        assertThat(top).extracting(ScoredItem::itemId).containsExactly("B", "X00", "X01");
        // Masses read: A, B, and every X (their bounds tie with the exact score of X00).
        assertThat(counting.massReads).isEqualTo(1 + 1 + 60);
        List<ScoredItem> all = new BundleScorer(shop, shop.stats(), ScoringConfig.DEFAULTS)
                .recommend(shop.handles("A"), 1000, Selection.ALL);
        assertThat(all).hasSize(61);
        assertThat(all.subList(0, 3)).isEqualTo(top);
        CountingSource one = new CountingSource(shop, null, 0.0);
        new BundleScorer(one, shop.stats(), ScoringConfig.DEFAULTS).recommend(shop.handles("A"), 1, Selection.ALL);
        // B's exact score beats the bound of every X: no X mass is read.
        assertThat(one.massReads).isEqualTo(2);
    }

    @Test
    void aStaleMassBelowAPairSupportIsRaisedToIt() {
        // A with B in 3 orders, with C in 1. Stored n(C) = 0 (stale): C scores with n(C) = n(A,C) = 1.
        MemoryBaskets shop = new MemoryBaskets(orders("AB", "AB", "AB", "AC"), NO_DECAY);
        ScoringConfig beta1 = new ScoringConfig(0.0, 1.0, 1.0, 0.0, ScoringConfig.NO_LIMIT, 0.0);
        CountingSource stale = new CountingSource(shop, "C", 0.0);
        List<ScoredItem> got = new BundleScorer(stale, shop.stats(), beta1).recommend(shop.handles("A"), 10, Selection.ALL);
        // B: 3 / (3 + 1) = 0.75; C: 1 / (max(0, 1) + 1) = 0.5; lift of C: (1/4) / (1/4).
        assertThat(got).extracting(ScoredItem::itemId, ScoredItem::score)
                .containsExactly(Tuple.tuple("B", 0.75), Tuple.tuple("C", 0.5));
        assertThat(got.get(1).lift()).isEqualTo(1.0);
    }

    @Test
    void scoresDoNotDependOnTheOrderOfTheCart() {
        MemoryBaskets shop = new MemoryBaskets(SHOP, NO_DECAY);
        assertThat(recommend(shop, SIMPLE, 10, "C", "A")).isEqualTo(recommend(shop, SIMPLE, 10, "A", "C"));
    }

    @Test
    void rejectsBadInput() {
        MemoryBaskets shop = new MemoryBaskets(SHOP, NO_DECAY);
        assertThatThrownBy(() -> recommend(shop, SIMPLE, 10))
                .isInstanceOf(ShopgraphException.class)
                .hasMessage("[shopgraph.bad_argument] A cart must have 1 to 50 items, got 0.");
        long[] big = IntStream.range(0, 51).mapToLong(n -> n).toArray();
        assertThatThrownBy(() -> new BundleScorer(shop, shop.stats(), SIMPLE).recommend(big, 10, Selection.ALL))
                .hasMessage("[shopgraph.bad_argument] A cart must have 1 to 50 items, got 51.");
        // Repeats count once: 51 times the same item is a cart of one.
        long[] repeated = LongStream.generate(() -> shop.handles("A")[0]).limit(51).toArray();
        assertThat(new BundleScorer(shop, shop.stats(), SIMPLE).recommend(repeated, 10, Selection.ALL))
                .isEqualTo(recommend(shop, SIMPLE, 10, "A"));
        assertThatThrownBy(() -> recommend(shop, SIMPLE, 0, "A"))
                .hasMessage("[shopgraph.bad_argument] k must be between 1 and 1000, got 0.");
        assertThatThrownBy(() -> recommend(shop, SIMPLE, 1001, "A"))
                .hasMessage("[shopgraph.bad_argument] k must be between 1 and 1000, got 1001.");
        BundleScorer used = new BundleScorer(shop, shop.stats(), SIMPLE);
        used.recommend(shop.handles("A"), 10, Selection.ALL);
        assertThatThrownBy(() -> used.recommend(shop.handles("A"), 10, Selection.ALL))
                .isInstanceOf(IllegalStateException.class);
        assertThat(Set.of(Source.values())).hasSize(3);
    }
}
