"""The pain drawing: regions on the front and back views, left and right.

Regions that are pain sites of the case format feed the assessment
(:func:`cluneal.core.record.pain_sites`); the others (knee, shin, anterior thigh, abdomen) are
kept as drawn for the clinician and the registry.
"""

from __future__ import annotations

from typing import Any

from cluneal.core.record import BODY_VIEWS

VIEWS = BODY_VIEWS
REGIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "back": (
        ("low_back", "Low back"),
        ("iliac_crest", "Iliac crest"),
        ("buttock", "Buttock"),
        ("posterior_thigh", "Back of thigh"),
        ("lateral_thigh", "Side of thigh"),
        ("calf", "Calf"),
        ("foot", "Heel and sole"),
    ),
    "front": (
        ("groin", "Groin"),
        ("anterior_thigh", "Front of thigh"),
        ("lateral_thigh", "Side of thigh"),
        ("knee", "Knee"),
        ("shin", "Shin"),
        ("foot", "Top of foot"),
    ),
}


def field_name(view: str, side: str) -> str:
    return f"bm_{view}_{side}"


def read(data: Any) -> dict[str, dict[str, list[str]]]:
    """The drawing from submitted form data, keeping only known regions."""
    out: dict[str, dict[str, list[str]]] = {}
    for view in VIEWS:
        allowed = {r for r, _ in REGIONS[view]}
        for side in ("left", "right"):
            chosen = [r for r in data.getlist(field_name(view, side)) if r in allowed]
            if chosen:
                out.setdefault(view, {})[side] = sorted(set(chosen))
    return out


# Schematic geometry (x, y, width, height) of each region on the patient's LEFT side, in a
# 200 x 400 drawing with the midline at x = 100; the right side is the mirror image. On the back
# view the patient's left is on the viewer's left; on the front view, on the viewer's right.
SHAPES: dict[str, dict[str, tuple[int, int, int, int]]] = {
    "back": {
        "low_back": (72, 150, 27, 33),
        "iliac_crest": (66, 184, 33, 11),
        "buttock": (66, 196, 33, 40),
        "lateral_thigh": (58, 240, 12, 62),
        "posterior_thigh": (71, 240, 27, 62),
        "calf": (72, 312, 24, 50),
        "foot": (72, 366, 24, 18),
    },
    "front": {
        "groin": (80, 196, 19, 20),
        "lateral_thigh": (58, 220, 12, 66),
        "anterior_thigh": (71, 220, 27, 66),
        "knee": (72, 290, 25, 18),
        "shin": (73, 312, 23, 50),
        "foot": (72, 366, 26, 18),
    },
}


def shapes(view: str, drawn: dict[str, Any]) -> list[dict[str, Any]]:
    """Every region of a view for both sides, with its position and whether it is drawn."""
    labels = dict(REGIONS[view])
    out = []
    for side in ("left", "right"):
        chosen = set((drawn.get(view) or {}).get(side) or [])
        viewer_left = (side == "left") == (view == "back")
        for region, (x, y, w, h) in SHAPES[view].items():
            out.append(
                {
                    "view": view,
                    "side": side,
                    "region": region,
                    "label": f"{labels[region]}, {side}",
                    "x": x if viewer_left else 200 - x - w,
                    "y": y,
                    "w": w,
                    "h": h,
                    "on": region in chosen,
                }
            )
    return out
