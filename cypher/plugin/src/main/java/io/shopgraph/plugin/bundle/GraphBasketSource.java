package io.shopgraph.plugin.bundle;

import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.Transaction;

/**
 * The baskets of the graph ({@link GraphModel}) read with the core API in the caller's
 * transaction, nothing cached: item and user handles are node ids, used only as join keys
 * within this transaction. Masses are {@code Item.bundleMass} ({@code NaN} when absent).
 */
@SuppressWarnings("removal") // Entity.getId() and Transaction.getNodeById(): join keys within one transaction.
final class GraphBasketSource implements BasketSource {

    private final Transaction tx;
    private final GraphBasket basket = new GraphBasket();

    GraphBasketSource(Transaction tx) {
        this.tx = tx;
    }

    /** The handle of an item node. */
    static long handle(Node item) {
        return item.getId();
    }

    @Override
    public void forEachBasket(long item, Source source, BasketVisitor visitor) {
        Node node = tx.getNodeById(item);
        RelationshipType type = GraphModel.itemType(source);
        try (ResourceIterable<Relationship> baskets = node.getRelationships(Direction.INCOMING, type)) {
            for (Relationship holds : baskets) {
                Node b = holds.getStartNode();
                if (source == Source.ORDER && !GraphModel.isOrder(b)) {
                    continue;
                }
                basket.reset(b, source, type);
                visitor.visit(basket, GraphModel.weight(holds));
            }
        }
    }

    @Override
    public double mass(long item) {
        Object mass = tx.getNodeById(item).getProperty(GraphModel.MASS, null);
        return mass instanceof Number number ? number.doubleValue() : Double.NaN;
    }

    @Override
    public String itemId(long item) {
        return String.valueOf(tx.getNodeById(item).getProperty(GraphModel.ITEM_ID, null));
    }

    /** One basket node, reused from basket to basket. */
    private static final class GraphBasket implements Basket {
        private Node node;
        private Source source;
        private RelationshipType type;

        void reset(Node basket, Source basketSource, RelationshipType itemType) {
            node = basket;
            source = basketSource;
            type = itemType;
        }

        @Override
        public int size() {
            return node.getDegree(type, Direction.OUTGOING);
        }

        @Override
        public long timeMillis() {
            return GraphModel.epochMillis(GraphModel.time(node, source));
        }

        @Override
        public long user() {
            Node user = GraphModel.user(node, GraphModel.userType(source));
            return user == null ? NO_USER : user.getId();
        }

        @Override
        public void forEachItem(ItemVisitor visitor) {
            try (ResourceIterable<Relationship> items = node.getRelationships(Direction.OUTGOING, type)) {
                for (Relationship holds : items) {
                    visitor.visit(holds.getEndNode().getId(), GraphModel.weight(holds));
                }
            }
        }
    }
}
