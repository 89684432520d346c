package io.shopgraph.plugin.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Calls {@code shopgraph.export.interactions} over Bolt on a small shop (see {@link #SHOP}) and
 * checks its edges by hand and against the readable statement {@code export_interactions.cypher}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportProcedureTest {

    private static final ZonedDateTime NOW = ZonedDateTime.parse("2024-01-31T00:00:00Z");

    /**
     * u1 viewed and carted i1 ten days before t0 and bought it twenty days before (trust 0.5 on
     * that line), viewed and removed i3 at t0, and cancelled an order of i2. u2 viewed i2 in two
     * sessions (trust 0.25), ten days before t0 and at t0. u3 only removed i4 from a cart; u4 did
     * nothing; an anonymous session viewed i5. Categories: electronics.audio (i1) is a child of
     * electronics (i2); home holds i3 and i5.
     */
    private static final String SHOP = """
            WITH datetime('2024-01-31T00:00:00Z') AS t0
            CREATE (i1:Item {itemId: 'i1'}), (i2:Item {itemId: 'i2'}), (i3:Item {itemId: 'i3'}),
                   (i4:Item {itemId: 'i4'}), (i5:Item {itemId: 'i5'}),
                   (el:Category {code: 'electronics'}), (audio:Category {code: 'electronics.audio'}),
                   (home:Category {code: 'home'}), (audio)-[:CHILD_OF]->(el),
                   (i1)-[:IN_CATEGORY]->(audio), (i2)-[:IN_CATEGORY]->(el),
                   (i3)-[:IN_CATEGORY]->(home), (i5)-[:IN_CATEGORY]->(home),
                   (u1:User {userId: 'u1'}), (u2:User {userId: 'u2'}), (u3:User {userId: 'u3'}),
                   (:User {userId: 'u4'}),
                   (s1:Session {sessionId: 's1', end: t0}), (s2:Session {sessionId: 's2', end: t0 - duration('P10D')}),
                   (s3:Session {sessionId: 's3', end: t0}), (s4:Session {sessionId: 's4', end: t0}),
                   (s5:Session {sessionId: 's5', end: t0}),
                   (u1)-[:HAS_SESSION]->(s1), (u2)-[:HAS_SESSION]->(s2), (u2)-[:HAS_SESSION]->(s3),
                   (u3)-[:HAS_SESSION]->(s4),
                   (s1)-[:VIEWED {count: 2, last: t0 - duration('P10D'), weight: 1.0}]->(i1),
                   (s1)-[:ADDED_TO_CART {count: 1, last: t0 - duration('P10D'), weight: 1.0}]->(i1),
                   (s1)-[:VIEWED {count: 1, last: t0, weight: 1.0}]->(i3),
                   (s1)-[:REMOVED_FROM_CART {count: 1, last: t0, weight: 1.0}]->(i3),
                   (s2)-[:VIEWED {count: 1, last: t0 - duration('P10D'), weight: 0.25}]->(i2),
                   (s3)-[:VIEWED {count: 1, last: t0, weight: 0.25}]->(i2),
                   (s4)-[:REMOVED_FROM_CART {count: 1, last: t0, weight: 1.0}]->(i4),
                   (s5)-[:VIEWED {count: 1, last: t0, weight: 1.0}]->(i5),
                   (u1)-[:PLACED]->(o1:Order {orderId: 'o1', kind: 'order', at: t0 - duration('P20D')}),
                   (o1)-[:CONTAINS {quantity: 1, weight: 0.5}]->(i1),
                   (u1)-[:PLACED]->(o2:Order {orderId: 'o2', kind: 'cancellation', at: t0}),
                   (o2)-[:CONTAINS {quantity: -1, weight: 1.0}]->(i2)
            """;

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withProcedure(ExportProcedure.class)
                .withFixture(SHOP)
                .build();
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none());
    }

    @AfterAll
    void stop() {
        driver.close();
        neo4j.close();
    }

    private List<Record> call(Map<String, Object> config) {
        return driver.executableQuery("CALL shopgraph.export.interactions($config)")
                .withParameters(Map.of("config", config)).execute().records();
    }

    private static Map<String, Object> config(Object... pairs) {
        Map<String, Object> config = new HashMap<>();
        config.put("now", NOW);
        for (int n = 0; n < pairs.length; n += 2) {
            config.put((String) pairs[n], pairs[n + 1]);
        }
        return config;
    }

    /** The edges of the rows as "user|item" to weight. */
    private static Map<String, Double> edges(List<Record> rows) {
        List<String> itemIds = new ArrayList<>();
        Map<String, Double> edges = new TreeMap<>();
        for (Record row : rows) {
            itemIds.addAll(row.get("newItems").asList(v -> v.asString()));
            List<String> users = row.get("users").asList(v -> v.asString());
            List<Long> counts = row.get("counts").asList(v -> v.asLong());
            List<Long> items = row.get("items").asList(v -> v.asLong());
            List<Double> weights = row.get("weights").asList(v -> v.asDouble());
            int at = 0;
            for (int u = 0; u < users.size(); u++) {
                for (long n = 0; n < counts.get(u); n++, at++) {
                    String key = users.get(u) + "|" + itemIds.get(items.get(at).intValue());
                    assertThat(edges.put(key, weights.get(at))).as("edge %s once", key).isNull();
                }
            }
            assertThat(at).isEqualTo(items.size()).isEqualTo(weights.size());
        }
        return edges;
    }

    @Test
    void edgesSumKindWeightsDecayAndTrustWithTheSharedColumns() {
        List<Record> rows = call(config("halfLifeDays", 10.0));

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).keys()).containsExactly("users", "counts", "items", "weights", "newItems");
        // u1-i1: view 1 x 0.5 + cart 2 x 0.5 + purchase 4 x 0.25 x trust 0.5; u1-i3: view 1 (the
        // removal weighs 0); u2-i2: 0.25 x (0.5 + 1); the cancelled order and u3's removal count 0.
        assertThat(edges(rows)).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "u1|i1", 2.0, "u1|i3", 1.0, "u2|i2", 0.375)));
        assertThat(rows.get(0).get("users").asList(v -> v.asString())).containsExactlyInAnyOrder("u1", "u2");
        assertThat(rows.get(0).get("newItems").asList(v -> v.asString()))
                .containsExactlyInAnyOrder("i1", "i2", "i3");
    }

    @Test
    void rowsSplitUsersAndNameEachItemOnce() {
        List<Record> rows = call(config("halfLifeDays", 10.0, "usersPerRow", 1L));

        assertThat(rows).hasSize(2);
        assertThat(rows).allSatisfy(row -> assertThat(row.get("users").size()).isEqualTo(1));
        List<String> named = rows.stream().flatMap(r -> r.get("newItems").asList(v -> v.asString()).stream())
                .collect(Collectors.toList());
        assertThat(named).containsExactlyInAnyOrder("i1", "i2", "i3");
        assertThat(edges(rows)).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "u1|i1", 2.0, "u1|i3", 1.0, "u2|i2", 0.375)));
    }

    @Test
    void categoriesTakeTheirDescendantsAndTheWindowLeavesOutOlderAndLaterInteractions() {
        assertThat(edges(call(config("halfLifeDays", 10.0, "categories", List.of("electronics")))))
                .containsOnlyKeys("u1|i1", "u2|i2");
        assertThat(edges(call(config("halfLifeDays", 10.0, "categories", List.of("electronics.audio")))))
                .containsOnlyKeys("u1|i1");
        assertThat(edges(call(config("halfLifeDays", 10.0, "since", NOW.minusDays(15)))))
                .containsExactlyEntriesOf(new TreeMap<>(Map.of("u1|i1", 1.5, "u1|i3", 1.0, "u2|i2", 0.375)));
        assertThat(edges(call(config("halfLifeDays", 10.0, "until", NOW.minusDays(1)))))
                .containsExactlyEntriesOf(new TreeMap<>(Map.of("u1|i1", 2.0, "u2|i2", 0.125)));
    }

    @Test
    void withoutDecayAndTrustTheKindWeightsAloneCount() {
        Map<String, Object> config = config("useTrust", false, "weights", Map.of("REMOVED_FROM_CART", 1.0));
        config.put("halfLifeDays", null);

        assertThat(edges(call(config))).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "u1|i1", 7.0, "u1|i3", 2.0, "u2|i2", 2.0, "u3|i4", 1.0)));
    }

    @Test
    void theReadableStatementGivesTheSameEdges() throws IOException {
        String statement = Files.readAllLines(Path.of("..", "export_interactions.cypher")).stream()
                .filter(line -> !line.stripLeading().startsWith("//"))
                .collect(Collectors.joining("\n"));
        Map<String, Object> noDecay = config("useTrust", false, "weights", weights(1.0, 2.0, 1.0, 4.0));
        noDecay.put("halfLifeDays", null);
        List<Map<String, Object>> configs = List.of(
                config("halfLifeDays", 10.0, "weights", weights(1.0, 2.0, 0.0, 4.0)),
                config("halfLifeDays", 3.0, "weights", weights(0.5, 3.0, 0.0, 6.0), "since", NOW.minusDays(12),
                        "categories", List.of("electronics", "home")),
                noDecay);
        for (Map<String, Object> config : configs) {
            Map<String, Object> params = new HashMap<>(config);
            params.putIfAbsent("since", null);
            params.put("until", null);
            params.putIfAbsent("categories", List.of());
            params.putIfAbsent("useTrust", true);
            Map<String, Double> expected = new TreeMap<>();
            driver.executableQuery(statement).withParameters(params).execute().records().forEach(r ->
                    expected.put(r.get("user").asString() + "|" + r.get("item").asString(),
                            r.get("weight").asDouble()));

            assertThat(expected).isNotEmpty();
            assertThat(edges(call(config))).as("config %s", config).containsExactlyEntriesOf(expected);
        }
    }

    @Test
    void aPairWithNegativeFeedbackIsLeftOutByTheProcedureAndTheReadableStatement() throws IOException {
        driver.executableQuery("MATCH (u:User {userId: 'u1'}), (i:Item {itemId: 'i3'}) "
                + "CREATE (u)-[:REJECTED {kind: 'not_interested', count: 1}]->(i)").execute();
        try {
            String statement = Files.readAllLines(Path.of("..", "export_interactions.cypher")).stream()
                    .filter(line -> !line.stripLeading().startsWith("//"))
                    .collect(Collectors.joining("\n"));
            Map<String, Object> params = new HashMap<>(config("halfLifeDays", 10.0,
                    "weights", weights(1.0, 2.0, 0.0, 4.0)));
            params.put("since", null);
            params.put("until", null);
            params.put("categories", List.of());
            params.put("useTrust", true);
            Map<String, Double> readable = new TreeMap<>();
            driver.executableQuery(statement).withParameters(params).execute().records().forEach(r ->
                    readable.put(r.get("user").asString() + "|" + r.get("item").asString(),
                            r.get("weight").asDouble()));

            Map<String, Double> expected = new TreeMap<>(Map.of("u1|i1", 2.0, "u2|i2", 0.375));
            assertThat(edges(call(config("halfLifeDays", 10.0)))).containsExactlyEntriesOf(expected);
            assertThat(readable).containsExactlyEntriesOf(expected);
        } finally {
            driver.executableQuery("MATCH ()-[r:REJECTED]->() DELETE r").execute();
        }
    }

    private static Map<String, Object> weights(double view, double cart, double remove, double purchase) {
        return Map.of("VIEWED", view, "ADDED_TO_CART", cart, "REMOVED_FROM_CART", remove, "CONTAINS", purchase);
    }

    @Test
    void badArgumentsAreErrorsWithSentences() {
        assertThatThrownBy(() -> call(config("categories", List.of("toys", "home", "garden"))))
                .isInstanceOf(ClientException.class)
                .hasMessageEndingWith("[shopgraph.unknown_id {\"kind\":\"category\",\"ids\":[\"toys\",\"garden\"]}]"
                        + " Unknown category ids: toys, garden.");
        assertThatThrownBy(() -> call(Map.of("halfLifeDays", 10.0)))
                .hasMessageContaining("[shopgraph.bad_argument] Config key 'now' must be given when halfLifeDays"
                        + " is set");
        assertThatThrownBy(() -> call(config("users", 3L)))
                .hasMessageContaining("[shopgraph.bad_argument] Unknown config key 'users'; known keys: since,"
                        + " until, categories, weights, halfLifeDays, now, useTrust, usersPerRow.");
        assertThatThrownBy(() -> call(config("since", LocalDateTime.of(2024, 3, 1, 0, 0))))
                .hasMessageEndingWith("[shopgraph.bad_argument] Config key 'since' must be a datetime with a"
                        + " timezone, got the local datetime 2024-03-01T00:00:00.");
    }
}
