package io.shopgraph.plugin.model;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;

/**
 * The item embeddings of one model version, held in memory, at most one version per slot and
 * database (an experiment that pins the previous version serves both slots).
 *
 * <p>Reading each candidate's embedding from the store costs an index seek and an array
 * property read; held in memory it is a hash lookup per candidate (the serving times are in
 * benchmarks/RESULTS.md).
 *
 * <p><b>Consistency.</b> The embeddings of a version never change while it can be read: a new
 * version is always written into the slot that is not active, and a version whose slot was
 * overwritten is retired for good (it has no slot, so it can never be activated again). So a
 * copy made in a transaction that sees version {@code v} active stays exact for as long as
 * {@code v} is active, and a call that sees another version active loads that one instead.
 * Loads run one at a time; a call never sees a half-loaded copy.
 *
 * <p>Memory: items x dimensions x 8 bytes (100k items of 64 dimensions: about 50 MB) per slot
 * held, plus the id map; a slot's old version is dropped once a call has loaded the slot's new
 * one.
 */
public final class ItemEmbeddings {

    private static final Label ITEM = Label.label("Item");
    private static final Map<String, ItemEmbeddings> BY_DATABASE = new ConcurrentHashMap<>();
    private static final Object LOAD_LOCK = new Object();

    private final ActiveModel model;
    private final Map<String, double[]> vectors;

    private ItemEmbeddings(ActiveModel model, Map<String, double[]> vectors) {
        this.model = model;
        this.vectors = vectors;
    }

    /**
     * The item embeddings of {@code model}, from memory when this database's copy is of that
     * version, else read from the caller's transaction (which sees {@code model} active).
     *
     * @param tx the caller's transaction
     * @param database a key naming the database (its UUID: a database created again under the
     *     same name, or another DBMS in the same JVM, must not share a copy)
     * @param model the version active in {@code tx}
     */
    public static ItemEmbeddings of(Transaction tx, String database, ActiveModel model) {
        String key = database + "/" + model.property();
        ItemEmbeddings held = BY_DATABASE.get(key);
        if (held != null && held.model.equals(model)) {
            return held;
        }
        synchronized (LOAD_LOCK) {
            held = BY_DATABASE.get(key);
            if (held != null && held.model.equals(model)) {
                return held;
            }
            ItemEmbeddings loaded = load(tx, model);
            BY_DATABASE.put(key, loaded);
            return loaded;
        }
    }

    private static ItemEmbeddings load(Transaction tx, ActiveModel model) {
        Map<String, double[]> vectors = new HashMap<>();
        try (ResourceIterator<Node> items = tx.findNodes(ITEM)) {
            while (items.hasNext()) {
                Node item = items.next();
                double[] vector = model.embedding(item);
                if (vector != null && item.getProperty("itemId", null) instanceof String id) {
                    vectors.put(id, vector);
                }
            }
        }
        return new ItemEmbeddings(model, vectors);
    }

    /** The version these embeddings belong to. */
    public ActiveModel model() {
        return model;
    }

    /** How many items have an embedding. */
    public int size() {
        return vectors.size();
    }

    /** An item's embedding, or null when it has none. Do not modify it. */
    public double[] get(String itemId) {
        return vectors.get(itemId);
    }

    /** The model score of an item for a user vector: their dot product, or null. */
    public Double score(double[] userVector, String itemId) {
        return ActiveModel.dot(userVector, vectors.get(itemId));
    }
}
