"""Which earlier event a ``due_from`` clock starts at: ``earliest_since`` and ``named_by``.

Principle 3: the clock starts where the source starts it, and a later record cannot restart
it. These tests hold both choices to hand-counted deadlines on the England calendar
(Europe/London; weekends and England bank holidays closed; BST, +01:00, all June 2015:
Mon 1, Tue 2, Wed 3, Thu 4, Fri 5, Mon 8 ... June are working days).
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime
from pathlib import Path

import pytest
from helpers import end_of, ev, ev_on, obligations, only, run
from toy_england import AS_OF, TZ, concern, discussion, meeting, referral, toy

from safeguard_rules import (
    BaseEvent,
    PackValidationError,
    evaluate,
    evaluate_stream,
    explain,
    load_events,
    merge_evaluations,
    parse_events,
)
from safeguard_rules._loading import compile_text
from safeguard_rules._pack_doc import render_pack_doc

MEETING_RULE = """\
  - id: meeting_within_three_days_of_incident
    title: Every strategy meeting is held within three working days of the incident
    citation: {source: src, quote: "all strategy meetings take place within three working days"}
    strength: must
    when: {event: strategy_meeting_held}
    require:
      action: hold_strategy_meeting
      responsible: someone
      due: {working_days: 3}
      due_from:
        event: concern_identified
        earliest_since: {event: strategy_meeting_held}
      satisfied_by: {event: strategy_meeting_held}
"""

REFERRAL_RULE = """\
  - id: discussion_same_day_as_referral
    title: A serious concern's discussion the day its referral was received
    citation: {source: src, quote: "held on the same day as the receipt of the referral"}
    strength: should
    when:
      event: concern_identified
      where: {field: serious_harm, is: true}
    require:
      action: hold_strategy_discussion
      responsible: someone
      due: {same_day: true}
      due_from: {event: referral_received, named_by: referral_ref}
      satisfied_by:
        - {event: strategy_discussion_held}
        - {event: strategy_meeting_held}
"""


MEETINGS = compile_text(toy(MEETING_RULE), "toy.yaml")
REFERRALS = compile_text(toy(REFERRAL_RULE), "toy.yaml")


# --- earliest_since ------------------------------------------------------------------------


def test_a_later_concern_does_not_restart_the_clock() -> None:
    events = [
        concern("2015-06-01T10:00:00+01:00", "c-1"),
        concern("2015-06-08T10:00:00+01:00", "c-2"),
        meeting("2015-06-10T10:00:00+01:00", "m-1"),
    ]
    result = run(MEETINGS, events, AS_OF)
    o = only(result, "meeting_within_three_days_of_incident")
    # From c-1, Mon 1 June: Tue 2 (1), Wed 3 (2), Thu 4 (3) -> end of Thu 4 June; held Wed 10.
    # (From c-2, Mon 8 June, it would be due Thu 11 June and on time.)
    assert o.triggered_by == ("c-1", "m-1")
    assert (o.due, o.status, o.met_by) == (end_of("2015-06-04", TZ), "met_late", "m-1")
    assert o.due_basis == (
        "3 working days from the earliest concern_identified since the last strategy_meeting_held"
    )
    (finding,) = result.findings
    assert "from the earliest concern_identified since the last" in finding.message


def test_a_meeting_closes_the_run_and_a_second_meeting_with_no_concern_since_is_not_timed() -> None:
    events = [
        concern("2015-06-01T10:00:00+01:00", "c-1"),
        meeting("2015-06-02T10:00:00+01:00", "m-1"),
        meeting("2015-06-09T10:00:00+01:00", "m-2"),
        concern("2015-06-10T10:00:00+01:00", "c-2"),
        concern("2015-06-12T10:00:00+01:00", "c-3"),
        meeting("2015-06-16T10:00:00+01:00", "m-3"),
    ]
    found = obligations(run(MEETINGS, events, AS_OF), "meeting_within_three_days_of_incident")
    # m-1 from c-1, Mon 1 June -> end of Thu 4 June, met. m-2: no concern since m-1, so
    # nothing to count from. m-3 from c-2, Wed 10 June: Thu 11 (1), Fri 12 (2), Mon 15 (3)
    # -> end of Mon 15 June; held Tue 16, late (from c-3, Fri 12, due Wed 17: on time).
    assert [(o.triggered_by, o.due, o.status) for o in found] == [
        (("c-1", "m-1"), end_of("2015-06-04", TZ), "met"),
        (("c-2", "m-3"), end_of("2015-06-15", TZ), "met_late"),
    ]


def test_earliest_since_honours_both_conditions() -> None:
    text = toy(
        MEETING_RULE.replace(
            "        event: concern_identified\n        earliest_since: {event: strategy_meeting_held}\n",
            "        event: concern_identified\n"
            "        where: {field: category, is: neglect}\n"
            "        earliest_since: {event: strategy_meeting_held, where: {field: chair_role, is: someone}}\n",
        )
    )
    pack = compile_text(text, "toy.yaml")
    events = [
        concern("2015-06-01T10:00:00+01:00", "c-0", category="other"),  # not counted
        concern("2015-06-02T10:00:00+01:00", "c-1"),
        ev("strategy_meeting_held", "2015-06-03T10:00:00+01:00", id="m-x", chair_role="other"),
        meeting("2015-06-08T10:00:00+01:00", "m-1"),
    ]
    # Pack roles: only 'someone'; a chair_role outside the pack is still a value to compare.
    found = obligations(run(pack, events, AS_OF), "meeting_within_three_days_of_incident")
    # m-x does not match the closing condition, so the run from c-1 stays open: m-x (from
    # c-1, Tue 2 June: Wed 3 (1), Thu 4 (2), Fri 5 (3) -> end of Fri 5 June) is met, and m-1,
    # Mon 8 June, also counts from c-1 and is late.
    # (Both count from c-1, so they are listed by obligation id: m-1 before m-x.)
    assert [(o.triggered_by, o.due, o.status) for o in found] == [
        (("c-1", "m-1"), end_of("2015-06-05", TZ), "met_late"),
        (("c-1", "m-x"), end_of("2015-06-05", TZ), "met"),
    ]


CLOSED_BY_A_DECISION = toy(
    MEETING_RULE.replace(
        "        earliest_since: {event: strategy_meeting_held}\n",
        "        earliest_since:\n"
        "          - {event: strategy_meeting_held}\n"
        "          - {event: strategy_discussion_held, where: {field: meeting_to_follow, is: false}}\n",
    )
)


def decided(at: str, id: str, meeting_to_follow: bool | None) -> BaseEvent:
    return discussion(at, id, meeting_to_follow=meeting_to_follow)


def test_any_of_several_closing_events_closes_the_run_each_with_its_condition() -> None:
    pack = compile_text(CLOSED_BY_A_DECISION, "toy.yaml")
    events = [
        # Run 1: c-1 is closed by a discussion that decided no meeting is needed.
        concern("2015-06-01T10:00:00+01:00", "c-1"),
        decided("2015-06-02T10:00:00+01:00", "sd-1", meeting_to_follow=False),
        concern("2015-06-08T10:00:00+01:00", "c-2"),
        meeting("2015-06-10T10:00:00+01:00", "m-1"),
        # Run 2 (after m-1): discussions deciding a meeting (true) or not saying (None)
        # close nothing, so the meeting counts from c-3.
        concern("2015-06-15T10:00:00+01:00", "c-3"),
        decided("2015-06-16T10:00:00+01:00", "sd-2", meeting_to_follow=True),
        decided("2015-06-17T10:00:00+01:00", "sd-3", meeting_to_follow=None),
        concern("2015-06-22T10:00:00+01:00", "c-4"),
        meeting("2015-06-23T10:00:00+01:00", "m-2"),
    ]
    found = obligations(run(pack, events, AS_OF), "meeting_within_three_days_of_incident")
    # m-1 from c-2, Mon 8 June (c-1's run closed by sd-1): Tue 9 (1), Wed 10 (2), Thu 11
    # (3) -> end of Thu 11 June; held Wed 10, met. (From c-1 it would be due Thu 4 June and
    # late: the single closing event gives that, below.)
    # m-2 from c-3, Mon 15 June (sd-2 and sd-3 do not close): Tue 16 (1), Wed 17 (2), Thu 18
    # (3) -> end of Thu 18 June; held Tue 23, late.
    assert [(o.triggered_by, o.due, o.status) for o in found] == [
        (("c-2", "m-1"), end_of("2015-06-11", TZ), "met"),
        (("c-3", "m-2"), end_of("2015-06-18", TZ), "met_late"),
    ]
    assert found[0].due_basis == (
        "3 working days from the earliest concern_identified since the last "
        "strategy_meeting_held or strategy_discussion_held"
    )
    text = explain(pack, found[1], events).text()
    assert (
        "the earliest concern_identified since the last strategy_meeting_held or "
        "strategy_discussion_held before the trigger"
    ) in text
    # The pack's generated document names every closing event with its condition.
    doc = render_pack_doc(pack)
    assert (
        "since the last strategy_meeting_held or strategy_discussion_held where "
        "meeting_to_follow is false before the trigger, `strategy_meeting_held`"
    ) in doc
    # With the meeting alone closing the run, m-1 counts from c-1 (Mon 1 June -> end of Thu
    # 4 June) and is late: the discussion is what made the difference.
    alone = obligations(run(MEETINGS, events, AS_OF), "meeting_within_three_days_of_incident")
    assert (alone[0].triggered_by, alone[0].due, alone[0].status) == (
        ("c-1", "m-1"),
        end_of("2015-06-04", TZ),
        "met_late",
    )


def dated_decision() -> list[BaseEvent]:
    """A concern c-1 (Mon 1 June) and a discussion sd-1 deciding that no meeting is to
    follow (Tue 2 June), with only their dates: their child takes the careful walk."""
    return [
        ev_on("concern_identified", "2015-06-01", id="c-1", category="neglect"),
        ev_on(
            "strategy_discussion_held",
            "2015-06-02",
            id="sd-1",
            mode="telephone",
            chair_role="someone",
            meeting_to_follow=False,
        ),
    ]


def test_the_careful_walk_closes_the_run_on_any_closing_event() -> None:
    # A child with date-only records takes the careful walk, which follows the same
    # closing events as the fast walk.
    pack = compile_text(CLOSED_BY_A_DECISION, "toy.yaml")
    events = [
        *dated_decision(),
        ev_on("concern_identified", "2015-06-08", id="c-2", category="neglect"),
        ev_on("strategy_meeting_held", "2015-06-10", id="m-1", chair_role="someone"),
    ]
    o = only(run(pack, events, AS_OF), "meeting_within_three_days_of_incident")
    # From c-2, Mon 8 June: Tue 9 (1), Wed 10 (2), Thu 11 (3) -> end of Thu 11 June; held
    # Wed 10: met. (Without sd-1 closing the run: from c-1, due Thu 4 June, late.)
    assert (o.triggered_by, o.due, o.status) == (("c-2", "m-1"), end_of("2015-06-11", TZ), "met")


PROVISIONAL = CLOSED_BY_A_DECISION.replace(
    "where: {field: meeting_to_follow, is: false}}",
    "where: {field: meeting_to_follow, is: false}, provisional: true}",
)


def test_a_provisional_close_still_times_a_trigger_with_nothing_since_from_the_run_it_closed() -> (
    None
):
    pack = compile_text(PROVISIONAL, "toy.yaml")
    events = [
        # A decision that no meeting is needed, then a meeting after all, with no concern since.
        concern("2015-06-01T10:00:00+01:00", "c-1"),
        decided("2015-06-02T10:00:00+01:00", "sd-1", meeting_to_follow=False),
        meeting("2015-06-08T10:00:00+01:00", "m-1"),
        # A concern after the decision starts a new run, as with a plain close.
        concern("2015-06-15T10:00:00+01:00", "c-2"),
        decided("2015-06-16T10:00:00+01:00", "sd-2", meeting_to_follow=False),
        concern("2015-06-22T10:00:00+01:00", "c-3"),
        meeting("2015-06-23T10:00:00+01:00", "m-2"),
        # A meeting closes for good: a second meeting with nothing since is not timed.
        meeting("2015-06-24T10:00:00+01:00", "m-3"),
        # Two decisions in a row keep the run the first one closed.
        concern("2015-06-29T10:00:00+01:00", "c-4"),
        decided("2015-06-30T10:00:00+01:00", "sd-4", meeting_to_follow=False),
        decided("2015-07-01T10:00:00+01:00", "sd-5", meeting_to_follow=False),
        meeting("2015-07-03T10:00:00+01:00", "m-4"),
    ]
    found = obligations(run(pack, events, AS_OF), "meeting_within_three_days_of_incident")
    # m-1 from c-1, Mon 1 June: Tue 2 (1), Wed 3 (2), Thu 4 (3) -> end of Thu 4 June; held
    # Mon 8 June, late.
    # m-2 from c-3, Mon 22 June (c-2's run ended by sd-2, and c-3 started the next): Tue 23
    # (1), Wed 24 (2), Thu 25 (3) -> end of Thu 25 June; held Tue 23, met.
    # m-3: nothing since m-2, not timed.
    # m-4 from c-4, Mon 29 June: Tue 30 (1), Wed 1 July (2), Thu 2 (3) -> end of Thu 2 July;
    # held Fri 3 July, late.
    assert [(o.triggered_by, o.due, o.status) for o in found] == [
        (("c-1", "m-1"), end_of("2015-06-04", TZ), "met_late"),
        (("c-3", "m-2"), end_of("2015-06-25", TZ), "met"),
        (("c-4", "m-4"), end_of("2015-07-02", TZ), "met_late"),
    ]
    assert found[0].due_basis == (
        "3 working days from the earliest concern_identified since the last "
        "strategy_meeting_held or strategy_discussion_held; a strategy_discussion_held "
        "closes the run only for a later concern_identified"
    )
    assert "closes the run only for a later concern_identified" in render_pack_doc(pack)
    assert (
        "closes the run only for a later concern_identified"
        in explain(pack, found[0], events).text()
    )
    # With the plain close, m-1 and m-4 have nothing to count from and are not timed: a
    # record made after the incident removed the lateness.
    plain = obligations(
        run(compile_text(CLOSED_BY_A_DECISION, "toy.yaml"), events, AS_OF),
        "meeting_within_three_days_of_incident",
    )
    assert [o.triggered_by for o in plain] == [("c-3", "m-2")]


def test_the_careful_walk_keeps_a_provisionally_closed_run() -> None:
    pack = compile_text(PROVISIONAL, "toy.yaml")
    events = [
        *dated_decision(),
        ev_on("strategy_meeting_held", "2015-06-08", id="m-1", chair_role="someone"),
    ]
    o = only(run(pack, events, AS_OF), "meeting_within_three_days_of_incident")
    # From c-1, Mon 1 June -> end of Thu 4 June (counted above); held Mon 8 June, late.
    assert (o.triggered_by, o.due, o.status) == (
        ("c-1", "m-1"),
        end_of("2015-06-04", TZ),
        "met_late",
    )


def test_explain_names_the_clock_event_and_the_rule_that_chose_it() -> None:
    events = [
        concern("2015-06-01T10:00:00+01:00", "c-1"),
        concern("2015-06-08T10:00:00+01:00", "c-2"),
        meeting("2015-06-10T10:00:00+01:00", "m-1"),
    ]
    o = only(run(MEETINGS, events, AS_OF), "meeting_within_three_days_of_incident")
    text = explain(MEETINGS, o, events).text()
    assert "the earliest concern_identified since the last strategy_meeting_held" in text
    assert "a later concern_identified cannot restart it" in text
    assert "clock from: c-1 concern_identified at 2015-06-01T10:00:00+01:00" in text


# --- named_by ------------------------------------------------------------------------------


def test_the_clock_starts_at_the_named_referral_and_a_discussion_before_the_concern_meets_it() -> (
    None
):
    events = [
        referral("2015-06-08T09:00:00+01:00", "r-1"),
        discussion("2015-06-08T15:00:00+01:00", "sd-1"),
        concern("2015-06-08T16:00:00+01:00", "c-1", serious_harm=True, referral_ref="r-1"),
    ]
    result = run(REFERRALS, events, AS_OF)
    o = only(result, "discussion_same_day_as_referral")
    # Referral Mon 8 June, the same day -> end of Mon 8 June; the discussion at 15:00 came
    # after the referral (before the concern was recorded) and meets it.
    assert o.triggered_by == ("r-1", "c-1")
    assert (o.due, o.status, o.met_by) == (end_of("2015-06-08", TZ), "met", "sd-1")
    assert (
        o.due_basis == "the same day from the referral_received the trigger names in referral_ref"
    )
    assert result.findings == ()
    text = explain(REFERRALS, o, events).text()
    assert "the referral_received the trigger names in referral_ref" in text
    assert "clock from: r-1 referral_received" in text
    assert "met by: sd-1 strategy_discussion_held" in text


def test_a_discussion_before_the_referral_does_not_meet_it() -> None:
    events = [
        discussion("2015-06-08T08:00:00+01:00", "sd-0"),
        referral("2015-06-08T09:00:00+01:00", "r-1"),
        concern("2015-06-09T10:00:00+01:00", "c-1", serious_harm=True, referral_ref="r-1"),
        discussion("2015-06-09T11:00:00+01:00", "sd-1"),
    ]
    o = only(run(REFERRALS, events, AS_OF), "discussion_same_day_as_referral")
    # Due end of Mon 8 June (the referral's day); sd-0 came before the referral; sd-1 on
    # Tue 9 June is late.
    assert (o.due, o.status, o.met_by) == (end_of("2015-06-08", TZ), "met_late", "sd-1")


def test_the_named_referral_not_the_latest_one_starts_the_clock() -> None:
    events = [
        referral("2015-06-01T09:00:00+01:00", "r-1"),
        referral("2015-06-03T09:00:00+01:00", "r-2"),
        concern("2015-06-03T10:00:00+01:00", "c-1", serious_harm=True, referral_ref="r-1"),
        discussion("2015-06-03T11:00:00+01:00", "sd-1"),
    ]
    o = only(run(REFERRALS, events, AS_OF), "discussion_same_day_as_referral")
    # r-1, Mon 1 June -> end of Mon 1 June; held Wed 3: late (from r-2 it would be met).
    assert o.triggered_by == ("r-1", "c-1")
    assert (o.due, o.status) == (end_of("2015-06-01", TZ), "met_late")


def test_a_concern_that_names_no_referral_owes_nothing_under_named_by() -> None:
    events = [
        referral("2015-01-05T10:00:00+00:00", "r-1"),
        concern("2015-05-07T10:00:00+01:00", "c-1", serious_harm=True),
        discussion("2015-05-07T15:00:00+01:00", "sd-1"),
    ]
    assert run(REFERRALS, events, AS_OF).obligations == ()


def test_a_named_referral_outside_due_from_where_gives_no_obligation() -> None:
    text = toy(
        REFERRAL_RULE.replace(
            "due_from: {event: referral_received, named_by: referral_ref}",
            "due_from: {event: referral_received, named_by: referral_ref, "
            "where: {field: referral_source, is: school}}",
        )
    )
    pack = compile_text(text, "toy.yaml")
    school = ev(
        "referral_received", "2015-06-01T09:00:00+01:00", id="r-1", referral_source="school"
    )
    police = ev(
        "referral_received", "2015-06-02T09:00:00+01:00", id="r-2", referral_source="police"
    )
    events = [
        school,
        police,
        concern("2015-06-02T10:00:00+01:00", "c-1", serious_harm=True, referral_ref="r-1"),
        concern("2015-06-02T11:00:00+01:00", "c-2", serious_harm=True, referral_ref="r-2"),
    ]
    found = obligations(run(pack, events, AS_OF), "discussion_same_day_as_referral")
    # Only c-1's referral is from a school: due end of Mon 1 June, nothing held -> overdue.
    assert [(o.triggered_by, o.due, o.status) for o in found] == [
        (("r-1", "c-1"), end_of("2015-06-01", TZ), "overdue")
    ]


def test_an_act_since_the_clock_meets_a_rule_fired_on_something_else() -> None:
    # due_from latest, fired on the request: a meeting between the concern and the request
    # is an act since the clock's event, so it meets the request's obligation.
    text = toy(
        MEETING_RULE.replace(
            "when: {event: strategy_meeting_held}", "when: {event: strategy_meeting_requested}"
        ).replace(
            "        event: concern_identified\n        earliest_since: {event: strategy_meeting_held}\n",
            "        event: concern_identified\n",
        )
    )
    pack = compile_text(text, "toy.yaml")
    events = [
        concern("2015-06-01T10:00:00+01:00", "c-1"),
        meeting("2015-06-02T10:00:00+01:00", "m-1"),
        ev(
            "strategy_meeting_requested",
            "2015-06-03T10:00:00+01:00",
            id="q-1",
            requested_by_role="someone",
        ),
    ]
    o = only(run(pack, events, AS_OF), "meeting_within_three_days_of_incident")
    # From c-1, Mon 1 June -> end of Thu 4 June; m-1 on Tue 2 June meets it.
    assert (o.triggered_by, o.due, o.status, o.met_by) == (
        ("c-1", "q-1"),
        end_of("2015-06-04", TZ),
        "met",
        "m-1",
    )


def test_input_order_does_not_matter() -> None:
    events = [
        referral("2015-06-08T09:00:00+01:00", "r-1"),
        discussion("2015-06-08T15:00:00+01:00", "sd-1"),
        concern("2015-06-08T16:00:00+01:00", "c-1", serious_harm=True, referral_ref="r-1"),
        referral("2015-06-10T09:00:00+01:00", "r-2"),
        concern("2015-06-11T09:00:00+01:00", "c-2", serious_harm=True, referral_ref="r-2"),
        discussion("2015-06-11T10:00:00+01:00", "sd-2"),
    ]
    expected = run(REFERRALS, events, AS_OF).to_json()
    shuffled = list(events)
    random.Random(3).shuffle(shuffled)
    assert run(REFERRALS, shuffled, AS_OF).to_json() == expected
    data = json.loads(expected)
    # c-1 from r-1 (Mon 8 June), met by sd-1; c-2 from r-2 (Wed 10 June), sd-2 on Thu 11 late.
    assert [(o["met_by"], o["status"]) for o in data["obligations"]] == [
        ("sd-1", "met"),
        ("sd-2", "met_late"),
    ]


# --- the link is checked -------------------------------------------------------------------


def _record(event: object) -> dict[str, object]:
    return json.loads(event.model_dump_json(exclude_none=True))  # type: ignore[attr-defined]


def test_a_link_that_does_not_hold_rejects_the_event_with_a_located_message(tmp_path: Path) -> None:
    events = [
        referral("2015-06-08T09:00:00+01:00", "r-1"),
        referral("2015-06-08T09:00:00+01:00", "r-other", child="child-2"),
        discussion("2015-06-08T10:00:00+01:00", "sd-1"),
        concern("2015-06-08T11:00:00+01:00", "c-missing", serious_harm=True, referral_ref="r-9"),
        concern("2015-06-08T11:00:00+01:00", "c-other", serious_harm=True, referral_ref="r-other"),
        concern("2015-06-08T11:00:00+01:00", "c-type", serious_harm=True, referral_ref="sd-1"),
        concern("2015-06-08T11:00:00+01:00", "c-late", serious_harm=True, referral_ref="r-late"),
        referral("2015-06-09T09:00:00+01:00", "r-late"),
        concern("2015-06-08T12:00:00+01:00", "c-ok", serious_harm=True, referral_ref="r-1"),
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(_record(e)) + "\n" for e in events), encoding="utf-8")
    result = evaluate(REFERRALS, load_events(path), datetime.fromisoformat(AS_OF))
    rejected = {r.event_id: (r.where, r.reason) for r in result.account.rejected}
    assert set(rejected) == {"c-missing", "c-other", "c-type", "c-late"}
    # Each is named by its file and line (the 4th, 6th and 7th lines).
    assert rejected["c-missing"] == (
        f"{path}:4",
        "referral_ref 'r-9' names no event of child 'child-1'; give the id of the "
        "referral_received event it refers to, or leave referral_ref out",
    )
    assert rejected["c-other"][1].startswith("referral_ref 'r-other' names no event of child")
    assert rejected["c-type"] == (
        f"{path}:6",
        "referral_ref 'sd-1' names a strategy_discussion_held event, not a referral_received",
    )
    assert rejected["c-late"][0] == f"{path}:7"
    assert (
        "names a referral_received at 2015-06-09T09:00:00+01:00, after this event"
        in (rejected["c-late"][1])
    )
    # Everything else is evaluated: c-ok counts from r-1 and sd-1 meets it.
    assert result.account.received == len(events)
    assert result.account.evaluated == len(events) - 4
    (o,) = result.obligations
    assert (o.rule, o.triggered_by, o.status, o.met_by) == (
        "discussion_same_day_as_referral",
        ("r-1", "c-ok"),
        "met",
        "sd-1",
    )


def test_streaming_checks_links_as_the_batch_does() -> None:
    events = [
        referral("2015-06-08T09:00:00+01:00", "r-1"),
        concern("2015-06-08T11:00:00+01:00", "c-missing", serious_harm=True, referral_ref="r-9"),
        concern("2015-06-08T12:00:00+01:00", "c-ok", serious_harm=True, referral_ref="r-1"),
    ]
    as_of = datetime.fromisoformat(AS_OF)
    batch = evaluate(REFERRALS, events, as_of)
    streamed = merge_evaluations(list(evaluate_stream(REFERRALS, events, as_of)))
    assert streamed.to_json() == batch.to_json()
    assert [r.event_id for r in batch.account.rejected] == ["c-missing"]
    assert [o.triggered_by for o in batch.obligations] == [("r-1", "c-ok")]


# --- the pack says which event, and says it right ------------------------------------------


@pytest.mark.parametrize(
    ("rules", "old", "new", "code", "needles"),
    [
        (
            REFERRAL_RULE,
            "named_by: referral_ref",
            "named_by: referal_ref",
            "named-by-not-a-reference",
            ["'referal_ref'", "did you mean 'referral_ref'"],
        ),
        (
            REFERRAL_RULE,
            "event: referral_received, named_by",
            "event: referral_made, named_by",
            "named-by-not-a-reference",
            ["names a referral_received event, not a referral_made"],
        ),
        (
            REFERRAL_RULE,
            "event: concern_identified\n      where: {field: serious_harm, is: true}",
            "event: strategy_meeting_requested",
            "named-by-not-a-reference",
            ["its reference fields: none"],
        ),
        (
            MEETING_RULE,
            "earliest_since: {event: strategy_meeting_held}",
            "earliest_since: {event: strategy_meeting_hold}",
            "unknown-event-type",
            ["did you mean 'strategy_meeting_held'"],
        ),
        (
            MEETING_RULE,
            "earliest_since: {event: strategy_meeting_held}",
            "earliest_since: {event: strategy_meeting_held, where: {field: chair_rol, is: someone}}",
            "unknown-field",
            ["chair_role"],
        ),
        (
            MEETING_RULE,
            "earliest_since: {event: strategy_meeting_held}",
            "earliest_since: [{event: strategy_meeting_held}, "
            "{event: strategy_discussion_held, where: {field: meeting_to_folow, is: false}}]",
            "unknown-field",
            ["meeting_to_follow"],
        ),
        (
            MEETING_RULE,
            "earliest_since: {event: strategy_meeting_held}",
            "earliest_since: [{event: strategy_meeting_held}, {event: strategy_discusion_held}]",
            "unknown-event-type",
            ["did you mean 'strategy_discussion_held'"],
        ),
        (
            MEETING_RULE,
            "earliest_since: {event: strategy_meeting_held}",
            "earliest_since: []",
            "invalid-value",
            ["give at least one"],
        ),
        (
            MEETING_RULE,
            "earliest_since: {event: strategy_meeting_held}",
            "earliest_since: {event: strategy_meeting_held}\n        named_by: referral_ref",
            "invalid-value",
            ["give one of them"],
        ),
    ],
)
def test_a_bad_choice_of_earlier_event_is_located(
    rules: str, old: str, new: str, code: str, needles: list[str]
) -> None:
    assert old in rules
    text = toy(rules.replace(old, new))
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "toy.yaml")
    (d,) = caught.value.diagnostics
    assert d.code == code, d
    for needle in needles:
        assert needle in d.message, d.message
    assert d.line is not None and d.line > text.splitlines().index("rules:")


# --- date-only records (docs/deadlines.md) ------------------------------------------------


def test_a_date_only_link_is_checked_by_local_date() -> None:
    events = [
        ev_on("referral_received", "2015-06-08", id="r-1"),
        ev_on("referral_received", "2015-06-10", id="r-2"),
        # Same day as r-1, times unknown: not known to be after, so the link holds.
        ev_on("concern_identified", "2015-06-08", id="c-1", category="neglect", referral_ref="r-1"),
        # r-2 is two days after this concern: the link cannot hold.
        ev_on("concern_identified", "2015-06-08", id="c-2", category="neglect", referral_ref="r-2"),
    ]
    result = evaluate(REFERRALS, events, datetime.fromisoformat(AS_OF))
    assert [(r.event_id, r.reason) for r in result.account.rejected] == [
        (
            "c-2",
            "referral_ref 'r-2' names a referral_received at 2015-06-10 (date only), after "
            "this event (2015-06-08 (date only)); it refers to an earlier one",
        ),
    ]


def test_the_careful_walk_counts_a_named_clock() -> None:
    # A child with a date-only record takes the careful walk, which counts a due_from
    # deadline from the earlier event as the fast walk does (reader 4 M1). Referral Mon 8
    # June 2015 (date only), serious concern Tue 9 June naming it: the same day -> end of
    # Mon 8 June; no discussion by 31 July: overdue.
    events = [
        ev_on("referral_received", "2015-06-08", id="r-1"),
        ev(
            "concern_identified",
            "2015-06-09T10:00:00+01:00",
            id="c-1",
            category="neglect",
            serious_harm=True,
            referral_ref="r-1",
        ),
    ]
    result = evaluate(REFERRALS, events, datetime.fromisoformat(AS_OF))
    assert result.account.rejected == ()
    (o,) = result.obligations
    assert (o.triggered_by, o.status, o.due) == (
        ("r-1", "c-1"),
        "overdue",
        end_of("2015-06-08", TZ),
    )
    assert (o.triggered_at, o.triggered_on) == (None, date(2015, 6, 8))
    assert [f.kind for f in result.findings] == ["overdue"]
    # A discussion on the referral's date (date only: its order against the referral is
    # not known, and the walk takes the day's acts to follow) meets it.
    met = evaluate(
        REFERRALS,
        [
            *events,
            ev_on(
                "strategy_discussion_held",
                "2015-06-08",
                id="sd-1",
                mode="telephone",
                chair_role="someone",
            ),
        ],
        datetime.fromisoformat(AS_OF),
    )
    (o,) = met.obligations
    assert (o.status, o.met_by) == ("met", "sd-1")
    # The concern names no referral: nothing to count from, on either walk.
    plain = [
        ev_on("referral_received", "2015-06-08", id="r-1"),
        ev(
            "concern_identified",
            "2015-06-09T10:00:00+01:00",
            id="c-1",
            category="neglect",
            serious_harm=True,
        ),
    ]
    assert evaluate(REFERRALS, plain, datetime.fromisoformat(AS_OF)).obligations == ()


# --- named_by with otherwise: a concern that names no referral ---------------------------
# Principle 3: leaving the link out must not start the clock later than recording it would.
# June 2015: Mon 1 ... Fri 5, Mon 8 ... Fri 12 are working days (no bank holiday).

TABLE_RULE = """\
  - id: discussion_in_time
    title: A concern's discussion in time, from its referral where it came by one
    citation: {source: src, quote: "same day as the receipt of the referral; otherwise three working days"}
    strength: should
    when: {event: concern_identified}
    require:
      action: hold_strategy_discussion
      responsible: someone
      due:
        table:
          hit_policy: first
          cases:
            - label: serious
              when: {field: trigger.serious_harm, is: true}
              within: {same_day: true}
            - label: otherwise
              within: {working_days: 3}
      due_from:
        event: referral_received
        named_by: referral_ref
        otherwise: {latest_within: {working_days: 5}}
      satisfied_by:
        - {event: strategy_discussion_held}
        - {event: strategy_meeting_held}
"""

TABLES = compile_text(toy(TABLE_RULE), "toy.yaml")


def test_an_unlinked_concern_counts_from_the_latest_recent_referral() -> None:
    # The reader's example: referral Mon 1 June; the serious concern recorded Wed 3 June
    # without its link; discussion Wed 3 June. From the referral: same day -> end of Mon 1
    # June, so the discussion is late, as it is with the link recorded.
    for link in ({}, {"referral_ref": "r-1"}):
        events = [
            referral("2015-06-01T10:00:00+01:00", "r-1"),
            concern("2015-06-03T10:00:00+01:00", "c-1", serious_harm=True, **link),
            discussion("2015-06-03T15:00:00+01:00", "sd-1"),
        ]
        result = run(TABLES, events, AS_OF)
        o = only(result, "discussion_in_time")
        assert o.triggered_by == ("r-1", "c-1")
        assert (o.due, o.status, o.met_by) == (end_of("2015-06-01", TZ), "met_late", "sd-1")
        assert len(result.findings) == 1
    assert o.due_basis == (
        "serious: the same day from the referral_received the trigger names in referral_ref, "
        "else the latest referral_received within 5 working days before it, else the trigger"
    )


def test_an_unlinked_concern_with_no_referral_counts_from_itself() -> None:
    events = [
        concern("2015-06-03T10:00:00+01:00", "c-1"),
        discussion("2015-06-09T15:00:00+01:00", "sd-1"),
    ]
    result = run(TABLES, events, AS_OF)
    o = only(result, "discussion_in_time")
    # No referral: from the concern, Wed 3 June: Thu 4 (1), Fri 5 (2), Mon 8 (3) -> end of
    # Mon 8 June; held Tue 9: late.
    assert o.triggered_by == ("c-1",)
    assert (o.due, o.status) == (end_of("2015-06-08", TZ), "met_late")
    # Counted from itself, its deadline text says no more than a rule without due_from.
    assert o.due_basis == "otherwise: 3 working days"


def test_an_old_referral_does_not_time_a_concern_arising_later_in_an_open_case() -> None:
    # Reader 2 M1: a referral long before must not make a same-day discussion months late.
    # Referral Mon 1 June; window 5 working days: Tue 2 ... Mon 8 (5) -> end of Mon 8 June.
    # A concern on Tue 9 June is outside it and counts from itself.
    events = [
        referral("2015-06-01T10:00:00+01:00", "r-1"),
        concern("2015-06-09T10:00:00+01:00", "c-1", serious_harm=True),
        discussion("2015-06-09T15:00:00+01:00", "sd-1"),
    ]
    o = only(run(TABLES, events, AS_OF), "discussion_in_time")
    assert o.triggered_by == ("c-1",)
    assert (o.due, o.status) == (end_of("2015-06-09", TZ), "met")
    # On Mon 8 June, the window's last day, it counts from the referral (same day: Mon 1).
    events[1] = concern("2015-06-08T10:00:00+01:00", "c-1", serious_harm=True)
    o = only(run(TABLES, events, AS_OF), "discussion_in_time")
    assert (o.triggered_by, o.due) == (("r-1", "c-1"), end_of("2015-06-01", TZ))


def test_the_table_tests_the_trigger_not_the_referral() -> None:
    # 'trigger.serious_harm' is the concern's flag: a concern without it, linked to the
    # referral of Mon 1 June, has 3 working days: Tue 2, Wed 3, Thu 4 -> end of Thu 4 June.
    events = [
        referral("2015-06-01T10:00:00+01:00", "r-1"),
        concern("2015-06-01T11:00:00+01:00", "c-1", referral_ref="r-1"),
        discussion("2015-06-04T15:00:00+01:00", "sd-1"),
    ]
    o = only(run(TABLES, events, AS_OF), "discussion_in_time")
    assert (o.due, o.status, o.due_basis.split(" from ")[0]) == (
        end_of("2015-06-04", TZ),
        "met",
        "otherwise: 3 working days",
    )


def test_an_unknown_flag_on_an_unlinked_concern_keeps_the_outer_bound() -> None:
    # No referral: the clock is the concern itself, which the careful walk counts. serious_harm
    # unknown: same day (end of Wed 3 June) or 3 working days (end of Mon 8 June); with no
    # discussion by 31 July, overdue either way.
    events = parse_events(
        [
            {
                "id": "c-1",
                "type": "concern_identified",
                "child_id": "child-1",
                "at": "2015-06-03T10:00:00+01:00",
                "category": "neglect",
                "unknown": ["serious_harm"],
            }
        ]
    ).events
    result = evaluate(TABLES, list(events), datetime.fromisoformat(AS_OF))
    (o,) = result.obligations
    assert o.status == "overdue"
    assert len(result.findings) == 1


@pytest.mark.parametrize(
    ("old", "new", "code", "needles"),
    [
        (
            "        named_by: referral_ref\n",
            "",
            "invalid-value",
            ["'otherwise'", "needs 'named_by'"],
        ),
        (
            "latest_within: {working_days: 5}",
            "latest_within: {months: 1}",
            "invalid-value",
            ["a window before the trigger", "'months'"],
        ),
        (
            "latest_within: {working_days: 5}",
            "latest_witin: {working_days: 5}",
            "unknown-key",
            ["latest_witin"],
        ),
        (
            "trigger.serious_harm",
            "trigger.serius_harm",
            "unknown-field",
            ["serious_harm"],
        ),
    ],
)
def test_a_bad_otherwise_is_located(old: str, new: str, code: str, needles: list[str]) -> None:
    assert old in TABLE_RULE
    text = toy(TABLE_RULE.replace(old, new))
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "toy.yaml")
    # A misspelt key also reports the required one as missing: the one asked about is there.
    (d,) = [d for d in caught.value.diagnostics if d.code == code]
    for needle in needles:
        assert needle in d.message, d.message
    assert d.line is not None and d.line > text.splitlines().index("rules:")


def test_trigger_fields_in_a_table_without_due_from_are_out_of_place() -> None:
    text = toy(
        TABLE_RULE.replace(
            "      due_from:\n        event: referral_received\n        named_by: referral_ref\n"
            "        otherwise: {latest_within: {working_days: 5}}\n",
            "",
        )
    )
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "toy.yaml")
    (d,) = caught.value.diagnostics
    assert d.code == "trigger-out-of-place"
    assert "deadline-table cases of a rule with 'due_from'" in d.message
