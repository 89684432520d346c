package io.shopgraph.plugin.bundle;

import java.util.List;

/**
 * One recommended item with the numbers of {@code evaluation/bundles.py}'s module docstring.
 *
 * @param item the item's handle in its {@link BasketSource}
 * @param itemId the item's business id
 * @param score {@code sum over cart items i of e(i,j) / n(i)^alpha / (n(j) + smoothing)^beta}
 * @param support {@code sum over cart items i of n(i,j)}
 * @param confidence {@code support / sum over cart items of n(i)} (0 when that is 0)
 * @param lift {@code confidence / (n(j) / N)}, with {@code n(j)} raised to {@code max_i n(i,j)}
 *     if the stored mass is below it (only with baskets added after the last refresh)
 * @param reason the source with the largest share of the score (ties: orders, carts, views)
 * @param because the cart items with a positive contribution, strongest first, ties by id
 */
public record ScoredItem(long item, String itemId, double score, double support, double confidence,
                         double lift, Source reason, List<String> because) {}
