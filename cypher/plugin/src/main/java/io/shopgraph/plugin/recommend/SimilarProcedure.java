package io.shopgraph.plugin.recommend;

import io.shopgraph.plugin.common.Arguments;
import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.common.ExperimentHook;
import io.shopgraph.plugin.common.RankedItem;
import io.shopgraph.plugin.common.Served;
import io.shopgraph.plugin.common.Served.Surface;
import io.shopgraph.plugin.common.ServedItem;
import io.shopgraph.plugin.model.NearestItems;
import io.shopgraph.plugin.model.Rejections;
import io.shopgraph.plugin.walk.PixieWalker;
import io.shopgraph.plugin.walk.QueryItem;
import io.shopgraph.plugin.walk.WalkConfig;
import io.shopgraph.plugin.walk.WalkInputs;
import io.shopgraph.plugin.walk.WalkProjections;
import io.shopgraph.plugin.walk.Walkable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
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
 * <p>Then the cold start ({@link NewItems}): up to {@code newItems} (1) new items of the item's
 * brand and category, or of its category, take the last places. With {@code userId}, the items
 * that user rejected are never returned and those very similar to them come last
 * ({@link Rejections}). Hidden items are never returned.
 *
 * <p>Through an online experiment ({@code {experiment: 'name', user: 'u1'}}, see
 * {@link ExperimentHook}; the user is the {@code userId} too) the variant's config or pinned
 * model version answers, or its baseline's ranking replaces the model and the walks (the filters,
 * demotions and new items' places above apply to it too), and the rows carry the logged
 * request's id and the variant.
 */
public final class SimilarProcedure {

    private static final Label ITEM = Label.label("Item");

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
            + " 'walk'); new items (no interactions yet) of its brand and category take up to newItems"
            + " of the last places (reason 'new: same brand and category' or 'new in <category>')."
            + " The item itself and hidden items are never returned. Yields itemId, score, rank, reason,"
            + " requestId, variant (the last two null outside an experiment)."
            + " Config keys (all optional): useModel (true), steps (10000), restart (0.3), seed (42),"
            + " nP (200), nV (4), typeWeights (map; VIEWED 1.0, ADDED_TO_CART 2.0, REMOVED_FROM_CART"
            + " 0.0, CONTAINS 3.0, HAS_BRAND 0.3, IN_CATEGORY 0.2, HAS_SESSION 0.5, PLACED 0.5),"
            + " ttlSeconds (300), inStockOnly (true), userId (null: the items this user rejected are"
            + " left out and those very similar to them demoted), newItems (1); experiment (a running"
            + " experiment's name: its variant for the user answers and the call is logged), user (the"
            + " user or visitor id, with experiment; it is the userId too), at (the request's time, with"
            + " experiment; default now).")
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
        Rejections rejections = Rejections.of(tx, WalkProjections.identity(db), walkConfig.userId());
        Predicate<String> keep = other -> !rejections.rejected(other);
        Source source = null;
        Served.Baseline baseline = served.baseline();
        if (baseline != null) {
            Predicate<String> available = WalkInputs.available(tx, walkConfig.inStockOnly());
            source = (n, demoted) -> rows(baseline.ranked()
                    .filter(c -> keep.test(c.itemId()) && available.test(c.itemId()) && demoted.test(c.itemId()))
                    .limit(n == 0 ? limit : n).toList());
        } else if (walkConfig.useModel()) {
            Optional<List<RankedItem>> byModel = NearestItems.of(tx, served.modelVersion(), id, limit,
                    walkConfig.inStockOnly(), other -> keep.test(other) && !rejections.demoted(other));
            if (byModel.isPresent()) {
                source = (n, demoted) -> n == 0 ? byModel.get() : NearestItems.of(tx, served.modelVersion(), id,
                        limit, walkConfig.inStockOnly(), other -> keep.test(other) && demoted.test(other))
                        .orElseThrow();
            }
        }
        if (source == null) {
            PixieWalker.Result walked = walk(id, walkConfig);
            Predicate<String> available = WalkInputs.available(tx, walkConfig.inStockOnly());
            source = (n, demoted) -> rows(walked.top(n == 0 ? limit : n,
                    other -> keep.test(other) && available.test(other) && demoted.test(other)));
        }
        // Items very similar to a rejected one come after every other.
        Predicate<String> demoted = rejections::demoted;
        List<RankedItem> found = new ArrayList<>(source.top(0, demoted.negate()));
        // (The model's first answer was asked without the demoted ones already.)
        if (found.size() < limit && !rejections.isEmpty()) {
            List<RankedItem> more = source.top(limit - found.size(), demoted);
            found.addAll(more.subList(0, Math.min(more.size(), limit - found.size())));
        }
        List<Ranker.Ranked> ranked = new ArrayList<>(found.size());
        for (RankedItem item : found) {
            ranked.add(new Ranker.Ranked(item.itemId(), item.score(), item.reason()));
        }
        NewItems fresh = NewItems.of(db, log);
        Node item = tx.findNode(ITEM, "itemId", id);
        if (fresh != null && item != null) {
            Set<String> shown = new java.util.HashSet<>();
            ranked.forEach(r -> shown.add(r.itemId()));
            List<NewItems.Found> extra = fresh.near(item, NewItems.slots(walkConfig.newItems(), limit),
                    other -> !other.equals(id) && !shown.contains(other) && !rejections.rejected(other)
                            && WalkInputs.available(tx, walkConfig.inStockOnly()).test(other));
            ranked = NewItems.slot(ranked, extra, limit);
        }
        List<RankedItem> rows = new ArrayList<>(ranked.size());
        for (Ranker.Ranked r : ranked) {
            rows.add(new RankedItem(r.itemId(), r.score(), rows.size() + 1, r.reason()));
        }
        return rows;
    }

    /**
     * The items of one source that pass a filter: {@code top(0, filter)} the first {@code k},
     * {@code top(n, filter)} the first {@code n}.
     */
    @FunctionalInterface
    private interface Source {
        List<RankedItem> top(int n, Predicate<String> demoted);
    }

    private PixieWalker.Result walk(String itemId, WalkConfig config) {
        Walkable graph = WalkProjections.current(db, config.ttlSeconds(), log);
        WalkInputs.requireKnownItems(tx, graph, List.of(itemId));
        return new PixieWalker(graph).walk(List.of(new QueryItem(itemId, 1.0)), Set.of(), config);
    }

    private static List<RankedItem> rows(List<Candidate> top) {
        List<RankedItem> rows = new ArrayList<>(top.size());
        for (Candidate candidate : top) {
            rows.add(new RankedItem(candidate.itemId(), candidate.score(), rows.size() + 1,
                    candidate.reason()));
        }
        return rows;
    }
}
