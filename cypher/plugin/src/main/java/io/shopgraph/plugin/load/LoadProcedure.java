package io.shopgraph.plugin.load;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.load.chunk($categories, $items, $sessions, $orders)}: a thin adapter
 * that reads the rows with {@link ChunkRows} and writes them with {@link ChunkWriter}, in the
 * caller's transaction (where the chunk claim of {@code load_claim_chunk.cypher} runs too).
 */
public final class LoadProcedure {

    @Context
    public Transaction tx;

    /**
     * What one call wrote (Cypher's query statistics do not see writes inside a procedure).
     *
     * @param rows rows applied (categories, items, sessions and orders together)
     * @param nodesCreated nodes created
     * @param relationshipsCreated relationships created
     * @param propertiesSet property values stored
     */
    public record LoadedChunk(long rows, long nodesCreated, long relationshipsCreated,
                              long propertiesSet) { }

    @Procedure(name = "shopgraph.load.chunk", mode = Mode.WRITE)
    @Description("Writes one chunk of a load (categories, items, sessions with their views, cart"
            + " adds and removals, orders with their lines) exactly as the statements"
            + " merge_categories, merge_items, merge_sessions and merge_orders do, with the Core"
            + " API instead of Cypher MERGE. Counts add to stored ones, so run each chunk once:"
            + " claim it in the same transaction.")
    public Stream<LoadedChunk> chunk(
            @Name(value = "categories", description = "[{code, name, level, parent}], parents first.")
            List<Map<String, Object>> categories,
            @Name(value = "items", description = "[{id, price, categoryId, name, brand, category}].")
            List<Map<String, Object>> items,
            @Name(value = "sessions",
                    description = "[{id, start, end, n, users, views, carts, removals}], times in epoch ms.")
            List<Map<String, Object>> sessions,
            @Name(value = "orders",
                    description = "[{id, at, kind, source, users, sessions, lines}], times in epoch ms.")
            List<Map<String, Object>> orders) {
        ChunkRows rows = ChunkRows.parse(categories, items, sessions, orders);
        ChunkWriter.Written w = new ChunkWriter(tx).write(rows);
        return Stream.of(new LoadedChunk(w.rows(), w.nodesCreated(), w.relationshipsCreated(),
                w.propertiesSet()));
    }
}
