package io.shopgraph.plugin.model;

import io.shopgraph.plugin.common.Arguments;
import io.shopgraph.plugin.common.CypherValues;
import io.shopgraph.plugin.common.ShopgraphException;
import java.util.List;
import java.util.stream.Stream;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.embeddings.write($label, $property, $ids, $vectors)}: a thin adapter that
 * decodes a block of float32 vectors ({@link Float32Vectors}) and stores each on the node of its
 * business id, in the caller's transaction. The values are stored as {@code float[]}, as
 * {@code db.create.setNodeVectorProperty} stores them; a vector index on the property takes them
 * when the transaction commits.
 */
public final class EmbeddingWriteProcedure {

    @Context
    public Transaction tx;

    /**
     * What was written.
     *
     * @param written nodes found and given their vector
     * @param missing ids with no node
     */
    public record WriteResult(long written, long missing) {}

    @Procedure(name = "shopgraph.embeddings.write", mode = Mode.WRITE)
    @Description("Stores model embeddings on items or users: vectors is one block of float32 values"
            + " (little-endian, 4 bytes each), one vector per id in order, all of one length; each is"
            + " set as a float array on the node with that business id (ids with no node are counted"
            + " as missing). Yields written, missing.")
    public Stream<WriteResult> write(
            @Name(value = "label", description = "Item or User.") String label,
            @Name(value = "property", description = "The slot property: embeddingA or embeddingB.")
            String property,
            @Name(value = "ids", description = "Business ids (itemId or userId), one per vector.")
            List<String> ids,
            @Name(value = "vectors", description = "float32 little-endian bytes, ids x dimensions.")
            byte[] vectors) {
        EmbeddingTarget target = EmbeddingTarget.of(label);
        String key = EmbeddingTarget.property(property);
        if (ids == null || ids.isEmpty()) {
            throw ShopgraphException.badArgument("ids must be a non-empty list of ids, got "
                    + CypherValues.describe(ids) + ".");
        }
        Arguments.ids("ids", ids);
        float[][] decoded = Float32Vectors.decode(vectors, ids.size());
        long written = 0;
        for (int n = 0; n < decoded.length; n++) {
            Node node = tx.findNode(target.label(), target.key(), ids.get(n));
            if (node != null) {
                node.setProperty(key, decoded[n]);
                written++;
            }
        }
        return Stream.of(new WriteResult(written, ids.size() - written));
    }
}
