package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.Arguments;
import io.shopgraph.plugin.common.LongIntMap;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Frequently bought together: the co-purchase score of {@code CoPurchaseScorer} in
 * {@code evaluation/bundles.py} (the reference; its module docstring defines every number), from the
 * pair sums of the cart items: {@code n(i,j)} and {@code e(i,j)} by source ({@link PairSums}),
 * by a traversal of the baskets ({@link BasketPairs}) or precomputed ({@link PairIndex}; both
 * give the same items and numbers, bit for bit).
 *
 * <p>{@code contribution(i,j) = e(i,j) / n(i)^alpha / (n(j) + smoothing)^beta} (0 when
 * {@code n(i) = 0}) and {@code score(j)} is its sum over the cart. Items without a mass
 * ({@link ItemSource#mass} {@code NaN}) are never ranked.
 *
 * <p>Without bounds from an index, every pair of the cart items is summed, and a candidate's
 * mass is read only when it may still reach the top: all of its contributions share the
 * denominator {@code (n(j) + smoothing)^beta}, and {@code n(j) >= n(i,j)} for every cart item
 * (a pair's capped support never exceeds the item's capped mass), so {@code numerator(j) /
 * (max_i n(i,j) + smoothing)^beta} bounds its score without the mass; candidates are scored
 * exactly in the order of that bound until the best exact score beats every bound left (a
 * threshold algorithm). The mass used is {@code max(n(j), max_i n(i,j))}: the same number on
 * consistent statistics, and a lower bound of the true mass when baskets were added after the
 * last refresh, so the bound always holds. Over an index whose runs are ordered by bounds for
 * the call's {@code beta} and {@code smoothing}, {@link #rankByBound} reads only the best pairs
 * instead, unless the call is one where reading by bounds costs more ({@link #readsEveryPair}).
 * Not thread-safe: one scorer per call.
 */
public final class BundleScorer {

    /** Most distinct items of a cart. */
    public static final int MAX_CART = Arguments.MAX_ITEMS;
    /** Largest {@code k}. */
    public static final int MAX_K = Arguments.MAX_K;

    private static final Source[] SOURCES = Source.values();
    private static final int S = SOURCES.length;

    private final ItemSource source;
    private final PairSums pairs;
    private final PairRuns index; // null unless scoring over an index
    private final BundleStats stats;
    private final ScoringConfig scoring;

    // Candidates (items reached from the cart), by dense slot.
    private final LongIntMap slots = new LongIntMap(INITIAL);
    private long[] items = new long[INITIAL];
    private double[] masses = new double[INITIAL]; // n(j), read lazily; UNREAD until then
    private double[] supports = new double[INITIAL]; // sum_i n(i,j)
    private double[] lowerMasses = new double[INITIAL]; // max_i n(i,j) <= n(j)
    private double[] numerators = new double[INITIAL * S]; // sum_i e(i,j) / n(i)^alpha, by source
    private double[] scores = new double[INITIAL]; // numerator / (n(j) + smoothing)^beta, once read
    private int[] firstContribution = new int[INITIAL];
    private String[] ids = new String[INITIAL]; // business ids, read on first use
    private int candidates;

    // Numerators e(i,j) / n(i)^alpha per candidate and cart position, as linked lists.
    private int[] contributionCart = new int[INITIAL];
    private double[] contributionValue = new double[INITIAL];
    private int[] contributionNext = new int[INITIAL];
    private int contributions;

    private boolean used;

    private static final double UNREAD = -1.0;
    /** Initial room for candidates and contributions (arrays grow by doubling). */
    private static final int INITIAL = 128;

    /**
     * A scorer that traverses the baskets of {@code source} ({@link BasketPairs}).
     *
     * @param source the baskets and masses
     * @param stats {@code now}, {@code N} and the mass-relevant knobs of the last refresh
     * @param scoring the score's knobs
     */
    public BundleScorer(BasketSource source, BundleStats stats, ScoringConfig scoring) {
        this(source, new BasketPairs(source, stats, scoring), stats, scoring);
    }

    /**
     * A scorer over given pair sums.
     *
     * @param source the masses and ids
     * @param pairs the pair sums, computed with {@code stats} and with the {@code sizeExponent},
     *     {@code maxBasketSize} and {@code adjacencyBonus} of {@code scoring}
     * @param stats {@code N} of the last refresh
     * @param scoring the score's knobs
     */
    BundleScorer(ItemSource source, PairSums pairs, BundleStats stats, ScoringConfig scoring) {
        this(source, pairs, null, stats, scoring);
    }

    /**
     * A scorer over a pair index: by its bounds ({@link #rankByBound}) when it has them for
     * these knobs, else by reading every pair of the cart items.
     *
     * @param source the masses (the index's) and ids
     * @param index the pair sums, which must {@link PairRuns#serves serve} {@code scoring} and
     *     hold every cart item
     * @param stats {@code N} of the last refresh
     * @param scoring the score's knobs
     */
    BundleScorer(ItemSource source, PairRuns index, BundleStats stats, ScoringConfig scoring) {
        this(source, index, index, stats, scoring);
    }

    private BundleScorer(ItemSource source, PairSums pairs, PairRuns index, BundleStats stats,
                         ScoringConfig scoring) {
        this.source = source;
        this.pairs = pairs;
        this.index = index;
        this.stats = stats;
        this.scoring = scoring;
    }

    /**
     * The top-{@code k} bundle items for a cart: items with {@code score > 0}, not in the cart,
     * by score descending, ties by item id ascending, that pass {@code selection}.
     *
     * @param cart 1 to {@link #MAX_CART} item handles (repeats count once)
     * @param k how many items, 1 to {@link #MAX_K}
     * @param selection filters and brand limit, applied in rank order
     * @return up to {@code k} items, best first
     * @throws ShopgraphException if the cart or {@code k} is out of range
     * @throws IllegalStateException if the scorer was used before
     */
    public List<ScoredItem> recommend(long[] cart, int k, Selection selection) {
        long[] distinct = Arrays.stream(cart).distinct().toArray();
        if (distinct.length < 1 || distinct.length > MAX_CART) {
            throw ShopgraphException.badArgument(
                    "A cart must have 1 to " + MAX_CART + " items, got " + distinct.length + ".");
        }
        Arguments.k(k);
        if (used) {
            throw new IllegalStateException("A BundleScorer answers one call; create another.");
        }
        used = true;
        if (index != null && index.bounds(scoring) && !readsEveryPair(distinct.length, k)) {
            return rankByBound(distinct, k, selection);
        }
        return foldAll(distinct, k, selection);
    }

    /**
     * Below this {@code k * (cart items - 1)}, a call over an index with bounds reads by them.
     * Reading by bounds looks each candidate it meets up in every other cart item's run, and it
     * meets more candidates the larger {@code k}; reading every pair costs the same whatever
     * {@code k}. {@code benchmarks/RESULTS.md} has the measurements behind the number
     * ({@code BundleProfile compare} on real graphs).
     */
    static final int MAX_BOUNDED_LOOKUPS = 450;

    /**
     * Whether a call over an index with bounds reads every pair of its cart items instead
     * ({@link #MAX_BOUNDED_LOOKUPS}); a one-item cart always reads by bounds.
     */
    static boolean readsEveryPair(int cartItems, int k) {
        return (long) k * (cartItems - 1) >= MAX_BOUNDED_LOOKUPS;
    }

    /** How many items the call met as candidates (cart items reached from others included). */
    int met() {
        return candidates;
    }

    /** Adds the pair sums of one cart item {@code i} to every candidate {@code j} it reaches. */
    private void addCartItem(int position, long item, double mass) {
        double alphaTerm = Math.pow(mass, scoring.alpha());
        pairs.forEachPair(item, (other, support, evidence) ->
                addPair(candidate(other), position, mass, alphaTerm, support, evidence));
    }

    /** Adds the pair (cart item at {@code position}, candidate {@code c}) to the candidate's sums. */
    private void addPair(int c, int position, double mass, double alphaTerm, double support, double[] evidence) {
        supports[c] += support;
        lowerMasses[c] = Math.max(lowerMasses[c], support);
        if (mass > 0.0) {
            double numerator = 0.0;
            for (int s = 0; s < S; s++) {
                double part = evidence[s] / alphaTerm;
                numerators[c * S + s] += part;
                numerator += part;
            }
            if (numerator > 0.0) {
                addContribution(c, position, numerator);
            }
        }
    }

    /** {@code (n(j) + smoothing)^beta}, reading the mass on first use (NaN: no mass). */
    private double denominator(int c) {
        return Math.pow(mass(c) + scoring.smoothing(), scoring.beta());
    }

    /** {@code max(n(j), max_i n(i,j))}, read on first use; NaN when the item has no mass. */
    private double mass(int c) {
        if (masses[c] == UNREAD) {
            double stored = source.mass(items[c]);
            masses[c] = Double.isNaN(stored) ? stored : Math.max(stored, lowerMasses[c]);
        }
        return masses[c];
    }

    private double numerator(int c) {
        double sum = 0.0;
        for (int s = 0; s < S; s++) {
            sum += numerators[c * S + s];
        }
        return sum;
    }

    private int candidate(long item) {
        int c = slots.getOrPut(item, candidates);
        if (c >= 0) {
            return c;
        }
        c = candidates++;
        if (c == items.length) {
            int size = items.length * 2;
            items = Arrays.copyOf(items, size);
            masses = Arrays.copyOf(masses, size);
            supports = Arrays.copyOf(supports, size);
            lowerMasses = Arrays.copyOf(lowerMasses, size);
            numerators = Arrays.copyOf(numerators, size * S);
            scores = Arrays.copyOf(scores, size);
            firstContribution = Arrays.copyOf(firstContribution, size);
            ids = Arrays.copyOf(ids, size);
        }
        items[c] = item;
        masses[c] = UNREAD;
        firstContribution[c] = -1;
        return c;
    }

    private void addContribution(int c, int position, double value) {
        int n = contributions++;
        if (n == contributionCart.length) {
            int size = contributionCart.length * 2;
            contributionCart = Arrays.copyOf(contributionCart, size);
            contributionValue = Arrays.copyOf(contributionValue, size);
            contributionNext = Arrays.copyOf(contributionNext, size);
        }
        contributionCart[n] = position;
        contributionValue[n] = value;
        contributionNext[n] = firstContribution[c];
        firstContribution[c] = n;
    }

    // --- ranking --------------------------------------------------------------------------

    private List<ScoredItem> rank(long[] cart, double cartMass, int k, Selection selection) {
        boolean[] inCart = new boolean[candidates];
        for (long item : cart) {
            int c = slots.get(item);
            if (c >= 0) {
                inCart[c] = true;
            }
        }
        // Candidates by bound; scored exactly, and ranked, only while they may reach the top.
        double[] bounds = new double[candidates];
        IntHeap byBound = new IntHeap(candidates, (a, b) -> bounds[a] > bounds[b]);
        for (int c = 0; c < candidates; c++) {
            double numerator = numerator(c);
            if (numerator > 0.0 && !inCart[c]) {
                bounds[c] = numerator / Math.pow(lowerMasses[c] + scoring.smoothing(), scoring.beta());
                byBound.add(c);
            }
        }
        byBound.heapify();
        IntHeap ranked = ranked(candidates);
        Emitter emitter = new Emitter(cart, cartMass, selection, k);
        while (!emitter.done()) {
            while (!byBound.isEmpty()
                    && (ranked.isEmpty() || bounds[byBound.peek()] >= scores[ranked.peek()])) {
                int c = byBound.pop();
                double denominator = denominator(c);
                if (Double.isNaN(denominator)) {
                    continue;
                }
                scores[c] = numerator(c) / denominator; // at most bounds[c]: mass(c) >= lowerMasses[c]
                ranked.push(c);
            }
            if (ranked.isEmpty()) {
                break;
            }
            emitter.offer(ranked.pop());
        }
        return emitter.finish();
    }

    /**
     * The same ranking from a pair index whose bounds fit the knobs: the threshold algorithm
     * of Fagin, Lotem and Naor ("Optimal aggregation algorithms for middleware", 2003). The
     * runs of the cart items with a mass are read best bound first ({@code bound /
     * n(i)^alpha} bounds each contribution of the rest of a run); a candidate met for the first
     * time is scored exactly at once, its pairs with every cart item looked up in cart order,
     * so that its sums are the fold's, bit for bit; the best scored candidate is ranked once its
     * score beats the sum of the runs' next bounds (with a margin of 1e-9 for rounding), which
     * no candidate not yet met can exceed; ties wait until the bound falls below them. The
     * index's {@link PairRuns#decreased decreased} items, whose pairs may exceed their bounds,
     * are met and scored before the runs are read.
     */
    private List<ScoredItem> rankByBound(long[] cart, int k, Selection selection) {
        int positions = cart.length;
        PairRuns.Run[] runs = new PairRuns.Run[positions];
        double[] cartMasses = new double[positions];
        double[] alphaTerms = new double[positions];
        int[] next = new int[positions];
        int[] ends = new int[positions];
        double[] frontier = new double[positions];
        double cartMass = 0.0;
        for (int p = 0; p < positions; p++) {
            runs[p] = index.run(cart[p]);
            cartMasses[p] = source.mass(cart[p]);
            alphaTerms[p] = Math.pow(cartMasses[p], scoring.alpha());
            if (cartMasses[p] > 0.0) {
                cartMass += cartMasses[p];
                if (!(alphaTerms[p] > 0.0 && alphaTerms[p] < Double.POSITIVE_INFINITY)) {
                    return foldAll(cart, k, selection); // no usable bound: read every pair
                }
                ends[p] = runs[p].size();
            }
            frontier[p] = next[p] < ends[p] ? runs[p].bound(next[p]) / alphaTerms[p] : 0.0;
        }
        IntHeap ranked = ranked(INITIAL);
        double[] parts = new double[S];
        for (long other : index.decreased()) {
            meet(other, -1, -1, cart, runs, cartMasses, alphaTerms, parts, ranked);
        }
        Emitter emitter = new Emitter(cart, cartMass, selection, k);
        while (!emitter.done()) {
            double threshold = sum(frontier) * (1.0 + 1e-9);
            while (threshold > 0.0 && (ranked.isEmpty() || scores[ranked.peek()] <= threshold)) {
                int p = largest(frontier);
                int n = next[p]++;
                frontier[p] = next[p] < ends[p] ? runs[p].bound(next[p]) / alphaTerms[p] : 0.0;
                threshold = sum(frontier) * (1.0 + 1e-9);
                meet(runs[p].other(n), p, n, cart, runs, cartMasses, alphaTerms, parts, ranked);
            }
            if (ranked.isEmpty()) {
                break;
            }
            emitter.offer(ranked.pop());
        }
        return emitter.finish();
    }

    /**
     * Meets {@code other} for the first time (else does nothing): sums its pairs with every cart
     * item in cart order ({@code n} of run {@code p} is known already, -1 for none), and scores
     * and ranks it when it may be returned.
     */
    private void meet(long other, int p, int n, long[] cart, PairRuns.Run[] runs, double[] cartMasses,
                      double[] alphaTerms, double[] parts, IntHeap ranked) {
        if (slots.get(other) >= 0) {
            return; // met before, through another cart item
        }
        int c = candidate(other);
        for (int q = 0; q < cart.length; q++) {
            int pair = q == p ? n : runs[q].find(other);
            if (pair >= 0) {
                runs[q].evidence(pair, parts);
                addPair(c, q, cartMasses[q], alphaTerms[q], runs[q].support(pair), parts);
            }
        }
        if (numerator(c) > 0.0 && !contains(cart, other)) {
            double denominator = denominator(c);
            if (!Double.isNaN(denominator)) {
                scores[c] = numerator(c) / denominator;
                ranked.push(c);
            }
        }
    }

    /** The ranking by reading every pair of the cart items (as without an index). */
    private List<ScoredItem> foldAll(long[] cart, int k, Selection selection) {
        double cartMass = 0.0;
        for (int position = 0; position < cart.length; position++) {
            double mass = source.mass(cart[position]);
            if (mass > 0.0) {
                cartMass += mass;
            }
            addCartItem(position, cart[position], mass);
        }
        return rank(cart, cartMass, k, selection);
    }

    private static double sum(double[] values) {
        double sum = 0.0;
        for (double value : values) {
            sum += value;
        }
        return sum;
    }

    private static int largest(double[] values) {
        int best = 0;
        for (int n = 1; n < values.length; n++) {
            if (values[n] > values[best]) {
                best = n;
            }
        }
        return best;
    }

    private static boolean contains(long[] cart, long item) {
        for (long member : cart) {
            if (member == item) {
                return true;
            }
        }
        return false;
    }

    /** Candidates by score descending, ties by item id ascending. */
    private IntHeap ranked(int capacity) {
        return new IntHeap(capacity, (a, b) -> {
            int byScore = Double.compare(scores[b], scores[a]);
            return byScore != 0 ? byScore < 0 : id(a).compareTo(id(b)) < 0;
        });
    }

    /**
     * Takes ranked candidates in order and keeps those that pass the selection, up to k; the
     * demoted ones wait, and fill the places left once every candidate was offered.
     */
    private final class Emitter {
        private final List<ScoredItem> out;
        private final long[] cart;
        private final double cartMass;
        private final Selection selection;
        private final int k;
        private final String[] cartIds;
        private final LongIntMap brandCounts = new LongIntMap(16);
        private final List<Integer> demoted = new ArrayList<>();

        Emitter(long[] cart, double cartMass, Selection selection, int k) {
            this.cart = cart;
            this.cartMass = cartMass;
            this.selection = selection;
            this.k = k;
            this.cartIds = new String[cart.length];
            this.out = new ArrayList<>(Math.min(k, 64));
        }

        boolean done() {
            return out.size() >= k;
        }

        void offer(int c) {
            long item = items[c];
            if (!selection.admissible().test(item)) {
                return;
            }
            if (selection.demoted().test(item)) {
                demoted.add(c);
                return;
            }
            emit(c);
        }

        private void emit(int c) {
            if (!selection.takeRoom(items[c], brandCounts)) {
                return;
            }
            double confidence = cartMass > 0.0 ? supports[c] / cartMass : 0.0;
            double lift = masses[c] > 0.0 ? confidence * stats.basketMass() / masses[c] : 0.0;
            out.add(new ScoredItem(items[c], id(c), scores[c], supports[c], confidence, lift, reason(c),
                    because(c, cart, cartIds)));
        }

        /** The items: those emitted, then the demoted ones while places are left. */
        List<ScoredItem> finish() {
            for (int c : demoted) {
                if (done()) {
                    break;
                }
                emit(c);
            }
            return out;
        }
    }

    private String id(int c) {
        if (ids[c] == null) {
            ids[c] = source.itemId(items[c]);
        }
        return ids[c];
    }

    /** The source with the largest share of the score; ties: orders, carts, views. */
    private Source reason(int c) {
        double denominator = denominator(c);
        int best = 0;
        for (int s = 1; s < S; s++) {
            if (numerators[c * S + s] / denominator > numerators[c * S + best] / denominator) {
                best = s;
            }
        }
        return SOURCES[best];
    }

    /** The cart items with a positive contribution, by contribution descending, ties by id. */
    private List<String> because(int c, long[] cart, String[] cartIds) {
        double denominator = denominator(c);
        List<Integer> entries = new ArrayList<>();
        for (int n = firstContribution[c]; n >= 0; n = contributionNext[n]) {
            entries.add(n);
            int position = contributionCart[n];
            if (cartIds[position] == null) {
                cartIds[position] = source.itemId(cart[position]);
            }
        }
        entries.sort((a, b) -> {
            int byValue = Double.compare(contributionValue[b] / denominator, contributionValue[a] / denominator);
            return byValue != 0 ? byValue
                    : cartIds[contributionCart[a]].compareTo(cartIds[contributionCart[b]]);
        });
        List<String> ids = new ArrayList<>(entries.size());
        for (int n : entries) {
            ids.add(cartIds[contributionCart[n]]);
        }
        return List.copyOf(ids);
    }
}
