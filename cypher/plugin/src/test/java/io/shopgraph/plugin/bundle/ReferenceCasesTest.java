package io.shopgraph.plugin.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopgraph.plugin.bundle.MemoryBaskets.Basket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link BundleScorer} (by traversal, and over a {@link PairIndex} built with each config) and
 * {@link MassCounter} equal the Python reference ({@code CoPurchaseScorer} of
 * {@code evaluation/bundles.py}) on 300 seeded random baskets (orders, carts and views; users and
 * anonymous baskets; relationship weights, 0 included; order positions with gaps, ties and absent
 * ones) under 4 configs (adjacency bonus 2, 0.5, 0 and 4): every mass, and 100 carts
 * with their ranked items, scores, supports, confidences, lifts and because lists, to 1e-12
 * relative. The cases are {@code reference_cases.txt}, written by {@code make_reference_cases.py}
 * next to it.
 */
class ReferenceCasesTest {

    private record Config(MassConfig mass, ScoringConfig scoring) {}

    private record Row(String item, double score, double support, double confidence, double lift,
                       List<String> because) {}

    private record Case(String config, int k, List<String> cart, List<Row> rows) {}

    @Test
    void javaScoresEqualThePythonReference() throws IOException {
        Map<String, Config> configs = new LinkedHashMap<>();
        List<Basket> baskets = new ArrayList<>();
        Map<String, Map<String, Double>> masses = new LinkedHashMap<>();
        List<Case> cases = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("reference_cases.txt");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "config" -> configs.put(f[1], new Config(
                            new MassConfig(d(f[2]), d(f[3]), d(f[4]),
                                    f[9].equals("none") ? MassConfig.NO_DECAY : d(f[9]), d(f[10])),
                            new ScoringConfig(d(f[5]), d(f[6]), d(f[7]), d(f[8]),
                                    f[11].equals("none") ? ScoringConfig.NO_LIMIT : Integer.parseInt(f[11]),
                                    d(f[12]))));
                    case "basket" -> {
                        String[] pairs = f[5].split(",");
                        List<String> items = Arrays.stream(pairs).map(p -> p.split(":")[0]).toList();
                        double[] weights = Arrays.stream(pairs).mapToDouble(p -> d(p.split(":")[1])).toArray();
                        Long[] positions = Arrays.stream(pairs).map(p -> p.split(":")[2])
                                .map(p -> p.equals("-") ? null : Long.valueOf(p)).toArray(Long[]::new);
                        Source source = Source.valueOf(f[2].toUpperCase(java.util.Locale.ROOT));
                        baskets.add(new Basket(Integer.parseInt(f[1]), items, d(f[3]), source,
                                f[4].equals("-") ? null : f[4], weights, positions));
                    }
                    case "mass" -> masses.computeIfAbsent(f[1], x -> new LinkedHashMap<>()).put(f[2], d(f[3]));
                    case "case" -> cases.add(new Case(f[1], Integer.parseInt(f[2]), List.of(f[3].split(",")),
                            new ArrayList<>()));
                    case "row" -> cases.get(cases.size() - 1).rows().add(new Row(f[1], d(f[2]), d(f[3]), d(f[4]),
                            d(f[5]), f[6].equals("-") ? List.of() : List.of(f[6].split(","))));
                    default -> throw new IllegalStateException("bad line: " + line);
                }
            }
        }
        assertThat(baskets).hasSize(300);
        assertThat(cases).hasSize(100);
        int rows = 0;
        for (Map.Entry<String, Config> config : configs.entrySet()) {
            MemoryBaskets memory = new MemoryBaskets(baskets, config.getValue().mass());
            ScoringConfig scoring = config.getValue().scoring();
            PairIndex index = PairIndex.build(java.util.stream.LongStream.range(0, memory.stats().items()).toArray(),
                    memory, memory.stats(), scoring, Long.MAX_VALUE);
            Map<String, Double> expected = masses.get(config.getKey());
            assertThat(memory.stats().items()).isEqualTo(expected.size());
            expected.forEach((item, mass) ->
                    assertThat(relative(memory.mass(memory.handle(item)), mass)).as("n(%s)", item).isLessThan(1e-12));
            for (Case c : cases) {
                if (!c.config().equals(config.getKey())) {
                    continue;
                }
                long[] cart = memory.handles(c.cart().toArray(String[]::new));
                List<ScoredItem> got = new BundleScorer(memory, memory.stats(), scoring)
                        .recommend(cart, c.k(), Selection.ALL);
                compare(c, got);
                // The precomputed pair sums give the same, bit for bit.
                assertThat(new BundleScorer(index.items(memory), index, memory.stats(), scoring)
                        .recommend(cart, c.k(), Selection.ALL)).as("over the pair index").isEqualTo(got);
                rows += got.size();
            }
        }
        assertThat(rows).isGreaterThan(1000);
    }

    /** Same items in the same order (scores within 1e-12 relative are ties) and same numbers. */
    private static void compare(Case c, List<ScoredItem> got) {
        String where = c.config() + " " + c.cart() + " k=" + c.k();
        assertThat(got).as(where).hasSameSizeAs(c.rows());
        Map<String, Row> byItem = new LinkedHashMap<>();
        c.rows().forEach(row -> byItem.put(row.item(), row));
        for (int n = 0; n < got.size(); n++) {
            ScoredItem item = got.get(n);
            Row at = c.rows().get(n);
            assertThat(relative(item.score(), at.score())).as("score at %d, %s", n, where).isLessThan(1e-12);
            Row row = byItem.getOrDefault(item.itemId(), at);
            if (!item.itemId().equals(at.item())) {
                assertThat(relative(item.score(), row.score())).as("tie of %s, %s", item.itemId(), where)
                        .isLessThan(1e-12);
            }
            assertThat(row.item()).as(where).isEqualTo(item.itemId());
            assertThat(relative(item.support(), row.support())).as("support, %s", where).isLessThan(1e-12);
            assertThat(relative(item.confidence(), row.confidence())).as("confidence, %s", where).isLessThan(1e-12);
            assertThat(relative(item.lift(), row.lift())).as("lift, %s", where).isLessThan(1e-12);
            assertThat(item.because()).as("because, %s", where).containsExactlyElementsOf(row.because());
        }
    }

    private static double d(String text) {
        return Double.parseDouble(text);
    }

    private static double relative(double a, double b) {
        return a == b ? 0.0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    }
}
