"""The calendar export (``to_ical``, ``safeguard-rules calendar``): the file parses with
``icalendar``, holds exactly the obligations still to do, keeps one UID per obligation
across files (so a calendar that re-imports updates instead of duplicating), and treats
obligations that cannot be evaluated and date-only triggers as docs/reports.md says.

Deadlines are worked out by hand in comments (Jersey calendar: Thu 9 May 2024 Liberation
Day, Mon 27 May 2024 Spring Bank Holiday; England 2015: Fri 25 Dec Christmas, Mon 28 Dec
Boxing Day substitute).
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner
from report_helpers import EXAMPLES

from safeguard_rules import evaluate, load_events, load_pack, parse_events, to_ical
from safeguard_rules.cli import main

JERSEY_AS_OF = datetime.fromisoformat("2024-06-03T17:00:00+01:00")
NAMESPACE = uuid.UUID("5b0b5b6e-2f0c-5a43-9d55-7a1b3c2e4f10")  # docs/reports.md: fixed forever


def todos(data: bytes) -> list[Any]:
    calendar = icalendar.Calendar.from_ical(data)
    return [c for c in calendar.walk() if c.name == "VTODO"]


def uid_of(pack_id: str, obligation_id: str) -> str:
    return f"{uuid.uuid5(NAMESPACE, pack_id + chr(10) + obligation_id)}@safeguard-rules"


@pytest.fixture(scope="module")
def jersey() -> tuple[Any, Any]:
    pack = load_pack("jersey_2024")
    stream = load_events(EXAMPLES / "child_a_history.jsonl")
    return pack, stream


def test_example_to_dos_are_the_obligations_not_done(jersey: tuple[Any, Any]) -> None:
    pack, stream = jersey
    items = todos(to_ical(pack, evaluate(pack, stream, JERSEY_AS_OF)))
    # By hand, as at Mon 3 June 2024 17:00, in due order (no deadline last, then by id):
    # - the medical after the discussion of Wed 8 May: the same day, Wed 8 May 23:59:59;
    # - the flag's receipt, sent Tue 7 May: 1 working day, Wed 8 May 23:59:59;
    # - the medical after the meeting of Mon 13 May: the same day, Mon 13 May;
    # - the medical owed from the physical abuse concern of Wed 8 May (jersey_2024 reader 9
    #   M2): 3 working days, Thu 9 May Liberation Day, Fri 10, Mon 13, Tue 14 May;
    # - the professional difference raised Wed 15 May: 10 working days, 16, 17, 20-24, then
    #   28, 29, 30 (Mon 27 May is a holiday): Thu 30 May;
    # - the absent agency's report: no timescale, open.
    expected = [
        ("medical_considered_after_strategy_discussion/ev-008", date(2024, 5, 8)),
        ("sender_confirms_receipt_of_flag/ev-006", date(2024, 5, 8)),
        ("medical_considered_after_strategy_meeting/ev-010", date(2024, 5, 13)),
        ("medical_considered_where_risk_of_abuse_or_neglect/ev-007", date(2024, 5, 14)),
        ("professional_difference_resolved_asap/ev-015", date(2024, 5, 30)),
        ("absent_agency_sends_report_to_chair/ev-014", None),
    ]
    assert [str(t["x-safeguard-obligation"]) for t in items] == [o for o, _d in expected]
    for todo, (obligation, day) in zip(items, expected, strict=True):
        assert str(todo["uid"]) == uid_of("jersey_2024", obligation)
        if day is None:
            assert "due" not in todo
        else:
            due = todo.decoded("due")
            assert (due.date(), due.hour, due.minute, str(due.tzinfo)) == (
                day,
                23,
                59,
                "Europe/Jersey",
            )
        assert str(todo["status"]) == "NEEDS-ACTION"
    statuses = [str(t["x-safeguard-status"]) for t in items]
    assert statuses == ["overdue"] * 5 + ["open"]
    # The citation is in the description, quoted.
    description = str(items[0]["description"])
    assert "Source: " in description and '"' in description


def test_same_input_same_bytes_in_any_order(jersey: tuple[Any, Any]) -> None:
    pack, stream = jersey
    first = to_ical(pack, evaluate(pack, stream, JERSEY_AS_OF))
    records = [
        json.loads(line) for line in (EXAMPLES / "child_a_history.jsonl").read_text().splitlines()
    ]
    random.Random(5).shuffle(records)
    shuffled = parse_events(records)
    assert to_ical(pack, evaluate(pack, shuffled, JERSEY_AS_OF)) == first


def test_reimporting_updates_instead_of_duplicating(jersey: tuple[Any, Any]) -> None:
    """A calendar that matches to-dos by UID (as calendar programs do) ends with one to-do
    per obligation after importing a later file in which one obligation was met and the
    others' status moved on."""
    pack, stream = jersey
    before = todos(to_ical(pack, evaluate(pack, stream, JERSEY_AS_OF)))
    resolved = {
        "id": "ev-030", "type": "professional_difference_resolved", "child_id": "child-A",
        "at": "2024-06-04T12:00:00+01:00", "difference_id": "pd-1",
    }  # fmt: skip
    records = [
        json.loads(line) for line in (EXAMPLES / "child_a_history.jsonl").read_text().splitlines()
    ]
    later = parse_events([*records, resolved])
    after = todos(
        to_ical(pack, evaluate(pack, later, datetime.fromisoformat("2024-06-05T09:00:00+01:00")))
    )
    store: dict[str, Any] = {}
    for todo in before:
        store[str(todo["uid"])] = todo
    for todo in after:
        store[str(todo["uid"])] = todo  # same UID: replaced
    assert len(store) == len(before) == 6
    assert {str(t["uid"]) for t in after} == {str(t["uid"]) for t in before} - {
        uid_of("jersey_2024", "professional_difference_resolved_asap/ev-015")
    }
    # DTSTAMP is the as-of time, so a later file's to-dos are newer.
    assert after[0].decoded("dtstamp") > before[0].decoded("dtstamp")


def test_calendar_command_filters_by_role_and_child(tmp_path: Path) -> None:
    out = tmp_path / "d.ics"
    args = ["calendar", "--pack", "jersey_2024", "--as-of", "2024-06-03T17:00:00+01:00",
            str(EXAMPLES / "child_a_history.jsonl"), "-o", str(out)]  # fmt: skip
    done = CliRunner().invoke(main, [*args, "--role", "strategy_meeting_chair"])
    assert done.exit_code == 0, done.output
    # The two medicals are the chair's (by hand, above).
    assert sorted(str(t["x-safeguard-obligation"]) for t in todos(out.read_bytes())) == [
        "medical_considered_after_strategy_discussion/ev-008",
        "medical_considered_after_strategy_meeting/ev-010",
    ]
    assert "2 open obligations" in done.output
    done = CliRunner().invoke(main, [*args, "--child", "child-B"])
    assert done.exit_code == 0 and todos(out.read_bytes()) == []
    # A child none of the input is about is a typo, not a child who owes nothing.
    out.unlink()
    done = CliRunner().invoke(main, [*args, "--child", "child-nobody"])
    assert done.exit_code == 2, done.output
    assert "--child 'child-nobody': no event of the input is about this child" in done.output
    assert not out.exists()
    done = CliRunner().invoke(main, [*args, "--role", "nobody"])
    assert done.exit_code == 2 and "--role 'nobody' is not a role of pack" in done.output


# --- outcomes that cannot be evaluated, and date-only triggers ------------------------------


def _concern(child: str, ident: str, when: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {
        "id": ident, "type": "concern_identified", "child_id": child, **when,
        "category": "physical_abuse", "enquiry_decision_needed": True,
        "immediate_action_taken": False, "complex": False, **fields,
    }  # fmt: skip


def _discussion(child: str, ident: str, at: str) -> dict[str, Any]:
    return {
        "id": ident, "type": "strategy_discussion_held", "child_id": child, "at": at,
        "mode": "telephone", "agencies": ["csc", "police", "health"],
        "invited": ["csc", "police", "health"], "records_made_by": ["csc", "police", "health"],
    }  # fmt: skip


def test_cannot_evaluate_to_dos_and_date_only_triggers() -> None:
    pack = load_pack("wtsc_2015")
    rule = "strategy_discussion_within_timescale"
    stream = parse_events(
        [
            # serious_harm unknown, nothing held: the same-day deadline (Mon 7 Dec) has passed,
            # three working days (Thu 10 Dec) have not, as at Tue 8 Dec 17:00: it may be
            # overdue or open, so it cannot be evaluated, and it is still to do.
            _concern(
                "child-U1", "u1", {"at": "2015-12-07T10:00:00+00:00"}, unknown=["serious_harm"]
            ),
            # serious_harm unknown, held Mon 7 Dec: in time whichever deadline applies: met.
            _concern(
                "child-U2", "u2", {"at": "2015-12-07T09:00:00+00:00"}, unknown=["serious_harm"]
            ),
            _discussion("child-U2", "u2-d", "2015-12-07T15:00:00+00:00"),
            # serious_harm unknown, held Tue 8 Dec: late if serious, in time if not; met by
            # an event, so nothing is left to do and there is no to-do.
            _concern(
                "child-U3", "u3", {"at": "2015-12-07T09:00:00+00:00"}, unknown=["serious_harm"]
            ),
            _discussion("child-U3", "u3-d", "2015-12-08T11:00:00+00:00"),
            # Known only by its date, Mon 7 Dec, not serious: three working days, Thu 10 Dec.
            _concern("child-D1", "d1", {"on": "2015-12-07"}, serious_harm=False),
        ]
    )
    assert not stream.rejected
    result = evaluate(pack, stream, datetime.fromisoformat("2015-12-08T17:00:00+00:00"))
    status = {o.child_id: o.status for o in result.obligations if o.rule == rule}
    assert status == {
        "child-U1": "cannot_evaluate", "child-U2": "met",
        "child-U3": "cannot_evaluate", "child-D1": "open",
    }  # fmt: skip
    items = {str(t["x-safeguard-obligation"]): t for t in todos(to_ical(pack, result))}
    assert f"{rule}/u1" in items and f"{rule}/u3" not in items and f"{rule}/u2" not in items
    u1 = items[f"{rule}/u1"]
    assert str(u1["summary"]).startswith("[cannot evaluate] ")
    assert "Not recorded: concern_identified.serious_harm." in str(u1["description"])
    assert "due" not in u1  # which deadline applies is what is not known
    d1 = items[f"{rule}/d1"]
    due = d1.decoded("due")
    assert (due.date(), due.hour, due.minute) == (date(2015, 12, 10), 23, 59)
    # A date-only trigger with a DUE has no DTSTART: RFC 5545 wants both of one value type,
    # and a clock time would be invented.
    assert "dtstart" not in d1
