package io.shopgraph.plugin.feedback;

import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.Locale;

/** What a shopper said about an item shown to them: the {@code kind} of a {@code REJECTED}. */
public enum FeedbackKind {
    /** "Not interested": the shopper asked not to see the item. */
    NOT_INTERESTED,
    /** The shopper closed or swiped the item away. */
    DISMISSED;

    /** The value as it travels and is stored: {@code not_interested}, {@code dismissed}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind of a value: "kind must be one of not_interested, dismissed, got the string 'x'."
     */
    public static FeedbackKind of(Object value) {
        for (FeedbackKind kind : values()) {
            if (kind.value().equals(value)) {
                return kind;
            }
        }
        throw ShopgraphException.badArgument("kind must be one of not_interested, dismissed, got "
                + CypherValues.describe(value) + ".");
    }
}
