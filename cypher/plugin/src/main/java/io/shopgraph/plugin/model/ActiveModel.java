package io.shopgraph.plugin.model;

import io.shopgraph.plugin.common.ShopgraphException;
import java.util.Optional;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;

/**
 * The active embedding model, read in the caller's transaction, so that one call sees one
 * complete version: the {@code (:ModelVersion {active: true})} node names the slot ('A' or
 * 'B') whose properties ({@code embeddingA} / {@code embeddingB} on users and items) hold it.
 *
 * @param version the version name
 * @param property the embedding property of its slot
 * @param indexName the vector index of its item slot
 * @param createdAt when the version was created (its {@code createdAt}, as text)
 */
public record ActiveModel(String version, String property, String indexName, String createdAt) {

    private static final Label MODEL_VERSION = Label.label("ModelVersion");

    /** The active version, if any. */
    public static Optional<ActiveModel> read(Transaction tx) {
        try (ResourceIterator<Node> versions = tx.findNodes(MODEL_VERSION, "active", true)) {
            while (versions.hasNext()) {
                Node node = versions.next();
                if ("A".equals(node.getProperty("slot", null))) {
                    return Optional.of(new ActiveModel((String) node.getProperty("version"),
                            "embeddingA", "item_embedding_a", created(node)));
                }
                if ("B".equals(node.getProperty("slot", null))) {
                    return Optional.of(new ActiveModel((String) node.getProperty("version"),
                            "embeddingB", "item_embedding_b", created(node)));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The model a serving call ranks with: the version an experiment's variant pins, or else the
     * active one.
     *
     * @param tx the caller's transaction
     * @param pinned the pinned version's name, or null for the active version
     * @return the model, or empty when none is pinned and none is active
     * @throws ShopgraphException of code {@code CONFLICT} when the pinned version does not
     *     exist or no longer holds a slot (retired: its embeddings were overwritten)
     */
    public static Optional<ActiveModel> forCall(Transaction tx, String pinned) {
        if (pinned == null) {
            return read(tx);
        }
        Node node = tx.findNode(MODEL_VERSION, "version", pinned);
        Object slot = node == null ? null : node.getProperty("slot", null);
        Object status = node == null ? null : node.getProperty("status", null);
        if ("A".equals(slot) && !"writing".equals(status)) {
            return Optional.of(new ActiveModel(pinned, "embeddingA", "item_embedding_a", created(node)));
        }
        if ("B".equals(slot) && !"writing".equals(status)) {
            return Optional.of(new ActiveModel(pinned, "embeddingB", "item_embedding_b", created(node)));
        }
        throw ShopgraphException.conflict("Model version '" + pinned + "' is pinned by an experiment"
                + " but " + (node == null ? "does not exist" : "holds no embeddings (status " + status + ")")
                + "; stop the experiment or pin a version that is active, previous or ready.");
    }

    /**
     * When the version was created, as text: with the name it tells a version apart from one
     * published again under the same name (after a wipe), whose embeddings a cache must not reuse.
     */
    private static String created(Node version) {
        return String.valueOf(version.getProperty("createdAt", null));
    }

    /** A node's embedding in this model's slot, or null. */
    public double[] embedding(Node node) {
        Object value = node == null ? null : node.getProperty(property, null);
        if (value instanceof double[] doubles) {
            return doubles;
        }
        if (value instanceof float[] floats) {
            double[] out = new double[floats.length];
            for (int n = 0; n < floats.length; n++) {
                out[n] = floats[n];
            }
            return out;
        }
        return null;
    }

    /** The dot product, or null when the dimensions differ. */
    public static Double dot(double[] a, double[] b) {
        if (a == null || b == null || a.length != b.length) {
            return null;
        }
        double sum = 0;
        for (int n = 0; n < a.length; n++) {
            sum += a[n] * b[n];
        }
        return sum;
    }

    /** The cosine similarity, or null when the dimensions differ or a vector is all zeros. */
    public static Double cosine(double[] a, double[] b) {
        Double dot = dot(a, b);
        if (dot == null) {
            return null;
        }
        double norms = Math.sqrt(dot(a, a) * dot(b, b));
        return norms > 0 ? dot / norms : null;
    }
}
