package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.common.Catalog;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.logging.Log;

/**
 * Co-purchase scores for other procedures ({@code shopgraph.recommend}): the scoring of
 * {@code shopgraph.bundle} with its default knobs, for a set of items taken as the cart (over the
 * pair index when it is usable, else by traversal, as {@code shopgraph.bundle} decides it: see
 * {@link PairIndexes}).
 */
@SuppressWarnings("removal") // Transaction.getNodeById(): handles are valid within this transaction.
public final class CoPurchases {

    private CoPurchases() {}

    /** The error of a call that needs the bundle statistics before any refresh. */
    public static ShopgraphException statsMissing() {
        return StatsStore.missing();
    }

    /**
     * A text that changes whenever {@code shopgraph.bundle.refresh()} recomputes the masses
     * (its {@code now}, basket mass, basket and item counts), for caches built on the masses.
     */
    public static Optional<String> statsSignature(Transaction tx) {
        return StatsStore.read(tx).map(s -> s.nowMillis() + "/" + s.basketMass() + "/" + s.baskets()
                + "/" + s.items() + "/" + s.mass());
    }

    /**
     * The items most often bought with {@code itemIds}, best first, as candidates of source
     * {@code BUNDLE} with the reason {@code "bought with ITEM"}, ITEM being the cart item that
     * contributed most.
     *
     * @param db the procedure's database
     * @param tx the procedure's transaction
     * @param ktx its kernel transaction
     * @param log where background builds of the pair index report
     * @param itemIds the items taken as the cart; ids not in the graph are skipped
     * @param k how many items at most
     * @param excluded item ids never returned (besides the cart)
     * @param inStockOnly leave out items with {@code inStock = false} (hidden items always are)
     * @return the candidates; empty when no cart item is in the graph
     * @throws ShopgraphException of code {@code CONFLICT} when {@code shopgraph.bundle.refresh()}
     *     has never run
     */
    public static List<Candidate> forItems(GraphDatabaseService db, Transaction tx, KernelTransaction ktx,
                                            Log log, List<String> itemIds, int k, Set<String> excluded,
                                            boolean inStockOnly) {
        BundleStats stats = StatsStore.read(tx).orElseThrow(StatsStore::missing);
        Optional<IndexVersion> latest = PairIndexes.latest(db, stats, log);
        Optional<IndexVersion> index = PairIndexes.forCall(latest, ktx, ScoringConfig.DEFAULTS);
        List<Long> cart = new ArrayList<>();
        for (String id : itemIds) {
            Node item = tx.findNode(GraphModel.ITEM, GraphModel.ITEM_ID, id);
            if (item != null) {
                cart.add(GraphBasketSource.handle(item));
            }
        }
        if (cart.isEmpty()) {
            return List.of();
        }
        Set<Long> skip = new HashSet<>();
        for (String id : excluded) {
            Node item = tx.findNode(GraphModel.ITEM, GraphModel.ITEM_ID, id);
            if (item != null) {
                skip.add(GraphBasketSource.handle(item));
            }
        }
        Selection selection = new Selection(item -> !skip.contains(item)
                && Catalog.servable(tx.getNodeById(item), inStockOnly),
                Selection.NO_LIMIT, item -> new long[0]);
        long[] handles = cart.stream().mapToLong(Long::longValue).toArray();
        try (GraphBasketSource baskets = new GraphBasketSource(ktx,
                latest.map(IndexVersion::weighted).orElse(stats.weightedSources()),
                ScoringConfig.DEFAULTS.adjacency())) {
            List<ScoredItem> scored = PairIndexes.scorer(index, latest, handles, baskets, stats,
                    ScoringConfig.DEFAULTS).recommend(handles, k, selection);
            List<Candidate> candidates = new ArrayList<>(scored.size());
            for (ScoredItem item : scored) {
                String because = item.because().isEmpty() ? itemIds.get(0) : item.because().get(0);
                candidates.add(new Candidate(item.itemId(), Candidate.Source.BUNDLE, item.score(),
                        "bought with " + because));
            }
            return candidates;
        }
    }
}
