package io.shopgraph.plugin.feedback;

import io.shopgraph.plugin.common.Arguments;
import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ShopgraphException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.stream.Stream;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.feedback.record($userId, $itemId, $kind, $at)}: a thin adapter over
 * {@link FeedbackWriter}, in the caller's transaction.
 */
public final class FeedbackProcedure {

    @Context
    public Transaction tx;

    /**
     * The feedback stored for the pair.
     *
     * @param userId the user
     * @param itemId the item
     * @param kind the kind of the latest feedback on the pair
     * @param count how many times feedback was given on the pair
     * @param userCreated whether the user was new
     */
    public record FeedbackRow(String userId, String itemId, String kind, long count, boolean userCreated) { }

    @Procedure(name = "shopgraph.feedback.record", mode = Mode.WRITE)
    @Description("Records negative feedback of a user on an item as (:User)-[:REJECTED {kind, first, at,"
            + " count}]->(:Item): one relationship per pair, count the times given, first and at the"
            + " earliest and latest time, kind that of the latest (not_interested or dismissed). An"
            + " unknown user is created; an unknown item is an error. Yields userId, itemId, kind, count,"
            + " userCreated.")
    public Stream<FeedbackRow> record(
            @Name(value = "userId", description = "The user.") Object userId,
            @Name(value = "itemId", description = "The item.") Object itemId,
            @Name(value = "kind", description = "not_interested or dismissed.") Object kind,
            @Name(value = "at", defaultValue = "null",
                    description = "When, a datetime with a timezone; null: now.") Object at) {
        String user = Arguments.id("userId", userId);
        String item = Arguments.id("itemId", itemId);
        FeedbackKind parsed = FeedbackKind.of(kind);
        Instant time = time(at);
        FeedbackWriter.Stored stored = new FeedbackWriter(tx).record(user, item, parsed, time);
        return Stream.of(new FeedbackRow(user, item, stored.kind().value(), stored.count(), stored.userCreated()));
    }

    private static Instant time(Object at) {
        if (at == null) {
            return Instant.now().truncatedTo(ChronoUnit.MILLIS);
        }
        if (at instanceof ZonedDateTime zoned) {
            return zoned.toInstant();
        }
        if (at instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        throw ShopgraphException.badArgument("at must be a datetime with a timezone, got "
                + CypherValues.describe(at) + ".");
    }
}
