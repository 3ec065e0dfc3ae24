"""``safeguard-rules validate`` and ``lint``: formats, exit codes, options, the console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lint_docgen import complete

from safeguard_rules import LINT_CHECKS, bundled_packs
from safeguard_rules._errors import LOAD_CODES
from safeguard_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
SPARE_ROLE = "roles:\n  team_manager: {title: Team Manager}\n  spare: {title: Spare}\n"
NO_CITATION = """\
rules:
  - id: meeting
    title: Strategy meeting
    strength: must
    when: {event: strategy_meeting_requested}
    require: {action: hold_strategy_meeting, responsible: team_manager, satisfied_by: {event: strategy_meeting_held}}
"""


# Tests of output formats leave out the uncited example's unaccounted source sentence.
QUIET_SOURCES = ("--disable", "source-sentence-unaccounted")


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env or {"GITHUB_ACTIONS": ""})
    return result.exit_code, result.stdout, result.stderr


def pack(
    directory: Path, text: str, name: str = "pack.yaml", jurisdiction: str = "northshire"
) -> Path:
    (directory / "guide.txt").write_text(
        "Strategy meetings will take place within three working days.\n", encoding="utf-8"
    )
    path = directory / name
    path.write_text(complete(text).replace("northshire", jurisdiction), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_the_shipped_packs_pass_from_the_policies_directory(command: str) -> None:
    code, out, err = cli(command, str(ROOT / "policies"))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == len(bundled_packs()) + 1
    assert (
        lines[0]
        == f"{ROOT / 'policies' / 'jersey_2019.yaml'}: jersey_2019 version 2019-10, 27 rules: ok"
    )
    assert lines[-1] == "4 packs checked: 0 errors, 0 warnings"


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_bundled_names_are_accepted(command: str) -> None:
    code, out, _err = cli(command, "jersey_2024", "--strict")
    assert code == 0
    assert out.endswith(
        ": jersey_2024 version 7, 37 rules: ok\n1 pack checked: 0 errors, 0 warnings\n"
    )


def test_validate_broken_pack_points_at_the_line_on_stdout(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = (ROOT / "policies" / "jersey_2019.yaml").read_text(encoding="utf-8")
    broken.write_text(
        text.replace("responsible: mash_ds\n", "responsible: mash_dss\n", 1), encoding="utf-8"
    )
    line = next(
        i
        for i, s in enumerate(broken.read_text(encoding="utf-8").splitlines(), 1)
        if "mash_dss" in s
    )
    code, out, err = cli("validate", "--format", "text", str(broken))
    assert (code, err) == (1, "")
    assert out.startswith(
        f"{broken}:{line}:7: error role-undefined: unknown role 'mash_dss'; did you mean 'mash_ds'?; "
        "define it under 'roles' (roles are: "
    )
    assert "\n          responsible: mash_dss\n          ^\n" in out  # the source line and a caret
    assert out.endswith(
        f"{broken}: does not load: 1 error, 0 warnings\n1 pack checked: 1 error, 0 warnings\n"
    )


def test_a_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("pack:\n  id: [x\nroles: {}\n", encoding="utf-8")
    code, out, _err = cli("lint", "--format", "json", str(broken))
    assert code == 1
    (found,) = json.loads(out)["diagnostics"]
    assert (found["code"], found["line"], found["column"], found["level"]) == (
        "yaml-syntax",
        3,
        6,
        "error",
    )
    assert found["message"].startswith("YAML syntax error: ")


def test_validate_does_not_lint(tmp_path: Path) -> None:
    path = pack(tmp_path, NO_CITATION)
    assert cli("validate", str(path))[0] == 0
    code, out, _err = cli("lint", str(path))
    assert code == 1
    assert f"{path}:2:5: error missing-citation: rule 'meeting' has no citation;" in out


def test_lint_text_format(tmp_path: Path) -> None:
    path = pack(tmp_path, SPARE_ROLE)
    code, out, err = cli("lint", "--format", "text", str(path))
    assert (code, err) == (0, "")  # a warning alone passes
    assert out == (
        f"{path}:3:3: warning role-unused: role 'spare' is defined but no rule uses it (as "
        "responsible, copied in, escalation, escalation path or in a condition); remove it or use it\n"
        "      spare: {title: Spare}\n"
        "      ^\n"
        f"{path}: example version 1, 1 rule: 0 errors, 1 warning\n"
        "1 pack checked: 0 errors, 1 warning\n"
    )


def test_strict_makes_warnings_fail(tmp_path: Path) -> None:
    path = pack(tmp_path, SPARE_ROLE)
    assert cli("lint", "--strict", str(path))[0] == 1
    assert cli("lint", "--strict", "--disable", "role-unused", str(path))[0] == 0


def test_lint_json_format_is_stable_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    spare = pack(tmp_path / "a", SPARE_ROLE, "spare.yaml", jurisdiction="southshire")
    uncited = pack(tmp_path, NO_CITATION, "uncited.yaml")
    code, out, _err = cli("lint", "--format", "json", str(uncited), str(spare))
    assert code == 1
    data = json.loads(out)
    assert out == json.dumps(data, indent=2, sort_keys=True) + "\n"
    assert data["diagnostics"] == [
        {
            "file": str(spare),
            "line": 3,
            "column": 3,
            "level": "warning",
            "code": "role-unused",
            "message": "role 'spare' is defined but no rule uses it (as responsible, copied in, "
            "escalation, escalation path or in a condition); remove it or use it",
        },
        # The uncited rule leaves the one sentence of its guide unaccounted for.
        {
            "file": str(tmp_path / "guide.txt"),
            "line": 1,
            "column": 1,
            "level": "warning",
            "code": "source-sentence-unaccounted",
            "message": "source 'guide' imposes something no citation or not_encoded entry of example "
            "accounts for: 'Strategy meetings will take place within three working days.'; "
            "quote it in the rule that encodes it, or list it under not_encoded with the "
            "reason it is left out",
        },
        {
            "file": str(uncited),
            "line": 2,
            "column": 5,
            "level": "error",
            "code": "missing-citation",
            "message": "rule 'meeting' has no citation; add 'citation: {source: ..., quote: ...}' "
            "quoting the sentence it encodes (sources: guide)",
        },
    ]
    assert [
        (p["file"], p["pack"], p["loads"], p["errors"], p["warnings"]) for p in data["packs"]
    ] == [(str(uncited), "example", True, 1, 1), (str(spare), "example", True, 0, 1)]
    assert data["summary"] == {"packs": 2, "errors": 1, "warnings": 2}
    assert "role-unused" in data["checks"]
    assert cli("lint", "--format", "json", str(uncited), str(spare))[1] == out


def test_validate_json_format_reports_a_pack_that_does_not_load(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("pack: {id: x}\n", encoding="utf-8")
    code, out, _err = cli("validate", "--format", "json", str(broken))
    assert code == 1
    data = json.loads(out)
    assert {d["code"] for d in data["diagnostics"]} == {"missing-key"}
    assert data["packs"] == [
        {
            "file": str(broken),
            "loads": False,
            "pack": None,
            "version": None,
            "rules": None,
            "content_hash": None,
            "errors": len(data["diagnostics"]),
            "warnings": 0,
        }
    ]
    assert data["checks"] == []


def test_github_format_and_its_default_under_github_actions(tmp_path: Path) -> None:
    path = pack(tmp_path, NO_CITATION)
    code, out, _err = cli("lint", *QUIET_SOURCES, "--format", "github", str(path))
    assert code == 1
    assert out.splitlines()[0] == (
        f"::error file={path},line=2,col=5,title=missing-citation::rule 'meeting' has no citation; "
        "add 'citation: {source: ..., quote: ...}' quoting the sentence it encodes (sources: guide)"
    )
    assert cli("lint", *QUIET_SOURCES, str(path), env={"GITHUB_ACTIONS": "true"})[1] == out
    assert (
        cli("lint", *QUIET_SOURCES, str(path), env={"GITHUB_ACTIONS": "true"})[1]
        != cli("lint", *QUIET_SOURCES, "--format", "text", str(path))[1]
    )
    assert cli("validate", str(path), env={"GITHUB_ACTIONS": "true"})[1].endswith(
        "1 pack checked: 0 errors, 0 warnings\n"
    )


def test_usage_errors_exit_2_with_a_suggestion(tmp_path: Path) -> None:
    code, out, err = cli("lint", "jersey_2042")
    assert (code, out) == (2, "")
    assert "no pack named 'jersey_2042'" in err or "no bundled pack named 'jersey_2042'" in err
    assert "did you mean 'jersey_2024'?" in err
    code, _out, err = cli("lint", "--disable", "role-unusd", "jersey_2024")
    assert code == 2
    assert err.startswith(
        "error: --disable: no lint check 'role-unusd'; did you mean 'role-unused'?"
    )
    code, _out, err = cli("lint", "--disable", "gb-without-subdivision", "jersey_2024")
    assert code == 2
    assert "'gb-without-subdivision' is checked when a pack loads and cannot be disabled" in err
    code, _out, err = cli("validate", str(tmp_path))
    assert code == 2
    assert f"no *.yaml pack files in directory {tmp_path}" in err
    assert cli("lint", "--format", "xml", "jersey_2024")[0] == 2
    assert cli("lint")[0] == 2


def test_console_script_lints_the_shipped_packs() -> None:
    script = Path(sys.executable).parent / "safeguard-rules"
    done = subprocess.run(  # noqa: S603
        [str(script), "lint", "--strict", "--format", "json", str(ROOT / "policies")],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["summary"] == {"packs": 4, "errors": 0, "warnings": 0}


def test_console_script_exits_1_on_a_broken_pack(tmp_path: Path) -> None:
    path = pack(tmp_path, NO_CITATION)
    script = Path(sys.executable).parent / "safeguard-rules"
    done = subprocess.run(  # noqa: S603
        [str(script), "lint", *QUIET_SOURCES, str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 1
    assert done.stdout.startswith(f"{path}:2:5: error missing-citation: ")


# --- SARIF ----------------------------------------------------------------------------------


def test_lint_sarif_for_code_scanning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "packs").mkdir()
    uncited = pack(tmp_path / "packs", NO_CITATION, "uncited.yaml")
    spare = pack(tmp_path / "packs", SPARE_ROLE, "spare.yaml", jurisdiction="southshire")
    code, out, err = cli(
        "lint", *QUIET_SOURCES, "--format", "sarif", "packs/uncited.yaml", "packs/spare.yaml"
    )
    assert (code, err) == (1, "")
    log = json.loads(out)
    assert (log["version"], log["$schema"]) == (
        "2.1.0",
        "https://json.schemastore.org/sarif-2.1.0.json",
    )
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "safeguard-rules" and driver["version"]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    # Every check that ran is a rule, with its own summary and level.
    ran = {c for c, check in LINT_CHECKS.items() if not check.at_load} - {
        "source-sentence-unaccounted"
    }
    assert ran <= set(rules) and "source-sentence-unaccounted" not in rules  # disabled
    assert rules["role-unused"]["defaultConfiguration"] == {"level": "warning"}
    assert (
        rules["missing-citation"]["shortDescription"]["text"]
        == LINT_CHECKS["missing-citation"].summary
    )
    results = [
        (
            r["ruleId"],
            driver["rules"][r["ruleIndex"]]["id"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"],
            r["locations"][0]["physicalLocation"]["region"],
        )
        for r in run["results"]
    ]
    assert results == [  # sorted by file, as every format is
        (
            "role-unused",
            "role-unused",
            "warning",
            {"uri": "packs/spare.yaml", "uriBaseId": "%SRCROOT%"},
            {"startLine": 3, "startColumn": 3},
        ),
        (
            "missing-citation",
            "missing-citation",
            "error",
            {"uri": "packs/uncited.yaml", "uriBaseId": "%SRCROOT%"},
            {"startLine": 2, "startColumn": 5},
        ),
    ]
    assert run["results"][1]["message"]["text"].startswith("rule 'meeting' has no citation;")
    # An absolute path is a file: URI; the same packs give the same bytes.
    absolute = json.loads(cli("lint", *QUIET_SOURCES, "--format", "sarif", str(spare))[1])
    location = absolute["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": spare.as_uri()}
    assert (
        cli("lint", *QUIET_SOURCES, "--format", "sarif", "packs/uncited.yaml", "packs/spare.yaml")[
            1
        ]
        == out
    )
    assert uncited.is_file()


def test_validate_sarif_names_load_codes_as_rules(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("pack:\n  id: [x\nroles: {}\n", encoding="utf-8")
    code, out, _err = cli("validate", "--format", "sarif", str(broken))
    assert code == 1
    (run,) = json.loads(out)["runs"]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["yaml-syntax"]
    rule = run["tool"]["driver"]["rules"][0]
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["shortDescription"]["text"] == LOAD_CODES["yaml-syntax"].summary
    (result,) = run["results"]
    assert (result["ruleId"], result["ruleIndex"], result["level"]) == ("yaml-syntax", 0, "error")
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 6,
    }


def test_a_clean_run_is_an_empty_sarif_log() -> None:
    code, out, _err = cli("lint", "--format", "sarif", str(ROOT / "policies"))
    assert code == 0
    (run,) = json.loads(out)["runs"]
    assert run["results"] == []


# --- packs compared with ----------------------------------------------------------------------


def test_lint_compares_with_bundled_packs_only_when_asked(tmp_path: Path) -> None:
    local = pack(tmp_path, "", jurisdiction="jersey")  # from 2024-01-01, open-ended
    code, out, _err = cli("lint", str(local))
    assert code == 0, out
    code, out, _err = cli("lint", str(local), "--against", "bundled")
    assert code == 1
    assert (
        f"{local}:6:3: error overlapping-effective-dates: in force from 2024-01-01 while 'jersey_2019'"
        in out
    )
    assert "while 'jersey_2024'" in out
    assert out.endswith(
        "1 pack checked: 2 errors, 0 warnings\n"
    )  # the bundled packs are not linted
