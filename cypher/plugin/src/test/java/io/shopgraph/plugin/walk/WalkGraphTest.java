package io.shopgraph.plugin.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WalkGraphTest {

    private static final double[] DEFAULTS = EdgeKind.defaultWeights();

    @Test
    void itemsComeFirstSortedByIdAndOtherKindsFollowInEnumOrder() {
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s2", "c", 1.0)
                .edge(EdgeKind.VIEWED, "s1", "a", 1.0)
                .edge(EdgeKind.HAS_BRAND, "b", "acme", 1.0)
                .edge(EdgeKind.HAS_SESSION, "u1", "s1", 1.0)
                .build();

        assertThat(graph.itemCount()).isEqualTo(3);
        assertThat(List.of(graph.itemId(0), graph.itemId(1), graph.itemId(2)))
                .containsExactly("a", "b", "c");
        assertThat(graph.itemIndex("c")).isEqualTo(2);
        assertThat(graph.itemIndex("nope")).isEqualTo(-1);
        assertThat(graph.firstNode(NodeKind.SESSION)).isEqualTo(3);
        assertThat(graph.nodeCount(NodeKind.SESSION)).isEqualTo(2);
        assertThat(graph.nodeCount(NodeKind.USER)).isEqualTo(1);
        assertThat(graph.nodeCount(NodeKind.BRAND)).isEqualTo(1);
        assertThat(graph.nodeCount()).isEqualTo(7);
        assertThat(graph.relationshipCount()).isEqualTo(4);
        assertThat(graph.isItem(2)).isTrue();
        assertThat(graph.isItem(3)).isFalse();
    }

    @Test
    void theSameKeyAddedTwiceIsOneNode() {
        WalkGraph.Builder builder = WalkGraph.builder();
        int first = builder.node(NodeKind.ITEM, "a");
        int again = builder.node(NodeKind.ITEM, "a");
        int session = builder.node(NodeKind.SESSION, "s1");
        builder.edge(EdgeKind.VIEWED, session, first, 1.0).edge(EdgeKind.VIEWED, session, again, 1.0);

        WalkGraph graph = builder.build();

        assertThat(first).isNotEqualTo(again);
        assertThat(graph.itemCount()).isEqualTo(1);
        assertThat(graph.degree(0)).isEqualTo(2);
    }

    @Test
    void relationshipsWithoutAFinitePositiveWeightAreNotStored() {
        WalkGraph.Builder builder = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "a", 0.0)
                .edge(EdgeKind.VIEWED, "s1", "b", -0.5)
                .edge(EdgeKind.VIEWED, "s1", "c", Double.NaN)
                .edge(EdgeKind.VIEWED, "s1", "d", Double.POSITIVE_INFINITY)
                .edge(EdgeKind.VIEWED, "s1", "e", 0.25);

        WalkGraph graph = builder.build();

        assertThat(builder.droppedEdges()).isEqualTo(4);
        assertThat(graph.relationshipCount()).isEqualTo(1);
        assertThat(graph.itemCount()).isEqualTo(5);
        assertThat(graph.degree(graph.itemIndex("a"))).isZero();
        assertThat(graph.degree(graph.itemIndex("e"))).isEqualTo(1);
        assertThat(graph.step(graph.itemIndex("a"), DEFAULTS, new SplittableRandom(1))).isEqualTo(-1);
    }

    @Test
    void aStepIsProportionalToRelationshipWeightTimesTypeWeight() {
        // From s1: a (VIEWED 1.0 x 1.0), b (VIEWED 3.0 x 1.0), c (ADDED_TO_CART 1.0 x 2.0):
        // masses 1, 3, 2, so probabilities 1/6, 1/2, 1/3.
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "a", 1.0)
                .edge(EdgeKind.VIEWED, "s1", "b", 3.0)
                .edge(EdgeKind.ADDED_TO_CART, "s1", "c", 1.0)
                .build();
        int s1 = graph.firstNode(NodeKind.SESSION);

        int[] counts = sample(graph, s1, DEFAULTS, 60_000);

        assertThat(counts[graph.itemIndex("a")] / 60_000.0).isCloseTo(1 / 6.0, within(0.01));
        assertThat(counts[graph.itemIndex("b")] / 60_000.0).isCloseTo(1 / 2.0, within(0.01));
        assertThat(counts[graph.itemIndex("c")] / 60_000.0).isCloseTo(1 / 3.0, within(0.01));
    }

    @Test
    void aTypeWeightOfZeroClosesThatRelationshipType() {
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "a", 1.0)
                .edge(EdgeKind.REMOVED_FROM_CART, "s1", "b", 1.0)
                .build();
        int s1 = graph.firstNode(NodeKind.SESSION);

        int[] counts = sample(graph, s1, DEFAULTS, 10_000);

        assertThat(counts[graph.itemIndex("a")]).isEqualTo(10_000);
        assertThat(counts[graph.itemIndex("b")]).isZero();
        assertThat(graph.degree(graph.itemIndex("b"), DEFAULTS)).isZero();
        assertThat(graph.degree(graph.itemIndex("b"))).isEqualTo(1);
    }

    @Test
    void aRelationshipOfWeightZeroIsNeverTraversed() {
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "trusted", 1.0)
                .edge(EdgeKind.VIEWED, "s1", "shill", 0.0)
                .edge(EdgeKind.VIEWED, "s1", "tiny", 1e-3)
                .build();
        int s1 = graph.firstNode(NodeKind.SESSION);

        int[] counts = sample(graph, s1, DEFAULTS, 100_000);

        assertThat(counts[graph.itemIndex("shill")]).isZero();
        assertThat(counts[graph.itemIndex("tiny")]).isPositive();
    }

    @Test
    void theLayoutAndTheWalksDoNotDependOnInsertionOrder() {
        List<String[]> edges = new ArrayList<>();
        for (int s = 0; s < 30; s++) {
            for (int i = 0; i < 5; i++) {
                edges.add(new String[] {"s" + s, "i" + ((s * 7 + i * 3) % 40), String.valueOf(1 + i % 3)});
            }
        }
        WalkGraph.Builder forward = WalkGraph.builder();
        WalkGraph.Builder backward = WalkGraph.builder();
        for (int e = 0; e < edges.size(); e++) {
            String[] f = edges.get(e);
            String[] b = edges.get(edges.size() - 1 - e);
            forward.edge(EdgeKind.VIEWED, f[0], f[1], Double.parseDouble(f[2]));
            backward.edge(EdgeKind.VIEWED, b[0], b[1], Double.parseDouble(b[2]));
        }
        WalkGraph one = forward.build();
        WalkGraph two = backward.build();
        SplittableRandom r1 = new SplittableRandom(7);
        SplittableRandom r2 = new SplittableRandom(7);
        int n1 = 0;
        int n2 = 0;
        for (int step = 0; step < 1000; step++) {
            n1 = one.step(n1, DEFAULTS, r1);
            n2 = two.step(n2, DEFAULTS, r2);
            assertThat(n1).isEqualTo(n2);
        }
    }

    @Test
    void degreeCountsRelationshipsOfPositivelyWeightedTypes() {
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "a", 1.0)
                .edge(EdgeKind.VIEWED, "s2", "a", 1.0)
                .edge(EdgeKind.CONTAINS, "o1", "a", 1.0)
                .edge(EdgeKind.HAS_BRAND, "a", "acme", 1.0)
                .edge(EdgeKind.IN_CATEGORY, "a", "tv", 1.0)
                .edge(EdgeKind.VIEWED, "s1", "b", 1.0)
                .build();
        double[] viewsOnly = new double[EdgeKind.values().length];
        viewsOnly[EdgeKind.VIEWED.ordinal()] = 1.0;

        assertThat(graph.degree(graph.itemIndex("a"))).isEqualTo(5);
        assertThat(graph.degree(graph.itemIndex("a"), viewsOnly)).isEqualTo(2);
        assertThat(graph.maxItemDegree()).isEqualTo(5);
        assertThat(graph.estimatedBytes()).isPositive();
    }

    private static int[] sample(WalkGraph graph, int from, double[] typeWeights, int n) {
        int[] counts = new int[graph.nodeCount()];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            counts[graph.step(from, typeWeights, random)]++;
        }
        return counts;
    }
}
