package io.shopgraph.plugin.walk;

import java.util.Objects;

/**
 * An item a walk starts from, with its query weight {@code w_q} (Pixie's weight of a query
 * pin: a share of the step budget, see {@link PixieWalker#budgets}).
 *
 * @param itemId the item's business id
 * @param weight its weight, finite and at least 0; 0 starts no walks
 */
public record QueryItem(String itemId, double weight) {
    public QueryItem {
        Objects.requireNonNull(itemId, "itemId");
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("The weight of query item " + itemId
                    + " must be a finite number of at least 0, got " + weight + ".");
        }
    }
}
