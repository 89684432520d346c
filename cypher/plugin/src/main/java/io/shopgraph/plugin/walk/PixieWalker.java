package io.shopgraph.plugin.walk;

import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.common.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Pixie random walks with restart over a {@link Walkable} projection: Eksombatchai et al., "Pixie: A
 * System for Recommending 3+ Billion Items to 200+ Million Users in Real-Time", WWW 2018.
 *
 * <p>For each query item {@code q} (weight {@code w_q}):
 * <ol>
 *   <li><b>Degree-aware budget.</b> {@code q} gets {@code N_q = N * s_q / sum_r s_r} of the
 *       total budget {@code N} (config {@code steps}), with {@code s_q = w_q * deg(q) * (C -
 *       ln deg(q))} (Pixie's section 3.2). {@code deg(q)} counts {@code q}'s relationships of
 *       kinds with a positive type weight. Pixie takes {@code C} from the maximum pin degree;
 *       we use {@code C = 1 + ln(maxItemDegree)} over the projection, so {@code C - ln deg}
 *       is at least 1 for every item and the budget grows sublinearly with degree: a hub gets
 *       more steps than a rare item (its neighbourhood is larger) but nowhere near in
 *       proportion to its degree, and rare items, whose few neighbours are found in a few
 *       steps, still weigh in. Rounding gives the remaining steps to the largest fractions.
 *   <li><b>Walks with restart.</b> From {@code q}, each step follows one relationship
 *       ({@link Walkable#step}: probability proportional to relationship weight times type
 *       weight), so item to session, order, brand or category, back to an item, or from a
 *       session on to its user and the user's other sessions. Each landing on an item counts
 *       a visit {@code V_q[p]}, then with probability {@code restart} the walk jumps back to
 *       {@code q}.
 *   <li><b>Early stopping.</b> The walks of {@code q} stop before {@code N_q} steps once
 *       {@code nP} candidate items have {@code nV} visits or more.
 * </ol>
 * Visits combine with Pixie's <b>multi-hit booster</b>, {@code V[p] = (sum_q sqrt(V_q[p]))^2}:
 * an item reached from several query items beats one reached as often from a single one.
 * Query items and the excluded items are walked through but never returned.
 *
 * <p>Reproducible: the walks of {@code q} draw from a {@link SplittableRandom} seeded with the
 * config seed and the item id's {@link String#hashCode}, so the same projection, query and
 * config give the same result, whatever the order of the query items.
 *
 * <p>The walks of different query items are independent, so a caller may run part of them on
 * another thread ({@link #walk(List, Collection, WalkConfig, Function)}); their visits are
 * combined in query order afterwards, so the result is the same bit for bit.
 *
 * <p>Instances are immutable and thread-safe; each {@link #walk} call allocates its own state.
 */
public final class PixieWalker {

    private static final Comparator<Candidate> RANKING = Comparator
            .comparingDouble(Candidate::score).reversed()
            .thenComparing(Candidate::itemId);

    private final Walkable graph;

    public PixieWalker(Walkable graph) {
        this.graph = graph;
    }

    /**
     * What the walks of one query item did.
     *
     * @param itemId the query item
     * @param weight its weight {@code w_q}
     * @param degree its degree used for the budget (0 when it is not in the projection)
     * @param budget its step budget {@code N_q}
     * @param steps the steps it took, at most {@code budget}
     * @param stoppedEarly whether early stopping ended its walks
     */
    public record QueryStats(String itemId, double weight, int degree, int budget, int steps,
                             boolean stoppedEarly) {}

    /**
     * The result of one {@link #walk}: every visited item that is not excluded, as a
     * {@link Candidate} of source {@code WALK} (score: the multi-hit boosted visit count), with
     * its plain visit count and per-query statistics. Candidates are ranked by score
     * (descending), then item id; {@link #top} ranks only as many as it needs.
     */
    public static final class Result {
        private final Candidate[] pool;
        private final long[] visits;
        private final List<QueryStats> queries;
        private Map<String, Long> visitsById;

        Result(Candidate[] pool, long[] visits, List<QueryStats> queries) {
            this.pool = pool;
            this.visits = visits;
            this.queries = queries;
        }

        /** Every candidate, ranked. */
        public List<Candidate> candidates() {
            return best(pool.length);
        }

        /** Per query item, in query order. */
        public List<QueryStats> queries() {
            return queries;
        }

        /** The first {@code k} candidates. */
        public List<Candidate> top(int k) {
            return top(k, id -> true);
        }

        /**
         * The first {@code k} candidates that {@code keep} accepts, tested in rank order (and
         * again, in the rare case that too many fail, after ranking more candidates).
         */
        public List<Candidate> top(int k, Predicate<String> keep) {
            int ranked = Math.min(pool.length, 2 * k + 16);
            while (true) {
                List<Candidate> top = new ArrayList<>(Math.min(k, pool.length));
                for (Candidate candidate : best(ranked)) {
                    if (top.size() == k) {
                        break;
                    }
                    if (keep.test(candidate.itemId())) {
                        top.add(candidate);
                    }
                }
                if (top.size() == k || ranked == pool.length) {
                    return top;
                }
                ranked = (int) Math.min(pool.length, 4L * ranked);
            }
        }

        /**
         * How often the walks landed on a candidate, from all query items together
         * ({@code sum_q V_q}); 0 for an item that is not a candidate.
         */
        public long visits(String itemId) {
            if (visitsById == null) {
                visitsById = new HashMap<>(2 * pool.length);
                for (int i = 0; i < pool.length; i++) {
                    visitsById.put(pool[i].itemId(), visits[i]);
                }
            }
            return visitsById.getOrDefault(itemId, 0L);
        }

        /** Total steps taken over all query items. */
        public long steps() {
            return queries.stream().mapToLong(QueryStats::steps).sum();
        }

        /** At least the {@code m} best candidates (more on ties), ranked. */
        private List<Candidate> best(int m) {
            List<Candidate> best;
            if (m >= pool.length) {
                best = new ArrayList<>(Arrays.asList(pool));
            } else {
                double[] scores = new double[pool.length];
                for (int i = 0; i < pool.length; i++) {
                    scores[i] = pool[i].score();
                }
                Arrays.sort(scores);
                double threshold = scores[pool.length - m];
                best = new ArrayList<>(m + 8);
                for (Candidate candidate : pool) {
                    if (candidate.score() >= threshold) {
                        best.add(candidate);
                    }
                }
            }
            best.sort(RANKING);
            return best;
        }
    }

    /**
     * Walks from the query items and ranks the items visited.
     *
     * @param queries the query items; ids missing from the projection start no walks
     * @param excluded item ids never returned (besides the query items)
     * @param config steps, restart, seed, early stopping and type weights
     * @return the ranked candidates and per-query statistics
     */
    public Result walk(List<QueryItem> queries, Collection<String> excluded, WalkConfig config) {
        return walk(queries, excluded, config, work -> {
            work.run();
            return () -> { };
        });
    }

    /**
     * {@link #walk(List, Collection, WalkConfig)}, with the query items split in two halves of
     * about equal step budgets: {@code fork} starts the walks of one half (on another thread,
     * or at once) while the calling thread walks the other. The result does not depend on
     * {@code fork}.
     *
     * @param fork starts a piece of work and returns what waits for it to finish (rethrowing
     *     its exception)
     */
    public Result walk(List<QueryItem> queries, Collection<String> excluded, WalkConfig config,
                       Function<Runnable, Runnable> fork) {
        double[] typeWeights = config.typeWeightArray();
        int n = queries.size();
        int[] nodes = new int[n];
        int[] degrees = new int[n];
        double[] weights = new double[n];
        BitSet skip = new BitSet(graph.itemCount());
        for (int i = 0; i < n; i++) {
            nodes[i] = graph.itemIndex(queries.get(i).itemId());
            degrees[i] = nodes[i] < 0 ? 0 : graph.degree(nodes[i], typeWeights);
            weights[i] = queries.get(i).weight();
            if (nodes[i] >= 0) {
                skip.set(nodes[i]);
            }
        }
        for (String id : excluded) {
            int item = graph.itemIndex(id);
            if (item >= 0) {
                skip.set(item);
            }
        }
        int[] budgets = budgets(weights, degrees, graph.maxItemDegree(), config.steps());

        // Each query item's visits and outcome (steps << 1 | stoppedEarly), walked in two halves.
        boolean[] forked = halves(budgets);
        long[] outcomes = new long[n];
        IntCounter[] visitsOf = new IntCounter[n];
        Runnable other = fork.apply(() -> walkAll(queries, nodes, budgets, forked, true, typeWeights,
                config, skip, visitsOf, outcomes));
        walkAll(queries, nodes, budgets, forked, false, typeWeights, config, skip, visitsOf, outcomes);
        other.run();

        IntCounter total = new IntCounter(1024);
        // Per visited item: sum_q sqrt(V_q), and sum_{q<r} sqrt(V_q V_r) for the exact square.
        double[] rootSums = new double[1024];
        double[] crossSums = new double[1024];
        List<QueryStats> stats = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = queries.get(i).itemId();
            if (budgets[i] == 0) {
                stats.add(new QueryStats(id, weights[i], degrees[i], 0, 0, false));
                continue;
            }
            IntCounter visits = visitsOf[i];
            int steps = (int) (outcomes[i] >>> 1);
            stats.add(new QueryStats(id, weights[i], degrees[i], budgets[i], steps,
                    (outcomes[i] & 1) == 1));
            for (int p = 0; p < visits.size(); p++) {
                int position = total.add(visits.key(p), visits.count(p));
                if (position == rootSums.length) {
                    rootSums = Arrays.copyOf(rootSums, rootSums.length * 2);
                    crossSums = Arrays.copyOf(crossSums, crossSums.length * 2);
                }
                double root = Math.sqrt(visits.count(p));
                crossSums[position] += root * rootSums[position];
                rootSums[position] += root;
            }
        }
        Candidate[] pool = new Candidate[total.size()];
        long[] visits = new long[total.size()];
        int kept = 0;
        for (int p = 0; p < total.size(); p++) {
            int item = total.key(p);
            if (!skip.get(item)) {
                pool[kept] = new Candidate(graph.itemId(item), Candidate.Source.WALK,
                        total.count(p) + 2 * crossSums[p], Reason.WALK.label());
                visits[kept++] = total.count(p);
            }
        }
        return new Result(Arrays.copyOf(pool, kept), Arrays.copyOf(visits, kept), List.copyOf(stats));
    }

    /**
     * Splits the query items in two halves of about equal budgets, greedily from the largest
     * budget: {@code true} marks the half given to the fork.
     */
    static boolean[] halves(int[] budgets) {
        Integer[] order = new Integer[budgets.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> -budgets[i]).thenComparingInt(i -> i));
        boolean[] forked = new boolean[budgets.length];
        long mine = 0;
        long theirs = 0;
        for (int i : order) {
            if (budgets[i] == 0) {
                continue;
            }
            if (theirs < mine) {
                forked[i] = true;
                theirs += budgets[i];
            } else {
                mine += budgets[i];
            }
        }
        return forked;
    }

    /** Walks the query items of one half, into their positions of {@code visits} and {@code outcomes}. */
    private void walkAll(List<QueryItem> queries, int[] nodes, int[] budgets, boolean[] forked,
                         boolean half, double[] typeWeights, WalkConfig config, BitSet skip,
                         IntCounter[] visits, long[] outcomes) {
        for (int i = 0; i < budgets.length; i++) {
            if (budgets[i] == 0 || forked[i] != half) {
                continue;
            }
            visits[i] = new IntCounter(256);
            SplittableRandom random = new SplittableRandom(seedOf(config.seed(), queries.get(i).itemId()));
            outcomes[i] = walkFrom(nodes[i], budgets[i], typeWeights, config, skip, random, visits[i]);
        }
    }

    /**
     * Pixie's multi-hit booster for one item: {@code (sum_q sqrt(V_q))^2}, computed as
     * {@code sum_q V_q + 2 sum_{q<r} sqrt(V_q V_r)} so that an item reached from one query
     * item scores exactly its visit count.
     *
     * @param visitsPerQuery the item's visit count from each query item
     * @return the boosted score
     */
    public static double multiHitScore(int... visitsPerQuery) {
        long visits = 0;
        double roots = 0;
        double cross = 0;
        for (int v : visitsPerQuery) {
            double root = Math.sqrt(v);
            cross += root * roots;
            roots += root;
            visits += v;
        }
        return visits + 2 * cross;
    }

    /**
     * Splits a step budget among query items: {@code N_q = N * s_q / sum_r s_r} with
     * {@code s_q = w_q * deg(q) * (C - ln deg(q))} and {@code C = 1 + ln(maxDegree)}, rounded
     * down, the remaining steps going one each to the largest fractions (ties to the earlier
     * query item). Items of degree or weight 0 get nothing; the budgets sum to {@code steps}
     * unless every item gets nothing.
     *
     * @param weights {@code w_q} per query item
     * @param degrees {@code deg(q)} per query item, each at most {@code maxDegree}
     * @param maxDegree the largest item degree of the graph
     * @param steps the total budget {@code N}
     * @return {@code N_q} per query item
     */
    public static int[] budgets(double[] weights, int[] degrees, int maxDegree, int steps) {
        int n = weights.length;
        double c = 1 + Math.log(Math.max(1, maxDegree));
        double[] scale = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int degree = degrees[i];
            if (degree > 0 && weights[i] > 0) {
                scale[i] = weights[i] * degree * Math.max(1.0, c - Math.log(degree));
                sum += scale[i];
            }
        }
        int[] budgets = new int[n];
        if (sum <= 0) {
            return budgets;
        }
        double[] fraction = new double[n];
        long assigned = 0;
        for (int i = 0; i < n; i++) {
            double exact = steps * (scale[i] / sum);
            budgets[i] = (int) Math.floor(exact);
            fraction[i] = scale[i] > 0 ? exact - budgets[i] : -1;
            assigned += budgets[i];
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -fraction[i])
                .thenComparingInt(i -> i));
        for (int r = 0; r < steps - assigned && r < n; r++) {
            if (fraction[order[r]] >= 0) {
                budgets[order[r]]++;
            }
        }
        return budgets;
    }

    /** Walks from one query item; returns {@code steps << 1 | stoppedEarly}. */
    private long walkFrom(int query, int budget, double[] typeWeights, WalkConfig config,
                          BitSet skip, SplittableRandom random, IntCounter visits) {
        int node = query;
        int steps = 0;
        int saturated = 0;
        while (steps < budget) {
            int next = graph.step(node, typeWeights, random);
            if (next < 0) {
                if (node == query) {
                    break;
                }
                node = query;
                continue;
            }
            steps++;
            node = next;
            if (graph.isItem(node)) {
                int position = visits.add(node, 1);
                if (config.nP() > 0 && visits.count(position) == config.nV() && !skip.get(node)
                        && ++saturated >= config.nP()) {
                    return ((long) steps << 1) | 1;
                }
                if (random.nextDouble() < config.restart()) {
                    node = query;
                }
            }
        }
        return (long) steps << 1;
    }

    private static long seedOf(long seed, String itemId) {
        return seed ^ (0x9E3779B97F4A7C15L * (itemId.hashCode() + 1L));
    }
}
