package io.shopgraph.plugin.model;

import io.shopgraph.plugin.common.Catalog;
import io.shopgraph.plugin.common.RankedItem;
import io.shopgraph.plugin.common.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Result;
import org.neo4j.graphdb.Transaction;

/**
 * Items similar to one item by the active embedding model: the item's nearest neighbours in
 * the vector index of the active slot ({@link ActiveModel}), scored by the exact cosine of the
 * stored embeddings, reason {@code "model"}. The active version and the embeddings are read in
 * the caller's transaction, so one call sees one model.
 */
public final class NearestItems {

    private static final Label ITEM = Label.label("Item");

    /** The index name comes from {@link ActiveModel} (one of two constants), never from input. */
    private static final String NEAREST = "CALL db.index.vector.queryNodes($index, $k, $vector)"
            + " YIELD node, score RETURN node, score";

    /** Most neighbours asked of the vector index in one call (k, the item itself, skips). */
    private static final int MAX_NEIGHBOURS = 10_000;

    private NearestItems() {}

    /**
     * The {@code k} items nearest to {@code itemId}, best first, ranked 1, 2, ...; empty when
     * no model is active (or pinned) or the item has no embedding in its slot.
     *
     * @param tx the caller's transaction
     * @param pinned the model version an experiment pins ({@link ActiveModel#forCall}), or null
     *     for the active one
     * @param itemId the item
     * @param k how many at most
     * @param inStockOnly leave out items whose {@code inStock} is false (hidden items always are)
     * @param keep whether an item may be returned (a user's rejections leave some out)
     */
    public static Optional<List<RankedItem>> of(Transaction tx, String pinned, String itemId, int k,
                                                boolean inStockOnly, Predicate<String> keep) {
        Optional<ActiveModel> model = ActiveModel.forCall(tx, pinned);
        Node item = model.isPresent() ? tx.findNode(ITEM, "itemId", itemId) : null;
        double[] vector = item == null ? null : model.get().embedding(item);
        if (vector == null) {
            return Optional.empty();
        }
        return Optional.of(nearest(tx, model.get(), itemId, vector, k, inStockOnly, keep));
    }

    /**
     * The item's nearest neighbours in the vector index of the model's slot, re-ranked by the exact
     * cosine of the stored embeddings (the index quantises vectors, so its own scores and order
     * are approximate). The index returns the item itself, and maybe items out of stock, among
     * the nearest, so it is asked for twice {@code k} and more, until {@code k} are left or it
     * has no more.
     */
    private static List<RankedItem> nearest(Transaction tx, ActiveModel model, String itemId,
                                            double[] vector, int k, boolean inStockOnly, Predicate<String> keep) {
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
                            || !Catalog.servable(node, inStockOnly) || !keep.test((String) id);
                    if (!skip) {
                        found.add(new RankedItem((String) id, cosine, 0, Reason.MODEL.label()));
                    }
                }
            }
            if (found.size() >= k || returned < ask || ask == MAX_NEIGHBOURS) {
                found.sort(Comparator.comparingDouble(RankedItem::score).reversed()
                        .thenComparing(RankedItem::itemId));
                List<RankedItem> rows = new ArrayList<>(Math.min(k, found.size()));
                for (RankedItem near : found.subList(0, Math.min(k, found.size()))) {
                    rows.add(new RankedItem(near.itemId(), near.score(), rows.size() + 1, near.reason()));
                }
                return rows;
            }
            ask = Math.min(ask * 4, MAX_NEIGHBOURS);
        }
    }
}
