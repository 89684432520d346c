package io.shopgraph.plugin.export;

import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ShopgraphException;
import java.time.Instant;

/**
 * The weight one interaction adds to its (user, item) edge, computed exactly as the readable
 * statement {@code export_interactions.cypher} computes it:
 *
 * <pre>
 *   kind weight x 0.5 ^ (seconds(at, now) / 86400.0 / halfLifeDays) x trust
 * </pre>
 *
 * <p>{@code seconds(at, now)} is {@code duration.inSeconds(at, now).seconds}: whole seconds,
 * rounded down. The decay is 1 without a half-life or without a time; the trust is the
 * relationship's {@code weight} (1 when it has none, or when trust is not used).
 */
public final class EdgeWeight {

    private final double[] kindWeights = new double[InteractionKind.values().length];
    private final Instant since;
    private final Instant until;
    private final Double halfLifeDays;
    private final long nowSecond;
    private final int nowNano;
    private final boolean useTrust;

    /**
     * The weighting of one export.
     *
     * @param config the export's config
     */
    public EdgeWeight(ExportConfig config) {
        for (InteractionKind kind : InteractionKind.values()) {
            kindWeights[kind.ordinal()] = config.weight(kind);
        }
        since = config.since();
        until = config.until();
        halfLifeDays = config.halfLifeDays();
        Instant now = config.now() == null ? Instant.EPOCH : config.now();
        nowSecond = now.getEpochSecond();
        nowNano = now.getNano();
        useTrust = config.useTrust();
    }

    /** Whether interactions of this kind can add anything (their weight is above 0). */
    public boolean reads(InteractionKind kind) {
        return kindWeights[kind.ordinal()] > 0;
    }

    /** Whether times matter: with a window or a decay; without, every time may be passed as null. */
    public boolean needsTime() {
        return since != null || until != null || halfLifeDays != null;
    }

    /**
     * Whether an interaction at this time is inside the window.
     *
     * @param at its time, or null: inside only when there is no window
     */
    public boolean inWindow(Instant at) {
        if (at == null) {
            return since == null && until == null;
        }
        return (since == null || !at.isBefore(since)) && (until == null || !at.isAfter(until));
    }

    /**
     * The weight of one interaction.
     *
     * @param kind its kind
     * @param at its time, or null
     * @param trust the relationship's {@code weight} property: a number, or null for 1
     * @return kind weight x decay x trust
     * @throws ShopgraphException of code {@code BAD_INPUT} when trust is used and {@code trust} is
     *     not a number
     */
    public double of(InteractionKind kind, Instant at, Object trust) {
        double decay = 1.0;
        if (halfLifeDays != null && at != null) {
            long seconds = nowSecond - at.getEpochSecond();
            if (nowNano < at.getNano()) {
                seconds--;
            }
            decay = Math.pow(0.5, seconds / 86400.0 / halfLifeDays);
        }
        return kindWeights[kind.ordinal()] * decay * (useTrust ? trust(kind, trust) : 1.0);
    }

    private static double trust(InteractionKind kind, Object value) {
        if (value == null) {
            return 1.0;
        }
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        throw ShopgraphException.badInput("The weight of a " + kind + " relationship must be a number, got "
                + CypherValues.describe(value) + ".");
    }
}
