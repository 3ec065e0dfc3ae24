"""The toy pack and events the due_from tests share (test_due_from.py,
test_due_from_choice.py, test_due_from_named_run.py, test_counts_from.py).

A one-role pack on the England calendar (Europe/London, England bank holidays closed), and
builders of the events its rules read: each a complete record (concern flags not given are
written false), so only what a test names varies. Expected deadlines are still counted by
hand in each test.
"""

from __future__ import annotations

from typing import Any

from helpers import ev, minimal_pack, recorded_false

from safeguard_rules import BaseEvent

TZ = "Europe/London"
AS_OF = "2015-07-31T12:00:00+01:00"  # after every deadline the June 2015 tests count


def toy(rules: str) -> str:
    """A one-role pack on the England calendar, bank holidays included."""
    return minimal_pack("toy", "Toy", rules).replace(
        "  timezone: Europe/London\n",
        "  timezone: Europe/London\n  public_holidays: {country: GB, subdivision: ENG}\n",
    )


def concern(at: str, id: str = "c-1", child: str = "child-1", **fields: object) -> BaseEvent:
    """A neglect concern, its flags false unless ``fields`` give or list them unknown."""
    return ev(
        "concern_identified",
        at,
        id=id,
        child=child,
        **recorded_false({"category": "neglect", **fields}),
    )


def meeting(at: str, id: str = "m-1", concern_ref: str | None = None) -> BaseEvent:
    """A strategy meeting, naming its concern when ``concern_ref`` is given."""
    link = {} if concern_ref is None else {"concern_ref": concern_ref}
    return ev("strategy_meeting_held", at, id=id, chair_role="someone", **link)


def referral(at: str, id: str = "r-1", child: str = "child-1") -> BaseEvent:
    return ev("referral_received", at, id=id, child=child)


def discussion(at: str, id: str, **fields: Any) -> BaseEvent:
    """A strategy discussion by telephone."""
    return ev(
        "strategy_discussion_held", at, id=id, mode="telephone", chair_role="someone", **fields
    )
