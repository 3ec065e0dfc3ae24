"""England's statutory concepts in the core vocabulary: documented, typed, linkable.

Deadlines below are counted by hand on the England and Wales calendar (Europe/London).
"""

from __future__ import annotations

import re

import pytest
from helpers import end_of, ev, minimal_pack, obligations, run

from safeguard_rules import parse_events
from safeguard_rules._events import EVENT_CLASSES, BaseEvent
from safeguard_rules._loading import compile_text

# The types this pass added or extended for England, and the census item each names.
CENSUS_ITEMS = {
    "referral_received": ["N00100", "N00152", "N00101", "N00112"],
    "assessment_started": ["N00159"],
    "assessment_completed": ["N00160", "N00181"],
    "enquiry_started": ["N00148", "N00109", "N00111"],
    "child_protection_conference_held": ["N00110", "N00116"],
    "child_protection_plan_started": ["N00105", "N00113", "N00106"],
    "child_protection_plan_ended": ["N00115", "N00114"],
    "cin_plan_started": ["N00689"],
    "cin_plan_ended": ["N00690"],
    "case_closed": ["N00102", "N00103"],
}
UNDATED_IN_CENSUS = ["enquiry_concluded", "core_group_meeting_held"]


def _own_fields(name: str) -> list[str]:
    cls = EVENT_CLASSES[name]
    return [f for f in cls.model_fields if f not in BaseEvent.model_fields and f != "type"]


@pytest.mark.parametrize("name", [*CENSUS_ITEMS, *UNDATED_IN_CENSUS])
def test_every_england_type_and_field_is_described(name: str) -> None:
    cls = EVENT_CLASSES[name]
    doc = " ".join((cls.__doc__ or "").split())
    assert "Record it" in doc, f"{name} does not say when to record it"
    assert " Not " in doc, f"{name} does not say how it differs from its look-alikes"
    for field in _own_fields(name):
        assert cls.model_fields[field].description, f"{name}.{field} has no description"


@pytest.mark.parametrize(("name", "items"), CENSUS_ITEMS.items())
def test_each_census_concept_names_its_census_items(name: str, items: list[str]) -> None:
    cls = EVENT_CLASSES[name]
    text = " ".join(
        [cls.__doc__ or "", *(cls.model_fields[f].description or "" for f in _own_fields(name))]
    )
    for item in items:
        assert item in text, f"{name} does not name census item {item}"


def test_census_fields_are_optional_so_an_import_never_invents_them() -> None:
    # Only the child, id, time and (for an enquiry) the statute are needed: the rest may be
    # left out. basis and continuing_risk are needed: given, or listed under unknown.
    for name in [*CENSUS_ITEMS, *UNDATED_IN_CENSUS]:
        cls = EVENT_CLASSES[name]
        required = [f for f in _own_fields(name) if cls.model_fields[f].is_required()]
        assert required == [], name
        expected = {"enquiry_started": ["basis"], "enquiry_concluded": ["basis", "continuing_risk"]}
        assert [f for f in _own_fields(name) if f in cls._needed] == expected.get(name, []), name


def test_enumerations_reject_census_codes_and_misspellings() -> None:
    base = {"id": "r1", "child_id": "child-1", "at": "2024-01-08T00:00:00Z"}
    stream = parse_events(
        [
            {**base, "type": "child_protection_plan_started", "category": "NEG"},
            {
                **base,
                "id": "r2",
                "type": "child_protection_plan_started",
                "category": "neglect",
                "previous_plans": -1,
            },
            {
                **base,
                "id": "r3",
                "type": "referral_received",
                "referral_source": "police",
                "primary_need": "abuse_or_neglect",
            },
            {**base, "id": "r4", "type": "child_protection_conference_held", "kind": "inital"},
        ]
    )
    assert [e.id for e in stream.events] == ["r3"]
    reasons = {r.event_id: r.reason for r in stream.rejected}
    assert "'category'" in reasons["r1"] and "NEG" not in reasons["r1"]
    assert "'previous_plans'" in reasons["r2"]
    assert "'kind'" in reasons["r4"]


def test_events_doc_lists_the_census_journey() -> None:
    from docgen import DOC

    text = DOC.read_text(encoding="utf-8")
    section = text.split("## England: the child in need and child protection journey", 1)[1].split(
        "## Types", 1
    )[0]
    for name in CENSUS_ITEMS:
        assert f"`{name}`" in section, name
    codes = set(re.findall(r"N00\d{3}", section))
    assert {c for items in CENSUS_ITEMS.values() for c in items} <= codes


# A pack can match a conference to the enquiry it follows by id (England's bank holidays).
_LINK_PACK = minimal_pack(
    "census_links",
    "Conference follows its own enquiry",
    """\
  - id: conference_after_enquiry
    title: An initial conference follows each section 47 enquiry
    strength: must
    when:
      event: enquiry_started
      where: {all: [{field: basis, is: section_47}, {field: conference_not_required, is_not: true}]}
    require:
      action: hold_initial_conference
      responsible: someone
      due: {working_days: 15}
      satisfied_by:
        event: child_protection_conference_held
        where:
          all:
            - {field: kind, is: initial}
            - {field: enquiry_ref, is: {ref: trigger.id}}
""",
).replace(
    "  timezone: Europe/London\n",
    "  timezone: Europe/London\n  public_holidays: {country: GB, subdivision: ENG}\n",
)


def test_a_conference_meets_only_the_enquiry_it_is_linked_to() -> None:
    pack = compile_text(_LINK_PACK, "census_links.yaml")
    result = run(
        pack,
        [
            ev("enquiry_started", "2024-03-25T10:00:00+00:00", id="s47-a", basis="section_47"),
            ev("enquiry_started", "2024-03-26T10:00:00+00:00", id="s47-b", basis="section_47"),
            ev(
                "enquiry_started",
                "2024-03-27T10:00:00+00:00",
                id="s47-c",
                basis="section_47",
                conference_not_required=True,
            ),
            # The conference for enquiry b comes first and must not settle enquiry a.
            ev(
                "child_protection_conference_held",
                "2024-04-10T10:00:00+01:00",
                id="icpc-b",
                kind="initial",
                enquiry_ref="s47-b",
            ),
            ev(
                "child_protection_conference_held",
                "2024-04-18T10:00:00+01:00",
                id="icpc-a",
                kind="initial",
                enquiry_ref="s47-a",
            ),
        ],
        "2024-05-01T09:00:00+01:00",
    )
    found = {o.triggered_by[0]: o for o in obligations(result, "conference_after_enquiry")}
    # No obligation for s47-c: its enquiry decided no conference is needed.
    assert sorted(found) == ["s47-a", "s47-b"]
    # s47-a, Monday 25 March 2024: 15 working days after it, skipping Good Friday 29 March
    # and Easter Monday 1 April, is Wednesday 17 April (26,27,28 Mar; 2,3,4,5; 8-12; 15,16,17).
    assert found["s47-a"].due == end_of("2024-04-17", "Europe/London")
    assert (found["s47-a"].status, found["s47-a"].met_by) == ("met_late", "icpc-a")
    # s47-b, Tuesday 26 March: one working day on, Thursday 18 April; met on 10 April.
    assert found["s47-b"].due == end_of("2024-04-18", "Europe/London")
    assert (found["s47-b"].status, found["s47-b"].met_by) == ("met", "icpc-b")
