package io.shopgraph.plugin.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.shopgraph.plugin.common.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Value;
import org.neo4j.driver.Values;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;
import org.neo4j.logging.NullLog;

/**
 * {@code shopgraph.bundle}, {@code shopgraph.bundle.refresh} and {@code cypher/bundle.cypher}
 * over Bolt on one in-process Neo4j: columns, exact values on hand-made graphs (the numbers of
 * {@code tests/gnn/test_bundles.py}), every bad-input message, and the procedure equal to the
 * Cypher statement on hand-made graphs and a seeded random one. Each test builds its own graph.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BundleProceduresTest {

    private static final Path STATEMENT = Path.of("..", "bundle.cypher");
    /** The columns of cypher/bundle.cypher; the procedure adds requestId and variant (experiments). */
    private static final List<String> COLUMNS =
            List.of("itemId", "score", "rank", "reason", "support", "confidence", "lift", "because");
    private static final List<String> PROCEDURE_COLUMNS =
            List.of("itemId", "score", "rank", "reason", "support", "confidence", "lift", "because", "requestId",
                    "variant");
    private static final Map<String, Object> SIMPLE =
            Map.of("alpha", 1.0, "beta", 1.0, "smoothing", 1.0, "sizeExponent", 1.0, "adjacencyBonus", 0.0);
    private static final Map<String, Object> FLAT =
            Map.of("alpha", 0.0, "beta", 0.0, "smoothing", 0.0, "sizeExponent", 0.0, "adjacencyBonus", 0.0);
    /** The default knobs without line adjacency. */
    private static final Map<String, Object> NO_ADJACENCY = Map.of("adjacencyBonus", 0.0);
    private static final Offset<Double> EXACT = within(1e-12);
    /** A null config value (Map.of takes no null): halfLifeDays null is no decay. */
    private static final Value NULL = Values.NULL;

    private Neo4j neo4j;
    private Driver driver;
    private String statement;

    @BeforeAll
    void start() throws IOException {
        neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                // Each test builds its own graph: keep the statement's plan instead of planning
                // it again (2 s each) whenever the statistics change.
                .withConfig(GraphDatabaseSettings.cypher_min_replan_interval, Duration.ofHours(1))
                .withConfig(GraphDatabaseSettings.query_statistics_divergence_threshold, 1.0)
                // As the launcher and docker-compose: shopgraph.bundle reads with kernel cursors.
                .withConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("shopgraph.*"))
                .withProcedure(BundleProcedure.class)
                .withProcedure(BundleRefreshProcedure.class)
                .build();
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none());
        statement = Files.readString(STATEMENT, StandardCharsets.UTF_8);
        run("CREATE CONSTRAINT item_id IF NOT EXISTS FOR (n:Item) REQUIRE n.itemId IS UNIQUE");
        run("CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.userId IS UNIQUE");
        run("CREATE CONSTRAINT category_code IF NOT EXISTS FOR (n:Category) REQUIRE n.code IS UNIQUE");
        run("CREATE CONSTRAINT bundle_stats_key IF NOT EXISTS FOR (n:BundleStats) REQUIRE n.key IS UNIQUE");
        // Every label, type and property key the statement reads, so that no test makes a new
        // one (a new token makes Neo4j plan the statement again).
        run("""
                CREATE (u:User {userId: ''})-[:PLACED]->(o:Order {orderId: '', kind: '', at: datetime()}),
                       (u)-[:HAS_SESSION]->(s:Session {sessionId: '', start: datetime()}),
                       (i:Item {itemId: '', price: 0.0, inStock: true, bundleMass: 0.0}),
                       (o)-[:CONTAINS {weight: 1.0, position: 0}]->(i), (s)-[:ADDED_TO_CART {weight: 1.0}]->(i),
                       (s)-[:VIEWED {weight: 1.0}]->(i), (s)-[:REMOVED_FROM_CART {weight: 1.0}]->(i),
                       (i)-[:HAS_BRAND]->(:Brand {name: ''}),
                       (i)-[:IN_CATEGORY]->(:Category {code: ''})-[:CHILD_OF]->(:Category {code: '.'}),
                       (:BundleStats {key: '', now: datetime(), basketMass: 0.0, orderWeight: 0.0,
                                      cartWeight: 0.0, viewWeight: 0.0, halfLifeDays: 0.0, userCap: 0.0})
                """);
        run("MATCH (n) DETACH DELETE n");
    }

    @AfterAll
    void stop() {
        driver.close();
        neo4j.close();
    }

    // --- graphs ----------------------------------------------------------------------------

    private List<Record> run(String cypher, Map<String, Object> params) {
        try (Session session = driver.session()) {
            return session.run(cypher, params).list();
        }
    }

    private List<Record> run(String cypher) {
        return run(cypher, Map.of());
    }

    /** Replaces the graph: deletes everything, then runs {@code cypher}. */
    private void graph(String cypher, Map<String, Object> params) {
        run("MATCH (n) DETACH DELETE n");
        run(cypher, params);
    }

    /**
     * Anonymous orders o0, o1, ... at days 0, 1, ... of 2024, of one-letter items ("ABM") at
     * positions 0, 1, ... in that order.
     */
    private void orders(String... baskets) {
        graph("""
                UNWIND range(0, size($baskets) - 1) AS n
                CREATE (o:Order {orderId: 'o' + n, kind: 'order',
                                 at: datetime('2024-01-01T00:00:00Z') + duration({days: n})})
                WITH o, split($baskets[n], '') AS items
                UNWIND range(0, size(items) - 1) AS position
                MERGE (i:Item {itemId: items[position]})
                CREATE (o)-[:CONTAINS {quantity: 1, lines: 1, weight: 1.0, position: position}]->(i)
                """, Map.of("baskets", List.of(baskets)));
    }

    private Record refresh(Map<String, Object> config) {
        return run("CALL shopgraph.bundle.refresh($config)", Map.of("config", config)).get(0);
    }

    private List<Record> bundle(List<String> cart, long k, Map<String, Object> config) {
        return run("CALL shopgraph.bundle($cart, $k, $config)", Map.of("cart", cart, "k", k, "config", config));
    }

    /** {@code cypher/bundle.cypher} with the procedure's arguments. */
    private List<Record> cypher(List<String> cart, long k, Map<String, Object> config) {
        return run(statement, Map.of("cart", cart, "k", k, "config", config));
    }

    private static void expect(Record row, String item, long rank, double score, double support,
                               double confidence, double lift, String reason, String... because) {
        assertThat(row.get("itemId").asString()).isEqualTo(item);
        assertThat(row.get("rank").asLong()).isEqualTo(rank);
        assertThat(row.get("score").asDouble()).isCloseTo(score, EXACT);
        assertThat(row.get("support").asDouble()).isCloseTo(support, EXACT);
        assertThat(row.get("confidence").asDouble()).isCloseTo(confidence, EXACT);
        assertThat(row.get("lift").asDouble()).isCloseTo(lift, EXACT);
        assertThat(row.get("reason").asString()).isEqualTo(reason);
        assertThat(row.get("because").asList(Value::asString)).containsExactly(because);
    }

    private static List<String> ids(List<Record> rows) {
        return rows.stream().map(r -> r.get("itemId").asString()).toList();
    }

    /**
     * The procedure and the statement agree: same columns, same items in the same order (items
     * whose scores are within 1e-9 relative are ties and may come in either order), and the
     * same numbers (1e-9 relative), reason and because list for each item.
     */
    private void assertSame(List<String> cart, long k, Map<String, Object> config) {
        List<Record> fast = bundle(cart, k, config);
        List<Record> slow = cypher(cart, k, config);
        assertThat(slow).hasSameSizeAs(fast);
        if (!fast.isEmpty()) {
            assertThat(slow.get(0).keys()).isEqualTo(COLUMNS);
            assertThat(fast.get(0).keys()).isEqualTo(PROCEDURE_COLUMNS);
        }
        Map<String, Record> byId = new LinkedHashMap<>();
        slow.forEach(r -> byId.put(r.get("itemId").asString(), r));
        for (int n = 0; n < fast.size(); n++) {
            Record f = fast.get(n);
            Record s = slow.get(n);
            assertThat(s.get("rank").asLong()).isEqualTo(n + 1);
            assertThat(relative(f.get("score").asDouble(), s.get("score").asDouble()))
                    .as("score at rank %d for %s", n + 1, cart).isLessThan(1e-9);
            if (!f.get("itemId").asString().equals(s.get("itemId").asString())) {
                Record twin = byId.get(f.get("itemId").asString());
                assertThat(twin).as("tie partner of %s", f.get("itemId")).isNotNull();
                assertThat(relative(f.get("score").asDouble(), twin.get("score").asDouble())).isLessThan(1e-9);
                s = twin;
            }
            for (String column : List.of("support", "confidence", "lift")) {
                assertThat(relative(f.get(column).asDouble(), s.get(column).asDouble()))
                        .as("%s of %s", column, f.get("itemId")).isLessThan(1e-9);
            }
            assertThat(s.get("reason").asString()).isEqualTo(f.get("reason").asString());
            assertThat(s.get("because").asList(Value::asString))
                    .as("because of %s", f.get("itemId"))
                    .containsExactlyElementsOf(f.get("because").asList(Value::asString));
        }
    }

    private static double relative(double a, double b) {
        return a == b ? 0.0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    }

    // --- exact values ------------------------------------------------------------------------

    @Test
    void scoresOfTheReferenceShopByHand() {
        // M is in 6 of the 7 orders. n: A=4, B=3, M=6, C=2, D=1; N=7.
        orders("ABM", "AB", "AM", "BMC", "MC", "MD", "AM");
        Record stats = refresh(Map.of("halfLifeDays", NULL));
        assertThat(stats.keys()).containsExactly("items", "baskets", "now", "basketMass", "millis");
        assertThat(stats.get("items").asLong()).isEqualTo(5);
        assertThat(stats.get("baskets").asLong()).isEqualTo(7);
        assertThat(stats.get("basketMass").asDouble()).isEqualTo(7.0);
        assertThat(stats.get("now").asZonedDateTime()).isEqualTo(ZonedDateTime.parse("2024-01-07T00:00:00Z"));
        assertThat(run("MATCH (i:Item) RETURN i.itemId AS id, i.bundleMass AS mass ORDER BY id"))
                .extracting(r -> r.get("id").asString() + "=" + r.get("mass").asDouble())
                .containsExactly("A=4.0", "B=3.0", "C=2.0", "D=1.0", "M=6.0");

        List<Record> rows = bundle(List.of("A"), 10, SIMPLE);
        assertThat(rows.get(0).keys()).isEqualTo(PROCEDURE_COLUMNS);
        assertThat(rows).allMatch(r -> r.get("requestId").isNull() && r.get("variant").isNull());
        assertThat(rows).hasSize(2);
        // e(A,B) = 1/2 + 1 = 1.5, n(A,B) = 2: 1.5 / (4 * (3 + 1)); e(A,M) = 2.5: 2.5 / (4 * 7).
        expect(rows.get(0), "B", 1, 0.09375, 2.0, 0.5, 0.5 / (3.0 / 7), "bought together", "A");
        expect(rows.get(1), "M", 2, 2.5 / 28, 3.0, 0.75, 0.75 / (6.0 / 7), "bought together", "A");

        rows = bundle(List.of("A", "C", "A"), 10, SIMPLE);
        expect(rows.get(0), "M", 1, 2.5 / 28 + 1.5 / 14, 5.0, 5.0 / 6, (5.0 / 6) / (6.0 / 7),
                "bought together", "C", "A");
        expect(rows.get(1), "B", 2, 0.15625, 3.0, 0.5, 0.5 / (3.0 / 7), "bought together", "A", "C");
        assertThat(ids(bundle(List.of("A", "C"), 1, SIMPLE))).containsExactly("M");

        Map<String, Object> small = new HashMap<>(SIMPLE);
        small.put("maxBasketSize", 2L);
        rows = bundle(List.of("A"), 10, small);
        expect(rows.get(0), "M", 1, 2.0 / 28, 2.0, 0.5, 0.5 / (6.0 / 7), "bought together", "A");
        expect(rows.get(1), "B", 2, 1.0 / 16, 1.0, 0.25, 0.25 / (3.0 / 7), "bought together", "A");

        for (Map<String, Object> config : List.of(SIMPLE, small, FLAT, Map.<String, Object>of(), NO_ADJACENCY)) {
            for (List<String> cart : List.of(List.of("A"), List.of("A", "C"), List.of("M", "D", "B"))) {
                assertSame(cart, 10, config);
                assertSame(cart, 1, config);
            }
        }
    }

    @Test
    void tiesGoToTheSmallerIdAndDefaultsDecayByDays() {
        orders("AYX", "BYX", "AB");
        refresh(Map.of());
        // Without adjacency, from A: e(A,B) = 1 (a day newer) beats e(A,X) = e(A,Y) =
        // 2^(-1/135)/sqrt(2); X and Y tie.
        List<Record> rows = bundle(List.of("A"), 10, NO_ADJACENCY);
        assertThat(ids(rows)).containsExactly("B", "X", "Y");
        double d = Math.pow(0.5, 2.0 / 135);
        double massA = d + 1.0; // AYX two days old, AB today
        double denX = Math.pow(d + Math.pow(0.5, 1.0 / 135) + 10.0, 0.6);
        assertThat(rows.get(1).get("score").asDouble())
                .isCloseTo(d / Math.sqrt(2) / Math.pow(massA, 0.5) / denX, EXACT);
        assertThat(rows.get(1).get("score").asDouble()).isEqualTo(rows.get(2).get("score").asDouble());
        // With it (the default), Y is on the line next to A: 3 times the evidence of X.
        rows = bundle(List.of("A"), 10, Map.of());
        assertThat(ids(rows)).containsExactly("B", "Y", "X");
        assertThat(rows.get(1).get("score").asDouble()).isCloseTo(3 * rows.get(2).get("score").asDouble(), EXACT);
        for (Map<String, Object> config : List.of(Map.<String, Object>of(), NO_ADJACENCY)) {
            assertSame(List.of("A"), 10, config);
            assertSame(List.of("A", "B"), 10, config);
            assertSame(List.of("A", "B"), 1, config);
        }
    }

    @Test
    void neighbouringLinesWeighTheEvidenceAndChangeTheRanking() {
        // The reference's fixture: A is next to B, X and Y, never next to C.
        orders("AB", "AXC", "CYA");
        refresh(Map.of("halfLifeDays", NULL));
        assertThat(ids(bundle(List.of("A"), 10, FLAT))).containsExactly("C", "B", "X", "Y");
        Map<String, Object> adjacent = new HashMap<>(FLAT);
        adjacent.put("adjacencyBonus", 2.0);
        List<Record> rows = bundle(List.of("A"), 10, adjacent);
        // e = 1 * 3 for B, X, Y and 1 + 1 for C; support, confidence and lift as without.
        expect(rows.get(0), "B", 1, 3.0, 1.0, 1.0 / 3, 1.0, "bought together", "A");
        expect(rows.get(1), "X", 2, 3.0, 1.0, 1.0 / 3, 1.0, "bought together", "A");
        expect(rows.get(2), "Y", 3, 3.0, 1.0, 1.0 / 3, 1.0, "bought together", "A");
        expect(rows.get(3), "C", 4, 2.0, 2.0, 2.0 / 3, 1.0, "bought together", "A");
        for (Map<String, Object> config : List.of(FLAT, adjacent, Map.<String, Object>of(), SIMPLE)) {
            for (List<String> cart : List.of(List.of("A"), List.of("C"), List.of("X", "Y"))) {
                assertSame(cart, 10, config);
            }
        }

        // Positions from the graph: ties go by item id, a line without a position has no
        // neighbour and takes no place. Order q: P at 1, Q at 1, R at 0, S without:
        // the line order is R, P, Q.
        run("""
                CREATE (q:Order {orderId: 'q', kind: 'order'})
                WITH q
                UNWIND [['P', 1], ['Q', 1], ['R', 0], ['S', null]] AS line
                MERGE (i:Item {itemId: line[0]})
                CREATE (q)-[r:CONTAINS {weight: 1.0}]->(i)
                SET r.position = line[1]
                """);
        refresh(Map.of("halfLifeDays", NULL));
        Map<String, Object> bonus1 = new HashMap<>(FLAT);
        bonus1.put("adjacencyBonus", 1.0);
        assertThat(bundle(List.of("R"), 10, bonus1)).extracting(r -> r.get("itemId").asString() + " "
                + r.get("score").asDouble()).containsExactly("P 2.0", "Q 1.0", "S 1.0");
        assertThat(bundle(List.of("Q"), 10, bonus1)).extracting(r -> r.get("itemId").asString() + " "
                + r.get("score").asDouble()).containsExactly("P 2.0", "R 1.0", "S 1.0");
        assertThat(bundle(List.of("S"), 10, bonus1)).extracting(r -> r.get("score").asDouble())
                .containsExactly(1.0, 1.0, 1.0);
        for (Map<String, Object> config : List.of(bonus1, Map.<String, Object>of())) {
            for (List<String> cart : List.of(List.of("P"), List.of("Q"), List.of("R"), List.of("S"),
                    List.of("R", "A"))) {
                assertSame(cart, 10, config);
            }
        }
    }

    @Test
    void sourcesUsersAndRelationshipWeights() {
        // The reference's fixture: an order AB (B at weight 0.5), a session carting A and C and
        // viewing A and D, another session viewing A and D; all anonymous.
        graph("""
                CREATE (a:Item {itemId: 'A'}), (b:Item {itemId: 'B'}), (c:Item {itemId: 'C'}),
                       (d:Item {itemId: 'D'}),
                       (o:Order {orderId: 'o0', kind: 'order'}), (x:Order {orderId: 'x0', kind: 'cancellation'}),
                       (s0:Session {sessionId: 's0'}), (s1:Session {sessionId: 's1'}),
                       (o)-[:CONTAINS {weight: 1.0}]->(a), (o)-[:CONTAINS {weight: 0.5}]->(b),
                       (x)-[:CONTAINS {weight: 1.0}]->(a), (x)-[:CONTAINS {weight: 1.0}]->(c),
                       (s0)-[:ADDED_TO_CART {weight: 1.0}]->(a), (s0)-[:ADDED_TO_CART {weight: 1.0}]->(c),
                       (s0)-[:VIEWED {weight: 1.0}]->(a), (s0)-[:VIEWED {weight: 1.0}]->(d),
                       (s1)-[:VIEWED {weight: 1.0}]->(a), (s1)-[:VIEWED]->(d),
                       (s1)-[:REMOVED_FROM_CART {weight: 1.0}]->(b)
                """, Map.of());
        Record stats = refresh(Map.of());
        // 1 order, 1 cart basket, 2 view baskets; no times: no now, no decay.
        assertThat(stats.get("baskets").asLong()).isEqualTo(4);
        assertThat(stats.get("now").isNull()).isTrue();
        assertThat(stats.get("basketMass").asDouble()).isCloseTo(1.0 + 0.5 + 0.1 + 0.1, EXACT);
        // Only the order has a weight other than 1 (views without a weight count as 1).
        assertThat(run("MATCH (s:BundleStats) RETURN s.weightedSources AS w").get(0).get("w").asList(Value::asString))
                .containsExactly("order");
        // B: 1 * 0.5; C: cart 0.5; D: two views of 0.1. n(A) = 1 + 0.5 + 0.2 = 1.7.
        List<Record> rows = bundle(List.of("A"), 10, FLAT);
        assertThat(ids(rows)).containsExactly("B", "C", "D");
        double n = 1.7;
        expect(rows.get(0), "B", 1, 0.5, 0.5, 0.5 / n, (0.5 / n) / (0.5 / 1.7), "bought together", "A");
        expect(rows.get(1), "C", 2, 0.5, 0.5, 0.5 / n, (0.5 / n) / (0.5 / 1.7), "added to cart together", "A");
        assertThat(rows.get(2).get("score").asDouble()).isCloseTo(0.2, EXACT);
        assertThat(rows.get(2).get("reason").asString()).isEqualTo("viewed together");
        assertSame(List.of("A"), 10, FLAT);
        assertSame(List.of("A"), 10, Map.of());
        assertSame(List.of("D", "C"), 10, Map.of());

        // Without views: D is gone, and the config of the bundle call must say so or be silent.
        refresh(Map.of("viewWeight", 0.0));
        assertThat(ids(bundle(List.of("A"), 10, FLAT))).containsExactly("B", "C");
        assertThat(ids(bundle(List.of("A"), 10, Map.of("viewWeight", 0.0)))).containsExactly("B", "C");
        assertSame(List.of("A"), 10, FLAT);
        assertThat(run("MATCH (s:BundleStats) RETURN s.viewWeight AS v, s.halfLifeDays AS h, s.key AS key"))
                .extracting(r -> r.get("key").asString() + " " + r.get("v").asDouble() + " " + r.get("h").asDouble())
                .containsExactly("default 0.0 135.0");
    }

    @Test
    void eachUserAddsAtMostTheCapAndABasketOfSeveralUsersIsTheSmallestIds() {
        // u1 bought P with Q three times (once in an order shared with u2); u2 and an anonymous
        // order bought P with R. Cap 1: n(P,Q) = 1, n(P,R) = 2.
        graph("""
                CREATE (p:Item {itemId: 'P'}), (q:Item {itemId: 'Q'}), (r:Item {itemId: 'R'}),
                       (u1:User {userId: 'u1'}), (u2:User {userId: 'u2'})
                WITH *
                UNWIND [[0, ['u1'], 'Q'], [1, ['u2', 'u1'], 'Q'], [2, ['u1'], 'Q'], [3, ['u2'], 'R'], [4, [], 'R']] AS row
                CREATE (o:Order {orderId: 'o' + row[0], kind: 'order',
                                 at: datetime('2024-03-01T12:00:00Z') + duration({days: row[0]})})
                CREATE (o)-[:CONTAINS {weight: 1.0}]->(p)
                WITH o, row
                MATCH (other:Item {itemId: row[2]})
                CREATE (o)-[:CONTAINS {weight: 1.0}]->(other)
                WITH o, row
                UNWIND row[1] AS userId
                MATCH (u:User {userId: userId})
                CREATE (u)-[:PLACED]->(o)
                """, Map.of());
        refresh(Map.of("halfLifeDays", NULL));
        assertThat(bundle(List.of("P"), 10, FLAT))
                .extracting(r -> r.get("itemId").asString() + " " + r.get("support").asDouble())
                .containsExactly("R 2.0", "Q 1.0");
        assertThat(run("MATCH (i:Item {itemId: 'P'}) RETURN i.bundleMass AS m").get(0).get("m").asDouble())
                .isEqualTo(3.0);
        assertSame(List.of("P"), 10, FLAT);
        assertSame(List.of("Q", "R"), 10, Map.of());

        refresh(Map.of("halfLifeDays", NULL, "userCap", 10.0));
        assertThat(bundle(List.of("P"), 10, FLAT))
                .extracting(r -> r.get("itemId").asString() + " " + r.get("support").asDouble())
                .containsExactly("Q 3.0", "R 2.0");
        assertSame(List.of("P"), 10, FLAT);
    }

    // --- filters -----------------------------------------------------------------------------

    /** From A, by score: B, C, D, E, F, G (A shares fewer orders with each further down). */
    private void filterShop() {
        graph("""
                CREATE (acme:Brand {name: 'acme'}), (zeta:Brand {name: 'zeta'}),
                       (home:Category {code: 'home'}), (kitchen:Category {code: 'home.kitchen'}),
                       (garden:Category {code: 'garden'}), (kitchen)-[:CHILD_OF]->(home),
                       (u:User {userId: 'u1'})
                WITH *
                UNWIND [['A', 1.0, true, 'acme', 'home'], ['B', 5.0, true, 'acme', 'home.kitchen'],
                        ['C', 50.0, true, 'acme', 'home'], ['D', 5.0, false, 'zeta', 'garden'],
                        ['E', null, true, 'acme', 'garden'], ['F', 5.0, null, 'zeta', 'home.kitchen'],
                        ['G', 5.0, true, null, 'garden']] AS row
                CREATE (i:Item {itemId: row[0]})
                SET i.price = row[1], i.inStock = row[2]
                WITH *
                OPTIONAL MATCH (brand:Brand {name: row[3]})
                MATCH (category:Category {code: row[4]})
                CREATE (i)-[:IN_CATEGORY]->(category)
                FOREACH (_ IN CASE WHEN brand IS NULL THEN [] ELSE [1] END | CREATE (i)-[:HAS_BRAND]->(brand))
                """, Map.of());
        run("""
                UNWIND range(0, size($others) - 1) AS n
                MATCH (a:Item {itemId: 'A'}), (j:Item {itemId: $others[n]})
                CREATE (o:Order {orderId: 'o' + n, kind: 'order'})
                CREATE (o)-[:CONTAINS {weight: 1.0}]->(a), (o)-[:CONTAINS {weight: 1.0}]->(j)
                """, Map.of("others", List.of("B", "B", "B", "B", "B", "B", "C", "C", "C", "C", "C",
                "D", "D", "D", "D", "E", "E", "E", "F", "F", "G")));
        // u1 bought C (and A) in an order, and F in a cancellation (not a purchase).
        run("""
                MATCH (u:User {userId: 'u1'}), (c:Item {itemId: 'C'}), (f:Item {itemId: 'F'})
                CREATE (u)-[:PLACED]->(:Order {orderId: 'mine', kind: 'order'})-[:CONTAINS]->(c),
                       (u)-[:PLACED]->(:Order {orderId: 'undo', kind: 'cancellation'})-[:CONTAINS]->(f)
                """);
        refresh(Map.of());
    }

    @Test
    void filtersAndTheBrandLimit() {
        filterShop();
        // In stock by default: D (inStock false) is left out; E without inStock is in stock.
        assertThat(ids(bundle(List.of("A"), 10, Map.of()))).containsExactly("B", "C", "E", "F", "G");
        assertThat(ids(bundle(List.of("A"), 10, Map.of("inStockOnly", false))))
                .containsExactly("B", "C", "D", "E", "F", "G");
        assertThat(ids(bundle(List.of("A"), 10, Map.of("user", "u1")))).containsExactly("B", "E", "F", "G");
        assertThat(ids(bundle(List.of("A"), 10, Map.of("user", "nobody")))).containsExactly("B", "C", "E", "F", "G");
        assertThat(ids(bundle(List.of("A"), 10, Map.of("maxPrice", 5L)))).containsExactly("B", "F", "G");
        assertThat(ids(bundle(List.of("A"), 10, Map.of("categories", List.of("home")))))
                .containsExactly("B", "C", "F");
        assertThat(ids(bundle(List.of("A"), 10, Map.of("categories", List.of("home.kitchen", "garden")))))
                .containsExactly("B", "E", "F", "G");
        // Two per brand: acme B, C; zeta D, F; G has no brand. D out of stock leaves room for F.
        assertThat(ids(bundle(List.of("A"), 10, Map.of("maxPerBrand", 2L)))).containsExactly("B", "C", "F", "G");
        assertThat(ids(bundle(List.of("A"), 2, Map.of("maxPerBrand", 1L, "inStockOnly", false))))
                .containsExactly("B", "D");
        assertThat(ids(bundle(List.of("A"), 10, Map.of("maxPerBrand", 1L, "user", "u1", "maxPrice", 10.0))))
                .containsExactly("B", "F", "G");
        for (Map<String, Object> config : List.<Map<String, Object>>of(
                Map.of(), Map.of("inStockOnly", false), Map.of("user", "u1"), Map.of("maxPrice", 5L),
                Map.of("categories", List.of("home")), Map.of("maxPerBrand", 2L),
                Map.of("maxPerBrand", 1L, "inStockOnly", false),
                Map.of("maxPerBrand", 1L, "user", "u1", "maxPrice", 10.0, "categories", List.of("garden", "home")))) {
            assertSame(List.of("A"), 10, config);
            assertSame(List.of("A"), 2, config);
            assertSame(List.of("B", "G"), 10, config);
        }
    }

    // --- the procedure equals the statement on a random shop --------------------------------

    @Test
    void procedureAndStatementAgreeOnARandomShop() {
        randomShop(7);
        SplittableRandom random = new SplittableRandom(11);
        List<Map<String, Object>> refreshes = List.of(
                Map.of(),
                Map.of("halfLifeDays", 20.0, "userCap", 1.5, "cartWeight", 0.8, "viewWeight", 0.3));
        List<Map<String, Object>> configs = List.of(
                Map.of(),
                Map.of("adjacencyBonus", 0.0),
                Map.of("adjacencyBonus", 5.0, "sizeExponent", 0.0),
                Map.of("alpha", 1.0, "beta", 0.3, "smoothing", 2.0, "sizeExponent", 1.0, "maxBasketSize", 4L),
                Map.of("inStockOnly", false, "maxPerBrand", 1L, "user", "u3"),
                Map.of("categories", List.of("c1"), "maxPrice", 60.0, "alpha", 0.0, "beta", 1.0));
        int compared = 0;
        for (Map<String, Object> refreshConfig : refreshes) {
            refresh(refreshConfig);
            for (Map<String, Object> config : configs) {
                for (int n = 0; n < 6; n++) {
                    List<String> cart = new ArrayList<>();
                    int size = 1 + random.nextInt(4);
                    while (cart.size() < size) {
                        cart.add("i" + random.nextInt(60));
                    }
                    assertSame(cart, 1000, config);
                    compared += bundle(cart, 1000, config).size();
                }
            }
        }
        assertThat(compared).as("rows compared").isGreaterThan(500);
    }

    // --- the pair index ----------------------------------------------------------------------

    /** Calls of {@code shopgraph.bundle} (and their Cypher twins) that scored over the index. */
    private long indexedDuring(Runnable calls) {
        long before = PairIndexes.indexedCalls();
        calls.run();
        return PairIndexes.indexedCalls() - before;
    }

    @Test
    void callsScoreOverTheLiveIndexWhichFollowsEveryCommit() {
        randomShop(3);
        refresh(Map.of());
        List<String> cart = List.of("i1", "i4");
        // The refresh built it: default calls, and any alpha, beta, smoothing or filter, read it.
        assertThat(indexedDuring(() -> assertSame(cart, 1000, Map.of()))).isEqualTo(1);
        assertThat(indexedDuring(() -> assertSame(cart, 5, Map.of("alpha", 1.0, "beta", 0.2, "smoothing", 3.0,
                "maxPerBrand", 1L, "inStockOnly", false)))).isEqualTo(1);
        // Other pair sums: the traversal.
        assertThat(indexedDuring(() -> assertSame(cart, 1000, Map.of("sizeExponent", 1.0)))).isZero();
        assertThat(indexedDuring(() -> assertSame(cart, 1000, Map.of("maxBasketSize", 4L)))).isZero();
        assertThat(indexedDuring(() -> assertSame(cart, 1000, Map.of("adjacencyBonus", 1.0)))).isZero();
        assertThat(indexedDuring(() -> assertSame(cart, 1000, Map.of("adjacencyBonus", 2L)))).isEqualTo(1);

        // A late anonymous order of a cart item and the last item ranked: 1 more support for it
        // (newer than the refresh's now, it counts as of now; its own user; nothing capped).
        List<Record> before = bundle(cart, 1000, Map.of());
        String other = before.get(before.size() - 1).get("itemId").asString();
        double support = support(before, other);
        String late = """
                MATCH (a:Item {itemId: 'i1'}), (b:Item {itemId: $other})
                CREATE (o:Order {orderId: 'late', kind: 'order', at: datetime('2030-01-01T00:00:00Z')}),
                       (o)-[:CONTAINS {weight: 1.0}]->(a), (o)-[:CONTAINS {weight: 1.0}]->(b)
                """;
        // Written in the caller's own transaction: that call traverses and sees it.
        Map<String, Object> params = Map.of("cart", cart, "k", 1000L, "config", Map.of());
        try (Session session = driver.session(); org.neo4j.driver.Transaction tx = session.beginTransaction()) {
            tx.run(late, Map.of("other", other)).consume();
            long calls = PairIndexes.indexedCalls();
            List<Record> fast = tx.run("CALL shopgraph.bundle($cart, $k, $config)", params).list();
            assertThat(PairIndexes.indexedCalls()).isEqualTo(calls);
            assertThat(support(fast, other)).isCloseTo(support + 1.0, EXACT);
            assertThat(ids(tx.run(statement, params).list())).isEqualTo(ids(fast));
            tx.rollback();
        }
        assertThat(support(bundle(cart, 1000, Map.of()), other)).isEqualTo(support);

        // Committed: within a second the index has merged it, and calls read it over the index.
        run(late, Map.of("other", other));
        Await.until("the live index shows the late order", () -> indexedDuring(() -> {
            List<Record> rows = bundle(cart, 1000, Map.of());
            assertThat(rows).isNotEmpty();
        }) == 1 && Math.abs(support(bundle(cart, 1000, Map.of()), other) - (support + 1.0)) < 1e-12,
                Duration.ofSeconds(1));

        // The late order's two items were recomputed since the refresh's build.
        Record status = run("CALL shopgraph.bundle.status()").get(0);
        assertThat(status.get("mergedItems").asLong()).isEqualTo(2);
        assertThat(status.get("items").asLong()).isEqualTo(60);
        assertThat(status.get("merges").asLong()).isPositive();
        // The merged index holds what a full build of the same graph holds: the same rows, bit
        // for bit, for carts of changed and unchanged items, and for other knobs that read it.
        List<List<String>> carts = List.of(cart, List.of(other), List.of("i2", "i30", "i7"), List.of("i0"),
                List.of("i1"), List.of("i5", "i9"));
        List<Map<String, Object>> knobs = List.of(Map.of(), Map.of("alpha", 1.0, "beta", 0.2, "smoothing", 3.0));
        Map<String, List<Map<String, Object>>> merged = answers(carts, knobs);
        run("CALL shopgraph.bundle.compact()");
        assertThat(answers(carts, knobs)).isEqualTo(merged);
        assertThat(run("CALL shopgraph.bundle.status()").get(0).get("mergedItems").asLong()).isZero();
        // The masses are those the next refresh stores (Item.bundleMass, what the statement
        // reads); until then the statement reads those of the last refresh.
        refresh(Map.of());
        for (List<String> more : carts) {
            assertThat(indexedDuring(() -> assertSame(more, 1000, Map.of()))).isEqualTo(1);
        }
    }

    @Test
    void aMergeOfManyItemsGoesInStepsAndEndsAsAFullBuild() {
        randomShop(7);
        refresh(Map.of());
        PairIndexes.awaitMerged(neo4j.defaultDatabaseService(), NullLog.getInstance());
        long before = run("CALL shopgraph.bundle.status()").get(0).get("merges").asLong();
        // One commit of 25 new orders over 50 items (i10 to i59, two each): a merge of 50 items,
        // published in two steps of at most 32.
        run("""
                UNWIND range(0, 24) AS n
                MATCH (a:Item {itemId: 'i' + (10 + 2 * n)}), (b:Item {itemId: 'i' + (11 + 2 * n)})
                CREATE (o:Order {orderId: 'many-' + n, kind: 'order', at: datetime('2030-01-01T00:00:00Z')}),
                       (o)-[:CONTAINS {weight: 1.0}]->(a), (o)-[:CONTAINS {weight: 1.0}]->(b)
                """);
        PairIndexes.awaitMerged(neo4j.defaultDatabaseService(), NullLog.getInstance());
        Record status = run("CALL shopgraph.bundle.status()").get(0);
        assertThat(status.get("merges").asLong() - before).isEqualTo(2);
        assertThat(status.get("mergedItems").asLong()).isEqualTo(50);
        // A small order while a large merge goes on: merged between its steps or after it.
        run("""
                UNWIND range(0, 24) AS n
                MATCH (a:Item {itemId: 'i' + (11 + 2 * n)}), (b:Item {itemId: 'i' + (12 + 2 * n)})
                CREATE (o:Order {orderId: 'more-' + n, kind: 'order', at: datetime('2030-01-01T00:00:00Z')}),
                       (o)-[:CONTAINS {weight: 1.0}]->(a), (o)-[:CONTAINS {weight: 1.0}]->(b)
                """);
        run("""
                MATCH (a:Item {itemId: 'i1'}), (b:Item {itemId: 'i2'})
                CREATE (o:Order {orderId: 'small', kind: 'order', at: datetime('2030-01-01T00:00:00Z')}),
                       (o)-[:CONTAINS {weight: 1.0}]->(a), (o)-[:CONTAINS {weight: 1.0}]->(b)
                """);
        PairIndexes.awaitMerged(neo4j.defaultDatabaseService(), NullLog.getInstance());
        List<List<String>> carts = List.of(List.of("i1"), List.of("i2"), List.of("i10", "i11"), List.of("i59"),
                List.of("i30", "i31", "i32"), List.of("i0"));
        List<Map<String, Object>> knobs = List.of(Map.of(), Map.of("alpha", 1.0, "beta", 0.2, "smoothing", 3.0));
        Map<String, List<Map<String, Object>>> merged = answers(carts, knobs);
        run("CALL shopgraph.bundle.compact()");
        assertThat(answers(carts, knobs)).isEqualTo(merged);
    }

    @Test
    void aSessionMergeOfManyBasketLinesGoesInChunks() {
        randomShop(7);
        // 60 more items, each viewed in the same 3,000 sessions: 3,000 basket lines an item.
        run("UNWIND range(0, 59) AS n CREATE (:Item {itemId: 'h' + n})");
        run("""
                UNWIND range(0, 2999) AS n
                CREATE (s:Session {sessionId: 'hs' + n, start: datetime('2024-06-01T00:00:00Z')})
                WITH s
                MATCH (i:Item) WHERE i.itemId STARTS WITH 'h'
                CREATE (s)-[:VIEWED {weight: 1.0}]->(i)
                """);
        refresh(Map.of());
        PairIndexes.awaitMerged(neo4j.defaultDatabaseService(), NullLog.getInstance());
        Record before = run("CALL shopgraph.bundle.status()").get(0);
        // A new session viewing 25 of them: a session merge of 25 items of 3,001 lines each, in
        // chunks of as many items as the line budget holds.
        run("""
                CREATE (s:Session {sessionId: 'many-lines', start: datetime('2030-01-01T00:00:00Z')})
                WITH s
                UNWIND range(0, 24) AS n
                MATCH (i:Item {itemId: 'h' + n})
                CREATE (s)-[:VIEWED {weight: 1.0}]->(i)
                """);
        PairIndexes.awaitMerged(neo4j.defaultDatabaseService(), NullLog.getInstance());
        Record after = run("CALL shopgraph.bundle.status()").get(0);
        int perChunk = (int) (LiveIndex.SESSION_CHUNK_LINES / 3001);
        int chunks = (25 + perChunk - 1) / perChunk;
        assertThat(chunks).isGreaterThan(1);
        assertThat(after.get("sessionMerges").asLong() - before.get("sessionMerges").asLong()).isEqualTo(1);
        assertThat(after.get("merges").asLong() - before.get("merges").asLong()).isEqualTo(chunks);
        assertThat(after.get("builds").asLong()).isEqualTo(before.get("builds").asLong());
        assertThat(after.get("mergedItems").asLong()).isEqualTo(25);
        List<List<String>> carts = List.of(List.of("h0"), List.of("h24"), List.of("h25"), List.of("h3", "h40"),
                List.of("i1"));
        List<Map<String, Object>> knobs = List.of(Map.of(), Map.of("alpha", 1.0, "beta", 0.2, "smoothing", 3.0));
        Map<String, List<Map<String, Object>>> merged = answers(carts, knobs);
        run("CALL shopgraph.bundle.compact()");
        assertThat(answers(carts, knobs)).isEqualTo(merged);
    }

    @Test
    void ordersCommittedWhileFullBuildsRunEndAsAFullBuild() throws Exception {
        randomShop(11);
        refresh(Map.of());
        PairIndexes.awaitMerged(neo4j.defaultDatabaseService(), NullLog.getInstance());
        // Orders committed while full builds run: the items merged meanwhile are recomputed
        // over each new base before it is published (a few items a build here: one step).
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int n = 0; n < 120; n++) {
                retried("""
                        MATCH (a:Item {itemId: $a}), (b:Item {itemId: $b}), (c:Item {itemId: $c})
                        CREATE (o:Order {orderId: $id, kind: 'order', at: datetime('2030-01-01T00:00:00Z')}),
                               (o)-[:CONTAINS {weight: 1.0}]->(a), (o)-[:CONTAINS {weight: 1.0}]->(b),
                               (o)-[:CONTAINS {weight: 1.0}]->(c)
                        """, Map.of("id", "w" + n, "a", "i" + n % 60, "b", "i" + (7 * n + 3) % 60,
                        "c", "i" + (13 * n + 5) % 60));
            }
        });
        int builds = 0;
        while (!writer.isDone() || builds == 0) {
            // A build reading what a writer changes meanwhile may fail as transient: retried.
            retried("CALL shopgraph.bundle.compact()", Map.of());
            builds++;
        }
        writer.get();
        PairIndexes.awaitMerged(neo4j.defaultDatabaseService(), NullLog.getInstance());
        List<List<String>> carts = List.of(List.of("i1"), List.of("i3", "i5"), List.of("i20", "i40", "i59"),
                List.of("i0"));
        List<Map<String, Object>> knobs = List.of(Map.of(), Map.of("alpha", 1.0, "beta", 0.2, "smoothing", 3.0));
        Map<String, List<Map<String, Object>>> merged = answers(carts, knobs);
        run("CALL shopgraph.bundle.compact()");
        assertThat(answers(carts, knobs)).isEqualTo(merged);
        assertThat(builds).isPositive();
    }

    /** {@code cypher} in a managed write transaction, retried on transient errors. */
    private void retried(String cypher, Map<String, Object> params) {
        try (Session session = driver.session()) {
            session.executeWriteWithoutResult(tx -> tx.run(cypher, params).consume());
        }
    }

    /** The rows of each cart and config, as plain values (doubles compare bit for bit). */
    private Map<String, List<Map<String, Object>>> answers(List<List<String>> carts,
                                                           List<Map<String, Object>> configs) {
        Map<String, List<Map<String, Object>>> out = new LinkedHashMap<>();
        for (List<String> cart : carts) {
            for (Map<String, Object> config : configs) {
                for (long k : List.of(1L, 3L, 1000L)) {
                    out.put(cart + " " + config + " " + k,
                            bundle(cart, k, config).stream().map(Record::asMap).toList());
                }
            }
        }
        return out;
    }

    @Test
    void aDeletedUsersBasketsNoLongerCountAndMassesThatWentDownStayExact() {
        randomShop(5);
        refresh(Map.of());
        // Whatever earlier writes asked of the background is done: no full build runs below.
        PairIndexes.awaitMerged(neo4j.defaultDatabaseService(), NullLog.getInstance());
        List<List<String>> carts = new ArrayList<>();
        for (int n = 0; n < 12; n++) {
            carts.add(List.of("i" + n));
        }
        carts.add(List.of("i1", "i2", "i3"));
        List<Map<String, Object>> knobs = List.of(Map.of());
        Map<String, List<Map<String, Object>>> before = answers(carts, knobs);
        // u3 and everything of theirs goes: their sessions and orders are no baskets any more.
        run("""
                MATCH (u:User {userId: 'u3'}) OPTIONAL MATCH (u)-[:PLACED|HAS_SESSION]->(b)
                DETACH DELETE u, b
                """);
        Await.until("the live index no longer counts u3's baskets", () -> !answers(carts, knobs).equals(before),
                Duration.ofSeconds(1));
        PairIndexes.awaitMerged(neo4j.defaultDatabaseService(), NullLog.getInstance());
        IndexVersion version = PairIndexes.latest(neo4j.defaultDatabaseService(), stats(),
                NullLog.getInstance()).orElseThrow();
        // Masses went down: the bounds computed with the old ones are too low for those items,
        // which the calls then meet first; the answers stay those of a full build.
        assertThat(version.decreased()).isNotEmpty();
        Map<String, List<Map<String, Object>>> merged = answers(carts, knobs);
        run("CALL shopgraph.bundle.compact()");
        assertThat(answers(carts, knobs)).isEqualTo(merged);
    }

    private BundleStats stats() {
        try (org.neo4j.graphdb.Transaction tx = neo4j.defaultDatabaseService().beginTx()) {
            return StatsStore.read(tx).orElseThrow();
        }
    }

    private static double support(List<Record> rows, String item) {
        return rows.stream().filter(r -> r.get("itemId").asString().equals(item)).findFirst().orElseThrow()
                .get("support").asDouble();
    }

    /**
     * A seeded random shop: 60 items (brands, categories two levels deep, prices, stock), 40
     * users, 300 sessions (a third anonymous, some without start; views, carts, removals) and
     * 154 orders (some without user, some of two users, some cancelled, 4 wholesale orders of 55
     * to 60 lines, dense nodes), weights in [0, 1], line positions with ties and gaps (some
     * absent; views have some too, which nothing reads).
     */
    private void randomShop(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        SplittableRandom places = new SplittableRandom(seed + 1000); // positions: the same shop otherwise
        List<Map<String, Object>> items = new ArrayList<>();
        for (int n = 0; n < 60; n++) {
            Map<String, Object> item = new HashMap<>();
            item.put("id", "i" + n);
            item.put("brand", random.nextInt(5) == 0 ? null : "b" + random.nextInt(6));
            item.put("category", "c" + random.nextInt(3) + (random.nextBoolean() ? "" : "." + random.nextInt(2)));
            item.put("price", random.nextInt(6) == 0 ? null : 1.0 + random.nextInt(100));
            item.put("inStock", random.nextInt(8) == 0 ? Boolean.FALSE : random.nextBoolean() ? Boolean.TRUE : null);
            items.add(item);
        }
        List<Map<String, Object>> baskets = new ArrayList<>();
        for (int n = 0; n < 454; n++) {
            boolean order = n >= 300;
            boolean wholesale = n >= 450; // 55 to 60 lines: a dense node (50 relationships or more)
            Map<String, Object> basket = new HashMap<>();
            basket.put("id", (order ? "o" : "s") + n);
            basket.put("order", order);
            basket.put("kind", random.nextInt(10) == 0 ? "cancellation" : "order");
            basket.put("day", random.nextInt(12) == 0 ? null : (long) random.nextInt(365));
            List<String> users = new ArrayList<>();
            if (random.nextInt(3) > 0) {
                users.add("u" + random.nextInt(40));
                if (order && random.nextInt(8) == 0) {
                    users.add("u" + random.nextInt(40));
                }
            }
            basket.put("users", users.stream().distinct().toList());
            for (String type : List.of("contains", "views", "carts", "removals")) {
                List<List<Object>> lines = new ArrayList<>();
                boolean used = order == type.equals("contains") && (!type.equals("carts") || random.nextBoolean());
                int count = !used ? 0 : wholesale ? 200 : random.nextInt(type.equals("views") ? 7 : 5);
                for (int k = 0; k < count; k++) {
                    // Skewed popularity: low ids more often.
                    int item = (int) Math.min(59, Math.floor(Math.pow(random.nextDouble(), 2) * 60));
                    double weight = random.nextInt(5) == 0 ? random.nextInt(5) / 4.0 : 1.0;
                    Long position = places.nextInt(8) == 0 ? null : (long) places.nextInt(count + 3);
                    lines.add(java.util.Arrays.<Object>asList("i" + item, weight, position));
                }
                Map<Object, List<Object>> distinct = new LinkedHashMap<>();
                lines.forEach(line -> distinct.putIfAbsent(line.get(0), line));
                basket.put(type, new ArrayList<>(distinct.values()).subList(0, Math.min(distinct.size(),
                        wholesale ? 55 + random.nextInt(6) : distinct.size())));
            }
            baskets.add(basket);
        }
        graph("""
                UNWIND $items AS row
                MERGE (i:Item {itemId: row.id})
                SET i.price = row.price, i.inStock = row.inStock
                MERGE (c:Category {code: row.category})
                MERGE (i)-[:IN_CATEGORY]->(c)
                FOREACH (_ IN CASE WHEN row.category CONTAINS '.' THEN [1] ELSE [] END |
                  MERGE (p:Category {code: split(row.category, '.')[0]})
                  MERGE (c)-[:CHILD_OF]->(p))
                FOREACH (name IN CASE WHEN row.brand IS NULL THEN [] ELSE [row.brand] END |
                  MERGE (b:Brand {name: name})
                  MERGE (i)-[:HAS_BRAND]->(b))
                """, Map.of("items", items));
        run("""
                UNWIND $baskets AS row
                WITH row, CASE WHEN row.day IS NULL THEN null
                               ELSE datetime('2024-01-01T08:00:00Z') + duration({days: row.day, minutes: row.day * 7}) END AS time
                CALL (row, time) {
                  WITH row, time WHERE row.order
                  CREATE (o:Order {orderId: row.id, kind: row.kind, at: time})
                  WITH o, row
                  CALL (o, row) {
                    UNWIND row.contains AS line
                    MATCH (i:Item {itemId: line[0]})
                    CREATE (o)-[:CONTAINS {weight: line[1], position: line[2]}]->(i)
                  }
                  CALL (o, row) {
                    UNWIND row.users AS userId
                    MERGE (u:User {userId: userId})
                    CREATE (u)-[:PLACED]->(o)
                  }
                }
                CALL (row, time) {
                  WITH row, time WHERE NOT row.order
                  CREATE (s:Session {sessionId: row.id, start: time})
                  WITH s, row
                  CALL (s, row) {
                    UNWIND row.views AS line
                    MATCH (i:Item {itemId: line[0]})
                    CREATE (s)-[:VIEWED {weight: line[1], position: line[2]}]->(i)
                  }
                  CALL (s, row) {
                    UNWIND row.carts AS line
                    MATCH (i:Item {itemId: line[0]})
                    CREATE (s)-[:ADDED_TO_CART {weight: line[1]}]->(i)
                  }
                  CALL (s, row) {
                    UNWIND row.removals AS line
                    MATCH (i:Item {itemId: line[0]})
                    CREATE (s)-[:REMOVED_FROM_CART {weight: line[1]}]->(i)
                  }
                  CALL (s, row) {
                    UNWIND row.users AS userId
                    MERGE (u:User {userId: userId})
                    CREATE (u)-[:HAS_SESSION]->(s)
                  }
                }
                """, Map.of("baskets", baskets));
    }

    // --- signatures and bad input ------------------------------------------------------------

    @Test
    void proceduresAreListedWithModesAndDescribedArguments() {
        List<Record> rows = run("SHOW PROCEDURES YIELD name, mode, description, signature, argumentDescription"
                + " WHERE name STARTS WITH 'shopgraph.bundle' RETURN * ORDER BY name");
        assertThat(rows).extracting(r -> r.get("name").asString() + " " + r.get("mode").asString())
                .containsExactly("shopgraph.bundle READ", "shopgraph.bundle.compact READ",
                        "shopgraph.bundle.refresh WRITE", "shopgraph.bundle.status READ");
        assertThat(rows.get(0).get("signature").asString()).isEqualTo("shopgraph.bundle(cart :: LIST<STRING>,"
                + " k = 10 :: INTEGER, config = {} :: MAP) :: (itemId :: STRING, score :: FLOAT, rank :: INTEGER,"
                + " reason :: STRING, support :: FLOAT, confidence :: FLOAT, lift :: FLOAT, because :: LIST<STRING>,"
                + " requestId :: STRING, variant :: STRING)");
        assertThat(rows.get(1).get("signature").asString()).isEqualTo("shopgraph.bundle.compact() :: (items ::"
                + " INTEGER, pairs :: INTEGER, millis :: INTEGER, bytes :: INTEGER)");
        assertThat(rows.get(1).get("description").asString()).contains("Nothing is written");
        assertThat(rows.get(3).get("signature").asString()).isEqualTo("shopgraph.bundle.status() :: (version ::"
                + " INTEGER, items :: INTEGER, pairs :: INTEGER, mergedItems :: INTEGER, mergedPairs :: INTEGER,"
                + " decreased :: INTEGER, merges :: INTEGER, itemsMerged :: INTEGER, mergeMillis :: INTEGER,"
                + " sessionMerges :: INTEGER, builds :: INTEGER, bytes :: INTEGER)");
        assertThat(rows.get(2).get("signature").asString()).isEqualTo("shopgraph.bundle.refresh(config = {} :: MAP)"
                + " :: (items :: INTEGER, baskets :: INTEGER, now :: ZONED DATETIME, basketMass :: FLOAT,"
                + " millis :: INTEGER)");
        for (Record row : List.of(rows.get(0), rows.get(2))) {
            assertThat(row.get("description").asString()).contains("Config keys");
            assertThat(row.get("argumentDescription").asList(v -> v.get("description").asString()))
                    .allSatisfy(text -> assertThat(text).isNotBlank());
        }
    }

    /** The procedure's error as it reaches the client: {@code [code details] sentence}. */
    private void assertFails(String cypher, Map<String, Object> params, String error) {
        assertThatThrownBy(() -> run(cypher, params))
                .isInstanceOf(ClientException.class)
                .hasMessageEndingWith("ShopgraphException: " + error);
    }

    private void assertBundleFails(List<String> cart, long k, Map<String, Object> config, String error) {
        Map<String, Object> params = new HashMap<>();
        params.put("cart", cart);
        params.put("k", k);
        params.put("config", config);
        assertFails("CALL shopgraph.bundle($cart, $k, $config)", params, error);
    }

    @Test
    void everyBadInputIsAnErrorWithACodeAndASentence() {
        orders("AB", "BC");
        run("MATCH (s:BundleStats) DELETE s");
        String bad = "[shopgraph.bad_argument] ";
        assertBundleFails(List.of("A"), 10, Map.of(), "[shopgraph.conflict] Bundle statistics are missing: run"
                + " CALL shopgraph.bundle.refresh() after loading data.");
        refresh(Map.of());
        List<String> fine = List.of("A");
        assertBundleFails(fine, 0, Map.of(), bad + "k must be between 1 and 1000, got 0.");
        assertBundleFails(fine, 1001, Map.of(), bad + "k must be between 1 and 1000, got 1001.");
        assertBundleFails(List.of(), 10, Map.of(), bad + "A cart must have 1 to 50 items, got 0.");
        List<String> tooMany = IntStream.range(0, 51).mapToObj(n -> "x" + n).toList();
        assertBundleFails(tooMany, 10, Map.of(), bad + "A cart must have 1 to 50 items, got 51.");
        // Repeats count once: 51 times the same item is a cart of one.
        assertThat(bundle(Collections.nCopies(51, "A"), 10, Map.of())).hasSize(1);
        assertBundleFails(null, 10, Map.of(), bad + "cart must be a list of 1 to 50 item ids, got null.");
        assertBundleFails(Arrays.asList("A", null), 10, Map.of(),
                bad + "cart must hold non-empty ids, got null at position 2.");
        assertBundleFails(List.of("nope"), 10, Map.of(),
                "[shopgraph.unknown_id {\"kind\":\"item\",\"ids\":[\"nope\"]}] Unknown item id: nope.");
        assertBundleFails(List.of("x", "A", "y", "x"), 10, Map.of(),
                "[shopgraph.unknown_id {\"kind\":\"item\",\"ids\":[\"x\",\"y\"]}] Unknown item ids: x, y.");
        assertBundleFails(fine, 10, Map.of("maxPerBrnd", 2L), bad + "Unknown config key 'maxPerBrnd'; known keys:"
                + " alpha, beta, smoothing, sizeExponent, maxBasketSize, adjacencyBonus, user, maxPerBrand,"
                + " categories, inStockOnly, maxPrice, orderWeight, cartWeight, viewWeight, halfLifeDays, userCap.");
        assertBundleFails(fine, 10, Map.of("alpha", "high"),
                bad + "Config key 'alpha' must be a finite number of at least 0, got the string 'high'.");
        assertBundleFails(fine, 10, Map.of("beta", -1.0),
                bad + "Config key 'beta' must be a finite number of at least 0, got the float -1.0.");
        assertBundleFails(fine, 10, Map.of("smoothing", Double.NaN),
                bad + "Config key 'smoothing' must be a finite number of at least 0, got the float NaN.");
        assertBundleFails(fine, 10, Map.of("maxBasketSize", 1L),
                bad + "Config key 'maxBasketSize' must be between 2 and 1000000, got 1.");
        assertBundleFails(fine, 10, Map.of("maxBasketSize", 2.5),
                bad + "Config key 'maxBasketSize' must be an integer, got the float 2.5.");
        assertBundleFails(fine, 10, Map.of("adjacencyBonus", -1L),
                bad + "Config key 'adjacencyBonus' must be a finite number of at least 0, got the integer -1.");
        assertBundleFails(fine, 10, Map.of("adjacencyBonus", true),
                bad + "Config key 'adjacencyBonus' must be a finite number of at least 0, got the boolean true.");
        assertBundleFails(fine, 10, Map.of("maxPerBrand", 0L),
                bad + "Config key 'maxPerBrand' must be between 1 and 1000, got 0.");
        assertBundleFails(fine, 10, Map.of("user", 5L), bad + "Config key 'user' must be a non-empty id, got the"
                + " integer 5.");
        assertBundleFails(fine, 10, Map.of("inStockOnly", "yes"),
                bad + "Config key 'inStockOnly' must be a boolean, got the string 'yes'.");
        assertBundleFails(fine, 10, Map.of("maxPrice", -1L),
                bad + "Config key 'maxPrice' must be a finite number of at least 0, got the integer -1.");
        assertBundleFails(fine, 10, Map.of("categories", "home"),
                bad + "Config key 'categories' must be a list of non-empty strings, got the string 'home'.");
        assertBundleFails(fine, 10, Map.of("categories", List.of()), bad + "Config key 'categories' must name at"
                + " least one category code, or be left out for every category.");
        assertBundleFails(fine, 10, Map.of("categories", List.of("home", "garden")),
                "[shopgraph.unknown_id {\"kind\":\"category\",\"ids\":[\"home\",\"garden\"]}] Unknown category"
                        + " ids: home, garden.");
        assertBundleFails(fine, 10, Map.of("orderWeight", 0.5), "[shopgraph.conflict] Config key 'orderWeight' is"
                + " 0.5 but the last refresh used 1.0: run CALL shopgraph.bundle.refresh() with it first, or leave"
                + " it out.");
        Map<String, Object> noDecay = new HashMap<>();
        noDecay.put("halfLifeDays", null);
        assertBundleFails(fine, 10, noDecay, "[shopgraph.conflict] Config key 'halfLifeDays' is null (no decay)"
                + " but the last refresh used 135.0: run CALL shopgraph.bundle.refresh() with it first, or leave"
                + " it out.");
        assertBundleFails(fine, 10, Map.of("viewWeight", 2L),
                bad + "Config key 'viewWeight' must be a finite number between 0 and 1, got the integer 2.");
        // The same values as the refresh's are fine, and a valid cart may have no bundle.
        assertThat(bundle(fine, 10, Map.of("orderWeight", 1L, "halfLifeDays", 135.0, "userCap", 1.0))).hasSize(1);
        run("CREATE (:Item {itemId: 'lonely'})");
        assertThat(bundle(List.of("lonely"), 10, Map.of())).isEmpty();

        String call = "CALL shopgraph.bundle.refresh($config)";
        assertFails(call, Map.of("config", Map.of("alpha", 1.0)), bad + "Unknown config key 'alpha'; known keys:"
                + " orderWeight, cartWeight, viewWeight, halfLifeDays, userCap.");
        assertFails(call, Map.of("config", Map.of("halfLifeDays", 0L)),
                bad + "Config key 'halfLifeDays' must be a finite number greater than 0, got the integer 0.");
        assertFails(call, Map.of("config", Map.of("userCap", -1.0)),
                bad + "Config key 'userCap' must be a finite number greater than 0, got the float -1.0.");
        assertFails(call, Map.of("config", Map.of("cartWeight", "half")),
                bad + "Config key 'cartWeight' must be a finite number between 0 and 1, got the string 'half'.");
        run("MATCH (:Order {orderId: 'o1'})-[r:CONTAINS]->(:Item {itemId: 'C'}) SET r.weight = 1.5");
        assertFails(call, Map.of("config", Map.of()), "[shopgraph.bad_input] The CONTAINS weight of order 'o1' and"
                + " item 'C' is 1.5; weights must be between 0 and 1.");
        run("MATCH (:Order {orderId: 'o1'})-[r:CONTAINS]->(:Item {itemId: 'B'}) SET r.position = 0.5");
        // The live index cannot recompute the items of that order: within a merge, calls with one
        // of them in the cart traverse the baskets, and report it.
        String position = "[shopgraph.bad_input] A CONTAINS position must be an integer, got the float 0.5.";
        Await.until("a bundle of C reports the bad position", () -> {
            try {
                bundle(List.of("C"), 10, Map.of());
                return false;
            } catch (ClientException e) {
                return e.getMessage().contains(position);
            }
        }, Duration.ofSeconds(1));
        assertBundleFails(List.of("C"), 10, Map.of(), position);
        run("MATCH (o:Order {orderId: 'o1'}) SET o.at = localdatetime('2024-01-01T00:00:00')");
        assertFails(call, Map.of("config", Map.of()), "[shopgraph.bad_input] Order 'o1' has at the local datetime"
                + " 2024-01-01T00:00:00; basket times must be datetimes with a timezone, or null.");
    }

    @Test
    void refreshWritesOnlyChangedMassesAndZeroForItemsInNoBasket() {
        orders("AB", "BC");
        run("CREATE (:Item {itemId: 'Z', bundleMass: 9.0})");
        refresh(Map.of("halfLifeDays", NULL));
        assertThat(run("MATCH (i:Item) RETURN i.itemId AS id, i.bundleMass AS mass ORDER BY id"))
                .extracting(r -> r.get("id").asString() + "=" + r.get("mass").asDouble())
                .containsExactly("A=1.0", "B=2.0", "C=1.0", "Z=0.0");
        assertThat(run("MATCH (s:BundleStats) RETURN count(s) AS n").get(0).get("n").asLong()).isEqualTo(1);
        refresh(Map.of("halfLifeDays", NULL));
        assertThat(run("MATCH (s:BundleStats) RETURN s.halfLifeDays IS NULL AS none"))
                .extracting(r -> r.get("none").asBoolean()).containsExactly(true);
    }
}
