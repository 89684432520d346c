package io.shopgraph.plugin.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link ShopgraphException}: the message on the wire, the details' JSON, unknown ids. */
class ShopgraphExceptionTest {

    @Test
    void theMessageIsTheCodeThenTheSentence() {
        ShopgraphException e = ShopgraphException.badArgument("k must be between 1 and 1000, got 0.");

        assertThat(e).isInstanceOf(IllegalArgumentException.class);
        assertThat(e.getMessage()).isEqualTo("[shopgraph.bad_argument] k must be between 1 and 1000, got 0.");
        assertThat(e.details()).isEmpty();
        assertThat(ShopgraphException.conflict("Busy.").getMessage()).isEqualTo("[shopgraph.conflict] Busy.");
        assertThat(new ShopgraphException(ErrorCode.MODEL_NOT_TRAINED, "No model.", Map.of()).getMessage())
                .isEqualTo("[shopgraph.model_not_trained] No model.");
    }

    @Test
    void unknownIdsAreWordedAsThePythonClientWordsThemWithEveryIdInTheDetails() {
        assertThat(ShopgraphException.unknownIds("item", List.of("nope")).getMessage())
                .isEqualTo("[shopgraph.unknown_id {\"kind\":\"item\",\"ids\":[\"nope\"]}] Unknown item id: nope.");
        assertThat(ShopgraphException.unknownIds("user", List.of("b", "a")).sentence())
                .isEqualTo("Unknown user ids: b, a.");
        List<String> many = new ArrayList<>();
        IntStream.range(0, 12).forEach(n -> many.add("i" + n));
        ShopgraphException e = ShopgraphException.unknownIds("item", many);
        assertThat(e.sentence()).isEqualTo("Unknown item ids: i0, i1, i2, i3, i4, i5, i6, i7, i8, i9 and 2 more.");
        assertThat(e.details()).containsEntry("ids", many);
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_ID);
    }

    @Test
    void badInputNamesTheElementAndItsField() {
        assertThat(ShopgraphException.badInput("Field n of a row of sessions must be an integer, got null.", 3, "n")
                .getMessage()).isEqualTo("[shopgraph.bad_input {\"index\":3,\"field\":\"n\"}] Field n of a row of"
                        + " sessions must be an integer, got null.");
        assertThat(ShopgraphException.badInput("A row of items must be a map, got null.", 0, null).getMessage())
                .isEqualTo("[shopgraph.bad_input {\"index\":0}] A row of items must be a map, got null.");
    }

    @Test
    void theDetailsAreEscapedJson() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("text", "a \"quoted\" back\\slash\nnew line\ttab \u0001 é ] [shopgraph.x");
        details.put("numbers", List.of(1L, 2.5, Double.NaN));
        details.put("flags", List.of(true, false));
        details.put("none", null);
        details.put("nested", Map.of("k", List.of()));
        ShopgraphException e = new ShopgraphException(ErrorCode.BAD_INPUT, "Bad.", details);

        assertThat(e.getMessage()).isEqualTo("[shopgraph.bad_input {\"text\":\"a \\\"quoted\\\" back\\\\slash"
                + "\\nnew line\\ttab \\u0001 é ] [shopgraph.x\",\"numbers\":[1,2.5,null],\"flags\":[true,false],"
                + "\"none\":null,\"nested\":{\"k\":[]}}] Bad.");
    }
}
