package io.shopgraph.plugin.walk;

import io.shopgraph.plugin.recommend.SimilarProcedure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.summary.ResultSummary;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Build time, memory and latency of the walk procedures on a SYNTHETIC shop of the size of
 * 1M generated events (about 75k items, 170k users, 285k sessions, 685k views; the shape of
 * {@code shopgraph generate}: Zipf(0.8) item popularity, 54% one-item sessions, 4% buying
 * sessions, rare carts). Not a test: run by hand, it prints its results.
 *
 * <pre>
 * cd cypher && mvn -q -B -pl plugin test-compile dependency:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
 * java -Xmx4g -cp plugin/target/test-classes:plugin/target/classes:$(cat plugin/target/test.classpath) \
 *     io.shopgraph.plugin.walk.WalkBenchmark [pure|neo4j|both] [sessions]
 * </pre>
 *
 * <p>{@code pure}: the projection built from the synthetic shop by {@link WalkGraph.Builder}
 * (build time, heap) and {@link PixieWalker} alone (walk latency). {@code neo4j}: the shop
 * written to an in-process Neo4j with Cypher, {@code shopgraph.walk.refresh()} timed, then
 * {@code shopgraph.candidates} and {@code shopgraph.similar} called over Bolt with the Java
 * driver, one session and read transaction per call, as a client would.
 */
public final class WalkBenchmark {

    private static final double[] ITEMS_PMF = {0.5371, 0.1856, 0.0932, 0.0574, 0.0349, 0.0255,
        0.0178, 0.0132, 0.0077, 0.0069, 0.0045, 0.0036};

    private WalkBenchmark() {}

    /** The synthetic shop: plain arrays, written to a builder or to Neo4j. */
    record Shop(int items, int users, int brands, int categories, int[] itemBrand,
                int[] itemCategory, int[] sessionUser, long[] sessionStart, int[][] views,
                int[][] carts, int[][] removals, int[][] orders) {

        long viewCount() {
            return Arrays.stream(views).mapToLong(v -> v.length).sum();
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "both";
        int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 285_000;
        long start = System.nanoTime();
        Shop shop = generate(sessions, 1);
        System.out.printf(Locale.ROOT, "shop: %d items, %d users, %d sessions, %d views, %d carts,"
                        + " %d removals, %d orders (generated in %d ms)%n", shop.items(), shop.users(),
                sessions, shop.viewCount(), count(shop.carts()), count(shop.removals()),
                Arrays.stream(shop.orders()).filter(o -> o.length > 0).count(), millis(start));
        if (!mode.equals("neo4j")) {
            pure(shop);
        }
        if (!mode.equals("pure")) {
            neo4j(shop);
        }
    }

    private static void pure(Shop shop) {
        System.gc();
        long before = usedHeap();
        long start = System.nanoTime();
        WalkGraph graph = build(shop);
        long buildMillis = millis(start);
        System.gc();
        long held = usedHeap() - before;
        System.out.printf(Locale.ROOT, "pure: projection of %d nodes, %d relationships built in %d ms;"
                        + " estimated %.1f MiB, measured heap %.1f MiB; max item degree %d%n",
                graph.nodeCount(), graph.relationshipCount(), buildMillis,
                graph.estimatedBytes() / 1048576.0, held / 1048576.0, graph.maxItemDegree());

        PixieWalker walker = new PixieWalker(graph);
        SplittableRandom random = new SplittableRandom(5);
        List<List<Integer>> sessionsOf = new ArrayList<>();
        for (int u = 0; u < shop.users(); u++) {
            sessionsOf.add(new ArrayList<>());
        }
        for (int s = 0; s < shop.sessionUser().length; s++) {
            sessionsOf.get(shop.sessionUser()[s]).add(s);
        }
        List<List<QueryItem>> queries = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            queries.add(userQuery(shop, sessionsOf.get(random.nextInt(shop.users())), 20));
        }
        WalkConfig config = WalkConfig.defaults();
        latency("pure: walk for a user's items (10k steps), top 20", 1000, 2000, i -> {
            walker.walk(queries.get(i % queries.size()), Set.of(), config).top(20);
        });
        int hub = 0;
        for (int item = 0; item < graph.itemCount(); item++) {
            hub = graph.degree(item) > graph.degree(hub) ? item : hub;
        }
        String hubId = graph.itemId(hub);
        latency("pure: walk from the most popular item (degree " + graph.degree(hub) + ")", 500, 1000,
                i -> walker.walk(List.of(new QueryItem(hubId, 1.0)), Set.of(), config).top(20));
        latency("pure: walk for 20 random items", 500, 1000, i -> {
            List<QueryItem> items = new ArrayList<>();
            for (int q = 0; q < 20; q++) {
                items.add(new QueryItem(itemId(random.nextInt(shop.items())), 1.0));
            }
            walker.walk(items, Set.of(), config).top(20);
        });
    }

    private static void neo4j(Shop shop) {
        try (Neo4j neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withProcedure(CandidatesProcedure.class)
                .withProcedure(SimilarProcedure.class)
                .withProcedure(WalkRefreshProcedure.class)
                .build();
             Driver driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none())) {
            long start = System.nanoTime();
            write(driver, shop);
            System.out.printf(Locale.ROOT, "neo4j: shop written in %d s%n", millis(start) / 1000);
            try (Session session = driver.session()) {
                for (int i = 0; i < 3; i++) {
                    Record row = session.run("CALL shopgraph.walk.refresh()").single();
                    System.out.printf(Locale.ROOT, "neo4j: shopgraph.walk.refresh(): %d nodes, %d"
                                    + " relationships, %d ms, %.1f MiB%n", row.get("nodes").asLong(),
                            row.get("relationships").asLong(), row.get("millis").asLong(),
                            row.get("bytes").asLong() / 1048576.0);
                }
            }
            SplittableRandom random = new SplittableRandom(9);
            bolt(driver, "neo4j: candidates(user, 20) over Bolt", 300, 2000, () -> Map.of(
                    "query", "CALL shopgraph.candidates($user, 20)",
                    "user", userId(random.nextInt(shop.users()))));
            int[] sessionsOf = new int[shop.users()];
            for (int user : shop.sessionUser()) {
                sessionsOf[user]++;
            }
            Integer[] heavy = IntStream.range(0, shop.users()).boxed()
                    .sorted((a, b) -> sessionsOf[b] - sessionsOf[a]).limit(100).toArray(Integer[]::new);
            System.out.printf(Locale.ROOT, "neo4j: the 100 heaviest users have %d to %d sessions%n",
                    sessionsOf[heavy[99]], sessionsOf[heavy[0]]);
            bolt(driver, "neo4j: candidates(one of the 100 heaviest users, 20) over Bolt", 100, 300,
                    () -> Map.of("query", "CALL shopgraph.candidates($user, 20)",
                            "user", userId(heavy[random.nextInt(heavy.length)])));
            bolt(driver, "neo4j: candidates(20 items, 20) over Bolt", 300, 1000, () -> {
                List<String> items = new ArrayList<>();
                for (int q = 0; q < 20; q++) {
                    items.add(itemId(random.nextInt(shop.items())));
                }
                return Map.of("query", "CALL shopgraph.candidates($items, 20)", "items", items);
            });
            bolt(driver, "neo4j: similar(popular item, 20) over Bolt", 300, 1000, () -> Map.of(
                    "query", "CALL shopgraph.similar($item, 20)",
                    "item", itemId(random.nextInt(100))));
            bolt(driver, "neo4j: RETURN 1 over Bolt (driver round trip)", 300, 1000,
                    () -> Map.of("query", "RETURN 1 AS one"));
        }
    }

    private static void bolt(Driver driver, String what, int warmup, int calls,
                             Supplier<Map<String, Object>> next) {
        long[] client = new long[calls];
        long[] server = new long[calls];
        long rows = 0;
        for (int i = 0; i < warmup + calls; i++) {
            Map<String, Object> parameters = new HashMap<>(next.get());
            String query = (String) parameters.remove("query");
            long start = System.nanoTime();
            ResultSummary[] summary = new ResultSummary[1];
            int n;
            try (Session session = driver.session()) {
                n = session.executeRead(tx -> {
                    var result = tx.run(query, parameters);
                    int count = result.list().size();
                    summary[0] = result.consume();
                    return count;
                });
            }
            if (i >= warmup) {
                client[i - warmup] = System.nanoTime() - start;
                server[i - warmup] = (summary[0].resultAvailableAfter(TimeUnit.MICROSECONDS)
                        + summary[0].resultConsumedAfter(TimeUnit.MICROSECONDS)) * 1000;
                rows += n;
            }
        }
        System.out.printf(Locale.ROOT, "%s: client %s; server %s; %.1f rows per call%n", what,
                percentiles(client), percentiles(server), rows / (double) calls);
    }

    private interface Call {
        void run(int i);
    }

    private static void latency(String what, int warmup, int calls, Call call) {
        for (int i = 0; i < warmup; i++) {
            call.run(i);
        }
        long[] times = new long[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            call.run(i);
            times[i] = System.nanoTime() - start;
        }
        System.out.printf(Locale.ROOT, "%s: %s%n", what, percentiles(times));
    }

    private static String percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms (n=%d)",
                sorted[sorted.length / 2] / 1e6, sorted[sorted.length * 9 / 10] / 1e6,
                sorted[sorted.length * 99 / 100] / 1e6, sorted.length);
    }

    /** A user's most recent items, newest session first (as UserQuery would pick them). */
    private static List<QueryItem> userQuery(Shop shop, List<Integer> sessions, int limit) {
        Set<String> items = new LinkedHashSet<>();
        for (int i = sessions.size() - 1; i >= 0 && items.size() < limit; i--) {
            for (int item : shop.views()[sessions.get(i)]) {
                items.add(itemId(item));
            }
        }
        return items.stream().limit(limit).map(id -> new QueryItem(id, 1.0)).toList();
    }

    static WalkGraph build(Shop shop) {
        WalkGraph.Builder builder = WalkGraph.builder();
        int[] item = new int[shop.items()];
        for (int i = 0; i < shop.items(); i++) {
            item[i] = builder.node(NodeKind.ITEM, itemId(i));
        }
        int[] brand = new int[shop.brands()];
        for (int b = 0; b < shop.brands(); b++) {
            brand[b] = builder.node(NodeKind.BRAND, "brand" + b);
        }
        int[] category = new int[shop.categories()];
        for (int c = 0; c < shop.categories(); c++) {
            category[c] = builder.node(NodeKind.CATEGORY, "cat" + c);
        }
        for (int i = 0; i < shop.items(); i++) {
            if (shop.itemBrand()[i] >= 0) {
                builder.edge(EdgeKind.HAS_BRAND, item[i], brand[shop.itemBrand()[i]], 1.0);
            }
            if (shop.itemCategory()[i] >= 0) {
                builder.edge(EdgeKind.IN_CATEGORY, item[i], category[shop.itemCategory()[i]], 1.0);
            }
        }
        int[] user = new int[shop.users()];
        for (int u = 0; u < shop.users(); u++) {
            user[u] = builder.node(NodeKind.USER, userId(u));
        }
        for (int s = 0; s < shop.sessionUser().length; s++) {
            int session = builder.node(NodeKind.SESSION, "s" + s);
            builder.edge(EdgeKind.HAS_SESSION, user[shop.sessionUser()[s]], session, 1.0);
            for (int v : shop.views()[s]) {
                builder.edge(EdgeKind.VIEWED, session, item[v], 1.0);
            }
            for (int v : shop.carts()[s]) {
                builder.edge(EdgeKind.ADDED_TO_CART, session, item[v], 1.0);
            }
            for (int v : shop.removals()[s]) {
                builder.edge(EdgeKind.REMOVED_FROM_CART, session, item[v], 1.0);
            }
            if (shop.orders()[s].length > 0) {
                int order = builder.node(NodeKind.ORDER, "s" + s);
                builder.edge(EdgeKind.PLACED, user[shop.sessionUser()[s]], order, 1.0);
                for (int v : shop.orders()[s]) {
                    builder.edge(EdgeKind.CONTAINS, order, item[v], 1.0);
                }
            }
        }
        return builder.build();
    }

    private static void write(Driver driver, Shop shop) {
        try (Session session = driver.session()) {
            String[][] keys = {{"User", "userId"}, {"Item", "itemId"}, {"Brand", "name"},
                {"Category", "code"}, {"Session", "sessionId"}, {"Order", "orderId"}};
            for (String[] key : keys) {
                session.run("CREATE CONSTRAINT IF NOT EXISTS FOR (n:" + key[0] + ") REQUIRE n."
                        + key[1] + " IS UNIQUE").consume();
            }
            session.run("CALL db.awaitIndexes(300)").consume();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int b = 0; b < shop.brands(); b++) {
                rows.add(Map.of("id", "brand" + b));
            }
            session.run("UNWIND $rows AS r CREATE (:Brand {name: r.id})", Map.of("rows", rows)).consume();
            rows.clear();
            for (int c = 0; c < shop.categories(); c++) {
                rows.add(Map.of("id", "cat" + c));
            }
            session.run("UNWIND $rows AS r CREATE (:Category {code: r.id, level: 1})",
                    Map.of("rows", rows)).consume();
            batches(session, shop.items(), 10_000, i -> Map.of("id", itemId(i),
                            "brand", shop.itemBrand()[i] < 0 ? "" : "brand" + shop.itemBrand()[i],
                            "category", shop.itemCategory()[i] < 0 ? "" : "cat" + shop.itemCategory()[i]),
                    """
                    UNWIND $rows AS r
                    CREATE (i:Item {itemId: r.id, price: 10.0})
                    WITH i, r
                    CALL (i, r) { WITH i, r WHERE r.brand <> '' MATCH (b:Brand {name: r.brand})
                                  CREATE (i)-[:HAS_BRAND]->(b) }
                    CALL (i, r) { WITH i, r WHERE r.category <> '' MATCH (c:Category {code: r.category})
                                  CREATE (i)-[:IN_CATEGORY]->(c) }
                    """);
            batches(session, shop.users(), 20_000, u -> Map.of("id", userId(u)),
                    "UNWIND $rows AS r CREATE (:User {userId: r.id})");
            batches(session, shop.sessionUser().length, 5_000, s -> Map.of(
                            "id", "s" + s, "user", userId(shop.sessionUser()[s]),
                            "start", shop.sessionStart()[s],
                            "views", ids(shop.views()[s]), "carts", ids(shop.carts()[s]),
                            "removals", ids(shop.removals()[s]), "order", ids(shop.orders()[s])),
                    """
                    UNWIND $rows AS r
                    MATCH (u:User {userId: r.user})
                    CREATE (u)-[:HAS_SESSION]->(s:Session {sessionId: r.id,
                            start: datetime({epochMillis: r.start}), end: datetime({epochMillis: r.start})})
                    WITH s, r, u
                    CALL (s, r) { UNWIND r.views AS v MATCH (i:Item {itemId: v})
                                  CREATE (s)-[:VIEWED {count: 1, first: s.start, last: s.start, weight: 1.0}]->(i) }
                    CALL (s, r) { UNWIND r.carts AS v MATCH (i:Item {itemId: v})
                                  CREATE (s)-[:ADDED_TO_CART {count: 1, first: s.start, last: s.start, weight: 1.0}]->(i) }
                    CALL (s, r) { UNWIND r.removals AS v MATCH (i:Item {itemId: v})
                                  CREATE (s)-[:REMOVED_FROM_CART {count: 1, first: s.start, last: s.start, weight: 1.0}]->(i) }
                    CALL (s, r, u) { WITH s, r, u WHERE size(r.order) > 0
                                  CREATE (u)-[:PLACED]->(o:Order {orderId: r.id, at: s.start, kind: 'order'})-[:IN_SESSION]->(s)
                                  WITH o, r UNWIND r.order AS v MATCH (i:Item {itemId: v})
                                  CREATE (o)-[:CONTAINS {quantity: 1, lines: 1, weight: 1.0}]->(i) }
                    """);
        }
    }

    private interface Row {
        Map<String, Object> of(int i);
    }

    private static void batches(Session session, int n, int size, Row row, String query) {
        for (int from = 0; from < n; from += size) {
            List<Map<String, Object>> rows = new ArrayList<>(size);
            for (int i = from; i < Math.min(n, from + size); i++) {
                rows.add(row.of(i));
            }
            session.executeWrite(tx -> tx.run(query, Map.of("rows", rows)).consume());
        }
    }

    private static List<String> ids(int[] items) {
        return Arrays.stream(items).mapToObj(WalkBenchmark::itemId).toList();
    }

    static String itemId(int i) {
        return "p" + i;
    }

    static String userId(int u) {
        return "u" + u;
    }

    /** A shop shaped like {@code shopgraph generate --events 1000000} (see the class comment). */
    static Shop generate(int sessions, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int items = 75_000;
        int users = (int) Math.round(sessions * 170_000.0 / 285_000);
        int categories = 820;
        int brands = 2_300;
        // Zipf(0.8) item popularity, items grouped by category (ids are contiguous per category).
        double[] popularity = new double[items];
        double total = 0;
        int[] rank = shuffled(items, random);
        for (int i = 0; i < items; i++) {
            total += Math.pow(rank[i] + 1, -0.8);
            popularity[i] = total;
        }
        int[] itemCategory = new int[items];
        int[] itemBrand = new int[items];
        double[] brandPopularity = new double[brands];
        double brandTotal = 0;
        for (int b = 0; b < brands; b++) {
            brandTotal += 1.0 / (b + 1);
            brandPopularity[b] = brandTotal;
        }
        for (int i = 0; i < items; i++) {
            int category = (int) ((long) i * categories / items);
            itemCategory[i] = category % 100 < 43 ? category : -1;
            itemBrand[i] = random.nextDouble() < 0.17 ? -1
                    : pick(brandPopularity, random.nextDouble() * brandTotal);
        }
        // Users: every user has a session, the rest go to a Zipf(1) of heavy users.
        double[] userActivity = new double[users];
        double activityTotal = 0;
        int[] userRank = shuffled(users, random);
        for (int u = 0; u < users; u++) {
            activityTotal += 1.0 / (userRank[u] + 1);
            userActivity[u] = activityTotal;
        }
        int[] sessionUser = new int[sessions];
        long[] sessionStart = new long[sessions];
        int[][] views = new int[sessions][];
        int[][] carts = new int[sessions][];
        int[][] removals = new int[sessions][];
        int[][] orders = new int[sessions][];
        long t0 = Instant.parse("2019-10-01T00:00:00Z").toEpochMilli();
        int[] order = shuffled(sessions, random);
        for (int s = 0; s < sessions; s++) {
            sessionUser[s] = order[s] < users ? order[s]
                    : pick(userActivity, random.nextDouble() * activityTotal);
            sessionStart[s] = t0 + (long) s * 50 * 3_600_000L / sessions;
            int k = sessionSize(random);
            Set<Integer> seen = new LinkedHashSet<>();
            int first = pick(popularity, random.nextDouble() * total);
            seen.add(first);
            while (seen.size() < k) {
                if (random.nextDouble() < 0.75) {
                    int size = items / categories;
                    int base = first / size * size;
                    seen.add(Math.min(items - 1, base + random.nextInt(size)));
                } else {
                    seen.add(pick(popularity, random.nextDouble() * total));
                }
            }
            views[s] = seen.stream().mapToInt(Integer::intValue).toArray();
            List<Integer> bought = new ArrayList<>();
            if (random.nextDouble() < 0.04) {
                bought.add(views[s][random.nextInt(views[s].length)]);
                if (views[s].length > 1 && random.nextDouble() < 0.12) {
                    for (int v : views[s]) {
                        if (!bought.contains(v) && random.nextBoolean()) {
                            bought.add(v);
                        }
                    }
                }
            }
            List<Integer> carted = new ArrayList<>();
            List<Integer> removed = new ArrayList<>();
            for (int v : views[s]) {
                if (bought.contains(v) ? random.nextDouble() < 0.33 : random.nextDouble() < 0.005) {
                    carted.add(v);
                    if (!bought.contains(v) && random.nextDouble() < 0.2) {
                        removed.add(v);
                    }
                }
            }
            carts[s] = carted.stream().mapToInt(Integer::intValue).toArray();
            removals[s] = removed.stream().mapToInt(Integer::intValue).toArray();
            orders[s] = bought.stream().mapToInt(Integer::intValue).toArray();
        }
        return new Shop(items, users, brands, categories, itemBrand, itemCategory, sessionUser,
                sessionStart, views, carts, removals, orders);
    }

    private static int sessionSize(SplittableRandom random) {
        double r = random.nextDouble();
        for (int k = 0; k < ITEMS_PMF.length; k++) {
            r -= ITEMS_PMF[k];
            if (r < 0) {
                return k + 1;
            }
        }
        int k = 13;
        while (random.nextDouble() >= 0.15) {
            k++;
        }
        return k;
    }

    private static int pick(double[] cumulative, double x) {
        int found = Arrays.binarySearch(cumulative, x);
        return Math.min(cumulative.length - 1, found >= 0 ? found : -found - 1);
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    private static long count(int[][] lists) {
        return Arrays.stream(lists).mapToLong(l -> l.length).sum();
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
