package io.shopgraph.plugin.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopgraph.plugin.bundle.BundleProcedure;
import io.shopgraph.plugin.bundle.BundleRefreshProcedure;
import io.shopgraph.plugin.common.Await;
import io.shopgraph.plugin.experiment.Assignment;
import io.shopgraph.plugin.experiment.ExperimentProcedures;
import io.shopgraph.plugin.walk.CandidatesProcedure;
import io.shopgraph.plugin.walk.WalkRefreshProcedure;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
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
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Serving a live shop over Bolt: every write (plain Cypher here, as any writer) shows in the
 * next calls within a second, without a refresh: a purchase in that cart's bundle, in the
 * buyer's recommendations (the item bought dropped, its co-purchases added) and walk
 * candidates; hidden items and a user's rejections never come back, items very similar to a
 * rejection come last; new items with a brand and a category are shown before anyone touched
 * them, with a reason that says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveServingTest {

    /**
     * Phones p1..p4 (brand acme, category phones) and cases c1, c2 (brand shell, category
     * cases), a charger ch (brand volt, category chargers). Orders: p1 with c1 (3 times), p2
     * with c2 (twice), p3 with ch, p4 alone. ann viewed p1 and p2 in s1, bought nothing; bob
     * viewed p3.
     */
    private static final String SHOP = """
            WITH datetime('2024-03-01T00:00:00Z') AS t
            CREATE (acme:Brand {name: 'acme'}), (shell:Brand {name: 'shell'}), (volt:Brand {name: 'volt'}),
                   (phones:Category {code: 'phones'}), (cases:Category {code: 'cases'}),
                   (chargers:Category {code: 'chargers'}),
                   (ann:User {userId: 'ann'}), (bob:User {userId: 'bob'}),
                   (s1:Session {sessionId: 's1', start: t, end: t}), (ann)-[:HAS_SESSION]->(s1),
                   (s2:Session {sessionId: 's2', start: t, end: t}), (bob)-[:HAS_SESSION]->(s2)
            WITH *
            UNWIND [['p1', acme, phones], ['p2', acme, phones], ['p3', acme, phones], ['p4', acme, phones],
                    ['c1', shell, cases], ['c2', shell, cases], ['ch', volt, chargers]] AS spec
            WITH t, s1, s2, spec[0] AS id, spec[1] AS brand, spec[2] AS category
            CREATE (i:Item {itemId: id})-[:HAS_BRAND]->(brand), (i)-[:IN_CATEGORY]->(category)
            WITH DISTINCT t, s1, s2
            MATCH (p1:Item {itemId: 'p1'}), (p2:Item {itemId: 'p2'}), (p3:Item {itemId: 'p3'})
            CREATE (s1)-[:VIEWED {count: 1, first: t, last: t, weight: 1.0}]->(p1),
                   (s1)-[:VIEWED {count: 1, first: t, last: t, weight: 1.0}]->(p2),
                   (s2)-[:VIEWED {count: 1, first: t, last: t, weight: 1.0}]->(p3)
            WITH t
            UNWIND [['o1', ['p1', 'c1']], ['o2', ['p1', 'c1']], ['o3', ['p1', 'c1']], ['o4', ['p2', 'c2']],
                    ['o5', ['p2', 'c2']], ['o6', ['p3', 'ch']], ['o7', ['p4']]] AS spec
            CREATE (o:Order {orderId: spec[0], at: t - duration('P1D'), kind: 'order'})
            WITH o, spec
            UNWIND range(0, size(spec[1]) - 1) AS n
            MATCH (i:Item {itemId: spec[1][n]})
            CREATE (o)-[:CONTAINS {quantity: 1, lines: 1, weight: 1.0, position: n}]->(i)
            """;

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withProcedure(BundleProcedure.class)
                .withProcedure(BundleRefreshProcedure.class)
                .withProcedure(RecommendProcedure.class)
                .withProcedure(SimilarProcedure.class)
                .withProcedure(CandidatesProcedure.class)
                .withProcedure(WalkRefreshProcedure.class)
                .withProcedure(ExperimentProcedures.class)
                .build();
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none());
        run("CREATE CONSTRAINT item_id IF NOT EXISTS FOR (n:Item) REQUIRE n.itemId IS UNIQUE");
        run("CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.userId IS UNIQUE");
        run("CREATE CONSTRAINT experiment_name IF NOT EXISTS FOR (n:Experiment) REQUIRE n.name IS UNIQUE");
        run("CREATE CONSTRAINT exposure_request IF NOT EXISTS FOR (n:Exposure) REQUIRE n.requestId IS UNIQUE");
    }

    @AfterAll
    void stop() {
        driver.close();
        neo4j.close();
    }

    @BeforeEach
    void loadTheShop() {
        run("CALL shopgraph.experiment.flush()");
        run("MATCH (n) DETACH DELETE n");
        run(SHOP);
        run("CALL shopgraph.bundle.refresh()");
        run("CALL shopgraph.walk.refresh()");
    }

    private void run(String cypher) {
        run(cypher, Map.of());
    }

    private void run(String cypher, Map<String, Object> params) {
        try (Session session = driver.session()) {
            session.run(cypher, params).consume();
        }
    }

    private List<Record> rows(String cypher) {
        try (Session session = driver.session()) {
            return session.run(cypher).list();
        }
    }

    private List<String> ids(String cypher) {
        return rows(cypher).stream().map(r -> r.get("itemId").asString()).toList();
    }

    private String reasonOf(String cypher, String item) {
        return rows(cypher).stream().filter(r -> r.get("itemId").asString().equals(item)).findFirst()
                .map(r -> r.get("reason").asString()).orElse(null);
    }

    /** Within a second of the writes that came before (the wait starts once they returned). */
    private static void withinASecond(String what, BooleanSupplier condition) {
        Await.until(what, condition, Duration.ofSeconds(1));
    }

    @Test
    void aPurchaseShowsInTheBundleRecommendationsAndCandidatesWithinASecond() {
        String recommend = "CALL shopgraph.recommend('ann', 10, {maxPerBrand: null, maxPerCategory: null})";
        String coPurchases = "CALL shopgraph.recommend('ann', 10, {maxPerBrand: null, maxPerCategory: null,"
                + " walkCandidates: 0, popularCandidates: 0})";
        assertThat(ids("CALL shopgraph.bundle(['p2'], 10)")).doesNotContain("ch");
        assertThat(ids(recommend)).contains("p4");
        assertThat(ids(coPurchases)).doesNotContain("p3");
        // ann buys p4 and a charger together, twice: the charger is bought with p4 and p2 now.
        run("""
                MATCH (ann:User {userId: 'ann'}), (p2:Item {itemId: 'p2'}), (p4:Item {itemId: 'p4'}),
                      (ch:Item {itemId: 'ch'})
                UNWIND ['live1', 'live2'] AS id
                CREATE (o:Order {orderId: id, kind: 'order', at: datetime('2024-03-02T00:00:00Z')}),
                       (ann)-[:PLACED]->(o), (o)-[:CONTAINS {weight: 1.0, position: 0}]->(p4),
                       (o)-[:CONTAINS {weight: 1.0, position: 1}]->(ch),
                       (o)-[:CONTAINS {weight: 1.0, position: 2}]->(p2)
                """);
        withinASecond("the cart's bundle shows the charger", () -> ids("CALL shopgraph.bundle(['p2'], 10)")
                .contains("ch"));
        withinASecond("ann's recommendations drop what she bought", () -> {
            List<String> ids = ids(recommend);
            return !ids.contains("p4") && !ids.contains("ch") && !ids.contains("p2") && ids.contains("c2");
        });
        // p3 was bought with the charger in o6: a co-purchase of what she bought now.
        withinASecond("ann's recommendations add the co-purchases of what she bought",
                () -> "bought with ch".equals(reasonOf(coPurchases, "p3")));
        withinASecond("her walk candidates leave out what she bought", () -> {
            List<String> ids = ids("CALL shopgraph.candidates('ann', 10, {seed: 3})");
            return !ids.contains("p4") && !ids.contains("ch") && ids.contains("c2");
        });
        assertThat(reasonOf("CALL shopgraph.bundle(['p2'], 10)", "ch")).isEqualTo("bought together");
    }

    @Test
    void aDeletedUsersBasketsNoLongerCount() {
        run("""
                MATCH (bob:User {userId: 'bob'}), (p2:Item {itemId: 'p2'}), (ch:Item {itemId: 'ch'})
                CREATE (o:Order {orderId: 'b1', kind: 'order', at: datetime('2024-03-02T00:00:00Z')}),
                       (bob)-[:PLACED]->(o), (o)-[:CONTAINS {weight: 1.0}]->(p2), (o)-[:CONTAINS {weight: 1.0}]->(ch)
                """);
        withinASecond("bob's order counts", () -> ids("CALL shopgraph.bundle(['p2'], 10)").contains("ch"));
        run("MATCH (bob:User {userId: 'bob'}) OPTIONAL MATCH (bob)-[:PLACED|HAS_SESSION]->(b) DETACH DELETE bob, b");
        withinASecond("bob's baskets no longer count", () -> !ids("CALL shopgraph.bundle(['p2'], 10)").contains("ch"));
    }

    @Test
    void hiddenItemsAreNeverReturnedAndOutOfStockOnlyWhenAsked() {
        run("MATCH (i:Item {itemId: 'c1'}) SET i.hidden = true");
        run("MATCH (i:Item {itemId: 'c2'}) SET i.inStock = false");
        List<String> surfaces = List.of(
                "CALL shopgraph.bundle(['p1', 'p2'], 10, {inStockOnly: false})",
                "CALL shopgraph.recommend('ann', 10, {inStockOnly: false, maxPerBrand: null, maxPerCategory: null})",
                "CALL shopgraph.similar('p1', 10, {inStockOnly: false})",
                "CALL shopgraph.candidates('ann', 10, {inStockOnly: false})",
                "CALL shopgraph.candidates(['p1', 'p2'], 10, {inStockOnly: false})");
        for (String surface : surfaces) {
            assertThat(ids(surface)).as(surface).doesNotContain("c1");
        }
        assertThat(ids(surfaces.get(0))).contains("c2");
        assertThat(ids("CALL shopgraph.bundle(['p1', 'p2'], 10)")).doesNotContain("c1", "c2");
        run("MATCH (i:Item {itemId: 'c1'}) SET i.hidden = false");
        assertThat(ids("CALL shopgraph.bundle(['p1'], 10)")).contains("c1");
    }

    @Test
    void aRejectedItemNeverComesBackToThatUserAndVerySimilarOnesComeLast() {
        String recommend = "CALL shopgraph.recommend('ann', 10, {maxPerBrand: null, maxPerCategory: null,"
                + " newItems: 0})";
        assertThat(ids("CALL shopgraph.bundle(['p1'], 10, {user: 'ann'})")).first().isEqualTo("c1");
        run("""
                MATCH (ann:User {userId: 'ann'}), (c1:Item {itemId: 'c1'})
                CREATE (ann)-[:REJECTED {kind: 'not_interested', at: datetime(), count: 1}]->(c1)
                """);
        List<String> surfaces = List.of("CALL shopgraph.bundle(['p1', 'p2'], 10, {user: 'ann'})", recommend,
                "CALL shopgraph.similar('p1', 10, {userId: 'ann'})", "CALL shopgraph.candidates('ann', 10)");
        for (String surface : surfaces) {
            assertThat(ids(surface)).as(surface).doesNotContain("c1");
        }
        // Others still get it.
        assertThat(ids("CALL shopgraph.bundle(['p1'], 10, {user: 'bob'})")).contains("c1");
        assertThat(ids("CALL shopgraph.similar('p1', 10)")).contains("c1");
        // c2 has c1's brand and category (no model): after every item that is not.
        List<String> bundle = ids("CALL shopgraph.bundle(['p1', 'p2'], 10, {user: 'ann'})");
        assertThat(bundle).contains("c2");
        assertThat(bundle.get(bundle.size() - 1)).isEqualTo("c2");
        assertThat(ids("CALL shopgraph.bundle(['p1', 'p2'], 10)").get(0)).isIn("c1", "c2");
        List<String> recommended = ids(recommend);
        assertThat(recommended).contains("c2");
        assertThat(recommended.get(recommended.size() - 1)).isEqualTo("c2");
        List<String> similar = ids("CALL shopgraph.similar('p2', 10, {userId: 'ann', newItems: 0})");
        assertThat(similar.get(similar.size() - 1)).isEqualTo("c2");
        assertThat(ids("CALL shopgraph.similar('p2', 10, {newItems: 0})").indexOf("c2"))
                .isLessThan(similar.size() - 1);
    }

    @Test
    void withAnActiveModelVerySimilarIsACosineOfTheEmbeddings() {
        // c1 and ch point the same way (cosine 0.99); c2, of c1's brand and category, does not.
        run("""
                CREATE (:ModelVersion {version: 'v1', active: true, slot: 'B', status: 'active'})
                WITH 1 AS one
                UNWIND [['c1', [1.0, 0.0]], ['ch', [0.99, 0.14]], ['c2', [0.0, 1.0]], ['p1', [0.5, 0.5]],
                        ['p2', [0.6, 0.4]], ['p3', [0.4, 0.6]], ['p4', [0.3, 0.7]]] AS e
                MATCH (i:Item {itemId: e[0]}) SET i.embeddingB = e[1]
                """);
        run("""
                MATCH (ann:User {userId: 'ann'}), (c1:Item {itemId: 'c1'})
                CREATE (ann)-[:REJECTED {kind: 'dismissed', at: datetime(), count: 1}]->(c1)
                """);
        // Bought with p3 (ch) ranks before viewed with p2 (p1): for anyone, not for ann.
        List<String> anyone = ids("CALL shopgraph.bundle(['p2', 'p3'], 10)");
        assertThat(anyone).containsSubsequence("ch", "p1");
        List<String> bundle = ids("CALL shopgraph.bundle(['p2', 'p3'], 10, {user: 'ann'})");
        assertThat(bundle).contains("c2", "p1").doesNotContain("c1");
        assertThat(bundle.get(bundle.size() - 1)).isEqualTo("ch");
    }

    @Test
    void aNewItemIsShownBeforeAnyoneTouchedIt() {
        // A new phone of acme, and a new case of another brand; nobody viewed or bought them.
        run("""
                MATCH (acme:Brand {name: 'acme'}), (phones:Category {code: 'phones'}),
                      (cases:Category {code: 'cases'})
                CREATE (p9:Item {itemId: 'p9', inCatalog: true})-[:HAS_BRAND]->(acme), (p9)-[:IN_CATEGORY]->(phones),
                       (c9:Item {itemId: 'c9'})-[:HAS_BRAND]->(:Brand {name: 'other'}), (c9)-[:IN_CATEGORY]->(cases)
                """);
        // Walks that do not follow brands and categories cannot reach them: the cold start can.
        String behaviourOnly = "typeWeights: {HAS_BRAND: 0.0, IN_CATEGORY: 0.0}";
        withinASecond("similar items of a phone show the new phone last", () -> {
            List<Record> rows = rows("CALL shopgraph.similar('p1', 5, {" + behaviourOnly + "})");
            Record last = rows.get(rows.size() - 1);
            return last.get("itemId").asString().equals("p9")
                    && last.get("reason").asString().equals(NewItems.SAME_BRAND_AND_CATEGORY);
        });
        // Of a case: the new case of another brand, by category.
        assertThat(reasonOf("CALL shopgraph.similar('c1', 5, {" + behaviourOnly + "})", "c9"))
                .isEqualTo("new in cases");
        // Walks that follow them may find it first: then it is shown as a walk found it.
        assertThat(ids("CALL shopgraph.similar('c1', 5)")).contains("c9");
        // The new item's own similar items: walks through its brand and category.
        withinASecond("the new phone has similar items", () -> ids("CALL shopgraph.similar('p9', 5)")
                .containsAll(List.of("p1", "p2")));
        // ann's recent items are phones: the new phone takes the last place of her list (without
        // the walks, which may find it through the brand first).
        assertThat(ids("CALL shopgraph.recommend('ann', 5)")).contains("p9");
        List<Record> rows = rows("CALL shopgraph.recommend('ann', 5, {walkCandidates: 0})");
        assertThat(rows.get(rows.size() - 1).get("itemId").asString()).isEqualTo("p9");
        assertThat(rows.get(rows.size() - 1).get("reason").asString()).isEqualTo(NewItems.SAME_BRAND_AND_CATEGORY);
        assertThat(rows.stream().map(r -> r.get("rank").asLong()).toList())
                .isEqualTo(LongStream.rangeClosed(1, rows.size()).boxed().toList());
        assertThat(ids("CALL shopgraph.recommend('ann', 5, {walkCandidates: 0, newItems: 0})")).doesNotContain("p9");
        // Never the first place.
        assertThat(ids("CALL shopgraph.similar('p1', 1)")).doesNotContain("p9");
        // Once someone views it, it is no longer new: walks find it like any other.
        run("""
                MATCH (s:Session {sessionId: 's2'}), (p9:Item {itemId: 'p9'})
                CREATE (s)-[:VIEWED {count: 1, first: datetime(), last: datetime(), weight: 1.0}]->(p9)
                """);
        withinASecond("a viewed item is no longer new", () -> !NewItems.SAME_BRAND_AND_CATEGORY.equals(
                reasonOf("CALL shopgraph.similar('p1', 5, {" + behaviourOnly + "})", "p9")));
        // A hidden new item is not shown.
        run("MATCH (c9:Item {itemId: 'c9'}) SET c9.hidden = true");
        assertThat(ids("CALL shopgraph.similar('c1', 5)")).doesNotContain("c9");
        assertThat(ids("CALL shopgraph.similar('c1', 5, {" + behaviourOnly + "})")).doesNotContain("c9");
    }

    @Test
    void everyVariantOfAnExperimentFollowsTheSameRulesThePopularityBaselineToo() {
        // ann and bob both in the baseline (variant 1 of 50/50) under this salt.
        double[] shares = {0.5, 0.5};
        String salt = null;
        for (int n = 0; salt == null; n++) {
            if (Assignment.variant("rules-" + n, "ann", shares) == 1 && Assignment.variant("rules-" + n, "bob", shares) == 1) {
                salt = "rules-" + n;
            }
        }
        run("CALL shopgraph.experiment.start($definition)", Map.of("definition", Map.of("name", "rules",
                "surfaces", List.of("bundle", "recommend", "similar"), "salt", salt,
                "start", ZonedDateTime.parse("2024-01-01T00:00:00Z"), "end", ZonedDateTime.parse("2124-01-01T00:00:00Z"),
                "variants", List.of(Map.of("name", "control", "share", 0.5),
                        Map.of("name", "popular", "share", 0.5, "baseline", "popularity")))));
        // ann rejects c1 (c2, of its brand and category, is demoted); p3 is hidden, p4 out of
        // stock; p9 is a new phone of acme.
        run("""
                MATCH (ann:User {userId: 'ann'}), (c1:Item {itemId: 'c1'}), (p3:Item {itemId: 'p3'}),
                      (p4:Item {itemId: 'p4'}), (acme:Brand {name: 'acme'}), (phones:Category {code: 'phones'})
                CREATE (ann)-[:REJECTED {kind: 'not_interested', at: datetime(), count: 1}]->(c1),
                       (p9:Item {itemId: 'p9', inCatalog: true})-[:HAS_BRAND]->(acme), (p9)-[:IN_CATEGORY]->(phones)
                SET p3.hidden = true, p4.inStock = false
                """);
        // Popularity (orders and views): p1, c1, p2, c2, then p3, ch, p4.
        String bundle = "CALL shopgraph.bundle(['p1'], 10, {experiment: 'rules', user: $user})";
        String recommend = "CALL shopgraph.recommend($user, 10, {experiment: 'rules'})";
        String similar = "CALL shopgraph.similar('p1', 10, {experiment: 'rules', user: $user})";
        withinASecond("the baseline leaves out ann's rejection and the hidden and out of stock items, and shows"
                + " the demoted case last", () -> ids(bundle, "ann").equals(List.of("p2", "ch", "c2")));
        assertThat(rows(bundle, "ann")).extracting(r -> r.get("variant").asString()).containsOnly("popular");
        assertThat(rows(bundle, "ann")).extracting(r -> r.get("reason").asString()).containsOnly("popular");
        assertThat(ids(bundle, "bob")).containsExactly("c1", "p2", "c2", "ch");
        // recommend: ann's recent items p1 and p2 are left out, as outside an experiment; the new
        // phone takes the last place.
        List<Record> recommended = rows(recommend, "ann");
        assertThat(recommended).extracting(r -> r.get("itemId").asString()).containsExactly("ch", "c2", "p9");
        assertThat(recommended.get(2).get("reason").asString()).isEqualTo(NewItems.SAME_BRAND_AND_CATEGORY);
        assertThat(recommended).extracting(r -> r.get("variant").asString()).containsOnly("popular");
        List<Record> similarRows = rows(similar, "ann");
        assertThat(similarRows).extracting(r -> r.get("itemId").asString()).containsExactly("p2", "ch", "c2", "p9");
        assertThat(ids(similar, "bob")).containsExactly("c1", "p2", "c2", "ch", "p9");
        assertThat(similarRows).extracting(r -> r.get("variant").asString()).containsOnly("popular");
        // The control, for the same users, applies them to its own ranking.
        run("CALL shopgraph.experiment.stop('rules')");
        assertThat(ids("CALL shopgraph.bundle(['p1'], 10, {user: 'ann'})")).doesNotContain("c1", "p3", "p4");
        assertThat(ids("CALL shopgraph.similar('p1', 10, {userId: 'ann'})")).doesNotContain("c1", "p3", "p4");
    }

    @Test
    void aSimilarCallThroughAnExperimentNamesOneUser() {
        run("CALL shopgraph.experiment.start($definition)", Map.of("definition", Map.of("name", "one-user",
                "surfaces", List.of("similar"),
                "start", ZonedDateTime.parse("2024-01-01T00:00:00Z"), "end", ZonedDateTime.parse("2124-01-01T00:00:00Z"),
                "variants", List.of(Map.of("name", "control", "share", 0.5), Map.of("name", "same", "share", 0.5)))));
        try (Session session = driver.session()) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> session.run(
                    "CALL shopgraph.similar('p1', 10, {experiment: 'one-user', user: 'ann', userId: 'bob'})").list())
                    .getMessage()).endsWith("[shopgraph.bad_argument] A similar call through experiment 'one-user'"
                    + " asks for user 'ann' (key user) but its userId is the string 'bob': give the same user or leave userId out.");
        }
        run("MATCH (ann:User {userId: 'ann'}), (c1:Item {itemId: 'c1'})"
                + " CREATE (ann)-[:REJECTED {kind: 'dismissed', at: datetime(), count: 1}]->(c1)");
        assertThat(ids("CALL shopgraph.similar('p1', 10, {experiment: 'one-user', user: 'ann'})")).doesNotContain("c1");
        assertThat(ids("CALL shopgraph.similar('p1', 10, {experiment: 'one-user', user: 'bob'})")).contains("c1");
        run("CALL shopgraph.experiment.stop('one-user')");
    }

    private List<Record> rows(String cypher, String user) {
        try (Session session = driver.session()) {
            return session.run(cypher, Map.of("user", user)).list();
        }
    }

    private List<String> ids(String cypher, String user) {
        return rows(cypher, user).stream().map(r -> r.get("itemId").asString()).toList();
    }
}
