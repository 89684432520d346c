package io.shopgraph.plugin.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.shopgraph.plugin.common.ShopgraphException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrustScorerTest {

    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    private static UserActivity plain(String id, int... items) {
        return new UserActivity(id, items, new int[0], items, List.of(), null, null);
    }

    /** 40 genuine users over 200 items, each holding 5 items in a rotating pattern (no crowds). */
    private static List<UserActivity> genuine() {
        List<UserActivity> users = new ArrayList<>();
        for (int u = 0; u < 40; u++) {
            int base = u * 5;
            users.add(plain("g" + u, base % 200, (base + 7) % 200, (base + 19) % 200, (base + 61) % 200,
                    (base + 113) % 200));
        }
        return users;
    }

    @Test
    void aLockstepRingSharingFourItemsGetsTheFloorAndGenuineUsersKeepFullTrust() {
        List<UserActivity> users = genuine();
        for (int f = 0; f < 12; f++) {
            users.add(plain("f" + f, 196, 197, 198, 199, f * 3, f * 3 + 1));
        }
        TrustScorer scorer = new TrustScorer(TrustConfig.standard(), 200, users);

        List<TrustScore> scores = scorer.scoreAll();

        assertThat(scores).hasSize(52);
        for (TrustScore s : scores.subList(40, 52)) {
            assertThat(s.lockstepPartners()).isEqualTo(3);
            assertThat(s.lockstepPenalty()).isEqualTo(1.0);
            assertThat(s.trust()).isEqualTo(0.02);
        }
        assertThat(scores.subList(0, 40)).allSatisfy(s -> {
            assertThat(s.lockstepPartners()).isZero();
            assertThat(s.trust()).isEqualTo(1.0);
        });
    }

    /**
     * 12 members of a community who all go to the places 196-199 (a lockstep group) and each to
     * three of the six local places 180-185, every local place with 6 of the 12 (too few for a
     * lockstep pair with 196-199).
     */
    private static List<UserActivity> community(List<UserActivity> users) {
        for (int f = 0; f < 12; f++) {
            users.add(plain("c" + f, 196, 197, 198, 199, 180 + f % 6, 180 + (f + 1) % 6,
                    180 + (f + 2) % 6));
        }
        return users;
    }

    @Test
    void aGenuineCommunitySharingOtherItemsIsNotPunished() {
        List<TrustScore> scores = new TrustScorer(TrustConfig.standard(), 200, community(genuine()))
                .scoreAll();

        assertThat(scores.subList(40, 52)).allSatisfy(s -> {
            assertThat(s.lockstepPartners()).isEqualTo(3);
            assertThat(s.crowdItems()).isEqualTo(3);
            assertThat(s.lockstepPenalty()).isZero();
            assertThat(s.trust()).isEqualTo(1.0);
        });
    }

    @Test
    void fewerCrowdItemsThanCorroborationKeepThePenaltyAndZeroTurnsItOff() {
        List<UserActivity> users = community(genuine());
        TrustScore four = new TrustScorer(TrustConfig.parse(Map.of("corroboration", 4L)), 200, users)
                .scoreAll().get(40);
        TrustScore off = new TrustScorer(TrustConfig.parse(Map.of("corroboration", 0L)), 200, users)
                .scoreAll().get(40);

        assertThat(four.crowdItems()).isEqualTo(3);
        assertThat(four.lockstepPenalty()).isEqualTo(1.0);
        assertThat(off.crowdItems()).isEqualTo(3);
        assertThat(off.lockstepPenalty()).isEqualTo(1.0);
        assertThat(off.trust()).isEqualTo(0.02);
    }

    @Test
    void fakesSharingPopularFillersAreNotACommunity() {
        List<UserActivity> users = genuine();
        for (int g = 0; g < 60; g++) { // fans of the hits 150, 151, 152
            users.add(plain("h" + g, 150, 151, 152, 100 + g % 40));
        }
        for (int f = 0; f < 12; f++) { // a ring on 196-199 with the same three hits
            users.add(plain("f" + f, 196, 197, 198, 199, 150, 151, 152));
        }
        List<TrustScore> scores = new TrustScorer(TrustConfig.standard(), 200, users).scoreAll();

        assertThat(scores.subList(100, 112)).allSatisfy(s -> {
            assertThat(s.lockstepPartners()).isEqualTo(3);
            assertThat(s.crowdItems()).isZero(); // the ring holds 12 of the 72 fans of each hit
            assertThat(s.trust()).isEqualTo(0.02);
        });
    }

    @Test
    void aFillerHeldByTheWholeCrowdDoesNotCorroborate() {
        List<UserActivity> users = genuine();
        for (int g = 0; g < 30; g++) { // ten genuine holders of each of 150, 151, 152
            users.add(plain("h" + g, 150 + g % 3, 100 + g));
        }
        for (int f = 0; f < 12; f++) { // a ring on 196-199, every member also holding 150-152
            users.add(plain("f" + f, 196, 197, 198, 199, 150, 151, 152));
        }
        TrustScore s = new TrustScorer(TrustConfig.standard(), 200, users).scoreAll().get(75);

        // 150-152 are no lockstep partners (Jaccard 12 / 22 with the ring's items, 12 / 32 with
        // each other) and the ring holds more than half their audience, but the whole ring holds them.
        assertThat(s.lockstepPartners()).isEqualTo(3);
        assertThat(s.crowdItems()).isZero();
        assertThat(s.trust()).isEqualTo(0.02);
    }

    @Test
    void fakesSharingRareFillersMakeThemLockstepItems() {
        List<UserActivity> users = genuine();
        for (int f = 0; f < 12; f++) { // a ring on 196-199 that also shares the rare items 180-182
            users.add(plain("f" + f, 196, 197, 198, 199, 180, 181, 182));
        }
        TrustScore s = new TrustScorer(TrustConfig.standard(), 200, users).scoreAll().get(45);

        assertThat(s.lockstepPartners()).isEqualTo(6);
        assertThat(s.crowdItems()).isZero();
        assertThat(s.trust()).isEqualTo(0.02);
    }

    @Test
    void aRingSharingThreeItemsGetsHalfTheLockstepPenalty() {
        List<UserActivity> users = genuine();
        for (int f = 0; f < 12; f++) {
            users.add(plain("f" + f, 197, 198, 199));
        }
        TrustScore s = new TrustScorer(TrustConfig.standard(), 200, users).scoreAll().get(40);

        assertThat(s.lockstepPartners()).isEqualTo(2);
        assertThat(s.lockstepPenalty()).isEqualTo(0.5);
        assertThat(s.trust()).isEqualTo(0.5);
    }

    @Test
    void aRingBelowMinGroupIsNotLockstep() {
        List<UserActivity> users = genuine();
        for (int f = 0; f < 9; f++) {
            users.add(plain("f" + f, 197, 198, 199));
        }
        List<TrustScore> scores = new TrustScorer(TrustConfig.standard(), 200, users).scoreAll();

        assertThat(scores.get(45).lockstepPartners()).isZero();
        assertThat(scores.get(45).trust()).isEqualTo(1.0);
    }

    @Test
    void incrementalScoringReturnsTheTargetAndTheOlderMembersOfItsRing() {
        List<UserActivity> users = genuine();
        for (int f = 0; f < 12; f++) {
            users.add(plain("f" + f, 197, 198, 199));
        }
        TrustScorer scorer = new TrustScorer(TrustConfig.standard(), 200, users);

        List<TrustScore> some = scorer.score(new int[] {51, 3});

        // g3 asked for; g17, g36 and g38 hold ring items, so they and the whole ring are rescored.
        assertThat(some).extracting(TrustScore::userId).containsExactly("g3", "g17", "g36", "g38",
                "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11");
        assertThat(some.subList(0, 4)).allSatisfy(s -> assertThat(s.trust()).isEqualTo(1.0));
        assertThat(some.subList(4, 16)).allSatisfy(s -> assertThat(s.trust()).isEqualTo(0.5));
    }

    @Test
    void aBotBurstIsPenalisedByVelocityAndRepeats() {
        int[] items = {1, 2};
        UserActivity bot = new UserActivity("bot", items, items, new int[0],
                List.of(new UserActivity.SessionSpan(0, 60_000, 200)), 0L, 60_000L);
        TrustScore s = new TrustScorer(TrustConfig.standard(), 5, List.of(bot)).scoreAll().get(0);

        assertThat(s.maxRate()).isCloseTo(199.0, within(1e-9));
        assertThat(s.velocityPenalty()).isEqualTo(1.0);
        assertThat(s.eventsPerItem()).isEqualTo(100.0);
        assertThat(s.repeatPenalty()).isEqualTo(1.0);
        assertThat(s.trust()).isEqualTo(0.02);
    }

    @Test
    void purchasesWithoutBrowsingArePenalisedOnlyWhenTheGraphRecordsBrowsing() {
        UserActivity browser = new UserActivity("b", new int[] {0}, new int[] {0}, new int[0],
                List.of(new UserActivity.SessionSpan(0, 10 * 60_000, 5)), 0L, 3 * DAY);
        UserActivity blind = new UserActivity("x", new int[] {1, 2}, new int[0], new int[] {1, 2},
                List.of(), 0L, 3 * DAY);

        List<TrustScore> withBrowsing = new TrustScorer(TrustConfig.standard(), 3, List.of(browser, blind))
                .scoreAll();
        List<TrustScore> withoutBrowsing = new TrustScorer(TrustConfig.standard(), 3, List.of(blind))
                .scoreAll();

        assertThat(withBrowsing.get(1).blindPurchases()).isEqualTo(2);
        assertThat(withBrowsing.get(1).blindPenalty()).isCloseTo(2.0 / 3.0, within(1e-12));
        assertThat(withBrowsing.get(1).trust()).isCloseTo(1.0 / 3.0, within(1e-12));
        assertThat(withoutBrowsing.get(0).blindPurchases()).isEqualTo(-1);
        assertThat(withoutBrowsing.get(0).trust()).isEqualTo(1.0);
    }

    @Test
    void aGenuineHeavyBuyerKeepsFullTrustAndANewBuyerLosesALittle() {
        int n = 60;
        int[] items = IntStream.range(0, n).toArray();
        List<UserActivity.SessionSpan> sessions = new ArrayList<>();
        for (int d = 0; d < 30; d++) {
            sessions.add(new UserActivity.SessionSpan(d * DAY, d * DAY + 20 * 60_000, 12));
        }
        UserActivity heavy = new UserActivity("heavy", items, items, IntStream.range(0, 40).toArray(),
                sessions, 0L, 29 * DAY + 20 * 60_000);
        UserActivity fresh = new UserActivity("new", new int[] {0}, new int[] {0}, new int[] {0},
                List.of(new UserActivity.SessionSpan(0, 5 * 60_000, 6)), 0L, 5 * 60_000L);

        List<TrustScore> scores = new TrustScorer(TrustConfig.standard(), n, List.of(heavy, fresh)).scoreAll();

        assertThat(scores.get(0).trust()).isEqualTo(1.0);
        assertThat(scores.get(0).blindPurchases()).isZero();
        assertThat(scores.get(1).newAccountPenalty()).isEqualTo(0.2);
        assertThat(scores.get(1).trust()).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void badConfigIsRejectedWithASentence() {
        assertThatThrownBy(() -> TrustConfig.parse(Map.of("jacard", 0.5)))
                .isInstanceOf(ShopgraphException.class)
                .hasMessage("[shopgraph.bad_argument] Unknown config key 'jacard'; known keys: minGroup, jaccard,"
                        + " lockstepFull, corroboration, crowdShare, rateStart, rateFull, minSessionEvents, repeatStart, repeatFull, blindFull,"
                        + " newAccountHours, newAccountPenalty, floor.");
        assertThatThrownBy(() -> TrustConfig.parse(Map.of("jaccard", 1.5)))
                .hasMessage("[shopgraph.bad_argument] Config key 'jaccard' must be a finite number between 0 and 1,"
                        + " got the float 1.5.");
        assertThatThrownBy(() -> TrustConfig.parse(Map.of("rateStart", 70.0)))
                .hasMessage("[shopgraph.bad_argument] Config key 'rateFull' must be greater than 'rateStart' (70.0),"
                        + " got 60.0.");
        assertThatThrownBy(() -> TrustConfig.parse(Map.of("minGroup", 1L)))
                .hasMessage("[shopgraph.bad_argument] Config key 'minGroup' must be between 2 and 1000000, got 1.");
        assertThatThrownBy(() -> TrustConfig.parse(Map.of("minGroup", 12.0)))
                .hasMessage("[shopgraph.bad_argument] Config key 'minGroup' must be an integer, got the float 12.0.");
        assertThat(TrustConfig.parse(Map.of("rateStart", 30L)).rateStart()).isEqualTo(30.0);
    }
}
