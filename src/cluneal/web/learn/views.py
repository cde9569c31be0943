"""The public patient pages and the self-check. No login; nothing is stored (see privacy.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from cluneal.core.selfcheck import Outcome, evaluate
from cluneal.knowledge.loader import active_pack
from cluneal.knowledge.model import KnowledgePack, Source
from cluneal.web.calculator.diagram import diagram_context
from cluneal.web.learn.content import BY_NAME, PAGES, results
from cluneal.web.learn.content.text import Section, grade_labels, unique
from cluneal.web.learn.forms import SelfCheckForm
from cluneal.web.learn.privacy import same_origin

QUESTIONS = ("where", "press_crest", "press_sacrum", "worse_with", "duration")


def _sections(sections: tuple[Section, ...], pack: KnowledgePack) -> list[dict[str, Any]]:
    return [
        {
            "s": s,
            "id": slugify(s.heading),
            "grades": grade_labels(s.sources, pack) if s.grades else [],
        }
        for s in sections
    ]


def _references(ids: tuple[str, ...], pack: KnowledgePack) -> list[Source]:
    return [pack.sources[i] for i in ids if i in pack.sources]


def _base(pack: KnowledgePack, name: str) -> dict[str, Any]:
    return {
        "pack": pack,
        "nav": PAGES,
        "current": name,
        "diagram": diagram_context({}, pack.settings),
    }


def _criteria_sources(outcome: Outcome | None) -> list[tuple[str, ...]]:
    """Sources of the criteria shown beside a non-urgent result (an urgent one shows none)."""
    if outcome is None or outcome.kind == "urgent":
        return []
    return [
        (*m.criteria.sources, *(s for i, _ in m.items for s in i.sources)) for m in outcome.sets
    ]


@require_GET
def page(request: HttpRequest, name: str) -> HttpResponse:
    pack = active_pack()
    spec = BY_NAME[name]
    if spec.build is None:  # the URL map routes only built pages here
        raise Http404
    content = spec.build(pack)
    context = _base(pack, name) | {
        "page": content,
        "sections": _sections(content.sections, pack),
        "references": _references(content.sources, pack),
    }
    return render(request, "learn/page.html", context)


@csrf_exempt  # a cookie-free origin check instead: see privacy.py
@never_cache
@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    pack = active_pack()
    if request.method == "POST" and not same_origin(request):
        return render(request, "learn/refused.html", _base(pack, "learn-self-check"), status=403)
    form = SelfCheckForm(request.POST if request.method == "POST" else None, pack=pack)
    outcome = evaluate(form.answers(), pack) if form.is_bound and form.is_valid() else None
    result = results.result(outcome, pack) if outcome else None
    cited = [
        *(p.sources for p in results.INTRO),
        result.sources if result else (),
        *_criteria_sources(outcome),
        *(p.sources for p in results.HINTS.values()),
        results.FLAGS_INTRO.sources,
    ]
    context = _base(pack, "learn-self-check") | {
        "form": form,
        "intro": results.INTRO,
        "questions": [(form[name], results.HINTS.get(name)) for name in QUESTIONS],
        "flags_intro": results.FLAGS_INTRO,
        "outcome": outcome,
        "result": _sections((result,), pack)[0] if result else None,
        "references": _references(unique(s for ids in cited for s in ids), pack),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "learn/self_check.html", context, status=status)
