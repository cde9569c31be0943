"""Strict reader of the pack's ``ehr`` section: how FHIR data is recognised for CDS Hooks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from cluneal.knowledge import vocabulary as v
from cluneal.knowledge.model import CardText, CodeList, EhrFeature, EhrRules, Matcher, SurgeryOrder
from cluneal.validation import Node

if TYPE_CHECKING:
    from cluneal.knowledge.refs import SourceRefs


def matcher(n: Node, code_lists: Mapping[str, CodeList]) -> Matcher:
    lists = n.get("code_lists").strings() or []
    for i, name in enumerate(lists):
        if code_lists and name not in code_lists:
            Node(name, f"{n.path}.code_lists[{i}]", n.problems).fail(f"unknown code list {name!r}")
    keywords = [k.lower() for k in n.get("keywords").strings() or []]
    if not lists and not keywords:
        n.fail("must name a code list or a keyword")
    return Matcher(tuple(lists), tuple(keywords))


def _card(n: Node, refs: SourceRefs, with_orders: bool) -> CardText | None:
    allowed: tuple[str, ...] = ("summary", "detail", "sources", "requires_any_feature")
    allowed += ("suggestion", "override_reasons") if with_orders else ()
    if not n.obj(allowed):
        n.required()
        return None
    summary, detail = (
        n.get("summary").string(non_empty=True),
        n.get("detail").string(non_empty=True),
    )
    sources = refs.read(n.get("sources"))
    reasons: list[tuple[str, str]] = []
    for r in n.get("override_reasons").items():
        if r.obj(("code", "display")):
            code, display = (
                r.get("code").string(non_empty=True),
                r.get("display").string(non_empty=True),
            )
            if code and display:
                reasons.append((code, display))
    if not (summary and detail):
        return None
    required = tuple(n.get("requires_any_feature").strings() or ())
    if not required:
        n.get("requires_any_feature").fail("must name at least one feature")
    return CardText(
        summary, detail, sources, required, n.get("suggestion").string(), tuple(reasons)
    )


def read_ehr(
    section: Node, refs: SourceRefs, code_lists: Mapping[str, CodeList]
) -> EhrRules | None:
    top = ("back_pain", "evaluation", "features", "surgery_orders", "patient_view", "order_sign")
    if not section.obj(top):
        section.required()
        return None
    back = section.get("back_pain")
    back.obj(("code_lists", "keywords", "sources"))
    back_sources = refs.read(back.get("sources"))
    evaluation = section.get("evaluation")
    evaluation.obj(("code_lists", "keywords", "note"))
    features: list[EhrFeature] = []
    allowed = (
        "id",
        "label",
        "code_lists",
        "keywords",
        "excluded_by",
        "adds_condition",
        "adds_prior_procedure",
        "sources",
    )
    for f in section.get("features").items(min_len=1):
        if not f.obj(allowed):
            continue
        fid, label = f.get("id").string(non_empty=True), f.get("label").string(non_empty=True)
        excluded = f.get("excluded_by")
        exclusion = None
        if excluded.obj(("code_lists", "keywords")):
            exclusion = matcher(excluded, code_lists)
        feature_sources = refs.read(f.get("sources"))
        if fid and label:
            features.append(
                EhrFeature(
                    fid,
                    label,
                    matcher(f, code_lists),
                    feature_sources,
                    exclusion,
                    f.get("adds_condition").enum(v.CONDITIONS),
                    f.get("adds_prior_procedure").enum(v.PROCEDURES),
                )
            )
    orders: list[SurgeryOrder] = []
    for o in section.get("surgery_orders").items(min_len=1):
        if o.obj(("procedure", "code_lists", "keywords")):
            procedure = o.get("procedure").enum(v.PROCEDURES)
            if procedure:
                orders.append(SurgeryOrder(procedure, matcher(o, code_lists)))
    patient_view = _card(section.get("patient_view"), refs, with_orders=False)
    order_sign = _card(section.get("order_sign"), refs, with_orders=True)
    if patient_view is None or order_sign is None:
        return None
    known = {f.id for f in features}
    for name, card in (("patient_view", patient_view), ("order_sign", order_sign)):
        for feature in card.requires_any_feature:
            if feature not in known:
                section.get(name).fail(f"requires_any_feature: unknown feature {feature!r}")
    return EhrRules(
        matcher(back, code_lists),
        back_sources,
        matcher(evaluation, code_lists),
        tuple(features),
        tuple(orders),
        patient_view,
        order_sign,
    )
