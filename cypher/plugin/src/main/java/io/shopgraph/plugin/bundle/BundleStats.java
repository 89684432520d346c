package io.shopgraph.plugin.bundle;

import java.util.EnumSet;
import java.util.Set;

/**
 * What {@code shopgraph.bundle.refresh} computes besides the item masses, stored on the
 * {@code (:BundleStats {key: 'default'})} node.
 *
 * @param mass the mass-relevant knobs the statistics were computed with
 * @param nowMillis the newest counted basket's time in epoch milliseconds, or
 *     {@link MassConfig#NO_TIME} when no counted basket has a time
 * @param basketMass {@code N}, the capped sum of basket weights over users
 * @param baskets how many baskets were counted
 * @param items how many distinct items the counted baskets hold
 * @param weightedSources the sources with a relationship weight other than 1.0 (or absent);
 *     for the others, weights need not be read until the next refresh
 */
public record BundleStats(MassConfig mass, long nowMillis, double basketMass, long baskets, long items,
                          Set<Source> weightedSources) {

    /** Copies {@code weightedSources}. */
    public BundleStats {
        weightedSources = weightedSources.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(weightedSources));
    }
}
