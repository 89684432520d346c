package io.shopgraph.plugin.walk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An immutable, compact in-memory projection of the shop graph for random walks (the role of
 * Pixie's in-memory graph; Eksombatchai et al., WWW 2018).
 *
 * <p><b>Layout.</b> Nodes of each {@link NodeKind} occupy one contiguous index range, kinds in
 * enum order, and within a kind nodes are sorted by business key: the layout depends only on
 * the graph's content, never on Neo4j internal ids, so the same graph always gives the same
 * projection (and the same walks for the same seed). Items come first, so an item's node index
 * is its item index. Only item ids are kept (sorted, for binary search); other nodes are
 * anonymous.
 *
 * <p>Adjacency is CSR with one <em>segment</em> per node and relationship kind touching it
 * (an item has six: {@code VIEWED}, {@code ADDED_TO_CART}, {@code REMOVED_FROM_CART},
 * {@code CONTAINS}, {@code HAS_BRAND}, {@code IN_CATEGORY}). Every relationship is stored in
 * both directions. Within a segment, neighbours are sorted by node index and carry the running
 * sum of relationship weights, so a step picks a segment with probability proportional to
 * type weight times segment weight (at most six segments) and then a neighbour by binary
 * search: O(log degree) per step, with type weights chosen per call.
 *
 * <p>Relationships whose weight is not finite and positive are not stored: a relationship of
 * weight 0 (fully distrusted) can never be traversed. Memory is about 8 bytes per stored
 * relationship direction plus 8 bytes per segment plus the item ids; see
 * {@link #estimatedBytes()}.
 */
public final class WalkGraph implements Walkable {

    private static final int KINDS = NodeKind.values().length;
    private static final int EDGE_KINDS = EdgeKind.values().length;

    /** Per node kind, the relationship kinds touching it, in {@link EdgeKind} order. */
    private static final EdgeKind[][] SEGMENT_EDGES = new EdgeKind[KINDS][];

    /** Per node kind, the ordinals of {@link #SEGMENT_EDGES}. */
    private static final int[][] SEGMENT_TYPES = new int[KINDS][];

    /** Per node kind and relationship kind, the segment position within the node, or -1. */
    private static final int[][] SEGMENT_OF = new int[KINDS][EDGE_KINDS];

    static {
        for (NodeKind kind : NodeKind.values()) {
            List<EdgeKind> touching = new ArrayList<>();
            Arrays.fill(SEGMENT_OF[kind.ordinal()], -1);
            for (EdgeKind edge : EdgeKind.values()) {
                if (edge.from() == kind || edge.to() == kind) {
                    SEGMENT_OF[kind.ordinal()][edge.ordinal()] = touching.size();
                    touching.add(edge);
                }
            }
            SEGMENT_EDGES[kind.ordinal()] = touching.toArray(EdgeKind[]::new);
            SEGMENT_TYPES[kind.ordinal()] = touching.stream().mapToInt(Enum::ordinal).toArray();
        }
    }

    private final int[] kindStart;
    private final int[] segmentBase;
    private final String[] itemIds;
    /** Per segment: its first edge index (high 32 bits) and its total weight (low 32, float). */
    private final long[] segments;
    /**
     * Per relationship direction: the neighbour (high 32 bits) and the running weight within
     * its segment (low 32 bits, a float), side by side so that a step reads one cache line.
     */
    private final long[] edges;
    private final long relationships;
    private final int maxItemDegree;

    private WalkGraph(int[] kindStart, int[] segmentBase, String[] itemIds, long[] segments,
                      long[] edges, long relationships) {
        this.kindStart = kindStart;
        this.segmentBase = segmentBase;
        this.itemIds = itemIds;
        this.segments = segments;
        this.edges = edges;
        this.relationships = relationships;
        int max = 0;
        for (int item = 0; item < itemIds.length; item++) {
            max = Math.max(max, degree(item));
        }
        this.maxItemDegree = max;
    }

    /** A builder that collects nodes by business key and relationships between them. */
    public static Builder builder() {
        return new Builder();
    }

    /** Number of nodes of all kinds. */
    public int nodeCount() {
        return kindStart[KINDS];
    }

    /** Number of nodes of one kind. */
    public int nodeCount(NodeKind kind) {
        return kindStart[kind.ordinal() + 1] - kindStart[kind.ordinal()];
    }

    /** The node index of the first node of a kind (its nodes follow, sorted by business key). */
    public int firstNode(NodeKind kind) {
        return kindStart[kind.ordinal()];
    }

    /** Number of items; items are the nodes {@code 0 .. itemCount() - 1}. */
    @Override
    public int itemCount() {
        return itemIds.length;
    }

    /** Number of stored relationships (each is walkable in both directions). */
    public long relationshipCount() {
        return relationships;
    }

    /** The item index of a business id, or -1 when the projection has no such item. */
    @Override
    public int itemIndex(String itemId) {
        int found = Arrays.binarySearch(itemIds, itemId);
        return found >= 0 ? found : -1;
    }

    /** The business id of an item index. */
    @Override
    public String itemId(int item) {
        return itemIds[item];
    }

    /** Whether a node index is an item. */
    @Override
    public boolean isItem(int node) {
        return node < itemIds.length;
    }

    /** Number of stored relationships of an item, of all kinds. */
    public int degree(int item) {
        int first = segmentBase[0] + item * SEGMENT_EDGES[0].length;
        return start(first + SEGMENT_EDGES[0].length) - start(first);
    }

    /** Number of an item's relationships whose kind has a positive weight in {@code typeWeights}. */
    @Override
    public int degree(int item, double[] typeWeights) {
        EdgeKind[] edges = SEGMENT_EDGES[0];
        int first = segmentBase[0] + item * edges.length;
        int degree = 0;
        for (int j = 0; j < edges.length; j++) {
            if (typeWeights[edges[j].ordinal()] > 0) {
                degree += start(first + j + 1) - start(first + j);
            }
        }
        return degree;
    }

    /** The largest {@link #degree(int)} of any item (0 without items). */
    @Override
    public int maxItemDegree() {
        return maxItemDegree;
    }

    @Override
    public int step(int node, double[] typeWeights, SplittableRandom random) {
        double total = mass(node, typeWeights);
        if (!(total > 0)) {
            return -1;
        }
        return pick(node, typeWeights, random.nextDouble() * total);
    }

    /** {@code sum over the node's relationships of weight x type weight}. */
    double mass(int node, double[] typeWeights) {
        int kind = kindOf(node);
        int[] types = SEGMENT_TYPES[kind];
        int first = segmentBase[kind] + (node - kindStart[kind]) * types.length;
        double total = 0;
        for (int j = 0; j < types.length; j++) {
            total += mass(first + j, typeWeights[types[j]]);
        }
        return total;
    }

    /**
     * The neighbour at {@code r} of the node's relationships laid end to end by weight x type
     * weight, for {@code 0 <= r < mass(node, typeWeights)}.
     */
    int pick(int node, double[] typeWeights, double r) {
        return (int) pickEdge(node, typeWeights, r);
    }

    /**
     * {@link #pick}, with the relationship's {@link EdgeKind} ordinal in the high 32 bits of the
     * answer and the neighbour in the low ones.
     */
    long pickEdge(int node, double[] typeWeights, double r) {
        int kind = kindOf(node);
        int[] types = SEGMENT_TYPES[kind];
        int first = segmentBase[kind] + (node - kindStart[kind]) * types.length;
        int chosen = -1;
        double chosenMass = 0;
        for (int j = 0; j < types.length; j++) {
            double m = mass(first + j, typeWeights[types[j]]);
            if (m > 0) {
                chosen = j;
                chosenMass = m;
                if (r < m) {
                    break;
                }
                r -= m;
            }
        }
        int segment = first + chosen;
        // r is uniform in [0, chosenMass): rescale it to the segment's own weights.
        double x = Math.min(r, chosenMass) / typeWeights[types[chosen]];
        long neighbour = edges[search(start(segment), start(segment + 1), x, total(segment))] >>> 32;
        return ((long) types[chosen] << 32) | neighbour;
    }

    /** Whether a relationship of this kind joins the two nodes. */
    boolean hasEdge(int from, int to, EdgeKind edge) {
        int kind = kindOf(from);
        int position = SEGMENT_OF[kind][edge.ordinal()];
        if (position < 0) {
            return false;
        }
        int segment = segmentBase[kind] + (from - kindStart[kind]) * SEGMENT_TYPES[kind].length + position;
        int low = start(segment);
        int high = start(segment + 1) - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int neighbour = (int) (edges[middle] >>> 32);
            if (neighbour < to) {
                low = middle + 1;
            } else if (neighbour > to) {
                high = middle - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** The kind of a node index. */
    NodeKind kind(int node) {
        return NodeKind.values()[kindOf(node)];
    }

    /**
     * Approximate heap held by this projection: its arrays and item id strings (compact
     * Latin-1 strings assumed), not counting JVM alignment slack.
     */
    public long estimatedBytes() {
        long bytes = 16L * 7 + 4L * (kindStart.length + segmentBase.length) + 8L * segments.length
                + 8L * edges.length + 8L * itemIds.length;
        for (String id : itemIds) {
            bytes += 24 + 16 + id.length();
        }
        return bytes;
    }

    private int kindOf(int node) {
        int kind = 0;
        while (node >= kindStart[kind + 1]) {
            kind++;
        }
        return kind;
    }

    private int start(int segment) {
        return (int) (segments[segment] >>> 32);
    }

    private float cumulative(int edge) {
        return Float.intBitsToFloat((int) edges[edge]);
    }

    private float total(int segment) {
        return Float.intBitsToFloat((int) segments[segment]);
    }

    private double mass(int segment, double typeWeight) {
        return typeWeight > 0 ? typeWeight * total(segment) : 0;
    }

    /**
     * The first index in {@code [from, to)} whose running weight exceeds {@code x} (else the
     * last), for {@code 0 <= x < total}. The first probe interpolates, which is exact when the
     * weights are equal (as they are until trust scoring lowers some); binary search follows.
     */
    private int search(int from, int to, double x, double total) {
        int last = to - 1;
        int guess = Math.min(last, from + (int) (x / total * (to - from)));
        int lo = from;
        int hi = last;
        if (cumulative(guess) > x) {
            if (guess == from || cumulative(guess - 1) <= x) {
                return guess;
            }
            hi = guess - 1;
        } else {
            if (guess == last) {
                return last;
            }
            lo = guess + 1;
        }
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative(mid) > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * Collects nodes (by kind and business key) and relationships, then lays them out. Not
     * thread-safe. Adding the same key twice gives two handles of the same node; they are
     * merged by {@link #build()}.
     */
    public static final class Builder {
        private final List<List<String>> keys = new ArrayList<>();
        private int edges;
        private byte[] edgeKind = new byte[1024];
        private int[] edgeFrom = new int[1024];
        private int[] edgeTo = new int[1024];
        private float[] edgeWeight = new float[1024];
        private long dropped;
        private int[][] nodeOf;

        private Builder() {
            for (int k = 0; k < KINDS; k++) {
                keys.add(new ArrayList<>());
            }
        }

        /**
         * Adds a node and returns its handle, valid for {@link #edge(EdgeKind, int, int, double)}
         * on this builder only.
         */
        public int node(NodeKind kind, String key) {
            Objects.requireNonNull(key, "key");
            List<String> ofKind = keys.get(kind.ordinal());
            ofKind.add(key);
            return ofKind.size() - 1;
        }

        /**
         * Adds a relationship between two node handles, in its stored direction ({@code from}
         * of kind {@code kind.from()}, {@code to} of kind {@code kind.to()}). A weight that is
         * not finite and positive drops the relationship: it can never be walked.
         */
        public Builder edge(EdgeKind kind, int from, int to, double weight) {
            checkHandle(kind.from(), from);
            checkHandle(kind.to(), to);
            if (!(weight > 0) || Double.isInfinite(weight)) {
                dropped++;
                return this;
            }
            if (edges == edgeFrom.length) {
                int capacity = edges + (edges >> 1);
                edgeKind = Arrays.copyOf(edgeKind, capacity);
                edgeFrom = Arrays.copyOf(edgeFrom, capacity);
                edgeTo = Arrays.copyOf(edgeTo, capacity);
                edgeWeight = Arrays.copyOf(edgeWeight, capacity);
            }
            edgeKind[edges] = (byte) kind.ordinal();
            edgeFrom[edges] = from;
            edgeTo[edges] = to;
            edgeWeight[edges] = (float) weight;
            edges++;
            return this;
        }

        /** Adds a relationship between two nodes named by business key (adding the nodes). */
        public Builder edge(EdgeKind kind, String fromKey, String toKey, double weight) {
            return edge(kind, node(kind.from(), fromKey), node(kind.to(), toKey), weight);
        }

        /** Number of relationships dropped for a weight that is not finite and positive. */
        public long droppedEdges() {
            return dropped;
        }

        /**
         * The node index of a handle in the projection {@link #build()} made (call it after).
         */
        public int nodeIndex(NodeKind kind, int handle) {
            if (nodeOf == null) {
                throw new IllegalStateException("The projection is not built yet.");
            }
            return nodeOf[kind.ordinal()][handle];
        }

        /** Lays out the projection. The builder should not be used afterwards, but for {@link #nodeIndex}. */
        public WalkGraph build() {
            int[] kindStart = new int[KINDS + 1];
            nodeOf = new int[KINDS][];
            String[] itemIds = null;
            for (int k = 0; k < KINDS; k++) {
                String[] handles = keys.get(k).toArray(String[]::new);
                String[] unique = distinctSorted(handles);
                nodeOf[k] = new int[handles.length];
                for (int h = 0; h < handles.length; h++) {
                    nodeOf[k][h] = kindStart[k] + Arrays.binarySearch(unique, handles[h]);
                }
                kindStart[k + 1] = kindStart[k] + unique.length;
                if (k == NodeKind.ITEM.ordinal()) {
                    itemIds = unique;
                }
                keys.set(k, List.of());
            }
            int[] segmentBase = new int[KINDS + 1];
            for (int k = 0; k < KINDS; k++) {
                long next = segmentBase[k]
                        + (long) (kindStart[k + 1] - kindStart[k]) * SEGMENT_EDGES[k].length;
                segmentBase[k + 1] = checkedSize(next, "segments");
            }
            int directed = checkedSize(2L * edges, "relationship directions");
            int segments = segmentBase[KINDS];

            int[] fromSegment = new int[edges];
            int[] toSegment = new int[edges];
            int[] segmentStart = new int[segments + 1];
            long[] segmentInfo = new long[segments + 1];
            for (int e = 0; e < edges; e++) {
                EdgeKind kind = EdgeKind.of(edgeKind[e]);
                int from = nodeOf[kind.from().ordinal()][edgeFrom[e]];
                int to = nodeOf[kind.to().ordinal()][edgeTo[e]];
                edgeFrom[e] = from;
                edgeTo[e] = to;
                fromSegment[e] = segmentOf(kindStart, segmentBase, kind.from(), from, kind);
                toSegment[e] = segmentOf(kindStart, segmentBase, kind.to(), to, kind);
                segmentStart[fromSegment[e] + 1]++;
                segmentStart[toSegment[e] + 1]++;
            }
            for (int s = 0; s < segments; s++) {
                segmentStart[s + 1] += segmentStart[s];
            }
            // Neighbour in the high 32 bits, weight bits low: sorting orders by neighbour.
            long[] packed = new long[directed];
            int[] fill = Arrays.copyOf(segmentStart, segments);
            for (int e = 0; e < edges; e++) {
                long weightBits = Float.floatToRawIntBits(edgeWeight[e]) & 0xffffffffL;
                packed[fill[fromSegment[e]]++] = ((long) edgeTo[e] << 32) | weightBits;
                packed[fill[toSegment[e]]++] = ((long) edgeFrom[e] << 32) | weightBits;
            }
            for (int s = 0; s < segments; s++) {
                int from = segmentStart[s];
                int to = segmentStart[s + 1];
                if (to - from > 1) {
                    Arrays.sort(packed, from, to);
                }
                // In place: the weight bits become the running weight's bits.
                double sum = 0;
                float total = 0f;
                for (int i = from; i < to; i++) {
                    sum += Float.intBitsToFloat((int) packed[i]);
                    total = (float) sum;
                    packed[i] = (packed[i] & 0xffffffff00000000L)
                            | (Float.floatToRawIntBits(total) & 0xffffffffL);
                }
                segmentInfo[s] = ((long) from << 32) | (Float.floatToRawIntBits(total) & 0xffffffffL);
            }
            segmentInfo[segments] = (long) directed << 32;
            return new WalkGraph(kindStart, segmentBase, itemIds, segmentInfo, packed,
                    edges);
        }

        private void checkHandle(NodeKind kind, int handle) {
            if (handle < 0 || handle >= keys.get(kind.ordinal()).size()) {
                throw new IllegalArgumentException(
                        "No " + kind.label() + " node has handle " + handle + " in this builder.");
            }
        }

        private static int segmentOf(int[] kindStart, int[] segmentBase, NodeKind kind, int node,
                                     EdgeKind edge) {
            int k = kind.ordinal();
            return segmentBase[k] + (node - kindStart[k]) * SEGMENT_EDGES[k].length
                    + SEGMENT_OF[k][edge.ordinal()];
        }

        private static String[] distinctSorted(String[] keys) {
            String[] sorted = keys.clone();
            Arrays.sort(sorted);
            int n = 0;
            for (int i = 0; i < sorted.length; i++) {
                if (n == 0 || !sorted[i].equals(sorted[n - 1])) {
                    sorted[n++] = sorted[i];
                }
            }
            return Arrays.copyOf(sorted, n);
        }

        private static int checkedSize(long size, String what) {
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("The walk projection cannot hold " + size + " "
                        + what + "; at most " + (Integer.MAX_VALUE - 8) + " fit.");
            }
            return (int) size;
        }
    }
}
