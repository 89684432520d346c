package io.shopgraph.plugin.live.changes;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.Log;

/**
 * The change feed of each database: the {@link ChangeListener} that {@link LiveChangesExtension}
 * registers publishes every commit's changes here, and the serving state of each feature (the
 * bundle pair index, the walk projection, the new-item registry) subscribes to keep itself
 * fresh. Databases are named by {@link #identity}, so that a database dropped and created again
 * under the same name, or another DBMS in the same JVM (tests), never shares a feed.
 *
 * <p>A feed is {@link #listening} only while a listener runs for its database: without one
 * (the extension was not loaded) features fall back to rebuilding on their own schedule.
 */
public final class ChangeFeeds {

    private static final Map<String, Feed> FEEDS = new ConcurrentHashMap<>();

    private ChangeFeeds() {}

    /** One database's subscribers, and whether its listener runs. */
    private static final class Feed {
        final List<ChangeSubscriber> subscribers = new CopyOnWriteArrayList<>();
        volatile boolean listening;
    }

    /**
     * A key naming one database of one DBMS: its UUID (the name when the UUID cannot be read).
     */
    public static String identity(GraphDatabaseService db) {
        if (db instanceof GraphDatabaseAPI api) {
            return api.databaseId().databaseId().uuid().toString();
        }
        return db.databaseName();
    }

    /**
     * Subscribes to a database's commits from now on; changes committed before are not told.
     * Subscribe before reading the state the changes will be applied to.
     */
    public static void subscribe(String identity, ChangeSubscriber subscriber) {
        feed(identity).subscribers.add(subscriber);
    }

    /** Stops telling {@code subscriber}. */
    public static void unsubscribe(String identity, ChangeSubscriber subscriber) {
        feed(identity).subscribers.remove(subscriber);
    }

    /** Whether anyone subscribed to the database's commits (else there is nothing to read them for). */
    static boolean subscribed(String identity) {
        Feed feed = FEEDS.get(identity);
        return feed != null && !feed.subscribers.isEmpty();
    }

    /** Whether a listener reports the commits of this database. */
    public static boolean listening(String identity) {
        Feed feed = FEEDS.get(identity);
        return feed != null && feed.listening;
    }

    /** Marks the database's listener as running or stopped (by the extension). */
    static void listening(String identity, boolean listening) {
        feed(identity).listening = listening;
    }

    /** Tells every subscriber; one that throws is logged and the others are still told. */
    static void publish(String identity, GraphChanges changes, Log log) {
        Feed feed = FEEDS.get(identity);
        if (feed == null) {
            return;
        }
        for (ChangeSubscriber subscriber : feed.subscribers) {
            try {
                subscriber.accept(changes);
            } catch (RuntimeException e) {
                // A subscriber must never fail a commit that already happened.
                log.error("shopgraph: a subscriber of the change feed failed; its state is rebuilt.", e);
                subscriber.accept(GraphChanges.UNKNOWN);
            }
        }
    }

    private static Feed feed(String identity) {
        return FEEDS.computeIfAbsent(identity, key -> new Feed());
    }
}
