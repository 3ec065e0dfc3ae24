"""The library's contract with systems that import it: an immutable, picklable compiled pack,
public types for everything public functions return, one error hierarchy."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
import inspect
import io
import pickle
import shutil
import subprocess
import sys
import tomllib
import typing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from types import MappingProxyType
from typing import Any

import api_docgen
import pytest
from pydantic import BaseModel, ValidationError

import safeguard_rules
from safeguard_rules import (
    ArgumentError,
    CompiledPack,
    ConcernIdentified,
    EventValidationError,
    InvalidAsOfError,
    PackIntegrityError,
    PackLimits,
    PackNotFoundError,
    PackValidationError,
    SafeguardRulesError,
    UnknownIdError,
    UnknownObligationError,
    evaluate,
    explain,
    import_cin_census,
    lint_packs,
    load_events,
    load_pack,
    merge_evaluations,
    read_events_lazily,
    run_scenarios,
    select_pack,
    sort_events_by_child,
)
from safeguard_rules._plain_pack import PlainModel
from safeguard_rules.compiled import CalendarError, WorkingCalendar
from safeguard_rules.pack_format import FrozenDict, FrozenList

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "child_a_history.jsonl"
AS_OF = datetime.fromisoformat("2024-06-03T17:00:00+01:00")


@pytest.fixture(scope="module")
def pack() -> CompiledPack:
    return load_pack("jersey_2024")


def _json(pack: CompiledPack) -> str:
    return evaluate(pack, load_events(EXAMPLE), AS_OF).to_json()


# --- immutable ------------------------------------------------------------------------------


def test_its_indexes_are_read_only_views(pack: CompiledPack) -> None:
    before = _json(pack)
    # Once, rules_by_event.clear() made every later evaluation fire nothing.
    with pytest.raises(AttributeError):
        pack.rules_by_event.clear()  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        pack.rules_by_event["concern_identified"] = ()  # type: ignore[index]
    with pytest.raises(TypeError):
        pack.parameters["x"] = pack.parameters[next(iter(pack.parameters))]  # type: ignore[index]
    with pytest.raises(TypeError):
        pack.source_files["x"] = "y"  # type: ignore[index]
    route = next(r for c in pack.rules for r in c.routes if r.requirement is not None)
    assert route.requirement is not None
    with pytest.raises(TypeError):
        route.requirement.meets["x"] = ()  # type: ignore[index]
    assert _json(pack) == before


@pytest.mark.parametrize(
    "name", ["rules", "rules_by_event", "calendar", "parameters", "content_hash", "pack", "file"]
)
def test_its_attributes_cannot_be_set_or_deleted(pack: CompiledPack, name: str) -> None:
    with pytest.raises(AttributeError):
        setattr(pack, name, None)
    with pytest.raises(AttributeError):
        delattr(pack, name)
    with pytest.raises(AttributeError, match="immutable"):
        pack._rules = ()  # type: ignore[misc]  # the internals too


def test_the_pack_it_hands_out_is_frozen_all_the_way_down(pack: CompiledPack) -> None:
    before = _json(pack)
    model = pack.pack
    for change in (
        lambda: model.rules.clear(),
        lambda: model.roles.pop(next(iter(model.roles))),
        lambda: model.escalation_paths.clear(),
        lambda: model.pack.sources.append(model.pack.sources[0]),
        lambda: model.calendar.closures.clear(),
    ):
        with pytest.raises(TypeError, match="cannot be changed"):
            change()
    with pytest.raises(ValueError, match="frozen"):
        model.rules[0].title = "x"  # type: ignore[misc]
    assert _json(pack) == before
    assert load_pack("jersey_2024").content_hash == pack.content_hash


def test_a_frozen_pack_still_serialises_and_copies(pack: CompiledPack) -> None:
    model = pack.pack
    assert model.model_copy(deep=True) == model
    assert type(model.model_dump()["rules"]) is list
    assert pickle.loads(pickle.dumps(model)) == model


def _reachable(root: object) -> list[tuple[str, object]]:
    """Every value reached from ``root`` through public attributes, items and model fields."""
    found: list[tuple[str, object]] = []
    seen: set[int] = set()
    stack: list[tuple[str, object]] = [("pack", root)]
    while stack:
        path, value = stack.pop()
        if id(value) in seen or isinstance(value, str | bytes | int | float | type(None)):
            continue
        seen.add(id(value))
        found.append((path, value))
        if isinstance(value, dict | MappingProxyType):
            stack += [(f"{path}[{k!r}]", v) for k, v in value.items()]
        elif isinstance(value, list | tuple | set | frozenset):
            stack += [(f"{path}[{i}]", v) for i, v in enumerate(value)]
        elif isinstance(value, BaseModel):
            stack += [(f"{path}.{n}", getattr(value, n)) for n in type(value).model_fields]
        elif isinstance(value, PlainModel):  # a bundled pack's models, read without pydantic
            stack += [(f"{path}.{n}", getattr(value, n)) for n in type(value).plain_fields]
        elif type(value).__module__.startswith("safeguard_rules"):
            for name in dir(value):
                member = getattr(value, name, None)
                if not name.startswith("_") and not callable(member):
                    stack.append((f"{path}.{name}", member))
    return found


def test_nothing_reached_through_its_public_surface_can_be_changed(pack: CompiledPack) -> None:
    # Once, pack.document.positions.spots.clear() and pack.document.source_dirs.clear()
    # changed what the pack says about where its values and sources are.
    reached = _reachable(pack)
    mutable = [
        path
        for path, value in reached
        if isinstance(value, dict | list | set | bytearray)
        and not isinstance(value, FrozenDict | FrozenList)
    ]
    assert mutable == []
    settable = []
    for path, value in reached:
        if isinstance(value, PlainModel):  # frozen as the model it stands for
            with pytest.raises(AttributeError):
                setattr(value, type(value).plain_fields[0], None)
            continue
        if type(value).__module__.startswith("safeguard_rules") and not isinstance(
            value, BaseModel
        ):
            for name in (n for n in dir(value) if not n.startswith("_")):
                member = getattr(value, name, None)
                if callable(member):
                    continue
                try:
                    setattr(value, name, member)
                except AttributeError:  # dataclasses' FrozenInstanceError is one too
                    continue
                settable.append(f"{path}.{name}")
    assert settable == []
    assert len(reached) > 1000  # the walk went through the rules, the document and its positions


# --- picklable ------------------------------------------------------------------------------


def test_it_survives_pickling_with_an_equal_hash_and_the_same_results(
    pack: CompiledPack, tmp_path: Path
) -> None:
    copy = pickle.loads(pickle.dumps(pack))
    assert copy is not pack
    assert (copy.id, copy.version, copy.content_hash) == (pack.id, pack.version, pack.content_hash)
    assert _json(copy) == _json(pack)


def test_unpickling_reads_no_file(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    pack = load_pack(tmp_path / "policies" / "wirral_2019.yaml", parameters={})
    data = pickle.dumps(pack)
    shutil.rmtree(tmp_path / "policies")
    assert pickle.loads(data).content_hash == pack.content_hash


def test_parameter_overrides_survive_pickling() -> None:
    pack = load_pack("jersey_2024")
    name = next(iter(pack.parameters))
    overridden = load_pack("jersey_2024", parameters={name: {"hours": 5}})
    copy = pickle.loads(pickle.dumps(overridden))
    assert copy.content_hash == overridden.content_hash != pack.content_hash
    assert copy.parameters[name].hours == 5


def test_a_pickle_whose_content_changed_is_refused(pack: CompiledPack) -> None:
    restore, (document, overrides, content_hash) = pack.__reduce__()
    changed = pack.pack.model_copy(update={"rules": pack.pack.rules[:-1]})
    tampered = dataclasses.replace(document, pack=changed)
    with pytest.raises(PackIntegrityError, match="does not match its content hash"):
        restore(tampered, overrides, content_hash)


def _evaluate_in_worker(pack: CompiledPack) -> str:
    return evaluate(pack, load_events(EXAMPLE), AS_OF).to_json()


def test_a_worker_process_evaluates_a_pack_it_was_sent(pack: CompiledPack) -> None:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        assert pool.submit(_evaluate_in_worker, pack).result(timeout=120) == _json(pack)


# --- public types -----------------------------------------------------------------------------

PUBLIC_MODULES = (
    "safeguard_rules",
    "safeguard_rules.pack_format",
    "safeguard_rules.compiled",
    "safeguard_rules.diff",
)


def _types_in(hint: Any, found: set[type]) -> None:
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        _types_in(typing.get_args(hint)[0], found)
        return
    if origin is not None:
        for arg in typing.get_args(hint):
            _types_in(arg, found)
        _types_in(origin, found)
        return
    if isinstance(hint, type) and hint.__module__.startswith("safeguard_rules"):
        found.add(hint)


def _hints(function: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(function, include_extras=True)
    except (NameError, TypeError):  # a builtin's or an unresolvable hint: nothing to follow
        return {}


def _referenced(cls: type) -> set[type]:
    """The library's types a public class's public fields, properties and methods mention."""
    hints: list[Any] = []
    if issubclass(cls, BaseModel):
        hints += [f.annotation for f in cls.model_fields.values()]
    elif dataclasses.is_dataclass(cls):
        hints += list(_hints(cls).values())
    for name, member in inspect.getmembers(cls):
        if name.startswith("_"):
            continue
        if isinstance(member, property) and member.fget is not None:
            hints.append(_hints(member.fget).get("return"))
        elif inspect.isfunction(member) or inspect.ismethod(member):
            hints += list(_hints(member).values())
    found: set[type] = set()
    for hint in hints:
        _types_in(hint, found)
    return found


def _public() -> dict[type, str]:
    """Every class importable from a public module, with where."""
    where: dict[type, str] = {}
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        for attr in module.__all__:
            value = getattr(module, attr)
            if isinstance(value, type):
                where.setdefault(value, f"{name}.{attr}")
    return where


def test_every_type_a_public_name_reaches_is_public() -> None:
    public = _public()
    frontier: list[type] = list(public)
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        for attr in module.__all__:
            value = getattr(module, attr)
            if inspect.isfunction(value):
                found: set[type] = set()
                for hint in _hints(value).values():
                    _types_in(hint, found)
                frontier += found
    seen: set[type] = set()
    private: dict[str, str] = {}
    while frontier:
        cls = frontier.pop()
        if cls in seen:
            continue
        seen.add(cls)
        if cls not in public:
            private[f"{cls.__module__}.{cls.__qualname__}"] = "reached but not public"
        frontier += [c for c in _referenced(cls) if c not in seen]
    assert private == {}
    assert len(seen) > 100  # the walk really went through the API


def test_the_walk_finds_a_private_type() -> None:
    @dataclasses.dataclass
    class Holder:
        calendar: WorkingCalendar

    assert WorkingCalendar in _referenced(Holder)


def test_public_submodules_are_not_imported_by_the_package() -> None:
    code = (
        "import sys, safeguard_rules; "
        f"print(sorted(m for m in {PUBLIC_MODULES[1:]!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.strip() == "[]"  # each is imported only by those who ask for it


# --- one error hierarchy ----------------------------------------------------------------------


def _wrong_pack_obligation() -> tuple[CompiledPack, Any]:
    other = load_pack("jersey_2019")
    obligation = evaluate(other, load_events(EXAMPLE), AS_OF).obligations[0]
    return load_pack("wirral_2019"), obligation


def _other_version_obligation() -> tuple[CompiledPack, Any]:
    # jersey_2019 and jersey_2024 both have a rule with this id (each quoting its own
    # procedure): explained with 2024, 2019's obligation once got 2024's story.
    events = load_events(EXAMPLE)
    obligation = evaluate(load_pack("jersey_2019"), events, AS_OF).obligation(
        "strategy_meeting_within_three_working_days/ev-008"
    )
    assert load_pack("jersey_2024").rule("strategy_meeting_within_three_working_days")
    return load_pack("jersey_2024"), obligation


def _two_packs_evaluations() -> list[Any]:
    events = load_events(EXAMPLE)
    return [evaluate(load_pack(name), events, AS_OF) for name in ("jersey_2019", "jersey_2024")]


ERRORS: dict[str, tuple[Callable[[], object], type[SafeguardRulesError]]] = {
    # each of these once raised ValueError, TypeError, StopIteration or pydantic's error
    "evaluate at a naive time": (
        lambda: evaluate(load_pack("jersey_2024"), [], datetime(2024, 6, 3, 17)),
        InvalidAsOfError,
    ),
    "evaluate at a string": (
        lambda: evaluate(load_pack("jersey_2024"), [], "2024-06-03T17:00:00+01:00"),  # type: ignore[arg-type]
        InvalidAsOfError,
    ),
    "select a pack at a datetime": (
        lambda: select_pack("jersey", datetime(2024, 6, 3, tzinfo=UTC)),
        ArgumentError,
    ),
    "explain another pack's obligation": (
        lambda: explain(*_wrong_pack_obligation()),
        UnknownObligationError,
    ),
    "explain another version's obligation with the same rule id": (
        lambda: explain(*_other_version_obligation()),
        UnknownObligationError,
    ),
    "merge no evaluations": (lambda: merge_evaluations([]), ArgumentError),
    "merge evaluations under two packs": (
        lambda: merge_evaluations(_two_packs_evaluations()),
        ArgumentError,
    ),
    "sort with no buffer": (
        lambda: sort_events_by_child([EXAMPLE], io.BytesIO(), buffer_bytes=0),
        ArgumentError,
    ),
    "a census year with no bundled schema": (
        lambda: import_cin_census(EXAMPLE, collection_year=1999),
        ArgumentError,
    ),
    "an event built with a naive time": (
        lambda: ConcernIdentified(
            id="e1", child_id="c1", at="2024-05-01T10:00:00", category="neglect"
        ),  # type: ignore[arg-type]
        EventValidationError,
    ),
    "an obligation id not in the result": (
        lambda: evaluate(load_pack("jersey_2024"), [], AS_OF).obligation("nope"),
        UnknownObligationError,
    ),
    "a rule id not in the pack": (lambda: load_pack("jersey_2024").rule("nope"), UnknownIdError),
    "a limit below one": (lambda: PackLimits(max_values=0), ArgumentError),
    "a parameter override of the wrong type": (
        lambda: load_pack(
            "jersey_2024", parameters={"receipt_follow_up_timescale": {"hours": "5"}}
        ),
        PackValidationError,
    ),
    "a pack that is not there": (lambda: load_pack("no_such_pack"), PackNotFoundError),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_every_error_is_the_library_s_own(case: str) -> None:
    call, expected = ERRORS[case]
    with pytest.raises(SafeguardRulesError) as caught:
        call()
    assert type(caught.value) is expected
    assert not isinstance(caught.value, ValidationError)


def test_explain_takes_every_obligation_its_own_pack_made() -> None:
    # the check that refuses another pack's obligation refuses none of the pack's own
    events = load_events(EXAMPLE)
    explained = 0
    for name in ("jersey_2019", "jersey_2024", "wirral_2019", "wtsc_2015"):
        pack = load_pack(name)
        copy = pickle.loads(pickle.dumps(pack))
        for obligation in evaluate(pack, events, AS_OF).obligations:
            assert explain(copy, obligation, events.events).obligation == obligation
            explained += 1
    assert explained > 10


def test_errors_keep_the_builtin_kinds_callers_may_already_catch() -> None:
    assert issubclass(ArgumentError, ValueError)
    assert issubclass(EventValidationError, ValueError)
    assert issubclass(UnknownIdError, KeyError)
    assert issubclass(InvalidAsOfError, ArgumentError)  # a bad as_of: one kind of bad argument
    assert issubclass(UnknownObligationError, UnknownIdError)
    assert issubclass(CalendarError, SafeguardRulesError)
    assert str(UnknownIdError("no rule 'x'")) == "no rule 'x'"  # not quoted like a KeyError


def test_the_api_reference_is_generated_from_the_docstrings() -> None:
    text = api_docgen.DOC.read_text(encoding="utf-8")
    assert api_docgen.render(text) == text, "run: python tests/api_docgen.py"
    for name in safeguard_rules.__all__:
        if name != "__version__":
            assert f"### `{name}" in text, name


# --- one path given alone --------------------------------------------------------------------


def test_one_path_given_alone_is_that_path_not_its_characters(tmp_path: Path) -> None:
    # A string is an iterable of strings too: these once read '/', 't', 'm', ... as paths
    # (run_scenarios then found no file and reported nothing run, nothing failed).
    scenarios = ROOT / "policies" / "scenarios" / "jersey_2024.scenarios.yaml"
    run = run_scenarios(str(scenarios))
    assert run.files == (str(scenarios),) and len(run.outcomes) > 5
    report = lint_packs(str(ROOT / "policies" / "jersey_2024.yaml"))
    assert [p.pack for p in report.packs] == ["jersey_2024"]
    lazily = list(read_events_lazily(str(EXAMPLE)))
    assert len(lazily) == len(load_events(EXAMPLE).events)
    out = io.BytesIO()
    summary = sort_events_by_child(str(EXAMPLE), out)
    assert out.getvalue().count(b"\n") == len(lazily), summary


# --- release hygiene ---------------------------------------------------------------------------


def test_the_version_is_written_once_and_the_licence_is_shipped() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert importlib.metadata.version("safeguard-rules") == safeguard_rules.__version__
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_installing_the_package_does_not_load_its_pytest_plugin_everywhere() -> None:
    groups = importlib.metadata.entry_points()
    assert [
        e for e in groups.select(group="pytest11") if e.value.startswith("safeguard_rules")
    ] == []
