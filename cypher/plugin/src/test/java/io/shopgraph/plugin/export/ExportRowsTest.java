package io.shopgraph.plugin.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link UserInteractions}, {@link ItemPositions} and {@link RowBuilder} together. */
class ExportRowsTest {

    @Test
    void weightsOfOneItemAddUpAndEdgesOfWeightZeroAreLeftOut() {
        UserInteractions interactions = new UserInteractions();
        interactions.add(5, 1.0);
        interactions.add(2000, 0.0);
        interactions.add(5, 0.25);
        interactions.add(3, 2.0);
        List<String> edges = new ArrayList<>();

        int count = interactions.drainTo((item, weight) -> edges.add(item + "=" + weight));

        assertThat(count).isEqualTo(2);
        assertThat(edges).containsExactly("5=1.25", "3=2.0");
        interactions.add(3, 1.0);
        edges.clear();
        interactions.drainTo((item, weight) -> edges.add(item + "=" + weight));
        assertThat(edges).containsExactly("3=1.0");
    }

    @Test
    void itemsAreNumberedInTheOrderFirstMetAndExcludedOnesAreAskedOnce() {
        ItemPositions positions = new ItemPositions();
        Map<Long, String> ids = Map.of(10L, "b", 20L, "a");
        List<Long> asked = new ArrayList<>();

        assertThat(positions.position(20L, 20L, key -> { asked.add(key); return ids.get(key); })).isZero();
        assertThat(positions.position(30L, 30L, key -> { asked.add(key); return ids.get(key); })).isEqualTo(-1);
        assertThat(positions.position(10L, 10L, key -> { asked.add(key); return ids.get(key); })).isEqualTo(1);
        assertThat(positions.drainNew()).containsExactly("a", "b");
        assertThat(positions.position(20L, 20L, key -> { asked.add(key); return ids.get(key); })).isZero();
        assertThat(positions.position(30L, 30L, key -> { asked.add(key); return ids.get(key); })).isEqualTo(-1);
        assertThat(positions.drainNew()).isEmpty();
        assertThat(asked).containsExactly(20L, 30L, 10L);
    }

    @Test
    void rowsHoldTheGivenNumberOfUsersAndSkipUsersWithoutEdges() {
        RowBuilder builder = new RowBuilder(2);
        UserInteractions interactions = new UserInteractions();
        interactions.add(0, 1.0);
        interactions.add(1, 3.0);
        builder.add("u1", interactions);
        builder.add("nobody", interactions);
        interactions.add(1, 0.5);
        builder.add("u2", interactions);

        assertThat(builder.full()).isTrue();
        ExportRow row = builder.build(List.of("i0", "i1"));

        assertThat(row).isEqualTo(new ExportRow(List.of("u1", "u2"), List.of(2L, 1L), List.of(0L, 1L, 1L),
                List.of(1.0, 3.0, 0.5), List.of("i0", "i1")));
        assertThat(builder.isEmpty()).isTrue();
        assertThat(builder.full()).isFalse();
    }
}
