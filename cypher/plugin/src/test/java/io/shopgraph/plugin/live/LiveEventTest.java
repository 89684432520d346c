package io.shopgraph.plugin.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopgraph.plugin.common.ErrorCode;
import io.shopgraph.plugin.common.ShopgraphException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading event maps: every rule with its index, field and sentence. */
class LiveEventTest {

    static Map<String, Object> event(Object... pairs) {
        Map<String, Object> map = new HashMap<>(Map.of("eventId", "e1", "time", 1_000L, "type", "view",
                "itemId", "i1", "sessionId", "s1"));
        for (int n = 0; n < pairs.length; n += 2) {
            map.put((String) pairs[n], pairs[n + 1]);
        }
        return map;
    }

    private static ShopgraphException refusal(Object... pairs) {
        List<Object> batch = new ArrayList<>(List.of(event(), event("eventId", "e2")));
        batch.add(event(pairs));
        try {
            LiveEvent.parse(batch);
        } catch (ShopgraphException e) {
            return e;
        }
        throw new AssertionError("accepted " + Arrays.toString(pairs));
    }

    @Test
    void aFullEventIsReadWithItsDefaults() {
        ZonedDateTime at = ZonedDateTime.of(2024, 3, 1, 10, 0, 0, 123_456_789, ZoneOffset.ofHours(2));
        LiveEvent e = LiveEvent.parse(List.of(event("time", at, "type", "purchase", "userId", "u1",
                "price", 5L, "quantity", 3L, "brand", "acme", "categoryCode", "a.b"))).get(0);

        assertThat(e).isEqualTo(new LiveEvent("e1", at.toInstant().toEpochMilli(), LiveEvent.Type.PURCHASE,
                "i1", "s1", "u1", 5.0, 3, null, "acme", "a.b"));
        assertThat(e.time()).isEqualTo(1_709_280_000_123L);
        assertThat(e.order()).isEqualTo("s1");
        LiveEvent plain = LiveEvent.parse(List.of(event("orderId", "o9"))).get(0);
        assertThat(plain.quantity()).isEqualTo(1);
        assertThat(plain.order()).isEqualTo("o9");
        assertThat(plain.userId()).isNull();
    }

    @Test
    void everyRuleNamesTheIndexTheFieldAndTheReason() {
        Object[][] cases = {
            {"eventId", "", "eventId must be a non-empty id, got an empty string."},
            {"time", LocalDateTime.of(2024, 3, 1, 0, 0), "time must be a datetime with a timezone or epoch"
                    + " milliseconds, got the local datetime 2024-03-01T00:00:00."},
            {"time", 253_402_300_800_000L, "time must be a datetime with a timezone or epoch milliseconds,"
                    + " got the integer 253402300800000."},
            {"type", "click", "type must be one of view, cart, remove_from_cart, purchase, got the string"
                    + " 'click'."},
            {"itemId", null, "itemId must be a non-empty id, got null."},
            {"sessionId", 7L, "sessionId must be a non-empty id, got the integer 7."},
            {"userId", " ", "userId must be a non-empty id or null, got the string ' '."},
            {"price", -1.5, "price must be a finite number of at least 0 or null, got the float -1.5."},
            {"price", Double.NaN, "price must be a finite number of at least 0 or null, got the float NaN."},
            {"quantity", 0L, "quantity must be an integer of at least 1, got the integer 0."},
            {"quantity", 2.0, "quantity must be an integer of at least 1, got the float 2.0."},
            {"orderId", "", "orderId must be a non-empty id or null, got an empty string."},
            {"brand", true, "brand must be a non-empty string or null, got the boolean true."},
            {"categoryCode", "a..b", "categoryCode must be a dotted code without empty parts or null, got"
                    + " the string 'a..b'."},
            {"categoryCode", ".a", "categoryCode must be a dotted code without empty parts or null, got"
                    + " the string '.a'."},
            {"colour", "red", "Unknown event key 'colour'; known keys: eventId, time, type, itemId, sessionId,"
                    + " userId, price, quantity, orderId, brand, categoryCode."},
        };
        for (Object[] c : cases) {
            ShopgraphException e = refusal(c[0], c[1]);
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(e.details()).as("%s", c[0]).containsExactly(Map.entry("index", 2), Map.entry("field", c[0]));
            assertThat(e.sentence()).isEqualTo(c[2]);
        }
    }

    @Test
    void theFirstBadFieldInCheckingOrderIsNamed() {
        ShopgraphException e = refusal("price", -1L, "itemId", "", "brand", 3L);
        assertThat(e.details()).containsEntry("field", "itemId");
    }

    @Test
    void aNullEventATooLargeBatchAndNoBatchAreRefused() {
        assertThatThrownBy(() -> LiveEvent.parse(Arrays.asList(event(), null)))
                .isInstanceOf(ShopgraphException.class)
                .hasMessage("[shopgraph.bad_input {\"index\":1}] An event must be a map, got null.");
        assertThatThrownBy(() -> LiveEvent.parse(Collections.nCopies(10_001, event())))
                .hasMessage("[shopgraph.bad_argument] A batch must have at most 10000 events, got 10001.");
        assertThatThrownBy(() -> LiveEvent.parse(null))
                .hasMessage("[shopgraph.bad_argument] events must be a list of event maps, got null.");
        assertThat(LiveEvent.parse(List.of())).isEmpty();
    }
}
