"""The CIN census importer on the synthetic samples, on generated returns and on small
hand-written returns: the exact account (every child and record mapped, unmapped with a
reason, or rejected with a located error), stable ids, and messages that never leak values.

Expected events are read off the XML by hand; line numbers are those of the files.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from census_xml import (
    SAMPLES,
    assessment,
    census,
    child,
    cin_plan,
    cp_plan,
    episode,
    generate_census,
    section47,
    shuffled,
)
from defusedxml.ElementTree import parse as parse_xml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguard_rules import parse_events
from safeguard_rules._census import CensusImport, import_cin_census

# Values in the samples that are personal or simply data: no message may print them.
SAMPLE_VALUES = [
    "A123456789123",
    "X98765432123B",
    "UN3",
    "2015-03-27",
    "1965-03-27",
    "2023-09-25",
    "'RB'",
    "'M'",
]


def write(tmp_path: Path, text: str, name: str = "return.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(n for n, t in enumerate(text.splitlines(), start=1) if needle in t)


def outcomes(result: CensusImport) -> list[tuple[str | None, str, str]]:
    return [(r.child_id, r.record, r.outcome) for r in result.records]


def errors(result: CensusImport) -> list[tuple[int | None, str | None, str | None, str]]:
    return [(p.line, p.child_id, p.element, p.message) for p in result.errors]


def all_text(result: CensusImport) -> str:
    return json.dumps(result.report()) + "\n".join(p.located(result.source) for p in result.errors)


# --- the synthetic samples ----------------------------------------------------------------------


def test_sample_2024_exact_account() -> None:
    result = import_cin_census(SAMPLES / "CIN_Census_2024.xml")
    # ReferenceDate 2024-03-31 picks the 2024 schema; the header's Year (2023) disagrees.
    assert (result.collection_year, result.schema, result.reference_date) == (
        2024,
        "CIN_schema_2024.xsd",
        date(2024, 3, 31),
    )
    assert [(w.line, w.element) for w in result.warnings] == [(5, "Header/CollectionDetails/Year")]
    c1, c2 = "DfEX0000001", "child_fails_assessments"
    assert outcomes(result) == [
        (None, "Header", "unmapped"),
        (c1, "Child", "mapped"),
        (c1, "CINdetails@2022-10-06", "mapped"),
        (c1, "CINdetails@2022-10-06/Assessments@2028-04-28", "rejected"),
        (c1, "CINdetails@2022-10-06/CINPlanDates@2023-01-24", "mapped"),
        (c1, "CINdetails@2022-10-06/Section47@2022-06-02", "rejected"),
        (c1, "CINdetails@2022-10-06/ChildProtectionPlans@2022-02-17", "rejected"),
        (c1, "CINdetails@2022-10-06/ChildProtectionPlans@2022-02-17/CPPreviewDate#1", "rejected"),
        (c2, "Child", "mapped"),
        (c2, "CINdetails@2024-10-24", "rejected"),
        (c2, "CINdetails@2024-10-24/Assessments#1", "rejected"),
    ]
    s47 = "CINdetails@2022-10-06/Section47@2022-06-02"
    cpp = "CINdetails@2022-10-06/ChildProtectionPlans@2022-02-17"
    assert errors(result) == [
        (19, c1, "ChildIdentifiers", "character data between child elements not allowed"),
        (25, c1, "ChildIdentifiers/Sex", "unexpected element <Sex> (expected <GenderCurrent>)"),
        (
            46,
            c1,
            "CINdetails@2022-10-06/Assessments@2028-04-28/FactorsIdentifiedAtAssessment/AssessmentFactors[2]",
            "value is not one of the 42 codes the schema allows",
        ),
        (
            55,
            c1,
            f"{s47}/S47ActualStartDate",
            "S47ActualStartDate (N00148) is before the episode's CINreferralDate (N00100)",
        ),
        (
            57,
            c1,
            f"{s47}/DateOfInitialCPC",
            "DateOfInitialCPC (N00110) is before the episode's CINreferralDate (N00100)",
        ),
        (
            62,
            c1,
            f"{cpp}/CPPstartDate",
            "CPPstartDate (N00105) is before the episode's CINreferralDate (N00100)",
        ),
        (
            63,
            c1,
            f"{cpp}/CPPendDate",
            "CPPendDate (N00115) is after the episode's CINclosureDate (N00102)",
        ),
        (78, c2, "ChildIdentifiers/Sex", "unexpected element <Sex> (expected <GenderCurrent>)"),
        (
            87,
            c2,
            "CINdetails@2024-10-24/CINreferralDate",
            "CINreferralDate (N00100) is after the return's ReferenceDate 2024-03-31 (N00603)",
        ),
        (
            90,
            c2,
            "CINdetails@2024-10-24/CINclosureDate",
            "CINclosureDate (N00102) is after the return's ReferenceDate 2024-03-31 (N00603)",
        ),
        (
            95,
            c2,
            "CINdetails@2024-10-24/Assessments#1/FactorsIdentifiedAtAssessment",
            "The content of element 'FactorsIdentifiedAtAssessment' is not complete. Tag 'AssessmentFactors' expected.",
        ),
    ]
    ep = f"{c1}/CINdetails@2022-10-06"
    # The episode: referral 6 Oct 2022 (source 1A family, need N4 acute stress, not NFA),
    # an episode-level initial conference 6 Dec 2022, closed 27 Feb 2023 (RC1 adopted);
    # its CIN plan ran 24-26 Jan 2023.
    assert [(e.id, e.type, e.on.isoformat(), dict(e.fields)) for e in result.events] == [
        (
            f"{ep}/referral",
            "referral_received",
            "2022-10-06",
            {
                "referral_source": "individual_family",
                "primary_need": "family_in_acute_stress",
                "no_further_action": False,
            },
        ),
        (
            f"{ep}/initial_conference",
            "child_protection_conference_held",
            "2022-12-06",
            {"kind": "initial", "referral_ref": f"{ep}/referral"},
        ),
        (
            f"{ep}/CINPlanDates@2023-01-24/started",
            "cin_plan_started",
            "2023-01-24",
            {"referral_ref": f"{ep}/referral"},
        ),
        (
            f"{ep}/CINPlanDates@2023-01-24/ended",
            "cin_plan_ended",
            "2023-01-26",
            {"plan_ref": f"{ep}/CINPlanDates@2023-01-24/started"},
        ),
        (
            f"{ep}/closure",
            "case_closed",
            "2023-02-27",
            {"reason": "adopted", "referral_ref": f"{ep}/referral"},
        ),
    ]
    assert [(u.child_id, u.element, u.line) for u in result.unmapped] == [
        (c1, "ChildIdentifiers/UPN", 21),
        (c1, "ChildIdentifiers/FormerUPN", 22),
        (c1, "ChildIdentifiers/UPNunknown", 23),
        (c1, "ChildIdentifiers/PersonBirthDate", 24),
        (c1, "ChildIdentifiers/Sex", 25),
        (c1, "ChildCharacteristics/Ethnicity", 28),
        (c1, "ChildCharacteristics/Disabilities/Disability[1]", 30),
        (c1, "ChildCharacteristics/Disabilities/Disability[2]", 31),
        (c2, "ChildIdentifiers/UPNunknown", 76),
        (c2, "ChildIdentifiers/PersonBirthDate", 77),
        (c2, "ChildIdentifiers/Sex", 78),
        (c2, "ChildCharacteristics/Ethnicity", 81),
        (c2, "ChildCharacteristics/Disabilities/Disability", 83),
    ]
    text = all_text(result)
    for value in SAMPLE_VALUES:
        assert value not in text, value


def test_sample_2021_exact_account() -> None:
    result = import_cin_census(SAMPLES / "CIN_Census_2021.xml")
    # Its ReferenceDate is 2023-03-31, so the 2023 schema applies (the file name says 2021).
    assert (result.collection_year, result.warnings) == (2023, ())
    c = "DfEX0000001"
    ep = "CINdetails@1970-10-06"
    assert outcomes(result) == [
        (None, "Header", "unmapped"),
        (c, "Child", "mapped"),
        (c, ep, "mapped"),
        (c, f"{ep}/Assessments@1970-06-03", "rejected"),
        (c, f"{ep}/CINPlanDates@1971-01-24", "mapped"),
        (c, f"{ep}/Section47@1970-06-02", "rejected"),
        (c, f"{ep}/ChildProtectionPlans@1970-02-17", "rejected"),
        (c, f"{ep}/ChildProtectionPlans@1970-02-17/CPPreviewDate#1", "rejected"),
    ]
    assert [(line, element) for line, _c, element, _m in errors(result)] == [
        (19, "ChildIdentifiers"),
        (44, f"{ep}/Assessments@1970-06-03/AssessmentActualStartDate"),  # before the referral
        (46, f"{ep}/Assessments@1970-06-03/AssessmentAuthorisationDate"),  # after the closure
        (57, f"{ep}/Section47@1970-06-02/S47ActualStartDate"),
        (59, f"{ep}/Section47@1970-06-02/DateOfInitialCPC"),
        (64, f"{ep}/ChildProtectionPlans@1970-02-17/CPPstartDate"),
        (65, f"{ep}/ChildProtectionPlans@1970-02-17/CPPendDate"),
    ]
    assert [(e.type, e.on.isoformat()) for e in result.events] == [
        ("referral_received", "1970-10-06"),
        ("child_protection_conference_held", "1970-12-06"),
        ("cin_plan_started", "1971-01-24"),
        ("cin_plan_ended", "1971-01-26"),
        ("case_closed", "1971-02-27"),
    ]
    # Personal items of the child: 9 leaves (UPN, FormerUPN, UPNunknown, the three
    # birth/death dates, GenderCurrent, Ethnicity, two Disability).
    assert len(result.unmapped) == 10 and {u.reason for u in result.unmapped} == {
        "personal identifier or characteristic: no procedure in the vocabulary needs it, so it is never copied into events"
    }
    for value in (*SAMPLE_VALUES, "1066-04-13", "1980-10-08"):
        assert value not in all_text(result), value


def test_fake_data_account_agrees_with_a_count_made_here() -> None:
    path = SAMPLES / "fake_CIN_data.xml"
    result = import_cin_census(path)
    assert (result.collection_year, result.reference_date) == (2022, date(2022, 7, 21))
    # Counted independently from the XML: episodes whose referral or closure falls after
    # the ReferenceDate are rejected; each other gives a referral, a closure if dated, and
    # an initial conference if dated (none of this file's conferences is out of range).
    reference = date(2022, 7, 21)
    root = parse_xml(path).getroot()
    kept = rejected = referrals = closures = conferences = 0
    for ep in root.iter("CINdetails"):
        dates = [
            date.fromisoformat(e.text or "")
            for e in ep
            if e.tag in ("CINreferralDate", "CINclosureDate")
        ]
        if any(d > reference for d in dates):
            rejected += 1
            continue
        kept += 1
        referrals += 1
        closures += ep.find("CINclosureDate") is not None
        conferences += ep.find("DateOfInitialCPC") is not None
    summary = result.summary()
    assert summary["children"] == 332 and summary["children_rejected"] == 0
    assert summary["records_by_element"]["CINdetails"] == {"mapped": kept, "rejected": rejected}
    assert (kept, rejected) == (388, 14)
    assert summary["events_by_type"] == {
        "case_closed": closures,
        "child_protection_conference_held": conferences,
        "referral_received": referrals,
    }
    # Every rejected episode has at least one located error naming its child.
    rejected_children = {r.child_id for r in result.records if r.outcome == "rejected"}
    assert rejected_children == {p.child_id for p in result.errors}
    assert all(p.line and p.element and p.element.startswith("CINdetails@") for p in result.errors)


# --- generated returns -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CensusImport]:
    path = tmp_path_factory.mktemp("census") / "generated.xml"
    path.write_text(generate_census(120, seed=7), encoding="utf-8")
    return path, import_cin_census(path)


def test_generated_return_imports_cleanly(generated: tuple[Path, CensusImport]) -> None:
    _path, result = generated
    assert result.errors == () and result.warnings == ()
    assert {r.outcome for r in result.records if r.element != "Header"} == {"mapped"}
    types = result.summary()["events_by_type"]
    for name in (
        "referral_received",
        "assessment_started",
        "assessment_completed",
        "enquiry_started",
        "child_protection_conference_held",
        "child_protection_plan_started",
        "case_closed",
    ):
        assert types.get(name, 0) > 0, name
    started = [e for e in result.events if e.type == "enquiry_started"]
    assert any(e.fields.get("conference_not_required") is True for e in started)
    assert any(e.fields.get("conference_not_required") is False for e in started)
    assert any(e.unknown == ("conference_not_required",) for e in started)


def test_every_event_joins_back_to_its_census_record(generated: tuple[Path, CensusImport]) -> None:
    """child_id + attributes.source_record + attributes.census_item find the census item
    whose date the event carries: the join key a system uses to go back to the return."""
    path, result = generated
    items = {
        "N00100": "CINreferralDate",
        "N00102": "CINclosureDate",
        "N00110": "DateOfInitialCPC",
        "N00159": "AssessmentActualStartDate",
        "N00160": "AssessmentAuthorisationDate",
        "N00689": "CINPlanStartDate",
        "N00690": "CINPlanEndDate",
        "N00148": "S47ActualStartDate",
        "N00105": "CPPstartDate",
        "N00115": "CPPendDate",
        "N00116": "CPPreviewDate",
    }
    key_of = {
        "CINdetails": "CINreferralDate",
        "Assessments": "AssessmentActualStartDate",
        "CINPlanDates": "CINPlanStartDate",
        "Section47": "S47ActualStartDate",
        "ChildProtectionPlans": "CPPstartDate",
    }
    root = parse_xml(path).getroot()
    children = {c.findtext("ChildIdentifiers/LAchildID"): c for c in root.iter("Child")}
    for event in result.events:
        node = children[event.child_id]
        for step in event.attributes["source_record"].split("/"):
            tag, key = step.split("@")
            if tag == "CPPreviewDate":
                node = next(r for r in node.iter("CPPreviewDate") if r.text == key)
                continue
            node = next(n for n in node.findall(tag) if n.findtext(key_of[tag]) == key)
        item = items[event.attributes["census_item"]]
        found = node if node.tag == item else node.find(item)
        assert found is not None and found.text == event.on.isoformat(), event.id


def test_written_events_are_vocabulary_events_once_dated(
    generated: tuple[Path, CensusImport],
) -> None:
    """Each JSONL record is an event of the vocabulary but for 'on' in place of 'at'."""
    _path, result = generated
    records = [json.loads(line) for line in result.to_jsonl().splitlines()]
    assert len(records) == len(result.events) and all("at" not in r for r in records)
    for record in records:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["on"])
        record["at"] = record.pop("on") + "T00:00:00Z"  # only to reuse the core's checks here
    stream = parse_events(records)
    assert stream.rejected == () and len(stream.events) == len(records)


def test_ids_are_stable_across_imports_and_element_order(tmp_path: Path) -> None:
    text = generate_census(60, seed=11)
    first = import_cin_census(write(tmp_path, text, "a.xml")).to_jsonl()
    again = import_cin_census(write(tmp_path, text, "b.xml")).to_jsonl()
    assert first == again
    for seed in (1, 2):
        reordered = shuffled(text, seed)
        assert reordered != text
        assert import_cin_census(write(tmp_path, reordered, f"s{seed}.xml")).to_jsonl() == first
    other = import_cin_census(write(tmp_path, generate_census(60, seed=12), "c.xml")).to_jsonl()
    assert other != first


def test_the_generator_is_deterministic_and_schema_valid() -> None:
    import xmlschema

    from safeguard_rules._census import schema_path

    assert generate_census(25, seed=3) == generate_census(25, seed=3)
    assert generate_census(25, seed=3) != generate_census(25, seed=4)
    for year in (2022, 2023, 2024):
        text = generate_census(40, seed=year, year=year)
        assert list(xmlschema.XMLSchema(schema_path(year)).iter_errors(text)) == []


def test_generated_edge_dates_are_present() -> None:
    """Weekends, bank holidays and the year boundaries appear among the generated dates."""
    dates = [
        date.fromisoformat(d)
        for d in re.findall(r">(\d{4}-\d{2}-\d{2})<", generate_census(300, seed=5))
    ]
    assert any(d.weekday() >= 5 for d in dates)
    assert any((d.month, d.day) in ((12, 25), (12, 26), (1, 1)) for d in dates)
    assert any((d.month, d.day) in ((3, 31), (4, 1)) for d in dates)
    assert any((d.month, d.day) == (12, 31) for d in dates)


# --- hand-written returns: one thing at a time --------------------------------------------------


def one(tmp_path: Path, *episodes: str, la: str = "C-1", identifiers: str = "") -> CensusImport:
    return import_cin_census(write(tmp_path, census(child(la, *episodes, identifiers=identifiers))))


def test_a_full_episode_maps_item_by_item(tmp_path: Path) -> None:
    result = one(
        tmp_path,
        episode(
            "2023-06-05",
            closure="2024-01-15",
            reason="RC7",
            source="3E",
            need="N0",
            before_nfa=assessment("2023-06-06", "2023-07-28", ("3A", "21"), review="2023-07-01")
            + cin_plan("2023-11-06", "2024-01-12")
            + section47("2023-06-07", target="2023-06-28", icpc="2023-06-26")
            + section47("2023-09-01", not_required="TRUE"),
            after_nfa=cp_plan(
                "2023-06-26",
                end="2023-11-06",
                initial="SAB",
                latest="MUL",
                previous="2",
                reviews=("2023-09-04",),
            ),
        ),
    )
    assert result.errors == ()
    ep = "C-1/CINdetails@2023-06-05"
    got = {
        e.id.removeprefix(ep + "/"): (e.type, e.on.isoformat(), dict(e.fields))
        for e in result.events
    }
    assert got == {
        # 3E accident and emergency; N0 "not stated" is unknown, so left out.
        "referral": (
            "referral_received",
            "2023-06-05",
            {"referral_source": "health_emergency_department", "no_further_action": False},
        ),
        "Assessments@2023-06-06/started": (
            "assessment_started",
            "2023-06-06",
            {"referral_ref": f"{ep}/referral"},
        ),
        "Assessments@2023-06-06/completed": (
            "assessment_completed",
            "2023-07-28",
            {"assessment_ref": f"{ep}/Assessments@2023-06-06/started", "factors": ["3A", "21"]},
        ),
        "Section47@2023-06-07/started": (
            "enquiry_started",
            "2023-06-07",
            {
                "basis": "section_47",
                "referral_ref": f"{ep}/referral",
                "conference_target": "2023-06-28",
                "conference_not_required": False,
            },
        ),
        "Section47@2023-06-07/initial_conference": (
            "child_protection_conference_held",
            "2023-06-26",
            {
                "kind": "initial",
                "enquiry_ref": f"{ep}/Section47@2023-06-07/started",
                "referral_ref": f"{ep}/referral",
            },
        ),
        "Section47@2023-09-01/started": (
            "enquiry_started",
            "2023-09-01",
            {
                "basis": "section_47",
                "referral_ref": f"{ep}/referral",
                "conference_not_required": True,
            },
        ),
        # The plan started on the conference's day, so it is linked to that conference.
        "ChildProtectionPlans@2023-06-26/started": (
            "child_protection_plan_started",
            "2023-06-26",
            {
                "category": "sexual_abuse",
                "previous_plans": 2,
                "conference_ref": f"{ep}/Section47@2023-06-07/initial_conference",
                "referral_ref": f"{ep}/referral",
            },
        ),
        "ChildProtectionPlans@2023-06-26/CPPreviewDate@2023-09-04/review_conference": (
            "child_protection_conference_held",
            "2023-09-04",
            {
                "kind": "review",
                "plan_ref": f"{ep}/ChildProtectionPlans@2023-06-26/started",
                "referral_ref": f"{ep}/referral",
            },
        ),
        "ChildProtectionPlans@2023-06-26/ended": (
            "child_protection_plan_ended",
            "2023-11-06",
            {"plan_ref": f"{ep}/ChildProtectionPlans@2023-06-26/started", "category": "multiple"},
        ),
        "CINPlanDates@2023-11-06/started": (
            "cin_plan_started",
            "2023-11-06",
            {"referral_ref": f"{ep}/referral"},
        ),
        "CINPlanDates@2023-11-06/ended": (
            "cin_plan_ended",
            "2024-01-12",
            {"plan_ref": f"{ep}/CINPlanDates@2023-11-06/started"},
        ),
        "closure": (
            "case_closed",
            "2024-01-15",
            {"reason": "services_ceased", "referral_ref": f"{ep}/referral"},
        ),
    }
    # The internal review date has no event; it is listed with its reason, not dropped.
    review = [u for u in result.unmapped if u.element.endswith("AssessmentInternalReviewDate")]
    assert [(u.element, u.reason) for u in review] == [
        (
            "CINdetails@2023-06-05/Assessments@2023-06-06/AssessmentInternalReviewDate",
            "an assessment's internal review: no event in the vocabulary records it, and no procedure refers to it",
        )
    ]
    assert result.events[0].attributes == {
        "source_record": "CINdetails@2023-06-05",
        "census_item": "N00100",
    }


def test_episode_level_conference_on_the_enquiry_conference_day_is_one_conference(
    tmp_path: Path,
) -> None:
    result = one(
        tmp_path,
        episode(
            "2023-06-05", icpc="2023-06-26", before_nfa=section47("2023-06-07", icpc="2023-06-26")
        ),
    )
    conferences = [e.id for e in result.events if e.type == "child_protection_conference_held"]
    assert conferences == ["C-1/CINdetails@2023-06-05/Section47@2023-06-07/initial_conference"]


def test_an_enquiry_with_no_conference_and_no_icpc_not_required_leaves_the_outcome_unknown(
    tmp_path: Path,
) -> None:
    # ICPCnotRequired false with no DateOfInitialCPC: still open, or a conference owed and not
    # held? The return cannot say, so the event says it does not know (never false).
    result = one(tmp_path, episode("2023-06-05", before_nfa=section47("2023-06-07")))
    [started] = [e for e in result.events if e.type == "enquiry_started"]
    assert "conference_not_required" not in started.fields
    assert started.unknown == ("conference_not_required",)
    assert started.to_record()["unknown"] == ["conference_not_required"]
    held = one(
        tmp_path, episode("2023-06-05", before_nfa=section47("2023-06-07", icpc="2023-06-20"))
    )
    [started] = [e for e in held.events if e.type == "enquiry_started"]
    assert started.fields["conference_not_required"] is False and started.unknown == ()
    assert "unknown" not in started.to_record()


def test_open_plan_whose_category_changed_keeps_the_change_as_unmapped(tmp_path: Path) -> None:
    result = one(
        tmp_path,
        episode("2023-06-05", after_nfa=cp_plan("2023-07-03", initial="NEG", latest="EMO")),
    )
    started = next(e for e in result.events if e.type == "child_protection_plan_started")
    assert started.fields["category"] == "neglect"
    assert [u.reason for u in result.unmapped if u.element.endswith("LatestCategoryOfAbuse")] == [
        "the category changed while the plan is open, and the census gives no date for the change"
    ]


@pytest.mark.parametrize(
    ("body", "record", "line_of", "message"),
    [
        pytest.param(
            {"after_nfa": cp_plan("2023-08-01", end="2023-07-01")},
            "CINdetails@2023-06-05/ChildProtectionPlans@2023-08-01",
            "<CPPendDate>",
            "CPPendDate (N00115) is before CPPstartDate (N00105)",
            id="plan-ends-before-it-starts",
        ),
        pytest.param(
            {"before_nfa": section47("2023-07-10", icpc="2023-07-03")},
            "CINdetails@2023-06-05/Section47@2023-07-10",
            "<DateOfInitialCPC>",
            "DateOfInitialCPC (N00110) is before S47ActualStartDate (N00148)",
            id="conference-before-enquiry",
        ),
        pytest.param(
            {"before_nfa": section47("2023-07-10", icpc="2023-07-20", not_required="1")},
            "CINdetails@2023-06-05/Section47@2023-07-10",
            "<ICPCnotRequired>",
            "ICPCnotRequired (N00111) is true, yet DateOfInitialCPC (N00110) gives the conference's date",
            id="held-and-not-required",
        ),
        pytest.param(
            {"before_nfa": section47("2023-07-10", target="2023-07-01")},
            "CINdetails@2023-06-05/Section47@2023-07-10",
            "<InitialCPCtarget>",
            "InitialCPCtarget (N00109) is before S47ActualStartDate (N00148)",
            id="target-before-enquiry",
        ),
        pytest.param(
            {"before_nfa": assessment("2023-07-10", "2023-07-09")},
            "CINdetails@2023-06-05/Assessments@2023-07-10",
            "<AssessmentAuthorisationDate>",
            "AssessmentAuthorisationDate (N00160) is before AssessmentActualStartDate (N00159)",
            id="assessment-authorised-before-start",
        ),
        pytest.param(
            {"before_nfa": cin_plan("2023-07-10", "2023-07-09")},
            "CINdetails@2023-06-05/CINPlanDates@2023-07-10",
            "<CINPlanEndDate>",
            "CINPlanEndDate (N00690) is before CINPlanStartDate (N00689)",
            id="cin-plan-ends-before-start",
        ),
        pytest.param(
            {"closure": "2023-06-04"},
            "CINdetails@2023-06-05",
            "<CINclosureDate>",
            "CINclosureDate (N00102) is before CINreferralDate (N00100)",
            id="closed-before-referral",
        ),
        pytest.param(
            {"after_nfa": cp_plan("2023-07-03", reviews=("2023-07-03",))},
            "CINdetails@2023-06-05/ChildProtectionPlans@2023-07-03/CPPreviewDate@2023-07-03",
            "<CPPreviewDate>",
            "CPPreviewDate (N00116) is not after the plan's CPPstartDate (N00105)",
            id="review-on-plan-start",
        ),
    ],
)
def test_impossible_dates_reject_the_record_with_a_located_error(
    tmp_path: Path, body: dict[str, Any], record: str, line_of: str, message: str
) -> None:
    text = census(child("C-9", episode("2023-06-05", **body)))
    result = import_cin_census(write(tmp_path, text))
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if line_of in t)
    (problem,) = result.errors
    assert (problem.line, problem.child_id, problem.message) == (line, "C-9", message)
    assert problem.element.startswith(record)
    assert (record, "rejected") in [(r.record, r.outcome) for r in result.records]
    assert all(not e.id.startswith(f"C-9/{record}/") for e in result.events)
    assert problem.located(result.source).startswith(
        f"{result.source}:{line}: error: child C-9: {record}"
    )


def test_a_schema_error_rejects_its_record_and_what_is_nested_not_its_siblings(
    tmp_path: Path,
) -> None:
    # An unknown code in the episode's ReferralSource rejects the episode and its enquiry;
    # the child's other episode is imported.
    text = census(
        child(
            "C-2",
            episode("2022-05-03", source="99", before_nfa=section47("2022-05-04")),
            episode("2023-05-03", closure="2023-06-01", reason="RC7"),
        )
    )
    result = import_cin_census(write(tmp_path, text))
    assert outcomes(result)[1:] == [
        ("C-2", "Child", "mapped"),
        ("C-2", "CINdetails@2022-05-03", "rejected"),
        ("C-2", "CINdetails@2022-05-03/Section47#1", "rejected"),
        ("C-2", "CINdetails@2023-05-03", "mapped"),
    ]
    assert [r.reason for r in result.records if r.outcome == "rejected"] == [
        "value is not one of the 22 codes the schema allows",
        "inside CINdetails@2022-05-03, which was rejected",
    ]
    line = line_of(text, "<ReferralSource>99<")
    assert errors(result) == [
        (
            line,
            "C-2",
            "CINdetails@2022-05-03/ReferralSource",
            "value is not one of the 22 codes the schema allows",
        )
    ]
    assert [e.type for e in result.events] == ["referral_received", "case_closed"]


@pytest.mark.parametrize(
    ("old", "new", "element", "message"),
    [
        pytest.param(
            "<S47ActualStartDate>2022-05-04<",
            "<S47ActualStartDate>2023-02-30<",
            "CINdetails@2022-05-03/Section47#1/S47ActualStartDate",
            "not a valid xs:date: day is out of range for month",
            id="impossible-date",
        ),
        pytest.param(
            "<S47ActualStartDate>2022-05-04<",
            "<S47ActualStartDate>04/05/2022<",
            "CINdetails@2022-05-03/Section47#1/S47ActualStartDate",
            "not a valid xs:date",
            id="not-a-date",
        ),
        pytest.param(
            "<ICPCnotRequired>false<",
            "<ICPCnotRequired>maybe<",
            "CINdetails@2022-05-03/Section47@2022-05-04/ICPCnotRequired",
            "value must be one of ['true', 'false', 'TRUE', 'FALSE', '0', '1']",
            id="bad-yes-no",
        ),
        pytest.param(
            "<ICPCnotRequired>false</ICPCnotRequired>",
            "<ICPCnotRequired>false</ICPCnotRequired><Outcome>x</Outcome>",
            "CINdetails@2022-05-03/Section47@2022-05-04/Outcome",
            "unexpected element <Outcome> (not in the schema here)",
            id="unknown-element",
        ),
        pytest.param(
            "<DateOfInitialCPC>",
            "<DateOfInitalCPC>",
            "CINdetails@2022-05-03/Section47@2022-05-04/DateOfInitalCPC",
            "unexpected element <DateOfInitalCPC> (expected <ICPCnotRequired>)",
            id="misspelt-element",
        ),
    ],
)
def test_schema_failures_are_located_and_never_print_the_value(
    tmp_path: Path, old: str, new: str, element: str, message: str
) -> None:
    base = census(
        child("C-3", episode("2022-05-03", before_nfa=section47("2022-05-04", icpc="2022-05-20")))
    )
    text = base.replace(old, new, 1).replace(
        "</DateOfInitialCPC>", "</DateOfInitalCPC>" if "Inital" in new else "</DateOfInitialCPC>"
    )
    assert text != base
    result = import_cin_census(write(tmp_path, text))
    problem = result.errors[0]
    assert (problem.child_id, problem.element, problem.message) == ("C-3", element, message)
    assert problem.line == next(
        n for n, t in enumerate(text.splitlines(), 1) if new.split(">")[0] + ">" in t
    )
    assert [r.outcome for r in result.records if "Section47" in r.record] == ["rejected"]
    for value in ("2023-02-30", "04/05/2022", "'maybe'"):
        assert value not in all_text(result)


def test_personal_field_errors_are_reported_but_reject_nothing_and_never_echo(
    tmp_path: Path,
) -> None:
    result = one(tmp_path, episode("2022-05-03"), identifiers="        <UPN>Q12345</UPN>\n")
    text = Path(result.source).read_text()
    assert errors(result) == [
        (
            line_of(text, "<UPN>"),
            "C-1",
            "ChildIdentifiers/UPN",
            "value doesn't match any pattern of ['[A-Za-z]\\\\d{12}', '[A-Za-z]\\\\d{11}[A-Za-z]']",
        )
    ]
    assert [e.type for e in result.events] == ["referral_received"]
    assert "Q12345" not in all_text(result)


def test_records_sharing_their_identifying_date_are_both_rejected(tmp_path: Path) -> None:
    text = census(
        child(
            "C-4",
            episode(
                "2022-05-03",
                before_nfa=section47("2022-05-04") + section47("2022-05-04", not_required="true"),
            ),
        )
    )
    result = import_cin_census(write(tmp_path, text))
    lines = [n for n, t in enumerate(text.splitlines(), 1) if "<Section47>" in t]
    message = (
        f"2 Section47 records here share the S47ActualStartDate (N00148) that identifies them (lines "
        f"{lines[0]}, {lines[1]}), so they cannot be told apart; none is imported"
    )
    assert errors(result) == [
        (lines[0], "C-4", "CINdetails@2022-05-03/Section47#1", message),
        (lines[1], "C-4", "CINdetails@2022-05-03/Section47#2", message),
    ]
    assert [e.type for e in result.events] == ["referral_received"]


def test_children_sharing_an_lachildid_are_both_rejected(tmp_path: Path) -> None:
    text = census(
        child("C-5", episode("2022-05-03")),
        child("C-5", episode("2023-01-09")),
        child("C-6", episode("2023-01-10")),
    )
    result = import_cin_census(write(tmp_path, text))
    lines = [n for n, t in enumerate(text.splitlines(), 1) if "<Child>" in t]
    assert errors(result) == [
        (
            lines[0],
            "C-5",
            "ChildIdentifiers/LAchildID",
            f"2 children share this LAchildID (N00097), at lines {lines[0]}, {lines[1]}; none of them is imported",
        )
    ]
    assert [(r.child_id, r.record, r.outcome) for r in result.records if r.child_id == "C-5"] == [
        ("C-5", "Child", "rejected"),
        ("C-5", "CINdetails@2022-05-03", "rejected"),
        ("C-5", "Child", "rejected"),
        ("C-5", "CINdetails@2023-01-09", "rejected"),
    ]
    assert {e.child_id for e in result.events} == {"C-6"}
    assert not [u for u in result.unmapped if u.child_id == "C-5"]


def test_a_child_without_a_usable_lachildid_is_rejected_with_all_its_records(
    tmp_path: Path,
) -> None:
    long_id = "L" * 101
    text = census(child(long_id, episode("2022-05-03", before_nfa=section47("2022-05-04"))))
    result = import_cin_census(write(tmp_path, text))
    assert outcomes(result)[1:] == [
        (None, "Child#1", "rejected"),
        (None, "Child#1/CINdetails#1", "rejected"),
        (None, "Child#1/CINdetails#1/Section47#1", "rejected"),
    ]
    assert errors(result) == [
        (
            line_of(text, "<Child>"),
            None,
            "Child#1",
            "the child has an LAchildID (N00097) that is not 1-100 printable characters",
        )
    ]
    assert result.events == () and long_id not in all_text(result)


def test_reason_for_closure_without_a_closure_date_is_unmapped(tmp_path: Path) -> None:
    result = one(tmp_path, episode("2022-05-03", reason="RC1"))
    assert [u.reason for u in result.unmapped if u.element.endswith("ReasonForClosure")] == [
        "ReasonForClosure (N00103) without a CINclosureDate (N00102): there is no date to record a closure on"
    ]
    assert [e.type for e in result.events] == ["referral_received"]


# --- the collection year --------------------------------------------------------------------------


def test_year_without_a_bundled_schema_is_an_error_that_says_what_to_do(tmp_path: Path) -> None:
    path = write(
        tmp_path, census(child("C-1", episode("2020-05-03")), year="2021", reference="2021-03-31")
    )
    result = import_cin_census(path)
    assert errors(result) == [
        (
            6,
            None,
            None,
            "collection year 2021 (from the header's ReferenceDate) has no bundled schema; "
            "there are 2022, 2023, 2024: to validate against one of them, pass collection_year (--collection-year)",
        )
    ]
    assert result.events == ()
    chosen = import_cin_census(path, collection_year=2022)
    assert (chosen.collection_year, chosen.errors, len(chosen.events)) == (2022, (), 1)


def test_a_2022_return_is_checked_against_the_2022_code_lists(tmp_path: Path) -> None:
    # RC9 (closed after assessment, referred to early help) is new in the 2023 schema.
    text = census(
        child("C-1", episode("2021-05-03", closure="2021-06-01", reason="RC9")),
        year="2022",
        reference="2022-03-31",
    )
    result = import_cin_census(write(tmp_path, text))
    assert [(m, r) for _l, _c, m, r in errors(result)] == [
        (
            "CINdetails@2021-05-03/ReasonForClosure",
            "value must be one of ['RC1', 'RC2', 'RC3', 'RC4', 'RC5', 'RC6', 'RC7', 'RC8']",
        )
    ]
    later = import_cin_census(
        write(
            tmp_path, text.replace("2022-03-31", "2023-03-31").replace(">2022<", ">2023<"), "b.xml"
        )
    )
    assert later.errors == () and later.events[-1].fields["reason"] == "early_help_after_assessment"


# --- the command line --------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "safeguard_rules", "import", "cin-census", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_writes_events_and_report_and_exits_by_what_it_found(tmp_path: Path) -> None:
    out, report = tmp_path / "events.jsonl", tmp_path / "report.json"
    done = run_cli(str(SAMPLES / "CIN_Census_2024.xml"), "-o", str(out), "--report", str(report))
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0].endswith(
        "CIN_Census_2024.xml:19: error: child DfEX0000001: ChildIdentifiers: character data between child elements not allowed"
    )
    assert (
        "children: 2 (0 rejected); records: 2 mapped, 1 unmapped, 6 rejected; unmapped items: 13"
        in lines
    )
    assert f"events: 5 written to {out}" in lines
    assert len(out.read_text().splitlines()) == 5
    data = json.loads(report.read_text())
    assert data["format"] == "safeguard-rules/census-import/1" and data["summary"]["errors"] == 11
    assert len(data["records"]) == 11 and {g["element"] for g in data["unmapped"]} >= {
        "UPN",
        "Disability",
        "Sex",
    }
    for value in SAMPLE_VALUES:
        assert value not in done.stderr and value not in report.read_text(), value

    clean = tmp_path / "clean.xml"
    clean.write_text(generate_census(5, seed=2), encoding="utf-8")
    done = run_cli(str(clean))
    assert done.returncode == 0
    assert json.loads(done.stdout.splitlines()[0])["child_id"] == "SYN000001"


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = run_cli(str(tmp_path / "none.xml"))
    assert (missing.returncode, missing.stderr.strip()) == (
        2,
        f"error: cannot read {tmp_path / 'none.xml'}: No such file or directory",
    )
    assert (
        run_cli(str(SAMPLES / "CIN_Census_2024.xml"), "--collection-year", "2019").returncode == 2
    )


def test_importing_the_package_loads_no_xml_library() -> None:
    code = (
        "import sys, safeguard_rules; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('defusedxml', 'xmlschema', 'elementpath')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.strip() == "[]"


# --- docs/importing.md: its example is what the command does -------------------------------------


def _doc_block(name: str) -> str:
    text = (Path(__file__).resolve().parents[1] / "docs" / "importing.md").read_text(
        encoding="utf-8"
    )
    match = re.search(rf"<!-- example: {name} -->\n```\w+\n(.*?)```", text, re.DOTALL)
    assert match is not None, name
    return match.group(1)


def test_importing_doc_example_is_what_the_command_writes(tmp_path: Path) -> None:
    (tmp_path / "example.xml").write_text(_doc_block("census"), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "safeguard_rules",
            "import",
            "cin-census",
            "example.xml",
            "-o",
            "events.jsonl",
            "--report",
            "report.json",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0
    assert (tmp_path / "events.jsonl").read_text(encoding="utf-8") == _doc_block("events")
    assert done.stderr == _doc_block("summary")


def test_importing_doc_csv_row_is_what_evaluate_writes(tmp_path: Path) -> None:
    # The doc's walk ends with a CSV of deadlines: its table of the conference's row is read
    # from the doc and compared with what the two commands write for its example return.
    (tmp_path / "example.xml").write_text(_doc_block("census"), encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    overlay = root / "examples" / "overlays" / "wtsc_2015_conference_15_working_days.yaml"
    for argv in (
        ["import", "cin-census", "example.xml", "-o", "events.jsonl"],
        ["evaluate", "--pack", str(overlay), "--as-of", "2024-03-31", "--format", "csv",
         "events.jsonl"],
    ):  # fmt: skip
        done = subprocess.run(  # noqa: S603 - this interpreter, the arguments above
            [sys.executable, "-m", "safeguard_rules", *argv],
            capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    obligation = next(r for r in rows if r["record"] == "obligation")
    text = (root / "docs" / "importing.md").read_text(encoding="utf-8")
    section = text[text.index("### Write the CSV") : text.index("**Join keys back to the return**")]
    table = re.findall(r"^\| (`[^|]*`) \| ([^|]*) \|$", section, re.MULTILINE)
    assert len(table) == 8
    for columns, values in table:
        names = re.findall(r"`(\w+)`", columns)
        if names == ["met_by", "met_on"]:
            assert obligation["met_by"].endswith("/initial_conference")
            assert obligation["met_on"] == "2024-01-19"
            continue
        if names == ["triggered_at", "triggered_on"]:
            assert (obligation["triggered_at"], obligation["triggered_on"]) == ("", "2023-12-27")
            continue
        if names == ["missing", "reason"]:
            assert (obligation["missing"], obligation["reason"]) == ("", "")
            continue
        documented = re.findall(r"`([^`]*)`", values)[: len(names)]
        assert [obligation[n] for n in names] == documented, names
    # Wed 27 Dec 2023 + 15 working days (1 January a bank holiday): Thu 18 January 2024.
    assert obligation["due"] == "2024-01-18T23:59:59+00:00"
    finding = next(r for r in rows if r["record"] == "finding")
    assert (finding["kind"], finding["severity"], finding["on"]) == (
        "met_late",
        "should",
        "2024-01-19",
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=10**6), order=st.integers(min_value=0, max_value=10**6)
)
def test_any_generated_return_imports_cleanly_in_any_order(seed: int, order: int) -> None:
    text = generate_census(8, seed=seed)
    with tempfile.TemporaryDirectory() as folder:
        first = import_cin_census(write(Path(folder), text, "a.xml"))
        again = import_cin_census(write(Path(folder), shuffled(text, order), "b.xml"))
    assert first.errors == () and {r.outcome for r in first.records} == {"mapped", "unmapped"}
    assert again.to_jsonl() == first.to_jsonl()


def test_dates_outside_the_years_events_accept_reject_the_record(tmp_path: Path) -> None:
    # 1900-01-01 is a common "no date" placeholder; the schema accepts it, events do not.
    result = one(
        tmp_path, episode("2022-05-03", before_nfa=cin_plan("2022-06-01")), episode("1900-01-01")
    )
    assert [
        (r.record, r.outcome, r.reason) for r in result.records if r.element == "CINdetails"
    ] == [
        ("CINdetails@2022-05-03", "mapped", ""),
        (
            "CINdetails@1900-01-01",
            "rejected",
            "its date (N00100) is outside the years 1901-2199 that events accept",
        ),
    ]
    assert [(p.child_id, p.element) for p in result.errors] == [("C-1", "CINdetails@1900-01-01")]
