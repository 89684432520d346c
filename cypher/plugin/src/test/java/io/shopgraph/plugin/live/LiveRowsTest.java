package io.shopgraph.plugin.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopgraph.plugin.live.LiveEvent.Type;
import io.shopgraph.plugin.load.ChunkRows;
import io.shopgraph.plugin.load.ChunkRows.CategoryRow;
import io.shopgraph.plugin.load.ChunkRows.ItemRow;
import io.shopgraph.plugin.load.ChunkRows.Line;
import io.shopgraph.plugin.load.ChunkRows.OrderRow;
import io.shopgraph.plugin.load.ChunkRows.Pair;
import io.shopgraph.plugin.load.ChunkRows.SessionRow;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Events aggregate into the chunk rows a file of the same events gives (BatchBuilder's rules). */
class LiveRowsTest {

    private static LiveEvent e(long t, Type type, String item, String session, String user, Double price,
                               long quantity, String order, String brand, String category) {
        return new LiveEvent("e" + t, t, type, item, session, user, price, quantity, order, brand, category);
    }

    @Test
    void sessionsOrdersItemsAndCategoriesAreAggregatedAndSortedByKey() {
        List<LiveEvent> events = List.of(
                e(30, Type.VIEW, "i2", "s2", "u1", 5.0, 1, null, "acme", "a.b"),
                e(10, Type.VIEW, "i1", "s1", null, null, 1, null, null, null),
                e(20, Type.VIEW, "i1", "s1", "u1", 2.0, 1, null, null, "a"),
                e(40, Type.CART, "i1", "s1", "u1", null, 1, null, "zeta", null),
                e(50, Type.PURCHASE, "i1", "s1", "u1", 3.0, 2, null, null, null),
                e(45, Type.PURCHASE, "i2", "s1", null, null, 1, null, null, null),
                e(60, Type.PURCHASE, "i1", "s1", "u2", null, 1, null, null, null),
                e(70, Type.PURCHASE, "i2", "s2", null, 4.0, 1, "o7", null, null),
                e(80, Type.REMOVE_FROM_CART, "i2", "s2", null, null, 1, null, null, null));

        ChunkRows rows = LiveRows.of(events, Map.of("s1", Map.of("i1", 3L, "i2", 4L), "o7", Map.of("i2", 0L)));

        assertThat(rows.categories()).containsExactly(new CategoryRow("a", "a", 1L, null),
                new CategoryRow("a.b", "b", 2L, "a"));
        assertThat(rows.items()).containsExactly(new ItemRow("i1", 3.0, null, null, "zeta", "a"),
                new ItemRow("i2", 4.0, null, null, "acme", "a.b"));
        assertThat(rows.sessions()).containsExactly(
                new SessionRow("s1", 10L, 60L, 6, List.of("u1", "u2"),
                        List.of(new Pair("i1", 2, 10L, 20L)), List.of(new Pair("i1", 1, 40L, 40L)), List.of()),
                new SessionRow("s2", 30L, 80L, 3, List.of("u1"), List.of(new Pair("i2", 1, 30L, 30L)),
                        List.of(), List.of(new Pair("i2", 1, 80L, 80L))));
        assertThat(rows.orders()).containsExactly(
                new OrderRow("o7", 70L, "order", "live", List.of(), List.of("s2"),
                        List.of(new Line("i2", 1, 1, 4.0, 0L))),
                new OrderRow("s1", 45L, "order", "live", List.of("u1", "u2"), List.of("s1"),
                        List.of(new Line("i1", 3, 2, 3.0, 3L), new Line("i2", 1, 1, null, 4L))));
    }
}
