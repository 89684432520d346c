package io.shopgraph.plugin.live.changes;

import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.extension.ExtensionFactory;
import org.neo4j.kernel.extension.ExtensionType;
import org.neo4j.kernel.extension.context.ExtensionContext;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.kernel.lifecycle.Lifecycle;
import org.neo4j.kernel.lifecycle.LifecycleAdapter;
import org.neo4j.logging.Log;
import org.neo4j.logging.internal.LogService;

/**
 * The plugin's database extension (listed in {@code META-INF/services}): on every database but
 * {@code system} it registers a {@link ChangeListener} when the database starts and removes it
 * when the database stops, so that the serving state kept in memory ({@link ChangeFeeds}) learns
 * of every commit, whoever writes (loads, live events, catalogue updates, trust, erasure, plain
 * Cypher).
 */
public final class LiveChangesExtension extends ExtensionFactory<LiveChangesExtension.Dependencies> {

    /** What the extension needs from the database. */
    public interface Dependencies {
        GraphDatabaseAPI graphDatabaseAPI();

        DatabaseManagementService databaseManagementService();

        LogService logService();
    }

    public LiveChangesExtension() {
        super(ExtensionType.DATABASE, "shopgraphLiveChanges");
    }

    @Override
    public Lifecycle newInstance(ExtensionContext context, Dependencies dependencies) {
        GraphDatabaseService db = dependencies.graphDatabaseAPI();
        Log log = dependencies.logService().getUserLog(LiveChangesExtension.class);
        DatabaseManagementService dbms = dependencies.databaseManagementService();
        return new LifecycleAdapter() {
            private ChangeListener listener;
            private String identity;

            @Override
            public void start() {
                if ("system".equals(db.databaseName())) {
                    return;
                }
                identity = ChangeFeeds.identity(db);
                listener = new ChangeListener(identity, log);
                dbms.registerTransactionEventListener(db.databaseName(), listener);
                ChangeFeeds.listening(identity, true);
                // Subscribers from before a restart missed what happened meanwhile.
                ChangeFeeds.publish(identity, GraphChanges.UNKNOWN, log);
            }

            @Override
            public void stop() {
                if (listener != null) {
                    dbms.unregisterTransactionEventListener(db.databaseName(), listener);
                    ChangeFeeds.listening(identity, false);
                    listener = null;
                }
            }
        };
    }
}
