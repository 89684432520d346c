"""Settings, read once from the environment at the edge and passed down typed.

- ``NEO4J_URI``: an external Neo4j (docker-compose, a cluster, Aura). When set, every command
  uses it and the embedded server is not used. Default: unset.
- ``NEO4J_USER``: user name. Default ``neo4j``.
- ``NEO4J_PASSWORD``: password; for the embedded server it also turns authentication on.
- ``NEO4J_DATABASE``: database passed to every transaction. Default ``neo4j``.
- ``SHOPGRAPH_HOME``: state of the embedded server (data, logs, pid file, build). Default
  ``$XDG_DATA_HOME/shopgraph``, i.e. ``~/.local/share/shopgraph``.
- ``SHOPGRAPH_NEO4J_PORT``: Bolt port of the embedded server. Default ``7687``.
- ``SHOPGRAPH_NEO4J_LISTEN``: its listen address. Default ``127.0.0.1``; any other address
  needs ``NEO4J_PASSWORD``.
- ``SHOPGRAPH_NEO4J_HEAP`` / ``SHOPGRAPH_NEO4J_PAGECACHE``: its JVM heap and page cache.
  Defaults ``2g`` and ``1g``.
- ``SHOPGRAPH_DATA``: folder of the public datasets used by tests, benchmarks and
  evaluations. Default ``../shared/data``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from shopgraph.core.errors import ConfigError

__all__ = ["Settings"]

_MEMORY = re.compile(r"^[1-9][0-9]*[kmgKMG]$")


@dataclass(frozen=True)
class Settings:
    """Where Neo4j is and how to reach it.

    Attributes:
        uri: External Neo4j URI, or ``None`` for the embedded server.
        user: Neo4j user name.
        password: Neo4j password, or ``None`` (embedded server: auth off, loopback only).
        database: Database name used by every transaction.
        home: Folder of the embedded server's data, logs, pid file and build.
        port: Bolt port of the embedded server.
        listen_address: Listen address of the embedded server.
        heap: JVM heap size of the embedded server, e.g. ``"2g"``.
        pagecache: Page cache size of the embedded server, e.g. ``"1g"``.
        data_dir: Folder of the public datasets (tests, benchmarks, demo).
    """

    uri: str | None = None
    user: str = "neo4j"
    password: str | None = field(default=None, repr=False)
    database: str = "neo4j"
    home: Path = field(default_factory=lambda: _default_home(os.environ))
    port: int = 7687
    listen_address: str = "127.0.0.1"
    heap: str = "2g"
    pagecache: str = "1g"
    data_dir: Path = Path("../shared/data")

    def __post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise ConfigError(f"The Bolt port must be between 1 and 65535, got {self.port}.")
        for name in ("heap", "pagecache"):
            value = getattr(self, name)
            if not _MEMORY.match(value):
                raise ConfigError(f"The {name} size must look like 512m or 2g, got {value!r}.")
        if not self.database:
            raise ConfigError("The database name must not be empty.")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Reads the settings from environment variables (see the module docstring).

        Args:
            environ: The environment to read; ``os.environ`` when ``None``.

        Returns:
            The settings.

        Raises:
            ConfigError: When a variable holds a value of the wrong form.
        """
        env = os.environ if environ is None else environ
        port_text = env.get("SHOPGRAPH_NEO4J_PORT", "7687")
        try:
            port = int(port_text)
        except ValueError:
            raise ConfigError(
                f"SHOPGRAPH_NEO4J_PORT must be a number, got {port_text!r}."
            ) from None
        return cls(
            uri=env.get("NEO4J_URI") or None,
            user=env.get("NEO4J_USER") or "neo4j",
            password=env.get("NEO4J_PASSWORD") or None,
            database=env.get("NEO4J_DATABASE") or "neo4j",
            home=Path(env["SHOPGRAPH_HOME"]) if env.get("SHOPGRAPH_HOME") else _default_home(env),
            port=port,
            listen_address=env.get("SHOPGRAPH_NEO4J_LISTEN") or "127.0.0.1",
            heap=env.get("SHOPGRAPH_NEO4J_HEAP") or "2g",
            pagecache=env.get("SHOPGRAPH_NEO4J_PAGECACHE") or "1g",
            data_dir=Path(env.get("SHOPGRAPH_DATA") or "../shared/data"),
        )

    @property
    def embedded(self) -> bool:
        """True when shopgraph runs its own embedded Neo4j (no ``NEO4J_URI``)."""
        return self.uri is None

    @property
    def bolt_uri(self) -> str:
        """The URI clients connect to: ``NEO4J_URI``, or the embedded server's Bolt address."""
        if self.uri is not None:
            return self.uri
        host = self.listen_address
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        return f"bolt://{host}:{self.port}"

    @property
    def auth(self) -> tuple[str, str] | None:
        """Basic-auth credentials, or ``None`` when no password is set."""
        return (self.user, self.password) if self.password is not None else None

    def with_overrides(self, *, uri: str | None = None, database: str | None = None) -> Settings:
        """Returns a copy with the URI and/or database replaced (for CLI flags)."""
        return replace(
            self,
            uri=uri if uri is not None else self.uri,
            database=database if database is not None else self.database,
        )


def _default_home(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "shopgraph"
