package io.shopgraph.plugin.walk;

import java.util.SplittableRandom;

/**
 * What {@link PixieWalker} walks: items by business id, and random steps from node to node.
 * {@link WalkGraph} is one built from the whole graph; {@link LiveWalkGraph} one with the nodes
 * and relationships written since laid over it.
 */
public interface Walkable {

    /** The item index of a business id, or -1 when the projection has no such item. */
    int itemIndex(String itemId);

    /** The business id of an item index. */
    String itemId(int item);

    /** An upper bound of the item indices (for sizing bit sets). */
    int itemCount();

    /** Whether a node index is an item. */
    boolean isItem(int node);

    /** Number of an item's relationships whose kind has a positive weight in {@code typeWeights}. */
    int degree(int item, double[] typeWeights);

    /** The largest degree of any item (0 without items). */
    int maxItemDegree();

    /**
     * One random step: a neighbour of {@code node}, drawn with probability proportional to the
     * relationship's weight times its kind's type weight.
     *
     * @param node a node index
     * @param typeWeights type weight per {@link EdgeKind} ordinal, each at least 0
     * @param random the walk's random source
     * @return the neighbour's node index, or -1 when no relationship of positive weight leaves
     *     {@code node}
     */
    int step(int node, double[] typeWeights, SplittableRandom random);
}
