package io.shopgraph.plugin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.common.Harness;
import java.util.List;
import java.util.Map;
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
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/** Calls {@code shopgraph.users.merge} and {@code shopgraph.users.forget} over Bolt. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsersProcedureTest {

    /**
     * The visitor v (trust 0.3) has sessions s1 (with order o1, one line) and shared (which u also
     * holds, with order o2 that both placed), feedback on p1 and p2, a recorded event in s1; the
     * known user u has session s3, feedback on p1 and an embedding; w holds session sw.
     */
    private static final String SHOP = """
            CREATE (v:User {userId: 'v', trust: 0.3, embeddingA: [1.0, 2.0]}), (u:User {userId: 'u', trust: 0.9}),
                   (w:User {userId: 'w'}),
                   (p1:Item {itemId: 'p1'}), (p2:Item {itemId: 'p2'}),
                   (s1:Session {sessionId: 's1', events: 2}), (shared:Session {sessionId: 'shared', events: 1}),
                   (s3:Session {sessionId: 's3', events: 1}), (sw:Session {sessionId: 'sw', events: 1}),
                   (v)-[:HAS_SESSION {weight: 0.3}]->(s1), (v)-[:HAS_SESSION {weight: 0.3}]->(shared),
                   (u)-[:HAS_SESSION {weight: 0.9}]->(shared), (u)-[:HAS_SESSION {weight: 0.9}]->(s3),
                   (w)-[:HAS_SESSION]->(sw),
                   (s1)-[:VIEWED {count: 1, weight: 0.3}]->(p1), (shared)-[:VIEWED {count: 1}]->(p2),
                   (s3)-[:VIEWED {count: 1}]->(p2), (sw)-[:VIEWED {count: 1}]->(p1),
                   (v)-[:PLACED {weight: 0.3}]->(o1:Order {orderId: 'o1', kind: 'order'})-[:IN_SESSION]->(s1),
                   (o1)-[:CONTAINS {quantity: 1, weight: 0.3}]->(p1),
                   (v)-[:PLACED]->(o2:Order {orderId: 'o2', kind: 'order'})<-[:PLACED]-(u),
                   (o2)-[:IN_SESSION]->(shared), (o2)-[:CONTAINS {quantity: 1}]->(p2),
                   (v)-[:REJECTED {kind: 'dismissed', count: 2, first: datetime('2024-03-01T00:00Z'),
                                   at: datetime('2024-03-03T00:00Z')}]->(p1),
                   (v)-[:REJECTED {kind: 'not_interested', count: 1, first: datetime('2024-03-01T00:00Z'),
                                   at: datetime('2024-03-01T00:00Z')}]->(p2),
                   (u)-[:REJECTED {kind: 'not_interested', count: 1, first: datetime('2024-03-02T00:00Z'),
                                   at: datetime('2024-03-02T00:00Z')}]->(p1),
                   (:RecordedEvent {eventId: 'e1', sessionId: 's1'}), (:RecordedEvent {eventId: 'e2', sessionId: 'sw'})
            """;

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder().withDisabledServer().withProcedure(UsersProcedure.class).build();
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none());
        try (Session session = driver.session()) {
            Harness.createSchema(session);
        }
    }

    @AfterAll
    void stop() {
        driver.close();
        neo4j.close();
    }

    @BeforeEach
    void shop() {
        try (Session session = driver.session()) {
            session.run("MATCH (n) DETACH DELETE n").consume();
            session.run(SHOP).consume();
        }
    }

    private Record call(String query, Map<String, Object> params) {
        try (Session session = driver.session()) {
            return session.executeWrite(tx -> tx.run(query, params).single());
        }
    }

    private Record one(String query) {
        try (Session session = driver.session()) {
            return session.run(query).single();
        }
    }

    @Test
    void aMergeMovesHistoryAndFeedbackOnceAndRemovesTheSource() {
        Record row = call("CALL shopgraph.users.merge('v', 'u')", Map.of());

        assertThat(row.asMap()).isEqualTo(Map.of("sessions", 1L, "orders", 1L, "feedback", 1L, "combined", 3L,
                "targetCreated", false, "exposures", 0L));
        assertThat(one("MATCH (n:User {userId: 'v'}) RETURN count(n) AS n").get("n").asLong()).isZero();
        Record u = one("MATCH (u:User {userId: 'u'}) RETURN u.trustStale AS stale, u.trust AS trust, "
                + "[(u)-[h:HAS_SESSION]->(s) | [s.sessionId, h.weight]] AS sessions, "
                + "[(u)-[:PLACED]->(o) | o.orderId] AS orders, "
                + "[(u)-[r:REJECTED]->(i) | [i.itemId, r.kind, r.count, toString(r.first), toString(r.at)]] AS feedback");
        assertThat(u.get("stale").asBoolean()).isTrue();
        assertThat(u.get("trust").asDouble()).isEqualTo(0.9);
        assertThat(u.get("sessions").asList()).containsExactlyInAnyOrder(List.of("s1", 0.3), List.of("shared", 0.9),
                List.of("s3", 0.9));
        assertThat(u.get("orders").asList()).containsExactlyInAnyOrder("o1", "o2");
        assertThat(u.get("feedback").asList()).containsExactlyInAnyOrder(
                List.of("p1", "dismissed", 3L, "2024-03-01T00:00:00Z", "2024-03-03T00:00:00Z"),
                List.of("p2", "not_interested", 1L, "2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z"));
        assertThat(one("MATCH (:User)-[r:HAS_SESSION]->(:Session {sessionId: 'shared'}) RETURN count(r) AS n")
                .get("n").asLong()).isEqualTo(1);
        assertThat(one("MATCH (:User)-[r:PLACED]->(:Order {orderId: 'o2'}) RETURN count(r) AS n")
                .get("n").asLong()).isEqualTo(1);
    }

    @Test
    void aMergeIntoANewIdCreatesItAndBadMergesAreRefused() {
        Record row = call("CALL shopgraph.users.merge('w', 'new-account')", Map.of());

        assertThat(row.get("targetCreated").asBoolean()).isTrue();
        assertThat(one("MATCH (:User {userId: 'new-account'})-[:HAS_SESSION]->(s) RETURN s.sessionId AS s")
                .get("s").asString()).isEqualTo("sw");
        assertThat(one("MATCH (u:User {userId: 'new-account'}) RETURN u.trustStale AS stale").get("stale").isNull())
                .isTrue();
        assertThatThrownBy(() -> call("CALL shopgraph.users.merge('ghost', 'u')", Map.of()))
                .isInstanceOf(ClientException.class)
                .hasMessageEndingWith("[shopgraph.unknown_id {\"kind\":\"user\",\"ids\":[\"ghost\"]}] Unknown user id: ghost.");
        assertThatThrownBy(() -> call("CALL shopgraph.users.merge('u', 'u')", Map.of()))
                .hasMessageEndingWith("[shopgraph.bad_argument] A user cannot be merged into itself, got 'u' as"
                        + " source and target.");
        assertThatThrownBy(() -> call("CALL shopgraph.users.merge(null, 'u')", Map.of()))
                .hasMessageEndingWith("[shopgraph.bad_argument] source must be a non-empty id, got null.");
    }

    @Test
    void forgetRemovesTheUserItsSessionsOrdersFeedbackAndBookkeepingButNotWhatOthersHold() {
        Record row = call("CALL shopgraph.users.forget('v')", Map.of());

        assertThat(row.asMap()).isEqualTo(Map.ofEntries(Map.entry("sessions", 1L), Map.entry("sessionsKept", 1L),
                Map.entry("sessionEvents", 1L), Map.entry("orders", 1L), Map.entry("ordersKept", 1L),
                Map.entry("orderLines", 1L), Map.entry("feedback", 2L), Map.entry("recordedEvents", 1L),
                // VIEWED, HAS_SESSION and IN_SESSION of s1; CONTAINS, PLACED of o1; PLACED of o2;
                // HAS_SESSION of shared; two REJECTED
                Map.entry("relationships", 9L), Map.entry("exposures", 0L)));
        Record left = one("MATCH (n) RETURN collect(coalesce(n.userId, n.eventId, n.sessionId, n.orderId, n.itemId))"
                + " AS ids");
        assertThat(left.get("ids").asList()).containsExactlyInAnyOrder("u", "w", "p1", "p2", "shared", "s3", "sw",
                "o2", "e2");
        assertThat(one("MATCH (:User {userId: 'u'})-[r:REJECTED]->() RETURN count(r) AS n").get("n").asLong())
                .isEqualTo(1);
        assertThatThrownBy(() -> call("CALL shopgraph.users.forget('v')", Map.of()))
                .hasMessageEndingWith("[shopgraph.unknown_id {\"kind\":\"user\",\"ids\":[\"v\"]}] Unknown user id: v.");
    }
}
