package io.shopgraph.plugin.experiment;

import io.shopgraph.plugin.common.ConfigReader;
import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ExperimentHook;
import io.shopgraph.plugin.common.Served;
import io.shopgraph.plugin.common.Served.Surface;
import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.experiment.ExperimentDefinition.Variant;
import io.shopgraph.plugin.experiment.ExposureLog.Exposure;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;

/**
 * The gate of the serving procedures ({@link ExperimentHook}): how a call that names an
 * experiment is answered.
 *
 * <ul>
 *   <li>The call's config names the experiment ({@code experiment}), the user or visitor
 *       ({@code shopgraph.recommend}: its {@code userId}; bundle and similar: the config key
 *       {@code user}) and optionally the request's time ({@code at}, default the server's
 *       clock; not later than it). For similar the user is its {@code userId} too: the items they
 *       rejected are left out and those very similar to them come last.</li>
 *   <li>The user's variant is {@link Assignment#variant}: the same in every call, client and
 *       process for as long as the experiment runs.</li>
 *   <li>The variant's config for the surface is laid over the call's config (its keys win; keys
 *       it does not give stay as the call gave them); its pinned model version answers instead of
 *       the active model, its baseline ranks instead of the procedure's algorithm (the
 *       procedure's filters, demotions and new items' places apply to either).</li>
 *   <li>Each answered call gets a new request id, and its answer is handed to the database's
 *       {@link ExposureLog}.</li>
 *   <li>At a time outside the experiment (before its start, from its end or its stop on), the
 *       control's config answers, and the call is not logged: no request id, no variant.</li>
 * </ul>
 */
final class Experiments implements ExperimentHook.Gate {

    static final Experiments GATE = new Experiments();
    static final Label EXPERIMENT = Label.label("Experiment");

    private Experiments() {}

    @Override
    public Served enter(GraphDatabaseService db, Transaction tx, Surface surface, String user,
                        List<String> query, Map<String, Object> config) {
        Map<String, Object> rest = new HashMap<>(config);
        Object nameValue = rest.remove(ExperimentHook.EXPERIMENT);
        if (!(nameValue instanceof String name) || name.isBlank()) {
            throw ConfigReader.invalid(ExperimentHook.EXPERIMENT, "an experiment's name", nameValue);
        }
        Instant at = time(rest.remove("at"), "at");
        Object unit = surface == Surface.RECOMMEND ? user
                : surface == Surface.SIMILAR ? rest.remove("user") : rest.get("user");
        if (!(unit instanceof String id) || id.isBlank()) {
            throw ShopgraphException.badArgument("A call through experiment '" + name + "' must name its"
                    + " user or visitor with the config key 'user', got " + CypherValues.describe(unit) + ".");
        }
        ExperimentDefinition experiment = read(tx, name);
        if (!experiment.surfaces().contains(surface)) {
            throw ShopgraphException.badArgument("Experiment '" + name + "' does not cover " + surface.label()
                    + "; it covers " + String.join(", ", experiment.surfaces().stream().map(Surface::label).toList())
                    + ".");
        }
        if (!experiment.liveAt(at)) {
            Variant control = experiment.controlVariant();
            return new Served(merge(rest, control.config(surface), surface, name, id), name, null, null, control.model(),
                    baseline(control, db, tx, query), items -> { });
        }
        Variant variant = experiment.variants().get(Assignment.variant(experiment.salt(), id, experiment.shares()));
        ExposureLog log = ExposureLogs.of(db);
        String requestId = UUID.randomUUID().toString();
        return new Served(merge(rest, variant.config(surface), surface, name, id), name, variant.name(), requestId, variant.model(),
                baseline(variant, db, tx, query),
                items -> log.expose(new Exposure(requestId, at, id, surface, name, variant.name(), items, query)));
    }

    /**
     * The stored experiment of that name.
     *
     * @throws ShopgraphException of code {@code UNKNOWN_ID} (kind {@code experiment}) when there
     *     is none
     */
    static ExperimentDefinition read(Transaction tx, String name) {
        Node node = tx.findNode(EXPERIMENT, "name", name);
        if (node == null) {
            throw ShopgraphException.unknownIds("experiment", List.of(name));
        }
        return ExperimentDefinition.of(node);
    }

    /**
     * A time given in a call's config ({@code at}): a datetime with a timezone, not later than
     * the server's clock; absent: now.
     */
    static Instant time(Object value, String key) {
        Instant now = Instant.now();
        if (value == null) {
            return now;
        }
        Instant at = ConfigReader.of(Map.of(key, value), List.of(key)).datetime(key);
        if (at.isAfter(now)) {
            throw ShopgraphException.badArgument("Config key '" + key + "' must not be later than the"
                    + " server's clock (" + ExperimentDefinition.text(now) + "), got " + CypherValues.describe(value)
                    + ".");
        }
        return at;
    }

    /**
     * The variant's config laid over the call's; for similar, the experiment's user is the
     * procedure's {@code userId} too (their rejections apply).
     *
     * @throws ShopgraphException of code {@code BAD_ARGUMENT} when a similar call names another
     *     {@code userId} than its experiment's {@code user}
     */
    private static Map<String, Object> merge(Map<String, Object> call, Map<String, Object> variant,
                                             Surface surface, String name, String user) {
        Map<String, Object> merged = new HashMap<>(call);
        merged.putAll(variant);
        if (surface == Surface.SIMILAR) {
            Object given = call.get("userId");
            if (given != null && !user.equals(given)) {
                throw ShopgraphException.badArgument("A similar call through experiment '" + name + "' asks for"
                        + " user '" + user + "' (key user) but its userId is " + CypherValues.describe(given)
                        + ": give the same user or leave userId out.");
            }
            merged.put("userId", user);
        }
        return merged;
    }

    private static Served.Baseline baseline(Variant variant, GraphDatabaseService db, Transaction tx,
                                            List<String> query) {
        return variant.baseline() == null ? null : new PopularityBaseline(db, tx, query);
    }
}
