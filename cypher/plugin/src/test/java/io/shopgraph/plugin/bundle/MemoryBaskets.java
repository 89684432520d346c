package io.shopgraph.plugin.bundle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Baskets in memory, shaped like {@code Basket} of {@code evaluation/bundle_protocol.py}, with the
 * masses and statistics that {@code shopgraph.bundle.refresh} would compute for them: the
 * {@link BasketSource} of the unit tests. Times are in the reference's abstract unit, read as
 * days (so a half-life of 1 unit is 1 day).
 */
final class MemoryBaskets implements BasketSource {

    /**
     * One basket; {@code user} null means its own user, {@code weights} null means 1.0 each,
     * {@code positions} null means the items are in order (positions 0, 1, ...), a null position
     * an item without one.
     */
    record Basket(int index, List<String> items, Double time, Source source, String user, double[] weights,
                  Long[] positions) {
        Basket {
            if (new TreeSet<>(items).size() != items.size()) {
                throw new IllegalArgumentException("The items of basket " + index + " must be distinct.");
            }
        }

        Basket(int index, List<String> items, Double time, Source source, String user, double[] weights) {
            this(index, items, time, source, user, weights, null);
        }

        double weight(int n) {
            return weights == null ? 1.0 : weights[n];
        }

        /** The position of the {@code n}-th item as a source reads it: none in sessions. */
        long position(int n) {
            if (source != Source.ORDER) {
                return NO_POSITION;
            }
            if (positions == null) {
                return n;
            }
            return positions[n] == null ? NO_POSITION : positions[n];
        }
    }

    private static final double MILLIS_PER_UNIT = 86_400_000.0;

    private final List<Basket> baskets;
    private final List<String> ids;
    private final Map<String, Integer> itemIndex = new LinkedHashMap<>();
    private final Map<String, Integer> userIndex = new LinkedHashMap<>();
    private final MassCounter counter;
    private final BundleStats stats;

    MemoryBaskets(List<Basket> baskets, MassConfig config) {
        this(baskets, config, List.of());
    }

    /**
     * The baskets, over a fixed set of items: {@code universe} and those of the baskets, sorted
     * (two shops over the same universe give each item the same handle).
     */
    MemoryBaskets(List<Basket> baskets, MassConfig config, List<String> universe) {
        // As the reference: baskets of a source of weight 0 are dropped, now is the newest time.
        this.baskets = baskets.stream().filter(b -> config.weight(b.source()) > 0.0).toList();
        TreeSet<String> all = new TreeSet<>(universe);
        this.baskets.forEach(b -> all.addAll(b.items()));
        this.ids = List.copyOf(all);
        for (String id : ids) {
            itemIndex.put(id, itemIndex.size());
        }
        long now = this.baskets.stream().filter(b -> b.time() != null)
                .mapToLong(b -> millis(b.time())).max().orElse(MassConfig.NO_TIME);
        counter = new MassCounter(config, now);
        Map<String, List<Basket>> byUser = new LinkedHashMap<>();
        for (Basket b : this.baskets) {
            String key = b.user() != null ? "user:" + b.user() : b.source() + ":" + b.index();
            byUser.computeIfAbsent(key, x -> new ArrayList<>()).add(b);
            if (b.user() != null) {
                userIndex.putIfAbsent(b.user(), userIndex.size());
            }
        }
        for (List<Basket> own : byUser.values()) {
            counter.beginUser();
            for (Basket b : own) {
                long[] handles = b.items().stream().mapToLong(this::handle).toArray();
                double[] weights = new double[handles.length];
                for (int n = 0; n < weights.length; n++) {
                    weights[n] = b.weight(n);
                }
                counter.addBasket(b.source(), b.time() == null ? MassConfig.NO_TIME : millis(b.time()),
                        handles, weights, handles.length);
            }
            counter.endUser();
        }
        Set<Source> weighted = this.baskets.stream()
                .filter(b -> b.weights() != null && Arrays.stream(b.weights()).anyMatch(w -> w != 1.0))
                .map(Basket::source).collect(Collectors.toSet());
        stats = new BundleStats(config, now, counter.basketMass(), counter.baskets(), counter.items(), weighted);
    }

    /** Orders 0, 1, ... at times 0, 1, ..., each a string of one-letter items ("ABM"). */
    static List<Basket> orders(String... baskets) {
        List<Basket> out = new ArrayList<>();
        for (int n = 0; n < baskets.length; n++) {
            out.add(order(n, (double) n, null, baskets[n]));
        }
        return out;
    }

    static Basket order(int index, Double time, String user, String items) {
        return new Basket(index, letters(items), time, Source.ORDER, user, null);
    }

    static List<String> letters(String items) {
        return Arrays.stream(items.split("")).toList();
    }

    private static long millis(double time) {
        return Math.round(time * MILLIS_PER_UNIT);
    }

    BundleStats stats() {
        return stats;
    }

    MassCounter counter() {
        return counter;
    }

    long handle(String id) {
        Integer index = itemIndex.get(id);
        if (index == null) {
            throw new IllegalArgumentException("unknown item " + id);
        }
        return index;
    }

    long[] handles(String... ids) {
        return Arrays.stream(ids).mapToLong(this::handle).toArray();
    }

    @Override
    public void forEachBasket(long item, Source source, BasketVisitor visitor) {
        String id = ids.get((int) item);
        for (Basket b : baskets) {
            int position = b.items().indexOf(id);
            if (b.source() == source && position >= 0) {
                visitor.visit(view(b, position));
            }
        }
    }

    private BasketSource.Basket view(Basket b, int visited) {
        return new BasketSource.Basket() {
            @Override
            public int size() {
                return b.items().size();
            }

            @Override
            public long timeMillis() {
                return b.time() == null ? MassConfig.NO_TIME : millis(b.time());
            }

            @Override
            public long user() {
                return b.user() == null ? NO_USER : userIndex.get(b.user());
            }

            @Override
            public double itemWeight() {
                return b.weight(visited);
            }

            @Override
            public long itemPosition() {
                return b.position(visited);
            }

            @Override
            public void forEachOtherItem(ItemVisitor visitor) {
                for (int n = 0; n < b.items().size(); n++) {
                    if (n != visited) {
                        visitor.visit(handle(b.items().get(n)), b.weight(n), b.position(n));
                    }
                }
            }
        };
    }

    @Override
    public boolean isItem(long handle) {
        return handle >= 0 && handle < ids.size();
    }

    @Override
    public double mass(long item) {
        return counter.mass(item);
    }

    @Override
    public String itemId(long item) {
        return ids.get((int) item);
    }
}
