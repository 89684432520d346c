"""``shopgraph experiment start|stop|list|show|report|purge|simulate``: online experiments."""

from __future__ import annotations

import argparse
import math
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from shopgraph.cli._common import add_connection_flags, print_json, settings_from
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
    purge = actions.add_parser("purge", help="delete log entries older than the retention")
    purge.add_argument(
        "--days",
        type=float,
        default=RETENTION.days,
        help=f"retention in days (default {RETENTION.days})",
    )
    purge.set_defaults(run=_purge)
    for sub in (start, stop, listing, show, report, purge):
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


def _purge(args: argparse.Namespace) -> int:
    with ShopGraph.connect(settings_from(args)) as shop:
        deleted = purge_log(shop.runner, timedelta(days=args.days))
    print(f"Deleted {deleted:,} exposures older than {args.days:g} days.")
    return 0


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
