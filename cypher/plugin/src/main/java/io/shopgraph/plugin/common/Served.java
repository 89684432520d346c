package io.shopgraph.plugin.common;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * How a serving procedure ({@code shopgraph.bundle}, {@code shopgraph.recommend},
 * {@code shopgraph.similar}) answers one call: the config its own parser reads and, when the
 * call runs through an online experiment ({@code {experiment: 'name'}}), the variant, the
 * request id, a pinned model version or a baseline that ranks instead, and where the answer
 * is logged. Procedures get one from {@link ExperimentHook#enter}; outside an experiment it is
 * {@link #plain(Map) plain}: the call's own config, no request id, nothing logged.
 */
public final class Served {

    /** The serving procedures an experiment can cover. */
    public enum Surface {
        BUNDLE("bundle"), RECOMMEND("recommend"), SIMILAR("similar");

        private final String label;

        Surface(String label) {
            this.label = label;
        }

        /** The name as experiments and the log write it: {@code bundle}, .... */
        public String label() {
            return label;
        }
    }

    /**
     * A plain baseline that ranks instead of the procedure's own algorithm: the procedure takes
     * its candidates in this order and applies its own filters, demotions and cold start to
     * them, as it does to its own ranking.
     */
    public interface Baseline {
        /**
         * The baseline's candidates for this call, best first, lazily: the items the call asks
         * about (the cart or the item) are not among them.
         *
         * @return the items with the baseline's score and reason
         */
        Stream<Candidate> ranked();
    }

    private final Map<String, Object> config;
    private final String experiment;
    private final String variant;
    private final String requestId;
    private final String modelVersion;
    private final Baseline baseline;
    private final Consumer<List<String>> log;

    /**
     * A call through an experiment.
     *
     * @param config the config for the procedure's parser (the experiment's keys removed, the
     *     variant's config laid over the call's)
     * @param experiment the experiment's name
     * @param variant the variant, or null when the experiment is not live at the call's time
     *     (the control's config answers and nothing is logged)
     * @param requestId the request id, or null when not logged
     * @param modelVersion the pinned model version, or null for the active one
     * @param baseline the baseline that ranks instead, or null
     * @param log receives the answer's item ids in rank order (hands the exposure to the log)
     */
    public Served(Map<String, Object> config, String experiment, String variant, String requestId,
                  String modelVersion, Baseline baseline, Consumer<List<String>> log) {
        this.config = Objects.requireNonNull(config, "config");
        this.experiment = experiment;
        this.variant = variant;
        this.requestId = requestId;
        this.modelVersion = modelVersion;
        this.baseline = baseline;
        this.log = Objects.requireNonNull(log, "log");
    }

    /** A call outside any experiment: its own config, nothing logged. */
    public static Served plain(Map<String, Object> config) {
        return new Served(config == null ? Map.of() : config, null, null, null, null, null, items -> { });
    }

    /** The config the procedure's own parser reads. */
    public Map<String, Object> config() {
        return config;
    }

    /** The experiment's name, or null outside an experiment. */
    public String experiment() {
        return experiment;
    }

    /** The variant (the {@code variant} column), or null when the call is not logged. */
    public String variant() {
        return variant;
    }

    /** The request id (the {@code requestId} column), or null when the call is not logged. */
    public String requestId() {
        return requestId;
    }

    /** The model version the variant pins, or null: the active one. */
    public String modelVersion() {
        return modelVersion;
    }

    /** The baseline that ranks instead of the procedure's algorithm, or null. */
    public Baseline baseline() {
        return baseline;
    }

    /**
     * Logs the answer (a no-op outside an experiment): hands the exposure to the experiment
     * log, which commits it in the background.
     *
     * @param itemIds the answer's items in rank order (position = index + 1)
     */
    public void exposed(List<String> itemIds) {
        log.accept(itemIds);
    }
}
