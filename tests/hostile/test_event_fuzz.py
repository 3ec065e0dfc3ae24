"""Fuzzing the JSON Lines, JSON array and YAML event readers (issue 8, event side).

Random bytes, and valid streams with random damage (bytes inserted, deleted or replaced,
lines duplicated). Whatever the input, reading never raises; every rejection names the
file and a line the file has; the same bytes give the same stream; and, for line-based
streams, a record on a line the damage did not touch is still read.

The budget is fixed and the examples derandomized (no database), so CI runs the same
examples every time.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import event_records

from safeguard_rules._stream import EventStream, read_events

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
WHERE = re.compile(r"^input\.\w+:(\d+)$")


def read(data: bytes, fmt: str) -> EventStream:
    return read_events(io.BufferedReader(io.BytesIO(data)), f"input.{fmt}", format=fmt)  # type: ignore[arg-type]


def lines_of(data: bytes) -> int:
    """Lines as the readers count them: \\n, \\r\\n or a lone \\r end one."""
    text = data.decode("utf-8", errors="surrogateescape").replace("\r\n", "\n").replace("\r", "\n")
    return text.count("\n") + 1


def check_stream(data: bytes, fmt: str) -> EventStream:
    stream = read(data, fmt)
    last = lines_of(data)
    for rejection in stream.rejected:
        match = WHERE.match(rejection.where or "")
        assert match, rejection
        assert 1 <= int(match.group(1)) <= last, (rejection, last)
        assert rejection.reason
    for i in range(len(stream.events)):
        match = WHERE.match(stream.where(i) or "")
        assert match and 1 <= int(match.group(1)) <= last
    again = read(data, fmt)
    assert (again.events, again.rejected) == (stream.events, stream.rejected)
    return stream


# --- random bytes ------------------------------------------------------------------------------

JSONISH = st.sampled_from(
    [*b'{}[]",:\\ \n\r\t0123456789-+.eEtrufalsn', 0, 0x1B, 0xEF, 0xBB, 0xFF, 0xC3]
)
YAMLISH = st.sampled_from(
    [*b"-:{}[]#&*!|>'\"%@` \n\r\t?,.0123456789abcdeyno", 0, 0x1B, 0xC2, 0x85, 0xFF]
)


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), st.lists(JSONISH, max_size=400).map(bytes)))
def test_json_lines_reader_survives_any_bytes(data: bytes) -> None:
    stream = check_stream(data, "jsonl")
    nonblank = [line for line in re.split(rb"\r\n|\r|\n", data) if line.strip(b" \t")]
    assert stream.received <= len(nonblank)


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), st.lists(JSONISH, max_size=400).map(bytes)))
def test_json_array_reader_survives_any_bytes(data: bytes) -> None:
    check_stream(b"[" + data, "json")


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.lists(YAMLISH, max_size=300).map(bytes)))
def test_yaml_reader_survives_any_bytes(data: bytes) -> None:
    check_stream(data, "yaml")


# --- valid streams, damaged ------------------------------------------------------------------------


def damage(draw: st.DrawFn, lines: list[bytes]) -> tuple[list[bytes], set[int]]:
    """``lines`` with a few of them spoilt; also which (0-based) lines were touched."""
    lines = list(lines)
    touched: set[int] = set()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        at = draw(st.integers(0, len(line)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        junk = draw(
            st.binary(min_size=1, max_size=4).filter(lambda b: b"\n" not in b and b"\r" not in b)
        )
        if kind == "insert":
            line = line[:at] + junk + line[at:]
        elif kind == "delete":
            line = line[:at] + line[at + len(junk) :]
        elif kind == "replace":
            line = line[:at] + junk + line[at + len(junk) :]
        else:
            line = line[:at]
        lines[i] = line
        touched.add(i)
    return lines, touched


@st.composite
def damaged_json_lines(draw: st.DrawFn) -> tuple[bytes, set[int], list[dict[str, Any]]]:
    records = draw(event_records(max_events=12))
    lines, touched = damage(draw, [json.dumps(r).encode() for r in records])
    return b"\n".join(lines) + b"\n", touched, records


@FUZZ
@given(case=damaged_json_lines())
def test_damaged_json_lines_lose_only_the_damaged_lines(
    case: tuple[bytes, set[int], list[dict[str, Any]]],
) -> None:
    data, touched, records = case
    stream = check_stream(data, "jsonl")
    nonblank = [i for i, line in enumerate(data.split(b"\n")[:-1]) if line.strip(b" \t")]
    assert stream.received == len(nonblank)  # one record a line, each accounted for
    read_ids = {e.id for e in stream.events}
    for i, record in enumerate(records):
        if i not in touched:
            assert record["id"] in read_ids, (i, record["id"])


@st.composite
def damaged_yaml(draw: st.DrawFn) -> tuple[bytes, set[int], list[dict[str, Any]]]:
    records = draw(event_records(max_events=8))
    block = draw(st.booleans())
    if block:  # each record a block mapping; damage any of its lines
        chunks = []
        for r in records:
            body = [f"  {k}: {json.dumps(v)}" for k, v in r.items()]
            chunks.append(("- " + "\n".join(body)[2:]).encode())
        lines, touched = damage(draw, chunks)
    else:  # each record one flow mapping on its line
        lines, touched = damage(draw, [b"- " + json.dumps(r).encode() for r in records])
    return b"\n".join(lines) + b"\n", touched, records


@FUZZ
@given(case=damaged_yaml())
def test_damaged_yaml_loses_only_the_damaged_items(
    case: tuple[bytes, set[int], list[dict[str, Any]]],
) -> None:
    data, touched, records = case
    stream = check_stream(data, "yaml")
    read_ids = {e.id for e in stream.events}
    for i, record in enumerate(records):
        if i not in touched:
            assert record["id"] in read_ids, (i, record["id"], data.decode(errors="replace"))


@st.composite
def damaged_json_arrays(draw: st.DrawFn) -> bytes:
    records = draw(event_records(max_events=8))
    lines, _touched = damage(draw, [json.dumps(r).encode() for r in records])
    return b"[\n" + b",\n".join(lines) + b"\n]\n"


@FUZZ
@given(data=damaged_json_arrays())
def test_damaged_json_arrays_are_read_without_error(data: bytes) -> None:
    check_stream(data, "json")
