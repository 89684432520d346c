package io.shopgraph.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * Embedded Neo4j Community for shopgraph: Bolt on one address (loopback unless a password is set),
 * our plugin directory loaded, and a clean shutdown on SIGTERM.
 *
 * <p>Prints one line {@code shopgraph-launcher: ready bolt://HOST:PORT} once the default database
 * answers; every failure before that ends the process with exit code 2 and a one-line reason on
 * stderr starting with {@code shopgraph-launcher: error:}.
 */
public final class Launcher {

    private Launcher() {}

    public static void main(String[] args) {
        LauncherConfig config;
        try {
            config = LauncherConfig.parse(args, System.getenv());
            checkPortFree(config.address(), config.port());
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        DatabaseManagementService dbms;
        try {
            Path confFile = writeConf(config);
            dbms = new DatabaseManagementServiceBuilder(config.home())
                    .loadPropertiesFromFile(confFile)
                    .build();
        } catch (IOException e) {
            fail("Cannot write the Neo4j configuration under " + config.home() + ": " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            fail("Neo4j did not start: " + rootMessage(e));
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "shopgraph-shutdown"));
        try {
            if (config.password() != null) {
                setPassword(dbms, config.password());
            }
            GraphDatabaseService db = dbms.database("neo4j");
            db.executeTransactionally("RETURN 1");
        } catch (RuntimeException e) {
            fail("Neo4j started but is not usable: " + rootMessage(e));
            return;
        }
        System.out.println("shopgraph-launcher: ready bolt://" + config.address() + ":" + config.port()
                + " auth=" + (config.password() != null ? "on" : "off"));
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Map<String, String> neo4jConfig(LauncherConfig config) {
        Map<String, String> raw = new HashMap<>();
        raw.put("server.bolt.enabled", "true");
        raw.put("server.bolt.listen_address", config.address() + ":" + config.port());
        raw.put("server.bolt.advertised_address", config.address() + ":" + config.port());
        raw.put("server.bolt.tls_level", "DISABLED");
        raw.put("server.directories.plugins", config.plugins().toString());
        raw.put("dbms.security.procedures.unrestricted", "shopgraph.*");
        raw.put("dbms.security.auth_enabled", Boolean.toString(config.password() != null));
        raw.put("server.memory.pagecache.size", config.pagecache());
        raw.put("db.tx_log.rotation.retention_policy", "2 files");
        raw.put("dbms.usage_report.enabled", "false");
        raw.putAll(config.extraConfig());
        return raw;
    }

    /** Writes the settings to {@code HOME/conf/neo4j.conf}, regenerated at every start. */
    private static Path writeConf(LauncherConfig config) throws IOException {
        Path conf = config.home().resolve("conf").resolve("neo4j.conf");
        Files.createDirectories(conf.getParent());
        StringBuilder text = new StringBuilder("# Written by the shopgraph launcher at every start; edits are lost.\n");
        new TreeMap<>(neo4jConfig(config)).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(conf, text.toString(), StandardCharsets.UTF_8);
        return conf;
    }

    private static void setPassword(DatabaseManagementService dbms, String password) {
        dbms.database("system").executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                Map.of("password", password));
    }

    private static void checkPortFree(String address, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new IllegalArgumentException("Bolt port " + address + ":" + port
                    + " is busy (" + e.getMessage() + "): stop what uses it or choose another port.", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        StringBuilder chain = new StringBuilder(String.valueOf(e.getMessage()));
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
            chain.append(" <- ").append(cause.getMessage());
        }
        return chain.toString();
    }

    private static void fail(String message) {
        System.err.println("shopgraph-launcher: error: " + message);
        System.err.flush();
        System.exit(2);
    }
}
