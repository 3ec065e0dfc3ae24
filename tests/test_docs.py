"""The documentation shows what the code does: examples run, generated parts are current."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
from pathlib import Path

import pytest
from docgen import DOC, render
from helpers import cli

ROOT = Path(__file__).resolve().parents[1]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL)


def test_readme_library_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    (block,) = python_blocks(ROOT / "README.md")
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - the README's own example
    text = out.getvalue()
    assert "flag_to_allocated_social_worker" in text
    assert '"content_hash": "sha256:' in text


def test_readme_gives_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for script in ("scripts/demo", "scripts/test"):
        assert script in text
        assert os.access(ROOT / script, os.X_OK)
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_parameter_example_names_a_real_parameter() -> None:
    from safeguard_rules import load_pack

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    name = re.search(r'parameters=\{"(\w+)"', text)
    assert name is not None
    assert name.group(1) in load_pack("jersey_2024").parameters


def _readme_example_commands() -> list[str]:
    """The README's command lines that read the bundled examples (nothing of the user's)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line.split("  #")[0].strip() for line in text.splitlines()]
    return [line for line in lines if line.startswith("safeguard-rules ") and " examples/" in line]


def test_readme_runs_six_commands_on_the_bundled_examples() -> None:
    # three evaluate lines, explain, report and calendar: a new user's first tries
    commands = [shlex.split(line)[1] for line in _readme_example_commands()]
    assert sorted(commands) == ["calendar", "evaluate", "evaluate", "evaluate", "explain", "report"]


@pytest.mark.parametrize(
    "line", _readme_example_commands(), ids=lambda line: "-".join(shlex.split(line)[1:3])
)
def test_readme_example_command_succeeds(
    line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a new user types it in the clone: exit 0 (no rejected events, a real obligation id).
    # Files it writes (-o) go to tmp_path, not into the repository.
    monkeypatch.chdir(ROOT)
    words = shlex.split(line)[1:]
    args: list[str] = []
    for i, word in enumerate(words):
        if "*" in word:
            args += sorted(str(p.relative_to(ROOT)) for p in ROOT.glob(word))
        elif i > 0 and words[i - 1] == "-o":
            args.append(str(tmp_path / word))
        else:
            args.append(word)
    code, out, err = cli(*args)
    assert code == 0, (out[-2000:], err[-2000:])


def test_events_doc_is_generated_from_the_models() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "run: python tests/docgen.py"


def _scenario_doc_blocks() -> tuple[str, str]:
    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    example = re.search(r"<!-- example: [^\n]*-->\n```yaml\n(.*?)```", text, re.DOTALL)
    failure = re.search(r"<!-- failure: [^\n]*-->\n```text\n(.*?)```", text, re.DOTALL)
    assert example is not None and failure is not None
    return example.group(1), failure.group(1)


def test_scenario_doc_example_passes_and_its_failure_text_is_real(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from safeguard_rules.cli import main

    example, failure = _scenario_doc_blocks()
    monkeypatch.chdir(tmp_path)
    Path("example.scenarios.yaml").write_text(example, encoding="utf-8")
    passed = CliRunner().invoke(main, ["test", "example.scenarios.yaml"])
    assert passed.exit_code == 0, passed.stdout
    assert "1 passed, 0 failed" in passed.stdout
    assert "due: 2024-05-14" in example
    Path("example.scenarios.yaml").write_text(
        example.replace("due: 2024-05-14", "due: 2024-05-13"), encoding="utf-8"
    )
    failed = CliRunner().invoke(main, ["test", "example.scenarios.yaml"])
    assert failed.exit_code == 1
    assert failure in failed.stdout
