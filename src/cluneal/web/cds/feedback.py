"""A feedback request (CDS Hooks 2.0.1, Feedback), checked: the outcome of each card shown."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from cluneal.web.cds.checks import Check

MAX_FEEDBACK_ITEMS = 100
OUTCOMES = ("accepted", "overridden")


def _timestamp(check: Check, value: Any, path: str) -> dt.datetime | None:
    if not check.string(value, path, required=True):
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
        return when.astimezone(dt.UTC)  # also refuses an offset that leaves years 1-9999
    except (ValueError, OverflowError):
        check.add(path, "must be an ISO 8601 date-time, e.g. 2021-12-11T10:05:31Z")
        return None


def _feedback_item(check: Check, item: Any, path: str) -> dict[str, Any] | None:
    if not check.obj(item, path, required=True):
        return None
    card = item.get("card")
    if check.string(card, f"{path}.card", required=True):
        try:
            card = uuid.UUID(card)
        except ValueError:
            check.add(f"{path}.card", "must be the UUID of a card")
    outcome = item.get("outcome")
    if check.string(outcome, f"{path}.outcome", required=True) and outcome not in OUTCOMES:
        check.add(f"{path}.outcome", "must be accepted or overridden")
    when = _timestamp(check, item.get("outcomeTimestamp"), f"{path}.outcomeTimestamp")
    accepted = item.get("acceptedSuggestions")
    ids: list[str] = []
    if check.array(accepted, f"{path}.acceptedSuggestions"):
        for i, suggestion in enumerate(accepted):
            where = f"{path}.acceptedSuggestions[{i}]"
            if check.obj(suggestion, where, required=True) and check.string(
                suggestion.get("id"), f"{where}.id", required=True
            ):
                ids.append(suggestion["id"])
    reason = item.get("overrideReason")
    coding: dict[str, Any] = {}
    comment = ""
    if check.obj(reason, f"{path}.overrideReason"):
        if check.obj(reason.get("reason"), f"{path}.overrideReason.reason"):
            coding = reason["reason"]
            check.strings(coding, f"{path}.overrideReason.reason", "code", "system", "display")
        if check.string(reason.get("userComment"), f"{path}.overrideReason.userComment"):
            comment = reason["userComment"]
    if check.found:
        return None
    return {
        "card": card,
        "outcome": outcome,
        "outcome_timestamp": when,
        "accepted_suggestions": ids,
        "override_code": (coding.get("code") or "")[:100],
        "override_system": (coding.get("system") or "")[:300],
        "override_comment": comment[:2000],
    }


def read_feedback(data: Any) -> list[dict[str, Any]]:
    """The feedback items as :class:`~cluneal.web.cds.models.CardFeedback` fields, or
    :class:`Invalid` listing every problem by its JSON path."""
    check = Check()
    if not check.obj(data, "", required=True):
        check.raise_if_any("CDS Hooks feedback")
    items = data.get("feedback")
    out = []
    if check.array(items, "feedback", required=True):
        if not items:
            check.add("feedback", "must hold at least one item")
        if len(items) > MAX_FEEDBACK_ITEMS:
            check.add("feedback", f"must hold at most {MAX_FEEDBACK_ITEMS} items")
        for i, item in enumerate(items[:MAX_FEEDBACK_ITEMS]):
            parsed = _feedback_item(check, item, f"feedback[{i}]")
            if parsed is not None:
                out.append(parsed)
    check.raise_if_any("CDS Hooks feedback")
    return out
