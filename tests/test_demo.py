"""Every command `make demo` runs and prints works as printed, and so does every Cypher query it
prints: they are read from the Makefile here, so the demo and this test cannot drift apart.

The demo's commands run in order, as the demo runs them, against an embedded server of their
own (started by the demo's own `neo4j start` line, in a temporary home on a free port); the
printed queries run against the graph they built; the printed stop command stops the server.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import neo4j
import pytest

from shopgraph.cli import main
from shopgraph.core.settings import Settings
from shopgraph.graph import server

from conftest import REPO, free_port

MAKEFILE = REPO / "Makefile"


@dataclass(frozen=True)
class Demo:
    """What the demo target runs and prints."""

    variables: dict[str, str]
    commands: list[str]
    queries: list[str]
    stop: str


def read_demo(makefile: Path = MAKEFILE) -> Demo:
    """The demo target's commands, the Cypher queries it prints and its stop command."""
    text = makefile.read_text(encoding="utf-8")
    variables = dict(re.findall(r"^([A-Z_]+) :?= (.+)$", text, re.MULTILINE))
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert recipe is not None, "no demo target in the Makefile"
    commands: list[str] = []
    printed: list[str] = []
    for line in recipe.group(1).splitlines():
        line = line.removeprefix("\t")
        if line.startswith("@echo"):
            printed.append(line.removeprefix("@echo").strip().strip('"').replace("$$", "$"))
        else:
            commands.append(line)
    start = next(i for i, line in enumerate(printed) if line.startswith("Queries to try"))
    queries: list[str] = []
    stop = ""
    for line in printed[start + 1 :]:
        if line.startswith("Stop the server with: "):
            stop = line.removeprefix("Stop the server with: ")
        elif line.startswith("    "):
            queries[-1] += " " + line.strip()
        elif line.startswith("  "):
            queries.append(line.strip())
    return Demo(variables, commands, queries, stop)


def test_the_demo_is_read_whole() -> None:
    demo = read_demo()
    assert demo.commands[0] == "SHOPGRAPH_HOME=$(DEMO_HOME) $(SG) neo4j start"
    assert any(" train --write-back " in command for command in demo.commands)
    assert len(demo.queries) == 6
    assert demo.queries[0].startswith("MATCH (c:Category)")
    assert demo.queries[0].endswith("LIMIT 10")
    assert demo.stop == "make stop"


@pytest.fixture
def demo_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The environment the demo runs in: no NEO4J_URI, a free port, a small server."""
    for name in ("NEO4J_URI", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHOPGRAPH_NEO4J_PORT", str(free_port()))
    monkeypatch.setenv("SHOPGRAPH_NEO4J_HEAP", "512m")
    monkeypatch.setenv("SHOPGRAPH_NEO4J_PAGECACHE", "128m")
    monkeypatch.setenv("SHOPGRAPH_HOME", str(tmp_path / "home"))
    settings = Settings.from_env()
    try:
        yield settings
    finally:
        server.stop(settings)


def _argv(command: str, variables: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """A recipe line as (environment assignments, arguments after the shopgraph command)."""

    def value(match: re.Match[str]) -> str:
        return variables[match.group(1)]

    words = shlex.split(re.sub(r"\$\((\w+)\)", value, command))
    env: dict[str, str] = {}
    while "=" in words[0]:
        name, _, setting = words.pop(0).partition("=")
        env[name] = setting
    assert words[0] == variables["SG"], f"not a shopgraph command: {command}"
    return env, words[1:]


@pytest.mark.slow
@pytest.mark.neo4j  # starts a server of its own, as the demo does
def test_every_command_and_query_the_demo_prints_works_as_printed(
    demo_server: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo = read_demo()
    variables = {
        "SG": demo.variables["SG"].replace("$(VENV)", demo.variables["VENV"]),
        "SAMPLE": str(REPO / demo.variables["SAMPLE"]),
        "DEMO_HOME": str(demo_server.home),
    }
    for command in demo.commands:
        env, argv = _argv(command, variables)
        for name, setting in env.items():
            monkeypatch.setenv(name, setting)
        assert main(argv) == 0, (command, capsys.readouterr())
        assert capsys.readouterr().out.strip(), f"{command} printed nothing"
    assert server.status(demo_server).state == "running"

    with neo4j.GraphDatabase.driver(demo_server.bolt_uri) as driver:
        for query in demo.queries:
            records, _, _ = driver.execute_query(query, database_=demo_server.database)
            assert records, f"the demo's query returns nothing: {query}"

    subprocess.run(
        shlex.split(demo.stop), cwd=REPO, check=True, capture_output=True, env=_env(demo_server)
    )
    assert server.status(demo_server).state == "stopped"


def _env(settings: Settings) -> dict[str, str]:
    """The environment of the user's shell after the demo: what make set is gone."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    env["SHOPGRAPH_HOME"] = str(settings.home)
    return env
