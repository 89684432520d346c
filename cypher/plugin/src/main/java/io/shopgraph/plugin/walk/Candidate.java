package io.shopgraph.plugin.walk;

/**
 * An item the walks reached, with its Pixie score.
 *
 * @param itemId the item's business id
 * @param score the multi-hit boosted visit count {@code (sum over query items q of
 *     sqrt(V_q))^2}, where {@code V_q} is the number of times the walks of {@code q} landed on
 *     the item
 * @param visits the plain visit count, {@code sum over q of V_q}
 */
public record Candidate(String itemId, double score, long visits) {}
