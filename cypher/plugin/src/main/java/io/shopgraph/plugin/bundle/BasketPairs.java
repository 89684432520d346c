package io.shopgraph.plugin.bundle;

import io.shopgraph.plugin.common.LongIntMap;
import java.util.Arrays;

/**
 * The pair sums of an item by a traversal, item {@code i} -> baskets {@code b} holding {@code i}
 * -> other items {@code j} of {@code b}, with no item-item matrix.
 *
 * <p>Per path, {@code m = w(b) d(b) r(b,i) r(b,j)} and {@code e = m h(b) a(b,i,j)}, where
 * {@code a = 1 + adjacencyBonus} when {@code j} sits on a line next to {@code i}'s in order
 * {@code b} (their positions are consecutive among the order's positioned items, ties by item
 * id) and 1 otherwise; both are summed per (user, {@code j}) and scaled by
 * {@code f = min(1, userCap / m_u)}, a basket without a user being its own user; their sums over
 * users are {@code n(i,j)} and {@code e(i,j)} by source. The two neighbours of {@code i} are
 * found while its basket's items go by (item ids are read only when two positions are equal).
 * Baskets of fewer than 2 or more than {@code maxBasketSize} items, and sources of weight 0, are
 * not visited. Work and memory scale with the paths of the item, not with the graph. Not
 * thread-safe: one per call (or per build of a {@link PairIndex}).
 *
 * <p>The same walk over an item's baskets gives its mass ({@link #mass}, and {@link #lastMass}
 * after {@link #forEachPair}): {@code n(i) = sum_u min(userCap, sum_b w(b) d(b) r(b,i))} over
 * every basket of {@code i} whatever its size, users in the order they are met and each user's
 * baskets in the order they are met, so the two give the same bits. It is the mass of
 * {@link MassCounter} summed in another order (equal up to rounding), and the one that
 * {@code shopgraph.bundle.refresh()} stores and the live index keeps.
 */
final class BasketPairs implements PairSums {

    private static final Source[] SOURCES = Source.values();
    private static final int S = SOURCES.length;

    private final BasketSource source;
    private final BundleStats stats;
    private final ScoringConfig scoring;
    private final boolean withMasses;

    // Items reached (j), by dense slot; kept from item to item.
    private final LongIntMap slots = new LongIntMap(1024);
    private long[] others = new long[1024];
    private int otherCount;

    // Per item: its paths (user, slot of j, m, e, source), and each user's baskets.
    private int[] pathUser = new int[4096];
    private int[] pathOther = new int[4096];
    private double[] pathM = new double[4096];
    private double[] pathE = new double[4096];
    private byte[] pathSource = new byte[4096];
    private int pathCount;
    private int[] userBaskets = new int[256];
    private double[] userMass = new double[256]; // per user, sum of w(b) d(b) r(b,i)
    private double lastMass;

    // Per item: (user, j) groups, for users with several baskets holding it.
    private LongIntMap users = new LongIntMap(256);
    private LongIntMap groups = new LongIntMap(1024);
    private int[] groupSlot = new int[1024];
    private double[] groupM = new double[1024];
    private double[] groupE = new double[1024 * S];
    private int userCount;
    private int groupCount;

    // Per item: the pair sums n(i, j) and e(i, j) by source, by slot of j.
    private double[] pairN = new double[1024];
    private double[] pairE = new double[1024 * S];
    private int[] pairStamp = new int[1024]; // the item (1, 2, ...) whose sums a slot holds
    private int[] touched = new int[1024];
    private int touchedCount; // slots in touched for the current item
    private int stamp;
    private final double[] evidence = new double[S];

    private final PathVisitor visitor = new PathVisitor();

    /**
     * @param source the baskets
     * @param stats {@code now} and the mass-relevant knobs of the last refresh
     * @param scoring {@code sizeExponent}, {@code maxBasketSize} and {@code adjacencyBonus} (the
     *     other knobs do not enter the pair sums); with an adjacency bonus, {@code source} must
     *     give the positions of order items
     */
    BasketPairs(BasketSource source, BundleStats stats, ScoringConfig scoring) {
        this(source, stats, scoring, false);
    }

    /**
     * @param withMasses whether {@link #forEachPair} also sums the item's mass
     *     ({@link #lastMass}), reading the baskets too small or too large for pairs as well;
     *     {@link #mass} always does
     */
    BasketPairs(BasketSource source, BundleStats stats, ScoringConfig scoring, boolean withMasses) {
        this.source = source;
        this.stats = stats;
        this.scoring = scoring;
        this.withMasses = withMasses;
    }

    /**
     * {@code n(item)}, computed from the baskets (not read from the source): the walk of
     * {@link #forEachPair} without the pairs.
     */
    double mass(long item) {
        walk(item, false, true);
        return lastMass;
    }

    /**
     * The mass of the item of the last {@link #mass}, or of the last {@link #forEachPair} of a
     * walker made {@code withMasses} (else meaningless).
     */
    double lastMass() {
        return lastMass;
    }

    /** Visits the item's baskets of every source of weight above 0; sums its mass. */
    private void walk(long item, boolean withPairs, boolean withMasses) {
        users = cleared(users);
        groups = cleared(groups);
        userCount = 0;
        groupCount = 0;
        pathCount = 0;
        visitor.item = item;
        visitor.itemId = null;
        visitor.withPairs = withPairs;
        visitor.withMasses = withMasses;
        for (Source s : SOURCES) {
            if (stats.mass().weight(s) > 0.0) {
                visitor.source = s;
                source.forEachBasket(item, s, visitor);
            }
        }
        double cap = stats.mass().userCap();
        double mass = 0.0;
        for (int u = 0; u < userCount; u++) {
            mass += Math.min(cap, userMass[u]);
        }
        lastMass = mass;
    }

    @Override
    public void forEachPair(long item, PairVisitor pairs) {
        int current = ++stamp;
        walk(item, true, withMasses);
        // Cap each user's evidence, f = min(1, cap / m_u), then sum per j. A user with one
        // basket holding the item has one path per j: no grouping needed.
        touchedCount = 0;
        double cap = stats.mass().userCap();
        for (int p = 0; p < pathCount; p++) {
            int c = pathOther[p];
            if (userBaskets[pathUser[p]] > 1) {
                int g = groups.getOrPut(((long) pathUser[p] << 32) | c, groupCount);
                if (g < 0) {
                    g = newGroup(c);
                }
                groupM[g] += pathM[p];
                groupE[g * S + pathSource[p]] += pathE[p];
                continue;
            }
            double m = pathM[p];
            double f = m > cap ? cap / m : 1.0;
            touch(c, current);
            pairN[c] += f * m;
            pairE[c * S + pathSource[p]] += f * pathE[p];
        }
        for (int g = 0; g < groupCount; g++) {
            int c = groupSlot[g];
            double m = groupM[g];
            double f = m > cap ? cap / m : 1.0;
            touch(c, current);
            pairN[c] += f * m;
            for (int s = 0; s < S; s++) {
                pairE[c * S + s] += f * groupE[g * S + s];
            }
        }
        for (int t = 0; t < touchedCount; t++) {
            int c = touched[t];
            System.arraycopy(pairE, c * S, evidence, 0, S);
            pairs.visit(others[c], pairN[c], evidence);
            pairN[c] = 0.0;
            Arrays.fill(pairE, c * S, c * S + S, 0.0);
        }
    }

    /** Marks slot {@code c} as holding sums of the current item, once. */
    private void touch(int c, int current) {
        if (pairStamp[c] != current) {
            pairStamp[c] = current;
            touched = grow(touched, touchedCount + 1);
            touched[touchedCount++] = c;
        }
    }

    /** Visits the baskets of one item, then their items: one path at a time. */
    private final class PathVisitor implements BasketSource.BasketVisitor, BasketSource.ItemVisitor {
        long item;
        Source source;
        boolean withPairs;
        boolean withMasses;
        private double basketItemWeight;
        private double sizeWeight;
        private int user;
        // Line adjacency in the current basket: whether it applies (an order, a bonus, a
        // visited item with a position), that position, and the nearest item found so far
        // before it and after it with its path (-1: that item has no path, its m being 0).
        private boolean ordered;
        private long place;
        private boolean hasBefore;
        private long beforeItem;
        private long beforePlace;
        private int beforePath;
        private boolean hasAfter;
        private long afterItem;
        private long afterPlace;
        private int afterPath;
        private String itemId; // the visited item's id, read on the first tie of positions

        @Override
        public void visit(BasketSource.Basket basket) {
            // Every basket counts in the mass, whatever its size; pairs only within the sizes.
            // The size first when pairs are wanted: a source may read it in the same pass as the
            // items and users (GraphBasketSource does, for sparse basket nodes).
            int size = withPairs ? basket.size() : -1;
            if (!withMasses && (size < 2 || size > scoring.maxBasketSize())) {
                return;
            }
            double weight = stats.mass().basketWeight(source, stats.nowMillis(), basket.timeMillis());
            basketItemWeight = weight * basket.itemWeight();
            long handle = basket.user();
            int known = handle == BasketSource.NO_USER ? -1 - userCount : users.getOrPut(handle, userCount);
            if (known < 0) {
                known = userCount++;
                if (known == userBaskets.length) {
                    userBaskets = Arrays.copyOf(userBaskets, known * 2);
                    userMass = Arrays.copyOf(userMass, known * 2);
                }
                userBaskets[known] = 0;
                userMass[known] = 0.0;
            }
            user = known;
            userMass[user] += basketItemWeight;
            if (!withPairs) {
                return;
            }
            if (size < 0) {
                size = basket.size();
            }
            if (size < 2 || size > scoring.maxBasketSize() || basketItemWeight == 0.0) {
                return; // no pairs, or no evidence: every m and e of this basket is 0
            }
            sizeWeight = scoring.sizeWeight(size);
            userBaskets[user]++;
            place = source == Source.ORDER && scoring.adjacency() ? basket.itemPosition() : BasketSource.NO_POSITION;
            ordered = place != BasketSource.NO_POSITION;
            hasBefore = false;
            hasAfter = false;
            basket.forEachOtherItem(this);
            if (ordered) {
                double adjacent = scoring.adjacencyWeight();
                if (hasBefore && beforePath >= 0) {
                    pathE[beforePath] *= adjacent;
                }
                if (hasAfter && afterPath >= 0) {
                    pathE[afterPath] *= adjacent;
                }
            }
        }

        @Override
        public void visit(long other, double weight, long position) {
            if (other == item) {
                return;
            }
            double m = basketItemWeight * weight;
            int p = m == 0.0 ? -1 : addPath(other, m);
            if (ordered && position != BasketSource.NO_POSITION) {
                if (precedes(other, position, item, place)) {
                    if (!hasBefore || precedes(beforeItem, beforePlace, other, position)) {
                        hasBefore = true;
                        beforeItem = other;
                        beforePlace = position;
                        beforePath = p;
                    }
                } else if (!hasAfter || precedes(other, position, afterItem, afterPlace)) {
                    hasAfter = true;
                    afterItem = other;
                    afterPlace = position;
                    afterPath = p;
                }
            }
        }

        /** Whether item {@code a} at {@code pa} comes before item {@code b} at {@code pb}. */
        private boolean precedes(long a, long pa, long b, long pb) {
            if (pa != pb) {
                return pa < pb;
            }
            return id(a).compareTo(id(b)) < 0;
        }

        private String id(long handle) {
            if (handle != item) {
                return BasketPairs.this.source.itemId(handle);
            }
            if (itemId == null) {
                itemId = BasketPairs.this.source.itemId(item);
            }
            return itemId;
        }

        private int addPath(long other, double m) {
            int p = pathCount++;
            if (p == pathM.length) {
                int size = p * 2;
                pathUser = Arrays.copyOf(pathUser, size);
                pathOther = Arrays.copyOf(pathOther, size);
                pathM = Arrays.copyOf(pathM, size);
                pathE = Arrays.copyOf(pathE, size);
                pathSource = Arrays.copyOf(pathSource, size);
            }
            pathUser[p] = user;
            pathOther[p] = slot(other);
            pathM[p] = m;
            pathE[p] = m * sizeWeight;
            pathSource[p] = (byte) source.ordinal();
            return p;
        }
    }

    private int slot(long item) {
        int c = slots.getOrPut(item, otherCount);
        if (c >= 0) {
            return c;
        }
        c = otherCount++;
        if (c == others.length) {
            int size = others.length * 2;
            others = Arrays.copyOf(others, size);
            pairN = Arrays.copyOf(pairN, size);
            pairE = Arrays.copyOf(pairE, size * S);
            pairStamp = Arrays.copyOf(pairStamp, size);
        }
        others[c] = item;
        return c;
    }

    private int newGroup(int c) {
        int g = groupCount++;
        if (g == groupSlot.length) {
            int size = groupSlot.length * 2;
            groupSlot = Arrays.copyOf(groupSlot, size);
            groupM = Arrays.copyOf(groupM, size);
            groupE = Arrays.copyOf(groupE, size * S);
        }
        groupSlot[g] = c;
        groupM[g] = 0.0;
        Arrays.fill(groupE, g * S, g * S + S, 0.0);
        return g;
    }

    /**
     * An empty map: this one cleared, or a small new one when it grew far beyond its last use
     * (clearing costs its capacity, and a build visits every item: one popular item must not
     * make every later clear expensive).
     */
    private static LongIntMap cleared(LongIntMap map) {
        if (map.capacity() > 4096 && map.size() * 8 < map.capacity()) {
            return new LongIntMap(Math.max(256, map.size()));
        }
        map.clear();
        return map;
    }

    private static int[] grow(int[] array, int needed) {
        return needed <= array.length ? array : Arrays.copyOf(array, Math.max(needed, array.length * 2));
    }
}
