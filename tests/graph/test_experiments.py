"""Experiments on the real server: start, stop, serving through one, the log, retention, users.

The variant of a user is the same whether Python computes it (``assign``), the plugin tells it
(``CALL shopgraph.experiment.assign``) or a served answer carries it; every answered request
is logged once, with its items in rank order, and its clicks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import neo4j
import numpy as np
import pytest

from shopgraph.core.errors import (
    BadArgumentError,
    ConflictError,
    UnknownEntityError,
)
from shopgraph.core.settings import Settings
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.experiments import store
from shopgraph.graph.experiments.assignment import assign
from shopgraph.graph.experiments.definition import Baseline, Experiment, Surface, Variant
from shopgraph.graph.live import Event as LiveEvent
from shopgraph.graph.live import FeedbackKind
from shopgraph.graph.models import publish_embeddings
from shopgraph.graph.recommend import BundleOptions, RecommendOptions, WalkOptions
from shopgraph.loaders.records import EventType

from experiment_shop import Clock, history, load_events

FAR = datetime(2124, 1, 1, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shop5(shop: ShopGraph, clock: Clock, tmp_path: Path) -> ShopGraph:
    load_events(shop, tmp_path / "history.csv", history(clock))
    return shop


def _experiment(
    clock: Clock,
    name: str = "e1",
    surfaces: tuple[Surface, ...] = (Surface.BUNDLE,),
    variants: tuple[Variant, ...] = (
        Variant("control", 0.5),
        Variant("popular", 0.5, baseline=Baseline.POPULARITY),
    ),
    **changes: Any,
) -> Experiment:
    return Experiment(
        name=name,
        surfaces=surfaces,
        variants=variants,
        start=changes.pop("start", clock.ago(days=30)),
        end=changes.pop("end", FAR),
        **changes,
    )


def _exposures(shop: ShopGraph) -> list[dict[str, Any]]:
    """The log as stored, oldest first (after the writer has committed what it holds)."""
    store.flush_log(shop.runner)
    settings = Settings(uri=shop.runner.uri, database=shop.runner.database)
    with neo4j.GraphDatabase.driver(settings.bolt_uri) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (e:Exposure) RETURN e.requestId AS id, e.userId AS user, e.variant AS "
            "variant, e.surface AS surface, e.experiment AS experiment, e.items AS items, "
            "e.query AS query, e.at AS at, e.clickedItems AS clicked, "
            "e.loggedUserId AS logged ORDER BY e.at, e.requestId",
            database_=settings.database,
        )
    return [record.data() for record in records]


def _user_in(experiment: Experiment, variant: str, prefix: str = "visitor-") -> str:
    index = [v.name for v in experiment.variants].index(variant)
    return next(
        f"{prefix}{n}"
        for n in range(10_000)
        if assign(experiment.salt, f"{prefix}{n}", experiment.shares) == index
    )


def test_start_list_show_stop(shop5: ShopGraph, clock: Clock) -> None:
    experiment = _experiment(clock, surfaces=(Surface.BUNDLE, Surface.RECOMMEND))
    started = shop5.start_experiment(experiment)
    assert started.experiment == experiment
    assert started.status == "running"
    assert started.stopped_at is None
    assert [info.experiment.name for info in shop5.experiments()] == ["e1"]
    assert shop5.experiment("e1") == started

    stopped = shop5.stop_experiment("e1")
    assert stopped.status == "stopped"
    assert stopped.stopped_at is not None
    assert abs(stopped.stopped_at - datetime.now(UTC)) < timedelta(minutes=1)
    with pytest.raises(ConflictError, match=r"^Experiment 'e1' was stopped already, at "):
        shop5.stop_experiment("e1")
    with pytest.raises(UnknownEntityError, match=r"^Unknown experiment id: e9\.$"):
        shop5.experiment("e9")
    with pytest.raises(UnknownEntityError, match=r"^Unknown experiment id: e9\.$"):
        shop5.stop_experiment("e9")
    with pytest.raises(ConflictError, match=r"^An experiment named 'e1' exists already"):
        shop5.start_experiment(_experiment(clock, start=clock.now + timedelta(hours=1)))


def test_one_experiment_per_surface_at_a_time(shop5: ShopGraph, clock: Clock) -> None:
    shop5.start_experiment(_experiment(clock, surfaces=(Surface.BUNDLE, Surface.SIMILAR)))
    with pytest.raises(ConflictError, match=r"^Experiment 'e1' covers similar from "):
        shop5.start_experiment(_experiment(clock, "e2", surfaces=(Surface.SIMILAR,)))
    shop5.start_experiment(_experiment(clock, "e3", surfaces=(Surface.RECOMMEND,)))


def test_the_procedure_refuses_what_the_object_refuses_with_the_same_sentence(
    shop5: ShopGraph, clock: Clock
) -> None:
    good = _experiment(clock).definition()
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"variants": [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.4}]}, {}),
        ({"variants": [{"name": "a", "share": 0.5}, {"name": "a", "share": 0.5}]}, {}),
        ({"control": "c"}, {}),
        ({"end": good["start"]}, {}),
        ({"name": "a b"}, {}),
        ({"surfaces": ["bundle", "cart"]}, {}),
    ]
    for change, _ in cases:
        definition = {**good, **change}
        with pytest.raises(BadArgumentError) as client:
            Experiment(
                name=definition["name"],
                surfaces=tuple(definition["surfaces"]),
                variants=tuple(Variant(v["name"], v["share"]) for v in definition["variants"]),
                start=definition["start"],
                end=definition["end"],
                control=definition["control"],
            )
        with pytest.raises(BadArgumentError) as procedure:
            shop5.runner.write("call_experiment_start", {"definition": definition})
        assert str(procedure.value) == str(client.value)
    # The variants' configs are checked by the procedures' own parsers.
    wrong = {**good, "variants": [{"name": "a", "share": 0.5, "bundle": {"alpha": -1.0}},
                                  {"name": "b", "share": 0.5}]}  # fmt: skip
    with pytest.raises(
        BadArgumentError,
        match=r"^Variant 'a', bundle: Config key 'alpha' must be a finite number of at least 0, "
        r"got the float -1\.0\.$",
    ):
        shop5.runner.write("call_experiment_start", {"definition": wrong})


def test_assignment_is_the_same_in_python_the_plugin_and_served_answers(
    shop5: ShopGraph, clock: Clock
) -> None:
    experiment = _experiment(
        clock,
        salt="salt-42",
        variants=(Variant("a", 0.2), Variant("b", 0.3), Variant("c", 0.5)),
    )
    shop5.start_experiment(experiment)
    seen = set()
    for n in range(60):
        user = f"user-{n}"
        python = experiment.variants[assign("salt-42", user, experiment.shares)].name
        row = shop5.runner.read("call_experiment_assign", {"name": "e1", "userId": user})[0]
        served = shop5.bundle(["p1"], 3, experiment="e1", user=user)
        again = shop5.bundle(["p2"], 3, experiment="e1", user=user)
        assert row["variant"] == served.variant == again.variant == python
        seen.add(python)
    assert seen == {"a", "b", "c"}


def test_a_served_answer_is_logged_with_its_items_and_clicks(
    shop5: ShopGraph, clock: Clock
) -> None:
    experiment = _experiment(clock)
    shop5.start_experiment(experiment)
    control, popular = _user_in(experiment, "control"), _user_in(experiment, "popular")

    served = shop5.bundle(["p1"], 3, experiment="e1", user=control)
    assert served.experiment == "e1"
    assert served.variant == "control"
    assert served.request_id is not None
    assert [item.item_id for item in served.items] == [
        item.item_id for item in shop5.bundle(["p1"], 3)
    ]
    baseline = shop5.bundle(["p1"], 3, experiment="e1", user=popular)
    assert baseline.variant == "popular"
    assert {item.reason for item in baseline.items} == {"popular"}
    assert "p1" not in [item.item_id for item in baseline.items]

    click = shop5.click(served.request_id, served.items[1].item_id)
    assert (click.position, click.variant, click.experiment) == (2, "control", "e1")
    with pytest.raises(BadArgumentError, match=r"^Item 'p1' was not shown in request "):
        shop5.click(served.request_id, "p1")
    with pytest.raises(UnknownEntityError, match=r"^Unknown request id: r-0\.$"):
        shop5.click("r-0", "p2")

    logged = _exposures(shop5)
    assert [(e["id"], e["user"], e["variant"], e["surface"]) for e in logged] == [
        (served.request_id, control, "control", "bundle"),
        (baseline.request_id, popular, "popular", "bundle"),
    ]
    assert logged[0]["items"] == [item.item_id for item in served.items]
    assert logged[0]["query"] == ["p1"]
    assert logged[0]["clicked"] == [served.items[1].item_id]
    assert logged[1]["items"] == [item.item_id for item in baseline.items]
    assert logged[1]["clicked"] is None


def test_recommend_and_similar_through_an_experiment(shop5: ShopGraph, clock: Clock) -> None:
    experiment = _experiment(
        clock,
        surfaces=(Surface.RECOMMEND, Surface.SIMILAR),
        variants=(
            Variant("control", 0.5),
            Variant(
                "narrow",
                0.5,
                recommend=RecommendOptions(walk_candidates=0, popular_candidates=0),
                similar=WalkOptions(steps=50, seed=3),
            ),
        ),
    )
    shop5.start_experiment(experiment)
    user = "h2"  # bought p1 and p2
    variant = experiment.variants[assign("e1", user, experiment.shares)].name
    served = shop5.recommend(user, 5, RecommendOptions(max_per_brand=5), experiment="e1")
    assert served.variant == variant
    reasons = {item.reason for item in served.items}
    if variant == "narrow":
        assert all(reason.startswith("bought with ") for reason in reasons)
    similar = shop5.similar("p1", 3, experiment="e1", user=user)
    assert similar.variant == variant
    assert "p1" not in [item.item_id for item in similar.items]
    with pytest.raises(BadArgumentError, match=r"must name its user or visitor"):
        shop5.similar("p1", 3, experiment="e1", user=None)  # type: ignore[call-overload]
    with pytest.raises(BadArgumentError, match=r"^user and at name an experiment's request"):
        shop5.similar("p1", 3, user="h1")  # type: ignore[call-overload]
    with pytest.raises(BadArgumentError, match=r"^Experiment 'e1' does not cover bundle; it"):
        shop5.bundle(["p1"], 3, experiment="e1", user=user)


def test_outside_its_window_the_control_answers_unlogged(shop5: ShopGraph, clock: Clock) -> None:
    experiment = _experiment(clock, start=clock.ago(days=1))
    shop5.start_experiment(experiment)
    popular = _user_in(experiment, "popular")
    before = shop5.bundle(["p1"], 3, experiment="e1", user=popular, at=clock.ago(days=2))
    assert (before.request_id, before.variant) == (None, None)
    assert {item.reason for item in before.items} != {"popular"}
    during = shop5.bundle(["p1"], 3, experiment="e1", user=popular, at=clock.ago(hours=1))
    assert during.variant == "popular"
    with pytest.raises(BadArgumentError, match=r"^Config key 'at' must be a datetime with a"):
        shop5.bundle(["p1"], 3, experiment="e1", user=popular, at=datetime(2024, 1, 1))
    shop5.stop_experiment("e1")
    after = shop5.bundle(["p1"], 3, experiment="e1", user=popular)
    assert (after.request_id, after.variant) == (None, None)
    assert [e["id"] for e in _exposures(shop5)] == [during.request_id]


def test_the_log_keeps_90_days_and_start_and_stop_purge_it(shop5: ShopGraph, clock: Clock) -> None:
    experiment = _experiment(clock, start=clock.ago(days=120))
    shop5.start_experiment(experiment)
    user = _user_in(experiment, "control")
    old = shop5.bundle(["p1"], 2, experiment="e1", user=user, at=clock.ago(days=100))
    recent = shop5.bundle(["p1"], 2, experiment="e1", user=user, at=clock.ago(days=80))
    store.flush_log(shop5.runner)
    assert store.purge_log(shop5.runner, timedelta(days=200)) == 0
    shop5.stop_experiment("e1")
    assert [e["id"] for e in _exposures(shop5)] == [recent.request_id]
    assert old.request_id != recent.request_id
    assert store.purge_log(shop5.runner, timedelta(days=1)) == 1
    with pytest.raises(BadArgumentError, match=r"^older_than must be positive"):
        store.purge_log(shop5.runner, timedelta(0))


def test_a_forgotten_users_log_is_erased_and_a_merged_users_moves(
    shop5: ShopGraph, clock: Clock
) -> None:
    experiment = _experiment(clock)
    shop5.start_experiment(experiment)
    visitor = _user_in(experiment, "popular")
    kept = shop5.bundle(["p1"], 2, experiment="e1", user="h1")
    shop5.bundle(["p1"], 2, experiment="e1", user=visitor)
    shop5.bundle(["p2"], 2, experiment="e1", user=visitor)
    forgotten = shop5.bundle(["p2"], 2, experiment="e1", user="h3")
    store.flush_log(shop5.runner)

    assert shop5.runner.write_tx(lambda tx: store.merge_user_log(tx, visitor, "h1")) == 2
    assert shop5.runner.write_tx(lambda tx: store.forget_user_log(tx, "h3")) == 1
    logged = _exposures(shop5)
    assert forgotten.request_id not in {e["id"] for e in logged}
    assert {e["user"] for e in logged} == {"h1"}
    moved = [e for e in logged if e["id"] != kept.request_id]
    assert [(e["variant"], e["logged"]) for e in moved] == [("popular", visitor)] * 2
    # After the merge, calls name the user merged into, and their own assignment holds.
    assert shop5.bundle(["p1"], 2, experiment="e1", user="h1").variant == kept.variant


def test_the_live_shops_erasure_and_merge_reach_the_log_and_the_report(
    shop5: ShopGraph, clock: Clock
) -> None:
    experiment = _experiment(clock)
    shop5.start_experiment(experiment)
    users = ["h1", "h2", "h3", "h4", "h5"]
    account = next(u for u in users if assign(experiment.salt, u, experiment.shares) == 0)
    leaving = next(u for u in users if u != account)
    visitor = _user_in(experiment, "popular", prefix="anon-")
    # The visitor browses (a User now) and is served twice, clicking once; the account once.
    view = LiveEvent("anon-view", clock.ago(minutes=5), EventType.VIEW, "p1", "s-anon", visitor)
    shop5.record(view)
    seen = shop5.bundle(["p1"], 2, experiment="e1", user=visitor)
    shop5.click(seen.request_id, seen.items[0].item_id)
    shop5.bundle(["p2"], 2, experiment="e1", user=visitor)
    own = shop5.bundle(["p1"], 2, experiment="e1", user=account)
    gone = shop5.bundle(["p1"], 2, experiment="e1", user=leaving)
    shop5.click(gone.request_id, gone.items[0].item_id)

    # At once (the log may still hold them): the erasure and the merge wait for it.
    assert shop5.forget_user(leaving).exposures == 1
    assert shop5.merge_users(visitor, account).exposures == 2

    logged = _exposures(shop5)
    assert gone.request_id not in {e["id"] for e in logged}
    assert {e["user"] for e in logged} == {account}
    moved = {e["id"]: (e["variant"], e["logged"], e["clicked"]) for e in logged if e["logged"]}
    assert len(moved) == 2
    assert moved[seen.request_id] == ("popular", visitor, [seen.items[0].item_id])
    # From the merge on the account's own assignment answers.
    after = shop5.bundle(["p2"], 2, experiment="e1", user=account)
    assert after.variant == own.variant == "control"
    report = shop5.experiment_report("e1")
    control, popular = report.variants
    assert (control.users, control.requests, control.clicks) == (1, 2, 0)
    assert (popular.users, popular.requests, popular.clicks) == (1, 2, 1)
    assert report.switched_users == 1


def test_similar_through_an_experiment_takes_its_user_as_the_user_id(
    shop5: ShopGraph, clock: Clock
) -> None:
    shop5.start_experiment(_experiment(clock, surfaces=(Surface.SIMILAR,)))
    served = shop5.similar("p1", 4, experiment="e1", user="h4")
    assert "p2" in [i.item_id for i in served.items]
    shop5.feedback("h4", "p2", FeedbackKind.NOT_INTERESTED)
    assert "p2" not in [i.item_id for i in shop5.similar("p1", 4, experiment="e1", user="h4").items]
    with pytest.raises(
        BadArgumentError,
        match=r"^A similar call through experiment 'e1' asks for user 'h4' \(key user\) but its "
        r"userId is the string 'h5': give the same user or leave userId out\.$",
    ):
        shop5.similar("p1", 4, WalkOptions(user_id="h5"), experiment="e1", user="h4")


def test_the_erasure_of_a_visitor_only_served_takes_missing_ok(
    shop5: ShopGraph, clock: Clock
) -> None:
    shop5.start_experiment(_experiment(clock))
    shop5.bundle(["p1"], 2, experiment="e1", user="served-only")
    with pytest.raises(UnknownEntityError, match=r"^Unknown user id: served-only\.$"):
        shop5.forget_user("served-only")
    report = shop5.forget_user("served-only", missing_ok=True)
    assert (report.in_graph, report.exposures) == (False, 1)
    assert _exposures(shop5) == []


def test_a_pinned_model_version_ranks_for_its_variant(shop5: ShopGraph, clock: Clock) -> None:
    users = ["h1", "h2", "h3", "h4", "h5"]
    items = ["p1", "p2", "p3", "p4", "p5"]
    user_vectors = np.ones((5, 2), dtype=np.float32)

    def publish(version: str, best: str) -> None:
        item_vectors = np.array(
            [[1.0, 1.0] if item == best else [0.1 * n, 0.0] for n, item in enumerate(items)],
            dtype=np.float32,
        )
        publish_embeddings(
            shop5.runner,
            version,
            user_ids=users,
            user_embeddings=user_vectors,
            item_ids=items,
            item_embeddings=item_vectors,
            metadata={},
        )

    publish("v1", "p4")
    publish("v2", "p5")  # active; v1 is previous and keeps its slot
    experiment = _experiment(
        clock,
        surfaces=(Surface.RECOMMEND,),
        variants=(Variant("active", 0.5), Variant("pinned", 0.5, model_version="v1")),
        salt="model-salt",
    )
    shop5.start_experiment(experiment)
    options = RecommendOptions(max_per_brand=5, max_per_category=5)
    bought = {"h3": {"p2", "p3", "p4"}, "h4": {"p4", "p5"}}
    for user in users:
        served = shop5.recommend(user, 5, options, experiment="e1")
        top = served.items[0]
        assert top.reason.startswith("model: ")
        best = "p4" if served.variant == "pinned" else "p5"
        if best not in bought.get(user, set()):
            assert top.item_id == best, (user, served.variant)
    assert {shop5.recommend(u, 5, options, experiment="e1").variant for u in users} == {
        "active",
        "pinned",
    }
    # A new version would overwrite v1's slot: refused while the experiment pins v1.
    with pytest.raises(ConflictError, match=r"^Model version 'v1' holds slot ., which a new "):
        publish("v3", "p1")
    shop5.stop_experiment("e1")
    publish("v3", "p1")
    assert shop5.bundle(["p1"], 2, BundleOptions()) != []
