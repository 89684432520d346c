package io.shopgraph.plugin.recommend;

import io.shopgraph.plugin.bundle.CoPurchases;
import io.shopgraph.plugin.bundle.PopularLists;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;

/**
 * The most bought items, overall and per category (a category counts the items of its
 * descendants), by the recency-weighted, per-user-capped purchase mass of the bundles: the
 * lists the live pair index keeps with its masses ({@link PopularLists}), fresh within a merge
 * of every write; before its first build (or when it cannot be built), the masses that
 * {@code shopgraph.bundle.refresh()} stores as {@code Item.bundleMass}, read once per refresh
 * and database, then cached.
 */
public final class PopularItems {

    /** Most items kept per list. */
    static final int LIST_SIZE = 1000;

    private static final Label ITEM = Label.label("Item");
    private static final Map<String, PopularItems> CACHE = new ConcurrentHashMap<>();

    /** An item and its mass. */
    public record Popular(String itemId, double mass) {}

    private final String signature;
    private final List<Popular> overall;
    private final Map<String, List<Popular>> byCategory;
    private final PopularLists live;

    private PopularItems(String signature, List<Popular> overall, Map<String, List<Popular>> byCategory,
                         PopularLists live) {
        this.signature = signature;
        this.overall = overall;
        this.byCategory = byCategory;
        this.live = live;
    }

    private static List<Popular> popular(List<PopularLists.Entry> entries) {
        List<Popular> out = new ArrayList<>(entries.size());
        for (PopularLists.Entry entry : entries) {
            out.add(new Popular(entry.itemId(), entry.mass()));
        }
        return out;
    }

    /**
     * The lists for the database of {@code tx}, built when missing or older than the masses.
     *
     * @throws ShopgraphException of code {@code CONFLICT} when {@code shopgraph.bundle.refresh()}
     *     has never run
     */
    public static PopularItems of(Transaction tx, String database) {
        String signature = CoPurchases.statsSignature(tx).orElseThrow(CoPurchases::statsMissing);
        Optional<PopularLists> live = PopularLists.of(database);
        if (live.isPresent()) {
            return new PopularItems(signature, popular(live.get().overall()), null, live.get());
        }
        PopularItems cached = CACHE.get(database);
        if (cached != null && cached.signature.equals(signature)) {
            return cached;
        }
        PopularItems built = build(tx, signature);
        CACHE.put(database, built);
        return built;
    }

    /** The most bought items, best first. */
    public List<Popular> overall() {
        return overall;
    }

    /** The most bought items under a category code (empty for an unknown code). */
    public List<Popular> inCategory(String code) {
        if (live != null) {
            return popular(live.inCategory(code));
        }
        return byCategory.getOrDefault(code, List.of());
    }

    /** The codes of an item's categories and of their ancestors, nearest first. */
    public static Set<String> categories(Node item) {
        return PopularLists.categories(item);
    }

    private static PopularItems build(Transaction tx, String signature) {
        List<Popular> all = new ArrayList<>();
        Map<String, List<Popular>> byCategory = new HashMap<>();
        try (ResourceIterator<Node> items = tx.findNodes(ITEM)) {
            while (items.hasNext()) {
                Node item = items.next();
                if (item.getProperty("bundleMass", null) instanceof Number mass && mass.doubleValue() > 0
                        && item.getProperty("itemId", null) instanceof String id) {
                    Popular popular = new Popular(id, mass.doubleValue());
                    all.add(popular);
                    for (String code : categories(item)) {
                        byCategory.computeIfAbsent(code, c -> new ArrayList<>()).add(popular);
                    }
                }
            }
        }
        Map<String, List<Popular>> top = new HashMap<>();
        byCategory.forEach((code, list) -> top.put(code, best(list)));
        return new PopularItems(signature, best(all), top, null);
    }

    private static List<Popular> best(List<Popular> items) {
        return items.stream()
                .sorted(Comparator.comparingDouble(Popular::mass).reversed().thenComparing(Popular::itemId))
                .limit(LIST_SIZE)
                .toList();
    }

    /** Clears the cache (tests). */
    static void clear() {
        CACHE.clear();
    }

    /** Items of {@code list} not in {@code skip}, at most {@code n}. */
    public static List<Popular> firstOf(List<Popular> list, int n, Set<String> skip) {
        List<Popular> out = new ArrayList<>();
        Set<String> seen = new HashSet<>(skip);
        for (Popular p : list) {
            if (out.size() == n) {
                break;
            }
            if (seen.add(p.itemId())) {
                out.add(p);
            }
        }
        return out;
    }
}
