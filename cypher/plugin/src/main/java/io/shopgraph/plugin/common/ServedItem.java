package io.shopgraph.plugin.common;

/**
 * The result row of {@code shopgraph.recommend} and {@code shopgraph.similar}: the shared
 * {@link RankedItem} columns, then the request id and the variant of an experiment's call
 * (both null outside an experiment).
 *
 * @param itemId the item's business id
 * @param score higher is better; comparable within one call only
 * @param rank 1 for the best item, then 2, 3, ... without gaps
 * @param reason where the item comes from
 * @param requestId the logged request's id, the same on every row of a call; null outside an
 *     experiment
 * @param variant the experiment's variant that answered; null outside an experiment
 */
public record ServedItem(String itemId, double score, long rank, String reason, String requestId,
                         String variant) {

    /** A ranked item of the call {@code served} answers. */
    public static ServedItem of(RankedItem item, Served served) {
        return new ServedItem(item.itemId(), item.score(), item.rank(), item.reason(), served.requestId(),
                served.variant());
    }
}
