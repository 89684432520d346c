package io.shopgraph.plugin.live;

import io.shopgraph.plugin.common.InputMap;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One shop event as a backend records it ({@code shopgraph.events.record}), validated.
 *
 * @param eventId the sender's id of the event; sending it again changes nothing
 * @param time epoch milliseconds (UTC)
 * @param type what happened
 * @param itemId the item
 * @param sessionId the session
 * @param userId the user, or null for an anonymous visitor
 * @param price the item's price at the event, or null
 * @param quantity items bought (purchases; 1 for other events)
 * @param orderId the order of a purchase; null: the session's order (its id is the session id)
 * @param brand the item's brand, or null
 * @param categoryCode the item's dotted category code, or null
 */
public record LiveEvent(String eventId, long time, Type type, String itemId, String sessionId,
                        String userId, Double price, long quantity, String orderId, String brand,
                        String categoryCode) {

    /** The largest batch one call takes. */
    public static final int MAX_BATCH = 10_000;

    /** The keys of an event map, in the order they are checked. */
    public static final List<String> KEYS = List.of("eventId", "time", "type", "itemId", "sessionId",
            "userId", "price", "quantity", "orderId", "brand", "categoryCode");

    /** What a shopper did with an item; the values of the {@code type} key. */
    public enum Type {
        VIEW, CART, REMOVE_FROM_CART, PURCHASE;

        /** The value as it travels: {@code view}, {@code cart}, {@code remove_from_cart}, {@code purchase}. */
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Type of(Object value) {
            for (Type type : values()) {
                if (type.value().equals(value)) {
                    return type;
                }
            }
            return null;
        }
    }

    /** The id of the order a purchase belongs to: its order id, else its session id. */
    public String order() {
        return orderId != null ? orderId : sessionId;
    }

    /**
     * Reads and checks a batch of event maps, in order; the first bad event stops it.
     *
     * @param events the maps given to the procedure
     * @return the events, in the order given
     * @throws ShopgraphException {@code BAD_ARGUMENT} when the batch is null or holds more than
     *     {@value #MAX_BATCH} events; {@code BAD_INPUT} naming the index and field of the first
     *     bad event (sentences in {@link InputMap})
     */
    public static List<LiveEvent> parse(List<?> events) {
        if (events == null) {
            throw ShopgraphException.badArgument("events must be a list of event maps, got null.");
        }
        if (events.size() > MAX_BATCH) {
            throw ShopgraphException.badArgument("A batch must have at most " + MAX_BATCH
                    + " events, got " + events.size() + ".");
        }
        List<LiveEvent> out = new ArrayList<>(events.size());
        for (int n = 0; n < events.size(); n++) {
            out.add(read(InputMap.of("An event", "event", n, events.get(n), KEYS)));
        }
        return out;
    }

    private static LiveEvent read(InputMap in) {
        String eventId = in.id("eventId", false);
        long time = in.time("time");
        Type type = Type.of(in.raw("type"));
        if (type == null) {
            throw in.invalid("type", "one of view, cart, remove_from_cart, purchase", in.raw("type"));
        }
        String itemId = in.id("itemId", false);
        String sessionId = in.id("sessionId", false);
        String userId = in.id("userId", true);
        Double price = in.price("price");
        long quantity = in.positive("quantity", 1);
        String orderId = in.id("orderId", true);
        String brand = in.text("brand");
        String categoryCode = in.categoryCode("categoryCode");
        return new LiveEvent(eventId, time, type, itemId, sessionId, userId, price, quantity, orderId,
                brand, categoryCode);
    }
}
