package io.shopgraph.plugin.info;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Versions the plugin was built with, read once from the filtered {@code shopgraph.properties}. */
public final class BuildInfo {
    private static final Properties PROPERTIES = load();

    private BuildInfo() {}

    /** The shopgraph plugin version (the Maven project version). */
    public static String version() {
        return PROPERTIES.getProperty("version");
    }

    /** The Neo4j version the plugin was compiled against. */
    public static String neo4jVersion() {
        return PROPERTIES.getProperty("neo4j.version");
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("shopgraph.properties")) {
            if (in == null) {
                throw new IllegalStateException("shopgraph.properties is missing from the plugin jar");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read shopgraph.properties from the plugin jar", e);
        }
        return properties;
    }
}
