"""The embedded server: lifecycle, authentication, and clear errors for what is missing or busy."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import neo4j
import pytest

from shopgraph.core.errors import ConfigError, EmbeddedServerError, GraphUnavailableError
from shopgraph.core.settings import Settings
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph

from conftest import free_port


def _own(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "home": tmp_path / "home",
        "port": free_port(),
        "heap": "512m",
        "pagecache": "64m",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.mark.neo4j
def test_start_status_stop_with_a_password(tmp_path: Path) -> None:
    own = _own(tmp_path, password="correct horse battery")
    assert server.status(own).state == "stopped"
    started = server.start(own)
    try:
        assert started.state == "running"
        assert started.agent == "Neo4j/5.26.30"
        assert (own.home / "neo4j.pid").exists()
        assert server.start(own).pid == started.pid  # already running: same process
        assert server.status(own).state == "running"
        with ShopGraph.connect(own) as shop:
            assert shop.runner.read("graph_stats")[0]["nodes"] == 0
            rows = shop.runner.read_tx(lambda tx: tx._tx.run("CALL shopgraph.version()").data())
            assert rows == [{"version": "0.1.0", "neo4jVersion": "5.26.30"}]
        wrong = Settings(uri=own.bolt_uri, password="wrong password")
        with pytest.raises(GraphUnavailableError, match="refused the credentials"):
            ShopGraph.connect(wrong)
        with pytest.raises(EmbeddedServerError, match=rf"Port {own.port} on 127.0.0.1 is busy"):
            server.start(_own(tmp_path, home=tmp_path / "other", port=own.port))
    finally:
        stopped = server.stop(own)
    assert stopped.state == "stopped"
    assert server.status(own).state == "stopped"
    assert not (own.home / "neo4j.pid").exists()
    with pytest.raises(neo4j.exceptions.ServiceUnavailable):
        neo4j.GraphDatabase.driver(own.bolt_uri).verify_connectivity()


def test_a_busy_port_is_named(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(EmbeddedServerError) as caught:
            server.start(_own(tmp_path, port=port))
    assert str(caught.value).startswith(f"Port {port} on 127.0.0.1 is busy")
    assert "SHOPGRAPH_NEO4J_PORT" in str(caught.value)


def test_auth_is_off_only_on_loopback(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"Listening on 0\.0\.0\.0 with authentication off is refused"
    ):
        server.start(_own(tmp_path, listen_address="0.0.0.0"))


def test_an_external_uri_is_never_started_or_stopped(tmp_path: Path) -> None:
    external = Settings(uri="neo4j://db.example:7687")
    with pytest.raises(ConfigError, match="NEO4J_URI is set"):
        server.start(external)
    with pytest.raises(ConfigError, match="does not stop external servers"):
        server.stop(external)


def test_missing_java_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EmbeddedServerError, match="Java is not on PATH"):
        server.start(_own(tmp_path))


def test_missing_maven_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    java = shutil.which("java")
    assert java is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(java, bin_dir / "java")
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(EmbeddedServerError, match=r"Maven \(`mvn`\) is not on PATH"):
        server.build(_own(tmp_path), force=True)


def test_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "NEO4J_URI": "neo4j+s://x.databases.neo4j.io",
            "NEO4J_USER": "shop",
            "NEO4J_PASSWORD": "secret-value",
            "NEO4J_DATABASE": "shop",
            "SHOPGRAPH_NEO4J_PORT": "7777",
            "SHOPGRAPH_HOME": "/srv/shopgraph",
        }
    )
    assert settings.bolt_uri == "neo4j+s://x.databases.neo4j.io"
    assert settings.auth == ("shop", "secret-value")
    assert settings.database == "shop"
    assert settings.port == 7777
    assert settings.home == Path("/srv/shopgraph")
    assert not settings.embedded
    assert "secret-value" not in repr(settings)
    with pytest.raises(ConfigError, match="SHOPGRAPH_NEO4J_PORT must be a number, got 'x'"):
        Settings.from_env({"SHOPGRAPH_NEO4J_PORT": "x"})
    with pytest.raises(ConfigError, match="heap size must look like 512m or 2g, got '2'"):
        Settings.from_env({"SHOPGRAPH_NEO4J_HEAP": "2"})


def test_only_a_launcher_or_an_exiting_process_counts_as_alive() -> None:
    # This test's own process is alive but not a launcher; pid 2 (kthreadd) has an empty
    # command line like an exiting process but is not exiting; a reaped child is gone.
    assert not server._alive(os.getpid())
    assert not server._alive(2)
    child = subprocess.Popen(["true"])
    child.wait()
    assert not server._alive(child.pid)


def test_a_zombie_main_thread_counts_as_alive_while_other_threads_remain() -> None:
    # The main thread ends (a zombie, empty command line) while another thread lives on, as a
    # killed JVM's main thread can before its other threads have closed the Bolt socket.
    script = (
        "import ctypes, threading, time\n"
        "threading.Thread(target=time.sleep, args=(60,)).start()\n"
        "ctypes.CDLL(None).pthread_exit(None)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        stat = Path(f"/proc/{child.pid}/stat")
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the child's main thread did not end"
            time.sleep(0.05)
        assert server._alive(child.pid)
        child.kill()
        # Once the other thread has gone, the unreaped zombie no longer counts.
        while server._alive(child.pid):
            assert time.monotonic() < deadline, "the killed child's threads did not end"
            time.sleep(0.05)
        assert stat.exists()
    finally:
        child.kill()
        child.wait()
    assert not server._alive(child.pid)
