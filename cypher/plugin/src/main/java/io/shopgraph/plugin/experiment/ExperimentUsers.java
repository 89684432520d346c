package io.shopgraph.plugin.experiment;

import java.util.ArrayList;
import java.util.List;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;

/**
 * What erasure and merges of users do to the experiment log, in the caller's write
 * transaction: for the identity procedures ({@code shopgraph.users.forget},
 * {@code shopgraph.users.merge}) and {@code shopgraph.experiment.forgetUser} /
 * {@code mergeUsers}.
 *
 * <p>Both first wait until the log has committed what it holds ({@link ExposureLog#flush}), so
 * that no exposure of the user handed in before the call is written after it. Call them before
 * the transaction writes anything else (the log's writer must not wait on its locks).
 */
public final class ExperimentUsers {

    private ExperimentUsers() {}

    /**
     * Deletes every exposure logged under the user's id, with its clicks (exposures moved to
     * the user by a merge included).
     *
     * @return how many exposures were deleted
     */
    public static long forget(GraphDatabaseService db, Transaction tx, String userId) throws InterruptedException {
        ExposureLogs.of(db).flush();
        long deleted = 0;
        for (Node exposure : exposures(tx, userId)) {
            exposure.delete();
            deleted++;
        }
        return deleted;
    }

    /**
     * Moves the exposures of {@code source} to {@code target}: they keep their variant and the id
     * they were logged under ({@code loggedUserId}), and count for {@code target} in the report.
     *
     * @return how many exposures were moved
     */
    public static long merge(GraphDatabaseService db, Transaction tx, String source, String target)
            throws InterruptedException {
        ExposureLogs.of(db).flush();
        long moved = 0;
        for (Node exposure : exposures(tx, source)) {
            if (!exposure.hasProperty("loggedUserId")) {
                exposure.setProperty("loggedUserId", source);
            }
            exposure.setProperty("userId", target);
            moved++;
        }
        return moved;
    }

    private static List<Node> exposures(Transaction tx, String userId) {
        List<Node> found = new ArrayList<>();
        try (ResourceIterator<Node> nodes = tx.findNodes(ExposureLog.EXPOSURE, "userId", userId)) {
            nodes.forEachRemaining(found::add);
        }
        return found;
    }
}
