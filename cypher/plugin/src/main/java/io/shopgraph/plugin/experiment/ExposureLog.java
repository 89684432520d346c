package io.shopgraph.plugin.experiment;

import io.shopgraph.plugin.common.Served.Surface;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.logging.Log;

/**
 * The experiment log of one database: exposures (every answered request of an experiment) and
 * clicks, handed in by the serving procedures (which only read) and committed by a background
 * thread in write transactions of its own.
 *
 * <p><b>Batches.</b> What is handed in is written in hand-in order, at the latest
 * {@value #PERIOD_MILLIS} ms after the first pending entry, or as soon as {@value #BATCH} are
 * pending, at most {@value #BATCH} per transaction: each batch commits whole or not at all. A
 * click is always written after the exposure it refers to.
 *
 * <p><b>Durability.</b> Committed entries are as durable as any Neo4j data. {@link #close()}
 * (the database stopping) writes everything pending first. What a crash of the JVM can lose is
 * what was not yet committed: at most the last {@value #PERIOD_MILLIS} ms of entries (more if
 * the database was too slow to keep up). A batch whose transaction fails is tried
 * {@value #ATTEMPTS} times, then dropped and logged, as are entries handed in while
 * {@value #MAX_PENDING} are pending (the database is not keeping up) or after the log closed:
 * serving never waits for the log.
 *
 * <p>The node written per exposure: {@code (:Exposure {requestId, at, userId, surface,
 * experiment, variant, items, query})}, {@code items} the answer's item ids in rank order
 * (position = index + 1), {@code query} the cart or item asked about (empty for recommend); a
 * click appends to its exposure's {@code clickedItems} and {@code clickedAt}. No relationship
 * ties the log to the shop's nodes, so it never changes what walks, bundles or exports read,
 * and it is found by {@code userId} (indexed) when a user is forgotten or merged.
 */
final class ExposureLog {

    static final int BATCH = 1_000;
    static final long PERIOD_MILLIS = 100;
    static final int MAX_PENDING = 100_000;
    static final int ATTEMPTS = 3;
    static final Label EXPOSURE = Label.label("Exposure");

    /** The batch period in use: {@value #PERIOD_MILLIS} ms; tests lengthen it to hold entries pending. */
    static volatile long period = PERIOD_MILLIS;

    /**
     * One answered request.
     *
     * @param requestId its id
     * @param at when it was answered
     * @param userId the user or visitor it was assigned by
     * @param surface the procedure
     * @param experiment the experiment
     * @param variant the variant that answered
     * @param items the answer's items in rank order
     * @param query the cart or item asked about
     */
    record Exposure(String requestId, Instant at, String userId, Surface surface, String experiment,
                    String variant, List<String> items, List<String> query) {}

    /** A click on an item shown in a request. */
    record Click(String requestId, String itemId, Instant at) {}

    private final GraphDatabaseService db;
    private final Log log;
    private final Object lock = new Object();
    private final Thread writer;
    private List<Object> pending = new ArrayList<>();
    private final Map<String, Exposure> unwritten = new HashMap<>();
    private long firstPendingMillis;
    private long handedIn;
    private long done;
    private long dropped;
    private boolean flushing;
    private boolean closing;

    ExposureLog(GraphDatabaseService db, Log log) {
        this.db = db;
        this.log = log;
        this.writer = new Thread(this::run, "shopgraph-experiment-log-" + db.databaseName());
        writer.setDaemon(true);
        writer.start();
    }

    /** Hands an exposure in; returns at once. */
    void expose(Exposure exposure) {
        synchronized (lock) {
            if (add(exposure)) {
                unwritten.put(exposure.requestId(), exposure);
            }
        }
    }

    /** Hands a click in; returns at once. */
    void click(Click click) {
        synchronized (lock) {
            add(click);
        }
    }

    /** An exposure handed in but not committed yet, or null. */
    Exposure unwritten(String requestId) {
        synchronized (lock) {
            return unwritten.get(requestId);
        }
    }

    /**
     * Waits until everything handed in before the call is committed (or dropped).
     *
     * @return how many entries were dropped since the log was opened
     */
    long flush() throws InterruptedException {
        synchronized (lock) {
            long target = handedIn;
            flushing = true;
            lock.notifyAll();
            while (done < target && writer.isAlive()) {
                lock.wait(PERIOD_MILLIS);
            }
            return dropped;
        }
    }

    /** Writes everything pending, then stops the writer. */
    void close() throws InterruptedException {
        synchronized (lock) {
            closing = true;
            lock.notifyAll();
        }
        writer.join();
    }

    private boolean add(Object entry) {
        handedIn++;
        if (closing || pending.size() >= MAX_PENDING) {
            done++;
            if (dropped++ % 10_000 == 0) {
                log.warn("shopgraph: the experiment log of database '%s' has %d entries pending and"
                        + " drops new ones (%d so far): the database does not keep up.",
                        db.databaseName(), pending.size(), dropped);
            }
            return false;
        }
        if (pending.isEmpty()) {
            firstPendingMillis = System.currentTimeMillis();
        }
        pending.add(entry);
        if (pending.size() >= BATCH) {
            lock.notifyAll();
        }
        return true;
    }

    private void run() {
        while (true) {
            List<Object> batch;
            synchronized (lock) {
                try {
                    while (!due()) {
                        long wait = pending.isEmpty() ? period
                                : Math.max(1, firstPendingMillis + period - System.currentTimeMillis());
                        lock.wait(wait);
                    }
                } catch (InterruptedException e) {
                    closing = true;
                }
                if (pending.isEmpty()) {
                    flushing = false;
                    lock.notifyAll();
                    if (closing) {
                        return;
                    }
                    continue;
                }
                batch = pending;
                pending = new ArrayList<>();
            }
            for (int from = 0; from < batch.size(); from += BATCH) {
                List<Object> part = batch.subList(from, Math.min(batch.size(), from + BATCH));
                boolean written = write(part);
                synchronized (lock) {
                    done += part.size();
                    if (!written) {
                        dropped += part.size();
                    }
                    for (Object entry : part) {
                        if (entry instanceof Exposure exposure) {
                            unwritten.remove(exposure.requestId());
                        }
                    }
                    lock.notifyAll();
                }
            }
        }
    }

    private boolean due() {
        return closing || flushing || pending.size() >= BATCH
                || (!pending.isEmpty() && System.currentTimeMillis() - firstPendingMillis >= period);
    }

    private boolean write(List<Object> entries) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try (Transaction tx = db.beginTx()) {
                for (Object entry : entries) {
                    if (entry instanceof Exposure exposure) {
                        create(tx, exposure);
                    } else {
                        append(tx, (Click) entry);
                    }
                }
                tx.commit();
                return true;
            } catch (RuntimeException e) {
                last = e;
                try {
                    Thread.sleep(PERIOD_MILLIS << attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        log.error("shopgraph: the experiment log of database '" + db.databaseName() + "' lost a batch of "
                + entries.size() + " entries that could not be written.", last);
        return false;
    }

    private static void create(Transaction tx, Exposure exposure) {
        Node node = tx.createNode(EXPOSURE);
        node.setProperty("requestId", exposure.requestId());
        node.setProperty("at", utc(exposure.at()));
        node.setProperty("userId", exposure.userId());
        node.setProperty("surface", exposure.surface().label());
        node.setProperty("experiment", exposure.experiment());
        node.setProperty("variant", exposure.variant());
        node.setProperty("items", exposure.items().toArray(String[]::new));
        node.setProperty("query", exposure.query().toArray(String[]::new));
    }

    /** Appends a click to its exposure; one erased meanwhile (a forgotten user) is skipped. */
    private static void append(Transaction tx, Click click) {
        Node node = tx.findNode(EXPOSURE, "requestId", click.requestId());
        if (node == null) {
            return;
        }
        String[] items = (String[]) node.getProperty("clickedItems", new String[0]);
        ZonedDateTime[] times = (ZonedDateTime[]) node.getProperty("clickedAt", new ZonedDateTime[0]);
        String[] moreItems = Arrays.copyOf(items, items.length + 1);
        moreItems[items.length] = click.itemId();
        ZonedDateTime[] moreTimes = Arrays.copyOf(times, times.length + 1);
        moreTimes[times.length] = utc(click.at());
        node.setProperty("clickedItems", moreItems);
        node.setProperty("clickedAt", moreTimes);
    }

    static ZonedDateTime utc(Instant time) {
        return time.atZone(ZoneOffset.UTC);
    }
}
