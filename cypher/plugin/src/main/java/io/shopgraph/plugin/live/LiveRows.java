package io.shopgraph.plugin.live;

import io.shopgraph.plugin.common.InputMap;
import io.shopgraph.plugin.load.ChunkRows;
import io.shopgraph.plugin.load.ChunkRows.CategoryRow;
import io.shopgraph.plugin.load.ChunkRows.ItemRow;
import io.shopgraph.plugin.load.ChunkRows.Line;
import io.shopgraph.plugin.load.ChunkRows.OrderRow;
import io.shopgraph.plugin.load.ChunkRows.Pair;
import io.shopgraph.plugin.load.ChunkRows.SessionRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Aggregates recorded events into the rows of a load chunk ({@link ChunkRows}), exactly as the
 * Python loaders' {@code BatchBuilder} aggregates the rows of a file, so that the load writer
 * ({@code ChunkWriter}) gives the graph a file load of the same events gives: per session its
 * start, end and number of events, its users, and per item the count, first and last time of
 * views, cart adds and removals; per order (the purchase's order id, else its session id) the
 * earliest purchase time, its users and sessions, and per item the quantity, the number of
 * purchase events, the last price given and the line's position. Items carry the last price,
 * brand and category code given; categories come with every prefix of their codes.
 *
 * <p>Rows are sorted by key (categories parents first), so concurrent writers lock keys in the
 * same order. Plain Java, no Neo4j.
 */
public final class LiveRows {

    /** The {@code source} of orders made from recorded events. */
    public static final String SOURCE = "live";

    private LiveRows() {}

    /**
     * The rows of {@code events}.
     *
     * @param events the events to write, in the order they happened to arrive
     * @param positions per order id and item id, the position of each line this batch starts
     *     (lines that exist already keep theirs); a line missing here gets none
     * @return the rows, sorted by key
     */
    public static ChunkRows of(List<LiveEvent> events, Map<String, Map<String, Long>> positions) {
        Map<String, ItemAgg> items = new TreeMap<>();
        Map<String, SessionAgg> sessions = new TreeMap<>();
        Map<String, OrderAgg> orders = new TreeMap<>();
        for (LiveEvent e : events) {
            items.computeIfAbsent(e.itemId(), id -> new ItemAgg()).add(e);
            SessionAgg session = sessions.computeIfAbsent(e.sessionId(), id -> new SessionAgg());
            session.add(e);
            if (e.type() == LiveEvent.Type.PURCHASE) {
                orders.computeIfAbsent(e.order(), id -> new OrderAgg()).add(e);
            }
        }
        Map<String, CategoryRow> categories = new TreeMap<>();
        List<ItemRow> itemRows = new ArrayList<>(items.size());
        items.forEach((id, agg) -> {
            if (agg.category != null) {
                String parent = null;
                long level = 1;
                for (String path : InputMap.categoryPath(agg.category)) {
                    String name = path.substring(path.lastIndexOf('.') + 1);
                    categories.putIfAbsent(path, new CategoryRow(path, name, level, parent));
                    parent = path;
                    level++;
                }
            }
            itemRows.add(new ItemRow(id, agg.price, null, null, agg.brand, agg.category));
        });
        List<CategoryRow> categoryRows = new ArrayList<>(categories.values());
        categoryRows.sort(Comparator.comparingLong(CategoryRow::level).thenComparing(CategoryRow::code));
        List<SessionRow> sessionRows = new ArrayList<>(sessions.size());
        sessions.forEach((id, s) -> sessionRows.add(new SessionRow(id, s.start, s.end, s.n,
                List.copyOf(s.users), pairs(s.views), pairs(s.carts), pairs(s.removals))));
        List<OrderRow> orderRows = new ArrayList<>(orders.size());
        orders.forEach((id, o) -> {
            Map<String, Long> placed = positions.getOrDefault(id, Map.of());
            List<Line> lines = new ArrayList<>(o.lines.size());
            o.lines.forEach((item, line) -> lines.add(new Line(item, line.quantity, line.lines, line.price,
                    placed.get(item))));
            orderRows.add(new OrderRow(id, o.at, "order", SOURCE, List.copyOf(o.users),
                    List.copyOf(o.sessions), lines));
        });
        return new ChunkRows(categoryRows, itemRows, sessionRows, orderRows);
    }

    private static List<Pair> pairs(Map<String, long[]> aggregates) {
        List<Pair> out = new ArrayList<>(aggregates.size());
        aggregates.forEach((item, a) -> out.add(new Pair(item, a[0], a[1], a[2])));
        return out;
    }

    private static final class ItemAgg {
        Double price;
        String brand;
        String category;

        void add(LiveEvent e) {
            if (e.price() != null) {
                price = e.price();
            }
            if (e.brand() != null) {
                brand = e.brand();
            }
            if (e.categoryCode() != null) {
                category = e.categoryCode();
            }
        }
    }

    private static final class SessionAgg {
        Long start;
        Long end;
        long n;
        final TreeSet<String> users = new TreeSet<>();
        /** Per item: count, first, last. */
        final Map<String, long[]> views = new LinkedHashMap<>();
        final Map<String, long[]> carts = new LinkedHashMap<>();
        final Map<String, long[]> removals = new LinkedHashMap<>();

        void add(LiveEvent e) {
            long t = e.time();
            start = start == null ? t : Math.min(start, t);
            end = end == null ? t : Math.max(end, t);
            n++;
            if (e.userId() != null) {
                users.add(e.userId());
            }
            Map<String, long[]> target = switch (e.type()) {
                case VIEW -> views;
                case CART -> carts;
                case REMOVE_FROM_CART -> removals;
                case PURCHASE -> null;
            };
            if (target == null) {
                return;
            }
            long[] a = target.get(e.itemId());
            if (a == null) {
                target.put(e.itemId(), new long[] {1, t, t});
            } else {
                a[0]++;
                a[1] = Math.min(a[1], t);
                a[2] = Math.max(a[2], t);
            }
        }
    }

    private static final class OrderAgg {
        Long at;
        final TreeSet<String> users = new TreeSet<>();
        final TreeSet<String> sessions = new TreeSet<>();
        final Map<String, LineAgg> lines = new LinkedHashMap<>();

        void add(LiveEvent e) {
            at = at == null ? e.time() : Math.min(at, e.time());
            if (e.userId() != null) {
                users.add(e.userId());
            }
            sessions.add(e.sessionId());
            LineAgg line = lines.computeIfAbsent(e.itemId(), id -> new LineAgg());
            line.quantity += e.quantity();
            line.lines++;
            if (e.price() != null) {
                line.price = e.price();
            }
        }
    }

    private static final class LineAgg {
        long quantity;
        long lines;
        Double price;
    }
}
