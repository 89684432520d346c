package io.shopgraph.plugin.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.shopgraph.plugin.common.Await;
import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.recommend.SimilarProcedure;
import io.shopgraph.plugin.walk.UserQuery.Interaction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Calls {@code shopgraph.candidates}, {@code shopgraph.similar} and {@code shopgraph.walk.refresh}
 * over Bolt on an in-process Neo4j holding a small shop (see {@link #SHOP}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WalkProceduresTest {

    /**
     * u1 viewed i1 and i2 two days before t0 (and carted i2), viewed and bought i3 one day
     * before t0, and cancelled an order of i4 (not a purchase). u2 viewed i1, i5, i6 and
     * carted i5. Anonymous sessions: s4 viewed i3, i7 and i4; s5 viewed i2 and, distrusted
     * (weight 0), i8. Brand acme: i1, i5, i6 (out of stock). Category tv: i2, i7. u3 has no
     * history.
     */
    private static final String SHOP = """
            WITH datetime('2024-01-15T00:00:00Z') AS t0
            CREATE (i1:Item {itemId: 'i1'}), (i2:Item {itemId: 'i2'}), (i3:Item {itemId: 'i3'}),
                   (i4:Item {itemId: 'i4'}), (i5:Item {itemId: 'i5'}),
                   (i6:Item {itemId: 'i6', inStock: false}), (i7:Item {itemId: 'i7'}),
                   (i8:Item {itemId: 'i8'}),
                   (acme:Brand {name: 'acme'}), (tv:Category {code: 'electronics.tv', level: 2}),
                   (i1)-[:HAS_BRAND]->(acme), (i5)-[:HAS_BRAND]->(acme), (i6)-[:HAS_BRAND]->(acme),
                   (i2)-[:IN_CATEGORY]->(tv), (i7)-[:IN_CATEGORY]->(tv),
                   (u1:User {userId: 'u1'}), (u2:User {userId: 'u2'}), (:User {userId: 'u3'}),
                   (s1:Session {sessionId: 's1', start: t0 - duration('P2D'), end: t0 - duration('P2D')}),
                   (s2:Session {sessionId: 's2', start: t0 - duration('P1D'), end: t0 - duration('P1D')}),
                   (s3:Session {sessionId: 's3', start: t0, end: t0}),
                   (s4:Session {sessionId: 's4', start: t0, end: t0}),
                   (s5:Session {sessionId: 's5', start: t0, end: t0}),
                   (u1)-[:HAS_SESSION]->(s1), (u1)-[:HAS_SESSION]->(s2), (u2)-[:HAS_SESSION]->(s3),
                   (s1)-[:VIEWED {count: 1, first: t0 - duration('P2D'), last: t0 - duration('P2D'), weight: 1.0}]->(i1),
                   (s1)-[:VIEWED {count: 2, first: t0 - duration('P2D'), last: t0 - duration('P2D'), weight: 1.0}]->(i2),
                   (s1)-[:ADDED_TO_CART {count: 1, first: t0 - duration('P2D'), last: t0 - duration('P2D'), weight: 1.0}]->(i2),
                   (s2)-[:VIEWED {count: 1, first: t0 - duration('P1D'), last: t0 - duration('P1D'), weight: 1.0}]->(i3),
                   (o1:Order {orderId: 'o1', at: t0 - duration('P1D'), kind: 'order'}),
                   (o2:Order {orderId: 'o2', at: t0 - duration('P1D'), kind: 'cancellation'}),
                   (u1)-[:PLACED]->(o1), (o1)-[:IN_SESSION]->(s2),
                   (o1)-[:CONTAINS {quantity: 1, lines: 1, weight: 1.0}]->(i3),
                   (u1)-[:PLACED]->(o2), (o2)-[:CONTAINS {quantity: -1, lines: 1, weight: 1.0}]->(i4),
                   (s3)-[:VIEWED {count: 1, first: t0, last: t0, weight: 1.0}]->(i1),
                   (s3)-[:VIEWED {count: 1, first: t0, last: t0, weight: 1.0}]->(i5),
                   (s3)-[:VIEWED {count: 1, first: t0, last: t0, weight: 1.0}]->(i6),
                   (s3)-[:ADDED_TO_CART {count: 1, first: t0, last: t0, weight: 1.0}]->(i5),
                   (s4)-[:VIEWED {count: 1, first: t0, last: t0, weight: 1.0}]->(i3),
                   (s4)-[:VIEWED {count: 1, first: t0, last: t0, weight: 1.0}]->(i7),
                   (s4)-[:VIEWED {count: 1, first: t0, last: t0, weight: 1.0}]->(i4),
                   (s5)-[:VIEWED {count: 1, first: t0, last: t0, weight: 1.0}]->(i2),
                   (s5)-[:VIEWED {count: 1, first: t0, last: t0, weight: 0.0}]->(i8)
            """;

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withProcedure(CandidatesProcedure.class)
                .withProcedure(SimilarProcedure.class)
                .withProcedure(WalkRefreshProcedure.class)
                .build();
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none());
    }

    @AfterAll
    void stop() {
        driver.close();
        neo4j.close();
    }

    @BeforeEach
    void loadTheShop() {
        run("MATCH (n) DETACH DELETE n");
        run(SHOP);
        run("CALL shopgraph.walk.refresh()");
    }

    @Test
    void refreshReportsTheProjection() {
        Record row = single("CALL shopgraph.walk.refresh()");

        assertThat(row.keys()).containsExactly("nodes", "relationships", "millis", "bytes");
        // 8 items, 5 sessions, 1 order (the cancellation is no purchase), 3 users, 1 brand,
        // 1 category; 25 relationships of walked types, less the cancellation's PLACED and
        // CONTAINS and the distrusted view of i8.
        assertThat(row.get("nodes").asLong()).isEqualTo(19);
        assertThat(row.get("relationships").asLong()).isEqualTo(22);
        assertThat(row.get("millis").asLong()).isNotNegative();
        assertThat(row.get("bytes").asLong()).isPositive();
    }

    @Test
    void theProjectionHoldsCommittedDataOnly() {
        try (Session session = driver.session(); Transaction tx = session.beginTransaction()) {
            tx.run("CREATE (:Item {itemId: 'uncommitted'})").consume();

            Record row = tx.run("CALL shopgraph.walk.refresh()").single();

            assertThat(row.get("nodes").asLong()).isEqualTo(19);
            tx.rollback();
        }
    }

    @Test
    void candidatesForAUserLeaveOutItsQueryItemsPurchasesOutOfStockAndDistrustedItems() {
        List<Record> rows = list("CALL shopgraph.candidates('u1', 10, {seed: 7})");

        assertThat(rows.get(0).keys()).containsExactly("itemId", "score", "rank", "reason", "visits");
        // Query items i3 (bought), i1, i2 are left out, i6 is out of stock, i8 only reachable
        // through a distrusted view; i4 was in a cancelled order, which is no purchase.
        assertThat(rows).extracting(r -> r.get("itemId").asString()).containsExactlyInAnyOrder("i5", "i7", "i4");
        assertRanked(rows);
        // Reached from several query items, an item scores more than its plain visit count
        // (Pixie's multi-hit booster), never less.
        assertThat(rows).allSatisfy(r -> assertThat(r.get("score").asDouble())
                .isGreaterThanOrEqualTo(r.get("visits").asLong()));
        assertThat(rows).anySatisfy(r -> assertThat(r.get("score").asDouble())
                .isGreaterThan(r.get("visits").asLong()));

        List<Record> withStock = list("CALL shopgraph.candidates('u1', 10, {seed: 7, inStockOnly: false})");
        assertThat(withStock).extracting(r -> r.get("itemId").asString())
                .containsExactlyInAnyOrder("i5", "i7", "i4", "i6");
        assertThat(ids(withStock).stream().filter(id -> !id.equals("i6")).toList()).isEqualTo(ids(rows));
        // The same as the plain classes give for u1's history on the same graph.
        long t0 = Instant.parse("2024-01-15T00:00:00Z").toEpochMilli();
        long day = 86_400_000L;
        WalkConfig config = WalkConfig.parse(Map.of("seed", 7L, "inStockOnly", false), WalkConfig.Use.CANDIDATES);
        List<QueryItem> query = UserQuery.select(List.of(
                new Interaction("i1", EdgeKind.VIEWED, t0 - 2 * day, 1.0),
                new Interaction("i2", EdgeKind.VIEWED, t0 - 2 * day, 1.0),
                new Interaction("i2", EdgeKind.ADDED_TO_CART, t0 - 2 * day, 1.0),
                new Interaction("i3", EdgeKind.VIEWED, t0 - day, 1.0),
                new Interaction("i3", EdgeKind.CONTAINS, t0 - day, 1.0)), config);
        assertThat(query).extracting(QueryItem::itemId).containsExactly("i3", "i1", "i2");
        PixieWalker.Result walked = new PixieWalker(sameShop()).walk(query, Set.of("i3"), config);
        assertThat(withStock).extracting(WalkProceduresTest::candidate).isEqualTo(walked.top(10));
        assertThat(withStock).allSatisfy(r -> assertThat(r.get("visits").asLong())
                .isEqualTo(walked.visits(r.get("itemId").asString())));
    }

    @Test
    void queryItemsBoundsTheItemsThatStartWalksAndAreLeftOut() {
        // One query item: the most recent, i3 (s2 and o1, a day before t0); s1 is not read.
        List<String> ids = ids("CALL shopgraph.candidates('u1', 10, {seed: 7, queryItems: 1})");

        assertThat(ids).doesNotContain("i3").contains("i1", "i2", "i7", "i4");
    }

    @Test
    void candidatesForItemsAreThoseOfTheWalkerOnTheSameGraph() {
        List<Record> rows = list(
                "CALL shopgraph.candidates(['i1', 'i2'], 5, {seed: 7, inStockOnly: false, steps: 2000})");

        List<Candidate> expected = new PixieWalker(sameShop()).walk(
                List.of(new QueryItem("i1", 1.0), new QueryItem("i2", 1.0)), Set.of(),
                WalkConfig.parse(Map.of("seed", 7L, "inStockOnly", false, "steps", 2000L),
                        WalkConfig.Use.CANDIDATES)).top(5);
        assertThat(rows).extracting(WalkProceduresTest::candidate).isEqualTo(expected);
        assertThat(rows).extracting(r -> r.get("itemId").asString())
                .containsExactlyInAnyOrder("i3", "i4", "i5", "i6", "i7");
        assertRanked(rows);
    }

    @Test
    void theSameSeedGivesTheSameCandidatesAndAnotherSeedOtherVisits() {
        String call = "CALL shopgraph.candidates(['i3'], 10, {seed: $seed, steps: 500})"
                + " YIELD itemId, score, visits RETURN itemId, score, visits";

        List<Map<String, Object>> once = list(call, Map.of("seed", 11)).stream().map(Record::asMap).toList();
        assertThat(list(call, Map.of("seed", 11))).extracting(Record::asMap).isEqualTo(once);
        assertThat(list(call, Map.of("seed", 12))).extracting(Record::asMap).isNotEqualTo(once);
    }

    @Test
    void aKnownUserWithoutHistoryHasNoCandidates() {
        assertThat(list("CALL shopgraph.candidates('u3')")).isEmpty();
    }

    @Test
    void similarItemsAreRankedWalkNeighbours() {
        List<Record> rows = list("CALL shopgraph.similar('i1', 3, {seed: 7})");

        assertThat(rows.get(0).keys()).containsExactly("itemId", "score", "rank", "reason", "requestId",
                "variant");
        assertThat(rows).allMatch(r -> r.get("requestId").isNull() && r.get("variant").isNull());
        assertRanked(rows);
        // i2 (viewed with i1 in s1) and i5 (in s3, and of i1's brand) are one session or brand
        // away; i3 is reached only through u1's other session, further away; i6 is out of stock.
        assertThat(ids(rows).subList(0, 2)).containsExactlyInAnyOrder("i2", "i5");
        assertThat(ids(rows).get(2)).isEqualTo("i3");
        assertThat(rows.get(2).get("score").asDouble()).isLessThan(rows.get(1).get("score").asDouble());
        // The same as the walker gives from i1 on the same graph.
        WalkConfig config = WalkConfig.parse(Map.of("seed", 7L), WalkConfig.Use.SIMILAR);
        assertThat(rows).extracting(WalkProceduresTest::candidate).isEqualTo(new PixieWalker(sameShop())
                .walk(List.of(new QueryItem("i1", 1.0)), Set.of(), config).top(4).stream()
                .filter(c -> !c.itemId().equals("i6")).limit(3).toList());
    }

    @Test
    void withAnActiveModelSimilarItemsAreTheNearestEmbeddingsOfItsSlot() {
        run("CREATE VECTOR INDEX item_embedding_b IF NOT EXISTS FOR (n:Item) ON (n.embeddingB)"
                + " OPTIONS {indexConfig: {`vector.similarity_function`: 'cosine'}}");
        run("CALL db.awaitIndexes(60)");
        // Slot B is active; slot A holds an older model whose neighbours would differ.
        run("CREATE (:ModelVersion {version: 'v2', active: true, slot: 'B', status: 'active'}),"
                + " (:ModelVersion {version: 'v1', active: false, slot: 'A', status: 'previous'})");
        run("UNWIND [['i1', [1.0, 0.0]], ['i2', [0.0, 1.0]], ['i3', [0.9, 0.1]], ['i5', [0.6, 0.8]],"
                + " ['i6', [1.0, 0.05]]] AS e MATCH (i:Item {itemId: e[0]})"
                + " SET i.embeddingB = e[1], i.embeddingA = [-e[1][0], e[1][1]]");

        List<Record> rows = list("CALL shopgraph.similar('i1', 3)");
        // i1 itself and i6 (out of stock) are skipped; scores are the exact cosines.
        assertThat(rows).extracting(r -> r.get("itemId").asString()).containsExactly("i3", "i5", "i2");
        assertThat(rows).extracting(r -> r.get("reason").asString()).containsOnly("model");
        assertThat(rows).extracting(r -> r.get("rank").asLong()).containsExactly(1L, 2L, 3L);
        assertThat(rows.get(0).get("score").asDouble()).isCloseTo(0.9 / Math.sqrt(0.82), offset(1e-6));
        assertThat(rows).extracting(r -> r.get("score").asDouble()).element(1).isEqualTo(0.6);
        assertThat(rows).extracting(r -> r.get("score").asDouble()).element(2).isEqualTo(0.0);
        assertThat(ids("CALL shopgraph.similar('i1', 2, {inStockOnly: false})")).containsExactly("i6", "i3");
        // Without the model, for an item without an embedding, and for an unknown item: walks.
        assertThat(list("CALL shopgraph.similar('i1', 3, {useModel: false, seed: 7})"))
                .extracting(r -> r.get("reason").asString()).containsOnly("walk");
        assertThat(list("CALL shopgraph.similar('i7', 3, {seed: 7})"))
                .extracting(r -> r.get("reason").asString()).containsOnly("walk");
        fails("CALL shopgraph.similar('nope')",
                "[shopgraph.unknown_id {\"kind\":\"item\",\"ids\":[\"nope\"]}] Unknown item id: nope.");
        fails("CALL shopgraph.similar('i1', 3, {useModel: 'yes'})",
                "[shopgraph.bad_argument] Config key 'useModel' must be a boolean, got the string 'yes'.");
    }

    @Test
    void writesAreWalkedWithinASecondAndDeletedNodesNeverAgain() {
        run("MATCH (i1:Item {itemId: 'i1'}) CREATE (i9:Item {itemId: 'i9'}),"
                + " (s:Session {sessionId: 's9'})-[:VIEWED {weight: 1.0}]->(i1),"
                + " (s)-[:VIEWED {weight: 1.0}]->(i9)");
        run("MATCH (i:Item {itemId: 'i5'}) DETACH DELETE i");
        // Within a second of the commits (the wait starts once they returned).
        Await.until("the new item is walked from i1", () -> ids("CALL shopgraph.similar('i1', 10, {seed: 7})")
                .contains("i9"), Duration.ofSeconds(1));
        for (long seed = 1; seed <= 20; seed++) {
            assertThat(ids("CALL shopgraph.similar('i1', 10, {seed: " + seed + "})")).doesNotContain("i5");
        }
        // A new item is walked from at once, and a deleted one is unknown.
        run("MATCH (i9:Item {itemId: 'i9'}) CREATE (:Session {sessionId: 's10'})-[:VIEWED {weight: 1.0}]->"
                + "(:Item {itemId: 'i10'}), (:Session {sessionId: 's11'})-[:VIEWED]->(i9)");
        run("MATCH (i10:Item {itemId: 'i10'}), (s11:Session {sessionId: 's11'}) CREATE (s11)-[:VIEWED]->(i10)");
        Await.until("walks start from the new item", () -> ids("CALL shopgraph.similar('i10', 10, {seed: 7})")
                .contains("i9"), Duration.ofSeconds(1));
        fails("CALL shopgraph.similar('i5')", "[shopgraph.unknown_id {\"kind\":\"item\",\"ids\":[\"i5\"]}]"
                + " Unknown item id: i5.");
        // A deleted session is walked no more: s4 alone joins i3 to i4.
        assertThat(ids("CALL shopgraph.similar('i3', 10, {seed: 7})")).contains("i4");
        run("MATCH (s:Session {sessionId: 's4'}) DETACH DELETE s");
        Await.until("s4 is no longer walked", () -> IntStream.rangeClosed(1, 20).allMatch(seed ->
                !ids("CALL shopgraph.similar('i3', 10, {seed: " + seed + "})").contains("i4")),
                Duration.ofSeconds(1));
    }

    @Test
    void aRefreshLaysOutWhatTheLiveProjectionHeld() throws Exception {
        run("MATCH (i1:Item {itemId: 'i1'}) CREATE (i9:Item {itemId: 'i9'}),"
                + " (s:Session {sessionId: 's9'})-[:VIEWED {weight: 1.0}]->(i1),"
                + " (s)-[:VIEWED {weight: 1.0}]->(i9)");
        run("MATCH (i:Item {itemId: 'i5'}) DETACH DELETE i");
        WalkProjections.awaitApplied(neo4j.defaultDatabaseService(), org.neo4j.logging.NullLog.getInstance());
        // The live projection and a full build of the same graph hold the same nodes and
        // relationships: 19 + 2 - 1 nodes, 22 + 2 - 3 relationships (i5's brand, view and cart add).
        Record row = single("CALL shopgraph.walk.refresh()");
        assertThat(row.get("nodes").asLong()).isEqualTo(20);
        assertThat(row.get("relationships").asLong()).isEqualTo(21);
        // ttlSeconds no longer matters with the change feed: a write is walked without a rebuild.
        run("MATCH (i1:Item {itemId: 'i1'}) CREATE (:Session {sessionId: 's12'})-[:VIEWED]->(i1),"
                + " (:Session {sessionId: 's12b'})-[:VIEWED]->(:Item {itemId: 'i12'})");
        run("MATCH (a:Session {sessionId: 's12'}), (i:Item {itemId: 'i12'}) CREATE (a)-[:VIEWED]->(i)");
        Await.until("the write is walked within its TTL", () -> ids("CALL shopgraph.similar('i1', 10,"
                + " {ttlSeconds: 300})").contains("i12"), Duration.ofSeconds(1));
    }

    @Test
    void badArgumentsAreRejectedWithASentence() {
        String bad = "[shopgraph.bad_argument] ";
        fails("CALL shopgraph.candidates('u1', 0)", bad + "k must be between 1 and 1000, got 0.");
        fails("CALL shopgraph.candidates(['i1'], 1001)", bad + "k must be between 1 and 1000, got 1001.");
        fails("CALL shopgraph.similar('i1', 0)", bad + "k must be between 1 and 1000, got 0.");
        fails("CALL shopgraph.candidates([])", bad + "A query must have 1 to 50 items, got 0.");
        fails("CALL shopgraph.candidates([x IN range(1, 51) | 'i' + x])",
                bad + "A query must have 1 to 50 items, got 51.");
        fails("CALL shopgraph.candidates(['i1', 1])",
                bad + "query must hold non-empty ids, got the integer 1 at position 2.");
        fails("CALL shopgraph.candidates(5)",
                bad + "query must be a user id or a list of 1 to 50 item ids, got the integer 5.");
        fails("CALL shopgraph.candidates(null)",
                bad + "query must be a user id or a list of 1 to 50 item ids, got null.");
        fails("CALL shopgraph.candidates('')", bad + "query must be a non-empty id, got an empty string.");
        fails("CALL shopgraph.candidates(['i1', 'nope', 'zip', 'nope'])",
                "[shopgraph.unknown_id {\"kind\":\"item\",\"ids\":[\"nope\",\"zip\"]}] Unknown item ids: nope, zip.");
        fails("CALL shopgraph.candidates('ghost')",
                "[shopgraph.unknown_id {\"kind\":\"user\",\"ids\":[\"ghost\"]}] Unknown user id: ghost.");
        fails("CALL shopgraph.similar('nope')",
                "[shopgraph.unknown_id {\"kind\":\"item\",\"ids\":[\"nope\"]}] Unknown item id: nope.");
        fails("CALL shopgraph.similar(null)", bad + "itemId must be a non-empty id, got null.");
        fails("CALL shopgraph.candidates('u1', 10, {stpes: 10})", bad + "Unknown config key 'stpes'; known"
                + " keys: steps, restart, seed, nP, nV, typeWeights, queryItems, halfLifeDays, ttlSeconds,"
                + " inStockOnly.");
        fails("CALL shopgraph.similar('i1', 10, {queryItems: 5})", bad + "Unknown config key 'queryItems';"
                + " known keys: steps, restart, seed, nP, nV, typeWeights, ttlSeconds, inStockOnly,"
                + " useModel, userId, newItems.");
        fails("CALL shopgraph.candidates('u1', 10, {steps: 'many'})",
                bad + "Config key 'steps' must be an integer, got the string 'many'.");
        fails("CALL shopgraph.candidates('u1', 10, {steps: 100.0})",
                bad + "Config key 'steps' must be an integer, got the float 100.0.");
        fails("CALL shopgraph.similar('i1', 10, {restart: 0})", bad + "Config key 'restart' must be a finite"
                + " number greater than 0 and at most 1, got the integer 0.");
        fails("CALL shopgraph.candidates('u1', 10, {halfLifeDays: 0})", bad + "Config key 'halfLifeDays'"
                + " must be a finite number greater than 0, got the integer 0.");
        fails("CALL shopgraph.similar('i1', 10, {typeWeights: {VIEW: 1.0}})", bad + "Config key 'typeWeights'"
                + " names unknown type 'VIEW'; known types: VIEWED, ADDED_TO_CART,"
                + " REMOVED_FROM_CART, CONTAINS, HAS_BRAND, IN_CATEGORY, HAS_SESSION, PLACED.");
    }

    @Test
    void theProceduresAreListedReadOnlyWithTheirSignatures() {
        List<Record> rows = list("SHOW PROCEDURES YIELD name, signature, mode, description"
                + " WHERE name STARTS WITH 'shopgraph.' AND name <> 'shopgraph.version'"
                + " RETURN name, signature, mode, description ORDER BY name");

        assertThat(rows).extracting(r -> r.get("name").asString())
                .containsExactly("shopgraph.candidates", "shopgraph.similar", "shopgraph.walk.refresh");
        assertThat(rows).extracting(r -> r.get("mode").asString()).containsOnly("READ");
        assertThat(rows).extracting(r -> r.get("signature").asString()).containsExactly(
                "shopgraph.candidates(query :: ANY, k = 10 :: INTEGER, config = {} :: MAP) ::"
                        + " (itemId :: STRING, score :: FLOAT, rank :: INTEGER, reason :: STRING,"
                        + " visits :: INTEGER)",
                "shopgraph.similar(itemId :: STRING, k = 10 :: INTEGER, config = {} :: MAP) ::"
                        + " (itemId :: STRING, score :: FLOAT, rank :: INTEGER, reason :: STRING,"
                        + " requestId :: STRING, variant :: STRING)",
                "shopgraph.walk.refresh() :: (nodes :: INTEGER, relationships :: INTEGER,"
                        + " millis :: INTEGER, bytes :: INTEGER)");
        assertThat(rows.get(0).get("description").asString()).contains("Pixie", "steps (10000)");
    }

    /** The shop of {@link #SHOP} as the projection should read it. */
    private static WalkGraph sameShop() {
        WalkGraph.Builder shop = WalkGraph.builder();
        IntStream.rangeClosed(1, 8).forEach(i -> shop.node(NodeKind.ITEM, "i" + i));
        shop.node(NodeKind.USER, "u3");
        for (String item : List.of("i1", "i5", "i6")) {
            shop.edge(EdgeKind.HAS_BRAND, item, "acme", 1.0);
        }
        shop.edge(EdgeKind.IN_CATEGORY, "i2", "electronics.tv", 1.0)
                .edge(EdgeKind.IN_CATEGORY, "i7", "electronics.tv", 1.0)
                .edge(EdgeKind.HAS_SESSION, "u1", "s1", 1.0).edge(EdgeKind.HAS_SESSION, "u1", "s2", 1.0)
                .edge(EdgeKind.HAS_SESSION, "u2", "s3", 1.0).edge(EdgeKind.PLACED, "u1", "o1", 1.0)
                .edge(EdgeKind.VIEWED, "s1", "i1", 1.0).edge(EdgeKind.VIEWED, "s1", "i2", 1.0)
                .edge(EdgeKind.ADDED_TO_CART, "s1", "i2", 1.0).edge(EdgeKind.VIEWED, "s2", "i3", 1.0)
                .edge(EdgeKind.CONTAINS, "o1", "i3", 1.0)
                .edge(EdgeKind.VIEWED, "s3", "i1", 1.0).edge(EdgeKind.VIEWED, "s3", "i5", 1.0)
                .edge(EdgeKind.VIEWED, "s3", "i6", 1.0).edge(EdgeKind.ADDED_TO_CART, "s3", "i5", 1.0)
                .edge(EdgeKind.VIEWED, "s4", "i3", 1.0).edge(EdgeKind.VIEWED, "s4", "i7", 1.0)
                .edge(EdgeKind.VIEWED, "s4", "i4", 1.0)
                .edge(EdgeKind.VIEWED, "s5", "i2", 1.0).edge(EdgeKind.VIEWED, "s5", "i8", 0.0);
        return shop.build();
    }

    private static Candidate candidate(Record row) {
        return new Candidate(row.get("itemId").asString(), Candidate.Source.WALK,
                row.get("score").asDouble(), row.get("reason").asString());
    }

    private void run(String query) {
        try (Session session = driver.session()) {
            session.run(query).consume();
        }
    }

    private Record single(String query) {
        try (Session session = driver.session()) {
            return session.run(query).single();
        }
    }

    private List<Record> list(String query) {
        return list(query, Map.of());
    }

    private List<Record> list(String query, Map<String, Object> parameters) {
        try (Session session = driver.session()) {
            return session.run(query, parameters).list();
        }
    }

    private List<String> ids(String query) {
        return new ArrayList<>(list(query).stream().map(r -> r.get("itemId").asString()).toList());
    }

    /** The procedure's error, as it reaches the client: {@code [code details] sentence}. */
    private void fails(String query, String error) {
        assertThatThrownBy(() -> list(query))
                .as(query)
                .isInstanceOf(ClientException.class)
                .hasMessageEndingWith("ShopgraphException: " + error);
    }

    /** Ranks 1, 2, ... in order of non-increasing score, every reason "walk". */
    private static void assertRanked(List<Record> rows) {
        assertThat(rows).extracting(r -> r.get("rank").asLong())
                .isEqualTo(IntStream.rangeClosed(1, rows.size()).mapToObj(n -> (long) n).toList());
        assertThat(rows).extracting(r -> r.get("reason").asString()).containsOnly("walk");
        for (int n = 1; n < rows.size(); n++) {
            assertThat(rows.get(n).get("score").asDouble())
                    .isLessThanOrEqualTo(rows.get(n - 1).get("score").asDouble());
        }
    }

    private static List<String> ids(List<Record> rows) {
        return rows.stream().map(r -> r.get("itemId").asString()).toList();
    }
}
