package io.shopgraph.plugin.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.common.Await;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

/** Calls {@code shopgraph.load.chunk} over Bolt on an in-process Neo4j with the schema's keys. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoadProcedureTest {

    private static final String CALL = "CALL shopgraph.load.chunk($categories, $items, $sessions, $orders)";

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withProcedure(LoadProcedure.class)
                .build();
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none());
        try (Session session = driver.session()) {
            for (String[] key : new String[][] {{"User", "userId"}, {"Item", "itemId"},
                    {"Brand", "name"}, {"Category", "code"}, {"Session", "sessionId"},
                    {"Order", "orderId"}}) {
                session.run("CREATE CONSTRAINT IF NOT EXISTS FOR (n:" + key[0] + ") REQUIRE n."
                        + key[1] + " IS UNIQUE").consume();
            }
        }
    }

    @AfterAll
    void stop() {
        driver.close();
        neo4j.close();
    }

    @BeforeEach
    void wipe() {
        try (Session session = driver.session()) {
            session.run("MATCH (n) DETACH DELETE n").consume();
        }
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private Record call(List<?> categories, List<?> items, List<?> sessions, List<?> orders) {
        try (Session session = driver.session()) {
            return session.executeWrite(tx -> tx.run(CALL, map("categories", categories, "items", items,
                    "sessions", sessions, "orders", orders)).single());
        }
    }

    private Record one(String query) {
        try (Session session = driver.session()) {
            return session.run(query).single();
        }
    }

    private Record firstChunk() {
        return call(
                List.of(map("code", "a", "name", "a", "level", 1L, "parent", null),
                        map("code", "a.b", "name", "b", "level", 2L, "parent", "a")),
                List.of(map("id", "i1", "price", 9.5, "categoryId", "77", "name", null, "brand", "acme",
                                "category", "a.b"),
                        map("id", "i2", "price", null, "categoryId", null, "name", null, "brand", null,
                                "category", null)),
                List.of(map("id", "s1", "start", 1000L, "end", 2000L, "n", 3L, "users", List.of("u1"),
                        "views", List.of(List.of("i1", 2L, 1000L, 2000L)),
                        "carts", List.of(List.of("i2", 1L, 1500L, 1500L)), "removals", List.of())),
                List.of(map("id", "s1", "at", 2000L, "kind", "order", "source", "rees46",
                        "users", List.of("u1"), "sessions", List.of("s1"),
                        "lines", List.of(Arrays.asList("i1", 1L, 1L, 9.5, 7L)))));
    }

    @Test
    void aChunkCreatesTheGraphOfTheMergeStatementsAndCountsIt() {
        Record row = firstChunk();

        assertThat(row.keys()).containsExactly("rows", "nodesCreated", "relationshipsCreated", "propertiesSet");
        assertThat(row.get("rows").asLong()).isEqualTo(6);
        assertThat(row.get("nodesCreated").asLong()).isEqualTo(8);
        assertThat(row.get("relationshipsCreated").asLong()).isEqualTo(9);
        Record shape = one("MATCH (u:User {userId: 'u1'})-[:HAS_SESSION]->(s:Session {sessionId: 's1'})"
                + "-[v:VIEWED]->(i:Item {itemId: 'i1'})-[:HAS_BRAND]->(:Brand {name: 'acme'}), "
                + "(i)-[:IN_CATEGORY]->(:Category {code: 'a.b', level: 2})-[:CHILD_OF]->(:Category {code: 'a'}), "
                + "(u)-[:PLACED]->(o:Order {orderId: 's1'})-[:IN_SESSION]->(s), (o)-[c:CONTAINS]->(i), "
                + "(s)-[a:ADDED_TO_CART]->(:Item {itemId: 'i2'}) "
                + "RETURN v.count AS count, v.first = datetime({epochMillis: 1000}) AS first, "
                + "v.last = datetime({epochMillis: 2000}) AS last, v.weight AS weight, s.events AS events, "
                + "o.at = datetime({epochMillis: 2000}) AS at, o.kind AS kind, c.quantity AS quantity, "
                + "c.lines AS lines, c.price AS price, c.position AS position, c.weight AS cweight, a.weight AS aweight, "
                + "i.price AS itemPrice, i.categoryId AS categoryId, i.name AS name");
        assertThat(shape.get("count").asLong()).isEqualTo(2);
        assertThat(shape.get("first").asBoolean()).isTrue();
        assertThat(shape.get("last").asBoolean()).isTrue();
        assertThat(shape.get("weight").asDouble()).isEqualTo(1.0);
        assertThat(shape.get("events").asLong()).isEqualTo(3);
        assertThat(shape.get("at").asBoolean()).isTrue();
        assertThat(shape.get("kind").asString()).isEqualTo("order");
        assertThat(shape.get("quantity").asLong()).isEqualTo(1);
        assertThat(shape.get("lines").asLong()).isEqualTo(1);
        assertThat(shape.get("price").asDouble()).isEqualTo(9.5);
        assertThat(shape.get("position").asLong()).isEqualTo(7);
        assertThat(shape.get("cweight").asDouble()).isEqualTo(1.0);
        assertThat(shape.get("aweight").asDouble()).isEqualTo(1.0);
        assertThat(shape.get("itemPrice").asDouble()).isEqualTo(9.5);
        assertThat(shape.get("categoryId").asString()).isEqualTo("77");
        assertThat(shape.get("name").isNull()).isTrue();
    }

    @Test
    void aLaterChunkAddsCountsWidensTimesAndKeepsStoredValuesOverNulls() {
        firstChunk();

        Record row = call(List.of(),
                List.of(map("id", "i1", "price", null, "categoryId", null, "name", "Phone", "brand", "acme",
                        "category", "a.b")),
                List.of(map("id", "s1", "start", 500L, "end", 1800L, "n", 2L, "users", List.of("u1"),
                        "views", List.of(List.of("i1", 1L, 500L, 1200L), List.of("ghost", 1L, 500L, 500L)),
                        "carts", List.of(), "removals", List.of())),
                List.of(map("id", "s1", "at", 1900L, "kind", "order", "source", "rees46",
                        "users", List.of("u1"), "sessions", List.of("s1", "nowhere"),
                        "lines", List.of(Arrays.asList("i1", 2L, 1L, null, null)))));

        assertThat(row.get("nodesCreated").asLong()).isZero();
        assertThat(row.get("relationshipsCreated").asLong()).isZero();
        Record after = one("MATCH (s:Session {sessionId: 's1'})-[v:VIEWED]->(i:Item {itemId: 'i1'}), "
                + "(o:Order {orderId: 's1'})-[c:CONTAINS]->(i) "
                + "RETURN v.count AS count, v.first = datetime({epochMillis: 500}) AS first, "
                + "v.last = datetime({epochMillis: 2000}) AS last, s.events AS events, "
                + "s.start = datetime({epochMillis: 500}) AS start, s.end = datetime({epochMillis: 2000}) AS end, "
                + "o.at = datetime({epochMillis: 1900}) AS at, c.quantity AS quantity, c.lines AS lines, "
                + "c.price AS price, c.position AS position, i.price AS itemPrice, i.name AS name, "
                + "COUNT { ()-[r]->() } AS relationships, COUNT { (n) } AS nodes");
        assertThat(after.get("count").asLong()).isEqualTo(3);
        assertThat(after.get("first").asBoolean()).isTrue();
        assertThat(after.get("last").asBoolean()).isTrue();
        assertThat(after.get("events").asLong()).isEqualTo(5);
        assertThat(after.get("start").asBoolean()).isTrue();
        assertThat(after.get("end").asBoolean()).isTrue();
        assertThat(after.get("at").asBoolean()).isTrue();
        assertThat(after.get("quantity").asLong()).isEqualTo(3);
        assertThat(after.get("lines").asLong()).isEqualTo(2);
        assertThat(after.get("price").asDouble()).isEqualTo(9.5);
        assertThat(after.get("position").asLong()).isEqualTo(7);
        assertThat(after.get("itemPrice").asDouble()).isEqualTo(9.5);
        assertThat(after.get("name").asString()).isEqualTo("Phone");
        assertThat(after.get("relationships").asLong()).isEqualTo(9);
        assertThat(after.get("nodes").asLong()).isEqualTo(8);
    }

    @Test
    void anOrderLineKeepsTheSmallestPosition() {
        firstChunk();
        for (Long position : Arrays.asList(12L, null, 3L, 5L)) {
            call(List.of(), List.of(), List.of(), List.of(map("id", "s1", "at", 2000L, "kind", "order",
                    "source", "rees46", "users", List.of(), "sessions", List.of(),
                    "lines", List.of(Arrays.asList("i1", 1L, 1L, null, position)))));
        }
        assertThat(one("MATCH (:Order {orderId: 's1'})-[c:CONTAINS]->() RETURN c.position AS position")
                .get("position").asLong()).isEqualTo(3);
    }

    @Test
    void aMalformedRowFailsTheCallWithASentenceAndWritesNothing() {
        List<?> items = List.of(map("id", "i1", "price", "cheap", "categoryId", null, "name", null,
                "brand", null, "category", null));

        assertThatThrownBy(() -> call(List.of(), items, List.of(), List.of()))
                .isInstanceOf(ClientException.class)
                .hasMessageEndingWith("[shopgraph.bad_input {\"index\":0,\"field\":\"price\"}] Field price of a row"
                        + " of items must be a number or null, got the string 'cheap'.");
        assertThat(one("MATCH (n) RETURN count(n) AS n").get("n").asLong()).isZero();
    }

    private static Map<String, Object> sessionOf(String id, String user) {
        return map("id", id, "start", 1000L, "end", 1000L, "n", 1L, "users", List.of(user),
                "views", List.of(), "carts", List.of(), "removals", List.of());
    }

    @Test
    void twoTransactionsCreatingTheSameUserWaitForEachOtherAsMergeDoes() throws Exception {
        Map<String, Object> first = map("categories", List.of(), "items", List.of(),
                "sessions", List.of(sessionOf("s1", "u9")), "orders", List.of());
        Map<String, Object> second = map("categories", List.of(), "items", List.of(),
                "sessions", List.of(sessionOf("s2", "u9")), "orders", List.of());
        try (Session one = driver.session(); Session two = driver.session()) {
            Transaction tx1 = one.beginTransaction();
            tx1.run(CALL, first).consume();
            CompletableFuture<Long> other = CompletableFuture.supplyAsync(() -> two.executeWrite(
                    tx -> tx.run(CALL, second).single().get("nodesCreated").asLong()));
            Await.until("the second load waits on a lock held by the first", this::aTransactionIsBlocked,
                    Duration.ofSeconds(30));
            assertThat(other).isNotDone(); // waiting on the lock of the key u9
            tx1.commit();
            tx1.close();

            assertThat(other.get(30, TimeUnit.SECONDS)).isEqualTo(1); // only its session
        }
        Record users = one("MATCH (u:User {userId: 'u9'}) RETURN count(u) AS n, COUNT { (u)-[:HAS_SESSION]->() } AS s");
        assertThat(users.get("n").asLong()).isEqualTo(1);
        assertThat(users.get("s").asLong()).isEqualTo(2);
    }

    @Test
    void aKnownBasketOrItemGetsANewUserOrBrandOnceAndAKnownOneNotAgain() {
        firstChunk();
        call(List.of(), List.of(map("id", "i9", "price", null, "categoryId", null, "name", null, "brand", "zeta",
                        "category", null)),
                List.of(sessionOf("s2", "u2")), List.of());

        // s1 knows u1; u2 exists (with s2) and u3 is new. i1 has acme; zeta exists (with i9).
        Record row = call(List.of(),
                List.of(map("id", "i1", "price", null, "categoryId", null, "name", null, "brand", "zeta",
                                "category", null),
                        map("id", "i2", "price", null, "categoryId", null, "name", null, "brand", "acme",
                                "category", null)),
                List.of(map("id", "s1", "start", 1000L, "end", 1000L, "n", 1L, "users", List.of("u1", "u2", "u3"),
                        "views", List.of(), "carts", List.of(), "removals", List.of())),
                List.of(map("id", "s1", "at", 2000L, "kind", "order", "source", "rees46",
                        "users", List.of("u1", "u3"), "sessions", List.of(), "lines", List.of())));
        Record again = call(List.of(),
                List.of(map("id", "i1", "price", null, "categoryId", null, "name", null, "brand", "acme",
                        "category", null)),
                List.of(map("id", "s1", "start", 1000L, "end", 1000L, "n", 1L, "users", List.of("u2", "u3"),
                        "views", List.of(), "carts", List.of(), "removals", List.of())),
                List.of(map("id", "s1", "at", 2000L, "kind", "order", "source", "rees46",
                        "users", List.of("u3"), "sessions", List.of(), "lines", List.of())));

        assertThat(row.get("nodesCreated").asLong()).isEqualTo(1); // u3
        // u2 and u3 to s1, u3 to the order, i1 to zeta, i2 to acme
        assertThat(row.get("relationshipsCreated").asLong()).isEqualTo(5);
        assertThat(again.get("nodesCreated").asLong()).isZero();
        assertThat(again.get("relationshipsCreated").asLong()).isZero();
        Record graph = one("MATCH (s:Session {sessionId: 's1'}), (o:Order {orderId: 's1'}), "
                + "(i1:Item {itemId: 'i1'}), (i2:Item {itemId: 'i2'}) "
                + "RETURN COLLECT { MATCH (u)-[:HAS_SESSION]->(s) RETURN u.userId ORDER BY u.userId } AS sessionUsers, "
                + "COLLECT { MATCH (u)-[:PLACED]->(o) RETURN u.userId ORDER BY u.userId } AS orderUsers, "
                + "COLLECT { MATCH (i1)-[:HAS_BRAND]->(b) RETURN b.name ORDER BY b.name } AS brands1, "
                + "COLLECT { MATCH (i2)-[:HAS_BRAND]->(b) RETURN b.name } AS brands2, "
                + "COUNT { (u:User) } AS users, COUNT { (b:Brand) } AS brandNodes");
        assertThat(graph.get("sessionUsers").asList()).containsExactly("u1", "u2", "u3");
        assertThat(graph.get("orderUsers").asList()).containsExactly("u1", "u3");
        assertThat(graph.get("brands1").asList()).containsExactly("acme", "zeta");
        assertThat(graph.get("brands2").asList()).containsExactly("acme");
        assertThat(graph.get("users").asLong()).isEqualTo(3);
        assertThat(graph.get("brandNodes").asLong()).isEqualTo(2);
    }

    @Test
    void theUserOfAKnownSessionIsLockedAsMergeLocksIt() throws Exception {
        firstChunk(); // s1 of u1
        Map<String, Object> known = map("categories", List.of(), "items", List.of(),
                "sessions", List.of(sessionOf("s1", "u1")), "orders", List.of());
        Map<String, Object> fresh = map("categories", List.of(), "items", List.of(),
                "sessions", List.of(sessionOf("s2", "u1")), "orders", List.of());
        try (Session one = driver.session(); Session two = driver.session()) {
            Transaction tx1 = one.beginTransaction();
            tx1.run(CALL, known).consume(); // finds u1 among s1's users: nothing written to u1
            CompletableFuture<Long> other = CompletableFuture.supplyAsync(() -> two.executeWrite(
                    tx -> tx.run(CALL, fresh).single().get("relationshipsCreated").asLong()));
            Await.until("the second load waits on the key u1 held by the first", this::aTransactionIsBlocked,
                    Duration.ofSeconds(30));
            assertThat(other).isNotDone();
            tx1.commit();
            tx1.close();

            assertThat(other.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    /** Whether a transaction of the server is blocked, waiting on a lock. */
    private boolean aTransactionIsBlocked() {
        try (Session session = driver.session()) {
            return session.run("SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS n")
                    .single().get("n").asLong() > 0;
        }
    }

    @Test
    void aMissingKeyConstraintIsASentence() {
        try (Session session = driver.session()) {
            String name = session.run("SHOW CONSTRAINTS YIELD name, labelsOrTypes WHERE labelsOrTypes = ['Brand'] "
                    + "RETURN name").single().get("name").asString();
            session.run("DROP CONSTRAINT " + name).consume();
        }
        try {
            List<?> items = List.of(map("id", "i1", "price", null, "categoryId", null, "name", null,
                    "brand", "acme", "category", null));
            assertThatThrownBy(() -> call(List.of(), items, List.of(), List.of()))
                    .isInstanceOf(ClientException.class)
                    .hasMessageContaining("[shopgraph.conflict] Loading needs the uniqueness constraint on"
                            + " :Brand(name); create the"
                            + " schema first");
        } finally {
            try (Session session = driver.session()) {
                session.run("CREATE CONSTRAINT IF NOT EXISTS FOR (n:Brand) REQUIRE n.name IS UNIQUE").consume();
            }
        }
    }

    @Test
    void theProcedureIsAWriteProcedure() {
        Record row = one("SHOW PROCEDURES YIELD name, mode WHERE name = 'shopgraph.load.chunk'");

        assertThat(row.get("mode").asString()).isEqualTo("WRITE");
    }
}
