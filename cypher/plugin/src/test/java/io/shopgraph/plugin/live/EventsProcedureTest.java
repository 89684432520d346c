package io.shopgraph.plugin.live;

import static io.shopgraph.plugin.live.LiveEventTest.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.common.Await;
import io.shopgraph.plugin.common.Harness;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

/** Calls {@code shopgraph.events.record} over Bolt on an in-process Neo4j with the schema's keys. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventsProcedureTest {

    private static final String CALL = "CALL shopgraph.events.record($events)";

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withProcedure(EventsProcedure.class)
                .build();
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

    private Record record(List<?> events) {
        try (Session session = driver.session()) {
            return session.executeWrite(tx -> tx.run(CALL, Map.of("events", events)).single());
        }
    }

    private Record one(String query) {
        try (Session session = driver.session()) {
            return session.run(query).single();
        }
    }

    /** Every node and relationship of the shop graph with its properties, bookkeeping left out. */
    private List<String> shopGraph() {
        try (Session session = driver.session()) {
            List<String> out = new ArrayList<>();
            session.run("MATCH (n) WHERE NOT n:RecordedEvent RETURN labels(n) + [properties(n)] AS x")
                    .forEachRemaining(r -> out.add(r.get("x").toString()));
            session.run("MATCH (a)-[r]->(b) RETURN [properties(a), type(r), properties(r), properties(b)] AS x")
                    .forEachRemaining(r -> out.add(r.get("x").toString()));
            Collections.sort(out);
            return out;
        }
    }

    private static List<Object> batch() {
        return List.of(
                event("eventId", "e1", "time", 1_000L, "userId", "u1", "price", 9.5, "brand", "acme",
                        "categoryCode", "a.b"),
                event("eventId", "e2", "time", 2_000L, "type", "cart", "userId", "u1"),
                event("eventId", "e3", "time", 3_000L, "type", "purchase", "itemId", "i2", "userId", "u1",
                        "quantity", 2L, "price", 4.0),
                event("eventId", "e4", "time", 4_000L, "type", "purchase", "userId", "u1", "price", 9.0));
    }

    @Test
    void aBatchWritesTheShopGraphAsALoadWould() {
        Record row = record(batch());

        assertThat(row.keys()).containsExactly("recorded", "duplicates", "nodesCreated", "relationshipsCreated",
                "pruned");
        assertThat(row.get("recorded").asLong()).isEqualTo(4);
        assertThat(row.get("duplicates").asLong()).isZero();
        // items i1 and i2, brand, two categories, session, user, order
        assertThat(row.get("nodesCreated").asLong()).isEqualTo(8);
        Record shape = one("MATCH (u:User {userId: 'u1'})-[h:HAS_SESSION]->(s:Session {sessionId: 's1'})"
                + "-[v:VIEWED]->(i:Item {itemId: 'i1'})-[:HAS_BRAND]->(:Brand {name: 'acme'}), "
                + "(i)-[:IN_CATEGORY]->(:Category {code: 'a.b', name: 'b', level: 2})-[:CHILD_OF]->(:Category {code: 'a'}), "
                + "(u)-[:PLACED]->(o:Order {orderId: 's1'})-[:IN_SESSION]->(s), (o)-[c1:CONTAINS]->(i), "
                + "(o)-[c2:CONTAINS]->(i2:Item {itemId: 'i2'}), (s)-[a:ADDED_TO_CART]->(i) "
                + "RETURN s.events AS events, s.start = datetime({epochMillis: 1000}) AS start, "
                + "s.end = datetime({epochMillis: 4000}) AS end, v.count AS views, v.weight AS weight, "
                + "a.count AS carts, o.at = datetime({epochMillis: 3000}) AS at, o.kind AS kind, "
                + "o.source AS source, c1.position AS p1, c1.price AS price1, c2.position AS p2, "
                + "c2.quantity AS quantity2, i.price AS itemPrice, i.inCatalog AS inCatalog");
        assertThat(shape.asMap()).containsAllEntriesOf(Map.ofEntries(Map.entry("events", 4L),
                Map.entry("start", true), Map.entry("end", true), Map.entry("views", 1L), Map.entry("weight", 1.0),
                Map.entry("carts", 1L), Map.entry("at", true), Map.entry("kind", "order"),
                Map.entry("source", "live"), Map.entry("p1", 1L), Map.entry("price1", 9.0), Map.entry("p2", 0L),
                Map.entry("quantity2", 2L), Map.entry("itemPrice", 9.0), Map.entry("inCatalog", false)));
        assertThat(one("MATCH (e:RecordedEvent) RETURN count(e) AS n, collect(DISTINCT e.sessionId) AS s")
                .asMap()).isEqualTo(Map.of("n", 4L, "s", List.of("s1")));
    }

    @Test
    void linesOfLaterBatchesComeAfterTheOrdersEarlierLines() {
        record(batch());
        record(List.of(event("eventId", "e5", "time", 5_000L, "type", "purchase", "itemId", "i3"),
                event("eventId", "e6", "time", 6_000L, "type", "purchase", "itemId", "i2"),
                event("eventId", "e7", "time", 7_000L, "type", "purchase", "itemId", "i4")));

        Record lines = one("MATCH (:Order {orderId: 's1'})-[c:CONTAINS]->(i) "
                + "WITH i.itemId AS item, c ORDER BY c.position RETURN collect(item) AS items, "
                + "collect(c.position) AS positions, sum(c.lines) AS lines");
        assertThat(lines.get("items").asList()).containsExactly("i2", "i1", "i3", "i4");
        assertThat(lines.get("positions").asList()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(lines.get("lines").asLong()).isEqualTo(5);
    }

    @Test
    void linesRecordedAfterALoadedPartOfTheOrderComeAfterIt() {
        try (Session session = driver.session()) {
            session.run("CREATE (:Order {orderId: 's1'})-[:CONTAINS {position: 57}]->(:Item {itemId: 'i9'})")
                    .consume();
        }

        record(List.of(event("eventId", "e1", "type", "purchase", "itemId", "i3"),
                event("eventId", "e2", "type", "purchase", "itemId", "i9")));

        Record lines = one("MATCH (:Order {orderId: 's1'})-[c:CONTAINS]->(i) "
                + "WITH i.itemId AS item, c ORDER BY c.position RETURN collect([item, c.position]) AS lines");
        assertThat(lines.get("lines").asList()).containsExactly(List.of("i9", 57L), List.of("i3", 58L));
    }

    @Test
    void aRetryChangesNothingAndARepeatInABatchCountsOnce() {
        record(batch());
        List<String> before = shopGraph();

        Record again = record(batch());

        assertThat(again.get("recorded").asLong()).isZero();
        assertThat(again.get("duplicates").asLong()).isEqualTo(4);
        assertThat(shopGraph()).isEqualTo(before);

        wipe();
        List<Object> doubled = new ArrayList<>(batch());
        doubled.add(1, event("eventId", "e1", "time", 9_000L, "itemId", "other"));
        Record once = record(doubled);
        assertThat(once.get("recorded").asLong()).isEqualTo(4);
        assertThat(once.get("duplicates").asLong()).isEqualTo(1);
        assertThat(shopGraph()).isEqualTo(before);
    }

    @Test
    void recordedIdsAmongNewOnesAreDuplicatesAndLeaveNoNodeBehind() {
        record(batch());

        Record mixed = record(List.of(event("eventId", "e3", "time", 8_000L, "itemId", "i7"),
                event("eventId", "e5", "time", 5_000L, "itemId", "i5"),
                event("eventId", "e1", "time", 9_000L, "itemId", "i8"),
                event("eventId", "e6", "time", 6_000L, "itemId", "i6")));

        assertThat(mixed.get("recorded").asLong()).isEqualTo(2);
        assertThat(mixed.get("duplicates").asLong()).isEqualTo(2);
        // The nodes made for the two recorded ids before the constraint refused them are gone.
        assertThat(one("MATCH (n) WHERE size(labels(n)) = 0 RETURN count(n) AS n").get("n").asLong()).isZero();
        assertThat(one("MATCH (e:RecordedEvent) RETURN collect(e.eventId) AS ids").get("ids").asList())
                .containsExactlyInAnyOrder("e1", "e2", "e3", "e4", "e5", "e6");
        assertThat(one("MATCH (i:Item) RETURN collect(i.itemId) AS ids").get("ids").asList())
                .containsExactlyInAnyOrder("i1", "i2", "i5", "i6");
    }

    @Test
    void withoutTheEventIdConstraintNothingIsRecorded() {
        try (Session session = driver.session()) {
            String name = session.run("SHOW CONSTRAINTS YIELD name, labelsOrTypes WHERE labelsOrTypes = "
                    + "['RecordedEvent'] RETURN name").single().get("name").asString();
            session.run("DROP CONSTRAINT " + name).consume();
        }
        try {
            assertThatThrownBy(() -> record(batch()))
                    .isInstanceOf(ClientException.class)
                    .hasMessageContaining("[shopgraph.conflict] Loading needs the uniqueness constraint on"
                            + " :RecordedEvent(eventId)");
            assertThat(one("MATCH (n) RETURN count(n) AS n").get("n").asLong()).isZero();
        } finally {
            try (Session session = driver.session()) {
                Harness.createSchema(session);
            }
        }
    }

    @Test
    void aBadEventFailsTheWholeBatchNamingItsIndexAndField() {
        List<Object> events = new ArrayList<>(batch());
        events.add(event("eventId", "e9", "itemId", ""));

        assertThatThrownBy(() -> record(events))
                .isInstanceOf(ClientException.class)
                .hasMessageEndingWith("[shopgraph.bad_input {\"index\":4,\"field\":\"itemId\"}] itemId must be a"
                        + " non-empty id, got an empty string.");
        assertThat(one("MATCH (n) RETURN count(n) AS n").get("n").asLong()).isZero();
    }

    @Test
    void writersRacingWithTheSameEventIdsRecordEachOnce() throws Exception {
        int writers = 4;
        List<List<Object>> batches = new ArrayList<>();
        for (int b = 0; b < 30; b++) {
            List<Object> events = new ArrayList<>();
            for (int n = 0; n < 10; n++) {
                int id = b * 10 + n;
                events.add(event("eventId", "e" + id, "time", (long) id, "itemId", "i" + (id % 7),
                        "sessionId", "s" + (id % 5), "userId", "u" + (id % 3),
                        "type", id % 4 == 0 ? "purchase" : "view"));
            }
            batches.add(events);
        }
        CyclicBarrier start = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<Long>> recorded = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            List<List<Object>> mine = new ArrayList<>(batches);
            Collections.shuffle(mine, new Random(w));
            recorded.add(pool.submit(() -> {
                start.await();
                long sum = 0;
                for (List<Object> b : mine) {
                    sum += record(b).get("recorded").asLong();
                }
                return sum;
            }));
        }
        long total = 0;
        for (Future<Long> f : recorded) {
            total += f.get();
        }
        pool.shutdown();

        assertThat(total).isEqualTo(300);
        assertThat(one("MATCH (s:Session) RETURN sum(s.events) AS n").get("n").asLong()).isEqualTo(300);
        assertThat(one("MATCH (:Order)-[c:CONTAINS]->() RETURN sum(c.lines) AS n").get("n").asLong()).isEqualTo(75);
        assertThat(one("MATCH (e:RecordedEvent) RETURN count(e) AS n").get("n").asLong()).isEqualTo(300);
        // Each order's lines are numbered 0, 1, 2, ... whichever writer started them.
        Record positions = one("MATCH (o:Order)-[c:CONTAINS]->() WITH o, count(c) AS n, "
                + "count(DISTINCT c.position) AS distinct, min(c.position) AS low, max(c.position) AS high "
                + "RETURN collect(distinct = n AND low = 0 AND high = n - 1) AS ok");
        assertThat(positions.get("ok").asList()).hasSize(5).allMatch(Boolean.TRUE::equals);
    }

    @Test
    void idsRecordedMoreThanSevenDaysAgoArePrunedByRecordingAndThenRecordedAgain() {
        try (Session session = driver.session()) {
            session.run("CREATE (:RecordedEvent {eventId: 'old', sessionId: 's0', "
                    + "recordedAt: datetime() - duration('P8D')}), "
                    + "(:RecordedEvent {eventId: 'recent', sessionId: 's0', "
                    + "recordedAt: datetime() - duration('P6D')})").consume();
        }

        // Pruning runs at most once a second: record until a batch has pruned.
        long[] pruned = {0};
        int[] batches = {0};
        Await.until("a recording pruned the expired id", () -> {
            pruned[0] += record(List.of(event("eventId", "new" + batches[0]++))).get("pruned").asLong();
            return pruned[0] > 0;
        }, Duration.ofSeconds(30));

        assertThat(pruned[0]).isEqualTo(1);
        assertThat(one("MATCH (e:RecordedEvent) WHERE NOT e.eventId STARTS WITH 'new' "
                + "RETURN collect(e.eventId) AS ids").get("ids").asList()).containsExactly("recent");
        Record again = record(List.of(event("eventId", "old"), event("eventId", "recent")));
        assertThat(again.get("recorded").asLong()).isEqualTo(1);
        assertThat(again.get("duplicates").asLong()).isEqualTo(1);
        ZonedDateTime recordedAt = (ZonedDateTime) one("MATCH (e:RecordedEvent {eventId: 'old'}) "
                + "RETURN e.recordedAt AS at").get("at").asObject();
        assertThat(recordedAt).isAfter(ZonedDateTime.now().minusMinutes(5));
    }
}
