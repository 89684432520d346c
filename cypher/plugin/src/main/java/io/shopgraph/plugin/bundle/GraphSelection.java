package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.bundle.BundleConfig.BundleOptions;
import io.shopgraph.plugin.common.Catalog;
import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.model.Rejections;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.Transaction;

/**
 * The filters of {@code shopgraph.bundle} as a {@link Selection} over the graph. Filters are
 * read for ranked items only, in rank order, until {@code k} pass:
 *
 * <ul>
 *   <li>{@code user}: leaves out the items of the user's orders of kind 'order' (an unknown user
 *       has bought nothing) and the items the user rejected, and demotes those very similar to
 *       them ({@link Rejections});</li>
 *   <li>{@code categories}: keeps items {@code IN_CATEGORY} of one of the codes or a descendant
 *       ({@code CHILD_OF*}); an unknown code is an error;</li>
 *   <li>hidden items ({@code hidden = true}) are never returned;</li>
 *   <li>{@code inStockOnly}: leaves out items with {@code inStock = false} (absent is in stock);</li>
 *   <li>{@code maxPrice}: leaves out items with a {@code price} above it or without one;</li>
 *   <li>{@code maxPerBrand}: brands are the {@code HAS_BRAND} nodes.</li>
 * </ul>
 */
@SuppressWarnings("removal") // Entity.getId() and Transaction.getNodeById(): join keys within one transaction.
final class GraphSelection {

    private GraphSelection() {}

    /**
     * @param database the database's key (its UUID), for the active model's embeddings
     * @throws ShopgraphException of code {@code UNKNOWN_ID} naming the unknown category codes
     */
    static Selection of(Transaction tx, BundleOptions options, String database) {
        Set<Long> bought = options.user() == null ? Set.of() : bought(tx, options.user());
        Rejections rejections = Rejections.of(tx, database, options.user());
        Set<String> codes = options.categories() == null ? null : knownCategories(tx, options.categories());
        Map<Long, Boolean> inCategories = new HashMap<>();
        return new Selection(item -> {
            if (bought.contains(item)) {
                return false;
            }
            Node node = tx.getNodeById(item);
            if (!Catalog.servable(node, options.inStockOnly())
                    || !rejections.isEmpty() && rejections.rejected(String.valueOf(node.getProperty("itemId", "")))) {
                return false;
            }
            if (options.maxPrice() != BundleOptions.NO_MAX_PRICE
                    && !(node.getProperty("price", null) instanceof Number price
                            && price.doubleValue() <= options.maxPrice())) {
                return false;
            }
            return codes == null || inCategories(node, codes, inCategories);
        }, options.maxPerBrand(), item -> brands(tx.getNodeById(item)),
                item -> !rejections.isEmpty()
                        && rejections.demoted(String.valueOf(tx.getNodeById(item).getProperty("itemId", ""))));
    }

    private static Set<Long> bought(Transaction tx, String userId) {
        Node user = tx.findNode(GraphModel.USER, GraphModel.USER_ID, userId);
        if (user == null) {
            return Set.of();
        }
        Set<Long> items = new HashSet<>();
        try (ResourceIterable<Relationship> placed = user.getRelationships(Direction.OUTGOING, GraphModel.PLACED)) {
            for (Relationship p : placed) {
                Node order = p.getEndNode();
                if (!GraphModel.isOrder(order)) {
                    continue;
                }
                try (ResourceIterable<Relationship> lines =
                        order.getRelationships(Direction.OUTGOING, GraphModel.CONTAINS)) {
                    for (Relationship line : lines) {
                        items.add(line.getEndNode().getId());
                    }
                }
            }
        }
        return items;
    }

    private static Set<String> knownCategories(Transaction tx, List<String> codes) {
        List<String> unknown = new ArrayList<>();
        for (String code : codes) {
            if (tx.findNode(GraphModel.CATEGORY, "code", code) == null) {
                unknown.add(code);
            }
        }
        if (!unknown.isEmpty()) {
            throw ShopgraphException.unknownIds("category", unknown);
        }
        return Set.copyOf(codes);
    }

    /** Whether one of the item's categories, or an ancestor, has one of the codes. */
    private static boolean inCategories(Node item, Set<String> codes, Map<Long, Boolean> known) {
        try (ResourceIterable<Relationship> in = item.getRelationships(Direction.OUTGOING, GraphModel.IN_CATEGORY)) {
            for (Relationship rel : in) {
                if (underCodes(rel.getEndNode(), codes, known)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean underCodes(Node category, Set<String> codes, Map<Long, Boolean> known) {
        Boolean cached = known.get(category.getId());
        if (cached != null) {
            return cached;
        }
        boolean found = false;
        Set<Long> seen = new HashSet<>();
        Deque<Node> todo = new ArrayDeque<>(List.of(category));
        while (!todo.isEmpty() && !found) {
            Node next = todo.pop();
            if (!seen.add(next.getId())) {
                continue;
            }
            found = codes.contains(String.valueOf(next.getProperty("code", null)));
            try (ResourceIterable<Relationship> up = next.getRelationships(Direction.OUTGOING, GraphModel.CHILD_OF)) {
                for (Relationship rel : up) {
                    todo.push(rel.getEndNode());
                }
            }
        }
        known.put(category.getId(), found);
        return found;
    }

    private static long[] brands(Node item) {
        try (ResourceIterable<Relationship> rels = item.getRelationships(Direction.OUTGOING, GraphModel.HAS_BRAND)) {
            return rels.stream().mapToLong(rel -> rel.getEndNode().getId()).distinct().toArray();
        }
    }
}
