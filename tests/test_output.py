"""Every JSON document the library and the CLI write: one path, a format version, the engine
stamp, and the committed schema of evaluations (docs/output.md)."""

from __future__ import annotations

import json
import zoneinfo
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import cli

import safeguard_rules
from safeguard_rules import _engine, evaluate, load_events, load_pack

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCHEMA = ROOT / "schemas" / "evaluation.schema.json"
CENSUS = ROOT / "tests" / "data" / "cin_census" / "CIN_Census_2024.xml"
# (pack, events file, as_of): each bundled example under the pack it was written for.
EXAMPLE_RUNS = [
    ("jersey_2024", "child_a_history.jsonl", "2024-06-03T17:00:00+01:00"),
    ("jersey_2019", "child_a_history.jsonl", "2024-06-03T17:00:00+01:00"),
    ("wtsc_2015", "concerns_2015.jsonl", "2016-01-15T17:00:00+00:00"),
    ("wirral_2019", "strategy_requests.yaml", "2019-06-20T17:00:00+01:00"),
    ("wtsc_2015", "caseload_2015.jsonl", "2016-01-15T17:00:00+00:00"),
]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _evaluation_json(pack: str, events: str, as_of: str) -> dict[str, Any]:
    code, out, err = cli(
        "evaluate", "--pack", pack, "--as-of", as_of, "--format", "json", str(EXAMPLES / events)
    )
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


# --- the schema of evaluations ---------------------------------------------------------------


@pytest.mark.parametrize(("pack", "events", "as_of"), EXAMPLE_RUNS)
def test_every_bundled_example_evaluation_is_valid_against_the_committed_schema(
    validator: jsonschema.Draft202012Validator, pack: str, events: str, as_of: str
) -> None:
    data = _evaluation_json(pack, events, as_of)
    assert data["obligations"]  # a real evaluation, not an empty one
    errors = sorted(validator.iter_errors(data), key=str)
    assert errors == []


def test_every_bundled_pack_on_every_example_at_once_is_valid(
    validator: jsonschema.Draft202012Validator,
) -> None:
    examples = sorted(str(p) for p in EXAMPLES.iterdir() if p.suffix in (".jsonl", ".yaml"))
    for pack in safeguard_rules.bundled_packs():
        code, out, err = cli(
            "evaluate",
            "--pack",
            pack,
            "--as-of",
            "2026-01-01T00:00:00+00:00",
            "--format",
            "json",
            *examples,
        )
        assert code == 0, err
        assert list(validator.iter_errors(json.loads(out))) == []


def test_an_evaluation_with_rejections_is_valid(
    tmp_path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    bad = tmp_path / "bad.jsonl"
    lines = (EXAMPLES / "child_a_history.jsonl").read_text(encoding="utf-8").splitlines()
    bad.write_text(
        "\n".join([*lines, '{"id": "x-1", "type": "no_such_event"}', "not json"]) + "\n",
        encoding="utf-8",
    )
    code, out, _err = cli(
        "evaluate",
        "--pack",
        "jersey_2024",
        "--as-of",
        "2024-06-03T17:00:00+01:00",
        "--format",
        "json",
        str(bad),
    )
    assert code == 1
    data = json.loads(out)
    assert len(data["account"]["rejected"]) == 2
    assert list(validator.iter_errors(data)) == []


def test_the_schema_rejects_what_the_library_does_not_write(
    validator: jsonschema.Draft202012Validator,
) -> None:
    data = _evaluation_json(*EXAMPLE_RUNS[0])
    without_engine = {k: v for k, v in data.items() if k != "engine"}
    assert [e.message for e in validator.iter_errors(without_engine)] == [
        "'engine' is a required property"
    ]
    other_format = {**data, "format": "safeguard-rules/evaluation/0"}
    assert not validator.is_valid(other_format)
    bad_status = json.loads(json.dumps(data))
    bad_status["obligations"][0]["status"] = "done"
    assert not validator.is_valid(bad_status)
    # Defaults are written all the same, so the schema requires them (Finding.basis).
    finding = dict(data["findings"][0])
    del finding["basis"]
    assert not validator.is_valid({**data, "findings": [finding]})


def test_the_schema_command_writes_the_evaluation_schema(tmp_path: Path) -> None:
    code, _out, err = cli("schema", "--out", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "evaluation.schema.json").read_bytes() == SCHEMA.read_bytes()


# --- a format version in every JSON document ----------------------------------------------------


def _formats_of_every_command(tmp_path: Path) -> dict[str, str]:
    history = str(EXAMPLES / "child_a_history.jsonl")
    grouped = tmp_path / "grouped.jsonl"  # --stream needs each child's events together
    with grouped.open("wb") as out:
        safeguard_rules.sort_events_by_child([history], out)
    as_of = "2024-06-03T17:00:00+01:00"
    documents = {
        "evaluate": [
            "evaluate",
            "--pack",
            "jersey_2024",
            "--as-of",
            as_of,
            "--format",
            "json",
            history,
        ],
        "evaluate --stream": [
            "evaluate",
            "--stream",
            "--pack",
            "jersey_2024",
            "--as-of",
            as_of,
            "--format",
            "json",
            str(grouped),
        ],
        "evaluate --jurisdiction": [
            "evaluate",
            "--jurisdiction",
            "jersey",
            "--as-of",
            as_of,
            "--format",
            "json",
            history,
        ],
        "explain": [
            "explain",
            "--pack",
            "jersey_2024",
            "--as-of",
            as_of,
            "--format",
            "json",
            history,
            "flag_after_more_than_three_occasions/ev-005",
        ],
        "diff": ["diff", "jersey_2019", "jersey_2024", "--format", "json"],
        "diff --events": [
            "diff",
            "jersey_2019",
            "jersey_2024",
            "--events",
            history,
            "--as-of",
            as_of,
            "--format",
            "json",
        ],
        "validate": ["validate", "--format", "json", str(ROOT / "policies" / "jersey_2024.yaml")],
        "lint": ["lint", "--format", "json", str(ROOT / "policies" / "jersey_2024.yaml")],
        "test": ["test", "--format", "json", str(ROOT / "policies")],
    }
    formats = {}
    for name, args in documents.items():
        code, out, err = cli(*args)
        assert code in (0, 1), (name, err)
        formats[name] = json.loads(out)["format"]
    report = tmp_path / "report.json"
    code, _out, err = cli(
        "import",
        "cin-census",
        str(CENSUS),
        "-o",
        str(tmp_path / "e.jsonl"),
        "--report",
        str(report),
    )
    assert code in (0, 1), err
    formats["import cin-census --report"] = json.loads(report.read_text(encoding="utf-8"))["format"]
    code, out, err = cli(
        "evaluate",
        "--stream",
        "--pack",
        "jersey_2024",
        "--as-of",
        as_of,
        "--format",
        "jsonl",
        str(grouped),
    )
    assert code == 0, err
    formats["evaluate --stream --format jsonl (last line)"] = json.loads(out.splitlines()[-1])[
        "format"
    ]
    return formats


def test_every_json_document_says_its_format_and_version(tmp_path: Path) -> None:
    assert _formats_of_every_command(tmp_path) == {
        "evaluate": "safeguard-rules/evaluation/1",
        "evaluate --stream": "safeguard-rules/evaluation/1",
        "evaluate --jurisdiction": "safeguard-rules/jurisdiction-evaluation/1",
        "explain": "safeguard-rules/explanation/1",
        "diff": "safeguard-rules/pack-diff/1",
        "diff --events": "safeguard-rules/pack-diff/1",
        "validate": "safeguard-rules/lint-report/1",
        "lint": "safeguard-rules/lint-report/1",
        "test": "safeguard-rules/scenario-run/1",
        "import cin-census --report": "safeguard-rules/census-import/1",
        "evaluate --stream --format jsonl (last line)": "safeguard-rules/evaluation-lines/1",
    }


def test_library_documents_carry_the_same_format() -> None:
    pack = load_pack("jersey_2024")
    result = evaluate(
        pack,
        load_events(EXAMPLES / "child_a_history.jsonl"),
        datetime.fromisoformat("2024-06-03T17:00:00+01:00"),
    )
    assert result.to_dict()["format"] == "safeguard-rules/evaluation/1"
    assert json.loads(result.to_json())["format"] == "safeguard-rules/evaluation/1"
    explanation = safeguard_rules.explain(
        pack, result.obligations[0], load_events(EXAMPLES / "child_a_history.jsonl").events
    )
    assert json.loads(explanation.to_json())["format"] == "safeguard-rules/explanation/1"


# --- one way of writing: keys sorted, UTF-8 kept, everywhere ----------------------------------


def _keys_sorted(value: Any) -> bool:
    if isinstance(value, dict):
        return list(value) == sorted(value) and all(_keys_sorted(v) for v in value.values())
    if isinstance(value, list):
        return all(_keys_sorted(v) for v in value)
    return True


def test_explain_json_keeps_non_ascii_text_and_sorted_keys() -> None:
    # The cited sentence has curly quotes: "children\N{RIGHT SINGLE QUOTATION MARK}s social worker".
    code, out, err = cli(
        "explain",
        "--pack",
        "jersey_2024",
        "--as-of",
        "2024-06-03T17:00:00+01:00",
        "--format",
        "json",
        str(EXAMPLES / "child_a_history.jsonl"),
        "flag_after_more_than_three_occasions/ev-005",
    )
    assert code == 0, err
    assert "children\N{RIGHT SINGLE QUOTATION MARK}s social worker" in out and "\\u2019" not in out
    assert out.endswith("}\n") and not out.endswith("\n\n")
    assert _keys_sorted(json.loads(out))


@pytest.mark.parametrize(
    "args",
    [
        ("diff", "jersey_2019", "jersey_2024", "--format", "json"),
        ("lint", "--format", "json", str(ROOT / "policies" / "jersey_2024.yaml")),
        ("test", "--format", "json", str(ROOT / "policies")),
        (
            "evaluate",
            "--jurisdiction",
            "jersey",
            "--as-of",
            "2024-06-03T17:00:00+01:00",
            "--format",
            "json",
            str(EXAMPLES / "child_a_history.jsonl"),
        ),
    ],
)
def test_every_document_has_its_keys_sorted_at_every_depth(args: tuple[str, ...]) -> None:
    code, out, err = cli(*args)
    assert code in (0, 1), err
    assert _keys_sorted(json.loads(out))
    assert "\\u20" not in out


# --- the engine stamp ----------------------------------------------------------------------------


def test_an_evaluation_is_stamped_with_the_engine_beside_the_pack() -> None:
    data = _evaluation_json(*EXAMPLE_RUNS[0])
    assert data["engine"] == {
        "safeguard_rules": safeguard_rules.__version__,
        "holidays": metadata.version("holidays"),
        "tzdata": _engine.tz_database_version("Europe/Jersey"),
    }
    assert data["engine"]["tzdata"] != "unknown"


def test_the_tz_release_is_read_where_zoneinfo_reads_the_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = tmp_path / "system"
    (system / "Europe").mkdir(parents=True)
    (system / "Europe" / "Jersey").write_bytes(b"TZif")
    (system / "tzdata.zi").write_text("# version 2099z\n# Zone ...\n", encoding="utf-8")
    _engine.tz_database_version.cache_clear()
    try:
        monkeypatch.setattr(zoneinfo, "TZPATH", (str(tmp_path / "empty"), str(system)))
        assert _engine.tz_database_version("Europe/Jersey") == "2099z"
        # A system database without the zone: zoneinfo falls back to the tzdata package.
        monkeypatch.setattr(zoneinfo, "TZPATH", (str(tmp_path / "empty"),))
        _engine.tz_database_version.cache_clear()
        import tzdata  # type: ignore[import-untyped]

        assert _engine.tz_database_version("Europe/London") == tzdata.IANA_VERSION
        # One that has the zone but does not say its release.
        (system / "tzdata.zi").unlink()
        monkeypatch.setattr(zoneinfo, "TZPATH", (str(system),))
        _engine.tz_database_version.cache_clear()
        assert _engine.tz_database_version("Europe/Jersey") == "unknown"
        (system / "+VERSION").write_text("2031a\n", encoding="utf-8")
        _engine.tz_database_version.cache_clear()
        assert _engine.tz_database_version("Europe/Jersey") == "2031a"
    finally:
        _engine.tz_database_version.cache_clear()


def test_merging_parts_from_different_engines_is_refused() -> None:
    import dataclasses

    pack = load_pack("jersey_2024")
    events = load_events(EXAMPLES / "child_a_history.jsonl")
    part = evaluate(pack, events, datetime.fromisoformat("2024-06-03T17:00:00+01:00"))
    other = dataclasses.replace(
        part, obligations=(), findings=(), engine=dataclasses.replace(part.engine, holidays="0.1")
    )
    with pytest.raises(ValueError, match="different engines"):
        safeguard_rules.merge_evaluations([part, other])
