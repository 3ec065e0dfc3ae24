"""Streaming evaluation: one child at a time, the same answer as in memory, byte for byte.

The generated streams come from benchmarks/generate.py (invented ids only); the in-memory
``evaluate`` is the reference every streamed result is compared with.
"""

from __future__ import annotations

import importlib.util
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from safeguard_rules import (
    BaseEvent,
    LocatedEvent,
    NotGroupedError,
    Rejection,
    evaluate,
    evaluate_stream,
    load_events,
    load_pack,
    merge_evaluations,
    parse_events,
    read_events_lazily,
    sort_events_by_child,
)
from safeguard_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)
AS_OF_TEXT = "2026-01-01T00:00:00+00:00"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "bench_generate", ROOT / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,500 generated events, children interleaved in time order as in an export."""
    path = tmp_path_factory.mktemp("stream") / "events.jsonl"
    _generator().write(1500, 7, path)
    return path


@pytest.fixture(scope="module")
def grouped(generated: Path) -> Path:
    path = generated.with_name("grouped.jsonl")
    with path.open("wb") as out:
        summary = sort_events_by_child([generated], out)
    assert summary.lines == 1500 and summary.unkeyed == 0
    return path


def test_the_generated_export_interleaves_children(generated: Path) -> None:
    children = [json.loads(line)["child_id"] for line in generated.read_text().splitlines()]
    runs = sum(1 for i, c in enumerate(children) if i == 0 or c != children[i - 1])
    assert runs > 3 * len(set(children))  # so sorting it is a real test


@pytest.mark.parametrize("pack_name", ["jersey_2024", "wtsc_2015"])
def test_streamed_parts_merge_to_the_in_memory_evaluation(grouped: Path, pack_name: str) -> None:
    pack = load_pack(pack_name)
    in_memory = evaluate(pack, load_events(grouped), AS_OF)
    parts = list(evaluate_stream(pack, read_events_lazily([grouped]), AS_OF))
    children = {json.loads(line)["child_id"] for line in grouped.read_text().splitlines()}
    assert len(parts) == len(children)  # one part per child
    for part in parts:
        assert (
            len({o.child_id for o in part.obligations} | {f.child_id for f in part.findings}) <= 1
        )
    merged = merge_evaluations(parts)
    assert in_memory.obligations  # the comparison is about something
    assert merged.to_json() == in_memory.to_json()
    # parts in any order merge to the same
    assert merge_evaluations(reversed(parts)).to_json() == in_memory.to_json()


def test_sorting_keeps_every_line_and_each_childs_order(generated: Path, grouped: Path) -> None:
    before = generated.read_text().splitlines()
    after = grouped.read_text().splitlines()
    assert sorted(before) == sorted(after)
    children = [json.loads(line)["child_id"] for line in after]
    assert children == sorted(children)
    for child in set(children):
        mine = [line for line in before if json.loads(line)["child_id"] == child]
        assert [line for line in after if json.loads(line)["child_id"] == child] == mine


def test_sorting_in_runs_on_disk_gives_the_same_file(generated: Path, grouped: Path) -> None:
    out = io.BytesIO()
    summary = sort_events_by_child([generated], out, buffer_bytes=20_000)
    assert summary.runs > 5
    assert out.getvalue() == grouped.read_bytes()


def test_rejections_duplicates_and_future_events_are_accounted_as_in_memory(tmp_path: Path) -> None:
    def cpn(eid: str, child: str, at: str) -> str:
        return json.dumps(
            {"id": eid, "type": "cpn_created", "child_id": child, "at": at, "incident_ref": "INC-1"}
        )

    lines = [
        cpn("a1", "child-a", "2024-05-01T10:00:00+01:00"),
        "{not json",
        cpn("a2", "child-a", "2024-05-02T10:00:00+01:00"),
        cpn("a1", "child-a", "2024-05-03T10:00:00+01:00"),  # the same id again, same child
        cpn("a3", "child-a", "2027-01-01T10:00:00+00:00"),  # after as_of
        json.dumps(
            {"id": "b0", "type": "cpn_created", "child_id": "child-b", "at": "2024-05-01T10:00:00"}
        ),  # no offset
        cpn("b1", "child-b", "2024-05-01T10:00:00+01:00"),
        cpn("b2", "child-b", "2024-05-04T10:00:00+01:00"),
        "[1, 2]",
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pack = load_pack("jersey_2024")
    in_memory = evaluate(pack, load_events(path), AS_OF)
    parts = list(evaluate_stream(pack, read_events_lazily([path]), AS_OF))
    merged = merge_evaluations(parts)
    assert merged.to_json() == in_memory.to_json()
    account = merged.account
    assert (account.received, account.evaluated) == (9, 3)
    assert {r.where for r in account.rejected} == {f"{path}:{n}" for n in (1, 2, 4, 5, 6, 9)}
    (duplicate,) = [r for r in account.rejected if r.where == f"{path}:1"]
    assert duplicate.reason.startswith(
        f"duplicate event id: 2 events share it ({path}:1, {path}:4)"
    )
    # records rejected before child-b's first event (b0 has no offset, so it is not yet
    # child-b's) belong to child-a's stretch of the input; "[1, 2]" to child-b's
    assert [p.account.received for p in parts] == [6, 3]


def test_typed_events_without_places_stream_too() -> None:
    records = [
        {
            "id": f"e{i}",
            "type": "cpn_created",
            "child_id": child,
            "at": f"2024-05-0{i}T10:00:00Z",
            "incident_ref": "I",
        }
        for i, child in enumerate(["c1", "c1", "c2", "c2", "c2"], start=1)
    ]
    events = parse_events(records).events
    pack = load_pack("jersey_2024")
    merged = merge_evaluations(evaluate_stream(pack, events, AS_OF))
    assert merged.to_json() == evaluate(pack, events, AS_OF).to_json()


def test_a_child_that_comes_back_is_an_error_naming_its_place(generated: Path) -> None:
    pack = load_pack("jersey_2024")
    with pytest.raises(NotGroupedError) as caught:
        list(evaluate_stream(pack, read_events_lazily([generated]), AS_OF))
    assert caught.value.where is not None and caught.value.where.startswith(f"{generated}:")
    line = int(caught.value.where.rsplit(":", 1)[1])
    record = json.loads(generated.read_text().splitlines()[line - 1])
    assert record["child_id"] == caught.value.child_id
    assert "sort-events" in str(caught.value)


def test_each_child_is_yielded_before_the_next_child_is_read_past_its_first_event() -> None:
    read: list[str] = []

    def source() -> Iterator[BaseEvent | LocatedEvent | Rejection]:
        for child, days in (("c1", (1, 2, 3)), ("c2", (1, 2)), ("c3", (5,))):
            for day in days:
                read.append(f"{child}/{day}")
                (event,) = parse_events(
                    [
                        {
                            "id": f"{child}-{day}",
                            "type": "cpn_created",
                            "child_id": child,
                            "at": f"2024-05-0{day}T10:00:00Z",
                            "incident_ref": "I",
                        }
                    ]
                ).events
                yield event

    parts = evaluate_stream(load_pack("jersey_2024"), source(), AS_OF)
    first = next(parts)
    assert first.account.received == 3
    assert read == ["c1/1", "c1/2", "c1/3", "c2/1"]  # one event of the next child, no more
    next(parts)
    assert read[-1] == "c3/5"


def test_merging_refuses_parts_that_share_a_child_or_differ_in_as_of(grouped: Path) -> None:
    pack = load_pack("jersey_2024")
    events = load_events(grouped).events
    child = events[0].child_id
    mine = [e for e in events if e.child_id == child]
    whole = evaluate(pack, mine, AS_OF)
    assert whole.obligations
    with pytest.raises(ValueError, match="has results in two"):
        merge_evaluations([whole, whole])
    with pytest.raises(ValueError, match="different packs or as_of"):
        merge_evaluations([whole, evaluate(pack, [], datetime(2025, 1, 1, tzinfo=UTC))])


# --- the command line ------------------------------------------------------------------------


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_cli_stream_json_is_byte_identical_to_the_in_memory_run(
    grouped: Path, generated: Path
) -> None:
    common = ["evaluate", "--pack", "jersey_2024", "--as-of", AS_OF_TEXT, "--format", "json"]
    in_memory = _run(*common, str(grouped))
    streamed = _run(*common, "--stream", str(grouped))
    assert in_memory.exit_code == streamed.exit_code == 0
    assert streamed.stdout_bytes == in_memory.stdout_bytes
    # the unsorted export gives the same document in memory: sort-events changed no answer
    assert _run(*common, str(generated)).stdout_bytes == in_memory.stdout_bytes


def test_cli_stream_jsonl_writes_every_result_and_the_account(grouped: Path) -> None:
    result = _run(
        "evaluate", "--pack", "jersey_2024", "--as-of", AS_OF_TEXT, "--stream", str(grouped)
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    reference = evaluate(load_pack("jersey_2024"), load_events(grouped), AS_OF)
    assert [r["id"] for r in rows if r["record"] == "obligation"] == [
        o.id for o in reference.obligations
    ]
    assert sum(r["record"] == "finding" for r in rows) == len(reference.findings)
    assert rows[-1]["record"] == "account"
    assert (rows[-1]["received"], rows[-1]["evaluated"], rows[-1]["rejected"]) == (1500, 1500, 0)


def test_cli_stream_on_ungrouped_input_fails_clearly(generated: Path) -> None:
    result = _run(
        "evaluate",
        "--pack",
        "jersey_2024",
        "--as-of",
        AS_OF_TEXT,
        "--format",
        "json",
        "--stream",
        str(generated),
    )
    assert result.exit_code == 1
    assert result.stdout == ""  # the JSON document is written only once it is complete
    assert "appears again after other children's events" in result.stderr
    assert "sort-events" in result.stderr


def test_cli_sort_events_then_stream(tmp_path: Path, generated: Path, grouped: Path) -> None:
    out = tmp_path / "sorted.jsonl"
    result = _run("sort-events", str(generated), "-o", str(out), "--buffer-mib", "1")
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == grouped.read_bytes()
    assert "sorted 1,500 lines" in result.stderr
    refused = _run("sort-events", str(generated), "-o", str(generated))
    assert refused.exit_code == 2 and "must not be one of the input files" in refused.stderr


def test_cli_mapping_reads_the_shared_benchmark_format(tmp_path: Path) -> None:
    records = [
        {
            "event_id": "E1",
            "child_id": "C1",
            "type": "police_incident",
            "timestamp": "2024-05-07T10:00:00+01:00",
            "tz": "Europe/London",
        },
        {
            "event_id": "E2",
            "child_id": "C1",
            "type": "strategy_meeting_held",
            "timestamp": "2024-05-08T10:00:00+01:00",
            "tz": "Europe/London",
        },
    ]
    path = tmp_path / "bench.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    bench = ROOT / "benchmarks" / "shared_bench"
    args = [
        "evaluate",
        "--pack",
        str(bench / "shared_bench.yaml"),
        "--as-of",
        AS_OF_TEXT,
        "--format",
        "json",
    ]
    mapped = _run(*args, "--mapping", str(bench / "shared_bench.mapping.yaml"), str(path))
    assert mapped.exit_code == 0, mapped.output
    assert json.loads(mapped.stdout)["account"] == {
        "received": 2,
        "evaluated": 2,
        "rejected": [],
        "cannot_evaluate": 0,
    }
    unmapped = _run(*args, str(path))
    assert unmapped.exit_code == 1 and "unknown event type 'police_incident'" in unmapped.stderr
