"""A pasted note read in the record: its findings highlighted, and the visit fields they suggest.

The note is read, shown and forgotten: nothing is stored until the clinician confirms the
suggested fields and saves the visit form they open (with the note as the visit's notes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cluneal.knowledge.loader import active_pack
from cluneal.nlp.finding import Finding, NoteError
from cluneal.nlp.pipeline import pipeline
from cluneal.nlp.render import describe
from cluneal.nlp.text import check_text
from cluneal.web.accounts.access import clinical
from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.records.models import Visit
from cluneal.web.records.note_fill import proposals, visit_data
from cluneal.web.records.views import patient_for, visit_form_context

#: A visit's notes hold at most this much (``Visit.notes``), so a longer note is refused.
MAX_NOTE = Visit._meta.get_field("notes").max_length or 20_000


def segments(text: str, findings: list[Finding]) -> list[tuple[str, int | None, str]]:
    """The text cut into (piece, finding number or None, description) for highlighting."""
    out: list[tuple[str, int | None, str]] = []
    pos = 0
    for number, f in enumerate(findings, 1):
        if f.start < pos:
            continue  # overlaps an earlier finding: listed, not marked
        out += [(text[pos : f.start], None, ""), (f.text, number, describe(f))]
        pos = f.end
    out.append((text[pos:], None, ""))
    return [s for s in out if s[0]]


def _read(text: str) -> tuple[list[Finding], str | None]:
    if not text.strip():
        return [], "Paste the text of a note."
    if len(text) > MAX_NOTE:
        return [], f"The note has {len(text):,} characters; a visit holds at most {MAX_NOTE:,}."
    try:
        check_text(text)
    except NoteError as exc:
        return [], str(exc)
    return pipeline().find([text])[0], None


@clinical
@require_http_methods(["GET", "POST"])
def note_read(request: HttpRequest, patient_id: Any) -> HttpResponse:
    patient = patient_for(request, patient_id)
    text = request.POST.get("text", "") if request.method == "POST" else ""
    if request.POST.get("step") == "fill":
        chosen = [item.partition("=")[::2] for item in request.POST.getlist("fill")]
        context = visit_form_context(request, visit_data(chosen), [])
        context.update(
            patient=patient,
            visit=None,
            date=dt.date.today().isoformat(),
            notes=text,
            form_action=f"/records/{patient.pk}/visits/new",
            from_note=True,
        )
        return render(request, "records/visit_form.html", context)
    context: dict[str, Any] = {"patient": patient, "text": text}
    if request.method == "POST":
        findings, error = _read(text)
        if error:
            context["error"] = error
            return render(request, "records/note_read.html", context, status=400)
        record(
            request,
            Action.VIEW,
            patient=patient,
            changes={"note": f"read ({len(text):,} characters, {len(findings)} findings)"},
        )
        labels = {c.id: c.label for c in active_pack().lexicon.concepts}
        context.update(
            findings=[(n, f, labels.get(f.concept, f.concept)) for n, f in enumerate(findings, 1)],
            segments=segments(text, findings),
            proposals=proposals(findings),
        )
    return render(request, "records/note_read.html", context)
