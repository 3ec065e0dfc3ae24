"""What the command line adds to an evaluation at scale: the default table and --format json.

Runs, each in a fresh process on one generated stream (benchmarks/generate.py):

1. ``load_events`` + ``evaluate`` in Python and nothing else: the cost of the evaluation;
2. ``safeguard-rules evaluate`` with the default table (``--max-rows 200``);
3. ``safeguard-rules evaluate --format json``;

and prints each one's CPU seconds and peak resident memory (from ``wait4``; CPU rather than
wall time because the machines this runs on are shared), and what the CLI adds to (1). Output
goes to /dev/null. Prints numbers; asserts nothing (benchmarks/README.md, "The command line
at scale").

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

EVALUATE_ONLY = """
import gc, sys
from datetime import datetime
from safeguard_rules import evaluate, load_events, load_pack
pack = load_pack(sys.argv[1])
gc.disable()  # as the CLI does while it reads and evaluates (benchmarks/README.md)
stream = load_events(sys.argv[2])
result = evaluate(pack, stream, datetime.fromisoformat(sys.argv[3]))
print(len(result.obligations), len(result.findings))
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
    runs = {
        "evaluation only (Python)": [
            *(sys.executable, "-c", EVALUATE_ONLY, args.pack, str(path), AS_OF)
        ],
        "CLI, default table": cli,
        "CLI, --format json": [*cli, "--format", "json"],
    }
    print(f"{path.name}, pack {args.pack}, as of {AS_OF}")
    print("| run | CPU s | peak RSS MiB | CPU over evaluation | RSS over evaluation |")
    print("|---|---|---|---|---|")
    base_cpu = base_rss = 0.0
    for name, command in runs.items():
        baseline = name.startswith("evaluation")
        cpu, rss, printed = measure(command, None if baseline else subprocess.DEVNULL)
        if baseline:
            base_cpu, base_rss = cpu, rss
            print(
                f"| {name} ({printed.split()[0]} obligations, {printed.split()[1]} findings) "
                f"| {cpu:.1f} | {rss:,.0f} | - | - |"
            )
        else:
            print(
                f"| {name} | {cpu:.1f} | {rss:,.0f} | {cpu - base_cpu:+.1f} s "
                f"({cpu / base_cpu:.2f}x) | {rss - base_rss:+,.0f} MiB |"
            )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
