package io.shopgraph.plugin.trust;

import io.shopgraph.plugin.common.Arguments;
import io.shopgraph.plugin.common.ShopgraphException;
import java.time.Instant;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.trust.compute($users, $config)}: a thin adapter that reads every user's
 * behaviour from the graph into {@link UserActivity} records and scores them with
 * {@link TrustScorer}. It only reads; the caller writes the results (User.trust, the signals,
 * relationship weights) in batches.
 */
public final class TrustProcedure {

    private static final Label USER = Label.label("User");
    private static final Label ITEM = Label.label("Item");
    private static final RelationshipType HAS_SESSION = RelationshipType.withName("HAS_SESSION");
    private static final RelationshipType PLACED = RelationshipType.withName("PLACED");
    private static final RelationshipType CONTAINS = RelationshipType.withName("CONTAINS");
    private static final RelationshipType VIEWED = RelationshipType.withName("VIEWED");
    private static final RelationshipType ADDED_TO_CART = RelationshipType.withName("ADDED_TO_CART");
    private static final RelationshipType REMOVED_FROM_CART = RelationshipType.withName("REMOVED_FROM_CART");

    @Context
    public Transaction tx;

    /**
     * One user's trust and signals (see {@link TrustScore}).
     *
     * @param userId the user
     * @param trust trust in [floor, 1]
     * @param lockstepPartners most lockstep partners of one item inside the profile
     * @param crowdItems items outside lockstep pairs shared with that item's crowd
     * @param lockstepPenalty its penalty, after corroboration
     * @param maxRate highest events per minute of a rated session, or -1
     * @param velocityPenalty its penalty
     * @param eventsPerItem events per distinct item, or -1
     * @param repeatPenalty its penalty
     * @param blindPurchases purchased items never viewed or carted, or -1
     * @param blindPenalty its penalty
     * @param spanHours hours from first to last event, or -1
     * @param newAccountPenalty its penalty
     */
    public record TrustRow(String userId, double trust, long lockstepPartners, long crowdItems,
                           double lockstepPenalty,
                           double maxRate, double velocityPenalty, double eventsPerItem,
                           double repeatPenalty, long blindPurchases, double blindPenalty,
                           double spanHours, double newAccountPenalty) {

        static TrustRow of(TrustScore s) {
            return new TrustRow(s.userId(), s.trust(), s.lockstepPartners(), s.crowdItems(),
                    s.lockstepPenalty(),
                    s.maxRate(), s.velocityPenalty(), s.eventsPerItem(), s.repeatPenalty(),
                    s.blindPurchases(), s.blindPenalty(), s.spanHours(), s.newAccountPenalty());
        }
    }

    @Procedure(name = "shopgraph.trust.compute", mode = Mode.READ)
    @Description("Trust in [floor, 1] per user from behaviour signals: lockstep groups (many users"
            + " sharing the same items and nothing else), session velocity, repeated events per item, purchases without"
            + " browsing and brand-new accounts that buy; trust = max(floor, product of (1 - penalty))."
            + " With users null every user is scored; with a list, those users and every user sharing"
            + " a lockstep pair found among their items. Only reads: the caller stores the rows."
            + " Config keys (all optional): minGroup (10), jaccard (0.7), lockstepFull (3),"
            + " corroboration (3), crowdShare (0.2), rateStart"
            + " (20.0), rateFull (60.0), minSessionEvents (5), repeatStart (10.0), repeatFull (40.0),"
            + " blindFull (3), newAccountHours (1.0), newAccountPenalty (0.2), floor (0.02).")
    public Stream<TrustRow> compute(
            @Name(value = "users", defaultValue = "null",
                    description = "User ids to score (and those sharing lockstep pairs with them), or null for all.")
            List<String> users,
            @Name(value = "config", defaultValue = "{}",
                    description = "Signal thresholds; see the procedure description for the keys.")
            Map<String, Object> config) {
        List<String> targetIds = users == null ? null : Arguments.ids("users", users);
        TrustConfig parsed = TrustConfig.parse(config);
        Map<String, Integer> itemIndex = new HashMap<>();
        try (ResourceIterator<Node> items = tx.findNodes(ITEM)) {
            while (items.hasNext()) {
                itemIndex.put(items.next().getElementId(), itemIndex.size());
            }
        }
        List<UserActivity> activities = new ArrayList<>();
        Map<String, Integer> position = new HashMap<>();
        try (ResourceIterator<Node> nodes = tx.findNodes(USER)) {
            while (nodes.hasNext()) {
                UserActivity activity = read(nodes.next(), itemIndex);
                position.put(activity.userId(), activities.size());
                activities.add(activity);
            }
        }
        TrustScorer scorer = new TrustScorer(parsed, itemIndex.size(), activities);
        if (targetIds == null) {
            return scorer.scoreAll().stream().map(TrustRow::of);
        }
        List<String> unknown = new ArrayList<>();
        Set<Integer> targets = new LinkedHashSet<>();
        for (String id : targetIds) {
            Integer at = position.get(id);
            if (at == null) {
                unknown.add(id);
            } else {
                targets.add(at);
            }
        }
        if (!unknown.isEmpty()) {
            throw ShopgraphException.unknownIds("user", unknown);
        }
        int[] array = targets.stream().mapToInt(Integer::intValue).toArray();
        return scorer.score(array).stream().map(TrustRow::of);
    }

    private static UserActivity read(Node user, Map<String, Integer> itemIndex) {
        Set<Integer> items = new LinkedHashSet<>();
        Set<Integer> browsed = new LinkedHashSet<>();
        Set<Integer> purchased = new LinkedHashSet<>();
        List<UserActivity.SessionSpan> sessions = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Relationship has : user.getRelationships(Direction.OUTGOING, HAS_SESSION)) {
            Node session = has.getEndNode();
            Long start = millis(session.getProperty("start", null));
            Long end = millis(session.getProperty("end", null));
            if (start != null && end != null) {
                Object events = session.getProperty("events", 0L);
                sessions.add(new UserActivity.SessionSpan(start, end, ((Number) events).longValue()));
                first = Math.min(first, start);
                last = Math.max(last, end);
            }
            for (Relationship r : session.getRelationships(Direction.OUTGOING, VIEWED, ADDED_TO_CART,
                    REMOVED_FROM_CART)) {
                int item = itemIndex.get(r.getEndNode().getElementId());
                items.add(item);
                if (!r.isType(REMOVED_FROM_CART)) {
                    browsed.add(item);
                }
            }
        }
        for (Relationship placed : user.getRelationships(Direction.OUTGOING, PLACED)) {
            Node order = placed.getEndNode();
            if (!"order".equals(order.getProperty("kind", "order"))) {
                continue;
            }
            Long at = millis(order.getProperty("at", null));
            if (at != null) {
                first = Math.min(first, at);
                last = Math.max(last, at);
            }
            for (Relationship line : order.getRelationships(Direction.OUTGOING, CONTAINS)) {
                int item = itemIndex.get(line.getEndNode().getElementId());
                items.add(item);
                purchased.add(item);
            }
        }
        boolean timed = first != Long.MAX_VALUE;
        return new UserActivity((String) user.getProperty("userId"), toArray(items), toArray(browsed),
                toArray(purchased), sessions, timed ? first : null, timed ? last : null);
    }

    private static Long millis(Object value) {
        if (value instanceof TemporalAccessor temporal) {
            return Instant.from(temporal).toEpochMilli();
        }
        return null;
    }

    private static int[] toArray(Set<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
