package io.shopgraph.plugin.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.bundle.BundleRefreshProcedure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/** Calls {@code shopgraph.recommend} over Bolt on a small shop, with and without a model. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecommendProcedureTest {

    /**
     * Orders: o1 {tv1, tv2, sb}, o2 {tv1, tv2}, o3 {tv2, sb, cable}, o4 {cable, hdmi}, o5 {tv3}.
     * ann viewed tv1 (session s1) and bought tv1 in o6; bob has no history. Brands: tv1, tv2,
     * tv3 are 'vis'; category electronics.tv holds tv1, tv2, tv3; electronics.audio holds sb.
     */
    private static final String SHOP = """
            WITH datetime('2024-03-01T00:00:00Z') AS t
            CREATE (tv1:Item {itemId: 'tv1'}), (tv2:Item {itemId: 'tv2'}), (tv3:Item {itemId: 'tv3'}),
                   (sb:Item {itemId: 'sb'}), (cable:Item {itemId: 'cable'}),
                   (hdmi:Item {itemId: 'hdmi', inStock: false}),
                   (vis:Brand {name: 'vis'}), (e:Category {code: 'electronics', level: 1}),
                   (tv:Category {code: 'electronics.tv', level: 2}),
                   (audio:Category {code: 'electronics.audio', level: 2}),
                   (tv)-[:CHILD_OF]->(e), (audio)-[:CHILD_OF]->(e),
                   (tv1)-[:HAS_BRAND]->(vis), (tv2)-[:HAS_BRAND]->(vis), (tv3)-[:HAS_BRAND]->(vis),
                   (tv1)-[:IN_CATEGORY]->(tv), (tv2)-[:IN_CATEGORY]->(tv), (tv3)-[:IN_CATEGORY]->(tv),
                   (sb)-[:IN_CATEGORY]->(audio),
                   (ann:User {userId: 'ann'}), (:User {userId: 'bob'}),
                   (s1:Session {sessionId: 's1', start: t, end: t}), (ann)-[:HAS_SESSION]->(s1),
                   (s1)-[:VIEWED {count: 1, first: t, last: t, weight: 1.0}]->(tv1)
            WITH t, tv1, tv2, tv3, sb, cable, hdmi, ann
            UNWIND [['o1', [tv1, tv2, sb]], ['o2', [tv1, tv2]], ['o3', [tv2, sb, cable]],
                    ['o4', [cable, hdmi]], ['o5', [tv3]], ['o6', [tv1]]] AS spec
            CREATE (o:Order {orderId: spec[0], at: t - duration('P1D'), kind: 'order'})
            FOREACH (item IN spec[1] | CREATE (o)-[:CONTAINS {quantity: 1, lines: 1, weight: 1.0}]->(item))
            FOREACH (_ IN CASE WHEN spec[0] = 'o6' THEN [1] ELSE [] END | CREATE (ann)-[:PLACED]->(o))
            """;

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withProcedure(RecommendProcedure.class)
                .withProcedure(BundleRefreshProcedure.class)
                .withFixture(SHOP)
                .build();
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none());
        try (Session session = driver.session()) {
            session.run("CALL shopgraph.bundle.refresh()").consume();
        }
    }

    @AfterAll
    void stop() {
        driver.close();
        neo4j.close();
    }

    private List<Record> recommend(String user, long k, Map<String, Object> config) {
        try (Session session = driver.session()) {
            return session.run("CALL shopgraph.recommend($userId, $k, $config)",
                    Map.of("userId", user, "k", k, "config", config)).list();
        }
    }

    private static List<String> itemIds(List<Record> rows) {
        return rows.stream().map(r -> r.get("itemId").asString()).toList();
    }

    private static Map<String, Object> with(Map<String, Object> config, String key, Object value) {
        Map<String, Object> copy = new java.util.HashMap<>(config);
        copy.put(key, value);
        return copy;
    }

    @Test
    void aKnownUserGetsCoPurchasesAndWalksButNothingAlreadyBought() {
        List<Record> rows = recommend("ann", 10, Map.of("maxPerBrand", 5L));
        assertThat(rows).isNotEmpty();
        assertThat(rows.get(0).keys()).containsExactly("itemId", "score", "rank", "reason", "requestId",
                "variant");
        assertThat(rows).allMatch(r -> r.get("requestId").isNull() && r.get("variant").isNull());
        List<String> ids = rows.stream().map(r -> r.get("itemId").asString()).toList();
        assertThat(ids).doesNotContain("tv1", "hdmi"); // bought; out of stock
        assertThat(ids.get(0)).isEqualTo("tv2"); // bought with tv1 in two orders
        List<Record> coPurchasesOnly = recommend("ann", 2, Map.of("maxPerBrand", 5L, "walkCandidates", 0L,
                "popularCandidates", 0L));
        assertThat(coPurchasesOnly).extracting(r -> r.get("itemId").asString()).containsExactly("tv2", "sb");
        assertThat(coPurchasesOnly.get(0).get("reason").asString()).isEqualTo("bought with tv1");
        assertThat(rows.stream().map(r -> r.get("rank").asLong()).toList())
                .isEqualTo(java.util.stream.LongStream.rangeClosed(1, rows.size()).boxed().toList());
        assertThat(rows).extracting(r -> r.get("reason").asString())
                .allMatch(reason -> reason.equals("walk") || reason.startsWith("bought with ")
                        || reason.startsWith("popular in "));
    }

    @Test
    void brandDiversityLimitsTheList() {
        List<String> ids = recommend("ann", 10, Map.of("maxPerBrand", 1L)).stream()
                .map(r -> r.get("itemId").asString()).toList();
        assertThat(ids.stream().filter(id -> id.startsWith("tv"))).hasSize(1);
    }

    @Test
    void unknownAndNewUsersGetPopularItems() {
        for (String user : List.of("nobody", "bob")) {
            List<Record> rows = recommend(user, 3, Map.of("maxPerBrand", 5L, "maxPerCategory", 5L));
            assertThat(rows).extracting(r -> r.get("reason").asString()).containsOnly("popular");
            // tv2 and tv1 are in 3 orders each, sb and cable in 2 (masses with recency alike).
            assertThat(rows).extracting(r -> r.get("itemId").asString())
                    .containsExactly("tv1", "tv2", "cable");
        }
    }

    @Test
    void anActiveModelRanksByEmbeddings() {
        try (Session session = driver.session()) {
            session.run("""
                    CREATE (:ModelVersion {version: 'v1', active: true, slot: 'B', status: 'active'})
                    WITH 1 AS one
                    MATCH (u:User {userId: 'ann'}) SET u.embeddingB = [1.0, 0.0]
                    WITH 1 AS one
                    UNWIND [['tv2', [0.1, 1.0]], ['sb', [0.9, 0.0]], ['cable', [0.5, 0.5]], ['tv3', [0.2, 0.0]]] AS e
                    MATCH (i:Item {itemId: e[0]}) SET i.embeddingB = e[1]
                    """).consume();
        }
        try {
            List<Record> rows = recommend("ann", 3, Map.of("maxPerBrand", 5L, "maxPerCategory", 5L));
            assertThat(rows).extracting(r -> r.get("itemId").asString()).containsExactly("sb", "cable", "tv3");
            assertThat(rows.get(0).get("score").asDouble()).isEqualTo(0.9);
            assertThat(rows).extracting(r -> r.get("reason").asString()).allMatch(r -> r.startsWith("model: "));
            // With the model ranking, the walks take modelSteps, not steps; without it, steps.
            // Walks alone: one step from tv1 reaches an order, a session or a brand, no item.
            Map<String, Object> walksOnly = Map.of("bundleCandidates", 0L, "popularCandidates", 0L,
                    "maxPerBrand", 5L, "maxPerCategory", 5L);
            List<String> byModel = itemIds(recommend("ann", 3, walksOnly));
            assertThat(byModel).isNotEmpty();
            assertThat(itemIds(recommend("ann", 3, with(walksOnly, "steps", 1L)))).isEqualTo(byModel);
            assertThat(recommend("ann", 3, with(walksOnly, "modelSteps", 1L))).isEmpty();
            Map<String, Object> blendedWalks = with(walksOnly, "useModel", false);
            List<String> byBlend = itemIds(recommend("ann", 3, blendedWalks));
            assertThat(byBlend).isNotEmpty();
            assertThat(itemIds(recommend("ann", 3, with(blendedWalks, "modelSteps", 1L)))).isEqualTo(byBlend);
            assertThat(recommend("ann", 3, with(blendedWalks, "steps", 1L))).isEmpty();
            List<Record> blended = recommend("ann", 1, Map.of("useModel", false));
            assertThat(blended.get(0).get("itemId").asString()).isEqualTo("tv2");
            // A new version in the other slot, switched in one transaction: the next call ranks by
            // it, not by the item embeddings of v1 held in memory.
            try (Session session = driver.session()) {
                session.run("""
                        MATCH (u:User {userId: 'ann'}) SET u.embeddingA = [0.0, 1.0]
                        WITH 1 AS one
                        UNWIND [['tv2', [0.0, 0.7]], ['sb', [0.0, 0.1]], ['cable', [0.0, 0.3]], ['tv3', [0.0, 0.2]]] AS e
                        MATCH (i:Item {itemId: e[0]}) SET i.embeddingA = e[1]
                        """).consume();
                session.run("""
                        MATCH (old:ModelVersion {version: 'v1'}) SET old.active = false, old.status = 'previous'
                        CREATE (:ModelVersion {version: 'v2', active: true, slot: 'A', status: 'active'})
                        """).consume();
            }
            List<Record> switched = recommend("ann", 3, Map.of("maxPerBrand", 5L, "maxPerCategory", 5L));
            assertThat(switched).extracting(r -> r.get("itemId").asString()).containsExactly("tv2", "cable", "tv3");
            assertThat(switched.get(0).get("score").asDouble()).isEqualTo(0.7);
        } finally {
            try (Session session = driver.session()) {
                session.run("MATCH (m:ModelVersion) DETACH DELETE m").consume();
            }
        }
    }

    @Test
    void badArgumentsAreRejectedWithASentence() {
        assertThatThrownBy(() -> recommend("ann", 0, Map.of()))
                .isInstanceOf(ClientException.class)
                .hasMessageEndingWith("[shopgraph.bad_argument] k must be between 1 and 1000, got 0.");
        assertThatThrownBy(() -> recommend("", 5, Map.of()))
                .hasMessageEndingWith("[shopgraph.bad_argument] userId must be a non-empty id, got an empty string.");
        assertThatThrownBy(() -> recommend("ann", 5, Map.of("maxPerBrnd", 2L)))
                .hasMessageContaining("[shopgraph.bad_argument] Unknown config key 'maxPerBrnd'; known keys:");
        assertThatThrownBy(() -> recommend("ann", 5, Map.of("cartItems", 2.0)))
                .hasMessageEndingWith("[shopgraph.bad_argument] Config key 'cartItems' must be an integer, got the"
                        + " float 2.0.");
    }
}
