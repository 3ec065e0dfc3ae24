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
from typing import Any

import pytest

from safeguard_rules import (
    ArgumentError,
    CpnCreated,
    EventValidationError,
    SafeguardRulesError,
    evaluate,
    evaluate_jurisdiction,
    load_pack,
)
from safeguard_rules._stream import parse_event

PLANTED = "PLANTED-7f3a"
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
def test_an_as_of_outside_the_event_years_is_an_argument_error(as_of: datetime, message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        evaluate(load_pack("jersey_2019"), [], as_of)
    with pytest.raises(ArgumentError, match=message):
        evaluate_jurisdiction("jersey", [], as_of)
