package io.shopgraph.plugin.model;

import io.shopgraph.plugin.common.ShopgraphException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Vectors sent as one block of bytes: {@code rows x dimensions} IEEE float32 values,
 * little-endian, row after row (numpy's {@code float32.tobytes()} on x86 and ARM). Sending bytes
 * instead of lists of floats spares the client and the server a Python and a Cypher value per
 * number.
 */
public final class Float32Vectors {

    /** The most dimensions a vector may have (Neo4j's vector indexes take up to 4096). */
    public static final int MAX_DIMENSIONS = 4096;

    private Float32Vectors() {}

    /**
     * Splits a block into vectors.
     *
     * @param data the bytes
     * @param rows how many vectors the block holds, at least 1
     * @return {@code rows} vectors of equal length
     * @throws ShopgraphException when the block does not split into {@code rows} vectors of
     *     1 to {@link #MAX_DIMENSIONS} floats, or holds a value that is not finite
     */
    public static float[][] decode(byte[] data, int rows) {
        if (rows < 1) {
            throw ShopgraphException.badArgument("There must be at least one vector, got " + rows + ".");
        }
        int length = data == null ? 0 : data.length;
        if (length == 0 || length % (4L * rows) != 0 || length / 4 / rows > MAX_DIMENSIONS) {
            throw ShopgraphException.badArgument("vectors must hold " + rows + " vectors of 1 to "
                    + MAX_DIMENSIONS + " float32 values (4 bytes each), got " + length + " bytes.");
        }
        int dimensions = length / 4 / rows;
        FloatBuffer floats = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[][] vectors = new float[rows][dimensions];
        for (int row = 0; row < rows; row++) {
            float[] vector = vectors[row];
            floats.get(vector);
            for (float value : vector) {
                if (!Float.isFinite(value)) {
                    throw ShopgraphException.badArgument("Vector " + row + " holds " + value
                            + "; every value must be finite.");
                }
            }
        }
        return vectors;
    }
}
