"""Compiled packs: ``safeguard-rules compile PACK -o FILE.json`` and ``load_pack(FILE.json)``.

A compiled pack is the bundled packs' prebuilt reading (values, positions, the stored
model) for any pack, in one file shipped beside the pack's YAML (docs/registry.md,
"Compiled packs"). These tests hold it to the YAML: the same pack, results and
explanations; refused when the YAML changed or the file was damaged or edited; the YAML
itself read after a library upgrade or under other limits.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import safeguard_rules
from safeguard_rules import (
    CompiledPack,
    PackError,
    PackNotFoundError,
    _document,
    _prebuilt,
    _yaml,
    evaluate,
    explain,
    load_events,
    load_mapping,
    load_pack,
)
from safeguard_rules._limits import DEFAULT_LIMITS
from safeguard_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
SHARED = ROOT / "benchmarks" / "shared_bench"
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    _prebuilt._reading.cache_clear()
    yield
    _prebuilt._reading.cache_clear()


class _Spies:
    """The pack files the YAML parser reads, and how many packs are validated."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed: list[Path] = []
        self.validated = 0
        parse, build = _yaml.read_pack_file, _document.build_for_loading

        def parsing(path: Path, limits: Any = DEFAULT_LIMITS) -> Any:
            self.parsed.append(path)
            return parse(path, limits)

        def validating() -> None:
            self.validated += 1
            build()

        monkeypatch.setattr(_yaml, "read_pack_file", parsing)
        monkeypatch.setattr(_document, "build_for_loading", validating)


def compile_cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["compile", *args])


def own_pack(directory: Path, name: str = "wirral_2019") -> Path:
    """A bundled pack copied out with its sources: a user's own pack."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(POLICIES / f"{name}.yaml", directory / f"{name}.yaml")
    shutil.copytree(POLICIES / "sources", directory / "sources", dirs_exist_ok=True)
    return directory / f"{name}.yaml"


@pytest.fixture
def compiled(tmp_path: Path) -> tuple[Path, Path]:
    """(the YAML, its compiled pack beside it), written by the command."""
    yaml = own_pack(tmp_path / "packs")
    result = compile_cli(str(yaml))
    assert result.exit_code == 0, result.output
    target = yaml.with_name("wirral_2019.compiled.json")
    assert result.output == f"wrote {target} (from {yaml})\n"
    return yaml, target


def _outcomes(pack: CompiledPack, files: list[Path]) -> list[tuple[str, list[str]]]:
    out = []
    for file in files:
        events = load_events(file, vocabulary=pack.vocabulary)
        result = evaluate(pack, events, AS_OF)
        out.append(
            (result.to_json(), [explain(pack, o, events.events).text() for o in result.obligations])
        )
    return out


def _generated(tmp_path: Path) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_generate", ROOT / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generated = tmp_path / "generated.jsonl"
    generator.write(1500, 3, generated)
    return generated


# --- the same pack ------------------------------------------------------------------------


def test_compiled_pack_is_the_yamls(
    compiled: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    yaml, target = compiled
    files = [*sorted((ROOT / "examples").glob("*.jsonl")), _generated(tmp_path)]
    slow = load_pack(yaml)
    spies = _Spies(monkeypatch)
    fast = load_pack(target)
    assert (spies.parsed, spies.validated) == ([], 0)  # neither parsed nor validated
    assert (fast.id, fast.version, fast.content_hash) == (slow.id, slow.version, slow.content_hash)
    # Everything points at the YAML file: messages, sources, an overlay's base.
    assert fast.file == slow.file == str(yaml)
    assert fast.document.positions.spots == slow.document.positions.spots
    sources = [source.id for source in slow.pack.pack.sources]
    assert sources
    for source in sources:
        assert fast.document.read_source(source) == slow.document.read_source(source)
    assert fast.pack == slow.pack  # the pydantic model, built from the stored tree when asked
    outcomes = _outcomes(fast, files)
    assert outcomes == _outcomes(slow, files)
    assert any(stories for _json, stories in outcomes)  # something was explained


def test_the_shared_benchmark_pack_evaluates_byte_identically(tmp_path: Path) -> None:
    directory = tmp_path / "bench"
    shutil.copytree(SHARED, directory, ignore=shutil.ignore_patterns("*.py", "*.sh"))
    target = tmp_path / "build" / "shared_bench.json"  # elsewhere: the YAML is found by path
    assert compile_cli(str(directory / "shared_bench.yaml"), "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text("utf-8").partition("\n")[0])["file"] == (
        "../bench/shared_bench.yaml"
    )
    records = tmp_path / "records.jsonl"
    records.write_text(
        "".join(
            json.dumps(r) + "\n"
            for r in [
                {
                    "event_id": "E1",
                    "child_id": "C1",
                    "type": "concern_identified",
                    "timestamp": "2024-03-01T09:00:00+00:00",
                    "tz": "Europe/London",
                    "category": "physical",
                    "serious": True,
                    "immediate_action": False,
                    "complex": False,
                },
                {
                    "event_id": "E2",
                    "child_id": "C1",
                    "type": "police_incident",
                    "timestamp": "2024-03-02T10:00:00+00:00",
                    "tz": "Europe/London",
                },
            ]
        ),
        "utf-8",
    )
    mapping = load_mapping(directory / "shared_bench.mapping.yaml")
    results = []
    for pack in (load_pack(directory / "shared_bench.yaml"), load_pack(target)):
        events = load_events(records, mapping=mapping, vocabulary=pack.vocabulary)
        assert not events.rejected
        results.append(evaluate(pack, events, AS_OF).to_json())
    assert results[0] == results[1]
    assert '"obligations": []' not in results[0]  # the pack decided something


def test_loading_a_compiled_pack_imports_neither_pydantic_nor_the_parser(tmp_path: Path) -> None:
    # jersey_2024 declares no event types of its own (a pack that does builds its
    # vocabulary from the event models, as a bundled one does).
    yaml = own_pack(tmp_path, "jersey_2024")
    assert compile_cli(str(yaml)).exit_code == 0
    target = yaml.with_name("jersey_2024.compiled.json")
    code = (
        "import sys, safeguard_rules\n"
        f"pack = safeguard_rules.load_pack({str(target)!r})\n"
        "print(sorted(m for m in ('pydantic', 'safeguard_rules._pack', 'safeguard_rules._yaml',"
        " 'ruamel.yaml', 'safeguard_rules._events') if m in sys.modules), pack.id)\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out == "[] jersey_2024\n"


def test_an_overlay_compiles_and_reads_its_base(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples" / "overlays", tmp_path / "overlays")
    yaml = tmp_path / "overlays" / "example_partnership_jersey_2024.yaml"
    assert compile_cli(str(yaml), "-o", str(tmp_path / "overlay.json")).exit_code == 0
    fast, slow = load_pack(tmp_path / "overlay.json"), load_pack(yaml)
    assert (fast.extends, fast.content_hash) == (slow.extends, slow.content_hash)
    assert fast.extends == "jersey_2024"


# --- refused: the YAML changed, or the file is not what was written -------------------------


def _problem(target: Path) -> tuple[str, int, str, str]:
    with pytest.raises(PackError) as caught:
        load_pack(target)
    (problem,) = caught.value.diagnostics
    return problem.file, problem.line, problem.code, problem.message


def test_an_edited_yaml_is_refused_until_compiled_again(compiled: tuple[Path, Path]) -> None:
    yaml, target = compiled
    text = yaml.read_text("utf-8")
    yaml.write_text(text.replace("  version:", "  # edited\n  version:", 1), "utf-8")
    assert _problem(target) == (
        str(target),
        1,
        "stale-compiled-pack",
        "'wirral_2019.yaml' has changed since this file was compiled from it: compile it "
        f"again (safeguard-rules compile {yaml} -o {target}), or load the .yaml file",
    )
    assert load_pack(yaml).id == "wirral_2019"  # the YAML itself still loads
    check = compile_cli(str(yaml), "--check")
    assert check.exit_code == 1
    assert f"out of date {target}" in check.output
    assert compile_cli(str(yaml)).exit_code == 0
    assert load_pack(target).content_hash == load_pack(yaml).content_hash
    assert compile_cli(str(yaml), "--check").output == f"up to date {target}\n"


@pytest.mark.parametrize(
    "damage",
    [
        # a value of the reading changed by hand (the digest not updated)
        lambda first, body: (first, body.replace('"id":"wirral_2019"', '"id":"wirral_2020"', 1)),
        # a value changed and the first line's digest made to match a different body
        lambda first, body: (first.replace('"digest": "sha256:', '"digest": "sha256:0', 1), body),
        # cut short
        lambda first, body: (first, body[: len(body) // 2]),
    ],
    ids=["edited-value", "edited-digest", "truncated"],
)
def test_a_damaged_or_edited_file_is_refused(compiled: tuple[Path, Path], damage: Any) -> None:
    yaml, target = compiled
    first, _, body = target.read_text("utf-8").partition("\n")
    assert '"id":"wirral_2019"' in body
    first, body = damage(first, body)
    target.write_text(first + "\n" + body, "utf-8")
    file, line, code, message = _problem(target)
    assert (file, line, code) == (str(target), 2, "damaged-compiled-pack")
    assert message == (
        "it was changed after it was written (its digest does not match): compile the pack "
        f"again (safeguard-rules compile {yaml} -o {target})"
    )


def test_a_digest_that_matches_a_body_of_another_text_is_refused(
    compiled: tuple[Path, Path],
) -> None:
    # The first line says one YAML text, the reading (digest recomputed) another.
    import hashlib

    _yaml_file, target = compiled
    first, _, body = target.read_text("utf-8").partition("\n")
    raw = json.loads(body)
    raw["sha256"] = "0" * 64
    body = json.dumps(raw) + "\n"
    header = json.loads(first)
    header["digest"] = "sha256:" + hashlib.sha256(body.encode()).hexdigest()
    target.write_text(json.dumps(header) + "\n" + body, "utf-8")
    assert _problem(target)[2:] == (
        "damaged-compiled-pack",
        "its reading does not match its first line",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "",
            "not a compiled pack (write one with: safeguard-rules compile PACK.yaml -o FILE.json)",
        ),
        (
            '{"pack": {"id": "x"}}\n',
            "not a compiled pack (write one with: safeguard-rules compile PACK.yaml -o FILE.json)",
        ),
        (
            "[" * 100_000 + "\n",
            "not a compiled pack (write one with: safeguard-rules compile PACK.yaml -o FILE.json)",
        ),
        (
            '{"compiled": "safeguard-rules pack", "file": "/etc/x.yaml"}\n',
            "its first line is not a compiled pack's",
        ),
        (
            '{"compiled": "safeguard-rules pack", "file": "x.py", "sha256": "", "format": 3, "library": "", "digest": ""}\n',
            "its first line is not a compiled pack's",
        ),
    ],
    ids=["empty", "other-json", "deep", "absolute-file", "not-yaml"],
)
def test_a_json_file_that_is_not_a_compiled_pack_is_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    target = tmp_path / "pack.json"
    target.write_text(text, "utf-8")
    assert _problem(target) == (str(target), 1, "damaged-compiled-pack", message)


def test_a_missing_yaml_or_compiled_file(compiled: tuple[Path, Path], tmp_path: Path) -> None:
    yaml, target = compiled
    yaml.unlink()
    file, line, code, message = _problem(target)
    assert (file, line, code) == (str(target), 1, "unreadable")
    assert message.startswith("it was compiled from 'wirral_2019.yaml', which cannot be read (")
    assert message.endswith("): ship the pack's YAML file with its compiled form")
    with pytest.raises(PackNotFoundError, match="no pack file at"):
        load_pack(tmp_path / "nowhere.json")


# --- the YAML itself: another library version, other limits, other pack models --------------


def test_another_library_version_reads_the_yaml(
    compiled: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    yaml, target = compiled
    expected = load_pack(yaml).content_hash
    monkeypatch.setattr(safeguard_rules, "__version__", "0.0.0-another")
    spies = _Spies(monkeypatch)
    assert load_pack(target).content_hash == expected
    assert spies.parsed == [yaml]


def test_other_limits_read_the_yaml(
    compiled: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    yaml, target = compiled
    spies = _Spies(monkeypatch)
    tight = DEFAULT_LIMITS.__class__(max_values=100)
    with pytest.raises(PackError) as caught:
        load_pack(target, limits=tight)  # the limits apply to the YAML, as if it were named
    assert spies.parsed == [yaml]
    assert caught.value.diagnostics[0].file == str(yaml)


def test_other_pack_models_validate_the_reading(
    compiled: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    yaml, target = compiled
    expected = load_pack(yaml).content_hash
    monkeypatch.setattr(_prebuilt, "models_stamp", lambda: "sha256:another")
    spies = _Spies(monkeypatch)
    assert load_pack(target).content_hash == expected
    assert (spies.parsed, spies.validated) == ([], 1)  # the reading used, its model not


# --- the command --------------------------------------------------------------------------


def test_a_pack_that_does_not_load_is_not_compiled(tmp_path: Path) -> None:
    yaml = own_pack(tmp_path)
    yaml.write_text(yaml.read_text("utf-8") + "no_such_key: 1\n", "utf-8")
    result = compile_cli(str(yaml))
    assert result.exit_code == 1
    assert "no_such_key" in result.output
    assert not yaml.with_name("wirral_2019.compiled.json").exists()


def test_usage_errors(tmp_path: Path, compiled: tuple[Path, Path]) -> None:
    yaml, target = compiled
    result = compile_cli(str(yaml), "-o", str(tmp_path / "pack.txt"))
    assert result.exit_code == 2
    assert "a compiled pack is a .json file" in result.output
    result = compile_cli(str(target))
    assert result.exit_code == 2
    assert "is a compiled pack: give the .yaml file it was compiled from" in result.output
    assert compile_cli("no_such_pack").exit_code == 2
    missing = compile_cli(str(yaml), "--check", "-o", str(tmp_path / "missing.json"))
    assert missing.exit_code == 1
    assert not (tmp_path / "missing.json").exists()


def test_evaluate_takes_a_compiled_pack(compiled: tuple[Path, Path]) -> None:
    yaml, target = compiled
    runs = [
        CliRunner().invoke(
            main,
            [
                "evaluate",
                "--pack",
                str(p),
                "--as-of",
                "2024-06-03T17:00:00+01:00",
                "--format",
                "json",
                str(ROOT / "examples" / "child_a_history.jsonl"),
            ],
        )
        for p in (yaml, target)
    ]
    assert [r.exit_code for r in runs] == [0, 0]
    assert runs[0].output == runs[1].output
