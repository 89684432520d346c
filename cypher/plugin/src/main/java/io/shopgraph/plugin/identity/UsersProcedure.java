package io.shopgraph.plugin.identity;

import io.shopgraph.plugin.common.Arguments;
import java.util.stream.Stream;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.users.merge($source, $target)} and
 * {@code CALL shopgraph.users.forget($userId)}: thin adapters over {@link UserMerge} and
 * {@link UserErasure}, in the caller's transaction.
 */
public final class UsersProcedure {

    @Context
    public Transaction tx;

    /**
     * What a merge did.
     *
     * @param sessions sessions moved to the target
     * @param orders orders moved to the target
     * @param feedback feedback relationships moved to the target
     * @param combined relationships the target already had (kept once; feedback counts summed)
     * @param targetCreated whether the target user was new
     */
    public record MergedRow(long sessions, long orders, long feedback, long combined, boolean targetCreated) { }

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
     */
    public record ForgottenRow(long sessions, long sessionsKept, long sessionEvents, long orders,
                               long ordersKept, long orderLines, long feedback, long recordedEvents,
                               long relationships) { }

    @Procedure(name = "shopgraph.users.merge", mode = Mode.WRITE)
    @Description("Merges the user source into the user target (an anonymous visitor who logs in): its"
            + " sessions, orders, feedback and every other relationship move to the target, what both"
            + " have is kept once (feedback counts add up), the source node and id are gone, and the"
            + " target is marked trustStale when either had a trust score. An unknown target is"
            + " created; an unknown source is an error. Yields sessions, orders, feedback, combined,"
            + " targetCreated.")
    public Stream<MergedRow> merge(
            @Name(value = "source", description = "The user merged away (e.g. the anonymous visitor).")
            Object source,
            @Name(value = "target", description = "The user who remains (e.g. the known account).")
            Object target) {
        UserMerge.Merged m = new UserMerge(tx).merge(Arguments.id("source", source), Arguments.id("target", target));
        return Stream.of(new MergedRow(m.sessions(), m.orders(), m.feedback(), m.combined(), m.targetCreated()));
    }

    @Procedure(name = "shopgraph.users.forget", mode = Mode.WRITE)
    @Description("Erases a user from the graph: the node (trust, embeddings), its sessions with their"
            + " views, cart adds and removals and recorded-event bookkeeping, the orders it placed or"
            + " made in its sessions with their lines, and its feedback. Sessions and orders another"
            + " user holds too are kept for that user. Items stay. Files are the client's part"
            + " (shopgraph forget). Yields sessions, sessionsKept, sessionEvents, orders, ordersKept,"
            + " orderLines, feedback, recordedEvents, relationships.")
    public Stream<ForgottenRow> forget(
            @Name(value = "userId", description = "The user to erase.") Object userId) {
        UserErasure.Erased e = new UserErasure(tx).forget(Arguments.id("userId", userId));
        return Stream.of(new ForgottenRow(e.sessions(), e.sessionsKept(), e.sessionEvents(), e.orders(),
                e.ordersKept(), e.orderLines(), e.feedback(), e.recordedEvents(), e.relationships()));
    }
}
