"""The network's statistics, from the libraries made for them.

* Random-effects meta-analysis (statsmodels ``combine_effects``, Paule-Mandel estimate of the
  between-installation variance tau², I² and Cochran's Q): of proportions on the logit scale
  (variance 1/k + 1/(n - k), 0.5 added to both when k is 0 or n), and of mean changes (variance
  SD² / n).
* Mantel-Haenszel odds ratio over installations as strata (statsmodels ``StratifiedTable``:
  the Robins-Breslow-Greenland interval, the Cochran-Mantel-Haenszel test and the Breslow-Day
  test of a common odds ratio).
* The log-rank test of equal Kaplan-Meier curves across installations (statsmodels
  ``survdiff``).
* The exact conditional test of a common odds ratio of 1 (as R's ``mantelhaen.test(exact =
  TRUE)``): given every margin, the count in the first cell of each stratum is hypergeometric
  (scipy), their sum has the convolution of those distributions, and the two-sided p-value adds
  the probabilities of every sum no more likely than the one observed. With one stratum it is
  Fisher's exact test.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import hypergeom  # type: ignore[import-untyped]
from statsmodels.stats.contingency_tables import StratifiedTable  # type: ignore[import-untyped]
from statsmodels.stats.meta_analysis import combine_effects  # type: ignore[import-untyped]
from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]

from cluneal.registry.comparison import Z95, TwoByTwo

#: R's and scipy's tolerance for "no more likely than the observed table".
RELATIVE_ERROR = 1 + 1e-7
METHOD_RE = "iterated"  # Paule-Mandel


@dataclass(frozen=True)
class Study:
    """One installation's estimate in a meta-analysis, on the scale shown (a proportion or a
    mean change), with its 95 % interval and its random-effects weight (0 to 1)."""

    label: str
    estimate: float
    lower: float
    upper: float
    weight: float
    n: int
    #: For a proportion: the count of the numerator.
    events: int | None = None


@dataclass(frozen=True)
class Meta:
    studies: tuple[Study, ...]
    #: Random-effects estimate and 95 % interval (None below two installations).
    pooled: tuple[float, float, float] | None
    i2: float | None
    tau2: float | None
    q: float | None
    q_p: float | None


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def meta_proportions(rows: Sequence[tuple[str, int, int]]) -> Meta:
    """Random-effects meta-analysis of proportions ``(label, events, n)``; rows with n = 0
    are left out."""
    rows = [r for r in rows if r[2] > 0]
    effects, variances = [], []
    for _, k, n in rows:
        a, b = (k + 0.5, n - k + 0.5) if k in (0, n) else (float(k), float(n - k))
        effects.append(math.log(a / b))
        variances.append(1 / a + 1 / b)
    labels: list[tuple[str, int, int | None]] = [(label, n, k) for label, k, n in rows]
    return _combine(labels, effects, variances, transform=_expit)


def meta_means(rows: Sequence[tuple[str, int, float, float]]) -> Meta:
    """Random-effects meta-analysis of means ``(label, n, mean, sd)``; installations with fewer
    than two patients or no spread have no variance and are left out."""
    rows = [r for r in rows if r[1] >= 2 and r[3] > 0]
    labels: list[tuple[str, int, int | None]] = [(label, n, None) for label, n, _, _ in rows]
    return _combine(
        labels,
        [mean for _, _, mean, _ in rows],
        [sd * sd / n for _, n, _, sd in rows],
        transform=float,
    )


def _combine(
    labels: Sequence[tuple[str, int, int | None]],
    effects: Sequence[float],
    variances: Sequence[float],
    transform: Callable[[float], float],
) -> Meta:
    f = transform
    if not labels:
        return Meta((), None, None, None, None, None)
    if len(labels) == 1:
        se = math.sqrt(variances[0])
        e = effects[0]
        label, n, k = labels[0]
        study = Study(label, f(e), f(e - Z95 * se), f(e + Z95 * se), 1.0, n, k)
        return Meta((study,), None, None, None, None, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = combine_effects(np.asarray(effects), np.asarray(variances), method_re=METHOD_RE)
    frame = res.summary_frame()
    studies = tuple(
        Study(
            label,
            f(frame["eff"].iloc[i]),
            f(frame["ci_low"].iloc[i]),
            f(frame["ci_upp"].iloc[i]),
            float(res.weights_rel_re[i]),
            n,
            k,
        )
        for i, (label, n, k) in enumerate(labels)
    )
    re = frame.loc["random effect"]
    homogeneity = res.test_homogeneity()
    return Meta(
        studies,
        (f(re["eff"]), f(re["ci_low"]), f(re["ci_upp"])),
        _i2(float(res.i2)),
        float(res.tau2),
        float(homogeneity.statistic),
        float(homogeneity.pvalue),
    )


def _i2(raw: float) -> float:
    """I² = max(0, (Q - df) / Q) (Higgins 2003); statsmodels gives the unclamped ratio, which
    is negative, or minus infinity when Q is 0."""
    return raw if math.isfinite(raw) and raw > 0 else 0.0


def wilson(k: int, n: int) -> tuple[float, float, float] | None:
    """A proportion with its Wilson 95 % interval (statsmodels); None when n is 0."""
    if n == 0:
        return None
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    return k / n, float(low), float(high)


@dataclass(frozen=True)
class MantelHaenszel:
    odds_ratio: float
    lower: float
    upper: float
    cmh_p: float
    breslow_day_p: float | None
    exact_p: float
    #: Whether a stratum has an expected cell count below 5: the exact test is then the one
    #: to read.
    small: bool


def mantel_haenszel(tables: Sequence[TwoByTwo]) -> MantelHaenszel | None:
    """Mantel-Haenszel over ``tables`` (strata with no patient left out); None when the common
    odds ratio is not estimable (every stratum lacks a concordant or a discordant pair)."""
    tables = [t for t in tables if t.n > 0]
    if not tables:
        return None
    ad = sum(t.a * t.d / t.n for t in tables)
    bc = sum(t.b * t.c / t.n for t in tables)
    if ad == 0 or bc == 0:
        return None
    array = np.array([[[t.a, t.b], [t.c, t.d]] for t in tables], dtype=float).transpose(1, 2, 0)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        st = StratifiedTable(array)
        low, high = st.oddsratio_pooled_confint()
        bd = st.test_equal_odds().pvalue if len(tables) > 1 else None
        cmh = st.test_null_odds(correction=True).pvalue
    return MantelHaenszel(
        odds_ratio=float(st.oddsratio_pooled),
        lower=float(low),
        upper=float(high),
        cmh_p=float(cmh),
        breslow_day_p=None if bd is None or math.isnan(bd) else float(bd),
        exact_p=exact_p(tables),
        small=any(min(t.expected()) < 5 for t in tables),
    )


def exact_p(tables: Sequence[TwoByTwo]) -> float:
    """Two-sided exact conditional test of a common odds ratio of 1 (see the module text)."""
    low_total, pmf = 0, np.ones(1)
    observed = 0
    for t in tables:
        rows, cols = t.a + t.b, t.a + t.c
        low, high = max(0, rows + cols - t.n), min(rows, cols)
        support = np.arange(low, high + 1)
        pmf = np.convolve(pmf, hypergeom.pmf(support, t.n, rows, cols))
        low_total += low
        observed += t.a
    p_observed = pmf[observed - low_total]
    return float(min(1.0, pmf[pmf <= p_observed * RELATIVE_ERROR].sum()))


def logrank_p(tables: Sequence[tuple[str, Sequence[tuple[float, int, int]]]]) -> float | None:
    """The log-rank test of equal curves across installations (statsmodels ``survdiff``), from
    each one's life table rows (time, events, censored) expanded into the nerve-sides they
    stand for; None below two curves or without an event."""
    from statsmodels.duration.survfunc import survdiff  # type: ignore[import-untyped]

    times: list[float] = []
    status: list[int] = []
    counts: list[int] = []
    groups: list[int] = []
    for k, (_, rows) in enumerate(tables):
        for time, events, censored in rows:
            for flag, count in ((1, events), (0, censored)):
                if count:
                    times.append(time)
                    status.append(flag)
                    counts.append(count)
                    groups.append(k)
    if len(set(groups)) < 2 or not any(status):
        return None
    repeat = np.asarray(counts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, p = survdiff(
            np.repeat(np.asarray(times), repeat),
            np.repeat(np.asarray(status), repeat),
            np.repeat(np.asarray(groups), repeat),
        )
    return float(p)
