"""A record as a FHIR R4 Bundle and back: lossless for what the record holds, strict on input."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from cluneal.core import assess, parse_case
from cluneal.core.record import (
    AnswerData,
    BlockData,
    DiaryDay,
    LinkData,
    PatientData,
    Record,
    TreatmentData,
    VisitData,
)
from cluneal.interop import fhir_record as fr
from cluneal.interop.fhir_record import NerveStatus, from_bundle, to_bundle
from cluneal.knowledge.loader import default_pack
from cluneal.validation import Invalid

PATIENT = "11111111-1111-4111-8111-111111111111"
SITE = "22222222-2222-4222-8222-222222222222"
VISIT_1 = "33333333-3333-4333-8333-333333333333"
VISIT_2 = "33333333-3333-4333-8333-333333333334"
BLOCK_1 = "44444444-4444-4444-8444-444444444444"
BLOCK_2 = "44444444-4444-4444-8444-444444444445"
TREATMENT = "55555555-5555-4555-8555-555555555555"
RELEASE = "55555555-5555-4555-8555-555555555556"
DIARY = "66666666-6666-4666-8666-666666666666"
ODI_LINK = "77777777-7777-4777-8777-777777777777"
RMDQ_LINK = "77777777-7777-4777-8777-777777777778"
DAY = dt.date(2026, 11, 2)


def full_record() -> Record:
    """A record using every field the format carries, nulls and empty lists included."""
    return Record(
        patient=PatientData(
            id=PATIENT,
            site_id=SITE,
            record_number="A-001",
            birth_year=1960,
            sex="female",
            name="Fictional Person",
            contact="+44 20 7946 0000",
        ),
        visits=(
            VisitData(
                id=VISIT_1,
                date=DAY,
                history={
                    "duration_months": None,
                    "leg_numbness_or_tingling": True,
                    "aggravated_by": ["lumbar_flexion", "walking"],
                    "red_flags": [],
                    "prior_procedures": ["lumbar_fusion"],
                    "pain_sites": {"left": ["buttock", "iliac_crest"], "right": []},
                },
                body_map={"back": {"left": ["low_back", "buttock"]}, "front": {"right": ["knee"]}},
                exam={
                    "left": {
                        "scn": {
                            "tender": True,
                            "distance_mm": 70,
                            "reproduces_complaint": True,
                            "radiation_on_pressure": None,
                        },
                        "mcn": {"tender": False, "distance_mm": 32.5},
                    },
                    "right": {"scn": {}},
                },
                questionnaires={
                    "startback": [1, 0, 1, 0, 1, 1, 0, 1, 4],
                    "odi": [1, None, 2, 3, 0, 1, 2, 3, 4, 5],
                    "rmdq": [True, False, None] + [False] * 21,
                },
                current_nrs=7,
                notes="First visit.\nTender over the left iliac crest — «quoted».",
            ),
            VisitData(
                id=VISIT_2, date=DAY + dt.timedelta(days=30), history={"duration_months": 14.5}
            ),
        ),
        blocks=(
            BlockData(
                id=BLOCK_1,
                date=DAY,
                nerve="scn",
                side="left",
                nrs_before=8,
                nrs_after=2,
                agent="lidocaine 1%",
                volume_ml=Decimal("2.5"),
                guidance="ultrasound",
                minutes_after=30,
                relief_days=Decimal("3.0"),
                relief_days_from_diary=True,
            ),
            BlockData(id=BLOCK_2, date=DAY, nerve="mcn", side="right", nrs_before=0, nrs_after=0),
        ),
        treatments=(
            TreatmentData(
                TREATMENT,
                DAY + dt.timedelta(days=60),
                "radiofrequency",
                "scn",
                "left",
                "improved",
                last_follow_up=DAY + dt.timedelta(days=120),
            ),
            TreatmentData(
                RELEASE,
                DAY,
                "surgical_release",
                "mcn",
                "right",
                "recurred",
                recurrence_date=DAY + dt.timedelta(days=45),
                last_follow_up=DAY + dt.timedelta(days=90),
            ),
        ),
        links=(
            LinkData(
                id=DIARY,
                kind="diary",
                block_id=BLOCK_1,
                entries=(
                    DiaryDay(DAY + dt.timedelta(days=1), 2),
                    DiaryDay(DAY + dt.timedelta(days=2), 3),
                ),
            ),
            LinkData(
                id=ODI_LINK,
                kind="odi",
                answer=AnswerData([1, 2, 3, 4, 5, 0, 1, 2, 3, None], DAY + dt.timedelta(days=20)),
            ),
            LinkData(id=RMDQ_LINK, kind="rmdq", answer=AnswerData([], DAY)),
        ),
    )


STATUSES = [
    NerveStatus("scn", "left", "confirmed", positive_blocks=2),
    NerveStatus("mcn", "left", "suspected"),
    NerveStatus("scn", "right", "unlikely"),
    NerveStatus("mcn", "right", "unknown"),
]


@pytest.fixture
def record() -> Record:
    return full_record()


@pytest.fixture
def bundle(record: Record) -> dict[str, Any]:
    """The record's bundle, as it arrives from a file."""
    return json.loads(json.dumps(to_bundle(record, statuses=STATUSES, pack=default_pack())))


def problems_of(data: Any) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        from_bundle(data)
    return {p.path: p.message for p in caught.value.problems}


def find(
    bundle: dict[str, Any], kind: str, test: Callable[[dict[str, Any]], bool] = lambda r: True
) -> int:
    return next(
        i
        for i, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == kind and test(e["resource"])
    )


def context(code: str) -> Callable[[dict[str, Any]], bool]:
    return lambda r: (
        len(r.get("category", [])) == 2 and r["category"][1]["coding"][0]["code"] == code
    )


# -- round trip ------------------------------------------------------------------------------


def test_the_round_trip_gives_back_the_same_record(record, bundle):
    assert from_bundle(bundle) == record


def test_export_import_export_gives_the_same_bundle(bundle):
    again = to_bundle(from_bundle(bundle), statuses=STATUSES, pack=default_pack())
    assert again == bundle


def test_a_minimal_record_round_trips():
    minimal = Record(PatientData(id=PATIENT, site_id=SITE, record_number="X"))
    bundle = to_bundle(minimal)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    assert "birthDate" not in bundle["entry"][0]["resource"]
    assert from_bundle(bundle) == minimal


def test_the_export_is_deterministic(record):
    assert to_bundle(record, statuses=STATUSES) == to_bundle(record, statuses=STATUSES)


def test_a_searchset_carries_the_same_record(record):
    bundle = to_bundle(record, bundle_type="searchset")
    assert bundle["type"] == "searchset" and bundle["total"] == len(bundle["entry"])
    assert all(e["search"] == {"mode": "match"} for e in bundle["entry"])
    assert from_bundle(bundle) == record


def test_references_are_the_full_urls_of_entries(bundle):
    urls = {e["fullUrl"] for e in bundle["entry"]}
    text = json.dumps(bundle)
    for e in bundle["entry"]:
        assert e["fullUrl"] == f"urn:uuid:{e['resource']['id']}"
    refs = [part.split('"')[0] for part in text.split('"reference": "')[1:]]
    assert refs and set(refs) <= urls


# -- what the resources say --------------------------------------------------------------------


def test_the_patient_has_the_site_record_number_and_the_year_of_birth_only(bundle):
    patient = bundle["entry"][0]["resource"]
    assert patient["identifier"] == [
        {"system": f"urn:cluneal:site:{SITE}:record-number", "value": "A-001"}
    ]
    assert patient["birthDate"] == "1960" and patient["gender"] == "female"
    assert patient["name"] == [{"text": "Fictional Person"}]
    assert patient["telecom"] == [{"system": "other", "value": "+44 20 7946 0000"}]


def test_nrs_observations_use_loinc_and_value_integer(bundle):
    nrs = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["system"] == "http://loinc.org"
    ]
    contexts = sorted(r["category"][1]["coding"][0]["code"] for r in nrs)
    # one visit NRS, before and after of two blocks, two diary days
    assert contexts == ["nrs-after-block"] * 2 + ["nrs-before-block"] * 2 + ["nrs-diary"] * 2 + [
        "nrs-visit"
    ]
    assert all(r["code"]["coding"][0]["code"] == "72514-3" for r in nrs)
    assert all(isinstance(r["valueInteger"], int) and "valueQuantity" not in r for r in nrs)


def test_the_block_is_a_procedure_with_cpt_64450_laterality_and_extensions(bundle):
    block = bundle["entry"][find(bundle, "Procedure", lambda r: r["id"] == BLOCK_1)]["resource"]
    codes = {(c["system"], c["code"]) for c in block["code"]["coding"]}
    assert codes == {
        ("http://www.ama-assn.org/go/cpt", "64450"),
        (fr.CLUNEAL, "cluneal-nerve-block"),
    }
    assert block["bodySite"][0]["coding"][0]["code"] == "scn"
    assert block["bodySite"][1]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "7771000",
        "display": "Left",
    }
    ext = {e["url"].rsplit("/", 1)[1]: e for e in block["extension"]}
    assert ext["nrs-before"]["valueInteger"] == 8 and ext["nrs-after"]["valueInteger"] == 2
    assert ext["volume-ml"]["valueQuantity"]["value"] == 2.5
    assert ext["relief-days"]["valueDecimal"] == 3.0
    assert ext["relief-days-from-diary"]["valueBoolean"] is True
    assert ext["guidance"]["valueCode"] == "ultrasound"
    assert all(e["url"].startswith(fr.EXTENSION) for e in block["extension"])


def test_radiofrequency_carries_cpt_64640_and_the_outcome(bundle):
    rf = bundle["entry"][find(bundle, "Procedure", lambda r: r["id"] == TREATMENT)]["resource"]
    assert {"system": "http://www.ama-assn.org/go/cpt", "code": "64640"} in rf["code"]["coding"]
    assert rf["outcome"]["coding"][0]["code"] == "improved"
    release = bundle["entry"][
        find(bundle, "Procedure", lambda r: r["code"]["text"].startswith("Surgical"))
    ]
    assert [c["system"] for c in release["resource"]["code"]["coding"]] == [fr.CLUNEAL]


def test_follow_up_dates_are_date_extensions_of_the_treatment(bundle):
    base = "https://cluneal.org/fhir/StructureDefinition/"
    release = bundle["entry"][find(bundle, "Procedure", lambda r: r["id"] == RELEASE)]["resource"]
    # DAY is 2026-11-02: 45 days on is 2026-12-17, 90 days on 2027-01-31.
    assert release["extension"] == [
        {"url": base + "recurrence-date", "valueDate": "2026-12-17"},
        {"url": base + "last-follow-up", "valueDate": "2027-01-31"},
    ]
    assert release["outcome"]["coding"][0]["code"] == "recurred"
    rf = bundle["entry"][find(bundle, "Procedure", lambda r: r["id"] == TREATMENT)]["resource"]
    # 120 days after 2026-11-02 is 2027-03-02; no recurrence, so no recurrence extension.
    assert rf["extension"] == [{"url": base + "last-follow-up", "valueDate": "2027-03-02"}]


def test_a_treatment_without_follow_up_dates_has_no_extension(record):
    plain = TreatmentData(TREATMENT, DAY, "neurectomy", "scn", "left", "improved")
    bare = Record(record.patient, treatments=(plain,))
    bundle = to_bundle(bare)
    procedure = bundle["entry"][find(bundle, "Procedure")]["resource"]
    assert "extension" not in procedure
    back = from_bundle(json.loads(json.dumps(bundle)))
    assert back == bare
    assert (back.treatments[0].recurrence_date, back.treatments[0].last_follow_up) == (None, None)


def test_conditions_for_confirmed_and_suspected_nerves_only(bundle):
    conditions = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"
    ]
    assert len(conditions) == 2
    confirmed = next(c for c in conditions if c["bodySite"][0]["coding"][0]["code"] == "scn")
    assert confirmed["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G58.8"}.items() <= (
        confirmed["code"]["coding"][1].items()
    )
    assert "candidate" in confirmed["code"]["text"]
    suspected = next(c for c in conditions if c["bodySite"][0]["coding"][0]["code"] == "mcn")
    assert suspected["verificationStatus"]["coding"][0]["code"] == "provisional"


@pytest.mark.parametrize(
    ("status", "positive", "red_flag", "verification"),
    [
        ("confirmed", 2, False, "confirmed"),
        ("confirmed", 5, False, "confirmed"),
        ("confirmed", 1, False, "provisional"),  # one block alone: the threshold is disputed
        ("suspected", 0, False, "provisional"),
        ("confirmed", 3, True, "differential"),  # a red flag comes first
        ("confirmed", 1, True, "differential"),
        ("suspected", 0, True, "differential"),
    ],
)
def test_the_exported_condition_says_only_what_the_evidence_supports(
    status, positive, red_flag, verification
):
    s = NerveStatus("scn", "left", status, positive_blocks=positive, red_flag=red_flag)
    [condition] = [
        e["resource"]
        for e in to_bundle(full_record(), statuses=[s], pack=default_pack())["entry"]
        if e["resource"]["resourceType"] == "Condition"
    ]
    assert condition["verificationStatus"]["coding"][0]["code"] == verification
    assert condition["code"]["text"].startswith(
        f"Superior cluneal nerve entrapment, left ({verification};"
    )


def test_statuses_come_from_the_assessment_with_its_red_flags_and_blocks():
    case = {
        "format": "cluneal-case/1",
        "history": {"red_flags": ["suspected_infection"]},
        "blocks": [
            {"date": "2026-10-01", "nerve": "scn", "side": "left", "nrs_before": 8, "nrs_after": 2}
        ],
    }
    statuses = NerveStatus.of(assess(parse_case(case), default_pack()))
    left = next(s for s in statuses if (s.nerve, s.side) == ("scn", "left"))
    assert (left.status, left.positive_blocks, left.red_flag) == ("confirmed", 1, True)
    assert left.verification == "differential"


def test_questionnaire_scores_are_observations_derived_from_the_response(bundle):
    scores = {
        e["resource"]["code"]["coding"][0]["code"]: e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and "derivedFrom" in e["resource"]
        and e["resource"].get("encounter") == {"reference": f"urn:uuid:{VISIT_1}"}
    }
    assert set(scores) == {"startback-total", "odi-percent", "rmdq-score"}
    assert scores["startback-total"]["valueInteger"] == 6
    assert scores["rmdq-score"]["valueInteger"] == 1
    assert scores["odi-percent"]["valueQuantity"]["unit"] == "%"


def test_the_codes_used_are_those_of_the_evidence_file():
    lists = default_pack().code_lists
    assert any(c.code == "64450" for c in lists["cluneal_block"].codes)
    assert any(c.code == "64640" for c in lists["radiofrequency"].codes)
    assert any(c.code == "72514-3" for c in lists["pain_nrs"].codes)
    g588 = next(c for c in lists["cluneal_entrapment_candidates"].codes if c.code == "G58.8")
    assert g588.status == "candidate" and g588.display == fr.G58_8["display"]


# -- derived data is ignored on import ----------------------------------------------------------


def test_conditions_and_scores_are_ignored_on_import(record, bundle):
    derived = [
        e
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Condition" or "derivedFrom" in e["resource"]
    ]
    assert derived
    for e in derived:
        e["resource"]["note"] = "anything"  # not even checked
    assert from_bundle(bundle) == record
    bundle["entry"] = [e for e in bundle["entry"] if e not in derived]
    assert from_bundle(bundle) == record


def test_block_nrs_observations_may_be_left_out(record, bundle):
    bundle["entry"] = [
        e
        for e in bundle["entry"]
        if not context("nrs-before-block")(e["resource"])
        and not context("nrs-after-block")(e["resource"])
    ]
    assert from_bundle(bundle) == record


# -- invalid input: every problem, by its path ---------------------------------------------


@pytest.mark.parametrize("data", [[], "Bundle", 42, None])
def test_not_an_object(data):
    assert problems_of(data) == {"": "must be a FHIR Bundle (a JSON object)"}


def test_not_a_bundle(bundle):
    assert problems_of(bundle["entry"][0]["resource"]) == {"resourceType": 'must be "Bundle"'}


def test_wrong_bundle_type(bundle):
    bundle["type"] = "transaction"
    assert problems_of(bundle) == {"type": "must be one of collection, searchset"}


def test_wrong_resource_type(bundle):
    i = find(bundle, "Encounter")
    bundle["entry"][i]["resource"]["resourceType"] = "Medication"
    found = problems_of(bundle)
    assert found[f"entry[{i}].resource.resourceType"].startswith("must be one of Patient,")


def test_nrs_out_of_range(bundle):
    i = find(bundle, "Observation", context("nrs-visit"))
    bundle["entry"][i]["resource"]["valueInteger"] = 11
    assert problems_of(bundle) == {
        f"entry[{i}].resource.valueInteger": "must be an integer from 0 to 10"
    }


def test_nrs_of_a_diary_day_out_of_range(bundle):
    i = find(bundle, "Observation", context("nrs-diary"))
    bundle["entry"][i]["resource"]["valueInteger"] = -1
    assert problems_of(bundle) == {
        f"entry[{i}].resource.valueInteger": "must be an integer from 0 to 10"
    }


def test_bad_dates(bundle):
    i = find(bundle, "Encounter")
    j = find(bundle, "Procedure")
    bundle["entry"][i]["resource"]["period"]["start"] = "2026-02-30"
    bundle["entry"][j]["resource"]["performedDateTime"] = "yesterday"
    found = problems_of(bundle)
    assert found[f"entry[{i}].resource.period.start"] == "must be a date YYYY-MM-DD"
    assert found[f"entry[{j}].resource.performedDateTime"] == "must be a date YYYY-MM-DD"


def test_missing_patient(bundle):
    del bundle["entry"][0]
    # said once: the resources' subjects are not reported one by one
    assert problems_of(bundle) == {"entry": "must include the Patient"}


def test_two_patients(bundle):
    second = copy.deepcopy(bundle["entry"][0])
    second["resource"]["id"] = "99999999-9999-4999-8999-999999999999"
    second["fullUrl"] = "urn:uuid:99999999-9999-4999-8999-999999999999"
    bundle["entry"].append(second)
    n = len(bundle["entry"]) - 1
    assert problems_of(bundle) == {
        f"entry[{n}].resource": "is a second Patient: a bundle holds the record of one patient"
    }


def test_unknown_nerve(bundle):
    i = find(bundle, "Procedure")
    bundle["entry"][i]["resource"]["bodySite"][0]["coding"][0]["code"] = "icn"
    assert problems_of(bundle) == {
        f"entry[{i}].resource.bodySite[0].coding[0].code": "must be one of scn, mcn"
    }


def test_unknown_side(bundle):
    i = find(bundle, "Procedure")
    bundle["entry"][i]["resource"]["bodySite"][1]["coding"][0]["code"] = "51440002"
    assert problems_of(bundle) == {
        f"entry[{i}].resource.bodySite[1].coding[0].code": "must be one of "
        "7771000 (left), 24028007 (right)"
    }


@pytest.mark.parametrize("entry", [42, "x", None, []])
def test_non_object_entry(bundle, entry):
    bundle["entry"].insert(1, entry)
    assert problems_of(bundle) == {"entry[1]": "must be an object (a bundle entry)"}


def test_reference_to_a_missing_encounter(bundle):
    i = find(bundle, "QuestionnaireResponse", lambda r: "encounter" in r)
    bundle["entry"][i]["resource"]["encounter"]["reference"] = (
        "urn:uuid:00000000-0000-4000-8000-000000000000"
    )
    assert problems_of(bundle) == {
        f"entry[{i}].resource.encounter.reference": "must refer to an Encounter in the bundle"
    }


def test_reference_to_a_missing_block(bundle):
    i = find(bundle, "Observation", context("nrs-diary"))
    bundle["entry"][i]["resource"]["partOf"] = [{"reference": f"urn:uuid:{TREATMENT}"}]
    assert problems_of(bundle) == {
        f"entry[{i}].resource.partOf[0].reference": "must refer to a block Procedure in the bundle"
    }


def test_reference_to_another_patient(bundle):
    i = find(bundle, "Encounter")
    bundle["entry"][i]["resource"]["subject"]["reference"] = "Patient/123"
    assert problems_of(bundle) == {
        f"entry[{i}].resource.subject.reference": "must refer to the Patient in the bundle"
    }


def test_an_answer_holds_one_value(bundle):
    i = find(bundle, "QuestionnaireResponse", lambda r: "encounter" in r)
    notes = bundle["entry"][i]["resource"]["item"][-1]
    assert notes["linkId"] == "notes"
    notes["answer"] = [{"valueString": None}]
    n = len(bundle["entry"][i]["resource"]["item"]) - 1
    assert problems_of(bundle) == {
        f"entry[{i}].resource.item[{n}].answer[0]": "must have exactly one of valueString"
    }


def test_every_problem_is_listed_at_once(bundle):
    i = find(bundle, "Observation", context("nrs-visit"))
    j = find(bundle, "Procedure")
    k = find(bundle, "Encounter")
    bundle["entry"][i]["resource"]["valueInteger"] = 11
    bundle["entry"][j]["resource"]["bodySite"][0]["coding"][0]["code"] = "icn"
    bundle["entry"][k]["resource"]["period"]["start"] = "2026-13-01"
    bundle["entry"].append("not an entry")
    bundle["entry"][0]["resource"]["gender"] = "robot"
    found = problems_of(bundle)
    assert set(found) == {
        "entry[0].resource.gender",
        f"entry[{i}].resource.valueInteger",
        f"entry[{j}].resource.bodySite[0].coding[0].code",
        f"entry[{k}].resource.period.start",
        f"entry[{len(bundle['entry']) - 1}]",
    }
    paths = [p for p in found if p.startswith("entry[")]
    assert paths == sorted(paths, key=lambda p: int(p[6 : p.index("]")]))


def test_a_block_observation_must_agree_with_the_procedure(bundle):
    i = find(bundle, "Observation", context("nrs-before-block"))
    bundle["entry"][i]["resource"]["valueInteger"] = 5
    assert problems_of(bundle) == {
        f"entry[{i}].resource.valueInteger": "must equal the block's nrs-before extension (8)"
    }


def test_visit_items_are_checked_by_path(bundle):
    i = find(bundle, "QuestionnaireResponse", lambda r: "encounter" in r)
    items = bundle["entry"][i]["resource"]["item"]
    questionnaires = next(x for x in items if x["linkId"] == "questionnaires")
    odi = next(x for x in questionnaires["item"] if x["linkId"] == "questionnaires.odi")
    odi["item"][0]["answer"] = [{"valueInteger": 6}]
    items.append({"linkId": "colour", "answer": [{"valueString": "blue"}]})
    found = problems_of(bundle)
    base = f"entry[{i}].resource.item"
    odi_path = f"{base}[{items.index(questionnaires)}].item[{questionnaires['item'].index(odi)}]"
    assert found == {
        f"{odi_path}.item[0].answer[0].valueInteger": "must be an integer from 0 to 5",
        f"{base}[{len(items) - 1}].linkId": "unknown item: must be one of history, body_map, "
        "exam, questionnaires, notes",
    }


def test_a_questionnaire_answer_is_checked_by_the_core(bundle):
    i = find(bundle, "QuestionnaireResponse", lambda r: r["questionnaire"].endswith("/odi"))
    del bundle["entry"][i]["resource"]["item"][0]["item"][-1]
    found = problems_of(bundle)
    assert found == {f"entry[{i}].resource.item[0].item": "must have exactly 10 items (has 9)"}


def test_the_birth_date_must_be_a_year(bundle):
    bundle["entry"][0]["resource"]["birthDate"] = "1960-05-01"
    assert problems_of(bundle) == {
        "entry[0].resource.birthDate": f"must be a year from 1900 to {dt.date.today().year} "
        "(YYYY): Cluneal keeps the year of birth only"
    }


def test_unknown_fields_and_extensions_are_refused(bundle):
    i = find(bundle, "Procedure", lambda r: r["id"] == BLOCK_1)
    block = bundle["entry"][i]["resource"]
    block["extension"].append({"url": "https://example.org/colour", "valueString": "blue"})
    block["extension"] = [e for e in block["extension"] if not e["url"].endswith("/nrs-before")]
    block["note"] = [{"text": "would be lost"}]
    found = problems_of(bundle)
    assert found == {
        f"entry[{i}].resource.extension": f"must include the {fr.EXTENSION}nrs-before extension",
        f"entry[{i}].resource.extension[7].url": "must be one of "
        + ", ".join(fr.EXTENSION + n for n in fr.BLOCK_EXTENSIONS),
        f"entry[{i}].resource.note": "unknown field",
    }


def treatment_extension(bundle: dict[str, Any], name: str) -> tuple[int, int, dict[str, Any]]:
    """The entry of the released treatment, the index of its ``name`` extension, and it."""
    i = find(bundle, "Procedure", lambda r: r["id"] == RELEASE)
    extensions = bundle["entry"][i]["resource"]["extension"]
    k = next(k for k, e in enumerate(extensions) if e["url"].endswith("/" + name))
    return i, k, extensions[k]


@pytest.mark.parametrize("name", ["recurrence-date", "last-follow-up"])
@pytest.mark.parametrize("value", ["2026-02-30", "2026-12", "17/12/2026", 20261217, ""])
def test_a_bad_follow_up_date_is_refused_by_its_path(bundle, name, value):
    i, k, extension = treatment_extension(bundle, name)
    extension["valueDate"] = value
    assert problems_of(bundle) == {
        f"entry[{i}].resource.extension[{k}].valueDate": "must be a date YYYY-MM-DD"
    }


def test_a_follow_up_date_before_the_treatment_is_refused(bundle):
    i, k, extension = treatment_extension(bundle, "last-follow-up")
    extension["valueDate"] = "2026-11-01"  # the release was on 2026-11-02
    assert problems_of(bundle) == {
        f"entry[{i}].resource.extension[{k}].valueDate": "must not be before the treatment's "
        "date (2026-11-02)"
    }


def test_a_recurrence_date_goes_with_the_outcome_recurred(bundle):
    i, k, _ = treatment_extension(bundle, "recurrence-date")
    bundle["entry"][i]["resource"]["outcome"]["coding"][0] = {
        "system": fr.CLUNEAL,
        "code": "improved",
        "display": "improved",
    }
    assert problems_of(bundle) == {
        f"entry[{i}].resource.extension[{k}].valueDate": "must be left out unless the outcome "
        "is recurred"
    }


def test_a_follow_up_date_must_be_a_value_date_and_not_repeated(bundle):
    i, k, extension = treatment_extension(bundle, "last-follow-up")
    extension["valueDateTime"] = extension.pop("valueDate") + "T10:00:00Z"
    extensions = bundle["entry"][i]["resource"]["extension"]
    extensions.append(copy.deepcopy(extensions[0]))
    path = f"entry[{i}].resource.extension"
    assert problems_of(bundle) == {
        f"{path}[{k}].valueDateTime": "unknown field",
        f"{path}[{k}].valueDate": "is required",
        f"{path}[2].url": "repeats an extension",
    }


def test_a_treatment_refuses_the_blocks_extensions(bundle):
    i, k, extension = treatment_extension(bundle, "recurrence-date")
    extension["url"] = fr.EXTENSION + "nrs-before"
    base = "https://cluneal.org/fhir/StructureDefinition/"
    assert problems_of(bundle) == {
        f"entry[{i}].resource.extension[{k}].url": f"must be one of {base}recurrence-date, "
        f"{base}last-follow-up"
    }


def test_a_treatment_whose_follow_up_would_be_refused_is_not_exported(record):
    early = TreatmentData(TREATMENT, DAY, "neurectomy", "scn", "left", "improved")
    bad = Record(
        record.patient,
        treatments=(
            replace(early, last_follow_up=DAY - dt.timedelta(days=1)),
            replace(early, id=RELEASE, recurrence_date=DAY),
        ),
    )
    with pytest.raises(Invalid) as caught:
        to_bundle(bad)
    assert {(p.path, p.message) for p in caught.value.problems} == {
        (
            "entry[1].resource.extension[0].valueDate",
            "must not be before the treatment's date (2026-11-02)",
        ),
        (
            "entry[2].resource.extension[0].valueDate",
            "must be left out unless the outcome is recurred",
        ),
    }


def test_full_urls_must_match_ids_and_be_unique(bundle):
    bundle["entry"][1]["fullUrl"] = "http://example.org/Encounter/1"
    found = problems_of(bundle)
    assert found["entry[1].fullUrl"].startswith('must be "urn:uuid:')


def test_a_diary_day_twice(bundle):
    i = find(bundle, "Observation", context("nrs-diary"))
    twin = copy.deepcopy(bundle["entry"][i])
    twin["resource"]["id"] = "99999999-9999-4999-8999-999999999999"
    twin["fullUrl"] = "urn:uuid:99999999-9999-4999-8999-999999999999"
    bundle["entry"].append(twin)
    n = len(bundle["entry"]) - 1
    assert problems_of(bundle) == {
        f"entry[{n}].resource.effectiveDateTime": "repeats a day of this diary"
    }


# -- what cannot be exported ---------------------------------------------------------------


def test_a_record_the_format_cannot_carry_is_refused(record):
    bad = Record(
        record.patient,
        visits=(
            VisitData(
                VISIT_1, DAY, history={"colour": "blue"}, exam={"left": {"scn": {"tender": "yes"}}}
            ),
        ),
    )
    with pytest.raises(Invalid) as caught:
        to_bundle(bad)
    assert {p.path for p in caught.value.problems} == {
        "visits[0].history.colour",
        "visits[0].exam.left.scn.tender",
    }


def test_a_record_whose_bundle_would_be_refused_is_not_exported(record):
    bad = Record(
        PatientData(id=PATIENT, site_id=SITE, record_number="A-001", birth_year=1850),
        blocks=(BlockData(BLOCK_1, DAY, "scn", "left", 8, 2, agent="x" * 121),),
    )
    with pytest.raises(Invalid) as caught:
        to_bundle(bad)
    assert {p.path for p in caught.value.problems} == {
        "entry[0].resource.birthDate",
        "entry[1].resource.extension[3].valueString",
    }
