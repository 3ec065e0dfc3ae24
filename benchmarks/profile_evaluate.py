"""Profile ``evaluate`` (and optionally ``load_events``) with cProfile.

    python benchmarks/profile_evaluate.py --events 100000 --pack wtsc_2015 --top 25

Uses the same cached stream as ``run.py`` (generating it if needed) and prints the
functions with the most internal time and the most cumulative time. ``--stage load``
profiles ``load_events`` instead; ``--out FILE`` keeps the raw ``pstats`` data.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import DEFAULT_AS_OF, _stream_file  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pack", default="", help="pack name (default: every bundled pack)")
    parser.add_argument("--stage", choices=("evaluate", "load"), default="evaluate")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, help="write the raw pstats data here")
    args = parser.parse_args(argv)

    from safeguard_rules import bundled_packs, evaluate, load_events, load_pack

    path, _ = _stream_file(args.events, args.seed, regenerate=False)
    as_of = datetime.fromisoformat(DEFAULT_AS_OF)
    profiler = cProfile.Profile()
    if args.stage == "load":
        profiler.runcall(load_events, path)
    else:
        stream = load_events(path)
        for name in [args.pack] if args.pack else bundled_packs():
            pack = load_pack(name)
            profiler.runcall(evaluate, pack, stream, as_of)
    if args.out:
        profiler.dump_stats(args.out)
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
