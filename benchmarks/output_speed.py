"""Output at the speed of input: JSON, JSON Lines and CSV of 10^6 obligations.

    python benchmarks/output_speed.py                          # >= 1,000,000 obligations
    python benchmarks/output_speed.py --obligations 100000     # a quicker run

A synthetic stream (``benchmarks/generate.py``, cached in ``benchmarks/out/``) large enough
for ``--obligations`` under ``--pack`` (default ``wtsc_2015``, the pack that gives the most
obligations per event) is sorted by child and evaluated in chunks of whole children: each
chunk is read with ``load_events`` and evaluated with ``evaluate`` (timed alone), and the
parts are merged into one ``Evaluation`` (``merge_evaluations``), so the events of only one
chunk are in memory at a time. Then each way of writing the whole result is timed, to a
file in a temporary directory:

* ``write_json``   ``Evaluation.write_json(file)``: what ``evaluate --format json`` writes;
* ``to_json``      ``Evaluation.to_json()``: the same document built as one ``str``;
* ``jsonl``        ``evaluate --format jsonl``: one row per obligation or finding;
* ``csv``          ``evaluate --format csv``: the same rows;
* ``to_records``   ``Evaluation.to_records()``: the rows as dicts, for pandas or polars.

Each writer's time is printed beside the evaluation's (evaluate alone, and read +
evaluate). Numbers are printed, never asserted: benchmarks are not part of the tests.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
AS_OF = "2026-01-01T00:00:00+00:00"  # after every generated event
# Obligations per generated event (measured on 50,000 events), to size the stream.
OBLIGATIONS_PER_EVENT = {
    "wtsc_2015": 0.39,
    "jersey_2024": 0.28,
    "wirral_2019": 0.25,
    "jersey_2019": 0.2,
}
CHUNK_EVENTS = 200_000


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("bench_generate", HERE / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sorted_stream(events: int, seed: int) -> Path:
    """The generated stream of ``events`` events, grouped by child (cached)."""
    from safeguard_rules import sort_events_by_child

    generate = _generator()
    raw = OUT / f"events-n{events}-seed{seed}-g{generate.GENERATOR_VERSION}.jsonl"
    grouped = raw.with_name(raw.stem + "-by-child.jsonl")
    if not grouped.exists():
        if not raw.exists():
            print(f"generating {events:,} events ...", file=sys.stderr)
            generate.write(events, seed, raw)
        print("sorting by child ...", file=sys.stderr)
        partial = grouped.with_name(grouped.name + ".partial")
        with partial.open("wb") as out:
            sort_events_by_child([raw], out)
        partial.replace(grouped)
    return grouped


def chunks(path: Path, size: int, into: Path) -> Iterator[Path]:
    """``path`` cut into files of about ``size`` lines, each ending at a child's last line."""
    lines: list[str] = []
    child = None
    number = 0

    def flush() -> Path:
        nonlocal number, lines
        number += 1
        part = into / f"chunk-{number:03d}.jsonl"
        part.write_text("".join(lines), encoding="utf-8")
        lines = []
        return part

    with path.open(encoding="utf-8") as handle:
        for line in handle:
            this = json.loads(line)["child_id"]
            if this != child and len(lines) >= size:
                yield flush()
            child = this
            lines.append(line)
    if lines:
        yield flush()


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--obligations", type=int, default=1_000_000, help="at least this many")
    parser.add_argument("--pack", default="wtsc_2015")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)

    from safeguard_rules import Evaluation, evaluate, load_events, load_pack, merge_evaluations
    from safeguard_rules._records import write_csv, write_jsonl

    per_event = OBLIGATIONS_PER_EVENT.get(args.pack, 0.2)
    events = int(args.obligations / per_event * 1.05)
    pack = load_pack(args.pack)
    as_of = datetime.fromisoformat(AS_OF)
    stream = sorted_stream(events, args.seed)
    read_s = evaluate_s = 0.0
    parts: list[Evaluation] = []
    with tempfile.TemporaryDirectory() as tmp:
        for chunk in chunks(stream, CHUNK_EVENTS, Path(tmp)):
            seconds, loaded = _timed(lambda c=chunk: load_events(c))  # type: ignore[misc]
            read_s += seconds
            seconds, part = _timed(lambda s=loaded: evaluate(pack, s, as_of))  # type: ignore[misc]
            evaluate_s += seconds
            parts.append(part)
            chunk.unlink()
            del loaded
            so_far = sum(len(p.obligations) for p in parts)
            print(f"  {so_far:,} obligations so far", file=sys.stderr)
    result = merge_evaluations(parts)
    del parts
    figures: dict[str, Any] = {
        "pack": args.pack,
        "events": events,
        "obligations": len(result.obligations),
        "findings": len(result.findings),
        "read_s": round(read_s, 2),
        "evaluate_s": round(evaluate_s, 2),
        "python": platform.python_version(),
    }
    writers: dict[str, Callable[[Path], Any]] = {
        "write_json": lambda p: _write(p, result.write_json),
        "to_json": lambda p: p.write_text(result.to_json(), encoding="utf-8"),
        "jsonl": lambda p: _write(p, lambda out: write_jsonl(out, result)),
        "csv": lambda p: _write(p, lambda out: write_csv(out, result, header=True)),
        "to_records": lambda _p: len(result.to_records()),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, writer in writers.items():
            target = Path(tmp) / name
            seconds, _ = _timed(lambda w=writer, t=target: w(t))  # type: ignore[misc]
            size = target.stat().st_size if target.exists() else 0
            figures[name] = {
                "seconds": round(seconds, 2),
                "mib": round(size / 2**20, 1),
                "x_evaluate": round(seconds / evaluate_s, 3),
            }
            target.unlink(missing_ok=True)
    _print(figures)
    if args.json:
        print(json.dumps(figures, indent=2))
    return 0


def _write(path: Path, write: Callable[[Any], None]) -> None:
    with path.open("wb") as out:
        write(out)


def _print(f: dict[str, Any]) -> None:
    print(
        f"{f['pack']}: {f['events']:,} events -> {f['obligations']:,} obligations, "
        f"{f['findings']:,} findings"
    )
    print(f"read {f['read_s']:.1f} s, evaluate {f['evaluate_s']:.1f} s (Python {f['python']})")
    print("| output | seconds | MiB | x evaluate |")
    print("|---|---:|---:|---:|")
    for name in ("write_json", "to_json", "jsonl", "csv", "to_records"):
        w = f[name]
        print(f"| {name} | {w['seconds']:.2f} | {w['mib']:.0f} | {w['x_evaluate']:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
