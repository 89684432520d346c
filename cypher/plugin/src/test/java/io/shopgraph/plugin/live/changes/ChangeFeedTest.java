package io.shopgraph.plugin.live.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Session;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * The change feed on a real server: the plugin's extension registers its listener on the
 * database by itself, and every committed transaction is told with what it changed of the
 * shop's graph (nodes by label and key, relationships by type, ends and weight, watched
 * properties), deleted entities with their last committed labels and keys; a rolled-back one is
 * never told, and a subscriber that fails does not fail the commit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChangeFeedTest {

    private Neo4j neo4j;
    private Driver driver;
    private String identity;
    private final List<GraphChanges> told = new CopyOnWriteArrayList<>();
    private final ChangeSubscriber recorder = told::add;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder().withDisabledServer().build();
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none());
        identity = ChangeFeeds.identity(neo4j.defaultDatabaseService());
        ChangeFeeds.subscribe(identity, recorder);
    }

    @AfterAll
    void stop() {
        ChangeFeeds.unsubscribe(identity, recorder);
        driver.close();
        neo4j.close();
    }

    @BeforeEach
    void clean() {
        run("MATCH (n) DETACH DELETE n", Map.of());
        told.clear();
    }

    private void run(String cypher, Map<String, Object> params) {
        try (Session session = driver.session()) {
            session.run(cypher, params).consume();
        }
    }

    @SuppressWarnings("removal") // Entity.getId(): the feed's join keys.
    private long id(String cypher) {
        GraphDatabaseService db = neo4j.defaultDatabaseService();
        try (var tx = db.beginTx()) {
            return ((org.neo4j.graphdb.Entity) tx.execute(cypher).next().get("n")).getId();
        }
    }

    @Test
    void theExtensionListensToTheDatabase() {
        assertThat(ChangeFeeds.listening(identity)).isTrue();
        assertThat(ChangeFeeds.listening("no such database")).isFalse();
    }

    @Test
    void createdNodesAndRelationshipsWithTheirLabelsKeysAndWeights() {
        run("""
                CREATE (s:Session {sessionId: 's1', start: datetime()})-[:VIEWED {weight: 0.5, count: 2}]->
                       (i:Item {itemId: 'p1', price: 3.0}),
                       (o:Order {orderId: 'o1', kind: 'order'})-[:CONTAINS]->(i),
                       (:Load {loadId: 'x'})
                """, Map.of());
        assertThat(told).hasSize(1);
        GraphChanges changes = told.get(0);
        assertThat(changes.complete()).isTrue();
        long session = id("MATCH (n:Session) RETURN n");
        long item = id("MATCH (n:Item) RETURN n");
        long order = id("MATCH (n:Order) RETURN n");
        assertThat(changes.nodes()).extracting(NodeChange::id, NodeChange::labels, NodeChange::change,
                        NodeChange::key, NodeChange::kind)
                .containsExactlyInAnyOrder(
                        tuple(session, ShopLabel.SESSION.bit(), Change.CREATED, "s1", null),
                        tuple(item, ShopLabel.ITEM.bit(), Change.CREATED, "p1", null),
                        tuple(order, ShopLabel.ORDER.bit(), Change.CREATED, "o1", "order"));
        assertThat(changes.relationships()).extracting(RelationshipChange::type, RelationshipChange::start,
                        RelationshipChange::end, RelationshipChange::change, RelationshipChange::weight)
                .containsExactlyInAnyOrder(
                        tuple(ShopType.VIEWED, session, item, Change.CREATED, 0.5),
                        tuple(ShopType.CONTAINS, order, item, Change.CREATED, 1.0));
    }

    @Test
    void deletedEntitiesComeWithTheirLastCommittedLabelsAndKeys() {
        run("CREATE (:User {userId: 'u1'})-[:HAS_SESSION]->(:Session {sessionId: 's1'})", Map.of());
        long user = id("MATCH (n:User) RETURN n");
        long session = id("MATCH (n:Session) RETURN n");
        told.clear();
        run("MATCH (u:User {userId: 'u1'}) DETACH DELETE u", Map.of());
        assertThat(told).hasSize(1);
        assertThat(told.get(0).nodes()).extracting(NodeChange::id, NodeChange::labels, NodeChange::change,
                NodeChange::key).containsExactly(tuple(user, ShopLabel.USER.bit(), Change.DELETED, "u1"));
        assertThat(told.get(0).relationships()).extracting(RelationshipChange::type, RelationshipChange::start,
                        RelationshipChange::end, RelationshipChange::change)
                .containsExactly(tuple(ShopType.HAS_SESSION, user, session, Change.DELETED));
    }

    @Test
    void watchedPropertiesAndWeightsOfExistingEntities() {
        run("CREATE (o:Order {orderId: 'o1', kind: 'order'})-[:CONTAINS {weight: 1.0}]->(:Item {itemId: 'p1'})",
                Map.of());
        long order = id("MATCH (n:Order) RETURN n");
        long item = id("MATCH (n:Item) RETURN n");
        told.clear();
        run("""
                MATCH (o:Order)-[r:CONTAINS]->(i:Item)
                SET o.kind = 'cancellation', o.note = 'ignored', r.weight = 0.25, i.hidden = true, i.name = 'x'
                """, Map.of());
        assertThat(told).hasSize(1);
        assertThat(told.get(0).nodes()).extracting(NodeChange::id, NodeChange::change, NodeChange::kind,
                        NodeChange::properties)
                .containsExactlyInAnyOrder(tuple(order, Change.CHANGED, "cancellation", Set.of("kind")),
                        tuple(item, Change.CHANGED, null, Set.of("hidden")));
        assertThat(told.get(0).relationships()).extracting(RelationshipChange::type, RelationshipChange::change,
                RelationshipChange::weight).containsExactly(tuple(ShopType.CONTAINS, Change.CHANGED, 0.25));
        told.clear();
        // A property nobody watches: nothing is told.
        run("MATCH (i:Item) SET i.name = 'y'", Map.of());
        assertThat(told).isEmpty();
    }

    @Test
    void aRolledBackTransactionIsNeverTold() {
        try (Session session = driver.session(); var tx = session.beginTransaction()) {
            tx.run("CREATE (:Item {itemId: 'p9'})").consume();
            tx.rollback();
        }
        assertThat(told).isEmpty();
    }

    @Test
    void aSubscriberThatFailsDoesNotFailTheCommitAndIsToldToRebuild() {
        List<GraphChanges> afterFailure = new CopyOnWriteArrayList<>();
        ChangeSubscriber failing = changes -> {
            afterFailure.add(changes);
            if (changes.complete()) {
                throw new IllegalStateException("boom");
            }
        };
        ChangeFeeds.subscribe(identity, failing);
        try {
            run("CREATE (:Item {itemId: 'p2'})", Map.of());
        } finally {
            ChangeFeeds.unsubscribe(identity, failing);
        }
        assertThat(afterFailure).extracting(GraphChanges::complete).containsExactly(true, false);
        assertThat(told).hasSize(1);
        try (Session session = driver.session()) {
            assertThat(session.run("MATCH (i:Item {itemId: 'p2'}) RETURN count(i) AS n").single().get("n").asLong())
                    .isEqualTo(1);
        }
    }
}
