"""``due_from``: a deadline counted from an earlier event than the trigger.

Where a source limits when something that does happen must happen ("all strategy meetings
will take place within three working days" of the incident), the rule fires on the act and
its clock starts at the earlier event the source starts it at (principle 3). These tests hold
the mechanism to hand-counted deadlines on the England calendar (Europe/London; weekends and
England bank holidays closed; 2015: Mon 25 May Spring bank holiday; BST, +01:00, all summer).
"""

from __future__ import annotations

import json
import random

import pytest
from helpers import end_of, ev, ev_on, obligations, only, run
from toy_england import AS_OF, TZ, concern, meeting, toy

from safeguard_rules import PackValidationError, explain, parse_events
from safeguard_rules._loading import compile_text

RULES = """\
  - id: meeting_within_three_days_of_concern
    title: Every strategy meeting is held within three working days of the concern
    citation: {source: src, quote: "all strategy meetings take place within three working days"}
    strength: must
    when: {event: strategy_meeting_held}
    require:
      action: hold_strategy_meeting
      responsible: someone
      due: {working_days: 3}
      due_from: {event: concern_identified}
      satisfied_by: {event: strategy_meeting_held}
"""


PACK = compile_text(toy(RULES), "toy.yaml")


def test_a_meeting_within_three_working_days_of_the_concern_meets_itself() -> None:
    events = [concern("2015-06-04T10:00:00+01:00"), meeting("2015-06-09T15:00:00+01:00")]
    o = only(run(PACK, events, AS_OF), "meeting_within_three_days_of_concern")
    # Concern Thu 4 June: Fri 5 (1), Mon 8 (2), Tue 9 (3) -> end of Tue 9 June.
    assert o.due == end_of("2015-06-09", TZ)
    assert (o.status, o.met_by) == ("met", "m-1")
    # The obligation is the meeting's, its clock the concern's: id from the trigger, the
    # earlier event listed first and its time the obligation's start.
    assert o.id == "meeting_within_three_days_of_concern/m-1"
    assert o.triggered_by == ("c-1", "m-1")
    assert o.triggered_at == events[0].at
    assert o.due_basis == "3 working days from the latest concern_identified"
    assert o.basis == "source"


def test_a_late_meeting_is_met_late_and_the_finding_says_where_the_clock_started() -> None:
    events = [concern("2015-06-04T10:00:00+01:00"), meeting("2015-06-10T09:00:00+01:00")]
    result = run(PACK, events, AS_OF)
    o = only(result, "meeting_within_three_days_of_concern")
    # Due end of Tue 9 June (counted above); held Wed 10 June.
    assert (o.due, o.status) == (end_of("2015-06-09", TZ), "met_late")
    (finding,) = result.findings
    assert (finding.kind, finding.severity, finding.event) == ("met_late", "must", "m-1")
    assert "(3 working days from the latest concern_identified)" in finding.message


def test_no_meeting_means_no_obligation_and_no_finding_however_late() -> None:
    # The rule limits meetings that take place; it does not require one.
    result = run(PACK, [concern("2015-06-04T10:00:00+01:00")], AS_OF)
    assert (result.obligations, result.findings) == ((), ())


def test_a_meeting_with_no_earlier_concern_is_not_timed() -> None:
    result = run(PACK, [meeting("2015-06-09T15:00:00+01:00")], AS_OF)
    assert result.obligations == ()
    # A concern after the meeting does not start its clock either.
    later = run(
        PACK, [meeting("2015-06-09T15:00:00+01:00"), concern("2015-06-10T09:00:00+01:00")], AS_OF
    )
    assert later.obligations == ()


def test_the_latest_earlier_concern_starts_the_clock() -> None:
    events = [
        concern("2015-06-04T10:00:00+01:00", id="c-1"),
        concern("2015-06-15T10:00:00+01:00", id="c-2"),
        meeting("2015-06-17T10:00:00+01:00"),
    ]
    o = only(run(PACK, events, AS_OF), "meeting_within_three_days_of_concern")
    # From c-2, Mon 15 June: Tue 16 (1), Wed 17 (2), Thu 18 (3) -> end of Thu 18 June. From
    # c-1 the meeting would be late (due Tue 9 June).
    assert o.triggered_by == ("c-2", "m-1")
    assert (o.due, o.status) == (end_of("2015-06-18", TZ), "met")


def test_each_meeting_is_timed_from_the_concern_before_it() -> None:
    events = [
        concern("2015-06-04T10:00:00+01:00"),
        meeting("2015-06-05T10:00:00+01:00", id="m-1"),
        meeting("2015-06-12T10:00:00+01:00", id="m-2"),
    ]
    found = obligations(run(PACK, events, AS_OF), "meeting_within_three_days_of_concern")
    # Both due end of Tue 9 June: m-1 (Fri 5 June) on time, m-2 (Fri 12 June) late.
    assert [(o.met_by, o.due, o.status) for o in found] == [
        ("m-1", end_of("2015-06-09", TZ), "met"),
        ("m-2", end_of("2015-06-09", TZ), "met_late"),
    ]


def test_working_days_from_the_earlier_event_skip_the_bank_holiday() -> None:
    events = [concern("2015-05-22T16:00:00+01:00"), meeting("2015-05-28T10:00:00+01:00")]
    o = only(run(PACK, events, AS_OF), "meeting_within_three_days_of_concern")
    # Concern Fri 22 May: Sat, Sun, Mon 25 May Spring bank holiday, Tue 26 (1), Wed 27 (2),
    # Thu 28 (3) -> end of Thu 28 May.
    assert (o.due, o.status) == (end_of("2015-05-28", TZ), "met")


def test_where_selects_which_earlier_events_start_clocks() -> None:
    text = toy(
        RULES.replace(
            "due_from: {event: concern_identified}",
            "due_from: {event: concern_identified, where: {field: category, is: neglect}}",
        )
    )
    pack = compile_text(text, "toy.yaml")
    events = [
        concern("2015-06-04T10:00:00+01:00", id="c-1"),
        concern("2015-06-15T10:00:00+01:00", id="c-2", category="other"),
        meeting("2015-06-17T10:00:00+01:00"),
    ]
    o = only(run(pack, events, AS_OF), "meeting_within_three_days_of_concern")
    # The latest neglect concern is c-1, Thu 4 June -> due end of Tue 9 June; held Wed 17.
    assert o.triggered_by == ("c-1", "m-1")
    assert (o.due, o.status) == (end_of("2015-06-09", TZ), "met_late")


def test_an_event_is_never_the_earlier_event_of_its_own_obligation() -> None:
    text = toy("""\
  - id: concern_reviewed_by_the_next
    title: A concern is followed up within two working days of the one before
    citation: {source: src, quote: "each concern is reviewed"}
    strength: should
    when: {event: concern_identified}
    require:
      action: review_concern
      responsible: someone
      due: {working_days: 2}
      due_from: {event: concern_identified}
      satisfied_by: {event: case_reviewed}
""")
    pack = compile_text(text, "toy.yaml")
    events = [
        concern("2015-06-04T10:00:00+01:00", id="c-1"),
        concern("2015-06-05T10:00:00+01:00", id="c-2"),
    ]
    result = run(pack, events, "2015-06-09T12:00:00+01:00")
    # c-1 has no earlier concern; c-2 counts from c-1, Thu 4 June: Fri 5 (1), Mon 8 (2).
    o = only(result, "concern_reviewed_by_the_next")
    assert o.triggered_by == ("c-1", "c-2")
    assert (o.due, o.status) == (end_of("2015-06-08", TZ), "overdue")


def test_a_later_event_may_meet_it_and_it_can_be_overdue() -> None:
    text = toy(
        RULES.replace(
            "when: {event: strategy_meeting_held}", "when: {event: strategy_meeting_requested}"
        )
    )
    pack = compile_text(text, "toy.yaml")
    request = ev(
        "strategy_meeting_requested",
        "2015-06-08T10:00:00+01:00",
        id="r-1",
        requested_by_role="someone",
    )
    c = concern("2015-06-04T10:00:00+01:00")
    # Requested Mon 8 June; due from the concern, end of Tue 9 June (counted above).
    late = only(
        run(pack, [c, request, meeting("2015-06-10T09:00:00+01:00")], AS_OF),
        "meeting_within_three_days_of_concern",
    )
    assert (late.triggered_by, late.status, late.met_by) == (("c-1", "r-1"), "met_late", "m-1")
    missing = only(
        run(pack, [c, request], "2015-06-10T09:00:00+01:00"), "meeting_within_three_days_of_concern"
    )
    assert (missing.due, missing.status) == (end_of("2015-06-09", TZ), "overdue")
    # A late request does not restart the clock: still due from the concern.
    assert missing.triggered_at == c.at


TABLE_PACK = (
    toy(RULES.replace("due: {working_days: 3}", "due: {parameter: meeting_timescale}"))
    + """\
parameters:
  meeting_timescale:
    description: How soon, graded by the concern's risk (a local choice).
    basis: local_default
    default:
      table:
        hit_policy: first
        cases:
          - label: serious harm
            when: {field: serious_harm, is: true}
            within: {same_day: true}
          - label: otherwise
            within: {working_days: 3}
"""
)


def test_deadline_table_cases_test_the_earlier_event() -> None:
    pack = compile_text(TABLE_PACK, "toy.yaml")
    events = [
        concern("2015-06-04T10:00:00+01:00", serious_harm=True),
        meeting("2015-06-05T10:00:00+01:00"),
    ]
    result = run(pack, events, AS_OF)
    o = only(result, "meeting_within_three_days_of_concern")
    # The concern records serious harm: the same day, end of Thu 4 June; held Fri 5 June.
    assert (o.due_case, o.due, o.status) == ("serious harm", end_of("2015-06-04", TZ), "met_late")
    assert (o.basis, o.parameter) == ("local_default", "meeting_timescale")
    (finding,) = result.findings
    assert finding.severity == "should"  # a local default's breach is never a must
    assert "serious harm: the same day from the latest concern_identified; local default" in (
        finding.message
    )
    plain = run(
        pack, [concern("2015-06-04T10:00:00+01:00"), meeting("2015-06-05T10:00:00+01:00")], AS_OF
    )
    assert only(plain, "meeting_within_three_days_of_concern").due_case == "otherwise"


def test_explain_counts_from_the_earlier_event() -> None:
    events = [concern("2015-06-04T10:00:00+01:00"), meeting("2015-06-10T09:00:00+01:00")]
    o = only(run(PACK, events, AS_OF), "meeting_within_three_days_of_concern")
    text = explain(PACK, o, events).text()
    assert "the deadline counts from the latest earlier concern_identified" in text
    assert "clock from: c-1 concern_identified at 2015-06-04T10:00:00+01:00" in text
    assert "trigger: m-1 strategy_meeting_held" in text
    assert "2015-06-09" in text  # the steps end on Tue 9 June


def test_input_order_does_not_matter() -> None:
    events = [
        concern("2015-06-04T10:00:00+01:00", id="c-1"),
        meeting("2015-06-05T10:00:00+01:00", id="m-1"),
        concern("2015-06-15T10:00:00+01:00", id="c-2"),
        meeting("2015-06-22T10:00:00+01:00", id="m-2"),
    ]
    expected = run(PACK, events, AS_OF).to_json()
    shuffled = list(events)
    random.Random(7).shuffle(shuffled)
    assert run(PACK, shuffled, AS_OF).to_json() == expected
    data = json.loads(expected)
    # m-2 from c-2, Mon 15 June: Tue 16, Wed 17, Thu 18 -> due end of Thu 18; held Mon 22.
    assert [(o["met_by"], o["status"]) for o in data["obligations"]] == [
        ("m-1", "met"),
        ("m-2", "met_late"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "code", "needle"),
    [
        ("      due: {working_days: 3}\n", "", "invalid-value", "due_from"),
        (
            "due_from: {event: concern_identified}",
            "due_from: {event: concern_identifed}",
            "unknown-event-type",
            "concern_identified",
        ),
        (
            "due_from: {event: concern_identified}",
            "due_from: {event: concern_identified, where: {field: categry, is: neglect}}",
            "unknown-field",
            "category",
        ),
        (
            "due_from: {event: concern_identified}",
            "due_from: {event: concern_identified, where: {field: trigger.chair_role, is: someone}}",
            "trigger-out-of-place",
            "trigger.",
        ),
    ],
)
def test_a_bad_due_from_is_located(old: str, new: str, code: str, needle: str) -> None:
    text = toy(RULES.replace(old, new))
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "toy.yaml")
    (d,) = caught.value.diagnostics
    assert d.code == code
    assert needle in d.message
    assert d.line is not None and d.line > text.splitlines().index("rules:")


def test_a_child_with_a_date_only_record_is_judged_by_due_from_too() -> None:
    # The careful walk (date-only events, unknown values) counts due_from's deadline from
    # the earlier event, as the fast walk does (reader 4 M1; before, it claimed nothing).
    # Concern Thu 4 June 2015: Fri 5 (1), Mon 8 (2), Tue 9 (3) -> end of Tue 9 June; the
    # meeting on Fri 12 June (date only, any time that day) is late.
    events = [
        concern("2015-06-04T10:00:00+01:00"),
        ev_on("strategy_meeting_held", "2015-06-12", id="m-1", chair_role="someone"),
    ]
    result = run(PACK, events, AS_OF)
    o = only(result, "meeting_within_three_days_of_concern")
    assert (o.status, o.due, o.met_by) == ("met_late", end_of("2015-06-09", TZ), "m-1")
    assert o.triggered_at == events[0].at
    assert [f.kind for f in result.findings] == ["met_late"]


def test_the_careful_walk_reads_no_deadline_table_off_the_trigger_and_needs_an_earlier_event() -> (
    None
):
    # Once, a child with an unknown value walked carefully read the table's serious_harm
    # off the meeting (which has no such field) and crashed; and a meeting with no earlier
    # concern was given an obligation the fast path never gives.
    pack = compile_text(TABLE_PACK, "toy.yaml")
    unknown_chair = {"id": "m-1", "type": "strategy_meeting_held", "child_id": "child-1",
                     "at": "2015-06-05T10:00:00+01:00", "unknown": ["chair_role"]}  # fmt: skip
    events = [concern("2015-06-04T10:00:00+01:00", serious_harm=True),
              *parse_events([unknown_chair]).events]  # fmt: skip
    result = run(pack, events, AS_OF)
    o = only(result, "meeting_within_three_days_of_concern")
    # The table reads the concern's serious_harm: same day -> end of Thu 4 June 2015; the
    # meeting on Fri 5 June is late (reader 4 M1: the careful walk now counts due_from).
    assert (o.status, o.due, o.triggered_by) == (
        "met_late",
        end_of("2015-06-04", TZ),
        ("c-1", "m-1"),
    )
    assert o.due_case == "serious harm"
    assert [f.kind for f in result.findings] == ["met_late"]
    alone = run(pack, parse_events([unknown_chair]).events, AS_OF)
    assert obligations(alone, "meeting_within_three_days_of_concern") == []
    assert alone.findings == ()
