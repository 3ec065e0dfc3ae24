"""Hostile packs through the command line: a located error or the right answer, never a
traceback, never a leak, at a bounded cost.

Every case is a pack directory built in a temporary directory beside a canary file the pack
must never be able to show. Each runs ``safeguard-rules validate`` (or ``lint``) in this
process, measuring its CPU time and peak Python memory, and asserts:

* the exit code (0 loads, 1 does not load, 2 usage error);
* for a pack that does not load, a diagnostic ``file:line:column: error code: message`` with
  the expected code (and place, where the case gives one);
* no traceback, and no exception escaped the command;
* the canary's text appears nowhere in the output, and the output stays small;
* the CPU time and the peak memory stay under generous bounds (a real pack takes ~0.1 s).

The reproducers of issue 8 are hand-written below; the generated mutants change one value
of a valid pack to another type, or cut, splice or corrupt its text, with a fixed seed. A
few cases whose cost is the point (a 1 GiB sparse file, deep nesting, a value bomb) also
run in a child process, whose whole resident memory is measured.
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import subprocess
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from child_memory import cli_command, split_peak
from click.testing import CliRunner

from safeguard_rules import PackError, load_pack
from safeguard_rules._yaml import read_yaml_file
from safeguard_rules.cli import main

ROOT = Path(__file__).resolve().parents[2]
TOY = ROOT / "tests" / "scenario_files" / "toy"
BASE_TEXT = (TOY / "toy_pack.yaml").read_text(encoding="utf-8")
SOURCE_TEXT = (TOY / "toy_source.txt").read_text(encoding="utf-8")
CANARY = "CANARY-9f2c4e7a1b"
LOCATED = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): error (?P<code>[a-z0-9-]+): ", re.M
)
MAX_OUTPUT = 64 * 1024  # a 5 MB line must not print 5 MB


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]  # writes the pack directory's files; returns what to check
    exit_code: int
    code: str | None = None  # the diagnostic expected (exit 1)
    where: tuple[int, int] | None = None  # its line and column, where the case knows them
    command: str = "validate"
    cpu_seconds: float = 10.0
    peak_mib: float = 150.0


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    output: str
    cpu_seconds: float
    peak_mib: float
    exception: BaseException | None


def run_cli(command: str, target: Path) -> Outcome:
    runner = CliRunner()
    tracemalloc.start()
    started = time.process_time()
    try:
        result = runner.invoke(
            main, [command, "--format", "text", str(target)], env={"GITHUB_ACTIONS": ""}
        )
        cpu = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    escaped = None if isinstance(result.exception, SystemExit) else result.exception
    return Outcome(result.exit_code, result.stdout + result.stderr, cpu, peak, escaped)


def layout(tmp_path: Path) -> Path:
    """tmp/outside/secret.yaml (the canary) beside tmp/packs/ (the pack's own tree)."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text(
        f"pack: {{id: secret, title: '{CANARY}'}}\n{CANARY}: [{CANARY}]\n", encoding="utf-8"
    )
    (tmp_path / "outside" / "secret.txt").write_text(
        f"{CANARY} Strategy meetings are chaired.\n", encoding="utf-8"
    )
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "toy_source.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    return packs


def check(case: Case, tmp_path: Path) -> Outcome:
    target = case.build(layout(tmp_path))
    outcome = run_cli(case.command, target)
    assert outcome.exception is None, f"{case.name}: {outcome.exception!r}"
    assert "Traceback" not in outcome.output
    assert CANARY not in outcome.output
    assert len(outcome.output) < MAX_OUTPUT
    assert outcome.exit_code == case.exit_code, outcome.output[:2000]
    if case.code is not None:
        found = [
            (m["code"], int(m["line"]), int(m["column"])) for m in LOCATED.finditer(outcome.output)
        ]
        assert case.code in [code for code, _line, _column in found], outcome.output[:2000]
        if case.where is not None:
            assert (case.code, *case.where) in found, outcome.output[:2000]
    assert outcome.cpu_seconds < case.cpu_seconds, f"{case.name}: {outcome.cpu_seconds:.1f} s CPU"
    assert outcome.peak_mib < case.peak_mib, f"{case.name}: {outcome.peak_mib:.0f} MiB"
    return outcome


# --- building packs -------------------------------------------------------------------------


def write(name: str, text: str | bytes) -> Callable[[Path], Path]:
    def build(packs: Path) -> Path:
        path = packs / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return build


def toy(old: str, new: str, count: int = 1) -> str:
    assert old in BASE_TEXT, old
    return BASE_TEXT.replace(old, new, count)


OVERLAY = "extend: {extend}\npack:\n  id: local_pack\n  title: A local overlay\n  version: '1'\n"
SOURCE_LINE = "    - {id: toy, file: toy_source.txt, title: Toy procedure}"


def with_source(file: str) -> str:
    return toy(SOURCE_LINE, SOURCE_LINE.replace("toy_source.txt", file))


def fifo_source(packs: Path) -> Path:
    os.mkfifo(packs / "notes.txt")
    return write("pack.yaml", with_source("notes.txt"))(packs)


def symlinked(link: str, to: str, text: str) -> Callable[[Path], Path]:
    def build(packs: Path) -> Path:
        (packs / link).symlink_to(packs.parent / "outside" / to)
        return write("pack.yaml", text)(packs)

    return build


def sparse(size: int) -> Callable[[Path], Path]:
    def build(packs: Path) -> Path:
        path = packs / "huge.yaml"
        with path.open("wb") as handle:
            handle.truncate(size)
        return path

    return build


def fifo_pack(packs: Path) -> Path:
    path = packs / "pack.yaml"
    os.mkfifo(path)
    return path


def closed_saturdays(packs: Path) -> Path:
    from datetime import date, timedelta

    days = [date(2025, 1, 4) + timedelta(weeks=k) for k in range(53)]
    closures = ", ".join(d.isoformat() for d in days if d.year == 2025)
    text = toy(
        "  timezone: Europe/London\n",
        f"  timezone: Europe/London\n  working_days: [sat]\n  closures: [{closures}]\n",
    )
    return write("pack.yaml", text)(packs)


def nested(levels: int) -> str:
    return "pack: " + "[" * levels + "]" * levels + "\n"


def bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for k in range(1, 7):
        lines.append(f"{chr(97 + k)}: &{chr(97 + k)} [{', '.join(['*' + chr(96 + k)] * 10)}]")
    return "\n".join(lines) + "\n"


def long_line_pack(size: int) -> str:
    return toy("  title: Toy procedure\n", f"  title: {'x' * size}\n")


# --- the reproducers of issue 8, and the other hand-written cases ----------------------------

# Places: the toy pack's line 11 is '    - {id: toy, file: toy_source.txt, ...}' (the key
# 'file' at column 17); line 22 '    default: {working_days: 1}' (the key at column 15); a
# flat list 'pack: [1,1,...' passes 20,000 values (root, key, list, then items) at its
# 19,998th item, column 8 + 2 * 19,997; the bomb's fifth line reaches 23,462 values with its
# first alias, at column 8.
HAND: list[Case] = [
    # what a pack can reach
    Case(
        "extend climbing to /etc/passwd",
        write("o.yaml", OVERLAY.format(extend="../../../../../../../../etc/passwd")),
        1,
        "path-outside",
        (1, 1),
    ),
    Case(
        "extend an absolute path",
        lambda p: write("o.yaml", OVERLAY.format(extend=p.parent / "outside" / "secret.yaml"))(p),
        1,
        "path-outside",
        (1, 1),
    ),
    Case(
        "extend a sibling directory",
        write("o.yaml", OVERLAY.format(extend="../outside/secret.yaml")),
        1,
        "path-outside",
        (1, 1),
    ),
    Case(
        "extend through a symlink out",
        symlinked("base.yaml", "secret.yaml", OVERLAY.format(extend="base.yaml")),
        1,
        "path-outside",
        (1, 1),
    ),
    Case(
        "extend /dev/zero",
        write("o.yaml", OVERLAY.format(extend="/dev/zero")),
        1,
        "path-outside",
        (1, 1),
    ),
    Case(
        "extend a directory inside",
        lambda p: (p / "sub.yaml").mkdir() or write("o.yaml", OVERLAY.format(extend="sub.yaml"))(p),
        1,
        "unknown-pack",
        (1, 1),
    ),
    Case(
        "extend itself", write("o.yaml", OVERLAY.format(extend="o.yaml")), 1, "extend-cycle", (1, 1)
    ),
    Case(
        "extend an unknown name",
        write("o.yaml", OVERLAY.format(extend="no_such_pack_anywhere")),
        1,
        "unknown-pack",
        (1, 1),
    ),
    Case(
        "source /dev/zero (lint)",
        write("pack.yaml", with_source("/dev/zero")),
        1,
        "path-outside",
        (11, 17),
        "lint",
    ),
    Case(
        "source /etc/passwd",
        write("pack.yaml", with_source("/etc/passwd")),
        1,
        "path-outside",
        (11, 17),
    ),
    Case(
        "source outside (lint)",
        write("pack.yaml", with_source("../outside/secret.txt")),
        1,
        "path-outside",
        (11, 17),
        "lint",
    ),
    Case(
        "source symlinked out (lint)",
        symlinked("notes.txt", "secret.txt", with_source("notes.txt")),
        1,
        "path-outside",
        (11, 17),
        "lint",
    ),
    Case("source a FIFO (lint)", fifo_source, 1, "source-file-missing", (11, 17), "lint"),
    Case(
        "source a directory (lint)",
        lambda p: (p / "notes").mkdir() or write("pack.yaml", with_source("notes"))(p),
        1,
        "source-file-missing",
        (11, 17),
        "lint",
    ),
    Case("the pack is a FIFO", fifo_pack, 2),
    Case("the pack is /dev/zero", lambda _p: Path("/dev/zero"), 2),
    Case(
        "the pack is a directory without packs",
        lambda p: p / "empty" if (p / "empty").mkdir() is None else p,
        2,
    ),
    # size and cost
    Case("1 GiB sparse pack", sparse(2**30), 1, "too-large", (1, 1), cpu_seconds=5, peak_mib=20),
    Case(
        "5 MB pack",
        write("big.yaml", "a: " + "x" * 5_000_000 + "\n"),
        1,
        "too-large",
        (1, 1),
        peak_mib=60,
    ),
    Case(
        "4 MiB flat list",
        write("flat.yaml", "[" + "1," * (2 * 2**20 - 1) + "1]\n"),
        1,
        "too-large",
        (1, 1),
        peak_mib=60,
    ),
    Case(
        "900 KB flat list",
        write("flat.yaml", "pack: [" + "1," * 450_000 + "1]\n"),
        1,
        "too-many-values",
        (1, 40_002),
        cpu_seconds=30,
    ),
    Case("alias bomb", write("bomb.yaml", bomb()), 1, "too-many-values", (5, 8), cpu_seconds=30),
    Case("600 levels of nesting", write("deep.yaml", nested(600)), 1, "too-deep", (1, 7 + 63)),
    Case(
        "10,000 levels of nesting",
        write("deep.yaml", nested(10_000)),
        1,
        "too-deep",
        (1, 7 + 63),
        cpu_seconds=30,
    ),
    Case(
        "deep block mappings",
        write("deep.yaml", "".join(f"{' ' * k}k{k}:\n" for k in range(200))),
        1,
        "too-deep",
        (65, 65),
    ),
    # 30 s like the other 900 KB cases: the bound catches a runaway, and the YAML scanner
    # alone takes over 10 CPU s on this line when the shared machine is busy.
    Case(
        "a 900 KB line with an error on it",
        write("long.yaml", long_line_pack(900_000)),
        1,
        "invalid-value",
        (6, 3),
        cpu_seconds=30,
    ),
    # characters and encodings
    Case(
        "NUL in a value",
        write("pack.yaml", toy("title: Toy procedure", "title: Toy\x00procedure")),
        1,
        "control-character",
        (6, 13),
    ),
    Case(
        "ESC in a key",
        write("pack.yaml", toy('  version: "1"', '  vers\x1b[31mion: "1"')),
        1,
        "control-character",
        (8, 7),
    ),
    Case(
        "OSC hyperlink",
        write(
            "pack.yaml", toy("title: Toy procedure", "title: \x1b]8;;http://x\x07Toy\x1b]8;;\x07")
        ),
        1,
        "control-character",
        (6, 10),
    ),
    Case(
        "Latin-1 bytes",
        write(
            "pack.yaml", toy("title: Toy procedure", "title: Toy procedur\u00e9").encode("latin-1")
        ),
        1,
        "not-utf8",
        (6, 22),
    ),
    Case("UTF-16", write("pack.yaml", BASE_TEXT.encode("utf-16")), 1, "not-utf8", (1, 1)),
    Case("a UTF-8 BOM", write("pack.yaml", b"\xef\xbb\xbf" + BASE_TEXT.encode("utf-8")), 0),
    Case("empty file", write("pack.yaml", ""), 1, "wrong-type", (1, 1)),
    Case("a list, not a mapping", write("pack.yaml", "- a\n- b\n"), 1, "wrong-type", (1, 1)),
    Case("two documents", write("pack.yaml", BASE_TEXT + "---\n" + BASE_TEXT), 1, "yaml-syntax"),
    # YAML that is not data
    Case(
        "python object tag",
        write(
            "pack.yaml",
            toy("title: Toy procedure", "title: !!python/object/apply:os.system [echo pwned]"),
        ),
        1,
        "yaml-tag",
        (6, 10),
    ),
    Case(
        "custom tag",
        write("pack.yaml", toy("title: Toy procedure", "title: !secret x")),
        1,
        "yaml-tag",
        (6, 10),
    ),
    Case(
        "binary tag",
        write("pack.yaml", toy("title: Toy procedure", "title: !!binary aGVsbG8=")),
        1,
        "yaml-tag",
        (6, 10),
    ),
    Case(
        "merge key",
        write("pack.yaml", toy("roles:\n", "defaults: &d {title: T}\nroles:\n  x:\n    <<: *d\n")),
        1,
        "merge-key",
    ),
    Case(
        "duplicate key",
        write("pack.yaml", toy('  version: "1"', '  version: "1"\n  version: "2"')),
        1,
        "duplicate-key",
        (9, 3),
    ),
    Case(
        "complex key",
        write("pack.yaml", toy("roles:\n", "roles:\n  ? [a, b]\n  : {title: T}\n")),
        1,
        "complex-key",
    ),
    Case(
        "YAML 1.1 directive",
        write("pack.yaml", "%YAML 1.1\n---\n" + BASE_TEXT),
        1,
        "yaml-version",
        (1, 1),
    ),
    Case(
        "TAG directive",
        write("pack.yaml", "%TAG !x! tag:example.com,2024:\n---\n" + BASE_TEXT),
        1,
        "yaml-version",
        (1, 1),
    ),
    Case(
        "undefined alias",
        write("pack.yaml", toy("title: Toy procedure", "title: *nothing")),
        1,
        "yaml-syntax",
    ),
    # strict values (issue 8, "wrong answers, silently")
    Case(
        "working_days: true",
        write("pack.yaml", toy("default: {working_days: 1}", "default: {working_days: true}")),
        1,
        "wrong-type",
        (22, 15),
    ),
    Case(
        "hours: '24'",
        write("pack.yaml", toy("default: {working_days: 1}", 'default: {hours: "24"}')),
        1,
        "wrong-type",
        (22, 15),
    ),
    Case(
        "working_days: '3'",
        write("pack.yaml", toy("default: {working_days: 1}", 'default: {working_days: "3"}')),
        1,
        "wrong-type",
        (22, 15),
    ),
    Case(
        "version as a number",
        write("pack.yaml", toy('version: "1"', "version: 1")),
        1,
        "wrong-type",
        (8, 3),
    ),
    Case(
        "a date as a number",
        write("pack.yaml", toy("effective_from: 2024-01-01", "effective_from: 20240101")),
        1,
        "wrong-type",
        (9, 3),
    ),
    Case(
        "null for an optional key",
        write(
            "pack.yaml",
            toy("  public_holidays: {country: GB, subdivision: ENG}", "  public_holidays: null"),
        ),
        1,
        "wrong-type",
        (14, 3),
    ),
    Case(
        "a float for days",
        write("pack.yaml", toy("default: {working_days: 1}", "default: {working_days: 1.5}")),
        1,
        "wrong-type",
        (22, 15),
    ),
    Case(
        ".nan for a number",
        write(
            "pack.yaml",
            toy(
                "when: {field: serious_harm, is: true}", "when: {field: risk_level, at_least: .nan}"
            ),
        ),
        1,
        "invalid-value",
    ),
    # calendar sanity
    Case("closures leave no working day", closed_saturdays, 1, "no-working-day", (15, 14)),
    # the base pack itself, and its source under lint
    Case("the toy pack", write("pack.yaml", BASE_TEXT), 0),
    Case("the toy pack (lint)", write("pack.yaml", BASE_TEXT), 0, command="lint"),
]


@pytest.mark.parametrize("case", HAND, ids=[c.name for c in HAND])
def test_hand_written(case: Case, tmp_path: Path) -> None:
    check(case, tmp_path)


# --- generated mutants -------------------------------------------------------------------------

BASE_DATA, BASE_POSITIONS = read_yaml_file(TOY / "toy_pack.yaml")


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _scalar_paths() -> list[tuple[Any, ...]]:
    paths = sorted((p for p in BASE_POSITIONS.spots if p), key=repr)
    return [p for p in paths if not isinstance(_get(BASE_DATA, p), dict | list)]


REPLACEMENTS: list[tuple[str, Any]] = [
    ("text", "7"),
    ("number", 7),
    ("true", True),
    ("null", None),
    ("list", ["x"]),
    ("mapping", {"x": 1}),
    ("long text", "y" * 5000),
    ("negative", -1),
]


def _value_mutants() -> list[tuple[str, str]]:
    rng = random.Random(8)  # a fixed seed: the same mutants on every run
    chosen = []
    for path in _scalar_paths():
        for label, value in rng.sample(REPLACEMENTS, 2):
            mutant = copy.deepcopy(BASE_DATA)
            _get(mutant, path[:-1])[path[-1]] = value
            name = f"{'.'.join(map(str, path))} = {label}"
            chosen.append((name, json.dumps(mutant, indent=1)))  # JSON is YAML 1.2
    return chosen


FRAGMENTS = [
    "\x00",
    "\x1b[2J",
    ": ",
    "- ",
    "[",
    "{",
    "}",
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "'",
    '"',
    "\t",
    "\n  ",
    "<<: ",
    "%YAML 1.1\n",
    "\ufeff",
    "\u2028",
    "? ",
    "#",
    "|\n",
    ">-\n",
    "~",
    "\\",
]


def _text_mutants() -> list[tuple[str, str]]:
    rng = random.Random(9)
    chosen = []
    lines = BASE_TEXT.splitlines(keepends=True)
    for _k in range(12):
        at = rng.randrange(len(BASE_TEXT))
        chosen.append((f"cut at {at}", BASE_TEXT[:at]))
    for _k in range(40):
        at = rng.randrange(len(BASE_TEXT))
        fragment = rng.choice(FRAGMENTS)
        chosen.append((f"splice {fragment!r} at {at}", BASE_TEXT[:at] + fragment + BASE_TEXT[at:]))
    for _k in range(10):
        line = rng.randrange(len(lines))
        chosen.append((f"line {line + 1} twice", "".join(lines[: line + 1] + lines[line:])))
    for _k in range(8):
        line = rng.randrange(len(lines))
        chosen.append((f"line {line + 1} dropped", "".join(lines[:line] + lines[line + 1 :])))
    return chosen


MUTANTS = _value_mutants() + _text_mutants()


HAND_BY_NAME = {case.name: case for case in HAND}


def test_there_are_enough_packs() -> None:
    assert len(HAND) + len(MUTANTS) >= 150


@pytest.mark.parametrize(("name", "text"), MUTANTS, ids=[name for name, _text in MUTANTS])
def test_mutant(name: str, text: str, tmp_path: Path) -> None:
    packs = layout(tmp_path)
    path = packs / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_pack(path)
        expected = 0
    except PackError:
        expected = 1
    outcome = run_cli("validate", path)
    assert outcome.exception is None, f"{name}: {outcome.exception!r}"
    assert "Traceback" not in outcome.output and CANARY not in outcome.output
    assert len(outcome.output) < MAX_OUTPUT
    assert outcome.exit_code == expected, outcome.output[:2000]
    if expected == 1:  # every refusal is located in the pack
        places = [
            (m["file"], int(m["line"]), int(m["column"])) for m in LOCATED.finditer(outcome.output)
        ]
        assert places, outcome.output[:2000]
        lines = text.count("\n") + 2
        assert all(
            f == str(path) and 1 <= line <= lines and column >= 1 for f, line, column in places
        )
    assert outcome.cpu_seconds < 10 and outcome.peak_mib < 150


# --- the whole process: resident memory ----------------------------------------------------------


def _child(target: Path) -> tuple[int, str, float, float]:
    """Run the CLI in a child process; its exit code, output, CPU seconds and its own peak
    RSS (MiB; child_memory says why not ru_maxrss)."""
    process = subprocess.Popen(  # noqa: S603 - our own console entry, a path we built
        cli_command(["validate", "--format", "text", str(target)]),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "GITHUB_ACTIONS": ""},
    )
    assert process.stdout is not None
    with process.stdout:
        output = process.stdout.read().decode("utf-8", errors="replace")
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    output, peak_mib = split_peak(output)
    return process.returncode, output, usage.ru_utime + usage.ru_stime, peak_mib


@pytest.mark.parametrize(
    ("name", "build", "code"),
    [
        ("1 GiB sparse pack", sparse(2**30), "too-large"),
        ("10,000 levels of nesting", write("deep.yaml", nested(10_000)), "too-deep"),
        ("alias bomb", write("bomb.yaml", bomb()), "too-many-values"),
    ],
)
def test_in_a_child_process(
    name: str, build: Callable[[Path], Path], code: str, tmp_path: Path
) -> None:
    exit_code, output, cpu, rss = _child(build(layout(tmp_path)))
    assert exit_code == 1 and f"error {code}:" in output and "Traceback" not in output
    # The interpreter and the library take ~70 MiB; the 1 GiB file once took 4.1 GB.
    assert rss < 250, f"{name}: {rss:.0f} MiB resident"
    assert cpu < 30, f"{name}: {cpu:.1f} s CPU"


def test_a_fifo_source_is_named_as_one_not_as_missing(tmp_path: Path) -> None:
    # It said "no file 'notes.txt' beside the pack", though the file is there: it is a FIFO.
    outcome = check(HAND_BY_NAME["source a FIFO (lint)"], tmp_path)
    assert "source 'toy': not a regular file (a FIFO" in outcome.output, outcome.output
    assert "no file" not in outcome.output


def test_a_limit_is_raised_only_by_an_explicit_option(tmp_path: Path) -> None:
    packs = layout(tmp_path)
    text = toy(
        "  title: Toy procedure\n",
        "  title: Toy procedure\n  description: '" + "d" * 1_100_000 + "'\n",
    )
    path = write("pack.yaml", text)(packs)
    refused = run_cli("validate", path)
    assert refused.exit_code == 1 and "error too-large:" in refused.output
    raised = CliRunner().invoke(
        main, ["validate", "--max-pack-bytes", "2000000", "--format", "text", str(path)]
    )
    # now read: the description is too long for the format (4,000 characters), not the file
    assert raised.exit_code == 1 and "error too-large:" not in raised.stdout
    assert "error invalid-value:" in raised.stdout
