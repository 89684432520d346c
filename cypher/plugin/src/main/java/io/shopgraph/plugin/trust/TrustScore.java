package io.shopgraph.plugin.trust;

/**
 * A user's trust and every signal behind it. Each {@code …Penalty} is in [0, 1]; trust is
 * {@code max(floor, product of (1 - penalty))}. A raw value is -1 where the data cannot tell
 * (no times, no browsing in the graph).
 *
 * @param userId the user
 * @param trust the trust in [floor, 1]
 * @param lockstepPartners the most lockstep partners one of the user's items has within the profile
 * @param crowdItems items outside any lockstep pair that the user shares with the crowd of its
 *     lockstep item (0 when the user has no lockstep partners)
 * @param lockstepPenalty penalty of lockstep group membership, after corroboration
 * @param maxRate highest events per minute over the user's rated sessions, or -1
 * @param velocityPenalty penalty of bot-like event velocity
 * @param eventsPerItem events per distinct item, or -1
 * @param repeatPenalty penalty of hammering a few items
 * @param blindPurchases purchased items never viewed or carted, or -1
 * @param blindPenalty penalty of purchases without browsing
 * @param spanHours hours between the first and last event, or -1
 * @param newAccountPenalty penalty of a brand-new account that buys
 */
public record TrustScore(String userId, double trust, long lockstepPartners, long crowdItems,
                         double lockstepPenalty,
                         double maxRate, double velocityPenalty, double eventsPerItem,
                         double repeatPenalty, long blindPurchases, double blindPenalty,
                         double spanHours, double newAccountPenalty) {}
