package io.shopgraph.plugin.model;

import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.neo4j.graphdb.Label;

/** The nodes embeddings are written to: a label, its business key, and the slot properties. */
public enum EmbeddingTarget {
    /** Items, found by {@code itemId}. */
    ITEM("Item", "itemId"),
    /** Users, found by {@code userId}. */
    USER("User", "userId");

    /** The properties of the two model slots (see graph/models.py). */
    public static final List<String> PROPERTIES = List.of("embeddingA", "embeddingB");

    private final Label label;
    private final String key;

    EmbeddingTarget(String label, String key) {
        this.label = Label.label(label);
        this.key = key;
    }

    /** The label. */
    public Label label() {
        return label;
    }

    /** The business key property. */
    public String key() {
        return key;
    }

    /**
     * The target of a label name.
     *
     * @param label {@code Item} or {@code User}
     * @return its target
     * @throws ShopgraphException for any other name
     */
    public static EmbeddingTarget of(String label) {
        return Arrays.stream(values()).filter(t -> t.label.name().equals(label)).findFirst()
                .orElseThrow(() -> ShopgraphException.badArgument("label must be one of "
                        + Arrays.stream(values()).map(t -> t.label.name()).collect(Collectors.joining(", "))
                        + ", got " + CypherValues.describe(label) + "."));
    }

    /**
     * Checks a slot property name.
     *
     * @param property {@code embeddingA} or {@code embeddingB}
     * @return the name
     * @throws ShopgraphException for any other name
     */
    public static String property(String property) {
        if (!PROPERTIES.contains(property)) {
            throw ShopgraphException.badArgument("property must be one of " + String.join(", ", PROPERTIES)
                    + ", got " + CypherValues.describe(property) + ".");
        }
        return property;
    }
}
