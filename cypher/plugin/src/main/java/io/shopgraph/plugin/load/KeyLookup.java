package io.shopgraph.plugin.load;

import io.shopgraph.plugin.common.ShopgraphException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.neo4j.exceptions.KernelException;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.internal.kernel.api.IndexQueryConstraints;
import org.neo4j.internal.kernel.api.IndexReadSession;
import org.neo4j.internal.kernel.api.NodeValueIndexCursor;
import org.neo4j.internal.kernel.api.PropertyIndexQuery;
import org.neo4j.internal.schema.IndexDescriptor;
import org.neo4j.internal.schema.SchemaDescriptors;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.kernel.impl.coreapi.InternalTransaction;
import org.neo4j.kernel.impl.locking.ResourceIds;
import org.neo4j.values.storable.Values;

/**
 * Finds nodes by a business key through its uniqueness constraint's index, in one transaction.
 *
 * <p>{@link #findForMerge} locks the key the way Cypher's MERGE does before it creates: the
 * key's index entry is locked exclusively until the transaction ends, so a concurrent
 * transaction cannot create the same key in between (it waits, then finds this one's node).
 * The Core API's {@code findNode} does not lock, and two loads creating the same user could
 * then fail at commit. {@link #find} is a plain seek, as Cypher's MATCH.
 *
 * <p>Cheaper than the kernel's {@code lockingNodeUniqueIndexSeek}, which for a key that is not
 * there (most keys of a first load) takes a shared lock, opens an index reader, seeks, trades
 * the shared lock for the exclusive one, opens another reader and seeks again: here one
 * exclusive lock and one seek through a read session opened once per index and transaction.
 * The reused session is safe because the constraint indexes are range indexes, whose seeks
 * read the tree as it is when they run (the concurrency test of {@code LoadProcedureTest}
 * opens the session before it waits on the lock). The one difference from MERGE: a key that
 * exists is also locked exclusively (MERGE holds a shared lock then), so two loads touching
 * the same user take turns, as they do anyway for the relationships they add to it.
 */
public final class KeyLookup implements AutoCloseable {

    private record Key(IndexReadSession session, int label, int property) { }

    private final Transaction tx;
    private final KernelTransaction ktx;
    private final NodeValueIndexCursor cursor;
    private final Map<String, Key> keys = new HashMap<>();

    public KeyLookup(Transaction tx) {
        this.tx = tx;
        this.ktx = ((InternalTransaction) tx).kernelTransaction();
        this.cursor = ktx.cursors().allocateNodeValueIndexCursor(ktx.cursorContext(), ktx.memoryTracker());
    }

    /**
     * The node of {@code label} whose {@code key} is {@code value}, or null; no lock is taken.
     *
     * @throws ShopgraphException of code {@code CONFLICT} when {@code label.key} has no
     *     uniqueness constraint
     */
    public Node find(Label label, String key, String value) {
        return seek(label, key, value, false);
    }

    /**
     * The node of {@code label} whose {@code key} is {@code value}, or null; either way the key
     * is locked exclusively until this transaction ends, so the caller may create it.
     *
     * @throws ShopgraphException of code {@code CONFLICT} when {@code label.key} has no
     *     uniqueness constraint
     */
    public Node findForMerge(Label label, String key, String value) {
        return seek(label, key, value, true);
    }

    /**
     * Locks the key as {@link #findForMerge} does, without looking it up: for a caller that finds
     * the node another way (a relationship of a node it holds), and so learns what the lookup
     * would tell, under the same lock.
     *
     * @throws ShopgraphException of code {@code CONFLICT} when {@code label.key} has no
     *     uniqueness constraint
     */
    public void lock(Label label, String key, String value) {
        Key k = key(label, key);
        ktx.locks().acquireExclusiveIndexEntryLock(ResourceIds.indexEntryResourceId(k.label(),
                PropertyIndexQuery.exact(k.property(), Values.stringValue(value))));
    }

    /**
     * Checks that {@code label.key} has its uniqueness constraint, for a caller that leaves the
     * check of a new key to the constraint itself.
     *
     * @throws ShopgraphException of code {@code CONFLICT} when it has none
     */
    public void requireConstraint(Label label, String key) {
        key(label, key);
    }

    private Key key(Label label, String key) {
        return keys.computeIfAbsent(label.name() + "." + key, name -> resolve(label, key));
    }

    private Node seek(Label label, String key, String value, boolean lock) {
        Key k = key(label, key);
        PropertyIndexQuery.ExactPredicate query = PropertyIndexQuery.exact(k.property(), Values.stringValue(value));
        try {
            if (lock) {
                ktx.locks().acquireExclusiveIndexEntryLock(ResourceIds.indexEntryResourceId(k.label(), query));
            }
            ktx.dataRead().nodeIndexSeek(ktx.queryContext(), k.session(), cursor,
                    IndexQueryConstraints.unordered(false), query);
            return cursor.next() ? tx.getNodeById(cursor.nodeReference()) : null;
        } catch (KernelException e) {
            throw new IllegalStateException("Looking up :" + label.name() + " {" + key + ": '" + value
                    + "'} failed: " + e.getMessage(), e);
        }
    }

    private Key resolve(Label label, String key) {
        int labelId = ktx.tokenRead().nodeLabel(label.name());
        int propertyId = ktx.tokenRead().propertyKey(key); // both -1 when never used: no constraint
        if (labelId >= 0 && propertyId >= 0) {
            Iterator<IndexDescriptor> indexes = ktx.schemaRead()
                    .indexForSchemaNonTransactional(SchemaDescriptors.forLabel(labelId, propertyId));
            while (indexes.hasNext()) {
                IndexDescriptor index = indexes.next();
                if (index.isUnique()) {
                    try {
                        return new Key(ktx.dataRead().indexReadSession(index), labelId, propertyId);
                    } catch (KernelException e) {
                        throw new IllegalStateException("The index " + index.getName() + " of :" + label.name()
                                + "(" + key + ") cannot be read: " + e.getMessage(), e);
                    }
                }
            }
        }
        throw ShopgraphException.conflict("Loading needs the uniqueness constraint on :" + label.name()
                + "(" + key + "); create the schema first (cypher/schema.cypher, shopgraph load does it).");
    }

    @Override
    public void close() {
        cursor.close();
    }
}
