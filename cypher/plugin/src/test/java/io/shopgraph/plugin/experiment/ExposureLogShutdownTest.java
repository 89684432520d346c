package io.shopgraph.plugin.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopgraph.plugin.bundle.BundleProcedure;
import io.shopgraph.plugin.bundle.BundleRefreshProcedure;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.exceptions.KernelException;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.api.procedure.GlobalProcedures;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * The log's promise at shutdown: what serving handed in is written when the database stops
 * cleanly, so a restarted database holds every exposure (a crash can lose the last batch).
 */
class ExposureLogShutdownTest {

    private static final int CALLS = 300;

    private static DatabaseManagementService open(Path home) throws KernelException {
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("shopgraph.*"))
                .build();
        GlobalProcedures procedures = ((GraphDatabaseAPI) dbms.database("neo4j")).getDependencyResolver()
                .resolveDependency(GlobalProcedures.class);
        procedures.registerProcedure(BundleProcedure.class);
        procedures.registerProcedure(BundleRefreshProcedure.class);
        procedures.registerProcedure(ExperimentProcedures.class);
        return dbms;
    }

    @Test
    void exposuresHandedInBeforeAShutdownAreWrittenByIt(@TempDir Path home) throws Exception {
        // An hour between batches: every exposure is still pending when the database stops.
        ExposureLog.period = 3_600_000;
        try {
            handInAndShutDown(home);
        } finally {
            ExposureLog.period = ExposureLog.PERIOD_MILLIS;
        }
        DatabaseManagementService again = open(home);
        try {
            long logged = again.database("neo4j").executeTransactionally(
                    "MATCH (e:Exposure {experiment: 'e1'}) RETURN count(e) AS n", Map.of(),
                    result -> (Long) result.next().get("n"));
            assertThat(logged).isEqualTo(CALLS);
        } finally {
            again.shutdown();
        }
    }

    private static void handInAndShutDown(Path home) throws Exception {
        DatabaseManagementService dbms = open(home);
        GraphDatabaseService db = dbms.database("neo4j");
        db.executeTransactionally("""
                CREATE (a:Item {itemId: 'a'}), (b:Item {itemId: 'b'}), (c:Item {itemId: 'c'}),
                       (o:Order {orderId: 'o1', kind: 'order', at: datetime('2024-01-01T00:00:00Z')}),
                       (o)-[:CONTAINS {weight: 1.0}]->(a), (o)-[:CONTAINS {weight: 1.0}]->(b),
                       (o)-[:CONTAINS {weight: 1.0}]->(c)""");
        db.executeTransactionally("CALL shopgraph.bundle.refresh()");
        db.executeTransactionally("CALL shopgraph.experiment.start($definition)", Map.of("definition", Map.of(
                "name", "e1", "surfaces", List.of("bundle"),
                "start", ZonedDateTime.parse("2024-01-01T00:00:00Z"), "end", ZonedDateTime.parse("2124-01-01T00:00:00Z"),
                "variants", List.of(Map.of("name", "a", "share", 0.5), Map.of("name", "b", "share", 0.5)))));
        for (int n = 0; n < CALLS; n++) {
            long rows = db.executeTransactionally("CALL shopgraph.bundle(['a'], 2, {experiment: 'e1', user: $user})",
                    Map.of("user", "u" + n), result -> result.stream().count());
            assertThat(rows).isEqualTo(2);
        }
        long written = db.executeTransactionally("MATCH (e:Exposure) RETURN count(e) AS n", Map.of(),
                result -> (Long) result.next().get("n"));
        assertThat(written).isZero();
        dbms.shutdown();
    }
}
