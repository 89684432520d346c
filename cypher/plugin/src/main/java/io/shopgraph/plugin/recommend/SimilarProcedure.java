package io.shopgraph.plugin.recommend;

import io.shopgraph.plugin.common.Arguments;
import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.common.ExperimentHook;
import io.shopgraph.plugin.common.RankedItem;
import io.shopgraph.plugin.common.Served;
import io.shopgraph.plugin.common.Served.Surface;
import io.shopgraph.plugin.common.ServedItem;
import io.shopgraph.plugin.model.NearestItems;
import io.shopgraph.plugin.walk.PixieWalker;
import io.shopgraph.plugin.walk.QueryItem;
import io.shopgraph.plugin.walk.WalkConfig;
import io.shopgraph.plugin.walk.WalkGraph;
import io.shopgraph.plugin.walk.WalkInputs;
import io.shopgraph.plugin.walk.WalkProjections;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * pages, from one of two sources:
 *
 * <ul>
 *   <li><b>The active embedding model</b>, when there is one, the item has an embedding in its
 *       slot and {@code useModel} is true: the item's nearest neighbours in the vector index of
 *       that slot, scored by the cosine of the two embeddings, reason {@code "model"}
 *       ({@link NearestItems}).</li>
 *   <li><b>Pixie random walks</b> from the item ({@link PixieWalker}; Eksombatchai et al., WWW
 *       2018), reason {@code "walk"}: without a model, for items the model has not seen (new
 *       since it was trained), or with {@code useModel: false}.</li>
 * </ul>
 *
 * <p>Through an online experiment ({@code {experiment: 'name', user: 'u1'}}, see
 * {@link ExperimentHook}) the variant's config, pinned model version or baseline answers, and
 * the rows carry the logged request's id and the variant.
 */
public final class SimilarProcedure {

    @Context
    public Transaction tx;

    @Context
    public GraphDatabaseService db;

    @Context
    public Log log;

    @Procedure(name = "shopgraph.similar", mode = Mode.READ)
    @Description("Items similar to one item, for item pages: with an active embedding model and an"
            + " embedded item, its nearest neighbours in the vector index of the active slot (score:"
            + " the cosine of the two embeddings, reason 'model'); otherwise Pixie random walks with"
            + " restart from the item (Eksombatchai et al., WWW 2018), ranked by visits (reason"
            + " 'walk'). The item itself is never returned. Yields itemId, score, rank, reason,"
            + " requestId, variant (the last two null outside an experiment)."
            + " Config keys (all optional): useModel (true), steps (10000), restart (0.3), seed (42),"
            + " nP (200), nV (4), typeWeights (map; VIEWED 1.0, ADDED_TO_CART 2.0, REMOVED_FROM_CART"
            + " 0.0, CONTAINS 3.0, HAS_BRAND 0.3, IN_CATEGORY 0.2, HAS_SESSION 0.5, PLACED 0.5),"
            + " ttlSeconds (300), inStockOnly (true); experiment (a running experiment's name: its"
            + " variant for the user answers and the call is logged), user (the user or visitor id,"
            + " with experiment), at (the request's time, with experiment; default now).")
    public Stream<ServedItem> similar(
            @Name(value = "itemId", description = "The item's id.") String itemId,
            @Name(value = "k", defaultValue = "10", description = "How many items, 1 to 1000.")
            long k,
            @Name(value = "config", defaultValue = "{}",
                    description = "Walk settings; see the procedure description for the keys.")
            Map<String, Object> config) {
        int limit = Arguments.k(k);
        String id = Arguments.id("itemId", itemId);
        Served served = ExperimentHook.enter(db, tx, Surface.SIMILAR, null, List.of(id), config);
        WalkConfig walkConfig = WalkConfig.parse(served.config(), WalkConfig.Use.SIMILAR);
        List<RankedItem> rows = answer(served, id, limit, walkConfig);
        served.exposed(rows.stream().map(RankedItem::itemId).toList());
        return rows.stream().map(row -> ServedItem.of(row, served));
    }

    private List<RankedItem> answer(Served served, String id, int limit, WalkConfig walkConfig) {
        if (served.baseline() != null) {
            return ranked(served.baseline().top(limit, walkConfig.inStockOnly()));
        }
        if (walkConfig.useModel()) {
            Optional<List<RankedItem>> byModel = NearestItems.of(tx, served.modelVersion(), id, limit,
                    walkConfig.inStockOnly());
            if (byModel.isPresent()) {
                return byModel.get();
            }
        }
        return byWalk(id, limit, walkConfig);
    }

    private List<RankedItem> byWalk(String itemId, int k, WalkConfig config) {
        WalkGraph graph = WalkProjections.current(db, config.ttlSeconds(), log).graph();
        WalkInputs.requireKnownItems(tx, graph, List.of(itemId));
        List<Candidate> top = new PixieWalker(graph)
                .walk(List.of(new QueryItem(itemId, 1.0)), Set.of(), config)
                .top(k, WalkInputs.available(tx, config.inStockOnly()));
        return ranked(top);
    }

    private static List<RankedItem> ranked(List<Candidate> top) {
        List<RankedItem> rows = new ArrayList<>(top.size());
        for (Candidate candidate : top) {
            rows.add(new RankedItem(candidate.itemId(), candidate.score(), rows.size() + 1,
                    candidate.reason()));
        }
        return rows;
    }
}
