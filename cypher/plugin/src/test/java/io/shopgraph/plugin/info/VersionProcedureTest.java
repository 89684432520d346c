package io.shopgraph.plugin.info;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/** Calls {@code shopgraph.version()} over Bolt on an in-process Neo4j with the plugin loaded. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VersionProcedureTest {

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withProcedure(VersionProcedure.class)
                .build();
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none());
    }

    @AfterAll
    void stop() {
        driver.close();
        neo4j.close();
    }

    @Test
    void versionNamesThePluginAndTheNeo4jItWasBuiltFor() {
        try (Session session = driver.session()) {
            List<Record> rows = session.run("CALL shopgraph.version()").list();
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).keys()).containsExactly("version", "neo4jVersion");
            assertThat(rows.get(0).get("version").asString()).isEqualTo("0.1.0");
            assertThat(rows.get(0).get("neo4jVersion").asString())
                    .isEqualTo(BuildInfo.neo4jVersion())
                    .startsWith("5.26.");
        }
    }

    @Test
    void theProcedureIsListedWithItsDescription() {
        try (Session session = driver.session()) {
            Record row = session.run(
                    "SHOW PROCEDURES YIELD name, description, mode WHERE name = 'shopgraph.version'")
                    .single();
            assertThat(row.get("mode").asString()).isEqualTo("READ");
            assertThat(row.get("description").asString()).contains("plugin version");
        }
    }

    @Test
    void vectorIndexesAreAvailable() {
        try (Session session = driver.session()) {
            session.run("CREATE VECTOR INDEX item_test IF NOT EXISTS FOR (i:VecItem) ON i.embedding "
                    + "OPTIONS {indexConfig: {`vector.dimensions`: 3, `vector.similarity_function`: 'cosine'}}")
                    .consume();
            session.run("UNWIND $rows AS row CREATE (:VecItem {id: row.id, embedding: row.e})",
                    Map.of("rows", List.of(
                            Map.of("id", "a", "e", List.of(1.0, 0.0, 0.0)),
                            Map.of("id", "b", "e", List.of(0.9, 0.1, 0.0)),
                            Map.of("id", "c", "e", List.of(0.0, 0.0, 1.0)))))
                    .consume();
            session.run("CALL db.awaitIndexes(60)").consume();
            List<String> nearest = session.run(
                    "CALL db.index.vector.queryNodes('item_test', 2, [1.0, 0.0, 0.0]) "
                            + "YIELD node RETURN node.id AS id")
                    .list(r -> r.get("id").asString());
            assertThat(nearest).containsExactly("a", "b");
        }
    }
}
