package io.shopgraph.plugin;

import io.shopgraph.plugin.walk.Candidate;
import io.shopgraph.plugin.walk.CypherValues;
import io.shopgraph.plugin.walk.PixieWalker;
import io.shopgraph.plugin.walk.QueryItem;
import io.shopgraph.plugin.walk.WalkConfig;
import io.shopgraph.plugin.walk.WalkGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * {@code CALL shopgraph.similar($itemId, $k, $config)}: items similar to one item, for item
 * pages. Today one source answers, Pixie random walks from the item
 * ({@link PixieWalker}; Eksombatchai et al., WWW 2018), with reason {@code "walk"}. A
 * learned model's vector-index neighbours will be a second source: it will get its own
 * {@link Reason} and a branch in {@link #similar}, keeping the columns of {@link RankedItem}.
 */
public final class SimilarProcedure {

    @Context
    public Transaction tx;

    @Context
    public GraphDatabaseService db;

    @Context
    public Log log;

    @Procedure(name = "shopgraph.similar", mode = Mode.READ)
    @Description("Items similar to one item, for item pages: Pixie random walks with restart from"
            + " the item (Eksombatchai et al., WWW 2018), ranked by visits; the item itself is"
            + " never returned. Yields itemId, score, rank, reason ('walk'). Config keys (all"
            + " optional): steps (10000), restart (0.3), seed (42), nP (200), nV (4), typeWeights"
            + " (map; VIEWED 1.0, ADDED_TO_CART 2.0, REMOVED_FROM_CART 0.0, CONTAINS 3.0,"
            + " HAS_BRAND 0.3, IN_CATEGORY 0.2, HAS_SESSION 0.5, PLACED 0.5), ttlSeconds (300),"
            + " inStockOnly (true).")
    public Stream<RankedItem> similar(
            @Name(value = "itemId", description = "The item's id.") String itemId,
            @Name(value = "k", defaultValue = "20", description = "How many items, 1 to 1000.")
            long k,
            @Name(value = "config", defaultValue = "{}",
                    description = "Walk settings; see the procedure description for the keys.")
            Map<String, Object> config) {
        int limit = WalkInputs.k(k);
        WalkConfig walkConfig = WalkConfig.parse(config, WalkConfig.Use.SIMILAR);
        if (itemId == null || itemId.isBlank()) {
            throw new IllegalArgumentException("itemId must be an item id (a non-empty string), got "
                    + CypherValues.describe(itemId) + ".");
        }
        return byWalk(itemId, limit, walkConfig).stream();
    }

    private List<RankedItem> byWalk(String itemId, int k, WalkConfig config) {
        WalkGraph graph = WalkProjections.current(db, config.ttlSeconds(), log).graph();
        WalkInputs.requireKnownItems(tx, graph, List.of(itemId));
        List<Candidate> top = new PixieWalker(graph)
                .walk(List.of(new QueryItem(itemId, 1.0)), Set.of(), config)
                .top(k, WalkInputs.available(tx, config.inStockOnly()));
        List<RankedItem> rows = new ArrayList<>(top.size());
        for (Candidate candidate : top) {
            rows.add(new RankedItem(candidate.itemId(), candidate.score(), rows.size() + 1,
                    Reason.WALK.label()));
        }
        return rows;
    }
}
