package io.shopgraph.plugin.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopgraph.plugin.load.ChunkRows.CategoryRow;
import io.shopgraph.plugin.load.ChunkRows.ItemRow;
import io.shopgraph.plugin.load.ChunkRows.Line;
import io.shopgraph.plugin.load.ChunkRows.OrderRow;
import io.shopgraph.plugin.load.ChunkRows.Pair;
import io.shopgraph.plugin.load.ChunkRows.SessionRow;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Entity;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.Transaction;

/**
 * The ceiling of transactional loading: how fast this Neo4j, in this process (no Bolt, no
 * Cypher, no Python), creates the graph of a load, one transaction per chunk, and what each part
 * of it costs. Not a test: run by hand through {@code benchmarks/load_ceiling.py}, which writes
 * the chunks (the rows the Python loader sends, one JSON line per chunk) and runs one fresh JVM
 * and empty database per variant:
 *
 * <ul>
 *   <li>{@code shipped}: {@link ChunkWriter} as {@code shopgraph.load.chunk} runs it, with the
 *       constraints and indexes of {@code cypher/schema.cypher};
 *   <li>{@code map-lookups}: the same nodes, relationships and property values, with node ids
 *       from an in-memory map instead of index seeks (schema kept);
 *   <li>{@code no-schema}: the same without any constraint or index;
 *   <li>{@code keys-only}: no schema and no property but the business keys: the structure alone.
 * </ul>
 *
 * <p>The last three write with {@link MapWriter}, valid only for one load into an empty database.
 * Prints one line {@code CEILING {json}}: seconds of writing and of committing, CPU seconds of
 * the process and of its thread groups ({@code main}, {@code gc}, {@code jit}; from
 * {@code /proc/self/task}), store and transaction log sizes, nodes and relationships.
 *
 * <pre>
 * java -Xmx2g -XX:+UseParallelGC -cp TEST_CLASSPATH io.shopgraph.plugin.load.LoadCeiling \
 *     VARIANT CHUNKS.jsonl DB_DIR [neo4j.setting=value ...]
 * </pre>
 */
public final class LoadCeiling {

    private static final String[] CONSTRAINTS = {
        "CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.userId IS UNIQUE",
        "CREATE CONSTRAINT item_id IF NOT EXISTS FOR (n:Item) REQUIRE n.itemId IS UNIQUE",
        "CREATE CONSTRAINT brand_name IF NOT EXISTS FOR (n:Brand) REQUIRE n.name IS UNIQUE",
        "CREATE CONSTRAINT category_code IF NOT EXISTS FOR (n:Category) REQUIRE n.code IS UNIQUE",
        "CREATE CONSTRAINT session_id IF NOT EXISTS FOR (n:Session) REQUIRE n.sessionId IS UNIQUE",
        "CREATE CONSTRAINT order_id IF NOT EXISTS FOR (n:Order) REQUIRE n.orderId IS UNIQUE",
        "CREATE INDEX session_start IF NOT EXISTS FOR (n:Session) ON (n.start)",
        "CREATE INDEX order_at IF NOT EXISTS FOR (n:Order) ON (n.at)",
        "CREATE INDEX order_kind IF NOT EXISTS FOR (n:Order) ON (n.kind)",
        "CREATE INDEX category_level IF NOT EXISTS FOR (n:Category) ON (n.level)",
    };

    private LoadCeiling() {}

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        java.nio.file.Path chunks = java.nio.file.Path.of(args[1]);
        java.nio.file.Path home = java.nio.file.Path.of(args[2]);
        Map<String, String> conf = new TreeMap<>(Map.of(
                "server.memory.pagecache.size", "1g", "db.tx_log.rotation.retention_policy", "2 files"));
        for (int i = 3; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            conf.put(kv[0], kv[1]);
        }
        if (!List.of("shipped", "map-lookups", "no-schema", "keys-only").contains(variant)) {
            throw new IllegalArgumentException("variant must be shipped, map-lookups, no-schema or keys-only, got "
                    + variant + ".");
        }
        java.nio.file.Path confFile = home.resolve("conf").resolve("neo4j.conf");
        Files.createDirectories(confFile.getParent());
        StringBuilder text = new StringBuilder();
        conf.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(confFile, text);
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home).loadPropertiesFromFile(confFile).build();
        GraphDatabaseService db = dbms.database("neo4j");
        if (variant.equals("shipped") || variant.equals("map-lookups")) {
            for (String statement : CONSTRAINTS) {
                db.executeTransactionally(statement);
            }
            db.executeTransactionally("CALL db.awaitIndexes(300)");
        }
        MapWriter mapWriter = variant.equals("shipped") ? null : new MapWriter(variant.equals("keys-only"));
        ObjectMapper json = new ObjectMapper();
        long readNs = 0;
        long writeNs = 0;
        long commitNs = 0;
        long events = 0;
        int n = 0;
        Map<String, Long> before = threadTicks();
        long started = System.nanoTime();
        try (BufferedReader in = Files.newBufferedReader(chunks)) {
            String line;
            while ((line = in.readLine()) != null) {
                long t0 = System.nanoTime();
                @SuppressWarnings("unchecked")
                Map<String, Object> chunk = (Map<String, Object>) longs(json.readValue(line, Map.class));
                ChunkRows rows = ChunkRows.parse(rows(chunk, "categories"), rows(chunk, "items"),
                        rows(chunk, "sessions"), rows(chunk, "orders"));
                events += ((Number) chunk.getOrDefault("events", 0L)).longValue();
                long t1 = System.nanoTime();
                try (Transaction tx = db.beginTx()) {
                    if (mapWriter == null) {
                        new ChunkWriter(tx).write(rows);
                    } else {
                        mapWriter.write(tx, rows);
                    }
                    long t2 = System.nanoTime();
                    tx.commit();
                    commitNs += System.nanoTime() - t2;
                    writeNs += t2 - t1;
                }
                readNs += t1 - t0;
                n++;
            }
        }
        double seconds = (System.nanoTime() - started - readNs) / 1e9;
        Map<String, Long> after = threadTicks();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("variant", variant);
        out.put("chunks", n);
        out.put("events", events);
        out.put("seconds", seconds);
        out.put("write_s", writeNs / 1e9);
        out.put("commit_s", commitNs / 1e9);
        out.put("json_s", readNs / 1e9);
        for (String group : List.of("main", "gc", "jit", "other")) {
            out.put("cpu_" + group, (after.getOrDefault(group, 0L) - before.getOrDefault(group, 0L)) / 100.0);
        }
        try (Transaction tx = db.beginTx()) {
            out.put("nodes", tx.execute("MATCH (n) RETURN count(n) AS c").next().get("c"));
            out.put("relationships", tx.execute("MATCH ()-->() RETURN count(*) AS c").next().get("c"));
        }
        out.put("conf", conf);
        dbms.shutdown();
        out.put("store_mib", size(home.resolve("data").resolve("databases")) / 1048576.0);
        out.put("tx_log_mib", size(home.resolve("data").resolve("transactions")) / 1048576.0);
        System.out.println("CEILING " + json.writeValueAsString(out));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Map<String, Object> chunk, String key) {
        return (List<Map<String, Object>>) chunk.get(key);
    }

    /** JSON numbers come back as Integer when small; Bolt sends every integer as a Long. */
    private static Object longs(Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new HashMap<>();
            map.forEach((k, v) -> out.put(k, longs(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(LoadCeiling::longs).toList();
        }
        return value;
    }

    /** CPU ticks of this process's threads by group: main (the writer), gc, jit, other. */
    private static Map<String, Long> threadTicks() throws IOException {
        Map<String, Long> out = new HashMap<>();
        try (Stream<java.nio.file.Path> tasks = Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
                String name;
                String[] stat;
                try {
                    name = Files.readString(task.resolve("comm")).trim();
                    stat = Files.readString(task.resolve("stat")).split("\\) ", 2)[1].split(" ");
                } catch (IOException ended) {
                    continue;
                }
                String group = name.equals("main") || name.equals("java") ? "main"
                        : name.startsWith("GC Thread") || name.startsWith("VM Thread") ? "gc"
                        : name.contains("Compiler") ? "jit" : "other";
                out.merge(group, Long.parseLong(stat[11]) + Long.parseLong(stat[12]), Long::sum);
            }
        }
        return out;
    }

    private static long size(java.nio.file.Path folder) throws IOException {
        try (Stream<java.nio.file.Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /**
     * The nodes, relationships and property values of {@link ChunkWriter} for one load into an
     * empty database, with node ids kept in memory: no index seek, and no schema needed. With
     * {@code keysOnly} it stores the business keys and no other property.
     */
    static final class MapWriter {

        private final boolean keysOnly;
        private final Map<Label, Map<String, Long>> ids = new HashMap<>();
        private Transaction tx;

        MapWriter(boolean keysOnly) {
            this.keysOnly = keysOnly;
        }

        private record Merged(Node node, boolean created) { }

        void write(Transaction transaction, ChunkRows rows) {
            tx = transaction;
            rows.categories().forEach(this::category);
            rows.items().forEach(this::item);
            rows.sessions().forEach(this::session);
            rows.orders().forEach(this::order);
        }

        @SuppressWarnings("removal")
        private Node find(Label label, String value) {
            Long id = ids.computeIfAbsent(label, l -> new HashMap<>()).get(value);
            return id == null ? null : tx.getNodeById(id);
        }

        @SuppressWarnings("removal")
        private Merged merge(Label label, String key, String value) {
            Node node = find(label, value);
            if (node != null) {
                return new Merged(node, false);
            }
            node = tx.createNode(label);
            node.setProperty(key, value);
            ids.get(label).put(value, node.getId());
            return new Merged(node, true);
        }

        private void set(Entity entity, String key, Object value) {
            if (!keysOnly && value != null) {
                entity.setProperty(key, value);
            }
        }

        private void relateOnce(Merged from, RelationshipType type, Node to) {
            if (from.created() || !outgoing(from.node(), type).containsKey(to)) {
                from.node().createRelationshipTo(to, type);
            }
        }

        private static Map<Node, Relationship> outgoing(Node node, RelationshipType type) {
            Map<Node, Relationship> out = new HashMap<>();
            try (ResourceIterable<Relationship> rels = node.getRelationships(Direction.OUTGOING, type)) {
                rels.forEach(r -> out.put(r.getEndNode(), r));
            }
            return out;
        }

        private void category(CategoryRow row) {
            Merged c = merge(ChunkWriter.CATEGORY, "code", row.code());
            if (c.created()) {
                set(c.node(), "name", row.name());
                set(c.node(), "level", row.level());
            }
            Node parent = row.parent() == null ? null : find(ChunkWriter.CATEGORY, row.parent());
            if (parent != null) {
                relateOnce(c, ChunkWriter.CHILD_OF, parent);
            }
        }

        private void item(ItemRow row) {
            Merged i = merge(ChunkWriter.ITEM, "itemId", row.id());
            set(i.node(), "price", row.price());
            set(i.node(), "categoryId", row.categoryId());
            set(i.node(), "name", row.name());
            if (row.brand() != null) {
                relateOnce(i, ChunkWriter.HAS_BRAND, merge(ChunkWriter.BRAND, "name", row.brand()).node());
            }
            Node category = row.category() == null ? null : find(ChunkWriter.CATEGORY, row.category());
            if (category != null) {
                relateOnce(i, ChunkWriter.IN_CATEGORY, category);
            }
        }

        private void session(SessionRow row) {
            Merged s = merge(ChunkWriter.SESSION, "sessionId", row.id());
            if (s.created()) {
                set(s.node(), "start", ChunkWriter.time(row.start()));
                set(s.node(), "end", ChunkWriter.time(row.end()));
                set(s.node(), "events", row.n());
            } else if (!keysOnly) {
                keep(s.node(), "start", row.start(), true);
                keep(s.node(), "end", row.end(), false);
                s.node().setProperty("events", (Long) s.node().getProperty("events") + row.n());
            }
            for (String user : row.users()) {
                Merged u = merge(ChunkWriter.USER, "userId", user);
                boolean exists = false;
                if (!u.created() && !s.created()) {
                    try (ResourceIterable<Relationship> rels =
                            s.node().getRelationships(Direction.INCOMING, ChunkWriter.HAS_SESSION)) {
                        for (Relationship r : rels) {
                            exists |= r.getStartNode().equals(u.node());
                        }
                    }
                }
                if (!exists) {
                    u.node().createRelationshipTo(s.node(), ChunkWriter.HAS_SESSION);
                }
            }
            aggregate(s, ChunkWriter.VIEWED, row.views());
            aggregate(s, ChunkWriter.ADDED_TO_CART, row.carts());
            aggregate(s, ChunkWriter.REMOVED_FROM_CART, row.removals());
        }

        /** Stores the time when it is earlier ({@code earliest}) or later than the stored one. */
        private void keep(Entity entity, String key, Long millis, boolean earliest) {
            java.time.ZonedDateTime value = ChunkWriter.time(millis);
            if (value == null) {
                return;
            }
            Object stored = entity.getProperty(key, null);
            int order = stored == null ? 0 : value.compareTo((java.time.ZonedDateTime) stored);
            if (stored == null || (earliest ? order < 0 : order > 0)) {
                entity.setProperty(key, value);
            }
        }

        private void aggregate(Merged session, RelationshipType type, List<Pair> pairs) {
            Map<Node, Relationship> existing = session.created() ? Map.of() : outgoing(session.node(), type);
            for (Pair pair : pairs) {
                Node item = find(ChunkWriter.ITEM, pair.item());
                if (item == null) {
                    continue;
                }
                Relationship r = existing.get(item);
                if (r == null) {
                    r = session.node().createRelationshipTo(item, type);
                    set(r, "count", pair.count());
                    set(r, "first", ChunkWriter.time(pair.first()));
                    set(r, "last", ChunkWriter.time(pair.last()));
                    set(r, "weight", 1.0);
                } else if (!keysOnly) {
                    r.setProperty("count", (Long) r.getProperty("count") + pair.count());
                    keep(r, "first", pair.first(), true);
                    keep(r, "last", pair.last(), false);
                }
            }
        }

        private void order(OrderRow row) {
            Merged o = merge(ChunkWriter.ORDER, "orderId", row.id());
            if (o.created()) {
                set(o.node(), "at", ChunkWriter.time(row.at()));
                set(o.node(), "kind", row.kind());
                set(o.node(), "source", row.source());
            } else if (!keysOnly) {
                keep(o.node(), "at", row.at(), true);
            }
            for (String user : row.users()) {
                Merged u = merge(ChunkWriter.USER, "userId", user);
                if (u.created() || o.created()) {
                    u.node().createRelationshipTo(o.node(), ChunkWriter.PLACED);
                } else {
                    relateOnce(u, ChunkWriter.PLACED, o.node());
                }
            }
            for (String sessionId : row.sessions()) {
                Node s = find(ChunkWriter.SESSION, sessionId);
                if (s != null) {
                    relateOnce(o, ChunkWriter.IN_SESSION, s);
                }
            }
            Map<Node, Relationship> existing = o.created() ? Map.of() : outgoing(o.node(), ChunkWriter.CONTAINS);
            for (Line line : row.lines()) {
                Node item = find(ChunkWriter.ITEM, line.item());
                if (item == null) {
                    continue;
                }
                Relationship r = existing.get(item);
                if (r == null) {
                    r = o.node().createRelationshipTo(item, ChunkWriter.CONTAINS);
                    set(r, "quantity", line.quantity());
                    set(r, "lines", line.lines());
                    set(r, "price", line.price());
                    set(r, "position", line.position());
                    set(r, "weight", 1.0);
                } else if (!keysOnly) {
                    r.setProperty("quantity", (Long) r.getProperty("quantity") + line.quantity());
                    r.setProperty("lines", (Long) r.getProperty("lines") + line.lines());
                    set(r, "price", line.price());
                    Long position = line.position();
                    Object stored = r.getProperty("position", null);
                    if (position != null && (stored == null || position < (Long) stored)) {
                        set(r, "position", position);
                    }
                }
            }
        }
    }
}
