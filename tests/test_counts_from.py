"""A deadline-table case that counts from the trigger under ``due_from`` (``counts_from:
trigger``), and the two-valued ``recorded`` condition.

Principle 3: each clock starts where its own sentence starts it. "Within three working days
of child protection concerns being identified" counts from the concern; "the same day as the
receipt of the referral" from the referral; a discussion held since the referral meets
either. Deadlines are counted by hand on the England calendar (Europe/London, BST +01:00 all
June 2015, no bank holiday in June 2015: Mon 1, Tue 2, Wed 3, Thu 4, Fri 5, Mon 8 ... are
working days).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from helpers import end_of, ev, ev_on, minimal_pack, obligations, only, recorded_false, run
from toy_england import TZ, discussion, referral
from toy_england import concern as toy_concern

from safeguard_rules import PackValidationError
from safeguard_rules._events import BaseEvent
from safeguard_rules._loading import compile_text
from safeguard_rules._pack_doc import render_pack_doc
from safeguard_rules._wording import describe_condition, describe_due

AS_OF = "2015-06-30T12:00:00+01:00"
RULE = "discussion_in_time"


def timing_rule(otherwise_counts_from: str = "counts_from: trigger") -> str:
    return f"""\
  - id: {RULE}
    title: A strategy discussion in time
    citation: {{source: src, quote: "within three working days of concerns being identified"}}
    strength: should
    when: {{event: concern_identified}}
    require:
      action: hold_strategy_discussion
      responsible: someone
      due:
        table:
          hit_policy: first
          cases:
            - label: serious
              when: {{field: trigger.serious_harm, is: true}}
              within: {{same_day: true}}
            - label: otherwise
              within: {{working_days: 3}}
              {otherwise_counts_from}
      due_from:
        event: referral_received
        named_by: referral_ref
        otherwise: {{latest_within: {{same_day: true}}}}
      satisfied_by: {{event: strategy_discussion_held}}
"""


PACK = compile_text(minimal_pack("toy", "Toy", timing_rule()), "toy.yaml")
# The same table with every case counting from the referral: what the clock was before.
FROM_REFERRAL = compile_text(minimal_pack("toy", "Toy", timing_rule("")), "toy.yaml")


def concern(at: str, id: str, **fields: object) -> BaseEvent:
    """A concern naming the referral r-1 unless ``fields`` say otherwise."""
    return toy_concern(at, id, **{"referral_ref": "r-1", **fields})


def test_the_otherwise_case_counts_from_the_concern_not_the_referral() -> None:
    events = [
        referral("2015-06-01T10:00:00+01:00", "r-1"),
        concern("2015-06-03T09:00:00+01:00", "c-1"),
        discussion("2015-06-08T11:00:00+01:00", "d-1"),
    ]
    o = only(run(PACK, events, AS_OF), RULE)
    # concern Wed 3 June: Thu 4 (1), Fri 5 (2), Mon 8 (3) -> end of Mon 8 June; held Mon 8
    assert (o.due, o.status, o.met_by) == (end_of("2015-06-08", TZ), "met", "d-1")
    assert o.triggered_by == ("r-1", "c-1")  # the referral still opens the window
    assert o.triggered_on == date(2015, 6, 3)
    assert o.triggered_at == datetime.fromisoformat("2015-06-03T09:00:00+01:00")
    assert o.due_basis == "otherwise: 3 working days from the trigger"
    # From the referral, Mon 1 June: Tue 2, Wed 3, Thu 4 -> end of Thu 4 June: late.
    before = only(run(FROM_REFERRAL, events, AS_OF), RULE)
    assert (before.due, before.status) == (end_of("2015-06-04", TZ), "met_late")


def test_a_case_without_counts_from_keeps_the_earlier_event() -> None:
    events = [
        referral("2015-06-01T10:00:00+01:00", "r-1"),
        concern("2015-06-03T09:00:00+01:00", "c-1", serious_harm=True),
        discussion("2015-06-03T15:00:00+01:00", "d-1"),
    ]
    o = only(run(PACK, events, AS_OF), RULE)
    # the same day as the referral, Mon 1 June; held Wed 3
    assert (o.due, o.status, o.due_case) == (end_of("2015-06-01", TZ), "met_late", "serious")
    assert o.triggered_on == date(2015, 6, 1)
    assert o.due_basis.startswith("serious: the same day from the referral_received")


def test_an_act_since_the_earlier_event_still_meets_a_case_counted_from_the_trigger() -> None:
    events = [
        referral("2015-06-01T10:00:00+01:00", "r-1"),
        discussion("2015-06-02T10:00:00+01:00", "d-1"),  # before the concern's record
        concern("2015-06-03T09:00:00+01:00", "c-1"),
    ]
    o = only(run(PACK, events, AS_OF), RULE)
    assert (o.status, o.met_by, o.due) == ("met", "d-1", end_of("2015-06-08", TZ))


def test_the_careful_walk_counts_each_possible_case_from_its_own_start() -> None:
    # serious_harm unknown: the same day from the referral (end of Mon 1 June) or three
    # working days from the concern (end of Mon 8 June). A discussion on Fri 5 June is late
    # for the first and in time for the second: cannot_evaluate. With both cases counted
    # from the referral (three working days: end of Thu 4 June) it is late either way.
    events = [
        referral("2015-06-01T10:00:00+01:00", "r-1"),
        concern("2015-06-03T09:00:00+01:00", "c-1", unknown=["serious_harm"]),
        discussion("2015-06-05T10:00:00+01:00", "d-1"),
    ]
    o = only(run(PACK, events, AS_OF), RULE)
    assert (o.status, o.due) == ("cannot_evaluate", None)
    assert o.missing == ("concern_identified.serious_harm",)
    assert only(run(FROM_REFERRAL, events, AS_OF), RULE).status == "met_late"
    # No discussion: overdue once both have passed, "at the latest" the end of Mon 8 June.
    late = only(run(PACK, events[:2], AS_OF), RULE)
    assert late.status == "overdue"
    # On Wed 3 June the same day has passed and the three working days have not.
    between = only(run(PACK, events[:2], "2015-06-03T12:00:00+01:00"), RULE)
    assert between.status == "cannot_evaluate"


def test_a_date_only_concern_counts_from_its_date() -> None:
    dated = ev_on(
        "concern_identified",
        "2015-06-03",
        id="c-1",
        **recorded_false({"category": "neglect", "referral_ref": "r-1"}),
    )
    events = [referral("2015-06-01T10:00:00+01:00", "r-1"), dated]
    o = only(run(PACK, events, AS_OF), RULE)
    # Wed 3 June: Thu 4, Fri 5, Mon 8 -> end of Mon 8 June, whatever the time that day
    assert (o.due, o.status, o.triggered_on) == (
        end_of("2015-06-08", TZ),
        "overdue",
        date(2015, 6, 3),
    )


def test_counts_from_without_due_from_is_an_error() -> None:
    text = (
        minimal_pack("toy", "Toy", timing_rule())
        .replace(
            """      due_from:
        event: referral_received
        named_by: referral_ref
        otherwise: {latest_within: {same_day: true}}
""",
            "",
        )
        .replace("trigger.serious_harm", "serious_harm")
    )
    with pytest.raises(PackValidationError) as raised:
        compile_text(text, "toy.yaml")
    assert "counts-from-without-due-from" in str(raised.value)
    assert "counts_from: trigger only applies under due_from" in str(raised.value)


def test_the_pack_doc_and_wording_say_where_each_case_counts_from() -> None:
    table = PACK.rule(RULE).require.due  # type: ignore[union-attr]
    assert "otherwise: 3 working days from the trigger" in describe_due(table)
    doc = render_pack_doc(PACK)
    assert "the trigger, `concern_identified`, for “otherwise”" in doc


# --- recorded: two-valued --------------------------------------------------------------------

RECORDED = minimal_pack(
    "toy",
    "Toy",
    """\
  - id: not_certainly_complex
    title: Owed where the concern is not certainly complex
    citation: {source: src, quote: "within three working days"}
    strength: should
    when:
      event: concern_identified
      where:
        any:
          - {field: complex, recorded: false}
          - {field: complex, is: false}
    require:
      action: hold_strategy_discussion
      responsible: someone
      due: {working_days: 3}
      satisfied_by: {event: strategy_discussion_held}
""",
)


def test_recorded_is_never_unknown() -> None:
    pack = compile_text(RECORDED, "toy.yaml")
    at = "2015-06-01T09:00:00+01:00"
    events = [
        ev("concern_identified", at, id="c-1", child="child-false", category="neglect",
           **recorded_false({})),
        ev("concern_identified", at, id="c-2", child="child-left-out", category="neglect",
           **{k: v for k, v in recorded_false({}).items() if k != "complex"}),
        ev("concern_identified", at, id="c-3", child="child-listed", category="neglect",
           **recorded_false({"unknown": ["complex"]})),
        ev("concern_identified", at, id="c-4", child="child-true", category="neglect",
           **recorded_false({"complex": True})),
    ]  # fmt: skip
    result = run(pack, events, "2015-06-02T09:00:00+01:00")
    # false, left out, or listed unknown: the rule applies, and is open (not
    # cannot_evaluate); recorded true: it does not apply at all
    assert {o.child_id: o.status for o in obligations(result, "not_certainly_complex")} == {
        "child-false": "open",
        "child-left-out": "open",
        "child-listed": "open",
    }


def test_recorded_in_words_and_on_a_field_kind_that_has_it() -> None:
    pack = compile_text(RECORDED, "toy.yaml")
    where = pack.rule("not_certainly_complex").when.where
    assert describe_condition(where) == "complex is not recorded or complex is false"  # type: ignore[arg-type]
    with pytest.raises(PackValidationError) as raised:
        compile_text(RECORDED.replace("recorded: false", "recorded: nope"), "toy.yaml")
    assert "recorded" in str(raised.value)
