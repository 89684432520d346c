package io.shopgraph.plugin.trust;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Trust per user from behaviour signals; plain Java, no Neo4j. Each signal gives a penalty
 * {@code p} in [0, 1] and {@code trust = max(floor, prod (1 - p))}:
 *
 * <ul>
 *   <li><b>lockstep</b> (structure; works without times): items {@code i, j} are a lockstep
 *       pair when at least {@code minGroup} users hold both and their audiences overlap with
 *       Jaccard {@code >= jaccard}: a crowd of accounts that all hit the same items, which
 *       genuine audiences of different items rarely are (CopyCatch, Beutel et al., WWW 2013).
 *       {@code L(u)} is the most partners one item of the user has inside the user's own
 *       profile; {@code p = clamp((L - 1) / (lockstepFull - 1))}. Shilling profiles that all
 *       carry the same target items get {@code L = targets - 1}. <b>Corroboration</b> spares
 *       genuine communities (people who really do go to the same places): the crowd of the
 *       user's lockstep item (its holders) is a real community when its members also share other
 *       items, ones outside every lockstep pair that a part of the crowd shares: at least two
 *       other members, the crowd holding at least {@code crowdShare} of the item's audience, and
 *       fewer than {@code jaccard} of the crowd holding it. A user with at least
 *       {@code corroboration} such <i>crowd items</i> gets no lockstep penalty. Fake accounts
 *       pushing targets share nothing else with their crowd beyond chance: random fillers rarely
 *       coincide, shared popular fillers are held mostly by people outside the crowd, and a
 *       filler that the whole crowd holds is as much a lockstep item as the targets.
 *   <li><b>velocity</b> (times): the highest events per minute of a session with at least
 *       {@code minSessionEvents} events; {@code p} ramps from {@code rateStart} to
 *       {@code rateFull}. People read pages; scripts fire dozens of events a minute.
 *   <li><b>repeat</b> (item diversity): events per distinct item; {@code p} ramps from
 *       {@code repeatStart} to {@code repeatFull}. Bots inflating views hammer a few items.
 *   <li><b>blind purchases</b> (funnel shape): purchased items the user never viewed nor
 *       carted, only when the graph records browsing at all; {@code p = min(1, n / blindFull)}.
 *       Buyers browse first; fake orders placed through an API do not.
 *   <li><b>new account</b> (account age): events spanning less than {@code newAccountHours}
 *       with a purchase give {@code newAccountPenalty}; weak alone, it compounds the others.
 * </ul>
 *
 * A genuine heavy buyer (many purchases, browsed first, spread over time, diverse items) has
 * every penalty 0.
 */
public final class TrustScorer {

    private final TrustConfig config;
    private final int nItems;
    private final List<UserActivity> users;
    private final int[] itemPtr;
    private final int[] itemUsers;
    private final boolean graphHasBrowsing;

    /**
     * Indexes the users.
     *
     * @param config thresholds
     * @param nItems number of items; every item index is below it
     * @param users every user of the graph (the lockstep statistics need them all)
     * @throws IllegalArgumentException when an item index is out of range
     */
    public TrustScorer(TrustConfig config, int nItems, List<UserActivity> users) {
        this.config = config;
        this.nItems = nItems;
        this.users = List.copyOf(users);
        int[] degree = new int[nItems + 1];
        boolean browsing = false;
        for (UserActivity user : this.users) {
            for (int item : user.items()) {
                if (item < 0 || item >= nItems) {
                    throw new IllegalArgumentException("Item index " + item + " of user " + user.userId()
                            + " is outside 0 to " + (nItems - 1) + ".");
                }
                degree[item + 1]++;
            }
            browsing |= user.browsed().length > 0;
        }
        for (int i = 0; i < nItems; i++) {
            degree[i + 1] += degree[i];
        }
        itemPtr = degree;
        itemUsers = new int[degree[nItems]];
        int[] fill = Arrays.copyOf(degree, nItems);
        for (int u = 0; u < this.users.size(); u++) {
            for (int item : this.users.get(u).items()) {
                itemUsers[fill[item]++] = u;
            }
        }
        graphHasBrowsing = browsing;
    }

    /** Scores every user, in input order. */
    public List<TrustScore> scoreAll() {
        int[] all = new int[users.size()];
        Arrays.setAll(all, u -> u);
        return score(all, true);
    }

    /**
     * Scores some users, and every other user who shares a lockstep pair found among their items
     * (new fake accounts change the standing of the older accounts of their group).
     *
     * @param targets user positions in the list given to the constructor
     * @return scores of the targets and of the affected users, ascending by position
     */
    public List<TrustScore> score(int[] targets) {
        return score(targets, false);
    }

    private List<TrustScore> score(int[] targets, boolean everyItem) {
        BitSet candidates = new BitSet(nItems);
        if (everyItem) {
            candidates.set(0, nItems);
        } else {
            for (int u : targets) {
                for (int item : users.get(u).items()) {
                    candidates.set(item);
                }
            }
        }
        int[][] partners = lockstepPartners(candidates);
        BitSet scored = new BitSet(users.size());
        for (int u : targets) {
            scored.set(u);
        }
        for (int item = 0; item < nItems; item++) {
            if (partners[item] != null) {
                for (int k = itemPtr[item]; k < itemPtr[item + 1]; k++) {
                    scored.set(itemUsers[k]);
                }
            }
        }
        List<TrustScore> out = new ArrayList<>();
        boolean[] mark = new boolean[nItems];
        int[] crowd = new int[nItems];
        for (int u = scored.nextSetBit(0); u >= 0; u = scored.nextSetBit(u + 1)) {
            out.add(scoreUser(u, partners, mark, crowd));
        }
        return out;
    }

    /** Lockstep partners of each candidate item (null: none), both directions. */
    private int[][] lockstepPartners(BitSet candidates) {
        int[][] partners = new int[nItems][];
        int[] counts = new int[nItems];
        int[] touched = new int[nItems];
        long minGroup = config.minGroup();
        List<int[]> pairs = new ArrayList<>();
        for (int i = candidates.nextSetBit(0); i >= 0; i = candidates.nextSetBit(i + 1)) {
            int degreeI = itemPtr[i + 1] - itemPtr[i];
            if (degreeI < minGroup) {
                continue;
            }
            int nTouched = 0;
            for (int k = itemPtr[i]; k < itemPtr[i + 1]; k++) {
                for (int j : users.get(itemUsers[k]).items()) {
                    if (j != i && counts[j]++ == 0) {
                        touched[nTouched++] = j;
                    }
                }
            }
            for (int t = 0; t < nTouched; t++) {
                int j = touched[t];
                int both = counts[j];
                counts[j] = 0;
                if (both < minGroup || (candidates.get(j) && j < i)) {
                    continue; // too small, or already seen from j's side
                }
                int degreeJ = itemPtr[j + 1] - itemPtr[j];
                if (both >= config.jaccard() * (degreeI + degreeJ - both)) {
                    pairs.add(new int[] {i, j});
                }
            }
        }
        int[] size = new int[nItems];
        for (int[] pair : pairs) {
            size[pair[0]]++;
            size[pair[1]]++;
        }
        for (int item = 0; item < nItems; item++) {
            if (size[item] > 0) {
                partners[item] = new int[size[item]];
                size[item] = 0;
            }
        }
        for (int[] pair : pairs) {
            partners[pair[0]][size[pair[0]]++] = pair[1];
            partners[pair[1]][size[pair[1]]++] = pair[0];
        }
        return partners;
    }

    private TrustScore scoreUser(int position, int[][] partners, boolean[] mark, int[] crowd) {
        UserActivity user = users.get(position);
        for (int item : user.items()) {
            mark[item] = true;
        }
        long most = 0;
        int lockstepItem = -1;
        for (int item : user.items()) {
            if (partners[item] != null) {
                long inside = 0;
                for (int j : partners[item]) {
                    if (mark[j]) {
                        inside++;
                    }
                }
                if (inside > most) {
                    most = inside;
                    lockstepItem = item;
                }
            }
        }
        for (int item : user.items()) {
            mark[item] = false;
        }
        double lockstep = ramp(most, 1, config.lockstepFull());
        long crowdItems = 0;
        if (lockstep > 0) {
            crowdItems = crowdItems(position, lockstepItem, partners, crowd);
            if (config.corroboration() > 0 && crowdItems >= config.corroboration()) {
                lockstep = 0;
            }
        }

        double maxRate = -1;
        for (UserActivity.SessionSpan session : user.sessions()) {
            if (session.events() >= config.minSessionEvents()) {
                double minutes = Math.max(session.endMillis() - session.startMillis(), 1000L) / 60_000.0;
                maxRate = Math.max(maxRate, (session.events() - 1) / minutes);
            }
        }
        double velocity = maxRate < 0 ? 0 : ramp(maxRate, config.rateStart(), config.rateFull());

        long events = user.events();
        double perItem = events > 0 && user.items().length > 0 ? (double) events / user.items().length : -1;
        double repeat = perItem < 0 ? 0 : ramp(perItem, config.repeatStart(), config.repeatFull());

        long blind = -1;
        double blindPenalty = 0;
        if (graphHasBrowsing) {
            blind = 0;
            for (int item : user.browsed()) {
                mark[item] = true;
            }
            for (int item : user.purchased()) {
                if (!mark[item]) {
                    blind++;
                }
            }
            for (int item : user.browsed()) {
                mark[item] = false;
            }
            blindPenalty = Math.min(1.0, (double) blind / config.blindFull());
        }

        double spanHours = -1;
        double newAccount = 0;
        if (user.firstMillis() != null && user.lastMillis() != null) {
            spanHours = (user.lastMillis() - user.firstMillis()) / 3_600_000.0;
            if (spanHours < config.newAccountHours() && user.purchased().length > 0) {
                newAccount = config.newAccountPenalty();
            }
        }
        double product = (1 - lockstep) * (1 - velocity) * (1 - repeat) * (1 - blindPenalty) * (1 - newAccount);
        double trust = Math.max(config.floor(), product);
        return new TrustScore(user.userId(), trust, most, crowdItems, lockstep, maxRate, velocity, perItem, repeat,
                blind, blindPenalty, spanHours, newAccount);
    }

    /**
     * Items of the user outside every lockstep pair that at least two other holders of
     * {@code lockstepItem} (its crowd) hold, the crowd, the user included, being at least
     * {@code crowdShare} of the item's audience and less than {@code jaccard} of the crowd.
     *
     * @param crowd scratch counts, all 0 on entry and on return
     */
    private long crowdItems(int position, int lockstepItem, int[][] partners, int[] crowd) {
        for (int k = itemPtr[lockstepItem]; k < itemPtr[lockstepItem + 1]; k++) {
            if (itemUsers[k] != position) {
                for (int j : users.get(itemUsers[k]).items()) {
                    crowd[j]++;
                }
            }
        }
        long shared = 0;
        int crowdSize = itemPtr[lockstepItem + 1] - itemPtr[lockstepItem];
        for (int j : users.get(position).items()) {
            int audience = itemPtr[j + 1] - itemPtr[j];
            int held = crowd[j] + 1;
            if (partners[j] == null && crowd[j] >= 2 && held >= config.crowdShare() * audience
                    && held < config.jaccard() * crowdSize) {
                shared++;
            }
        }
        for (int k = itemPtr[lockstepItem]; k < itemPtr[lockstepItem + 1]; k++) {
            if (itemUsers[k] != position) {
                for (int j : users.get(itemUsers[k]).items()) {
                    crowd[j] = 0;
                }
            }
        }
        return shared;
    }

    /** 0 at or below {@code start}, 1 at or above {@code full}, linear between. */
    static double ramp(double value, double start, double full) {
        if (value <= start) {
            return 0.0;
        }
        if (value >= full) {
            return 1.0;
        }
        return (value - start) / (full - start);
    }
}
