package io.shopgraph.plugin.experiment;

import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.common.Served;
import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.recommend.PopularItems;
import io.shopgraph.plugin.walk.WalkProjections;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Transaction;

/**
 * The plain baseline {@code popularity}: the most bought items overall (the masses of the last
 * {@code shopgraph.bundle.refresh()}, as {@link PopularItems} ranks them), reason
 * {@code "popular"}, score the item's mass; the cart (bundle) or the item (similar) asked about
 * left out. The procedure applies its own rules to this ranking as to its own (hidden items,
 * the user's purchases and rejections, demotions, stock and the other filters of the call, new
 * items' places; see {@link Served.Baseline}).
 */
final class PopularityBaseline implements Served.Baseline {

    private static final Label ITEM = Label.label("Item");

    private final GraphDatabaseService db;
    private final Transaction tx;
    private final List<String> query;

    PopularityBaseline(GraphDatabaseService db, Transaction tx, List<String> query) {
        this.db = db;
        this.tx = tx;
        this.query = query;
    }

    /**
     * @throws ShopgraphException of code {@code UNKNOWN_ID} naming the items asked about that are
     *     not in the graph
     */
    @Override
    public Stream<Candidate> ranked() {
        List<String> unknown = query.stream().filter(id -> tx.findNode(ITEM, "itemId", id) == null).toList();
        if (!unknown.isEmpty()) {
            throw ShopgraphException.unknownIds("item", unknown);
        }
        Set<String> skip = Set.copyOf(query);
        return PopularItems.of(tx, WalkProjections.identity(db)).overall().stream()
                .filter(p -> !skip.contains(p.itemId()))
                .map(p -> new Candidate(p.itemId(), Candidate.Source.POPULAR, p.mass(), "popular"));
    }
}
