package io.shopgraph.plugin.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.bundle.BundleProcedure;
import io.shopgraph.plugin.bundle.BundleRefreshProcedure;
import io.shopgraph.plugin.identity.UsersProcedure;
import io.shopgraph.plugin.recommend.RecommendProcedure;
import io.shopgraph.plugin.recommend.SimilarProcedure;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Value;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * The experiment procedures and the serving procedures through an experiment, over Bolt: start
 * and its checks, the user's variant and its config or baseline, the log of exposures and
 * clicks, the time window and stop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExperimentProceduresTest {

    /**
     * Orders o1 {tv1, tv2, sb}, o2 {tv1, tv2}, o3 {tv2, sb, cable}, o4 {cable, sb}, o5 {cable,
     * hdmi}; ann viewed tv1 in session s1 and bought it in o6. Purchase counts: tv1 3, tv2 3,
     * sb 3, cable 3, hdmi 1 (out of stock): popularity ranks by these masses.
     */
    private static final String SHOP = """
            WITH datetime('2024-03-01T00:00:00Z') AS t
            CREATE (tv1:Item {itemId: 'tv1'}), (tv2:Item {itemId: 'tv2'}), (sb:Item {itemId: 'sb'}),
                   (cable:Item {itemId: 'cable'}), (hdmi:Item {itemId: 'hdmi', inStock: false}),
                   (ann:User {userId: 'ann'}),
                   (s1:Session {sessionId: 's1', start: t, end: t}), (ann)-[:HAS_SESSION]->(s1),
                   (s1)-[:VIEWED {count: 1, first: t, last: t, weight: 1.0}]->(tv1)
            WITH t, tv1, tv2, sb, cable, hdmi, ann
            UNWIND [['o1', [tv1, tv2, sb]], ['o2', [tv1, tv2]], ['o3', [tv2, sb, cable]],
                    ['o4', [cable, sb]], ['o5', [cable, hdmi]], ['o6', [tv1]]] AS spec
            CREATE (o:Order {orderId: spec[0], at: t - duration('P1D'), kind: 'order'})
            FOREACH (item IN spec[1] | CREATE (o)-[:CONTAINS {quantity: 1, lines: 1, weight: 1.0}]->(item))
            FOREACH (_ IN CASE WHEN spec[0] = 'o6' THEN [1] ELSE [] END | CREATE (ann)-[:PLACED]->(o))
            """;
    private static final ZonedDateTime START = ZonedDateTime.parse("2024-01-01T00:00:00Z");
    private static final ZonedDateTime END = ZonedDateTime.parse("2124-01-01T00:00:00Z");

    private Neo4j neo4j;
    private Driver driver;

    @BeforeAll
    void start() {
        neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("shopgraph.*"))
                .withProcedure(BundleProcedure.class)
                .withProcedure(BundleRefreshProcedure.class)
                .withProcedure(RecommendProcedure.class)
                .withProcedure(SimilarProcedure.class)
                .withProcedure(ExperimentProcedures.class)
                .withProcedure(UsersProcedure.class)
                .withFixture(SHOP)
                .build();
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.none());
        run("CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.userId IS UNIQUE");
        run("CREATE CONSTRAINT experiment_name IF NOT EXISTS FOR (n:Experiment) REQUIRE n.name IS UNIQUE");
        run("CREATE CONSTRAINT exposure_request IF NOT EXISTS FOR (n:Exposure) REQUIRE n.requestId IS UNIQUE");
        run("CALL shopgraph.bundle.refresh()");
    }

    @AfterAll
    void stop() {
        driver.close();
        neo4j.close();
    }

    @BeforeEach
    void noExperiments() {
        run("CALL shopgraph.experiment.flush()");
        run("MATCH (n) WHERE n:Experiment OR n:Exposure DETACH DELETE n");
    }

    private List<Record> run(String query, Map<String, Object> params) {
        try (Session session = driver.session()) {
            return session.run(query, params).list();
        }
    }

    private List<Record> run(String query) {
        return run(query, Map.of());
    }

    private static Map<String, Object> variant(String name, double share, String key, Object value) {
        Map<String, Object> variant = new HashMap<>(Map.of("name", name, "share", share));
        if (key != null) {
            variant.put(key, value);
        }
        return variant;
    }

    /** Control (the procedures as they are) against the popularity baseline, 50/50. */
    private static Map<String, Object> definition(String name, List<String> surfaces) {
        return new HashMap<>(Map.of("name", name, "surfaces", surfaces, "start", START, "end", END,
                "variants", List.of(variant("control", 0.5, null, null),
                        variant("popular", 0.5, "baseline", "popularity"))));
    }

    private Record startExperiment(Map<String, Object> definition) {
        return run("CALL shopgraph.experiment.start($definition)", Map.of("definition", definition)).get(0);
    }

    /** The procedure's message: its code and sentence, after Neo4j's "Failed to invoke ..." prefix. */
    private static String sentence(Runnable call) {
        try {
            call.run();
        } catch (ClientException e) {
            return e.getMessage().substring(e.getMessage().indexOf("[shopgraph."));
        }
        throw new AssertionError("no error");
    }

    /** A salt under which {@code user} falls in variant {@code index} of 50/50. */
    private static String saltPutting(String user, int index) {
        for (int n = 0; ; n++) {
            if (Assignment.variant("salt-" + n, user, new double[] {0.5, 0.5}) == index) {
                return "salt-" + n;
            }
        }
    }

    /** The first of user-0, user-1, ... that the rule puts in variant {@code index} of 50/50 under {@code salt}. */
    private static String userIn(String salt, int index) {
        for (int n = 0; ; n++) {
            if (Assignment.variant(salt, "user-" + n, new double[] {0.5, 0.5}) == index) {
                return "user-" + n;
            }
        }
    }

    @Test
    void startStoresTheExperimentWithItsDefaults() {
        Record started = startExperiment(definition("e1", List.of("bundle", "recommend")));

        assertThat(started.keys()).containsExactly("name", "surfaces", "variants", "shares", "control", "salt",
                "start", "end");
        assertThat(started.get("variants").asList(Value::asString)).containsExactly("control", "popular");
        assertThat(started.get("control").asString()).isEqualTo("control");
        assertThat(started.get("salt").asString()).isEqualTo("e1");
        Record node = run("MATCH (e:Experiment {name: 'e1'}) RETURN e.status AS status, e.surfaces AS surfaces,"
                + " e.variants AS variants, e.attributionHours AS hours, e.start AS start").get(0);
        assertThat(node.get("status").asString()).isEqualTo("running");
        assertThat(node.get("surfaces").asList(Value::asString)).containsExactly("bundle", "recommend");
        assertThat(node.get("hours").asDouble()).isEqualTo(24.0);
        assertThat(node.get("start").asZonedDateTime().toInstant()).isEqualTo(START.toInstant());
        assertThat(node.get("variants").asString()).isEqualTo("[{\"name\":\"control\",\"share\":0.5},"
                + "{\"name\":\"popular\",\"share\":0.5,\"baseline\":\"popularity\"}]");
    }

    @Test
    void oneExperimentPerSurfaceAtATimeAndNamesAreNeverReused() {
        startExperiment(definition("e1", List.of("bundle", "recommend")));

        assertThat(sentence(() -> startExperiment(definition("e1", List.of("similar")))))
                .isEqualTo("[shopgraph.conflict] An experiment named 'e1' exists already; names are never reused,"
                        + " choose another.");
        assertThat(sentence(() -> startExperiment(definition("e2", List.of("similar", "recommend")))))
                .isEqualTo("[shopgraph.conflict] Experiment 'e1' covers recommend from 2024-01-01T00:00:00Z to"
                        + " 2124-01-01T00:00:00Z: at most one experiment may cover a surface at a time.");
        startExperiment(definition("e3", List.of("similar")));
        Map<String, Object> later = definition("e4", List.of("bundle"));
        later.put("start", END);
        later.put("end", END.plusDays(7));
        startExperiment(later);
        run("CALL shopgraph.experiment.stop('e1')");
        Map<String, Object> afterStop = definition("e5", List.of("recommend"));
        afterStop.put("start", ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(1));
        startExperiment(afterStop);
        // A stopped experiment still held its surfaces up to its stop.
        Map<String, Object> past = definition("e6", List.of("recommend"));
        past.put("end", START.plusDays(1));
        assertThat(sentence(() -> startExperiment(past)))
                .startsWith("[shopgraph.conflict] Experiment 'e1' covers recommend from 2024-01-01T00:00:00Z to ");
    }

    @Test
    void aBadDefinitionIsRefusedWithASentence() {
        Map<String, Object> shares = definition("e1", List.of("bundle"));
        shares.put("variants", List.of(variant("a", 0.5, null, null), variant("b", 0.4, null, null)));
        assertThat(sentence(() -> startExperiment(shares)))
                .isEqualTo("[shopgraph.bad_argument] The variants' shares must sum to 1, got 0.9.");
        Map<String, Object> twice = definition("e1", List.of("bundle"));
        twice.put("variants", List.of(variant("a", 0.5, null, null), variant("a", 0.5, null, null)));
        assertThat(sentence(() -> startExperiment(twice)))
                .isEqualTo("[shopgraph.bad_argument] Variant names must be distinct; 'a' is given twice.");
        Map<String, Object> config = definition("e1", List.of("bundle"));
        config.put("variants", List.of(variant("a", 0.5, null, null),
                variant("b", 0.5, "bundle", Map.of("alpah", 1.0))));
        assertThat(sentence(() -> startExperiment(config))).startsWith("[shopgraph.bad_argument] Variant 'b',"
                + " bundle: Unknown config key 'alpah'; known keys: alpha, beta,");
        Map<String, Object> range = definition("e1", List.of("recommend"));
        range.put("variants", List.of(variant("a", 0.5, null, null),
                variant("b", 0.5, "recommend", Map.of("steps", 0L))));
        assertThat(sentence(() -> startExperiment(range))).isEqualTo("[shopgraph.bad_argument] Variant 'b',"
                + " recommend: Config key 'steps' must be between 1 and 1000000, got 0.");
        Map<String, Object> uncovered = definition("e1", List.of("bundle"));
        uncovered.put("variants", List.of(variant("a", 0.5, null, null),
                variant("b", 0.5, "similar", Map.of("steps", 10L))));
        assertThat(sentence(() -> startExperiment(uncovered))).isEqualTo("[shopgraph.bad_argument] Variant 'b'"
                + " gives a config for similar, which the experiment does not cover.");
        Map<String, Object> window = definition("e1", List.of("bundle"));
        window.put("end", START);
        assertThat(sentence(() -> startExperiment(window))).isEqualTo("[shopgraph.bad_argument] end must be"
                + " later than start, got start 2024-01-01T00:00:00Z and end 2024-01-01T00:00:00Z.");
        Map<String, Object> naive = definition("e1", List.of("bundle"));
        naive.put("start", START.toLocalDateTime());
        assertThat(sentence(() -> startExperiment(naive))).isEqualTo("[shopgraph.bad_argument] Config key"
                + " 'start' must be a datetime with a timezone, got the local datetime 2024-01-01T00:00:00.");
        Map<String, Object> control = definition("e1", List.of("bundle"));
        control.put("control", "c");
        assertThat(sentence(() -> startExperiment(control))).isEqualTo("[shopgraph.bad_argument] control must"
                + " name one of the variants (control, popular), got the string 'c'.");
        Map<String, Object> pinned = definition("e1", List.of("recommend"));
        pinned.put("variants", List.of(variant("a", 0.5, null, null), variant("b", 0.5, "model", "v9")));
        assertThat(sentence(() -> startExperiment(pinned))).isEqualTo("[shopgraph.conflict] Model version 'v9'"
                + " is pinned by an experiment but does not exist; stop the experiment or pin a version that is"
                + " active, previous or ready.");
        assertThat(run("MATCH (e:Experiment) RETURN count(e) AS n").get(0).get("n").asLong()).isZero();
    }

    @Test
    void aCallThroughAnExperimentAnswersWithTheUsersVariantAndIsLogged() {
        startExperiment(definition("e1", List.of("bundle")));
        String inControl = userIn("e1", 0);
        String inPopular = userIn("e1", 1);

        List<Record> control = run("CALL shopgraph.bundle(['tv1'], 3, {experiment: 'e1', user: $user})",
                Map.of("user", inControl));
        assertThat(control).extracting(r -> r.get("itemId").asString()).containsExactly("tv2", "sb");
        assertThat(control).extracting(r -> r.get("reason").asString()).containsOnly("bought together");
        assertThat(control).extracting(r -> r.get("variant").asString()).containsOnly("control");
        String requestId = control.get(0).get("requestId").asString();
        assertThat(UUID.fromString(requestId).toString()).isEqualTo(requestId);
        assertThat(control).extracting(r -> r.get("requestId").asString()).containsOnly(requestId);

        // The baseline: the most bought items (masses 3, 3, 3: ties by id), not the cart, in stock.
        List<Record> popular = run("CALL shopgraph.bundle(['tv1'], 3, {experiment: 'e1', user: $user})",
                Map.of("user", inPopular));
        assertThat(popular).extracting(r -> r.get("itemId").asString()).containsExactly("cable", "sb", "tv2");
        assertThat(popular).extracting(r -> r.get("reason").asString()).containsOnly("popular");
        assertThat(popular).extracting(r -> r.get("variant").asString()).containsOnly("popular");
        assertThat(popular.get(0).get("support").asDouble()).isZero();

        run("CALL shopgraph.experiment.flush()");
        List<Record> logged = run("MATCH (e:Exposure) RETURN e.requestId AS id, e.userId AS user, e.variant AS"
                + " variant, e.surface AS surface, e.experiment AS experiment, e.items AS items, e.query AS query,"
                + " e.at AS at ORDER BY e.at");
        assertThat(logged).hasSize(2);
        Record first = logged.get(0);
        assertThat(first.get("id").asString()).isEqualTo(requestId);
        assertThat(first.get("user").asString()).isEqualTo(inControl);
        assertThat(first.get("variant").asString()).isEqualTo("control");
        assertThat(first.get("surface").asString()).isEqualTo("bundle");
        assertThat(first.get("experiment").asString()).isEqualTo("e1");
        assertThat(first.get("items").asList(Value::asString)).containsExactly("tv2", "sb");
        assertThat(first.get("query").asList(Value::asString)).containsExactly("tv1");
        assertThat(logged.get(1).get("items").asList(Value::asString)).containsExactly("cable", "sb", "tv2");
    }

    @Test
    void theUserStaysInOneVariantAndTheProcedureTellsWhichAsTheRuleDoes() {
        startExperiment(definition("e1", List.of("bundle")));
        for (int n = 0; n < 20; n++) {
            String user = "visitor-" + n;
            String expected = Assignment.variant("e1", user, new double[] {0.5, 0.5}) == 0 ? "control" : "popular";
            Record assigned = run("CALL shopgraph.experiment.assign('e1', $user)", Map.of("user", user)).get(0);
            assertThat(assigned.get("variant").asString()).isEqualTo(expected);
            assertThat(assigned.get("bucket").asDouble()).isEqualTo(Assignment.bucket("e1", user));
            for (int call = 0; call < 2; call++) {
                assertThat(run("CALL shopgraph.bundle(['tv2'], 2, {experiment: 'e1', user: $user})",
                        Map.of("user", user)).get(0).get("variant").asString()).isEqualTo(expected);
            }
        }
    }

    @Test
    void recommendAndSimilarTakeTheVariantsConfig() {
        Map<String, Object> definition = definition("e1", List.of("recommend", "similar"));
        definition.put("salt", saltPutting("ann", 1));
        definition.put("variants", List.of(variant("control", 0.5, null, null),
                variant("narrow", 0.5, "recommend", Map.of("walkCandidates", 0L, "popularCandidates", 0L))));
        startExperiment(definition);

        // ann is in 'narrow': co-purchases of her recent items only (the call's maxPerBrand stays).
        List<Record> narrow = run("CALL shopgraph.recommend('ann', 10, {experiment: 'e1', maxPerBrand: 5})");
        assertThat(narrow).extracting(r -> r.get("itemId").asString()).containsExactly("tv2", "sb");
        assertThat(narrow).extracting(r -> r.get("reason").asString()).containsOnly("bought with tv1");
        assertThat(narrow).extracting(r -> r.get("variant").asString()).containsOnly("narrow");
        List<Record> plain = run("CALL shopgraph.recommend('ann', 10, {maxPerBrand: 5})");
        assertThat(plain).extracting(r -> r.get("reason").asString()).contains("walk");
        List<Record> similar = run("CALL shopgraph.similar('tv1', 2, {experiment: 'e1', user: 'ann', seed: 7})");
        assertThat(similar).hasSize(2);
        assertThat(similar.get(0).keys()).containsExactly("itemId", "score", "rank", "reason", "requestId",
                "variant");
        assertThat(similar.get(0).get("requestId").isNull()).isFalse();
        assertThat(sentence(() -> run("CALL shopgraph.similar('tv1', 2, {experiment: 'e1'})")))
                .isEqualTo("[shopgraph.bad_argument] A call through experiment 'e1' must name its user or visitor"
                        + " with the config key 'user', got null.");
        assertThat(sentence(() -> run("CALL shopgraph.bundle(['tv1'], 2, {experiment: 'e1', user: 'ann'})")))
                .isEqualTo("[shopgraph.bad_argument] Experiment 'e1' does not cover bundle; it covers recommend,"
                        + " similar.");
        assertThat(sentence(() -> run("CALL shopgraph.bundle(['tv1'], 2, {experiment: 'nope', user: 'ann'})")))
                .isEqualTo("[shopgraph.unknown_id {\"kind\":\"experiment\",\"ids\":[\"nope\"]}] Unknown experiment"
                        + " id: nope.");
    }

    @Test
    void outsideItsWindowTheControlAnswersAndNothingIsLogged() {
        startExperiment(definition("e1", List.of("bundle")));
        String inPopular = userIn("e1", 1);
        List<Record> before = run("CALL shopgraph.bundle(['tv1'], 3, {experiment: 'e1', user: $user, at: $at})",
                Map.of("user", inPopular, "at", START.minusSeconds(1)));
        assertThat(before).extracting(r -> r.get("reason").asString()).containsOnly("bought together");
        assertThat(before).allMatch(r -> r.get("requestId").isNull() && r.get("variant").isNull());
        List<Record> during = run("CALL shopgraph.bundle(['tv1'], 3, {experiment: 'e1', user: $user, at: $at})",
                Map.of("user", inPopular, "at", START));
        assertThat(during.get(0).get("variant").asString()).isEqualTo("popular");

        run("CALL shopgraph.experiment.stop('e1')");
        List<Record> after = run("CALL shopgraph.bundle(['tv1'], 3, {experiment: 'e1', user: $user})",
                Map.of("user", inPopular));
        assertThat(after).allMatch(r -> r.get("requestId").isNull() && r.get("variant").isNull());
        run("CALL shopgraph.experiment.flush()");
        assertThat(run("MATCH (e:Exposure) RETURN e.at AS at")).extracting(r -> r.get("at").asZonedDateTime()
                .toInstant()).containsExactly(START.toInstant());
        assertThat(sentence(() -> run("CALL shopgraph.experiment.stop('e1')")))
                .startsWith("[shopgraph.conflict] Experiment 'e1' was stopped already, at ");
        assertThat(sentence(() -> run("CALL shopgraph.bundle(['tv1'], 3, {experiment: 'e1', user: 'u', at: $at})",
                Map.of("at", END)))).startsWith("[shopgraph.bad_argument] Config key 'at' must not be later than"
                        + " the server's clock (");
    }

    @Test
    void clicksAreCheckedAndAppendedToTheirExposure() {
        startExperiment(definition("e1", List.of("bundle")));
        String user = userIn("e1", 0);
        List<Record> shown = run("CALL shopgraph.bundle(['tv1'], 3, {experiment: 'e1', user: $user})",
                Map.of("user", user));
        String requestId = shown.get(0).get("requestId").asString();

        // At once, before the exposure is written, and later, after it is.
        Record click = run("CALL shopgraph.experiment.click($id, 'sb')", Map.of("id", requestId)).get(0);
        assertThat(click.keys()).containsExactly("requestId", "itemId", "position", "experiment", "variant");
        assertThat(click.get("position").asLong()).isEqualTo(2);
        assertThat(click.get("variant").asString()).isEqualTo("control");
        run("CALL shopgraph.experiment.flush()");
        run("CALL shopgraph.experiment.click($id, 'tv2')", Map.of("id", requestId));
        run("CALL shopgraph.experiment.flush()");
        Record logged = run("MATCH (e:Exposure {requestId: $id}) RETURN e.clickedItems AS items, e.clickedAt AS at",
                Map.of("id", requestId)).get(0);
        assertThat(logged.get("items").asList(Value::asString)).containsExactly("sb", "tv2");
        assertThat(logged.get("at").size()).isEqualTo(2);

        assertThat(sentence(() -> run("CALL shopgraph.experiment.click($id, 'cable')", Map.of("id", requestId))))
                .isEqualTo("[shopgraph.bad_argument] Item 'cable' was not shown in request " + requestId + ".");
        assertThat(sentence(() -> run("CALL shopgraph.experiment.click('r0', 'sb')")))
                .isEqualTo("[shopgraph.unknown_id {\"kind\":\"request\",\"ids\":[\"r0\"]}] Unknown request id: r0.");
        assertThat(sentence(() -> run("CALL shopgraph.experiment.click($id, 'sb', {at: $at})",
                Map.of("id", requestId, "at", START)))).startsWith("[shopgraph.bad_argument] A click cannot come"
                        + " before its request: request " + requestId + " was answered at ");
    }

    @Test
    void forgettingAUserReachesExposuresStillPendingAndAMergeMovesThem() {
        startExperiment(definition("e1", List.of("bundle")));
        // A long period: the exposures below are still pending in the writer when erased.
        ExposureLog.period = 3_600_000;
        try {
            for (String user : List.of("gone", "gone", "kept", "visitor")) {
                run("CALL shopgraph.bundle(['tv1'], 2, {experiment: 'e1', user: $user})", Map.of("user", user));
            }
            assertThat(run("CALL shopgraph.experiment.forgetUser('gone')").get(0).get("exposures").asLong())
                    .isEqualTo(2);
            assertThat(run("CALL shopgraph.experiment.mergeUsers('visitor', 'kept')").get(0).get("exposures")
                    .asLong()).isEqualTo(1);
        } finally {
            ExposureLog.period = ExposureLog.PERIOD_MILLIS;
        }
        run("CALL shopgraph.experiment.flush()");
        assertThat(run("MATCH (e:Exposure) RETURN e.userId AS user, e.loggedUserId AS logged ORDER BY logged"))
                .extracting(r -> r.get("user").asString() + "/" + (r.get("logged").isNull() ? "-"
                        : r.get("logged").asString()))
                .containsExactly("kept/visitor", "kept/-");
    }

    @Test
    void theErasureAndTheMergeOfUsersReachTheLogAndTheTargetsAssignmentHolds() {
        startExperiment(definition("e1", List.of("bundle")));
        String visitor = userIn("e1", 1);
        String account = userIn("e1", 0);
        run("CREATE (:User {userId: $visitor}), (:User {userId: $account}), (:User {userId: 'leaving'})",
                Map.of("visitor", visitor, "account", account));
        ExposureLog.period = 3_600_000;
        try {
            for (String user : List.of(visitor, visitor, account, "leaving")) {
                run("CALL shopgraph.bundle(['tv1'], 2, {experiment: 'e1', user: $user})", Map.of("user", user));
            }
            // Still pending in the writer: the identity procedures wait for the log first.
            assertThat(run("CALL shopgraph.users.forget('leaving')").get(0).get("exposures").asLong()).isEqualTo(1);
            assertThat(run("CALL shopgraph.users.merge($visitor, $account)",
                    Map.of("visitor", visitor, "account", account)).get(0).get("exposures").asLong()).isEqualTo(2);
        } finally {
            ExposureLog.period = ExposureLog.PERIOD_MILLIS;
        }
        run("CALL shopgraph.experiment.flush()");
        // The visitor's exposures count for the account in the variant they were served in.
        assertThat(run("MATCH (e:Exposure) RETURN e.userId AS user, coalesce(e.loggedUserId, '-') AS logged,"
                + " e.variant AS variant ORDER BY logged, variant"))
                .extracting(r -> r.get("user").asString() + "/" + r.get("logged").asString() + "/"
                        + r.get("variant").asString())
                .containsExactly(account + "/-/control", account + "/" + visitor + "/popular",
                        account + "/" + visitor + "/popular");
        // From the merge on the account's own assignment answers.
        assertThat(run("CALL shopgraph.bundle(['tv1'], 2, {experiment: 'e1', user: $user})",
                Map.of("user", account)).get(0).get("variant").asString()).isEqualTo("control");
    }
}
