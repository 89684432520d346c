package io.shopgraph.plugin.recommend;

import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.RankedItem;
import io.shopgraph.plugin.common.Reason;
import io.shopgraph.plugin.model.ActiveModel;
import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.walk.PixieWalker;
import io.shopgraph.plugin.walk.QueryItem;
import io.shopgraph.plugin.walk.WalkConfig;
import io.shopgraph.plugin.walk.WalkGraph;
import io.shopgraph.plugin.walk.WalkInputs;
import io.shopgraph.plugin.walk.WalkProjections;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Result;
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
 *   <li><b>The active embedding model</b> ({@link ActiveModel}), when there is one, the item has
 *       an embedding in its slot and {@code useModel} is true: the item's nearest neighbours in
 *       the vector index of that slot, scored by the cosine of the two embeddings, reason
 *       {@code "model"}. The active version and
 *       the embeddings are read in the call's transaction, so one call sees one model.</li>
 *   <li><b>Pixie random walks</b> from the item ({@link PixieWalker}; Eksombatchai et al., WWW
 *       2018), reason {@code "walk"}: without a model, for items the model has not seen (new
 *       since it was trained), or with {@code useModel: false}.</li>
 * </ul>
 */
public final class SimilarProcedure {

    private static final Label ITEM = Label.label("Item");

    /** The index name comes from {@link ActiveModel} (one of two constants), never from input. */
    private static final String NEAREST = "CALL db.index.vector.queryNodes($index, $k, $vector)"
            + " YIELD node, score RETURN node, score";

    /** Most neighbours asked of the vector index in one call (k, the item itself, skips). */
    private static final int MAX_NEIGHBOURS = 10_000;

    @Context
    public Transaction tx;

    @Context
    public GraphDatabaseService db;

    @Context
    public Log log;

    @Procedure(name = "shopgraph.similar", mode = Mode.READ)
    @Description("Items similar to one item, for item pages: with an active embedding model and an"
            + " embedded item, its nearest neighbours in the vector index of the active slot (score:"
            + " the index's cosine score in [0, 1], reason 'model'); otherwise Pixie random walks with"
            + " restart from the item (Eksombatchai et al., WWW 2018), ranked by visits (reason"
            + " 'walk'). The item itself is never returned. Yields itemId, score, rank, reason."
            + " Config keys (all optional): useModel (true), steps (10000), restart (0.3), seed (42),"
            + " nP (200), nV (4), typeWeights (map; VIEWED 1.0, ADDED_TO_CART 2.0, REMOVED_FROM_CART"
            + " 0.0, CONTAINS 3.0, HAS_BRAND 0.3, IN_CATEGORY 0.2, HAS_SESSION 0.5, PLACED 0.5),"
            + " ttlSeconds (300), inStockOnly (true).")
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
        if (walkConfig.useModel()) {
            Optional<ActiveModel> model = ActiveModel.read(tx);
            Node item = model.isPresent() ? tx.findNode(ITEM, "itemId", itemId) : null;
            double[] vector = item == null ? null : model.get().embedding(item);
            if (vector != null) {
                return byModel(model.get(), itemId, vector, limit, walkConfig.inStockOnly()).stream();
            }
        }
        return byWalk(itemId, limit, walkConfig).stream();
    }

    /**
     * The item's nearest neighbours in the active slot's vector index, re-ranked by the exact
     * cosine of the stored embeddings (the index quantises vectors, so its own scores and order
     * are approximate). The index returns the item itself, and maybe items out of stock, among
     * the nearest, so it is asked for twice {@code k} and more, until {@code k} are left or it
     * has no more.
     */
    private List<RankedItem> byModel(ActiveModel model, String itemId, double[] vector, int k,
                                     boolean inStockOnly) {
        int ask = Math.min(2 * k + 10, MAX_NEIGHBOURS);
        while (true) {
            List<RankedItem> found = new ArrayList<>();
            int returned = 0;
            try (Result result = tx.execute(NEAREST,
                    Map.of("index", model.indexName(), "k", (long) ask, "vector", vector))) {
                while (result.hasNext()) {
                    Node node = (Node) result.next().get("node");
                    returned++;
                    Object id = node.getProperty("itemId", null);
                    Double cosine = ActiveModel.cosine(vector, model.embedding(node));
                    boolean skip = !(id instanceof String) || itemId.equals(id) || cosine == null
                            || (inStockOnly && Boolean.FALSE.equals(node.getProperty("inStock", null)));
                    if (!skip) {
                        found.add(new RankedItem((String) id, cosine, 0, Reason.MODEL.label()));
                    }
                }
            }
            if (found.size() >= k || returned < ask || ask == MAX_NEIGHBOURS) {
                found.sort(Comparator.comparingDouble(RankedItem::score).reversed()
                        .thenComparing(RankedItem::itemId));
                List<RankedItem> rows = new ArrayList<>(Math.min(k, found.size()));
                for (RankedItem item : found.subList(0, Math.min(k, found.size()))) {
                    rows.add(new RankedItem(item.itemId(), item.score(), rows.size() + 1, item.reason()));
                }
                return rows;
            }
            ask = Math.min(ask * 4, MAX_NEIGHBOURS);
        }
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
                    candidate.reason()));
        }
        return rows;
    }
}
