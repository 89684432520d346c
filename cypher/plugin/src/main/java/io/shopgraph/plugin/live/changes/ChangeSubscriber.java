package io.shopgraph.plugin.live.changes;

/**
 * Told of every committed transaction of a database that changed the shop's graph. Called on
 * the committing thread right after the commit, possibly from several threads at once: it
 * must be thread-safe, quick (record what changed, leave the work to a background thread) and
 * must not throw.
 */
@FunctionalInterface
public interface ChangeSubscriber {

    /**
     * One committed transaction's changes.
     *
     * @param changes what changed; {@link GraphChanges#complete()} false: unknown, rebuild
     */
    void accept(GraphChanges changes);
}
