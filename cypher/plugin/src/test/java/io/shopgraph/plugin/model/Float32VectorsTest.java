package io.shopgraph.plugin.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class Float32VectorsTest {

    private static final String BAD = "[shopgraph.bad_argument] ";

    static byte[] bytes(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            buffer.putFloat(value);
        }
        return buffer.array();
    }

    @Test
    void aBlockSplitsIntoRowsOfLittleEndianFloats() {
        float[][] vectors = Float32Vectors.decode(bytes(1f, -2.5f, 0.1f, 3f, 4f, 1e-30f), 2);

        assertThat(vectors).hasDimensions(2, 3);
        assertThat(vectors[0]).containsExactly(1f, -2.5f, 0.1f);
        assertThat(vectors[1]).containsExactly(3f, 4f, 1e-30f);
        // 1.0f little-endian is 00 00 80 3f.
        assertThat(Float32Vectors.decode(new byte[] {0, 0, (byte) 0x80, 0x3f}, 1)[0]).containsExactly(1f);
    }

    @Test
    void blocksThatDoNotSplitOrHoldNonFiniteValuesAreErrors() {
        assertThatThrownBy(() -> Float32Vectors.decode(bytes(1f, 2f, 3f), 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(BAD + "vectors must hold 2 vectors of 1 to 4096 float32 values (4 bytes each),"
                        + " got 12 bytes.");
        assertThatThrownBy(() -> Float32Vectors.decode(new byte[0], 1))
                .hasMessage(BAD + "vectors must hold 1 vectors of 1 to 4096 float32 values (4 bytes each),"
                        + " got 0 bytes.");
        assertThatThrownBy(() -> Float32Vectors.decode(new byte[4 * 4097], 1))
                .hasMessageContaining("got 16388 bytes.");
        assertThatThrownBy(() -> Float32Vectors.decode(bytes(1f, 2f, Float.NaN, 4f), 2))
                .hasMessage(BAD + "Vector 1 holds NaN; every value must be finite.");
        assertThatThrownBy(() -> Float32Vectors.decode(bytes(1f), 0))
                .hasMessage(BAD + "There must be at least one vector, got 0.");
    }
}
