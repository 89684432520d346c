package io.shopgraph.plugin.recommend;

import io.shopgraph.plugin.bundle.CoPurchases;
import io.shopgraph.plugin.common.Arguments;
import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.common.Candidate.Source;
import io.shopgraph.plugin.common.Catalog;
import io.shopgraph.plugin.common.ExperimentHook;
import io.shopgraph.plugin.common.ParallelStage;
import io.shopgraph.plugin.common.RankedItem;
import io.shopgraph.plugin.common.Served;
import io.shopgraph.plugin.common.Served.Surface;
import io.shopgraph.plugin.common.ServedItem;
import io.shopgraph.plugin.model.ActiveModel;
import io.shopgraph.plugin.model.ItemEmbeddings;
import io.shopgraph.plugin.model.Rejections;
import io.shopgraph.plugin.recommend.PopularItems.Popular;
import io.shopgraph.plugin.recommend.Ranker.Ranked;
import io.shopgraph.plugin.walk.PixieWalker;
import io.shopgraph.plugin.walk.QueryItem;
import io.shopgraph.plugin.walk.UserQuery;
import io.shopgraph.plugin.walk.WalkConfig;
import io.shopgraph.plugin.walk.WalkInputs;
import io.shopgraph.plugin.walk.WalkInputs.UserHistory;
import io.shopgraph.plugin.walk.WalkProjections;
import io.shopgraph.plugin.walk.Walkable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.Transaction;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.logging.Log;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.recommend($userId, $k, $config)}: recommendations for a user, in three
 * stages.
 *
 * <ol>
 *   <li><b>Candidates</b>: Pixie random walks from the user's recent items
 *       ({@code shopgraph.candidates}); items bought together with the user's most recent items
 *       (the scoring of {@code shopgraph.bundle}); the most bought items of the categories of
 *       the user's recent items. An unknown user, or one without history, gets the most
 *       bought items overall (reason "popular"): the cold-start fallback. The walks need no
 *       transaction, so they run on a worker thread ({@link ParallelStage}) beside the other
 *       two stages, and split their query items with a second worker when one is free.</li>
 *   <li><b>Ranking</b>: with an active embedding model (see {@link ActiveModel}) and
 *       {@code useModel}, by the dot product of the user's and the item's embeddings (item
 *       embeddings held in memory per version, {@link ItemEmbeddings}); the walks then only
 *       bring candidates and take {@code modelSteps} (5,000) instead of {@code steps} (10,000):
 *       see {@link RecommendConfig}. Without a model, or for a user without an embedding, by
 *       the stages' normalised scores blended with their weights ({@link Ranker}).</li>
 *   <li><b>Re-ranking</b>: items the user bought are dropped, as are items out of stock
 *       ({@code inStockOnly}); at most {@code maxPerBrand} items per brand and
 *       {@code maxPerCategory} per category are kept, greedily in rank order.</li>
 * </ol>
 *
 * <p>Then the cold start ({@link NewItems}): new items of the brands and categories of the
 * user's recent items take up to {@code newItems} (1) of the last places. Items the user
 * rejected are never returned; items very similar to one of them come after every other
 * ({@link Rejections}); hidden items are never returned.
 *
 * <p>Every row carries a reason: "walk", "bought with ITEM", "popular in CATEGORY", "popular",
 * "new: same brand and category" or "new in CATEGORY". Needs {@code shopgraph.bundle.refresh()}
 * to have run (the masses rank the co-purchase and popular stages).
 *
 * <p>Through an online experiment ({@code {experiment: 'name'}}, see {@link ExperimentHook})
 * the variant's config or pinned model version answers, or its baseline's ranking replaces the
 * stages (the filters, diversity, demotions and new items' places above apply to it too), and
 * the rows carry the logged request's id and the variant.
 */
public final class RecommendProcedure {

    private static final Label USER = Label.label("User");
    private static final Label ITEM = Label.label("Item");
    private static final RelationshipType HAS_BRAND = RelationshipType.withName("HAS_BRAND");

    @Context
    public Transaction tx;

    @Context
    public KernelTransaction ktx;

    @Context
    public GraphDatabaseService db;

    @Context
    public Log log;

    @Procedure(name = "shopgraph.recommend", mode = Mode.READ)
    @Description("Recommendations for a user: candidates from random walks, co-purchases of the"
            + " user's recent items and popular items of the user's categories; ranked by the active"
            + " embedding model when there is one, else by the stages' blended scores; re-ranked to"
            + " drop what the user bought and keep brands and categories diverse. An unknown user gets"
            + " popular items (reason 'popular'). Yields itemId, score, rank, reason, requestId, variant"
            + " (the last two null outside an experiment). Config keys (all"
            + " optional): walkCandidates (200), bundleCandidates (200), popularCandidates (100),"
            + " walkWeight (1.0), bundleWeight (1.0), popularWeight (0.25), useModel (true), cartItems"
            + " (10), maxPerBrand (3; null: no limit), maxPerCategory (4; null: no limit), inStockOnly"
            + " (true), steps (10000: the walks' steps when the blended scores rank), modelSteps (5000:"
            + " their steps when the model ranks), seed (42), newItems (1: how many of the last places new"
            + " items of the user's brands and categories may take); experiment (a running experiment's"
            + " name: its variant for the user answers and the call is logged), at (the request's time, with"
            + " experiment; default now). Items the user rejected never come back, items very similar to"
            + " them come last, hidden items never.")
    public Stream<ServedItem> recommend(
            @Name(value = "userId", description = "The user's id; an unknown user gets popular items.")
            String userId,
            @Name(value = "k", defaultValue = "10", description = "How many items, 1 to 1000.")
            long k,
            @Name(value = "config", defaultValue = "{}",
                    description = "Stage sizes and weights, diversity, model use; see the description.")
            Map<String, Object> config) {
        int limit = Arguments.k(k);
        String user = Arguments.id("userId", userId);
        Served served = ExperimentHook.enter(db, tx, Surface.RECOMMEND, user, List.of(), config);
        RecommendConfig settings = RecommendConfig.parse(served.config());
        Served.Baseline baseline = served.baseline();
        // Whether the model ranks is known first: the walks then take modelSteps.
        Optional<ActiveModel> model = settings.useModel() && baseline == null
                ? ActiveModel.forCall(tx, served.modelVersion()) : Optional.empty();
        double[] userVector = model.map(m -> m.embedding(tx.findNode(USER, "userId", user))).orElse(null);
        PopularItems popular = PopularItems.of(tx, WalkProjections.identity(db));
        int steps = userVector != null ? settings.modelSteps() : settings.steps();
        WalkConfig walk = WalkConfig.parse(Map.of("steps", (long) steps, "seed",
                settings.seed(), "inStockOnly", settings.inStockOnly()), WalkConfig.Use.CANDIDATES);
        Optional<UserHistory> history = WalkInputs.userHistory(tx, user, walk);
        List<QueryItem> queries = history.map(h -> UserQuery.select(h.interactions(), walk)).orElse(List.of());
        Set<String> bought = history.map(UserHistory::bought).orElse(Set.of());
        Rejections rejections = Rejections.of(tx, WalkProjections.identity(db), user);
        // Never shown again: what the user bought, and what they rejected.
        Set<String> never = new HashSet<>(bought);
        never.addAll(rejections.rejected());
        Set<String> queryIds = new HashSet<>();
        queries.forEach(q -> queryIds.add(q.itemId()));
        Map<String, Node> items = new HashMap<>();
        Predicate<String> keep = id -> !never.contains(id) && !queryIds.contains(id)
                && available(item(items, id), settings);
        List<Candidate> candidates = new ArrayList<>();
        if (baseline != null) {
            baseline.ranked().filter(c -> keep.test(c.itemId())).limit(settings.popularCandidates() + limit)
                    .forEach(candidates::add);
        } else if (queries.isEmpty()) {
            for (Popular p : PopularItems.firstOf(popular.overall(), settings.popularCandidates() + limit, never)) {
                candidates.add(new Candidate(p.itemId(), Source.POPULAR, p.mass(), "popular"));
            }
        } else {
            Set<String> excluded = new HashSet<>(never);
            queries.forEach(q -> excluded.add(q.itemId()));
            // The walks read only the in-memory projection: they run beside the stages that
            // read this transaction. Candidates keep the stage order (ties in Ranker).
            Supplier<List<Candidate>> walks = walkStage(queries, never, walk, settings);
            List<Candidate> others = new ArrayList<>();
            bundleStage(queries, excluded, settings, others);
            popularStage(queries, excluded, popular, settings, others);
            candidates.addAll(walks.get());
            candidates.addAll(others);
        }
        ItemEmbeddings vectors = userVector == null ? null
                : ItemEmbeddings.of(tx, WalkProjections.identity(db), model.get());
        Map<Source, Double> weights = new EnumMap<>(Source.class);
        weights.put(Source.WALK, settings.walkWeight());
        weights.put(Source.BUNDLE, settings.bundleWeight());
        weights.put(Source.POPULAR, queries.isEmpty() || baseline != null ? 1.0 : settings.popularWeight());
        List<Ranked> ranked = Ranker.rank(candidates, weights,
                id -> vectors == null ? null : vectors.score(userVector, id));
        List<Ranked> chosen = Ranker.diversify(ranked, limit, keep, rejections::demoted,
                id -> brands(item(items, id)), id -> PopularItems.categories(item(items, id)),
                settings.maxPerBrand(), settings.maxPerCategory());
        chosen = newItemsStage(queries, chosen, keep, limit, settings);
        List<ServedItem> rows = new ArrayList<>(chosen.size());
        for (Ranked r : chosen) {
            rows.add(ServedItem.of(new RankedItem(r.itemId(), r.score(), rows.size() + 1, r.reason()), served));
        }
        served.exposed(rows.stream().map(ServedItem::itemId).toList());
        return rows.stream();
    }

    /**
     * The cold start: new items (no interactions yet) of the brands and categories of the user's
     * recent items, query item by query item, take up to {@code newItems} of the last places
     * ({@link NewItems}).
     */
    private List<Ranked> newItemsStage(List<QueryItem> queries, List<Ranked> chosen, Predicate<String> keep,
                                       int limit, RecommendConfig settings) {
        int slots = NewItems.slots(settings.newItems(), limit);
        NewItems fresh = slots == 0 || queries.isEmpty() ? null : NewItems.of(db, log);
        if (fresh == null) {
            return chosen;
        }
        Set<String> shown = new HashSet<>();
        chosen.forEach(r -> shown.add(r.itemId()));
        List<NewItems.Found> found = new ArrayList<>();
        for (QueryItem query : queries) {
            if (found.size() == slots) {
                break;
            }
            Node item = tx.findNode(ITEM, "itemId", query.itemId());
            if (item != null) {
                for (NewItems.Found f : fresh.near(item, slots - found.size(),
                        id -> !shown.contains(id) && keep.test(id))) {
                    shown.add(f.itemId());
                    found.add(f);
                }
            }
        }
        return NewItems.slot(chosen, found, limit);
    }

    /** Starts the walk stage on a {@link ParallelStage}; the supplier waits for its candidates. */
    private Supplier<List<Candidate>> walkStage(List<QueryItem> queries, Set<String> bought,
                                                WalkConfig walk, RecommendConfig settings) {
        if (settings.walkCandidates() == 0) {
            return List::of;
        }
        Walkable graph = WalkProjections.current(db, walk.ttlSeconds(), log);
        return ParallelStage.start(() -> {
            PixieWalker.Result result = new PixieWalker(graph).walk(queries, bought, walk, ParallelStage::fork);
            return result.top(settings.walkCandidates());
        });
    }

    private void bundleStage(List<QueryItem> queries, Set<String> excluded, RecommendConfig settings,
                             List<Candidate> out) {
        if (settings.bundleCandidates() == 0) {
            return;
        }
        List<String> cart = queries.stream().limit(settings.cartItems()).map(QueryItem::itemId).toList();
        out.addAll(CoPurchases.forItems(db, tx, ktx, log, cart, settings.bundleCandidates(), excluded,
                settings.inStockOnly()));
    }

    private void popularStage(List<QueryItem> queries, Set<String> excluded, PopularItems popular,
                              RecommendConfig settings, List<Candidate> out) {
        if (settings.popularCandidates() == 0) {
            return;
        }
        Set<String> codes = new LinkedHashSet<>();
        for (QueryItem q : queries) {
            Node item = tx.findNode(ITEM, "itemId", q.itemId());
            if (item != null) {
                codes.addAll(PopularItems.categories(item));
            }
        }
        Set<String> taken = new HashSet<>(excluded);
        int perCategory = Math.max(1, settings.popularCandidates() / Math.max(1, codes.size()));
        for (String code : codes) {
            for (Popular p : PopularItems.firstOf(popular.inCategory(code), perCategory, taken)) {
                taken.add(p.itemId());
                out.add(new Candidate(p.itemId(), Source.POPULAR, p.mass(), "popular in " + code));
            }
        }
    }

    private Node item(Map<String, Node> cache, String id) {
        return cache.computeIfAbsent(id, key -> tx.findNode(ITEM, "itemId", key));
    }

    private static boolean available(Node item, RecommendConfig settings) {
        return Catalog.servable(item, settings.inStockOnly());
    }

    private static Set<String> brands(Node item) {
        Set<String> names = new HashSet<>();
        if (item != null) {
            for (Relationship r : item.getRelationships(Direction.OUTGOING, HAS_BRAND)) {
                if (r.getEndNode().getProperty("name", null) instanceof String name) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
