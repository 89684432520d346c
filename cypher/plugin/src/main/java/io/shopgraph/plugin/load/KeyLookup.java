package io.shopgraph.plugin.load;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.neo4j.exceptions.KernelException;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.internal.kernel.api.NodeValueIndexCursor;
import org.neo4j.internal.kernel.api.PropertyIndexQuery;
import org.neo4j.internal.kernel.api.TokenRead;
import org.neo4j.internal.schema.IndexDescriptor;
import org.neo4j.internal.schema.SchemaDescriptors;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.kernel.impl.coreapi.InternalTransaction;
import org.neo4j.values.storable.Values;

/**
 * Finds nodes by a business key through its uniqueness constraint, the way Cypher's MERGE
 * does: when the key is absent, the seek locks it until the transaction ends, so a concurrent
 * transaction cannot create the same key in between (it waits, then finds this one's node).
 * The Core API's {@code findNode} does not lock, and two loads creating the same user could
 * then fail at commit.
 */
final class KeyLookup implements AutoCloseable {

    private record Key(IndexDescriptor index, int property) { }

    private final Transaction tx;
    private final KernelTransaction ktx;
    private final NodeValueIndexCursor cursor;
    private final Map<String, Key> keys = new HashMap<>();

    KeyLookup(Transaction tx) {
        this.tx = tx;
        this.ktx = ((InternalTransaction) tx).kernelTransaction();
        this.cursor = ktx.cursors().allocateNodeValueIndexCursor(ktx.cursorContext(), ktx.memoryTracker());
    }

    /**
     * The node of {@code label} whose {@code key} is {@code value}, or null (the key is then
     * locked until this transaction ends).
     *
     * @throws IllegalArgumentException when {@code label.key} has no uniqueness constraint
     */
    @SuppressWarnings("deprecation")
    Node find(Label label, String key, String value) {
        Key k = keys.computeIfAbsent(label.name() + "." + key, name -> resolve(label, key));
        try {
            long id = ktx.dataRead().lockingNodeUniqueIndexSeek(
                    k.index(), cursor, PropertyIndexQuery.exact(k.property(), Values.stringValue(value)));
            return id < 0 ? null : tx.getNodeById(id);
        } catch (KernelException e) {
            throw new IllegalStateException("Looking up :" + label.name() + " {" + key + ": '" + value
                    + "'} failed: " + e.getMessage(), e);
        }
    }

    private Key resolve(Label label, String key) {
        TokenRead tokens = ktx.tokenRead();
        int labelId = tokens.nodeLabel(label.name());
        int propertyId = tokens.propertyKey(key); // both -1 when never used: no constraint
        if (labelId >= 0 && propertyId >= 0) {
            Iterator<IndexDescriptor> indexes = ktx.schemaRead()
                    .indexForSchemaNonTransactional(SchemaDescriptors.forLabel(labelId, propertyId));
            while (indexes.hasNext()) {
                IndexDescriptor index = indexes.next();
                if (index.isUnique()) {
                    return new Key(index, propertyId);
                }
            }
        }
        throw new IllegalArgumentException("Loading needs the uniqueness constraint on :" + label.name()
                + "(" + key + "); create the schema first (cypher/schema.cypher, shopgraph load does it).");
    }

    @Override
    public void close() {
        cursor.close();
    }
}
