package io.shopgraph.plugin.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.shopgraph.plugin.walk.UserQuery.Interaction;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserQueryTest {

    private static final long T0 = Instant.parse("2024-01-15T00:00:00Z").toEpochMilli();
    private static final long DAY = 86_400_000L;

    @Test
    void theMostRecentItemsWeighedByEventTypeTrustAndRecency() {
        List<Interaction> history = List.of(
                new Interaction("a", EdgeKind.VIEWED, T0, 1.0),
                new Interaction("b", EdgeKind.ADDED_TO_CART, T0 - 7 * DAY, 1.0),
                new Interaction("c", EdgeKind.CONTAINS, T0 - 14 * DAY, 1.0),
                new Interaction("c", EdgeKind.VIEWED, T0 - DAY, 1.0),
                new Interaction("d", EdgeKind.VIEWED, T0 - 2 * DAY, 0.0),
                new Interaction("e", EdgeKind.REMOVED_FROM_CART, T0, 1.0),
                new Interaction("f", EdgeKind.VIEWED, null, 1.0),
                new Interaction("g", EdgeKind.ADDED_TO_CART, T0 - 3 * DAY, 0.5));

        List<QueryItem> query = UserQuery.select(history, WalkConfig.defaults());

        // d is distrusted (weight 0), e only removed (type weight 0): neither is a query item.
        // a: view now = 1.0; c: best of a purchase 14 days back (3 * 1/4) and a view one day
        // back (2^(-1/7)); g: a half-trusted cart add 3 days back (2 * 0.5 * 2^(-3/7)); b: a
        // cart add 7 days back (2 * 1/2); f has no time, so it is the oldest (decayed 14 days).
        assertThat(query).extracting(QueryItem::itemId).containsExactly("a", "c", "g", "b", "f");
        assertThat(query.get(0).weight()).isEqualTo(1.0);
        assertThat(query.get(1).weight()).isCloseTo(Math.pow(2, -1 / 7.0), within(1e-12));
        assertThat(query.get(2).weight()).isCloseTo(Math.pow(2, -3 / 7.0), within(1e-12));
        assertThat(query.get(3).weight()).isCloseTo(1.0, within(1e-12));
        assertThat(query.get(4).weight()).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void queryItemsLimitsTheQueryAndTiesGoByItemId() {
        List<Interaction> history = List.of(
                new Interaction("z", EdgeKind.VIEWED, T0, 1.0),
                new Interaction("y", EdgeKind.VIEWED, T0, 1.0),
                new Interaction("x", EdgeKind.VIEWED, T0 - DAY, 1.0));

        List<QueryItem> query = UserQuery.select(history,
                WalkConfig.parse(Map.of("queryItems", 2L, "halfLifeDays", 1.0), WalkConfig.Use.CANDIDATES));

        assertThat(query).extracting(QueryItem::itemId).containsExactly("y", "z");
    }

    @Test
    void typeWeightsAndHalfLifeComeFromTheConfig() {
        List<Interaction> history = List.of(
                new Interaction("a", EdgeKind.VIEWED, T0, 1.0),
                new Interaction("b", EdgeKind.REMOVED_FROM_CART, T0 - 2 * DAY, 1.0));

        List<QueryItem> query = UserQuery.select(history, WalkConfig.parse(Map.of(
                "typeWeights", Map.of("REMOVED_FROM_CART", 0.5), "halfLifeDays", 2.0),
                WalkConfig.Use.CANDIDATES));

        assertThat(query).containsExactly(new QueryItem("a", 1.0), new QueryItem("b", 0.25));
    }

    @Test
    void aHalfLifeOfNullWeighsOldAndNewInteractionsAlike() {
        List<Interaction> history = List.of(
                new Interaction("new", EdgeKind.VIEWED, T0, 1.0),
                new Interaction("old", EdgeKind.VIEWED, T0 - 365 * DAY, 1.0));
        Map<String, Object> noDecay = new java.util.HashMap<>();
        noDecay.put("halfLifeDays", null);

        List<QueryItem> decayed = UserQuery.select(history, WalkConfig.defaults());
        List<QueryItem> flat = UserQuery.select(history, WalkConfig.parse(noDecay, WalkConfig.Use.CANDIDATES));

        assertThat(decayed.get(1).weight()).isLessThan(decayed.get(0).weight());
        assertThat(flat).containsExactly(new QueryItem("new", 1.0), new QueryItem("old", 1.0));
    }

    @Test
    void anEmptyOrFullyDistrustedHistoryGivesNoQuery() {
        assertThat(UserQuery.select(List.of(), WalkConfig.defaults())).isEmpty();
        assertThat(UserQuery.select(List.of(new Interaction("a", EdgeKind.VIEWED, T0, 0.0)),
                WalkConfig.defaults())).isEmpty();
    }
}
