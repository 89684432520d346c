package io.shopgraph.plugin.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
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
 * Calls {@code shopgraph.trust.compute} over Bolt on a shop with a ring of 12 accounts that all
 * bought r1-r4, and a genuine user who browsed for days before buying.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrustProcedureTest {

    private static final String SHOP = """
            WITH datetime('2024-01-15T00:00:00Z') AS t0
            CREATE (a:Item {itemId: 'a'}), (b:Item {itemId: 'b'})
            WITH t0, a, b
            UNWIND ['r1', 'r2', 'r3', 'r4'] AS id
            CREATE (:Item {itemId: id})
            WITH DISTINCT t0, a, b
            UNWIND range(0, 11) AS n
            CREATE (u:User {userId: 'ring' + n})-[:PLACED]->(o:Order {orderId: 'o' + n, kind: 'order'})
            WITH t0, a, b, o
            MATCH (r:Item) WHERE r.itemId STARTS WITH 'r'
            CREATE (o)-[:CONTAINS {weight: 1.0}]->(r)
            WITH DISTINCT t0, a, b
            CREATE (g:User {userId: 'genuine'}),
                   (s1:Session {sessionId: 's1', start: t0 - duration('P3D'), end: t0 - duration('P3D') + duration('PT10M'), events: 6}),
                   (s2:Session {sessionId: 's2', start: t0, end: t0 + duration('PT5M'), events: 5}),
                   (g)-[:HAS_SESSION]->(s1), (g)-[:HAS_SESSION]->(s2),
                   (s1)-[:VIEWED {weight: 1.0}]->(a), (s1)-[:VIEWED {weight: 1.0}]->(b),
                   (g)-[:PLACED]->(go:Order {orderId: 'go', kind: 'order', at: t0 + duration('PT5M')}),
                   (go)-[:CONTAINS {weight: 1.0}]->(a),
                   (g)-[:PLACED]->(gc:Order {orderId: 'gc', kind: 'cancellation', at: t0}),
                   (gc)-[:CONTAINS {weight: 1.0}]->(b)
            """;

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withProcedure(TrustProcedure.class)
                .withFixture(SHOP)
                .build();
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none());
    }

    @AfterAll
    void stop() {
        driver.close();
        neo4j.close();
    }

    private List<Record> call(String query, Map<String, Object> params) {
        return driver.executableQuery(query).withParameters(params).execute().records();
    }

    @Test
    void everyUserIsScoredWithTheSharedColumns() {
        List<Record> rows = call("CALL shopgraph.trust.compute()", Map.of());

        assertThat(rows).hasSize(13);
        assertThat(rows.get(0).keys()).containsExactlyInAnyOrder("userId", "trust", "lockstepPartners",
                "crowdItems", "lockstepPenalty", "maxRate", "velocityPenalty", "eventsPerItem", "repeatPenalty",
                "blindPurchases", "blindPenalty", "spanHours", "newAccountPenalty");
        Map<String, Record> byUser = rows.stream().collect(Collectors.toMap(
                r -> r.get("userId").asString(), r -> r));
        for (int n = 0; n < 12; n++) {
            Record ring = byUser.get("ring" + n);
            assertThat(ring.get("lockstepPartners").asLong()).isEqualTo(3);
            assertThat(ring.get("crowdItems").asLong()).isZero();
            assertThat(ring.get("trust").asDouble()).isEqualTo(0.02);
            assertThat(ring.get("spanHours").asDouble()).isEqualTo(-1.0);
        }
        Record genuine = byUser.get("genuine");
        assertThat(genuine.get("trust").asDouble()).isEqualTo(1.0);
        assertThat(genuine.get("blindPurchases").asLong()).isZero();
        assertThat(genuine.get("spanHours").asDouble()).isEqualTo(72.0 + 5.0 / 60.0);
        assertThat(genuine.get("maxRate").asDouble()).isEqualTo(4.0 / 5.0);
    }

    @Test
    void aListScoresThoseUsersAndTheirRing() {
        List<Record> rows = call("CALL shopgraph.trust.compute(['ring3'], {minGroup: 12}) YIELD userId, trust"
                + " RETURN userId, trust", Map.of());

        assertThat(rows).hasSize(12);
        assertThat(rows).allSatisfy(r -> assertThat(r.get("trust").asDouble()).isEqualTo(0.02));
    }

    @Test
    void badArgumentsAreErrorsWithSentences() {
        assertThatThrownBy(() -> call("CALL shopgraph.trust.compute(['ghost', 'ring1', 'alien'])", Map.of()))
                .isInstanceOf(ClientException.class)
                .hasMessageEndingWith("[shopgraph.unknown_id {\"kind\":\"user\",\"ids\":[\"ghost\",\"alien\"]}]"
                        + " Unknown user ids: ghost, alien.");
        assertThatThrownBy(() -> call("CALL shopgraph.trust.compute(null, {minGroup: 13.5})", Map.of()))
                .hasMessageEndingWith("[shopgraph.bad_argument] Config key 'minGroup' must be an integer, got the"
                        + " float 13.5.");
        assertThatThrownBy(() -> call("CALL shopgraph.trust.compute(['ring1', ''])", Map.of()))
                .hasMessageEndingWith("[shopgraph.bad_argument] users must hold non-empty ids, got an empty string"
                        + " at position 2.");
    }
}
