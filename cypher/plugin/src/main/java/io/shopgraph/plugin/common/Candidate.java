package io.shopgraph.plugin.common;

import java.util.Objects;

/**
 * An item that one candidate source proposes, with that source's own score and the reason
 * shown with it: what random walks, co-purchases and popularity hand to ranking.
 *
 * @param itemId the item's business id
 * @param source the source that proposed it
 * @param score the source's score, higher is better; comparable within one source and call
 *     only (walks: Pixie's multi-hit boosted visit count; co-purchases: the bundle score;
 *     popularity: the item's purchase mass)
 * @param reason why, as the {@code reason} column shows it: {@code "walk"},
 *     {@code "bought with 123"}, {@code "popular in electronics.audio"}, {@code "popular"}
 */
public record Candidate(String itemId, Source source, double score, String reason) {

    /** The candidate sources, in the order ranking breaks ties between them. */
    public enum Source { WALK, BUNDLE, POPULAR }

    public Candidate {
        Objects.requireNonNull(itemId, "itemId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(reason, "reason");
    }
}
