package io.shopgraph.plugin.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Json}: what it writes reads back as the same values, integers staying integers. */
class JsonTest {

    @Test
    void aConfigRoundTripsWithItsTypesAndNulls() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("maxPerBrand", null);
        config.put("steps", 5000L);
        config.put("alpha", 0.5);
        config.put("whole", 2.0);
        config.put("inStockOnly", false);
        config.put("categories", List.of("a.b", "c"));
        config.put("typeWeights", Map.of("VIEWED", 1.5));
        config.put("text", "quote \" back\\slash \n tab\t é \u0001");
        String text = Json.write(config);

        assertThat(text).startsWith("{\"maxPerBrand\":null,\"steps\":5000,\"alpha\":0.5,\"whole\":2.0,");
        Object read = Json.read(text);
        assertThat(read).isEqualTo(config);
        assertThat(((Map<?, ?>) read).get("steps")).isInstanceOf(Long.class);
        assertThat(((Map<?, ?>) read).get("whole")).isInstanceOf(Double.class);
        assertThat(List.copyOf(((Map<?, ?>) read).keySet())).isEqualTo(List.copyOf(config.keySet()));
    }

    @Test
    void numbersStringsAndWhitespace() {
        assertThat(Json.read(" [ 1 , -2.5e3 , 1E2, \"\\u00e9\\/\" , true , null ] "))
                .isEqualTo(Arrays.asList(1L, -2500.0, 100.0, "é/", true, null));
        assertThat(Json.read("{}")).isEqualTo(Map.of());
    }

    @Test
    void textThatIsNotOneValueIsRefusedWithItsOffset() {
        assertThatThrownBy(() -> Json.read("{\"a\": 1} x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid JSON at offset 9: unexpected text after the value.");
        assertThatThrownBy(() -> Json.read("[1, ")).hasMessage("Invalid JSON at offset 4: a value is missing.");
        assertThatThrownBy(() -> Json.read("{a: 1}")).hasMessage("Invalid JSON at offset 1: an object key must be a string.");
        assertThatThrownBy(() -> Json.read("\"open")).hasMessage("Invalid JSON at offset 5: a string is not closed.");
    }
}
