package io.shopgraph.plugin.experiment;

import io.shopgraph.plugin.common.Candidate;
import io.shopgraph.plugin.common.Served;
import io.shopgraph.plugin.common.Served.Surface;
import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.recommend.PopularItems;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.Transaction;

/**
 * The plain baseline {@code popularity}: the most bought items overall (the masses of the last
 * {@code shopgraph.bundle.refresh()}, as {@link PopularItems} ranks them), reason
 * {@code "popular"}, score the item's mass. Left out: the cart (bundle) or the item (similar)
 * asked about, what the user bought (bundle and recommend: orders of kind 'order'), and items
 * out of stock unless the call's {@code inStockOnly} is false. No other filter of the
 * procedures applies.
 */
final class PopularityBaseline implements Served.Baseline {

    private static final Label ITEM = Label.label("Item");
    private static final Label USER = Label.label("User");
    private static final RelationshipType PLACED = RelationshipType.withName("PLACED");
    private static final RelationshipType CONTAINS = RelationshipType.withName("CONTAINS");

    private final GraphDatabaseService db;
    private final Transaction tx;
    private final Surface surface;
    private final String user;
    private final List<String> query;

    PopularityBaseline(GraphDatabaseService db, Transaction tx, Surface surface, String user, List<String> query) {
        this.db = db;
        this.tx = tx;
        this.surface = surface;
        this.user = user;
        this.query = query;
    }

    @Override
    public List<Candidate> top(int k, boolean inStockOnly) {
        List<String> unknown = query.stream().filter(id -> tx.findNode(ITEM, "itemId", id) == null).toList();
        if (!unknown.isEmpty()) {
            throw ShopgraphException.unknownIds("item", unknown);
        }
        Set<String> skip = new HashSet<>(query);
        if (surface != Surface.SIMILAR) {
            skip.addAll(bought(tx, user));
        }
        List<Candidate> top = new ArrayList<>();
        for (PopularItems.Popular p : PopularItems.of(tx, db.databaseName()).overall()) {
            if (top.size() == k) {
                break;
            }
            if (skip.contains(p.itemId())) {
                continue;
            }
            Node item = tx.findNode(ITEM, "itemId", p.itemId());
            if (item == null || (inStockOnly && Boolean.FALSE.equals(item.getProperty("inStock", null)))) {
                continue;
            }
            top.add(new Candidate(p.itemId(), Candidate.Source.POPULAR, p.mass(), "popular"));
        }
        return top;
    }

    /** The items of the user's orders of kind 'order' (none for an unknown user). */
    private static Set<String> bought(Transaction tx, String userId) {
        Set<String> items = new HashSet<>();
        Node user = tx.findNode(USER, "userId", userId);
        if (user == null) {
            return items;
        }
        for (Relationship placed : user.getRelationships(Direction.OUTGOING, PLACED)) {
            Node order = placed.getEndNode();
            if (!"order".equals(order.getProperty("kind", null))) {
                continue;
            }
            for (Relationship line : order.getRelationships(Direction.OUTGOING, CONTAINS)) {
                if (line.getEndNode().getProperty("itemId", null) instanceof String id) {
                    items.add(id);
                }
            }
        }
        return items;
    }
}
