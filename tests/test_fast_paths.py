"""The speed work's shortcuts give the same answers as the long way round.

Speed itself is measured by benchmarks/ (never here); these tests check that pausing the
garbage collector leaves the caller's setting as it was, that the shortened JSON decode
returns what the decoder returns, and that comparing event times with as_of without
converting them still compares instants in the repeated autumn hour.
"""

from __future__ import annotations

import gc
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from helpers import ev

from safeguard_rules import evaluate, load_events, load_pack, parse_events
from safeguard_rules._event_files import _DECODER, _decode
from safeguard_rules._gc import FREEZE_ABOVE, collector_paused

LONDON = ZoneInfo("Europe/London")


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
