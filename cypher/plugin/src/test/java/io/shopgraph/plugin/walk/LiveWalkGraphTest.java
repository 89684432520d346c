package io.shopgraph.plugin.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.shopgraph.plugin.live.changes.Change;
import io.shopgraph.plugin.live.changes.GraphChanges;
import io.shopgraph.plugin.live.changes.NodeChange;
import io.shopgraph.plugin.live.changes.RelationshipChange;
import io.shopgraph.plugin.live.changes.ShopLabel;
import io.shopgraph.plugin.live.changes.ShopType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link LiveWalkGraph}: what commits change is walked as a full build of the changed graph
 * walks it: the same neighbours with the same probabilities (sampled), new items found by id,
 * deleted nodes and relationships never stepped on, re-weighted relationships by their new
 * weight, a relationship the base already holds not counted twice; and changes it cannot lay
 * over its base make it stale.
 */
class LiveWalkGraphTest {

    private static final double[] DEFAULTS = EdgeKind.defaultWeights();
    private static final int DRAWS = 200_000;

    /** A shop as nodes (internal id -> kind and key) and relationships, built by both ways. */
    private static final class Shop {
        final Map<Long, String[]> nodes = new LinkedHashMap<>(); // id -> {kind, key}
        final List<Object[]> relationships = new ArrayList<>(); // {kind, from id, to id, weight}

        Shop node(long id, NodeKind kind, String key) {
            nodes.put(id, new String[] {kind.name(), key});
            return this;
        }

        Shop edge(EdgeKind kind, long from, long to, double weight) {
            relationships.add(new Object[] {kind, from, to, weight});
            return this;
        }

        Shop without(long id) {
            nodes.remove(id);
            relationships.removeIf(r -> (long) r[1] == id || (long) r[2] == id);
            return this;
        }

        Shop copy() {
            Shop copy = new Shop();
            copy.nodes.putAll(nodes);
            copy.relationships.addAll(relationships);
            return copy;
        }

        /** A full build, and each node's index by internal id. */
        LiveWalkGraph build() {
            WalkGraph.Builder builder = WalkGraph.builder();
            Map<Long, Integer> handles = new HashMap<>();
            long maxId = 0;
            for (Map.Entry<Long, String[]> node : nodes.entrySet()) {
                handles.put(node.getKey(), builder.node(NodeKind.valueOf(node.getValue()[0]), node.getValue()[1]));
                maxId = Math.max(maxId, node.getKey());
            }
            for (Object[] r : relationships) {
                builder.edge((EdgeKind) r[0], handles.get((long) r[1]), handles.get((long) r[2]), (double) r[3]);
            }
            WalkGraph graph = builder.build();
            int[] index = new int[(int) maxId + 1];
            java.util.Arrays.fill(index, -1);
            handles.forEach((id, handle) -> index[(int) (long) id] = builder.nodeIndex(
                    NodeKind.valueOf(nodes.get(id)[0]), handle));
            return LiveWalkGraph.of(graph, index);
        }

        /** The business key of a node index of a graph built from this shop or over it. */
        String key(LiveWalkGraph graph, int node, Map<Integer, String> added) {
            if (graph.isItem(node)) {
                return graph.itemId(node);
            }
            return added.getOrDefault(node, "#" + node);
        }
    }

    private static NodeChange created(long id, NodeKind kind, String key) {
        return new NodeChange(id, ShopLabel.valueOf(kind.name()).bit(), Change.CREATED, key,
                kind == NodeKind.ORDER ? "order" : null, Set.of());
    }

    private static RelationshipChange relationship(long id, EdgeKind kind, long from, long to, Change change,
                                                   double weight) {
        return new RelationshipChange(id, ShopType.valueOf(kind.name()), from, to, change, weight);
    }

    private static GraphChanges commit(List<NodeChange> nodes, List<RelationshipChange> relationships) {
        return new GraphChanges(nodes, relationships, true);
    }

    /** How often each item neighbour of an item is drawn, by id, over {@link #DRAWS} steps. */
    private static Map<String, Double> itemSteps(LiveWalkGraph graph, String from) {
        int start = graph.itemIndex(from);
        Map<String, Double> share = new HashMap<>();
        SplittableRandom random = new SplittableRandom(17);
        for (int n = 0; n < DRAWS; n++) {
            int next = graph.step(start, DEFAULTS, random);
            // Two steps: item -> session or order -> item.
            int item = next < 0 ? -1 : graph.step(next, DEFAULTS, random);
            String key = item < 0 ? "stuck" : graph.isItem(item) ? graph.itemId(item) : "other";
            share.merge(key, 1.0 / DRAWS, Double::sum);
        }
        return share;
    }

    private static void assertSameShares(Map<String, Double> got, Map<String, Double> expected) {
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, share) -> assertThat(got.get(key)).as(key).isCloseTo(share, within(0.005)));
    }

    /** Items a..d, sessions s1, s2, an order; ids 1.. in that order. */
    private static Shop shop() {
        return new Shop().node(1, NodeKind.ITEM, "a").node(2, NodeKind.ITEM, "b").node(3, NodeKind.ITEM, "c")
                .node(4, NodeKind.ITEM, "d").node(5, NodeKind.SESSION, "s1").node(6, NodeKind.SESSION, "s2")
                .node(7, NodeKind.ORDER, "o1")
                .edge(EdgeKind.VIEWED, 5, 1, 1.0).edge(EdgeKind.VIEWED, 5, 2, 1.0)
                .edge(EdgeKind.ADDED_TO_CART, 6, 1, 1.0).edge(EdgeKind.ADDED_TO_CART, 6, 3, 0.5)
                .edge(EdgeKind.CONTAINS, 7, 1, 1.0).edge(EdgeKind.CONTAINS, 7, 4, 1.0);
    }

    @Test
    void newNodesAndRelationshipsAreWalkedAsInAFullBuild() {
        Shop before = shop();
        // A new session s3 viewed a and a new item e; a new order o2 holds a and b.
        LiveWalkGraph live = before.build().with(List.of(
                commit(List.of(created(20, NodeKind.SESSION, "s3"), created(21, NodeKind.ITEM, "e")),
                        List.of(relationship(100, EdgeKind.VIEWED, 20, 1, Change.CREATED, 1.0),
                                relationship(101, EdgeKind.VIEWED, 20, 21, Change.CREATED, 1.0))),
                commit(List.of(created(22, NodeKind.ORDER, "o2")),
                        List.of(relationship(102, EdgeKind.CONTAINS, 22, 1, Change.CREATED, 1.0),
                                relationship(103, EdgeKind.CONTAINS, 22, 2, Change.CREATED, 0.5)))));
        Shop after = before.copy().node(20, NodeKind.SESSION, "s3").node(21, NodeKind.ITEM, "e")
                .node(22, NodeKind.ORDER, "o2").edge(EdgeKind.VIEWED, 20, 1, 1.0).edge(EdgeKind.VIEWED, 20, 21, 1.0)
                .edge(EdgeKind.CONTAINS, 22, 1, 1.0).edge(EdgeKind.CONTAINS, 22, 2, 0.5);
        LiveWalkGraph fresh = after.build();
        assertThat(live.itemIndex("e")).isGreaterThanOrEqualTo(0);
        assertThat(live.itemId(live.itemIndex("e"))).isEqualTo("e");
        assertThat(live.degree(live.itemIndex("a"), DEFAULTS)).isEqualTo(fresh.degree(fresh.itemIndex("a"), DEFAULTS));
        assertThat(live.newNodes()).isEqualTo(3);
        assertThat(live.newRelationships()).isEqualTo(4);
        for (String item : List.of("a", "b", "e")) {
            assertSameShares(itemSteps(live, item), itemSteps(fresh, item));
        }
    }

    @Test
    void deletedNodesAndRelationshipsAreNeverSteppedOn() {
        Shop before = shop();
        // Item b goes with its view; session s2 goes (a user forgotten); the order's line of d goes.
        LiveWalkGraph live = before.build().with(List.of(commit(
                List.of(new NodeChange(2, ShopLabel.ITEM.bit(), Change.DELETED, "b", null, Set.of()),
                        new NodeChange(6, ShopLabel.SESSION.bit(), Change.DELETED, "s2", null, Set.of())),
                List.of(relationship(1, EdgeKind.VIEWED, 5, 2, Change.DELETED, Double.NaN),
                        relationship(2, EdgeKind.ADDED_TO_CART, 6, 1, Change.DELETED, Double.NaN),
                        relationship(3, EdgeKind.ADDED_TO_CART, 6, 3, Change.DELETED, Double.NaN),
                        relationship(4, EdgeKind.CONTAINS, 7, 4, Change.DELETED, Double.NaN)))));
        Shop after = before.copy().without(2).without(6);
        after.relationships.removeIf(r -> r[0] == EdgeKind.CONTAINS && (long) r[2] == 4);
        LiveWalkGraph fresh = after.build();
        assertThat(live.itemIndex("b")).isEqualTo(-1);
        assertThat(live.deadNodes()).isEqualTo(2);
        // The relationships of deleted nodes go with them; the order's line of d is a tombstone.
        assertThat(live.deadRelationships()).isEqualTo(1);
        Map<String, Double> shares = itemSteps(live, "a");
        assertThat(shares).doesNotContainKeys("b", "c", "d");
        assertSameShares(shares, itemSteps(fresh, "a"));
    }

    @Test
    void aReweightedRelationshipIsWalkedByItsNewWeightAndOneTheBaseHoldsIsNotAddedTwice() {
        Shop before = shop();
        // The cart add of c goes from 0.5 to 2.0; the view of b by s1 is told again (a commit the
        // base was read after); a relationship deleted then created again.
        LiveWalkGraph live = before.build().with(List.of(
                commit(List.of(), List.of(relationship(1, EdgeKind.ADDED_TO_CART, 6, 3, Change.CHANGED, 2.0))),
                commit(List.of(), List.of(relationship(2, EdgeKind.VIEWED, 5, 2, Change.CREATED, 1.0))),
                commit(List.of(), List.of(relationship(3, EdgeKind.CONTAINS, 7, 4, Change.DELETED, Double.NaN))),
                commit(List.of(), List.of(relationship(4, EdgeKind.CONTAINS, 7, 4, Change.CREATED, 1.0)))));
        Shop after = before.copy();
        after.relationships.removeIf(r -> r[0] == EdgeKind.ADDED_TO_CART && (long) r[2] == 3);
        after.edge(EdgeKind.ADDED_TO_CART, 6, 3, 2.0);
        LiveWalkGraph fresh = after.build();
        assertSameShares(itemSteps(live, "a"), itemSteps(fresh, "a"));
        assertSameShares(itemSteps(live, "c"), itemSteps(fresh, "c"));
    }

    @Test
    void withoutChangesAStepIsTheBasesStepDrawForDraw() {
        LiveWalkGraph live = shop().build().with(List.of());
        WalkGraph base = live.base();
        SplittableRandom one = new SplittableRandom(5);
        SplittableRandom two = new SplittableRandom(5);
        for (int n = 0; n < 1000; n++) {
            int node = n % base.nodeCount();
            assertThat(live.step(node, DEFAULTS, one)).isEqualTo(base.step(node, DEFAULTS, two));
        }
    }

    @Test
    void changesItCannotLayOverItsBaseMakeItStale() {
        LiveWalkGraph live = shop().build();
        assertThat(live.with(List.of(GraphChanges.UNKNOWN)).stale()).isTrue();
        assertThat(live.with(List.of(commit(List.of(new NodeChange(1, ShopLabel.ITEM.bit(), Change.CHANGED, "a2",
                null, Set.of("itemId"))), List.of()))).stale()).isTrue();
        assertThat(live.with(List.of(commit(List.of(new NodeChange(7, ShopLabel.ORDER.bit(), Change.CHANGED, "o1",
                "cancellation", Set.of("kind"))), List.of()))).stale()).isTrue();
        assertThat(live.with(List.of(commit(List.of(new NodeChange(1, ShopLabel.ITEM.bit(), Change.CHANGED, "a",
                null, Set.of("hidden"))), List.of()))).stale()).isFalse();
        // An order of another kind is not projected, nor are its relationships.
        LiveWalkGraph cancelled = live.with(List.of(commit(
                List.of(new NodeChange(30, ShopLabel.ORDER.bit(), Change.CREATED, "o9", "cancellation", Set.of())),
                List.of(relationship(9, EdgeKind.CONTAINS, 30, 1, Change.CREATED, 1.0)))));
        assertThat(cancelled.newNodes()).isZero();
        assertThat(cancelled.newRelationships()).isZero();
    }
}
