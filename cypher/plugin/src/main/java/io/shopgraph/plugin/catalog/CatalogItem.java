package io.shopgraph.plugin.catalog;

import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.InputMap;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One item of a catalog upsert ({@code shopgraph.items.upsert}), validated. Every field but the
 * id says what to do with the stored value: {@code null} keeps it (the key was absent),
 * {@link Optional#empty()} clears it (the key was given as null), a value sets it.
 *
 * @param itemId the item
 * @param name its name ({@code Item.name})
 * @param brand its brand's name (the one {@code HAS_BRAND})
 * @param categoryCode its dotted category code (the one {@code IN_CATEGORY}, the hierarchy as
 *     the loaders build it)
 * @param price its price ({@code Item.price})
 * @param inStock whether it is in stock ({@code Item.inStock}; absent counts as in stock)
 * @param hidden whether it is hidden from every answer ({@code Item.hidden})
 * @param clearAttributes whether every free attribute is removed first ({@code attributes: null})
 * @param attributes free attributes to set (a value) or remove (empty), by name in name order;
 *     stored as {@code Item.attr_<name>}
 */
public record CatalogItem(String itemId, Optional<String> name, Optional<String> brand,
                          Optional<String> categoryCode, Optional<Double> price,
                          Optional<Boolean> inStock, Optional<Boolean> hidden,
                          boolean clearAttributes, Map<String, Optional<Object>> attributes) {

    /** The largest batch one call takes. */
    public static final int MAX_BATCH = 10_000;

    /** The prefix of the property that stores a free attribute: {@code attr_color}. */
    public static final String ATTRIBUTE_PREFIX = "attr_";

    /** The keys of an item map, in the order they are checked. */
    public static final List<String> KEYS = List.of("itemId", "name", "brand", "categoryCode", "price",
            "inStock", "hidden", "attributes");

    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

    /**
     * Reads and checks a batch of item maps, in order; the first bad item stops it.
     *
     * @throws ShopgraphException {@code BAD_ARGUMENT} when the batch is null or holds more than
     *     {@value #MAX_BATCH} items; {@code BAD_INPUT} naming the index and field of the first bad
     *     item
     */
    public static List<CatalogItem> parse(List<?> items) {
        if (items == null) {
            throw ShopgraphException.badArgument("items must be a list of item maps, got null.");
        }
        if (items.size() > MAX_BATCH) {
            throw ShopgraphException.badArgument("A batch must have at most " + MAX_BATCH
                    + " items, got " + items.size() + ".");
        }
        List<CatalogItem> out = new ArrayList<>(items.size());
        for (int n = 0; n < items.size(); n++) {
            out.add(read(InputMap.of("An item", "item", n, items.get(n), KEYS)));
        }
        return out;
    }

    private static CatalogItem read(InputMap in) {
        String itemId = in.id("itemId", false);
        Optional<String> name = in.has("name") ? Optional.ofNullable(in.text("name")) : null;
        Optional<String> brand = in.has("brand") ? Optional.ofNullable(in.text("brand")) : null;
        Optional<String> category = in.has("categoryCode")
                ? Optional.ofNullable(in.categoryCode("categoryCode")) : null;
        Optional<Double> price = in.has("price") ? Optional.ofNullable(in.price("price")) : null;
        Optional<Boolean> inStock = in.has("inStock") ? Optional.ofNullable(in.bool("inStock")) : null;
        Optional<Boolean> hidden = in.has("hidden") ? Optional.ofNullable(in.bool("hidden")) : null;
        boolean clear = in.has("attributes") && in.raw("attributes") == null;
        Map<String, Optional<Object>> attributes = new LinkedHashMap<>();
        Object raw = in.raw("attributes");
        if (raw != null) {
            if (!(raw instanceof Map<?, ?> given)) {
                throw in.invalid("attributes", "a map of attribute names to values or null", raw);
            }
            Map<String, Object> sorted = new TreeMap<>();
            given.forEach((key, value) -> sorted.put(String.valueOf(key), value));
            for (Map.Entry<String, Object> entry : sorted.entrySet()) {
                String key = entry.getKey();
                if (!ATTRIBUTE_NAME.matcher(key).matches()) {
                    throw ShopgraphException.badInput("Attribute name '" + key + "' must start with a letter"
                            + " and hold only letters, digits and underscores, at most 64.", in.index(), "attributes");
                }
                Object value = entry.getValue();
                if (value == null) {
                    attributes.put(key, Optional.empty());
                } else if (value instanceof String || value instanceof Long || value instanceof Boolean
                        || (value instanceof Double d && Double.isFinite(d))) {
                    attributes.put(key, Optional.of(value));
                } else {
                    throw ShopgraphException.badInput("Attribute " + key + " must be a string, an integer,"
                            + " a finite float, a boolean or null, got " + CypherValues.describe(value) + ".",
                            in.index(), "attributes");
                }
            }
        }
        return new CatalogItem(itemId, name, brand, category, price, inStock, hidden, clear, attributes);
    }
}
