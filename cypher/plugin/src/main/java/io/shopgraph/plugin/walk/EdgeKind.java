package io.shopgraph.plugin.walk;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The relationship types a walk follows, with their endpoints and default type weights.
 *
 * <p>Walks follow every type in both directions. A step picks an edge with probability
 * proportional to the relationship's {@code weight} property times the type weight of its
 * type (config {@code typeWeights}). Defaults favour strong signals: a purchase ties two items
 * more than a cart add, a cart add more than a view, and the catalogue edges (brand,
 * category) only matter where behaviour is sparse. {@code REMOVED_FROM_CART} is off by
 * default: a removal is no evidence of interest, and the cart add before it is already an
 * {@code ADDED_TO_CART} edge.
 */
public enum EdgeKind {
    VIEWED(NodeKind.SESSION, NodeKind.ITEM, 1.0),
    ADDED_TO_CART(NodeKind.SESSION, NodeKind.ITEM, 2.0),
    REMOVED_FROM_CART(NodeKind.SESSION, NodeKind.ITEM, 0.0),
    CONTAINS(NodeKind.ORDER, NodeKind.ITEM, 3.0),
    HAS_BRAND(NodeKind.ITEM, NodeKind.BRAND, 0.3),
    IN_CATEGORY(NodeKind.ITEM, NodeKind.CATEGORY, 0.2),
    HAS_SESSION(NodeKind.USER, NodeKind.SESSION, 0.5),
    PLACED(NodeKind.USER, NodeKind.ORDER, 0.5);

    private static final EdgeKind[] VALUES = values();

    private final NodeKind from;
    private final NodeKind to;
    private final double defaultWeight;

    EdgeKind(NodeKind from, NodeKind to, double defaultWeight) {
        this.from = from;
        this.to = to;
        this.defaultWeight = defaultWeight;
    }

    /** The start node kind of the stored relationship, e.g. {@code SESSION} for {@code VIEWED}. */
    public NodeKind from() {
        return from;
    }

    /** The end node kind of the stored relationship, e.g. {@code ITEM} for {@code VIEWED}. */
    public NodeKind to() {
        return to;
    }

    /** The type weight used when config {@code typeWeights} does not name this type. */
    public double defaultWeight() {
        return defaultWeight;
    }

    /** The type weights of all kinds, indexed by ordinal, with no overrides. */
    public static double[] defaultWeights() {
        return Arrays.stream(VALUES).mapToDouble(EdgeKind::defaultWeight).toArray();
    }

    /** The kind of a relationship type name such as {@code "VIEWED"}, if it is one. */
    public static Optional<EdgeKind> byName(String type) {
        for (EdgeKind kind : VALUES) {
            if (kind.name().equals(type)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** All type names, comma separated, for error messages. */
    public static String names() {
        return Arrays.stream(VALUES).map(Enum::name).collect(Collectors.joining(", "));
    }

    static EdgeKind of(int ordinal) {
        return VALUES[ordinal];
    }
}
