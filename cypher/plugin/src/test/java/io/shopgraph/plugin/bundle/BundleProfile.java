package io.shopgraph.plugin.bundle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.kernel.impl.coreapi.InternalTransaction;

/**
 * Where the time of {@code shopgraph.bundle} goes inside the server, on a loaded shopgraph
 * database (after {@code shopgraph.bundle.refresh()}). Not a test: run by hand on the Neo4j
 * home of a stopped embedded server, it prints its results.
 *
 * <pre>
 * cd cypher && mvn -q -B -pl plugin test-compile dependency:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
 * java -Xmx2g -cp plugin/target/test-classes:plugin/target/classes:$(cat plugin/target/test.classpath) \
 *     io.shopgraph.plugin.bundle.BundleProfile $SHOPGRAPH_HOME/neo4j [carts] [seed]
 * </pre>
 *
 * <p>With {@code walk} after the seed, it only times the pair walk of each cart item as a full
 * build of the pair index does it and as a merge of the live index does (which also sums the
 * item's mass).
 *
 * <p>With {@code compare SIZE K[,K...]} after the seed, carts are {@code SIZE} items and it
 * only times scoring over the index, by its bounds against reading every pair, for each
 * {@code K} (the heap must hold the index: about 25 bytes per pair).
 *
 * <p>Carts are 3 distinct items of an order of kind 'order' with at least 3 items, drawn
 * (seeded) as {@code benchmarks/serving.py} draws them from the event file. Per cart, in one
 * read transaction each, it times what the procedure does (cart look-up, statistics,
 * selection, scoring by traversal, and over the pair index by its bounds and reading every
 * pair) and, pass by pass over the cart items' baskets, what a traversal reads:
 * basket sizes only; then times and relationship weights; then users; then the other items
 * (paths). The difference between passes is the cost of what a pass adds.
 */
public final class BundleProfile {

    private static final Source[] SOURCES = Source.values();

    private BundleProfile() {}

    public static void main(String[] args) {
        Path home = Path.of(args[0]);
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 7;
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, 1L << 30)
                .build();
        try {
            GraphDatabaseService db = dbms.database("neo4j");
            int size = args.length > 4 && args[3].equals("compare") ? Integer.parseInt(args[4]) : 3;
            List<List<String>> carts = carts(db, calls, seed, size);
            System.out.printf(Locale.ROOT, "%d carts of %d items%n", carts.size(), size);
            if (args.length > 3 && args[3].equals("walk")) { // the merge walker against the build walker
                for (int round = 0; round < 3; round++) { // the first rounds warm the JIT and page cache
                    walks(db, carts, round == 2);
                }
                return;
            }
            boolean compare = args.length > 5 && args[3].equals("compare");
            PairIndex index = buildIndex(db, compare ? 1 : 2);
            if (compare) { // by bounds against every pair
                for (String k : args[5].split(",")) {
                    for (int round = 0; round < 3; round++) { // the first rounds warm the JIT
                        compare(db, carts, index, Integer.parseInt(k), round == 2);
                    }
                }
                return;
            }
            if (args.length > 3 && args[3].equals("index")) { // scoring over the index only, for a profiler
                loopOverIndex(db, carts, index, 30);
                return;
            }
            for (int round = 0; round < 2; round++) { // the first round warms the JIT and page cache
                profile(db, carts, index, round == 1);
            }
        } finally {
            dbms.shutdown();
        }
    }

    private static List<List<String>> carts(GraphDatabaseService db, int calls, long seed, int size) {
        List<List<String>> orders = new ArrayList<>();
        try (Transaction tx = db.beginTx()) {
            tx.execute("""
                    MATCH (o:Order {kind: 'order'})
                    WITH o, COLLECT { MATCH (o)-[:CONTAINS]->(i) RETURN DISTINCT i.itemId ORDER BY i.itemId } AS items
                    WHERE size(items) >= $size
                    RETURN items ORDER BY o.orderId
                    """, Map.of("size", size)).forEachRemaining(row -> {
                        @SuppressWarnings("unchecked")
                        List<String> items = (List<String>) row.get("items");
                        orders.add(items);
                    });
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<List<String>> carts = new ArrayList<>();
        for (int n = 0; n < calls; n++) {
            List<String> order = new ArrayList<>(orders.get(random.nextInt(orders.size())));
            List<String> cart = new ArrayList<>();
            while (cart.size() < size) {
                cart.add(order.remove(random.nextInt(order.size())));
            }
            carts.add(cart);
        }
        return carts;
    }

    /**
     * Times the pair walk of every distinct cart item as a full build walks it
     * ({@link BasketPairs} without masses) and as a merge of the live index does (with masses),
     * alternating item by item, and checks that both give the same total support per item.
     */
    private static void walks(GraphDatabaseService db, List<List<String>> carts, boolean print) {
        long[] nanos = new long[2];
        long[] pairs = new long[1];
        int items;
        try (Transaction tx = db.beginTx()) {
            KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
            BundleStats bundleStats = StatsStore.read(tx).orElseThrow();
            long[] handles = carts.stream().flatMap(List::stream).distinct()
                    .mapToLong(id -> GraphBasketSource.handle(tx.findNode(GraphModel.ITEM, GraphModel.ITEM_ID, id)))
                    .toArray();
            items = handles.length;
            try (GraphBasketSource baskets = new GraphBasketSource(ktx, bundleStats.weightedSources(),
                    ScoringConfig.DEFAULTS.adjacency())) {
                BasketPairs build = new BasketPairs(baskets, bundleStats, ScoringConfig.DEFAULTS, false);
                BasketPairs merge = new BasketPairs(baskets, bundleStats, ScoringConfig.DEFAULTS, true);
                for (long item : handles) {
                    double[] sums = new double[2];
                    long t0 = System.nanoTime();
                    build.forEachPair(item, (other, support, evidence) -> sums[0] += support);
                    long t1 = System.nanoTime();
                    merge.forEachPair(item, (other, support, evidence) -> {
                        sums[1] += support;
                        pairs[0]++;
                    });
                    long t2 = System.nanoTime();
                    if (sums[0] != sums[1]) {
                        throw new IllegalStateException("The two walks differ for item handle " + item);
                    }
                    nanos[0] += t1 - t0;
                    nanos[1] += t2 - t1;
                }
            }
        }
        if (print) {
            System.out.printf(Locale.ROOT, "%d items, %d pairs: build walk %.3f ms an item, merge walk %.3f ms"
                    + " an item (%.2fx)%n", items, pairs[0], nanos[0] / 1e6 / items, nanos[1] / 1e6 / items,
                    (double) nanos[1] / nanos[0]);
        }
    }

    /** Per-cart sums of one kind of work, by source where it applies. */
    private static final class Tally {
        final long[] baskets = new long[SOURCES.length];
        final long[] eligible = new long[SOURCES.length];
        final long[] paths = new long[SOURCES.length];
        final long[] usersRead = new long[SOURCES.length];
        final long[][] passNanos = new long[4][SOURCES.length];
    }

    /** Scores every cart over the index {@code rounds} times (for a sampling profiler). */
    private static void loopOverIndex(GraphDatabaseService db, List<List<String>> carts, PairIndex index, int rounds) {
        try (Transaction tx = db.beginTx()) {
            KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
            BundleStats bundleStats = StatsStore.read(tx).orElseThrow();
            List<long[]> handles = new ArrayList<>();
            for (List<String> cart : carts) {
                handles.add(cart.stream().mapToLong(id -> GraphBasketSource.handle(
                        tx.findNode(GraphModel.ITEM, GraphModel.ITEM_ID, id))).toArray());
            }
            Selection chosen = GraphSelection.of(tx, BundleConfig.parse(Map.of()).options(), "profile");
            try (GraphBasketSource baskets = new GraphBasketSource(ktx, bundleStats.weightedSources(),
                    ScoringConfig.DEFAULTS.adjacency())) {
                long start = System.nanoTime();
                for (int round = 0; round < rounds; round++) {
                    for (long[] cart : handles) {
                        new BundleScorer(index.items(baskets), index, bundleStats, ScoringConfig.DEFAULTS)
                                .recommend(cart, 10, chosen);
                    }
                }
                System.out.printf(Locale.ROOT, "scoring over the index: %.1f us a cart on average%n",
                        (System.nanoTime() - start) / 1e3 / rounds / handles.size());
            }
        }
    }

    /**
     * Times scoring over the index by its bounds (as calls do) and by reading every pair of the
     * cart items, checks that both give the same items, and prints the percentiles.
     */
    private static void compare(GraphDatabaseService db, List<List<String>> carts, PairIndex index, int k,
                                boolean print) {
        int n = carts.size();
        long[][] nanos = new long[2][n];
        long[] met = new long[n];
        long[] pairs = new long[n];
        try (Transaction tx = db.beginTx()) {
            KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
            BundleStats bundleStats = StatsStore.read(tx).orElseThrow();
            Selection chosen = GraphSelection.of(tx, BundleConfig.parse(Map.of()).options(), "profile");
            try (GraphBasketSource baskets = new GraphBasketSource(ktx, bundleStats.weightedSources(),
                    ScoringConfig.DEFAULTS.adjacency())) {
                for (int c = 0; c < n; c++) {
                    long[] cart = carts.get(c).stream().mapToLong(id -> GraphBasketSource.handle(
                            tx.findNode(GraphModel.ITEM, GraphModel.ITEM_ID, id))).toArray();
                    long t0 = System.nanoTime();
                    BundleScorer bounded = new BundleScorer(index.items(baskets), index, bundleStats,
                            ScoringConfig.DEFAULTS);
                    List<ScoredItem> byBounds = bounded.recommend(cart, k, chosen);
                    long t1 = System.nanoTime();
                    List<ScoredItem> everyPair = new BundleScorer(index.items(baskets), (PairSums) index,
                            bundleStats, ScoringConfig.DEFAULTS).recommend(cart, k, chosen);
                    long t2 = System.nanoTime();
                    if (!byBounds.equals(everyPair)) {
                        throw new IllegalStateException("The two rankings differ for cart " + carts.get(c));
                    }
                    nanos[0][c] = t1 - t0;
                    nanos[1][c] = t2 - t1;
                    met[c] = bounded.met();
                    long[] read = new long[1];
                    for (long item : cart) {
                        index.forEachPair(item, (other, support, evidence) -> read[0]++);
                    }
                    pairs[c] = read[0];
                }
            }
        }
        if (!print) {
            return;
        }
        System.out.printf(Locale.ROOT, "k = %d; per cart (microseconds unless said): p50 / p90 / p99 / mean%n", k);
        row("by bounds (as calls score)", nanos[0]);
        count("  items met (count)", met);
        row("every pair", nanos[1]);
        count("  pairs of the cart items (count)", pairs);
    }

    /** The pair index as the refresh builds it, timed, with its size. */
    private static PairIndex buildIndex(GraphDatabaseService db, int builds) {
        try (Transaction tx = db.beginTx()) {
            KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
            BundleStats bundleStats = StatsStore.read(tx).orElseThrow();
            List<Long> items = new ArrayList<>();
            tx.findNodes(GraphModel.ITEM).forEachRemaining(item -> items.add(GraphBasketSource.handle(item)));
            long[] handles = items.stream().mapToLong(Long::longValue).toArray();
            PairIndex index = null;
            for (int round = 2 - builds; round < 2; round++) {
                System.gc();
                long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
                long start = System.nanoTime();
                try (GraphBasketSource baskets = new GraphBasketSource(ktx, bundleStats.weightedSources(),
                        ScoringConfig.DEFAULTS.adjacency())) {
                    index = PairIndex.build(handles, baskets, bundleStats, ScoringConfig.DEFAULTS, Long.MAX_VALUE);
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.gc();
                long held = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory() - before;
                System.out.printf(Locale.ROOT, "pair index (build %d): %d items, %d pairs, built in %d ms;"
                                + " estimated %.1f MiB, measured heap %.1f MiB%n", round + 1, index.items(),
                        index.pairs(), millis, index.estimatedBytes() / 1048576.0, held / 1048576.0);
                if (round == 0) {
                    index = null;
                }
            }
            return index;
        }
    }

    private static void profile(GraphDatabaseService db, List<List<String>> carts, PairIndex index, boolean print) {
        int n = carts.size();
        long[] lookup = new long[n];
        long[] stats = new long[n];
        long[] selection = new long[n];
        long[] scoring = new long[n];
        long[] total = new long[n];
        long[][] basketsPerCart = new long[SOURCES.length][n];
        long[][] pathsPerCart = new long[SOURCES.length][n];
        long[][][] pass = new long[4][SOURCES.length][n];
        long[] massReads = new long[n];
        long[] idReads = new long[n];
        long[] indexed = new long[n];
        long[] indexedCall = new long[n];
        long[] pairsRead = new long[n];
        long[] met = new long[n];
        long[] folded = new long[n];
        for (int c = 0; c < n; c++) {
            try (Transaction tx = db.beginTx()) {
                KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
                long t0 = System.nanoTime();
                long[] handles = new long[3];
                for (int i = 0; i < 3; i++) {
                    Node item = tx.findNode(GraphModel.ITEM, GraphModel.ITEM_ID, carts.get(c).get(i));
                    handles[i] = GraphBasketSource.handle(item);
                }
                long t1 = System.nanoTime();
                BundleStats bundleStats = StatsStore.read(tx).orElseThrow();
                long t2 = System.nanoTime();
                Selection chosen = GraphSelection.of(tx, BundleConfig.parse(Map.of()).options(), "profile");
                long t3 = System.nanoTime();
                try (GraphBasketSource baskets = new GraphBasketSource(ktx, bundleStats.weightedSources(),
                        ScoringConfig.DEFAULTS.adjacency())) {
                    Counting counting = new Counting(baskets);
                    new BundleScorer(counting, bundleStats, ScoringConfig.DEFAULTS).recommend(handles, 10, chosen);
                    long t4 = System.nanoTime();
                    lookup[c] = t1 - t0;
                    stats[c] = t2 - t1;
                    selection[c] = t3 - t2;
                    scoring[c] = t4 - t3;
                    total[c] = t4 - t0;
                    massReads[c] = counting.masses;
                    idReads[c] = counting.ids;
                    long t5 = System.nanoTime();
                    BundleScorer overIndex = new BundleScorer(index.items(baskets), index, bundleStats,
                            ScoringConfig.DEFAULTS);
                    overIndex.recommend(handles, 10, chosen);
                    indexed[c] = System.nanoTime() - t5;
                    met[c] = overIndex.met();
                    long t6 = System.nanoTime();
                    new BundleScorer(index.items(baskets), (PairSums) index, bundleStats, ScoringConfig.DEFAULTS)
                            .recommend(handles, 10, chosen);
                    folded[c] = System.nanoTime() - t6;
                    long[] read = new long[1];
                    for (long item : handles) {
                        index.forEachPair(item, (other, support, evidence) -> read[0]++);
                    }
                    pairsRead[c] = read[0];
                    Tally tally = passes(baskets, handles);
                    for (int s = 0; s < SOURCES.length; s++) {
                        basketsPerCart[s][c] = tally.baskets[s];
                        pathsPerCart[s][c] = tally.paths[s];
                        for (int p = 0; p < 4; p++) {
                            pass[p][s][c] = tally.passNanos[p][s];
                        }
                    }
                }
            }
        }
        // As the procedure with a fresh index: the statistics come with the index, not from the graph.
        BundleStats indexStats;
        try (Transaction tx = db.beginTx()) {
            indexStats = StatsStore.read(tx).orElseThrow();
        }
        for (int c = 0; c < n; c++) {
            try (Transaction tx = db.beginTx()) {
                KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
                long t0 = System.nanoTime();
                long[] handles = new long[3];
                for (int i = 0; i < 3; i++) {
                    handles[i] = GraphBasketSource.handle(
                            tx.findNode(GraphModel.ITEM, GraphModel.ITEM_ID, carts.get(c).get(i)));
                }
                BundleConfig parsed = BundleConfig.parse(Map.of());
                Selection chosen = GraphSelection.of(tx, parsed.options(), "profile");
                try (GraphBasketSource baskets = new GraphBasketSource(ktx, indexStats.weightedSources(),
                        ScoringConfig.DEFAULTS.adjacency())) {
                    new BundleScorer(index.items(baskets), index, indexStats, parsed.scoring())
                            .recommend(handles, 10, chosen);
                }
                indexedCall[c] = System.nanoTime() - t0;
            }
        }
        if (!print) {
            return;
        }
        System.out.println("per cart (microseconds unless said): p50 / p90 / p99 / mean");
        row("whole call in the server (look-up .. scoring)", total);
        row("  look up 3 cart items (index seek)", lookup);
        row("  read BundleStats", stats);
        row("  GraphSelection.of (defaults)", selection);
        row("  BundleScorer.recommend (traversal + ranking)", scoring);
        count("  masses read (count)", massReads);
        count("  item ids read (count)", idReads);
        row("BundleScorer.recommend over the pair index, by bounds", indexed);
        count("  items met (count)", met);
        row("BundleScorer.recommend over the pair index, every pair", folded);
        count("  pairs of the cart items in the index (count)", pairsRead);
        row("whole call over the pair index (look-up .. scoring)", indexedCall);
        for (Source s : SOURCES) {
            int o = s.ordinal();
            System.out.println(s + ":");
            count("  baskets holding a cart item (count)", basketsPerCart[o]);
            count("  paths cart item -> basket -> other item (count)", pathsPerCart[o]);
            row("  pass 1: baskets and their sizes", pass[0][o]);
            row("  pass 2: + time and r(b,i)", pass[1][o]);
            row("  pass 3: + user and the item's position", pass[2][o]);
            row("  pass 4: + other items, r(b,j), positions (paths)", pass[3][o]);
        }
    }

    /** The four passes over the cart items' baskets, one source at a time. */
    private static Tally passes(GraphBasketSource baskets, long[] cart) {
        Tally tally = new Tally();
        long[] sink = new long[1];
        for (Source source : SOURCES) {
            int s = source.ordinal();
            for (int p = 0; p < 4; p++) {
                int level = p;
                long start = System.nanoTime();
                for (long item : cart) {
                    baskets.forEachBasket(item, source, basket -> {
                        int size = basket.size();
                        if (level == 0) {
                            tally.baskets[s]++;
                        }
                        if (size < 2) {
                            return;
                        }
                        if (level == 0) {
                            tally.eligible[s]++;
                        }
                        if (level >= 1) {
                            sink[0] += basket.timeMillis() + (long) basket.itemWeight();
                        }
                        if (level >= 2) {
                            sink[0] += basket.user() + basket.itemPosition();
                        }
                        if (level >= 3) {
                            basket.forEachOtherItem((other, weight, position) -> {
                                tally.paths[s]++;
                                sink[0] += other + position;
                            });
                        }
                    });
                }
                tally.passNanos[p][s] = System.nanoTime() - start;
            }
        }
        if (sink[0] == 42) {
            System.out.print("");
        }
        return tally;
    }

    /** A source that counts the masses and ids read. */
    private static final class Counting implements BasketSource {
        private final BasketSource inner;
        long masses;
        long ids;

        Counting(BasketSource inner) {
            this.inner = inner;
        }

        @Override
        public void forEachBasket(long item, Source source, BasketVisitor visitor) {
            inner.forEachBasket(item, source, visitor);
        }

        @Override
        public double mass(long item) {
            masses++;
            return inner.mass(item);
        }

        @Override
        public String itemId(long item) {
            ids++;
            return inner.itemId(item);
        }
    }

    private static void row(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%-52s %8.1f %8.1f %8.1f %8.1f%n", what, at(sorted, 0.5) / 1e3,
                at(sorted, 0.9) / 1e3, at(sorted, 0.99) / 1e3, Arrays.stream(nanos).average().orElse(0) / 1e3);
    }

    private static void count(String what, long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%-52s %8d %8d %8d %8.1f%n", what, at(sorted, 0.5), at(sorted, 0.9),
                at(sorted, 0.99), Arrays.stream(values).average().orElse(0));
    }

    private static long at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }
}
