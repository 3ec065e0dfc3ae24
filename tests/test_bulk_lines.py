"""JSON Lines read a block at a time give what reading them one line at a time gives.

``load_events`` validates a block of lines by one call of pydantic-core, with the event
mapping carried out by pydantic-core as it validates (``_stream._bulk_events``, ``_Mapped``);
any block it cannot vouch for is read line by line. These tests read files built to trip
that shortcut (lines that would join or split when the block is parsed as one list, keys
given twice, ignored keys with values the long way refuses, spacing) both ways and compare
every event, the fields each set, every rejection's place and reason, and each event's
place. Speed is measured by benchmarks/ (never here).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import safeguard_rules._stream as stream_module
from safeguard_rules import EventMapping, EventStream, load_events, load_mapping
from safeguard_rules._event_files import BLOCK_CHARS, EventLimits
from safeguard_rules._events import EVENT_CLASSES

SHARED = Path(__file__).resolve().parents[1] / "benchmarks" / "shared_bench"

AT = "2024-05-07T10:00:00+01:00"
POLICE = '{"event_id":"E%d","child_id":"C1","type":"police_incident","timestamp":"%s","tz":"Europe/London"}'
CONCERN = (
    '{"event_id":"E%d","child_id":"C1","type":"concern_identified","timestamp":"%s",'
    '"tz":"Europe/London","category":"physical","serious":false,"immediate_action":true,'
    '"complex":false}'
)

# Each is a line of a workload-shaped export (shared_bench.mapping.yaml) that the block
# reader must not take as it stands; the comments say what the long way makes of it.
_MAPPED_TRAPS = [
    # two records on one line, each in its own list once the block is wrapped: rejected
    POLICE % (101, AT) + "],[" + POLICE % (102, AT),
    # a record split over two lines that a block would join inside a list of lists (in an
    # ignored key): both lines rejected
    '{"event_id":"E103","child_id":"C1","type":"police_incident","timestamp":"'
    + AT
    + '","tz":[["a"',
    '"b"]]}',
    # a string running from one line into the next: both rejected
    '{"event_id":"E104","child_id":"C',
    '1","type":"police_incident","timestamp":"' + AT + '"}',
    # an ignored key given twice: rejected as a duplicate key
    '{"event_id":"E105","tz":"a","child_id":"C1","type":"police_incident","timestamp":"'
    + AT
    + '","tz":"b"}',
    # a field the mapping gives a constant for, given by the record: the record's value
    '{"event_id":"E106","child_id":"C1","type":"police_incident","timestamp":"'
    + AT
    + '","incident_ref":"R-1"}',
    # spacing after colons: one space, two spaces, a tab (all valid JSON, all read)
    '{"event_id": "E107", "child_id": "C1", "type": "police_incident", "timestamp": "'
    + AT
    + '", "tz": "Europe/London"}',
    '{"event_id":"E108","child_id":"C1","type":  "police_incident","timestamp":"' + AT + '"}',
    '{"event_id":"E109","child_id":"C1","type":\t"concern_identified","timestamp":"'
    + AT
    + '","category":\t"physical","serious":false,"immediate_action":true,"complex":false,'
    '"forensic_evidence_needed":false,"looked_after":false}',
    # a value that starts with ': ' (its opening quote is followed by a colon)
    '{"event_id":"E110","child_id":"C1","type":"police_incident","timestamp":"'
    + AT
    + '","incident_ref":": R"}',
    # the ignored key first, alone, and with values the long way refuses or reads
    '{"tz":"Europe/London","event_id":"E111","child_id":"C1","type":"police_incident","timestamp":"'
    + AT
    + '"}',
    '{"tz":"Europe/London"}',
    '{"event_id":"E112","child_id":"C1","type":"police_incident","timestamp":"'
    + AT
    + '","tz":1234567890123456789012345}',
    '{"event_id":"E113","child_id":"C1","type":"police_incident","timestamp":"'
    + AT
    + '","tz":1e999}',
    '{"event_id":"E114","child_id":"C1","type":"police_incident","timestamp":"'
    + AT
    + '","tz":null}',
    '{"event_id":"E115","child_id":"C1","type":"police_incident","timestamp":"'
    + AT
    + '","tz":-12}',
    # a blank line, then an object inside a record (attributes: keys there are not renamed)
    "",
    '{"event_id":"E116","child_id":"C1","type":"police_incident","timestamp":"'
    + AT
    + '","attributes":{"event_id":"x","type":"police_incident"}}',
    # a key spaced from its colon, and a source key beside the key it is renamed to
    '{"event_id" :"E117","child_id":"C1","type":"police_incident","timestamp":"' + AT + '"}',
    '{"event_id":"E118","id":"E118b","child_id":"C1","type":"police_incident","timestamp":"'
    + AT
    + '"}',
    # a value translated (physical) beside one that is not (other), and a type left as it is
    CONCERN.replace('"physical"', '"other"') % (119, AT),
    '{"event_id":"E120","child_id":"C1","type":"social_worker_allocated","timestamp":"' + AT + '"}',
]


def _plain(count: int, first: int = 1) -> list[str]:
    """Valid workload records (ids P1, P2, ...), alternating police incidents and concerns."""
    return [
        (POLICE if n % 2 else CONCERN).replace('"E%d"', '"P%d"')
        % (n, f"2024-05-{1 + n % 28:02d}T10:00:00+01:00")
        for n in range(first, first + count)
    ]


def _compact(**fields: object) -> str:
    return json.dumps(fields, separators=(",", ":"))


def _line_by_line(path: Path, **options: Any) -> EventStream:
    """``load_events`` with the block reader off: every line read on its own."""
    saved = stream_module._bulk_path
    stream_module._bulk_path = lambda *args: None
    try:
        return load_events(path, **options)
    finally:
        stream_module._bulk_path = saved


def _same(path: Path, **options: Any) -> EventStream:
    """Reads ``path`` both ways and checks every result is the same; the block read."""
    bulk = load_events(path, **options)
    _assert_same(bulk, _line_by_line(path, **options))
    return bulk


def _assert_same(bulk: EventStream, lines: EventStream) -> None:
    assert [type(e) for e in bulk.events] == [type(e) for e in lines.events]
    assert [e.model_dump() for e in bulk.events] == [e.model_dump() for e in lines.events]
    assert [list(e.__dict__) for e in bulk.events] == [list(e.__dict__) for e in lines.events]
    assert [e.model_fields_set for e in bulk.events] == [e.model_fields_set for e in lines.events]
    assert [(r.where, r.event_id, r.reason) for r in bulk.rejected] == [
        (r.where, r.event_id, r.reason) for r in lines.rejected
    ]
    assert [bulk.where(i) for i in range(len(bulk.events))] == [
        lines.where(i) for i in range(len(lines.events))
    ]


def _write(tmp_path: Path, lines: list[str], end: str = "\n") -> Path:
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + end, encoding="utf-8")
    return path


def test_a_block_of_plain_records_is_read_in_one_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mapping = load_mapping(SHARED / "shared_bench.mapping.yaml")
    path = _write(tmp_path, _plain(3000))  # several blocks
    taken: list[int] = []
    bulk_events = stream_module._bulk_events

    def counted(text: str, count: int, rewrite: Any) -> Any:
        events = bulk_events(text, count, rewrite)
        taken.append(count if events is not None else 0)
        return events

    monkeypatch.setattr(stream_module, "_bulk_events", counted)
    read = _same(path, mapping=mapping)
    assert len(taken) > 1 and all(taken) and sum(taken) == 3000
    assert len(read.events) == 3000 and not read.rejected
    police, concern = read.events[0], read.events[1]  # lines 1 and 2
    assert type(police).__name__ == "CpnCreated"
    assert type(concern).__name__ == "ConcernIdentified"
    assert police.incident_ref == "not recorded"  # type: ignore[attr-defined]
    assert concern.category == "physical_abuse"  # type: ignore[attr-defined]
    assert concern.immediate_action_taken is True  # type: ignore[attr-defined]
    assert read.where(2999) == f"{path}:3000"


@pytest.mark.parametrize("position", [0, 150, 299])
def test_each_trap_in_a_block_gives_what_its_line_gives(tmp_path: Path, position: int) -> None:
    mapping = load_mapping(SHARED / "shared_bench.mapping.yaml")
    lines = _plain(300)
    lines[position:position] = _MAPPED_TRAPS
    read = _same(_write(tmp_path, lines), mapping=mapping)
    ids = {e.id for e in read.events}
    # read as written: the constant does not replace the record's own value, spacing
    # changes nothing, an ignored key's value is not read
    assert {f"E{n}" for n in range(106, 118)} | {"E119", "E120"} <= ids
    assert not {"E101", "E102", "E103", "E104", "E105", "E118"} & ids
    by_id = {e.id: e for e in read.events}
    assert by_id["E106"].incident_ref == "R-1"  # type: ignore[attr-defined]
    assert by_id["E109"].category == "physical_abuse"  # type: ignore[attr-defined]


@pytest.mark.parametrize("line", _MAPPED_TRAPS)
def test_one_trap_alone_among_plain_records(tmp_path: Path, line: str) -> None:
    mapping = load_mapping(SHARED / "shared_bench.mapping.yaml")
    _same(_write(tmp_path, [*_plain(40), line, *_plain(40, 41)]), mapping=mapping)


# Event times the block reader checks as text (pydantic-core) and parses afterwards: each
# must be taken, or refused with its reason, exactly as the line-by-line validator does.
_TIMES = [
    "2024-05-07T10:00:00+01:00",
    "2024-05-07T10:00Z",
    "2024-05-07 10:00:00.123456-05:30",
    "2024-05-07T10:00:00.123456789+00:00",  # more fraction digits than a datetime holds
    "1901-01-01T00:00:00+00:00",
    "1900-12-31T23:59:59+00:00",
    "2199-12-31T23:59:59+00:00",
    "2200-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+00:00",
    "2024-02-30T10:00:00+01:00",
    "2024-05-07T25:00:00+01:00",
    "2024-05-07T10:00:00+25:00",
    "2024-05-07T10:00:00",
    "2024-05-07t10:00:00+01:00",
    "2024-05-07T10:00:00z",
    "2024-05-07T10:00:00+0100",
    " 2024-05-07T10:00:00+01:00",
    "2024-05-07T10:00:00+01:00 ",
    "20240507T100000+0100",
    "\uff12\uff10\uff12\uff14-05-07T10:00:00+01:00",  # digits, but not ASCII ones
]


@pytest.mark.parametrize("at", _TIMES)
def test_event_times_read_in_blocks_are_read_as_lines(tmp_path: Path, at: str) -> None:
    mapping = load_mapping(SHARED / "shared_bench.mapping.yaml")
    mapped = (POLICE % (1, "T")).replace('"T"', json.dumps(at, ensure_ascii=False))
    _same(_write(tmp_path, [*_plain(40), mapped, *_plain(40, 41)]), mapping=mapping)
    plain = [
        _compact(id=f"V{n}", child_id="C1", type="cpn_created", at=AT, incident_ref="R")
        for n in range(40)
    ]
    plain.append(
        json.dumps(
            {"id": "V", "child_id": "C1", "type": "cpn_created", "at": "T", "incident_ref": "R"},
            ensure_ascii=False,
        ).replace('"T"', json.dumps(at, ensure_ascii=False))
    )
    _same(_write(tmp_path, plain))


# More lines for the mappings below: a constant's field listed as unknown (rejected), the
# target type and target field names given as they are, lists and numbers in an ignored key,
# an enumerated value outside its table, a null flag, spacing, an ignored key twice.
_MORE_TRAPS = [
    '{"event_id":"E121","child_id":"C1","type":"police_incident","timestamp":"'
    + AT
    + '","unknown":["incident_ref"]}',
    '{"event_id":"E122","child_id":"C1","type":"cpn_created","timestamp":"' + AT + '"}',
    '{"id":"E123","child_id":"C1","type":"police_incident","at":"' + AT + '"}',
    POLICE.replace('"Europe/London"', '["a",1e999]') % (124, AT),
    POLICE.replace('"Europe/London"', "[12345678901234567890123]") % (125, AT),
    CONCERN.replace('"complex":false', '"complex":false,"unknown":["looked_after"]') % (126, AT),
    CONCERN.replace('"physical"', '"nonsense"') % (127, AT),
    CONCERN.replace('"serious":false', '"serious":null') % (128, AT),
    '{"event_id":"E129","child_id":"C1","type":"strategy_meeting_held","timestamp":"'
    + AT
    + '","chair_role":" x "}',
    POLICE.replace('"tz":"Europe/London"', '"tz":"a","tz":"a"') % (130, AT),
    '{"event_id": "E131", "child_id": "C1", "type": "police_incident", "timestamp": "'
    + AT
    + '", "tz": 1}',
]

# Mappings pydantic-core carries out as it validates (_stream._Mapped), and mappings it
# cannot (read by the renamer record by record): each must read as the renamer reads.
_MAPPINGS = {
    "shared": load_mapping(SHARED / "shared_bench.mapping.yaml"),
    "chains": EventMapping(
        fields={"event_id": "id", "timestamp": "at"},
        types={"police_incident": "cpn_created", "cpn_created": "police_attention"},
        values={"category": {"physical": "physical_abuse", "physical_abuse": "neglect"}},
        constants={
            "cpn_created": {"incident_ref": "x"},
            "police_attention": {"incident_ref": "y"},
            "concern_identified": {"looked_after": False, "forensic_evidence_needed": None},
        },
        ignore=frozenset({"tz", "id"}),
    ),
    "swap": EventMapping(
        fields={"event_id": "id", "timestamp": "at", "child_id": "type", "type": "child_id"}
    ),
    "not an enumeration": EventMapping(
        fields={"event_id": "id", "timestamp": "at"},
        values={"chair_role": {"x": "chair"}},
        ignore=frozenset({"tz"}),
    ),
    "type renamed away": EventMapping(
        fields={"event_id": "id", "timestamp": "at", "type": "summary"}, ignore=frozenset({"tz"})
    ),
    # Constants a field refuses (too short, too long) or takes only by converting (1 for a
    # flag): each validated per record, as the renamer's records are (_constant_default).
    "constants refused or converted": EventMapping(
        fields={"event_id": "id", "timestamp": "at"},
        types={"police_incident": "cpn_created"},
        constants={
            "cpn_created": {"incident_ref": ""},
            "strategy_meeting_held": {"chair_role": "x" * 201},
            "concern_identified": {"looked_after": 1, "forensic_evidence_needed": False},
        },
        ignore=frozenset({"tz"}),
    ),
}


@pytest.mark.parametrize("name", sorted(_MAPPINGS))
def test_mapped_records_read_as_the_renamer_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    mapping = _MAPPINGS[name]
    path = _write(tmp_path, [*_plain(40), *_MAPPED_TRAPS, *_MORE_TRAPS, *_plain(40, 41)])
    read = _same(path, mapping=mapping)
    monkeypatch.setattr(stream_module, "_mapped", lambda mapping: None)
    _assert_same(read, load_events(path, mapping=mapping))


def test_a_constant_a_field_takes_as_it_is_is_one_value_shared_by_the_events(
    tmp_path: Path,
) -> None:
    # Validated once when the reader is built (_constant_default), not once per record:
    # every police incident of the blocks holds the one "not recorded" (validated per record,
    # each would be a string of its own).
    path = _write(tmp_path, _plain(1200))  # several blocks
    read = _same(path, mapping=_MAPPINGS["shared"])
    police = [e for e in read.events if type(e).__name__ == "CpnCreated"]
    assert len(police) == 600
    assert {e.incident_ref for e in police} == {"not recorded"}  # type: ignore[attr-defined]
    assert len({id(e.incident_ref) for e in police}) == 1  # type: ignore[attr-defined]
    assert all("incident_ref" in e.model_fields_set for e in police)


def test_a_mapped_block_whose_lines_join_or_hold_two_records_is_read_line_by_line(
    tmp_path: Path,
) -> None:
    # A mapped block's lines are joined into one JSON list, not wrapped one by one
    # (_validated). A record split over two lines (the second not starting with '{') and a
    # line holding two records give as many '{' and elements as lines, and would be taken
    # as one event per line if only those were counted: every line starting with '{' is
    # what sends them the long way, where each line is rejected on its own.
    split, whole, other = _plain(3, 900)
    cut = split.index(',"type"')
    first, second = split[:cut], split[cut + 1 :]  # joined by ",\n", they are one record
    assert json.loads(first + ",\n" + second)["event_id"] == "P900"
    lines = [*_plain(20), first, second, whole + "," + other, *_plain(20, 21)]
    read = _same(_write(tmp_path, lines), mapping=_MAPPINGS["shared"])
    assert len(read.events) == 40
    assert [r.where.rsplit(":", 1)[1] for r in read.rejected] == ["21", "22", "23"]


_VOCABULARY_TRAPS = [
    '{"id":"E1","child_id":"C1","type":"cpn_created","at":"'
    + AT
    + '","incident_ref":"R1"}'
    + '],[{"id":"E2","child_id":"C1","type":"cpn_created","at":"'
    + AT
    + '","incident_ref":"R2"}',
    '{"id":"E3","child_id":"C1","type":"cpn_created","at":"' + AT + '","incident_ref":"R3",'
    '"incident_ref":"R4"}',
    '{"id":"E5","child_id":"C1","type":"cpn_created","at":"' + AT + '","incident_ref":"R5",'
    '"attributes":{"src":"x","n":3}}',
    '{"id":"E6","child_id":"C1","type":"cpn_created","at":"' + AT + '","incident_ref":"R6",'
    '"attributes":{"src":"x","src":"y"}}',
    '{"id":"E7","child_id":"C1","type":"flag_sent","at":"' + AT + '","sender_role":"ppu_ds",'
    '"to":[["csc"],',
    '["police"]]}',
    '{"id": "E8", "child_id": "C1", "type": "cpn_created", "at": "' + AT + '", "unknown": '
    '["incident_ref"]}',
]


def test_records_in_the_vocabulary_read_in_blocks_are_read_as_lines(tmp_path: Path) -> None:
    lines = [
        _compact(id=f"V{n}", child_id=f"C{n % 7}", type="cpn_created", at=AT, incident_ref="R")
        for n in range(600)
    ]
    lines[300:300] = _VOCABULARY_TRAPS
    read = _same(_write(tmp_path, lines, end=""))  # no newline after the last line
    ids = {e.id for e in read.events}
    assert {"E5", "E8"} <= ids and not {"E1", "E2", "E3", "E6", "E7"} & ids
    assert len(read.events) == 602


def test_limits_on_lines_hold_in_blocks(tmp_path: Path) -> None:
    long_line = POLICE % (1, AT) + " " * (BLOCK_CHARS + 10)
    lines = [*_plain(100), long_line, *_plain(100, 200)]
    mapping = load_mapping(SHARED / "shared_bench.mapping.yaml")
    read = _same(_write(tmp_path, lines), mapping=mapping, limits=EventLimits(record_chars=2000))
    assert [r.where for r in read.rejected] == [f"{tmp_path / 'export.jsonl'}:101"]
    shallow = _same(_write(tmp_path, _plain(50)), mapping=mapping, limits=EventLimits(depth=1))
    assert len(shallow.events) == 50


def test_a_mapping_that_cannot_be_applied_as_text_reads_the_same(tmp_path: Path) -> None:
    # a chain of types (a -> b, b -> c: each translated once) and a constant that is a list
    mapping = EventMapping(
        fields={"event_id": "id", "timestamp": "at"},
        types={"police_incident": "cpn_created", "cpn_created": "police_attention"},
        constants={"flag_sent": {"to": ["csc"]}, "cpn_created": {"incident_ref": "n/a"}},
    )
    lines = [
        _compact(
            event_id=f"E{n}",
            child_id="C1",
            type=("police_incident", "cpn_created")[n % 2],
            timestamp=AT,
            incident_ref="R",
        )
        for n in range(50)
    ]
    read = _same(_write(tmp_path, lines), mapping=mapping)
    assert [type(e).__name__ for e in read.events[:2]] == ["CpnCreated", "PoliceAttention"]


_FRAGMENTS = [
    *_MAPPED_TRAPS,
    *_plain(6),
    '{"event_id":"E9',
    '"}',
    "],[",
    " ",
    '{"event_id":"E900","child_id":"C1","type":"police_incident","timestamp":"' + AT + '"}',
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=40))
def test_any_mix_of_lines_reads_the_same_both_ways(tmp_path: Path, lines: list[str]) -> None:
    mapping = load_mapping(SHARED / "shared_bench.mapping.yaml")
    read = _same(_write(tmp_path, lines), mapping=mapping)
    assert len(read.events) + len(read.rejected) == sum(1 for line in lines if line.strip())


_VOCABULARY_FRAGMENTS = [
    *_VOCABULARY_TRAPS,
    *(line.replace("E1", "E9") for line in _VOCABULARY_TRAPS),  # ids reused: still one each
    json.dumps(
        {"id": "E10", "child_id": "C1", "type": "cpn_created", "at": AT, "incident_ref": "R"}
    ),
    '{"id":"E11","child_id":"C1","type":"cpn_created","at":"' + AT + '","incident_ref":"R"}',
    '{"id":"E12",',
    "],[",
    "",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(_VOCABULARY_FRAGMENTS), min_size=1, max_size=40))
def test_any_mix_of_vocabulary_lines_reads_the_same_both_ways(
    tmp_path: Path, lines: list[str]
) -> None:
    read = _same(_write(tmp_path, lines))
    assert len(read.events) + len(read.rejected) == sum(1 for line in lines if line.strip())


def _taken(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of events each block read whole gave (0: read line by line)."""
    taken: list[int] = []
    bulk_events = stream_module._bulk_events

    def counted(text: str, count: int, blocks: Any) -> Any:
        events = bulk_events(text, count, blocks)
        taken.append(len(events) if events is not None else 0)
        return events

    monkeypatch.setattr(stream_module, "_bulk_events", counted)
    return taken


# Records that are valid but not plain (a flag not recorded, a date and no time, a field
# listed as unknown): blocks of them are validated with the events' model validators.
_NOT_PLAIN = {
    "flag null": CONCERN.replace('"serious":false', '"serious":null'),
    "flag left out": CONCERN.replace('"serious":false,', ""),
    "a date": CONCERN.replace('"timestamp":"%s"', '"on":"2024-05-0%s"'),
    "listed unknown": CONCERN.replace('"complex":false', '"unknown":["referral_ref"]'),
    "needed field unknown": CONCERN.replace('"category":"physical",', '"unknown":["category"],'),
}


@pytest.mark.parametrize("name", sorted(_NOT_PLAIN))
def test_blocks_that_are_not_plain_read_whole_as_lines_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    mapping = load_mapping(SHARED / "shared_bench.mapping.yaml")
    record = _NOT_PLAIN[name]
    odd = [record % (n, AT if "timestamp" in record else 1 + n % 9) for n in range(600)]
    # plain blocks, blocks of these records, then plain ones again
    lines = [*_plain(900), *odd, *_plain(900, 901)]
    taken = _taken(monkeypatch)
    read = _same(_write(tmp_path, lines), mapping=mapping)
    assert len(read.events) == 2400 and not read.rejected
    assert sum(taken) == 2400  # every block read whole
    by_id = {e.id: e for e in read.events}
    if name.startswith("flag"):
        assert by_id["E0"].unknown == ["serious_harm"]
        assert by_id["E0"].serious_harm is None  # type: ignore[attr-defined]


def test_types_translated_in_a_chain_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mapping = _MAPPINGS["chains"]  # police_incident -> cpn_created -> police_attention
    lines = [
        _compact(
            event_id=f"K{n}",
            child_id="C1",
            type=("police_incident", "cpn_created")[n % 2],
            timestamp=AT,
            tz="x",
        )
        for n in range(200)
    ]
    taken = _taken(monkeypatch)
    read = _same(_write(tmp_path, lines), mapping=mapping)
    assert sum(taken) == 200
    assert [(e.type, e.incident_ref) for e in read.events[:2]] == [  # type: ignore[attr-defined]
        ("cpn_created", "x"),
        ("police_attention", "y"),
    ]
    assert read.events[0].model_fields_set >= {"type", "incident_ref"}


def test_events_read_in_blocks_share_their_fields_sets_and_keep_them_apart(
    tmp_path: Path,
) -> None:
    # Events of a type read in blocks that set the same fields share one set object
    # (_stream._FieldsSets); no change pydantic makes to one event's set reaches another's.
    lines = _plain(1200)  # several blocks
    lines[7] = CONCERN.replace('"complex"', '"risk_level":"high","complex"') % (8, AT)
    read = _same(
        _write(tmp_path, lines), mapping=load_mapping(SHARED / "shared_bench.mapping.yaml")
    )
    concerns = [e for e in read.events if type(e).__name__ == "ConcernIdentified"]
    assert len(concerns) == 600
    given = {
        *("id", "child_id", "at", "type", "category", "serious_harm", "complex"),
        *("immediate_action_taken", "forensic_evidence_needed", "looked_after"),
    }
    with_risk = concerns[3]  # line 8
    first, other = concerns[0], concerns[-1]  # lines 2 and 1200: other blocks
    assert first.model_fields_set is other.model_fields_set == given
    assert with_risk.model_fields_set == given | {"risk_level"}
    assert len({id(e.model_fields_set) for e in concerns}) == 2

    updated = first.model_copy(update={"referral_ref": "P1"})
    assert updated.model_fields_set == given | {"referral_ref"}
    deep = first.model_copy(update={"referring_agency": "education"}, deep=True)
    assert deep.model_fields_set == given | {"referring_agency"}
    with pytest.raises(ValidationError):
        first.referral_ref = "P1"  # type: ignore[misc]  # frozen: refused before any change
    assert copy.copy(first).model_fields_set is not first.model_fields_set
    assert copy.deepcopy(first).model_fields_set is not first.model_fields_set
    assert first.model_fields_set is other.model_fields_set == given
    assert with_risk.model_fields_set == given | {"risk_level"}
    assert other.model_dump(exclude_unset=True).keys() == given


def test_types_whose_records_give_the_same_keys_keep_their_own_fields_sets(
    tmp_path: Path,
) -> None:
    # A police incident and a social worker's allocation give the same keys, and the
    # mapping gives each type a constant of its own (incident_ref, worker): each event's
    # fields set is made from its type's, not from another type's of the same keys.
    worker = POLICE.replace("police_incident", "social_worker_allocated")
    lines = [(POLICE if n % 3 else worker) % (n, AT) for n in range(1, 301)]
    read = _same(
        _write(tmp_path, lines), mapping=load_mapping(SHARED / "shared_bench.mapping.yaml")
    )
    base = {"id", "child_id", "at", "type"}
    assert [e.model_fields_set for e in read.events[:3]] == [
        base | {"incident_ref"},
        base | {"incident_ref"},
        base | {"worker"},
    ]


def test_every_event_type_is_frozen() -> None:
    # Events read in blocks share their fields sets (_stream._FieldsSets), which is sound
    # only while no event's fields can be set after it is made.
    for event_class in EVENT_CLASSES.values():
        assert event_class.model_config.get("frozen") is True, event_class
