package io.shopgraph.plugin.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link Arguments}: the top-level argument sentences shared by the procedures. */
class ArgumentsTest {

    @Test
    void kIsOneToOneThousand() {
        assertThat(Arguments.k(1)).isEqualTo(1);
        assertThat(Arguments.k(1000)).isEqualTo(1000);
        assertThatThrownBy(() -> Arguments.k(0)).isInstanceOf(ShopgraphException.class)
                .hasMessage("[shopgraph.bad_argument] k must be between 1 and 1000, got 0.");
        assertThatThrownBy(() -> Arguments.k(1001))
                .hasMessage("[shopgraph.bad_argument] k must be between 1 and 1000, got 1001.");
    }

    @Test
    void idArgumentsAreNonEmptyStrings() {
        assertThat(Arguments.id("userId", "u1")).isEqualTo("u1");
        assertThatThrownBy(() -> Arguments.id("userId", ""))
                .hasMessage("[shopgraph.bad_argument] userId must be a non-empty id, got an empty string.");
        assertThatThrownBy(() -> Arguments.id("itemId", null))
                .hasMessage("[shopgraph.bad_argument] itemId must be a non-empty id, got null.");
    }

    @Test
    void aCartHasOneToFiftyDistinctItemsAndRepeatsCountOnce() {
        List<String> fifty = IntStream.range(0, 50).mapToObj(n -> "i" + n).toList();
        List<String> repeated = new java.util.ArrayList<>(fifty);
        repeated.add("i0");
        assertThat(Arguments.items("cart", "cart", repeated)).isEqualTo(fifty);
        List<String> more = new java.util.ArrayList<>(fifty);
        more.add("i50");
        assertThatThrownBy(() -> Arguments.items("cart", "cart", more))
                .hasMessage("[shopgraph.bad_argument] A cart must have 1 to 50 items, got 51.");
        assertThatThrownBy(() -> Arguments.items("cart", "cart", List.of()))
                .hasMessage("[shopgraph.bad_argument] A cart must have 1 to 50 items, got 0.");
        assertThatThrownBy(() -> Arguments.items("cart", "cart", null))
                .hasMessage("[shopgraph.bad_argument] cart must be a list of 1 to 50 item ids, got null.");
        assertThatThrownBy(() -> Arguments.items("query", "query", Arrays.asList("a", 5L)))
                .hasMessage("[shopgraph.bad_argument] query must hold non-empty ids, got the integer 5 at"
                        + " position 2.");
    }
}
