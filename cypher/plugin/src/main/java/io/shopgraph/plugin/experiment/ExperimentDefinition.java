package io.shopgraph.plugin.experiment;

import io.shopgraph.plugin.bundle.BundleConfig;
import io.shopgraph.plugin.common.ConfigReader;
import io.shopgraph.plugin.common.ConfigReader.Range;
import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ExperimentHook;
import io.shopgraph.plugin.common.Json;
import io.shopgraph.plugin.common.Served.Surface;
import io.shopgraph.plugin.common.ShopgraphException;
import io.shopgraph.plugin.recommend.RecommendConfig;
import io.shopgraph.plugin.walk.WalkConfig;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.neo4j.graphdb.Node;

/**
 * One experiment as {@code shopgraph.experiment.start} takes it and the {@code (:Experiment)}
 * node stores it: the same checks and sentences as {@code graph/experiments/definition.py}.
 *
 * <p>The node holds {@code name}, {@code surfaces}, {@code salt}, {@code start}, {@code end},
 * {@code control}, {@code attributionHours}, {@code status} ('running' or 'stopped'),
 * {@code createdAt}, {@code stoppedAt} and {@code variants}: the variants as JSON text (a
 * property cannot hold maps, and a config may hold null, "no limit"), a list of objects with
 * {@code name}, {@code share} and, where given, {@code bundle}, {@code recommend},
 * {@code similar} (each the procedure's config), {@code model} (a pinned version) and
 * {@code baseline} ({@code "popularity"}).
 *
 * @param name the experiment's name
 * @param surfaces the procedures it covers
 * @param salt the salt of the assignment
 * @param start when it starts (inclusive)
 * @param end when it ends (exclusive)
 * @param control the control variant's name
 * @param attributionHours how long after an exposure a cart or purchase of a shown item counts
 * @param variants the variants in declaration order (the order of the assignment)
 * @param stoppedAt when it was stopped, or null while it runs
 */
public record ExperimentDefinition(String name, List<Surface> surfaces, String salt, Instant start,
                                   Instant end, String control, double attributionHours,
                                   List<Variant> variants, Instant stoppedAt) {

    /** The only baseline so far: the most bought items (by the bundle masses). */
    public static final String POPULARITY = "popularity";
    /** Most variants of one experiment. */
    public static final int MAX_VARIANTS = 20;
    /** Default attribution window, hours. */
    public static final double DEFAULT_ATTRIBUTION_HOURS = 24.0;

    static final List<String> KEYS = List.of("name", "surfaces", "salt", "start", "end", "control",
            "attributionHours", "variants");
    static final List<String> VARIANT_KEYS = List.of("name", "share", "bundle", "recommend", "similar",
            "model", "baseline");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final double SHARE_TOLERANCE = 1e-9;

    /**
     * One variant.
     *
     * @param name its name
     * @param share its traffic share, in (0, 1]
     * @param configs the procedure config it gives per surface (absent: the call's own)
     * @param model the model version it pins for recommend and similar, or null
     * @param baseline {@value #POPULARITY}, or null for the procedures' own algorithms
     */
    public record Variant(String name, double share, Map<Surface, Map<String, Object>> configs,
                          String model, String baseline) {

        /** The config this variant lays over a call's config on a surface (empty: none). */
        public Map<String, Object> config(Surface surface) {
            return configs.getOrDefault(surface, Map.of());
        }
    }

    /** The shares in declaration order. */
    public double[] shares() {
        return variants.stream().mapToDouble(Variant::share).toArray();
    }

    /** The control variant. */
    public Variant controlVariant() {
        return variants.stream().filter(v -> v.name().equals(control)).findFirst().orElseThrow();
    }

    /** Whether it serves and logs at {@code time}: from start (inclusive) to end and any stop (exclusive). */
    public boolean liveAt(Instant time) {
        return !time.isBefore(start) && time.isBefore(end) && (stoppedAt == null || time.isBefore(stoppedAt));
    }

    /**
     * Reads and checks the map that {@code shopgraph.experiment.start} takes.
     *
     * @throws ShopgraphException of code {@code BAD_ARGUMENT} naming what is wrong
     */
    public static ExperimentDefinition parse(Map<String, ?> raw) {
        ConfigReader reader = ConfigReader.of(raw, KEYS);
        Map<String, ?> values = raw == null ? Map.of() : raw;
        String name = name(values.get("name"), "An experiment's name");
        List<Surface> surfaces = surfaces(values.get("surfaces"));
        Object saltValue = values.get("salt");
        if (saltValue != null && !(saltValue instanceof String s && !s.isEmpty())) {
            throw ShopgraphException.badArgument("salt must be a non-empty string, got "
                    + CypherValues.describe(saltValue) + ".");
        }
        String salt = saltValue == null ? name : (String) saltValue;
        Instant start = required(reader, values, "start");
        Instant end = required(reader, values, "end");
        if (!end.isAfter(start)) {
            throw ShopgraphException.badArgument("end must be later than start, got start " + text(start)
                    + " and end " + text(end) + ".");
        }
        double attribution = reader.number("attributionHours", DEFAULT_ATTRIBUTION_HOURS,
                Range.aboveAtMost(0, 24 * 90));
        List<Variant> variants = variants(values.get("variants"), surfaces);
        Object controlValue = values.get("control");
        String control = controlValue == null ? variants.get(0).name() : String.valueOf(controlValue);
        if (!(controlValue == null || controlValue instanceof String)
                || variants.stream().noneMatch(v -> v.name().equals(control))) {
            throw ShopgraphException.badArgument("control must name one of the variants ("
                    + String.join(", ", variants.stream().map(Variant::name).toList()) + "), got "
                    + CypherValues.describe(controlValue) + ".");
        }
        return new ExperimentDefinition(name, surfaces, salt, start, end, control, attribution, variants, null);
    }

    /** Reads a stored experiment. */
    public static ExperimentDefinition of(Node node) {
        List<Surface> surfaces = new ArrayList<>();
        for (String label : (String[]) node.getProperty("surfaces")) {
            surfaces.add(Surface.valueOf(label.toUpperCase(Locale.ROOT)));
        }
        Object stopped = node.getProperty("stoppedAt", null);
        return new ExperimentDefinition((String) node.getProperty("name"), List.copyOf(surfaces),
                (String) node.getProperty("salt"), instant(node.getProperty("start")),
                instant(node.getProperty("end")), (String) node.getProperty("control"),
                ((Number) node.getProperty("attributionHours")).doubleValue(),
                VariantsText.parse((String) node.getProperty("variants")),
                stopped == null ? null : instant(stopped));
    }

    /** Writes the definition's properties onto a new node (status 'running'). */
    void store(Node node, Instant now) {
        node.setProperty("name", name);
        node.setProperty("surfaces", surfaces.stream().map(Surface::label).toArray(String[]::new));
        node.setProperty("salt", salt);
        node.setProperty("start", utc(start));
        node.setProperty("end", utc(end));
        node.setProperty("control", control);
        node.setProperty("attributionHours", attributionHours);
        node.setProperty("variants", VariantsText.write(variants));
        node.setProperty("status", "running");
        node.setProperty("createdAt", utc(now));
    }

    static ZonedDateTime utc(Instant time) {
        return time.atZone(ZoneOffset.UTC);
    }

    /** A time in sentences, as the Python client writes it: {@code 2024-03-01T00:00:00Z}. */
    static String text(Instant time) {
        return DateTimeFormatter.ISO_INSTANT.format(time);
    }

    private static Instant instant(Object value) {
        return ((ZonedDateTime) value).toInstant();
    }

    private static Instant required(ConfigReader reader, Map<String, ?> values, String key) {
        Instant time = reader.datetime(key);
        if (time == null) {
            throw ConfigReader.invalid(key, "a datetime with a timezone", values.get(key));
        }
        return time;
    }

    private static String name(Object value, String what) {
        if (!(value instanceof String s) || !NAME.matcher(s).matches()) {
            throw ShopgraphException.badArgument(what + " must be 1 to 100 letters, digits, '.', '_' or"
                    + " '-', got " + CypherValues.describe(value) + ".");
        }
        return s;
    }

    private static List<Surface> surfaces(Object value) {
        List<Surface> surfaces = new ArrayList<>();
        if (value instanceof List<?> list && !list.isEmpty()) {
            for (Object element : list) {
                Surface surface = element instanceof String s ? surface(s) : null;
                if (surface == null || surfaces.contains(surface)) {
                    surfaces = null;
                    break;
                }
                surfaces.add(surface);
            }
        } else {
            surfaces = null;
        }
        if (surfaces == null) {
            throw ShopgraphException.badArgument("surfaces must list 1 to 3 distinct surfaces of bundle,"
                    + " recommend, similar, got " + CypherValues.describe(value) + ".");
        }
        return List.copyOf(surfaces);
    }

    private static Surface surface(String label) {
        for (Surface surface : Surface.values()) {
            if (surface.label().equals(label)) {
                return surface;
            }
        }
        return null;
    }

    private static List<Variant> variants(Object value, List<Surface> surfaces) {
        if (!(value instanceof List<?> list) || list.size() < 2 || list.size() > MAX_VARIANTS) {
            throw ShopgraphException.badArgument("variants must be a list of 2 to " + MAX_VARIANTS
                    + " variants, got " + (value instanceof List<?> l ? l.size() + " variants"
                            : CypherValues.describe(value)) + ".");
        }
        List<Variant> variants = new ArrayList<>();
        Set<String> names = new HashSet<>();
        double total = 0.0;
        for (int n = 0; n < list.size(); n++) {
            if (!(list.get(n) instanceof Map<?, ?> map)) {
                throw ShopgraphException.badArgument("Variant " + (n + 1) + " must be a map, got "
                        + CypherValues.describe(list.get(n)) + ".");
            }
            Variant variant = variant(castMap(map), n, surfaces);
            if (!names.add(variant.name())) {
                throw ShopgraphException.badArgument("Variant names must be distinct; '" + variant.name()
                        + "' is given twice.");
            }
            total += variant.share();
            variants.add(variant);
        }
        if (Math.abs(total - 1.0) > SHARE_TOLERANCE) {
            throw ShopgraphException.badArgument("The variants' shares must sum to 1, got " + total + ".");
        }
        return List.copyOf(variants);
    }

    private static Variant variant(Map<String, Object> map, int index, List<Surface> surfaces) {
        String name = name(map.get("name"), "The name of variant " + (index + 1));
        String where = "Variant '" + name + "'";
        try {
            ConfigReader.of(map, VARIANT_KEYS);
        } catch (ShopgraphException e) {
            throw ShopgraphException.badArgument(where + ": " + e.sentence());
        }
        Object share = map.get("share");
        if (!(share instanceof Number number) || share instanceof Float
                || !Range.aboveAtMost(0, 1).contains(number.doubleValue())) {
            throw ShopgraphException.badArgument("The share of variant '" + name + "' must be a number"
                    + " greater than 0 and at most 1, got " + CypherValues.describe(share) + ".");
        }
        Map<Surface, Map<String, Object>> configs = new EnumMap<>(Surface.class);
        for (Surface surface : Surface.values()) {
            Object config = map.get(surface.label());
            if (config == null) {
                continue;
            }
            if (!surfaces.contains(surface)) {
                throw ShopgraphException.badArgument(where + " gives a config for " + surface.label()
                        + ", which the experiment does not cover.");
            }
            if (!(config instanceof Map<?, ?> given)) {
                throw ShopgraphException.badArgument(where + ": " + surface.label() + " must be a map, got "
                        + CypherValues.describe(config) + ".");
            }
            Map<String, Object> checked = castMap(given);
            check(where, surface, checked);
            configs.put(surface, Collections.unmodifiableMap(new LinkedHashMap<>(checked)));
        }
        Object model = map.get("model");
        if (model != null && !(model instanceof String s && !s.isBlank())) {
            throw ShopgraphException.badArgument(where + ": model must be a model version's name, got "
                    + CypherValues.describe(model) + ".");
        }
        if (model != null && !surfaces.contains(Surface.RECOMMEND) && !surfaces.contains(Surface.SIMILAR)) {
            throw ShopgraphException.badArgument(where + " pins a model version, which only recommend and"
                    + " similar use.");
        }
        Object baseline = map.get("baseline");
        if (baseline != null && !POPULARITY.equals(baseline)) {
            throw ShopgraphException.badArgument(where + ": baseline must be 'popularity', got "
                    + CypherValues.describe(baseline) + ".");
        }
        if (baseline != null && (model != null || !configs.isEmpty())) {
            throw ShopgraphException.badArgument(where + " is the popularity baseline: it takes no"
                    + " config and no model version.");
        }
        return new Variant(name, ((Number) share).doubleValue(), Collections.unmodifiableMap(configs),
                (String) model, (String) baseline);
    }

    /** Checks a variant's config with the surface's own parser; the keys of a call are refused. */
    private static void check(String where, Surface surface, Map<String, Object> config) {
        for (String key : List.of(ExperimentHook.EXPERIMENT, "user", "at")) {
            if (config.containsKey(key)) {
                throw ShopgraphException.badArgument(where + ": " + surface.label() + " must not give '"
                        + key + "': it belongs to each call.");
            }
        }
        try {
            switch (surface) {
                case BUNDLE -> BundleConfig.parse(config);
                case RECOMMEND -> RecommendConfig.parse(config);
                case SIMILAR -> WalkConfig.parse(config, WalkConfig.Use.SIMILAR);
                default -> throw new IllegalStateException("unknown surface " + surface);
            }
        } catch (ShopgraphException e) {
            throw ShopgraphException.badArgument(where + ", " + surface.label() + ": " + e.sentence());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    /** The variants as the node's JSON text, and back. */
    static final class VariantsText {

        private static final Map<String, List<Variant>> PARSED = new java.util.concurrent.ConcurrentHashMap<>();
        private static final int MAX_CACHED = 256;

        private VariantsText() {}

        static String write(List<Variant> variants) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Variant v : variants) {
                Map<String, Object> map = new LinkedHashMap<>();
                map.put("name", v.name());
                map.put("share", v.share());
                v.configs().forEach((surface, config) -> map.put(surface.label(), config));
                if (v.model() != null) {
                    map.put("model", v.model());
                }
                if (v.baseline() != null) {
                    map.put("baseline", v.baseline());
                }
                list.add(map);
            }
            return Json.write(list);
        }

        /** The variants of a stored text (parsed once per distinct text). */
        static List<Variant> parse(String text) {
            List<Variant> cached = PARSED.get(text);
            if (cached != null) {
                return cached;
            }
            List<Variant> variants = new ArrayList<>();
            for (Object element : (List<?>) Json.read(text)) {
                Map<String, Object> map = castMap((Map<?, ?>) element);
                Map<Surface, Map<String, Object>> configs = new EnumMap<>(Surface.class);
                for (Surface surface : Surface.values()) {
                    if (map.get(surface.label()) instanceof Map<?, ?> config) {
                        configs.put(surface, castMap(config));
                    }
                }
                variants.add(new Variant((String) map.get("name"), ((Number) map.get("share")).doubleValue(),
                        Collections.unmodifiableMap(configs), (String) map.get("model"),
                        (String) map.get("baseline")));
            }
            List<Variant> parsed = List.copyOf(variants);
            if (PARSED.size() >= MAX_CACHED) {
                PARSED.clear();
            }
            PARSED.put(text, parsed);
            return parsed;
        }
    }
}
