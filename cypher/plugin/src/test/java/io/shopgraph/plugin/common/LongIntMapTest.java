package io.shopgraph.plugin.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link LongIntMap} against {@link HashMap} on random keys, through several resizes. */
class LongIntMapTest {

    @Test
    void behavesLikeAHashMap() {
        LongIntMap map = new LongIntMap(4);
        Map<Long, Integer> expected = new HashMap<>();
        SplittableRandom random = new SplittableRandom(3);
        for (int n = 0; n < 20_000; n++) {
            long key = random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(5_000) - 2_500L;
            if (random.nextBoolean()) {
                int got = map.getOrPut(key, n);
                Integer old = expected.putIfAbsent(key, n);
                assertThat(got).isEqualTo(old == null ? -1 - n : old);
            } else {
                map.put(key, n);
                expected.put(key, n);
            }
            assertThat(map.get(key)).isEqualTo(expected.get(key));
        }
        assertThat(map.size()).isEqualTo(expected.size());
        expected.forEach((key, value) -> assertThat(map.get(key)).isEqualTo(value));
        assertThat(map.get(123_456_789L)).isEqualTo(-1);
        map.clear();
        assertThat(map.size()).isZero();
        assertThat(map.get(expected.keySet().iterator().next())).isEqualTo(-1);
        assertThatThrownBy(() -> map.put(Long.MIN_VALUE, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
