"""Template helpers: form values from the query string, and citations with their sources."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from cluneal.knowledge.model import KnowledgePack
from cluneal.web.calculator.form import CalculatorForm

register = template.Library()


@register.filter
def val(form: CalculatorForm, name: str) -> str:
    return form.value(name)


@register.filter
def has(form: CalculatorForm, spec: str) -> bool:
    """``form|has:"pain_left=buttock"``: whether that value was submitted for that name."""
    name, _, value = spec.partition("=")
    return value in form.data.getlist(name)


@register.simple_tag
def field(*parts: object) -> str:
    """A field name from its parts: ``{% field "b" i "_date" as n %}`` gives ``b0_date``."""
    return "".join(str(p) for p in parts)


@register.simple_tag
def cite(pack: KnowledgePack, sources: tuple[str, ...] | list[str]) -> SafeString:
    """Source ids as links to the evidence page; hovering or focusing shows the citation."""
    if not sources:
        return SafeString("")
    links = format_html_join(
        " ",
        '<a class="cite" href="/evidence#{}" title="{} ({}): {}">{}</a>',
        (
            (sid, src.short, src.grade_label, src.citation, sid)
            for sid in sources
            if (src := pack.sources.get(sid)) is not None
        ),
    )
    return format_html('<span class="cites">[{}]</span>', links)


@register.simple_tag
def opinion(pack: KnowledgePack, sources: tuple[str, ...] | list[str]) -> str:
    """Says which of some sources are expert opinion (the seed interview), so that a number
    resting on them is not read as established: " (expert opinion: E2)"."""
    ids = [s for s in sources if (src := pack.sources.get(s)) and src.grade == "expert_opinion"]
    return f" (expert opinion: {', '.join(ids)})" if ids else ""


@register.filter
def label(value: str) -> str:
    from cluneal.web.calculator.choices import LABELS

    return LABELS.get(value, value.replace("_", " "))
