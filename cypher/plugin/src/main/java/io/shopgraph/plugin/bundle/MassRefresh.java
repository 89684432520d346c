package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.LongIntMap;
import io.shopgraph.plugin.common.ShopgraphException;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongToDoubleFunction;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;

/**
 * {@code shopgraph.bundle.refresh}: reads every basket of the graph ({@link GraphModel}) in the
 * caller's transaction and computes the statistics with {@link MassCounter} ({@link #run}:
 * {@code N}, {@code now}, the counts and the sources with weights other than 1); then
 * {@link #write} stores the item masses given (those of the pair index built with these
 * statistics, computed per item by {@link BasketPairs#mass}) as {@code Item.bundleMass} (0.0
 * for items in no basket; only changed values) in transactions of {@value #BATCH} items, and
 * the {@code BundleStats} node in a last one.
 *
 * <p>Memory: three entries per basket (about 20 bytes) and one per item, nothing per
 * relationship. {@code now} is the newest counted basket's time, never the wall clock.
 */
@SuppressWarnings("removal") // Entity.getId() and Transaction.getNodeById(): join keys within one transaction.
final class MassRefresh {

    /** Items written per transaction. */
    static final int BATCH = 10_000;

    private static final Source[] SOURCES = Source.values();

    /** What a refresh computed. */
    record Outcome(BundleStats stats, Temporal now) {}

    private final GraphDatabaseService db;
    private final Transaction tx;
    private final MassConfig config;

    // The counted baskets: node id, source ordinal, user node id (or NO_USER).
    private long[] basketNodes = new long[1024];
    private byte[] basketSources = new byte[1024];
    private long[] basketUsers = new long[1024];
    private int baskets;
    private Temporal now;
    private long nowMillis = MassConfig.NO_TIME;
    private final Contents contents = new Contents();

    MassRefresh(GraphDatabaseService db, Transaction tx, MassConfig config) {
        this.db = db;
        this.tx = tx;
        this.config = config;
    }

    /**
     * Computes the statistics; writes nothing.
     *
     * @throws ShopgraphException if a basket time is not a datetime with a timezone or a weight is outside
     *     [0, 1]
     */
    Outcome run() {
        scan();
        MassCounter counter = new MassCounter(config, nowMillis);
        count(counter);
        BundleStats stats = new BundleStats(config, nowMillis, counter.basketMass(), counter.baskets(),
                counter.items(), contents.weighted);
        return new Outcome(stats, now);
    }

    /**
     * Writes the masses of every item ({@code masses} of its handle; {@code NaN}: not known, left
     * as it is), then the statistics.
     */
    void write(Outcome outcome, LongToDoubleFunction masses) {
        writeMasses(masses);
        try (Transaction write = db.beginTx()) {
            StatsStore.write(write, outcome.stats(), outcome.now());
            write.commit();
        }
    }

    /** Finds the non-empty baskets of the sources of weight above 0, their users and now. */
    private void scan() {
        if (config.orderWeight() > 0.0) {
            try (ResourceIterator<Node> orders = tx.findNodes(GraphModel.ORDER, "kind", GraphModel.KIND_ORDER)) {
                orders.forEachRemaining(order -> add(order, Source.ORDER));
            }
        }
        if (config.cartWeight() > 0.0 || config.viewWeight() > 0.0) {
            try (ResourceIterator<Node> sessions = tx.findNodes(GraphModel.SESSION)) {
                sessions.forEachRemaining(session -> {
                    add(session, Source.CART);
                    add(session, Source.VIEW);
                });
            }
        }
    }

    private void add(Node basket, Source source) {
        if (config.weight(source) == 0.0
                || basket.getDegree(GraphModel.itemType(source), Direction.OUTGOING) == 0) {
            return;
        }
        if (baskets == basketNodes.length) {
            basketNodes = Arrays.copyOf(basketNodes, baskets * 2);
            basketSources = Arrays.copyOf(basketSources, baskets * 2);
            basketUsers = Arrays.copyOf(basketUsers, baskets * 2);
        }
        Node user = GraphModel.user(basket, GraphModel.userType(source));
        basketNodes[baskets] = basket.getId();
        basketSources[baskets] = (byte) source.ordinal();
        basketUsers[baskets] = user == null ? BasketSource.NO_USER : user.getId();
        baskets++;
        Temporal time = GraphModel.time(basket, source);
        long millis = GraphModel.epochMillis(time);
        if (time != null && (now == null || millis > nowMillis)) {
            now = time;
            nowMillis = millis;
        }
    }

    /** Feeds the baskets to the counter, one user at a time. */
    private void count(MassCounter counter) {
        // Group the baskets by user (a counting sort); a basket without a user is its own.
        LongIntMap userGroup = new LongIntMap(1024);
        int[] groupSizes = new int[1024];
        int groups = 0;
        int[] basketGroup = new int[baskets];
        for (int b = 0; b < baskets; b++) {
            int group = basketUsers[b] == BasketSource.NO_USER ? -1 : userGroup.get(basketUsers[b]);
            if (group < 0) {
                group = groups++;
                if (basketUsers[b] != BasketSource.NO_USER) {
                    userGroup.put(basketUsers[b], group);
                }
                if (group == groupSizes.length) {
                    groupSizes = Arrays.copyOf(groupSizes, group * 2);
                }
            }
            basketGroup[b] = group;
            groupSizes[group]++;
        }
        int[] start = new int[groups + 1];
        for (int g = 0; g < groups; g++) {
            start[g + 1] = start[g] + groupSizes[g];
        }
        int[] order = new int[baskets];
        int[] next = Arrays.copyOf(start, groups);
        for (int b = 0; b < baskets; b++) {
            order[next[basketGroup[b]]++] = b;
        }
        for (int g = 0; g < groups; g++) {
            counter.beginUser();
            for (int n = start[g]; n < start[g + 1]; n++) {
                int b = order[n];
                Source source = SOURCES[basketSources[b]];
                Node basket = tx.getNodeById(basketNodes[b]);
                contents.read(basket, source);
                counter.addBasket(source, GraphModel.epochMillis(GraphModel.time(basket, source)),
                        contents.items, contents.weights, contents.size);
            }
            counter.endUser();
        }
    }

    /** One basket's items and weights, in reused arrays; and the sources with a weight other than 1. */
    private static final class Contents {
        long[] items = new long[64];
        double[] weights = new double[64];
        int size;
        final Set<Source> weighted = EnumSet.noneOf(Source.class);

        void read(Node basket, Source source) {
            size = 0;
            RelationshipType type = GraphModel.itemType(source);
            try (ResourceIterable<Relationship> lines = basket.getRelationships(Direction.OUTGOING, type)) {
                for (Relationship line : lines) {
                    double weight = GraphModel.weight(line);
                    if (!(weight >= 0.0 && weight <= 1.0)) {
                        throw ShopgraphException.badInput("The " + type.name() + " weight of "
                                + (source == Source.ORDER ? "order '" : "session '")
                                + GraphModel.basketId(basket, source) + "' and item '"
                                + line.getEndNode().getProperty(GraphModel.ITEM_ID, "?") + "' is " + weight
                                + "; weights must be between 0 and 1.");
                    }
                    if (weight != 1.0) {
                        weighted.add(source);
                    }
                    if (size == items.length) {
                        items = Arrays.copyOf(items, size * 2);
                        weights = Arrays.copyOf(weights, size * 2);
                    }
                    items[size] = line.getEndNode().getId();
                    weights[size] = weight;
                    size++;
                }
            }
        }
    }

    /** Writes the changed masses of all items, {@value #BATCH} per transaction. */
    private void writeMasses(LongToDoubleFunction computed) {
        List<String> ids = new ArrayList<>();
        List<Double> masses = new ArrayList<>();
        try (ResourceIterator<Node> items = tx.findNodes(GraphModel.ITEM)) {
            items.forEachRemaining(item -> {
                double mass = computed.applyAsDouble(item.getId());
                Object old = item.getProperty(GraphModel.MASS, null);
                if (!Double.isNaN(mass) && !(old instanceof Double value && Double.compare(value, mass) == 0)) {
                    ids.add(item.getElementId());
                    masses.add(mass);
                }
            });
        }
        for (int from = 0; from < ids.size(); from += BATCH) {
            try (Transaction write = db.beginTx()) {
                for (int n = from; n < Math.min(ids.size(), from + BATCH); n++) {
                    write.getNodeByElementId(ids.get(n)).setProperty(GraphModel.MASS, masses.get(n));
                }
                write.commit();
            }
        }
    }
}
