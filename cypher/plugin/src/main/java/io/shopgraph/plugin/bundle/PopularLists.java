package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.LongSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.NotFoundException;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;

/**
 * The most bought items of a database, overall and per category (a category counts the items of
 * its descendants), by the masses of its live pair index: built with each full build of the
 * index and updated by every merge with the items it recomputed, so that the popular stage of
 * {@code shopgraph.recommend} sees what the bundles see. Immutable; the latest lists of each
 * database are published here.
 *
 * <p>Each list keeps the best {@value #KEEP} items with a mass above 0 (best mass first, ties by
 * item id) and serves the first {@value #LIST_SIZE}. It holds every item whose mass is above its
 * floor (0, or the largest mass it ever dropped for room), so a mass that grows finds its place;
 * the served items are exact while the last of them is above the floor ({@link #exact()}), which
 * only many masses going down can break until the next full build.
 */
public final class PopularLists {

    /** Most items served per list. */
    public static final int LIST_SIZE = 1000;
    /** Most items kept per list. */
    static final int KEEP = 2 * LIST_SIZE;

    private static final Map<String, PopularLists> BY_DATABASE = new ConcurrentHashMap<>();
    private static final Comparator<Entry> ORDER = Comparator.comparingDouble(Entry::mass).reversed()
            .thenComparing(Entry::itemId);

    /**
     * An item and its mass.
     *
     * @param handle its node id (a join key within the database)
     * @param itemId its business id
     * @param mass its mass
     */
    public record Entry(long handle, String itemId, double mass) {}

    private final TopList overall;
    private final Map<String, TopList> byCategory;

    private PopularLists(TopList overall, Map<String, TopList> byCategory) {
        this.overall = overall;
        this.byCategory = byCategory;
    }

    /** The latest lists of a database ({@code ChangeFeeds.identity}), if its index was built. */
    public static Optional<PopularLists> of(String identity) {
        return Optional.ofNullable(BY_DATABASE.get(identity));
    }

    /** The most bought items, best first, at most {@value #LIST_SIZE}. */
    public List<Entry> overall() {
        return overall.served();
    }

    /** The most bought items under a category code (empty for an unknown code). */
    public List<Entry> inCategory(String code) {
        TopList list = byCategory.get(code);
        return list == null ? List.of() : list.served();
    }

    /** Whether every list serves exactly its best items. */
    boolean exact() {
        if (!overall.exact()) {
            return false;
        }
        for (TopList list : byCategory.values()) {
            if (!list.exact()) {
                return false;
            }
        }
        return true;
    }

    /** The codes of an item's categories and of their ancestors, nearest first. */
    public static Set<String> categories(Node item) {
        Set<String> codes = new LinkedHashSet<>();
        List<Node> frontier = new ArrayList<>();
        try (ResourceIterable<Relationship> in = item.getRelationships(Direction.OUTGOING, GraphModel.IN_CATEGORY)) {
            for (Relationship r : in) {
                frontier.add(r.getEndNode());
            }
        }
        while (!frontier.isEmpty()) {
            List<Node> next = new ArrayList<>();
            for (Node category : frontier) {
                if (category.getProperty("code", null) instanceof String code && codes.add(code)) {
                    try (ResourceIterable<Relationship> up = category.getRelationships(Direction.OUTGOING,
                            GraphModel.CHILD_OF)) {
                        for (Relationship r : up) {
                            next.add(r.getEndNode());
                        }
                    }
                }
            }
            frontier = next;
        }
        return codes;
    }

    /** The lists of every item of the graph, by the masses of {@code masses}. */
    @SuppressWarnings("removal") // Entity.getId(): handles within this transaction.
    static PopularLists build(Transaction tx, PairRuns masses) {
        List<Entry> all = new ArrayList<>();
        Map<String, List<Entry>> byCode = new HashMap<>();
        try (ResourceIterator<Node> items = tx.findNodes(GraphModel.ITEM)) {
            while (items.hasNext()) {
                Node item = items.next();
                double mass = masses.mass(item.getId());
                if (mass > 0 && item.getProperty(GraphModel.ITEM_ID, null) instanceof String id) {
                    Entry entry = new Entry(item.getId(), id, mass);
                    all.add(entry);
                    for (String code : categories(item)) {
                        byCode.computeIfAbsent(code, c -> new ArrayList<>()).add(entry);
                    }
                }
            }
        }
        Map<String, TopList> lists = new HashMap<>();
        byCode.forEach((code, entries) -> lists.put(code, TopList.of(entries)));
        return new PopularLists(TopList.of(all), lists);
    }

    /** These lists with the masses of {@code changed} items as {@code masses} has them now. */
    PopularLists with(Transaction tx, PairRuns masses, long[] changed) {
        LongSet handles = LongSet.of(changed);
        List<Entry> entries = new ArrayList<>();
        Map<String, List<Entry>> byCode = new HashMap<>();
        for (long handle : changed) {
            Node node = node(tx, handle);
            double mass = masses.mass(handle);
            if (node == null || !(mass > 0) || !(node.getProperty(GraphModel.ITEM_ID, null) instanceof String id)) {
                continue;
            }
            Entry entry = new Entry(handle, id, mass);
            entries.add(entry);
            for (String code : categories(node)) {
                byCode.computeIfAbsent(code, c -> new ArrayList<>()).add(entry);
            }
        }
        Map<String, TopList> lists = new HashMap<>(byCategory);
        for (Map.Entry<String, TopList> list : byCategory.entrySet()) {
            if (list.getValue().holdsAny(handles) || byCode.containsKey(list.getKey())) {
                lists.put(list.getKey(), list.getValue().with(handles, byCode.getOrDefault(list.getKey(), List.of())));
            }
        }
        byCode.forEach((code, added) -> lists.computeIfAbsent(code, c -> TopList.of(added)));
        return new PopularLists(overall.with(handles, entries), lists);
    }

    /** Publishes the lists of a database. */
    static void publish(String identity, PopularLists lists) {
        BY_DATABASE.put(identity, lists);
    }

    /** Updates the published lists of a database with the items a merge recomputed. */
    static boolean update(String identity, Transaction tx, PairRuns masses, long[] changed) {
        PopularLists lists = BY_DATABASE.get(identity);
        if (lists == null) {
            return true;
        }
        PopularLists updated = lists.with(tx, masses, changed);
        BY_DATABASE.put(identity, updated);
        return updated.exact();
    }

    private static Node node(Transaction tx, long handle) {
        try {
            return tx.getNodeById(handle);
        } catch (NotFoundException e) {
            return null;
        }
    }

    /** One list: entries by mass descending, ties by id; every item above the floor is here. */
    private static final class TopList {
        private final Entry[] entries;
        private final LongSet handles;
        private final double floor;

        private TopList(Entry[] entries, double floor) {
            this.entries = entries;
            this.floor = floor;
            this.handles = new LongSet(entries.length);
            for (Entry entry : entries) {
                handles.add(entry.handle());
            }
        }

        static TopList of(List<Entry> entries) {
            return kept(entries.toArray(Entry[]::new), 0.0);
        }

        /** The best {@value #KEEP} of {@code entries}; the floor rises to the best one dropped. */
        private static TopList kept(Entry[] entries, double floor) {
            Arrays.sort(entries, ORDER);
            if (entries.length <= KEEP) {
                return new TopList(entries, floor);
            }
            return new TopList(Arrays.copyOf(entries, KEEP), Math.max(floor, entries[KEEP].mass()));
        }

        boolean holdsAny(LongSet changed) {
            if (changed.size() < handles.size()) {
                for (long handle : changed.toArray()) {
                    if (handles.contains(handle)) {
                        return true;
                    }
                }
                return false;
            }
            for (Entry entry : entries) {
                if (changed.contains(entry.handle())) {
                    return true;
                }
            }
            return false;
        }

        /** Without the changed items, then with those of them above the floor. */
        TopList with(LongSet changed, List<Entry> now) {
            List<Entry> kept = new ArrayList<>(entries.length + now.size());
            for (Entry entry : entries) {
                if (!changed.contains(entry.handle())) {
                    kept.add(entry);
                }
            }
            for (Entry entry : now) {
                if (entry.mass() > floor) {
                    kept.add(entry);
                }
            }
            return kept(kept.toArray(Entry[]::new), floor);
        }

        List<Entry> served() {
            return Arrays.asList(entries).subList(0, Math.min(LIST_SIZE, entries.length));
        }

        /** Whether the served entries are the best: the last of them is above the floor. */
        boolean exact() {
            return floor == 0.0 || entries.length >= LIST_SIZE && entries[LIST_SIZE - 1].mass() > floor;
        }
    }
}
