package io.shopgraph.plugin.experiment;

import io.shopgraph.plugin.common.ExperimentHook;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.graphdb.event.DatabaseEventContext;
import org.neo4j.graphdb.event.DatabaseEventListener;
import org.neo4j.graphdb.event.DatabaseEventListenerAdapter;
import org.neo4j.kernel.extension.ExtensionFactory;
import org.neo4j.kernel.extension.ExtensionType;
import org.neo4j.kernel.extension.context.ExtensionContext;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.kernel.lifecycle.Lifecycle;
import org.neo4j.kernel.lifecycle.LifecycleAdapter;
import org.neo4j.logging.internal.LogService;

/**
 * The plugin's database extension (registered in {@code META-INF/services}): for every database
 * but {@code system} it opens the {@link ExposureLog} when the database starts and closes it,
 * writing what is pending, when the database stops; and it installs the experiments' gate for
 * the serving procedures ({@link ExperimentHook}).
 *
 * <p>A database refuses new transactions before its extensions stop, so the log is closed on
 * the database's shutdown event, which Neo4j sends while the database still takes them; the
 * extension's own stop only closes a log the event did not reach.
 */
public final class ExperimentExtensionFactory extends ExtensionFactory<ExperimentExtensionFactory.Dependencies> {

    /** What the extension needs from the database. */
    public interface Dependencies {
        /** The database. */
        GraphDatabaseAPI graphdatabaseAPI();

        /** Its logs. */
        LogService log();

        /** The DBMS, whose shutdown events close the log in time. */
        DatabaseManagementService databaseManagementService();
    }

    public ExperimentExtensionFactory() {
        super(ExtensionType.DATABASE, "shopgraph-experiments");
    }

    @Override
    public Lifecycle newInstance(ExtensionContext context, Dependencies dependencies) {
        GraphDatabaseAPI db = dependencies.graphdatabaseAPI();
        boolean system = "system".equals(db.databaseName());
        DatabaseManagementService dbms = dependencies.databaseManagementService();
        DatabaseEventListener shutdown = new DatabaseEventListenerAdapter() {
            @Override
            public void databaseShutdown(DatabaseEventContext event) {
                if (event.getDatabaseName().equals(db.databaseName())) {
                    try {
                        ExposureLogs.close(db);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        return new LifecycleAdapter() {
            @Override
            public void start() {
                if (!system) {
                    ExposureLogs.open(db, dependencies.log().getUserLog(ExposureLog.class));
                    ExperimentHook.install(Experiments.GATE);
                    dbms.registerDatabaseEventListener(shutdown);
                }
            }

            @Override
            public void stop() throws InterruptedException {
                if (!system) {
                    dbms.unregisterDatabaseEventListener(shutdown);
                    ExposureLogs.close(db);
                }
            }
        };
    }
}
