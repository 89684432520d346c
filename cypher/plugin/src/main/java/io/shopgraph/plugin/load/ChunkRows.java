package io.shopgraph.plugin.load;

import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rows of one chunk of a load, read from the parameter maps that the Python loader sends
 * (the shapes of {@code shopgraph.loaders.batch.GraphBatch}, the same rows that the reference
 * statements {@code cypher/merge_*.cypher} take). Plain Java, no Neo4j: every field is checked
 * here, so a malformed row fails the whole chunk before anything is written, with a
 * {@link ShopgraphException} of code {@code BAD_INPUT} whose details give the row's index in its
 * list and the field.
 *
 * @param categories {@code {code, name, level, parent}}, parents first
 * @param items {@code {id, price, categoryId, name, brand, category}}
 * @param sessions {@code {id, start, end, n, users, views, carts, removals}}
 * @param orders {@code {id, at, kind, source, users, sessions, lines}}
 */
public record ChunkRows(List<CategoryRow> categories, List<ItemRow> items,
                        List<SessionRow> sessions, List<OrderRow> orders) {

    /** A category; {@code parent} is null at the root. */
    public record CategoryRow(String code, String name, Long level, String parent) { }

    /** An item; every field but {@code id} may be null (then the stored value is kept). */
    public record ItemRow(String id, Object price, String categoryId, String name, String brand,
                          String category) { }

    /** Views, cart adds or removals of one item in a session; times are epoch ms or null. */
    public record Pair(String item, long count, Long first, Long last) { }

    /** A session with its users and its aggregated events; times are epoch ms or null. */
    public record SessionRow(String id, Long start, Long end, long n, List<String> users,
                             List<Pair> views, List<Pair> carts, List<Pair> removals) { }

    /**
     * One line of an order: quantity and number of lines add up; price may be null; position
     * (the place of the item's first line in the file) keeps the smallest, and may be null.
     */
    public record Line(String item, long quantity, long lines, Object price, Long position) { }

    /** An order with its users, sessions and lines; {@code at} is epoch ms or null. */
    public record OrderRow(String id, Long at, String kind, String source, List<String> users,
                           List<String> sessions, List<Line> lines) { }

    /**
     * Reads the four row lists of a chunk.
     *
     * @throws ShopgraphException naming the list and the field of the first malformed value,
     *     with the row's index and the field in its details
     */
    public static ChunkRows parse(List<Map<String, Object>> categories,
                                  List<Map<String, Object>> items,
                                  List<Map<String, Object>> sessions,
                                  List<Map<String, Object>> orders) {
        List<CategoryRow> cats = new ArrayList<>(size(categories));
        for (Row r : rows("categories", categories)) {
            cats.add(new CategoryRow(r.string("code", false), r.string("name", true),
                    r.integer("level", true), r.string("parent", true)));
        }
        List<ItemRow> its = new ArrayList<>(size(items));
        for (Row r : rows("items", items)) {
            its.add(new ItemRow(r.string("id", false), r.number("price"),
                    r.string("categoryId", true), r.string("name", true),
                    r.string("brand", true), r.string("category", true)));
        }
        List<SessionRow> sess = new ArrayList<>(size(sessions));
        for (Row r : rows("sessions", sessions)) {
            sess.add(new SessionRow(r.string("id", false), r.integer("start", true),
                    r.integer("end", true), r.integer("n", false), r.strings("users"),
                    r.pairs("views"), r.pairs("carts"), r.pairs("removals")));
        }
        List<OrderRow> ords = new ArrayList<>(size(orders));
        for (Row r : rows("orders", orders)) {
            ords.add(new OrderRow(r.string("id", false), r.integer("at", true),
                    r.string("kind", true), r.string("source", true), r.strings("users"),
                    r.strings("sessions"), r.lines("lines")));
        }
        return new ChunkRows(cats, its, sess, ords);
    }

    private static int size(List<?> list) {
        return list == null ? 0 : list.size();
    }

    private static List<Row> rows(String list, List<Map<String, Object>> maps) {
        if (maps == null) {
            return List.of();
        }
        List<Row> out = new ArrayList<>(maps.size());
        for (int i = 0; i < maps.size(); i++) {
            Map<String, Object> map = maps.get(i);
            if (map == null) {
                throw ShopgraphException.badInput("A row of " + list + " must be a map, got null.", i, null);
            }
            out.add(new Row(list, i, map));
        }
        return out;
    }

    /** One parameter map with the place it came from, for error messages. */
    private record Row(String list, int index, Map<String, Object> map) {

        private ShopgraphException bad(String field, String expected, Object got) {
            return ShopgraphException.badInput("Field " + field + " of a row of " + list + " must be "
                    + expected + ", got " + CypherValues.describe(got) + ".", index, field);
        }

        String string(String field, boolean nullable) {
            Object v = map.get(field);
            if (v == null && nullable) {
                return null;
            }
            if (v instanceof String s) {
                return s;
            }
            throw bad(field, nullable ? "a string or null" : "a string", v);
        }

        Long integer(String field, boolean nullable) {
            Object v = map.get(field);
            if (v == null && nullable) {
                return null;
            }
            if (v instanceof Long l) {
                return l;
            }
            throw bad(field, nullable ? "an integer or null" : "an integer", v);
        }

        Object number(String field) {
            Object v = map.get(field);
            if (v == null || v instanceof Long || v instanceof Double) {
                return v;
            }
            throw bad(field, "a number or null", v);
        }

        List<String> strings(String field) {
            Object v = map.get(field);
            if (v instanceof List<?> list) {
                List<String> out = new ArrayList<>(list.size());
                for (Object o : list) {
                    if (!(o instanceof String s)) {
                        throw bad(field, "a list of strings", v);
                    }
                    out.add(s);
                }
                return out;
            }
            throw bad(field, "a list of strings", v);
        }

        List<Pair> pairs(String field) {
            List<List<?>> tuples = tuples(field, "a list of [item, count, first, last]");
            List<Pair> out = new ArrayList<>(tuples.size());
            for (List<?> t : tuples) {
                if (t.size() != 4 || !(t.get(0) instanceof String item)
                        || !(t.get(1) instanceof Long count) || !nullableLong(t.get(2))
                        || !nullableLong(t.get(3))) {
                    throw bad(field, "a list of [item, count, first, last]", t);
                }
                out.add(new Pair(item, count, (Long) t.get(2), (Long) t.get(3)));
            }
            return out;
        }

        List<Line> lines(String field) {
            String expected = "a list of [item, quantity, lines, price, position]";
            List<List<?>> tuples = tuples(field, expected);
            List<Line> out = new ArrayList<>(tuples.size());
            for (List<?> t : tuples) {
                Object price = t.size() == 5 ? t.get(3) : null;
                if (t.size() != 5 || !(t.get(0) instanceof String item)
                        || !(t.get(1) instanceof Long quantity) || !(t.get(2) instanceof Long lines)
                        || !(price == null || price instanceof Long || price instanceof Double)
                        || !nullableLong(t.get(4))) {
                    throw bad(field, expected, t);
                }
                out.add(new Line(item, quantity, lines, price, (Long) t.get(4)));
            }
            return out;
        }

        private List<List<?>> tuples(String field, String expected) {
            Object v = map.get(field);
            if (!(v instanceof List<?> list)) {
                throw bad(field, expected, v);
            }
            List<List<?>> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof List<?> t)) {
                    throw bad(field, expected, o);
                }
                out.add(t);
            }
            return out;
        }

        private static boolean nullableLong(Object o) {
            return o == null || o instanceof Long;
        }
    }
}
