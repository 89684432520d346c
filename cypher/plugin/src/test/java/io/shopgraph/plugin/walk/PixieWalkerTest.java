package io.shopgraph.plugin.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.shopgraph.plugin.common.Candidate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PixieWalkerTest {

    private static WalkConfig config(Map<String, ?> values) {
        return WalkConfig.parse(values, WalkConfig.Use.CANDIDATES);
    }

    private static Map<String, Long> visits(PixieWalker.Result result) {
        Map<String, Long> visits = new HashMap<>();
        result.candidates().forEach(c -> visits.put(c.itemId(), result.visits(c.itemId())));
        return visits;
    }

    @Test
    void budgetsFollowPixiesDegreeFormula() {
        // C = 1 + ln 100; s = deg * (C - ln deg): 5.605, 33.026, 100.0 of 138.631;
        // 1000 steps: 40.43, 238.23, 721.34 -> 40, 238, 721, and the spare step to 0.43.
        int[] budgets = PixieWalker.budgets(new double[] {1, 1, 1}, new int[] {1, 10, 100}, 100, 1000);

        assertThat(budgets).containsExactly(41, 238, 721);
    }

    @Test
    void budgetsScaleWithQueryWeightAndSkipItemsWithoutWalks() {
        assertThat(PixieWalker.budgets(new double[] {2, 1, 1, 0}, new int[] {5, 5, 0, 5}, 5, 900))
                .containsExactly(600, 300, 0, 0);
        assertThat(PixieWalker.budgets(new double[] {1}, new int[] {0}, 5, 900)).containsExactly(0);
    }

    @Test
    void hubsGetMoreStepsThanRareItemsButFarFromInProportionToDegree() {
        int[] budgets = PixieWalker.budgets(new double[] {1, 1}, new int[] {2, 2000}, 2000, 10_000);

        // C = 1 + ln 2000 = 8.60; s = 2 * 7.91 = 15.82 and 2000 * 1 = 2000, so 78.46 and
        // 9921.54 steps: in proportion to degree alone the rare item would get 9.99.
        assertThat(budgets).containsExactly(78, 9922);
    }

    @Test
    void multiHitBoostingFavoursItemsReachedFromSeveralQueryItems() {
        assertThat(PixieWalker.multiHitScore(4, 9)).isEqualTo(25.0);
        assertThat(PixieWalker.multiHitScore(13)).isEqualTo(13.0);
        assertThat(PixieWalker.multiHitScore(6, 6)).isGreaterThan(PixieWalker.multiHitScore(12));
    }

    @Test
    void scoresAreTheBoostedSumOverTheWalksOfEachQueryItem() {
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "q1", 1.0).edge(EdgeKind.VIEWED, "s1", "x", 1.0)
                .edge(EdgeKind.VIEWED, "s1", "y", 1.0)
                .edge(EdgeKind.VIEWED, "s2", "q2", 1.0).edge(EdgeKind.VIEWED, "s2", "x", 1.0)
                .edge(EdgeKind.VIEWED, "s3", "q2", 1.0).edge(EdgeKind.VIEWED, "s3", "z", 1.0)
                .build();
        PixieWalker walker = new PixieWalker(graph);
        Map<String, Object> noEarlyStop = Map.of("nP", 0L, "steps", 600L);

        PixieWalker.Result both = walker.walk(
                List.of(new QueryItem("q1", 1.0), new QueryItem("q2", 1.0)), Set.of(), config(noEarlyStop));
        int budget1 = both.queries().get(0).budget();
        int budget2 = both.queries().get(1).budget();
        Map<String, Long> from1 = visits(walker.walk(List.of(new QueryItem("q1", 1.0)), Set.of(),
                config(Map.of("nP", 0L, "steps", (long) budget1))));
        Map<String, Long> from2 = visits(walker.walk(List.of(new QueryItem("q2", 1.0)), Set.of(),
                config(Map.of("nP", 0L, "steps", (long) budget2))));

        assertThat(budget1 + budget2).isEqualTo(600);
        assertThat(both.candidates()).extracting(Candidate::itemId).containsExactlyInAnyOrder("x", "y", "z");
        for (Candidate candidate : both.candidates()) {
            int v1 = from1.getOrDefault(candidate.itemId(), 0L).intValue();
            int v2 = from2.getOrDefault(candidate.itemId(), 0L).intValue();
            assertThat(both.visits(candidate.itemId())).isEqualTo(v1 + v2);
            assertThat(candidate.score()).isEqualTo(PixieWalker.multiHitScore(v1, v2));
        }
        // x is reached from both query items, so it is first.
        assertThat(both.candidates().get(0).itemId()).isEqualTo("x");
    }

    @Test
    void earlyStoppingEndsTheWalksOnceEnoughItemsHaveEnoughVisits() {
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "q", 1.0).edge(EdgeKind.VIEWED, "s1", "p", 1.0)
                .build();
        PixieWalker walker = new PixieWalker(graph);

        PixieWalker.Result stopped = walker.walk(List.of(new QueryItem("q", 1.0)), Set.of(),
                config(Map.of("nP", 1L, "nV", 3L, "steps", 1000L)));
        PixieWalker.Result full = walker.walk(List.of(new QueryItem("q", 1.0)), Set.of(),
                config(Map.of("nP", 0L, "steps", 1000L)));

        assertThat(stopped.queries().get(0).stoppedEarly()).isTrue();
        assertThat(stopped.queries().get(0).steps()).isLessThan(1000);
        assertThat(stopped.candidates()).singleElement().satisfies(p -> {
            assertThat(p.itemId()).isEqualTo("p");
            assertThat(stopped.visits(p.itemId())).isEqualTo(3);
            assertThat(p.score()).isEqualTo(3.0);
        });
        assertThat(full.queries().get(0).stoppedEarly()).isFalse();
        assertThat(full.queries().get(0).steps()).isEqualTo(1000);
        assertThat(full.steps()).isEqualTo(1000);
    }

    @Test
    void restartOneKeepsWalksToTheQueryItemsDirectNeighbours() {
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "q", 1.0).edge(EdgeKind.VIEWED, "s1", "near", 1.0)
                .edge(EdgeKind.VIEWED, "s2", "near", 1.0).edge(EdgeKind.VIEWED, "s2", "far", 1.0)
                .build();
        PixieWalker walker = new PixieWalker(graph);
        List<QueryItem> query = List.of(new QueryItem("q", 1.0));

        assertThat(walker.walk(query, Set.of(), config(Map.of("restart", 1.0))).candidates())
                .extracting(Candidate::itemId).containsExactly("near");
        assertThat(walker.walk(query, Set.of(), config(Map.of("restart", 0.3))).candidates())
                .extracting(Candidate::itemId).containsExactly("near", "far");
    }

    @Test
    void aHigherRestartConcentratesVisitsNearerTheQueryItem() {
        // A chain q - near - mid - far, each step through a session of its own.
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "q", 1.0).edge(EdgeKind.VIEWED, "s1", "near", 1.0)
                .edge(EdgeKind.VIEWED, "s2", "near", 1.0).edge(EdgeKind.VIEWED, "s2", "mid", 1.0)
                .edge(EdgeKind.VIEWED, "s3", "mid", 1.0).edge(EdgeKind.VIEWED, "s3", "far", 1.0)
                .build();
        PixieWalker walker = new PixieWalker(graph);
        List<QueryItem> query = List.of(new QueryItem("q", 1.0));
        double[] restarts = {0.1, 0.5, 0.9};
        double[] nearShare = new double[restarts.length];
        double[] farShare = new double[restarts.length];
        for (int r = 0; r < restarts.length; r++) {
            Map<String, Long> visits = visits(walker.walk(query, Set.of(), config(Map.of(
                    "restart", restarts[r], "nP", 0L, "steps", 20_000L, "seed", 5L))));
            double all = visits.values().stream().mapToLong(Long::longValue).sum();
            nearShare[r] = visits.getOrDefault("near", 0L) / all;
            farShare[r] = visits.getOrDefault("far", 0L) / all;
        }

        assertThat(nearShare[0]).isLessThan(nearShare[1]);
        assertThat(nearShare[1]).isLessThan(nearShare[2]);
        assertThat(farShare[0]).isGreaterThan(farShare[1]);
        assertThat(farShare[1]).isGreaterThan(farShare[2]);
    }

    @Test
    void earlyStoppingTakesFewerStepsTheSoonerItsThresholdIsReached() {
        PixieWalker walker = new PixieWalker(randomGraph());
        List<QueryItem> query = List.of(new QueryItem("i3", 1.0));
        PixieWalker.Result full = walker.walk(query, Set.of(), config(Map.of("nP", 0L, "seed", 9L)));
        long previous = 0;
        // The same seed walks the same way until it stops: a higher nV or nP stops later.
        for (long nV : new long[] {2, 4, 8}) {
            PixieWalker.Result stopped = walker.walk(query, Set.of(),
                    config(Map.of("nP", 5L, "nV", nV, "seed", 9L)));
            assertThat(stopped.queries().get(0).stoppedEarly()).isTrue();
            assertThat(stopped.steps()).isGreaterThan(previous).isLessThan(full.steps());
            previous = stopped.steps();
            // A walk that stopped is the start of the full walk: no item has more visits.
            for (Candidate candidate : stopped.candidates()) {
                assertThat(stopped.visits(candidate.itemId())).isLessThanOrEqualTo(full.visits(candidate.itemId()));
            }
        }
        long fewer = walker.walk(query, Set.of(), config(Map.of("nP", 2L, "nV", 4L, "seed", 9L))).steps();
        long more = walker.walk(query, Set.of(), config(Map.of("nP", 8L, "nV", 4L, "seed", 9L))).steps();
        assertThat(fewer).isLessThan(more);
        assertThat(full.queries().get(0).stoppedEarly()).isFalse();
        assertThat(full.steps()).isEqualTo(WalkConfig.DEFAULT_STEPS);
    }

    @Test
    void distrustedRelationshipsAreNeverWalked() {
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "q", 1.0).edge(EdgeKind.VIEWED, "s1", "real", 1.0)
                .edge(EdgeKind.VIEWED, "s1", "pushed", 0.0)
                .edge(EdgeKind.VIEWED, "s2", "pushed", 1.0).edge(EdgeKind.VIEWED, "s2", "q", 0.0)
                .build();

        PixieWalker.Result result = new PixieWalker(graph)
                .walk(List.of(new QueryItem("q", 1.0)), Set.of(), WalkConfig.defaults());

        assertThat(result.candidates()).extracting(Candidate::itemId).containsExactly("real");
    }

    @Test
    void excludedAndQueryItemsAreWalkedThroughButNeverReturned() {
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "q", 1.0).edge(EdgeKind.VIEWED, "s1", "bought", 1.0)
                .edge(EdgeKind.VIEWED, "s2", "bought", 1.0).edge(EdgeKind.VIEWED, "s2", "next", 1.0)
                .build();

        PixieWalker.Result result = new PixieWalker(graph)
                .walk(List.of(new QueryItem("q", 1.0)), Set.of("bought", "not-in-graph"), WalkConfig.defaults());

        assertThat(result.candidates()).extracting(Candidate::itemId).containsExactly("next");
    }

    @Test
    void walksReachTheUsersOtherSessionsThroughTheUser() {
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "q", 1.0)
                .edge(EdgeKind.HAS_SESSION, "u1", "s1", 1.0).edge(EdgeKind.HAS_SESSION, "u1", "s2", 1.0)
                .edge(EdgeKind.VIEWED, "s2", "later", 1.0)
                .build();

        PixieWalker.Result result = new PixieWalker(graph)
                .walk(List.of(new QueryItem("q", 1.0)), Set.of(), WalkConfig.defaults());

        assertThat(result.candidates()).extracting(Candidate::itemId).containsExactly("later");
    }

    @Test
    void theSameSeedGivesTheSameResultAndTheQueryOrderDoesNotMatter() {
        WalkGraph graph = randomGraph();
        PixieWalker walker = new PixieWalker(graph);
        List<QueryItem> query = List.of(new QueryItem("i3", 1.0), new QueryItem("i17", 0.5));

        PixieWalker.Result once = walker.walk(query, Set.of(), config(Map.of("seed", 7L)));
        PixieWalker.Result again = walker.walk(query, Set.of(), config(Map.of("seed", 7L)));
        PixieWalker.Result reversed = walker.walk(List.of(query.get(1), query.get(0)), Set.of(),
                config(Map.of("seed", 7L)));
        PixieWalker.Result otherSeed = walker.walk(query, Set.of(), config(Map.of("seed", 8L)));

        assertThat(once.candidates()).hasSizeGreaterThan(20).isEqualTo(again.candidates())
                .isEqualTo(reversed.candidates()).isNotEqualTo(otherSeed.candidates());
    }

    @Test
    void halfOfTheQueryItemsWalkedOnAnotherThreadGiveTheSameResult() throws InterruptedException {
        WalkGraph graph = randomGraph();
        PixieWalker walker = new PixieWalker(graph);
        List<QueryItem> query = List.of(new QueryItem("i3", 1.0), new QueryItem("i17", 0.5),
                new QueryItem("i21", 1.0), new QueryItem("i40", 0.8), new QueryItem("i55", 1.0));
        WalkConfig config = config(Map.of("seed", 7L, "nP", 0L));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try {
            PixieWalker.Result alone = walker.walk(query, Set.of("i8"), config);
            PixieWalker.Result split = walker.walk(query, Set.of("i8"), config, work -> {
                java.util.concurrent.Future<?> future = pool.submit(() -> {
                    threads.add(Thread.currentThread().getName());
                    work.run();
                });
                return () -> {
                    try {
                        future.get();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
            });
            assertThat(threads).hasSize(1).doesNotContain(Thread.currentThread().getName());
            assertThat(split.candidates()).hasSizeGreaterThan(20).isEqualTo(alone.candidates());
            assertThat(split.queries()).isEqualTo(alone.queries());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void theQueryItemsSplitInHalvesOfAboutEqualBudgets() {
        assertThat(PixieWalker.halves(new int[] {6000, 1000, 0, 2000, 1000})).containsExactly(
                false, true, false, true, true);
        assertThat(PixieWalker.halves(new int[] {10_000})).containsExactly(false);
    }

    @Test
    void queryItemsMissingFromTheProjectionLeaveTheBudgetToTheOthers() {
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "q", 1.0).edge(EdgeKind.VIEWED, "s1", "p", 1.0)
                .build();

        PixieWalker.Result result = new PixieWalker(graph).walk(
                List.of(new QueryItem("new", 1.0), new QueryItem("q", 1.0)), Set.of(),
                config(Map.of("nP", 0L)));

        assertThat(result.queries()).extracting(PixieWalker.QueryStats::budget).containsExactly(0, 10_000);
        assertThat(result.steps()).isEqualTo(10_000);
    }

    @Test
    void rankingIsByScoreThenIdAndTopAppliesTheFilterInRankOrder() {
        WalkGraph graph = WalkGraph.builder()
                .edge(EdgeKind.VIEWED, "s1", "q", 1.0).edge(EdgeKind.VIEWED, "s1", "b", 1.0)
                .edge(EdgeKind.VIEWED, "s1", "a", 1.0).edge(EdgeKind.VIEWED, "s1", "c", 1.0)
                .edge(EdgeKind.VIEWED, "s1", "d", 1.0)
                .build();
        PixieWalker.Result result = new PixieWalker(graph).walk(
                List.of(new QueryItem("q", 1.0)), Set.of(), config(Map.of("steps", 20_000L, "nP", 0L)));

        List<Candidate> ranked = result.candidates();
        for (int i = 1; i < ranked.size(); i++) {
            Candidate before = ranked.get(i - 1);
            Candidate after = ranked.get(i);
            assertThat(before.score() > after.score()
                    || before.score() == after.score() && before.itemId().compareTo(after.itemId()) < 0)
                    .isTrue();
        }
        assertThat(ranked).extracting(Candidate::score)
                .allSatisfy(score -> assertThat(score).isCloseTo(2000.0, within(200.0)));
        assertThat(result.top(2)).isEqualTo(ranked.subList(0, 2));
        String first = ranked.get(0).itemId();
        assertThat(result.top(2, id -> !id.equals(first))).isEqualTo(ranked.subList(1, 3));
    }

    private static WalkGraph randomGraph() {
        WalkGraph.Builder builder = WalkGraph.builder();
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (int s = 0; s < 200; s++) {
            int items = 1 + random.nextInt(4);
            for (int i = 0; i < items; i++) {
                builder.edge(EdgeKind.VIEWED, "s" + s, "i" + random.nextInt(60), 1.0);
            }
            builder.edge(EdgeKind.HAS_SESSION, "u" + random.nextInt(50), "s" + s, 1.0);
        }
        for (int i = 0; i < 60; i++) {
            builder.edge(EdgeKind.HAS_BRAND, "i" + i, "brand" + i % 5, 1.0);
        }
        return builder.build();
    }
}
