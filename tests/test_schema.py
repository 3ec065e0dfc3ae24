"""The committed JSON Schemas match the models, and accept or reject what the library does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from safeguard_rules._schema import schemas
from safeguard_rules._yaml import read_yaml_file
from safeguard_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
PACKS = sorted((ROOT / "policies").glob("*.yaml"))
SCENARIO_FILES = sorted(
    [
        *ROOT.glob("policies/**/*.scenarios.yaml"),
        *ROOT.glob("tests/scenario_files/**/*.scenarios.yaml"),
    ]
)


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def load(path: Path) -> Any:
    data, _positions = read_yaml_file(path)
    return data


def test_committed_schemas_are_generated_from_the_models() -> None:
    for name, text in schemas().items():
        committed = (SCHEMAS / name).read_text(encoding="utf-8")
        assert committed == text, f"schemas/{name} is stale: run 'safeguard-rules schema'"


@pytest.mark.parametrize("packs", [(), ("jersey_2024", "wtsc_2015", "wirral_2019", "jersey_2019")])
def test_the_schemas_do_not_depend_on_what_was_built_before(packs: tuple[str, ...]) -> None:
    # The pack models are built on first use; a JSON Schema generated from models built
    # from inside another's differed (a title beside a $ref), with or without loading
    # packs first. A fresh interpreter, so nothing this test session built hides it.
    code = (
        "import safeguard_rules, sys\n"
        "from safeguard_rules._schema import schemas\n"
        "for name in sys.argv[2:]:\n"
        "    safeguard_rules.load_pack(name)\n"
        "for name, text in sorted(schemas().items()):\n"
        "    committed = open(sys.argv[1] + '/' + name, encoding='utf-8').read()\n"
        "    print(name, committed == text)\n"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, str(SCHEMAS), *packs],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == [
        "evaluation.schema.json",
        "True",
        "pack.schema.json",
        "True",
        "scenario.schema.json",
        "True",
    ]


def test_schema_check_command_agrees(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["schema", "--check", "--out", str(SCHEMAS)]).exit_code == 0
    stale = runner.invoke(main, ["schema", "--check", "--out", str(tmp_path)])
    assert stale.exit_code == 1
    assert "out of date" in stale.stderr and not list(tmp_path.iterdir())
    written = runner.invoke(main, ["schema", "--out", str(tmp_path)])
    assert written.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "evaluation.schema.json",
        "pack.schema.json",
        "scenario.schema.json",
    ]


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.name)
def test_shipped_packs_declare_and_satisfy_the_schema(pack: Path) -> None:
    first = pack.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/pack.schema.json"
    assert list(validator("pack.schema.json").iter_errors(load(pack))) == []


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_scenario_files_satisfy_the_schema(path: Path) -> None:
    assert list(validator("scenario.schema.json").iter_errors(load(path))) == []


@pytest.mark.parametrize(
    "overlay", sorted(ROOT.glob("examples/overlays/*.yaml")), ids=lambda p: p.name
)
def test_overlays_satisfy_the_pack_schema(overlay: Path) -> None:
    first = overlay.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schemas/pack.schema.json"
    data = load(overlay)
    assert "extend" in data
    assert list(validator("pack.schema.json").iter_errors(data)) == []
    data["parameters"]["no_such_key"] = {"defualt": {"hours": 1}}
    assert list(validator("pack.schema.json").iter_errors(data)) != []


def test_pack_schema_rejects_what_the_loader_rejects() -> None:
    pack = load(PACKS[0])
    pack["rules"][0]["titel"] = "typo"
    errors = list(validator("pack.schema.json").iter_errors(pack))
    # A pack file is a pack or an overlay (anyOf): the reason sits under the pack branch.
    assert any("'titel' was unexpected" in c.message for e in errors for c in e.context or [])


def test_scenario_schema_describes_events() -> None:
    check = validator("scenario.schema.json")
    scenario = {
        "pack": "jersey_2024",
        "scenarios": [
            {
                "name": "n",
                "as_of": "2024-05-07",
                "events": [
                    {
                        "id": "e1",
                        "type": "cpn_created",
                        "child_id": "c",
                        "at": "2024-05-01T10:00:00Z",
                        "incident_ref": "I",
                    }
                ],
                "expect": {},
            }
        ],
    }
    assert list(check.iter_errors(scenario)) == []
    scenario["scenarios"][0]["events"][0]["incident_reference"] = "I"
    assert list(check.iter_errors(scenario)) != []
