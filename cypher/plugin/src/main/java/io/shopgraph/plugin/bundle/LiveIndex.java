package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.LongSet;
import io.shopgraph.plugin.common.RebuildScheduler;
import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.live.changes.Change;
import io.shopgraph.plugin.live.changes.ChangeFeeds;
import io.shopgraph.plugin.live.changes.ChangeSubscriber;
import io.shopgraph.plugin.live.changes.GraphChanges;
import io.shopgraph.plugin.live.changes.NodeChange;
import io.shopgraph.plugin.live.changes.RelationshipChange;
import io.shopgraph.plugin.live.changes.ShopLabel;
import io.shopgraph.plugin.live.changes.ShopType;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.NotFoundException;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.kernel.impl.coreapi.InternalTransaction;
import org.neo4j.logging.Log;

/**
 * The live pair index of one database: the {@link IndexVersion} calls score over, kept fresh
 * from the database's change feed ({@link ChangeFeeds}).
 *
 * <p><b>Changes.</b> Every commit tells which baskets changed (an item added to or removed from
 * an order or a session, a line re-weighted or moved, a basket's user, time or kind changed),
 * which items were created or deleted, and which users changed their id; they wait, coalesced,
 * in two groups: orders (with items and users) and sessions (views and cart adds, by far the
 * most frequent).
 *
 * <p><b>Merges.</b> One background thread (shared by all databases) merges them: the items of the
 * changed baskets are recomputed over the committed graph by {@link IndexMerge} and published as
 * a new version. Order changes are merged {@value #ORDER_DELAY_MILLIS} ms after the first one
 * waits; session changes at most once per {@value #SESSION_PAUSE_MILLIS} ms, and not sooner after
 * the last session merge than {@value #SESSION_BACKOFF} times its duration, so that a stream of
 * views can take at most about a quarter of a core; a session merge goes in chunks of
 * at most {@value #SESSION_CHUNK} items whose baskets hold at most {@value #SESSION_CHUNK_LINES}
 * lines (an item of more lines is a chunk of its own), each published, and the order changes
 * that came meanwhile are merged between two chunks, so a purchase never waits for a whole
 * session merge. An order merge of many items goes in steps of {@value #MERGE_STEP} items, each
 * published, and between two steps the order changes that came meanwhile are merged first when
 * they hold at most {@value #MERGE_STEP} items (a few new orders; larger ones wait for the next
 * merge), so a purchase waits for one step, not for a whole merge, however many items a burst of
 * orders made to recompute. A merge that would recompute more than a quarter of the items (a
 * bulk load) is left to a full build instead.
 *
 * <p><b>Full builds</b> (compaction) read every item in a transaction of their own, on another
 * thread, and replace the base: when the overlay holds half as many items or pairs as the base,
 * when more than {@value #MAX_DECREASED} masses went down, after a bulk change, after a
 * transaction whose changes could not be read, and on {@code shopgraph.bundle.refresh()}. Merges
 * go on meanwhile over the old base; the items they recomputed are recomputed again over the new
 * base before it is published, in steps, between which new orders of a few items are merged into
 * the published version (and recomputed over the new base as well). Background builds are run
 * by a {@link RebuildScheduler}: one at a time, waiting {@value #BUILD_PAUSE_FACTOR} times the
 * last build's duration (at least {@link PairIndexes#MIN_PAUSE_MILLIS} ms) after it,
 * {@value #FAILURE_PAUSE_MILLIS} ms after a failed one. A build gives up (calls then traverse
 * the baskets, and no background build starts until the next refresh) when the index would take
 * more than a quarter of the heap.
 */
@SuppressWarnings("removal") // Entity.getId() and getNodeById(): handles within the merge's transaction.
final class LiveIndex implements ChangeSubscriber {

    /** Delay from the first waiting order change to its merge, in milliseconds. */
    static final long ORDER_DELAY_MILLIS = 50;
    /** Least pause between two merges of session changes, in milliseconds. */
    static final long SESSION_PAUSE_MILLIS = 1_000;
    /** A session merge waits at least this many times the last one's duration after it. */
    static final long SESSION_BACKOFF = 3;
    /** Items recomputed and published at a time by a merge of many orders (see the class comment). */
    static final int MERGE_STEP = 32;
    /** Most items of one session merge recomputed before the orders waiting meanwhile are merged. */
    static final int SESSION_CHUNK = 256;
    /**
     * Most basket lines of the items of one chunk of a session merge (what recomputing them
     * reads, roughly): popular items of a large shop are in so many baskets that 256 of them
     * would keep the orders waiting for seconds.
     */
    static final long SESSION_CHUNK_LINES = 50_000;
    /** A build waits at least this many times the last one's duration after it. */
    static final long BUILD_PAUSE_FACTOR = 10;
    /** Most baskets and items waiting before they count as a bulk change (a full build reads them). */
    static final int BULK_WAITING = 50_000;
    /**
     * A session merge whose items hold more than this share of all the basket lines (what a
     * merge reads) is left to a full build, which reads each line once, waiting
     * {@value #SESSION_BUILD_PAUSE_FACTOR} times its duration after it.
     */
    static final double SESSION_BUILD_SHARE = 0.5;
    /** A full build in place of session merges waits this many times its duration after it. */
    static final long SESSION_BUILD_PAUSE_FACTOR = 3;
    /** Most items whose mass went down before a full build. */
    static final int MAX_DECREASED = 1024;
    /** Pause after a build that failed, in milliseconds. */
    static final long FAILURE_PAUSE_MILLIS = 10 * PairIndexes.MIN_PAUSE_MILLIS;

    private final String identity;
    private final GraphDatabaseService db;
    private final Log log;
    private final LongSupplier lastClosed;
    private final ScheduledExecutorService merges;
    private final RebuildScheduler rebuilds;
    private final Object buildLock = new Object();
    private volatile IndexVersion current;

    // Waiting changes, guarded by lock.
    private final Object lock = new Object();
    private boolean recording;
    private boolean unknown;
    private boolean mergeScheduled;
    private long scheduledFor = Long.MAX_VALUE;
    private LongSet orderBaskets = new LongSet(64);
    private LongSet orderItems = new LongSet(64);
    private LongSet users = new LongSet(16);
    private LongSet sessionBaskets = new LongSet(64);
    private LongSet sessionItems = new LongSet(64);
    private final Set<Source> weighted = EnumSet.noneOf(Source.class);

    // Merge-thread state: touched only on the merge thread.
    private long number;
    private volatile long lastSessionMerge;
    private volatile long sessionPause = SESSION_PAUSE_MILLIS;
    private LongSet sinceBuild = new LongSet(16);
    private long lastBuildMillis;
    private long baseLines = Long.MAX_VALUE; // basket lines of the items when the base was built
    private boolean sessionsByBuild; // the next build stands for session merges
    private final MergeStats mergeStats = new MergeStats();

    /** What the merges did since the start, for logs, tests and benchmarks. */
    static final class MergeStats {
        long merges;
        long items;
        long millis;
        long sessionMerges;
        long builds;
        long lastMergeMillis;
    }

    LiveIndex(String identity, GraphDatabaseService db, Log log, LongSupplier lastClosed,
              ScheduledExecutorService merges, ExecutorService builds) {
        this.identity = identity;
        this.db = db;
        this.log = log;
        this.lastClosed = lastClosed;
        this.merges = merges;
        this.rebuilds = new RebuildScheduler(merges, builds, () -> buildNow(null, null),
                e -> log.warn("shopgraph: background build of the bundle pair index of database '"
                        + db.databaseName() + "' failed; calls use the last version.", e),
                PairIndexes.MIN_PAUSE_MILLIS, FAILURE_PAUSE_MILLIS);
        ChangeFeeds.subscribe(identity, this);
    }

    /** The latest version, or null before the first build. */
    IndexVersion current() {
        return current;
    }

    /** Whether the database's commits are told to this index (else versions go stale). */
    boolean live() {
        return ChangeFeeds.listening(identity);
    }

    // --- changes --------------------------------------------------------------------------

    @Override
    public void accept(GraphChanges changes) {
        boolean relevant = false;
        synchronized (lock) {
            if (!recording) {
                return; // the first build will read everything
            }
            if (!changes.complete()) {
                unknown = true;
                relevant = true;
            }
            LongSet created = null;
            for (RelationshipChange change : changes.relationships()) {
                if (change.type() == ShopType.CHILD_OF) {
                    // A new category has no items yet: only a move in the tree changes popular lists.
                    if (created == null) {
                        created = new LongSet(16);
                        for (NodeChange node : changes.nodes()) {
                            if (node.change() == Change.CREATED) {
                                created.add(node.id());
                            }
                        }
                    }
                    if (change.change() == Change.CREATED && created.contains(change.start())) {
                        continue;
                    }
                }
                relevant |= relationship(change);
            }
            for (NodeChange change : changes.nodes()) {
                relevant |= node(change);
            }
            if (orderBaskets.size() + orderItems.size() + sessionBaskets.size() + sessionItems.size()
                    > BULK_WAITING) {
                // A bulk load: a full build reads it all; keep no list of what it changed.
                orderBaskets = new LongSet(64);
                orderItems = new LongSet(64);
                users = new LongSet(16);
                sessionBaskets = new LongSet(64);
                sessionItems = new LongSet(64);
                unknown = true;
            }
        }
        if (relevant) {
            scheduleMerge();
        }
    }

    /** Records a relationship change; whether it matters to bundles. Holds the lock. */
    private boolean relationship(RelationshipChange change) {
        Source source;
        switch (change.type()) {
            case CONTAINS -> {
                orderBaskets.add(change.start());
                orderItems.add(change.end());
                source = Source.ORDER;
            }
            case ADDED_TO_CART -> {
                sessionBaskets.add(change.start());
                sessionItems.add(change.end());
                source = Source.CART;
            }
            case VIEWED -> {
                sessionBaskets.add(change.start());
                sessionItems.add(change.end());
                source = Source.VIEW;
            }
            case PLACED -> {
                orderBaskets.add(change.end());
                return true;
            }
            case HAS_SESSION -> {
                sessionBaskets.add(change.end());
                return true;
            }
            case IN_CATEGORY -> {
                orderItems.add(change.start()); // its popular lists change
                return true;
            }
            case CHILD_OF -> {
                unknown = true; // the category tree changed: every popular list is rebuilt
                return true;
            }
            default -> {
                return false;
            }
        }
        if (change.change() != Change.DELETED && change.weight() != 1.0) {
            weighted.add(source); // from now on its weights are read
        }
        return true;
    }

    /** Records a node change; whether it matters to bundles. Holds the lock. */
    private boolean node(NodeChange change) {
        boolean labelChanged = change.properties().contains(NodeChange.LABEL);
        if (change.is(ShopLabel.ITEM) && (change.change() != Change.CHANGED || labelChanged)
                || change.labels() == 0 && labelChanged) {
            orderItems.add(change.id());
            return true;
        }
        if (change.change() != Change.CHANGED) {
            return false; // a basket's or user's relationships tell the rest
        }
        if (change.is(ShopLabel.ORDER) && (labelChanged || change.properties().contains("kind")
                || change.properties().contains("at"))) {
            orderBaskets.add(change.id());
            return true;
        }
        if (change.is(ShopLabel.SESSION) && (labelChanged || change.properties().contains("start"))) {
            sessionBaskets.add(change.id());
            return true;
        }
        if (change.is(ShopLabel.USER) && change.properties().contains("userId")) {
            users.add(change.id()); // a basket of several users counts for the smallest id
            return true;
        }
        return false;
    }

    /**
     * Schedules a merge for when the waiting changes are due: orders {@value #ORDER_DELAY_MILLIS}
     * ms after the first, sessions once their pause is over; a merge already scheduled for later
     * is overtaken by an earlier one.
     */
    private void scheduleMerge() {
        long delay;
        synchronized (lock) {
            if (current == null) {
                return;
            }
            boolean orders = unknown || !orderBaskets.isEmpty() || !orderItems.isEmpty() || !users.isEmpty();
            boolean sessions = !sessionBaskets.isEmpty() || !sessionItems.isEmpty();
            if (!orders && !sessions) {
                return;
            }
            long now = System.currentTimeMillis();
            long sessionsDue = lastSessionMerge + sessionPause - now;
            delay = orders ? ORDER_DELAY_MILLIS : Math.max(ORDER_DELAY_MILLIS, sessionsDue);
            if (mergeScheduled && scheduledFor <= now + delay) {
                return;
            }
            mergeScheduled = true;
            scheduledFor = now + delay;
        }
        merges.schedule(this::mergeSafely, delay, TimeUnit.MILLISECONDS);
    }

    // --- merges ---------------------------------------------------------------------------

    private void mergeSafely() {
        try {
            merge();
        } catch (RuntimeException e) {
            log.warn("shopgraph: a merge of the bundle pair index of database '" + db.databaseName()
                    + "' failed; it is rebuilt.", e);
            requestBuild();
        }
    }

    /**
     * Merges the waiting changes that are due, on the merge thread: the orders' first; then,
     * when their pause is over, the sessions', in chunks of at most {@value #SESSION_CHUNK} items
     * and {@value #SESSION_CHUNK_LINES} basket lines, each published, with the orders that came
     * meanwhile merged before the next chunk.
     */
    private void merge() {
        synchronized (lock) {
            mergeScheduled = false;
            scheduledFor = Long.MAX_VALUE;
            if (current == null) {
                return;
            }
        }
        mergeOrders();
        boolean sessions;
        LongSet baskets;
        LongSet items;
        synchronized (lock) {
            // A build under way or waiting in place of session merges will read them all (held
            // builds: the next refresh will).
            sessions = System.currentTimeMillis() >= lastSessionMerge + sessionPause
                    && !(sessionsByBuild && (rebuilds.building() || rebuilds.waiting() || rebuilds.held()))
                    && (!sessionBaskets.isEmpty() || !sessionItems.isEmpty());
            baskets = sessionBaskets;
            items = sessionItems;
            if (sessions) {
                sessionBaskets = new LongSet(64);
                sessionItems = new LongSet(64);
            }
        }
        if (sessions) {
            long start = System.nanoTime();
            long[] all;
            long[] itemLines;
            try (Transaction tx = db.beginTx()) {
                all = itemsOf(tx, baskets, items, new LongSet(1)).toArray();
                itemLines = new long[all.length];
                for (int n = 0; n < all.length; n++) {
                    itemLines[n] = lines(tx, all[n]);
                }
            }
            long lines = Arrays.stream(itemLines).sum();
            if (all.length > bulkLimit(current) || lines > SESSION_BUILD_SHARE * baseLines) {
                // Recomputing these items would read more than a full build reads per line.
                sessionsByBuild = true;
                synchronized (lock) {
                    sessionBaskets.addAll(baskets); // kept, in case no build comes soon
                    sessionItems.addAll(items);
                }
                requestBuild();
            } else {
                int from = 0;
                while (from < all.length) {
                    int to = from + 1;
                    long chunkLines = itemLines[from];
                    while (to < all.length && to - from < SESSION_CHUNK
                            && chunkLines + itemLines[to] <= SESSION_CHUNK_LINES) {
                        chunkLines += itemLines[to++];
                    }
                    mergeItems(current, LongSet.of(Arrays.copyOfRange(all, from, to)));
                    mergeOrders(); // orders never wait for a whole session merge
                    from = to;
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            mergeStats.sessionMerges++;
            lastSessionMerge = System.currentTimeMillis();
            sessionPause = Math.max(SESSION_PAUSE_MILLIS, SESSION_BACKOFF * millis);
        }
        scheduleMerge();
    }

    /**
     * Merges the waiting order changes (and users and items named), if any, in steps of
     * {@value #MERGE_STEP} items; between two steps, the order changes that came meanwhile are
     * merged first when they hold at most {@value #MERGE_STEP} items, else they wait for the
     * next merge.
     */
    private void mergeOrders() {
        long[] changed = takeOrders();
        if (changed == null) {
            return;
        }
        for (int from = 0; from < changed.length; from += MERGE_STEP) {
            mergeItems(current, LongSet.of(Arrays.copyOfRange(changed, from,
                    Math.min(changed.length, from + MERGE_STEP))));
            if (from + MERGE_STEP < changed.length) {
                mergeFewArrivals();
            }
        }
    }

    /**
     * Between two steps: merges the order changes waiting now into the published version when
     * they hold at most {@value #MERGE_STEP} items, else leaves them waiting for the next merge.
     *
     * @return the items merged, or null when none were
     */
    private LongSet mergeFewArrivals() {
        long[] arrived = takeOrders();
        if (arrived == null) {
            return null;
        }
        LongSet items = LongSet.of(arrived);
        if (arrived.length > MERGE_STEP) {
            synchronized (lock) {
                orderItems.addAll(items); // the next merge's
            }
            return null;
        }
        mergeItems(current, items);
        return items;
    }

    /**
     * Takes the waiting order changes (and users and items named): the items to recompute, or
     * null when none wait or they are a bulk change, for which a full build is asked.
     */
    private long[] takeOrders() {
        LongSet baskets;
        LongSet items;
        LongSet changedUsers;
        boolean rebuild;
        synchronized (lock) {
            baskets = orderBaskets;
            items = orderItems;
            changedUsers = users;
            orderBaskets = new LongSet(64);
            orderItems = new LongSet(64);
            users = new LongSet(16);
            rebuild = unknown;
            unknown = false;
        }
        if (rebuild) {
            requestBuild();
        }
        if (baskets.isEmpty() && items.isEmpty() && changedUsers.isEmpty()) {
            return null;
        }
        LongSet changed;
        try (Transaction tx = db.beginTx()) {
            changed = itemsOf(tx, baskets, items, changedUsers);
        }
        if (changed.size() > bulkLimit(current)) {
            // A bulk change: a full build costs less than recomputing most items one by one.
            log.info("shopgraph: %d items of database '%s' changed at once; the bundle pair index is"
                    + " rebuilt instead of merged.", changed.size(), db.databaseName());
            requestBuild();
            return null;
        }
        return changed.toArray();
    }

    /** Recomputes these items over the graph now and publishes the new version. */
    private void mergeItems(IndexVersion version, LongSet changed) {
        long start = System.nanoTime();
        Set<Source> weightedNow;
        synchronized (lock) {
            weightedNow = EnumSet.copyOf(weighted.isEmpty() ? EnumSet.noneOf(Source.class) : weighted);
        }
        IndexVersion merged;
        try (Transaction tx = db.beginTx()) {
            KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
            try (GraphBasketSource source = new GraphBasketSource(ktx, weightedNow,
                    ScoringConfig.DEFAULTS.adjacency())) {
                ShopgraphException[] failure = new ShopgraphException[1];
                int[] failures = new int[1];
                merged = IndexMerge.merge(version, changed.toArray(), source, weightedNow, ++number, e -> {
                    failure[0] = failure[0] == null ? e : failure[0];
                    failures[0]++;
                });
                if (failure[0] != null) {
                    log.warn("shopgraph: the baskets of %d items of database '%s' cannot be read; calls with"
                            + " them in the cart traverse (and report it): %s", failures[0], db.databaseName(),
                            failure[0].getMessage());
                }
            }
            if (!PopularLists.update(identity, tx, merged, changed.toArray())) {
                requestBuild(); // masses went down below what the popular lists kept
            }
        }
        current = merged;
        if (rebuilds.building()) {
            sinceBuild.addAll(changed);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        mergeStats.merges++;
        mergeStats.items += changed.size();
        mergeStats.millis += millis;
        mergeStats.lastMergeMillis = millis;
        if (merged.overlayItems() * 2L > merged.base().items() + 64L
                || merged.overlayPairs() * 2L > merged.base().pairs() + 4096L
                || merged.decreased().length > MAX_DECREASED) {
            requestBuild();
        }
    }

    /** The basket lines of these items: what recomputing them reads, roughly. */
    private static long lines(Transaction tx, long[] items) {
        long lines = 0;
        for (long item : items) {
            lines += lines(tx, item);
        }
        return lines;
    }

    /** The basket lines of one item (0 when it is gone). */
    private static long lines(Transaction tx, long item) {
        Node node = node(tx, item);
        if (node == null) {
            return 0;
        }
        return node.getDegree(GraphModel.CONTAINS, Direction.INCOMING)
                + node.getDegree(GraphModel.ADDED_TO_CART, Direction.INCOMING)
                + node.getDegree(GraphModel.VIEWED, Direction.INCOMING);
    }

    /** A merge of more items than this is left to a full build. */
    private static int bulkLimit(IndexVersion version) {
        return Math.max(10_000, version.base().items() / 4);
    }

    /** The items of the changed baskets and users, and the items named. */
    private static LongSet itemsOf(Transaction tx, LongSet baskets, LongSet items, LongSet changedUsers) {
        LongSet out = items.copy();
        long[] basketHandles = baskets.toArray();
        LongSet all = LongSet.of(basketHandles);
        for (long user : changedUsers.toArray()) {
            Node node = node(tx, user);
            if (node != null) {
                try (ResourceIterable<Relationship> rels = node.getRelationships(Direction.OUTGOING,
                        GraphModel.PLACED, GraphModel.HAS_SESSION)) {
                    for (Relationship rel : rels) {
                        all.add(rel.getEndNode().getId());
                    }
                }
            }
        }
        all.forEach(basket -> {
            Node node = node(tx, basket);
            if (node != null) {
                try (ResourceIterable<Relationship> lines = node.getRelationships(Direction.OUTGOING,
                        GraphModel.CONTAINS, GraphModel.ADDED_TO_CART, GraphModel.VIEWED)) {
                    for (Relationship line : lines) {
                        out.add(line.getEndNode().getId());
                    }
                }
            }
        });
        return out;
    }

    private static Node node(Transaction tx, long id) {
        try {
            return tx.getNodeById(id);
        } catch (NotFoundException e) {
            return null; // deleted since: its relationships' changes name its items
        }
    }

    // --- full builds ----------------------------------------------------------------------

    /** Asks for a full build in the background, as soon as the pause after the last one allows. */
    void requestBuild() {
        rebuilds.request();
    }

    /**
     * Builds the index now on the caller's thread (after any build under way) and publishes it;
     * the caller waits.
     *
     * @param stats the statistics to build with (a refresh's new ones), or null for those of the
     *     current version (else of the graph)
     * @return the published version, or empty when there are no statistics or the index would be
     *     too large
     * @throws RuntimeException when the build failed: the next background build waits
     *     {@value #FAILURE_PAUSE_MILLIS} ms
     */
    Optional<IndexVersion> build(BundleStats stats, Consumer<PairIndex> beforePublish) {
        return rebuilds.runDirect(() -> buildNow(stats, beforePublish));
    }

    /** {@link #build}, in the background too. */
    private Optional<IndexVersion> buildNow(BundleStats stats, Consumer<PairIndex> beforePublish) {
        synchronized (buildLock) {
            onMerges(() -> {
                rebuilds.began();
                sinceBuild = new LongSet(64);
                synchronized (lock) {
                    // The build reads every session as committed now: none waits any more.
                    sessionBaskets = new LongSet(64);
                    sessionItems = new LongSet(64);
                    if (!recording || stats != null) {
                        // The build reads everything: what waits now is in it.
                        recording = true;
                        orderBaskets = new LongSet(64);
                        orderItems = new LongSet(64);
                        users = new LongSet(16);
                        sessionBaskets = new LongSet(64);
                        sessionItems = new LongSet(64);
                        unknown = false;
                    }
                    if (stats != null) {
                        weighted.clear();
                        weighted.addAll(stats.weightedSources());
                    }
                }
            });
            return buildAndPublish(stats, beforePublish);
        }
    }

    private Optional<IndexVersion> buildAndPublish(BundleStats given, Consumer<PairIndex> beforePublish) {
        long txId = lastClosed.getAsLong();
        long start = System.nanoTime();
        PairIndex base;
        PopularLists lists;
        long lines;
        BundleStats stats;
        Set<Source> weightedNow;
        synchronized (lock) {
            weightedNow = EnumSet.copyOf(weighted.isEmpty() ? EnumSet.noneOf(Source.class) : weighted);
        }
        try (Transaction tx = db.beginTx()) {
            stats = given != null ? given : StatsStore.read(tx).orElse(null);
            if (stats == null) {
                onMerges(() -> rebuilds.ended(PairIndexes.MIN_PAUSE_MILLIS));
                return Optional.empty();
            }
            // Reading the weights of more sources than needed is exact, only slower.
            weightedNow.addAll(stats.weightedSources());
            Set<Source> read = weightedNow;
            synchronized (lock) {
                weighted.addAll(read);
            }
            long[] items = items(tx);
            KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
            long maxBytes = Runtime.getRuntime().maxMemory() / 4;
            try (GraphBasketSource baskets = new GraphBasketSource(ktx, weightedNow,
                    ScoringConfig.DEFAULTS.adjacency())) {
                base = PairIndex.build(items, new ComputedMasses(baskets, stats), stats, ScoringConfig.DEFAULTS,
                        maxBytes);
            } catch (PairIndex.TooLargeException e) {
                log.warn("shopgraph: no bundle pair index for database '%s': %s Calls traverse the"
                        + " baskets, which is much slower on large baskets; the index may take a quarter of"
                        + " the heap (about 25 bytes per co-purchased pair): give Neo4j more heap and run"
                        + " shopgraph.bundle.refresh() again.", db.databaseName(), e.getMessage());
                onMerges(rebuilds::endedUntilDirectBuild); // until the next refresh
                return Optional.empty();
            }
            lists = PopularLists.build(tx, base);
            lines = lines(tx, items);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        log.info("shopgraph: bundle pair index of database '%s' built in %d ms: %d items, %d pairs,"
                        + " about %d MiB, as of transaction %d.", db.databaseName(), millis, base.items(),
                base.pairs(), base.estimatedBytes() >> 20, txId);
        if (beforePublish != null) {
            beforePublish.accept(base);
            if (!live()) {
                // Without the change feed a version is used while nothing was committed since:
                // the caller's own writes (a refresh's masses) do not make it stale.
                txId = lastClosed.getAsLong();
            }
        }
        BundleStats built = stats;
        Set<Source> builtWeighted = weightedNow;
        long builtTx = txId;
        long builtLines = lines;
        IndexVersion[] published = new IndexVersion[1];
        PopularLists builtLists = lists;
        onMerges(() -> {
            published[0] = publish(base, builtLists, built, builtWeighted, builtTx, millis);
            baseLines = builtLines;
        });
        return Optional.of(published[0]);
    }

    /**
     * On the merge thread: the new base, with the items merged during its build recomputed, in
     * steps of {@value #MERGE_STEP} items with new orders of a few items merged between two
     * steps (see the class comment).
     */
    private IndexVersion publish(PairIndex base, PopularLists lists, BundleStats stats, Set<Source> weightedNow,
                                 long txId, long millis) {
        Recomputed caught = new Recomputed(IndexVersion.of(base, stats, weightedNow, ++number, txId), lists);
        long[] behind = sinceBuild.toArray();
        LongSet again = new LongSet(16);
        for (int from = 0; from < behind.length; from += MERGE_STEP) {
            caught = recompute(caught, Arrays.copyOfRange(behind, from, Math.min(behind.length, from + MERGE_STEP)),
                    weightedNow);
            if (from + MERGE_STEP < behind.length) {
                // New orders of a few items are merged into the published version meanwhile, and
                // recomputed over the new base before it is published.
                LongSet merged = mergeFewArrivals();
                if (merged != null) {
                    again.addAll(merged);
                }
            }
        }
        if (!again.isEmpty()) {
            caught = recompute(caught, again.toArray(), weightedNow);
        }
        IndexVersion version = caught.version();
        current = version;
        PopularLists.publish(identity, caught.lists());
        sinceBuild = new LongSet(16);
        lastBuildMillis = millis;
        mergeStats.builds++;
        long factor = sessionsByBuild ? SESSION_BUILD_PAUSE_FACTOR : BUILD_PAUSE_FACTOR;
        sessionsByBuild = false;
        rebuilds.ended(factor * millis); // a build asked for meanwhile starts after the pause
        scheduleMerge();
        return version;
    }

    /** A version and its popular lists, not published yet. */
    private record Recomputed(IndexVersion version, PopularLists lists) { }

    /** {@code items} recomputed over the graph now into {@code from}, unpublished. */
    private Recomputed recompute(Recomputed from, long[] items, Set<Source> weightedNow) {
        try (Transaction tx = db.beginTx()) {
            KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
            IndexVersion version;
            try (GraphBasketSource source = new GraphBasketSource(ktx, weightedNow,
                    ScoringConfig.DEFAULTS.adjacency())) {
                version = IndexMerge.merge(from.version(), items, source, weightedNow, ++number);
            }
            return new Recomputed(version, from.lists().with(tx, version, items));
        }
    }

    /** Runs {@code task} on the merge thread and waits for it. */
    private void onMerges(Runnable task) {
        try {
            merges.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the bundle merge thread.", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("The bundle merge thread failed.", e.getCause());
        }
    }

    /**
     * Waits until every change committed before the call is in the published version (tests and
     * benchmarks): merges and builds under way end, and the waiting changes are merged now,
     * sessions included.
     */
    void awaitMerged() {
        while (true) {
            synchronized (buildLock) {
                onMerges(() -> {
                    lastSessionMerge = Long.MIN_VALUE / 2; // sessions are due now
                    if (current != null) {
                        merge();
                    }
                });
            }
            boolean[] quiet = new boolean[1];
            onMerges(() -> {
                synchronized (lock) {
                    quiet[0] = current == null || !rebuilds.building() && !rebuilds.waiting()
                            && orderBaskets.isEmpty() && orderItems.isEmpty() && users.isEmpty()
                            && sessionBaskets.isEmpty() && sessionItems.isEmpty() && !unknown;
                }
            });
            if (quiet[0]) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for bundle merges.", e);
            }
        }
    }

    /** What the merges did (read on the merge thread). */
    MergeStats mergeStats() {
        MergeStats[] copy = new MergeStats[1];
        onMerges(() -> {
            MergeStats s = new MergeStats();
            s.merges = mergeStats.merges;
            s.items = mergeStats.items;
            s.millis = mergeStats.millis;
            s.sessionMerges = mergeStats.sessionMerges;
            s.builds = mergeStats.builds;
            s.lastMergeMillis = mergeStats.lastMergeMillis;
            copy[0] = s;
        });
        return copy[0];
    }

    /** The duration of the last full build, in milliseconds. */
    long lastBuildMillis() {
        return lastBuildMillis;
    }

    private static long[] items(Transaction tx) {
        long[] items = new long[1024];
        int count = 0;
        try (ResourceIterator<Node> nodes = tx.findNodes(GraphModel.ITEM)) {
            while (nodes.hasNext()) {
                if (count == items.length) {
                    items = Arrays.copyOf(items, count * 2);
                }
                items[count++] = nodes.next().getId();
            }
        }
        return Arrays.copyOf(items, count);
    }
}
