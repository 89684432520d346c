package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.Arguments;
import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.common.ExperimentHook;
import io.shopgraph.plugin.common.Served;
import io.shopgraph.plugin.common.Served.Surface;
import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.live.changes.ChangeFeeds;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.logging.Log;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.bundle($cart, $k, $config)}: frequently bought together for a cart; a thin
 * adapter that validates, looks the cart up by index and runs {@link BundleScorer} with the
 * statistics of the last {@code shopgraph.bundle.refresh}, over the database's
 * {@link PairIndex} when {@link PairIndexes} says it holds what the graph holds, else over
 * {@link GraphBasketSource} (the same results either way). {@code cypher/bundle.cypher} computes
 * the same ranking in Cypher. It reads with the kernel's
 * cursors ({@link KernelTransaction}, a component outside the procedure sandbox), so where
 * procedures are sandboxed the server must allow
 * {@code dbms.security.procedures.unrestricted=shopgraph.*}, as the launcher and docker-compose
 * do.
 *
 * <p>Through an online experiment ({@code {experiment: 'name', user: 'u1'}}, see
 * {@link ExperimentHook}) the variant's config or baseline answers, and the rows carry the
 * logged request's id and the variant.
 */
public final class BundleProcedure {

    @Context
    public Transaction tx;

    @Context
    public KernelTransaction ktx;

    @Context
    public GraphDatabaseService db;

    @Context
    public Log log;

    /**
     * One recommended item: the shared {@code itemId, score, rank, reason} columns, then the
     * numbers of {@link ScoredItem}.
     *
     * @param itemId the item's id
     * @param score the co-purchase score (higher is better)
     * @param rank 1, 2, ... in order
     * @param reason "bought together", "added to cart together" or "viewed together": the
     *     source with the largest share of the score
     * @param support {@code sum over cart items i of n(i, j)}
     * @param confidence {@code support / sum of n(i)} over the cart
     * @param lift {@code confidence / (n(j) / N)}
     * @param because the cart items that contributed, strongest first
     * @param requestId the logged request's id, the same on every row of a call; null outside an
     *     experiment
     * @param variant the experiment's variant that answered; null outside an experiment
     */
    public record BundleRow(String itemId, double score, long rank, String reason, double support,
                            double confidence, double lift, List<String> because, String requestId,
                            String variant) {}

    @Procedure(name = "shopgraph.bundle", mode = Mode.READ)
    @Description("Frequently bought together for a cart: the co-purchase score of evaluation/bundles.py"
            + " (asymmetric cosine with basket-size, recency and line-adjacency weights and per-user"
            + " caps) over the paths cart item -> order or session -> other item, with the masses of"
            + " the last shopgraph.bundle.refresh(); the paths' sums are read from the refresh's"
            + " in-memory pair index while nothing was committed since it was built, else traversed."
            + " Yields itemId, score, rank, reason, support, confidence, lift, because, requestId, variant"
            + " (the last two null outside an experiment). Config keys"
            + " (all optional): alpha (0.5), beta (0.6), smoothing (10.0), sizeExponent (0.5),"
            + " maxBasketSize (null: no limit), adjacencyBonus (2.0: items on neighbouring lines of an"
            + " order, by CONTAINS.position, weigh 1 + 2 times; 0: off); filters user (leave out what"
            + " this user bought), maxPerBrand, categories (codes, descendants included), inStockOnly"
            + " (true), maxPrice; orderWeight, cartWeight, viewWeight, halfLifeDays, userCap may be"
            + " given only with the values of the last refresh; experiment (a running experiment's"
            + " name: the variant of the user (the key user, required with it) answers and the call is"
            + " logged; a popularity baseline's rows have support, confidence and lift 0), at (the"
            + " request's time, with experiment; default now).")
    public Stream<BundleRow> bundle(
            @Name(value = "cart", description = "The cart: 1 to 50 item ids (repeats count once).")
            List<String> cart,
            @Name(value = "k", defaultValue = "10", description = "How many items, 1 to 1000.")
            long k,
            @Name(value = "config", defaultValue = "{}",
                    description = "Score knobs and filters; see the procedure description for the keys.")
            Map<String, Object> config) {
        int limit = Arguments.k(k);
        List<String> items = Arguments.items("cart", "cart", cart);
        Served served = ExperimentHook.enter(db, tx, Surface.BUNDLE, null, items, config);
        BundleConfig parsed = BundleConfig.parse(served.config());
        long[] handles = lookUp(items);
        if (served.baseline() != null) {
            return logged(served, baselineRows(served, limit,
                    GraphSelection.of(tx, parsed.options(), ChangeFeeds.identity(db))));
        }
        BundleStats stats = StatsStore.read(tx).orElseThrow(StatsStore::missing);
        Optional<IndexVersion> latest = PairIndexes.latest(db, stats, log);
        Optional<IndexVersion> index = PairIndexes.forCall(latest, ktx, parsed.scoring());
        parsed.requireSameMass(stats.mass());
        Selection selection = GraphSelection.of(tx, parsed.options(), ChangeFeeds.identity(db));
        List<ScoredItem> top;
        try (GraphBasketSource baskets = new GraphBasketSource(ktx,
                latest.map(IndexVersion::weighted).orElse(stats.weightedSources()), parsed.scoring().adjacency())) {
            top = PairIndexes.scorer(index, latest, handles, baskets, stats, parsed.scoring())
                    .recommend(handles, limit, selection);
        }
        List<BundleRow> rows = new ArrayList<>(top.size());
        for (ScoredItem item : top) {
            rows.add(new BundleRow(item.itemId(), item.score(), rows.size() + 1, item.reason().reason(),
                    item.support(), item.confidence(), item.lift(), item.because(), served.requestId(),
                    served.variant()));
        }
        return logged(served, rows);
    }

    /**
     * The rows of an experiment's baseline: its ranking through the call's filters, as
     * {@link BundleScorer} applies them to its own ({@link Selection#choose}); support,
     * confidence and lift 0, no {@code because}.
     */
    private List<BundleRow> baselineRows(Served served, int limit, Selection selection) {
        List<Candidate> offered = new ArrayList<>();
        // Items removed from the graph since the last refresh are not offered.
        Iterator<Long> handles = served.baseline().ranked()
                .map(candidate -> {
                    Node item = tx.findNode(GraphModel.ITEM, GraphModel.ITEM_ID, candidate.itemId());
                    if (item == null) {
                        return null;
                    }
                    offered.add(candidate);
                    return GraphBasketSource.handle(item);
                })
                .filter(Objects::nonNull)
                .iterator();
        List<BundleRow> rows = new ArrayList<>();
        for (int position : selection.choose(handles, limit)) {
            Candidate c = offered.get(position);
            rows.add(new BundleRow(c.itemId(), c.score(), rows.size() + 1, c.reason(), 0, 0, 0, List.of(),
                    served.requestId(), served.variant()));
        }
        return rows;
    }

    /** Hands the answer to the experiment log (nothing outside an experiment) and streams it. */
    private static Stream<BundleRow> logged(Served served, List<BundleRow> rows) {
        served.exposed(rows.stream().map(BundleRow::itemId).toList());
        return rows.stream();
    }

    /** The cart's item handles, or an error naming every unknown id. */
    private long[] lookUp(List<String> cart) {
        List<String> unknown = new ArrayList<>();
        long[] handles = new long[cart.size()];
        for (int n = 0; n < cart.size(); n++) {
            String id = cart.get(n);
            Node item = tx.findNode(GraphModel.ITEM, GraphModel.ITEM_ID, id);
            if (item == null) {
                unknown.add(id);
            } else {
                handles[n] = GraphBasketSource.handle(item);
            }
        }
        if (!unknown.isEmpty()) {
            throw ShopgraphException.unknownIds("item", unknown);
        }
        return handles;
    }
}
