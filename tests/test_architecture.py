"""The package's shape: one-way stages, no import cycle, a compile step that reads no file."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import safeguard_rules
from safeguard_rules._compile import compile_pack
from safeguard_rules._lint import lint_packs
from safeguard_rules._loading import load_document

PACKAGE = Path(safeguard_rules.__file__).parent
EXAMPLE_OVERLAY = (
    Path(__file__).resolve().parents[1]
    / "examples"
    / "overlays"
    / "example_partnership_jersey_2024.yaml"
)


def _imports() -> dict[str, set[str]]:
    """module -> the package's modules it imports (late imports included), as the shared
    tools/import_cycles.py counts them; a package's __init__ importing its own submodules
    is its face, not an edge."""
    modules = {}
    for file in PACKAGE.rglob("*.py"):
        parts = list(file.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_init = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_init else parts)] = (file, is_init)
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for name, (file, is_init) in modules.items():
        base = name.split(".") if is_init else name.split(".")[:-1]
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                root = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join([*root, node.module] if node.module else root)
                module = module if node.level else node.module or ""
                targets = [f"{module}.{a.name}" for a in node.names]
                # `from . import _wire` imports the submodule; the package it names is already
                # loaded (it is the importer's parent), so it is an edge only for a name it defines.
                if any(target not in modules for target in targets):
                    targets.append(module)
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if not target or target == name or (is_init and target.startswith(name + ".")):
                    continue
                edges[name].add(target)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    assert _cycles(_imports()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


def _stages() -> dict[str, int]:
    """module -> stage, from the table in docs/architecture.md."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    table = text.split("<!-- import stages")[1].split("<!-- end import stages -->")[0]
    stages: dict[str, int] = {}
    for row in table.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].isdigit():
            for name in re.findall(r"`([^`]+)`", cells[2]):
                stages[name] = int(cells[0])
    return stages


def _stage_of(module: str, stages: dict[str, int]) -> int | None:
    short = module.removeprefix("safeguard_rules.")
    if short in stages:
        return stages[short]
    package = short.partition(".")[0]
    if "." in short and f"{package}.*" in stages:  # a subpackage's modules: 'cli.*'
        return stages[f"{package}.*"]
    return stages.get(module)


def test_every_module_has_a_stage_in_the_architecture_doc() -> None:
    stages = _stages()
    assert [m for m in sorted(_imports()) if _stage_of(m, stages) is None] == []


def _upward(edges: dict[str, set[str]], stages: dict[str, int]) -> list[str]:
    found = []
    for module, targets in sorted(edges.items()):
        here = _stage_of(module, stages)
        for target in sorted(targets):
            there = _stage_of(target, stages)
            if here is not None and there is not None and there > here:
                found.append(f"{module} (stage {here}) imports {target} (stage {there})")
    return found


def test_every_import_goes_to_the_same_or_an_earlier_stage() -> None:
    assert _upward(_imports(), _stages()) == []


def test_the_stage_check_finds_an_upward_import() -> None:
    # _compile once imported _result (for the message template syntax): stage 6 -> 7
    edges = {"safeguard_rules._compile": {"safeguard_rules._result", "safeguard_rules._pack"}}
    assert _upward(edges, _stages()) == [
        "safeguard_rules._compile (stage 6) imports safeguard_rules._result (stage 7)"
    ]


def test_compile_reads_no_file(tmp_path: Path) -> None:
    """The document holds everything compile needs: with the pack's files gone, and every
    file opened while compiling recorded, it compiles and opens nothing of the pack's."""
    pack_dir = tmp_path / "packs"
    (pack_dir / "sources").mkdir(parents=True)
    policies = Path(__file__).resolve().parents[1] / "policies"
    text = (policies / "jersey_2019.yaml").read_text(encoding="utf-8")
    (pack_dir / "local.yaml").write_text(text, encoding="utf-8")
    document = load_document(pack_dir / "local.yaml")
    (pack_dir / "local.yaml").unlink()
    opened: list[str] = []

    def record(event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and recording:
            opened.append(str(args[0]))

    recording = True
    sys.addaudithook(record)  # hooks cannot be removed: 'recording' switches it off
    try:
        compiled = compile_pack(document)
    finally:
        recording = False
    assert compiled.id == "jersey_2019"
    assert [f for f in opened if str(tmp_path) in f] == []


def test_lint_merges_an_overlay_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import safeguard_rules._document as document_module

    calls: list[str] = []
    real = document_module.expand

    def counting(data: Any, positions: Any, resolve: Any, **options: Any) -> Any:
        calls.append(positions.file)
        return real(data, positions, resolve, **options)

    monkeypatch.setattr(document_module, "expand", counting)
    report = lint_packs([EXAMPLE_OVERLAY])  # compared with no other pack
    assert report.packs[0].loads
    assert calls == [str(EXAMPLE_OVERLAY)]


# --- one concern per module -------------------------------------------------------------------

# A count's threshold in words: f"more than {count.more_than}" / f"at least {count.at_least}".
_THRESHOLD_WORDS = re.compile(r"(more than|at least) \{[^}]*\b(more_than|at_least)\b")


def _modules_wording_thresholds(files: list[Path]) -> list[str]:
    return sorted(
        str(f.relative_to(PACKAGE))
        for f in files
        if _THRESHOLD_WORDS.search(f.read_text(encoding="utf-8"))
    )


def test_count_thresholds_are_worded_in_one_module() -> None:
    # diff, lint and explain once each wrote "more than N / at least N" themselves
    assert _modules_wording_thresholds(sorted(PACKAGE.rglob("*.py"))) == ["_wording.py"]


def test_the_threshold_search_finds_wording_outside_the_module(tmp_path: Path) -> None:
    stray = tmp_path / "stray.py"
    stray.write_text('x = f"more than {count.more_than}"\n', encoding="utf-8")
    assert _THRESHOLD_WORDS.search(stray.read_text(encoding="utf-8"))


def test_each_lint_check_is_its_own_module() -> None:
    from safeguard_rules import LINT_CHECKS
    from safeguard_rules._lint import checks

    for check_id in LINT_CHECKS:
        module = __import__(f"{checks.__name__}.{check_id.replace('-', '_')}", fromlist=["CHECK"])
        assert module.CHECK.id == check_id
    assert not (PACKAGE / "_lint.py").exists() and not (PACKAGE / "_diff.py").exists()
