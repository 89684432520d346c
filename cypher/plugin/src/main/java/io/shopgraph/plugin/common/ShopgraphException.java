package io.shopgraph.plugin.common;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one exception procedures throw for a call they refuse: a stable {@link ErrorCode}, one
 * full sentence for people, and optional details for programs.
 *
 * <p>Its message, which Neo4j passes on to the client, is {@code [CODE] SENTENCE}, or with
 * details {@code [CODE JSON] SENTENCE}, JSON being one compact object, e.g.
 * <pre>
 * [shopgraph.bad_argument] k must be between 1 and 1000, got 0.
 * [shopgraph.unknown_id {"kind":"item","ids":["a","b"]}] Unknown item ids: a, b.
 * [shopgraph.bad_input {"index":3,"field":"n"}] Field n of a row of sessions must be an integer, got null.
 * </pre>
 * A client finds {@code [shopgraph.}, reads the code up to a space or {@code ]}, parses the
 * JSON object if one follows, and takes the sentence after {@code "] "}.
 *
 * <p>It is an {@link IllegalArgumentException}, so code that catches those still does.
 */
public final class ShopgraphException extends IllegalArgumentException {

    /** At most this many unknown ids are named in the sentence; the details hold them all. */
    static final int SHOWN_IDS = 10;

    private final ErrorCode code;
    private final String sentence;
    private final Map<String, Object> details;

    /**
     * An error with details.
     *
     * @param code the code
     * @param sentence one full sentence, ending with a full stop
     * @param details values of JSON types (strings, numbers, booleans, null, lists and maps of
     *     these), in the order they are written; empty for none
     */
    public ShopgraphException(ErrorCode code, String sentence, Map<String, ?> details) {
        super(message(code, sentence, details));
        this.code = code;
        this.sentence = sentence;
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** An argument or config value of the call is invalid. */
    public static ShopgraphException badArgument(String sentence) {
        return new ShopgraphException(ErrorCode.BAD_ARGUMENT, sentence, Map.of());
    }

    /** Input data (a value stored in the graph, a row sent to a load) is invalid. */
    public static ShopgraphException badInput(String sentence) {
        return new ShopgraphException(ErrorCode.BAD_INPUT, sentence, Map.of());
    }

    /**
     * One element of a batch sent to a procedure is invalid.
     *
     * @param sentence what is wrong, without the position (the details hold it)
     * @param index the element's 0-based index in its list
     * @param field the field of the element, or null when the whole element is wrong
     */
    public static ShopgraphException badInput(String sentence, int index, String field) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("index", index);
        if (field != null) {
            details.put("field", field);
        }
        return new ShopgraphException(ErrorCode.BAD_INPUT, sentence, details);
    }

    /**
     * Ids that are not in the graph: {@code Unknown item id: a.} or {@code Unknown item ids: a,
     * b.}, naming the first {@value #SHOWN_IDS} and then how many more; the details hold the
     * kind and every id, in the order given.
     *
     * @param kind what the ids are, e.g. {@code item}, {@code user}, {@code category}
     * @param ids the unknown ids, at least one
     */
    public static ShopgraphException unknownIds(String kind, Collection<String> ids) {
        List<String> all = List.copyOf(ids);
        String shown = String.join(", ", all.subList(0, Math.min(SHOWN_IDS, all.size())))
                + (all.size() > SHOWN_IDS ? " and " + (all.size() - SHOWN_IDS) + " more" : "");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("kind", kind);
        details.put("ids", all);
        return new ShopgraphException(ErrorCode.UNKNOWN_ID, "Unknown " + kind + " id"
                + (all.size() == 1 ? "" : "s") + ": " + shown + ".", details);
    }

    /** The graph's current state forbids the call. */
    public static ShopgraphException conflict(String sentence) {
        return new ShopgraphException(ErrorCode.CONFLICT, sentence, Map.of());
    }

    /** The code. */
    public ErrorCode code() {
        return code;
    }

    /** The sentence, without the code. */
    public String sentence() {
        return sentence;
    }

    /** The details, empty when there are none. */
    public Map<String, Object> details() {
        return details;
    }

    private static String message(ErrorCode code, String sentence, Map<String, ?> details) {
        StringBuilder out = new StringBuilder("[").append(code.code());
        if (!details.isEmpty()) {
            out.append(' ');
            Json.write(out, details);
        }
        return out.append("] ").append(sentence).toString();
    }
}
