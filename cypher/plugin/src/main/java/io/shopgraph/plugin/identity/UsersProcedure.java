package io.shopgraph.plugin.identity;

import io.shopgraph.plugin.common.Arguments;
import io.shopgraph.plugin.experiment.ExperimentUsers;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.users.merge($source, $target)} and
 * {@code CALL shopgraph.users.forget($userId)}: thin adapters over {@link UserMerge} and
 * {@link UserErasure}, and {@link ExperimentUsers} for the experiment log, in the caller's
 * transaction.
 */
public final class UsersProcedure {

    @Context
    public Transaction tx;

    @Context
    public GraphDatabaseService db;

    /**
     * What a merge did.
     *
     * @param sessions sessions moved to the target
     * @param orders orders moved to the target
     * @param feedback feedback relationships moved to the target
     * @param combined relationships the target already had (kept once; feedback counts summed)
     * @param targetCreated whether the target user was new
     * @param exposures the source's exposures of online experiments, now the target's (they keep
     *     their variant; see {@link ExperimentUsers#merge})
     */
    public record MergedRow(long sessions, long orders, long feedback, long combined, boolean targetCreated,
                            long exposures) { }

    /**
     * What an erasure removed from the graph.
     *
     * @param sessions sessions deleted
     * @param sessionsKept sessions another user holds too (only the link removed)
     * @param sessionEvents view, cart and removal aggregates deleted
     * @param orders orders deleted
     * @param ordersKept orders another user placed too (only the link removed)
     * @param orderLines order lines deleted
     * @param feedback feedback relationships deleted
     * @param recordedEvents bookkeeping nodes of recorded event ids deleted
     * @param relationships relationships deleted in all
     * @param exposures exposures of online experiments deleted, with their clicks
     */
    public record ForgottenRow(long sessions, long sessionsKept, long sessionEvents, long orders,
                               long ordersKept, long orderLines, long feedback, long recordedEvents,
                               long relationships, long exposures) { }

    @Procedure(name = "shopgraph.users.merge", mode = Mode.WRITE)
    @Description("Merges the user source into the user target (an anonymous visitor who logs in): its"
            + " sessions, orders, feedback and every other relationship move to the target, what both"
            + " have is kept once (feedback counts add up), the source node and id are gone, and the"
            + " target is marked trustStale when either had a trust score. An unknown target is"
            + " created; an unknown source is an error. The source's exposures of online experiments"
            + " count for the target from now on, in the variant they were served (the target's own"
            + " assignment answers its next calls). Yields sessions, orders, feedback, combined,"
            + " targetCreated, exposures.")
    public Stream<MergedRow> merge(
            @Name(value = "source", description = "The user merged away (e.g. the anonymous visitor).")
            Object source,
            @Name(value = "target", description = "The user who remains (e.g. the known account).")
            Object target) throws InterruptedException {
        String from = Arguments.id("source", source);
        String to = Arguments.id("target", target);
        // The experiment log first: it waits for the log's writer, which must not wait on this
        // transaction's locks.
        long exposures = ExperimentUsers.merge(db, tx, from, to);
        UserMerge.Merged m = new UserMerge(tx).merge(from, to);
        return Stream.of(new MergedRow(m.sessions(), m.orders(), m.feedback(), m.combined(), m.targetCreated(),
                exposures));
    }

    @Procedure(name = "shopgraph.users.forget", mode = Mode.WRITE)
    @Description("Erases a user from the graph: the node (trust, embeddings), its sessions with their"
            + " views, cart adds and removals and recorded-event bookkeeping, the orders it placed or"
            + " made in its sessions with their lines, and its feedback. Sessions and orders another"
            + " user holds too are kept for that user. Items stay. Its exposures of online experiments"
            + " and their clicks are deleted too. Files are the client's part (shopgraph forget)."
            + " Yields sessions, sessionsKept, sessionEvents, orders, ordersKept, orderLines, feedback,"
            + " recordedEvents, relationships, exposures.")
    public Stream<ForgottenRow> forget(
            @Name(value = "userId", description = "The user to erase.") Object userId) throws InterruptedException {
        String user = Arguments.id("userId", userId);
        // The experiment log first, as for a merge.
        long exposures = ExperimentUsers.forget(db, tx, user);
        UserErasure.Erased e = new UserErasure(tx).forget(user);
        return Stream.of(new ForgottenRow(e.sessions(), e.sessionsKept(), e.sessionEvents(), e.orders(),
                e.ordersKept(), e.orderLines(), e.feedback(), e.recordedEvents(), e.relationships(), exposures));
    }
}
