package io.shopgraph.plugin.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.common.ErrorCode;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the parameter rows of a chunk, without Neo4j. */
class ChunkRowsTest {

    static Map<String, Object> session(String id, Object n) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("start", 1000L);
        row.put("end", null);
        row.put("n", n);
        row.put("users", List.of("u1"));
        row.put("views", List.of(List.of("i1", 2L, 1000L, 2000L)));
        row.put("carts", List.of(Arrays.asList("i2", 1L, null, null)));
        row.put("removals", List.of());
        return row;
    }

    static Map<String, Object> order(List<?> line) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", "o1");
        row.put("at", null);
        row.put("kind", "order");
        row.put("source", "rees46");
        row.put("users", List.of());
        row.put("sessions", List.of("s1"));
        row.put("lines", List.of(line));
        return row;
    }

    @Test
    void readsEveryFieldWithNullsWhereAllowed() {
        Map<String, Object> item = new HashMap<>();
        item.put("id", "i1");
        item.put("price", 9.5);
        item.put("categoryId", null);
        item.put("name", null);
        item.put("brand", "acme");
        item.put("category", "a.b");
        Map<String, Object> category = new HashMap<>();
        category.put("code", "a");
        category.put("name", "a");
        category.put("level", 1L);
        category.put("parent", null);

        ChunkRows rows = ChunkRows.parse(List.of(category), List.of(item),
                List.of(session("s1", 3L)), List.of(order(Arrays.asList("i1", 2L, 1L, null, 4L))));

        assertThat(rows.categories()).containsExactly(new ChunkRows.CategoryRow("a", "a", 1L, null));
        assertThat(rows.items()).containsExactly(
                new ChunkRows.ItemRow("i1", 9.5, null, null, "acme", "a.b"));
        ChunkRows.SessionRow s = rows.sessions().get(0);
        assertThat(s.start()).isEqualTo(1000L);
        assertThat(s.end()).isNull();
        assertThat(s.n()).isEqualTo(3L);
        assertThat(s.views()).containsExactly(new ChunkRows.Pair("i1", 2L, 1000L, 2000L));
        assertThat(s.carts()).containsExactly(new ChunkRows.Pair("i2", 1L, null, null));
        assertThat(s.removals()).isEmpty();
        assertThat(rows.orders().get(0).lines()).containsExactly(new ChunkRows.Line("i1", 2L, 1L, null, 4L));
        assertThat(ChunkRows.parse(null, null, null, List.of(order(Arrays.asList("i1", 1L, 1L, 2.5, null))))
                .orders().get(0).lines()).containsExactly(new ChunkRows.Line("i1", 1L, 1L, 2.5, null));
    }

    @Test
    void nullListsAreEmpty() {
        ChunkRows rows = ChunkRows.parse(null, null, null, null);

        assertThat(rows.categories()).isEmpty();
        assertThat(rows.orders()).isEmpty();
    }

    @Test
    void aWrongTypeNamesTheListTheRowAndTheField() {
        List<Map<String, Object>> sessions = new ArrayList<>();
        sessions.add(session("s1", 1L));
        sessions.add(session("s2", "three"));

        assertThatThrownBy(() -> ChunkRows.parse(List.of(), List.of(), sessions, List.of()))
                .isInstanceOfSatisfying(ShopgraphException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.details()).containsExactly(Map.entry("index", 1), Map.entry("field", "n"));
                })
                .hasMessage("[shopgraph.bad_input {\"index\":1,\"field\":\"n\"}] Field n of a row of sessions"
                        + " must be an integer, got the string 'three'.");
    }

    @Test
    void aMissingKeyIsReported() {
        Map<String, Object> item = new HashMap<>();
        item.put("price", 1.0);

        assertThatThrownBy(() -> ChunkRows.parse(List.of(), List.of(item), List.of(), List.of()))
                .isInstanceOf(ShopgraphException.class)
                .hasMessage("[shopgraph.bad_input {\"index\":0,\"field\":\"id\"}] Field id of a row of items"
                        + " must be a string, got null.");
    }

    @Test
    void aMalformedPairOrLineIsReported() {
        Map<String, Object> bad = session("s1", 1L);
        bad.put("views", List.of(List.of("i1", 2L, 1000L)));

        assertThatThrownBy(() -> ChunkRows.parse(List.of(), List.of(), List.of(bad), List.of()))
                .isInstanceOf(ShopgraphException.class)
                .hasMessageEndingWith("] Field views of a row of sessions must be a list of [item, count, first,"
                        + " last], got the list ['i1', 2, 1000].");
        assertThatThrownBy(() -> ChunkRows.parse(List.of(), List.of(), List.of(),
                List.of(order(List.of("i1", 2L, 1L, "free", 0L)))))
                .isInstanceOf(ShopgraphException.class)
                .hasMessageContaining("] Field lines of a row of orders must be a list of [item,"
                        + " quantity, lines, price, position]");
        assertThatThrownBy(() -> ChunkRows.parse(List.of(), List.of(), List.of(),
                List.of(order(List.of("i1", 2L, 1L, 1.0, 0.5)))))
                .hasMessageEndingWith("] Field lines of a row of orders must be a list of [item, quantity, lines,"
                        + " price, position], got the list ['i1', 2, 1, 1.0, 0.5].");
        assertThatThrownBy(() -> ChunkRows.parse(List.of(), List.of(), List.of(),
                List.of(order(List.of("i1", 2L, 1L, 1.0)))))
                .hasMessageEndingWith("] Field lines of a row of orders must be a list of [item, quantity, lines,"
                        + " price, position], got the list ['i1', 2, 1, 1.0].");
    }
}
