package io.shopgraph.plugin.info;

import java.util.stream.Stream;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Procedure;

/** {@code CALL shopgraph.version()}: which plugin answers, and against which Neo4j it was built. */
public final class VersionProcedure {

    /** One row: the plugin version and the Neo4j version it was compiled against. */
    public record VersionRow(String version, String neo4jVersion) {}

    @Procedure(name = "shopgraph.version", mode = Mode.READ)
    @Description("The shopgraph plugin version and the Neo4j version it was built against.")
    public Stream<VersionRow> version() {
        return Stream.of(new VersionRow(BuildInfo.version(), BuildInfo.neo4jVersion()));
    }
}
