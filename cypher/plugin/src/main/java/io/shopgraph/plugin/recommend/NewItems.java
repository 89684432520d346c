package io.shopgraph.plugin.recommend;

import io.shopgraph.plugin.common.LongSet;
import io.shopgraph.plugin.live.changes.Change;
import io.shopgraph.plugin.live.changes.ChangeFeeds;
import io.shopgraph.plugin.live.changes.ChangeSubscriber;
import io.shopgraph.plugin.live.changes.GraphChanges;
import io.shopgraph.plugin.live.changes.NodeChange;
import io.shopgraph.plugin.live.changes.RelationshipChange;
import io.shopgraph.plugin.live.changes.ShopLabel;
import io.shopgraph.plugin.live.changes.ShopType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.NotFoundException;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;
import org.neo4j.logging.Log;

/**
 * Content cold start: the <em>new items</em> of a database, items with a brand and a category
 * that nobody has viewed, carted, removed or bought yet, by brand and category, so that
 * {@code shopgraph.similar} and {@code shopgraph.recommend} can show them before any behaviour
 * links them to anything.
 *
 * <p><b>The rule.</b> For a query item {@code q} (the item of {@code similar}, a user's recent
 * items in {@code recommend}): first the new items that share a brand and a category with
 * {@code q} (reason {@value #SAME_BRAND_AND_CATEGORY}), then those that share a category (reason
 * {@code "new in <code>"}), each group by item id; categories are an item's own
 * ({@code IN_CATEGORY}), brands its {@code HAS_BRAND} names. The procedures give them at most
 * {@code newItems} of the last places of an answer, never its first (see
 * {@link #slot}).
 *
 * <p>Kept from the change feed: built by one scan of the items on first use, then every commit
 * that creates or deletes an item, changes its brand or category, or gives it its first (or
 * takes its last) interaction, is applied by a background thread within
 * {@value #APPLY_DELAY_MILLIS} ms. Without the change feed there is no registry and the stage
 * brings nothing.
 */
@SuppressWarnings("removal") // Entity.getId() and getNodeById(): join keys with the change feed.
public final class NewItems implements ChangeSubscriber {

    /** The reason of a new item of the query item's brand and category. */
    public static final String SAME_BRAND_AND_CATEGORY = "new: same brand and category";
    /** The reason of a new item of the query item's category, before its code. */
    public static final String IN_CATEGORY_PREFIX = "new in ";
    /** Delay from the first waiting commit to its application, in milliseconds. */
    static final long APPLY_DELAY_MILLIS = 20;

    private static final Label ITEM = Label.label("Item");
    private static final RelationshipType HAS_BRAND = RelationshipType.withName("HAS_BRAND");
    private static final RelationshipType IN_CATEGORY = RelationshipType.withName("IN_CATEGORY");
    private static final RelationshipType[] INTERACTIONS = {
        RelationshipType.withName("VIEWED"), RelationshipType.withName("ADDED_TO_CART"),
        RelationshipType.withName("REMOVED_FROM_CART"), RelationshipType.withName("CONTAINS"),
    };
    private static final Map<String, NewItems> BY_DATABASE = new ConcurrentHashMap<>();
    private static final ScheduledExecutorService APPLIER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "shopgraph-new-items");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * A new item found for a query item.
     *
     * @param itemId its id
     * @param reason {@value #SAME_BRAND_AND_CATEGORY} or {@code "new in <code>"}
     */
    public record Found(String itemId, String reason) {}

    /** A registered item: its id, brand names and category codes. */
    private record Entry(String itemId, Set<String> brands, Set<String> categories) {}

    /** An immutable state of the registry. */
    private record State(Map<Long, Entry> byNode, Map<String, NavigableSet<String>> byBrandCategory,
                         Map<String, NavigableSet<String>> byCategory) {
        static final State EMPTY = new State(Map.of(), Map.of(), Map.of());
    }

    private final GraphDatabaseService db;
    private final Log log;
    private volatile State state;
    private final Object lock = new Object();
    private LongSet waiting = new LongSet(16);
    private boolean rebuild;
    private boolean scheduled;

    private NewItems(String identity, GraphDatabaseService db, Log log) {
        this.db = db;
        this.log = log;
        ChangeFeeds.subscribe(identity, this);
    }

    /**
     * The registry of the caller's database, built on first use (the caller waits); null
     * without the change feed.
     */
    public static NewItems of(GraphDatabaseService db, Log log) {
        String identity = ChangeFeeds.identity(db);
        if (!ChangeFeeds.listening(identity)) {
            return null;
        }
        NewItems items = BY_DATABASE.computeIfAbsent(identity, key -> new NewItems(key, db, log));
        items.ensureBuilt();
        return items;
    }

    /**
     * The new items for one query item, in the order of the rule, that {@code keep} accepts.
     *
     * @param item the query item
     * @param max how many at most
     * @param keep whether an item may be returned (not the query item, not hidden, ...)
     */
    public List<Found> near(Node item, int max, Predicate<String> keep) {
        List<Found> found = new ArrayList<>();
        if (max <= 0) {
            return found;
        }
        Set<String> brands = names(item, HAS_BRAND, "name");
        Set<String> categories = names(item, IN_CATEGORY, "code");
        State now = state;
        Set<String> taken = new java.util.HashSet<>();
        for (String brand : brands) {
            for (String category : categories) {
                for (String id : now.byBrandCategory().getOrDefault(key(brand, category), Collections.emptyNavigableSet())) {
                    if (found.size() == max) {
                        return found;
                    }
                    if (taken.add(id) && keep.test(id)) {
                        found.add(new Found(id, SAME_BRAND_AND_CATEGORY));
                    }
                }
            }
        }
        for (String category : categories) {
            for (String id : now.byCategory().getOrDefault(category, Collections.emptyNavigableSet())) {
                if (found.size() == max) {
                    return found;
                }
                if (taken.add(id) && keep.test(id)) {
                    found.add(new Found(id, IN_CATEGORY_PREFIX + category));
                }
            }
        }
        return found;
    }

    /**
     * How many places of an answer of {@code k} items new items may take: at most
     * {@code newItems}, and never the first ({@code k - 1}).
     */
    public static int slots(int newItems, int k) {
        return Math.max(0, Math.min(newItems, k - 1));
    }

    /**
     * An answer with the new items in its last places: the first {@code k - n} of
     * {@code ranked} then the {@code n} new ones (fewer ranked items leave the new ones after
     * them). The new items carry the score {@code min(0, the last score before them)}: they have
     * no evidence yet, and scores never rise along an answer.
     *
     * @param ranked the answer's items, best first, as (id, score, reason)
     * @param found new items, at most {@link #slots} of them
     * @param k the answer's size
     * @return the items, best first
     */
    public static List<Ranker.Ranked> slot(List<Ranker.Ranked> ranked, List<Found> found, int k) {
        Set<String> ids = new java.util.HashSet<>();
        found.forEach(f -> ids.add(f.itemId()));
        List<Ranker.Ranked> out = new ArrayList<>();
        for (Ranker.Ranked r : ranked) {
            if (out.size() == k - found.size()) {
                break;
            }
            if (!ids.contains(r.itemId())) {
                out.add(r);
            }
        }
        double last = out.isEmpty() ? 0.0 : Math.min(0.0, out.get(out.size() - 1).score());
        for (Found f : found) {
            out.add(new Ranker.Ranked(f.itemId(), last, f.reason()));
        }
        return out;
    }

    // --- the registry ---------------------------------------------------------------------

    private void ensureBuilt() {
        if (state != null) {
            return;
        }
        synchronized (this) {
            if (state == null) {
                onApplier(() -> {
                    synchronized (lock) {
                        waiting = new LongSet(16);
                        rebuild = false;
                    }
                    state = build();
                });
            }
        }
    }

    @Override
    public void accept(GraphChanges changes) {
        State now = state;
        if (now == null) {
            return; // the build reads everything
        }
        boolean any = false;
        synchronized (lock) {
            if (!changes.complete()) {
                rebuild = true;
                any = true;
            }
            for (NodeChange node : changes.nodes()) {
                if (node.is(ShopLabel.ITEM) || node.properties().contains(NodeChange.LABEL)) {
                    waiting.add(node.id());
                    any = true;
                } else if ((node.is(ShopLabel.BRAND) || node.is(ShopLabel.CATEGORY)) && node.change() == Change.CHANGED) {
                    rebuild = true; // a brand or category renamed
                    any = true;
                }
            }
            for (RelationshipChange rel : changes.relationships()) {
                if (rel.type() == ShopType.HAS_BRAND || rel.type() == ShopType.IN_CATEGORY) {
                    waiting.add(rel.start());
                    any = true;
                } else if (rel.type().basketItem()
                        && (rel.change() == Change.DELETED || now.byNode().containsKey(rel.end()))) {
                    waiting.add(rel.end()); // a first interaction, or maybe the last one gone
                    any = true;
                }
            }
            if (!any || scheduled) {
                return;
            }
            scheduled = true;
        }
        APPLIER.schedule(this::applySafely, APPLY_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void applySafely() {
        try {
            apply();
        } catch (RuntimeException e) {
            log.warn("shopgraph: the new items of database '" + db.databaseName() + "' could not be updated;"
                    + " they are read again.", e);
            synchronized (lock) {
                rebuild = true;
            }
            APPLIER.schedule(this::applySafely, 1, TimeUnit.SECONDS);
        }
    }

    /** On the applier thread. */
    private void apply() {
        long[] nodes;
        boolean again;
        synchronized (lock) {
            nodes = waiting.toArray();
            waiting = new LongSet(16);
            again = rebuild;
            rebuild = false;
            scheduled = false;
        }
        if (again) {
            state = build();
            return;
        }
        if (nodes.length == 0) {
            return;
        }
        State now = state;
        Map<Long, Entry> byNode = new HashMap<>(now.byNode());
        try (Transaction tx = db.beginTx()) {
            for (long id : nodes) {
                byNode.remove(id);
                Node node = node(tx, id);
                Entry entry = node == null ? null : entry(node);
                if (entry != null) {
                    byNode.put(id, entry);
                }
            }
        }
        state = index(byNode);
    }

    /** Waits until the commits told so far are applied (tests). */
    void awaitApplied() {
        onApplier(this::apply);
    }

    private State build() {
        Map<Long, Entry> byNode = new HashMap<>();
        try (Transaction tx = db.beginTx(); ResourceIterator<Node> items = tx.findNodes(ITEM)) {
            while (items.hasNext()) {
                Node item = items.next();
                Entry entry = entry(item);
                if (entry != null) {
                    byNode.put(item.getId(), entry);
                }
            }
        }
        return index(byNode);
    }

    /** The item's entry when it is new (no interaction, an id, a brand and a category), else null. */
    private static Entry entry(Node item) {
        if (!item.hasLabel(ITEM) || !(item.getProperty("itemId", null) instanceof String id)) {
            return null;
        }
        for (RelationshipType type : INTERACTIONS) {
            if (item.getDegree(type, Direction.INCOMING) > 0) {
                return null;
            }
        }
        Set<String> brands = names(item, HAS_BRAND, "name");
        Set<String> categories = names(item, IN_CATEGORY, "code");
        return brands.isEmpty() || categories.isEmpty() ? null : new Entry(id, brands, categories);
    }

    private static State index(Map<Long, Entry> byNode) {
        Map<String, NavigableSet<String>> byBrandCategory = new HashMap<>();
        Map<String, NavigableSet<String>> byCategory = new HashMap<>();
        for (Entry entry : byNode.values()) {
            for (String category : entry.categories()) {
                byCategory.computeIfAbsent(category, c -> new TreeSet<>()).add(entry.itemId());
                for (String brand : entry.brands()) {
                    byBrandCategory.computeIfAbsent(key(brand, category), c -> new TreeSet<>()).add(entry.itemId());
                }
            }
        }
        return new State(Map.copyOf(byNode), byBrandCategory, byCategory);
    }

    private static String key(String brand, String category) {
        return brand + "\n" + category;
    }

    private static Set<String> names(Node item, RelationshipType type, String property) {
        Set<String> names = new LinkedHashSet<>();
        try (ResourceIterable<Relationship> rels = item.getRelationships(Direction.OUTGOING, type)) {
            for (Relationship rel : rels) {
                if (rel.getEndNode().getProperty(property, null) instanceof String name) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static Node node(Transaction tx, long id) {
        try {
            return tx.getNodeById(id);
        } catch (NotFoundException e) {
            return null;
        }
    }

    private static void onApplier(Runnable task) {
        try {
            APPLIER.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the new items.", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("The new items could not be read.", e.getCause());
        }
    }
}
