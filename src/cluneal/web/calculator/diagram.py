"""The posterior-pelvis diagram: where to palpate, and what was found at each point.

Drawing units are millimetres from the midline (x, positive to the patient's left as seen from
behind) and below the PSIS (y, positive caudal). The PSIS sits about 32 mm from the midline: the
SCN point 70 mm from the midline lies about 45 mm from the PSIS along the crest (seed E1), and the
MCN crosses the LPSL about 36 mm from the midline (Konno 2017, S31).
"""

from __future__ import annotations

from dataclasses import dataclass

from cluneal.core.case import Finding
from cluneal.core.pathway import in_window
from cluneal.knowledge.model import Settings

PSIS_X = 32.0
SCN_DEFAULT_MM = 70.0
MCN_X = 36.0
MCN_DEFAULT_MM = 20.0


def crest_y(x: float) -> float:
    """Height of the posterior iliac crest at ``x`` mm from the midline (a smooth arch from the
    PSIS up and out; only its shape matters)."""
    return 0.00607 * (x - PSIS_X) * (x - 200.0)


def crest_path(sign: int) -> str:
    points = [(PSIS_X + i * 7.0, crest_y(PSIS_X + i * 7.0)) for i in range(21)]
    return "M " + " L ".join(f"{sign * x:.1f} {y:.1f}" for x, y in points)


def window_path(window: tuple[float, float], sign: int) -> str:
    low, high = max(window[0], PSIS_X), window[1]
    steps = 12
    pts = [low + (high - low) * i / steps for i in range(steps + 1)]
    return "M " + " L ".join(f"{sign * x:.1f} {crest_y(x):.1f}" for x in pts)


@dataclass(frozen=True)
class Marker:
    nerve: str
    side: str
    x: float
    y: float
    finding: str  # positive, tender, not_tender, not_examined
    symbol: str
    label: str


FINDING_TEXT = {
    "positive": "tender point in the window that reproduces the complaint",
    "tender": "tender, criteria not all met",
    "not_tender": "not tender",
    "not_examined": "not examined",
}
SYMBOLS = {"positive": "+", "tender": "!", "not_tender": "–", "not_examined": "?"}


def classify(finding: Finding | None, window: tuple[float, float]) -> str:
    if finding is None or finding.tender is None:
        return "not_examined"
    if finding.tender is False:
        return "not_tender"
    placed = finding.distance_mm is not None and in_window(finding.distance_mm, window)
    if placed and finding.reproduces_complaint:
        return "positive"
    return "tender"


def markers(exam: dict[str, dict[str, Finding]], settings: Settings) -> list[Marker]:
    out = []
    for side, sign in (("left", -1), ("right", 1)):
        # Seen from behind, the patient's left is on the viewer's left.
        for nerve in ("scn", "mcn"):
            finding = exam.get(side, {}).get(nerve)
            window = settings.scn_window_mm if nerve == "scn" else settings.mcn_window_mm
            kind = classify(finding, window)
            distance = finding.distance_mm if finding and finding.distance_mm is not None else None
            if nerve == "scn":
                x = distance if distance is not None else SCN_DEFAULT_MM
                x = min(max(x, PSIS_X), 190.0)
                point = (sign * x, crest_y(x))
                where = f"{x:g} mm from the midline" if distance is not None else "about 70 mm"
            else:
                y = distance if distance is not None else MCN_DEFAULT_MM
                point = (sign * MCN_X, min(y, 80.0))
                where = f"{y:g} mm below the PSIS" if distance is not None else "below the PSIS"
            label = f"{side.title()} {nerve.upper()} ({where}): {FINDING_TEXT[kind]}"
            out.append(Marker(nerve, side, point[0], point[1], kind, SYMBOLS[kind], label))
    return out


def diagram_context(exam: dict[str, dict[str, Finding]], settings: Settings) -> dict[str, object]:
    mcn_low, mcn_high = settings.mcn_window_mm
    return {
        "crest_left": crest_path(-1),
        "crest_right": crest_path(1),
        "scn_window_left": window_path(settings.scn_window_mm, -1),
        "scn_window_right": window_path(settings.scn_window_mm, 1),
        "mcn_zone_y": mcn_low,
        "mcn_zone_height": max(mcn_high - mcn_low, 1.0),
        "psis_x": PSIS_X,
        "mcn_x": MCN_X,
        "markers": markers(exam, settings),
    }
