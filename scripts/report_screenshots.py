"""Regenerate the screenshots in docs/ that docs/reports.md shows.

    .venv/bin/python scripts/report_screenshots.py

Renders the report of the bundled caseload (examples/caseload_2015.jsonl, twelve invented
children under wtsc_2015, as at Fri 15 January 2016), opens it in headless Chromium
(Debian's ``/usr/bin/chromium``) and saves PNGs in docs/:

* ``report-summary.png``: the timeliness summary;
* ``report-overdue.png``: the overdue list, filtered to the strategy discussion timescale;
* ``report-timeline.png``: child-K11's timeline, whose discussion cannot be evaluated (the
  concern does not record whether the harm was serious), with its details open.
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

    pack = load_pack("wtsc_2015")
    with tempfile.TemporaryDirectory() as folder:
        stream = load_events(ROOT / "examples" / "caseload_2015.jsonl")
        result = evaluate(pack, stream, datetime.fromisoformat("2016-01-15T17:00:00+00:00"))
        report = Path(folder) / "caseload.html"
        report.write_text(render_report(pack, result, stream), encoding="utf-8")

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
            # Only the report file itself may load; anything else would be a leak.
            page.route(
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
            )
            page.goto(report.as_uri())
            page.locator("#timeliness").screenshot(path=str(DOCS / "report-summary.png"))
            page.select_option("#overdue-rule", "strategy_discussion_within_timescale")
            page.locator("#overdue").screenshot(path=str(DOCS / "report-overdue.png"))
            page.goto(report.as_uri() + "#child=child-K11")
            page.wait_for_selector("#timeline-body svg.timeline")
            discussion = "strategy_discussion_within_timescale/k11-1"
            page.locator(f'svg.timeline g.ob[data-obligation="{discussion}"]').focus()
            page.keyboard.press("Enter")
            page.evaluate("window.scrollTo(0, 0)")
            page.locator("#timeline").screenshot(path=str(DOCS / "report-timeline.png"))
            browser.close()
    for name in ("report-summary.png", "report-overdue.png", "report-timeline.png"):
        print(f"wrote docs/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
