"""The demo site: a fictional clinic, its accounts and a dozen fictional patients at different
points of the treatment ladder, so that a newcomer sees the product working at once.

Created once; the accounts' password is generated then and kept (mode 0600) in the data
directory, so that ``make run`` can print it every time.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from cluneal.web.accounts.models import Membership, Role, Site
from cluneal.web.env import kept_secret
from cluneal.web.records.models import (
    Block,
    DiaryEntry,
    LinkKind,
    Patient,
    PatientLink,
    Treatment,
    Visit,
)

SITE_NAME = "Demo Clinic (fictional)"
CLINICIAN = "demo-clinician"
ADMIN = "demo-admin"


@dataclass(frozen=True)
class Credentials:
    clinician: str
    admin: str
    password: str


def _password() -> str:
    return kept_secret("demo_password", 12)


def _finding(
    tender: bool | None,
    distance: float | None = None,
    reproduces: bool | None = None,
    radiation: bool | None = None,
) -> dict[str, Any]:
    out = {
        "tender": tender,
        "distance_mm": distance,
        "reproduces_complaint": reproduces,
        "radiation_on_pressure": radiation,
    }
    return {k: v for k, v in out.items() if v is not None}


SCN_LEFT = {
    "left": {"scn": _finding(True, 70, True, True), "mcn": _finding(False)},
    "right": {"scn": _finding(False), "mcn": _finding(False)},
}
HISTORY = {
    "duration_months": 14,
    "aggravated_by": ["lumbar_flexion", "walking"],
    "leg_numbness_or_tingling": True,
}
BACK_LEFT = {"back": {"left": ["low_back", "iliac_crest", "buttock", "posterior_thigh"]}}


def _patients(today: dt.date) -> list[dict[str, Any]]:
    d = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    block = lambda days, before, after, relief=None, nerve="scn", side="left": {  # noqa: E731
        "date": d(days),
        "nerve": nerve,
        "side": side,
        "nrs_before": before,
        "nrs_after": after,
        "minutes_after": 30,
        "relief_days": relief,
        "agent": "lidocaine 1%",
        "guidance": "ultrasound",
    }
    return [
        {
            "number": "DEMO-001",
            "year": 1958,
            "sex": "female",
            "note": "new referral, not yet examined",
            "visits": [{"days": 2, "history": HISTORY, "body_map": BACK_LEFT, "nrs": 7}],
        },
        {
            "number": "DEMO-002",
            "year": 1961,
            "sex": "male",
            "note": "suspected left SCN",
            "visits": [
                {"days": 3, "history": HISTORY, "body_map": BACK_LEFT, "exam": SCN_LEFT, "nrs": 7}
            ],
        },
        {
            "number": "DEMO-003",
            "year": 1975,
            "sex": "female",
            "note": "tender points negative",
            "visits": [
                {
                    "days": 10,
                    "history": HISTORY,
                    "exam": {
                        "left": {"scn": _finding(False), "mcn": _finding(False)},
                        "right": {"scn": _finding(False), "mcn": _finding(False)},
                    },
                    "nrs": 5,
                }
            ],
        },
        {
            "number": "DEMO-004",
            "year": 1950,
            "sex": "female",
            "note": "one positive block",
            "visits": [
                {"days": 20, "history": HISTORY, "body_map": BACK_LEFT, "exam": SCN_LEFT, "nrs": 8}
            ],
            "blocks": [block(14, 8, 2, 2)],
            "diary": True,
        },
        {
            "number": "DEMO-005",
            "year": 1949,
            "sex": "male",
            "note": "three blocks, long relief",
            "visits": [
                {"days": 60, "history": HISTORY, "exam": SCN_LEFT, "nrs": 8},
                {"days": 1, "nrs": 6},
            ],
            "blocks": [block(50, 8, 2, 5), block(40, 8, 3, 6), block(30, 7, 2, 5)],
        },
        {
            "number": "DEMO-006",
            "year": 1955,
            "sex": "female",
            "note": "three blocks, short relief",
            "visits": [
                {"days": 60, "history": HISTORY, "exam": SCN_LEFT, "nrs": 8},
                {"days": 1, "nrs": 7},
            ],
            "blocks": [block(50, 8, 2, 1), block(40, 8, 3, 2), block(30, 7, 2, 1)],
        },
        {
            "number": "DEMO-007",
            "year": 1966,
            "sex": "male",
            "note": "relieved after blocks",
            "visits": [
                {"days": 90, "history": HISTORY, "exam": SCN_LEFT, "nrs": 8},
                {"days": 5, "nrs": 1},
            ],
            "blocks": [block(80, 8, 1, 20)],
        },
        {
            "number": "DEMO-008",
            "year": 1947,
            "sex": "female",
            "note": "pain recurred after release",
            "visits": [
                {"days": 300, "history": HISTORY, "exam": SCN_LEFT, "nrs": 8},
                {"days": 4, "nrs": 6},
            ],
            "blocks": [block(280, 8, 2, 4), block(270, 8, 2, 4), block(260, 8, 3, 5)],
            "treatments": [
                {
                    "days": 200,
                    "kind": "surgical_release",
                    "outcome": "recurred",
                    "recurrence_days": 80,
                },
                {"days": 50, "kind": "radiofrequency", "outcome": "improved", "follow_up_days": 4},
            ],
        },
        {
            "number": "DEMO-009",
            "year": 1952,
            "sex": "male",
            "note": "well after release",
            "visits": [
                {"days": 300, "history": HISTORY, "exam": SCN_LEFT, "nrs": 7},
                {"days": 30, "nrs": 1},
            ],
            "blocks": [block(280, 7, 2, 5), block(270, 7, 2, 4), block(260, 7, 2, 4)],
            "treatments": [
                {
                    "days": 200,
                    "kind": "surgical_release",
                    "outcome": "improved",
                    "follow_up_days": 30,
                }
            ],
        },
        {
            "number": "DEMO-010",
            "year": 1944,
            "sex": "male",
            "note": "red flag",
            "visits": [
                {
                    "days": 1,
                    "history": {**HISTORY, "red_flags": ["bladder_or_bowel_dysfunction"]},
                    "exam": SCN_LEFT,
                    "nrs": 9,
                }
            ],
        },
        {
            "number": "DEMO-011",
            "year": 1963,
            "sex": "female",
            "note": "SI fusion planned, MCN tender",
            "visits": [
                {
                    "days": 7,
                    "history": {
                        **HISTORY,
                        "planned_procedures": ["si_joint_fusion"],
                        "conditions": ["sacroiliac_joint_pain"],
                    },
                    "body_map": {"back": {"right": ["buttock"]}},
                    "exam": {
                        "right": {"mcn": _finding(True, 25, True, True), "scn": _finding(False)}
                    },
                    "nrs": 6,
                }
            ],
        },
        {
            "number": "DEMO-012",
            "year": 1957,
            "sex": "female",
            "note": "bilateral SCN, followed over a year",
            "visits": [
                {
                    "days": 360,
                    "history": HISTORY,
                    "exam": {
                        "left": {"scn": _finding(True, 72, True)},
                        "right": {"scn": _finding(True, 68, True)},
                    },
                    "nrs": 8,
                    "questionnaires": {
                        "rmdq": [True] * 14 + [False] * 10,
                        "odi": [4, 3, 3, 4, 3, 3, 3, None, 3, 3],
                    },
                },
                {
                    "days": 180,
                    "nrs": 4,
                    "questionnaires": {
                        "rmdq": [True] * 8 + [False] * 16,
                        "odi": [2, 2, 2, 3, 2, 2, 2, None, 2, 2],
                    },
                },
                {
                    "days": 14,
                    "nrs": 2,
                    "questionnaires": {
                        "rmdq": [True] * 3 + [False] * 21,
                        "odi": [1, 1, 1, 1, 1, 1, 1, None, 1, 1],
                    },
                },
            ],
            "blocks": [
                block(350, 8, 2, 6),
                block(350, 8, 3, 6, side="right"),
                block(340, 7, 2, 7),
                block(330, 7, 2, 8, side="right"),
            ],
        },
    ]


def seed_demo(today: dt.date | None = None) -> Credentials:
    """Create the demo site, accounts and patients unless they exist; return the credentials."""
    today = today or dt.date.today()
    password = _password()
    with transaction.atomic():
        site, created = Site.objects.get_or_create(name=SITE_NAME)
        users = get_user_model().objects
        for username, role in ((CLINICIAN, Role.CLINICIAN), (ADMIN, Role.SITE_ADMIN)):
            user, new = users.get_or_create(username=username)
            if new:
                user.set_password(password)
                user.save()
            Membership.objects.get_or_create(user=user, site=site, defaults={"role": role})
        if created:
            for spec in _patients(today):
                _create_patient(site, spec, today)
    return Credentials(CLINICIAN, ADMIN, password)


def _create_patient(site: Site, spec: dict[str, Any], today: dt.date) -> None:
    patient = Patient.objects.create(
        site=site,
        record_number=spec["number"],
        birth_year=spec["year"],
        sex=spec["sex"],
        name=f"Fictional patient ({spec['note']})",
    )
    for v in spec["visits"]:
        Visit.objects.create(
            patient=patient,
            date=today - dt.timedelta(days=v["days"]),
            history=v.get("history", {}),
            body_map=v.get("body_map", {}),
            exam=v.get("exam", {}),
            questionnaires=v.get("questionnaires", {}),
            current_nrs=v.get("nrs"),
        )
    blocks = [Block.objects.create(patient=patient, **b) for b in spec.get("blocks", [])]
    ago = lambda days: None if days is None else today - dt.timedelta(days=days)  # noqa: E731
    for t in spec.get("treatments", []):
        Treatment.objects.create(
            patient=patient,
            date=today - dt.timedelta(days=t["days"]),
            kind=t["kind"],
            nerve="scn",
            side="left",
            outcome=t["outcome"],
            recurrence_date=ago(t.get("recurrence_days")),
            last_follow_up=ago(t.get("follow_up_days")),
        )
    if spec.get("diary") and blocks:
        link = PatientLink.objects.create(
            patient=patient,
            block=blocks[0],
            kind=LinkKind.DIARY,
            token_hash=secrets.token_hex(32),
            expires_at=_aware(today),
        )
        for k, nrs in enumerate([2, 3, 6, 7], start=1):
            DiaryEntry.objects.create(
                link=link, date=blocks[0].date + dt.timedelta(days=k), nrs=nrs
            )


def _aware(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
