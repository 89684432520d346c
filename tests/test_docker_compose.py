"""docker-compose.yml is valid for `docker compose config` (no Docker engine needed)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _compose() -> list[str]:
    """`docker compose`, with the plugin that `make tools` puts under .tools/ when needed."""
    plugin_dir = REPO / ".tools" / "docker" / "cli-plugins"
    if shutil.which("docker") and (plugin_dir / "docker-compose").exists():
        return ["docker", "compose"]
    if (plugin_dir / "docker-compose").exists():
        return [str(plugin_dir / "docker-compose")]
    pytest.fail("docker compose is not installed: run `make tools` (it fetches the plugin).")


def _config(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCKER_CONFIG": str(REPO / ".tools" / "docker")}
    for name in ("NEO4J_PASSWORD", "SHOPGRAPH_NEO4J_HEAP", "SHOPGRAPH_NEO4J_PAGECACHE"):
        env.pop(name, None)
    return subprocess.run(
        [*_compose(), "-f", str(REPO / "docker-compose.yml"), *args, "config", "--format", "json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_compose_config_is_valid_and_matches_the_build() -> None:
    done = _config("--env-file", str(REPO / ".env.example"))
    assert done.returncode == 0, done.stderr
    config = json.loads(done.stdout)
    neo4j = config["services"]["neo4j"]
    pom = (REPO / "cypher" / "pom.xml").read_text(encoding="utf-8")
    version = re.search(r"<neo4j\.version>([^<]+)</neo4j\.version>", pom)
    assert version is not None
    assert neo4j["image"] == f"neo4j:{version.group(1)}-community"
    assert neo4j["environment"]["NEO4J_AUTH"] == "neo4j/change-me-please"
    assert neo4j["environment"]["NEO4J_dbms_security_procedures_unrestricted"] == "shopgraph.*"
    mounts = {v["target"]: v for v in neo4j["volumes"]}
    assert mounts["/data"]["type"] == "volume"
    plugin = mounts["/plugins/shopgraph-plugin.jar"]
    assert plugin["source"] == str(REPO / "cypher/launcher/target/plugins/shopgraph-plugin.jar")
    assert plugin["read_only"] is True
    assert {p["host_ip"] for p in neo4j["ports"]} == {"127.0.0.1"}


def test_compose_refuses_to_run_without_a_password() -> None:
    done = _config("--env-file", os.devnull)
    assert done.returncode != 0
    assert "set NEO4J_PASSWORD in .env" in done.stderr
