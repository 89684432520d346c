package io.shopgraph.plugin.experiment;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic assignment of users (or visitors) to the variants of an experiment, the rule
 * of {@code graph/experiments/assignment.py}:
 *
 * <ol>
 *   <li>{@code digest = SHA-256(UTF-8(salt + ":" + id))};</li>
 *   <li>{@code h} = its first 8 bytes as an unsigned 64-bit big-endian number;</li>
 *   <li>{@code u = (h >>> 11) / 2^53}: {@code h / 2^64} cut to the 53 bits a double holds
 *       exactly, in [0, 1);</li>
 *   <li>the shares are summed left to right in double precision; the variant is the first whose
 *       running sum exceeds {@code u}, the last taking the rest.</li>
 * </ol>
 *
 * <p>The committed vectors {@code assignment_vectors.tsv} (test resources) are checked here and
 * by the Python tests.
 */
public final class Assignment {

    private static final double SCALE = 0x1.0p-53;

    private Assignment() {}

    /** The point {@code u} in [0, 1) of an id under a salt (steps 1 to 3). */
    public static double bucket(String salt, String id) {
        return (hash(salt, id) >>> 11) * SCALE;
    }

    /** The first 8 bytes of {@code SHA-256(salt + ":" + id)} (steps 1 and 2), as a signed long. */
    static long hash(String salt, String id) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform has SHA-256.", e);
        }
        byte[] digest = sha.digest((salt + ":" + id).getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(digest, 0, 8).getLong();
    }

    /**
     * The index of the variant an id falls in (step 4).
     *
     * @param salt the experiment's salt
     * @param id the user or visitor id
     * @param shares the variants' traffic shares, in declaration order (at least one)
     */
    public static int variant(String salt, String id, double[] shares) {
        double u = bucket(salt, id);
        double cumulative = 0.0;
        for (int index = 0; index < shares.length - 1; index++) {
            cumulative += shares[index];
            if (u < cumulative) {
                return index;
            }
        }
        return shares.length - 1;
    }
}
