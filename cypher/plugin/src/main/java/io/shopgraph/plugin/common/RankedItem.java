package io.shopgraph.plugin.common;

/**
 * The shared result row of recommending procedures: {@code YIELD itemId, score, rank, reason}.
 * Procedures that say more add columns after these four, never instead of them.
 *
 * @param itemId the item's business id
 * @param score higher is better; comparable within one call only
 * @param rank 1 for the best item, then 2, 3, ... without gaps
 * @param reason where the item comes from, see {@link Reason}
 */
public record RankedItem(String itemId, double score, long rank, String reason) {}
