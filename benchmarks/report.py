"""Size and speed of the HTML report (and the .ics file) for streams of N children.

    python benchmarks/report.py                           # 2,000 and 20,000 children, jersey_2024
    python benchmarks/report.py --children 2000 --pack wtsc_2015 --browser

For each size a stream of exactly N children is generated with ``generate.py``'s child
histories (the same children, in the same batches, as ``generate.py --events`` writes),
cached in ``benchmarks/out/``, then loaded, evaluated and rendered, each stage timed once.
It prints the report's size and the time to render it; with ``--browser`` it also opens
the report in headless Chromium (``/usr/bin/chromium``) and times the page load and
opening one child's timeline. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402 - the sibling script, by path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip


def iter_children(children: int, seed: int) -> Iterator[str]:
    """JSON Lines for exactly ``children`` children, batch by batch as generate.py does."""
    rng = random.Random(seed)
    counter = 0

    def next_id() -> str:
        nonlocal counter
        counter += 1
        return f"ev-{counter:07d}"

    for start in range(0, children, generate.BATCH_CHILDREN):
        batch = []
        for number in range(start + 1, min(children, start + generate.BATCH_CHILDREN) + 1):
            batch.extend(generate._Child(rng, number, next_id).build())
        batch.sort(key=lambda row: (row[0], row[1]))
        for _at, _id, record in batch:
            yield json.dumps(record, separators=(", ", ": "), ensure_ascii=False) + "\n"


def write_children(children: int, seed: int, out: Path) -> Path:
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="\n") as handle:
            handle.writelines(iter_children(children, seed))
        partial.replace(out)
    return out


def cached_stream(children: int, seed: int) -> Path:
    name = f"children-n{children}-seed{seed}-g{generate.GENERATOR_VERSION}.jsonl"
    return write_children(children, seed, HERE / "out" / name)


def measure_browser(report: Path, child: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        start = time.perf_counter()
        page.goto(report.as_uri(), timeout=600_000)
        page.wait_for_selector("#child-body tr", timeout=600_000)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        page.goto(f"{report.as_uri()}#child={child}")
        page.wait_for_selector("#timeline-body svg.timeline", timeout=600_000)
        opened = time.perf_counter() - start
        start = time.perf_counter()
        page.fill("#child-search", child[-4:])
        page.wait_for_selector("#child-body tr")
        searched = time.perf_counter() - start
        heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
        browser.close()
    return {
        "page_load_s": loaded,
        "open_child_s": opened,
        "search_s": searched,
        "js_heap_mib": heap / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    from safeguard_rules import evaluate, load_events, load_pack, render_report, to_ical

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", default="2000,20000", help="comma-separated sizes")
    parser.add_argument("--pack", default="jersey_2024")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2026-01-01T00:00:00+00:00")
    parser.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    parser.add_argument("--keep", action="store_true", help="keep the reports in benchmarks/out/")
    parser.add_argument(
        "--max-timelines", type=int, help="embed at most N timelines (report --max-children)"
    )
    parser.add_argument("--no-ics", action="store_true", help="skip the .ics file")
    args = parser.parse_args(argv)
    pack = load_pack(args.pack)
    as_of = datetime.fromisoformat(args.as_of)
    rows = []
    for children in (int(n) for n in args.children.split(",")):
        path = cached_stream(children, args.seed)
        start = time.perf_counter()
        stream = load_events(path)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        result = evaluate(pack, stream, as_of)
        evaluated = time.perf_counter() - start
        start = time.perf_counter()
        page = render_report(pack, result, stream, max_timelines=args.max_timelines)
        rendered = time.perf_counter() - start
        data = page.encode("utf-8")
        start = time.perf_counter()
        ics = b"" if args.no_ics else to_ical(pack, result)
        icaled = time.perf_counter() - start
        out = HERE / "out" / f"report-{args.pack}-n{children}-seed{args.seed}.html"
        out.write_bytes(data)
        row = {
            "children": children,
            "events": len(stream.events),
            "obligations": len(result.obligations),
            "overdue": sum(1 for o in result.obligations if o.status == "overdue"),
            "load_s": round(loaded, 2),
            "evaluate_s": round(evaluated, 2),
            "render_s": round(rendered, 2),
            "timelines": min(children, args.max_timelines or children),
            "report_mib": round(len(data) / 2**20, 1),
            "ics_s": round(icaled, 2),
            "ics_mib": round(len(ics) / 2**20, 1),
        }
        if args.browser:
            child = min(o.child_id for o in result.obligations if o.status == "overdue")
            row.update({k: round(v, 2) for k, v in measure_browser(out, child).items()})
        if not args.keep:
            out.unlink()
        rows.append(row)
        print(json.dumps(row), flush=True)
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |")
    print("|" + "---:|" * len(columns))
    for row in rows:
        print("| " + " | ".join(f"{row.get(c, '')}" for c in columns) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
