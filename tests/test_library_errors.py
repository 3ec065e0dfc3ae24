"""Events built in Python fail with the library's own error, and never with the values
given (issue 9, event side; tests/test_contract.py checks every public error's type).

Before: bad events built in Python raised pydantic's ValidationError, whose text holds
each value given (`input_value='...'`), so a logged traceback logged event contents.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from safeguard_rules import (
    ArgumentError,
    CpnCreated,
    EventValidationError,
    InvalidAsOfError,
    SafeguardRulesError,
    UnknownIdError,
    UnknownObligationError,
    evaluate,
    evaluate_jurisdiction,
    explain,
    load_events,
    load_pack,
    parse_events,
)
from safeguard_rules._stream import parse_event

PLANTED = "PLANTED-7f3a"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "child_a_history.jsonl"
AS_OF = datetime(2024, 6, 1, tzinfo=UTC)
RECORD = {"id": "e1", "type": "cpn_created", "child_id": "c", "at": PLANTED, "incident_ref": 7}

BUILDERS: dict[str, Callable[[dict[str, Any]], object]] = {
    "constructor": lambda record: CpnCreated(**{k: v for k, v in record.items() if k != "type"}),
    "model_validate": CpnCreated.model_validate,
    "model_validate_json": lambda record: CpnCreated.model_validate_json(json.dumps(record)),
    "parse_event": parse_event,
}


@pytest.mark.parametrize("how", sorted(BUILDERS))
def test_every_way_of_building_an_event_raises_the_library_error(how: str) -> None:
    with pytest.raises(SafeguardRulesError) as caught:
        BUILDERS[how](RECORD)
    error = caught.value
    assert type(error) is EventValidationError
    assert isinstance(error, ValueError)
    assert error.event_type == "cpn_created"
    assert [p.partition(":")[0] for p in error.problems] == ["at", "incident_ref"]
    assert str(error).startswith("invalid cpn_created event: at: not an ISO 8601 date and time")


@pytest.mark.parametrize("how", sorted(BUILDERS))
def test_nothing_logged_with_the_error_holds_the_values_given(how: str) -> None:
    with pytest.raises(EventValidationError) as caught:
        BUILDERS[how](RECORD)
    logged = "".join(traceback.format_exception(caught.value))
    assert PLANTED not in logged
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_valid_events_are_still_built() -> None:
    event = CpnCreated(id="e1", child_id="c", at="2024-05-07T10:00:00+01:00", incident_ref="I")  # type: ignore[arg-type]
    assert event.at == datetime.fromisoformat("2024-05-07T10:00:00+01:00")
    assert parse_event(event.model_dump()) == event
    assert CpnCreated.model_validate_json(event.model_dump_json()) == event


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        # 0001-01-01 with +14:00 ended in OverflowError before
        (datetime(1, 1, 1, tzinfo=UTC), "as_of must fall in the years 1901 to 2199"),
        (datetime(9999, 12, 31, tzinfo=UTC), "as_of must fall in the years 1901 to 2199"),
    ],
)
def test_an_as_of_outside_the_event_years_is_an_argument_error(
    as_of: datetime, message: str
) -> None:
    with pytest.raises(InvalidAsOfError, match=message):
        evaluate(load_pack("jersey_2019"), [], as_of)
    with pytest.raises(InvalidAsOfError, match=message) as caught:
        evaluate_jurisdiction("jersey", [], as_of)
    # One hierarchy: the specific error is still main's ArgumentError (a ValueError).
    assert isinstance(caught.value, ArgumentError) and isinstance(caught.value, ValueError)


def test_explaining_another_packs_obligation_is_a_clear_error() -> None:
    # Before: a bare StopIteration from inside explain.
    events = load_events(EXAMPLE)
    obligation = evaluate(load_pack("jersey_2024"), events, AS_OF).obligations[0]
    other = load_pack("wtsc_2015")
    assert obligation.rule not in {c.rule.id for c in other.rules}
    with pytest.raises(UnknownObligationError) as caught:
        explain(other, obligation, events.events)
    assert str(caught.value) == (
        f"obligation {obligation.id!r} was not made by pack 'wtsc_2015' (version "
        f"{other.version}): it has no rule {obligation.rule!r}"
        + (f" with route {obligation.route!r}" if obligation.route else "")
        + " that requires an action; explain it with the pack that evaluated it"
    )
    assert isinstance(caught.value, UnknownIdError)
    assert isinstance(caught.value, SafeguardRulesError)


def test_an_unknown_obligation_id_is_a_library_error_and_still_a_key_error() -> None:
    result = evaluate(load_pack("jersey_2019"), [], AS_OF)
    with pytest.raises(UnknownObligationError) as caught:
        result.obligation("no/such")
    assert isinstance(caught.value, KeyError)
    assert str(caught.value) == "no obligation 'no/such' in this evaluation"


def test_a_record_passed_where_an_event_belongs_is_an_argument_error() -> None:
    # Before: AttributeError: 'dict' object has no attribute 'id', from inside evaluate.
    pack = load_pack("jersey_2024")
    events = load_events(EXAMPLE)
    record = events.events[1].model_dump(mode="json")
    expected = (
        "events[1] is a dict, not an event: make events of records with "
        "parse_events(records), or read a file with load_events(path)"
    )
    calls: list[Callable[[], object]] = [
        lambda: evaluate(pack, [events.events[0], record], AS_OF),
        lambda: evaluate_jurisdiction("jersey", [events.events[0], record], AS_OF),
        lambda: explain(
            pack, evaluate(pack, events, AS_OF).obligations[0], [events.events[0], record]
        ),
    ]
    for call in calls:
        with pytest.raises(ArgumentError) as caught:
            call()
        assert str(caught.value) == expected
    # What the message says to do works: the same record made an event is evaluated.
    made = parse_events([record])
    assert evaluate(pack, [events.events[0], *made.events], AS_OF).account.evaluated == 2
