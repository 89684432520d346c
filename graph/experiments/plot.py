"""The report's plot: each metric's lift over the control, day by day, with its 95% interval.

matplotlib is an optional extra (``pip install 'shopgraph[plot]'``; the gnn extra has it too):
a plain install reports without it and refuses a plot with a clear error.
"""

from __future__ import annotations

import math
from pathlib import Path

from shopgraph.core.errors import ConfigError
from shopgraph.graph.experiments.report import METRICS, ExperimentReport

__all__ = ["plot_report"]

_TITLES = {
    "ctr": "CTR",
    "add_to_cart_rate": "add-to-cart rate",
    "conversion": "conversion",
    "revenue_per_user": "revenue per user",
}


def plot_report(report: ExperimentReport, path: Path) -> Path:
    """Draws each metric's cumulative lift per variant, with its 95% interval, into a PNG.

    Args:
        report: The report (its ``days``).
        path: The PNG to write.

    Returns:
        ``path``.

    Raises:
        ConfigError: When matplotlib is not installed.
    """
    try:
        import matplotlib
    except ModuleNotFoundError as e:
        raise ConfigError(
            "The report's plot needs matplotlib, which a plain install does not have: "
            "pip install 'shopgraph[plot]'."
        ) from e
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    control = report.experiment.control
    others = [v.name for v in report.experiment.variants if v.name != control]
    days = [d.day for d in report.days]
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), dpi=100, sharex=True)
    try:
        for axis, metric in zip(axes.flat, METRICS, strict=True):
            for n, variant in enumerate(others):
                lifts = [d.lifts[variant][metric] for d in report.days]
                relative = [_percent(x.relative) for x in lifts]
                low = [_percent(x.low) for x in lifts]
                high = [_percent(x.high) for x in lifts]
                color = f"C{n}"
                axis.plot(days, relative, color=color, marker=".", label=variant)
                axis.fill_between(days, low, high, color=color, alpha=0.2, linewidth=0)
            axis.axhline(0.0, color="black", linewidth=0.8, linestyle="--")
            axis.set_title(_TITLES[metric])
            axis.set_ylabel(f"lift over {control} (%)")
            axis.tick_params(axis="x", labelrotation=30)
        axes.flat[0].legend(loc="best", fontsize="small")
        fig.suptitle(
            f"{report.experiment.name}: cumulative lift by day, 95% intervals "
            "(unit: user, delta method)"
        )
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path


def _percent(value: float) -> float:
    return 100.0 * value if math.isfinite(value) else math.nan
