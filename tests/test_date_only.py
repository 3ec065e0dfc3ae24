"""Date-only events (``on``) and dates as ``as_of``: the day-resolution convention.

Every expected deadline is counted by hand from the England calendar (Europe/London,
public holidays of GB-ENG) in the comments; none is computed with the library's calendar.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from safeguard_rules import evaluate, explain, parse_events
from safeguard_rules._loading import compile_text
from safeguard_rules.cli import main
from tests.helpers import end_of, minimal_pack

LONDON = "Europe/London"

# One rule per timescale kind: an enquiry_concluded (continuing risk) owes a conference.
RULES = """\
  - id: conference_in_days
    title: A conference within 3 working days
    strength: must
    when: {event: enquiry_concluded, where: {field: continuing_risk, is: true}}
    require:
      action: convene_conference
      responsible: someone
      due: {working_days: 3}
      satisfied_by: {event: child_protection_conference_held}
  - id: conference_in_hours
    title: A conference within 24 hours
    strength: must
    when: {event: enquiry_concluded, where: {field: basis, is: article_42}}
    require:
      action: convene_conference_quickly
      responsible: someone
      due: {hours: 24}
      satisfied_by: {event: child_protection_conference_held}
  - id: office_hours_check
    title: Enquiries are started in office hours
    strength: advisory
    when: {event: enquiry_started}
    expect: {field: at, in_office_hours: true}
    message: "enquiry {id} started out of hours"
"""
PACK_TEXT = minimal_pack("dated", "Date-only test pack", RULES).replace(
    "  timezone: Europe/London\n",
    "  timezone: Europe/London\n"
    "  public_holidays: {country: GB, subdivision: ENG}\n"
    "  office_hours: {days: [mon, tue, wed, thu, fri], start: '09:00', end: '17:00'}\n",
)


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return compile_text(PACK_TEXT, "dated.yaml")


def records(*items: dict[str, object]) -> list[dict[str, object]]:
    return [{"child_id": "child-1", **item} for item in items]


def concluded(
    when: dict[str, str], basis: str = "section_47", id: str = "end"
) -> dict[str, object]:
    return {"id": id, "type": "enquiry_concluded", "basis": basis, "continuing_risk": True, **when}


def conference(when: dict[str, str], id: str = "conf") -> dict[str, object]:
    return {"id": id, "type": "child_protection_conference_held", **when}


def run(pack, items, as_of):  # type: ignore[no-untyped-def]
    stream = parse_events(records(*items))
    assert not stream.rejected, stream.rejected
    return evaluate(pack, stream, as_of)


def status(result, rule: str):  # type: ignore[no-untyped-def]
    [found] = [o for o in result.obligations if o.rule == rule]
    return found


# --- reading ------------------------------------------------------------------------------


def test_an_event_takes_a_date_instead_of_a_time() -> None:
    stream = parse_events(records(concluded({"on": "2024-05-03"})))
    [event] = stream.events
    assert (event.at, event.on) == (None, date(2024, 5, 3))


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ({}, "missing field 'at' or 'on'"),
        ({"at": "2024-05-03T10:00:00+01:00", "on": "2024-05-03"}, "give 'at' or 'on', not both"),
        ({"on": "2024-05-03T10:00:00+01:00"}, "on' must be an ISO 8601 date"),
        ({"on": "2024-02-30"}, "not a real date"),
        ({"on": "0001-01-01"}, "outside the years 1901 to 2199"),
    ],
)
def test_a_record_without_exactly_one_good_at_or_on_is_rejected(
    when: dict[str, str], message: str
) -> None:
    stream = parse_events(records(concluded(when)))
    [rejection] = stream.rejected
    assert message in rejection.reason, rejection.reason
    assert rejection.event_id == "end"


# --- deadlines and statuses ----------------------------------------------------------------


def test_a_day_based_deadline_from_a_date_is_the_one_from_any_time_that_day(pack) -> None:  # type: ignore[no-untyped-def]
    # Friday 3 May 2024; Monday 6 May is the Early May bank holiday: 3 working days are
    # Tue 7, Wed 8, Thu 9 May.
    dated = status(
        run(pack, [concluded({"on": "2024-05-03"})], date(2024, 6, 1)), "conference_in_days"
    )
    for at in ("2024-05-03T00:00:00+01:00", "2024-05-03T23:59:00+01:00"):
        timed = status(run(pack, [concluded({"at": at})], date(2024, 6, 1)), "conference_in_days")
        assert timed.due == dated.due == end_of("2024-05-09", LONDON)
    assert (dated.triggered_at, dated.triggered_on) == (None, date(2024, 5, 3))
    assert dated.status == "overdue"


@pytest.mark.parametrize(
    ("held_on", "expected"),
    [
        ("2024-05-03", "met"),  # the same day as the enquiry's end
        ("2024-05-09", "met"),  # the deadline day: any time that day is in time
        ("2024-05-10", "met_late"),  # the day after the deadline
    ],
)
def test_a_date_only_conference_is_judged_by_its_date(pack, held_on: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    result = run(
        pack, [concluded({"on": "2024-05-03"}), conference({"on": held_on})], date(2024, 6, 1)
    )
    o = status(result, "conference_in_days")
    assert (o.status, o.met_by, o.met_at, o.met_on) == (
        expected,
        "conf",
        None,
        date.fromisoformat(held_on),
    )
    late = [f for f in result.findings if f.obligation == o.id]
    assert [f.kind for f in late] == (["met_late"] if expected == "met_late" else [])
    if late:
        assert (late[0].at, late[0].on) == (None, date(2024, 5, 10))
        assert "was met late, on 2024-05-10" in late[0].message


def test_a_timed_conference_recorded_earlier_the_same_day_meets_a_date_only_trigger(pack) -> None:  # type: ignore[no-untyped-def]
    # The conference's record has 09:00; the enquiry's end has only the date. Their order
    # within the day is not known, so the procedure's order is taken: it meets it.
    result = run(
        pack,
        [concluded({"on": "2024-05-03"}), conference({"at": "2024-05-03T09:00:00+01:00"})],
        date(2024, 6, 1),
    )
    o = status(result, "conference_in_days")
    assert (o.status, o.met_by) == ("met", "conf")
    assert o.met_at == datetime.fromisoformat("2024-05-03T09:00:00+01:00")


def test_a_timed_conference_on_an_earlier_day_does_not_meet_it(pack) -> None:  # type: ignore[no-untyped-def]
    result = run(
        pack,
        [concluded({"on": "2024-05-03"}), conference({"at": "2024-05-02T23:30:00+01:00"})],
        date(2024, 6, 1),
    )
    assert status(result, "conference_in_days").status == "overdue"


def test_an_hours_deadline_from_a_date_is_known_only_to_the_day(pack) -> None:  # type: ignore[no-untyped-def]
    # Enquiry ended on 3 May (date only): 24 hours later is some time on 4 May.
    ends = [concluded({"on": "2024-05-03"}, basis="article_42")]
    # as_of during 4 May: overdue or not depends on the time of the end.
    unsure = status(run(pack, ends, datetime(2024, 5, 4, 12, tzinfo=UTC)), "conference_in_hours")
    assert unsure.status == "cannot_evaluate"
    assert unsure.due is None
    assert unsure.missing == ("enquiry_concluded.at",)
    assert unsure.reason is not None and "has only a date (on 2024-05-03)" in unsure.reason
    # By the end of 4 May it is overdue whatever the time was: a finding, stated as such.
    result = run(pack, ends, date(2024, 5, 5))
    overdue = status(result, "conference_in_hours")
    assert (overdue.status, overdue.due, overdue.missing) == ("overdue", None, ())
    [finding] = [f for f in result.findings if f.obligation == overdue.id]
    assert "due by 2024-05-04T23:59+01:00 at the latest" in finding.message
    # Before 4 May starts it is open whatever the time was.
    assert status(run(pack, ends, date(2024, 5, 3)), "conference_in_hours").status == "open"


@pytest.mark.parametrize(
    ("held", "expected"),
    [
        ({"on": "2024-05-03"}, "met"),  # the same day: within 24 hours whatever the times
        ({"at": "2024-05-04T23:59:00+01:00"}, "cannot_evaluate"),  # depends on the end's time
        ({"on": "2024-05-04"}, "cannot_evaluate"),
        ({"on": "2024-05-05"}, "met_late"),  # a day too late whatever the times
    ],
)
def test_a_conference_against_an_hours_deadline_from_a_date(pack, held, expected: str) -> None:  # type: ignore[no-untyped-def]
    result = run(
        pack,
        [concluded({"on": "2024-05-03"}, basis="article_42"), conference(held)],
        date(2024, 6, 1),
    )
    o = status(result, "conference_in_hours")
    assert (o.status, o.met_by) == (expected, "conf")
    assert [f.kind for f in result.findings if f.obligation == o.id] == (
        ["met_late"] if expected == "met_late" else []
    )


def test_a_date_only_conference_against_a_timed_hours_deadline(pack) -> None:  # type: ignore[no-untyped-def]
    # Ended 3 May 10:00 (BST): due 4 May 10:00. A conference dated 4 May may be before or
    # after 10:00; one dated 3 May is in time.
    end = concluded({"at": "2024-05-03T10:00:00+01:00"}, basis="article_42")
    same = run(pack, [end, conference({"on": "2024-05-04"})], date(2024, 6, 1))
    o = status(same, "conference_in_hours")
    assert (o.status, o.missing) == ("cannot_evaluate", ("child_protection_conference_held.at",))
    assert o.due == datetime.fromisoformat("2024-05-04T10:00:00+01:00")
    early = run(pack, [end, conference({"on": "2024-05-03"})], date(2024, 6, 1))
    assert status(early, "conference_in_hours").status == "met"


def test_in_office_hours_of_a_date_only_event_is_unknown(pack) -> None:  # type: ignore[no-untyped-def]
    started = {"id": "s", "type": "enquiry_started", "basis": "section_47"}
    result = run(pack, [{**started, "on": "2024-05-03"}], date(2024, 6, 1))
    assert result.findings == ()
    [undetermined] = result.undetermined
    assert (undetermined.rule, undetermined.event, undetermined.missing) == (
        "office_hours_check",
        "s",
        ("enquiry_started.at",),
    )
    assert (undetermined.at, undetermined.on) == (None, date(2024, 5, 3))
    assert result.account.cannot_evaluate == 1
    # The same record with its time (20:00, out of hours) is a finding.
    timed = run(pack, [{**started, "at": "2024-05-03T20:00:00+01:00"}], date(2024, 6, 1))
    assert [f.rule for f in timed.findings] == ["office_hours_check"]
    assert timed.undetermined == ()


# --- order and as_of ---------------------------------------------------------------------


def test_as_of_a_date_is_the_end_of_that_local_day(pack) -> None:  # type: ignore[no-untyped-def]
    ends = [concluded({"on": "2024-05-03"})]
    by_date = run(pack, ends, date(2024, 5, 9))
    assert by_date.as_of == end_of("2024-05-09", LONDON)
    # Due at the end of 9 May: as of that day it is still open, the day after overdue.
    assert status(by_date, "conference_in_days").status == "open"
    assert status(run(pack, ends, date(2024, 5, 10)), "conference_in_days").status == "overdue"


def test_a_date_only_event_on_as_of_s_day_is_kept_and_a_later_one_rejected(pack) -> None:  # type: ignore[no-untyped-def]
    moment = datetime.fromisoformat("2024-05-03T08:00:00+01:00")
    kept = run(pack, [concluded({"on": "2024-05-03"})], moment)
    assert kept.account.evaluated == 1
    later = run(pack, [concluded({"on": "2024-05-04"})], moment)
    [rejection] = later.account.rejected
    assert rejection.reason == "dated after as_of, so not yet evaluated"


def test_timed_events_of_a_day_come_before_its_date_only_events(pack) -> None:  # type: ignore[no-untyped-def]
    # Two conferences the same day and a trigger before: the timed one (ids notwithstanding)
    # is the earlier and meets it.
    result = run(
        pack,
        [
            concluded({"at": "2024-05-02T10:00:00+01:00"}),
            conference({"on": "2024-05-03"}, id="a-dated"),
            conference({"at": "2024-05-03T16:00:00+01:00"}, id="b-timed"),
        ],
        date(2024, 6, 1),
    )
    assert status(result, "conference_in_days").met_by == "b-timed"


def test_results_keep_the_date_only_nature_visible_in_json(pack) -> None:  # type: ignore[no-untyped-def]
    result = run(
        pack, [concluded({"on": "2024-05-03"}), conference({"on": "2024-05-08"})], date(2024, 6, 1)
    )
    data = json.loads(result.to_json())
    [o] = [o for o in data["obligations"] if o["rule"] == "conference_in_days"]
    assert (o["triggered_at"], o["triggered_on"], o["met_at"], o["met_on"]) == (
        None,
        "2024-05-03",
        None,
        "2024-05-08",
    )
    assert o["due"] == "2024-05-09T23:59:59+01:00"
    assert (o["missing"], o["reason"]) == ([], None)
    assert data["account"]["cannot_evaluate"] == 0


def test_explain_a_date_only_obligation(pack) -> None:  # type: ignore[no-untyped-def]
    stream = parse_events(records(concluded({"on": "2024-05-03"})))
    result = evaluate(pack, stream, date(2024, 6, 1))
    text = explain(pack, status(result, "conference_in_days"), stream.events).text()
    assert "trigger: end enquiry_concluded on 2024-05-03 (date only)" in text
    assert "trigger on 2024-05-03 (date only); local date 2024-05-03" in text
    assert "2024-05-07 Tue: working day 1" in text  # Monday 6 May skipped (bank holiday)


# --- the command line ----------------------------------------------------------------------


def test_cli_as_of_accepts_a_date(tmp_path: Path) -> None:
    pack_file = tmp_path / "dated.yaml"
    pack_file.write_text(PACK_TEXT, encoding="utf-8")
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(records(concluded({"on": "2024-05-03"}))[0]) + "\n")
    runner = CliRunner()
    done = runner.invoke(
        main,
        [
            "evaluate",
            "--pack",
            str(pack_file),
            "--as-of",
            "2024-05-09",
            "--format",
            "json",
            str(events),
        ],
    )
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["as_of"] == "2024-05-09T23:59:59+01:00"
    assert {o["rule"]: o["status"] for o in data["obligations"]}["conference_in_days"] == "open"
    bad = runner.invoke(
        main, ["evaluate", "--pack", str(pack_file), "--as-of", "2024-13-01", str(events)]
    )
    assert bad.exit_code == 2
    assert "is not an ISO 8601 time or date" in bad.stderr
