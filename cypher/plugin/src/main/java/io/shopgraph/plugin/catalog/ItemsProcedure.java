package io.shopgraph.plugin.catalog;

import java.util.List;
import java.util.stream.Stream;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.items.upsert($items)}: a thin adapter that reads the items with
 * {@link CatalogItem#parse} and applies them with {@link CatalogWriter}, in the caller's
 * transaction: the batch is written whole or not at all.
 */
public final class ItemsProcedure {

    @Context
    public Transaction tx;

    /**
     * What an upsert did.
     *
     * @param items items upserted
     * @param created items that were new
     */
    public record UpsertedItems(long items, long created) { }

    @Procedure(name = "shopgraph.items.upsert", mode = Mode.WRITE)
    @Description("Creates or changes catalog items; each is a map with itemId and any of name, brand,"
            + " categoryCode, price, inStock, hidden, attributes (a map of names to strings, integers,"
            + " floats or booleans, stored as attr_<name>). A key that is absent keeps the stored value,"
            + " a key given as null clears it; every upserted item gets inCatalog true. At most 10000"
            + " items per call, written whole or not at all. Yields items, created.")
    public Stream<UpsertedItems> upsert(
            @Name(value = "items", description = "A list of item maps; see the description for the keys.")
            List<Object> items) {
        CatalogWriter.Upserted done = new CatalogWriter(tx).upsert(CatalogItem.parse(items));
        return Stream.of(new UpsertedItems(done.items(), done.created()));
    }
}
