package io.shopgraph.plugin.common;

/** Why an item is recommended: the {@code reason} column of every recommending procedure. */
public enum Reason {
    /** Reached by Pixie random walks from the query items. */
    WALK("walk"),
    /**
     * Ranked by the active embedding model: the nearest item embeddings of
     * {@code shopgraph.similar}, or (as the prefix {@code "model: "} before the candidate's own
     * reason) the user-item dot products of {@code shopgraph.recommend}.
     */
    MODEL("model");

    private final String label;

    Reason(String label) {
        this.label = label;
    }

    /** The value of the {@code reason} column. */
    public String label() {
        return label;
    }
}
