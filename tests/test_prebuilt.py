"""The bundled packs' prebuilt readings and holiday table (``policies/compiled/``).

Loading a bundled pack takes its reading from ``policies/compiled/NAME.json`` instead of
parsing the YAML, and its calendar's public holidays for 2000-2040 from
``policies/compiled/holidays.json`` instead of the ``holidays`` package, only when they
are what the parser and the package would give now. These tests hold the files to that
(``python tests/prebuilt_gen.py`` rewrites them), show that a stale file is not used, and
that packs, results, explanations and errors are the same through both paths.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

import safeguard_rules
from safeguard_rules import (
    CompiledPack,
    PackValidationError,
    _calendar,
    _document,
    _pack,
    _prebuilt,
    _yaml,
    compile_text,
    evaluate,
    explain,
    load_events,
    load_pack,
)
from safeguard_rules._document import spec_of
from safeguard_rules._event_table import EVENTS_FILE, core_table, events_text, from_models
from safeguard_rules._limits import DEFAULT_LIMITS
from safeguard_rules._plain_pack import PlainModel, is_model, real_model
from safeguard_rules._prebuilt import (
    COMPILED,
    HOLIDAYS_FILE,
    bundled_dir,
    bundled_places,
    holidays_text,
    known_holidays,
    known_place,
    library_holidays,
    prebuilt_dump,
    prebuilt_pack,
    read_pack,
    reading_file,
    reading_text,
    same_values,
)

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
PACKS = ["jersey_2019", "jersey_2024", "wirral_2019", "wtsc_2015"]
REGENERATE = "python tests/prebuilt_gen.py"
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)


def _clear_caches() -> None:
    _prebuilt._reading.cache_clear()
    _prebuilt._holiday_tables.cache_clear()
    _calendar._holidays_for.cache_clear()
    _calendar._day_deadline.cache_clear()


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    _clear_caches()
    yield
    _clear_caches()


def _table_version() -> str:
    version: str = json.loads((POLICIES / COMPILED / HOLIDAYS_FILE).read_text("utf-8"))["holidays"]
    return version


def _table_in_use() -> bool:
    return _table_version() == _prebuilt.holidays_version()


class _ParserSpy:
    """Counts the pack files the YAML parser reads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.files: list[Path] = []
        real = _yaml.read_pack_file

        def spy(path: Path, limits: Any = DEFAULT_LIMITS) -> Any:
            self.files.append(path)
            return real(path, limits)

        monkeypatch.setattr(_yaml, "read_pack_file", spy)


def _yaml_pack(name: str) -> CompiledPack:
    """The bundled pack parsed from its YAML (``compile_text`` always parses)."""
    path = bundled_dir() / f"{name}.yaml"
    return compile_text(path.read_text(encoding="utf-8"), str(path))


# --- the committed files are what the generator writes now -----------------------------


@pytest.mark.parametrize("name", PACKS)
def test_committed_reading_is_current(name: str) -> None:
    pack = POLICIES / f"{name}.yaml"
    committed = reading_file(pack)
    assert committed.is_file(), f"no prebuilt reading of {name}; run: {REGENERATE}"
    stamp = json.loads(committed.read_text(encoding="utf-8"))
    assert (stamp["format"], stamp["library"]) == (_prebuilt.FORMAT, safeguard_rules.__version__)
    text = pack.read_text(encoding="utf-8")
    # A stale reading would be ignored (the pack parsed, results the same), but shipped it
    # would quietly lose the start-up gain, so an edited pack without a regenerated reading
    # fails here, as the generated docs do.
    assert stamp["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest(), (
        f"{name}.yaml was edited after its prebuilt reading was made; run: {REGENERATE}"
    )
    # The stored model was made by these pack models: an edit to _pack.py (or another
    # pydantic) leaves it unused until the reading is made again.
    assert stamp["validated"]["models"] == _prebuilt.models_stamp(), (
        f"the pack models (_pack.py) or pydantic changed after {name}'s prebuilt reading "
        f"was made; run: {REGENERATE}"
    )
    assert committed.read_text(encoding="utf-8") == reading_text(pack), f"run: {REGENERATE}"


def test_compiled_directory_holds_only_generated_files() -> None:
    expected = {f"{p.stem}.json" for p in POLICIES.glob("*.yaml")} | {HOLIDAYS_FILE, EVENTS_FILE}
    assert {p.name for p in (POLICIES / COMPILED).iterdir()} == expected, f"run: {REGENERATE}"


def test_holiday_table_is_up_to_date_or_not_used() -> None:
    places = bundled_places(POLICIES)
    assert places == [("GB", "ENG"), ("JE", None)]  # wirral and wtsc; both Jersey packs
    if _table_in_use():
        committed = (POLICIES / COMPILED / HOLIDAYS_FILE).read_text(encoding="utf-8")
        assert committed == holidays_text(places), f"run: {REGENERATE}"
    else:  # another holidays version is installed: the table must not be used at all
        assert not any(known_place(country, sub) for country, sub in places)
        assert known_holidays("GB", "ENG", 2024) is None


# --- the prebuilt reading is the parser's reading ---------------------------------------


@pytest.mark.parametrize("name", PACKS)
def test_prebuilt_reading_is_the_parsers(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = bundled_dir() / f"{name}.yaml"
    spy = _ParserSpy(monkeypatch)
    data, positions = read_pack(path)
    assert spy.files == []  # taken from policies/compiled/, not parsed
    parsed, parsed_positions = _yaml.read_yaml_file(path)
    assert same_values(data, parsed)
    assert positions.file == parsed_positions.file == str(path)
    assert list(positions.spots.items()) == list(parsed_positions.spots.items())
    assert positions.files == parsed_positions.files == {}


@pytest.mark.parametrize("name", PACKS)
def test_loaded_pack_is_the_yaml_compile(name: str) -> None:
    fast = load_pack(name)
    slow = _yaml_pack(name)
    assert (fast.id, fast.version, fast.content_hash) == (slow.id, slow.version, slow.content_hash)
    assert fast.file == slow.file
    assert fast.pack.model_dump(mode="json") == slow.pack.model_dump(mode="json")
    assert dict(fast.document.positions.spots) == dict(slow.document.positions.spots)
    assert dict(fast.document.source_paths) == dict(slow.document.source_paths)
    assert [r.rule.id for r in fast.rules] == [r.rule.id for r in slow.rules]


def test_same_values_is_strict_about_types_and_order() -> None:
    assert same_values({"a": [1, "x", None]}, {"a": [1, "x", None]})
    assert not same_values({"a": 1}, {"a": True})  # 1 == True, but not the same value
    assert not same_values({"a": 1}, {"a": 1.0})
    assert not same_values({"a": 1, "b": 2}, {"b": 2, "a": 1})  # order is kept


def test_a_bundled_pack_needs_neither_the_parser_nor_holidays() -> None:
    history = ROOT / "examples" / "child_a_history.jsonl"  # Jersey, 2024, deadlines in days
    code = (
        "import sys, safeguard_rules\n"
        "def seen(*names): return [m for m in names if m in sys.modules]\n"
        "pack = safeguard_rules.load_pack('jersey_2024')\n"
        "print(seen('ruamel', 'holidays'))\n"
        f"events = safeguard_rules.load_events({str(history)!r}, vocabulary=pack.vocabulary)\n"
        "result = safeguard_rules.evaluate(pack, events, __import__('datetime').date(2026, 1, 1))\n"
        "print(len(result.obligations) > 0, seen('holidays'))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    assert out[0] == "[]"  # loading: no parser, no holidays package
    # Evaluating counts working days: holidays from the table, unless another holidays
    # version is installed, when the package computes them.
    assert out[1] == ("True []" if _table_in_use() else "True ['holidays']")


# --- results, explanations and errors are the same through both paths ------------------


def _events_files(tmp_path: Path) -> list[Path]:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_generate", ROOT / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generated = tmp_path / "generated.jsonl"
    generator.write(1500, 3, generated)  # children from 2019 to 2025, with holidays
    return [*sorted((ROOT / "examples").glob("*.jsonl")), generated]


@pytest.mark.parametrize("name", PACKS)
def test_results_and_explanations_are_identical_through_both_paths(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _events_files(tmp_path)
    fast = load_pack(name)
    fast_out = []
    for file in files:
        events = load_events(file, vocabulary=fast.vocabulary)
        result = evaluate(fast, events, AS_OF)
        stories = [explain(fast, o, events.events).text() for o in result.obligations]
        fast_out.append((result.to_json(), stories))
    # The YAML path, with the holiday table out of use too: the package computes each year.
    _clear_caches()
    monkeypatch.setattr(_prebuilt, "holidays_version", lambda: "another version")
    slow = _yaml_pack(name)
    assert not known_place("GB", "ENG") and not known_place("JE", None)
    for file, (json_text, stories) in zip(files, fast_out, strict=True):
        events = load_events(file, vocabulary=slow.vocabulary)
        result = evaluate(slow, events, AS_OF)
        assert result.to_json() == json_text
        assert [explain(slow, o, events.events).text() for o in result.obligations] == stories
    assert any(stories for _json, stories in fast_out)  # something was explained


# --- a stale prebuilt file is not used --------------------------------------------------


@pytest.fixture
def bundled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled packs and their prebuilt files, taken as the bundled ones."""
    copy = tmp_path / "policies"
    shutil.copytree(POLICIES, copy, ignore=shutil.ignore_patterns("scenarios"))
    monkeypatch.setattr(_prebuilt, "bundled_dir", lambda: copy)
    return copy


def test_the_copy_is_read_from_its_prebuilt_reading(
    bundled_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _ParserSpy(monkeypatch)
    pack = load_pack(bundled_copy / "wirral_2019.yaml")
    assert spy.files == []
    assert pack.content_hash == _yaml_pack("wirral_2019").content_hash


def test_an_edited_pack_is_parsed(bundled_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = bundled_copy / "jersey_2024.yaml"
    text = path.read_text(encoding="utf-8")
    assert '  version: "7"\n' in text
    path.write_text(text.replace('  version: "7"\n', '  version: "7a"\n'), encoding="utf-8")
    spy = _ParserSpy(monkeypatch)
    pack = load_pack(path)
    assert spy.files == [path]
    assert pack.version == "7a"  # the edit, not the stale reading's "7"


def test_an_edited_pack_gets_the_parsers_located_error(
    bundled_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bundled_copy / "wtsc_2015.yaml"
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 1  # the key appended below stands on this line
    path.write_text(text + "no_such_key: 1\n", encoding="utf-8")
    with pytest.raises(PackValidationError) as caught:
        load_pack(path)
    (problem,) = caught.value.diagnostics
    assert (problem.file, problem.line, problem.column) == (str(path), line, 1)
    assert "no_such_key" in problem.message


def test_another_library_version_parses(
    bundled_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safeguard_rules, "__version__", "0.0.0-another")
    spy = _ParserSpy(monkeypatch)
    path = bundled_copy / "jersey_2019.yaml"
    data, _ = read_pack(path)
    assert spy.files == [path]
    assert same_values(data, _yaml.read_yaml_file(path)[0])


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: {**raw, "format": 0},
        lambda raw: {**raw, "sha256": "0" * 64},
        lambda raw: {key: value for key, value in raw.items() if key != "spots"},
    ],
    ids=["other-format", "other-text", "incomplete"],
)
def test_a_reading_that_does_not_match_is_not_used(
    bundled_copy: Path, monkeypatch: pytest.MonkeyPatch, damage: Any
) -> None:
    path = bundled_copy / "wtsc_2015.yaml"
    stored = reading_file(path)
    stored.write_text(json.dumps(damage(json.loads(stored.read_text("utf-8")))), "utf-8")
    spy = _ParserSpy(monkeypatch)
    assert load_pack(path).content_hash == _yaml_pack("wtsc_2015").content_hash
    assert spy.files == [path]


def test_a_truncated_or_missing_reading_is_not_used(
    bundled_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _ParserSpy(monkeypatch)
    truncated = reading_file(bundled_copy / "jersey_2019.yaml")
    truncated.write_text(truncated.read_text("utf-8")[:1000], "utf-8")
    reading_file(bundled_copy / "jersey_2024.yaml").unlink()
    load_pack(bundled_copy / "jersey_2019.yaml")
    load_pack(bundled_copy / "jersey_2024.yaml")
    assert spy.files == [bundled_copy / "jersey_2019.yaml", bundled_copy / "jersey_2024.yaml"]


def test_a_users_own_pack_is_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A pack outside the bundled directory, even with a matching reading beside it.
    mine = tmp_path / "mine"
    (mine / COMPILED).mkdir(parents=True)
    shutil.copy(POLICIES / "wirral_2019.yaml", mine / "wirral_2019.yaml")
    shutil.copytree(POLICIES / "sources", mine / "sources")
    shutil.copy(reading_file(POLICIES / "wirral_2019.yaml"), mine / COMPILED)
    spy = _ParserSpy(monkeypatch)
    load_pack(mine / "wirral_2019.yaml")
    assert spy.files == [mine / "wirral_2019.yaml"]


def test_other_reading_limits_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    # The reading was made under the default limits; others may refuse the same text.
    spy = _ParserSpy(monkeypatch)
    path = bundled_dir() / "wtsc_2015.yaml"
    read_pack(path, DEFAULT_LIMITS.__class__(max_depth=DEFAULT_LIMITS.max_depth + 1))
    assert spy.files == [path]


# --- the stored model: the validated Pack, built without validating ----------------------


class _ValidationSpy:
    """Counts the packs loading validates (rather than building from a stored model)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = _document.build_for_loading

        def spy() -> None:
            self.calls += 1
            real()

        monkeypatch.setattr(_document, "build_for_loading", spy)


@pytest.mark.parametrize("name", PACKS)
def test_stored_model_is_the_validated_one(name: str) -> None:
    path = bundled_dir() / f"{name}.yaml"
    data, _ = read_pack(path)
    built = prebuilt_pack(data)
    assert isinstance(built, PlainModel)  # plain: the pydantic model is built when asked
    model = real_model(built)
    validated = _pack.Pack.model_validate(_yaml.read_yaml_file(path)[0], context=_pack.DOCUMENT)
    # model_tree records every value's type, a model's class and which fields were given
    # (what a condition's operator is read from): equal trees are the same model, where
    # == would take 1 for 1.0 and a list for a FrozenList.
    assert same_values(_pack.model_tree(model), _pack.model_tree(validated))
    assert built == validated and model == validated
    assert prebuilt_dump(built) == prebuilt_dump(model) == _pack.canonical_dump(validated)
    # The vocabulary's digest (in the content hash) dumps it without pydantic's serializer.
    if validated.vocabulary is not None:
        assert same_values(
            _pack.plain_dump(validated.vocabulary), validated.vocabulary.model_dump(mode="json")
        )
    # Frozen all the way down, as validation makes it.
    with pytest.raises(TypeError):
        built.rules.append(built.rules[0])
    with pytest.raises(TypeError):
        built.roles["x"] = built.roles[next(iter(built.roles))]


@pytest.mark.parametrize("name", PACKS)
def _plain_and_model(plain: Any, model: Any, path: str) -> Iterator[tuple[Any, Any, str]]:
    """Each value of a plain model and of the model it stands for, side by side."""
    yield plain, model, path
    if isinstance(model, _pack._Strict):
        assert isinstance(plain, PlainModel) and is_model(plain, type(model).__name__), path
        assert type(plain).__name__ == type(model).__name__, path
        assert real_model(plain) is model, path
        for name in type(model).model_fields:
            yield from _plain_and_model(
                getattr(plain, name), getattr(model, name), f"{path}.{name}"
            )
    elif isinstance(model, list | tuple):
        assert type(plain) is type(model) and len(plain) == len(model), path
        for i, (p, m) in enumerate(zip(plain, model, strict=True)):
            yield from _plain_and_model(p, m, f"{path}[{i}]")
    elif isinstance(model, dict):
        assert type(plain) is type(model) and list(plain) == list(model), path
        for key in model:
            yield from _plain_and_model(plain[key], model[key], f"{path}[{key!r}]")
    else:
        assert same_values(plain, model), path


@pytest.mark.parametrize("name", PACKS)
def test_plain_models_answer_as_the_models_do(name: str) -> None:
    """A bundled pack is compiled from plain models (no pydantic): each holds the model's
    values, type for type, and each property and argument-free method answers as the
    model's (the stored answers, checked here against the models of the YAML path too)."""
    document = _document.read_document(bundled_dir() / f"{name}.yaml", lambda n: Path(n))
    plain = spec_of(document)
    assert isinstance(plain, PlainModel) and is_model(plain, "Pack")
    validated = _yaml_pack(name).pack
    assert document.pack == validated and document.pack is real_model(plain)
    checked = 0
    for p, m, path in _plain_and_model(plain, document.pack, "pack"):
        if not isinstance(m, _pack._Strict):
            continue
        for member, how in type(p).plain_members:
            mine, theirs = _answer(p, member, how), _answer(m, member, how)
            if isinstance(theirs, Exception):  # the plain model asks the model, which raises
                assert type(mine) is type(theirs) and str(mine) == str(theirs), path
                continue
            assert same_values(_as_tree(mine), _as_tree(theirs)), (path, member)
            checked += 1
        assert p == m and p == p
    assert checked > 50


def _answer(model: Any, member: str, how: str) -> Any:
    try:
        found = getattr(model, member)
        return found() if how == "method" else found
    except Exception as exc:
        return exc


def _as_tree(value: Any) -> Any:
    if isinstance(value, tuple):
        return ["tuple", [_as_tree(v) for v in value]]
    return _pack.model_tree(real_model(value))


def test_loading_a_bundled_pack_imports_neither_pydantic_nor_the_models() -> None:
    """import + load_pack of a bundled pack in a fresh interpreter: compiled from its plain
    models and the stored event table; pydantic, the pack models and the event models are
    imported when first needed (here: reading events), and evaluate as before."""
    code = (
        "import sys, safeguard_rules\n"
        "pack = safeguard_rules.load_pack('jersey_2024')\n"
        "print(sorted(m for m in ('pydantic', 'safeguard_rules._pack', 'safeguard_rules._events',"
        " 'importlib.metadata') if m in sys.modules))\n"
        "events = safeguard_rules.parse_events([])\n"
        "print('pydantic' in sys.modules, pack.content_hash == safeguard_rules.compile_text("
        "open(pack.file, encoding='utf-8').read(), pack.file).content_hash)\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    assert out == ["[]", "True True"]


def test_the_stored_event_table_is_the_models() -> None:
    committed = (POLICIES / COMPILED / EVENTS_FILE).read_text(encoding="utf-8")
    assert committed == events_text(), f"_events.py or pydantic changed; run: {REGENERATE}"
    from safeguard_rules import _event_table

    assert _event_table._stored() == from_models() == core_table()


def test_a_stale_event_table_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from safeguard_rules import _event_table

    monkeypatch.setattr(_event_table, "models_stamp", lambda: "sha256:another")
    assert _event_table._stored() is None


@pytest.mark.parametrize("name", PACKS)
def test_a_bundled_pack_is_built_not_validated(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _ValidationSpy(monkeypatch)
    fast = load_pack(name)
    assert spy.calls == 0
    slow = _yaml_pack(name)
    assert spy.calls == 1
    assert fast.content_hash == slow.content_hash
    # An override of a parameter is validated and hashed as on the YAML path.
    if fast.parameters:
        parameter = next(iter(fast.parameters))
        override = {parameter: {"calendar_days": 9}}
        assert (
            load_pack(name, parameters=override).content_hash
            == compile_text(
                (bundled_dir() / f"{name}.yaml").read_text(encoding="utf-8"),
                str(bundled_dir() / f"{name}.yaml"),
                override,
            ).content_hash
        )


def test_a_stored_model_of_other_pack_models_is_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Made by another _pack.py or pydantic: the reading is validated as any pack is.
    monkeypatch.setattr(_prebuilt, "models_stamp", lambda: "sha256:another")
    spy = _ValidationSpy(monkeypatch)
    parser = _ParserSpy(monkeypatch)
    pack = load_pack("jersey_2024")
    assert (spy.calls, parser.files) == (1, [])  # the reading used, its model not
    assert pack.content_hash == _yaml_pack("jersey_2024").content_hash


@pytest.mark.parametrize(
    "damage",
    [
        lambda v: {**v, "tree": ["model", "NoSuchModel", {}, []]},
        lambda v: {**v, "tree": ["model", "Citation", {"source": "x"}, ["source"]]},
        lambda v: {**v, "tree": ["set", []]},
        lambda v: {key: value for key, value in v.items() if key != "dump"},
    ],
    ids=["unknown-model", "other-fields", "unknown-tag", "no-dump"],
)
def test_a_damaged_stored_model_is_not_used(
    bundled_copy: Path, monkeypatch: pytest.MonkeyPatch, damage: Any
) -> None:
    path = bundled_copy / "wirral_2019.yaml"
    stored = reading_file(path)
    raw = json.loads(stored.read_text("utf-8"))
    stored.write_text(json.dumps({**raw, "validated": damage(raw["validated"])}), "utf-8")
    spy = _ValidationSpy(monkeypatch)
    assert load_pack(path).content_hash == _yaml_pack("wirral_2019").content_hash
    assert spy.calls == 2  # the damaged copy's reading validated, then the YAML text


def test_each_load_builds_its_own_model() -> None:
    # As validation does: nothing in one load's model (a vocabulary's inner mappings are
    # plain dicts) is another load's.
    first, second = load_pack("wirral_2019"), load_pack("wirral_2019")
    assert first.pack is not second.pack and first.pack == second.pack
    assert first.pack.vocabulary is not None and second.pack.vocabulary is not None
    inner = next(iter(first.pack.vocabulary.attributes))
    assert type(first.pack.vocabulary.attributes[inner]) is dict
    assert first.pack.vocabulary.attributes[inner] is not second.pack.vocabulary.attributes[inner]
    assert prebuilt_dump(first.pack) is prebuilt_dump(second.pack) is not None
    # A model's stored dump is forgotten with the model.
    data, _ = read_pack(bundled_dir() / "wirral_2019.yaml")
    built = prebuilt_pack(data)
    key = id(built)
    assert key in _prebuilt._dumps
    del built
    assert key not in _prebuilt._dumps


def test_a_merged_or_copied_reading_is_validated() -> None:
    # Only the very values read_pack handed out are the stored model's.
    data, _ = read_pack(bundled_dir() / "wtsc_2015.yaml")
    assert prebuilt_pack(data) is not None
    assert prebuilt_pack(json.loads(json.dumps(data))) is None
    assert prebuilt_dump(_yaml_pack("wtsc_2015").pack) is None


def test_import_needs_no_pydantic_and_a_bundled_pack_no_validator() -> None:
    code = (
        "import sys, safeguard_rules\n"
        "print('pydantic' in sys.modules)\n"
        "pack = safeguard_rules.load_pack('wirral_2019')\n"
        "from safeguard_rules import _pack\n"
        "print(sorted(n for n, v in vars(_pack).items() if isinstance(v, type)"
        " and issubclass(v, _pack._Strict) and v.__pydantic_complete__))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    assert out == ["False", "[]"]


# --- the holiday table: only its version, only its years --------------------------------


def test_the_holidays_version_is_the_one_results_record() -> None:
    from importlib import metadata

    assert _prebuilt.holidays_version() == metadata.version("holidays")


def test_installed_versions_are_importlib_metadatas() -> None:
    """Read from METADATA without importlib.metadata (``_installed``), each version is the
    one it gives, or ``_installed`` says to ask it; in this plain virtual environment the
    holidays version (the table's stamp) is read directly."""
    from importlib import metadata

    from safeguard_rules import _installed

    names = {d.metadata["Name"] for d in metadata.distributions()}
    assert len(names) > 10
    for name in sorted(names):
        found = _installed.version(name)
        assert found is _installed.ASK or found == metadata.version(name), name
    assert _installed.version("no-such-distribution-installed") in (None, _installed.ASK)
    # A fresh interpreter in this plain virtual environment reads the table's stamp directly
    # (tests run before may have put on the path what only importlib.metadata reads).
    code = (
        "from importlib import metadata\n"
        "from safeguard_rules import _installed\n"
        "print(_installed.version('holidays') == metadata.version('holidays'))\n"
        "print(_installed.version('no-such-distribution-installed'))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    assert out == ["True", "None"]


def test_the_table_is_the_packages_for_every_year() -> None:
    if not _table_in_use():
        pytest.skip("another holidays version is installed; the test above checks it is unused")
    for country, subdivision in bundled_places(POLICIES):
        for year in _prebuilt.HOLIDAY_YEARS:
            assert known_holidays(country, subdivision, year) == library_holidays(
                country, subdivision, year
            )


def test_years_outside_the_table_come_from_the_package() -> None:
    wirral = load_pack("wirral_2019")  # GB, England: working days Monday to Friday
    calendar = wirral.calendar
    assert known_holidays("GB", "ENG", 2041) is None
    assert known_holidays("GB", "ENG", 1999) is None
    london = _calendar.zone("Europe/London")
    # Friday 28 December 2040 + 2 working days: Monday 31 December (1), Tuesday 1 January
    # 2041 is New Year's Day (a year the package computes), Wednesday 2 January (2).
    assert calendar.due("working_days", 2, datetime(2040, 12, 28, 10, tzinfo=london)) == (
        datetime(2041, 1, 2, 23, 59, 59, 999999, tzinfo=london)
    )
    # Friday 24 December 1999 + 2 working days: 25-26 the weekend, Monday 27 and Tuesday 28
    # the Christmas and Boxing Day bank holidays in lieu, Wednesday 29 (1), Thursday 30 (2).
    assert calendar.due("working_days", 2, datetime(1999, 12, 24, 10, tzinfo=london)) == (
        datetime(1999, 12, 30, 23, 59, 59, 999999, tzinfo=london)
    )
    # Thursday 30 December 1999 + 2: Friday 31 December 1999 was a bank holiday (the
    # millennium), Monday 3 January 2000 New Year's Day in lieu (a table year), Tuesday 4
    # (1), Wednesday 5 (2).
    assert calendar.due("working_days", 2, datetime(1999, 12, 30, 10, tzinfo=london)) == (
        datetime(2000, 1, 5, 23, 59, 59, 999999, tzinfo=london)
    )
    assert calendar.public_holiday(date(2041, 12, 25)) == "Christmas Day"


def test_model_behind_plain_models_is_built_once_across_threads() -> None:
    """Threads sharing one loaded bundled pack that ask for its pydantic model at once get
    one model (built once, its on_build called once), not one each: an importing service
    evaluates on a thread pool, and a second model would make `real_model(p) is model`
    false for some of them."""
    path = bundled_dir() / "jersey_2024.yaml"
    data, _ = read_pack(path)
    built_models: list[Any] = []
    plain = prebuilt_pack(data)
    assert isinstance(plain, PlainModel)
    load = plain._load
    load.on_build = built_models.append  # count the builds of this load
    threads = 6
    barrier = threading.Barrier(threads)
    got: list[Any] = []

    def ask() -> None:
        barrier.wait()
        got.append(real_model(plain))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch often, so the threads overlap inside the build
    try:
        workers = [threading.Thread(target=ask) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        sys.setswitchinterval(old)
    assert len(got) == threads
    assert len(built_models) == 1
    assert all(model is built_models[0] for model in got)
