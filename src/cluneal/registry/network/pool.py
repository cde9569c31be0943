"""Pooling shares: every number of the network's report, from shares that passed
:func:`cluneal.registry.network.check.compatible`.

* Counts (flow, block response, exclusions, questionnaire MIC counts) are added up. A count a
  share withheld (small-cell suppression) lies between 1 and its ``min_cell - 1``, so each
  pooled count is computed twice, at the lowest (``LOW``) and the highest (``HIGH``) values
  the withheld counts can take; where the two differ the tables show the range.
* Kaplan-Meier: the life tables of the shares are merged and the curve is fitted on the merged
  table (:func:`cluneal.registry.survival.from_life_table`): exactly the curve of all the
  installations' nerve-sides together. A life table a share withheld is left out, and said so.
* Block response: Kuniya's proportions per installation, pooled by a random-effects
  meta-analysis, beside the crude proportion of all nerve-sides together.
* Claim E6: Mantel-Haenszel over installations as strata; an installation whose 2 x 2 table has
  a withheld cell is left out of it.
* Questionnaires: the change of all patients together, combined exactly from each share's n,
  means and SD, and a random-effects meta-analysis of the mean change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import KnowledgePack
from cluneal.registry import flow, survival
from cluneal.registry.blocks import BlockCounts
from cluneal.registry.cohort import INSTRUMENTS
from cluneal.registry.comparison import TwoByTwo
from cluneal.registry.network import share as sh
from cluneal.registry.network import stats
from cluneal.registry.network.check import Share
from cluneal.registry.questionnaires import ChangeSummary

LOW, HIGH = "low", "high"
MEASURES = {"over_20mm": "Decrease > 2 points (≈ 20 mm)", "over_50pct": "Decrease > 50 %"}


def value(x: Any, share: Share, bound: str) -> int:
    """A shared count, or the bound a withheld one (null) can take."""
    if x is not None:
        return int(x)
    return 1 if bound == LOW else max(1, share.min_cell - 1)


def flow_of(shares: Sequence[Share], bound: str) -> flow.Flow:
    counts = {g: dict.fromkeys(sh.FLOW_KEYS, 0) for g in flow.GROUPS}
    patients = 0
    for s in shares:
        patients += value(s.data["patients"], s, bound)
        for g in flow.GROUPS:
            for k in sh.FLOW_KEYS:
                counts[g][k] += value(s.data["flow"][g][k], s, bound)
    return flow.Flow(patients, counts)


def block_counts_of(shares: Sequence[Share], bound: str) -> BlockCounts:
    threshold = float(shares[0].data["definitions"]["favourable_relief_days"])

    def lists(key: str) -> dict[str, tuple[int, ...]]:
        out = {}
        for n in v.NERVES:
            rows = [[value(x, s, bound) for x in s.data["blocks"][key][n]] for s in shares]
            out[n] = tuple(sum(col) for col in zip(*rows, strict=True))
        return out

    def singles(key: str) -> dict[str, int]:
        return {n: sum(value(s.data["blocks"][key][n], s, bound) for s in shares) for n in v.NERVES}

    kuniya = {
        n: tuple(
            sum(value(s.data["blocks"]["kuniya"][n][k], s, bound) for s in shares)
            for k in sh.KUNIYA_KEYS
        )
        for n in v.NERVES
    }
    return BlockCounts(
        relief=lists("relief"),
        undefined=singles("relief_undefined"),
        kuniya={n: (k[0], k[1], k[2]) for n, k in kuniya.items()},
        durations=lists("durations"),
        still_relieved=lists("still_relieved"),
        duration_missing=singles("duration_missing"),
        threshold_days=threshold,
    )


def _excluded(items: Sequence[tuple[Share, Mapping[str, Any]]], bound: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for s, excluded in items:
        for reason, n in excluded.items():
            out[reason] += value(n, s, bound)
    return out


def life_rows(s: Share, kind: str) -> list[tuple[float, int, int]] | None:
    table = s.data["recurrence"][kind]["life_table"]
    return None if table is None else [(t, e, c) for t, _, e, c in table]


def curve_of(s: Share, kind: str) -> survival.Curve | None:
    rows = life_rows(s, kind)
    if rows is None:
        return None
    excluded = _excluded([(s, s.data["recurrence"][kind]["excluded"])], LOW)
    return survival.from_life_table(kind, rows, excluded)


def pooled_curves(shares: Sequence[Share], kind: str) -> dict[str, survival.Curve]:
    """The curve of the merged life tables, with exclusions at either bound."""
    rows = [row for s in shares for row in life_rows(s, kind) or []]
    items = [(s, s.data["recurrence"][kind]["excluded"]) for s in shares]
    low = survival.from_life_table(kind, rows, _excluded(items, LOW))
    return {LOW: low, HIGH: replace(low, excluded=tuple(sorted(_excluded(items, HIGH).items())))}


def two_by_two(s: Share) -> TwoByTwo | None:
    cells = s.data["surgery_by_relief"]["cells"]
    if any(cells[k] is None for k in sh.E6_CELLS):
        return None
    return TwoByTwo(*(int(cells[k]) for k in sh.E6_CELLS))


def _summary(
    instrument: str, q: Mapping[str, Any], mic: Mapping[str, Any], sources: Any, count: Any
) -> ChangeSummary:
    return ChangeSummary(
        instrument=instrument,
        n=int(q["patients"]),
        baseline_mean=q["baseline_mean"],
        follow_up_mean=q["follow_up_mean"],
        change_mean=q["change_mean"],
        change_sd=q["change_sd"],
        reached_points=count(q["reached_mic_points"]),
        reached_percent=count(q["reached_mic_percent"]),
        worsened=count(q["worsened_mic_points"]),
        mic_points=float(mic["points"]),
        mic_percent=float(mic["percent"]),
        sources=tuple(sources),
    )


def pooled_change(
    shares: Sequence[Share], instrument: str, sources: tuple[str, ...], bound: str
) -> ChangeSummary:
    """All patients of the shares that give their number, combined exactly: the pooled mean is
    the n-weighted mean, and the pooled SD adds the within-share sums of squares to the
    between-share ones, (sum (n_i - 1) s_i² + sum n_i (m_i - m)²) / (N - 1)."""
    known = [(s, s.data["questionnaires"][instrument]) for s in shares]
    known = [(s, q) for s, q in known if q["patients"]]
    mic = shares[0].data["definitions"]["mic"][instrument]
    n = sum(int(q["patients"]) for _, q in known)

    def mean(key: str) -> float | None:
        return sum(q["patients"] * q[key] for _, q in known) / n if n else None

    change = mean("change_mean")
    sd = None
    if n >= 2 and change is not None:
        within = sum((q["patients"] - 1) * (q["change_sd"] or 0.0) ** 2 for _, q in known)
        between = sum(q["patients"] * (q["change_mean"] - change) ** 2 for _, q in known)
        sd = ((within + between) / (n - 1)) ** 0.5
    pooled = {
        "patients": n,
        "baseline_mean": mean("baseline_mean"),
        "follow_up_mean": mean("follow_up_mean"),
        "change_mean": change,
        "change_sd": sd,
    }
    for key in sh.QUESTIONNAIRE_COUNTS[1:]:
        pooled[key] = sum(value(q[key], s, bound) for s, q in known)
    return _summary(instrument, pooled, mic, sources, int)


@dataclass(frozen=True)
class Pooled:
    shares: tuple[Share, ...]
    flow: dict[str, flow.Flow]
    blocks: dict[str, BlockCounts]
    #: Per curve kind: the pooled curve at either bound of its exclusions.
    curves: dict[str, dict[str, survival.Curve]]
    #: Per curve kind: each installation's own curve (None when its share withheld it).
    installation_curves: dict[str, tuple[tuple[str, survival.Curve | None], ...]]
    #: Per nerve and measure: the random-effects meta-analysis and the crude proportion.
    meta: dict[tuple[str, str], stats.Meta]
    crude: dict[tuple[str, str], tuple[int, int]]
    #: Each installation's 2 x 2 table of claim E6 (None when a cell was withheld).
    strata: tuple[tuple[str, TwoByTwo | None], ...]
    mantel_haenszel: stats.MantelHaenszel | None
    #: Per bound: the change of all patients together, per instrument.
    questionnaires: dict[str, tuple[ChangeSummary, ...]]
    questionnaire_meta: dict[str, stats.Meta]

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.shares]

    def withholding(self) -> list[tuple[str, int]]:
        """Installations whose shares withheld small counts, with how many."""
        found = [(s.label, withheld_counts(s)) for s in self.shares]
        return [(label, n) for label, n in found if n]


def withheld_counts(s: Share) -> int:
    """How many counts of a share small-cell suppression withheld."""
    d = s.data
    counts: list[Any] = [d["patients"]]
    counts += [d["flow"][g][k] for g in flow.GROUPS for k in sh.FLOW_KEYS]
    for key, per in d["blocks"].items():
        for n in v.NERVES:
            x = per[n]
            counts += list(x.values()) if key == "kuniya" else x if isinstance(x, list) else [x]
    for c in d["recurrence"].values():
        counts += [c["nerve_sides"], *c["excluded"].values()]
    e6 = d["surgery_by_relief"]
    counts += [*e6["cells"].values(), *e6["excluded"].values()]
    for q in d["questionnaires"].values():
        counts += [q[k] for k in sh.QUESTIONNAIRE_COUNTS]
    return sum(x is None for x in counts)


def pool(shares: Sequence[Share], pack: KnowledgePack) -> Pooled:
    shares = tuple(shares)
    meta, crude = {}, {}
    for nerve in v.NERVES:
        for measure in MEASURES:
            rows = []
            for s in shares:
                k = s.data["blocks"]["kuniya"][nerve]
                if k["blocked"] is not None and k[measure] is not None:
                    rows.append((s.label, int(k[measure]), int(k["blocked"])))
            meta[nerve, measure] = stats.meta_proportions(rows)
            crude[nerve, measure] = (sum(r[1] for r in rows), sum(r[2] for r in rows))
    strata = tuple((s.label, two_by_two(s)) for s in shares)
    known = [t for _, t in strata if t is not None]
    q_meta = {}
    changes = {
        b: tuple(
            pooled_change(shares, i, tuple(pack.instruments[i].sources), b) for i in INSTRUMENTS
        )
        for b in (LOW, HIGH)
    }
    for i in INSTRUMENTS:
        rows_q = []
        for s in shares:
            q = s.data["questionnaires"][i]
            if q["patients"] and q["change_sd"] is not None:
                rows_q.append((s.label, int(q["patients"]), q["change_mean"], q["change_sd"]))
        q_meta[i] = stats.meta_means(rows_q)
    return Pooled(
        shares=shares,
        flow={b: flow_of(shares, b) for b in (LOW, HIGH)},
        blocks={b: block_counts_of(shares, b) for b in (LOW, HIGH)},
        curves={k: pooled_curves(shares, k) for k in survival.KINDS},
        installation_curves={
            k: tuple((s.label, curve_of(s, k)) for s in shares) for k in survival.KINDS
        },
        meta=meta,
        crude=crude,
        strata=strata,
        mantel_haenszel=stats.mantel_haenszel(known),
        questionnaires=changes,
        questionnaire_meta=q_meta,
    )
