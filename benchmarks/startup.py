#!/usr/bin/env python3
"""Start-up: ``import safeguard_rules`` and compiling a pack, in fresh processes.

Each run is a new interpreter that times, with ``time.perf_counter`` and
``time.process_time``, (1) ``import safeguard_rules`` and (2) ``load_pack(NAME)`` (read,
validate and compile the bundled pack: from its prebuilt reading, holidays from the
prebuilt table), and prints them as JSON. The same is timed for the same pack file copied
outside the bundled directory, so loaded as a user's own pack is (parsed by the YAML
reader; its calendar's holidays come from the same prebuilt table, which holds places, not
packs). For scale, a bare interpreter importing what the shared
benchmark's hand-written script imports (json, datetime, holidays). Then a user's own pack as the
shared benchmark loads it (--user-pack, default benchmarks/shared_bench/shared_bench.yaml):
its YAML, its compiled form (``safeguard-rules compile``, written to a temporary file
first), and each with its event mapping (--mapping, default shared_bench.mapping.yaml)
loaded too. Medians over --runs, runs alternated. With --importtime it also prints the
slowest modules of one ``python -X importtime`` run. With --instructions it also counts,
under valgrind's callgrind (when installed; each run takes a minute or so), the
instructions of a bare interpreter, of ``import safeguard_rules`` + ``load_pack(NAME)``,
of the user pack's rows and of the plain script: unlike times on a busy shared machine,
the same code gives the same count to within a fraction of a percent.
Nothing is asserted.

    python benchmarks/startup.py --pack jersey_2024 --runs 7 --importtime --instructions

Time it with the library's bytecode compiled (``python -m compileall src``; with
PYTHONDONTWRITEBYTECODE set and no ``__pycache__`` every start compiles the library's
source, a few hundred million instructions that an installed wheel never pays).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

LIBRARY = """
import json, time
t0, c0 = time.perf_counter(), time.process_time()
import safeguard_rules
t1, c1 = time.perf_counter(), time.process_time()
safeguard_rules.load_pack({pack!r})
{mapping}
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({{"import": [t1 - t0, c1 - c0], "compile": [t2 - t1, c2 - c1]}}))
"""
HERE = Path(__file__).resolve().parent


def library(pack: str, mapping: str | None = None) -> str:
    """The timed code: import, load_pack(pack), and load_mapping(mapping) if given."""
    loaded = "" if mapping is None else f"safeguard_rules.load_mapping({mapping!r})"
    return LIBRARY.format(pack=pack, mapping=loaded)


def loading(pack: str, mapping: str | None = None) -> str:
    """The same, untimed (for callgrind)."""
    code = f"import safeguard_rules; safeguard_rules.load_pack({pack!r})"
    return code if mapping is None else f"{code}; safeguard_rules.load_mapping({mapping!r})"


def compile_user_pack(pack: str, directory: Path) -> str:
    """The user's pack compiled by the command line into ``directory``: its compiled file."""
    out = directory / (Path(pack).stem + ".json")
    subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "safeguard_rules", "compile", pack, "-o", str(out)],
        check=True,
        capture_output=True,
    )
    return str(out)


PLAIN = """
import json, time
t0, c0 = time.perf_counter(), time.process_time()
import datetime, holidays
holidays.country_holidays("GB", subdiv="ENG", years=range(2019, 2028))
t1, c1 = time.perf_counter(), time.process_time()
print(json.dumps({"import": [t1 - t0, c1 - c0], "compile": [0.0, 0.0]}))
"""


def once(code: str) -> dict[str, list[float]]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, list[float]] = json.loads(out)
    return result


def importtime(pack: str, top: int) -> None:
    code = f"import safeguard_rules; safeguard_rules.load_pack({pack!r})"
    err = subprocess.run(  # noqa: S603
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True
    ).stderr
    rows = []
    for line in err.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|", 2)
        own, cumulative = own.strip(), cumulative.strip()
        if own.isdigit():
            rows.append((int(own), int(cumulative), name))
    print(f"\nslowest modules by own import time (one `-X importtime` run, {pack}):\n")
    print("| own ms | cumulative ms | module |\n|---:|---:|---|")
    for own_us, cum_us, name in sorted(rows, reverse=True)[:top]:
        print(f"| {own_us / 1000:.1f} | {cum_us / 1000:.1f} | `{name.strip()}` |")


def instructions(code: str) -> int | None:
    """Instructions executed by a fresh interpreter running ``code``, as callgrind counts
    them (pymalloc off, so valgrind sees every allocation); None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    command = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable]
    err = subprocess.run(  # noqa: S603 - valgrind on our own interpreter and code
        [*command, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONMALLOC": "malloc"},
    ).stderr
    found = re.search(r"Collected : (\d+)", err)
    return int(found.group(1)) if found else None


def count_instructions(pack: str, user_rows: list[tuple[str, str, str | None]]) -> None:
    bare = instructions("pass")
    if bare is None:
        print("\nvalgrind is not installed: no instruction counts")
        return
    rows = [(f"`import safeguard_rules` + `load_pack({pack!r})`", loading(pack))]
    rows += [(label, loading(path, mapping)) for label, path, mapping in user_rows]
    rows.append(("for scale: the plain script's start", PLAIN))
    print("\ninstructions (callgrind, millions; the bare interpreter's start subtracted):\n")
    print("| what | instructions (M) |\n|---|---:|")
    for label, code in rows:
        counted = instructions(code)
        assert counted is not None
        print(f"| {label} | {(counted - bare) / 1e6:.0f} |")
    print(f"| (the bare interpreter: `python -c pass`) | {bare / 1e6:.0f} |")


def own_copy(pack: str, directory: Path) -> str:
    """The bundled pack file and its sources copied to ``directory``: a user's own pack."""
    import safeguard_rules._prebuilt as prebuilt

    bundled = prebuilt.bundled_dir()
    shutil.copy(bundled / f"{pack}.yaml", directory / f"{pack}.yaml")
    shutil.copytree(bundled / "sources", directory / "sources")
    return str(directory / f"{pack}.yaml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default="jersey_2024")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--user-pack", default=str(HERE / "shared_bench" / "shared_bench.yaml"))
    parser.add_argument(
        "--mapping", default=str(HERE / "shared_bench" / "shared_bench.mapping.yaml")
    )
    args = parser.parse_args()
    bundled, parsed, plain = [], [], []
    user: dict[str, list[dict[str, list[float]]]] = {}
    scratch = tempfile.mkdtemp()
    try:
        copy = own_copy(args.pack, Path(scratch))
        compiled = compile_user_pack(args.user_pack, Path(scratch))
        name = Path(args.user_pack).name
        user_rows = [
            (f"own pack `{name}` (YAML: parsed, validated)", args.user_pack, None),
            (f"own pack `{name}` compiled (`safeguard-rules compile`)", compiled, None),
            ("own pack YAML + `load_mapping`", args.user_pack, args.mapping),
            ("own pack compiled + `load_mapping`", compiled, args.mapping),
        ]
        for _ in range(args.runs):
            bundled.append(once(library(args.pack)))
            parsed.append(once(library(copy)))
            for label, path, mapping in user_rows:
                user.setdefault(label, []).append(once(library(path, mapping)))
            plain.append(once(PLAIN))
        report(args, bundled, parsed, user, plain)
        if args.instructions:
            count_instructions(args.pack, user_rows)
    finally:
        shutil.rmtree(scratch)


def report(
    args: argparse.Namespace,
    bundled: list[dict[str, list[float]]],
    parsed: list[dict[str, list[float]]],
    user: dict[str, list[dict[str, list[float]]]],
    plain: list[dict[str, list[float]]],
) -> None:
    def med(runs: list[dict[str, list[float]]], stage: str, i: int) -> float:
        return statistics.median(r[stage][i] for r in runs)

    print(f"median of {args.runs} fresh processes each, alternated\n")
    print("| what | wall s | cpu s |\n|---|---:|---:|")

    def total(runs: list[dict[str, list[float]]]) -> tuple[float, float]:
        both = [[r["import"][i] + r["compile"][i] for i in (0, 1)] for r in runs]
        return statistics.median(b[0] for b in both), statistics.median(b[1] for b in both)

    for label, runs, stage in (
        ("`import safeguard_rules`", bundled, "import"),
        (f"`load_pack({args.pack!r})` (read, validate, compile)", bundled, "compile"),
    ):
        print(f"| {label} | {med(runs, stage, 0):.3f} | {med(runs, stage, 1):.3f} |")
    wall, cpu = total(bundled)
    print(f"| **both** | **{wall:.3f}** | **{cpu:.3f}** |")
    wall, cpu = total(parsed)
    print(
        "| both, the same file loaded as a user's own pack (parsed by the YAML reader) "
        f"| {wall:.3f} | {cpu:.3f} |"
    )
    for label, runs in user.items():
        wall, cpu = total(runs)
        print(f"| import + {label} | {wall:.3f} | {cpu:.3f} |")
    print(
        f"| for scale: `import datetime, holidays` + England's holidays 2019-2027 (the "
        f"hand-written script's start) | {med(plain, 'import', 0):.3f} "
        f"| {med(plain, 'import', 1):.3f} |"
    )
    if args.importtime:
        importtime(args.pack, args.top)


if __name__ == "__main__":
    main()
