package io.shopgraph.plugin.bundle;

import static io.shopgraph.plugin.bundle.MemoryBaskets.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link MassCounter}: the masses of the reference fixtures, by hand. */
class MassCounterTest {

    @Test
    void massesOfTheShopFixture() {
        MemoryBaskets shop = new MemoryBaskets(BundleScorerTest.SHOP, BundleScorerTest.NO_DECAY);
        // n: A=4, B=3, M=6, C=2, D=1; N=7.
        assertThat(List.of("A", "B", "M", "C", "D")).map(id -> shop.mass(shop.handle(id)))
                .containsExactly(4.0, 3.0, 6.0, 2.0, 1.0);
        assertThat(shop.stats().basketMass()).isEqualTo(7.0);
        assertThat(shop.stats().baskets()).isEqualTo(7);
        assertThat(shop.stats().items()).isEqualTo(5);
    }

    @Test
    void oneUserAddsAtMostTheCapToAnItemAndToN() {
        MassConfig config = new MassConfig(1.0, 0.5, 0.1, MassConfig.NO_DECAY, 1.5);
        MassCounter counter = new MassCounter(config, MassConfig.NO_TIME);
        counter.beginUser();
        counter.addBasket(Source.ORDER, MassConfig.NO_TIME, new long[] {7, 8}, new double[] {1.0, 0.25}, 2);
        counter.addBasket(Source.CART, MassConfig.NO_TIME, new long[] {7, 9, 99}, new double[] {1.0, 1.0, 1.0}, 2);
        counter.addBasket(Source.VIEW, MassConfig.NO_TIME, new long[] {7}, new double[] {1.0}, 1);
        counter.endUser();
        // Item 7: 1 + 0.5 + 0.1 = 1.6, capped at 1.5; item 8: 0.25; item 9: 0.5; N: min(1.5, 1.6).
        assertThat(counter.mass(7)).isEqualTo(1.5);
        assertThat(counter.mass(8)).isEqualTo(0.25);
        assertThat(counter.mass(9)).isEqualTo(0.5);
        assertThat(counter.mass(99)).isEqualTo(0.0);
        assertThat(counter.basketMass()).isEqualTo(1.5);
        assertThat(counter.baskets()).isEqualTo(3);
        assertThat(counter.items()).isEqualTo(3);
        counter.beginUser();
        counter.addBasket(Source.ORDER, MassConfig.NO_TIME, new long[] {7}, new double[] {1.0}, 1);
        counter.endUser();
        assertThat(counter.mass(7)).isEqualTo(2.5);
        assertThat(counter.basketMass()).isEqualTo(2.5);
    }

    @Test
    void recencyHalvesPerHalfLifeAndBasketsNewerThanNowCountAsNow() {
        MassConfig config = new MassConfig(1.0, 0.5, 0.1, 2.0, 10.0);
        long day = 86_400_000L;
        MassCounter counter = new MassCounter(config, 10 * day);
        counter.beginUser();
        counter.addBasket(Source.ORDER, 6 * day, new long[] {1}, new double[] {1.0}, 1);  // 0.25
        counter.addBasket(Source.ORDER, 12 * day, new long[] {1}, new double[] {1.0}, 1); // 1
        counter.addBasket(Source.ORDER, MassConfig.NO_TIME, new long[] {1}, new double[] {1.0}, 1); // 1
        counter.endUser();
        assertThat(counter.mass(1)).isEqualTo(2.25);
    }

    @Test
    void theCapOfAnonymousBasketsIsPerBasket() {
        MemoryBaskets shop = new MemoryBaskets(List.of(order(0, 0.0, "u1", "PQ"), order(1, 1.0, "u1", "PQ"),
                order(2, 2.0, null, "PQ"), order(3, 3.0, null, "PQ")), BundleScorerTest.NO_DECAY);
        assertThat(shop.mass(shop.handle("P"))).isEqualTo(3.0);
        assertThat(shop.stats().basketMass()).isEqualTo(3.0);
    }

    @Test
    void callsMustNest() {
        MassCounter counter = new MassCounter(MassConfig.DEFAULTS, MassConfig.NO_TIME);
        assertThatThrownBy(counter::endUser).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> counter.addBasket(Source.ORDER, 0, new long[] {1}, new double[] {1}, 1))
                .isInstanceOf(IllegalStateException.class);
        counter.beginUser();
        assertThatThrownBy(counter::beginUser).isInstanceOf(IllegalStateException.class);
    }
}
