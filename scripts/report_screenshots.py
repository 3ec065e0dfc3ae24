"""Regenerate the screenshots in docs/ that docs/reports.md shows.

    .venv/bin/python scripts/report_screenshots.py

Renders two reports, opens them in headless Chromium (Debian's ``/usr/bin/chromium``)
and saves PNGs in docs/:

* ``report-summary.png`` and ``report-overdue.png``: a generated stream of 2,000 invented
  children (``benchmarks/report.py``) under jersey_2024, as at 1 January 2026;
* ``report-timeline.png``: child-A of examples/child_a_history.jsonl under jersey_2024,
  as at 3 June 2024, with the strategy meeting's details open.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip


def main() -> int:
    from playwright.sync_api import sync_playwright

    from safeguard_rules import evaluate, load_events, load_pack, render_report

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import report as bench

    pack = load_pack("jersey_2024")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        events = bench.write_children(2000, 1, work / "children.jsonl")
        stream = load_events(events)
        result = evaluate(pack, stream, datetime.fromisoformat("2026-01-01T00:00:00+00:00"))
        generated = work / "generated.html"
        generated.write_text(render_report(pack, result, stream), encoding="utf-8")
        stream = load_events(ROOT / "examples" / "child_a_history.jsonl")
        result = evaluate(pack, stream, datetime.fromisoformat("2024-06-03T17:00:00+01:00"))
        example = work / "example.html"
        example.write_text(render_report(pack, result, stream), encoding="utf-8")

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
            # Only the report file itself may load; anything else would be a leak.
            page.route(
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
            )
            page.goto(generated.as_uri())
            page.locator("#timeliness").screenshot(path=str(DOCS / "report-summary.png"))
            page.select_option("#overdue-rule", "strategy_meeting_within_three_working_days")
            page.locator("#overdue").screenshot(path=str(DOCS / "report-overdue.png"))
            page.goto(example.as_uri() + "#child=child-A")
            page.wait_for_selector("#timeline-body svg.timeline")
            meeting = "strategy_meeting_within_three_working_days/ev-010"
            page.locator(f'svg.timeline g.ob[data-obligation="{meeting}"]').focus()
            page.keyboard.press("Enter")
            page.evaluate("window.scrollTo(0, 0)")
            page.locator("#timeline").screenshot(path=str(DOCS / "report-timeline.png"))
            browser.close()
    for name in ("report-summary.png", "report-overdue.png", "report-timeline.png"):
        print(f"wrote docs/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
