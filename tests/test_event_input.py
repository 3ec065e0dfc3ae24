"""Event input: every record stands alone, values are strict, every rejection is located.

Each test here failed before the change it covers (issue 8, event side). The hostile-input
suite (tests/hostile/) runs many more inputs through the installed command line.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from safeguard_rules import evaluate, load_events, load_pack, parse_events
from safeguard_rules._event_files import EventLimits
from safeguard_rules._stream import read_events

GOOD: dict[str, Any] = {
    "id": "e1",
    "type": "cpn_created",
    "child_id": "child-1",
    "at": "2024-05-07T10:00:00+01:00",
    "incident_ref": "INC-1",
}
CONCERN: dict[str, Any] = {
    "id": "c1",
    "type": "concern_identified",
    "child_id": "child-1",
    "at": "2024-05-07T10:00:00+01:00",
    "category": "neglect",
}
AS_OF = datetime(2024, 6, 1, tzinfo=UTC)


def good(i: int, **changes: Any) -> dict[str, Any]:
    return {**GOOD, "id": f"e{i}", **changes}


def jsonl(tmp_path: Path, records: list[Any], name: str = "events.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def reasons(path: Path) -> dict[str, str]:
    return {r.where or "": r.reason for r in load_events(path).rejected}


# --- strict values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Read as Unix time before: "20240501" became 1970-08-23T06:21:41Z.
        ("20240501", "must be an ISO 8601 date and time with a UTC offset"),
        ("1714550400", "must be an ISO 8601 date and time with a UTC offset"),
        (0, "must be an ISO 8601 date and time with a UTC offset"),
        (1e10, "must be an ISO 8601 date and time with a UTC offset"),
        (True, "must be an ISO 8601 date and time with a UTC offset"),
        ("20240507T100000+0100", "must be an ISO 8601 date and time with a UTC offset"),
        ("2024-05-07T10:00:00", "has no UTC offset"),
        ("2024-02-30T10:00:00Z", "is not a real date and time"),
        ("2024-05-07T24:00:00Z", "is not a real date and time"),
        # Ended the whole run with OverflowError before.
        ("0001-01-01T00:00:00Z", "outside the years 1901 to 2199"),
        ("9999-12-31T23:00:00-05:00", "outside the years 1901 to 2199"),
        ("1900-01-01T00:00:00Z", "outside the years 1901 to 2199"),
    ],
)
def test_times_are_iso_text_with_an_offset_in_range(tmp_path: Path, at: Any, expected: str) -> None:
    path = jsonl(tmp_path, [good(1), good(2, at=at), good(3)])
    stream = load_events(path)
    assert [e.id for e in stream.events] == ["e1", "e3"]
    (rejection,) = stream.rejected
    assert rejection.where == f"{path}:2"
    assert rejection.event_id == "e2"
    assert expected in rejection.reason
    assert str(at) not in rejection.reason or str(at) in expected  # the value is not echoed


@pytest.mark.parametrize(
    "at",
    [
        "2024-05-07T10:00:00+01:00",
        "2024-05-07T09:00:00Z",
        "2024-05-07T09:00Z",
        "2024-05-07 10:00:00+01:00",
        "2024-05-07T10:00:00.123456+01:00",
        "1901-01-01T00:00:00+00:00",
        "2199-12-31T23:59:59-12:00",
    ],
)
def test_iso_times_with_an_offset_are_accepted(at: str) -> None:
    stream = parse_events([good(1, at=at)])
    assert not stream.rejected
    assert stream.events[0].at == datetime.fromisoformat(at)


def test_a_caller_may_give_aware_datetimes_but_not_naive_ones() -> None:
    aware = datetime(2024, 5, 7, 10, tzinfo=timezone(timedelta(hours=1)))
    stream = parse_events([good(1, at=aware), good(2, at=aware.replace(tzinfo=None))])
    assert [e.at for e in stream.events] == [aware]
    assert "has no UTC offset" in stream.rejected[0].reason


def test_out_of_range_times_cost_only_their_record() -> None:
    # Before: OverflowError in as_of comparison ended the run, good records included.
    stream = parse_events([good(1, at="9999-12-31T23:00:00-05:00"), good(2)])
    result = evaluate(load_pack("jersey_2019"), stream, AS_OF)
    assert (result.account.received, result.account.evaluated) == (2, 1)


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "on"])
def test_booleans_are_only_true_or_false(value: Any) -> None:
    # serious_harm: "yes" and 1 were accepted (lax mode) before.
    stream = parse_events([{**CONCERN, "serious_harm": value}])
    assert not stream.events
    assert "'serious_harm' must be true or false" in stream.rejected[0].reason


def test_a_null_concern_flag_is_not_recorded() -> None:
    # Reader 5 MEDIUM-1: null (like leaving it out) says the record does not know; it is
    # read as unknown, never as false.
    (event,) = parse_events([{**CONCERN, "serious_harm": None}]).events
    assert event.serious_harm is None  # type: ignore[attr-defined]
    assert event.is_unknown("serious_harm")


def test_attribute_values_keep_their_type() -> None:
    record = {**CONCERN, "attributes": {"n": 1, "x": 1.5, "flag": True, "text": "1"}}
    (event,) = parse_events([record]).events
    assert event.attributes == {"n": 1, "x": 1.5, "flag": True, "text": "1"}
    assert [type(v) for v in event.attributes.values()] == [int, float, bool, str]


def test_dates_are_iso_text() -> None:
    base = {
        "type": "professional_difference_raised",
        "child_id": "c",
        "at": GOOD["at"],
        "difference_id": "d",
    }
    stream = parse_events(
        [
            {**base, "id": "ok", "started_on": "2024-05-01"},
            {**base, "id": "unix", "started_on": 1714550400},
            {**base, "id": "basic", "started_on": "20240501"},
        ]
    )
    assert [e.id for e in stream.events] == ["ok"]
    assert all("must be an ISO 8601 date" in r.reason for r in stream.rejected)


def test_duplicate_keys_in_a_json_record_reject_it(tmp_path: Path) -> None:
    # Before: the last "id" won silently.
    path = write(tmp_path, "dup.jsonl", json.dumps(GOOD)[:-1] + ', "id": "e9"}\n')
    assert reasons(path) == {
        f"{path}:1": "duplicate key 'id'; each key may appear once in a record"
    }


def test_a_huge_integer_is_a_clear_rejection(tmp_path: Path) -> None:
    # Before: "line is not valid JSON".
    line = json.dumps(good(1))[:-1] + ', "attributes": {"n": ' + "9" * 5000 + "}}\n"
    path = write(tmp_path, "big.jsonl", line)
    assert reasons(path) == {
        f"{path}:1": "a number has 5,000 digits; numbers in events have at most 20"
    }


def test_nan_and_infinity_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "nan.jsonl", '{"id": "e1", "n": NaN}\n{"id": "e2", "n": 1e999}\n')
    got = reasons(path)
    assert got[f"{path}:1"] == "NaN is not a JSON number; write a number, or text in quotes"
    assert got[f"{path}:2"] == "a number is too large to represent"


def test_a_deeply_nested_line_is_rejected_cleanly(tmp_path: Path) -> None:
    # Before: pydantic rejected it, then the id lookup for the message raised RecursionError.
    deep = "[" * 10_000 + "]" * 10_000
    path = write(
        tmp_path,
        "deep.jsonl",
        f'{{"id": "e1", "attributes": {{"a": {deep}}}}}\n' + json.dumps(good(2)) + "\n",
    )
    stream = load_events(path)
    assert [e.id for e in stream.events] == ["e2"]
    assert stream.rejected[0].where == f"{path}:1"
    assert "nests more than 32 levels deep" in stream.rejected[0].reason


# --- every record stands alone -------------------------------------------------------------------


def yaml_events(n: int, broken: int | None = None) -> str:
    out = []
    for i in range(1, n + 1):
        out.append(
            f"- id: e{i}\n  type: cpn_created\n  child_id: child-1\n"
            f"  at: 2024-05-07T10:00:00+01:00\n"
        )
        out.append("  incident_ref: [unclosed\n" if i == broken else f"  incident_ref: INC-{i}\n")
    return "".join(out)


def test_one_yaml_syntax_error_rejects_one_record(tmp_path: Path) -> None:
    # Before: "1 received, 0 evaluated" for 20 records.
    path = write(tmp_path, "events.yaml", yaml_events(20, broken=7))
    stream = load_events(path)
    assert stream.received == 20
    assert len(stream.events) == 19
    (rejection,) = stream.rejected
    assert rejection.where == f"{path}:31"  # record 7 starts on line 6 * 5 + 1
    assert rejection.reason.startswith("YAML syntax error")


def test_a_syntax_error_the_parser_meets_late_costs_only_its_own_item(tmp_path: Path) -> None:
    # Item 2's bad indentation is only noticed while reading item 3's first line.
    text = (
        yaml_events(1)
        + "- id: e2\n   type: x\n  child_id: c\n"
        + yaml_events(3)[len(yaml_events(2)) :]
    )
    path = write(tmp_path, "late.yaml", text)
    stream = load_events(path)
    assert [e.id for e in stream.events] == ["e1", "e3"]
    assert [r.where for r in stream.rejected] == [f"{path}:6"]


@pytest.mark.parametrize("bad_line", [2, 3])
def test_a_line_of_only_a_control_character_costs_only_that_line(
    tmp_path: Path, bad_line: int
) -> None:
    # Before: the NUL line, read as a stray scalar at the list's column, was reported on the
    # line after it, and the good record before it was rejected with it.
    lines = [f"- {json.dumps(good(i))}" for i in (1, 2, 3)]
    lines[bad_line - 1] = "\x00"
    path = write(tmp_path, "nul.yaml", "\n".join(lines) + "\n")
    stream = load_events(path)
    kept = [f"e{i}" for i in (1, 2, 3) if i != bad_line]
    assert [e.id for e in stream.events] == kept
    assert [(r.where, r.reason) for r in stream.rejected] == [
        (f"{path}:{bad_line}", f"line {bad_line} holds a control character (U+0000)")
    ]


def test_a_yaml_file_larger_than_the_old_pack_limit_is_read_record_by_record(
    tmp_path: Path,
) -> None:
    # Before: 4 MiB was the limit for any YAML, and the whole file was "1 received".
    line = "- {id: e%d, type: mash_enquiry_started, child_id: c, at: '2024-05-07T10:00:00Z'}%s\n"
    pad = " " * 1000  # wide lines keep the number of records (and the parse time) small
    text = "".join(line % (i, pad) for i in range(4500))
    assert len(text) > 4 * 1024 * 1024
    stream = load_events(write(tmp_path, "big.yaml", text))
    assert (stream.received, len(stream.events)) == (4500, 4500)


def test_yaml_documents_and_the_events_mapping(tmp_path: Path) -> None:
    text = (
        "events:\n"
        "  - {id: e1, type: mash_enquiry_started, child_id: c, at: '2024-05-07T10:00:00Z'}\n"
        "  - *nope\n"
        "source: export\n"
        "---\n"
        "{id: e2, type: mash_enquiry_started, child_id: c, at: '2024-05-07T10:00:00Z'}\n"
        "---\n"
        "- {id: e3, type: mash_enquiry_started, child_id: c, at: '2024-05-07T10:00:00Z'}\n"
        "---\n"
        "# nothing\n"
    )
    path = write(tmp_path, "docs.yaml", text)
    stream = load_events(path)
    assert [(e.id, stream.where(i)) for i, e in enumerate(stream.events)] == [
        ("e1", f"{path}:2"),
        ("e2", f"{path}:6"),
        ("e3", f"{path}:8"),
    ]
    assert {r.where: r.reason for r in stream.rejected} == {
        f"{path}:3": "YAML aliases (*name) are not allowed in event files; write the value out",
        f"{path}:4": "top-level key 'source' is not read: an event file holds 'events: [...]' "
        "or a list of events",
    }


def test_yaml_values_follow_the_core_schema_whatever_the_directive(tmp_path: Path) -> None:
    # A %YAML 1.1 document's "yes" is not a boolean here (strict: true/false only).
    text = (
        "%YAML 1.1\n---\n- {id: c1, type: concern_identified, child_id: c, "
        "at: '2024-05-07T10:00:00Z', category: neglect, serious_harm: yes}\n"
    )
    stream = load_events(write(tmp_path, "v11.yaml", text))
    assert "'serious_harm' must be true or false" in stream.rejected[0].reason


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            "  extra: !!python/object:os.system x\n",
            "YAML tag '!!python/object:os.system' is not allowed here",
        ),
        ("  extra: !custom x\n", "YAML tag '!custom' is not allowed"),
        ("  incident_ref: I2\n", "duplicate key 'incident_ref'"),
        ("  ? [a, b]\n  : x\n", "mapping keys must be plain names"),
    ],
)
def test_yaml_records_refuse_tags_duplicates_and_complex_keys(
    tmp_path: Path, snippet: str, expected: str
) -> None:
    text = (
        yaml_events(1)
        + yaml_events(2)[len(yaml_events(1)) :]
        + snippet
        + yaml_events(3)[len(yaml_events(2)) :]
    )
    path = write(tmp_path, "bad.yaml", text)
    stream = load_events(path)
    assert [e.id for e in stream.events] == ["e1", "e3"]
    (rejection,) = stream.rejected
    assert rejection.where == f"{path}:6"
    assert expected in rejection.reason


def test_a_json_array_is_read_element_by_element(tmp_path: Path) -> None:
    # Before: read as JSON Lines, 17 unexplained rejections.
    text = (
        "[\n"
        + ",\n".join(json.dumps(good(i), indent=2) for i in range(3))
        + ",\n  42,\n"
        + '  {"id": "e9", "type": ]\n]\n'
    )
    path = write(tmp_path, "events.json", text)
    stream = load_events(path)
    assert [(e.id, stream.where(i)) for i, e in enumerate(stream.events)] == [
        ("e0", f"{path}:2"),
        ("e1", f"{path}:9"),
        ("e2", f"{path}:16"),
    ]
    assert [(r.where, r.reason.split(":")[0]) for r in stream.rejected] == [
        (f"{path}:23", "the record is not a mapping of event fields"),
        (f"{path}:24", "not valid JSON"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[", "the JSON array is not closed with ']'"),
        ('[{"id": "a"},]', "an empty entry in the array (a stray comma)"),
        ("[] []", "text after the end of the JSON array"),
    ],
)
def test_a_broken_json_array_is_located(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, "broken.json", text)
    assert expected in reasons(path).values()


def test_a_json_file_that_is_not_an_array_is_json_lines(tmp_path: Path) -> None:
    path = jsonl(tmp_path, [good(1), good(2)], name="events.json")
    assert [e.id for e in load_events(path).events] == ["e1", "e2"]


@pytest.mark.parametrize("name", ["e.jsonl", "e.json", "e.yaml"])
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_byte_order_marks_and_every_line_ending(tmp_path: Path, name: str, ending: str) -> None:
    # Before: a BOM made the first JSONL record "not valid JSON"; CR-only endings merged
    # every record into one line.
    records = [good(i) for i in range(1, 4)]
    if name.endswith(".yaml"):
        body = "".join(f"- {json.dumps(r)}{ending}" for r in records)
    elif name.endswith(".json"):
        body = "[" + ending + f",{ending}".join(json.dumps(r) for r in records) + ending + "]"
    else:
        body = "".join(json.dumps(r) + ending for r in records)
    path = write(tmp_path, name, b"\xef\xbb\xbf" + body.encode())
    stream = load_events(path)
    assert not stream.rejected
    first = 2 if name.endswith(".json") else 1
    assert [stream.where(i) for i in range(3)] == [f"{path}:{first + i}" for i in range(3)]


@pytest.mark.parametrize("name", ["e.jsonl", "e.json", "e.yaml", "e.yml"])
@pytest.mark.parametrize("text", ["", "\n\n", "  \r\n"])
def test_empty_files_hold_no_events_in_every_format(tmp_path: Path, name: str, text: str) -> None:
    # Before: an empty .yaml was an error and an empty .jsonl passed.
    stream = load_events(write(tmp_path, name, text))
    assert (stream.received, stream.rejected) == (0, ())


def test_undecodable_lines_are_located_rejections(tmp_path: Path) -> None:
    line = json.dumps(good(2)).replace("INC-1", "INC-\xff").encode("latin-1")
    path = write(tmp_path, "latin1.jsonl", json.dumps(good(1)).encode() + b"\n" + line + b"\n")
    assert reasons(path) == {f"{path}:2": "the record is not UTF-8 text"}
    yaml = yaml_events(3).encode().replace(b"INC-2", b"INC-\xff")
    path = write(tmp_path, "latin1.yaml", yaml)
    stream = load_events(path)
    assert [e.id for e in stream.events] == ["e1", "e3"]
    assert [(r.where, r.reason) for r in stream.rejected] == [
        (f"{path}:6", "line 10 is not UTF-8 text")
    ]


def test_standard_input_is_read_by_its_first_character() -> None:
    lines = (json.dumps(good(1)) + "\n").encode()
    array = json.dumps([good(1), good(2)]).encode()
    yaml = yaml_events(2).encode()
    for data, count in ((lines, 1), (array, 2), (yaml, 2), (b"", 0)):
        stream = read_events(io.BufferedReader(io.BytesIO(data)), "<stdin>")
        assert (len(stream.events), stream.rejected) == (count, ())
        assert stream.where(0) == "<stdin>:1" if count else True


# --- bounded reading ---------------------------------------------------------------------------


def test_an_over_long_line_is_skipped_without_being_held(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "long.jsonl",
        json.dumps(good(1)) + "\n" + "x" * 3000 + "\n" + json.dumps(good(3)) + "\n",
    )
    stream = load_events(path, limits=EventLimits(record_chars=1000))
    assert [(e.id, stream.where(i)) for i, e in enumerate(stream.events)] == [
        ("e1", f"{path}:1"),
        ("e3", f"{path}:3"),
    ]
    assert stream.rejected[0].where == f"{path}:2"
    assert "longer than 1,000 characters" in stream.rejected[0].reason


@pytest.mark.parametrize("name", ["big.json", "big.yaml"])
def test_files_read_whole_are_refused_by_size_before_reading(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with path.open("wb") as handle:  # sparse: a gigabyte on paper, nothing on disk
        handle.write(b"[")
        handle.seek(1 << 30)
        handle.write(b"]")
    stream = load_events(path)
    assert stream.received == 1
    assert stream.rejected[0].where == f"{path}:1"
    assert "larger than 268,435,456 bytes" in stream.rejected[0].reason


def test_a_yaml_record_longer_than_the_limit_is_rejected(tmp_path: Path) -> None:
    text = (
        yaml_events(1)
        + "- {id: e2, x: '"
        + "y" * 2000
        + "'}\n"
        + yaml_events(3)[len(yaml_events(2)) :]
    )
    path = write(tmp_path, "long.yaml", text)
    stream = load_events(path, limits=EventLimits(record_chars=1000))
    assert [e.id for e in stream.events] == ["e1", "e3"]
    assert "longer than 1,000 characters" in stream.rejected[0].reason


def test_yaml_nesting_is_bounded_without_recursion(tmp_path: Path) -> None:
    # Before: ~600 levels raised RecursionError inside the YAML composer.
    text = "- {id: e1, attributes: {a: " + "[" * 5000 + "]" * 5000 + "}}\n" + yaml_events(1)
    stream = load_events(write(tmp_path, "deep.yaml", text))
    assert len(stream.events) == 1
    assert "nests more than 32 levels deep" in stream.rejected[0].reason


# --- rejections made at evaluation name their places --------------------------------------------


def test_duplicate_ids_name_every_place(tmp_path: Path) -> None:
    first = jsonl(tmp_path, [good(1), good(2), good(1, at="2024-05-08T10:00:00+01:00")], "a.jsonl")
    second = write(tmp_path, "b.yaml", f"- {json.dumps(good(1))}\n")
    from safeguard_rules._stream import EventStream

    stream = EventStream.join([load_events(first), load_events(second)])
    result = evaluate(load_pack("jersey_2019"), stream, AS_OF)
    assert result.account.evaluated == 1
    places = f"{first}:1, {first}:3, {second}:1"
    assert [(r.where, r.reason) for r in result.account.rejected] == [
        (
            where,
            f"duplicate event id: 3 events share it ({places}), so none of them is "
            "evaluated; give each event its own id",
        )
        for where in (f"{first}:1", f"{first}:3", f"{second}:1")
    ]


def test_events_after_as_of_name_their_place(tmp_path: Path) -> None:
    path = jsonl(tmp_path, [good(1), good(2, at="2024-07-01T10:00:00+01:00")])
    result = evaluate(load_pack("jersey_2019"), load_events(path), AS_OF)
    assert [(r.where, r.event_id, r.reason) for r in result.account.rejected] == [
        (f"{path}:2", "e2", "dated after as_of, so not yet evaluated")
    ]


def test_rejections_are_listed_in_line_order(tmp_path: Path) -> None:
    path = jsonl(tmp_path, [{"bad": i} for i in range(12)])
    result = evaluate(load_pack("jersey_2019"), load_events(path), AS_OF)
    assert [r.where for r in result.account.rejected] == [f"{path}:{i}" for i in range(1, 13)]


def test_as_of_outside_the_event_years_is_refused() -> None:
    # Before: OverflowError from the as_of comparison.
    with pytest.raises(ValueError, match="years 1901 to 2199"):
        evaluate(
            load_pack("jersey_2019"), [], datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
        )
