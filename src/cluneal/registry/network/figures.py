"""The network's own figures: forest plots and each installation's Kaplan-Meier curve beside
the pooled one. The figures that exist for one installation (flow, relief, durations, the pooled
Kaplan-Meier curves) are the registry's own (:mod:`cluneal.registry.figures`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from cluneal.registry.figures import COLOURS
from cluneal.registry.survival import Curve

#: Above this many installations the legend of the curves is left out (the table names them).
MAX_LEGEND = 12
PALETTE = ("#1f6f8b", "#c8553d", "#5b8c3a", "#8a5a9e", "#b8860b", "#4a4a4a")


@dataclass(frozen=True)
class Row:
    label: str
    estimate: float | None
    lower: float | None
    upper: float | None
    #: ``study`` (a square sized by its weight), ``pooled`` (a diamond) or ``overall`` (a dot).
    kind: str = "study"
    weight: float | None = None
    #: Said in place of the estimate when there is none.
    missing: str = "not estimable"


@dataclass(frozen=True)
class Panel:
    title: str
    rows: tuple[Row, ...]
    xlabel: str
    #: The line of no effect (1 for an odds ratio, 0 for a change).
    null: float | None = None
    #: Other vertical lines: (x, label), e.g. a published figure.
    marks: tuple[tuple[float, str], ...] = ()
    log: bool = False


def forest_figure(title: str, panels: Sequence[Panel], note: str | None = None) -> Figure:
    """One forest plot per panel, sharing the rows' labels (the first panel's)."""
    labels = [r.label for r in panels[0].rows] if panels else []
    height = 1.6 + 0.26 * max(len(labels), 3) + (0.3 if note else 0)
    fig = Figure(figsize=(7.0 if len(panels) < 3 else 9.0, height), layout="constrained")
    axes = fig.subplots(1, max(len(panels), 1), sharey=True, squeeze=False)[0]
    fig.suptitle(title, fontsize=11)
    y = list(range(len(labels), 0, -1))
    for ax, panel in zip(axes, panels, strict=False):
        ax.set_title(panel.title, fontsize=9)
        for yy, row in zip(y, panel.rows, strict=True):
            _row(ax, yy, row)
        if panel.null is not None:
            ax.axvline(panel.null, color="#555555", linewidth=1)
        for x, text in panel.marks:
            ax.axvline(x, color="#555555", linestyle="--", linewidth=1)
            ax.text(x, len(labels) + 0.6, text, fontsize=7, ha="center", va="bottom")
        if panel.log:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
        ax.set_xlabel(panel.xlabel, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.set_ylim(0.3, len(labels) + 1.2)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, labels, fontsize=8)
    if note:
        fig.text(0.01, 0.005, note, fontsize=7, ha="left", va="bottom")
    return fig


def _row(ax: Axes, y: float, row: Row) -> None:
    if row.estimate is None or row.lower is None or row.upper is None:
        ax.text(0.02, y, row.missing, fontsize=7, va="center", transform=ax.get_yaxis_transform())
        return
    colour = COLOURS["all"]
    if row.kind == "pooled":
        xs = [row.lower, row.estimate, row.upper, row.estimate]
        ax.fill(xs, [y, y + 0.3, y, y - 0.3], color="#222222")
        return
    ax.plot([row.lower, row.upper], [y, y], color=colour if row.kind == "study" else "#222222")
    if row.kind == "overall":
        ax.plot([row.estimate], [y], "o", color="#222222", markersize=5)
        return
    size = 4 + 10 * (row.weight or 0.0) ** 0.5
    ax.plot([row.estimate], [y], "s", color=colour, markersize=size)


def installations_km_figure(
    title: str, pooled: Curve, curves: Sequence[tuple[str, Curve | None]]
) -> Figure:
    """Each installation's Kaplan-Meier curve (thin) with the pooled curve (thick)."""
    fig = Figure(figsize=(7.0, 4.0), layout="constrained")
    ax = fig.subplots()
    ax.set_title(title, fontsize=11)
    drawn = [(label, c) for label, c in curves if c is not None and c.n]
    if not drawn:
        ax.text(0.5, 0.5, "No data in these shares", ha="center", va="center")
        ax.set_xticks([])
        ax.set_yticks([])
        return fig
    end = max(c.longest for _, c in drawn)
    for k, (label, c) in enumerate(drawn):
        ax.step(
            [*c.times, end],
            [*c.survival, c.survival[-1]],
            where="post",
            color=PALETTE[k % len(PALETTE)],
            linewidth=1,
            alpha=0.8,
            label=f"{label} (n = {c.n})",
        )
    if pooled.n:
        ax.step(
            [*pooled.times, end],
            [*pooled.survival, pooled.survival[-1]],
            where="post",
            color="#000000",
            linewidth=2.2,
            label=f"All installations (n = {pooled.n})",
        )
    ax.set_ylim(0, 1.05)
    ax.set_xlim(0, max(end, 1.0))
    ax.set_ylabel("Free of recurrence")
    ax.set_xlabel(f"Time ({pooled.unit})")
    ax.grid(alpha=0.3)
    if len(drawn) <= MAX_LEGEND:
        ax.legend(loc="best", fontsize=7, frameon=False)
    return fig
