package io.shopgraph.plugin.common;

import java.util.List;
import org.neo4j.driver.Session;

/** Set-up shared by the harness tests of the write procedures. */
public final class Harness {

    private Harness() {}

    /** The uniqueness constraints and indexes of {@code cypher/schema.cypher} that writers use. */
    public static void createSchema(Session session) {
        for (List<String> key : List.of(List.of("User", "userId"), List.of("Item", "itemId"),
                List.of("Brand", "name"), List.of("Category", "code"), List.of("Session", "sessionId"),
                List.of("Order", "orderId"), List.of("RecordedEvent", "eventId"))) {
            session.run("CREATE CONSTRAINT IF NOT EXISTS FOR (n:" + key.get(0) + ") REQUIRE n." + key.get(1)
                    + " IS UNIQUE").consume();
        }
        session.run("CREATE INDEX IF NOT EXISTS FOR (n:RecordedEvent) ON (n.recordedAt)").consume();
        session.run("CREATE INDEX IF NOT EXISTS FOR (n:RecordedEvent) ON (n.sessionId)").consume();
        session.run("CALL db.awaitIndexes(60)").consume();
    }
}
