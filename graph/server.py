"""The embedded Neo4j server: build it with Maven, start, stop and inspect it.

The server is our Java launcher (``cypher/launcher``): Neo4j 5.26 Community embedded, Bolt on
``SHOPGRAPH_NEO4J_LISTEN:SHOPGRAPH_NEO4J_PORT`` (127.0.0.1:7687 by default), our plugin jar
loaded from its plugin folder. It runs as a background process; its state lives under
``SHOPGRAPH_HOME``::

    SHOPGRAPH_HOME/
    ├── neo4j/            the database (data/, logs/, conf/neo4j.conf written at each start)
    ├── neo4j.pid         JSON: pid, Bolt URI and start time of the running launcher
    ├── launcher.log      the launcher's stdout and stderr
    └── build/            the Maven build, when the source folder is not writable

Authentication is off only while the server listens on loopback and no password is set;
``NEO4J_PASSWORD`` turns it on (user ``neo4j``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import neo4j
from neo4j import exceptions as neo4j_errors

import shopgraph.cypher
from shopgraph.core.errors import ConfigError, EmbeddedServerError
from shopgraph.core.settings import Settings

__all__ = ["ServerStatus", "build", "start", "status", "stop", "temporary"]

_log = logging.getLogger(__name__)

_LAUNCHER_MARK = "shopgraph-launcher"
_READY = "shopgraph-launcher: ready"
_JAVA_MIN = 17


@dataclass(frozen=True)
class ServerStatus:
    """Where the server stands.

    Attributes:
        state: ``"running"``, ``"stopped"`` or ``"external"`` (``NEO4J_URI`` is set).
        uri: The Bolt URI clients use.
        pid: Launcher process id while running.
        home: The embedded server's state folder (``None`` for an external server).
        agent: Neo4j's agent string when it answered, e.g. ``"Neo4j/5.26.30"``.
    """

    state: str
    uri: str
    pid: int | None = None
    home: Path | None = None
    agent: str | None = None


@dataclass(frozen=True)
class _Artifacts:
    launcher_jar: Path
    plugin_dir: Path


def build(settings: Settings, *, force: bool = False) -> Path:
    """Builds the plugin and launcher with Maven when they are missing or older than the sources.

    Args:
        settings: Where the build goes when the source folder is read-only (``home/build``).
        force: Rebuild even when the jars are up to date.

    Returns:
        The launcher jar.

    Raises:
        EmbeddedServerError: When Maven is missing or the build fails.
    """
    project = _project_dir(settings)
    artifacts = _artifacts(project)
    if not force and _up_to_date(project, artifacts):
        return artifacts.launcher_jar
    mvn = shutil.which("mvn")
    if mvn is None:
        raise EmbeddedServerError(
            "Maven (`mvn`) is not on PATH; it builds the embedded Neo4j on first use. "
            "Install Maven 3.8+ (e.g. `apt install maven`) or point NEO4J_URI at a running Neo4j."
        )
    _require_java()
    _log.info("building the shopgraph plugin and launcher with Maven in %s", project)
    done = subprocess.run(
        [mvn, "-q", "-B", "-f", str(project / "pom.xml"), "package", "-DskipTests"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not artifacts.launcher_jar.exists():
        tail = (done.stdout + done.stderr).strip().splitlines()[-25:]
        raise EmbeddedServerError(
            "The Maven build of the embedded Neo4j failed (exit code "
            f"{done.returncode}):\n" + "\n".join(tail)
        )
    return artifacts.launcher_jar


def status(settings: Settings) -> ServerStatus:
    """Tells whether the server runs and answers; never starts anything."""
    if not settings.embedded:
        return ServerStatus("external", settings.bolt_uri, agent=_agent(settings))
    pid_info = _read_pid(settings)
    if pid_info is None or not _alive(pid_info["pid"]):
        return ServerStatus("stopped", settings.bolt_uri, home=settings.home)
    return ServerStatus(
        "running",
        str(pid_info["uri"]),
        pid=int(pid_info["pid"]),
        home=settings.home,
        agent=_agent(settings),
    )


def start(settings: Settings, *, timeout: float = 180.0) -> ServerStatus:
    """Starts the embedded server in the background and waits until Bolt answers.

    Builds it first when needed. Starting a server that already runs returns its status.

    Args:
        settings: Port, listen address, memory, password and home folder.
        timeout: Seconds to wait for Bolt to answer.

    Returns:
        The running server's status.

    Raises:
        ConfigError: When ``NEO4J_URI`` points elsewhere, or a non-loopback address has no
            password.
        EmbeddedServerError: When Java or Maven is missing, the port is busy, or Neo4j exits
            or does not answer in time (the message carries the end of its log).
    """
    if not settings.embedded:
        raise ConfigError(
            f"NEO4J_URI is set ({settings.uri}): shopgraph uses that server and has nothing "
            "to start. Unset NEO4J_URI to use the embedded Neo4j."
        )
    current = status(settings)
    if current.state == "running":
        return current
    if settings.password is None and not _is_loopback(settings.listen_address):
        raise ConfigError(
            f"Listening on {settings.listen_address} with authentication off is refused: "
            "set NEO4J_PASSWORD or listen on 127.0.0.1."
        )
    java = _require_java()
    launcher_jar = build(settings)
    _require_free_port(settings.listen_address, settings.port)
    settings.home.mkdir(parents=True, exist_ok=True)
    log_path = settings.home / "launcher.log"
    env = dict(os.environ)
    env.pop("SHOPGRAPH_LAUNCHER_PASSWORD", None)
    if settings.password is not None:
        env["SHOPGRAPH_LAUNCHER_PASSWORD"] = settings.password
    plugin_dir = _artifacts(_project_dir(settings)).plugin_dir
    command = [
        java,
        f"-Xmx{settings.heap}",
        "-XX:+UseParallelGC",
        "-XX:+ExitOnOutOfMemoryError",
        # The plugin on the classpath too, as a Neo4j server has its plugins: its database
        # extension (the change feed that keeps serving fresh) is found there; procedures are
        # loaded from the plugin folder, and take the same classes from the classpath.
        "-cp",
        f"{launcher_jar}{os.pathsep}{plugin_dir / '*'}",
        "io.shopgraph.launcher.Launcher",
        "--home",
        str(settings.home / "neo4j"),
        "--plugins",
        str(plugin_dir),
        "--address",
        settings.listen_address,
        "--port",
        str(settings.port),
        "--pagecache",
        settings.pagecache,
    ]
    log_start = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    _pid_path(settings).write_text(
        json.dumps({"pid": process.pid, "uri": settings.bolt_uri, "started": time.time()}),
        encoding="utf-8",
    )
    try:
        return _wait_until_ready(settings, process, log_path, log_start, timeout)
    except BaseException:
        _terminate(process.pid, 30.0)
        _pid_path(settings).unlink(missing_ok=True)
        raise


def _wait_until_ready(
    settings: Settings,
    process: subprocess.Popen[bytes],
    log_path: Path,
    log_start: int,
    timeout: float,
) -> ServerStatus:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            raise EmbeddedServerError(
                f"The embedded Neo4j exited with code {code} while starting:\n"
                + _log_tail(log_path, log_start)
            )
        if _READY in _log_tail(log_path, log_start):
            agent = _agent(settings)
            if agent is not None:
                return ServerStatus("running", settings.bolt_uri, process.pid, settings.home, agent)
        time.sleep(0.25)
    raise EmbeddedServerError(
        f"The embedded Neo4j did not answer on {settings.bolt_uri} within {timeout:.0f} s:\n"
        + _log_tail(log_path, log_start)
    )


def stop(settings: Settings, *, timeout: float = 60.0) -> ServerStatus:
    """Stops the embedded server cleanly (SIGTERM, then SIGKILL after ``timeout`` seconds).

    Raises:
        ConfigError: When ``NEO4J_URI`` points at an external server.
    """
    if not settings.embedded:
        raise ConfigError(
            f"NEO4J_URI is set ({settings.uri}): shopgraph does not stop external servers."
        )
    pid_info = _read_pid(settings)
    if pid_info is not None and _alive(pid_info["pid"]):
        _terminate(int(pid_info["pid"]), timeout)
    _pid_path(settings).unlink(missing_ok=True)
    return ServerStatus("stopped", settings.bolt_uri, home=settings.home)


@contextmanager
def temporary(base: Settings) -> Iterator[Settings]:
    """An embedded server of its own, in a temporary folder on a free loopback port.

    For jobs that need an empty graph (evaluations, benchmarks); the folder is removed
    afterwards. Memory settings come from ``base``.

    Yields:
        The settings that reach it.
    """
    with tempfile.TemporaryDirectory(prefix="shopgraph-") as folder:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        settings = Settings(home=Path(folder), port=port, heap=base.heap, pagecache=base.pagecache)
        start(settings)
        try:
            yield settings
        finally:
            stop(settings)


def _project_dir(settings: Settings) -> Path:
    source = Path(shopgraph.cypher.__file__).resolve().parent
    if not (source / "pom.xml").exists():
        raise EmbeddedServerError(
            f"The Maven project of the embedded Neo4j is missing from {source}: install "
            "shopgraph from its source tree, or point NEO4J_URI at a running Neo4j."
        )
    if os.access(source, os.W_OK):
        return source
    copy = settings.home / "build"
    if not (copy / "pom.xml").exists() or _newest_source(source) > _newest_source(copy):
        shutil.copytree(source, copy, dirs_exist_ok=True, ignore=shutil.ignore_patterns("target"))
    return copy


def _artifacts(project: Path) -> _Artifacts:
    target = project / "launcher" / "target"
    return _Artifacts(target / "shopgraph-launcher.jar", target / "plugins")


def _newest_source(project: Path) -> float:
    newest = 0.0
    for pattern in ("pom.xml", "*/pom.xml", "*/src/**/*"):
        for path in project.glob(pattern):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def _up_to_date(project: Path, artifacts: _Artifacts) -> bool:
    jars = [artifacts.launcher_jar, artifacts.plugin_dir / "shopgraph-plugin.jar"]
    if not all(jar.exists() for jar in jars):
        return False
    return min(jar.stat().st_mtime for jar in jars) >= _newest_source(project)


def _require_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise EmbeddedServerError(
            "Java is not on PATH; the embedded Neo4j needs Java 17 or newer. Install it "
            "(e.g. `apt install openjdk-17-jre-headless`) or point NEO4J_URI at a running Neo4j."
        )
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)', done.stderr + done.stdout)
    if match is None or int(match.group(1)) < _JAVA_MIN:
        found = match.group(1) if match else "an unknown version"
        raise EmbeddedServerError(
            f"The embedded Neo4j needs Java {_JAVA_MIN} or newer; `{java}` is {found}."
        )
    return java


def _require_free_port(address: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError as e:
            raise EmbeddedServerError(
                f"Port {port} on {address} is busy ({e.strerror}): another Neo4j or program "
                "uses it. Stop it, or choose another port with SHOPGRAPH_NEO4J_PORT."
            ) from e


def _is_loopback(address: str) -> bool:
    try:
        infos = socket.getaddrinfo(address, None)
    except socket.gaierror as e:
        raise ConfigError(f"Cannot resolve the listen address {address!r}: {e}") from e
    return all(str(info[4][0]).startswith(("127.", "::1")) for info in infos)


def _agent(settings: Settings) -> str | None:
    try:
        with neo4j.GraphDatabase.driver(
            settings.bolt_uri, auth=settings.auth, connection_timeout=2.0
        ) as driver:
            return str(driver.get_server_info().agent)
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError):
        return None


def _pid_path(settings: Settings) -> Path:
    return settings.home / "neo4j.pid"


def _read_pid(settings: Settings) -> dict[str, int | str] | None:
    path = _pid_path(settings)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        _log.warning("ignoring unreadable pid file %s", path)
        return None
    return info if isinstance(info, dict) and isinstance(info.get("pid"), int) else None


#: The kernel's flag (``/proc/PID/stat`` field 9) of a process that is exiting.
_PF_EXITING = 0x4


def _alive(pid: int | str) -> bool:
    """True when ``pid`` is a live launcher process (not a recycled pid or a zombie).

    A process that is exiting has already lost its command line while it still holds its
    files, the Bolt port among them (for a fraction of a second on a big heap), so
    an exiting process with an empty command line counts as alive until it is gone or a
    zombie: otherwise a start right after a stop or a crash finds the port taken. The
    launcher's main thread can be a zombie before the JVM's other threads have exited and
    let go of those files, so a zombie counts as alive while other threads of it remain.
    """
    try:
        cmdline = Path(f"/proc/{int(pid)}/cmdline").read_bytes()
        state = Path(f"/proc/{int(pid)}/stat").read_text(encoding="ascii").rsplit(")", 1)[1]
        threads = sum(1 for _ in Path(f"/proc/{int(pid)}/task").iterdir())
    except OSError:
        return False
    fields = state.split()
    if fields[0] in ("Z", "X"):
        return threads > 1 and not cmdline
    exiting = bool(int(fields[6]) & _PF_EXITING)
    return _LAUNCHER_MARK.encode() in cmdline or (exiting and not cmdline)


def _terminate(pid: int, timeout: float) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            _reap(pid)
            return
        time.sleep(0.2)
    _log.warning("Neo4j (pid %d) did not stop within %.0f s; killing it", pid, timeout)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while _alive(pid):
        time.sleep(0.1)
    _reap(pid)


def _reap(pid: int) -> None:
    """Collects the exit status when the server is our own child, so no zombie is left."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _log_tail(log_path: Path, start: int, lines: int = 30) -> str:
    try:
        with log_path.open("rb") as log:
            log.seek(start)
            text = log.read().decode("utf-8", errors="replace")
    except OSError:
        return "(no launcher log)"
    return "\n".join(text.strip().splitlines()[-lines:]) or "(the launcher log is empty)"
