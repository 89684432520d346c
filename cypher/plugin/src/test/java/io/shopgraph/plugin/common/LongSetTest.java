package io.shopgraph.plugin.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link LongSet}: the same answers as a {@link LinkedHashSet} under random adds and removes. */
class LongSetTest {

    @Test
    void behavesAsALinkedHashSet() {
        SplittableRandom random = new SplittableRandom(3);
        LongSet set = new LongSet(4);
        Set<Long> expected = new LinkedHashSet<>();
        for (int n = 0; n < 20_000; n++) {
            long value = random.nextLong(-500, 2_000) * 1_000_003L; // collisions in the low bits
            if (random.nextInt(3) == 0) {
                assertThat(set.remove(value)).isEqualTo(expected.remove(value));
            } else {
                assertThat(set.add(value)).isEqualTo(expected.add(value));
            }
            assertThat(set.size()).isEqualTo(expected.size());
        }
        for (long value = -500; value < 2_000; value++) {
            assertThat(set.contains(value * 1_000_003L)).isEqualTo(expected.contains(value * 1_000_003L));
        }
        assertThat(set.toArray()).containsExactly(expected.stream().mapToLong(Long::longValue).toArray());
        LongSet copy = set.copy();
        copy.add(42);
        assertThat(set.contains(42)).isEqualTo(expected.contains(42L));
        Set<Long> seen = new HashSet<>();
        set.forEach(seen::add);
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void refusesTheEmptyMarker() {
        assertThatThrownBy(() -> new LongSet(1).add(Long.MIN_VALUE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LongSet cannot hold " + Long.MIN_VALUE + ".");
        assertThat(LongSet.of(1, 2, 2, 3).toArray()).containsExactly(1, 2, 3);
    }
}
