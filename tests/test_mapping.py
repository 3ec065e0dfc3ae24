"""Event mappings: foreign records renamed into the vocabulary in the same pass that
validates them (docs/mapping.md), and the shared benchmark's pack read through one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguard_rules import (
    EventMapping,
    EventMappingError,
    evaluate,
    load_events,
    load_mapping,
    load_pack,
    parse_events,
)

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "shared_bench"

FOREIGN = EventMapping(
    fields={"event_id": "id", "timestamp": "at", "serious": "serious_harm"},
    types={"police_incident": "cpn_created", "concern": "concern_identified"},
    values={"category": {"physical": "physical_abuse", "pen": "penetrative_sexual_abuse"}},
    constants={"cpn_created": {"incident_ref": "not recorded"}},
    ignore=frozenset({"tz"}),
)


def jsonl(tmp_path: Path, records: list[dict[str, Any]]) -> Path:
    path = tmp_path / "foreign.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_a_foreign_file_is_renamed_and_validated_in_one_pass(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path,
        [
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
                "type": "concern",
                "timestamp": "2024-05-07T11:00:00+01:00",
                "category": "pen",
                "serious": True,
                "tz": "Europe/London",
            },
        ],
    )
    stream = load_events(path, mapping=FOREIGN)
    assert stream.rejected == ()
    incident, concern = stream.events
    assert (incident.type, incident.id, incident.incident_ref) == (
        "cpn_created",
        "E1",
        "not recorded",
    )  # type: ignore[attr-defined]
    assert incident.at == datetime(2024, 5, 7, 9, 0, tzinfo=UTC)
    assert (concern.type, concern.category, concern.serious_harm) == (  # type: ignore[attr-defined]
        "concern_identified",
        "penetrative_sexual_abuse",
        True,
    )


def test_the_same_records_written_in_the_vocabulary_give_the_same_events() -> None:
    foreign = {
        "event_id": "E1",
        "child_id": "C1",
        "type": "concern",
        "timestamp": "2024-05-07T10:00:00Z",
        "category": "physical",
    }
    native = {
        "id": "E1",
        "child_id": "C1",
        "type": "concern_identified",
        "at": "2024-05-07T10:00:00Z",
        "category": "physical_abuse",
    }
    assert parse_events([foreign], mapping=FOREIGN).events == parse_events([native]).events


def test_a_record_that_has_the_constant_field_keeps_its_own_value() -> None:
    record = {
        "event_id": "E1",
        "child_id": "C1",
        "type": "police_incident",
        "timestamp": "2024-05-07T10:00:00Z",
        "incident_ref": "INC-9",
    }
    (event,) = parse_events([record], mapping=FOREIGN).events
    assert event.incident_ref == "INC-9"  # type: ignore[attr-defined]


def test_unlisted_names_and_values_pass_unchanged_and_are_then_validated(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path,
        [
            # already in the vocabulary: passes through the mapping untouched
            {
                "event_id": "E1",
                "child_id": "C1",
                "type": "concern_identified",
                "timestamp": "2024-05-07T10:00:00Z",
                "category": "neglect",
            },
            # a category the mapping does not list and the vocabulary does not know
            {
                "event_id": "E2",
                "child_id": "C1",
                "type": "concern",
                "timestamp": "2024-05-07T10:00:00Z",
                "category": "bruising",
            },
            # a type neither lists
            {
                "event_id": "E3",
                "child_id": "C1",
                "type": "phone_call",
                "timestamp": "2024-05-07T10:00:00Z",
            },
            # a source key nobody maps or ignores
            {
                "event_id": "E4",
                "child_id": "C1",
                "type": "police_incident",
                "timestamp": "2024-05-07T10:00:00Z",
                "officer": "x",
            },
        ],
    )
    stream = load_events(path, mapping=FOREIGN)
    assert [e.id for e in stream.events] == ["E1"]
    reasons = {r.where: (r.event_id, r.reason) for r in stream.rejected}
    assert set(reasons) == {f"{path}:2", f"{path}:3", f"{path}:4"}
    assert reasons[f"{path}:2"][0] == "E2" and "category" in reasons[f"{path}:2"][1]
    assert "unknown event type 'phone_call'" in reasons[f"{path}:3"][1]
    assert "unknown field 'officer'" in reasons[f"{path}:4"][1]


def test_two_source_keys_that_become_one_field_reject_that_record_only(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path,
        [
            {
                "event_id": "E1",
                "id": "X",
                "child_id": "C1",
                "type": "police_incident",
                "timestamp": "2024-05-07T10:00:00Z",
            },
            {
                "event_id": "E2",
                "child_id": "C1",
                "type": "police_incident",
                "timestamp": "2024-05-07T10:00:00Z",
            },
        ],
    )
    stream = load_events(path, mapping=FOREIGN)
    assert [e.id for e in stream.events] == ["E2"]
    (rejection,) = stream.rejected
    assert rejection.where == f"{path}:1"
    assert "'event_id' and 'id' both become field 'id'" in rejection.reason


def test_a_mapping_that_names_what_the_vocabulary_lacks_is_refused() -> None:
    with pytest.raises(EventMappingError) as caught:
        EventMapping(
            fields={"ts": "att", "a": "id", "b": "id"},
            types={"incident": "cpn_creatd"},
            constants={"cpn_created": {"id": "x", "incident_rf": "y"}},
        )
    text = str(caught.value)
    assert "'ts' -> 'att': no event type has a field 'att'; did you mean 'at'?" in text
    assert "'a' and 'b' both become 'id'" in text
    assert "'incident' -> 'cpn_creatd' is not an event type; did you mean 'cpn_created'?" in text
    assert "cpn_created.id: not a field a constant can give" in text
    assert (
        "cpn_created.incident_rf: not a field a constant can give; did you mean 'incident_ref'?"
        in text
    )


def test_mapping_file_problems_are_located(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "fields:\n  event_id: id\n  when: att\ntypes:\n  x: cpn_created\nconstant: {}\n",
        encoding="utf-8",
    )
    with pytest.raises(EventMappingError) as caught:
        load_mapping(path)
    # the unknown top-level key is found first (line 6), before the vocabulary is consulted
    (only,) = caught.value.diagnostics
    assert (only.line, only.code) == (6, "unknown-key")
    assert "did you mean 'constants'?" in only.message
    path.write_text("fields:\n  event_id: id\n  when: att\n", encoding="utf-8")
    with pytest.raises(EventMappingError) as caught:
        load_mapping(path)
    (only,) = caught.value.diagnostics
    assert (only.file, only.line, only.column) == (str(path), 3, 3)
    assert "did you mean 'at'?" in only.message


def test_the_shared_benchmark_mapping_and_pack_give_hand_worked_results(tmp_path: Path) -> None:
    """Records in the shared benchmark's own format (shared/bench/gen_events.py)."""

    def rec(eid: str, kind: str, at: str, **extra: Any) -> dict[str, Any]:
        return {
            "event_id": eid,
            "child_id": "C00001",
            "type": kind,
            "timestamp": at,
            "tz": "Europe/London",
            **extra,
        }

    concern = {
        "category": "physical",
        "serious": False,
        "immediate_action": False,
        "complex": False,
    }
    records = [
        rec("E01", "police_incident", "2024-04-01T10:00:00+01:00"),
        rec("E02", "police_incident", "2024-04-02T10:00:00+01:00"),
        rec("E03", "police_incident", "2024-04-03T10:00:00+01:00"),
        rec("E04", "police_incident", "2024-04-04T10:00:00+01:00"),  # 4th, no social worker yet
        rec("E05", "social_worker_allocated", "2024-04-05T10:00:00+01:00"),
        rec("E06", "police_incident", "2024-04-06T10:00:00+01:00"),  # 5th, allocated: R1 fires
        # Fri 3 May 2024, "otherwise": 3 working days; Mon 6 May is the Early May bank
        # holiday, so Tue 7 = 1, Wed 8 = 2, Thu 9 = 3: due end of Thu 9 May.
        rec("E07", "concern_identified", "2024-05-03T09:00:00+01:00", **concern),
        rec("E08", "strategy_meeting_held", "2024-05-09T16:00:00+01:00"),  # met
        # Mon 13 May 2024, penetrative sexual: same day; the next meeting is Tue 14: breached
        rec(
            "E09",
            "concern_identified",
            "2024-05-13T09:00:00+01:00",
            **{**concern, "category": "penetrative_sexual"},
        ),
        rec("E10", "strategy_meeting_held", "2024-05-14T09:00:00+01:00"),
        # Wed 31 Dec 2025, complex: 5 working days after it are Fri 2, Mon 5 .. Thu 8 Jan
        # 2026 (1 January is a bank holiday): due 8 January, after as_of: pending.
        rec(
            "E11", "concern_identified", "2025-12-31T09:00:00+00:00", **{**concern, "complex": True}
        ),
    ]
    path = tmp_path / "bench.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    pack = load_pack(BENCH / "shared_bench.yaml")
    stream = load_events(path, mapping=load_mapping(BENCH / "shared_bench.mapping.yaml"))
    assert stream.rejected == ()
    result = evaluate(pack, stream, datetime(2026, 1, 1, tzinfo=UTC))
    got = {(o.rule, o.id.split("/")[1]): o for o in result.obligations}
    assert sorted(got) == [
        ("flag_to_social_worker", "E06"),
        ("request_planning_meeting", "E06"),
        ("strategy_meeting_timescale", "E07"),
        ("strategy_meeting_timescale", "E09"),
        ("strategy_meeting_timescale", "E11"),
    ]
    flag = got["flag_to_social_worker", "E06"]
    assert flag.due is not None and flag.due.isoformat() == "2024-04-06T10:00:00+01:00"
    assert got["request_planning_meeting", "E06"].due is None
    deadlines = {
        eid: (o.due.date().isoformat() if o.due else None, o.status)
        for (rule, eid), o in got.items()
        if rule == "strategy_meeting_timescale"
    }
    assert deadlines == {
        "E07": ("2024-05-09", "met"),
        "E09": ("2024-05-13", "met_late"),
        "E11": ("2026-01-08", "open"),
    }


def test_a_mapping_survives_pickling_as_it_travels_to_workers() -> None:
    import pickle

    copy = pickle.loads(pickle.dumps(FOREIGN))
    assert copy == FOREIGN
    record = {
        "event_id": "E1",
        "child_id": "C1",
        "type": "police_incident",
        "timestamp": "2024-05-07T10:00:00Z",
        "tz": "x",
    }
    assert copy.renamer()(record) == FOREIGN.renamer()(record)


# --- loading a mapping file without pydantic ------------------------------------------------


def test_loading_a_mapping_imports_neither_pydantic_nor_the_event_models() -> None:
    import subprocess
    import sys

    code = (
        "import sys, safeguard_rules\n"
        f"m = safeguard_rules.load_mapping({str(BENCH / 'shared_bench.mapping.yaml')!r})\n"
        "print(sorted(n for n in ('pydantic', 'safeguard_rules._events') if n in sys.modules),"
        " dict(m.types))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out == "[] {'police_incident': 'cpn_created'}\n"


def _as_model_reads(data: Any) -> Any:
    """The mapping file's tables as the pydantic model of the format validates them."""
    from safeguard_rules._mapping import _mapping_file

    return dict(_mapping_file().model_validate(data))


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False)
    | st.text(max_size=3)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner)
        | st.dictionaries(
            _SCALARS.filter(lambda k: k is None or not isinstance(k, float)), inner, max_size=3
        )
    ),
    max_leaves=8,
)
_KEYS = st.sampled_from(["fields", "types", "values", "constants", "ignore", "field", 1, None])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEYS, _VALUES, max_size=5) | _VALUES)
def test_a_file_taken_without_the_model_is_what_the_model_gives(data: Any) -> None:
    # Anything the plain check takes, the model takes too, giving the same values of the
    # same types; anything else goes to the model (and its messages).
    from pydantic import ValidationError

    from safeguard_rules._mapping import _plain_spec
    from safeguard_rules._prebuilt import same_values

    plain = _plain_spec(data)
    try:
        model = _as_model_reads(data)
    except ValidationError:
        assert plain is None
        return
    if plain is not None:
        assert same_values(plain, model)


def test_documented_shapes_are_taken_without_the_model() -> None:
    from safeguard_rules._mapping import _plain_spec
    from safeguard_rules._prebuilt import same_values
    from safeguard_rules._yaml import read_yaml_file

    data, _ = read_yaml_file(BENCH / "shared_bench.mapping.yaml")
    for taken in (data, {}, {"values": {"serious": {1: True, False: "x", 1.5: None, "y": [1]}}}):
        plain = _plain_spec(taken)
        assert plain is not None
        assert same_values(plain, _as_model_reads(taken))
    # Shapes the model refuses or converts are left to it.
    for left in ({"fields": {"a": 1}}, {"ignore": ("a",)}, {"types": []}, {"extra": {}}, []):
        assert _plain_spec(left) is None
