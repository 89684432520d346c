package io.shopgraph.plugin.live.changes;

import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.graphdb.event.TransactionData;
import org.neo4j.graphdb.event.TransactionEventListener;
import org.neo4j.logging.Log;

/**
 * Reads what each transaction of one database changed of the shop's graph before it commits
 * ({@link ChangeReader}), and once it has committed publishes it to the database's
 * {@link ChangeFeeds feed}; a transaction rolled back is never published. It never fails a
 * transaction: a change set it cannot read is published as unknown (subscribers rebuild). While
 * nobody subscribed (no serving state was built yet, as during a first bulk load) it reads
 * nothing.
 */
final class ChangeListener implements TransactionEventListener<GraphChanges> {

    /** What {@link #beforeCommit} gives when nobody subscribed: the changes were not read. */
    private static final GraphChanges SKIPPED = new GraphChanges(java.util.List.of(), java.util.List.of(), false);

    private final String identity;
    private final Log log;

    ChangeListener(String identity, Log log) {
        this.identity = identity;
        this.log = log;
    }

    @Override
    public GraphChanges beforeCommit(TransactionData data, Transaction transaction, GraphDatabaseService db) {
        if (!ChangeFeeds.subscribed(identity)) {
            return SKIPPED; // no serving state yet: whoever subscribes later reads the graph itself
        }
        try {
            return ChangeReader.read(data);
        } catch (RuntimeException e) {
            // Failing here would roll back the writer's transaction: serving rebuilds instead.
            log.warn("shopgraph: cannot read the changes of a transaction; serving state is rebuilt.", e);
            return GraphChanges.UNKNOWN;
        }
    }

    @Override
    public void afterCommit(TransactionData data, GraphChanges changes, GraphDatabaseService db) {
        if (changes == SKIPPED) {
            if (ChangeFeeds.subscribed(identity)) {
                // Someone subscribed while this transaction committed: its changes are unknown.
                ChangeFeeds.publish(identity, GraphChanges.UNKNOWN, log);
            }
            return;
        }
        if (changes != null && !changes.isEmpty()) {
            ChangeFeeds.publish(identity, changes, log);
        }
    }

    @Override
    public void afterRollback(TransactionData data, GraphChanges changes, GraphDatabaseService db) {
        // Nothing was committed: nothing to tell.
    }
}
