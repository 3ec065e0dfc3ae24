"""``due_from`` with ``named_by`` and ``otherwise: {earliest_since: ...}``: a trigger that
names its earlier event (a strategy meeting's ``concern_ref``) counts from it, one that
names none from the run (reader 4 M5 c, reader 7 M2; docs/pack-format.md).

Deadlines are counted by hand on the England calendar (Europe/London, BST +01:00 in June
2015; Mon 1 ... Fri 5, Mon 8 ... Fri 12, Mon 15 ... June are working days).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from helpers import end_of, ev, ev_on, obligations, only, run
from toy_england import AS_OF, TZ, concern, discussion, meeting, referral, toy

from safeguard_rules import BaseEvent, PackValidationError, evaluate, explain
from safeguard_rules._loading import compile_text

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


PACK = compile_text(toy(RULE), "toy.yaml")
RULE_ID = "meeting_within_three_days_of_incident"


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
    events = [
        ev_on("concern_identified", "2015-06-01", id="c-a", category="neglect"),
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


# --- a bound on the link: named_by {field, within} (reader 7 M2) ---------------------------
# Referral Mon 1 June 2015; 10 working days: Tue 2 (1) ... Mon 15 June (10) -> end of Mon 15.

BOUNDED_RULE = """\
  - id: discussion_within_one_day
    title: A concern's discussion within one working day
    citation: {source: src, quote: "must be held within one working day"}
    strength: must
    when: {event: concern_identified}
    require:
      action: hold_strategy_discussion
      responsible: someone
      due:
        table:
          hit_policy: first
          cases:
            - {label: one day, within: {working_days: 1}, counts_from: trigger}
      due_from:
        event: referral_received
        named_by: {field: referral_ref, within: {parameter: link_window}}
        otherwise: {latest_within: {same_day: true}}
      satisfied_by: {event: strategy_discussion_held}
"""

BOUND_PARAMETER = """\
parameters:
  link_window:
    description: How long after its referral a concern counts from it (a local choice).
    default: {working_days: 10}
    basis: local_default
"""


def bounded(rule: str = BOUNDED_RULE, parameter: str = BOUND_PARAMETER) -> str:
    return toy(rule).replace("rules:\n", parameter + "rules:\n", 1)


BOUNDED = compile_text(bounded(), "toy.yaml")


def linked(at: str, id: str = "c-1") -> BaseEvent:
    """A concern naming the referral r-1."""
    return concern(at, id, referral_ref="r-1")


def test_a_link_within_the_bound_counts_from_the_named_event_unlabelled() -> None:
    # Concern Mon 15 June, the window's last day: from the referral, so the discussion of
    # Tue 2 June meets its one working day (Tue 16 June).
    events = [
        referral("2015-06-01T09:00:00+01:00"),
        discussion("2015-06-02T10:00:00+01:00", "sd-1"),
        linked("2015-06-15T10:00:00+01:00"),
    ]
    result = run(BOUNDED, events, AS_OF)
    o = only(result, "discussion_within_one_day")
    assert (o.triggered_by, o.status, o.met_by) == (("r-1", "c-1"), "met", "sd-1")
    assert (o.basis, o.parameter) == ("source", None)
    assert o.due == end_of("2015-06-16", TZ)


def test_a_link_beyond_the_bound_is_set_aside_labelled_and_never_a_must() -> None:
    # Concern Tue 16 June, past the window: as one that names none (no referral earlier
    # that day), from itself: one working day -> end of Wed 17 June; the discussion of Tue
    # 2 June does not meet it; overdue, reported at should (the bound is a local default).
    events = [
        referral("2015-06-01T09:00:00+01:00"),
        discussion("2015-06-02T10:00:00+01:00", "sd-1"),
        linked("2015-06-16T10:00:00+01:00"),
    ]
    result = run(BOUNDED, events, AS_OF)
    o = only(result, "discussion_within_one_day")
    assert (o.triggered_by, o.status, o.met_by) == (("c-1",), "overdue", None)
    assert (o.strength, o.basis, o.parameter) == ("must", "local_default", "link_window")
    assert o.due == end_of("2015-06-17", TZ)
    assert o.due_basis == (
        "one day: 1 working day; the referral_received named in referral_ref set aside, the "
        "trigger falling more than 10 working days after it: local default (parameter "
        "link_window)"
    )
    (finding,) = result.findings
    assert (finding.kind, finding.severity, finding.basis) == ("overdue", "should", "local_default")
    text = explain(BOUNDED, o, events).text()
    assert (
        "as the referral_received the trigger names in referral_ref, r-1, is further back than "
        "10 working days (parameter link_window) (named_by's within set the link aside)"
    ) in text
    # A referral earlier that day is the otherwise's choice: counted from it (the same
    # label: the bound decided), and a discussion since it meets it.
    events += [
        referral("2015-06-16T08:00:00+01:00", "r-2"),
        discussion("2015-06-16T09:00:00+01:00", "sd-2"),
    ]
    o = only(run(BOUNDED, events, AS_OF), "discussion_within_one_day")
    assert (o.triggered_by, o.status, o.met_by, o.basis) == (
        ("r-2", "c-1"),
        "met",
        "sd-2",
        "local_default",
    )


def test_a_longer_bound_keeps_a_link_a_shorter_one_sets_aside() -> None:
    text = bounded().replace("default: {working_days: 10}", "default: {working_days: 20}")
    pack = compile_text(text, "toy.yaml")
    events = [
        referral("2015-06-01T09:00:00+01:00"),
        discussion("2015-06-02T10:00:00+01:00", "sd-1"),
        linked("2015-06-16T10:00:00+01:00"),
    ]
    o = only(run(pack, events, AS_OF), "discussion_within_one_day")
    assert (o.triggered_by, o.status, o.met_by) == (("r-1", "c-1"), "met", "sd-1")


@pytest.mark.parametrize(
    ("old", "new", "parameter", "code", "needles"),
    [
        (  # a parameter whose value is not a window
            "",
            "",
            BOUND_PARAMETER.replace("{working_days: 10}", "{months: 1}"),
            "named-by-window",
            ["parameter link_window", "'months'", "not a window after the named event"],
        ),
        (  # a literal that is not a window
            "within: {parameter: link_window}",
            "within: {office_hours: 4}",
            BOUND_PARAMETER,
            "invalid-value",
            ["a window after the named event", "'office_hours'"],
        ),
        (  # an unknown parameter
            "within: {parameter: link_window}",
            "within: {parameter: link_windo}",
            BOUND_PARAMETER,
            "unknown-parameter",
            ["'link_windo'", "link_window"],
        ),
        (  # the field is checked as named_by's
            "field: referral_ref",
            "field: referral",
            BOUND_PARAMETER,
            "named-by-not-a-reference",
            ["'referral' is not a reference field of 'concern_identified'"],
        ),
    ],
)
def test_a_bad_bound_is_located(
    old: str, new: str, parameter: str, code: str, needles: list[str]
) -> None:
    text = bounded(BOUNDED_RULE.replace(old, new), parameter)
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "toy.yaml")
    (d,) = [d for d in caught.value.diagnostics if d.code == code]
    for needle in needles:
        assert needle in d.message, d.message
    line = text.splitlines()[d.line - 1]
    expected = "months" if code == "named-by-window" else new.split(":")[0] or "within"
    assert expected in line, (line, d)


# --- the bound labels only what it decided (reader 9 M2) -----------------------------------
# Referral Mon 1 June 2015; the window ends with Mon 15 June (above). A concern on Tue 16
# June is past it; one working day from the concern: Wed 17 June (1) -> end of Wed 17 June.


def first_referral(careful: bool) -> BaseEvent:
    """The referral r-1 of Mon 1 June 2015: with only its date when ``careful`` (which
    sends the child to the careful walk), else at 09:00."""
    if careful:
        return ev_on("referral_received", "2015-06-01", id="r-1")
    return referral("2015-06-01T09:00:00+01:00")


@pytest.mark.parametrize("careful", [False, True])
def test_a_link_set_aside_that_decided_nothing_keeps_the_source_deadline_unlabelled(
    careful: bool,
) -> None:
    # No discussion between the referral and the concern: counted from the concern either
    # way, the one working day is the source's, so the breach stays a must, unlabelled. The
    # careful walk is taken when the referral has only its date.
    events = [first_referral(careful), linked("2015-06-16T10:00:00+01:00")]
    result = run(BOUNDED, events, AS_OF)
    o = only(result, "discussion_within_one_day")
    assert (o.triggered_by, o.status, o.met_by) == (("c-1",), "overdue", None)
    assert (o.strength, o.basis, o.parameter) == ("must", "source", None)
    assert o.due == end_of("2015-06-17", TZ)
    assert o.due_basis == "one day: 1 working day"
    assert [(f.kind, f.severity, f.basis) for f in result.findings] == [
        ("overdue", "must", "source")
    ]


@pytest.mark.parametrize("careful", [False, True])
def test_a_link_set_aside_with_an_act_before_the_concern_is_labelled_on_either_walk(
    careful: bool,
) -> None:
    # The discussion of Tue 2 June would have met it had the link stood: the bound decided
    # the outcome, so the obligation says so and its breach is a should.
    events = [
        first_referral(careful),
        discussion("2015-06-02T10:00:00+01:00", "sd-1"),
        linked("2015-06-16T10:00:00+01:00"),
    ]
    result = run(BOUNDED, events, AS_OF)
    o = only(result, "discussion_within_one_day")
    assert (o.status, o.basis, o.parameter) == ("overdue", "local_default", "link_window")
    assert [f.severity for f in result.findings] == ["should"]


def test_a_link_set_aside_whose_act_also_follows_the_clock_is_unlabelled() -> None:
    # The only discussion, Tue 16 June 09:00, follows the referral of that day (08:00), the
    # otherwise's clock: it meets the concern whether the link to r-1 stands or not.
    events = [
        referral("2015-06-01T09:00:00+01:00"),
        referral("2015-06-16T08:00:00+01:00", "r-2"),
        discussion("2015-06-16T09:00:00+01:00", "sd-2"),
        linked("2015-06-16T10:00:00+01:00"),
    ]
    o = only(run(BOUNDED, events, AS_OF), "discussion_within_one_day")
    assert (o.triggered_by, o.status, o.met_by) == (("r-2", "c-1"), "met", "sd-2")
    assert (o.basis, o.parameter) == ("source", None)


@pytest.mark.parametrize("careful", [False, True])
def test_a_link_set_aside_that_moved_the_clock_is_labelled_without_any_act(
    careful: bool,
) -> None:
    # A case counted from the clock (no counts_from): set aside, the same day runs from the
    # concern (end of Tue 16 June) instead of from the referral: the bound decided it. The
    # careful walk is taken when the referral has only its date.
    text = bounded(
        BOUNDED_RULE.replace(
            "{label: one day, within: {working_days: 1}, counts_from: trigger}",
            "{label: same day, within: {same_day: true}}",
        )
    )
    pack = compile_text(text, "toy.yaml")
    events = [first_referral(careful), linked("2015-06-16T10:00:00+01:00")]
    result = run(pack, events, AS_OF)
    o = only(result, "discussion_within_one_day")
    assert (o.triggered_by, o.status, o.due) == (("c-1",), "overdue", end_of("2015-06-16", TZ))
    assert (o.basis, o.parameter) == ("local_default", "link_window")
    assert [f.severity for f in result.findings] == ["should"]
