"""``EventStream.child_ids``: the distinct children of a stream's events, sorted.

The same answer however the stream was made: read in bulk (from the column of child ids
the loader keeps), read line by line, parsed from records, built by hand or joined. Records that
were rejected name no child of the stream.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path

from helpers import ev, ev_on

from safeguard_rules import EventStream, load_events, load_mapping, parse_events
from safeguard_rules._event_columns import of_stream

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "shared_bench"


def _cpn(i: int, child: str) -> dict[str, object]:
    """A CPN record of about 200 characters, so a few hundred span several bulk blocks."""
    return {
        "id": f"e-{i:04d}",
        "type": "cpn_created",
        "child_id": child,
        "at": f"2015-06-01T{i % 24:02d}:00:00+01:00",
        "incident_ref": "x" * 120,
    }


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_a_stream_made_by_hand_lists_each_child_once_in_code_point_order() -> None:
    # Sorted as strings ("c-10" before "c-9", capitals before small letters), as evaluate
    # orders children.
    events = (
        ev("cpn_created", "2024-05-07T10:00:00+01:00", child="c-9", incident_ref="A"),
        ev("cpn_created", "2024-05-07T11:00:00+01:00", child="c-10", incident_ref="B"),
        ev_on("cpn_created", "2024-05-06", child="c-9", incident_ref="C"),
        ev("cpn_created", "2024-05-07T12:00:00+01:00", child="C-10", incident_ref="D"),
    )
    stream = EventStream(events)
    assert stream.child_ids == ("C-10", "c-10", "c-9")
    assert stream.child_ids is stream.child_ids  # kept after the first reading
    assert EventStream(()).child_ids == ()


def test_rejected_records_name_no_child() -> None:
    records = [
        {**_cpn(1, "c-1"), "at": "2015-06-01T10:00:00+01:00"},
        {**_cpn(2, "c-only-rejected"), "incident_ref": None},  # a required field null
        {"id": "e-3", "type": "no_such_type", "child_id": "c-unknown-type"},
        {**_cpn(4, "c-2"), "at": "2015-06-01T11:00:00+01:00"},
    ]
    stream = parse_events(records)
    assert len(stream.rejected) == 2
    assert stream.child_ids == ("c-1", "c-2")


def test_a_file_read_in_bulk_gives_the_children_of_its_kept_column(tmp_path: Path) -> None:
    # 900 records over several blocks, children c-0 .. c-6 (i % 7), each block taken whole:
    # the children come from the column of child ids the loader kept, and agree with the
    # same events in a stream made by hand (which reads its events).
    path = _write(tmp_path / "e.jsonl", [_cpn(i, f"c-{i % 7}") for i in range(900)])
    stream = load_events(path)
    assert not stream.rejected and len(stream.events) == 900
    kept = of_stream(stream, stream.events)
    assert kept is not None and len(kept.child_ids) == 900
    expected = ("c-0", "c-1", "c-2", "c-3", "c-4", "c-5", "c-6")
    assert stream.child_ids == expected
    assert EventStream(stream.events).child_ids == expected


def test_a_file_read_line_by_line_and_one_with_a_rejected_line(tmp_path: Path) -> None:
    # A backslash sends its block the long way (no columns kept); a line that is not an
    # event is rejected, and its child is not counted.
    records = [_cpn(i, f"c-{i % 3}") for i in range(600)]
    records[10] = {**records[10], "incident_ref": "a\\b"}
    records[500] = {**records[500], "child_id": "c-rejected", "at": "not a time"}
    stream = load_events(_write(tmp_path / "e.jsonl", records))
    assert len(stream.events) == 599 and len(stream.rejected) == 1
    assert of_stream(stream, stream.events) is None
    assert stream.child_ids == ("c-0", "c-1", "c-2")


def test_a_mapped_file_counts_the_children_of_the_mapped_records(tmp_path: Path) -> None:
    # The shared benchmark's record shape and mapping: 400 incidents, children C00000 ..
    # C00012 (i % 13), read in mapped bulk blocks.
    records = [
        {
            "event_id": f"E{i:07d}",
            "child_id": f"C{i % 13:05d}",
            "type": "police_incident",
            "timestamp": f"2019-01-01T{i % 24:02d}:00:00+00:00",
            "tz": "Europe/London",
        }
        for i in range(400)
    ]
    path = _write(tmp_path / "bench.jsonl", records)
    stream = load_events(path, mapping=load_mapping(BENCH / "shared_bench.mapping.yaml"))
    assert not stream.rejected and len(stream.events) == 400
    assert of_stream(stream, stream.events) is not None
    assert stream.child_ids == tuple(f"C{n:05d}" for n in range(13))


def test_a_joined_stream_lists_the_children_of_all_its_parts(tmp_path: Path) -> None:
    loaded = load_events(_write(tmp_path / "a.jsonl", [_cpn(i, f"c-{i % 2}") for i in range(500)]))
    parsed = parse_events([{**_cpn(600, "c-1"), "id": "p-1"}, {**_cpn(601, "b-5"), "id": "p-2"}])
    by_hand = EventStream(
        (ev("cpn_created", "2024-05-07T10:00:00+01:00", child="z", incident_ref="A"),)
    )
    assert loaded.child_ids == ("c-0", "c-1")  # asked before the join: parts keep theirs
    joined = EventStream.join([loaded, parsed, by_hand])
    assert joined.child_ids == ("b-5", "c-0", "c-1", "z")
    assert loaded.child_ids == ("c-0", "c-1") and parsed.child_ids == ("b-5", "c-1")


def test_equality_repr_replace_and_pickle_are_unchanged_by_asking(tmp_path: Path) -> None:
    stream = load_events(_write(tmp_path / "e.jsonl", [_cpn(i, f"c-{i % 4}") for i in range(400)]))
    fresh = EventStream(stream.events, stream.rejected, stream.source)
    before = repr(stream)
    assert stream.child_ids == ("c-0", "c-1", "c-2", "c-3")
    assert repr(stream) == before == repr(fresh) and stream == fresh
    # Another stream made from it (dataclasses.replace) reads its own events.
    fewer = dataclasses.replace(stream, events=stream.events[:2])
    assert fewer.child_ids == ("c-0", "c-1")
    again = pickle.loads(pickle.dumps(stream))
    assert again == stream and again.child_ids == ("c-0", "c-1", "c-2", "c-3")
