package io.shopgraph.plugin.live.changes;

/**
 * A relationship of a {@link ShopType} created, deleted, or whose {@code weight} or
 * {@code position} changed. Node ids are Neo4j's internal ids, join keys for the subscribers'
 * own reads and maps; never public ids.
 *
 * @param id the relationship's id
 * @param type its type
 * @param start its start node's id
 * @param end its end node's id
 * @param change created, deleted or changed
 * @param weight its {@code weight} after the transaction (1.0 when absent or not a number;
 *     NaN when deleted)
 */
public record RelationshipChange(long id, ShopType type, long start, long end, Change change, double weight) {}
