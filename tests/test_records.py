"""Results a system can keep: one obligation or finding per row, in flat columns, as dicts
(``Evaluation.to_records()``), CSV and JSON Lines, with stable ids and join keys back to
the source records (docs/output.md)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from helpers import cli

from safeguard_rules import RECORD_COLUMNS, evaluate, load_events, load_pack, sort_events_by_child

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "examples" / "child_a_history.jsonl"
CENSUS = ROOT / "tests" / "data" / "cin_census" / "CIN_Census_2024.xml"
AS_OF = "2024-06-03T17:00:00+01:00"
JERSEY = ZoneInfo("Europe/Jersey")


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    pack = load_pack("jersey_2024")
    stream = load_events(HISTORY)
    return evaluate(pack, stream, datetime.fromisoformat(AS_OF)).to_records(stream.events)


def _by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def test_an_obligation_row(records: list[dict[str, Any]]) -> None:
    row = _by_id(records)["strategy_meeting_within_three_working_days/ev-010"]
    hash_ = load_pack("jersey_2024").content_hash
    assert list(row) == list(RECORD_COLUMNS)
    # The meeting (ev-010, Mon 13 May 10:00) is checked against the clock from the concern
    # before it (ev-007, Wed 8 May 2024 11:30): three working days in Jersey, Thu 9 May is
    # Liberation Day, so Fri 10, Mon 13, Tue 14: due by the end of Tue 14 May. Met.
    assert row == {
        "record": "obligation",
        "id": "strategy_meeting_within_three_working_days/ev-010",
        "child_id": "child-A",
        "trigger_event": "ev-010",
        "source_record": None,
        "rule": "strategy_meeting_within_three_working_days",
        "status": "met",
        "kind": None,
        "severity": row["severity"],
        "basis": "source",
        "parameter": None,
        "action": row["action"],
        "route": row["route"],
        "responsible": row["responsible"],
        "copied_in": row["copied_in"],
        "triggered_by": "ev-007 ev-010",
        "triggered_at": datetime.fromisoformat("2024-05-08T11:30:00+01:00"),
        "due": datetime(2024, 5, 14, 23, 59, 59, 999999, tzinfo=JERSEY),  # the end of the day
        "due_basis": row["due_basis"],
        "due_case": None,
        "met_by": "ev-010",
        "met_at": datetime.fromisoformat("2024-05-13T10:00:00+01:00"),
        "cancelled_by": None,
        "escalation_action": row["escalation_action"],
        "escalation_responsible": row["escalation_responsible"],
        "obligation": None,
        "event": None,
        "at": None,
        "message": None,
        "citation_source": "jspb_2024",
        "citation_file": row["citation_file"],
        "citation_quote": row["citation_quote"],
        "pack_id": "jersey_2024",
        "pack_version": "7",
        "pack_content_hash": hash_,
        "as_of": datetime.fromisoformat(AS_OF),
        # The local dates of the trigger's clock (Wed 8 May) and of the meeting (Mon 13 May);
        # nothing is missing, so nothing cannot be evaluated.
        "triggered_on": date(2024, 5, 8),
        "met_on": date(2024, 5, 13),
        "on": None,
        "missing": "",
        "reason": None,
    }
    assert row["severity"] in ("must", "should")
    assert row["citation_file"].startswith("sources/")
    assert row["citation_quote"].startswith(
        "It is expected that all Strategy Meetings will take place"
    )


def test_finding_rows_have_stable_ids_and_their_trigger(records: list[dict[str, Any]]) -> None:
    rows = _by_id(records)
    # The flag (ev-006) was sent Tue 7 May 10:00; receipt due within one working day, by the
    # end of Wed 8 May; never confirmed: overdue at that moment.
    late = rows["sender_confirms_receipt_of_flag/ev-006/overdue"]
    assert (late["record"], late["kind"], late["trigger_event"], late["obligation"]) == (
        "finding",
        "overdue",
        "ev-006",
        "sender_confirms_receipt_of_flag/ev-006",
    )
    assert late["at"] == datetime(2024, 5, 8, 23, 59, 59, 999999, tzinfo=JERSEY)
    assert late["basis"] == "local_default" and late["parameter"] == "receipt_follow_up_timescale"
    assert late["status"] is None and late["due"] is None
    # The planning meeting (ev-013, Tue 21 May 14:00) was minuted without actions shared.
    check = rows["planning_meeting_minuted_and_actions_shared/ev-013/check"]
    assert (check["kind"], check["severity"], check["event"], check["trigger_event"]) == (
        "check",
        "must",
        "ev-013",
        "ev-013",
    )
    assert check["at"] == datetime.fromisoformat("2024-05-21T14:00:00+01:00")
    assert "actions shared: no" in check["message"]
    # Every row has its own id; child by child, each child's obligations before its findings.
    assert len(rows) == len(records)
    order = [(r["child_id"], r["record"] == "finding") for r in records]
    assert order == sorted(order)
    assert {r["child_id"] for r in records} == {"child-A"}  # child-B has one CPN: nothing due


def test_finding_ids_are_in_the_json_too() -> None:
    result = evaluate(load_pack("jersey_2024"), load_events(HISTORY), datetime.fromisoformat(AS_OF))
    data = json.loads(result.to_json())
    assert [f["id"] for f in data["findings"]] == [f.id for f in result.findings]
    assert "sender_confirms_receipt_of_flag/ev-006/overdue" in [f["id"] for f in data["findings"]]


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_and_jsonl_hold_the_same_rows_as_to_records(records: list[dict[str, Any]]) -> None:
    code, out, err = cli(
        "evaluate", "--pack", "jersey_2024", "--as-of", AS_OF, "--format", "csv", str(HISTORY)
    )
    assert code == 0, err
    assert out.splitlines()[0] == ",".join(RECORD_COLUMNS)
    table = _csv_rows(out)
    assert len(table) == len(records)

    def text(value: Any) -> str:
        if value is None:
            return ""
        return value.isoformat(timespec="seconds") if isinstance(value, datetime) else str(value)

    assert table == [{k: text(v) for k, v in row.items()} for row in records]

    code, out, err = cli(
        "evaluate", "--pack", "jersey_2024", "--as-of", AS_OF, "--format", "jsonl", str(HISTORY)
    )
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    rows, last = lines[:-1], lines[-1]
    assert rows == [{k: _json_value(v) for k, v in row.items()} for row in records]
    assert last["record"] == "account" and last["format"] == "safeguard-rules/evaluation-lines/1"
    assert (last["received"], last["evaluated"], last["rejected"]) == (20, 20, 0)


def _json_value(value: Any) -> Any:
    """A row's value as JSON Lines writes it: instants to the second, days as dates."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat() if isinstance(value, date) else value


def _generated(events: int, seed: int, out: Path) -> Path:
    spec = importlib.util.spec_from_file_location(
        "bench_generate", ROOT / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write(events, seed, out)
    return out


def test_the_stream_writes_the_same_rows(tmp_path: Path) -> None:
    raw = _generated(1500, 3, tmp_path / "raw.jsonl")  # about 30 children, interleaved
    grouped = tmp_path / "grouped.jsonl"
    with grouped.open("wb") as out:
        sort_events_by_child([raw], out)
    for fmt in ("csv", "jsonl"):
        late = "2026-01-01T00:00:00+00:00"  # after every generated event
        whole = cli(
            "evaluate", "--pack", "jersey_2024", "--as-of", late, "--format", fmt, str(grouped)
        )
        streamed = cli(
            "evaluate",
            "--stream",
            "--pack",
            "jersey_2024",
            "--as-of",
            late,
            "--format",
            fmt,
            str(grouped),
        )
        assert whole[0] == streamed[0] == 0
        assert streamed[1] == whole[1]
        assert len({line.split(",")[2] for line in whole[1].splitlines()[1:]}) > 20  # children


def _with_source_records(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The example history as an importer writes it: each event names the record it was
    read from in attributes.source_record (as the census importer does)."""
    source_of = {}
    lines = []
    for line in HISTORY.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        source_of[event["id"]] = f"case-file/{event['child_id']}/entry-{event['id'][3:]}"
        event["attributes"] = {"source_record": source_of[event["id"]]}
        lines.append(json.dumps(event))
    raw = tmp_path / "imported.jsonl"
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    grouped = tmp_path / "grouped.jsonl"
    with grouped.open("wb") as out:
        sort_events_by_child([raw], out)
    return grouped, source_of


def test_rows_join_back_to_the_source_records(tmp_path: Path) -> None:
    events, source_of = _with_source_records(tmp_path)
    code, out, err = cli(
        "evaluate", "--pack", "jersey_2024", "--as-of", AS_OF, "--format", "csv", str(events)
    )
    assert code == 0, err
    table = _csv_rows(out)
    assert len(table) > 10
    for row in table:
        assert row["source_record"] == source_of[row["trigger_event"]], row["id"]
    flag = next(r for r in table if r["id"] == "sender_confirms_receipt_of_flag/ev-006/overdue")
    assert flag["source_record"] == "case-file/child-A/entry-006"
    # The library gives the same key, from the events it evaluated.
    stream = load_events(events)
    result = evaluate(load_pack("jersey_2024"), stream, datetime.fromisoformat(AS_OF))
    assert [r["source_record"] for r in result.to_records(stream.events)] == [
        r["source_record"] for r in table
    ]
    assert {r["source_record"] for r in result.to_records()} == {None}  # no events given
    # Streamed, one child at a time, the same rows.
    streamed = cli(
        "evaluate",
        "--stream",
        "--pack",
        "jersey_2024",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
        str(events),
    )
    assert streamed[0] == 0
    assert streamed[1] == out


def test_csv_quotes_what_needs_quoting(tmp_path: Path) -> None:
    # A message with a comma and quotes, and a cited sentence with curly quotes, survive.
    code, out, _err = cli(
        "evaluate", "--pack", "jersey_2024", "--as-of", AS_OF, "--format", "csv", str(HISTORY)
    )
    assert code == 0
    table = _csv_rows(out)
    quotes = {r["citation_quote"] for r in table}
    assert any(
        "\N{LEFT DOUBLE QUOTATION MARK}flag\N{RIGHT DOUBLE QUOTATION MARK}" in q for q in quotes
    )
    assert any("," in r["message"] for r in table)


def test_rejections_are_not_rows_but_fail_the_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        HISTORY.read_text(encoding="utf-8") + '{"id": "x-1", "type": "no_such_event"}\n',
        encoding="utf-8",
    )
    code, out, err = cli(
        "evaluate", "--pack", "jersey_2024", "--as-of", AS_OF, "--format", "csv", str(bad)
    )
    assert code == 1
    assert "rejected: " in err and "x-1" in err
    assert len(_csv_rows(out)) == len(
        _csv_rows(
            cli(
                "evaluate",
                "--pack",
                "jersey_2024",
                "--as-of",
                AS_OF,
                "--format",
                "csv",
                str(HISTORY),
            )[1]
        )
    )
    code, out, err = cli(
        "evaluate", "--pack", "jersey_2024", "--as-of", AS_OF, "--format", "jsonl", str(bad)
    )
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert [r["event_id"] for r in lines if r["record"] == "rejected"] == ["x-1"]
    assert lines[-1]["rejected"] == 1


# --- outcomes that cannot be evaluated, and records with only a date (issue 10) -------------

OVERLAY = ROOT / "examples" / "overlays" / "wtsc_2015_conference_15_working_days.yaml"


def test_an_enquiry_the_census_leaves_open_is_a_cannot_evaluate_row(tmp_path: Path) -> None:
    from census_xml import census, child, episode, section47

    # Child C1: enquiry started Wed 3 Jan 2024, no conference date, "ICPC not required"
    # false: the return cannot say whether a conference is owed. Child C2: enquiry started
    # Mon 8 Jan 2024; 15 working days (no bank holiday between) are 9-12 Jan (4), 15-19 (9),
    # 22-26 (14), Mon 29 Jan (15): due by the end of Mon 29 Jan; held Tue 30 Jan: met late.
    xml = census(
        child("C1", episode("2024-01-02", before_nfa=section47("2024-01-03"))),
        child("C2", episode("2024-01-05", before_nfa=section47("2024-01-08", icpc="2024-01-30"))),
    )
    path = tmp_path / "return.xml"
    path.write_text(xml, encoding="utf-8")
    events = tmp_path / "events.jsonl"
    code, out, err = cli("import", "cin-census", str(path), "-o", str(events))
    assert code == 0, out + err
    pack = load_pack(OVERLAY)
    stream = load_events(events, vocabulary=pack.vocabulary)
    result = evaluate(pack, stream, date(2024, 3, 31))
    rows = [
        r
        for r in result.to_records(stream.events)
        if r["rule"] == "child_protection_conference_follows_section_47_enquiry"
    ]
    open_, late = sorted(
        (r for r in rows if r["record"] == "obligation"), key=lambda r: r["child_id"]
    )
    assert (open_["child_id"], open_["status"], open_["missing"]) == (
        "C1",
        "cannot_evaluate",
        "enquiry_started.conference_not_required",
    )
    assert "conference_not_required" in open_["reason"] and open_["met_by"] is None
    # Its deadline, were it owed: Wed 3 Jan 2024 + 15 working days: Thu 4, Fri 5 (2),
    # 8-12 Jan (7), 15-19 (12), Mon 22, Tue 23, Wed 24 (15): the end of Wed 24 January.
    assert open_["due"].date() == date(2024, 1, 24)
    # The census dates the enquiry, never a time: the date is in triggered_on, not invented.
    assert (open_["triggered_at"], open_["triggered_on"]) == (None, date(2024, 1, 3))
    assert open_["source_record"] == "CINdetails@2024-01-02/Section47@2024-01-03"
    assert (late["child_id"], late["status"], late["missing"], late["reason"]) == (
        "C2",
        "met_late",
        "",
        None,
    )
    assert (late["triggered_on"], late["met_on"], late["met_at"]) == (
        date(2024, 1, 8),
        date(2024, 1, 30),
        None,
    )
    assert late["due"].date() == date(2024, 1, 29)
    finding = next(r for r in rows if r["record"] == "finding")
    assert (finding["kind"], finding["at"], finding["on"]) == ("met_late", None, date(2024, 1, 30))
    # CSV: the status and the missing field, dates as written; JSON Lines: the account counts it.
    argv = ["evaluate", "--pack", str(OVERLAY), "--as-of", "2024-03-31", str(events)]
    code, out, err = cli(*argv, "--format", "csv")
    assert code == 0, err
    table = {(r["child_id"], r["record"]): r for r in _csv_rows(out)}
    cell = table["C1", "obligation"]
    assert (cell["status"], cell["missing"], cell["triggered_at"], cell["triggered_on"]) == (
        "cannot_evaluate",
        "enquiry_started.conference_not_required",
        "",
        "2024-01-03",
    )
    code, out, err = cli(*argv, "--format", "jsonl")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[-1]["cannot_evaluate"] == result.account.cannot_evaluate == 1
    c1 = next(r for r in lines if r["child_id"] == "C1" and r["record"] == "obligation")
    assert (c1["status"], c1["missing"], c1["triggered_on"]) == (
        "cannot_evaluate",
        "enquiry_started.conference_not_required",
        "2024-01-03",
    )


def test_a_check_that_cannot_be_evaluated_is_a_row_with_the_id_its_finding_would_have(
    tmp_path: Path,
) -> None:
    # The discussion lists who took notes as unknown, so whether every attending agency
    # took notes cannot be decided: an undetermined check, a row of its own (never a
    # finding), with the field it needs. (Until reader 6 M5 this used the fostering-service
    # check, now an obligation per concern.)
    lines = [
        {
            "id": "c-1",
            "type": "concern_identified",
            "child_id": "child-1",
            "at": "2015-06-01T09:00:00+01:00",
            "category": "neglect",
        },
        {
            "id": "c-2",
            "type": "concern_identified",
            "child_id": "child-1",
            "at": "2015-06-01T10:00:00+01:00",
            "category": "neglect",
            "unknown": ["looked_after"],
        },
        {
            "id": "sd-1",
            "type": "strategy_discussion_held",
            "child_id": "child-1",
            "at": "2015-06-02T10:00:00+01:00",
            "mode": "face_to_face",
            "chair_role": "strategy_chair",
            "agencies": ["csc", "police", "health"],
            "invited": ["csc", "police", "health"],
            "unknown": ["records_made_by"],
        },
    ]
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e) + "\n" for e in lines), encoding="utf-8")
    pack = load_pack("wtsc_2015")
    stream = load_events(events)
    result = evaluate(pack, stream, datetime.fromisoformat("2015-06-02T18:00:00+01:00"))
    rule = "attending_agencies_take_notes"
    assert rule not in {f.rule for f in result.findings}
    rows = [r for r in result.to_records(stream.events) if r["rule"] == rule]
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == list(RECORD_COLUMNS)
    assert (row["record"], row["id"], row["status"], row["kind"], row["severity"]) == (
        "undetermined",
        f"{rule}/sd-1/check",
        "cannot_evaluate",
        "check",
        "should",
    )
    assert (row["trigger_event"], row["event"], row["missing"]) == (
        "sd-1",
        "sd-1",
        "strategy_discussion_held.records_made_by",
    )
    assert row["at"] == datetime.fromisoformat("2015-06-02T10:00:00+01:00")
    assert row["on"] == date(2015, 6, 2) and row["reason"]
    # Rows of a child: obligations, then findings, then what cannot be evaluated.
    kinds = [r["record"] for r in result.to_records()]
    assert kinds == sorted(kinds, key=["obligation", "finding", "undetermined"].index)
    # The JSON gives the same id; the CSV the same row.
    data = json.loads(result.to_json())
    # (the advisory notice that asks for the note-takers is undetermined too, for the same
    # field)
    assert [u["id"] for u in data["undetermined"]] == [
        f"{rule}/sd-1/check",
        "note_takers_recorded/sd-1/check",
    ]
    code, out, err = cli(
        "evaluate",
        "--pack",
        "wtsc_2015",
        "--as-of",
        "2015-06-02T18:00:00+01:00",
        "--format",
        "csv",
        str(events),
    )
    assert code == 0, err
    cell = next(r for r in _csv_rows(out) if r["rule"] == rule)
    assert (cell["record"], cell["status"], cell["missing"], cell["on"]) == (
        "undetermined",
        "cannot_evaluate",
        "strategy_discussion_held.records_made_by",
        "2015-06-02",
    )
