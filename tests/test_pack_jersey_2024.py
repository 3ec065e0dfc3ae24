"""Scenario tests for policies/jersey_2024.yaml.

Deadlines are counted by hand from the Jersey calendar (Europe/Jersey, JE holidays; 2024
holidays: 1 Jan, Good Friday 29 Mar, Easter Monday 1 Apr, 6 May, Liberation Day Thu 9 May,
27 May, Mon 15 Jul (the King's visit), 26 Aug, 25 and 26 Dec). Jersey is on GMT (+00:00)
until Sun 31 Mar 2024 and on BST (+01:00) from then until Sun 27 Oct 2024. Each test shows
its counting. Every id is invented.

The YAML scenarios in policies/scenarios/jersey_2024.scenarios.yaml cover the rules one by
one; these tests check what YAML cannot say (the deadline basis in the output, the pack's
record of what it leaves out, source coverage) and the readings of
issue 7 once more from Python. Tests that asserted the earlier readings (a Hub referral
obligation for unallocated children, four CPNs flagged once per child forever, a strategy
discussion meeting the meeting's timescale, any Team Manager passing the chair's must, a
monthly supervision regime, cancellations closing strategy obligations) are gone; so are
those of the first reader's report (occasions of police attention counted instead of CPNs,
any email to the worker meeting the flag, an overdue meeting where none was held).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from helpers import (
    assert_not_encoded_quotes_the_source,
    assert_source_accounted_for,
    end_of,
    ev,
    fired_rules,
    obligations,
    only,
    run,
)

from safeguard_rules import BaseEvent, Evaluation, Finding, load_pack, parse_events
from safeguard_rules._pack import Rule

PACK = load_pack("jersey_2024")
TZ = "Europe/Jersey"
SOURCE_FILE = (
    Path(__file__).resolve().parents[1] / "policies" / "sources" / "001_f46e5218b7059a3a.txt"
)
SOURCE = SOURCE_FILE.read_text(encoding="utf-8")
AS_OF = "2024-06-01T12:00:00+01:00"


def squash(text: str) -> str:
    return " ".join(text.split())  # the source has non-breaking spaces; str.split folds them


def allocated(
    at: str = "2024-03-01T09:00:00+00:00",
    *,
    team_manager: str | None = "tm-1",
    child: str = "child-1",
    id: str | None = None,
    worker: str = "sw-1",
) -> BaseEvent:
    return ev(
        "social_worker_allocated",
        at,
        id=id,
        child=child,
        worker=worker,
        team_manager=team_manager,
        senior_practitioner="sp-1",
    )


def cpns(n: int, child: str = "child-1", first: int = 1) -> list[BaseEvent]:
    """CPNs (occasions resulting in a CPN) ``first`` .. ``first + n - 1``, daily from 2 Apr 2024."""
    return [
        ev(
            "cpn_created",
            f"2024-04-{1 + k:02d}T21:30:00+01:00",
            id=f"cpn-{child}-{k}",
            child=child,
            incident_ref=f"INC-{k}",
        )
        for k in range(first, first + n)
    ]


def occasions(n: int, child: str = "child-1", first: int = 1) -> list[BaseEvent]:
    """Occasions of police attention ``first`` .. ``first + n - 1``, daily from 2 Apr 2024."""
    return [
        ev(
            "police_attention",
            f"2024-04-{1 + k:02d}T21:00:00+01:00",
            id=f"pa-{child}-{k}",
            child=child,
            incident_ref=f"INC-{k}",
        )
        for k in range(first, first + n)
    ]


def concern(at: str, id: str = "con-1", **fields: object) -> BaseEvent:
    fields = {"category": "physical_abuse", "enquiry_decision_needed": True, **fields}
    return ev("concern_identified", at, id=id, **fields)


def meeting(
    at: str, id: str = "sm-1", chair_role: str = "team_manager", chair: str | None = "tm-1"
) -> BaseEvent:
    return ev(
        "strategy_meeting_held",
        at,
        id=id,
        chair_role=chair_role,
        chair=chair,
        agencies=["csc", "police", "health"],
    )


def checks(result: Evaluation, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.kind == "check" and f.rule == rule]


# --- the pack itself ---------------------------------------------------------------------------


def test_metadata_and_calendar() -> None:
    meta = PACK.pack.pack
    assert (meta.id, meta.jurisdiction, meta.version) == ("jersey_2024", "jersey", "7")
    assert meta.effective_from.isoformat() == "2024-03-01"
    assert meta.effective_to is None
    assert [s.file for s in meta.sources] == ["sources/001_f46e5218b7059a3a.txt"]
    # the pack's copy of the source (inside the installed package) is the repository's text
    shipped = PACK.source_file("jspb_2024")
    assert shipped is not None
    assert shipped.read_bytes() == SOURCE_FILE.read_bytes()
    calendar = PACK.pack.calendar
    assert calendar.timezone == TZ
    assert calendar.public_holidays is not None
    assert calendar.public_holidays.country == "JE"


def test_every_parameter_is_a_labelled_local_default() -> None:
    # Principle 4: every value the chapter does not give is a parameter with basis
    # local_default; the three working days, which it gives, are written in the rule.
    params = PACK.pack.parameters
    assert {name: p.basis for name, p in params.items()} == {
        "receipt_follow_up_timescale": "local_default",
        "strategy_meeting_risk_timescale": "local_default",
        "medical_consideration_timescale": "local_default",
        "professional_difference_resolution_timescale": "local_default",
        "strategy_discussion_timescale": "local_default",  # reader 5 L5
        "medical_consideration_after_concern_timescale": "local_default",  # reader 9 M2
        # reader 13 L2: three working days counted from a discussion, the pack's start
        "decision_not_recorded_prompt_window": "local_default",
    }
    # reader 4 M7: the chapter gives the medical consideration no time; the same day is ours,
    # counted from the discussion or meeting (reader 9 M2: a one-case table, counts_from)
    assert params["medical_consideration_timescale"].default.model_dump(exclude_none=True) == {
        "table": {
            "hit_policy": "first",
            "cases": [
                {
                    "label": "the day of the discussion or meeting",
                    "within": {"same_day": True},
                    "counts_from": "trigger",
                }
            ],
        }
    }
    # reader 9 M2: from the risk itself, three working days (the forensic window), ours too
    assert params["medical_consideration_after_concern_timescale"].default.model_dump(
        exclude_none=True
    ) == {"working_days": 3}
    assert params["receipt_follow_up_timescale"].default.model_dump(exclude_none=True) == {
        "working_days": 1
    }
    table = params["strategy_meeting_risk_timescale"].default.table
    assert table is not None
    assert [(c.label, c.within.describe()) for c in table.cases] == [
        ("local grade: the concern records a serious risk of harm", "the same day"),
        ("local grade: the concern records forensic evidence to be gathered", "1 working day"),
        ("local grade: the concern records a high risk", "1 working day"),
        ("otherwise, the source's three working days only", "no deadline"),
    ]
    for parameter in params.values():
        assert parameter.citation is not None
        assert "LOCAL CHOICE" in parameter.description


def _quotes() -> list[str]:
    found = [c.rule.citation.quote for c in PACK.rules if c.rule.citation is not None]
    found += [p.citation.quote for p in PACK.pack.parameters.values() if p.citation is not None]
    found += [e.quote for e in PACK.pack.not_encoded]
    return found


@pytest.mark.parametrize("quote", _quotes())
def test_every_quote_is_verbatim_from_the_source(quote: str) -> None:
    assert squash(quote) in squash(SOURCE)


@pytest.mark.parametrize("quote", _quotes())
def test_every_quote_has_the_source_characters_exactly(quote: str) -> None:
    # Reader 5 L1: the source has non-breaking spaces (U+00A0) in places; a quote gives
    # them as the source does, so a byte comparison finds it too.
    assert quote in SOURCE


@pytest.mark.parametrize("rule", [c.rule for c in PACK.rules], ids=lambda r: r.id)
def test_every_rule_cites_the_2024_source_and_is_scoped_to_allocated_children(rule: Rule) -> None:
    assert rule.citation is not None and rule.citation.source == "jspb_2024"
    # Principle 1: every trigger requires an allocated worker, or is an allocation.
    where = rule.when.where.model_dump_json(by_alias=True) if rule.when.where else ""
    assert rule.when.event == "social_worker_allocated" or "case.allocated_social_worker" in where


def test_no_obligation_is_closed_by_a_cancellation() -> None:
    # Principle 5: the chapter provides no way to close a duty. (A discussion deciding that
    # no meeting follows used to close the meeting timescales; reader item 3: they now time
    # only meetings that are held.) Reader 14 M1: the meeting a discussion called is closed
    # only by the meeting held, whose timing the held-meeting rules give (one lateness, one
    # finding); never by a strategy_meeting_cancelled or any other event. Reader 15 M1: the
    # twin for a named concern recorded false is closed the same way.
    closing = {
        c.rule.id: c.rule.require.cancelled_by
        for c in PACK.rules
        if c.rule.require is not None and c.rule.require.cancelled_by is not None
    }
    assert sorted(closing) == [
        "strategy_meeting_called_named_concern_within_three_working_days",
        "strategy_meeting_called_within_three_working_days",
        "strategy_meeting_called_within_three_working_days_need_not_recorded",
    ]
    for match in closing.values():
        matches = match if isinstance(match, list) else [match]
        assert [m.event for m in matches] == ["strategy_meeting_held"]


def test_every_imposing_sentence_is_a_rule_or_not_encoded() -> None:
    # Its 22 imposing sentences, and every other sentence (those with "need to" too), but
    # headings: the chapter's title, which the page gives twice.
    assert_source_accounted_for(PACK, "jspb_2024", imposing=22, headings=_PAGE_HEADINGS)


def test_what_is_not_encoded_is_quoted_from_the_source_with_a_reason() -> None:
    assert_not_encoded_quotes_the_source(PACK, "jspb_2024")
    reasons = {e.reason for e in PACK.pack.not_encoded}
    assert "out_of_scope" in reasons  # the Hub referral route for unallocated children


_PAGE_HEADINGS = (
    "Child Protection (CPN) Notifications for Children and Young People by the Police"
    " Protection Unit (PPU) Detective Sergeant where a Child or Young Person has an allocated"
    " Children's Social Worker",
)


# --- the flag: occasions resulting in a CPN, in runs, and on allocation ------------------------


def test_occasions_are_counted_and_the_flag_is_owed_when_a_cpn_is_then_created() -> None:
    # Reader 5 M1: "comes to the attention of the police on more than three occasions this
    # results in a CPN being created": occasions are counted (reader 4 H1), and the clause
    # inside the "Where" condition is part of the situation, so the flag (at must) is owed on
    # a CPN created once there have been more than three occasions. Four occasions with no
    # CPN owe nothing.
    assert run(PACK, [allocated(), *occasions(4)], AS_OF).obligations == ()
    # Reader 6 M3: a CPN whose incident no police_attention names is an occasion of its own
    # ("the child came to police attention and a CPN was created"), so four CPNs with no
    # police_attention records are four occasions, and the fourth CPN owes both duties.
    # (Until reader 6 this asserted that they owed nothing.)
    only_cpns = run(PACK, [allocated(), *cpns(4)], AS_OF)
    assert [(o.rule, o.triggered_by) for o in only_cpns.obligations] == [
        ("flag_after_more_than_three_occasions", ("cpn-child-1-4",)),
        ("planning_meeting_requested_after_more_than_three_occasions", ("cpn-child-1-4",)),
    ]
    four = run(PACK, [allocated(), *occasions(4), *cpns(1, first=4)], AS_OF)
    flag = only(four, "flag_after_more_than_three_occasions")
    assert flag.triggered_by == ("cpn-child-1-4",)
    assert (flag.responsible, flag.copied_in, flag.due, flag.strength) == (
        "ppu_ds",
        (),
        None,
        "must",
    )
    request = only(four, "planning_meeting_requested_after_more_than_three_occasions")
    assert request.triggered_by == flag.triggered_by  # principle 2: not after the flag
    # A CPN on the third occasion came before "more than three": it does not count.
    early = run(PACK, [allocated(), *occasions(4), *cpns(1, first=3)], AS_OF)
    assert early.obligations == ()


def test_only_the_ppu_ds_email_summarising_three_incidents_meets_the_flag() -> None:
    # Reader item 1: a routine email with a CPN attached, or from another sender, is not the
    # flag; the DS's email with a summary of three incidents is.
    routine = ev(
        "flag_sent",
        "2024-04-06T10:00:00+01:00",
        id="mail-1",
        sender_role="ppu_ds",
        to=["allocated_social_worker"],
        cc=["team_manager"],
        attached_cpns=["INC-4"],
    )
    other = ev(
        "flag_sent",
        "2024-04-06T11:00:00+01:00",
        id="mail-2",
        sender_role="sending_agency",
        to=["allocated_social_worker"],
        summarised_incidents=["INC-1", "INC-2", "INC-3"],
    )
    flag = ev(
        "flag_sent",
        "2024-04-07T10:00:00+01:00",
        id="flag-1",
        sender_role="ppu_ds",
        to=["allocated_social_worker"],
        cc=["team_manager"],
        summarised_incidents=["INC-2", "INC-3", "INC-4"],
    )
    situation = [*occasions(4), *cpns(1, first=4)]
    before = run(PACK, [allocated(), *situation, routine, other], AS_OF)
    assert only(before, "flag_after_more_than_three_occasions").status == "open"
    assert checks(before, "flag_summarises_three_incidents") == []  # reader item 6
    after = run(PACK, [allocated(), *situation, routine, other, flag], AS_OF)
    met = only(after, "flag_after_more_than_three_occasions")
    assert (met.status, met.met_by) == ("met", "flag-1")


def test_the_chapter_flags_once_and_further_runs_are_a_labelled_local_extension() -> None:
    # Reader 4 M2: the source rule fires once (the CPN of the 4th occasion, not again on the
    # 6th's); the 8th occasion completes a further run, which only the "(local extension)"
    # rule owes, at should.
    result = run(PACK, [allocated(), *occasions(9), *cpns(1, first=4), *cpns(1, first=6)], AS_OF)
    flags = obligations(result, "flag_after_more_than_three_occasions")
    assert [(o.triggered_by, o.strength) for o in flags] == [(("cpn-child-1-4",), "must")]
    again = obligations(result, "flag_again_on_each_further_run_of_four")
    assert [(o.triggered_by, o.strength) for o in again] == [
        (tuple(f"pa-child-1-{k}" for k in range(5, 9)), "should")
    ]
    assert "(local extension)" in PACK.rule("flag_again_on_each_further_run_of_four").title


def test_a_worker_allocated_after_four_occasions_is_flagged_by_the_local_extension() -> None:
    # Reader 4 M3: allocation is not the chapter's trigger; the allocation rules are labelled
    # local extensions, at should.
    events = [
        *occasions(4, child="child-2"),
        allocated("2024-04-20T09:00:00+01:00", child="child-2", id="c2-alloc"),
    ]
    result = run(PACK, events, AS_OF)
    on_allocation = only(result, "flag_on_allocation_after_more_than_three_occasions")
    assert (on_allocation.triggered_by, on_allocation.strength) == (("c2-alloc",), "should")
    request = only(
        result, "planning_meeting_requested_on_allocation_after_more_than_three_occasions"
    )
    assert (request.status, request.strength) == ("open", "should")
    assert obligations(result, "flag_after_more_than_three_occasions") == []
    for rule in (
        "flag_on_allocation_after_more_than_three_occasions",
        "planning_meeting_requested_on_allocation_after_more_than_three_occasions",
    ):
        assert PACK.rule(rule).title.endswith("(local extension)")
        assert "Local extension" in (PACK.rule(rule).citation.note or "")


# --- scope -------------------------------------------------------------------------------------


def test_a_child_without_an_allocated_worker_gets_nothing_from_this_chapter() -> None:
    # Issue 7 (principle 1): no Hub referral obligation, no strategy duty, no check.
    events = [
        ev("cpn_created", "2024-05-02T22:00:00+01:00", child="child-2", incident_ref="INC-21"),
        *cpns(4, child="child-2"),
        *occasions(4, child="child-2"),
        concern("2024-05-07T10:00:00+01:00", child="child-2", serious_harm=True),
        ev(
            "strategy_meeting_held",
            "2024-05-20T10:00:00+01:00",
            child="child-2",
            chair_role="allocated_social_worker",
        ),
        ev(
            "case_reviewed",
            "2024-05-22T10:00:00+01:00",
            child="child-2",
            stuck=True,
            ongoing_concerns=True,
            behaviour_related=True,
        ),
    ]
    result = run(PACK, events, AS_OF)
    assert (result.obligations, result.findings) == ((), ())


# --- strategy meetings --------------------------------------------------------------------------


def test_no_strategy_must_without_a_need_to_determine_an_article_42_duty() -> None:
    # Issue 7: "and where there is a need to determine if the Minister has a duty to investigate".
    # Reader 4 L2: a concern that does not record the need owes the discussion at advisory (a
    # gap in the record), one recorded as not needing it owes nothing.
    quiet = [
        concern("2024-05-02T10:00:00+01:00", enquiry_decision_needed=None),
        concern("2024-05-03T10:00:00+01:00", id="con-2", enquiry_decision_needed=False),
    ]
    result = run(PACK, [allocated(), *quiet], AS_OF)
    [gap, medical] = result.obligations
    assert (gap.rule, gap.triggered_by, gap.strength, gap.due, gap.status) == (
        "strategy_discussion_or_meeting_after_concern",
        ("con-1",),
        "advisory",
        None,
        "open",
    )
    # reader 9 M2: the medical consideration owed from the physical abuse risk follows the
    # same two conditions: advisory for con-1, nothing for con-2
    assert (medical.rule, medical.triggered_by, medical.strength, medical.due) == (
        "medical_considered_where_risk_of_abuse_or_neglect",
        ("con-1",),
        "advisory",
        None,
    )
    assert result.findings == ()


def test_a_discussion_does_not_meet_the_meetings_timescale() -> None:
    # Issue 7: concern Thu 2 May: Fri 3 (1), Mon 6 bank holiday, Tue 7 (2), Wed 8 (3). The
    # discussion on Fri 3 May meets "will take place" only; the meeting on Fri 10 May is late.
    events = [
        allocated(),
        concern("2024-05-02T10:00:00+01:00"),
        ev(
            "strategy_discussion_held",
            "2024-05-03T10:00:00+01:00",
            id="sd-1",
            mode="telephone",
            meeting_to_follow=True,
        ),
        meeting("2024-05-10T10:00:00+01:00"),
    ]
    result = run(PACK, events, AS_OF)
    timed = only(result, "strategy_meeting_within_three_working_days")
    assert (timed.due, timed.status, timed.met_by) == (end_of("2024-05-08", TZ), "met_late", "sm-1")
    assert (timed.basis, timed.parameter) == ("source", None)
    assert only(result, "strategy_discussion_or_meeting_after_concern").met_by == "sd-1"


def test_no_meeting_timescale_runs_where_no_meeting_is_held() -> None:
    # Reader item 3: "a Strategy Meeting may be called"; the timescale sentence times the
    # meetings that take place. A discussion that does not record whether a meeting follows,
    # or no discussion at all, leaves nothing overdue but the discussion-or-meeting duty, and
    # that only under its local-default deadline (reader 5 L5): concern Thu 2 May, Fri 3 (1),
    # Mon 6 May bank holiday, Tue 7 (2), Wed 8 (3) -> end of Wed 8 May, reported at should.
    discussed = [
        allocated(),
        concern("2024-05-02T10:00:00+01:00", category="other"),
        ev("strategy_discussion_held", "2024-05-03T10:00:00+01:00", id="sd-1", mode="telephone"),
    ]
    result = run(PACK, discussed, AS_OF)
    assert [(o.rule, o.status) for o in result.obligations] == [
        ("strategy_discussion_or_meeting_after_concern", "met")
    ]
    assert result.findings == ()
    nothing = run(PACK, [allocated(), concern("2024-05-02T10:00:00+01:00")], AS_OF)
    # The physical abuse concern owes the medical consideration too (reader 9 M2), under its
    # own local default of 3 working days: the same count -> end of Wed 8 May, at should.
    assert [(o.rule, o.status, o.due) for o in nothing.obligations] == [
        ("strategy_discussion_or_meeting_after_concern", "overdue", end_of("2024-05-08", TZ)),
        ("medical_considered_where_risk_of_abuse_or_neglect", "overdue", end_of("2024-05-08", TZ)),
    ]
    assert [(f.rule, f.severity) for f in nothing.findings] == [
        ("strategy_discussion_or_meeting_after_concern", "should"),
        ("medical_considered_where_risk_of_abuse_or_neglect", "should"),
    ]


def test_the_risk_table_is_a_local_default_and_its_breach_says_so() -> None:
    # Issue 7: serious risk of harm, concern Thu 2 May 10:00: the same day under the local
    # table -> end of Thu 2 May; the meeting on Fri 3 May is late under it, within the
    # source's three working days (end of Wed 8 May).
    events = [
        allocated(),
        concern("2024-05-02T10:00:00+01:00", serious_harm=True),
        meeting("2024-05-03T10:00:00+01:00"),
    ]
    result = run(PACK, events, AS_OF)
    risk = only(result, "strategy_meeting_within_timescale")
    assert (risk.due, risk.status, risk.due_case) == (
        end_of("2024-05-02", TZ),
        "met_late",
        "local grade: the concern records a serious risk of harm",
    )
    assert (risk.basis, risk.parameter) == ("local_default", "strategy_meeting_risk_timescale")
    assert only(result, "strategy_meeting_within_three_working_days").status == "met"
    [late] = [f for f in result.findings if f.kind == "met_late"]
    assert (late.severity, late.basis, late.parameter) == (
        "should",
        "local_default",
        "strategy_meeting_risk_timescale",
    )
    assert "local default (parameter strategy_meeting_risk_timescale)" in late.message
    data = json.loads(result.to_json())
    [obligation] = [
        o for o in data["obligations"] if o["rule"] == "strategy_meeting_within_timescale"
    ]
    assert (obligation["basis"], obligation["parameter"]) == (
        "local_default",
        "strategy_meeting_risk_timescale",
    )


def test_the_notice_timed_from_a_discussion_carries_the_local_label() -> None:
    # Reader 13 L2: the chapter's three working days run from the incident; the advisory
    # notice after a discussion that left meeting_to_follow out counts them from the
    # discussion, the pack's own start, so they are a local default. Discussion Wed 5 Jun
    # 2024: Thu 6 (1), Fri 7 (2), Mon 10 (3) -> end of Mon 10 Jun (no Jersey holiday in
    # June 2024); the meeting on Tue 11 Jun is late. The should rule, from the incident of
    # Mon 3 Jun (Tue 4 (1), Wed 5 (2), Thu 6 (3) -> end of Thu 6 Jun), stays the source's.
    notice = "strategy_meeting_within_three_working_days_decision_not_recorded"
    events = [
        allocated(),
        concern("2024-06-03T09:00:00+01:00"),
        ev("strategy_discussion_held", "2024-06-05T14:00:00+01:00", id="sd-1", mode="telephone"),
        meeting("2024-06-11T10:00:00+01:00"),
    ]
    result = run(PACK, events, "2024-06-28T12:00:00+01:00")
    prompt = only(result, notice)
    assert (prompt.due, prompt.status, prompt.strength) == (
        end_of("2024-06-10", TZ),
        "met_late",
        "advisory",
    )
    assert (prompt.basis, prompt.parameter) == (
        "local_default",
        "decision_not_recorded_prompt_window",
    )
    timed = only(result, "strategy_meeting_within_three_working_days")
    assert (timed.due, timed.status, timed.basis) == (
        end_of("2024-06-06", TZ),
        "met_late",
        "source",
    )
    [late] = [f for f in result.findings if f.rule == notice]
    assert (late.kind, late.severity) == ("met_late", "advisory")
    assert "local default (parameter decision_not_recorded_prompt_window)" in late.message
    data = json.loads(result.to_json())
    [obligation] = [o for o in data["obligations"] if o["rule"] == notice]
    [finding] = [f for f in data["findings"] if f["rule"] == notice]
    for labelled in (obligation, finding):
        assert (labelled["basis"], labelled["parameter"]) == (
            "local_default",
            "decision_not_recorded_prompt_window",
        )


def test_a_cancellation_closes_nothing() -> None:
    # Issue 7 (principle 5): the discussion-or-meeting duty is not cancelled; with no
    # discussion it is overdue under its local default (reader 5 L5), end of Wed 8 May.
    cancel = ev(
        "strategy_meeting_cancelled", "2024-05-03T10:00:00+01:00", id="cx-1", of_event="con-1"
    )
    result = run(PACK, [allocated(), concern("2024-05-02T10:00:00+01:00"), cancel], AS_OF)
    owed = only(result, "strategy_discussion_or_meeting_after_concern")
    assert (owed.status, owed.cancelled_by) == ("overdue", None)


@pytest.mark.parametrize(
    ("chair_role", "chair", "must", "advisory"),
    [
        ("team_manager", "tm-1", False, False),  # the allocated worker's Team Manager: preferred
        ("senior_practitioner", "sp-1", False, True),  # the must, not the preference
        ("team_manager", "tm-9", True, True),  # issue 7: another Team Manager is neither
        ("allocated_social_worker", "sw-1", True, True),
    ],
)
def test_strategy_meeting_chair(chair_role: str, chair: str, must: bool, advisory: bool) -> None:
    result = run(
        PACK,
        [allocated(), meeting("2024-05-08T16:00:00+01:00", chair_role=chair_role, chair=chair)],
        AS_OF,
    )
    assert bool(checks(result, "strategy_meeting_chaired_by_senior_practitioner")) is must
    assert (
        bool(checks(result, "strategy_meeting_chair_preferably_allocated_team_manager")) is advisory
    )


# --- planning meetings, supervision, professional difference ------------------------------------


def test_a_planning_meeting_is_called_for_ongoing_behaviour_concerns_not_after_a_request() -> None:
    # Issue 7: the rule's trigger is the situation its sentence names.
    request = ev(
        "planning_meeting_requested", "2024-05-03T09:00:00+01:00", requested_by_role="ppu_ds"
    )
    assert run(PACK, [allocated(), request], AS_OF).obligations == ()
    review = ev(
        "case_reviewed",
        "2024-05-06T10:00:00+01:00",
        id="rev-1",
        ongoing_concerns=True,
        behaviour_related=True,
    )
    called = only(
        run(PACK, [allocated(), review], AS_OF),
        "planning_meeting_called_for_ongoing_behaviour_concerns",
    )
    assert (called.triggered_by, called.responsible, called.due) == (
        ("rev-1",),
        "childrens_social_care",
        None,
    )


def test_supervision_has_no_per_child_schedule_and_consideration_meets_should_consider() -> None:
    # Issue 7 (principles 5 and 7).
    internal = ev("supervision_held", "2024-04-20T10:00:00+01:00", kind="internal")
    assert run(PACK, [allocated(), internal], AS_OF).obligations == ()
    stuck = ev("case_reviewed", "2024-06-03T10:00:00+01:00", stuck=True)
    considered = ev(
        "supervision_considered",
        "2024-06-05T10:00:00+01:00",
        id="sc-1",
        kind="multi_agency_reflective",
        decided=False,
    )
    result = run(PACK, [allocated(), stuck, considered], "2024-07-01T12:00:00+01:00")
    assert only(result, "multi_agency_reflective_supervision_considered").met_by == "sc-1"


def test_as_soon_as_possible_is_a_local_default() -> None:
    # Raised Thu 2 May: Fri 3 (1), Mon 6 bank holiday, Tue 7 (2), Wed 8 (3), Thu 9 Liberation
    # Day, Fri 10 (4), Mon 13 (5), Tue 14 (6), Wed 15 (7), Thu 16 (8), Fri 17 (9), Mon 20 (10).
    raised = ev(
        "professional_difference_raised",
        "2024-05-02T10:00:00+01:00",
        difference_id="pd-1",
        started_on="2024-05-02",
    )
    result = run(PACK, [allocated(), raised], AS_OF)
    asap = only(result, "professional_difference_resolved_asap")
    assert (asap.due, asap.status) == (end_of("2024-05-20", TZ), "overdue")
    assert (asap.basis, asap.parameter) == (
        "local_default",
        "professional_difference_resolution_timescale",
    )
    [late] = [f for f in result.findings if f.kind == "overdue"]
    assert late.severity == "should"
    # reader 4 M8: "depends on resolving ... as soon as possible" has no modal; the rule is
    # labelled a local extension in its title and its citation note
    rule = PACK.rule("professional_difference_resolved_asap")
    assert rule.title.endswith("(local extension)")
    assert rule.citation is not None and "Local extension" in (rule.citation.note or "")


def scenario_clock_from_record() -> Evaluation:
    # Reader 8 L2: date-only records. d1 raised Mon 22 Apr 2024, its process started Mon 8
    # Apr; d2 raised on the day it started; d3 timed, which the format cannot compare.
    records = [
        {"id": "r1", "on": "2024-04-22", "difference_id": "d1", "started_on": "2024-04-08"},
        {"id": "r2", "on": "2024-04-24", "difference_id": "d2", "started_on": "2024-04-24"},
        {
            "id": "r3",
            "at": "2024-04-25T10:00:00+01:00",
            "difference_id": "d3",
            "started_on": "2024-04-08",
        },
    ]
    stream = parse_events(
        [{"type": "professional_difference_raised", "child_id": "child-1", **r} for r in records]
    )
    assert not stream.rejected
    return run(PACK, [allocated(), *stream.events], AS_OF)


def test_a_record_made_after_the_process_started_says_the_clock_ran_from_the_record() -> None:
    result = scenario_clock_from_record()
    notices = checks(result, "professional_difference_clock_from_record")
    assert [(f.event, f.severity) for f in notices] == [("r1", "advisory")]
    assert "recorded on 2024-04-22 but its process started on 2024-04-08" in notices[0].message
    # the clock itself still runs from the record: Mon 22 Apr + 10 working days (Mon 6 May
    # a holiday) -> end of Tue 7 May
    d1 = [o for o in result.obligations if o.triggered_by == ("r1",)]
    assert [o.due for o in d1] == [end_of("2024-05-07", TZ)]


def test_a_medical_consideration_never_recorded_is_reported_at_should() -> None:
    # Reader 4 M7: "consideration must be given" gives no time; the same day is a local
    # default. Discussion Fri 10 May 2024, nothing recorded: due the end of Fri 10 May
    # (the same day), overdue by Sat 11 May; the obligation stays a must, its finding a should.
    events = [
        allocated(),
        concern("2024-05-09T20:00:00+01:00", category="sexual_abuse"),
        ev("strategy_discussion_held", "2024-05-10T14:00:00+01:00", id="sd-1", mode="telephone"),
    ]
    result = run(PACK, events, "2024-05-11T09:00:00+01:00")
    medical = only(result, "medical_considered_after_strategy_discussion")
    assert (medical.due, medical.status, medical.strength) == (
        end_of("2024-05-10", TZ),
        "overdue",
        "must",
    )
    assert (medical.basis, medical.parameter) == (
        "local_default",
        "medical_consideration_timescale",
    )
    [late] = [f for f in result.findings if f.kind == "overdue"]
    assert late.severity == "should"


def test_the_multi_agency_check_cites_the_planning_meeting_sentence() -> None:
    # Reader 4 L3: "A Planning Meeting (Multi-Agency Meeting) will be called ..." is the
    # sentence that makes the meeting multi-agency; the "multi-agency response" sentence is
    # not encoded.
    rule = PACK.rule("planning_meeting_is_multi_agency")
    assert rule.citation is not None
    assert rule.citation.quote.startswith(
        "A Planning Meeting (Multi-Agency Meeting) will be called"
    )
    assert any(
        n.quote.startswith("A multi-agency response will be required")
        for n in PACK.pack.not_encoded
    )


# --- every rule is exercised -------------------------------------------------------------------


def _flag(at: str, **fields: object) -> BaseEvent:
    fields = {"sender_role": "ppu_ds", "to": ["allocated_social_worker"], **fields}
    return ev("flag_sent", at, **fields)


def scenario_need_not_recorded() -> Evaluation:
    # Reader 6 M1: concern A (neglect, Mon 2 Sept 2024) does not record whether the Article
    # 42 question arises; concern B (Mon 4 Nov 2024, GMT) does; the meeting is Wed 6 Nov.
    return run(
        PACK,
        [
            allocated(),
            concern(
                "2024-09-02T10:00:00+01:00",
                "con-a",
                category="neglect",
                enquiry_decision_needed=None,
            ),
            concern("2024-11-04T09:00:00+00:00", "con-b", category="emotional_abuse"),
            meeting("2024-11-06T10:00:00+00:00"),
        ],
        "2024-11-29T12:00:00+00:00",
    )


def test_an_earlier_concern_that_does_not_record_the_need_gives_a_notice_not_should_lateness() -> (
    None
):
    result = scenario_need_not_recorded()
    # From B, Mon 4 Nov: Tue 5 (1), Wed 6 (2), Thu 7 (3) -> end of Thu 7 Nov; held Wed 6: met.
    o = only(result, "strategy_meeting_within_three_working_days")
    assert (o.triggered_by, o.due, o.status) == (("con-b", "sm-1"), end_of("2024-11-07", TZ), "met")
    # From A, Mon 2 Sept: Tue 3 (1), Wed 4 (2), Thu 5 (3) -> end of Thu 5 Sept: late, as a
    # gap in the record (advisory), never a should finding.
    gap = only(result, "strategy_meeting_within_three_working_days_need_not_recorded")
    assert (gap.triggered_by, gap.due, gap.status, gap.strength) == (
        ("con-a", "sm-1"),
        end_of("2024-09-05", TZ),
        "met_late",
        "advisory",
    )
    late = [(f.rule, f.severity) for f in result.findings if f.kind == "met_late"]
    assert late == [("strategy_meeting_within_three_working_days_need_not_recorded", "advisory")]


def scenario_named_concern_not_needing_strategy() -> Evaluation:
    # Reader 10 M2: concern A (Mon 1 July 2024) recorded as not needing the Article 42
    # decision; a meeting naming A on Fri 12 July 2024.
    return run(
        PACK,
        [
            allocated(),
            concern("2024-07-01T10:00:00+01:00", "con-a", enquiry_decision_needed=False),
            ev(
                "strategy_meeting_held",
                "2024-07-12T10:00:00+01:00",
                id="sm-1",
                chair_role="team_manager",
                chair="tm-1",
                agencies=["csc", "police", "health"],
                concern_ref="con-a",
            ),
        ],
        "2024-07-19T12:00:00+01:00",
    )


def test_a_meeting_naming_a_concern_recorded_false_is_still_timed_from_it() -> None:
    result = scenario_named_concern_not_needing_strategy()
    o = only(result, "strategy_meeting_named_concern_within_three_working_days")
    # Mon 1 July 2024: Tue 2 (1), Wed 3 (2), Thu 4 (3) -> end of Thu 4 July; held Fri 12 July
    assert (o.triggered_by[0], o.due, o.status) == ("con-a", end_of("2024-07-04", TZ), "met_late")
    late = [(f.rule, f.severity) for f in result.findings if f.kind == "met_late"]
    assert late == [("strategy_meeting_named_concern_within_three_working_days", "should")]


def scenario_called_meeting(held_at: str | None, need: bool | None = True) -> Evaluation:
    # Reader 14 M1, the reader's record: concern c-1 Mon 3 June 2024 10:00; a discussion
    # about it at 14:00 decides a meeting is to follow; the medicals considered; the meeting
    # requested on Tue 4 June; then the meeting held at ``held_at``, or never.
    events = [
        allocated(),
        concern(
            "2024-06-03T10:00:00+01:00",
            "c-1",
            enquiry_decision_needed=need,
            serious_harm=False,
            forensic_evidence_needed=False,
        ),
        ev(
            "strategy_discussion_held",
            "2024-06-03T14:00:00+01:00",
            id="sd-1",
            mode="telephone",
            concern_ref="c-1",
            meeting_to_follow=True,
        ),
        ev("medical_considered", "2024-06-03T15:00:00+01:00", id="mc-1"),
        ev(
            "strategy_meeting_requested",
            "2024-06-04T10:00:00+01:00",
            id="smr-1",
            requested_by_role="team_manager",
            purpose="safeguarding",
        ),
    ]
    if held_at is not None:
        events.append(meeting(held_at))
    return run(PACK, events, "2024-06-28T12:00:00+01:00")


def assert_only_overdue_at_should(evaluation: Evaluation, rule: str, due: datetime) -> None:
    """The discussion's called meeting, never held: `rule` is overdue at should from the
    discussion sd-1 about c-1, and its overdue finding is the evaluation's only finding."""
    o = only(evaluation, rule)
    assert (o.triggered_by, o.due, o.status, o.strength) == (
        ("c-1", "sd-1"),
        due,
        "overdue",
        "should",
    )
    assert [(f.rule, f.kind, f.severity) for f in evaluation.findings] == [
        (rule, "overdue", "should")
    ]


def test_a_called_meeting_never_held_is_overdue_and_a_late_one_is_reported_once() -> None:
    # Mon 3 June 2024: Tue 4 (1), Wed 5 (2), Thu 6 (3) -> end of Thu 6 June (no Jersey
    # holiday in June 2024).
    due = end_of("2024-06-06", TZ)
    never = scenario_called_meeting(None)
    assert_only_overdue_at_should(never, "strategy_meeting_called_within_three_working_days", due)
    # Held late, Mon 10 June: the held-meeting rule reports it; the called one is closed by
    # the meeting, not met by it, so one late meeting gives one finding.
    late = scenario_called_meeting("2024-06-10T10:00:00+01:00")
    called = only(late, "strategy_meeting_called_within_three_working_days")
    assert (called.status, called.cancelled_by, called.met_by) == ("cancelled", "sm-1", None)
    assert [(f.rule, f.kind) for f in late.findings if f.kind in ("met_late", "overdue")] == [
        ("strategy_meeting_within_three_working_days", "met_late")
    ]
    # Held in time, Wed 5 June: met by the held-meeting rule, nothing late or overdue.
    in_time = scenario_called_meeting("2024-06-05T10:00:00+01:00")
    assert only(in_time, "strategy_meeting_within_three_working_days").status == "met"
    assert only(in_time, "strategy_meeting_called_within_three_working_days").status == "cancelled"
    assert [f for f in in_time.findings if f.kind in ("met_late", "overdue")] == []
    # The concern leaves the Article 42 need out: the notice twin, at advisory, never should.
    gap = scenario_called_meeting(None, need=None)
    notice = only(gap, "strategy_meeting_called_within_three_working_days_need_not_recorded")
    assert (notice.due, notice.status, notice.strength) == (due, "overdue", "advisory")
    assert "strategy_meeting_called_within_three_working_days" not in {
        o.rule for o in gap.obligations
    }


def test_a_called_meeting_about_a_named_concern_recorded_false_is_timed_from_it() -> None:
    # Reader 15 M1: the same record with c-1 recorded as not needing the Article 42 decision.
    # Mon 3 June 2024: Tue 4 (1), Wed 5 (2), Thu 6 (3) -> end of Thu 6 June.
    due = end_of("2024-06-06", TZ)
    never = scenario_called_meeting(None, need=False)
    assert_only_overdue_at_should(
        never, "strategy_meeting_called_named_concern_within_three_working_days", due
    )
    # Held late on Mon 10 June naming no concern: no held-meeting rule times it from c-1
    # (recorded false, not named by the meeting), so it meets this one, late: one finding.
    late = scenario_called_meeting("2024-06-10T10:00:00+01:00", need=False)
    called = only(late, "strategy_meeting_called_named_concern_within_three_working_days")
    assert (called.status, called.met_by) == ("met_late", "sm-1")
    assert [(f.rule, f.kind) for f in late.findings if f.kind in ("met_late", "overdue")] == [
        ("strategy_meeting_called_named_concern_within_three_working_days", "met_late")
    ]


SCENARIOS: list[Callable[[], Evaluation]] = [
    lambda: scenario_called_meeting(None),
    lambda: scenario_called_meeting(None, need=False),
    lambda: scenario_called_meeting(None, need=None),
    scenario_need_not_recorded,
    scenario_named_concern_not_needing_strategy,
    scenario_clock_from_record,
    lambda: run(PACK, [allocated(), *occasions(9), *cpns(1, first=4)], AS_OF),
    lambda: run(
        PACK,
        [*occasions(4, child="child-2"), allocated("2024-04-20T09:00:00+01:00", child="child-2")],
        AS_OF,
    ),
    lambda: run(
        PACK,
        [
            allocated(),
            *occasions(4),  # reader 5 L2: the flag's form is checked once it can be owed
            # reader 8 M3: ... that is once a CPN follows the fourth occasion
            *cpns(1, first=4),
            # reader 7 H1: only an email summarising two or more incidents is a candidate
            # flag (this used INC-4 alone, now read as a routine email and not checked)
            _flag(
                "2024-05-02T10:00:00+01:00",
                attached_cpns=["INC-4"],
                summarised_incidents=["INC-3", "INC-4"],
            ),
        ],
        AS_OF,
    ),
    lambda: run(
        PACK,
        [
            allocated(),
            ev(
                "case_reviewed",
                "2024-05-06T10:00:00+01:00",
                ongoing_concerns=True,
                behaviour_related=True,
                stuck=True,
            ),
        ],
        AS_OF,
    ),
    lambda: run(
        PACK,
        [
            allocated(),
            ev(
                "planning_meeting_held",
                "2024-05-10T10:00:00+01:00",
                chair_role="allocated_social_worker",
                agencies=["csc"],
                minuted=False,  # actions_shared not recorded: the advisory notice too
            ),
        ],
        AS_OF,
    ),
    lambda: run(
        PACK,
        [
            allocated(),
            ev(
                "strategy_meeting_requested",
                "2024-05-02T12:00:00+01:00",
                requested_by_role="ppu_ds",
            ),
        ],
        AS_OF,
    ),
    lambda: run(
        PACK,
        [
            allocated(),
            concern("2024-05-02T10:00:00+01:00"),
            ev("strategy_discussion_held", "2024-05-03T10:00:00+01:00", mode="telephone"),
            meeting(
                "2024-05-10T10:00:00+01:00", chair_role="allocated_social_worker", chair="sw-1"
            ),
        ],
        AS_OF,
    ),
    lambda: run(
        PACK,
        [allocated(), ev("agency_unable_to_attend", "2024-05-07T09:00:00+01:00", agency="health")],
        AS_OF,
    ),
    lambda: run(
        PACK,
        [
            allocated(),
            ev("professional_difference_raised", "2024-05-02T10:00:00+01:00", difference_id="pd-1"),
            ev(
                "professional_difference_resolved",
                "2024-05-03T10:00:00+01:00",
                difference_id="pd-1",
            ),
        ],
        AS_OF,
    ),
    # reader 9 L8 (the marked flag), L6 (a Team Manager chair the record cannot place), and
    # a meeting naming an incident recorded as needing no Article 42 decision (reader 10 M2)
    lambda: run(
        PACK,
        [
            allocated(),
            *occasions(4),
            *cpns(1, first=4),
            ev(
                "flag_sent",
                "2024-04-06T10:00:00+01:00",
                sender_role="ppu_ds",
                to=["allocated_social_worker"],
                cc=["team_manager"],
                summarised_incidents=["INC-4"],
                is_flag=True,
            ),
            concern("2024-05-02T10:00:00+01:00", id="con-f", enquiry_decision_needed=False),
            ev(
                "strategy_meeting_held",
                "2024-05-10T10:00:00+01:00",
                chair_role="team_manager",
                concern_ref="con-f",
            ),
        ],
        AS_OF,
    ),
]


def test_every_rule_is_exercised() -> None:
    fired: set[str] = set()
    for scenario in SCENARIOS:
        fired |= fired_rules(scenario())
    assert fired == {c.rule.id for c in PACK.rules}
