package io.shopgraph.plugin.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Assignment} against the committed vectors {@code assignment_vectors.tsv}, rendered by
 * {@code make_assignment_vectors.py} from the rule in integers and exact fractions (the Python
 * tests check the same file against {@code graph/experiments/assignment.py}).
 */
class AssignmentTest {

    private static List<String[]> vectors() throws IOException {
        try (InputStream in = AssignmentTest.class.getResourceAsStream("assignment_vectors.tsv")) {
            assertThat(in).as("assignment_vectors.tsv on the test class path").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.startsWith("#"))
                    .map(line -> line.split("\t", -1))
                    .toList();
        }
    }

    @Test
    void everyVectorHasItsHashPointAndVariant() throws IOException {
        List<String[]> vectors = vectors();
        assertThat(vectors).hasSize(1140);
        for (String[] v : vectors) {
            String salt = v[0];
            String id = v[1];
            double[] shares = Arrays.stream(v[2].split(",")).mapToDouble(Double::parseDouble).toArray();
            long h = Long.parseUnsignedLong(v[3], 16);
            long u53 = Long.parseLong(v[4]);
            int variant = Integer.parseInt(v[5]);
            assertThat(Assignment.hash(salt, id)).as("h of %s:%s", salt, id).isEqualTo(h);
            assertThat(Assignment.bucket(salt, id) * 0x1.0p53).as("u53 of %s:%s", salt, id).isEqualTo((double) u53);
            assertThat(Assignment.variant(salt, id, shares)).as("variant of %s:%s under %s", salt, id, v[2])
                    .isEqualTo(variant);
        }
    }

    @Test
    void theHashIsShaTwoFiftySixOfSaltColonId() {
        // printf '%s' 'exp-1:u1' | sha256sum -> c291368a05220224482366244156bd6a...
        assertThat(Long.toHexString(Assignment.hash("exp-1", "u1"))).isEqualTo("c291368a05220224");
        assertThat(Assignment.bucket("exp-1", "u1")).isEqualTo((0xc291368a05220224L >>> 11) * 0x1.0p-53);
    }

    @Test
    void theIdsNearestToOneHalfFallOnEitherSideOfAFiftyFiftySplit() {
        assertThat(Assignment.bucket("edge", "user-1641329")).isLessThan(0.5);
        assertThat(Assignment.bucket("edge", "user-1858681")).isGreaterThanOrEqualTo(0.5);
        assertThat(Assignment.variant("edge", "user-1641329", new double[] {0.5, 0.5})).isZero();
        assertThat(Assignment.variant("edge", "user-1858681", new double[] {0.5, 0.5})).isOne();
    }
}
