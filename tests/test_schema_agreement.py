"""The JSON Schemas say what the loader accepts: every example goes through both.

An editor checks packs against schemas/pack.schema.json as they are typed; the loader
checks them when they are loaded. Where the two disagree, an author is told a pack is fine
that then fails in CI, or the reverse. So every example here is validated by the schema and
by the loader (read, merge, validate: the stages before compile, whose name checks need the
event vocabulary and the pack's own roles, which no schema can know), and they must agree.

The few checks a JSON Schema cannot state are listed in LOADER_ONLY with the reason; each is
asserted to be accepted by the schema and refused by the loader, so the list stays true.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from safeguard_rules._document import merge, validate
from safeguard_rules._errors import PackError
from safeguard_rules._limits import DEFAULT_LIMITS
from safeguard_rules._pack import DOCUMENT, Condition, Count, Due, Timescale
from safeguard_rules._registry import resolve_base
from safeguard_rules._scenario_format import ScenarioFile
from safeguard_rules._schema import schemas
from safeguard_rules._yaml import Positions, read_yaml_file

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "scenario_files" / "toy" / "toy_pack.yaml"
PACK_SCHEMA = json.loads(schemas()["pack.schema.json"])
SCENARIO_SCHEMA = json.loads(schemas()["scenario.schema.json"])


def _validator(schema: dict[str, Any], definition: str | None = None) -> Draft202012Validator:
    if definition is not None:
        schema = {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
    # Formats asserted, as editors do (a date must be a real date).
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


PACK = _validator(PACK_SCHEMA)


def schema_accepts(data: Any) -> bool:
    return PACK.is_valid(data)


def loader_accepts(data: Any, file: Path = TOY) -> bool:
    try:
        validate(merge(data, Positions(str(file)), resolve_base, DEFAULT_LIMITS))
    except PackError:
        return False
    return True


# --- every real pack: both accept -------------------------------------------------------

REAL_PACKS = sorted(
    [*(ROOT / "policies").glob("*.yaml"), *(ROOT / "examples" / "overlays").glob("*.yaml"), TOY]
)


@pytest.mark.parametrize("path", REAL_PACKS, ids=lambda p: p.name)
def test_every_real_pack_is_accepted_by_both(path: Path) -> None:
    data, _positions = read_yaml_file(path)
    assert schema_accepts(data), list(PACK.iter_errors(data))[:3]
    assert loader_accepts(data, path)


# --- mutants of the toy pack: both refuse -----------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _table(pack: dict[str, Any]) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = pack["rules"][0]["require"]["due"]["table"]["cases"]
    return cases


def _param(pack: dict[str, Any]) -> dict[str, Any]:
    parameter: dict[str, Any] = pack["parameters"]["forward_timescale"]
    return parameter


def _check(pack: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = pack["rules"][2]
    return rule


def _office(pack: dict[str, Any], **changes: Any) -> None:
    office = {"days": ["mon"], "start": "09:00", "end": "17:00"}
    pack["calendar"]["office_hours"] = {**office, **changes}


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(pack: dict[str, Any]) -> None:
        target: Any = pack
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


BOTH_REFUSE: dict[str, Mutation] = {
    # strict values (issue 9): no text for numbers, no numbers for true/false
    "working days as text": lambda p: _param(p).update(default={"working_days": "3"}),
    "working days as true": lambda p: _param(p).update(default={"working_days": True}),
    "hours as text": lambda p: _param(p).update(default={"hours": "24"}),
    "negative working days": lambda p: _param(p).update(default={"working_days": -1}),
    "open on holidays 'on'": lambda p: _office(p, open_on_public_holidays="on"),
    "open on holidays 1": lambda p: _office(p, open_on_public_holidays=1),
    "office hours 9am": lambda p: _office(p, start="9am"),
    "office hours 24:00": lambda p: _office(p, end="24:00"),
    "version as a number": lambda p: p["pack"].update(version=1),
    "date as a number": lambda p: p["pack"].update(effective_from=20240101),
    "date with slashes": lambda p: p["pack"].update(effective_from="2024/01/01"),
    "no such date": lambda p: p["pack"].update(effective_from="2024-13-01"),
    "closure not a date": lambda p: p["calendar"].update(closures=["next tuesday"]),
    "blank title": lambda p: p["pack"].update(title="   "),
    "null where a value belongs": lambda p: _table(p)[0].update(strength=None),
    "unknown key": lambda p: p["calendar"].update(timezones="Europe/London"),
    # timescales and deadlines: exactly one key
    "timescale with two keys": lambda p: _table(p)[1].update(
        within={"working_days": 3, "hours": 4}
    ),
    "timescale with no key": lambda p: _table(p)[1].update(within={}),
    "timescale with a null and a key": lambda p: _table(p)[1].update(
        within={"working_days": None, "same_day": True}
    ),
    "same_day false": lambda p: _table(p)[1].update(within={"same_day": False}),
    "due with parameter and days": lambda p: p["rules"][1]["routes"][0]["require"].update(
        due={"parameter": "forward_timescale", "working_days": 1}
    ),
    "due_from without due": lambda p: (
        p["rules"][0]["require"].update(due_from={"event": "concern_identified"})
        or p["rules"][0]["require"].pop("due", None)
    ),
    "earliest_since an empty list": lambda p: p["rules"][0]["require"].update(
        due_from={"event": "concern_identified", "earliest_since": []}
    ),
    "earliest_since a list with an unknown key": lambda p: p["rules"][0]["require"].update(
        due_from={
            "event": "concern_identified",
            "earliest_since": [{"event": "strategy_meeting_held", "wher": {}}],
        }
    ),
    "due_from with a count": lambda p: p["rules"][0]["require"].update(
        due_from={"event": "concern_identified", "more_than": 3}
    ),
    "parameter default naming a parameter": lambda p: _param(p).update(
        default={"parameter": "forward_timescale"}
    ),
    # conditions: one combinator, or a field and exactly one operator
    "condition with all and a field": lambda p: _table(p)[0].update(
        when={"all": [{"field": "serious_harm", "is": True}], "field": "serious_harm"}
    ),
    "condition with all and any": lambda p: _table(p)[0].update(
        when={
            "all": [{"field": "serious_harm", "is": True}],
            "any": [{"field": "complex", "is": True}],
        }
    ),
    "field without an operator": lambda p: _table(p)[0].update(when={"field": "serious_harm"}),
    "field with two operators": lambda p: _table(p)[0].update(
        when={"field": "serious_harm", "is": True, "is_not": False}
    ),
    "empty condition": lambda p: _table(p)[0].update(when={}),
    "is null": lambda p: _table(p)[0].update(when={"field": "serious_harm", "is": None}),
    "empty all": lambda p: _table(p)[0].update(when={"all": []}),
    "at_least as text": lambda p: _table(p)[0].update(
        when={"field": "risk_level", "at_least": "3"}
    ),
    # rules: exactly one outcome; a message exactly with expect
    "rule with require and expect": lambda p: p["rules"][0].update(
        expect={"field": "serious_harm", "is": True}, message="m"
    ),
    "rule with no outcome": lambda p: p["rules"][0].pop("require"),
    "check without message": lambda p: _check(p).pop("message"),
    "message without expect": lambda p: p["rules"][0].update(message="a message"),
    "one route only": lambda p: p["rules"][1].update(routes=p["rules"][1]["routes"][:1]),
    # counts: exactly one threshold
    "count with both thresholds": lambda p: p["rules"][0]["when"].update(
        count={"more_than": 1, "at_least": 2}
    ),
    "count with no threshold": lambda p: p["rules"][0]["when"].update(count={"repeat": "every"}),
}


@pytest.mark.parametrize("name", sorted(BOTH_REFUSE))
def test_both_refuse(name: str) -> None:
    data, _positions = read_yaml_file(TOY)
    mutant = copy.deepcopy(data)
    BOTH_REFUSE[name](mutant)
    assert (schema_accepts(mutant), loader_accepts(mutant)) == (False, False)


# --- what only the loader can check ------------------------------------------------------

LOADER_ONLY: dict[str, tuple[Mutation, str]] = {
    "effective_to before effective_from": (
        lambda p: p["pack"].update(effective_to="2023-12-31"),
        "JSON Schema cannot compare two values",
    ),
    "office hours ending before they start": (
        lambda p: _office(p, start="17:00", end="09:00"),
        "JSON Schema cannot compare two values",
    ),
    "last deadline case with a 'when'": (
        lambda p: _table(p)[1].update(when={"field": "complex", "is": True}),
        "JSON Schema cannot single out the last item of a list",
    ),
    "last route with a 'when'": (
        lambda p: p["rules"][1]["routes"][1].update(when={"field": "authorised", "is": False}),
        "JSON Schema cannot single out the last item of a list",
    ),
    "3.0 working days": (
        lambda p: _param(p).update(default={"working_days": 3.0}),
        "to JSON Schema 3.0 is the integer 3; in YAML it is a float, refused where a whole "
        "number belongs",
    ),
    "not a number": (
        lambda p: _table(p)[0].update(when={"field": "risk_level", "at_least": math.nan}),
        "YAML's .nan and .inf have no JSON counterpart; the loader refuses them",
    ),
}


@pytest.mark.parametrize("name", sorted(LOADER_ONLY))
def test_what_only_the_loader_refuses_is_listed_with_why(name: str) -> None:
    data, _positions = read_yaml_file(TOY)
    mutant = copy.deepcopy(data)
    mutate, _why = LOADER_ONLY[name]
    mutate(mutant)
    assert (schema_accepts(mutant), loader_accepts(mutant)) == (True, False)


# --- the one-of shapes, at random ---------------------------------------------------------

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=10_000),
    st.sampled_from(["3", "24", "yes", "", "  ", "neglect", "x" * 500]),
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()),
    st.lists(st.integers(min_value=0, max_value=3), max_size=2),
)


def _random_mappings(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from([*keys, "unknown"]), VALUES, max_size=4)


TIMESCALE_KEYS = list(Timescale.model_fields)
DUE_KEYS = [*TIMESCALE_KEYS, "parameter"]
COUNT_KEYS = ["more_than", "at_least", "repeat"]
CONDITION_KEYS = [f.alias or name for name, f in Condition.model_fields.items()]
OPERATORS = [key for key in CONDITION_KEYS if key not in ("all", "any", "not", "field")]
# A field test with one or two operators, or a combinator beside other keys: near misses.
FIELD_TESTS = st.builds(
    lambda ops, values, extra: {
        "field": "serious_harm",
        **dict(zip(ops, values, strict=False)),
        **extra,
    },
    st.lists(st.sampled_from(OPERATORS), min_size=1, max_size=2, unique=True),
    st.lists(VALUES, min_size=2, max_size=2),
    _random_mappings(["all", "any", "not"]).map(lambda d: {k: [] for k in d}),
)
SHAPES = {
    "Timescale": (Timescale, _random_mappings(TIMESCALE_KEYS)),
    "Due": (Due, _random_mappings(DUE_KEYS)),
    "Count": (Count, _random_mappings(COUNT_KEYS)),
    "Condition": (Condition, st.one_of(_random_mappings(CONDITION_KEYS), FIELD_TESTS)),
}


def _model_accepts(model: type[Any], data: Any) -> bool:
    try:
        model.model_validate(data, context=DOCUMENT)
    except ValueError:  # pydantic's ValidationError is a ValueError
        return False
    return True


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_schema_and_model_agree_on_random_one_of_shapes(shape: str) -> None:
    model, mappings = SHAPES[shape]
    validator = _validator(PACK_SCHEMA, shape)
    accepted: list[bool] = []

    @settings(
        max_examples=400,
        derandomize=True,  # the same examples on every run: CI stays stable
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(mappings)
    def agree(data: dict[str, Any]) -> None:
        schema_says = validator.is_valid(data)
        assert schema_says == _model_accepts(model, data), (data, schema_says)
        accepted.append(schema_says)

    agree()
    assert any(accepted) and not all(accepted)  # both kinds were tried


# --- scenario files -------------------------------------------------------------------------

SCENARIO = _validator(SCENARIO_SCHEMA)
SCENARIO_FILES = sorted((ROOT / "policies" / "scenarios").glob("*.scenarios.yaml"))


def scenario_loader_accepts(data: Any) -> bool:
    return _model_accepts(ScenarioFile, data)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_bundled_scenario_file_is_accepted_by_both(path: Path) -> None:
    data, _positions = read_yaml_file(path)
    assert SCENARIO.is_valid(data)
    assert scenario_loader_accepts(data)


SCENARIO_REFUSALS: dict[str, Mutation] = {
    "pack and packs in a scenario": lambda f: f["scenarios"][0].update(pack="a", packs=["b"]),
    "pack and packs in the file": lambda f: f.update(packs=["a"]),
    "a scenario without a pack": lambda f: f.pop("pack"),
    "nothing_else as text": lambda f: f["scenarios"][0]["expect"].update(nothing_else="yes"),
    "count as text": lambda f: f["scenarios"][0]["expect"].update(rejected="1"),
}


@pytest.mark.parametrize("name", sorted(SCENARIO_REFUSALS))
def test_both_refuse_a_bad_scenario_file(name: str) -> None:
    data = {
        "pack": "toy_pack.yaml",
        "scenarios": [{"name": "one", "as_of": "2024-05-10", "events": [], "expect": {}}],
    }
    SCENARIO_REFUSALS[name](data)
    assert (SCENARIO.is_valid(data), scenario_loader_accepts(data)) == (False, False)
