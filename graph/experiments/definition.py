"""Experiments as data: :class:`Experiment` and its TOML file.

An experiment compares variants of the serving procedures on real traffic. It is stored in the
graph as an ``(:Experiment)`` node by ``CALL shopgraph.experiment.start``, which checks it again
with the same sentences (and each variant's config with the procedure's own checks)::

    name = "bundle-vs-popularity"
    surfaces = ["bundle"]                  # among bundle, recommend, similar
    start = 2024-06-01T00:00:00Z           # times need a timezone
    end = 2024-06-15T00:00:00Z
    salt = "bundle-vs-popularity"          # optional: the name
    control = "shopgraph"                  # optional: the first variant
    attribution_hours = 24                 # optional: 24

    [[variants]]
    name = "shopgraph"
    share = 0.5

    [[variants]]
    name = "popularity"
    share = 0.25
    baseline = "popularity"                # the most bought items instead of the procedure

    [[variants]]                           # a variant may give each surface's options,
    name = "wide"                          # under the option names of BundleOptions,
    share = 0.25                           # RecommendOptions and WalkOptions
    [variants.bundle]
    max_per_brand = "unlimited"            # "unlimited": no limit (the procedures' null)
    adjacency_bonus = 0.0

A variant's options are laid over each call's options (the variant's win; what it does not set
stays as the call set it). ``model_version`` pins a model version for recommend and similar
(one that holds a slot: active, previous or ready).
"""

from __future__ import annotations

import re
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeAlias

from shopgraph.core.errors import BadArgumentError, ConfigError
from shopgraph.core.times import require_timezone
from shopgraph.graph.recommend import (
    UNLIMITED,
    BundleOptions,
    RecommendOptions,
    WalkOptions,
)

__all__ = [
    "DEFAULT_ATTRIBUTION_HOURS",
    "Baseline",
    "Experiment",
    "Surface",
    "Variant",
    "time_text",
]

#: How long after an exposure a cart or purchase of a shown item is attributed to it.
DEFAULT_ATTRIBUTION_HOURS = 24.0
#: Most variants of one experiment (as the procedure).
MAX_VARIANTS = 20
_MAX_ATTRIBUTION_HOURS = 24 * 90
_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
_SHARE_TOLERANCE = 1e-9


class Surface(StrEnum):
    """A serving procedure an experiment can cover."""

    BUNDLE = "bundle"
    RECOMMEND = "recommend"
    SIMILAR = "similar"


class Baseline(StrEnum):
    """A plain baseline that ranks instead of the procedure's own algorithm; the procedure's
    rules and filters apply to its ranking as to its own (hidden items, the user's purchases and
    rejections, demotion, stock, the call's filters, new items' places)."""

    POPULARITY = "popularity"
    """The most bought items (the bundle masses), leaving out the cart or item asked about;
    reason ``popular``."""


_Options: TypeAlias = BundleOptions | RecommendOptions | WalkOptions
_OPTIONS: dict[Surface, type[BundleOptions] | type[RecommendOptions] | type[WalkOptions]] = {
    Surface.BUNDLE: BundleOptions,
    Surface.RECOMMEND: RecommendOptions,
    Surface.SIMILAR: WalkOptions,
}


@dataclass(frozen=True)
class Variant:
    """One variant of an experiment.

    Attributes:
        name: 1 to 100 letters, digits, ``.``, ``_`` or ``-``.
        share: Its traffic share, greater than 0 and at most 1.
        bundle: Options it lays over bundle calls (``user`` belongs to each call).
        recommend: Options it lays over recommend calls.
        similar: Options it lays over similar calls.
        model_version: A model version it pins for recommend and similar.
        baseline: A baseline that answers instead of the procedures; then no options and no
            model version.

    Raises:
        BadArgumentError: When a value is invalid, with the procedure's sentence.
    """

    name: str
    share: float
    bundle: BundleOptions | None = None
    recommend: RecommendOptions | None = None
    similar: WalkOptions | None = None
    model_version: str | None = None
    baseline: Baseline | None = None

    def __post_init__(self) -> None:
        _check_name(self.name, "The name of a variant")
        where = f"Variant {self.name!r}"
        share: object = self.share
        if (
            isinstance(share, bool)
            or not isinstance(share, int | float)
            or not 0.0 < float(share) <= 1.0
        ):
            raise BadArgumentError(
                f"The share of variant {self.name!r} must be a number greater than 0 and at "
                f"most 1, got {_describe(share)}."
            )
        if self.bundle is not None and self.bundle.user is not None:
            raise BadArgumentError(
                f"{where}: bundle must not give 'user': it belongs to each call."
            )
        if self.model_version is not None and not (
            isinstance(self.model_version, str) and self.model_version.strip()
        ):
            raise BadArgumentError(
                f"{where}: model must be a model version's name, got "
                f"{_describe(self.model_version)}."
            )
        if self.baseline is not None:
            object.__setattr__(self, "baseline", Baseline(self.baseline))
            if self.model_version is not None or self.options():
                raise BadArgumentError(
                    f"{where} is the popularity baseline: it takes no config and no model version."
                )

    def options(self) -> dict[Surface, _Options]:
        """The options it gives, by surface."""
        given: dict[Surface, _Options] = {}
        for surface, options in (
            (Surface.BUNDLE, self.bundle),
            (Surface.RECOMMEND, self.recommend),
            (Surface.SIMILAR, self.similar),
        ):
            if options is not None:
                given[surface] = options
        return given

    def definition(self) -> dict[str, Any]:
        """The variant as ``shopgraph.experiment.start`` takes it (configs as the procedures')."""
        value: dict[str, Any] = {"name": self.name, "share": float(self.share)}
        for surface, options in self.options().items():
            value[surface.value] = options.config()
        if self.model_version is not None:
            value["model"] = self.model_version
        if self.baseline is not None:
            value["baseline"] = self.baseline.value
        return value

    @classmethod
    def from_definition(cls, value: Mapping[str, Any]) -> Variant:
        """The variant of a stored definition (the inverse of :meth:`definition`)."""
        configs = {
            surface: _options_from_config(_OPTIONS[surface], value[surface.value])
            for surface in Surface
            if surface.value in value
        }
        baseline = value.get("baseline")
        return cls(
            name=value["name"],
            share=value["share"],
            bundle=typing.cast(BundleOptions | None, configs.get(Surface.BUNDLE)),
            recommend=typing.cast(RecommendOptions | None, configs.get(Surface.RECOMMEND)),
            similar=typing.cast(WalkOptions | None, configs.get(Surface.SIMILAR)),
            model_version=value.get("model"),
            baseline=Baseline(baseline) if baseline is not None else None,
        )


@dataclass(frozen=True)
class Experiment:
    """An online experiment: variants of serving procedures compared on real traffic.

    Users (or visitors) are assigned to variants by
    :func:`~shopgraph.graph.experiments.assignment.assign` with ``salt`` and the variants'
    shares, in declaration order; a user keeps the variant for the whole experiment.

    Attributes:
        name: 1 to 100 letters, digits, ``.``, ``_`` or ``-``; never reused.
        surfaces: The procedures it covers (at most one experiment per surface at a time).
        variants: 2 to 20 variants whose shares sum to 1, distinct names.
        start: When it starts serving (inclusive), with a timezone.
        end: When it ends (exclusive), later than ``start``.
        salt: Salt of the assignment (default: the name).
        control: The variant the others are compared with (default: the first).
        attribution_hours: Carts and purchases of a shown item by the same user count for the
            latest exposure of it at most this many hours before them (default 24).

    Raises:
        BadArgumentError: When a value is invalid, with the procedure's sentence.
    """

    name: str
    surfaces: tuple[Surface, ...]
    variants: tuple[Variant, ...]
    start: datetime
    end: datetime
    salt: str = ""
    control: str = ""
    attribution_hours: float = DEFAULT_ATTRIBUTION_HOURS

    def __post_init__(self) -> None:
        _check_name(self.name, "An experiment's name")
        surfaces: object = self.surfaces
        labels = [s.value if isinstance(s, Surface) else s for s in _as_list(surfaces)]
        if (
            not labels
            or len(set(labels)) != len(labels)
            or any(label not in {s.value for s in Surface} for label in labels)
        ):
            raise BadArgumentError(
                "surfaces must list 1 to 3 distinct surfaces of bundle, recommend, similar, got "
                f"{_describe(surfaces)}."
            )
        object.__setattr__(self, "surfaces", tuple(Surface(label) for label in labels))
        variants = tuple(self.variants)
        if not 2 <= len(variants) <= MAX_VARIANTS:
            raise BadArgumentError(
                f"variants must be a list of 2 to {MAX_VARIANTS} variants, got {len(variants)} "
                "variants."
            )
        object.__setattr__(self, "variants", variants)
        names = set()
        for variant in variants:
            if variant.name in names:
                raise BadArgumentError(
                    f"Variant names must be distinct; {variant.name!r} is given twice."
                )
            names.add(variant.name)
            for surface in variant.options():
                if surface not in self.surfaces:
                    raise BadArgumentError(
                        f"Variant {variant.name!r} gives a config for {surface.value}, which the "
                        "experiment does not cover."
                    )
            if variant.model_version is not None and not (
                {Surface.RECOMMEND, Surface.SIMILAR} & set(self.surfaces)
            ):
                raise BadArgumentError(
                    f"Variant {variant.name!r} pins a model version, which only recommend and "
                    "similar use."
                )
        total = 0.0
        for variant in variants:
            total += float(variant.share)
        if abs(total - 1.0) > _SHARE_TOLERANCE:
            raise BadArgumentError(f"The variants' shares must sum to 1, got {total!r}.")
        require_timezone(self.start, "Config key 'start'")
        require_timezone(self.end, "Config key 'end'")
        if self.end <= self.start:
            raise BadArgumentError(
                f"end must be later than start, got start {time_text(self.start)} and end "
                f"{time_text(self.end)}."
            )
        if not self.salt:
            object.__setattr__(self, "salt", self.name)
        if not self.control:
            object.__setattr__(self, "control", variants[0].name)
        elif self.control not in names:
            raise BadArgumentError(
                f"control must name one of the variants ({', '.join(v.name for v in variants)}), "
                f"got {_describe(self.control)}."
            )
        hours: object = self.attribution_hours
        if (
            isinstance(hours, bool)
            or not isinstance(hours, int | float)
            or not 0.0 < float(hours) <= _MAX_ATTRIBUTION_HOURS
        ):
            raise BadArgumentError(
                "attribution_hours must be a finite number greater than 0 and at most "
                f"{_MAX_ATTRIBUTION_HOURS}, got {_describe(hours)}."
            )

    @property
    def shares(self) -> tuple[float, ...]:
        """The variants' shares, in declaration order (the order of the assignment)."""
        return tuple(float(v.share) for v in self.variants)

    def variant(self, name: str) -> Variant:
        """The variant of that name.

        Raises:
            KeyError: When there is none.
        """
        for variant in self.variants:
            if variant.name == name:
                return variant
        raise KeyError(name)

    def definition(self) -> dict[str, Any]:
        """The map ``CALL shopgraph.experiment.start($definition)`` takes."""
        return {
            "name": self.name,
            "surfaces": [s.value for s in self.surfaces],
            "variants": [v.definition() for v in self.variants],
            "start": self.start,
            "end": self.end,
            "salt": self.salt,
            "control": self.control,
            "attributionHours": float(self.attribution_hours),
        }

    @classmethod
    def from_toml(cls, path: Path) -> Experiment:
        """Reads an experiment file (the format of the module docstring).

        Raises:
            ConfigError: ``<file>: <key>: <reason>`` when the file is missing, not TOML, or a
                key is unknown or invalid.
        """
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: experiment file not found.") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{path}: not a valid TOML experiment ({e}).") from e
        _known(data, _TOP_KEYS, path, "")
        for key in ("name", "surfaces", "variants", "start", "end"):
            if key not in data:
                raise ConfigError(f"{path}: {key}: missing.")
        raw_variants = data["variants"]
        if not isinstance(raw_variants, list) or not all(isinstance(v, dict) for v in raw_variants):
            raise ConfigError(f"{path}: variants: must be an array of tables ([[variants]]).")
        variants = []
        for index, raw in enumerate(raw_variants):
            where = f"variants[{index}]"
            _known(raw, _VARIANT_KEYS, path, where + ".")
            try:
                variants.append(_variant_from_toml(raw, path, where))
            except BadArgumentError as e:
                raise ConfigError(f"{path}: {where}: {e}") from e
        try:
            return cls(
                name=data["name"],
                surfaces=tuple(_as_list(data["surfaces"])),
                variants=tuple(variants),
                start=data["start"],
                end=data["end"],
                salt=data.get("salt", ""),
                control=data.get("control", ""),
                attribution_hours=data.get("attribution_hours", DEFAULT_ATTRIBUTION_HOURS),
            )
        except BadArgumentError as e:
            raise ConfigError(f"{path}: {e}") from e

    @classmethod
    def from_definition(cls, value: Mapping[str, Any]) -> Experiment:
        """The experiment of a stored definition (the inverse of :meth:`definition`)."""
        return cls(
            name=value["name"],
            surfaces=tuple(Surface(s) for s in value["surfaces"]),
            variants=tuple(Variant.from_definition(v) for v in value["variants"]),
            start=value["start"],
            end=value["end"],
            salt=value["salt"],
            control=value["control"],
            attribution_hours=value["attributionHours"],
        )


def time_text(value: datetime) -> str:
    """A time in sentences, as the procedures write it: ``2024-03-01T00:00:00Z`` (UTC)."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


_TOP_KEYS = ("name", "surfaces", "variants", "start", "end", "salt", "control", "attribution_hours")
_VARIANT_KEYS = ("name", "share", "bundle", "recommend", "similar", "model_version", "baseline")


def _known(data: Mapping[str, Any], known: Sequence[str], path: Path, prefix: str) -> None:
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(
            f"{path}: {prefix}{unknown[0]}: unknown key; known keys: {', '.join(known)}."
        )


def _variant_from_toml(raw: Mapping[str, Any], path: Path, where: str) -> Variant:
    for key in ("name", "share"):
        if key not in raw:
            raise ConfigError(f"{path}: {where}.{key}: missing.")
    options: dict[Surface, _Options] = {}
    for surface in Surface:
        table = raw.get(surface.value)
        if table is None:
            continue
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {where}.{surface.value}: must be a table.")
        options[surface] = _options_from_toml(
            _OPTIONS[surface], table, path, f"{where}.{surface.value}"
        )
    baseline = raw.get("baseline")
    if baseline is not None and baseline not in {b.value for b in Baseline}:
        raise ConfigError(
            f"{path}: {where}.baseline: must be 'popularity', got {_describe(baseline)}."
        )
    return Variant(
        name=raw["name"],
        share=raw["share"],
        bundle=typing.cast(BundleOptions | None, options.get(Surface.BUNDLE)),
        recommend=typing.cast(RecommendOptions | None, options.get(Surface.RECOMMEND)),
        similar=typing.cast(WalkOptions | None, options.get(Surface.SIMILAR)),
        model_version=raw.get("model_version"),
        baseline=Baseline(baseline) if baseline is not None else None,
    )


def _options_from_toml(
    kind: type[_Options], table: Mapping[str, Any], path: Path, where: str
) -> _Options:
    """Options from a TOML table of field names; types are checked by the fields' annotations."""
    hints = typing.get_type_hints(kind)
    known = [f.name for f in fields(kind) if not (kind is BundleOptions and f.name == "user")]
    _known(table, known, path, where + ".")
    values: dict[str, Any] = {}
    for key, value in table.items():
        values[key] = _typed(value, hints[key], path, f"{where}.{key}")
    try:
        return kind(**values)
    except BadArgumentError as e:
        raise ConfigError(f"{path}: {where}: {e}") from e


def _typed(value: Any, hint: Any, path: Path, where: str) -> Any:
    """A TOML value as the field's type wants it: ``"unlimited"`` for a limit, lists as tuples."""
    allowed = set(typing.get_args(hint)) if _is_union(hint) else {hint}
    literal = next((a for a in allowed if typing.get_origin(a) is typing.Literal), None)
    if literal is not None and value == "unlimited":
        return UNLIMITED
    if bool in allowed and isinstance(value, bool):
        return value
    if int in allowed and isinstance(value, int) and not isinstance(value, bool):
        return value
    if float in allowed and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if (
        any(typing.get_origin(a) is tuple for a in allowed)
        and isinstance(value, list)
        and all(isinstance(v, str) and v for v in value)
    ):
        return tuple(value)
    wanted = {
        bool: "true or false",
        int: "an integer",
        float: "a number",
    }
    names = [wanted[a] for a in (int, float, bool) if a in allowed]
    if literal is not None:
        names.append("'unlimited'")
    if any(typing.get_origin(a) is tuple for a in allowed):
        names.append("a list of non-empty strings")
    raise ConfigError(f"{path}: {where}: must be {' or '.join(names)}, got {_describe(value)}.")


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _options_from_config(kind: type[_Options], config: Mapping[str, Any]) -> _Options:
    """Options from a procedure config (the inverse of the options' ``config()``)."""
    by_key = {_camel(f.name): f.name for f in fields(kind)}
    values: dict[str, Any] = {}
    for key, value in config.items():
        name = by_key[key]
        if value is None:
            values[name] = UNLIMITED
        elif isinstance(value, list):
            values[name] = tuple(value)
        else:
            values[name] = value
    return kind(**values)


def _check_name(value: object, what: str) -> None:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise BadArgumentError(
            f"{what} must be 1 to 100 letters, digits, '.', '_' or '-', got {_describe(value)}."
        )


def _as_list(value: object) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    return [] if value is None else [value] if not isinstance(value, str) else []


def _describe(value: object) -> str:
    """Names a value as the procedures do (``CypherValues.describe``)."""
    if value is None:
        return "null"
    if isinstance(value, StrEnum):
        value = value.value
    if isinstance(value, str):
        return "an empty string" if not value else f"the string {_literal(value)}"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the float {value!r}"
    if isinstance(value, list | tuple):
        return "an empty list" if not value else f"the list {_literal(list(value))}"
    if isinstance(value, dict):
        return "a map"
    return f"a value of type {type(value).__name__}"


def _literal(value: object) -> str:
    if isinstance(value, StrEnum):
        value = value.value
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return str(value)
