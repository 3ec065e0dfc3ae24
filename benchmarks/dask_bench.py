#!/usr/bin/env python3
"""The Dask run on a grouped stream: equality with one process, and 1 vs 2 workers.

The grouped stream (``sort-events`` output, e.g. from stream_scale.py) is cut at child
boundaries into --parts files, so each file holds whole children (data already partitioned
by child: no shuffle is timed). Then, each in turn:

* one process: ``parse_events`` of all records in file order + ``evaluate``;
* ``evaluate_bag`` of ``db.read_text(files).map(json.loads)`` on a LocalCluster of 1, then 2
  worker processes (one thread each), cluster start-up not timed.

Prints the seconds of each and the SHA-256 of each result's ``to_json()``: equal hashes
mean byte-identical results. Nothing is asserted.

    python benchmarks/dask_bench.py benchmarks/out/grouped-n1000000-seed1-g2.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from datetime import datetime
from pathlib import Path


def split(grouped: Path, parts: int) -> list[Path]:
    """``grouped`` cut into ``parts`` files of whole children (about equal sizes)."""
    size = grouped.stat().st_size
    names = [grouped.with_name(f"{grouped.stem}.part{i:03d}.jsonl") for i in range(parts)]
    with grouped.open("rb") as source:
        index, written, last_child = 0, 0, None
        out = names[0].open("wb")
        for line in source:
            child = json.loads(line).get("child_id")
            if written >= (index + 1) * size / parts and child != last_child and index < parts - 1:
                out.close()
                index += 1
                out = names[index].open("wb")
            out.write(line)
            written += len(line)
            last_child = child
        out.close()
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("grouped", type=Path)
    parser.add_argument("--pack", default="jersey_2024")
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--as-of", default="2026-01-01T00:00:00+00:00")
    args = parser.parse_args()

    import dask.bag as db
    from distributed import Client, LocalCluster

    from safeguard_rules import evaluate, load_pack, parse_events
    from safeguard_rules.dask import evaluate_bag

    as_of = datetime.fromisoformat(args.as_of)
    files = split(args.grouped, args.parts)
    rows = []

    started = time.perf_counter()
    records = [json.loads(line) for f in files for line in f.open("rb")]
    single = evaluate(load_pack(args.pack), parse_events(records), as_of)
    rows.append(("one process (parse_events + evaluate)", time.perf_counter() - started, single))
    del records
    reference = hashlib.sha256(single.to_json().encode()).hexdigest()
    events = single.account.received

    for workers in (1, 2):
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster),
        ):
            bag = db.read_text([str(f) for f in files]).map(json.loads)
            started = time.perf_counter()
            result = evaluate_bag(bag, args.pack, as_of)
            seconds = time.perf_counter() - started
            rows.append((f"Dask, {workers} worker process(es)", seconds, result))

    print(f"{events:,} events, pack {args.pack}, {len(files)} partitions of whole children")
    print("| run | seconds | events/s | to_json() SHA-256 | equal to one process |")
    print("|---|---:|---:|---|---|")
    for name, seconds, result in rows:
        digest = hashlib.sha256(result.to_json().encode()).hexdigest()
        print(
            f"| {name} | {seconds:.1f} | {events / seconds:,.0f} | `{digest[:16]}` "
            f"| {digest == reference} |"
        )
    for f in files:
        f.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
