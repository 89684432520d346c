package io.shopgraph.plugin.live.changes;

import java.util.Set;

/**
 * A node of a {@link ShopLabel} created or deleted, or one whose watched properties or labels
 * changed ({@link GraphChanges} names the watched properties).
 *
 * @param id the node's internal id (a join key, never a public id)
 * @param labels a mask of its {@link ShopLabel#bit() label bits}: after the transaction, or
 *     before it when deleted
 * @param change created, deleted or changed
 * @param key its business key ({@link ShopLabel#key()} of its first label in enum order) as a
 *     string, or null when it has none; before the transaction when deleted
 * @param kind its {@code kind} property when it is a string (orders: 'order', 'cancellation',
 *     ...), else null
 * @param properties the watched properties that changed (empty unless {@code CHANGED}); a
 *     changed label is the entry {@code ":label"}
 */
public record NodeChange(long id, int labels, Change change, String key, String kind, Set<String> properties) {

    /** The entry of {@link #properties} for a label added or removed. */
    public static final String LABEL = ":label";

    /** Whether it has this label. */
    public boolean is(ShopLabel label) {
        return (labels & label.bit()) != 0;
    }
}
