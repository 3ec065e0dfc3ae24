"""The author's and CI guides are executed: their files are written, their commands run.

``docs/authoring.md`` marks each block that is a file with ``<!-- file: NAME -->`` (or
``<!-- append: NAME -->`` for a block added to the end of one) and each command with its
output with ``<!-- output -->`` (options: ``exit N``; ``edit NAME: "OLD" -> "NEW"`` for
an output shown after a one-off change). Each output block is a test: the files that come
before it in the guide are written into an empty directory, the command runs through the
installed console script there, and what it prints must be what the guide shows.

``docs/ci.md``'s workflow is run against this repository's packs, and the hooks in
``.pre-commit-hooks.yaml`` are run the way pre-commit runs them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from safeguard_rules._yaml import read_yaml_text

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "authoring.md"
COMMAND = "safeguard-rules"

_BLOCK = re.compile(
    r"^<!-- (?P<kind>file|append|output)(?::\s*(?P<args>.*?))?\s*-->\n"
    r"```[\w-]*\n(?P<body>.*?)^```\n",
    re.DOTALL | re.MULTILINE,
)
_EDIT = re.compile(
    r"^edit (?P<file>\S+): (?P<q>[\"'])(?P<old>.*?)(?P=q) -> (?P<r>[\"'])(?P<new>.*?)(?P=r)$"
)


@dataclass(frozen=True)
class Block:
    kind: str  # file, append or output
    args: str
    body: str
    line: int  # in the guide, for test ids and messages


@dataclass(frozen=True)
class Shown:
    """A command a guide shows, what it prints, and the files it runs among."""

    command: str
    output: str
    exit_code: int
    edits: tuple[tuple[str, str, str], ...]  # (file, old, new)
    env: dict[str, str]
    files: dict[str, str]
    line: int


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    return [
        Block(m["kind"], m["args"] or "", m["body"], text.count("\n", 0, m.start()) + 1)
        for m in _BLOCK.finditer(text)
    ]


def shown_commands(path: Path, files: dict[str, str] | None = None) -> list[Shown]:
    """The commands ``path`` shows; ``files`` are there before its first block."""
    files = dict(files or {})
    shown: list[Shown] = []
    for block in blocks(path):
        if block.kind == "file":
            files[block.args] = block.body
        elif block.kind == "append":
            assert block.args in files, f"line {block.line}: append to {block.args} before it"
            files[block.args] += block.body
        else:
            first, _, output = block.body.partition("\n")
            assert first.startswith("$ "), f"line {block.line}: an output block starts with '$ '"
            exit_code, edits, env = 0, [], {}
            for option in filter(None, (o.strip() for o in block.args.split(";"))):
                if option.startswith("exit "):
                    exit_code = int(option.removeprefix("exit "))
                    continue
                if option.startswith("env "):
                    name, _, value = option.removeprefix("env ").partition("=")
                    env[name] = value
                    continue
                edit = _EDIT.match(option)
                assert edit is not None, f"line {block.line}: unknown option {option!r}"
                edits.append((edit["file"], edit["old"], edit["new"]))
            shown.append(
                Shown(first[2:], output, exit_code, tuple(edits), env, dict(files), block.line)
            )
    return shown


def console_script() -> str:
    """The installed ``safeguard-rules`` beside this interpreter, as a reader would run it."""
    script = Path(sys.executable).parent / COMMAND
    assert script.exists(), f"the console script is not installed at {script}"
    return str(script)


def run_command(
    command: str, cwd: Path, extra_env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run a shown command in ``cwd``; stdout and stderr interleaved as on a terminal."""
    argv = shlex.split(command)
    assert argv[0] == COMMAND, f"not a {COMMAND} command: {command}"
    env = {
        k: v
        for k, v in os.environ.items()
        # Plain text, whatever CI or terminal runs the tests.
        if k not in {"GITHUB_ACTIONS", "FORCE_COLOR", "COLUMNS", "LINES", "TTY_COMPATIBLE"}
    }
    env["PYTHONUNBUFFERED"] = "1"  # keeps stderr and stdout in the order they were written
    env.update(extra_env or {})
    done = subprocess.run(  # noqa: S603 - the guide's own commands, run as a reader would
        [console_script(), *argv[1:]],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout


def tidy(text: str) -> str:
    # Editors strip trailing spaces from Markdown; rich pads a table's title with them.
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def write_files(files: dict[str, str], into: Path) -> None:
    for name, body in files.items():
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")


def check_shown(shown: Shown, doc: str, tmp_path: Path) -> None:
    write_files(shown.files, tmp_path)
    for name, old, new in shown.edits:
        text = shown.files[name]
        assert text.count(old) == 1, f"{old!r} is not exactly once in {name}"
        (tmp_path / name).write_text(text.replace(old, new), encoding="utf-8")
    code, output = run_command(shown.command, tmp_path, shown.env)
    assert tidy(output) == tidy(shown.output), f"{doc}:{shown.line}\n{output}"
    assert code == shown.exit_code, output


def ids(commands: list[Shown]) -> list[str]:
    return [f"line{s.line}-{s.command.split()[1]}" for s in commands]


# --- docs/authoring.md ---------------------------------------------------------------

GUIDE_COMMANDS = shown_commands(GUIDE)
GUIDE_FILES = GUIDE_COMMANDS[-1].files  # every file the guide has built by its end


@pytest.mark.parametrize("shown", GUIDE_COMMANDS, ids=ids(GUIDE_COMMANDS))
def test_authoring_guide_output_is_what_the_command_prints(shown: Shown, tmp_path: Path) -> None:
    check_shown(shown, "docs/authoring.md", tmp_path)


def test_authoring_guide_walks_through_every_command_and_a_failure_of_each_check() -> None:
    # Guards against the guide losing the steps that make the tests above worth having.
    subcommands = [s.command.split()[1] for s in GUIDE_COMMANDS]
    for needed in ("schema", "validate", "lint", "test", "explain"):
        assert needed in subcommands, needed
    failing = {s.command.split()[1] for s in GUIDE_COMMANDS if s.exit_code != 0 and s.edits}
    assert {"validate", "test"} <= failing
    assert "--min-coverage 100" in next(s.command for s in GUIDE_COMMANDS if " test " in s.command)


def test_authoring_guide_files_are_the_ones_it_names() -> None:
    names = {b.args for b in blocks(GUIDE) if b.kind in ("file", "append")}
    assert names == {
        "example_borough_procedure.txt",
        "example_borough_2025.yaml",
        "example_borough_2025.scenarios.yaml",
        "child-2.yaml",
    }
    text = GUIDE.read_text(encoding="utf-8")
    for name in names:
        assert f"`{name}`" in text, f"the prose never tells the reader to create {name}"


def test_authoring_guide_quotes_its_source_word_for_word() -> None:
    source = " ".join(GUIDE_FILES["example_borough_procedure.txt"].split())
    quotes = re.findall(r'quote: "([^"]+)"', GUIDE_FILES["example_borough_2025.yaml"])
    assert len(quotes) == 7  # four rules, two deadline cases, one parameter
    for quote in quotes:
        assert quote in source, quote


def test_authoring_guide_prose_reads_the_diagnostic_it_shows() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    said = re.search(r"\(line (\d+), column (\d+)\)", text)
    assert said is not None
    typo = next(s for s in GUIDE_COMMANDS if s.exit_code and s.command.split()[1] == "validate")
    assert f".yaml:{said[1]}:{said[2]}: error role-undefined" in typo.output
    assert "did you mean 'team_manager'?" in typo.output


# --- docs/ci.md ----------------------------------------------------------------------

CI_GUIDE = ROOT / "docs" / "ci.md"
CI_COMMANDS = shown_commands(CI_GUIDE, GUIDE_FILES)
# What GitHub fills in for the workflow's ${{ }} expressions, in the test's own repository.
GITHUB_CONTEXT = {"${{ github.event.pull_request.base.sha }}": "HEAD"}


def marked_yaml(path: Path, marker: str) -> Any:
    text = path.read_text(encoding="utf-8")
    found = re.search(rf"^<!-- {marker}:[^\n]*-->\n```yaml\n(.*?)^```", text, re.M | re.S)
    assert found is not None, f"no <!-- {marker}: --> yaml block in {path.name}"
    value, _positions = read_yaml_text(found.group(1), f"{path.name} ({marker})")
    return value


@pytest.mark.parametrize("shown", CI_COMMANDS, ids=ids(CI_COMMANDS))
def test_ci_guide_output_is_what_the_command_prints(shown: Shown, tmp_path: Path) -> None:
    check_shown(shown, "docs/ci.md", tmp_path)


def test_ci_guide_shows_an_annotation() -> None:
    annotated = [s for s in CI_COMMANDS if s.env.get("GITHUB_ACTIONS") == "true"]
    assert annotated and annotated[0].output.startswith("::error file=")


def git(repo: Path, *args: str) -> None:
    subprocess.run(  # noqa: S603 - fixed arguments, a throwaway repository
        [
            shutil.which("git") or "git",
            "-C",
            str(repo),
            "-c",
            "user.name=ci",
            "-c",
            "user.email=ci@example.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="the diff step needs git")
def test_ci_workflow_steps_pass_on_this_repositorys_packs(tmp_path: Path) -> None:
    workflow = marked_yaml(CI_GUIDE, "workflow")
    steps = [s for job in workflow["jobs"].values() for s in job["steps"] if "run" in s]
    install = [s for s in steps if "pip install" in s["run"]]
    assert len(install) == 1
    runs = [s for s in steps if s not in install]
    commands = [s["run"] for s in runs]
    for needed in ("validate", "lint", "test policies/ --min-coverage 100", "schema --check"):
        assert any(f"safeguard-rules {needed}" in c for c in commands), needed
    # A pull request on a copy of this repository's packs: the base commit, then a change.
    repo = tmp_path / "repo"
    for kept in ("policies", "schemas"):
        shutil.copytree(ROOT / kept, repo / kept)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    pack = repo / "policies" / "wtsc_2015.yaml"
    changed, n = re.subn(
        r"^  version: .*$", '  version: "pull-request-1"', pack.read_text(), count=1, flags=re.M
    )
    assert n == 1
    pack.write_text(changed, encoding="utf-8")
    summary = tmp_path / "summary.md"
    (tmp_path / "runner").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "COLUMNS", "LINES"}}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        GITHUB_ACTIONS="true",
        RUNNER_TEMP=str(tmp_path / "runner"),
        GITHUB_STEP_SUMMARY=str(summary),
    )
    for step in runs:
        step_env = dict(env)
        for name, value in step.get("env", {}).items():
            assert value in GITHUB_CONTEXT, f"the test has no value for {value}"
            step_env[name] = GITHUB_CONTEXT[value]
        done = subprocess.run(  # noqa: S603 - the workflow's own steps, as the runner runs them
            [
                shutil.which("bash") or "bash",
                "--noprofile",
                "--norc",
                "-eo",
                "pipefail",
                "-c",
                step["run"],
            ],
            cwd=repo,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"{step['name']}\n{done.stdout}\n{done.stderr}"
    report = summary.read_text(encoding="utf-8")
    assert "wtsc_2015 -> wtsc_2015" in report
    assert "pull-request-1" in report
    assert "jersey_2024" not in report  # unchanged packs are not diffed


def test_ci_report_steps_write_sarif_and_junit_xml(tmp_path: Path) -> None:
    workflow = marked_yaml(CI_GUIDE, "reports")
    steps = [s for job in workflow["jobs"].values() for s in job["steps"] if "run" in s]
    runs = [s["run"] for s in steps if "pip install" not in s["run"]]
    assert [r.split(" --format ")[1].split()[0] for r in runs] == ["sarif", "junit"]
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "COLUMNS", "LINES"}}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    for run in runs:
        done = subprocess.run(  # noqa: S603 - the workflow's own steps, as the runner runs them
            [shutil.which("bash") or "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", run],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"{run}\n{done.stdout}\n{done.stderr}"
    sarif = json.loads((tmp_path / "lint.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    report = ElementTree.fromstring((tmp_path / "scenarios.xml").read_bytes())  # noqa: S314
    assert report.get("failures") == "0" and report.get("errors") == "0"
    assert int(report.get("tests") or 0) > 100
    uploads = [s for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    sarif_upload = next(s for s in uploads if "upload-sarif" in s["uses"])
    assert sarif_upload["with"]["sarif_file"] == "lint.sarif"


# Each row of ci.md's exit-code table, shown failing (or passing) on the guide's own pack.
_BROKEN_ROLE = (
    "example_borough_2025.yaml",
    "copied_in: [team_manager]",
    "copied_in: [team_manger]",
)
_SPARE_ROLE = ("example_borough_2025.yaml", "roles:\n", "roles:\n  spare: {title: Spare}\n")
_LATE_DUE = ("example_borough_2025.scenarios.yaml", "due: 2025-04-23", "due: 2025-04-22")
_BAD_QUOTE = ("example_borough_2025.yaml", "or a service manager.", "or service manager.")
EXIT_CODES: list[tuple[str, tuple[tuple[str, str, str], ...], int]] = [
    ("validate example_borough_2025.yaml", (), 0),
    ("validate example_borough_2025.yaml", (_BROKEN_ROLE,), 1),
    ("validate no_such_pack.yaml", (), 2),
    ("lint example_borough_2025.yaml", (_SPARE_ROLE,), 0),
    ("lint --strict example_borough_2025.yaml", (_SPARE_ROLE,), 1),
    ("lint example_borough_2025.yaml", (_BAD_QUOTE,), 1),
    ("lint --disable no-such-check example_borough_2025.yaml", (), 2),
    ("test example_borough_2025.scenarios.yaml --min-coverage 100", (), 0),
    ("test example_borough_2025.scenarios.yaml", (_LATE_DUE,), 1),
    ("test example_borough_2025.scenarios.yaml -k 'serious harm' --min-coverage 100", (), 1),
    ("test schemas", (), 1),  # no scenario found
    ("test no_such_dir", (), 2),
    ("schema --check --out schemas", (), 0),
    ("schema --check --out stale", (), 1),
    ("schema --no-such-option", (), 2),
    ("diff example_borough_2025.yaml changed.yaml", (), 0),
    ("diff --exit-code example_borough_2025.yaml changed.yaml", (), 1),
    ("diff --exit-code example_borough_2025.yaml example_borough_2025.yaml", (), 0),
    ("diff no_such_pack example_borough_2025.yaml", (), 2),
    (
        "evaluate --pack example_borough_2025.yaml --as-of 2025-04-30T17:00:00+01:00 child-2.yaml",
        (),
        0,
    ),
    (
        "evaluate --pack example_borough_2025.yaml --as-of 2025-04-30T17:00:00+01:00 no_offset.jsonl",
        (),
        1,
    ),
    # A time without an offset (a date alone is the end of that day, and fine).
    ("evaluate --pack example_borough_2025.yaml --as-of 2025-04-30T17:00 child-2.yaml", (), 2),
]


@pytest.mark.parametrize(("arguments", "edits", "expected"), EXIT_CODES)
def test_ci_guide_exit_codes(
    arguments: str,
    edits: tuple[tuple[str, str, str], ...],
    expected: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # In process: these check exit codes only; the guides' commands above use the script.
    from click.testing import CliRunner

    from safeguard_rules.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    write_files(GUIDE_FILES, tmp_path)
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    (tmp_path / "stale").mkdir()
    (tmp_path / "stale" / "pack.schema.json").write_text("{}", encoding="utf-8")
    pack = GUIDE_FILES["example_borough_2025.yaml"]
    (tmp_path / "changed.yaml").write_text(pack.replace('version: "1"', 'version: "2"'))
    (tmp_path / "no_offset.jsonl").write_text(
        '{"id": "c1", "type": "concern_identified", "child_id": "child-1",'
        ' "at": "2025-04-16T10:00:00", "category": "neglect"}\n'
    )
    for name, old, new in edits:
        text = GUIDE_FILES[name]
        assert text.count(old) == 1, old
        (tmp_path / name).write_text(text.replace(old, new), encoding="utf-8")
    result = CliRunner().invoke(main, shlex.split(arguments))
    assert result.exit_code == expected, result.output


def test_ci_guide_exit_code_table_lists_the_tested_commands() -> None:
    text = CI_GUIDE.read_text(encoding="utf-8")
    table = re.search(r"^\| command \| 0 \| 1 \| 2 \|\n\|[-|]+\|\n((?:\|.*\n)+)", text, re.M)
    assert table is not None
    rows = set(re.findall(r"^\| `(\w+)", table.group(1), re.M))
    assert rows == {arguments.split()[0] for arguments, _edits, _code in EXIT_CODES}


# --- .pre-commit-hooks.yaml ----------------------------------------------------------

HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"


def hooks() -> dict[str, dict[str, Any]]:
    value, _positions = read_yaml_text(HOOKS_FILE.read_text(encoding="utf-8"), HOOKS_FILE.name)
    return {hook["id"]: hook for hook in value}


def selects(hook: dict[str, Any], path: str) -> bool:
    """Whether pre-commit passes ``path`` to ``hook``: ``files`` and ``exclude`` searched."""
    return bool(re.search(hook.get("files", ""), path)) and not (
        "exclude" in hook and re.search(hook["exclude"], path)
    )


def repository_files() -> list[str]:
    """The repository's files as pre-commit names them (hidden and build directories left out)."""
    found: list[str] = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        found.extend(Path(folder, name).relative_to(ROOT).as_posix() for name in files)
    return sorted(found)


def test_pre_commit_hooks_are_the_documented_ones() -> None:
    found = hooks()
    assert set(found) == {"safeguard-rules-lint", "safeguard-rules-test"}
    for hook in found.values():
        assert hook["language"] == "python"
        assert hook["name"] and hook["description"]
        re.compile(hook["files"])
        re.compile(hook.get("exclude", "^$"))
    assert found["safeguard-rules-test"]["pass_filenames"] is False
    assert found["safeguard-rules-lint"]["require_serial"] is True


@pytest.mark.parametrize("hook_id", ["safeguard-rules-lint", "safeguard-rules-test"])
def test_pre_commit_hook_entry_is_a_real_subcommand(hook_id: str, tmp_path: Path) -> None:
    code, output = run_command(f"{hooks()[hook_id]['entry']} --help", tmp_path)
    assert code == 0, output
    assert output.startswith(f"Usage: {COMMAND} {hooks()[hook_id]['entry'].split()[1]} ")


@pytest.mark.parametrize(
    ("hook_id", "path", "selected"),
    [
        ("safeguard-rules-lint", "policies/jersey_2024.yaml", True),
        ("safeguard-rules-lint", "policies/wtsc_2015.yml", True),
        ("safeguard-rules-lint", "teams/north/policies/north_2025.yaml", True),
        ("safeguard-rules-lint", "policies/scenarios/jersey_2024.scenarios.yaml", False),
        ("safeguard-rules-lint", "policies/jersey_2024.scenarios.yaml", False),
        ("safeguard-rules-lint", "policies/sources/001_f46e5218b7059a3a.txt", False),
        ("safeguard-rules-lint", "tests/scenario_files/toy/toy_pack.yaml", False),
        ("safeguard-rules-lint", "mypolicies/jersey_2024.yaml", False),
        ("safeguard-rules-lint", ".pre-commit-hooks.yaml", False),
        ("safeguard-rules-test", "policies/jersey_2024.yaml", True),
        ("safeguard-rules-test", "policies/scenarios/jersey_2024.scenarios.yaml", True),
        ("safeguard-rules-test", "tests/scenario_files/toy/toy_pack.yml", True),
        ("safeguard-rules-test", "README.md", False),
        ("safeguard-rules-test", "policies/sources/001_f46e5218b7059a3a.txt", False),
    ],
)
def test_pre_commit_hook_selects_the_right_files(hook_id: str, path: str, selected: bool) -> None:
    assert selects(hooks()[hook_id], path) is selected


def test_pre_commit_hooks_run_as_pre_commit_runs_them() -> None:
    found = hooks()
    lint = found["safeguard-rules-lint"]
    packs = [path for path in repository_files() if selects(lint, path)]
    shipped = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "policies").glob("*.yaml"))
    assert packs == [p for p in shipped if not p.endswith(".scenarios.yaml")]
    code, output = run_command(" ".join([lint["entry"], *lint.get("args", []), *packs]), ROOT)
    assert code == 0, output
    test = found["safeguard-rules-test"]
    code, output = run_command(" ".join([test["entry"], *test.get("args", []), "-q"]), ROOT)
    assert code == 0, output
    assert " 0 failed" in output


def test_ci_guide_pre_commit_config_uses_the_shipped_hooks(tmp_path: Path) -> None:
    config = marked_yaml(CI_GUIDE, "pre-commit")
    (repo,) = config["repos"]
    used = {hook["id"]: hook for hook in repo["hooks"]}
    assert set(used) <= set(hooks()) and used
    for hook_id, hook in used.items():
        if "args" in hook:  # the snippet's arguments must be ones the command takes
            entry = hooks()[hook_id]["entry"]
            code, output = run_command(" ".join([entry, *hook["args"]]), ROOT)
            assert code == 0, output
