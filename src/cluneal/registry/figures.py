"""The registry's figures, drawn with matplotlib's object API (no pyplot: no global figure
state, safe in a threaded server) and rendered to SVG, PNG or PDF.

Under small-cell suppression a figure resting on fewer than ``min_cell`` observations is not
drawn (the panel says so), and numbers printed on a figure follow the tables' rule.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cluneal.core.numbers import plain
from cluneal.knowledge import vocabulary as v
from cluneal.registry.blocks import (
    RELIEF_BINS,
    BlockCounts,
    BlockResponse,
    counts_of,
    duration_bins,
)
from cluneal.registry.flow import STEPS, Flow
from cluneal.registry.questionnaires import LABELS, Change
from cluneal.registry.survival import Curve
from cluneal.registry.svg import inline_svg
from cluneal.registry.tables import small_count

FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
COLOURS = {"scn": "#1f6f8b", "mcn": "#c8553d", "all": "#1f6f8b"}
#: Above this many patients the questionnaire panels show the box plot (with outliers) only:
#: every point would make the page's SVG megabytes long.
MAX_POINTS = 300
#: matplotlib's rcParams are global; one figure is rendered at a time.
_LOCK = threading.Lock()


def _empty(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])


def _withheld(n: int, min_cell: int) -> str | None:
    if n == 0:
        return "No data in this selection"
    if min_cell > 1 and n < min_cell:
        return f"Fewer than {min_cell} observations: not shown (small-cell suppression)"
    return None


def _shown(ax: Axes, n: int, min_cell: int) -> bool:
    """Whether the ``n`` observations of ``ax`` may be drawn; if not, ``ax`` says why."""
    withheld = _withheld(n, min_cell)
    if withheld is not None:
        _empty(ax, withheld)
    return withheld is None


def _single(title: str, height: float) -> tuple[Figure, Axes]:
    """A figure 7 inches wide of one set of axes, titled."""
    fig = Figure(figsize=(7.0, height), layout="constrained")
    ax = fig.subplots()
    ax.set_title(title, fontsize=11)
    return fig, ax


def km_figure(curve: Curve, min_cell: int = 0) -> Figure:
    fig = Figure(figsize=(7.0, 4.4), layout="constrained")
    ax, risk = fig.subplots(2, 1, height_ratios=[5, 1], sharex=False)
    ax.set_title(curve.title, fontsize=11)
    if not _shown(ax, curve.n, min_cell):
        risk.set_axis_off()
        return fig
    ticks = curve.ticks()
    times = [*curve.times, max(ticks[-1], curve.times[-1])]
    ax.step(
        times,
        [*curve.survival, curve.survival[-1]],
        where="post",
        color=COLOURS["all"],
        label="Kaplan-Meier estimate",
    )
    ax.fill_between(
        times,
        [*curve.lower, curve.lower[-1]],
        [*curve.upper, curve.upper[-1]],
        step="post",
        color=COLOURS["all"],
        alpha=0.18,
        linewidth=0,
        label="95 % confidence interval (pointwise)",
    )
    marks = [(t, s[0]) for t in curve.censored_times() if (s := curve.at(t)) is not None]
    if marks:
        ax.plot(
            [t for t, _ in marks],
            [s for _, s in marks],
            "|",
            color="#333333",
            markersize=8,
            label="censored",
        )
    ax.set_ylim(0, 1.05)
    ax.set_xlim(0, max(times[-1], 1.0))  # every episode at time 0 still gets an axis
    ax.set_xticks(ticks)
    ax.set_ylabel("Free of recurrence")
    ax.set_xlabel(
        f"Time since the {'block' if curve.kind == 'block' else 'treatment'} ({curve.unit})"
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8, frameon=False)
    risk.set_xlim(ax.get_xlim())
    risk.set_ylim(0, 1)
    risk.set_axis_off()
    risk.text(0, 0.85, "Number at risk", fontsize=8, transform=risk.transAxes, va="top")
    for t in ticks:
        risk.text(t, 0.25, small_count(curve.at_risk(t), min_cell), ha="center", fontsize=9)
    return fig


def flow_figure(flow: Flow, min_cell: int = 0) -> Figure:
    fig, ax = _single("Cohort flow per nerve", 3.6)
    if not _shown(ax, flow.n("any", "assessed"), min_cell):
        return fig
    y = np.arange(len(STEPS))
    height = 0.38
    for k, nerve in enumerate(v.NERVES):
        counts = [flow.n(nerve, s.id) for s in STEPS]
        bars = ax.barh(
            y + (k - 0.5) * height, counts, height, color=COLOURS[nerve], label=nerve.upper()
        )
        ax.bar_label(bars, labels=[small_count(c, min_cell) for c in counts], padding=2, fontsize=8)
    ax.set_yticks(y, [s.label for s in STEPS])
    ax.invert_yaxis()
    ax.set_xlabel("Patients")
    ax.legend(frameon=False, fontsize=8)
    ax.margins(x=0.12)
    return fig


def _grouped_bars(
    ax: Axes, labels: Sequence[str], counts: dict[str, list[int]], min_cell: int
) -> None:
    x = np.arange(len(labels))
    width = 0.4
    for k, nerve in enumerate(v.NERVES):
        bars = ax.bar(
            x + (k - 0.5) * width, counts[nerve], width, color=COLOURS[nerve], label=nerve.upper()
        )
        ax.bar_label(
            bars, labels=[small_count(c, min_cell) for c in counts[nerve]], fontsize=8, padding=1
        )
    ax.set_xticks(x, labels, rotation=20, ha="right", fontsize=8)
    ax.legend(frameon=False, fontsize=8)
    ax.margins(y=0.15)


def relief_figure(r: BlockResponse | BlockCounts, min_cell: int = 0) -> Figure:
    c = r if isinstance(r, BlockCounts) else counts_of(r)
    fig, ax = _single("Relief after each block", 3.8)
    if not _shown(ax, sum(c.group("relief", "any")), min_cell):
        return fig
    labels = [label.split(" (")[0] for label, _, _ in RELIEF_BINS]
    _grouped_bars(ax, labels, {n: list(c.relief[n]) for n in v.NERVES}, min_cell)
    ax.set_ylabel("Blocks")
    ax.set_xlabel("Relief (before - after) / before")
    return fig


def duration_figure(r: BlockResponse | BlockCounts, min_cell: int = 0) -> Figure:
    c = r if isinstance(r, BlockCounts) else counts_of(r)
    fig, ax = _single("How long the relief of a positive block lasted", 3.8)
    if not _shown(ax, sum(c.group("durations", "any")), min_cell):
        return fig
    bins = duration_bins(c.threshold_days)
    _grouped_bars(
        ax, [label for label, _, _ in bins], {n: list(c.durations[n]) for n in v.NERVES}, min_cell
    )
    edge = next(i for i, (_, _, high) in enumerate(bins) if high == float(c.threshold_days))
    ax.axvline(edge + 0.5, color="#555555", linestyle="--", linewidth=1)
    ax.text(
        edge + 0.55,
        ax.get_ylim()[1] * 0.95,
        f"{plain(c.threshold_days)} days (E6, expert opinion)",
        fontsize=8,
        va="top",
    )
    ax.set_ylabel("Positive blocks")
    return fig


def questionnaire_figure(items: Sequence[Change], min_cell: int = 0) -> Figure:
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    axes = fig.subplots(1, len(items))
    fig.suptitle("Change from baseline (follow-up minus baseline)", fontsize=11)
    rng = np.random.default_rng(0)
    for ax, c in zip(np.atleast_1d(axes), items, strict=True):
        ax.set_title(LABELS[c.instrument], fontsize=9)
        withheld = _withheld(c.n, min_cell)
        if withheld is not None:
            _empty(ax, "No paired scores" if c.n == 0 else f"Fewer than {min_cell}")
            continue
        change = [-p.improvement for p in c.pairs]
        ax.axhspan(-c.mic_points, c.mic_points, color="#dddddd", alpha=0.6, linewidth=0)
        ax.axhline(-c.mic_points, color="#555555", linestyle="--", linewidth=1)
        ax.boxplot(change, widths=0.5, showfliers=len(change) > MAX_POINTS)
        if len(change) <= MAX_POINTS:
            ax.plot(
                1 + rng.uniform(-0.15, 0.15, len(change)),
                change,
                "o",
                alpha=0.5,
                markersize=3,
                color=COLOURS["all"],
            )
        ax.set_xticks([1], [f"n = {small_count(c.n, min_cell)}"])
        ax.text(
            1.45,
            -c.mic_points,
            f"-MIC ({plain(c.mic_points)})",
            fontsize=7,
            va="bottom",
            ha="right",
        )
    return fig


def render(fig: Figure, fmt: str) -> bytes:
    """The figure as SVG, PNG or PDF bytes, without timestamps (same input, same file)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}")
    metadata: dict[str, None] = {"svg": {"Date": None}, "pdf": {"CreationDate": None}, "png": {}}[
        fmt
    ]
    buffer = io.BytesIO()
    with _LOCK, matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cluneal"}):
        fig.savefig(buffer, format=fmt, dpi=150 if fmt == "png" else "figure", metadata=metadata)
    return buffer.getvalue()


def page_svg(fig: Figure, name: str, label: str) -> str:
    """The figure as an SVG element for the page (see :mod:`cluneal.registry.svg`)."""
    return inline_svg(render(fig, "svg").decode("utf-8"), f"{name}-", label)
