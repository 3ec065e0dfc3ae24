"""The documentation shows what the code does: examples run, generated parts are current."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest
from docgen import DOC, render

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
