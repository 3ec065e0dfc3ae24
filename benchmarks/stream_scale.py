#!/usr/bin/env python3
"""Streaming at scale: ``safeguard-rules evaluate --stream`` from 10^4 to 10^7 events.

For each size: the seeded stream of benchmarks/generate.py (children interleaved, as in an
export), grouped with ``safeguard-rules sort-events``, then evaluated in a fresh process
under /usr/bin/time, in memory (``evaluate``, up to --max-in-memory events) and streamed
(``evaluate --stream``), output to /dev/null. Prints a Markdown table: seconds, events/s and
peak RSS of each process. Nothing is asserted.

    python benchmarks/stream_scale.py --sizes 10000,100000,1000000,10000000 --pack jersey_2024

Files go to benchmarks/out/ (gitignored): about 210 bytes per event, twice (export and sorted).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
AS_OF = "2026-01-01T00:00:00+00:00"


def timed(command: list[str]) -> tuple[float, float, int]:
    """(wall seconds, cpu seconds, peak RSS KiB) of ``command``, output to /dev/null."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own interpreter and arguments
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", report.name, *command],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        wall = time.perf_counter() - started
        _e, user, system, rss = report.read().split()[-4:]
    return wall, float(user) + float(system), int(rss)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000,10000000")
    parser.add_argument("--pack", default="jersey_2024")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", default="jsonl", choices=["jsonl", "json"])
    parser.add_argument("--max-in-memory", type=int, default=1_000_000)
    parser.add_argument("--out-dir", type=Path, default=OUT, help="where the streams are kept")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "safeguard_rules"]
    out = args.out_dir
    out.mkdir(exist_ok=True)
    rows = []
    sys.path.insert(0, str(HERE))
    import generate  # the version names the cached streams, so a changed generator is rerun

    version = generate.GENERATOR_VERSION
    for size in (int(s) for s in args.sizes.split(",")):
        export = out / f"events-n{size}-seed{args.seed}-g{version}.jsonl"
        grouped = out / f"grouped-n{size}-seed{args.seed}-g{version}.jsonl"
        if not export.exists():
            subprocess.run(  # noqa: S603 - our own interpreter and arguments
                [
                    sys.executable,
                    str(HERE / "generate.py"),
                    "--events",
                    str(size),
                    "--seed",
                    str(args.seed),
                    "--out",
                    str(export),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        if not grouped.exists():
            wall, cpu, rss = timed([*cli, "sort-events", str(export), "-o", str(grouped)])
            rows.append((size, "sort-events", wall, cpu, rss))
        evaluate = [*cli, "evaluate", "--pack", args.pack, "--as-of", AS_OF]
        if size <= args.max_in_memory:
            wall, cpu, rss = timed([*evaluate, "--format", "json", str(grouped)])
            rows.append((size, "evaluate (in memory, json)", wall, cpu, rss))
        wall, cpu, rss = timed([*evaluate, "--format", args.format, "--stream", str(grouped)])
        rows.append((size, f"evaluate --stream ({args.format})", wall, cpu, rss))
        print(f"{size}: done", file=sys.stderr)
    print(f"pack {args.pack}, seed {args.seed}, {os.cpu_count()} cores; whole process per row")
    # On a shared machine wall time measures the queue too: cpu (user + system) is shown beside it.
    print("| events | command | seconds | events/s | cpu s | events per cpu s | peak RSS MiB |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for size, what, wall, cpu, rss in rows:
        print(
            f"| {size:,} | {what} | {wall:.1f} | {size / wall:,.0f} | {cpu:.1f} "
            f"| {size / cpu:,.0f} | {rss / 1024:,.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
