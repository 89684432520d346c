package io.shopgraph.plugin;

/** Why an item is recommended: the {@code reason} column of every recommending procedure. */
public enum Reason {
    /** Reached by Pixie random walks from the query items. */
    WALK("walk");

    private final String label;

    Reason(String label) {
        this.label = label;
    }

    /** The value of the {@code reason} column. */
    public String label() {
        return label;
    }
}
