"""``due_from`` with ``named_by`` and ``otherwise: {earliest_since: ...}``: a trigger that
names its earlier event (a strategy meeting's ``concern_ref``) counts from it, one that
names none from the run (reader 4 M5 c, reader 7 M2; docs/pack-format.md).

Deadlines are counted by hand on the England calendar (Europe/London, BST +01:00 in June
2015; Mon 1 ... Fri 5, Mon 8 ... Fri 12, Mon 15 ... June are working days).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from helpers import end_of, ev, minimal_pack, obligations, only, recorded_false, run

from safeguard_rules import PackValidationError, evaluate, explain, parse_events
from safeguard_rules._loading import compile_text

TZ = "Europe/London"
AS_OF = "2015-07-31T12:00:00+01:00"

RULE = """\
  - id: meeting_within_three_days_of_incident
    title: Every strategy meeting is held within three working days of its incident
    citation: {source: src, quote: "all strategy meetings take place within three working days"}
    strength: should
    when: {event: strategy_meeting_held}
    require:
      action: hold_strategy_meeting
      responsible: someone
      due: {working_days: 3}
      due_from:
        event: concern_identified
        named_by: concern_ref
        otherwise:
          earliest_since: {event: strategy_meeting_held}
      satisfied_by: {event: strategy_meeting_held}
"""


def toy(rules: str) -> str:
    return minimal_pack("toy", "Toy", rules).replace(
        "  timezone: Europe/London\n",
        "  timezone: Europe/London\n  public_holidays: {country: GB, subdivision: ENG}\n",
    )


PACK = compile_text(toy(RULE), "toy.yaml")
RULE_ID = "meeting_within_three_days_of_incident"


def concern(at: str, id: str) -> object:
    return ev("concern_identified", at, id=id, **recorded_false({"category": "neglect"}))


def meeting(at: str, id: str, concern_ref: str | None = None) -> object:
    link = {} if concern_ref is None else {"concern_ref": concern_ref}
    return ev("strategy_meeting_held", at, id=id, chair_role="someone", **link)


def test_a_meeting_naming_a_concern_of_a_closed_run_is_timed_from_it() -> None:
    # Reader 4 M5 c. A Mon 1 June, B Wed 3 June, a meeting about A Thu 4 June, a meeting
    # about B Mon 15 June. m-1 from A: Tue 2 (1), Wed 3 (2), Thu 4 (3) -> end of Thu 4
    # June, met. m-2 from B: Thu 4 (1), Fri 5 (2), Mon 8 (3) -> end of Mon 8 June; held Mon
    # 15, late, and met by itself, not by m-1 (held after B, about A).
    events = [
        concern("2015-06-01T10:00:00+01:00", "c-a"),
        concern("2015-06-03T10:00:00+01:00", "c-b"),
        meeting("2015-06-04T10:00:00+01:00", "m-1", "c-a"),
        meeting("2015-06-15T10:00:00+01:00", "m-2", "c-b"),
    ]
    found = obligations(run(PACK, events, AS_OF), RULE_ID)
    assert [(o.triggered_by, o.due, o.status, o.met_by) for o in found] == [
        (("c-a", "m-1"), end_of("2015-06-04", TZ), "met", "m-1"),
        (("c-b", "m-2"), end_of("2015-06-08", TZ), "met_late", "m-2"),
    ]
    # Unlinked, the second meeting has no concern since the first: not timed (the residual
    # where the link is left out; a named meeting closes the run as any meeting does).
    events[3] = meeting("2015-06-15T10:00:00+01:00", "m-2")
    found = obligations(run(PACK, events, AS_OF), RULE_ID)
    assert [o.triggered_by for o in found] == [("c-a", "m-1")]


def test_a_meeting_naming_none_counts_from_the_run_and_one_naming_an_old_concern_from_it() -> None:
    # A Mon 1 June, a meeting about A Tue 2 June, B Mon 8 June, C Tue 9 June, m-2 Thu 11
    # June. Naming none: from B, the run's first (Tue 9 (1), Wed 10 (2), Thu 11 (3) -> end
    # of Thu 11 June), met. Naming C: from C (Wed 10, Thu 11, Fri 12 -> end of Fri 12 June).
    # Naming A, an older concern than the run's: from A (-> end of Thu 4 June), late, so
    # recording B and C cannot make a meeting about A timely (principle 3).
    base = [
        concern("2015-06-01T10:00:00+01:00", "c-a"),
        meeting("2015-06-02T10:00:00+01:00", "m-1", "c-a"),
        concern("2015-06-08T10:00:00+01:00", "c-b"),
        concern("2015-06-09T10:00:00+01:00", "c-c"),
    ]
    for named, start, due, status in (
        (None, "c-b", "2015-06-11", "met"),
        ("c-c", "c-c", "2015-06-12", "met"),
        ("c-a", "c-a", "2015-06-04", "met_late"),
    ):
        events = [*base, meeting("2015-06-11T10:00:00+01:00", "m-2", named)]
        o = obligations(run(PACK, events, AS_OF), RULE_ID)[-1]
        assert (o.triggered_by, o.due, o.status) == ((start, "m-2"), end_of(due, TZ), status)
        assert o.due_basis == (
            "3 working days from the concern_identified the trigger names in concern_ref, "
            "else the earliest concern_identified since the last strategy_meeting_held"
        )


def test_explain_says_which_clause_started_the_clock() -> None:
    events = [
        concern("2015-06-01T10:00:00+01:00", "c-a"),
        concern("2015-06-03T10:00:00+01:00", "c-b"),
        meeting("2015-06-04T10:00:00+01:00", "m-1", "c-b"),
    ]
    o = only(run(PACK, events, AS_OF), RULE_ID)
    assert o.triggered_by == ("c-b", "m-1")
    text = explain(PACK, o, events).text()
    assert "the concern_identified the trigger names in concern_ref (due_from named_by" in text
    assert "as the trigger names no" not in text
    assert "clock from: c-b concern_identified" in text
    events[2] = meeting("2015-06-04T10:00:00+01:00", "m-1")
    o = only(run(PACK, events, AS_OF), RULE_ID)
    assert o.triggered_by == ("c-a", "m-1")
    text = explain(PACK, o, events).text()
    assert (
        "the earliest concern_identified since the last strategy_meeting_held before the "
        "trigger, as the trigger names no concern_identified in concern_ref (due_from "
        "named_by's otherwise: earliest_since)"
    ) in text
    assert "clock from: c-a concern_identified" in text


def test_the_careful_walk_counts_a_named_meeting_as_the_fast_walk_does() -> None:
    # A date-only concern sends the child to the careful walk. As in the first test: the
    # meeting about B (Wed 3 June -> end of Mon 8 June) is met late by itself, not by the
    # meeting about A held in between.
    dated = parse_events(
        [
            {
                "id": "c-a",
                "type": "concern_identified",
                "child_id": "child-1",
                "on": "2015-06-01",
                "category": "neglect",
            }
        ]
    ).events[0]
    events = [
        dated,
        concern("2015-06-03T10:00:00+01:00", "c-b"),
        meeting("2015-06-04T10:00:00+01:00", "m-1", "c-a"),
        meeting("2015-06-15T10:00:00+01:00", "m-2", "c-b"),
    ]
    result = evaluate(PACK, events, datetime.fromisoformat(AS_OF))
    assert result.account.rejected == ()
    found = obligations(result, RULE_ID)
    assert [(o.triggered_by, o.due, o.status, o.met_by) for o in found] == [
        (("c-a", "m-1"), end_of("2015-06-04", TZ), "met", "m-1"),
        (("c-b", "m-2"), end_of("2015-06-08", TZ), "met_late", "m-2"),
    ]


def test_a_concern_ref_that_does_not_hold_rejects_the_event() -> None:
    events = [
        concern("2015-06-01T10:00:00+01:00", "c-a"),
        ev("referral_received", "2015-06-01T09:00:00+01:00", id="r-1"),
        meeting("2015-06-02T10:00:00+01:00", "m-1", "r-1"),
        meeting("2015-06-02T11:00:00+01:00", "m-2", "c-z"),
        ev(
            "strategy_discussion_held",
            "2015-05-29T10:00:00+01:00",
            id="sd-1",
            mode="telephone",
            concern_ref="c-a",
        ),
    ]
    result = evaluate(PACK, events, datetime.fromisoformat(AS_OF))
    assert sorted((r.event_id, r.reason) for r in result.account.rejected) == [
        ("m-1", "concern_ref 'r-1' names a referral_received event, not a concern_identified"),
        (
            "m-2",
            "concern_ref 'c-z' names no event of child 'child-1'; give the id of the "
            "concern_identified event it refers to, or leave concern_ref out",
        ),
        (
            "sd-1",
            "concern_ref 'c-a' names a concern_identified at 2015-06-01T10:00:00+01:00, after "
            "this event (2015-05-29T10:00:00+01:00); it refers to an earlier one",
        ),
    ]


@pytest.mark.parametrize(
    ("old", "new", "code", "needles"),
    [
        (  # both ways for a trigger that names none
            "          earliest_since: {event: strategy_meeting_held}\n",
            "          earliest_since: {event: strategy_meeting_held}\n"
            "          latest_within: {same_day: true}\n",
            "invalid-value",
            ["give one of 'latest_within'", "'earliest_since'"],
        ),
        (  # neither
            "          earliest_since: {event: strategy_meeting_held}\n",
            "          {}\n",
            "invalid-value",
            ["give one of 'latest_within'"],
        ),
        (  # an empty list of closing events
            "earliest_since: {event: strategy_meeting_held}",
            "earliest_since: []",
            "invalid-value",
            ["give at least one"],
        ),
        (  # a closing event type that does not exist, located under otherwise
            "earliest_since: {event: strategy_meeting_held}",
            "earliest_since: [{event: strategy_meeting_held}, {event: strategy_discusion_held}]",
            "unknown-event-type",
            ["did you mean 'strategy_discussion_held'"],
        ),
        (  # the meeting's concern_ref names a concern, not a referral
            "        event: concern_identified\n",
            "        event: referral_received\n",
            "named-by-not-a-reference",
            [
                "strategy_meeting_held.concern_ref names a concern_identified event, not a referral_received"
            ],
        ),
        (  # a field that is not a checked reference of the trigger
            "named_by: concern_ref",
            "named_by: chair",
            "named-by-not-a-reference",
            ["'chair' is not a reference field of 'strategy_meeting_held'", "concern_ref"],
        ),
    ],
)
def test_a_bad_named_run_is_located(old: str, new: str, code: str, needles: list[str]) -> None:
    assert old in RULE
    text = toy(RULE.replace(old, new))
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "toy.yaml")
    (d,) = [d for d in caught.value.diagnostics if d.code == code]
    for needle in needles:
        assert needle in d.message, d.message
    assert d.line is not None and d.line > text.splitlines().index("rules:")
    if code == "unknown-event-type":  # at the entry under otherwise.earliest_since
        assert "strategy_discusion_held" in text.splitlines()[d.line - 1]
