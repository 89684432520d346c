"""``shopgraph experiment start|stop|list|show|report|purge|simulate``: online experiments."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from shopgraph.cli._common import (
    StageBars,
    add_connection_flags,
    aware_datetime,
    print_json,
    settings_from,
    show_progress,
)
from shopgraph.core.errors import ConfigError
from shopgraph.graph import server
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.experiments.definition import Experiment, time_text
from shopgraph.graph.experiments.report import METRICS, ExperimentReport
from shopgraph.graph.experiments.stats import SRM_THRESHOLD
from shopgraph.graph.experiments.store import RETENTION, ExperimentInfo, purge_log

_HEADINGS = {
    "ctr": "CTR",
    "add_to_cart_rate": "add-to-cart",
    "conversion": "conversion",
    "revenue_per_user": "revenue/user",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "experiment",
        help="online experiments: start, stop, list, show, report, purge",
        description="A/B tests of recommendation variants on real traffic. Serve through one "
        "with {experiment: 'NAME'} in a procedure's config, or experiment= in Python.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    start = actions.add_parser("start", help="start the experiment of a TOML file")
    start.add_argument("file", type=Path, metavar="FILE.toml")
    start.set_defaults(run=_start)
    stop = actions.add_parser("stop", help="stop a running experiment now")
    stop.add_argument("name")
    stop.set_defaults(run=_stop)
    listing = actions.add_parser("list", help="every experiment, newest first")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=_list)
    show = actions.add_parser("show", help="one experiment's definition and status")
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(run=_show)
    report = actions.add_parser(
        "report",
        help="per variant metrics, lifts over the control, sample-ratio mismatch",
        description="Per variant: users, requests, CTR, add-to-cart rate, conversion and "
        "revenue per user; each variant's lift over the control with a 95%% interval and a "
        "p-value (unit: the user; delta method); a sample-ratio-mismatch check.",
    )
    report.add_argument("name")
    report.add_argument("--json", action="store_true", help="print JSON")
    report.add_argument(
        "--plot", type=Path, metavar="FILE.png", help="draw each metric's lift by day"
    )
    report.set_defaults(run=_report)
    click = actions.add_parser(
        "click",
        help="log a click on an item a request of an experiment showed",
        description="Logs a click of the shopper on an item the request showed (its request id "
        "is printed by bundle, recommend and similar with --experiment).",
    )
    click.add_argument("request_id", metavar="REQUEST_ID")
    click.add_argument("item", metavar="ITEM")
    click.add_argument(
        "--at",
        type=aware_datetime,
        metavar="TIME",
        help="when, with a timezone: 2024-03-01T10:00:00+00:00 (default: the server's clock)",
    )
    click.set_defaults(run=_click)
    purge = actions.add_parser("purge", help="delete log entries older than the retention")
    purge.add_argument(
        "--days",
        type=float,
        default=RETENTION.days,
        help=f"retention in days (default {RETENTION.days})",
    )
    purge.set_defaults(run=_purge)
    simulate = actions.add_parser(
        "simulate",
        help="replay UCI Online Retail's held-out orders through experiments (A/B, A/A, SRM)",
        description="Loads the first 80%% of UCI Online Retail's orders as history into a "
        "temporary embedded Neo4j and replays the last 20%% as shoppers through the live API: "
        "an A/B experiment (popularity against shopgraph bundles), an A/A experiment whose log "
        "is reported under --runs salts (the false-positive rate), and a skewed assignment "
        "(the sample-ratio-mismatch check). See evaluation/experiment_simulation.py.",
    )
    simulate.add_argument(
        "--baskets", type=int, help="only the first N baskets of the protocol (default: all)"
    )
    simulate.add_argument(
        "--max-requests", type=int, default=5, help="bundle requests per shopper (default 5)"
    )
    simulate.add_argument("--runs", type=int, default=200, help="A/A runs (default 200)")
    simulate.add_argument(
        "--skew",
        type=float,
        default=0.55,
        help="the first arm's share in the skewed assignment checked for SRM (default 0.55)",
    )
    simulate.add_argument("--json", action="store_true", help="print JSON")
    simulate.add_argument("--plot", type=Path, metavar="FILE.png", help="the A/B report's plot")
    simulate.add_argument("--no-progress", action="store_true", help="no progress bars")
    simulate.set_defaults(run=_simulate)
    for sub in (start, stop, listing, show, report, click, purge):
        add_connection_flags(sub)
    for sub in (start, stop):
        sub.add_argument(
            "--retention-days",
            type=float,
            default=RETENTION.days,
            help=f"then delete log entries older than this (default {RETENTION.days})",
        )


def _start(args: argparse.Namespace) -> int:
    experiment = Experiment.from_toml(args.file)
    with ShopGraph.connect(settings_from(args)) as shop:
        info = shop.start_experiment(experiment, retention=timedelta(days=args.retention_days))
    print(_describe(info))
    return 0


def _stop(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        info = shop.stop_experiment(args.name, retention=timedelta(days=args.retention_days))
    print(_describe(info))
    return 0


def _list(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        infos = shop.experiments()
    if args.json:
        print_json([_plain(info) for info in infos])
        return 0
    if not infos:
        print("No experiments yet: start one with `shopgraph experiment start FILE.toml`.")
        return 0
    print(f"{'name':<32} {'status':<8} {'surfaces':<26} {'variants':<30} start")
    for info in infos:
        e = info.experiment
        print(
            f"{e.name:<32} {info.status:<8} {', '.join(e.surfaces):<26} "
            f"{', '.join(v.name for v in e.variants):<30} {time_text(e.start)}"
        )
    return 0


def _show(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        info = shop.experiment(args.name)
    if args.json:
        print_json(_plain(info))
    else:
        print(_describe(info))
    return 0


def _report(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        report = shop.experiment_report(args.name)
    if report.srm:
        print(_srm_warning(report), file=sys.stderr)
    if args.plot is not None:
        from shopgraph.graph.experiments.plot import plot_report

        plot_report(report, args.plot)
    if args.json:
        print_json(report.to_dict())
    else:
        print(render_report(report))
        if args.plot is not None:
            print(f"Plot: {args.plot}")
    return 0


def _click(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        done = shop.click(args.request_id, args.item, at=args.at)
    print(
        f"Click on {done.item_id} (position {done.position}) logged for request {done.request_id} "
        f"of experiment {done.experiment}, variant {done.variant}."
    )
    return 0


def _purge(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        deleted = purge_log(shop.runner, timedelta(days=args.days))
    print(f"Deleted {deleted:,} exposures older than {args.days:g} days.")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from shopgraph.evaluation.experiment_simulation import (
        SimulationConfig,
        clicks_per_request,
        first_request_rates,
        simulate,
    )

    settings = settings_from(args)
    if not settings.embedded:
        raise ConfigError(
            "experiment simulate replays into temporary embedded Neo4j servers of its own; "
            "unset NEO4J_URI."
        )
    if args.runs < 1 or args.max_requests < 1:
        raise ConfigError("--runs and --max-requests must be at least 1.")
    progress = StageBars("shopper", show_progress(args))

    @contextmanager
    def temporary_shop() -> Iterator[ShopGraph]:
        with server.temporary(settings) as temporary, ShopGraph.connect(temporary) as shop:
            yield shop

    config = SimulationConfig(baskets=args.baskets, max_requests=args.max_requests)
    result = simulate(
        temporary_shop,
        settings.data_dir,
        config,
        runs=args.runs,
        skew=args.skew,
        progress=progress,
    )
    if args.plot is not None:
        from shopgraph.graph.experiments.plot import plot_report

        plot_report(result.ab.report, args.plot)
    if args.json:
        print_json(
            {
                "history_orders": result.history,
                "shoppers": result.ab.shoppers,
                "max_requests": config.max_requests,
                "offline_hit_rate": result.offline,
                "online_clicks_per_request": clicks_per_request(result.ab.report),
                "offline_first_request_hit_rate": result.offline_first,
                "online_first_request_hit_rate": first_request_rates(result.ab),
                "ab": result.ab.report.to_dict() | {"requests": result.ab.requests},
                "aa": {
                    "runs": result.aa_runs.runs,
                    "alpha": result.aa_runs.alpha,
                    "false_positive_rate": result.aa_runs.false_positives,
                    "srm_flag_rate": result.aa_runs.srm_flags,
                },
                "skewed_assignment": {
                    "srm": result.skewed.srm,
                    "srm_p_value": result.skewed.srm_p_value,
                    "users": {v.name: v.users for v in result.skewed.variants},
                },
            }
        )
        return 0
    offline = result.offline
    ratio = offline["shopgraph"] / offline["popularity"] if offline["popularity"] else math.nan
    hits = clicks_per_request(result.ab.report)
    online = hits["shopgraph"] / hits["popularity"] if hits["popularity"] else math.nan
    print(
        f"UCI Online Retail: {result.history:,} history orders; {result.ab.shoppers:,} shoppers, "
        f"up to {config.max_requests} bundle requests each, replayed through the live API.\n"
    )
    print("A/B (control popularity, treatment shopgraph):")
    print(render_report(result.ab.report))
    print(
        f"\nOffline HitRate@{config.k} on the same history: shopgraph {offline['shopgraph']:.4f}, "
        f"popularity {offline['popularity']:.4f} (ratio {ratio:.2f}); online clicks per "
        f"request: shopgraph {hits['shopgraph']:.4f}, popularity {hits['popularity']:.4f} "
        f"(ratio {online:.2f})."
    )
    first = first_request_rates(result.ab)
    print(
        "First requests, the same cart and target: offline shopgraph "
        f"{result.offline_first['shopgraph']:.4f}, popularity "
        f"{result.offline_first['popularity']:.4f} (ratio {_ratio(result.offline_first):.2f}); "
        f"online shopgraph {first['shopgraph']:.4f}, popularity {first['popularity']:.4f} "
        f"(ratio {_ratio(first):.2f})."
    )
    rates = ", ".join(
        f"{_HEADINGS[m]} {100 * rate:.1f}%" for m, rate in result.aa_runs.false_positives.items()
    )
    print(
        f"\nA/A over {result.aa_runs.runs} runs (one replay, relabeled by {result.aa_runs.runs} "
        f"salts): p < {result.aa_runs.alpha:g} in {rates}; sample-ratio mismatch flagged in "
        f"{100 * result.aa_runs.srm_flags:.1f}% of runs."
    )
    users = " / ".join(f"{v.users:,}" for v in result.skewed.variants)
    print(
        f"Skewed assignment ({100 * args.skew:.0f}/{100 - 100 * args.skew:.0f} against 50/50): "
        f"users {users}, SRM p = "
        f"{_p(result.skewed.srm_p_value)}: {'flagged' if result.skewed.srm else 'NOT flagged'}."
    )
    if args.plot is not None:
        print(f"Plot: {args.plot}")
    return 0


def _ratio(rates: dict[str, float]) -> float:
    """shopgraph's rate over popularity's (NaN when popularity's is 0)."""
    return rates["shopgraph"] / rates["popularity"] if rates["popularity"] else math.nan


def render_report(report: ExperimentReport) -> str:
    """The report as text: one line per variant, then each variant's lifts over the control."""
    e = report.experiment
    lines = [
        f"Experiment {e.name} ({report.status}), control {e.control}; unit: user; delta "
        f"method, 95% intervals; attribution: last touch within {e.attribution_hours:g} h",
        "",
        f"  {'variant':<16} {'share':>5} {'users':>8} {'requests':>9}"
        + "".join(f" {_HEADINGS[m]:>12}" for m in METRICS),
    ]
    for v in report.variants:
        values = "".join(f" {_number(v.metrics[m].value, m):>12}" for m in METRICS)
        lines.append(f"  {v.name:<16} {v.share:>5.2f} {v.users:>8,} {v.requests:>9,}{values}")
    lines += ["", f"Lift over {e.control}:"]
    lines.append(f"  {'variant':<16} {'metric':<13} {'lift':>8}  {'95% interval':<20} p-value")
    for variant, lifts in report.lifts.items():
        for m in METRICS:
            x = lifts[m]
            interval = f"[{_pct(x.low)}, {_pct(x.high)}]"
            lines.append(
                f"  {variant:<16} {_HEADINGS[m]:<13} {_pct(x.relative):>8}  {interval:<20} "
                f"{_p(x.p_value)}"
            )
    users = " / ".join(f"{v.users:,}" for v in report.variants)
    shares = " / ".join(f"{v.share:.2f}" for v in report.variants)
    verdict = "MISMATCH" if report.srm else "no mismatch"
    lines += [
        "",
        f"Sample ratio: users {users} against shares {shares}: p = {_p(report.srm_p_value)} "
        f"({verdict} at {SRM_THRESHOLD:g})",
    ]
    if report.switched_users:
        lines.append(f"Users in more than one variant (merged visitors): {report.switched_users:,}")
    if report.unpriced:
        lines.append(f"Attributed order lines without a price (revenue 0): {report.unpriced:,}")
    return "\n".join(lines)


def _srm_warning(report: ExperimentReport) -> str:
    users = ", ".join(f"{v.name} {v.users:,}" for v in report.variants)
    shares = ", ".join(f"{v.name} {v.share:.2f}" for v in report.variants)
    return (
        f"shopgraph: WARNING: SAMPLE RATIO MISMATCH in experiment {report.experiment.name}: "
        f"users {users} against shares {shares} (p = {_p(report.srm_p_value)} < "
        f"{SRM_THRESHOLD:g}). The assignment or the log is broken: do not trust these lifts."
    )


def _describe(info: ExperimentInfo) -> str:
    e = info.experiment
    lines = [
        f"Experiment {e.name}: {info.status}"
        + (f" (stopped {time_text(info.stopped_at)})" if info.stopped_at else ""),
        f"  surfaces: {', '.join(e.surfaces)}",
        f"  from {time_text(e.start)} to {time_text(e.end)}; salt {e.salt!r}; control {e.control}; "
        f"attribution {e.attribution_hours:g} h",
        "  variants:",
    ]
    for v in e.variants:
        definition = v.definition()
        extra = {k: value for k, value in definition.items() if k not in ("name", "share")}
        lines.append(f"    {v.name:<16} share {v.share:.2f}  {extra or '(the call as it is)'}")
    return "\n".join(lines)


def _plain(info: ExperimentInfo) -> dict[str, Any]:
    definition = info.experiment.definition()
    return {
        **definition,
        "start": time_text(info.experiment.start),
        "end": time_text(info.experiment.end),
        "status": info.status,
        "created_at": time_text(info.created_at),
        "stopped_at": time_text(info.stopped_at) if info.stopped_at else None,
    }


def _number(value: float, metric: str) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:,.2f}" if metric == "revenue_per_user" else f"{value:.4f}"


def _pct(value: float) -> str:
    return f"{100 * value:+.1f}%" if math.isfinite(value) else "-"


def _p(value: float) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:.2g}" if value < 0.001 else f"{value:.3f}"
