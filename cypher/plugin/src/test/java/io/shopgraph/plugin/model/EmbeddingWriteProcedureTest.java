package io.shopgraph.plugin.model;

import static io.shopgraph.plugin.model.Float32VectorsTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/** Calls {@code shopgraph.embeddings.write} over Bolt on three items with a vector index and a user. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingWriteProcedureTest {

    private static final String BAD = "[shopgraph.bad_argument] ";

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withProcedure(EmbeddingWriteProcedure.class)
                .withFixture("CREATE (:Item {itemId: 'i1'}), (:Item {itemId: 'i2'}), (:Item {itemId: 'i3'}),"
                        + " (:User {userId: 'u1'})")
                .withFixture("CREATE CONSTRAINT item_id FOR (n:Item) REQUIRE n.itemId IS UNIQUE")
                .withFixture("CREATE VECTOR INDEX item_embedding_b FOR (n:Item) ON (n.embeddingB)"
                        + " OPTIONS {indexConfig: {`vector.similarity_function`: 'cosine'}}")
                .build();
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none());
        driver.executableQuery("CALL db.awaitIndexes(60)").execute();
    }

    @AfterAll
    void stop() {
        driver.close();
        neo4j.close();
    }

    private List<Record> write(String label, String property, List<String> ids, byte[] vectors) {
        return driver.executableQuery("CALL shopgraph.embeddings.write($label, $property, $ids, $vectors)")
                .withParameters(Map.of("label", label, "property", property, "ids", ids, "vectors", vectors))
                .execute().records();
    }

    @Test
    void vectorsLandOnTheirNodesAsFloatsAndInTheVectorIndex() {
        List<Record> rows = write("Item", "embeddingB", List.of("i1", "ghost", "i2", "i3"),
                bytes(1f, 0f, 0f, 9f, 9f, 9f, 0.8f, 0.2f, 0f, 0f, 0f, 1f));

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).keys()).containsExactly("written", "missing");
        assertThat(rows.get(0).get("written").asLong()).isEqualTo(3);
        assertThat(rows.get(0).get("missing").asLong()).isEqualTo(1);
        Record i2 = driver.executableQuery("MATCH (i:Item {itemId: 'i2'}) RETURN i.embeddingB AS e")
                .execute().records().get(0);
        assertThat(i2.get("e").asList(v -> v.asDouble())).containsExactly((double) 0.8f, (double) 0.2f, 0.0);
        List<String> nearest = driver.executableQuery(
                        "CALL db.index.vector.queryNodes('item_embedding_b', 2, [1.0, 0.0, 0.0])"
                                + " YIELD node RETURN node.itemId AS id")
                .execute().records().stream().map(r -> r.get("id").asString()).toList();
        assertThat(nearest).containsExactly("i1", "i2");

        List<Record> users = write("User", "embeddingA", List.of("u1"), bytes(0.5f, 0.25f));
        assertThat(users.get(0).get("written").asLong()).isEqualTo(1);
        assertThat(driver.executableQuery("MATCH (u:User) RETURN u.embeddingA AS e").execute().records()
                .get(0).get("e").asList(v -> v.asDouble())).containsExactly(0.5, 0.25);
    }

    @Test
    void badArgumentsAreErrorsWithSentences() {
        assertThatThrownBy(() -> write("Brand", "embeddingA", List.of("i1"), bytes(1f)))
                .isInstanceOf(ClientException.class)
                .hasMessageEndingWith(BAD + "label must be one of Item, User, got the string 'Brand'.");
        assertThatThrownBy(() -> write("Item", "embedding", List.of("i1"), bytes(1f)))
                .hasMessageEndingWith(BAD + "property must be one of embeddingA, embeddingB, got the string"
                        + " 'embedding'.");
        assertThatThrownBy(() -> write("Item", "embeddingA", List.of(), bytes(1f)))
                .hasMessageEndingWith(BAD + "ids must be a non-empty list of ids, got an empty list.");
        assertThatThrownBy(() -> write("Item", "embeddingA", List.of("i1", "i2"), bytes(1f, 2f, 3f)))
                .hasMessageContaining(BAD + "vectors must hold 2 vectors of 1 to 4096 float32 values");
        assertThatThrownBy(() -> write("Item", "embeddingA", List.of("i1"), bytes(Float.POSITIVE_INFINITY)))
                .hasMessageEndingWith(BAD + "Vector 0 holds Infinity; every value must be finite.");
    }
}
