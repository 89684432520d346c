package io.shopgraph.plugin.walk;

import io.shopgraph.plugin.walk.ProjectionCache.Snapshot;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.logging.Log;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Procedure;

/**
 * {@code CALL shopgraph.walk.refresh()}: rebuilds the in-memory walk projection of the current
 * database now, so that {@code shopgraph.candidates} and {@code shopgraph.similar} see every
 * write committed before the call (the projection is read in a transaction of its own, so
 * it never holds uncommitted writes, not even those of the calling transaction). Without it, the projection is built on first use and
 * rebuilt in the background once the database changed and the projection is older than the
 * calls' {@code ttlSeconds} (see {@link ProjectionCache}).
 */
public final class WalkRefreshProcedure {

    @Context
    public GraphDatabaseService db;

    @Context
    public Log log;

    /**
     * The projection just built.
     *
     * @param nodes nodes projected (items, sessions, orders, users, brands, categories)
     * @param relationships relationships projected (each walkable both ways)
     * @param millis build time in milliseconds
     * @param bytes approximate heap held by the projection
     */
    public record RefreshRow(long nodes, long relationships, long millis, long bytes) {}

    @Procedure(name = "shopgraph.walk.refresh", mode = Mode.READ)
    @Description("Rebuilds the in-memory projection that shopgraph.candidates and"
            + " shopgraph.similar walk, from the current database, and waits for it. Yields nodes,"
            + " relationships, millis (build time), bytes (approximate heap).")
    public Stream<RefreshRow> refresh() {
        Snapshot snapshot = WalkProjections.refresh(db, log);
        return Stream.of(new RefreshRow(snapshot.graph().nodeCount(),
                snapshot.graph().relationshipCount(), snapshot.buildMillis(),
                snapshot.graph().estimatedBytes()));
    }
}
