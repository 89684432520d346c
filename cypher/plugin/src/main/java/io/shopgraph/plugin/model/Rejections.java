package io.shopgraph.plugin.model;

import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.Transaction;

/**
 * A user's negative feedback, as serving applies it, read on the live graph at each call: the
 * items the user rejected ({@code (:User)-[:REJECTED]->(:Item)}, "not interested" or
 * "dismissed") never come back to the user from any procedure, and items <em>very similar</em>
 * to one of them are demoted: they come after every item that is not.
 *
 * <p><b>Very similar</b> to a rejected item {@code r}: when the active model has an embedding
 * of both, a cosine of at least {@value #SIMILAR_COSINE}; otherwise the same brand and the same
 * category ({@code HAS_BRAND} and {@code IN_CATEGORY} to the same nodes as {@code r}). The
 * {@value #MAX_DEMOTING} most recent rejections ({@code REJECTED.at}) demote; all of them exclude.
 */
@SuppressWarnings("removal") // Entity.getId(): brand and category nodes compared within this transaction.
public final class Rejections {

    /** The cosine of the active model's embeddings from which an item is very similar to a rejected one. */
    public static final double SIMILAR_COSINE = 0.9;
    /** How many of a user's most recent rejections demote similar items. */
    public static final int MAX_DEMOTING = 100;

    private static final Label USER = Label.label("User");
    private static final Label ITEM = Label.label("Item");
    private static final RelationshipType REJECTED = RelationshipType.withName("REJECTED");
    private static final RelationshipType HAS_BRAND = RelationshipType.withName("HAS_BRAND");
    private static final RelationshipType IN_CATEGORY = RelationshipType.withName("IN_CATEGORY");

    /** No user, or a user who rejected nothing. */
    public static final Rejections NONE = new Rejections(null, Set.of(), List.of(), null, Set.of(), Set.of());

    private final Transaction tx;
    private final Set<String> rejected;
    private final Set<Long> brandCategory; // brand node id << 32 | category node id, of demoting items
    private final Set<Long> brandCategoryUnembedded; // the same, of those without an embedding
    private final List<double[]> vectors; // embeddings of demoting items in the active model
    private final ItemEmbeddings embeddings;

    private Rejections(Transaction tx, Set<String> rejected, List<double[]> vectors, ItemEmbeddings embeddings,
                       Set<Long> brandCategory, Set<Long> brandCategoryUnembedded) {
        this.tx = tx;
        this.rejected = rejected;
        this.vectors = vectors;
        this.embeddings = embeddings;
        this.brandCategory = brandCategory;
        this.brandCategoryUnembedded = brandCategoryUnembedded;
    }

    /**
     * The rejections of a user.
     *
     * @param tx the caller's transaction
     * @param database the database's key (its UUID), for the model's embeddings in memory
     * @param userId the user's id; null or unknown: {@link #NONE}
     */
    public static Rejections of(Transaction tx, String database, String userId) {
        Node user = userId == null ? null : tx.findNode(USER, "userId", userId);
        if (user == null) {
            return NONE;
        }
        List<Relationship> rels = new ArrayList<>();
        try (ResourceIterable<Relationship> all = user.getRelationships(Direction.OUTGOING, REJECTED)) {
            all.forEach(rels::add);
        }
        if (rels.isEmpty()) {
            return NONE;
        }
        Set<String> ids = new HashSet<>();
        for (Relationship rel : rels) {
            if (rel.getEndNode().getProperty("itemId", null) instanceof String id) {
                ids.add(id);
            }
        }
        rels.sort(Comparator.comparingLong(Rejections::epochSeconds).reversed());
        List<Node> demoting = rels.stream().limit(MAX_DEMOTING).map(Relationship::getEndNode).toList();
        ItemEmbeddings embeddings = ActiveModel.read(tx).map(m -> ItemEmbeddings.of(tx, database, m)).orElse(null);
        List<double[]> vectors = new ArrayList<>();
        Set<Long> pairs = new HashSet<>();
        Set<Long> unembedded = new HashSet<>();
        for (Node item : demoting) {
            double[] vector = embeddings == null ? null : embeddings.get((String) item.getProperty("itemId", ""));
            Set<Long> own = brandCategory(item);
            pairs.addAll(own);
            if (vector == null) {
                unembedded.addAll(own);
            } else {
                vectors.add(vector);
            }
        }
        return new Rejections(tx, Set.copyOf(ids), vectors, embeddings, pairs, unembedded);
    }

    /** Whether the user rejected the item. */
    public boolean rejected(String itemId) {
        return rejected.contains(itemId);
    }

    /** The rejected item ids. */
    public Set<String> rejected() {
        return rejected;
    }

    /** Whether the user rejected nothing. */
    public boolean isEmpty() {
        return rejected.isEmpty();
    }

    /** Whether an item (not rejected itself) is very similar to a rejected one. */
    public boolean demoted(String itemId) {
        if (rejected.isEmpty() || rejected.contains(itemId)) {
            return false;
        }
        double[] vector = embeddings == null ? null : embeddings.get(itemId);
        if (vector != null) {
            for (double[] other : vectors) {
                Double cosine = ActiveModel.cosine(vector, other);
                if (cosine != null && cosine >= SIMILAR_COSINE) {
                    return true;
                }
            }
        }
        // Pairs without both embeddings (or no model): by brand and category.
        Set<Long> pairs = vector == null ? brandCategory : brandCategoryUnembedded;
        if (pairs.isEmpty()) {
            return false;
        }
        Node item = tx.findNode(ITEM, "itemId", itemId);
        if (item == null) {
            return false;
        }
        for (long pair : brandCategory(item)) {
            if (pairs.contains(pair)) {
                return true;
            }
        }
        return false;
    }

    private static Set<Long> brandCategory(Node item) {
        List<Long> brands = new ArrayList<>();
        List<Long> categories = new ArrayList<>();
        try (ResourceIterable<Relationship> rels = item.getRelationships(Direction.OUTGOING, HAS_BRAND, IN_CATEGORY)) {
            for (Relationship rel : rels) {
                (rel.isType(HAS_BRAND) ? brands : categories).add(rel.getEndNode().getId());
            }
        }
        Set<Long> pairs = new HashSet<>();
        for (long brand : brands) {
            for (long category : categories) {
                pairs.add((brand << 32) | (category & 0xffffffffL));
            }
        }
        return pairs;
    }

    private static long epochSeconds(Relationship rel) {
        return rel.getProperty("at", null) instanceof TemporalAccessor time
                && time.isSupported(java.time.temporal.ChronoField.INSTANT_SECONDS)
                ? time.getLong(java.time.temporal.ChronoField.INSTANT_SECONDS) : Long.MIN_VALUE;
    }
}
