package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.LongIntMap;
import java.util.Arrays;

/**
 * The masses of {@code evaluation/bundles.py}, fed one user at a time: item mass {@code n(i) = sum_u
 * min(cap, sum_{b of u, i in b} w(b) d(b) r(b,i))} and basket mass {@code N = sum_u min(cap,
 * sum_{b of u} w(b) d(b))}. A basket without a user is fed as a user of its own. Masses count
 * every basket, whatever its size.
 *
 * <pre>{@code
 * MassCounter counter = new MassCounter(config, nowMillis);
 * counter.beginUser();
 * counter.addBasket(Source.ORDER, timeMillis, items, weights, size);  // each basket of the user
 * counter.endUser();
 * }</pre>
 */
public final class MassCounter {

    private final MassConfig config;
    private final long nowMillis;

    // Item masses, by dense slot.
    private final LongIntMap slots = new LongIntMap(1024);
    private long[] items = new long[1024];
    private double[] masses = new double[1024];
    private double basketMass;
    private long baskets;

    // The current user's sums, by item slot.
    private double[] userSums = new double[1024];
    private int[] userStamp = new int[1024]; // the user (1, 2, ...) whose sum a slot holds
    private int user;
    private int[] userItems = new int[64];
    private int userItemCount;
    private double userBasketSum;
    private boolean inUser;

    /**
     * @param config the source weights, half-life and user cap
     * @param nowMillis the reference time of the decay in epoch milliseconds, or
     *     {@link MassConfig#NO_TIME}
     */
    public MassCounter(MassConfig config, long nowMillis) {
        this.config = config;
        this.nowMillis = nowMillis;
    }

    /** Starts the baskets of one user. */
    public void beginUser() {
        if (inUser) {
            throw new IllegalStateException("beginUser() called twice without endUser().");
        }
        inUser = true;
        user++;
        userBasketSum = 0.0;
        userItemCount = 0;
    }

    /**
     * Adds one basket of the current user.
     *
     * @param source its source
     * @param timeMillis its time in epoch milliseconds, or {@link MassConfig#NO_TIME}
     * @param basketItems its distinct item handles, in {@code [0, size)}
     * @param weights {@code r(b, i)} of each item, in {@code [0, size)}
     * @param size how many items
     */
    public void addBasket(Source source, long timeMillis, long[] basketItems, double[] weights, int size) {
        if (!inUser) {
            throw new IllegalStateException("addBasket() called outside beginUser()/endUser().");
        }
        double weight = config.basketWeight(source, nowMillis, timeMillis);
        baskets++;
        userBasketSum += weight;
        for (int n = 0; n < size; n++) {
            int slot = slot(basketItems[n]);
            if (userStamp[slot] != user) {
                userStamp[slot] = user;
                userItems = grow(userItems, userItemCount + 1);
                userItems[userItemCount++] = slot;
            }
            userSums[slot] += weight * weights[n];
        }
    }

    /** Ends the current user: caps its sums and adds them to the masses. */
    public void endUser() {
        if (!inUser) {
            throw new IllegalStateException("endUser() called without beginUser().");
        }
        double cap = config.userCap();
        for (int n = 0; n < userItemCount; n++) {
            int slot = userItems[n];
            masses[slot] += Math.min(cap, userSums[slot]);
            userSums[slot] = 0.0;
        }
        basketMass += Math.min(cap, userBasketSum);
        inUser = false;
    }

    /** {@code n(item)}; 0.0 for an item in no basket. */
    public double mass(long item) {
        int slot = slots.get(item);
        return slot < 0 ? 0.0 : masses[slot];
    }

    /** {@code N}. */
    public double basketMass() {
        return basketMass;
    }

    /** How many baskets were added. */
    public long baskets() {
        return baskets;
    }

    /** How many distinct items the baskets hold. */
    public int items() {
        return slots.size();
    }

    private int slot(long item) {
        int slot = slots.get(item);
        if (slot >= 0) {
            return slot;
        }
        slot = slots.size();
        if (slot == items.length) {
            items = Arrays.copyOf(items, slot * 2);
            masses = Arrays.copyOf(masses, slot * 2);
            userSums = Arrays.copyOf(userSums, slot * 2);
            userStamp = Arrays.copyOf(userStamp, slot * 2);
        }
        items[slot] = item;
        slots.put(item, slot);
        return slot;
    }

    private static int[] grow(int[] array, int needed) {
        return needed <= array.length ? array : Arrays.copyOf(array, Math.max(needed, array.length * 2));
    }
}
