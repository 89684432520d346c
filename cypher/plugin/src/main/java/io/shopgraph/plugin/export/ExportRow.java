package io.shopgraph.plugin.export;

import java.util.List;

/**
 * One row of {@code shopgraph.export.interactions}: the edges of a batch of users.
 *
 * <p>User {@code users[u]} has the next {@code counts[u]} entries of {@code items} and
 * {@code weights}. An item is a position 0, 1, 2, ... over the whole export; its business id
 * is the position-th id of all {@code newItems} lists, in row order (a row lists the items
 * that no earlier row named).
 *
 * @param users user ids (business keys), each in one row only
 * @param counts number of edges of each user, at least 1
 * @param items item positions of the edges
 * @param weights weights of the edges, above 0
 * @param newItems ids of the items first named in this row
 */
public record ExportRow(List<String> users, List<Long> counts, List<Long> items, List<Double> weights,
                        List<String> newItems) {}
