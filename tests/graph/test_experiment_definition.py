"""Experiments as data: the object's checks and the TOML file's errors (file, key, reason)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shopgraph.core.errors import BadArgumentError, ConfigError
from shopgraph.graph.experiments.definition import Baseline, Experiment, Surface, Variant
from shopgraph.graph.recommend import UNLIMITED, BundleOptions, RecommendOptions, WalkOptions

START = datetime(2024, 6, 1, tzinfo=UTC)
END = datetime(2024, 6, 15, tzinfo=UTC)
HALVES = (Variant("a", 0.5), Variant("b", 0.5))

TOML = """
name = "bundle-vs-popularity"
surfaces = ["bundle", "recommend"]
start = 2024-06-01T00:00:00Z
end = 2024-06-15T00:00:00+02:00
attribution_hours = 12

[[variants]]
name = "shopgraph"
share = 0.5

[[variants]]
name = "popularity"
share = 0.25
baseline = "popularity"

[[variants]]
name = "wide"
share = 0.25
[variants.bundle]
max_per_brand = "unlimited"
adjacency_bonus = 0
categories = ["electronics"]
[variants.recommend]
walk_candidates = 0
use_model = false
"""


def _experiment(**changes: object) -> Experiment:
    values: dict[str, object] = {
        "name": "e1",
        "surfaces": (Surface.BUNDLE,),
        "variants": HALVES,
        "start": START,
        "end": END,
    }
    values.update(changes)
    return Experiment(**values)  # type: ignore[arg-type]


def test_defaults_salt_control_and_window() -> None:
    experiment = _experiment()
    assert experiment.salt == "e1"
    assert experiment.control == "a"
    assert experiment.attribution_hours == 24.0
    assert experiment.shares == (0.5, 0.5)
    assert experiment.variant("b") is HALVES[1]


def test_the_toml_file_is_the_object() -> None:
    path = Path("e.toml")
    path.write_text(TOML, encoding="utf-8")
    experiment = Experiment.from_toml(path)
    assert experiment == Experiment(
        name="bundle-vs-popularity",
        surfaces=(Surface.BUNDLE, Surface.RECOMMEND),
        variants=(
            Variant("shopgraph", 0.5),
            Variant("popularity", 0.25, baseline=Baseline.POPULARITY),
            Variant(
                "wide",
                0.25,
                bundle=BundleOptions(
                    max_per_brand=UNLIMITED, adjacency_bonus=0.0, categories=("electronics",)
                ),
                recommend=RecommendOptions(walk_candidates=0, use_model=False),
            ),
        ),
        start=START,
        end=datetime(2024, 6, 14, 22, tzinfo=UTC),
        attribution_hours=12,
    )
    # What the procedure is given: the procedures' config keys, null for no limit.
    assert experiment.definition()["variants"][2] == {
        "name": "wide",
        "share": 0.25,
        "bundle": {"maxPerBrand": None, "categories": ["electronics"], "adjacencyBonus": 0.0},
        "recommend": {"useModel": False, "walkCandidates": 0},
    }
    assert Experiment.from_definition(experiment.definition()) == experiment


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"name": "a b"},
            "An experiment's name must be 1 to 100 letters, digits, '.', '_' or '-', got the "
            "string 'a b'.",
        ),
        (
            {"surfaces": ("bundle", "cart")},
            "surfaces must list 1 to 3 distinct surfaces of bundle, recommend, similar, got the "
            "list ['bundle', 'cart'].",
        ),
        ({"variants": HALVES[:1]}, "variants must be a list of 2 to 20 variants, got 1 variants."),
        (
            {"variants": (Variant("a", 0.5), Variant("a", 0.5))},
            "Variant names must be distinct; 'a' is given twice.",
        ),
        (
            {"variants": (Variant("a", 0.5), Variant("b", 0.4))},
            "The variants' shares must sum to 1, got 0.9.",
        ),
        (
            {"control": "c"},
            "control must name one of the variants (a, b), got the string 'c'.",
        ),
        (
            {"end": START},
            "end must be later than start, got start 2024-06-01T00:00:00Z and end "
            "2024-06-01T00:00:00Z.",
        ),
        (
            {"start": datetime(2024, 6, 1)},
            "Config key 'start' must be a datetime with a timezone, got the local datetime "
            "2024-06-01T00:00:00.",
        ),
        (
            {"variants": (Variant("a", 0.5), Variant("b", 0.5, similar=WalkOptions(steps=10)))},
            "Variant 'b' gives a config for similar, which the experiment does not cover.",
        ),
        (
            {"variants": (Variant("a", 0.5), Variant("b", 0.5, model_version="v1"))},
            "Variant 'b' pins a model version, which only recommend and similar use.",
        ),
        (
            {"attribution_hours": 0},
            "attribution_hours must be a finite number greater than 0 and at most 2160, got the "
            "integer 0.",
        ),
    ],
)
def test_a_bad_experiment_is_a_bad_argument_with_the_procedures_sentence(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(BadArgumentError) as error:
        _experiment(**change)
    assert str(error.value) == message


def test_bad_variants() -> None:
    with pytest.raises(BadArgumentError, match=r"^The share of variant 'a' must be a number "):
        Variant("a", 1.5)
    with pytest.raises(BadArgumentError, match=r"^The name of a variant must be 1 to 100 "):
        Variant("", 0.5)
    with pytest.raises(
        BadArgumentError,
        match=r"^Variant 'p' is the popularity baseline: it takes no config and no model",
    ):
        Variant("p", 0.5, baseline=Baseline.POPULARITY, recommend=RecommendOptions(seed=1))
    with pytest.raises(BadArgumentError, match=r"bundle must not give 'user'"):
        Variant("b", 0.5, bundle=BundleOptions(user="u1"))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("attribution_hours = 12", "atribution_hours = 12", r"atribution_hours: unknown key"),
        ("walk_candidates = 0", "walkCandidates = 0", r"variants\[2\]\.recommend\.walkCandidates"),
        (
            "walk_candidates = 0",
            "walk_candidates = 0.5",
            r"variants\[2\]\.recommend\.walk_candidates: must be an integer, got the float 0\.5",
        ),
        (
            'max_per_brand = "unlimited"',
            'max_per_brand = "none"',
            r"variants\[2\]\.bundle\.max_per_brand: must be an integer or 'unlimited', got",
        ),
        ('baseline = "popularity"', 'baseline = "random"', r"variants\[1\]\.baseline: must be"),
        ("share = 0.25\nbaseline", "share = 0.3\nbaseline", r"shares must sum to 1, got 1\.05"),
        ("start = 2024-06-01T00:00:00Z", "start = 2024-06-01T00:00:00", r"timezone"),
        ('name = "bundle-vs-popularity"', "", r": name: missing\.$"),
        ("use_model = false", 'use_model = "no"', r"use_model: must be true or false"),
    ],
)
def test_a_bad_file_names_the_file_and_the_key(old: str, new: str, message: str) -> None:
    path = Path("bad.toml")
    assert old in TOML
    path.write_text(TOML.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as error:
        Experiment.from_toml(path)
    assert str(error.value).startswith("bad.toml: ")


def test_a_missing_or_broken_file() -> None:
    with pytest.raises(ConfigError, match=r"^nope\.toml: experiment file not found\.$"):
        Experiment.from_toml(Path("nope.toml"))
    Path("broken.toml").write_text("name = ", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^broken\.toml: not a valid TOML experiment"):
        Experiment.from_toml(Path("broken.toml"))
