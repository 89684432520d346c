package io.shopgraph.launcher;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Command line of the launcher, parsed and checked before Neo4j starts.
 *
 * <p>{@code --home DIR --plugins DIR [--address 127.0.0.1] [--port 7687] [--pagecache 512m]
 * [--conf key=value]...}. The password, when any, comes from the environment variable
 * {@code SHOPGRAPH_LAUNCHER_PASSWORD} so that it never shows in a process list.
 */
record LauncherConfig(
        Path home,
        Path plugins,
        String address,
        int port,
        String pagecache,
        String password,
        Map<String, String> extraConfig) {

    static final String PASSWORD_ENV = "SHOPGRAPH_LAUNCHER_PASSWORD";

    static LauncherConfig parse(String[] args, Map<String, String> env) {
        Path home = null;
        Path plugins = null;
        String address = "127.0.0.1";
        int port = 7687;
        String pagecache = "512m";
        Map<String, String> extra = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Option " + flag + " needs a value.");
            }
            String value = args[++i];
            switch (flag) {
                case "--home" -> home = Path.of(value).toAbsolutePath();
                case "--plugins" -> plugins = Path.of(value).toAbsolutePath();
                case "--address" -> address = value;
                case "--port" -> port = parsePort(value);
                case "--pagecache" -> pagecache = value;
                case "--conf" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--conf takes key=value, got '" + value + "'.");
                    }
                    extra.put(value.substring(0, eq), value.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("Unknown option " + flag + ".");
            }
        }
        if (home == null) {
            throw new IllegalArgumentException("--home is required: the directory that holds the database.");
        }
        if (plugins == null) {
            throw new IllegalArgumentException("--plugins is required: the directory with shopgraph-plugin.jar.");
        }
        String password = env.get(PASSWORD_ENV);
        if (password != null && password.isEmpty()) {
            password = null;
        }
        if (password == null && !isLoopback(address)) {
            throw new IllegalArgumentException("Refusing to listen on " + address
                    + " with authentication off: set a password (NEO4J_PASSWORD) or listen on 127.0.0.1.");
        }
        return new LauncherConfig(home, plugins, address, port, pagecache, password, Map.copyOf(extra));
    }

    private static int parsePort(String value) {
        int port;
        try {
            port = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be a number, got '" + value + "'.", e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 1 and 65535, got " + port + ".");
        }
        return port;
    }

    static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Cannot resolve listen address '" + address + "'.", e);
        }
    }
}
