package io.shopgraph.plugin.walk;

import io.shopgraph.plugin.common.Arguments;
import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ParallelStage;
import io.shopgraph.plugin.common.RankedItem;
import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.model.Rejections;
import io.shopgraph.plugin.walk.WalkInputs.UserHistory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.logging.Log;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.candidates($query, $k, $config)}: Pixie random-walk candidates
 * for a user or a set of items (Eksombatchai et al., "Pixie: A System for Recommending 3+
 * Billion Items to 200+ Million Users in Real-Time", WWW 2018). The algorithm is
 * {@link PixieWalker}; the config keys are those of {@link WalkConfig}; the projection it
 * walks and its staleness are described in {@link ProjectionCache}.
 */
public final class CandidatesProcedure {

    @Context
    public Transaction tx;

    @Context
    public GraphDatabaseService db;

    @Context
    public Log log;

    /**
     * One candidate: the shared columns of {@link RankedItem} and the plain visit count.
     *
     * @param itemId the item's business id
     * @param score Pixie's multi-hit boosted visit count, {@code (sum_q sqrt(V_q))^2}
     * @param rank 1, 2, 3, ...
     * @param reason always {@code "walk"}
     * @param visits visits from all query items together, {@code sum_q V_q}
     */
    public record CandidateRow(String itemId, double score, long rank, String reason, long visits) {}

    @Procedure(name = "shopgraph.candidates", mode = Mode.READ)
    @Description("Pixie random-walk candidates (Eksombatchai et al., WWW 2018) for a user or a list"
            + " of item ids: walks with restart over item-session-user-order-brand-category"
            + " relationships from the query items (a user's most recent items, or the given"
            + " items), ranked by multi-hit boosted visits. Query items, a user's purchases and"
            + " rejections, and hidden items are never returned; items very similar to a user's"
            + " rejections come last. Yields itemId, score, rank, reason ('walk'), visits."
            + " Config keys (all optional): steps (10000), restart (0.3), seed (42), nP (200), nV"
            + " (4), typeWeights (map; VIEWED 1.0, ADDED_TO_CART 2.0, REMOVED_FROM_CART 0.0,"
            + " CONTAINS 3.0, HAS_BRAND 0.3, IN_CATEGORY 0.2, HAS_SESSION 0.5, PLACED 0.5),"
            + " queryItems (20), halfLifeDays (7.0: the recency half-life, in days, of a user's"
            + " interaction by its age; null: no decay), ttlSeconds (300), inStockOnly (true).")
    public Stream<CandidateRow> candidates(
            @Name(value = "query",
                    description = "A user id (its recent items start the walks), or a list of 1 to 50"
                            + " item ids (repeats count once).")
            Object query,
            @Name(value = "k", defaultValue = "10", description = "How many items, 1 to 1000.")
            long k,
            @Name(value = "config", defaultValue = "{}",
                    description = "Walk settings; see the procedure description for the keys.")
            Map<String, Object> config) {
        int limit = Arguments.k(k);
        String userId = query instanceof String ? Arguments.id("query", query) : null;
        List<String> itemIds = query instanceof List<?> list ? Arguments.items("query", "query", list) : null;
        if (userId == null && itemIds == null) {
            throw ShopgraphException.badArgument("query must be a user id or a list of 1 to "
                    + Arguments.MAX_ITEMS + " item ids, got " + CypherValues.describe(query) + ".");
        }
        WalkConfig walkConfig = WalkConfig.parse(config, WalkConfig.Use.CANDIDATES);
        List<QueryItem> queries = new ArrayList<>();
        Set<String> excluded = new HashSet<>();
        Walkable graph;
        Rejections rejections = Rejections.NONE;
        if (userId != null) {
            UserHistory history = WalkInputs.userHistory(tx, userId, walkConfig).orElseThrow(
                    () -> ShopgraphException.unknownIds("user", List.of(userId)));
            queries.addAll(UserQuery.select(history.interactions(), walkConfig));
            excluded.addAll(history.bought());
            rejections = Rejections.of(tx, WalkProjections.identity(db), userId);
            excluded.addAll(rejections.rejected());
            graph = WalkProjections.current(db, walkConfig.ttlSeconds(), log);
        } else {
            graph = WalkProjections.current(db, walkConfig.ttlSeconds(), log);
            WalkInputs.requireKnownItems(tx, graph, itemIds);
            for (String id : itemIds) {
                queries.add(new QueryItem(id, 1.0));
            }
        }
        PixieWalker.Result result = new PixieWalker(graph).walk(queries, excluded, walkConfig,
                ParallelStage::fork);
        Predicate<String> available = WalkInputs.available(tx, walkConfig.inStockOnly());
        // Items very similar to one the user rejected come after every other.
        Rejections rejected = rejections;
        List<Candidate> top = new ArrayList<>(result.top(limit, id -> available.test(id) && !rejected.demoted(id)));
        if (top.size() < limit && !rejected.isEmpty()) {
            top.addAll(result.top(limit - top.size(), id -> available.test(id) && rejected.demoted(id)));
        }
        List<CandidateRow> rows = new ArrayList<>(top.size());
        for (Candidate candidate : top) {
            rows.add(new CandidateRow(candidate.itemId(), candidate.score(), rows.size() + 1,
                    candidate.reason(), result.visits(candidate.itemId())));
        }
        return rows.stream();
    }
}
