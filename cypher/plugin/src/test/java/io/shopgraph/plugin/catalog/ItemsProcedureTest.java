package io.shopgraph.plugin.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.common.Harness;
import java.util.HashMap;
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

/** Calls {@code shopgraph.items.upsert} over Bolt on an in-process Neo4j with the schema's keys. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ItemsProcedureTest {

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder().withDisabledServer().withProcedure(ItemsProcedure.class).build();
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
        }
    }

    private Record upsert(List<?> items) {
        try (Session session = driver.session()) {
            return session.executeWrite(tx -> tx.run("CALL shopgraph.items.upsert($items)",
                    Map.of("items", items)).single());
        }
    }

    private Map<String, Object> item(String id) {
        try (Session session = driver.session()) {
            return session.run("MATCH (i:Item {itemId: $id}) "
                    + "OPTIONAL MATCH (i)-[:HAS_BRAND]->(b) OPTIONAL MATCH (i)-[:IN_CATEGORY]->(c) "
                    + "RETURN properties(i) AS props, collect(DISTINCT b.name) AS brands, "
                    + "collect(DISTINCT c.code) AS categories", Map.of("id", id)).single().asMap();
        }
    }

    private static Map<String, Object> map(Object... pairs) {
        Map<String, Object> map = new HashMap<>();
        for (int n = 0; n < pairs.length; n += 2) {
            map.put((String) pairs[n], pairs[n + 1]);
        }
        return map;
    }

    @Test
    void anUpsertCreatesAndNamesItemsWithTheirHierarchyAndAttributes() {
        Record row = upsert(List.of(map("itemId", "p1", "name", "Kettle", "brand", "acme",
                "categoryCode", "home.kitchen.kettles", "price", 30L, "inStock", true, "hidden", false,
                "attributes", map("color", "red", "watts", 2000L, "rating", 4.5, "cordless", true))));

        assertThat(row.asMap()).isEqualTo(Map.of("items", 1L, "created", 1L));
        assertThat(item("p1")).isEqualTo(Map.of(
                "props", Map.of("itemId", "p1", "inCatalog", true, "name", "Kettle", "price", 30.0,
                        "inStock", true, "hidden", false, "attr_color", "red", "attr_watts", 2000L,
                        "attr_rating", 4.5, "attr_cordless", true),
                "brands", List.of("acme"), "categories", List.of("home.kitchen.kettles")));
        try (Session session = driver.session()) {
            assertThat(session.run("MATCH p = (:Category {code: 'home.kitchen.kettles', name: 'kettles', level: 3})"
                    + "-[:CHILD_OF]->(:Category {code: 'home.kitchen', level: 2})-[:CHILD_OF]->"
                    + "(:Category {code: 'home', name: 'home', level: 1}) RETURN count(p) AS n").single()
                    .get("n").asLong()).isEqualTo(1);
        }
    }

    @Test
    void anAbsentKeyKeepsTheStoredValueAndNullClearsIt() {
        upsert(List.of(map("itemId", "p1", "name", "Kettle", "brand", "acme", "categoryCode", "home.kitchen",
                "price", 30.0, "inStock", true, "attributes", map("color", "red", "size", "L"))));

        Record row = upsert(List.of(map("itemId", "p1", "price", 25.5, "inStock", false),
                map("itemId", "p1", "name", null, "brand", "zeta", "hidden", true,
                        "attributes", map("color", null, "size", "XL"))));

        assertThat(row.asMap()).isEqualTo(Map.of("items", 2L, "created", 0L));
        assertThat(item("p1")).isEqualTo(Map.of(
                "props", Map.of("itemId", "p1", "inCatalog", true, "price", 25.5, "inStock", false,
                        "hidden", true, "attr_size", "XL"),
                "brands", List.of("zeta"), "categories", List.of("home.kitchen")));

        upsert(List.of(map("itemId", "p1", "brand", null, "categoryCode", null, "inStock", null,
                "attributes", null)));
        assertThat(item("p1")).isEqualTo(Map.of(
                "props", Map.of("itemId", "p1", "inCatalog", true, "price", 25.5, "hidden", true),
                "brands", List.of(), "categories", List.of()));
    }

    @Test
    void anItemThatEventsCreatedIsNamedByTheCatalogAndKeepsItsHistory() {
        try (Session session = driver.session()) {
            session.run("CREATE (:Session {sessionId: 's1'})-[:VIEWED {count: 2}]->"
                    + "(:Item {itemId: 'p1', inCatalog: false, price: 3.0})").consume();
        }

        upsert(List.of(map("itemId", "p1", "name", "Mug")));

        assertThat(item("p1").get("props")).isEqualTo(Map.of("itemId", "p1", "inCatalog", true, "price", 3.0,
                "name", "Mug"));
        try (Session session = driver.session()) {
            assertThat(session.run("MATCH (:Session)-[v:VIEWED]->(:Item {itemId: 'p1'}) RETURN v.count AS n")
                    .single().get("n").asLong()).isEqualTo(2);
        }
    }

    @Test
    void aBadItemFailsTheWholeBatchNamingItsIndexAndField() {
        Object[][] cases = {
            {map("itemId", "p2", "price", -1L), "{\"index\":1,\"field\":\"price\"}] price must be a finite number"
                    + " of at least 0 or null, got the integer -1."},
            {map("itemId", "p2", "inStock", "yes"), "{\"index\":1,\"field\":\"inStock\"}] inStock must be a"
                    + " boolean or null, got the string 'yes'."},
            {map("itemId", "p2", "name", ""), "{\"index\":1,\"field\":\"name\"}] name must be a non-empty string"
                    + " or null, got an empty string."},
            {map("itemId", "p2", "categoryCode", "home."), "{\"index\":1,\"field\":\"categoryCode\"}]"
                    + " categoryCode must be a dotted code without empty parts or null, got the string 'home.'."},
            {map("itemId", "p2", "attributes", map("a b", 1L)), "{\"index\":1,\"field\":\"attributes\"}]"
                    + " Attribute name 'a b' must start with a letter and hold only letters, digits and"
                    + " underscores, at most 64."},
            {map("itemId", "p2", "attributes", map("sizes", List.of(1L))), "{\"index\":1,\"field\":"
                    + "\"attributes\"}] Attribute sizes must be a string, an integer, a finite float, a boolean"
                    + " or null, got the list [1]."},
            {map("itemId", "p2", "attributes", List.of()), "{\"index\":1,\"field\":\"attributes\"}] attributes"
                    + " must be a map of attribute names to values or null, got an empty list."},
            {map("itemId", "p2", "stock", 3L), "{\"index\":1,\"field\":\"stock\"}] Unknown item key 'stock';"
                    + " known keys: itemId, name, brand, categoryCode, price, inStock, hidden, attributes."},
            {map("name", "x"), "{\"index\":1,\"field\":\"itemId\"}] itemId must be a non-empty id, got null."},
        };
        for (Object[] c : cases) {
            assertThatThrownBy(() -> upsert(List.of(map("itemId", "p1", "name", "ok"), c[0])))
                    .isInstanceOf(ClientException.class)
                    .hasMessageEndingWith("[shopgraph.bad_input " + c[1]);
        }
        try (Session session = driver.session()) {
            assertThat(session.run("MATCH (n) RETURN count(n) AS n").single().get("n").asLong()).isZero();
        }
    }
}
