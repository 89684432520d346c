"""The Python client: :class:`ShopGraph`, one handle on the shop graph in Neo4j."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import overload

from shopgraph.core.errors import BadArgumentError
from shopgraph.core.settings import Settings
from shopgraph.graph import recommend as _serving
from shopgraph.graph.catalog import CatalogItem, UpsertReport, upsert_items
from shopgraph.graph.erasure import ForgetReport, forget_user
from shopgraph.graph.experiments import store as _experiments
from shopgraph.graph.experiments.definition import Experiment
from shopgraph.graph.experiments.report import ExperimentReport, experiment_report
from shopgraph.graph.experiments.store import RETENTION, Click, ExperimentInfo
from shopgraph.graph.identity import MergeReport, merge_users
from shopgraph.graph.live import (
    Event,
    FeedbackKind,
    FeedbackReport,
    RecordReport,
    record_events,
    record_feedback,
)
from shopgraph.graph.loading import LoadOptions, LoadReport, load_source
from shopgraph.graph.recommend import (
    BundleItem,
    BundleOptions,
    BundleRefresh,
    Candidate,
    Recommendation,
    RecommendOptions,
    Served,
    WalkOptions,
    WalkRefresh,
)
from shopgraph.graph.runner import GraphRunner
from shopgraph.graph.stats import GraphStats, graph_stats
from shopgraph.loaders.baskets import baskets_source
from shopgraph.loaders.mapping import ColumnMapping, DelimitedSource
from shopgraph.loaders.rees46 import rees46_source
from shopgraph.loaders.source import EventSource

__all__ = ["ShopGraph"]


class ShopGraph:
    """The shop graph in Neo4j: loads, live writes, serving, counts.

    Open it from settings (the environment) or a URI, and close it, best as a context
    manager::

        with ShopGraph.connect() as shop:          # NEO4J_URI or the embedded server
            shop.load_rees46(Path("events.csv.gz"))
            print(shop.stats().labels)

    Args:
        runner: The runner that owns the Neo4j driver; the client closes it.
        settings: The settings it was opened with; their ``home`` is where
            :meth:`forget_user` looks for run folders and logs.
    """

    def __init__(self, runner: GraphRunner, *, settings: Settings | None = None) -> None:
        self.runner = runner
        self.settings = settings
        self._schema_ready = False

    @classmethod
    def connect(cls, settings: Settings | None = None) -> ShopGraph:
        """Connects to the server the settings point at (``Settings.from_env()`` by default).

        Raises:
            GraphUnavailableError: When Neo4j does not answer or refuses the credentials.
        """
        settings = settings or Settings.from_env()
        runner = GraphRunner.from_settings(settings)
        verified = False
        try:
            runner.verify()
            verified = True
        finally:
            if not verified:
                runner.close()
        return cls(runner, settings=settings)

    @classmethod
    def from_uri(
        cls,
        uri: str,
        *,
        user: str = "neo4j",
        password: str | None = None,
        database: str = "neo4j",
    ) -> ShopGraph:
        """Connects to the Neo4j at ``uri`` (auth off when ``password`` is ``None``)."""
        return cls.connect(Settings(uri=uri, user=user, password=password, database=database))

    def __enter__(self) -> ShopGraph:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Closes the driver."""
        self.runner.close()

    def ensure_schema(self) -> None:
        """Creates the constraints and indexes of ``cypher/schema.cypher`` if missing."""
        if not self._schema_ready:
            self.runner.run_schema()
            self._schema_ready = True

    def stats(self) -> GraphStats:
        """Counts of nodes and relationships, per label and type."""
        return graph_stats(self.runner)

    def load(self, source: EventSource, options: LoadOptions | None = None) -> LoadReport:
        """Loads any event source (see :mod:`shopgraph.graph.loading` for the guarantees)."""
        self.ensure_schema()
        return load_source(self.runner, source, options or LoadOptions())

    def load_rees46(self, path: Path, options: LoadOptions | None = None) -> LoadReport:
        """Loads a REES46 / Open CDP event file (``.csv`` or ``.csv.gz``)."""
        return self.load(rees46_source(Path(path)), options)

    def load_baskets(
        self,
        path: Path,
        options: LoadOptions | None = None,
        *,
        mapping: ColumnMapping | None = None,
        namespace: str | None = None,
    ) -> LoadReport:
        """Loads orders with items, in basket or long form (see :mod:`shopgraph.loaders.baskets`).

        Args:
            path: The file.
            options: Load options.
            mapping: Mapping of a long-form file of your own.
            namespace: Prefix of order ids (basket form defaults to the file name).
        """
        return self.load(baskets_source(Path(path), mapping=mapping, namespace=namespace), options)

    def load_csv(
        self, path: Path, mapping: ColumnMapping | Path, options: LoadOptions | None = None
    ) -> LoadReport:
        """Loads your own event CSV through a column mapping (a TOML file or a mapping)."""
        if not isinstance(mapping, ColumnMapping):
            mapping = ColumnMapping.from_toml(Path(mapping))
        return self.load(DelimitedSource(Path(path), mapping), options)

    @overload
    def bundle(
        self,
        cart: Sequence[str],
        k: int = ...,
        options: BundleOptions | None = ...,
        *,
        details: bool = ...,
        experiment: None = ...,
        user: str | None = ...,
        at: datetime | None = ...,
    ) -> list[BundleItem]: ...

    @overload
    def bundle(
        self,
        cart: Sequence[str],
        k: int = ...,
        options: BundleOptions | None = ...,
        *,
        details: bool = ...,
        experiment: str,
        user: str | None = ...,
        at: datetime | None = ...,
    ) -> Served[BundleItem]: ...

    def bundle(
        self,
        cart: Sequence[str],
        k: int = 10,
        options: BundleOptions | None = None,
        *,
        details: bool = False,
        experiment: str | None = None,
        user: str | None = None,
        at: datetime | None = None,
    ) -> list[BundleItem] | Served[BundleItem]:
        """Items frequently bought together with ``cart`` (see :func:`~.recommend.bundle`);
        through an experiment with ``experiment`` and ``user``: a :class:`~.recommend.Served`."""
        if experiment is None:
            return _serving.bundle(self.runner, cart, k, options, details=details, user=user)
        return _serving.bundle(
            self.runner,
            cart,
            k,
            options,
            details=details,
            experiment=experiment,
            user=user,
            at=at,
        )

    @overload
    def recommend(
        self,
        user: str,
        k: int = ...,
        options: RecommendOptions | None = ...,
        *,
        details: bool = ...,
        experiment: None = ...,
        at: None = ...,
    ) -> list[Recommendation]: ...

    @overload
    def recommend(
        self,
        user: str,
        k: int = ...,
        options: RecommendOptions | None = ...,
        *,
        details: bool = ...,
        experiment: str,
        at: datetime | None = ...,
    ) -> Served[Recommendation]: ...

    def recommend(
        self,
        user: str,
        k: int = 10,
        options: RecommendOptions | None = None,
        *,
        details: bool = False,
        experiment: str | None = None,
        at: datetime | None = None,
    ) -> list[Recommendation] | Served[Recommendation]:
        """Recommendations for a user; unknown users get popular items (reason ``popular``).

        See :func:`~.recommend.recommend`; with ``experiment``, a :class:`~.recommend.Served`.
        """
        if experiment is None:
            return _serving.recommend(self.runner, user, k, options, details=details)
        return _serving.recommend(
            self.runner, user, k, options, details=details, experiment=experiment, at=at
        )

    @overload
    def similar(
        self,
        item: str,
        k: int = ...,
        options: WalkOptions | None = ...,
        *,
        details: bool = ...,
        experiment: None = ...,
        user: None = ...,
        at: None = ...,
    ) -> list[Recommendation]: ...

    @overload
    def similar(
        self,
        item: str,
        k: int = ...,
        options: WalkOptions | None = ...,
        *,
        details: bool = ...,
        experiment: str,
        user: str,
        at: datetime | None = ...,
    ) -> Served[Recommendation]: ...

    def similar(
        self,
        item: str,
        k: int = 10,
        options: WalkOptions | None = None,
        *,
        details: bool = False,
        experiment: str | None = None,
        user: str | None = None,
        at: datetime | None = None,
    ) -> list[Recommendation] | Served[Recommendation]:
        """Items similar to ``item``, for item pages (see :func:`~.recommend.similar`); through
        an experiment with ``experiment`` and ``user``: a :class:`~.recommend.Served`."""
        if experiment is None:
            if user is not None or at is not None:
                raise BadArgumentError(
                    "user and at name an experiment's request: give experiment too."
                )
            return _serving.similar(self.runner, item, k, options, details=details)
        if user is None:
            raise BadArgumentError(
                f"A call through experiment {experiment!r} must name its user or visitor with "
                "the config key 'user', got null."
            )
        return _serving.similar(
            self.runner,
            item,
            k,
            options,
            details=details,
            experiment=experiment,
            user=user,
            at=at,
        )

    def click(self, request_id: str, item: str, *, at: datetime | None = None) -> Click:
        """Logs a click on an item a request of an experiment showed (see
        :func:`~.experiments.store.click`)."""
        return _experiments.click(self.runner, request_id, item, at=at)

    def start_experiment(
        self, experiment: Experiment, *, retention: timedelta = RETENTION
    ) -> ExperimentInfo:
        """Starts an experiment (see :func:`~.experiments.store.start_experiment`)."""
        self.ensure_schema()
        return _experiments.start_experiment(self.runner, experiment, retention=retention)

    def stop_experiment(self, name: str, *, retention: timedelta = RETENTION) -> ExperimentInfo:
        """Stops an experiment now (see :func:`~.experiments.store.stop_experiment`)."""
        return _experiments.stop_experiment(self.runner, name, retention=retention)

    def experiments(self) -> list[ExperimentInfo]:
        """Every experiment, newest first."""
        return _experiments.list_experiments(self.runner)

    def experiment(self, name: str) -> ExperimentInfo:
        """One experiment (:class:`UnknownEntityError` when there is none of that name)."""
        return _experiments.experiment_info(self.runner, name)

    def experiment_report(self, name: str) -> ExperimentReport:
        """An experiment's report (see :mod:`~shopgraph.graph.experiments.report`)."""
        return experiment_report(self.runner, name)

    def candidates(
        self,
        query: str | Sequence[str],
        k: int = 10,
        options: WalkOptions | None = None,
        *,
        details: bool = False,
    ) -> list[Candidate]:
        """Random-walk candidates for a user id or a list of item ids.

        See :func:`~.recommend.candidates`.
        """
        return _serving.candidates(self.runner, query, k, options, details=details)

    def refresh(self, *, half_life_days: float | None = None) -> tuple[BundleRefresh, WalkRefresh]:
        """Recomputes what serving precomputes: bundle masses and the walk projection.

        Run it after loads and trust updates (``shopgraph load`` does it by itself).

        Args:
            half_life_days: Recency half-life of co-purchases in days; ``None``: the
                procedure's default (135 days).

        Returns:
            What was refreshed: items and baskets with masses; the projection's size.
        """
        config = {} if half_life_days is None else {"halfLifeDays": half_life_days}
        bundles = _serving.refresh_bundle_masses(self.runner, config)
        return bundles, _serving.refresh_walks(self.runner)

    def record(self, events: Event | Iterable[Event]) -> RecordReport:
        """Records one event or a batch of up to 10,000 as they happen, once per event id.

        See :mod:`shopgraph.graph.live`: the batch is written whole or not at all, in one
        round trip, as a file load of the same events would write it.

        Raises:
            BadInputError: For the first bad event (index, field, reason); nothing is written.
            BadArgumentError: For more than 10,000 events.
        """
        self.ensure_schema()
        return record_events(self.runner, events)

    def upsert_items(self, items: CatalogItem | Iterable[CatalogItem]) -> UpsertReport:
        """Creates or changes catalog items (see :mod:`shopgraph.graph.catalog`).

        Raises:
            BadInputError: For the first bad item (index, field, reason); nothing is written.
            BadArgumentError: For more than 10,000 items.
        """
        self.ensure_schema()
        return upsert_items(self.runner, items)

    def feedback(
        self, user: str, item: str, kind: FeedbackKind | str, *, at: datetime | None = None
    ) -> FeedbackReport:
        """Records negative feedback of ``user`` on ``item`` (see :mod:`shopgraph.graph.live`).

        Raises:
            BadArgumentError: For an empty id, an unknown kind or a naive ``at``.
            UnknownEntityError: When the item is not in the graph.
        """
        self.ensure_schema()
        return record_feedback(self.runner, user, item, kind, at=at)

    def merge_users(self, source: str, target: str) -> MergeReport:
        """Merges the user ``source`` into ``target`` (see :mod:`shopgraph.graph.identity`).

        Raises:
            BadArgumentError: For an empty id, or the same id twice.
            UnknownEntityError: When ``source`` is not in the graph.
        """
        self.ensure_schema()
        return merge_users(self.runner, source, target)

    def forget_user(
        self, user: str, *, run_folders: Sequence[Path] = (), missing_ok: bool = False
    ) -> ForgetReport:
        """Erases a user from the graph and from shopgraph's files.

        See :mod:`shopgraph.graph.erasure`: the run folders of model versions and under the
        home's ``runs/``, plus ``run_folders``; the reject files of loads; the logs under the
        home (``settings.home``, when the client was opened with settings).

        Raises:
            UnknownEntityError: When the graph does not hold the user and not ``missing_ok``.
        """
        home = self.settings.home if self.settings is not None else None
        return forget_user(
            self.runner, user, home=home, run_folders=run_folders, missing_ok=missing_ok
        )
