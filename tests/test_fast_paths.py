"""The speed work's shortcuts give the same answers as the long way round.

Speed itself is measured by benchmarks/ (never here); these tests check that pausing the
garbage collector leaves the caller's setting as it was, that the shortened JSON decode
returns what the decoder returns, and that comparing event times with as_of without
converting them still compares instants in the repeated autumn hour.
"""

from __future__ import annotations

import gc
import json
import random
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from helpers import ev, ev_on, minimal_pack, recorded_false
from report_helpers import write_children_stream

from safeguard_rules import (
    EventStream,
    bundled_packs,
    evaluate,
    load_events,
    load_pack,
    parse_events,
)
from safeguard_rules import _evaluate as evaluate_module
from safeguard_rules._case import FOLD_BY_TYPE, folds_needed
from safeguard_rules._evaluate import _COLUMNS, _columns
from safeguard_rules._event_columns import ColumnsBuilder, of_stream
from safeguard_rules._event_files import _DECODER, _decode, _RecordError
from safeguard_rules._events import BaseEvent
from safeguard_rules._gc import FREEZE_ABOVE, collector_paused
from safeguard_rules._loading import compile_text
from safeguard_rules._pack import DeadlineBasis
from safeguard_rules._result import Severity, Status

LONDON = ZoneInfo("Europe/London")
_SHARED_BENCH = (
    Path(__file__).resolve().parent.parent / "benchmarks" / "shared_bench" / "shared_bench.yaml"
)


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_and_evaluating_leave_the_collector_as_they_found_it(
    enabled: bool, tmp_path: object
) -> None:
    path = tmp_path / "e.jsonl"  # type: ignore[operator]
    path.write_text(
        '{"id": "e1", "type": "cpn_created", "child_id": "c1", '
        '"at": "2024-05-07T10:00:00+01:00", "incident_ref": "A"}\n'
    )
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        stream = load_events(path)
        assert gc.isenabled() is enabled
        parse_events([{"id": "x"}])
        assert gc.isenabled() is enabled
        evaluate(
            load_pack("jersey_2019"), stream, datetime.fromisoformat("2024-06-01T00:00:00+01:00")
        )
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def _fail_while_paused() -> None:
    with collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("inside")


def test_the_collector_comes_back_after_an_exception() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="inside"):
        _fail_while_paused()
    assert gc.isenabled()


def test_only_a_large_build_freezes_what_it_made() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with collector_paused():
        small = [[i] for i in range(1_000)]
    assert gc.get_freeze_count() == frozen
    try:
        with collector_paused():
            large = [[i] for i in range(FREEZE_ABOVE + 10_000)]
        # The lists built (and everything else alive) moved to the permanent generation.
        assert gc.get_freeze_count() >= frozen + FREEZE_ABOVE + 10_000
    finally:
        gc.unfreeze()
    assert len(small) + len(large) == FREEZE_ABOVE + 11_000


@pytest.mark.parametrize(
    "text",
    [
        '{"id": "e1", "n": [1, 2.5, true, null]}',
        '{"a": "b"}',
        '{"a": 1} {"b": 2}',  # extra data after the value
        '{"a": 1}x',
        ' {"a": 1}',  # leading whitespace: the decoder skips it
        "nul",
        '{"a": }',
        '"text"',
        "[1, 2",
    ],
)
def test_the_short_decode_answers_as_the_decoder_does(text: str) -> None:
    try:
        expected: object = ("value", _DECODER.decode(text))
    except json.JSONDecodeError as exc:
        expected = ("error", exc.msg, exc.pos)
    try:
        got: object = ("value", _decode(text))
    except json.JSONDecodeError as exc:
        got = ("error", exc.msg, exc.pos)
    assert got == expected


def test_as_of_compares_instants_in_the_repeated_autumn_hour() -> None:
    # 27 October 2024, London: clocks go back at 02:00 BST to 01:00 GMT, so 01:30 happens
    # twice. as_of is the first 01:45 (BST, 00:45 UTC). The event is at the second 01:30
    # (GMT, fold=1, 01:30 UTC): 45 minutes *after* as_of, although its wall clock reads
    # earlier. It must be rejected as dated after as_of, not evaluated.
    as_of = datetime(2024, 10, 27, 1, 45, tzinfo=LONDON)
    later = datetime(2024, 10, 27, 1, 30, fold=1, tzinfo=LONDON)
    earlier = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON)  # the first 01:30, 00:30 UTC
    events = [
        ev("cpn_created", "2024-10-26T10:00:00+01:00", id="before", incident_ref="A"),
        ev("cpn_created", later.isoformat(), id="second-0130", incident_ref="B").model_copy(
            update={"at": later}
        ),
        ev("cpn_created", earlier.isoformat(), id="first-0130", incident_ref="C").model_copy(
            update={"at": earlier}
        ),
    ]
    result = evaluate(load_pack("jersey_2019"), events, as_of)
    assert result.account.evaluated == 2
    assert [(r.event_id, r.reason) for r in result.account.rejected] == [
        ("second-0130", "dated after as_of, so not yet evaluated")
    ]


@pytest.mark.parametrize("shared_zone", [False, True])
def test_as_of_compares_instants_with_times_of_one_offset(shared_zone: bool) -> None:
    # Every time at +01:00, as_of at 10:00 UTC: 10:30+01:00 is 09:30 UTC (before as_of, so
    # evaluated) although its wall clock reads later than as_of's; 11:30+01:00 is 10:30 UTC
    # (after, so rejected). Times read from text each have a zone object of their own (put
    # in UTC to be compared); times sharing one zone object are compared with as_of in it.
    one_hour = timezone(timedelta(hours=1))
    events = [
        ev("cpn_created", "2024-05-07T10:30:00+01:00", id="before", incident_ref="A"),
        ev("cpn_created", "2024-05-07T11:30:00+01:00", id="after", incident_ref="B"),
    ]
    if shared_zone:
        events = [
            e.model_copy(update={"at": e.at.replace(tzinfo=one_hour)})  # type: ignore[union-attr]
            for e in events
        ]
    assert (events[0].at.tzinfo is events[1].at.tzinfo) is shared_zone  # type: ignore[union-attr]
    result = evaluate(load_pack("jersey_2019"), events, datetime(2024, 5, 7, 10, tzinfo=UTC))
    assert result.account.evaluated == 1
    assert [(r.event_id, r.reason) for r in result.account.rejected] == [
        ("after", "dated after as_of, so not yet evaluated")
    ]


def test_event_columns_are_the_events_attributes() -> None:
    # _accept reads ids, times, unknown lists, types and child ids from each event's field
    # values; an object that keeps no __dict__ is read attribute by attribute instead.
    events = (
        ev("cpn_created", "2024-05-07T10:30:00+01:00", id="a", child="c-1", incident_ref="A"),
        ev_on("cpn_created", "2024-05-06", id="b", child="c-2", incident_ref="B"),
    )
    expected = [[getattr(e, name) for e in events] for name in _COLUMNS]
    values, columns = _columns(events)
    assert columns == expected and values == [e.__dict__ for e in events]

    class Slotted:
        __slots__ = _COLUMNS

        def __init__(self, event: object) -> None:
            for name in _COLUMNS:
                setattr(self, name, getattr(event, name))

    values, columns = _columns(tuple(Slotted(e) for e in events))  # type: ignore[arg-type]
    assert values is None and columns == expected


def _link_file(path: Path) -> None:
    """JSON Lines over three blocks of bulk reading (BLOCK_CHARS each): filler CPN records,
    and in the second and third blocks events whose links hold or not."""
    filler = [
        json.dumps(
            {
                "id": f"f-{i:04d}",
                "type": "cpn_created",
                "child_id": f"c-{i % 7}",
                "at": f"2015-06-01T{i % 24:02d}:00:00+01:00",
                "incident_ref": f"inc-{i:04d}-" + "x" * 150,
            }
        )
        for i in range(900)
    ]
    linked = [
        {"id": "r-1", "type": "referral_received", "child_id": "c-1"},
        # names r-1 of its child, earlier: holds
        {"id": "k-1", "type": "concern_identified", "child_id": "c-1", "referral_ref": "r-1"},
        # names no event at all
        {"id": "k-2", "type": "concern_identified", "child_id": "c-1", "referral_ref": "r-9"},
        # names a concern of another child
        {"id": "m-1", "type": "strategy_meeting_held", "child_id": "c-2", "concern_ref": "k-1"},
        # names a later concern
        {"id": "m-2", "type": "strategy_meeting_held", "child_id": "c-1", "concern_ref": "k-3"},
        {"id": "k-3", "type": "concern_identified", "child_id": "c-1"},
        # names an event of the wrong type
        {"id": "m-3", "type": "strategy_meeting_held", "child_id": "c-1", "concern_ref": "r-1"},
        # the link fields given as null: no link
        {"id": "m-4", "type": "strategy_meeting_held", "child_id": "c-1", "concern_ref": None},
    ]
    extra = {
        "concern_identified": {"category": "neglect"},
        "strategy_meeting_held": {"chair_role": "x"},
    }
    records = [
        json.dumps({**r, "at": f"2015-06-02T1{n}:00:00+01:00", **extra.get(r["type"], {})})
        for n, r in enumerate(linked)
    ]
    lines = filler[:400] + records[:4] + filler[400:800] + records[4:] + filler[800:]
    path.write_text("\n".join(lines) + "\n")


def test_a_loaded_stream_keeps_the_columns_evaluate_reads_and_links_are_checked_alike(
    tmp_path: Path,
) -> None:
    # load_events reads each bulk block's ids, times, unknown lists, types, child ids and
    # link-giving events while the block is new (_event_columns); evaluate takes them for
    # that stream only. Its rejections and results equal those of the same events in a
    # stream without them (the events read again by evaluate).
    path = tmp_path / "links.jsonl"
    _link_file(path)
    stream = load_events(path)
    assert not stream.rejected and len(stream.events) == 908
    assert stream.events[400].id == "r-1" and stream.events[804].id == "m-2"  # two blocks on
    kept = of_stream(stream, stream.events)
    assert kept is not None
    columns = [kept.ids, kept.times, kept.kinds, kept.child_ids]
    named = ("id", "at", "type", "child_id")
    assert columns == [[getattr(e, name) for e in stream.events] for name in named]
    # The concerns leave flags unrecorded; "r-1" sorts before "f-0399" (the id before it).
    assert kept.unknown and any(e.unknown for e in stream.events) and not kept.ids_ascend
    assert [stream.events[i].id for i in kept.giving] == ["k-1", "k-2", "m-1", "m-2", "m-3"]

    same = EventStream(stream.events, stream.rejected, stream.source, stream.origins)
    assert of_stream(same, same.events) is None  # another stream: no columns
    as_of = datetime(2015, 7, 1, tzinfo=UTC)
    pack = load_pack("wtsc_2015")
    with_columns = evaluate(pack, stream, as_of)
    without = evaluate(pack, same, as_of)
    assert with_columns.to_json() == without.to_json()
    assert sorted((r.event_id, r.where) for r in with_columns.account.rejected) == [
        ("k-2", f"{path}:403"),
        ("m-1", f"{path}:404"),
        ("m-2", f"{path}:805"),
        ("m-3", f"{path}:807"),
    ]


def test_a_stream_read_partly_line_by_line_has_no_columns(tmp_path: Path) -> None:
    # A line with a backslash is read on its own (the bulk path does not take its block):
    # the stream keeps no columns and evaluate reads the events itself.
    path = tmp_path / "links.jsonl"
    _link_file(path)
    text = path.read_text().replace('"neglect"', '"negl\\u0065ct"', 1)
    path.write_text(text)
    stream = load_events(path)
    assert not stream.rejected and len(stream.events) == 908
    assert of_stream(stream, stream.events) is None
    records = parse_events(
        [{"id": "r", "type": "referral_received", "child_id": "c", "on": "2015-06-01"}]
    )
    assert len(records.events) == 1 and of_stream(records, records.events) is None
    result = evaluate(load_pack("wtsc_2015"), stream, datetime(2015, 7, 1, tzinfo=UTC))
    assert sorted(r.event_id for r in result.account.rejected) == ["k-2", "m-1", "m-2", "m-3"]


def _cpn_line(id: str, at: str, child: str = "c-1") -> str:
    """A CPN record of fixed length (ids and times of one width): about 200 characters, so
    a file of them spans several blocks of bulk reading."""
    return json.dumps(
        {"id": id, "type": "cpn_created", "child_id": child, "at": at, "incident_ref": "x" * 120}
    )


def _allocation_line(id: str, at: str, child: str) -> str:
    """A social worker allocated to ``child``: the shared benchmark's pack owes actions from
    the child's fourth CPN on."""
    record = {"id": id, "type": "social_worker_allocated", "child_id": child, "at": at}
    return json.dumps({**record, "worker": "sw-1"})


def _hour(i: int, offset: str = "+00:00") -> str:
    """The i-th hour from 1 June 2015 00:00 as a wall clock of the given offset."""
    return (datetime(2015, 6, 1) + timedelta(hours=i)).isoformat() + offset


def _load_in_blocks(
    path: Path, lines: list[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[EventStream, list[int]]:
    """``lines`` written to ``path`` and loaded, with the sizes of the blocks the loader's
    columns were given (several, or the test proves nothing about their boundaries)."""
    path.write_text("\n".join(lines) + "\n")
    sizes: list[int] = []
    add_block = ColumnsBuilder.add_block

    def counted(builder: ColumnsBuilder, events: Any, values: Any) -> None:
        sizes.append(len(events))
        add_block(builder, events, values)

    monkeypatch.setattr(ColumnsBuilder, "add_block", counted)
    stream = load_events(path)
    monkeypatch.setattr(ColumnsBuilder, "add_block", add_block)
    assert len(sizes) >= 2 and sum(sizes) == len(stream.events) == len(lines)
    return stream, sizes


def _as_without_columns(stream: EventStream, as_of: datetime) -> tuple[str, list[Any]]:
    """The document and rejections (event id, place, reason) of ``stream``, with its
    columns and (the same events in another stream) without: they must agree."""
    pack = load_pack(_SHARED_BENCH)
    same = EventStream(stream.events, stream.rejected, stream.source, stream.origins)
    assert of_stream(same, same.events) is None
    results = [evaluate(pack, s, as_of) for s in (stream, same)]
    documents = [r.to_json() for r in results]
    rejections = [[(j.event_id, j.where, j.reason) for j in r.account.rejected] for r in results]
    assert documents[0] == documents[1] and rejections[0] == rejections[1]
    return documents[0], rejections[0]


def test_ids_that_ascend_in_each_block_but_not_across_a_boundary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loader notes whether each id sorts after the one before, block by block and
    # across each boundary; evaluate then builds no set of ids. Here the second block's
    # first id is the first block's last: the ids ascend within each block, one is given
    # twice, and both events are rejected as duplicates.
    path = tmp_path / "twice.jsonl"
    lines = [_cpn_line(f"e-{i:04d}", _hour(i), f"c-{i % 5}") for i in range(900)]
    stream, sizes = _load_in_blocks(path, lines, monkeypatch)
    first = sizes[0]
    lines = [
        _cpn_line(f"e-{i if i < first else i - 1:04d}", _hour(i), f"c-{i % 5}") for i in range(900)
    ]
    stream, again = _load_in_blocks(path, lines, monkeypatch)
    assert again == sizes
    kept = of_stream(stream, stream.events)
    assert kept is not None and not kept.ids_ascend
    twice = f"e-{first - 1:04d}"
    _, rejections = _as_without_columns(stream, datetime(2016, 1, 1, tzinfo=UTC))
    assert [(i, w) for i, w, _ in rejections] == [
        (twice, f"{path}:{first}"),
        (twice, f"{path}:{first + 1}"),
    ]
    assert all(r.startswith("duplicate event id: 2 events share it") for *_, r in rejections)


def test_a_stream_out_of_walk_order_across_a_block_boundary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each block in walk order, the second block's first event an hour before the first
    # block's last: the document is that of the same events in walk order.
    path = tmp_path / "order.jsonl"
    start = [_allocation_line(f"a-{c}", _hour(0), f"c-{c}") for c in range(3)]
    lines = start + [_cpn_line(f"e-{i:04d}", _hour(i + 1), f"c-{i % 3}") for i in range(900)]
    _, sizes = _load_in_blocks(path, lines, monkeypatch)
    first = sizes[0]
    hours = [0, 0, 0, *(n - 2 for n in range(3, len(lines)))]
    hours[first] = hours[first - 1] - 1
    ids = [f"a-{c}" for c in range(3)] + [f"e-{i:04d}" for i in range(3, len(lines))]
    lines = start + [_cpn_line(ids[n], _hour(hours[n]), f"c-{n % 3}") for n in range(3, 903)]
    stream, again = _load_in_blocks(path, lines, monkeypatch)
    assert again == sizes and stream.events[first].at < stream.events[first - 1].at  # type: ignore[operator]
    kept = of_stream(stream, stream.events)
    assert kept is not None and kept.ids_ascend  # the ids ascend; the times do not
    as_of = datetime(2016, 1, 1, tzinfo=UTC)
    document, rejections = _as_without_columns(stream, as_of)
    assert not rejections and len(json.loads(document)["obligations"]) > 1000
    ordered = tmp_path / "ordered.jsonl"
    in_order = sorted(zip(hours, ids, lines, strict=True))
    ordered.write_text("\n".join(line for *_, line in in_order) + "\n")
    assert evaluate(load_pack(_SHARED_BENCH), load_events(ordered), as_of).to_json() == document


def test_ids_the_wrong_way_round_at_a_tie(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Times in order, but at one time two CPNs of child c-t, its third and fourth, with
    # the later id first: in walk order (by time, then id) "e-0501" is the fourth, the one
    # that owes the two actions, as when the file gives them in walk order.
    path = tmp_path / "tie.jsonl"
    lines = [_cpn_line(f"e-{i:04d}", _hour(i), f"c-{i % 3}") for i in range(900)]
    lines[0] = _allocation_line("e-0000", _hour(0), "c-t")
    lines[1:3] = [_cpn_line(f"e-{i:04d}", _hour(i), "c-t") for i in (1, 2)]
    lines[500:502] = [_cpn_line(f"e-{i:04d}", _hour(500), "c-t") for i in (501, 500)]
    stream, _ = _load_in_blocks(path, lines, monkeypatch)
    kept = of_stream(stream, stream.events)
    assert kept is not None and not kept.ids_ascend
    as_of = datetime(2016, 1, 1, tzinfo=UTC)
    document, _ = _as_without_columns(stream, as_of)
    owed = [o for o in json.loads(document)["obligations"] if o["child_id"] == "c-t"]
    assert sorted(o["id"] for o in owed) == [
        "flag_to_social_worker/e-0501",
        "request_planning_meeting/e-0501",
    ]
    lines[500:502] = lines[501], lines[500]
    path.write_text("\n".join(lines) + "\n")
    assert evaluate(load_pack(_SHARED_BENCH), load_events(path), as_of).to_json() == document


@pytest.mark.parametrize("late_at", ["last", "middle"])
def test_events_after_as_of_are_found_in_and_out_of_walk_order(
    late_at: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In walk order the last event is the latest; out of it the latest is looked for. Times
    # of three offsets: as_of 2015-06-20T10:30Z. 11:00+01:00 is 10:00Z (kept); 10:31+00:00
    # and 06:00-05:00 (11:00Z) are after it.
    path = tmp_path / "late.jsonl"
    lines = [_cpn_line(f"e-{i:04d}", _hour(i // 3, "+01:00"), f"c-{i % 4}") for i in range(900)]
    tail = [
        _cpn_line("k-0001", "2015-06-20T11:00:00+01:00"),
        _cpn_line("l-0001", "2015-06-20T10:31:00+00:00"),
        _cpn_line("l-0002", "2015-06-20T06:00:00-05:00"),
    ]
    if late_at == "last":  # every earlier time before them, ids ascending: in walk order
        lines += tail
    else:
        lines[300:300] = tail[::-1]
    stream, _ = _load_in_blocks(path, lines, monkeypatch)
    as_of = datetime(2015, 6, 20, 10, 30, tzinfo=UTC)
    later = [e.id for e in stream.events if e.at.astimezone(UTC) > as_of]  # type: ignore[union-attr]
    assert later == (["l-0001", "l-0002"] if late_at == "last" else ["l-0002", "l-0001"])
    _, rejections = _as_without_columns(stream, as_of)
    assert sorted(i for i, *_ in rejections) == ["l-0001", "l-0002"]
    assert {r for *_, r in rejections} == {"dated after as_of, so not yet evaluated"}


def test_unknown_values_in_one_block_are_noted_for_the_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A concern that leaves its flags unrecorded (listed under unknown) in the first block
    # only: the stream's columns say so, and its child takes the careful walk as it does
    # when evaluate reads the events itself.
    path = tmp_path / "unknown.jsonl"
    lines = [_cpn_line(f"e-{i:04d}", _hour(i), f"c-{i % 3}") for i in range(900)]
    concern = {"id": "e-0002a", "type": "concern_identified", "child_id": "c-1"}
    lines.insert(3, json.dumps({**concern, "at": _hour(2), "category": "neglect"}))
    stream, _ = _load_in_blocks(path, lines, monkeypatch)
    kept = of_stream(stream, stream.events)
    assert kept is not None and kept.unknown and kept.ids_ascend
    assert [e.id for e in stream.events if e.unknown] == ["e-0002a"]
    _as_without_columns(stream, datetime(2016, 1, 1, tzinfo=UTC))


def test_a_date_only_event_leaves_the_stream_without_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A time-less event in a later block: evaluate reads the events itself (its careful
    # walk for that child).
    path = tmp_path / "dated.jsonl"
    lines = [_cpn_line(f"e-{i:04d}", _hour(i), f"c-{i % 3}") for i in range(900)]
    record = json.loads(lines[800])
    del record["at"]
    lines[800] = json.dumps({**record, "on": "2015-07-04"})
    stream, _ = _load_in_blocks(path, lines, monkeypatch)
    assert of_stream(stream, stream.events) is None
    _as_without_columns(stream, datetime(2016, 1, 1, tzinfo=UTC))


_AT_LAST_CPN = """\
  - id: flag_if_allocated_at_the_cpn
    title: A CPN made while a worker was allocated is flagged
    citation: {source: src, quote: "Flag the CPN to the allocated worker."}
    strength: must
    when:
      event: cpn_created
      where: {field: case.allocated_at_last_cpn, is: true}
    require:
      action: flag
      responsible: someone
      due: {hours: 0}
      satisfied_by: {event: flag_sent}
"""


def test_a_fold_the_named_facts_rest_on_is_made_though_it_changes_none_of_them() -> None:
    # The fast walk folds only the events that change a case fact the pack's conditions
    # name, and the folds those read: allocated_at_last_cpn is changed by the CPN's fold
    # alone, which reads whether a worker is allocated (the allocation's fold). Without it
    # c-1's CPN would find no worker and owe nothing.
    pack = compile_text(minimal_pack("at_cpn", "At CPN", _AT_LAST_CPN), "at_cpn.yaml")
    assert pack._case_facts == {"allocated_at_last_cpn"}
    assert folds_needed(pack._case_facts) == {
        "cpn_created",
        "police_attention",
        "social_worker_allocated",
        "social_worker_unallocated",
    }
    events = [
        ev("social_worker_allocated", "2024-05-07T10:00:00+01:00", id="a", child="c-1", worker="w"),
        ev("cpn_created", "2024-05-07T11:00:00+01:00", id="b", child="c-1", incident_ref="I"),
        ev("cpn_created", "2024-05-07T11:00:00+01:00", id="c", child="c-2", incident_ref="J"),
    ]
    result = evaluate(pack, events, datetime(2024, 6, 1, tzinfo=UTC))
    assert [(o.id, o.status) for o in result.obligations] == [
        ("flag_if_allocated_at_the_cpn/b", "overdue")
    ]


def test_the_bundled_packs_give_with_their_folds_what_they_give_with_every_fold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each bundled pack names some case facts (wirral_2019 and wtsc_2015 only looked_after:
    # the concern's fold alone is made); a generated stream of 300 children evaluated with
    # those folds and with every fold gives the same document.
    stream = load_events(write_children_stream(300, 1, tmp_path / "children.jsonl"))
    as_of = datetime(2025, 1, 1, tzinfo=UTC)
    packs = {name: load_pack(name) for name in bundled_packs()}
    assert folds_needed(packs["wtsc_2015"]._case_facts) == {"concern_identified"}
    own = {name: evaluate(pack, stream, as_of).to_json() for name, pack in packs.items()}
    every = frozenset(FOLD_BY_TYPE)
    monkeypatch.setattr(evaluate_module, "folds_needed", lambda _named: every)
    for name, pack in packs.items():
        evaluate_module._PLANS.pop(pack, None)  # planned again, with every fold
        assert evaluate(pack, stream, as_of).to_json() == own[name], name
        evaluate_module._PLANS.pop(pack, None)


# A foreign export renamed by a mapping (as benchmarks/shared_bench's): records are read by
# pydantic-core's JSON parser, renamed and validated; anything that path cannot vouch for is
# decoded and renamed again the long way, so both give the same events and the same reasons.
_MAPPED = [
    '{"event_id":"E1","child_id":"C1","type":"police_incident","timestamp":"2024-05-07T10:00:00+01:00","tz":"Europe/London"}',
    '{"event_id":"E2","child_id":"C1","type":"concern_identified","timestamp":"2024-05-07T11:00:00Z","category":"physical","serious":true}',
    '{"event_id": "E3", "child_id": "C1", "type": "concern_identified", "timestamp": "2024-05-08T09:00:00+01:00", "category": "other", "immediate_action": false, "complex": true}',
    # a key given twice: pydantic-core keeps the last, the decoder refuses the record
    '{"event_id":"E4","child_id":"C1","type":"police_incident","timestamp":"2024-05-07T10:00:00+01:00","timestamp":"2024-05-09T10:00:00+01:00"}',
    # a source key and the field it is renamed to, both given
    '{"event_id":"E5","id":"E5b","child_id":"C1","type":"police_incident","timestamp":"2024-05-07T10:00:00+01:00"}',
    # an object inside (attributes), an escape in a string, a key spaced from its colon
    '{"event_id":"E6","child_id":"C2","type":"police_incident","timestamp":"2024-05-07T10:00:00+01:00","attributes":{"source":"mash"}}',
    '{"event_id":"E7","child_id":"C2","type":"police_incident","timestamp":"2024-05-07T10:00:00+01:00","incident_ref":"A\\u00e9"}',
    '{"event_id" :"E8","child_id":"C2","type":"police_incident","timestamp":"2024-05-07T10:00:00+01:00"}',
    # not valid: an unknown field, a time without an offset, NaN, not an object, not JSON
    '{"event_id":"E9","child_id":"C2","type":"police_incident","timestamp":"2024-05-07T10:00:00+01:00","colour":"red"}',
    '{"event_id":"E10","child_id":"C2","type":"police_incident","timestamp":"2024-05-07T10:00:00"}',
    '{"event_id":"E11","child_id":"C2","type":"concern_identified","timestamp":"2024-05-07T10:00:00Z","category":"other","score":NaN}',
    '["E12"]',
    '{"event_id":"E13",',
]


def test_mapped_records_read_fast_are_the_records_renamed_the_long_way(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeguard_rules import load_mapping

    mapping = load_mapping(
        __import__("pathlib").Path(__file__).resolve().parents[1]
        / "benchmarks"
        / "shared_bench"
        / "shared_bench.mapping.yaml"
    )
    path = tmp_path / "export.jsonl"  # type: ignore[operator]
    path.write_text("\n".join(_MAPPED) + "\n", encoding="utf-8")
    decoded: list[str] = []  # the records the fast path left to the Python decoder

    def counted(text: str) -> object:
        decoded.append(text)
        return _decode(text)

    monkeypatch.setattr("safeguard_rules._event_files._decode", counted)
    fast = load_events(path, mapping=mapping)
    monkeypatch.undo()
    assert decoded == _MAPPED[3:]  # the three plain records never reached it
    long_way = []
    for line in _MAPPED:
        try:
            record = _decode(line)  # the file reader's own decoder
        except (ValueError, _RecordError):
            long_way.append(None)  # not an object of JSON the reader takes: said below
            continue
        long_way.append(parse_events([record], mapping=mapping))
    assert [e.id for e in fast.events] == ["E1", "E2", "E3", "E6", "E7", "E8"]
    expected = [e for s in long_way if s is not None for e in s.events]
    assert [e.model_dump() for e in fast.events] == [e.model_dump() for e in expected]
    assert [e.model_fields_set for e in fast.events] == [e.model_fields_set for e in expected]
    assert fast.events[1].category == "physical_abuse" and fast.events[1].serious_harm
    assert fast.events[0].incident_ref == "not recorded"  # the mapping's constant
    reasons = {r.where: r.reason for r in fast.rejected}
    assert set(reasons) == {f"{path}:{n}" for n in (4, 5, 9, 10, 11, 12, 13)}
    assert "duplicate" in reasons[f"{path}:4"] or "twice" in reasons[f"{path}:4"]
    assert "NaN is not a JSON number" in reasons[f"{path}:11"]
    assert reasons[f"{path}:13"].startswith("not valid JSON")
    assert "both become field 'id'" in reasons[f"{path}:5"]
    for n in (5, 9, 10, 12):  # the same words as records renamed one by one
        (same,) = long_way[n - 1].rejected  # type: ignore[union-attr]
        assert reasons[f"{path}:{n}"] == same.reason


_SWAP_AND_SPACING = [
    '{"id":"C1","child_id":"E1","type":"cpn_created","at":"2024-05-07T10:00:00+01:00","incident_ref":"R1"}',
    '{"event_id":"E2","child_id":"C1","type":"cpn_created","on":"2024-05-07T11:00:00Z","incident_ref":"R2"}',
    # spaced from its colon, the source key on is not renamed by text: the record would be
    # a valid date-only event (and the object inside makes the count of '":' come out
    # right); renamed the long way, at gets a date and is rejected
    '{"event_id":"E3","child_id":"C1","type":"cpn_created","on" : "2024-05-07","incident_ref":"R3","attributes":{"src":"x"}}',
    '{"event_id":"E4","id":"junk","child_id":"C1","type":"cpn_created","on":"2024-05-08T09:00:00Z","incident_ref":"R4"}',
]


@pytest.mark.parametrize(
    ("fields", "ignore"),
    [
        ({"id": "child_id", "child_id": "id"}, ()),  # a swap: keys cannot be renamed one by one
        ({"on": "at", "at": "on"}, ()),
        ({"event_id": "id", "on": "at"}, ("id",)),  # a key renamed to is also ignored
        ({"event_id": "id", "on": "at"}, ()),  # renamed in the text
    ],
)
def test_mapped_records_renamed_in_the_text_are_the_records_renamed_one_by_one(
    tmp_path: object, fields: dict[str, str], ignore: tuple[str, ...]
) -> None:
    # Keys are renamed in the record's text where the mapping allows it (no chain or swap,
    # no key renamed to that is ignored); either way each record gives what renaming its
    # decoded record gives: the same event, with the same fields set, or the same reason.
    from safeguard_rules import EventMapping

    mapping = EventMapping(fields=fields, ignore=frozenset(ignore))
    path = tmp_path / "export.jsonl"  # type: ignore[operator]
    path.write_text("\n".join(_SWAP_AND_SPACING) + "\n", encoding="utf-8")
    read = load_events(path, mapping=mapping)
    one_by_one = [parse_events([json.loads(line)], mapping=mapping) for line in _SWAP_AND_SPACING]
    expected = [e for s in one_by_one for e in s.events]
    assert [e.model_dump() for e in read.events] == [e.model_dump() for e in expected]
    assert [e.model_fields_set for e in read.events] == [e.model_fields_set for e in expected]
    assert [r.reason for r in read.rejected] == [r.reason for s in one_by_one for r in s.rejected]
    assert len(read.events) + len(read.rejected) == len(_SWAP_AND_SPACING)


def test_results_built_in_bulk_equal_the_dataclasses_own() -> None:
    # The evaluator builds obligations and findings through new_obligation / new_finding;
    # each must be the object the dataclass constructor gives for the same values, every
    # field in its place (a field added to the class and not to the builder fails here).
    from dataclasses import fields
    from datetime import UTC, date

    from safeguard_rules._result import Finding, Obligation, new_finding, new_obligation

    at = datetime(2024, 5, 7, 10, 0, tzinfo=UTC)
    values: dict[str, object] = {f.name: f"v-{f.name}" for f in fields(Obligation)}
    values.update(triggered_at=at, triggered_on=date(2024, 5, 7), missing=(), reason=None)
    built = new_obligation(*(values[f.name] for f in fields(Obligation)[:-2]))  # type: ignore[arg-type]
    assert built == Obligation(**values)  # type: ignore[arg-type]
    assert [getattr(built, f.name) for f in fields(Obligation)] == list(values.values())
    values = {f.name: f"w-{f.name}" for f in fields(Finding)}
    built_finding = new_finding(*values.values())  # type: ignore[arg-type]
    assert built_finding == Finding(**values)  # type: ignore[arg-type]
    assert [getattr(built_finding, f.name) for f in fields(Finding)] == list(values.values())


def test_fixed_offset_times_in_the_repeated_autumn_hour_are_walked_in_instant_order() -> None:
    # Times read from text have fixed offsets; the walk sorts them without converting each
    # (it converts to UTC once). 27 October 2024, London: 01:45+01:00 is 00:45 UTC and
    # 01:30+00:00 is 01:30 UTC, so "y" comes before "x" although its wall clock reads later.
    # With a worker allocated and three CPNs before, the fourth CPN, by instant, is "y":
    # jersey_2019's flag_after_more_than_three_cpns (more than three, a run) fires on "y",
    # and "x" starts a new run.
    pack = load_pack("jersey_2019")
    events = [
        ev("social_worker_allocated", "2024-10-25T09:00:00+01:00", id="sw", worker="w1"),
        ev("cpn_created", "2024-10-26T09:00:00+01:00", id="c1", incident_ref="A"),
        ev("cpn_created", "2024-10-26T10:00:00+01:00", id="c2", incident_ref="B"),
        ev("cpn_created", "2024-10-26T11:00:00+01:00", id="c3", incident_ref="C"),
        ev("cpn_created", "2024-10-27T01:30:00+00:00", id="x", incident_ref="D"),
        ev("cpn_created", "2024-10-27T01:45:00+01:00", id="y", incident_ref="E"),
    ]
    result = evaluate(pack, events, datetime(2024, 11, 1, tzinfo=LONDON))
    flags = [o for o in result.obligations if o.rule == "flag_after_more_than_three_cpns"]
    assert [(o.id, o.triggered_by) for o in flags] == [
        ("flag_after_more_than_three_cpns/y", ("c1", "c2", "c3", "y"))
    ]


def _concern(at: str, id: str, child: str = "child-1") -> BaseEvent:
    """A neglect concern, every flag recorded false."""
    return ev(
        "concern_identified", at, id=id, child=child, **recorded_false({"category": "neglect"})
    )


def _meeting(at: str, id: str, *, child: str, chair_role: str) -> BaseEvent:
    return ev("strategy_meeting_held", at, id=id, child=child, chair_role=chair_role)


def test_triggers_at_one_instant_give_results_in_rule_order() -> None:
    # Two events at the same instant: the walk meets the CPN first (its id sorts first),
    # but results at one instant come in rule order, so the concern's obligation (rule
    # 'first', written first in the pack) comes before the CPN's.
    rules = """\
  - id: first
    title: A concern owes a meeting
    citation: {source: src, quote: "a meeting is held"}
    strength: must
    when: {event: concern_identified}
    require: {action: meet, responsible: someone, satisfied_by: {event: flag_sent}}
  - id: second
    title: A CPN owes a flag
    citation: {source: src, quote: "a flag is sent"}
    strength: must
    when: {event: cpn_created}
    require: {action: flag, responsible: someone, satisfied_by: {event: flag_sent}}
"""
    pack = compile_text(minimal_pack("ties", "Ties", rules), "ties.yaml")
    at = "2024-05-01T10:00:00+01:00"
    events = [
        ev("cpn_created", at, id="ev-1", incident_ref="INC-1"),
        _concern(at, "ev-2"),
    ]
    result = evaluate(pack, events, datetime.fromisoformat("2024-06-01T00:00:00+00:00"))
    assert [o.id for o in result.obligations] == ["first/ev-2", "second/ev-1"]


def test_input_already_in_walk_order_gives_what_any_other_order_gives() -> None:
    # Input in time order (then id) is grouped by child without sorting; the same events
    # reversed go the sorting way. Two children interleaved, and two events of one child
    # at one instant (walked by id: ev-3 before ev-4).
    pack = load_pack("wtsc_2015")
    events = [
        _concern("2024-05-01T09:00:00+01:00", "ev-1", child="c-2"),
        _concern("2024-05-01T10:00:00+01:00", "ev-2", child="c-1"),
        ev("cpn_created", "2024-05-02T10:00:00+01:00", id="ev-3", child="c-1", incident_ref="I"),
        _concern("2024-05-02T09:00:00Z", "ev-4", child="c-1"),
        ev("cpn_created", "2024-05-03T10:00:00+01:00", id="ev-5", child="c-2", incident_ref="J"),
    ]
    as_of = datetime.fromisoformat("2024-06-01T00:00:00+00:00")
    in_order = evaluate(pack, events, as_of)
    assert in_order.to_json() == evaluate(pack, events[::-1], as_of).to_json()
    assert [o.child_id for o in in_order.obligations] == sorted(
        o.child_id for o in in_order.obligations
    )
    assert {o.id.split("/")[1] for o in in_order.obligations} >= {"ev-1", "ev-2", "ev-4"}


def test_results_built_in_bulk_are_the_frozen_classes() -> None:
    # new_obligation / new_finding fill a plain object with the same slots and then give it
    # the frozen class: what comes out is an Obligation / Finding like any other, frozen,
    # picklable, and replace() works on it.
    import pickle
    from dataclasses import FrozenInstanceError, replace
    from datetime import UTC, date

    from safeguard_rules._result import Finding, Obligation, new_finding, new_obligation

    at = datetime(2024, 5, 7, 10, 0, tzinfo=UTC)
    built = new_obligation(
        "r/ev-1", "r", "act", None, "must", "csc", (), "c-1", ("ev-1",), at,
        date(2024, 5, 7), None, "no timescale", None, "source", None, "open",
        None, None, None, None, None, None,
    )  # fmt: skip
    assert type(built) is Obligation
    with pytest.raises(FrozenInstanceError):
        built.status = "met"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(built)) == built
    assert replace(built, status="met").status == "met"
    finding = new_finding(
        "r", "overdue", "must", "m", "c-1", None, "r/ev-1", at, date(2024, 5, 7), None,
        "source", None,
    )  # fmt: skip
    assert type(finding) is Finding
    with pytest.raises(FrozenInstanceError):
        finding.message = "other"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(finding)) == finding


def _late_and_overdue_events() -> list[BaseEvent]:
    """Under wtsc_2015 at _LATE_AS_OF: c-1's concern is met late, c-2's overdue."""
    return [
        _concern("2024-05-01T09:00:00+01:00", "ev-1", child="c-1"),
        _meeting("2024-05-20T09:00:00+01:00", "ev-2", child="c-1", chair_role="csc_team_manager"),
        _concern("2024-05-02T10:00:00+01:00", "ev-3", child="c-2"),
    ]


_LATE_AS_OF = datetime.fromisoformat("2024-06-01T00:00:00+00:00")


def test_findings_made_when_read_are_those_made_at_once() -> None:
    # evaluate leaves lateness findings to be made when Evaluation.findings is first read;
    # evaluate_stream makes each child's at once. Whichever is read first (findings, the
    # JSON, equality, a pickle, replace), the values are the same, and a later read gives
    # the same tuple; the placeholder is never seen.
    import pickle
    from dataclasses import replace

    from safeguard_rules import evaluate_stream, merge_evaluations
    from safeguard_rules._result import Evaluation, Finding

    pack = load_pack("wtsc_2015")
    events = _late_and_overdue_events()
    as_of = _LATE_AS_OF
    at_once = merge_evaluations(evaluate_stream(pack, events, as_of))
    assert {f.kind for f in at_once.findings} >= {"met_late", "overdue"}
    readers = [
        lambda e: e.findings,
        lambda e: json.loads(e.to_json())["findings"],
        lambda e: e == at_once,
        lambda e: pickle.loads(pickle.dumps(e)).findings,
        lambda e: replace(e, undetermined=()).findings,
        repr,
    ]
    for read in readers:
        evaluation = evaluate(pack, events, as_of)
        read(evaluation)
        assert type(evaluation.findings) is tuple
        assert all(type(f) is Finding for f in evaluation.findings)
        assert evaluation.findings is evaluation.findings  # made once, then kept
        assert evaluation == at_once
        assert evaluation.to_json() == at_once.to_json()
    assert type(Evaluation.findings).__name__ == "member_descriptor"  # as the class had


@pytest.mark.parametrize("basis", ["source", "local_default", "local_override"])
@pytest.mark.parametrize("strength", ["must", "should", "advisory"])
@pytest.mark.parametrize("status", ["overdue", "met_late"])
def test_fast_lateness_findings_are_the_outcome_modules_own(
    status: Status, strength: Severity, basis: DeadlineBasis
) -> None:
    # _evaluate._lateness is a copy of _outcome.lateness_finding for the fast path (which
    # shares deadline texts between findings); the two must make the same finding for the
    # same obligation, in every status, strength and basis (severity: a "must" whose
    # deadline is not the source's is a "should").
    from safeguard_rules._evaluate import _lateness, _Texts
    from safeguard_rules._outcome import lateness_finding
    from safeguard_rules._result import new_obligation

    due = datetime(2024, 5, 10, 17, 0, tzinfo=LONDON)
    met = status == "met_late"
    o = new_obligation(
        "r/ev-1", "r", "hold a meeting", None, strength, "csc", (), "c-1", ("ev-1",),
        datetime(2024, 5, 7, 10, 0, tzinfo=LONDON), date(2024, 5, 7), due, "3 working days",
        None, basis, "days" if basis != "source" else None, status,
        "ev-2" if met else None,
        datetime(2024, 5, 13, 23, 30, tzinfo=UTC) if met else None,
        date(2024, 5, 14) if met else None,
        None, None, None,
    )  # fmt: skip
    texts = _Texts()
    fast = _lateness(o, texts)
    assert fast == lateness_finding(load_pack("wtsc_2015"), o)
    assert _lateness(o, texts) == fast  # the second time from the shared texts
    weaker = "should" if strength == "must" and basis != "source" else strength
    assert (fast.kind, fast.severity, fast.on) == (
        status,
        weaker,
        date(2024, 5, 14) if met else date(2024, 5, 10),
    )


def test_fast_walk_lateness_findings_are_those_the_outcome_module_makes() -> None:
    # The fast walk decides each obligation's status (_close) and makes its lateness finding
    # (_lateness); _outcome.lateness_finding of the same obligation is the same finding.
    from safeguard_rules._outcome import lateness_finding

    pack = load_pack("wtsc_2015")
    evaluation = evaluate(pack, _late_and_overdue_events(), _LATE_AS_OF)
    obligations = {o.id: o for o in evaluation.obligations}
    lateness = [f for f in evaluation.findings if f.kind != "check"]
    assert {f.kind for f in lateness} == {"met_late", "overdue"}
    for finding in lateness:
        assert finding.obligation is not None
        assert finding == lateness_finding(pack, obligations[finding.obligation])


def test_fast_walk_compares_and_dates_instants_across_midnight_and_offsets() -> None:
    # Events with +01:00 and +00:00 offsets: the walk works on their instants in UTC
    # (_accept's), dates them in London from those, and compares them with deadlines put in
    # UTC once per deadline. A same-day deadline is the end of the trigger's London day
    # (23:59:59.999999 BST in May). Worked by hand:
    #   c-1: concern Tue 7 May 10:00 BST; meeting 22:30 UTC = 23:30 BST on 7 May: met, 7 May.
    #   c-2: concern Tue 7 May 10:00 BST; meeting 23:30 UTC = 00:30 BST on 8 May: late, 8 May.
    #   c-3: concern 23:30 UTC on 7 May = 00:30 BST on Wed 8 May: triggered on 8 May, due at
    #        the end of 8 May (22:59:59.999999 UTC): open at 22:30 UTC on 8 May, overdue at
    #        23:30 UTC on 8 May (00:30 BST on 9 May).
    rules = """\
  - id: meet_same_day
    title: A concern owes a meeting the same day
    citation: {source: src, quote: "a meeting is held the same day"}
    strength: must
    when: {event: concern_identified}
    require:
      action: meet
      responsible: someone
      due: {same_day: true}
      satisfied_by: {event: strategy_meeting_held}
"""
    pack = compile_text(minimal_pack("midnight", "Midnight", rules), "midnight.yaml")
    events = [
        _concern("2024-05-07T10:00:00+01:00", "a1", child="c-1"),
        _meeting("2024-05-07T22:30:00+00:00", "a2", child="c-1", chair_role="someone"),
        _concern("2024-05-07T10:00:00+01:00", "b1", child="c-2"),
        _meeting("2024-05-07T23:30:00+00:00", "b2", child="c-2", chair_role="someone"),
        _concern("2024-05-07T23:30:00+00:00", "c1", child="c-3"),
    ]
    end_of_8_may = datetime(2024, 5, 8, 23, 59, 59, 999_999, tzinfo=LONDON)
    for as_of, c3_status in (
        (datetime.fromisoformat("2024-05-08T22:30:00+00:00"), "open"),
        (datetime.fromisoformat("2024-05-08T23:30:00+00:00"), "overdue"),
    ):
        for order in (events, events[::-1]):  # grouped as it comes, and sorted
            got = {o.child_id: o for o in evaluate(pack, order, as_of).obligations}
            assert [(c, o.status, o.met_by, o.met_on) for c, o in sorted(got.items())] == [
                ("c-1", "met", "a2", date(2024, 5, 7)),
                ("c-2", "met_late", "b2", date(2024, 5, 8)),
                ("c-3", c3_status, None, None),
            ]
            assert got["c-2"].met_at == datetime.fromisoformat("2024-05-07T23:30:00+00:00")
            assert got["c-3"].triggered_on == date(2024, 5, 8)
            assert got["c-3"].due == end_of_8_may


_TABLE_RULES = """\
  - id: meet_by_grade
    title: A concern owes a meeting within its grade's time
    citation: {source: src, quote: "a meeting is held in time"}
    strength: must
    when: {event: concern_identified}
    require:
      action: meet
      responsible: someone
      due:
        table:
          hit_policy: first
          cases:
            - label: serious
              when: {field: serious_harm, is: true}
              within: {same_day: true}
            - label: urgent
              when:
                any:
                  - {field: immediate_action_taken, is: true}
                  - {field: category, is: sexual_abuse}
              within: {calendar_days: 1}
            - label: complex, not looked after
              when:
                all:
                  - {field: complex, is: true}
                  - not: {field: looked_after, is: true}
              within: {calendar_days: 5}
            - label: otherwise
              within: {calendar_days: 10}
      satisfied_by: {event: strategy_meeting_held}
"""


def test_deadline_table_decided_once_per_combination_of_values_chooses_the_first_match() -> None:
    # The fast walk keeps the case each combination of the trigger's flags chose (the table
    # reads only the concern's own fields); a repeated combination must get the same case
    # and one differing in any field its own. Every concern is on Mon 6 May 2024 (London);
    # the deadline is the end of that day (serious), 7 May (urgent), 11 May (complex, not
    # looked after) or 16 May (otherwise): 6 May + 0, 1, 5 or 10 calendar days.
    pack = compile_text(minimal_pack("grades", "Grades", _TABLE_RULES), "grades.yaml")
    grades = [
        ("serious", {"serious_harm": True, "complex": True}, date(2024, 5, 6)),
        ("urgent", {"immediate_action_taken": True}, date(2024, 5, 7)),
        ("urgent", {"category": "sexual_abuse", "complex": True}, date(2024, 5, 7)),
        ("complex, not looked after", {"complex": True}, date(2024, 5, 11)),
        ("otherwise", {"complex": True, "looked_after": True}, date(2024, 5, 16)),
        ("otherwise", {}, date(2024, 5, 16)),
    ]
    events = [
        ev(
            "concern_identified",
            f"2024-05-06T{9 + n:02d}:00:00+01:00",
            id=f"e{k}{n}",
            child=f"c-{k}{n}",
            **recorded_false({"category": "neglect", **flags}),
        )
        for n in range(3)  # each combination three times, interleaved with the others
        for k, (_, flags, _) in enumerate(grades)
    ]
    as_of = datetime.fromisoformat("2024-06-01T00:00:00+01:00")
    for order in (events, events[::-1]):  # grouped as it comes, and sorted
        got = {o.id.partition("/")[2]: o for o in evaluate(pack, order, as_of).obligations}
        assert len(got) == len(events)
        for k, (label, _, day) in enumerate(grades):
            for n in range(3):
                obligation = got[f"e{k}{n}"]
                assert (obligation.due_case, obligation.due.date()) == (label, day)
                assert obligation.due == datetime.combine(day, time.max, tzinfo=LONDON)


def test_elapsed_hours_deadline_from_the_instant_across_the_clock_changes() -> None:
    # An 'hours' deadline is the trigger's instant plus that many elapsed hours, written in
    # London. Worked by hand: 00:30 UTC on Sun 31 Mar 2024 + 2 h = 02:30 UTC = 03:30 BST
    # (the clocks went forward at 01:00 UTC); 00:30 UTC on Sun 27 Oct 2024 (01:30 BST) + 1 h
    # = 01:30 UTC = the second 01:30 that night, GMT (fold 1); + 0 h it is the first, BST.
    rules = """\
  - id: act_in_hours
    title: A CPN owes an act within the hours it names
    citation: {source: src, quote: "acted on within hours"}
    strength: must
    when: {event: cpn_created}
    require:
      action: act
      responsible: someone
      due: {hours: HOURS}
      satisfied_by: {event: flag_sent}
"""
    cases = [
        (2, "2024-03-31T00:30:00+00:00", "2024-03-31T03:30:00+01:00", 0),
        (1, "2024-10-27T00:30:00+00:00", "2024-10-27T01:30:00+00:00", 1),
        (0, "2024-10-27T00:30:00+00:00", "2024-10-27T01:30:00+01:00", 0),
        (0, "2024-10-27T01:30:00+00:00", "2024-10-27T01:30:00+00:00", 1),
    ]
    as_of = datetime.fromisoformat("2024-12-01T00:00:00+00:00")
    for hours, at, due, fold in cases:
        pack = compile_text(
            minimal_pack("hours", "Hours", rules.replace("HOURS", str(hours))), "hours.yaml"
        )
        events = [
            ev("cpn_created", at, id="i1", child="c-1", incident_ref="A"),
            ev("cpn_created", "2024-01-02T10:00:00+00:00", id="i0", child="c-2", incident_ref="B"),
        ]
        for order in (events, events[::-1]):  # grouped as it comes, and sorted
            got = {o.id.partition("/")[2]: o for o in evaluate(pack, order, as_of).obligations}
            assert got["i1"].due is not None
            assert (got["i1"].due.isoformat(), got["i1"].due.fold) == (due, fold)
            assert got["i1"].due.tzinfo is LONDON


# A pack in the lean walk's subset (_evaluate._lean_steps): rules with one route that always
# applies, no due_from, no expect, counts without a window. Between them they take every
# step the lean walk has: counts repeating every (two rules sharing a tally, so a gate),
# once and run, a count with a 'where' of its own, a rule's 'where' on a case fact and on
# the trigger, satisfied_by without a where (met without a test) and with one (tested),
# cancelled_by, an obligation waiting on two types, no deadline, hours, days and a table.
_LEAN_RULES = """\
  - id: flag_every_cpn_past_three
    title: Every CPN past the third, while allocated, is flagged within a day
    citation: {source: src, quote: "flagged at once"}
    strength: must
    when:
      event: cpn_created
      where: {field: case.allocated_social_worker, is: true}
      count: {more_than: 3, repeat: every}
    require:
      action: flag
      responsible: someone
      due: {hours: 24}
      satisfied_by: {event: flag_sent, where: {field: to, contains: someone}}
  - id: plan_every_cpn_past_three
    title: Every CPN past the third, while allocated, asks for a planning meeting
    citation: {source: src, quote: "a planning meeting"}
    strength: should
    when:
      event: cpn_created
      where: {field: case.allocated_social_worker, is: true}
      count: {more_than: 3, repeat: every}
    require:
      action: plan
      responsible: someone
      satisfied_by: [{event: planning_meeting_requested}, {event: flag_sent}]
  - id: review_once_at_two_cpns
    title: The second CPN with a summary, once, owes a review
    citation: {source: src, quote: "the case is reviewed"}
    strength: must
    when:
      event: cpn_created
      count: {at_least: 2, repeat: once, where: {field: summary, present: true}}
    require:
      action: review
      responsible: someone
      due: {working_days: 2}
      satisfied_by: {event: case_reviewed}
      cancelled_by: {event: social_worker_unallocated}
  - id: supervise_each_run_of_three_concerns
    title: Each run of three concerns owes supervision
    citation: {source: src, quote: "supervision is held"}
    strength: must
    when:
      event: concern_identified
      where: {field: case.allocated_social_worker, is: true}
      count: {at_least: 3, repeat: run}
    require:
      action: supervise
      responsible: someone
      due: {calendar_days: 7}
      satisfied_by: {event: supervision_held, where: {field: kind, is: internal}}
  - id: strategy_by_table
    title: A strategy meeting within the days the concern allows
    citation: {source: src, quote: "a strategy meeting"}
    strength: must
    when: {event: concern_identified, where: {field: category, is_not: neglect}}
    require:
      action: hold_strategy_meeting
      responsible: someone
      due:
        table:
          hit_policy: first
          cases:
            - label: serious
              when: {any: [{field: serious_harm, is: true}, {field: category, is: sexual_abuse}]}
              within: {same_day: true}
            - label: immediate
              when: {field: immediate_action_taken, is: true}
              within: {working_days: 1}
            - label: otherwise
              within: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
      cancelled_by: {event: strategy_meeting_cancelled}
"""


def _both_walks(
    pack: Any, events: Any, as_of: datetime, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    """The document ``evaluate`` gives with the pack's lean walk and with the general walk."""
    evaluate_module._PLANS.pop(pack, None)
    lean = evaluate(pack, events, as_of).to_json()
    with monkeypatch.context() as patched:
        patched.setattr(evaluate_module, "_lean_steps", lambda *_args: None)
        evaluate_module._PLANS.pop(pack, None)  # planned again, without the lean walk
        general = evaluate(pack, events, as_of).to_json()
    evaluate_module._PLANS.pop(pack, None)
    return lean, general


def test_the_lean_walk_gives_the_general_walks_document_on_generated_streams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shared benchmark's pack and a pack taking every lean step, on a generated stream
    # of 300 children in input order (grouped from the loader's columns) and shuffled
    # (sorted per child): the lean walk is chosen, gives obligations of every rule, and gives
    # the document the general walk gives.
    stream = load_events(write_children_stream(300, 1, tmp_path / "children.jsonl"))
    shuffled = list(stream.events)
    random.Random(7).shuffle(shuffled)
    as_of = datetime(2025, 1, 1, tzinfo=UTC)
    packs = {
        "shared_bench": load_pack(_SHARED_BENCH),
        "lean": compile_text(minimal_pack("lean", "Lean", _LEAN_RULES), "lean.yaml"),
    }
    for name, pack in packs.items():
        assert evaluate_module._Memo(pack).plan.lean is not None, name
        result = evaluate(pack, stream, as_of)
        assert {o.rule for o in result.obligations} == {c.rule.id for c in pack.rules}, name
        statuses = {o.status for o in result.obligations}
        assert {"met", "overdue"} <= statuses, (name, statuses)
        for events in (stream, shuffled):
            lean, general = _both_walks(pack, events, as_of, monkeypatch)
            assert lean == general, name
    lean_result = evaluate(packs["lean"], stream, as_of)
    assert {o.status for o in lean_result.obligations} >= {"met", "overdue", "cancelled"}


# Each a rule outside the lean subset, added to _LEAN_RULES: the pack takes the general walk.
_OUTSIDE_LEAN = {
    "a count window": """\
  - id: flag_three_cpns_in_a_month
    title: Three CPNs in a month are flagged
    citation: {source: src, quote: "three in a month"}
    strength: must
    when:
      event: cpn_created
      count: {at_least: 3, within: {calendar_days: 30}, repeat: every}
    require: {action: flag, responsible: someone, satisfied_by: {event: flag_sent}}
""",
    "routes": """\
  - id: routed_by_risk
    title: A high-risk concern is escalated, another reviewed
    citation: {source: src, quote: "routed by risk"}
    strength: must
    when: {event: concern_identified}
    routes:
      - name: high
        when: {field: risk_level, is: high}
        require: {action: escalate, responsible: someone, satisfied_by: {event: case_reviewed}}
      - name: other
        require: {action: review, responsible: someone, satisfied_by: {event: case_reviewed}}
""",
    "expect": """\
  - id: flag_copies_the_manager
    title: A flag copies the team manager
    citation: {source: src, quote: "the manager is copied"}
    strength: should
    when: {event: flag_sent}
    expect: {field: cc, contains: someone}
    message: The flag did not copy anyone in
""",
    "due_from": """\
  - id: meeting_within_five_days_of_the_concern
    title: A strategy meeting request within five working days of the concern
    citation: {source: src, quote: "from the concern"}
    strength: must
    when: {event: strategy_meeting_requested}
    require:
      action: hold
      responsible: someone
      due: {working_days: 5}
      due_from: {event: concern_identified}
      satisfied_by: {event: strategy_meeting_held}
""",
}


@pytest.mark.parametrize("feature", sorted(_OUTSIDE_LEAN))
def test_a_pack_using_a_feature_outside_the_lean_walk_takes_the_general_walk(
    feature: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One rule using the feature makes the whole pack take the general walk (the lean walk
    # has none of these steps), whose document evaluate then gives.
    stream = load_events(write_children_stream(120, 3, tmp_path / "children.jsonl"))
    text = minimal_pack("outside", "Outside", _LEAN_RULES + _OUTSIDE_LEAN[feature])
    pack = compile_text(text, "outside.yaml")
    assert evaluate_module._Memo(pack).plan.lean is None
    lean, general = _both_walks(pack, stream, datetime(2025, 1, 1, tzinfo=UTC), monkeypatch)
    assert lean == general


def test_the_lean_walk_meets_by_a_tested_satisfied_by_only_what_the_test_passes() -> None:
    # flag_sent meets plan_every_cpn_past_three whatever it says (no where) but meets
    # flag_every_cpn_past_three only when sent to 'someone': the type is settled by
    # testing, not by meeting every waiting obligation. c-1: allocated Mon 6 May 2024, four
    # CPNs that day (the fourth, i4 at 13:00, fires both), a flag to the police at 14:00.
    # The flag is due 24 elapsed hours after 13:00 BST: 13:00 BST Tue 7 May; as of 1 Jun
    # it is overdue, the planning request met.
    pack = compile_text(minimal_pack("lean", "Lean", _LEAN_RULES), "lean.yaml")
    assert evaluate_module._Memo(pack).plan.lean is not None
    events = [
        ev("social_worker_allocated", "2024-05-06T09:00:00+01:00", id="a", child="c-1", worker="w"),
        *(
            ev(
                "cpn_created",
                f"2024-05-06T1{n}:00:00+01:00",
                id=f"i{n}",
                child="c-1",
                incident_ref=f"R{n}",
            )
            for n in range(4)
        ),
        ev(
            "flag_sent",
            "2024-05-06T14:00:00+01:00",
            id="f",
            child="c-1",
            to=["police"],
            sender_role="ds",
        ),
    ]
    result = evaluate(pack, events, datetime.fromisoformat("2024-06-01T00:00:00+01:00"))
    got = {o.rule: o for o in result.obligations}
    assert got["flag_every_cpn_past_three"].status == "overdue"
    assert got["flag_every_cpn_past_three"].due == datetime(2024, 5, 7, 13, 0, tzinfo=LONDON)
    assert got["flag_every_cpn_past_three"].triggered_by == ("i0", "i1", "i2", "i3")
    assert (got["plan_every_cpn_past_three"].status, got["plan_every_cpn_past_three"].met_by) == (
        "met",
        "f",
    )


# Two rules in the lean subset, each with an escalation: one met by any strategy meeting
# (a same-day deadline) and cancelled by a cancellation, one met by a flag to 'someone' only
# (two elapsed hours).
_DECIDED_IN_THE_WALK = """\
  - id: meet_same_day
    title: A concern owes a meeting the same day
    citation: {source: src, quote: "a meeting is held the same day"}
    strength: must
    when: {event: concern_identified}
    require:
      action: meet
      responsible: someone
      due: {same_day: true}
      satisfied_by: {event: strategy_meeting_held}
      cancelled_by: {event: strategy_meeting_cancelled}
      escalation: {action: escalate_meeting, responsible: someone}
  - id: flag_within_two_hours
    title: A CPN is flagged to someone within two hours
    citation: {source: src, quote: "flagged within two hours"}
    strength: must
    when: {event: cpn_created}
    require:
      action: flag
      responsible: someone
      due: {hours: 2}
      satisfied_by: {event: flag_sent, where: {field: to, contains: someone}}
      escalation: {action: escalate_flag, responsible: someone}
"""


def test_the_lean_walk_decides_met_late_cancelled_and_overdue_where_close_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The lean walk decides an obligation's status when it opens it and again when an event
    # meets or cancels it (no _close). Each child's concern is on Tue 7 May 2024 at 10:00
    # BST, due at the end of that London day: 23:59:59.999999 BST = 22:59:59.999999 UTC.
    # Each CPN is at 10:00 BST, due two elapsed hours later: 12:00 BST = 11:00 UTC.
    #   c-1: meeting at 22:59:59.999999+00:00, the deadline's very instant: met (not late),
    #        met_at as recorded (+00:00), met_on 7 May.
    #   c-2: meeting at 00:00 BST on 8 May, a microsecond after: met_late, met_on 8 May.
    #   c-3: cancelled at 11:00 BST, a meeting at 12:00: cancelled, no met_at, no escalation.
    #   c-4: nothing: overdue as of 1 Jun, with its escalation.
    #   c-5: flag to someone at 12:00 BST, the deadline's instant: met.
    #   c-6: flag to someone at 11:00:00.000001+00:00: met_late, met_on 7 May.
    #   c-7: flag to the police only: not met, overdue with its escalation.
    #   c-8: CPN at 22:00 UTC on 31 May, due at 00:00 UTC on 1 Jun, as_of's very instant:
    #        open (as_of is not after it), no escalation.
    pack = compile_text(minimal_pack("decided", "Decided", _DECIDED_IN_THE_WALK), "decided.yaml")
    assert evaluate_module._Memo(pack).plan.lean is not None
    concern = "2024-05-07T10:00:00+01:00"
    events = [_concern(concern, f"k{n}", child=f"c-{n}") for n in range(1, 5)]
    events += [
        ev(
            "strategy_meeting_held",
            "2024-05-07T22:59:59.999999+00:00",
            id="m1",
            child="c-1",
            chair_role="someone",
        ),
        ev(
            "strategy_meeting_held",
            "2024-05-08T00:00:00+01:00",
            id="m2",
            child="c-2",
            chair_role="someone",
        ),
        ev("strategy_meeting_cancelled", "2024-05-07T11:00:00+01:00", id="x3", child="c-3"),
        ev(
            "strategy_meeting_held",
            "2024-05-07T12:00:00+01:00",
            id="m3",
            child="c-3",
            chair_role="someone",
        ),
    ]
    for n, at, to in (
        (5, "2024-05-07T12:00:00+01:00", ["someone"]),
        (6, "2024-05-07T11:00:00.000001+00:00", ["someone"]),
        (7, "2024-05-07T11:30:00+01:00", ["police"]),
    ):
        events.append(ev("cpn_created", concern, id=f"i{n}", child=f"c-{n}", incident_ref="R"))
        events.append(ev("flag_sent", at, id=f"f{n}", child=f"c-{n}", to=to, sender_role="ds"))
    events.append(
        ev("cpn_created", "2024-05-31T23:00:00+01:00", id="i8", child="c-8", incident_ref="R")
    )
    as_of = datetime(2024, 6, 1, tzinfo=UTC)
    got = {o.child_id: o for o in evaluate(pack, events, as_of).obligations}
    assert {c: o.status for c, o in got.items()} == {
        "c-1": "met",
        "c-2": "met_late",
        "c-3": "cancelled",
        "c-4": "overdue",
        "c-5": "met",
        "c-6": "met_late",
        "c-7": "overdue",
        "c-8": "open",
    }
    assert got["c-8"].escalation is None
    c1 = got["c-1"]
    assert (c1.met_by, c1.met_on, c1.escalation) == ("m1", date(2024, 5, 7), None)
    assert c1.met_at is not None and c1.met_at.isoformat() == "2024-05-07T22:59:59.999999+00:00"
    c2 = got["c-2"]
    assert (c2.met_by, c2.met_on) == ("m2", date(2024, 5, 8))
    assert c2.met_at is not None and c2.met_at.isoformat() == "2024-05-08T00:00:00+01:00"
    c3 = got["c-3"]
    assert (c3.cancelled_by, c3.met_by, c3.met_at, c3.escalation) == ("x3", None, None, None)
    for child, action in (("c-4", "escalate_meeting"), ("c-7", "escalate_flag")):
        escalation = got[child].escalation
        assert escalation is not None and escalation.action == action, child
    c6 = got["c-6"]
    assert (c6.met_by, c6.met_on, c6.escalation) == ("f6", date(2024, 5, 7), None)
    assert c6.met_at is not None and c6.met_at.utcoffset() == timedelta(0)
    for order in (events, events[::-1]):  # grouped as it comes, and sorted
        lean, general = _both_walks(pack, order, as_of, monkeypatch)
        assert lean == general
