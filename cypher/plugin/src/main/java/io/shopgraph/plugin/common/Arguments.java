package io.shopgraph.plugin.common;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks of the top-level procedure arguments shared by several procedures, with the same
 * sentence everywhere ({@link ConfigReader} checks config maps).
 */
public final class Arguments {

    /** The largest {@code k}, the number of items a serving procedure returns. */
    public static final int MAX_K = 1000;
    /** The default {@code k} of every serving procedure. */
    public static final int DEFAULT_K = 10;
    /** The most distinct items of a cart or a query. */
    public static final int MAX_ITEMS = 50;

    private Arguments() {}

    /**
     * Checks {@code k}: "k must be between 1 and 1000, got 0."
     *
     * @return k as an int
     */
    public static int k(long k) {
        if (k < 1 || k > MAX_K) {
            throw ShopgraphException.badArgument("k must be between 1 and " + MAX_K + ", got " + k + ".");
        }
        return (int) k;
    }

    /**
     * Checks an id argument: "userId must be a non-empty id, got an empty string."
     *
     * @param name the argument's name
     * @param value its value
     * @return the id
     */
    public static String id(String name, Object value) {
        if (!(value instanceof String id) || id.isBlank()) {
            throw ShopgraphException.badArgument(name + " must be a non-empty id, got "
                    + CypherValues.describe(value) + ".");
        }
        return id;
    }

    /**
     * Checks a list of ids and drops repeats: every element a non-empty id ("cart must hold
     * non-empty ids, got null at position 2."), and 1 to {@value #MAX_ITEMS} distinct ones
     * ("A cart must have 1 to 50 items, got 51.").
     *
     * @param name the argument's name, e.g. {@code cart}
     * @param what what the list is in the size sentence, e.g. {@code cart}
     * @param values the list given
     * @return the distinct ids, in the order first given
     */
    public static List<String> items(String name, String what, List<?> values) {
        if (values == null) {
            throw ShopgraphException.badArgument(name + " must be a list of 1 to " + MAX_ITEMS
                    + " item ids, got null.");
        }
        List<String> ids = ids(name, values);
        if (ids.isEmpty() || ids.size() > MAX_ITEMS) {
            throw ShopgraphException.badArgument("A " + what + " must have 1 to " + MAX_ITEMS
                    + " items, got " + ids.size() + ".");
        }
        return ids;
    }

    /**
     * Checks that every element of a list is a non-empty id ("users must hold non-empty ids,
     * got null at position 2."), and drops repeats.
     *
     * @param name the argument's name
     * @param values the list given, not null
     * @return the distinct ids, in the order first given
     */
    public static List<String> ids(String name, List<?> values) {
        Set<String> ids = new LinkedHashSet<>();
        for (int n = 0; n < values.size(); n++) {
            Object value = values.get(n);
            if (!(value instanceof String id) || id.isBlank()) {
                throw ShopgraphException.badArgument(name + " must hold non-empty ids, got "
                        + CypherValues.describe(value) + " at position " + (n + 1) + ".");
            }
            ids.add(id);
        }
        return List.copyOf(ids);
    }
}
