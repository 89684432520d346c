package io.shopgraph.plugin.experiment;

import io.shopgraph.plugin.common.Arguments;
import io.shopgraph.plugin.common.ConfigReader;
import io.shopgraph.plugin.common.Served.Surface;
import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.experiment.ExperimentDefinition.Variant;
import io.shopgraph.plugin.experiment.ExposureLog.Click;
import io.shopgraph.plugin.experiment.ExposureLog.Exposure;
import io.shopgraph.plugin.model.ActiveModel;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * Procedures of online experiments: start and stop one, log a click, wait for the log, and tell
 * a user's variant. Serving through an experiment is the serving procedures' own
 * ({@code {experiment: 'name'}}); see {@link Experiments}.
 */
public final class ExperimentProcedures {

    @Context
    public Transaction tx;

    @Context
    public GraphDatabaseService db;

    /**
     * A started experiment.
     *
     * @param name its name
     * @param surfaces the procedures it covers
     * @param variants its variants' names, in declaration order
     * @param shares their traffic shares
     * @param control the control variant
     * @param salt the salt of the assignment
     * @param start when it starts
     * @param end when it ends
     */
    public record Started(String name, List<String> surfaces, List<String> variants, List<Double> shares,
                          String control, String salt, ZonedDateTime start, ZonedDateTime end) {}

    /** A stopped experiment and when it stopped. */
    public record Stopped(String name, ZonedDateTime stoppedAt) {}

    /** A logged click: the item's position in the request's answer. */
    public record Clicked(String requestId, String itemId, long position, String experiment, String variant) {}

    /** The log flushed: how many entries it has dropped since the database started. */
    public record Flushed(long dropped) {}

    /** A user's variant and the point {@code u} of the assignment. */
    public record Assigned(String experiment, String userId, String variant, double bucket) {}

    /** Exposures deleted or moved. */
    public record Changed(long exposures) {}

    @Procedure(name = "shopgraph.experiment.start", mode = Mode.WRITE)
    @Description("Starts an online experiment: stores it as an (:Experiment) node after checking it."
            + " Keys of the map: name, surfaces (list of bundle, recommend, similar), variants (2 to 20"
            + " maps: name, share (the shares sum to 1), optionally a config per surface (bundle,"
            + " recommend, similar: the procedure's config), model (a model version to pin for"
            + " recommend and similar) or baseline ('popularity')), start and end (datetimes with a"
            + " timezone), optionally salt (default: the name), control (default: the first variant),"
            + " attributionHours (24). At most one experiment may cover a surface at a time; names are"
            + " never reused.")
    public Stream<Started> start(
            @Name(value = "definition", description = "The experiment; see the description for the keys.")
            Map<String, Object> definition) {
        ExperimentDefinition experiment = ExperimentDefinition.parse(definition);
        if (tx.findNode(Experiments.EXPERIMENT, "name", experiment.name()) != null) {
            throw ShopgraphException.conflict("An experiment named '" + experiment.name() + "' exists"
                    + " already; names are never reused, choose another.");
        }
        try (ResourceIterator<Node> others = tx.findNodes(Experiments.EXPERIMENT)) {
            while (others.hasNext()) {
                ExperimentDefinition other = ExperimentDefinition.of(others.next());
                Instant otherEnd = other.stoppedAt() == null || other.end().isBefore(other.stoppedAt())
                        ? other.end() : other.stoppedAt();
                List<Surface> shared = experiment.surfaces().stream().filter(other.surfaces()::contains).toList();
                if (!shared.isEmpty() && experiment.start().isBefore(otherEnd) && other.start().isBefore(experiment.end())) {
                    throw ShopgraphException.conflict("Experiment '" + other.name() + "' covers "
                            + shared.get(0).label() + " from " + ExperimentDefinition.text(other.start()) + " to "
                            + ExperimentDefinition.text(otherEnd) + ": at most one experiment may cover a surface"
                            + " at a time.");
                }
            }
        }
        for (Variant variant : experiment.variants()) {
            if (variant.model() != null) {
                ActiveModel.forCall(tx, variant.model());
            }
        }
        experiment.store(tx.createNode(Experiments.EXPERIMENT), Instant.now());
        return Stream.of(new Started(experiment.name(),
                experiment.surfaces().stream().map(Surface::label).toList(),
                experiment.variants().stream().map(Variant::name).toList(),
                experiment.variants().stream().map(Variant::share).toList(), experiment.control(),
                experiment.salt(), ExperimentDefinition.utc(experiment.start()),
                ExperimentDefinition.utc(experiment.end())));
    }

    @Procedure(name = "shopgraph.experiment.stop", mode = Mode.WRITE)
    @Description("Stops a running experiment now: from now on calls naming it are answered by its"
            + " control and not logged. Its log stays for the report.")
    public Stream<Stopped> stop(@Name(value = "name", description = "The experiment's name.") String name) {
        String id = Arguments.id("name", name);
        Node node = tx.findNode(Experiments.EXPERIMENT, "name", id);
        if (node == null) {
            throw ShopgraphException.unknownIds("experiment", List.of(id));
        }
        if (node.getProperty("stoppedAt", null) instanceof ZonedDateTime stopped) {
            throw ShopgraphException.conflict("Experiment '" + id + "' was stopped already, at "
                    + ExperimentDefinition.text(stopped.toInstant()) + ".");
        }
        ZonedDateTime now = ExperimentDefinition.utc(Instant.now());
        node.setProperty("status", "stopped");
        node.setProperty("stoppedAt", now);
        return Stream.of(new Stopped(id, now));
    }

    @Procedure(name = "shopgraph.experiment.click", mode = Mode.READ)
    @Description("Logs a click on an item shown in a request of an experiment (the requestId column"
            + " of bundle, recommend and similar); the experiment log writes it in the background,"
            + " after its request. Config keys: at (the click's time, a datetime with a timezone, not"
            + " before the request and not later than now; default now). Yields requestId, itemId,"
            + " position (the item's 1-based place in the answer), experiment, variant.")
    public Stream<Clicked> click(
            @Name(value = "requestId", description = "The request's id.") String requestId,
            @Name(value = "itemId", description = "The clicked item, one the request showed.") String itemId,
            @Name(value = "config", defaultValue = "{}", description = "Optional: at.") Map<String, Object> config) {
        String request = Arguments.id("requestId", requestId);
        String item = Arguments.id("itemId", itemId);
        ConfigReader.of(config, List.of("at"));
        Instant at = Experiments.time(config == null ? null : config.get("at"), "at");
        ExposureLog log = ExposureLogs.of(db);
        Exposure exposure = log.unwritten(request);
        if (exposure == null) {
            Node node = tx.findNode(ExposureLog.EXPOSURE, "requestId", request);
            if (node == null) {
                throw ShopgraphException.unknownIds("request", List.of(request));
            }
            exposure = new Exposure(request, ((ZonedDateTime) node.getProperty("at")).toInstant(),
                    (String) node.getProperty("userId"),
                    Surface.valueOf(((String) node.getProperty("surface")).toUpperCase(java.util.Locale.ROOT)),
                    (String) node.getProperty("experiment"), (String) node.getProperty("variant"),
                    Arrays.asList((String[]) node.getProperty("items")), List.of());
        }
        int position = exposure.items().indexOf(item) + 1;
        if (position == 0) {
            throw ShopgraphException.badArgument("Item '" + item + "' was not shown in request " + request + ".");
        }
        if (at.isBefore(exposure.at())) {
            throw ShopgraphException.badArgument("A click cannot come before its request: request " + request
                    + " was answered at " + ExperimentDefinition.text(exposure.at()) + ", the click is at "
                    + ExperimentDefinition.text(at) + ".");
        }
        log.click(new Click(request, item, at));
        return Stream.of(new Clicked(request, item, position, exposure.experiment(), exposure.variant()));
    }

    @Procedure(name = "shopgraph.experiment.flush", mode = Mode.READ)
    @Description("Waits until the experiment log has committed every exposure and click handed to it"
            + " before the call (it commits on its own every 100 ms or 1,000 entries). Yields dropped:"
            + " the entries it could not write since the database started (0 when all went well).")
    public Stream<Flushed> flush() throws InterruptedException {
        return Stream.of(new Flushed(ExposureLogs.of(db).flush()));
    }

    @Procedure(name = "shopgraph.experiment.assign", mode = Mode.READ)
    @Description("The variant of an experiment a user or visitor id is assigned to (whether or not the"
            + " experiment is running): the first 8 bytes of SHA-256(salt:id) as a point u in [0, 1),"
            + " mapped to the variants by their cumulative shares. Yields experiment, userId, variant,"
            + " bucket (u).")
    public Stream<Assigned> assign(
            @Name(value = "name", description = "The experiment's name.") String name,
            @Name(value = "userId", description = "The user's or visitor's id.") String userId) {
        ExperimentDefinition experiment = Experiments.read(tx, Arguments.id("name", name));
        String user = Arguments.id("userId", userId);
        int index = Assignment.variant(experiment.salt(), user, experiment.shares());
        return Stream.of(new Assigned(experiment.name(), user, experiment.variants().get(index).name(),
                Assignment.bucket(experiment.salt(), user)));
    }

    @Procedure(name = "shopgraph.experiment.forgetUser", mode = Mode.WRITE)
    @Description("Erases a user's (or visitor's) experiment log: every exposure logged under the id,"
            + " with its clicks, after the log has committed what it holds. The erasure of a user"
            + " (shopgraph.users.forget) does it too. Yields exposures (deleted).")
    public Stream<Changed> forgetUser(
            @Name(value = "userId", description = "The user's or visitor's id.") String userId)
            throws InterruptedException {
        return Stream.of(new Changed(ExperimentUsers.forget(db, tx, Arguments.id("userId", userId))));
    }

    @Procedure(name = "shopgraph.experiment.mergeUsers", mode = Mode.WRITE)
    @Description("Moves the experiment log of a user merged into another: the exposures of source"
            + " count for target from now on, keeping their variant and the id they were logged"
            + " under (loggedUserId). The merge of users (shopgraph.users.merge) does it too. Yields"
            + " exposures (moved).")
    public Stream<Changed> mergeUsers(
            @Name(value = "source", description = "The user merged (a visitor who logged in).") String source,
            @Name(value = "target", description = "The user merged into.") String target)
            throws InterruptedException {
        return Stream.of(new Changed(ExperimentUsers.merge(db, tx, Arguments.id("source", source),
                Arguments.id("target", target))));
    }
}
