"""What the command line adds to an evaluation at scale: the default table and --format json.

Runs, each in a fresh process on one generated stream (benchmarks/generate.py):

1. in Python, ``load_events``, ``evaluate``, then the CLI's own table and JSON writers into
   /dev/null, timing each stage (CPU seconds: the machines this runs on are shared);
2. ``safeguard-rules evaluate`` with the default table (``--max-rows 200``);
3. ``safeguard-rules evaluate --format json``;

and prints the stages' CPU seconds, and each whole command's CPU seconds and peak resident
memory (from ``wait4``). Output goes to /dev/null. Prints numbers; asserts nothing
(benchmarks/README.md, "The command line at scale").

    python benchmarks/cli_scale.py --events 1000000            # about 5 minutes on a laptop
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
AS_OF = "2026-01-01T00:00:00+00:00"
SCRIPT = Path(sys.executable).parent / "safeguard-rules"

# In one process: the CPU seconds of each stage, the output stages writing to /dev/null.
STAGES = """
import gc, os, sys, time
from datetime import datetime
from safeguard_rules import evaluate, load_events, load_pack
from safeguard_rules.cli._evaluate import MAX_ROWS, _print_table, _write_evaluation
pack = load_pack(sys.argv[1])
clock = time.process_time()
gc.disable()  # as the CLI does while it reads (benchmarks/README.md)
stream = load_events(sys.argv[2])
gc.enable()
read = time.process_time() - clock
result = evaluate(pack, stream, datetime.fromisoformat(sys.argv[3]))
evaluated = time.process_time() - clock - read
real = sys.stdout
sys.stdout = open(os.devnull, "w", encoding="utf-8")
clock = time.process_time()
_print_table(result, MAX_ROWS)
table = time.process_time() - clock
_write_evaluation(result)
json = time.process_time() - clock - table
print(len(result.obligations), len(result.findings), read, evaluated, table, json, file=real)
"""


def measure(command: list[str], stdout: int | None) -> tuple[float, float, str]:
    """CPU seconds (user + system) and peak RSS (MiB) of ``command``, and what it printed."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and console script
        command, stdout=subprocess.PIPE if stdout is None else stdout, stderr=subprocess.DEVNULL
    )
    printed = process.stdout.read().decode() if process.stdout else ""
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(command)}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, printed


def stream(events: int, seed: int) -> Path:
    path = OUT / f"events_{events}_seed{seed}.jsonl"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                str(HERE / "generate.py"),
                "--events",
                str(events),
                "--seed",
                str(seed),
                "--out",
                str(path),
            ],
            check=True,
        )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pack", default="jersey_2024")
    parser.add_argument("--file", type=Path, help="an existing stream instead of generating one")
    args = parser.parse_args(argv)
    path = args.file or stream(args.events, args.seed)
    cli = [str(SCRIPT), "evaluate", "--pack", args.pack, "--as-of", AS_OF, "-q", str(path)]
    runs = {"CLI, default table": cli, "CLI, --format json": [*cli, "--format", "json"]}
    print(f"{path.name}, pack {args.pack}, as of {AS_OF}")
    cpu, rss, printed = measure([sys.executable, "-c", STAGES, args.pack, str(path), AS_OF], None)
    obligations, findings, *seconds = printed.split()
    read, evaluated, table, json = (float(s) for s in seconds)
    print(f"{int(obligations):,} obligations, {int(findings):,} findings")
    print("| stage (one process) | CPU s |\n|---|---|")
    print(f"| read the events (load_events) | {read:.1f} |\n| evaluate | {evaluated:.1f} |")
    print(f"| draw the default table (--max-rows 200) | {table:.2f} |")
    print(f"| write --format json | {json:.1f} |")
    print(f"(that process: {cpu:.1f} s CPU, {rss:,.0f} MiB peak RSS)\n")
    print("| whole command | CPU s | peak RSS MiB |\n|---|---|---|")
    for name, command in runs.items():
        cpu, rss, _printed = measure(command, subprocess.DEVNULL)
        print(f"| {name} | {cpu:.1f} | {rss:,.0f} |")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
