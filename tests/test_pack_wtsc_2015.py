"""Scenario tests for the WTSC 2015 pack (policies/wtsc_2015.yaml).

Source: policies/sources/004_1eaa19ad6c589abd.txt, "Multi-Agency Partnerships and
Meetings", quoting Working Together to Safeguard Children (2015). Traceability:
docs/policies/wtsc_2015.md.

Every expected deadline is worked out by hand from the England and Wales bank holidays
(2015: 1 Jan, 3 Apr Good Friday, 6 Apr Easter Monday, 4 May, 25 May, 31 Aug, 25 Dec,
28 Dec Boxing Day substitute; 2016: 1 Jan, 25 Mar Good Friday, 28 Mar Easter Monday) and
the counting convention: "same day" is the end of the trigger's local date; "N working
days" is the end of the Nth working day after it. British Summer Time began at 01:00 GMT
on Sunday 29 March 2015 and on Sunday 27 March 2016. Child and event ids are invented.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    assert_not_encoded_quotes_the_source,
    assert_source_accounted_for,
    end_of,
    ev,
    finding_rules,
    fired_rules,
    obligations,
    only,
    recorded_false,
    run,
)

from safeguard_rules import BaseEvent, Evaluation, Finding, Obligation, load_pack

PACK = load_pack("wtsc_2015")
TZ = "Europe/London"
ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "policies" / "sources" / "004_1eaa19ad6c589abd.txt"
CORE = ["csc", "police", "health"]

# The lead sentence (three working days), owed where no exception certainly applies; its
# table bounds the deadline while an exception flag is unknown (reader 5 HIGH-1).
TIMING = "strategy_discussion_within_timescale"
# Each exception sentence, owed wherever the record certainly puts the concern in it, at
# its own strength whatever the other flags say (reader 6 M2, M3).
SAME_DAY = "strategy_discussion_same_day"
ONE_DAY = "strategy_discussion_within_one_working_day"
FIVE_DAYS = "strategy_discussion_within_five_working_days"

SCENARIOS: dict[str, Callable[[], Evaluation]] = {}


def scenario(fn: Callable[[], Evaluation]) -> Callable[[], Evaluation]:
    """Register a scenario so the coverage test can run them all."""
    SCENARIOS[fn.__name__] = fn
    return fn


# --- builders --------------------------------------------------------------------------


def concern(at: str, *, id: str, category: str = "physical_abuse", **fields: Any) -> BaseEvent:
    # Flags the test does not give mean false, written explicitly (left out, a flag is not
    # recorded: unknown).
    return ev("concern_identified", at, id=id, category=category, **recorded_false(fields))


def discussion(
    at: str,
    *,
    id: str,
    mode: str = "face_to_face",
    agencies: list[str] | None = None,
    records_made_by: list[str] | None = None,
    **fields: Any,
) -> BaseEvent:
    agencies = CORE if agencies is None else agencies
    records = agencies if records_made_by is None else records_made_by
    fields.setdefault("invited", agencies)
    return ev(
        "strategy_discussion_held",
        at,
        id=id,
        mode=mode,
        agencies=agencies,
        records_made_by=records,
        chair_role="strategy_chair",
        **fields,
    )


def meeting(at: str, *, id: str, agencies: list[str] | None = None, **fields: Any) -> BaseEvent:
    """A strategy meeting; everyone invited came and took notes unless ``fields`` say not."""
    agencies = CORE if agencies is None else agencies
    fields.setdefault("invited", agencies)
    fields.setdefault("records_made_by", agencies)
    return ev(
        "strategy_meeting_held", at, id=id, chair_role="strategy_chair", agencies=agencies, **fields
    )


def record(
    at: str,
    *,
    id: str,
    of: str,
    to: list[str] | None = None,
    authorised_by_role: str | None = "csc_manager",
    child: str = "child-1",
) -> BaseEvent:
    fields: dict[str, Any] = {"meeting_ref": of, "to": CORE if to is None else to}
    if authorised_by_role is not None:
        fields["authorised_by_role"] = authorised_by_role
    return ev("strategy_record_circulated", at, id=id, child=child, **fields)


def checks(result: Evaluation, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.kind == "check" and f.rule == rule]


def lateness(result: Evaluation, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.kind != "check" and f.rule == rule]


def _normalise(text: str) -> str:
    return " ".join(text.split())


# --- the pack itself ---------------------------------------------------------------------


def test_the_pack_is_described_as_the_guide_it_encodes_not_as_working_together() -> None:
    # reader 8 L4: the source is a practitioner guide that quotes Working Together 2015 for
    # who takes part and the meeting's purpose only; its timing, record, MASH and conference
    # sentences are its own, and effective_from is the quoted edition's date
    meta = PACK.pack.pack
    assert "practitioner guide" in meta.title
    text = _normalise(meta.description)
    assert text.startswith('A practitioner guide, "Multi-Agency Partnerships and Meetings"')
    assert "its timing, record, MASH and conference sentences are the guide's own" in text
    assert "effective_from is the quoted Working Together's publication date" in text
    # reader 9 L5: the id and jurisdiction read as Working Together's national timescales;
    # the title and description say the timescales are the guide's own (the id is kept)
    assert "its timescales are the guide's own, not Working Together's" in meta.title
    assert "the timing musts are not Working Together's national timescales" in text


def test_metadata_and_calendar() -> None:
    meta = PACK.pack.pack
    assert meta.id == "wtsc_2015"
    assert meta.jurisdiction == "england"
    assert meta.version == "2015"
    assert meta.effective_from == date(2015, 3, 26)
    assert meta.effective_to is None
    assert [s.file for s in meta.sources] == ["sources/004_1eaa19ad6c589abd.txt"]
    # the pack's copy of the source (inside the installed package) is the repository's text
    shipped = PACK.source_file("mapm_wtsc_2015")
    assert shipped is not None
    assert shipped.read_bytes() == SOURCE.read_bytes()
    cal = PACK.pack.calendar
    assert cal.timezone == "Europe/London"
    assert cal.public_holidays is not None
    assert (cal.public_holidays.country, cal.public_holidays.subdivision) == ("GB", "ENG")


def _citations() -> list[tuple[str, str]]:
    found = []
    for rule in PACK.pack.rules:
        found.append((rule.id, rule.citation.quote))
        for route in rule.routes or []:
            if route.citation is not None:
                found.append((f"{rule.id}:{route.name}", route.citation.quote))
        req = rule.require
        if req is not None and req.due is not None and req.due.table is not None:
            for case in req.due.table.cases:
                assert case.citation is not None, f"{rule.id}: case {case.label} has no citation"
                found.append((f"{rule.id}:{case.label}", case.citation.quote))
    for name, parameter in PACK.pack.parameters.items():
        if parameter.citation is not None:
            found.append((f"parameter {name}", parameter.citation.quote))
    return found


def test_every_quote_is_verbatim_in_the_source() -> None:
    source = _normalise(SOURCE.read_text(encoding="utf-8"))
    missing = [where for where, quote in _citations() if _normalise(quote) not in source]
    assert missing == []


def test_strengths_follow_the_wording() -> None:
    strengths = {r.id: r.strength for r in PACK.pack.rules}
    assert strengths[TIMING] == "should"
    assert strengths["chair_records_strategy_meeting"] == "must"
    assert strengths["mash_enquiry_when_risk_unclear"] == "must"
    assert strengths["child_protection_conference_after_section_47"] == "must"
    assert strengths["telephone_discussion_outcome_recorded"] == "should"
    # Each timing sentence keeps its own word: the two "must" cases of the table carry
    # their own strength and citation; the same-day and default cases the rule's should.
    table = PACK.rule(TIMING).require.due.table  # type: ignore[union-attr]
    words = {c.label: (c.strength, c.citation.quote) for c in table.cases}  # type: ignore[union-attr]
    assert words["immediate action"][0] == words["particularly complex"][0] == "must"
    assert "must be held within one working day" in words["immediate action"][1]
    assert "must be held within a maximum of five" in words["particularly complex"][1]
    assert words["serious risk of harm"][0] is None
    assert "should be held on the same day" in words["serious risk of harm"][1]
    assert words["otherwise"][0] is None
    assert strengths[SAME_DAY] == "should"
    assert strengths[ONE_DAY] == strengths[FIVE_DAYS] == "must"
    assert "must be held within one working day" in PACK.rule(ONE_DAY).citation.quote  # type: ignore[union-attr]
    assert "must be held within a maximum of five" in PACK.rule(FIVE_DAYS).citation.quote  # type: ignore[union-attr]


def test_timing_table_order_and_parameter_defaults() -> None:
    table = PACK.rule(TIMING).require.due.table  # type: ignore[union-attr]
    assert table.hit_policy == "first"
    assert [(c.label, c.within.describe()) for c in table.cases] == [
        ("immediate action", "1 working day"),
        ("serious risk of harm", "the same day"),
        ("penetrative sexual abuse, forensic evidence", "the same day"),
        ("particularly complex", "5 working days"),
        ("otherwise", "3 working days"),
    ]
    assert table.cases[-1].when is None
    assert PACK.parameters["record_circulation_timescale"].working_days == 1
    assert PACK.parameters["child_protection_conference_timescale"].no_deadline is True


def test_the_pack_doc_rules_table_matches_the_pack() -> None:
    # docs/policies/wtsc_2015.md is hand-written until it is generated from the pack: its
    # rules table must list every rule with the pack's kind and strength (issue 7 found the
    # doc still describing strengths the pack no longer had).
    doc = (ROOT / "docs" / "policies" / "wtsc_2015.md").read_text(encoding="utf-8")
    table = doc.split("## Rules", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (cells[1], cells[2])
    assert rows == {r.id: (r.kind, r.strength) for r in PACK.pack.rules}


def test_every_imposing_sentence_of_the_source_is_accounted_for() -> None:
    # Its 15 imposing sentences, and every other sentence but headings.
    assert_source_accounted_for(PACK, "mapm_wtsc_2015", imposing=15)


def test_not_encoded_entries_quote_the_source_and_give_a_reason() -> None:
    assert_not_encoded_quotes_the_source(PACK, "mapm_wtsc_2015")


# --- a strategy discussion, and who takes part -------------------------------------------


@scenario
def harm_suspected_discussion_held() -> Evaluation:
    return run(
        PACK,
        [
            concern("2015-06-01T09:00:00+01:00", id="c-hs-1"),
            discussion("2015-06-02T10:00:00+01:00", id="d-hs-1"),
        ],
        "2015-06-10T12:00:00+01:00",
    )


@scenario
def harm_suspected_no_discussion() -> Evaluation:
    return run(
        PACK, [concern("2015-06-01T09:00:00+01:00", id="c-hs-2")], "2015-06-10T12:00:00+01:00"
    )


def test_strategy_discussion_when_harm_suspected() -> None:
    held = only(harm_suspected_discussion_held(), "strategy_discussion_when_harm_suspected")
    assert (held.status, held.met_by, held.due) == ("met", "d-hs-1", None)
    assert held.responsible == "la_childrens_social_care"
    assert held.strength == "should"

    missing = only(harm_suspected_no_discussion(), "strategy_discussion_when_harm_suspected")
    # The sentence itself sets no timescale: without a discussion it stays open
    # (the timing rule is the one that goes overdue).
    assert (missing.status, missing.due) == ("open", None)
    assert missing.action == "hold_strategy_discussion"


def test_a_strategy_meeting_also_counts_as_the_discussion() -> None:
    result = run(
        PACK,
        [
            concern("2015-06-01T09:00:00+01:00", id="c-hs-3"),
            meeting("2015-06-01T15:00:00+01:00", id="m-hs-3"),
        ],
        "2015-06-10T12:00:00+01:00",
    )
    assert only(result, "strategy_discussion_when_harm_suspected").met_by == "m-hs-3"
    assert only(result, TIMING).met_by == "m-hs-3"


@scenario
def discussion_missing_health() -> Evaluation:
    # A concern on Mon 1 June 2015 whose only discussion, on Tue 2 June, lacks health.
    return run(
        PACK,
        [
            concern("2015-06-01T09:00:00+01:00", id="c-pa-1"),
            discussion("2015-06-02T10:00:00+01:00", id="d-pa-1", agencies=["csc", "police"]),
        ],
        "2015-06-09T12:00:00+01:00",
    )


@scenario
def meeting_missing_police() -> Evaluation:
    # A concern on Mon 1 June 2015 whose only strategy meeting, on Tue 2 June, lacks police.
    return run(
        PACK,
        [
            concern("2015-06-01T09:00:00+01:00", id="c-pa-2"),
            meeting(
                "2015-06-02T10:00:00+01:00", id="m-pa-1", agencies=["csc", "health", "education"]
            ),
            record(
                "2015-06-02T16:00:00+01:00",
                id="r-pa-1",
                of="m-pa-1",
                to=["csc", "health", "education"],
            ),
        ],
        "2015-06-09T12:00:00+01:00",
    )


def test_core_agencies_compliant() -> None:
    result = harm_suspected_discussion_held()
    assert finding_rules(result) == set()
    result = run(
        PACK,
        [
            meeting(
                "2015-06-02T10:00:00+01:00",
                id="m-pa-2",
                agencies=["csc", "police", "health", "education"],
            ),
        ],
        "2015-06-02T12:00:00+01:00",
    )
    assert finding_rules(result) == set()


@scenario
def strategy_by_two_phone_calls() -> Evaluation:
    # "This might take the form of a multi-agency meeting or phone calls and more than one
    # discussion may be necessary": social care phones the police, then health, the same
    # morning (Mon 1 June 2015), and circulates one record naming the first call.
    return run(
        PACK,
        [
            discussion(
                "2015-06-01T10:00:00+01:00",
                id="d-ph-1",
                mode="telephone",
                agencies=["csc", "police"],
            ),
            discussion(
                "2015-06-01T11:00:00+01:00",
                id="d-ph-2",
                mode="telephone",
                agencies=["csc", "health"],
            ),
            record("2015-06-02T11:00:00+01:00", id="r-ph", of="d-ph-1"),
        ],
        "2015-06-05T12:00:00+01:00",
    )


def test_a_strategy_held_as_phone_calls_is_not_found_wanting_call_by_call() -> None:
    # reader 5 MEDIUM-4: before, each call gave a should finding for its missing agency and
    # the second call's record obligation became overdue; reader 6 M5: who takes part is
    # judged per concern, so calls that follow no recorded concern owe nothing about it,
    # and the per-call advisory notices are gone
    result = strategy_by_two_phone_calls()
    assert not [f for f in result.findings if "did not involve" in f.message]
    # one record for the strategy meets both calls' record obligations: calls Mon 1 June,
    # 1 working day -> end of Tue 2 June; the record went on Tue 2 June at 11:00
    records = [
        o for o in result.obligations if o.rule == "record_available_to_invitees_after_discussion"
    ]
    assert [
        (o.triggered_by, o.status, o.met_by, o.due.date() if o.due else None) for o in records
    ] == [
        (("d-ph-1",), "met", "r-ph", date(2015, 6, 2)),
        (("d-ph-2",), "met", "r-ph", date(2015, 6, 2)),
    ]
    chair = [o for o in result.obligations if o.rule == "chair_records_strategy_discussion"]
    assert [(o.status, o.met_by) for o in chair] == [("met", "r-ph"), ("met", "r-ph")]
    assert lateness(result, "record_available_to_invitees_after_discussion") == []


@scenario
def looked_after_strategy_by_three_phone_calls() -> Evaluation:
    # The school referred a looked after child; on Mon 6 July 2015 social care phones the
    # police, then health, then the fostering service and the school together.
    return run(
        PACK,
        [
            concern(
                "2015-07-06T09:00:00+01:00",
                id="c-lp",
                category="neglect",
                looked_after=True,
                referring_agency="education",
            ),
            discussion(
                "2015-07-06T10:00:00+01:00",
                id="d-lp-1",
                mode="telephone",
                agencies=["csc", "police"],
            ),
            discussion(
                "2015-07-06T11:00:00+01:00",
                id="d-lp-2",
                mode="telephone",
                agencies=["csc", "health"],
            ),
            discussion(
                "2015-07-06T12:00:00+01:00",
                id="d-lp-3",
                mode="telephone",
                agencies=["csc", "fostering_service", "education"],
            ),
        ],
        "2015-07-06T18:00:00+01:00",
    )


def test_a_strategy_of_calls_is_judged_on_all_its_calls() -> None:
    # reader 6 M5: per concern across its calls; the third call involved the fostering
    # service and the school, so every participation obligation is met and no call is
    # reported (before: advisory notices on the first two calls; before reader 5 MEDIUM-4,
    # should findings)
    result = looked_after_strategy_by_three_phone_calls()
    met = {o.rule: (o.status, o.met_by) for o in result.obligations if "involves" in o.rule}
    assert met == {
        "strategy_discussion_involves_csc": ("met", "d-lp-1"),
        "strategy_discussion_involves_police": ("met", "d-lp-1"),
        "strategy_discussion_involves_health": ("met", "d-lp-2"),
        "strategy_discussion_involves_fostering_service": ("met", "d-lp-3"),
        "strategy_discussion_involves_other_bodies": ("met", "d-lp-3"),
    }
    assert not [f for f in result.findings if "did not involve" in f.message]


def test_a_strategy_without_the_fostering_service_or_the_referrer_is_reported_once() -> None:
    # Per concern (reader 6 M5): a concern on Mon 6 July 2015 discussed once, by video,
    # without the fostering service or the school that referred it. Local default 5
    # working days: Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 -> end of Mon 13 July.
    events = [
        concern(
            "2015-07-06T09:00:00+01:00",
            id="c-lv",
            category="neglect",
            looked_after=True,
            referring_agency="education",
        ),
        discussion("2015-07-06T10:00:00+01:00", id="d-lv", mode="video"),
    ]
    on_time = run(PACK, events, "2015-07-13T18:00:00+01:00")
    assert not [f for f in on_time.findings if "involves" in f.rule]
    result = run(PACK, events, "2015-07-14T09:00:00+01:00")
    assert {(f.rule, f.kind, f.severity) for f in result.findings if "involves" in f.rule} == {
        ("strategy_discussion_involves_fostering_service", "overdue", "should"),
        # should since reader 7 M3 (advisory before)
        ("strategy_discussion_involves_other_bodies", "overdue", "should"),
    }
    [o] = [
        o for o in result.obligations if o.rule == "strategy_discussion_involves_fostering_service"
    ]
    assert o.due == end_of("2015-07-13", "Europe/London")


def test_a_face_to_face_call_record_of_another_discussion_does_not_meet_it() -> None:
    # the wider satisfier is for telephone discussions only: a face-to-face discussion's
    # record must name it (Mon 1 June 2015; 1 working day -> end of Tue 2 June)
    result = run(
        PACK,
        [
            discussion("2015-06-01T10:00:00+01:00", id="d-ff-1"),
            discussion("2015-06-01T11:00:00+01:00", id="d-ff-2"),
            record("2015-06-02T11:00:00+01:00", id="r-ff", of="d-ff-1"),
        ],
        "2015-06-05T12:00:00+01:00",
    )
    records = [
        o for o in result.obligations if o.rule == "record_available_to_invitees_after_discussion"
    ]
    assert [(o.triggered_by, o.status) for o in records] == [
        (("d-ff-1",), "met"),
        (("d-ff-2",), "overdue"),
    ]


def test_core_agencies_missing() -> None:
    # per concern (reader 6 M5): 5 working days from Mon 1 June 2015 -> Tue 2, Wed 3,
    # Thu 4, Fri 5, Mon 8 -> end of Mon 8 June; reported on Tue 9 June
    [found] = lateness(discussion_missing_health(), "strategy_discussion_involves_health")
    assert (found.kind, found.severity) == ("overdue", "should")
    assert found.message == (
        "involve_health_in_strategy_discussion was due by 2015-06-08T23:59+01:00 (from the"
        " concern: 5 working days; local default (parameter strategy_participation_timescale)) and is overdue"
    )
    result = meeting_missing_police()
    [found] = lateness(result, "strategy_discussion_involves_police")
    assert (found.kind, found.severity) == ("overdue", "should")
    assert {f.rule for f in result.findings if "involves" in f.rule} == {
        "strategy_discussion_involves_police"
    }


@scenario
def referring_agency_absent() -> Evaluation:
    return run(
        PACK,
        [
            concern(
                "2015-07-06T09:00:00+01:00",
                id="c-ra-1",
                child="child-ra-1",
                referring_agency="education",
            ),
            discussion("2015-07-06T11:00:00+01:00", id="d-ra-1", child="child-ra-1"),
            meeting(
                "2015-07-06T14:00:00+01:00",
                id="m-ra-1",
                child="child-ra-1",
                agencies=[*CORE, "education"],
            ),
            # the police referred and took part; nothing more is asked
            concern(
                "2015-07-06T09:00:00+01:00",
                id="c-ra-2",
                child="child-ra-2",
                referring_agency="police",
            ),
            meeting("2015-07-06T14:00:00+01:00", id="m-ra-2", child="child-ra-2"),
        ],
        "2015-07-06T18:00:00+01:00",
    )


def test_other_bodies_such_as_the_referring_agency() -> None:
    # per concern (reader 6 M5): child-ra-1's meeting involved the school that referred it,
    # so its discussion without the school is not reported (it was, before); the police
    # referred child-ra-2's concern and are one of the three, so nothing more is owed
    result = referring_agency_absent()
    [o] = [o for o in result.obligations if o.rule == "strategy_discussion_involves_other_bodies"]
    assert (o.child_id, o.status, o.met_by, o.strength) == (
        "child-ra-1",
        "met",
        "m-ra-1",
        "should",  # advisory before reader 7 M3
    )
    assert not [f for f in result.findings if f.rule == "strategy_discussion_involves_other_bodies"]


@scenario
def referring_agency_absent_from_meeting() -> Evaluation:
    return run(
        PACK,
        [
            concern("2015-07-06T09:00:00+01:00", id="c-ra-3", referring_agency="education"),
            meeting("2015-07-06T14:00:00+01:00", id="m-ra-3"),
        ],
        "2015-07-14T09:00:00+01:00",
    )


def test_other_bodies_at_a_meeting() -> None:
    # Mon 6 July 2015 + 5 working days -> end of Mon 13 July; reported on Tue 14 July
    [found] = lateness(
        referring_agency_absent_from_meeting(), "strategy_discussion_involves_other_bodies"
    )
    # should since reader 7 M3: the sentence's "should" covers the referring agency
    assert (found.kind, found.severity) == ("overdue", "should")


@scenario
def looked_after_discussion_without_fostering() -> Evaluation:
    return run(
        PACK,
        [
            concern("2015-07-06T09:00:00+01:00", id="c-la-1", looked_after=True),
            discussion("2015-07-06T14:00:00+01:00", id="d-la-1"),
        ],
        "2015-07-14T09:00:00+01:00",
    )


@scenario
def looked_after_meeting_without_fostering() -> Evaluation:
    return run(
        PACK,
        [
            concern("2015-07-06T09:00:00+01:00", id="c-la-2", looked_after=True),
            meeting("2015-07-06T14:00:00+01:00", id="m-la-2"),
        ],
        "2015-07-14T09:00:00+01:00",
    )


def test_fostering_service_for_a_looked_after_child() -> None:
    # per concern (reader 6 M5): Mon 6 July 2015 + 5 working days -> end of Mon 13 July
    for result in (
        looked_after_discussion_without_fostering(),
        looked_after_meeting_without_fostering(),
    ):
        [found] = lateness(result, "strategy_discussion_involves_fostering_service")
        assert (found.kind, found.severity) == ("overdue", "should")
        assert found.message.startswith(
            "involve_fostering_service_in_strategy_discussion was due by 2015-07-13T23:59+01:00"
        )

    with_fostering = run(
        PACK,
        [
            concern("2015-07-06T09:00:00+01:00", id="c-la-3", looked_after=True),
            discussion(
                "2015-07-06T14:00:00+01:00", id="d-la-3", agencies=[*CORE, "fostering_service"]
            ),
            meeting(
                "2015-07-07T14:00:00+01:00", id="m-la-3", agencies=[*CORE, "fostering_service"]
            ),
        ],
        "2015-07-07T18:00:00+01:00",
    )
    assert finding_rules(with_fostering) == set()


def test_fostering_service_not_expected_when_not_looked_after() -> None:
    # The child was looked after at the first concern but not at the latest one:
    # case.looked_after follows the latest concern.
    result = run(
        PACK,
        [
            concern("2015-07-01T09:00:00+01:00", id="c-la-4", looked_after=True),
            concern("2015-07-06T09:00:00+01:00", id="c-la-5", looked_after=False),
            discussion("2015-07-06T14:00:00+01:00", id="d-la-5"),
            meeting("2015-07-06T15:00:00+01:00", id="m-la-5"),
        ],
        "2015-07-06T18:00:00+01:00",
    )
    assert finding_rules(result) == set()


# --- the record ------------------------------------------------------------------------


@scenario
def meeting_recorded_and_circulated_in_time() -> Evaluation:
    # Meeting Thursday 24 December 2015. 1 working day (the default for "as soon as
    # practicable"): Fri 25 Christmas Day, Sat 26, Sun 27, Mon 28 Boxing Day substitute
    # skipped; Tue 29 Dec = working day 1. Due end of 2015-12-29.
    return run(
        PACK,
        [
            meeting("2015-12-24T11:00:00+00:00", id="m-rc-1"),
            record("2015-12-29T17:00:00+00:00", id="r-rc-1", of="m-rc-1"),
        ],
        "2016-01-04T12:00:00+00:00",
    )


@scenario
def meeting_record_circulated_late() -> Evaluation:
    # Same meeting date as above, due end of 2015-12-29; circulated Wed 30 Dec.
    return run(
        PACK,
        [
            meeting("2015-12-24T11:00:00+00:00", id="m-rc-2"),
            record("2015-12-30T09:00:00+00:00", id="r-rc-2", of="m-rc-2"),
        ],
        "2016-01-04T12:00:00+00:00",
    )


@scenario
def meeting_record_to_some_agencies_only() -> Evaluation:
    # Due end of 2015-12-29 (as above); the record misses health, so it never meets
    # the obligation, which is overdue on 4 January 2016.
    return run(
        PACK,
        [
            meeting("2015-12-24T11:00:00+00:00", id="m-rc-3"),
            record("2015-12-29T10:00:00+00:00", id="r-rc-3", of="m-rc-3", to=["csc", "police"]),
        ],
        "2016-01-04T12:00:00+00:00",
    )


def test_chair_records_the_meeting() -> None:
    met = only(meeting_recorded_and_circulated_in_time(), "chair_records_strategy_meeting")
    assert (met.status, met.met_by, met.due) == ("met", "r-rc-1", None)
    assert met.responsible == "strategy_chair"
    assert met.strength == "must"
    assert met.action == "record_decisions_and_agreed_actions"


def test_chair_record_for_another_meeting_does_not_count() -> None:
    result = run(
        PACK,
        [
            meeting("2015-12-24T11:00:00+00:00", id="m-rc-4"),
            record("2015-12-29T10:00:00+00:00", id="r-rc-4", of="m-other"),
        ],
        "2016-01-04T12:00:00+00:00",
    )
    chair = only(result, "chair_records_strategy_meeting")
    assert (chair.status, chair.met_by) == ("open", None)  # no timescale in the source
    assert only(result, "record_available_to_invitees_after_meeting").status == "overdue"


@scenario
def discussion_recorded() -> Evaluation:
    return run(
        PACK,
        [
            discussion("2015-09-01T10:00:00+01:00", id="d-rc-5"),
            record("2015-09-01T16:00:00+01:00", id="r-rc-5", of="d-rc-5"),
        ],
        "2015-09-10T12:00:00+01:00",
    )


def test_chair_records_the_discussion() -> None:
    chair = only(discussion_recorded(), "chair_records_strategy_discussion")
    assert (chair.status, chair.met_by, chair.responsible) == ("met", "r-rc-5", "strategy_chair")
    unrecorded = run(
        PACK, [discussion("2015-09-01T10:00:00+01:00", id="d-rc-6")], "2015-09-10T12:00:00+01:00"
    )
    assert only(unrecorded, "chair_records_strategy_discussion").status == "open"


def test_record_available_after_meeting() -> None:
    ok = only(
        meeting_recorded_and_circulated_in_time(), "record_available_to_invitees_after_meeting"
    )
    assert ok.due == end_of("2015-12-29", TZ)
    assert (ok.status, ok.met_by, ok.responsible) == ("met", "r-rc-1", "la_childrens_social_care")
    assert ok.due_basis == "1 working day; local default (parameter record_circulation_timescale)"

    result = meeting_record_circulated_late()
    late = only(result, "record_available_to_invitees_after_meeting")
    assert (late.status, late.due) == ("met_late", end_of("2015-12-29", TZ))
    [finding] = lateness(result, "record_available_to_invitees_after_meeting")
    assert (finding.kind, finding.severity) == ("met_late", "should")
    assert finding.message.startswith("make_strategy_record_available was due by 2015-12-29T23:59")
    # The chair's record exists, late or not: no deadline in the source.
    assert only(result, "chair_records_strategy_meeting").status == "met"

    result = meeting_record_to_some_agencies_only()
    partial = only(result, "record_available_to_invitees_after_meeting")
    assert (partial.status, partial.met_by) == ("overdue", None)
    [finding] = lateness(result, "record_available_to_invitees_after_meeting")
    assert (finding.kind, finding.severity) == ("overdue", "should")
    assert finding.message == (
        "make_strategy_record_available was due by 2015-12-29T23:59+00:00 "
        "(1 working day; local default (parameter record_circulation_timescale)) and is "
        "overdue"
    )


@scenario
def discussion_before_easter_no_record() -> Evaluation:
    # Telephone discussion Thursday 2 April 2015. 1 working day: Fri 3 Good Friday,
    # Sat 4, Sun 5, Mon 6 Easter Monday skipped; Tue 7 April = working day 1.
    return run(
        PACK,
        [
            discussion("2015-04-02T15:00:00+01:00", id="d-rc-7", mode="telephone"),
        ],
        "2015-04-08T09:00:00+01:00",
    )


def test_record_available_after_discussion_over_easter() -> None:
    overdue = only(
        discussion_before_easter_no_record(), "record_available_to_invitees_after_discussion"
    )
    assert (overdue.status, overdue.due) == ("overdue", end_of("2015-04-07", TZ))

    events = [
        discussion("2015-04-02T15:00:00+01:00", id="d-rc-8", mode="telephone"),
        record("2015-04-07T11:00:00+01:00", id="r-rc-8", of="d-rc-8", to=[*CORE, "education"]),
    ]
    result = run(PACK, events, "2015-04-08T09:00:00+01:00")
    met = only(result, "record_available_to_invitees_after_discussion")
    assert (met.status, met.met_by, met.due) == ("met", "r-rc-8", end_of("2015-04-07", TZ))

    # Before the end of Easter Tuesday it is still open.
    pending = only(
        run(PACK, events[:1], "2015-04-07T12:00:00+01:00"),
        "record_available_to_invitees_after_discussion",
    )
    assert (pending.status, pending.due) == ("open", end_of("2015-04-07", TZ))


@scenario
def record_to_invitees() -> Evaluation:
    # Education was invited to both but took part in neither. Meeting and discussion on
    # Tue 1 September 2015; 1 working day: Wed 2 September.
    invited = [*CORE, "education"]
    return run(
        PACK,
        [
            meeting("2015-09-01T10:00:00+01:00", id="m-iv-1", child="child-iv-1", invited=invited),
            record("2015-09-02T10:00:00+01:00", id="r-iv-1", of="m-iv-1", child="child-iv-1"),
            discussion(
                "2015-09-01T10:00:00+01:00", id="d-iv-2", child="child-iv-2", invited=invited
            ),
            record(
                "2015-09-02T10:00:00+01:00",
                id="r-iv-2",
                of="d-iv-2",
                child="child-iv-2",
                to=invited,
            ),
        ],
        "2015-09-04T12:00:00+01:00",
    )


def test_record_goes_to_everyone_invited() -> None:
    result = record_to_invitees()
    by_child = {o.child_id: o for o in result.obligations if o.rule.startswith("record_available")}
    # sent only to those who came: not every invitee, so not met (overdue after Wed 2 Sept)
    assert (by_child["child-iv-1"].status, by_child["child-iv-1"].due) == (
        "overdue",
        end_of("2015-09-02", TZ),
    )
    assert (by_child["child-iv-2"].status, by_child["child-iv-2"].met_by) == ("met", "r-iv-2")
    # the invitations were recorded, so nothing is reported about them
    assert checks(result, "strategy_meeting_invitees_recorded") == []
    assert checks(result, "strategy_discussion_invitees_recorded") == []


@scenario
def invitees_not_recorded() -> Evaluation:
    return run(
        PACK,
        [
            meeting("2015-09-01T10:00:00+01:00", id="m-iu-1", child="child-iu-1", invited=[]),
            record("2015-09-01T16:00:00+01:00", id="r-iu-1", of="m-iu-1", child="child-iu-1"),
            discussion("2015-09-01T10:00:00+01:00", id="d-iu-2", child="child-iu-2", invited=[]),
        ],
        "2015-09-01T18:00:00+01:00",
    )


def test_unrecorded_invitees_are_reported_not_assumed() -> None:
    result = invitees_not_recorded()
    [meeting_check] = checks(result, "strategy_meeting_invitees_recorded")
    assert (meeting_check.event, meeting_check.severity) == (
        "m-iu-1",
        "advisory",
    )  # a data gap, not a breach
    assert meeting_check.message == (
        "strategy meeting does not record who was invited, so "
        "whether its record reached everyone invited cannot be "
        "checked"
    )
    [discussion_check] = checks(result, "strategy_discussion_invitees_recorded")
    assert discussion_check.event == "d-iu-2"
    # the record still has to reach everyone who took part, and here it did
    assert only(result, "record_available_to_invitees_after_meeting").status == "met"


@scenario
def meeting_notes_missing() -> Evaluation:
    return run(
        PACK,
        [
            meeting("2015-09-01T10:00:00+01:00", id="m-nt-1", records_made_by=["csc", "health"]),
        ],
        "2015-09-01T12:00:00+01:00",
    )


def test_agencies_attending_a_meeting_take_notes() -> None:
    [found] = checks(meeting_notes_missing(), "attending_agencies_take_notes_at_meeting")
    assert (found.event, found.severity) == ("m-nt-1", "should")
    assert found.message == (
        "not every agency attending the strategy meeting took notes of the "
        "actions agreed (agencies: csc, police, health; notes taken by: "
        "csc, health)"
    )


def test_record_circulation_timescale_is_a_parameter() -> None:
    same_day = load_pack(
        "wtsc_2015", parameters={"record_circulation_timescale": {"same_day": True}}
    )
    events = [
        meeting("2015-12-24T11:00:00+00:00", id="m-rc-9"),
        record("2015-12-29T10:00:00+00:00", id="r-rc-9", of="m-rc-9"),
    ]
    late = only(
        run(same_day, events, "2016-01-04T12:00:00+00:00"),
        "record_available_to_invitees_after_meeting",
    )
    # Same day: end of Thursday 24 December 2015.
    assert (late.status, late.due) == ("met_late", end_of("2015-12-24", TZ))
    assert late.due_basis == "the same day; local override (parameter record_circulation_timescale)"


@scenario
def face_to_face_notes_missing() -> Evaluation:
    return run(
        PACK,
        [
            discussion("2015-09-01T10:00:00+01:00", id="d-nt-1", records_made_by=["csc", "health"]),
        ],
        "2015-09-01T12:00:00+01:00",
    )


@scenario
def telephone_outcome_not_recorded_by_all() -> Evaluation:
    return run(
        PACK,
        [
            discussion(
                "2015-09-01T10:00:00+01:00", id="d-tl-1", mode="telephone", records_made_by=["csc"]
            ),
        ],
        "2015-09-01T12:00:00+01:00",
    )


def test_attending_agencies_take_notes() -> None:
    [found] = checks(face_to_face_notes_missing(), "attending_agencies_take_notes")
    assert (found.severity, found.event) == ("should", "d-nt-1")
    assert found.message == (
        "not every agency attending the strategy discussion took notes of "
        "the actions agreed (agencies: csc, police, health; notes taken by: "
        "csc, health)"
    )
    video = run(
        PACK,
        [
            discussion("2015-09-01T10:00:00+01:00", id="d-nt-2", mode="video", records_made_by=[]),
        ],
        "2015-09-01T12:00:00+01:00",
    )
    # an empty records_made_by does not say whether notes were taken: an advisory
    # data-gap notice, not a should finding (reader 5 MEDIUM-2)
    assert checks(video, "attending_agencies_take_notes") == []
    [found] = checks(video, "note_takers_recorded")
    assert (found.severity, found.event) == ("advisory", "d-nt-2")
    complete = run(
        PACK,
        [
            discussion("2015-09-01T10:00:00+01:00", id="d-nt-3", mode="video"),
        ],
        "2015-09-01T12:00:00+01:00",
    )
    assert finding_rules(complete) == set()


@scenario
def note_takers_not_recorded() -> Evaluation:
    return run(
        PACK,
        [
            meeting("2015-09-01T10:00:00+01:00", id="m-nt-1", records_made_by=[]),
            discussion(
                "2015-09-01T10:00:00+01:00",
                id="d-nt-4",
                mode="telephone",
                records_made_by=[],
                child="child-2",
            ),
        ],
        "2015-09-01T12:00:00+01:00",
    )


def test_unrecorded_note_takers_give_advisory_notices_not_should_findings() -> None:
    # reader 5 MEDIUM-2: an empty records_made_by does not say whether notes were taken;
    # before, the meeting and the telephone discussion each gave a should finding
    result = note_takers_not_recorded()
    assert checks(result, "attending_agencies_take_notes_at_meeting") == []
    assert checks(result, "telephone_discussion_outcome_recorded") == []
    assert sorted((f.rule, f.event, f.severity) for f in result.findings) == [
        ("note_takers_recorded", "d-nt-4", "advisory"),
        ("note_takers_recorded_at_meeting", "m-nt-1", "advisory"),
    ]


def test_telephone_discussion_outcome_recorded() -> None:
    result = telephone_outcome_not_recorded_by_all()
    [found] = checks(result, "telephone_discussion_outcome_recorded")
    assert (found.severity, found.event) == ("should", "d-tl-1")
    assert found.message == (
        "not every agency in the telephone strategy discussion recorded the "
        "outcome (agencies: csc, police, health; recorded by: csc)"
    )
    # The more specific telephone sentence decides; no second finding for the same gap.
    assert finding_rules(result) == {"telephone_discussion_outcome_recorded"}

    complete = run(
        PACK,
        [
            discussion(
                "2015-09-01T10:00:00+01:00",
                id="d-tl-2",
                mode="telephone",
                records_made_by=["health", "police", "csc"],
            ),
        ],
        "2015-09-01T12:00:00+01:00",
    )
    assert finding_rules(complete) == set()


@scenario
def record_not_authorised_by_manager() -> Evaluation:
    return run(
        PACK,
        [
            discussion("2015-09-01T10:00:00+01:00", id="d-au-1"),
            record(
                "2015-09-01T16:00:00+01:00",
                id="r-au-1",
                of="d-au-1",
                authorised_by_role="strategy_chair",
            ),
            record("2015-09-02T09:00:00+01:00", id="r-au-2", of="d-au-1", authorised_by_role=None),
        ],
        "2015-09-02T12:00:00+01:00",
    )


def test_record_authorised_by_csc_manager() -> None:
    assert finding_rules(discussion_recorded()) == set()
    result = record_not_authorised_by_manager()
    [first] = checks(result, "strategy_record_authorised_by_csc_manager")
    assert (first.event, first.severity) == ("r-au-1", "should")
    assert first.message == (
        "strategy record circulated without the LA children's social care "
        "manager's authorisation (authorised by: strategy_chair)"
    )
    # a record that does not say who authorised it is a gap, not a missing authorisation
    [second] = checks(result, "strategy_record_authoriser_recorded")
    assert (second.event, second.severity) == ("r-au-2", "advisory")


# --- timing: the deadline table ------------------------------------------------------------


@scenario
def default_over_easter_2015_met() -> Evaluation:
    # Thursday 2 April 2015: Fri 3 Good Friday, Sat 4, Sun 5, Mon 6 Easter Monday
    # skipped; Tue 7 = 1, Wed 8 = 2, Thu 9 April = 3. Due end of 2015-04-09.
    return run(
        PACK,
        [
            concern("2015-04-02T10:00:00+01:00", id="c-tm-1"),
            meeting("2015-04-09T15:00:00+01:00", id="m-tm-1"),
        ],
        "2015-04-20T09:00:00+01:00",
    )


def test_default_three_working_days_over_easter_2015() -> None:
    result = default_over_easter_2015_met()
    timing = only(result, TIMING)
    assert timing.due == end_of("2015-04-09", TZ)
    assert (timing.status, timing.met_by) == ("met", "m-tm-1")
    assert timing.responsible == "la_childrens_social_care"
    assert timing.strength == "should"
    assert timing.due_basis == "otherwise: 3 working days"
    assert timing.action == "convene_strategy_meeting_or_discussion"


@scenario
def default_over_christmas_2015_overdue() -> Evaluation:
    # Wednesday 23 December 2015: Thu 24 = 1; Fri 25 Christmas Day, Sat 26, Sun 27,
    # Mon 28 Boxing Day substitute skipped; Tue 29 = 2, Wed 30 December = 3.
    return run(
        PACK, [concern("2015-12-23T10:00:00+00:00", id="c-tm-2")], "2015-12-31T09:00:00+00:00"
    )


def test_default_over_christmas_2015_goes_overdue() -> None:
    result = default_over_christmas_2015_overdue()
    timing = only(result, TIMING)
    assert (timing.status, timing.due) == ("overdue", end_of("2015-12-30", TZ))
    [finding] = lateness(result, TIMING)
    assert (finding.kind, finding.severity) == ("overdue", "should")
    assert finding.message == (
        "convene_strategy_meeting_or_discussion was due by "
        "2015-12-30T23:59+00:00 (otherwise: 3 working days) and is overdue"
    )
    # Before the deadline the same history is open.
    before = only(
        run(
            PACK, [concern("2015-12-23T10:00:00+00:00", id="c-tm-2b")], "2015-12-30T17:00:00+00:00"
        ),
        TIMING,
    )
    assert (before.status, before.due) == ("open", end_of("2015-12-30", TZ))


def test_saturday_concern_has_the_fridays_deadline() -> None:
    # Friday 20 November 2015: Mon 23 = 1, Tue 24 = 2, Wed 25 = 3.
    # Saturday 21 November 2015: Sun 22 skipped; Mon 23 = 1, Tue 24 = 2, Wed 25 = 3.
    result = run(
        PACK,
        [
            concern("2015-11-20T16:00:00+00:00", id="c-we-1", child="child-fri"),
            concern("2015-11-21T11:00:00+00:00", id="c-we-2", child="child-sat"),
            concern("2015-11-22T11:00:00+00:00", id="c-we-3", child="child-sun"),
        ],
        "2015-11-23T09:00:00+00:00",
    )
    dues = {o.child_id: o.due for o in obligations(result, TIMING)}
    assert dues == {
        "child-fri": end_of("2015-11-25", TZ),
        "child-sat": end_of("2015-11-25", TZ),
        "child-sun": end_of("2015-11-25", TZ),
    }


def test_default_across_the_may_bank_holiday() -> None:
    # Friday 22 May 2015: Sat 23, Sun 24, Mon 25 Spring Bank Holiday skipped;
    # Tue 26 = 1, Wed 27 = 2, Thu 28 May = 3.
    timing = only(
        run(PACK, [concern("2015-05-22T09:00:00+01:00", id="c-my-1")], "2015-05-22T12:00:00+01:00"),
        TIMING,
    )
    assert timing.due == end_of("2015-05-28", TZ)


@scenario
def serious_harm_late_across_bst() -> Evaluation:
    # Saturday 28 March 2015 23:30 GMT (BST starts 01:00 GMT on 29 March). Same day:
    # end of 2015-03-28 GMT. The discussion at 00:30 GMT on Sunday 29 March is on the
    # next local date, so it is late.
    return run(
        PACK,
        [
            concern("2015-03-28T23:30:00+00:00", id="c-sh-1", serious_harm=True),
            discussion("2015-03-29T00:30:00+00:00", id="d-sh-1", mode="telephone"),
        ],
        "2015-04-01T09:00:00+01:00",
    )


def test_serious_harm_same_day_before_the_clocks_change() -> None:
    result = serious_harm_late_across_bst()
    assert obligations(result, TIMING) == []  # an exception certainly applies
    timing = only(result, SAME_DAY)
    assert timing.due == end_of("2015-03-28", TZ)
    assert timing.due.utcoffset().total_seconds() == 0  # type: ignore[union-attr]  # GMT
    assert (timing.status, timing.met_by) == ("met_late", "d-sh-1")
    assert timing.due_basis == "serious risk of harm: the same day"
    [finding] = lateness(result, SAME_DAY)
    assert (finding.kind, finding.severity) == ("met_late", "should")
    # The other obligation from the same concern has no deadline, so it is simply met.
    assert only(result, "strategy_discussion_when_harm_suspected").status == "met"

    in_time = only(
        run(
            PACK,
            [
                concern("2015-03-28T23:30:00+00:00", id="c-sh-2", serious_harm=True),
                discussion("2015-03-28T23:50:00+00:00", id="d-sh-2"),
            ],
            "2015-03-29T09:00:00+01:00",
        ),
        SAME_DAY,
    )
    assert (in_time.status, in_time.due) == ("met", end_of("2015-03-28", TZ))


# Reader 4 H1/M2: the same-day rule counts from the referral the concern names (due_from
# named_by, otherwise); since reader 6 M3 it owes both same-day sentences.
FROM_REFERRAL = SAME_DAY
FROM_REFERRAL_PSA = SAME_DAY


@scenario
def serious_concern_recorded_after_its_referral() -> Evaluation:
    # "the same day as the receipt of the referral": referral Monday 1 June 2015, the
    # serious concern recorded after screening on Wednesday 3 June, the discussion that
    # afternoon. A penetrative sexual abuse concern needing forensic evidence, for another
    # child, follows its referral the same morning, with the discussion that day. Each
    # concern names the referral it came by (referral_ref).
    return run(
        PACK,
        [
            ev("referral_received", "2015-06-01T10:00:00+01:00", id="rr-1"),
            concern(
                "2015-06-03T09:00:00+01:00", id="c-rr-1", serious_harm=True, referral_ref="rr-1"
            ),
            discussion("2015-06-03T15:00:00+01:00", id="d-rr-1", mode="telephone"),
            ev("referral_received", "2015-06-02T09:00:00+01:00", id="rr-2", child="child-2"),
            concern(
                "2015-06-02T09:30:00+01:00",
                id="c-rr-2",
                child="child-2",
                category="penetrative_sexual_abuse",
                forensic_evidence_needed=True,
                referral_ref="rr-2",
            ),
            discussion("2015-06-02T16:00:00+01:00", id="d-rr-2", child="child-2"),
        ],
        "2015-06-05T09:00:00+01:00",
    )


def test_same_day_counts_from_the_receipt_of_the_referral() -> None:
    result = serious_concern_recorded_after_its_referral()
    late = [o for o in obligations(result, FROM_REFERRAL) if o.child_id == "child-1"]
    assert len(late) == 1
    # referral Mon 1 June: same day -> end of Mon 2015-06-01; discussion Wed 3 June
    assert late[0].triggered_by == ("rr-1", "c-rr-1")
    assert (late[0].due, late[0].status, late[0].met_by) == (
        end_of("2015-06-01", TZ),
        "met_late",
        "d-rr-1",
    )
    assert late[0].due_case == "serious risk of harm"
    # a concern timed from its referral is not timed again from the concern (reader 2 L1):
    # one late discussion, one finding
    [finding] = lateness(result, FROM_REFERRAL)
    assert (finding.kind, finding.severity) == ("met_late", "should")
    # referral Tue 2 June 09:00, concern 09:30, discussion 16:00: same day, met
    [psa] = [o for o in obligations(result, FROM_REFERRAL_PSA) if o.child_id == "child-2"]
    assert (psa.triggered_by, psa.due, psa.status, psa.due_case) == (
        ("rr-2", "c-rr-2"),
        end_of("2015-06-02", TZ),
        "met",
        "penetrative sexual abuse, forensic evidence",
    )


def of_child(result: Evaluation, rule: str, child: str) -> list[Obligation]:
    return [o for o in obligations(result, rule) if o.child_id == child]


@scenario
def exceptions_counted_from_the_referral() -> Evaluation:
    # Reader 3 H1. Three children, each concern naming the referral it came by:
    # child-1: referral Mon 15 June 2015 09:00, discussion 14:00, concern (immediate action)
    #          recorded Tue 16 June;
    # child-2: referral Mon 22 June, concern (no exception) recorded Wed 24, discussion Fri 26;
    # child-3: referral Mon 6 July, meeting Tue 7, complex concern recorded Wed 8.
    return run(
        PACK,
        [
            ev("referral_received", "2015-06-15T09:00:00+01:00", id="rr-ia"),
            discussion("2015-06-15T14:00:00+01:00", id="d-ia", mode="telephone"),
            concern(
                "2015-06-16T10:00:00+01:00",
                id="c-ia",
                immediate_action_taken=True,
                referral_ref="rr-ia",
            ),
            ev("referral_received", "2015-06-22T09:00:00+01:00", id="rr-3d", child="child-2"),
            concern(
                "2015-06-24T09:00:00+01:00",
                id="c-3d",
                child="child-2",
                category="neglect",
                referral_ref="rr-3d",
            ),
            discussion("2015-06-26T11:00:00+01:00", id="d-3d", child="child-2"),
            ev("referral_received", "2015-07-06T09:00:00+01:00", id="rr-cx", child="child-3"),
            discussion("2015-07-07T10:00:00+01:00", id="d-cx", child="child-3"),
            concern(
                "2015-07-08T10:00:00+01:00",
                id="c-cx",
                child="child-3",
                category="sexual_abuse",
                complex=True,
                referral_ref="rr-cx",
            ),
        ],
        "2015-07-20T09:00:00+01:00",
    )


def test_exceptions_count_from_the_referral_the_concern_names() -> None:
    # Reader 3 H1 kept: a discussion since the referral the concern names meets every
    # timing rule. Reader 6 M1: the three and five working days count from the concern
    # being identified, not from the referral (reader 4 H1's reading reversed). Reader 12
    # HIGH-1: so does the one working day of immediate action, whose clause names no start
    # and keeps the lead sentence's (reader 11 M3's referral clock reversed).
    result = exceptions_counted_from_the_referral()
    # child-1: concern Tue 16 June; Wed 17 = 1 -> end of Wed 2015-06-17; the discussion
    # on Mon 15 at 14:00, after the referral and before the concern's record, meets it.
    [ia] = of_child(result, ONE_DAY, "child-1")
    assert (ia.triggered_by, ia.due, ia.status, ia.met_by, ia.strength) == (
        ("rr-ia", "c-ia"),
        end_of("2015-06-17", TZ),
        "met",
        "d-ia",
        "must",
    )
    assert ia.triggered_on == date(2015, 6, 16)  # the clock starts at the concern
    # child-2: concern Wed 24 June; Thu 25 = 1, Fri 26 = 2, Mon 29 = 3 -> end of Mon
    # 2015-06-29; the discussion on Fri 26 is in time (from the referral, Mon 22, it
    # would have been due end of Thu 25 June and late).
    [three] = of_child(result, TIMING, "child-2")
    assert (three.triggered_by, three.due, three.status, three.met_by) == (
        ("rr-3d", "c-3d"),
        end_of("2015-06-29", TZ),
        "met",
        "d-3d",
    )
    assert three.due_basis == "otherwise: 3 working days from the trigger"
    assert lateness(result, TIMING) == []
    # child-3: concern Wed 8 July; Thu 9 = 1, Fri 10 = 2, Mon 13 = 3, Tue 14 = 4,
    # Wed 15 = 5 -> end of Wed 2015-07-15; the meeting on Tue 7 meets it.
    [cx] = of_child(result, FIVE_DAYS, "child-3")
    assert (cx.triggered_by, cx.due, cx.status, cx.met_by, cx.strength) == (
        ("rr-cx", "c-cx"),
        end_of("2015-07-15", TZ),
        "met",
        "d-cx",
        "must",
    )
    # one timing obligation per concern: the linked concerns are not timed again from
    # their records
    assert [o.triggered_by for o in obligations(result, TIMING)] == [("rr-3d", "c-3d")]


def test_default_from_the_night_before_bst() -> None:
    # Saturday 28 March 2015 23:30 GMT, no exception: Sun 29 skipped; Mon 30 = 1,
    # Tue 31 = 2, Wed 1 April = 3. Due end of 2015-04-01 BST = 22:59:59.999999 UTC.
    concern_ = concern("2015-03-28T23:30:00+00:00", id="c-bst-1")
    timing = only(run(PACK, [concern_], "2015-03-30T09:00:00+01:00"), TIMING)
    assert timing.due == end_of("2015-04-01", TZ)
    assert timing.due.utcoffset().total_seconds() == 3600  # type: ignore[union-attr]  # BST

    # 22:30 UTC on 1 April is 23:30 BST, still 1 April: in time.
    met = only(
        run(
            PACK,
            [concern_, meeting("2015-04-01T22:30:00+00:00", id="m-bst-1")],
            "2015-04-03T09:00:00+01:00",
        ),
        TIMING,
    )
    assert met.status == "met"
    # 23:30 UTC on 1 April is 00:30 BST on 2 April: late.
    late = only(
        run(
            PACK,
            [concern_, meeting("2015-04-01T23:30:00+00:00", id="m-bst-2")],
            "2015-04-03T09:00:00+01:00",
        ),
        TIMING,
    )
    assert late.status == "met_late"


@scenario
def penetrative_sexual_abuse_forensic() -> Evaluation:
    # Friday 22 May 2015, penetrative sexual abuse needing forensic evidence: same day.
    return run(
        PACK,
        [
            concern(
                "2015-05-22T09:00:00+01:00",
                id="c-ps-1",
                category="penetrative_sexual_abuse",
                forensic_evidence_needed=True,
            ),
            meeting("2015-05-22T17:00:00+01:00", id="m-ps-1"),
        ],
        "2015-05-26T09:00:00+01:00",
    )


def test_penetrative_sexual_abuse_forensic_same_day() -> None:
    timing = only(penetrative_sexual_abuse_forensic(), SAME_DAY)
    assert (timing.status, timing.due) == ("met", end_of("2015-05-22", TZ))
    assert timing.due_basis == "penetrative sexual abuse, forensic evidence: the same day"


def test_penetrative_sexual_abuse_without_forensic_need_falls_through() -> None:
    # Friday 22 May 2015: Mon 25 Spring Bank Holiday skipped; Tue 26 = 1, Wed 27 = 2,
    # Thu 28 May = 3 (the default case).
    result = run(
        PACK,
        [
            concern(
                "2015-05-22T09:00:00+01:00",
                id="c-ps-2",
                child="child-pen",
                category="penetrative_sexual_abuse",
            ),
            concern(
                "2015-05-22T09:00:00+01:00",
                id="c-ps-3",
                child="child-sa",
                category="sexual_abuse",
                forensic_evidence_needed=True,
            ),
        ],
        "2015-05-22T12:00:00+01:00",
    )
    for timing in obligations(result, TIMING):
        assert timing.due == end_of("2015-05-28", TZ)
        assert timing.due_basis == "otherwise: 3 working days"


@scenario
def immediate_action_over_christmas() -> Evaluation:
    # Thursday 24 December 2015: Fri 25 Christmas Day, Sat 26, Sun 27, Mon 28 Boxing
    # Day substitute skipped; Tue 29 December = working day 1.
    return run(
        PACK,
        [
            concern("2015-12-24T18:00:00+00:00", id="c-ia-1", immediate_action_taken=True),
            discussion("2015-12-28T10:00:00+00:00", id="d-ia-1", mode="telephone"),
        ],
        "2016-01-04T09:00:00+00:00",
    )


def test_immediate_action_one_working_day_over_christmas() -> None:
    result = immediate_action_over_christmas()
    timing = only(result, ONE_DAY)
    assert (timing.status, timing.due) == ("met", end_of("2015-12-29", TZ))
    assert timing.due_basis == "immediate action: 1 working day"
    # "except in the following circumstances": the default three days are not owed
    assert obligations(result, TIMING) == []

    late = only(
        run(
            PACK,
            [
                concern("2015-12-24T18:00:00+00:00", id="c-ia-2", immediate_action_taken=True),
                discussion("2015-12-30T10:00:00+00:00", id="d-ia-2"),
            ],
            "2016-01-04T09:00:00+00:00",
        ),
        ONE_DAY,
    )
    assert (late.status, late.due) == ("met_late", end_of("2015-12-29", TZ))
    # "must be held within one working day": the obligation, and its lateness finding,
    # are a must citing that sentence
    assert late.strength == "must"
    assert late.citation is not None
    assert late.citation.quote.startswith("Where immediate action was required")


def test_serious_harm_with_immediate_action_keeps_the_must() -> None:
    # Tue 8 September 2015, serious harm and immediate action; meeting Thu 10 September.
    # Same day (should): end of Tue 8 -> late. One working day (must): Wed 9 -> late.
    # Until issue 7 the first-match table reported only the same-day should; since reader
    # 5 HIGH-1 the table's immediate-action case decides the must and the same-day should
    # is a rule of its own.
    result = run(
        PACK,
        [
            concern(
                "2015-09-08T10:00:00+01:00",
                id="c-si-1",
                serious_harm=True,
                immediate_action_taken=True,
            ),
            meeting("2015-09-10T10:00:00+01:00", id="m-si-1"),
        ],
        "2015-09-14T09:00:00+01:00",
    )
    same_day = only(result, SAME_DAY)
    assert (same_day.due, same_day.strength, same_day.status) == (
        end_of("2015-09-08", TZ),
        "should",
        "met_late",
    )
    one_day = only(result, ONE_DAY)
    assert (one_day.due, one_day.strength, one_day.status) == (
        end_of("2015-09-09", TZ),
        "must",
        "met_late",
    )
    assert {
        (f.rule, f.severity) for f in lateness(result, ONE_DAY) + lateness(result, SAME_DAY)
    } == {(SAME_DAY, "should"), (ONE_DAY, "must")}
    assert lateness(result, TIMING) == []


@scenario
def complex_over_easter_2016() -> Evaluation:
    # Wednesday 23 March 2016 (GMT): Thu 24 = 1; Fri 25 Good Friday, Sat 26, Sun 27
    # (BST starts), Mon 28 Easter Monday skipped; Tue 29 = 2, Wed 30 = 3, Thu 31 = 4,
    # Fri 1 April = 5. Due end of 2016-04-01 (BST).
    return run(
        PACK,
        [
            concern("2016-03-23T10:00:00+00:00", id="c-cx-1", complex=True),
            meeting("2016-03-31T14:00:00+01:00", id="m-cx-1"),
        ],
        "2016-04-05T09:00:00+01:00",
    )


def test_complex_five_working_days_over_easter_2016() -> None:
    result = complex_over_easter_2016()
    timing = only(result, FIVE_DAYS)
    assert (timing.status, timing.met_by) == ("met", "m-cx-1")
    assert timing.due == end_of("2016-04-01", TZ)
    assert timing.due_basis == "particularly complex: 5 working days"
    assert obligations(result, TIMING) == []

    overdue = only(
        run(
            PACK,
            [concern("2016-03-23T10:00:00+00:00", id="c-cx-2", complex=True)],
            "2016-04-02T09:00:00+01:00",
        ),
        FIVE_DAYS,
    )
    assert (overdue.status, overdue.due) == ("overdue", end_of("2016-04-01", TZ))
    assert overdue.strength == "must"  # "must be held within a maximum of five working days"


def test_default_over_easter_2016() -> None:
    # Thursday 24 March 2016: Fri 25 Good Friday, Sat 26, Sun 27, Mon 28 Easter Monday
    # skipped; Tue 29 = 1, Wed 30 = 2, Thu 31 March = 3.
    timing = only(
        run(
            PACK, [concern("2016-03-24T10:00:00+00:00", id="c-e16-1")], "2016-03-24T12:00:00+00:00"
        ),
        TIMING,
    )
    assert (timing.status, timing.due) == ("open", end_of("2016-03-31", TZ))


@scenario
def several_exceptions() -> Evaluation:
    return run(
        PACK,
        [
            # Serious harm and complex, Tuesday 8 September 2015: same day (should), end of
            # 2015-09-08, and at most five working days (must): Wed 9 = 1, Thu 10 = 2,
            # Fri 11 = 3, Mon 14 = 4, Tue 15 = 5.
            concern(
                "2015-09-08T10:00:00+01:00",
                id="c-fm-1",
                child="child-sh-cx",
                serious_harm=True,
                complex=True,
            ),
            # Immediate action and complex: "sooner if there is a need to provide immediate
            # protection", so one working day (must): Wed 9 September; not also the five.
            concern(
                "2015-09-08T10:00:00+01:00",
                id="c-fm-2",
                child="child-ia-cx",
                immediate_action_taken=True,
                complex=True,
            ),
            # Serious harm and immediate action: same day (should) and one working day (must).
            concern(
                "2015-09-08T10:00:00+01:00",
                id="c-fm-3",
                child="child-sh-ia",
                serious_harm=True,
                immediate_action_taken=True,
            ),
            # Complex only: five working days, Tue 15 September; not the default three.
            concern("2015-09-08T10:00:00+01:00", id="c-fm-4", child="child-cx", complex=True),
        ],
        "2015-09-08T12:00:00+01:00",
    )


def test_each_exception_at_its_own_strength() -> None:
    result = several_exceptions()
    dues = {
        (o.child_id, o.rule): (o.due, o.strength)
        for o in result.obligations
        if o.rule in (TIMING, SAME_DAY, ONE_DAY, FIVE_DAYS)
    }
    assert dues == {
        ("child-sh-cx", SAME_DAY): (end_of("2015-09-08", TZ), "should"),
        ("child-sh-cx", FIVE_DAYS): (end_of("2015-09-15", TZ), "must"),
        ("child-ia-cx", ONE_DAY): (end_of("2015-09-09", TZ), "must"),
        ("child-sh-ia", SAME_DAY): (end_of("2015-09-08", TZ), "should"),
        ("child-sh-ia", ONE_DAY): (end_of("2015-09-09", TZ), "must"),
        ("child-cx", FIVE_DAYS): (end_of("2015-09-15", TZ), "must"),
    }


def test_a_certain_exception_is_owed_at_its_own_strength_whatever_is_unknown() -> None:
    # Reader 6 M2/M3. Fri 24 May 2024 (Mon 27 May Spring Bank Holiday): one working day
    # -> end of Tue 28 May; five -> Tue 28, Wed 29, Thu 30, Fri 31, Mon 3 June.
    at = "2024-05-24T11:00:00+01:00"
    flags = {"forensic_evidence_needed": False, "looked_after": False, "complex": True}
    # serious_harm left out (not recorded); immediate_action_taken listed as unknown
    unknown_serious = ev(
        "concern_identified", at, id="c-m2a", child="child-a", category="sexual_abuse",
        immediate_action_taken=False, **flags,
    )  # fmt: skip
    unknown_action = ev(
        "concern_identified", at, id="c-m2b", child="child-b", category="sexual_abuse",
        serious_harm=True, unknown=["immediate_action_taken"], **flags,
    )  # fmt: skip
    result = run(PACK, [unknown_serious, unknown_action], "2024-06-04T09:00:00+01:00")
    by = {(o.child_id, o.rule): o for o in result.obligations}
    # complex recorded true: the five working days at must, whatever serious_harm is
    five_a = by["child-a", FIVE_DAYS]
    assert (five_a.due, five_a.strength, five_a.status) == (
        end_of("2024-06-03", TZ),
        "must",
        "overdue",
    )
    assert by["child-a", SAME_DAY].status == "cannot_evaluate"
    # serious and complex recorded true, immediate action unknown: the same day at should
    # and the five working days at must; the one working day cannot be evaluated
    same_b = by["child-b", SAME_DAY]
    assert (same_b.due, same_b.strength, same_b.status) == (
        end_of("2024-05-24", TZ),
        "should",
        "overdue",
    )
    assert (by["child-b", FIVE_DAYS].strength, by["child-b", FIVE_DAYS].status) == (
        "must",
        "overdue",
    )
    assert by["child-b", ONE_DAY].status == "cannot_evaluate"
    # an exception certainly applies to both: the three working days are owed by neither
    assert obligations(result, TIMING) == []
    assert {(f.child_id, f.rule, f.severity) for f in result.findings if f.kind == "overdue"} >= {
        ("child-a", FIVE_DAYS, "must"),
        ("child-b", SAME_DAY, "should"),
        ("child-b", FIVE_DAYS, "must"),
    }


def test_a_discussion_before_the_concern_does_not_meet_it() -> None:
    result = run(
        PACK,
        [
            discussion("2015-09-07T10:00:00+01:00", id="d-or-1"),
            concern("2015-09-08T10:00:00+01:00", id="c-or-1"),
        ],
        "2015-09-14T09:00:00+01:00",
    )
    # Tue 8 September 2015: Wed 9 = 1, Thu 10 = 2, Fri 11 = 3.
    timing = only(result, TIMING)
    assert (timing.status, timing.due) == ("overdue", end_of("2015-09-11", TZ))


# --- MASH ----------------------------------------------------------------------------------


@scenario
def unclear_enquiry_goes_to_mash() -> Evaluation:
    return run(
        PACK,
        [
            ev(
                "enquiry_received",
                "2015-10-05T09:00:00+01:00",
                id="q-ms-1",
                safeguarding_risk_clear=False,
            ),
            ev("mash_enquiry_started", "2015-10-05T11:00:00+01:00", id="s-ms-1"),
        ],
        "2015-10-06T09:00:00+01:00",
    )


def test_unclear_enquiry_goes_to_mash() -> None:
    mash = only(unclear_enquiry_goes_to_mash(), "mash_enquiry_when_risk_unclear")
    assert (mash.status, mash.met_by, mash.route) == ("met", "s-ms-1", "mash_enquiry")
    # passed through by whoever received the enquiry (the local authority), not the MASH
    assert (mash.responsible, mash.strength, mash.due) == ("la_childrens_social_care", "must", None)
    assert mash.action == "pass_enquiry_to_mash"

    waiting = only(
        run(
            PACK,
            [
                ev(
                    "enquiry_received",
                    "2015-10-05T09:00:00+01:00",
                    id="q-ms-2",
                    safeguarding_risk_clear=False,
                ),
            ],
            "2015-11-06T09:00:00+00:00",
        ),
        "mash_enquiry_when_risk_unclear",
    )
    assert (waiting.status, waiting.met_by) == ("open", None)  # the source sets no timescale


def test_clear_enquiry_needs_no_mash_enquiry() -> None:
    result = run(
        PACK,
        [
            ev(
                "enquiry_received",
                "2015-10-05T09:00:00+01:00",
                id="q-ms-3",
                safeguarding_risk_clear=True,
            ),
        ],
        "2015-10-06T09:00:00+01:00",
    )
    assert result.obligations == ()
    assert result.findings == ()


# --- Child Protection Conference ------------------------------------------------------------


@scenario
def section_47_continuing_risk_conference_held() -> Evaluation:
    return run(
        PACK,
        [
            ev("enquiry_started", "2015-11-02T10:00:00+00:00", id="s47-cp-1", basis="section_47"),
            ev(
                "enquiry_concluded",
                "2015-11-20T10:00:00+00:00",
                id="x-cp-1",
                basis="section_47",
                continuing_risk=True,
            ),
            ev("child_protection_conference_held", "2015-12-01T10:00:00+00:00", id="k-cp-1"),
        ],
        "2015-12-02T09:00:00+00:00",
    )


@scenario
def census_enquiry_then_its_conference() -> Evaluation:
    # A section 47 enquiry that did not rule a conference out, and the initial conference
    # linked to it (as the CIN census importer writes them, here with times).
    return run(
        PACK,
        [
            ev(
                "enquiry_started",
                "2015-11-02T10:00:00+00:00",
                id="s47-cen-1",
                basis="section_47",
                conference_not_required=False,
            ),
            ev(
                "child_protection_conference_held",
                "2015-11-20T10:00:00+00:00",
                id="k-cen-1",
                kind="initial",
                enquiry_ref="s47-cen-1",
            ),
        ],
        "2015-12-02T09:00:00+00:00",
    )


def test_census_enquiry_is_followed_by_its_conference() -> None:
    cpc = only(
        census_enquiry_then_its_conference(),
        "child_protection_conference_follows_section_47_enquiry",
    )
    # No deadline by default (the source gives none): met by the linked conference.
    assert (cpc.status, cpc.met_by, cpc.due) == ("met", "k-cen-1", None)


def test_conference_after_section_47_with_continuing_risk() -> None:
    cpc = only(
        section_47_continuing_risk_conference_held(), "child_protection_conference_after_section_47"
    )
    assert (cpc.status, cpc.met_by, cpc.due) == ("met", "k-cp-1", None)
    assert (cpc.responsible, cpc.strength) == ("la_childrens_social_care", "must")
    assert cpc.due_basis == "no deadline (parameter child_protection_conference_timescale)"

    no_conference = only(
        run(
            PACK,
            [
                ev(
                    "enquiry_concluded",
                    "2015-11-20T10:00:00+00:00",
                    id="x-cp-2",
                    basis="section_47",
                    continuing_risk=True,
                ),
            ],
            "2016-06-01T09:00:00+01:00",
        ),
        "child_protection_conference_after_section_47",
    )
    assert (no_conference.status, no_conference.due) == ("open", None)


def test_no_conference_needed_without_continuing_risk_or_section_47() -> None:
    result = run(
        PACK,
        [
            ev(
                "enquiry_concluded",
                "2015-11-20T10:00:00+00:00",
                id="x-cp-3",
                basis="section_47",
                continuing_risk=False,
            ),
            ev(
                "enquiry_concluded",
                "2015-11-20T11:00:00+00:00",
                id="x-cp-4",
                basis="other",
                continuing_risk=True,
            ),
        ],
        "2015-12-02T09:00:00+00:00",
    )
    assert result.obligations == ()


def test_conference_timescale_overlay() -> None:
    # An overlay applying Working Together's 15 working days, counted from the end of
    # the enquiry. Monday 14 December 2015: 15=1, 16=2, 17=3, 18=4, 21=5, 22=6, 23=7,
    # 24=8; 25 Christmas, 26-27 weekend, 28 Boxing Day substitute skipped; 29=9,
    # 30=10, 31=11; 1 January 2016 New Year's Day, 2-3 weekend skipped; 4 Jan=12,
    # 5=13, 6=14, 7 January 2016 = 15.
    overlay = load_pack(
        "wtsc_2015", parameters={"child_protection_conference_timescale": {"working_days": 15}}
    )
    result = run(
        overlay,
        [
            ev(
                "enquiry_concluded",
                "2015-12-14T10:00:00+00:00",
                id="x-cp-5",
                basis="section_47",
                continuing_risk=True,
            ),
            ev("child_protection_conference_held", "2016-01-08T10:00:00+00:00", id="k-cp-5"),
        ],
        "2016-01-11T09:00:00+00:00",
    )
    cpc = only(result, "child_protection_conference_after_section_47")
    assert (cpc.status, cpc.due) == ("met_late", end_of("2016-01-07", TZ))
    [finding] = lateness(result, "child_protection_conference_after_section_47")
    assert (finding.kind, finding.severity) == (
        "met_late",
        "should",
    )  # the overlay's 15 days are a local override


def test_an_overlay_giving_only_a_conference_default_is_a_labelled_local_choice(
    tmp_path: Path,
) -> None:
    # Reader 9 L4: the parameter's basis is source (no deadline); an overlay that gives only
    # `default:` must not inherit that basis, or its 15 days would be labelled the source's
    # and reported at must. 15 working days from Mon 3 June 2019 (no bank holiday): Tue 4
    # (1), Wed 5, Thu 6, Fri 7 (4), Mon 10 (5) ... Fri 14 (9), Mon 17 (10) ... Fri 21 (14),
    # Mon 24 June (15) -> end of Mon 24 June 2019; the conference of Mon 1 July is late.
    overlay = tmp_path / "local_wtsc.yaml"
    overlay.write_text(
        "extend: wtsc_2015\n"
        "pack: {id: local_wtsc, title: A local wtsc_2015, version: '1'}\n"
        "parameters:\n"
        "  conference_timescale_from_strategy_discussion:\n"
        "    default: {working_days: 15}\n",
        encoding="utf-8",
    )
    local = load_pack(overlay)
    parameter = local.pack.parameters["conference_timescale_from_strategy_discussion"]
    assert (parameter.default.working_days, parameter.basis) == (15, "local_default")
    result = run(
        local,
        [
            ev(
                "enquiry_started",
                "2019-06-03T10:00:00+01:00",
                id="e1",
                basis="section_47",
                conference_not_required=False,
            ),
            ev(
                "child_protection_conference_held",
                "2019-07-01T10:00:00+01:00",
                id="k-l4",
                kind="initial",
                enquiry_ref="e1",
            ),
        ],
        "2019-07-02T09:00:00+01:00",
    )
    cpc = only(result, "child_protection_conference_follows_section_47_enquiry")
    assert (cpc.status, cpc.due, cpc.strength) == ("met_late", end_of("2019-06-24", TZ), "must")
    assert (cpc.basis, cpc.parameter) == (
        "local_default",
        "conference_timescale_from_strategy_discussion",
    )
    assert "local default (parameter conference_timescale_from_strategy_discussion)" in (
        cpc.due_basis or ""
    )
    [finding] = lateness(result, "child_protection_conference_follows_section_47_enquiry")
    assert (finding.kind, finding.severity, finding.basis) == (
        "met_late",
        "should",
        "local_default",
    )


@scenario
def attendance_not_recorded() -> Evaluation:
    # Reader 3 H3: a discussion and a meeting about a looked after child whose records list
    # no agencies (and so no invitees or note-takers either).
    return run(
        PACK,
        [
            concern("2015-06-01T09:00:00+01:00", id="c-na", category="neglect", looked_after=True),
            ev(
                "strategy_discussion_held",
                "2015-06-01T15:00:00+01:00",
                id="d-na",
                mode="telephone",
                chair_role="strategy_chair",
            ),
            ev(
                "strategy_meeting_held",
                "2015-06-02T10:00:00+01:00",
                id="m-na",
                chair_role="strategy_chair",
            ),
        ],
        "2015-06-05T12:00:00+01:00",
    )


def test_unrecorded_attendance_is_a_notice_not_a_missing_agency() -> None:
    result = attendance_not_recorded()
    # per concern since reader 6 M5: a discussion that records no agencies meets the
    # participation obligations rather than report the agencies absent
    participation = [
        o for o in result.obligations if o.rule.startswith("strategy_discussion_involves_")
    ]
    assert participation
    assert {(o.status, o.met_by) for o in participation} == {("met", "d-na")}
    assert not [f for f in result.findings if f.rule.startswith("strategy_discussion_involves_")]
    notices = {
        (f.rule, f.event, f.severity)
        for f in result.findings
        if f.rule.endswith("_attendance_recorded")
    }
    assert notices == {
        ("strategy_discussion_attendance_recorded", "d-na", "advisory"),
        ("strategy_meeting_attendance_recorded", "m-na", "advisory"),
    }


# --- coverage --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_accounts_for_every_event(name: str) -> None:
    result = SCENARIOS[name]()
    assert result.account.rejected == ()
    assert result.account.evaluated == result.account.received


def test_scenarios_fire_every_rule() -> None:
    fired: set[str] = set()
    for build in SCENARIOS.values():
        fired |= fired_rules(build())
    assert fired == {rule.id for rule in PACK.pack.rules}
