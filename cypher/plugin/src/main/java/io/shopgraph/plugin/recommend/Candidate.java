package io.shopgraph.plugin.recommend;

/**
 * An item one stage proposes, with that stage's own score and the reason shown to users.
 *
 * @param itemId the item
 * @param stage the stage that proposed it
 * @param score the stage's score (higher is better; only compared within the stage)
 * @param reason e.g. "walk", "bought with 123", "popular in electronics.audio"
 */
public record Candidate(String itemId, Stage stage, double score, String reason) {

    /** The candidate stages of {@code shopgraph.recommend}. */
    public enum Stage { WALK, BUNDLE, POPULAR }
}
