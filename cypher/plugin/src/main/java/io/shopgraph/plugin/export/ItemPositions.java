package io.shopgraph.plugin.export;

import io.shopgraph.plugin.common.LongIntMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Numbers the items of an export 0, 1, 2, ... in the order they are first met, and remembers
 * which ids were numbered since the last {@link #drainNew()}.
 *
 * <p>Items are keyed by a {@code long} that is only valid within one read (the export uses
 * Neo4j's node id as a join key and never returns it); the position is what the rows carry,
 * with the business id beside it the first time.
 */
public final class ItemPositions {

    private static final int ABSENT = -1;
    private static final int EXCLUDED = -2;

    private final LongIntMap positions = new LongIntMap(1 << 16);
    private final List<String> fresh = new ArrayList<>();
    private int count;

    /**
     * The position of an item, numbering it when it is new.
     *
     * @param key the item's key within this read
     * @param node what {@code idOf} reads
     * @param idOf the item's business id, or null when it is not exported (not an item, or
     *     outside the categories); asked once per key
     * @param <T> the type of what the id is read from
     * @return the position, or -1 when the item is not exported
     */
    public <T> int position(long key, T node, Function<T, String> idOf) {
        int known = positions.get(key);
        if (known != ABSENT) {
            return known == EXCLUDED ? -1 : known;
        }
        String id = idOf.apply(node);
        if (id == null) {
            positions.put(key, EXCLUDED);
            return -1;
        }
        positions.put(key, count);
        fresh.add(id);
        return count++;
    }

    /** The ids numbered since the last call, in position order. */
    public List<String> drainNew() {
        List<String> out = List.copyOf(fresh);
        fresh.clear();
        return out;
    }
}
