package io.shopgraph.plugin.common;

import io.shopgraph.plugin.common.Served.Surface;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;

/**
 * The door of the serving procedures to online experiments: each calls {@link #enter} with its
 * config first and answers as the returned {@link Served} says.
 *
 * <p>The experiments themselves ({@code io.shopgraph.plugin.experiment}) sit above the serving
 * packages (their popularity baseline and config checks use them), so they are reached through
 * this hook: the plugin's database extension installs the {@link Gate} when a database starts.
 */
public final class ExperimentHook {

    /** The config key that names the experiment a call runs through. */
    public static final String EXPERIMENT = "experiment";

    /** Resolves a call through an experiment (implemented by the experiment package). */
    public interface Gate {
        /**
         * Resolves the experiment named by {@code config}.
         *
         * @param db the caller's database
         * @param tx the caller's transaction
         * @param surface the procedure
         * @param user the user or visitor id when the procedure takes one as an argument
         *     ({@code shopgraph.recommend}), else null (the config's {@code user} key names it)
         * @param query the cart or item the call asks about (logged with the exposure), or an
         *     empty list
         * @param config the call's config, with the key {@value #EXPERIMENT}
         */
        Served enter(GraphDatabaseService db, Transaction tx, Surface surface, String user,
                     List<String> query, Map<String, Object> config);
    }

    private static volatile Gate gate;

    private ExperimentHook() {}

    /** Installs the gate (the experiment extension does, when a database starts). */
    public static void install(Gate installed) {
        gate = installed;
    }

    /**
     * How to answer a call: plain when its config names no experiment (a null
     * {@value #EXPERIMENT} counts as none and is removed), else as the experiment's gate says.
     *
     * @throws ShopgraphException of code {@code CONFLICT} when the config names an experiment
     *     but no gate is installed
     */
    public static Served enter(GraphDatabaseService db, Transaction tx, Surface surface, String user,
                               List<String> query, Map<String, Object> config) {
        if (config == null || !config.containsKey(EXPERIMENT)) {
            return Served.plain(config);
        }
        if (config.get(EXPERIMENT) == null) {
            Map<String, Object> rest = new HashMap<>(config);
            rest.remove(EXPERIMENT);
            return Served.plain(rest);
        }
        Gate installed = gate;
        if (installed == null) {
            throw ShopgraphException.conflict("Experiments are not available: the plugin's database"
                    + " extension (shopgraph-experiments) is not loaded.");
        }
        return installed.enter(db, tx, surface, user, query, config);
    }
}
