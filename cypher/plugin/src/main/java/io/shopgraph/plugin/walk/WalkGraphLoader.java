package io.shopgraph.plugin.walk;

import io.shopgraph.plugin.common.LongIntMap;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;

/**
 * Reads the walk projection ({@link WalkGraph}) from the database in one read transaction.
 *
 * <p>Projected: every {@code Item}, {@code Session}, {@code User}, {@code Brand} and
 * {@code Category} with a string business key, every {@code Order} of {@code kind = 'order'}
 * (cancellations and adjustments are not purchases and are not walked), and the
 * relationships of {@link EdgeKind} between them. A relationship's {@code weight} property
 * is its walk weight (1.0 when it has none or it is not a number); relationships of weight 0
 * or less are left out.
 *
 * <p>Neo4j internal node ids join relationships to nodes inside this one read; the projection
 * itself is laid out by business keys only. The load also gives, beside it, the node index of
 * each projected node by its internal id ({@link Loaded#nodeIndex}), with which a
 * {@link LiveWalkGraph} applies later changes.
 */
final class WalkGraphLoader {

    private WalkGraphLoader() {}

    /**
     * A loaded projection.
     *
     * @param graph the projection
     * @param nodeIndex the node index of each projected node, by internal node id (-1: not
     *     projected); as long as the largest id read
     */
    record Loaded(WalkGraph graph, int[] nodeIndex) {}

    @SuppressWarnings("removal") // Entity.getId(): only as a join key within this transaction.
    static Loaded load(Transaction tx) {
        WalkGraph.Builder builder = WalkGraph.builder();
        LongIntMap[] handles = new LongIntMap[NodeKind.values().length];
        long[][] ids = new long[NodeKind.values().length][];
        long maxId = -1;
        for (NodeKind kind : NodeKind.values()) {
            LongIntMap ofKind = new LongIntMap(1024);
            long[] idsOfKind = new long[1024];
            int count = 0;
            try (ResourceIterator<Node> nodes = tx.findNodes(Label.label(kind.label()))) {
                while (nodes.hasNext()) {
                    Node node = nodes.next();
                    if (node.getProperty(kind.keyProperty(), null) instanceof String key
                            && (kind != NodeKind.ORDER
                                    || "order".equals(node.getProperty("kind", null)))) {
                        int handle = builder.node(kind, key);
                        ofKind.put(node.getId(), handle);
                        if (handle == idsOfKind.length) {
                            idsOfKind = java.util.Arrays.copyOf(idsOfKind, handle * 2);
                        }
                        idsOfKind[handle] = node.getId();
                        count = handle + 1;
                        maxId = Math.max(maxId, node.getId());
                    }
                }
            }
            handles[kind.ordinal()] = ofKind;
            ids[kind.ordinal()] = java.util.Arrays.copyOf(idsOfKind, count);
        }
        for (EdgeKind kind : EdgeKind.values()) {
            LongIntMap from = handles[kind.from().ordinal()];
            LongIntMap to = handles[kind.to().ordinal()];
            try (ResourceIterator<Relationship> relationships =
                         tx.findRelationships(RelationshipType.withName(kind.name()))) {
                while (relationships.hasNext()) {
                    Relationship relationship = relationships.next();
                    int start = from.get(relationship.getStartNode().getId());
                    int end = to.get(relationship.getEndNode().getId());
                    if (start >= 0 && end >= 0) {
                        double weight = relationship.getProperty("weight", null) instanceof Number n
                                ? n.doubleValue() : 1.0;
                        builder.edge(kind, start, end, weight);
                    }
                }
            }
        }
        WalkGraph graph = builder.build();
        int[] nodeIndex = new int[(int) Math.min(Integer.MAX_VALUE - 8, maxId + 1)];
        java.util.Arrays.fill(nodeIndex, -1);
        for (NodeKind kind : NodeKind.values()) {
            long[] idsOfKind = ids[kind.ordinal()];
            for (int handle = 0; handle < idsOfKind.length; handle++) {
                nodeIndex[(int) idsOfKind[handle]] = builder.nodeIndex(kind, handle);
            }
        }
        return new Loaded(graph, nodeIndex);
    }
}
