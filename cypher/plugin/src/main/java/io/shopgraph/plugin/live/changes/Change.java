package io.shopgraph.plugin.live.changes;

/** What happened to a node or relationship in a committed transaction. */
public enum Change {
    /** Created by the transaction. */
    CREATED,
    /** Deleted by the transaction. */
    DELETED,
    /** It existed before and after; properties (or labels) the feed watches changed. */
    CHANGED
}
