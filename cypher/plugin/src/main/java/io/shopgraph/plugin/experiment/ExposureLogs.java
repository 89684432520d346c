package io.shopgraph.plugin.experiment;

import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.walk.WalkProjections;
import java.util.concurrent.ConcurrentHashMap;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.logging.Log;

/**
 * The open {@link ExposureLog} of each database, by the database's identity (its UUID, as the
 * walk projections key theirs), opened and closed by {@link ExperimentExtensionFactory}.
 */
final class ExposureLogs {

    private static final ConcurrentHashMap<String, ExposureLog> OPEN = new ConcurrentHashMap<>();

    private ExposureLogs() {}

    static void open(GraphDatabaseService db, Log log) {
        OPEN.put(WalkProjections.identity(db), new ExposureLog(db, log));
    }

    static void close(GraphDatabaseService db) throws InterruptedException {
        ExposureLog log = OPEN.remove(WalkProjections.identity(db));
        if (log != null) {
            log.close();
        }
    }

    /**
     * The log of the caller's database.
     *
     * @throws ShopgraphException of code {@code CONFLICT} when it is not open
     */
    static ExposureLog of(GraphDatabaseService db) {
        ExposureLog log = OPEN.get(WalkProjections.identity(db));
        if (log == null) {
            throw ShopgraphException.conflict("The experiment log of database '" + db.databaseName()
                    + "' is not open: the plugin's database extension (shopgraph-experiments) is not"
                    + " loaded, or the database is stopping.");
        }
        return log;
    }
}
