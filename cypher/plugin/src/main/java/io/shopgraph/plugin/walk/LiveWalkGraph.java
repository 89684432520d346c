package io.shopgraph.plugin.walk;

import io.shopgraph.plugin.live.changes.Change;
import io.shopgraph.plugin.live.changes.GraphChanges;
import io.shopgraph.plugin.live.changes.NodeChange;
import io.shopgraph.plugin.live.changes.RelationshipChange;
import io.shopgraph.plugin.live.changes.ShopLabel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The walk projection of a database as its commits left it: a full build ({@link WalkGraph},
 * the base) with what was written since laid over it. Immutable: a walk reads one version while
 * the next is made ({@link #with}).
 *
 * <ul>
 *   <li><b>New nodes</b> (items, sessions, orders of kind 'order', users, brands, categories with
 *       a key) get the indices after the base's; a new item is found by its id at once.</li>
 *   <li><b>New relationships</b> of the walked types join their ends both ways, with their
 *       weight, beside the base's: a step from a node draws among its base relationships and its
 *       new ones by weight x type weight, as from one list ({@link Adjacency}).</li>
 *   <li><b>Deleted nodes and relationships</b> are tombstones: a step that draws one draws again
 *       (so the draw is among the others, by their weights), and a deleted item is never found
 *       nor returned; after {@value #MAX_DRAWS} such draws in a row the walk is stuck there and
 *       restarts. A re-weighted relationship is a tombstone and a new one.</li>
 * </ul>
 * Nodes are matched to commits by their internal ids, kept with the base ({@code nodeIndex}) and
 * for nodes created since. Changes a version cannot lay over its base (a key or label changed, an
 * order changed kind, changes unknown) make it {@link #stale()}: the owner rebuilds.
 */
public final class LiveWalkGraph implements Walkable {

    /** Most draws of a step that hit tombstones before the walk counts as stuck. */
    static final int MAX_DRAWS = 64;

    private static final int NONE = -1;
    private static final int UNSET = -2;
    private static final NodeKind[] KINDS = NodeKind.values();

    private final WalkGraph base;
    private final int[] baseIndex;
    private final Chunked indexById; // overrides of baseIndex: UNSET, NONE (gone) or an index
    private final Chunked newKinds; // kind ordinal of node base.nodeCount() + n
    private final ChunkedRefs<String> newItemIds;
    private final Map<String, Integer> newItems; // item id -> index, for items created since
    private final int newNodes;
    private final Chunked dead; // bit words over node indices
    private final int deadNodes;
    private final Map<Long, Integer> deadEdges; // (from << 32 | to) -> mask of dead kinds, both ways
    private final ChunkedRefs<Adjacency> extra;
    private final long extraEdges;
    private final boolean stale;

    private LiveWalkGraph(WalkGraph base, int[] baseIndex, Chunked indexById, Chunked newKinds,
                          ChunkedRefs<String> newItemIds, Map<String, Integer> newItems, int newNodes, Chunked dead,
                          int deadNodes, Map<Long, Integer> deadEdges, ChunkedRefs<Adjacency> extra, long extraEdges,
                          boolean stale) {
        this.base = base;
        this.baseIndex = baseIndex;
        this.indexById = indexById;
        this.newKinds = newKinds;
        this.newItemIds = newItemIds;
        this.newItems = newItems;
        this.newNodes = newNodes;
        this.dead = dead;
        this.deadNodes = deadNodes;
        this.deadEdges = deadEdges;
        this.extra = extra;
        this.extraEdges = extraEdges;
        this.stale = stale;
    }

    /**
     * A full build with nothing laid over it.
     *
     * @param base the projection
     * @param nodeIndex its node index of each internal node id (-1: not projected)
     */
    static LiveWalkGraph of(WalkGraph base, int[] nodeIndex) {
        return new LiveWalkGraph(base, nodeIndex, Chunked.filled(UNSET), Chunked.filled(NONE),
                ChunkedRefs.empty(), Map.of(), 0, Chunked.filled(0), 0, Map.of(), ChunkedRefs.empty(), 0, false);
    }

    /** The full build under the changes. */
    public WalkGraph base() {
        return base;
    }

    /** Nodes created since the base. */
    int newNodes() {
        return newNodes;
    }

    /** Nodes deleted since the base. */
    int deadNodes() {
        return deadNodes;
    }

    /** Relationships created (or re-weighted) since the base, each counted once. */
    long newRelationships() {
        return extraEdges;
    }

    /** Relationships of the base deleted (or re-weighted) since, each counted once. */
    int deadRelationships() {
        return deadEdges.size() / 2;
    }

    /** Whether changes came that this version could not lay over its base: rebuild. */
    boolean stale() {
        return stale;
    }

    // --- Walkable -------------------------------------------------------------------------

    @Override
    public int itemIndex(String itemId) {
        Integer created = newItems.get(itemId);
        if (created != null) {
            return created;
        }
        int item = base.itemIndex(itemId);
        return item >= 0 && isDead(item) ? -1 : item;
    }

    @Override
    public String itemId(int item) {
        return item < base.nodeCount() ? base.itemId(item) : newItemIds.get(item - base.nodeCount());
    }

    @Override
    public int itemCount() {
        return base.nodeCount() + newNodes;
    }

    @Override
    public boolean isItem(int node) {
        if (node < base.nodeCount()) {
            return base.isItem(node);
        }
        return newKinds.get(node - base.nodeCount()) == NodeKind.ITEM.ordinal();
    }

    @Override
    public int degree(int item, double[] typeWeights) {
        Adjacency added = extra.get(item);
        int degree = item < base.nodeCount() ? base.degree(item, typeWeights) : 0;
        return degree + (added == null ? 0 : added.degree(typeWeights));
    }

    @Override
    public int maxItemDegree() {
        return base.maxItemDegree();
    }

    @Override
    public int step(int node, double[] typeWeights, SplittableRandom random) {
        Adjacency added = extra.get(node);
        boolean inBase = node < base.nodeCount();
        if (added == null && deadNodes == 0 && deadEdges.isEmpty()) {
            return inBase ? base.step(node, typeWeights, random) : -1;
        }
        double baseMass = inBase ? base.mass(node, typeWeights) : 0;
        double total = baseMass + (added == null ? 0 : added.mass(typeWeights));
        if (!(total > 0)) {
            return -1;
        }
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            double r = random.nextDouble() * total;
            if (r < baseMass) {
                long edge = base.pickEdge(node, typeWeights, r);
                int next = (int) edge;
                if (!isDead(next) && !deadEdge(node, next, (int) (edge >>> 32))) {
                    return next;
                }
            } else {
                int next = (int) added.pick(r - baseMass, typeWeights);
                if (!isDead(next)) {
                    return next;
                }
            }
        }
        return -1;
    }

    private boolean isDead(int node) {
        return deadNodes > 0 && (dead.get(node >>> 5) & (1 << (node & 31))) != 0;
    }

    private boolean deadEdge(int from, int to, int kind) {
        if (deadEdges.isEmpty()) {
            return false;
        }
        Integer mask = deadEdges.get(((long) from << 32) | (to & 0xffffffffL));
        return mask != null && (mask & (1 << kind)) != 0;
    }

    /** The node index of an internal node id, or -1. */
    private int index(long id) {
        if (id < 0 || id > Integer.MAX_VALUE) {
            return NONE;
        }
        int override = indexById.get((int) id);
        if (override != UNSET) {
            return override;
        }
        return id < baseIndex.length ? baseIndex[(int) id] : NONE;
    }

    /** Approximate heap bytes of the base and what lies over it. */
    long estimatedBytes() {
        return base.estimatedBytes() + 4L * baseIndex.length + indexById.bytes() + newKinds.bytes()
                + newItemIds.bytes() + 64L * newItems.size() + dead.bytes() + 48L * deadEdges.size()
                + extra.bytes() + 24L * extraEdges;
    }

    // --- changes --------------------------------------------------------------------------

    /** This projection with the changes of these commits laid over it, in commit order. */
    LiveWalkGraph with(List<GraphChanges> commits) {
        Editor editor = new Editor();
        for (GraphChanges commit : commits) {
            editor.apply(commit);
        }
        return editor.done();
    }

    /** Makes the next version. */
    private final class Editor {
        private final Chunked.Editor ids = indexById.edit();
        private final Chunked.Editor kinds = newKinds.edit();
        private final ChunkedRefs.Editor<String> itemIds = newItemIds.edit();
        private Map<String, Integer> items = newItems;
        private boolean itemsCopied;
        private int created = newNodes;
        private final Chunked.Editor gone = dead.edit();
        private int goneCount = deadNodes;
        private Map<Long, Integer> goneEdges = deadEdges;
        private boolean goneEdgesCopied;
        private final ChunkedRefs.Editor<Adjacency> added = extra.edit();
        private long addedCount = extraEdges;
        private boolean rebuild = stale;

        void apply(GraphChanges commit) {
            if (!commit.complete()) {
                rebuild = true;
                return;
            }
            for (NodeChange node : commit.nodes()) {
                node(node);
            }
            for (RelationshipChange relationship : commit.relationships()) {
                relationship(relationship);
            }
        }

        private void node(NodeChange change) {
            NodeKind kind = kindOf(change.labels());
            switch (change.change()) {
                case CREATED -> {
                    if (kind != null && change.key() != null && index(change.id()) < 0
                            && (kind != NodeKind.ORDER || "order".equals(change.kind()))) {
                        create(change.id(), kind, change.key());
                    }
                }
                case DELETED -> remove(change.id(), kind, change.key());
                case CHANGED -> {
                    // A new key, label or order kind changes what is projected: rebuild.
                    for (String property : change.properties()) {
                        if (property.equals(NodeChange.LABEL) || property.equals("kind")
                                || kind != null && property.equals(kind.keyProperty())) {
                            rebuild = true;
                        }
                    }
                }
            }
        }

        private void relationship(RelationshipChange change) {
            EdgeKind kind = EdgeKind.byName(change.type().name()).orElse(null);
            if (kind == null) {
                return;
            }
            int from = index(change.start());
            int to = index(change.end());
            if (from < 0 || to < 0) {
                return; // an end that is not projected (an order of another kind, a node without key)
            }
            if (change.change() != Change.CREATED) {
                unlink(from, to, kind);
            }
            double weight = change.weight();
            if (change.change() != Change.DELETED && weight > 0 && !Double.isInfinite(weight)) {
                if (change.change() == Change.CREATED && inBase(from) && inBase(to) && base.hasEdge(from, to, kind)
                        && !deadEdge(from, to, kind)) {
                    return; // the base was read after this commit: it holds it already
                }
                link(from, to, kind, (float) weight);
            }
        }

        private boolean inBase(int node) {
            return node < base.nodeCount();
        }

        private int index(long id) {
            if (id < 0 || id > Integer.MAX_VALUE) {
                return NONE;
            }
            int override = ids.get((int) id);
            if (override != UNSET) {
                return override;
            }
            return id < baseIndex.length ? baseIndex[(int) id] : NONE;
        }

        private void create(long id, NodeKind kind, String key) {
            int node = base.nodeCount() + created;
            kinds.set(created, kind.ordinal());
            if (kind == NodeKind.ITEM) {
                itemIds.set(created, key);
                items().put(key, node);
            }
            created++;
            ids.set((int) id, node);
        }

        private void remove(long id, NodeKind kind, String key) {
            int node = index(id);
            if (node < 0) {
                return;
            }
            ids.set((int) id, NONE); // the id may be reused by another node
            int word = gone.get(node >>> 5);
            if ((word & (1 << (node & 31))) == 0) {
                gone.set(node >>> 5, word | (1 << (node & 31)));
                goneCount++;
            }
            if (kind == NodeKind.ITEM && key != null && items.containsKey(key) && items.get(key) == node) {
                items().remove(key);
            }
        }

        private boolean deadEdge(int from, int to, EdgeKind kind) {
            Integer mask = goneEdges.get(((long) from << 32) | (to & 0xffffffffL));
            return mask != null && (mask & (1 << kind.ordinal())) != 0;
        }

        /** Removes one relationship between the two: a new one if there is, else the base's. */
        private void unlink(int from, int to, EdgeKind kind) {
            Adjacency out = added.get(from);
            if (out != null && out.has(to, kind)) {
                added.set(from, out.without(to, kind));
                Adjacency in = added.get(to);
                if (in != null) {
                    added.set(to, in.without(from, kind));
                }
                addedCount--;
                return;
            }
            if (inBase(from) && inBase(to) && base.hasEdge(from, to, kind) && !deadEdge(from, to, kind)) {
                if (!goneEdgesCopied) {
                    goneEdges = new HashMap<>(goneEdges);
                    goneEdgesCopied = true;
                }
                goneEdges.merge(((long) from << 32) | (to & 0xffffffffL), 1 << kind.ordinal(), (a, b) -> a | b);
                goneEdges.merge(((long) to << 32) | (from & 0xffffffffL), 1 << kind.ordinal(), (a, b) -> a | b);
            }
        }

        private void link(int from, int to, EdgeKind kind, float weight) {
            Adjacency out = added.get(from);
            added.set(from, (out == null ? Adjacency.EMPTY : out).with(to, kind, weight));
            Adjacency in = added.get(to);
            added.set(to, (in == null ? Adjacency.EMPTY : in).with(from, kind, weight));
            addedCount++;
        }

        private Map<String, Integer> items() {
            if (!itemsCopied) {
                items = new HashMap<>(items);
                itemsCopied = true;
            }
            return items;
        }

        LiveWalkGraph done() {
            return new LiveWalkGraph(base, baseIndex, ids.done(), kinds.done(), itemIds.done(), items, created,
                    gone.done(), goneCount, goneEdges, added.done(), addedCount, rebuild);
        }
    }

    /** The projected kind of a node of these labels (the first in {@link NodeKind} order), or null. */
    private static NodeKind kindOf(int labels) {
        for (NodeKind kind : KINDS) {
            if ((labels & ShopLabel.valueOf(kind.name()).bit()) != 0) {
                return kind;
            }
        }
        return null;
    }
}
