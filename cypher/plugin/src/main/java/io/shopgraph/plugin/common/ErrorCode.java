package io.shopgraph.plugin.common;

/**
 * The stable codes with which procedures signal errors ({@link ShopgraphException}): a client
 * tells errors apart by these, never by their sentences. The Python client maps each to an
 * exception class ({@code CODES} in {@code core/errors.py}).
 */
public enum ErrorCode {
    /** An argument or config value of the call is invalid: out of range, of the wrong type, unknown. */
    BAD_ARGUMENT("shopgraph.bad_argument"),
    /** Input data is invalid: a row of a load chunk, or a value stored in the graph. */
    BAD_INPUT("shopgraph.bad_input"),
    /** Ids the call names are not in the graph; the details name their kind and the ids. */
    UNKNOWN_ID("shopgraph.unknown_id"),
    /** The graph's current state forbids the call (missing statistics, missing schema, ...). */
    CONFLICT("shopgraph.conflict"),
    /** A trained model is needed and none is active. */
    MODEL_NOT_TRAINED("shopgraph.model_not_trained");

    private final String code;

    ErrorCode(String code) {
        this.code = code;
    }

    /** The code as it travels, e.g. {@code shopgraph.bad_argument}. */
    public String code() {
        return code;
    }
}
