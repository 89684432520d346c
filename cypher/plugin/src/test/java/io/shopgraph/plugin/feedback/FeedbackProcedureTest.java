package io.shopgraph.plugin.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.common.Harness;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.util.HashMap;
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

/** Calls {@code shopgraph.feedback.record} over Bolt on an in-process Neo4j with the schema's keys. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeedbackProcedureTest {

    private static final ZonedDateTime T0 = ZonedDateTime.parse("2024-03-01T10:00:00Z");

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder().withDisabledServer()
                .withProcedure(FeedbackProcedure.class).build();
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
    void wipe() {
        try (Session session = driver.session()) {
            session.run("MATCH (n) DETACH DELETE n").consume();
            session.run("CREATE (:Item {itemId: 'p1'}), (:User {userId: 'u1'})").consume();
        }
    }

    private Record feedback(Object user, Object item, Object kind, Object at) {
        Map<String, Object> params = new HashMap<>();
        params.put("user", user);
        params.put("item", item);
        params.put("kind", kind);
        params.put("at", at);
        try (Session session = driver.session()) {
            return session.executeWrite(tx -> tx.run(
                    "CALL shopgraph.feedback.record($user, $item, $kind, $at)", params).single());
        }
    }

    private Map<String, Object> rejected(String user) {
        try (Session session = driver.session()) {
            return session.run("MATCH (:User {userId: $user})-[r:REJECTED]->(:Item {itemId: 'p1'}) "
                    + "RETURN r.kind AS kind, r.count AS count, r.first = $t0 AS firstIsT0, "
                    + "r.at AS at, count(*) AS n", Map.of("user", user, "t0", T0)).single().asMap();
        }
    }

    @Test
    void feedbackIsOneRelationshipPerPairCountingEachTimeAndKeepingTheLatestKind() {
        Record first = feedback("u1", "p1", "dismissed", T0);
        assertThat(first.asMap()).isEqualTo(Map.of("userId", "u1", "itemId", "p1", "kind", "dismissed",
                "count", 1L, "userCreated", false));

        Record second = feedback("u1", "p1", "not_interested", T0.plusHours(1));
        Record late = feedback("u1", "p1", "dismissed", T0.minusHours(1));

        assertThat(second.get("kind").asString()).isEqualTo("not_interested");
        assertThat(late.get("kind").asString()).isEqualTo("not_interested");
        assertThat(late.get("count").asLong()).isEqualTo(3);
        Map<String, Object> r = rejected("u1");
        assertThat(r).containsEntry("kind", "not_interested").containsEntry("count", 3L).containsEntry("n", 1L)
                .containsEntry("firstIsT0", false);
        assertThat(((ZonedDateTime) r.get("at")).toInstant()).isEqualTo(T0.plusHours(1).toInstant());
    }

    @Test
    void anUnknownUserIsCreatedWithNowAsTheTime() {
        Record row = feedback("visitor", "p1", "not_interested", null);

        assertThat(row.get("userCreated").asBoolean()).isTrue();
        ZonedDateTime at = (ZonedDateTime) rejected("visitor").get("at");
        assertThat(at).isAfter(ZonedDateTime.now().minusMinutes(5));
    }

    @Test
    void anUnknownItemAndBadArgumentsAreErrorsWithSentences() {
        assertThatThrownBy(() -> feedback("u1", "p9", "dismissed", null))
                .isInstanceOf(ClientException.class)
                .hasMessageEndingWith("[shopgraph.unknown_id {\"kind\":\"item\",\"ids\":[\"p9\"]}] Unknown item id: p9.");
        assertThatThrownBy(() -> feedback("u1", "p1", "meh", null))
                .hasMessageEndingWith("[shopgraph.bad_argument] kind must be one of not_interested, dismissed,"
                        + " got the string 'meh'.");
        assertThatThrownBy(() -> feedback("", "p1", "dismissed", null))
                .hasMessageEndingWith("[shopgraph.bad_argument] userId must be a non-empty id, got an empty string.");
        assertThatThrownBy(() -> feedback("u1", "p1", "dismissed", LocalDateTime.of(2024, 3, 1, 0, 0)))
                .hasMessageEndingWith("[shopgraph.bad_argument] at must be a datetime with a timezone, got the"
                        + " local datetime 2024-03-01T00:00:00.");
        try (Session session = driver.session()) {
            assertThat(session.run("MATCH ()-[r:REJECTED]->() RETURN count(r) AS n").single().get("n").asLong())
                    .isZero();
        }
    }
}
