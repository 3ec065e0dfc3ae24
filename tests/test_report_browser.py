"""The HTML report as a person sees it: opened in headless Chromium (Debian's ``chromium``,
which ``scripts/test`` installs), driven by Playwright. Every figure checked here is worked
out in the test from the Evaluation. Any request the page makes other than for the file
itself fails the test. Screenshots go to build/artifacts/ (the path is printed).

test_report.py checks the same pages without a browser, so the report is tested even
where Chromium is missing and these tests skip."""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from report_helpers import (
    EXAMPLE_RUNS,
    EXAMPLES,
    ROOT,
    local_text,
    share_text,
    write_children_stream,
)

from safeguard_rules import Evaluation, evaluate, explain, load_events, load_pack, render_report

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(os.environ.get("SAFEGUARD_ARTIFACTS", ROOT / "build" / "artifacts"))

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (scripts/test installs it)"
)


class Page:
    """A browser page on one report file; records every request it makes."""

    def __init__(self, context: Any, file: Path) -> None:
        self.url = file.as_uri()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.route("**/*", self._guard)

    def _guard(self, route: Any) -> None:
        url = route.request.url
        if url.split("#", 1)[0] == self.url:
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def open(self, fragment: str = "") -> Any:
        self.page.goto(self.url + fragment)  # returns once the page and its script have run
        self.page.wait_for_load_state("load")
        return self.page

    def check_quiet(self) -> None:
        assert self.requests == [], f"the page made requests: {self.requests}"
        assert self.errors == [], f"script errors: {self.errors}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    made = browser.new_context(viewport={"width": 1300, "height": 900})
    yield made
    made.close()


def _write(
    pack_name: str, events: Any, as_of: datetime, out: Path
) -> tuple[Any, Any, Evaluation, Path]:
    pack = load_pack(pack_name)
    stream = load_events(events)
    result = evaluate(pack, stream, as_of)
    out.write_text(render_report(pack, result, stream), encoding="utf-8")
    return pack, stream, result, out


@pytest.fixture(scope="module")
def jersey(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Evaluation, Path]:
    pack_name, file, as_of = EXAMPLE_RUNS[0]
    out = tmp_path_factory.mktemp("report") / "jersey.html"
    return _write(pack_name, EXAMPLES / file, datetime.fromisoformat(as_of), out)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Evaluation, Path]:
    folder = tmp_path_factory.mktemp("report")
    events = write_children_stream(2000, 1, folder / "children.jsonl")
    as_of = datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    return _write("jersey_2024", events, as_of, folder / "generated.html")


def _screenshot(
    page: Any, name: str, request: pytest.FixtureRequest, locator: str | None = None
) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    if locator:
        page.locator(locator).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=False)
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nscreenshot: {path}")
    return path


def _cells(page: Any, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        selector + " tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.replace(/\\s+/g, ' ').trim()))",
    )


# --- the guard itself ---------------------------------------------------------------------


def test_the_request_guard_catches_a_leaking_page(context: Any, tmp_path: Path) -> None:
    """So that an empty list of requests below means something."""
    leaky = tmp_path / "leaky.html"
    leaky.write_text(
        '<!DOCTYPE html><title>x</title><img src="https://example.invalid/a.png" alt="">'
        '<img src="local.png" alt="">'
    )
    page = Page(context, leaky)
    page.open()
    assert sorted(page.requests) == sorted(
        ["https://example.invalid/a.png", (tmp_path / "local.png").as_uri()]
    )


# --- the bundled examples -----------------------------------------------------------------


def test_example_summary_overdue_and_screenshot(
    context: Any, jersey: tuple[Any, Any, Evaluation, Path], request: pytest.FixtureRequest
) -> None:
    pack, _stream, result, file = jersey
    page = Page(context, file)
    view = page.open()
    text = view.inner_text("body")
    tz = pack.calendar.tz
    assert f"Pack {pack.id} version {pack.version}" in text
    assert f"As of {local_text(result.as_of, tz)} ({tz.key})" in text
    assert "Events: 20 received, 20 evaluated, 0 rejected" in text
    # The overdue list as the script draws it: child, action, role and due, most late first.
    rows = _cells(view, "#overdue-body")
    overdue = sorted(
        (o for o in result.obligations if o.status == "overdue"),
        key=lambda o: (o.due, o.child_id, o.id),
    )
    assert [r[0] for r in rows] == [o.child_id for o in overdue]
    assert [r[1] for r in rows] == [o.action for o in overdue]
    assert [r[3].split()[-1] for r in rows] == [o.responsible for o in overdue]
    assert [r[4] for r in rows] == [local_text(o.due, tz) for o in overdue]
    # Hand-worked: the medical after the discussion of Wed 8 May 2024 was due the same day
    # (the source's: the consideration is part of the discussion); 25 days late at Mon 3 June 17:00.
    assert rows[0][4] == "Wed 2024-05-08 23:59" and rows[0][5] == "25 days"
    overview = _cells(view, "table.overview tbody")
    strategy = next(r for r in overview if "strategy_meeting_within_three_working_days" in r[0])
    assert strategy[1:7] == ["1", "1", "0", "0", "0", "100.0%"]
    _screenshot(view, "report-example-summary.png", request)
    page.check_quiet()


def test_example_child_timeline(
    context: Any, jersey: tuple[Any, Any, Evaluation, Path], request: pytest.FixtureRequest
) -> None:
    pack, stream, result, file = jersey
    tz = pack.calendar.tz
    page = Page(context, file)
    view = page.open()
    # Open child-A from the index, as a person would: search, then click.
    view.fill("#child-search", "child-a")
    assert _cells(view, "#child-body")[0][0] == "child-A"
    view.click("#child-body a")
    view.wait_for_selector("#timeline-body svg.timeline")
    assert view.inner_text("#timeline-h") == "Timeline: child-A"
    child = [o for o in result.obligations if o.child_id == "child-A"]
    bars = view.locator("svg.timeline g.ob")
    assert bars.count() == len(child)
    # Every bar says its status in words (never colour alone).
    labels = view.eval_on_selector_all(
        "svg.timeline g.ob text.statuslabel", "ts => ts.map(t => t.textContent)"
    )
    notes = {"local_default": " · local default", "local_override": " · local override"}
    expected_labels = Counter(
        o.status.replace("_", " ") + notes.get(getattr(o, "basis", "source"), "") for o in child
    )
    assert Counter(labels) == expected_labels
    # By hand: 5 met, 1 open, 1 cancelled and 5 overdue: the two medicals (the same day,
    # the source's); the receipt and professional-difference timescales (the pack's local
    # parameters); and the medical consideration owed from the physical abuse concern itself
    # (jersey_2024, reader 9 M2: Wed 8 May + 3 working days, a local default; Thu 9 May is
    # Liberation Day, so Fri 10, Mon 13, Tue 14 May, overdue as of 3 June). The cancelled
    # one is the meeting the discussion ev-008 called (reader 14 M1), closed by the meeting
    # ev-010, whose timing is strategy_meeting_within_three_working_days'.
    assert sorted(label.split(" · ")[0] for label in labels).count("overdue") == 5
    assert sorted(label.split(" · ")[0] for label in labels).count("cancelled") == 1
    # The strategy meeting: triggered Wed 8 May 11:30, due Tue 14 May (Thu 9 May is Liberation Day).
    # timed from the concern ev-007, fired by the meeting ev-010
    meeting = result.obligation("strategy_meeting_within_three_working_days/ev-010")
    row = view.locator(f'tr[data-obligation="{meeting.id}"]')
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == "Wed 2024-05-08 11:30" == local_text(meeting.triggered_at, tz)
    assert cells[2].startswith("Tue 2024-05-14 23:59")
    assert cells[3] == "met"
    # Keyboard: focus the meeting's bar and press Enter: its details open with the quote.
    bar = view.locator(f'svg.timeline g.ob[data-obligation="{meeting.id}"]')
    bar.focus()
    view.keyboard.press("Enter")
    details = row.locator("details")
    assert details.evaluate("d => d.open")
    expected = explain(pack, meeting, stream.events)
    assert expected.quote is not None and expected.quote in details.inner_text()
    trace = details.locator(".trace").inner_text().splitlines()
    assert [line.strip()[2:] for line in trace if line.strip().startswith("- ")] == list(
        expected.deadline_steps[1:]
    )
    assert (
        "2024-05-09 Thu: skipped (public holiday: Liberation Day)"
        in trace[trace.index("  deadline") + 2 :][1]
    )
    # Liberation Day is shaded as a closed day.
    closed = view.eval_on_selector_all(
        "svg.timeline rect.closed title", "ts => ts.map(t => t.textContent)"
    )
    assert "Thu 2024-05-09: not a working day (public holiday: Liberation Day)" in closed
    assert "Sat 2024-05-11: not a working day (Saturday)" in closed
    # Findings are marked on the timeline: one triangle per finding.
    findings = [f for f in result.findings if f.child_id == "child-A"]
    assert view.locator("svg.timeline g.finding-mark").count() == len(findings)
    _screenshot(view, "report-example-timeline.png", request, "#timeline")
    page.check_quiet()


@pytest.mark.parametrize(("pack_name", "file", "as_of"), EXAMPLE_RUNS[1:])
def test_other_examples_open_every_child(
    context: Any, tmp_path: Path, pack_name: str, file: str, as_of: str
) -> None:
    _pack, _stream, result, out = _write(
        pack_name, EXAMPLES / file, datetime.fromisoformat(as_of), tmp_path / "r.html"
    )
    page = Page(context, out)
    view = page.open()
    for child in sorted({o.child_id for o in result.obligations}):
        view.goto(f"{page.url}#child={child}")
        view.wait_for_selector("#timeline-body svg.timeline")
        statuses = [  # the badge's words (a cannot-evaluate one adds what is not recorded)
            text.splitlines()[0]
            for text in view.locator("#timeline-body table.obligations td.status").all_inner_texts()
        ]
        expected = [o.status.replace("_", " ") for o in result.obligations if o.child_id == child]
        assert Counter(statuses) == Counter(expected), child
    page.check_quiet()


def test_a_report_with_fewer_timelines_says_which_are_missing(
    context: Any, jersey: tuple[Any, Any, Evaluation, Path], tmp_path: Path
) -> None:
    pack, stream, result, _file = jersey
    # Two children: child-A has the overdue obligations, so with one timeline it is kept.
    assert {o.child_id for o in result.obligations if o.status == "overdue"} == {"child-A"}
    out = tmp_path / "one.html"
    out.write_text(render_report(pack, result, stream, max_timelines=1), encoding="utf-8")
    page = Page(context, out)
    view = page.open()
    assert "Timelines of 1 of the 2 children are in this file" in view.inner_text("#children")
    index = {row[0].split()[0]: row for row in _cells(view, "#child-body")}
    assert index["child-B"][0] == "child-B (no timeline in this report)"
    assert view.locator('#child-body a[href="#child=child-A"]').count() == 1
    assert view.locator('#child-body a[href="#child=child-B"]').count() == 0
    view.goto(f"{page.url}#child=child-B")
    view.wait_for_selector("#timeline:not([hidden])")
    said = view.inner_text("#timeline-body")
    assert "not in this report" in said and "--child child-B" in said
    view.goto(f"{page.url}#child=child-A")
    view.wait_for_selector("#timeline-body svg.timeline")
    mine = [o for o in result.obligations if o.child_id == "child-A"]
    assert view.locator("svg.timeline g.ob").count() == len(mine)
    page.check_quiet()


def test_cannot_evaluate_is_shown_in_words(
    context: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    pack_name, file, as_of = EXAMPLE_RUNS[3]  # the caseload: K11's concern lacks serious_harm
    _pack, _stream, result, out = _write(
        pack_name, EXAMPLES / file, datetime.fromisoformat(as_of), tmp_path / "caseload.html"
    )
    page = Page(context, out)
    view = page.open()
    assert "Outcomes that cannot be evaluated: 1" in view.inner_text("header")
    overview = _cells(view, "table.overview tbody")
    row = next(r for r in overview if "strategy_discussion_within_timescale" in r[0])
    # By hand (test_report.py works each child out): 11 triggered, 5 met, 2 late,
    # 2 overdue, 1 open, 1 cannot evaluate; 5 of 7 taken place in time (K07, serious, is
    # owed the same day by strategy_discussion_same_day instead).
    assert row[1:8] == ["11", "5", "2", "2", "1", "1", "71.4%"]
    # Every child's timeline, opened one by one: the bars that say "cannot evaluate" in
    # words. By hand there is one (K11); counted from the evaluation as well.
    said = 0
    for child in sorted({o.child_id for o in result.obligations}):
        view.goto(f"{page.url}#child={child}")
        view.wait_for_selector("#timeline-body svg.timeline")
        labels = view.eval_on_selector_all(
            "svg.timeline g.ob text.statuslabel", "ts => ts.map(t => t.textContent)"
        )
        said += sum(1 for label in labels if label.startswith("cannot evaluate"))
    assert said == 1 == sum(1 for o in result.obligations if o.status == "cannot_evaluate")
    view.goto(f"{page.url}#child=child-K11")
    view.wait_for_selector("#timeline-body svg.timeline")
    bar = view.locator(
        'svg.timeline g.ob[data-obligation="strategy_discussion_within_timescale/k11-1"]'
    )
    assert bar.locator("text.statuslabel").text_content() == (
        "cannot evaluate · not recorded: concern_identified.serious_harm"
    )
    assert "cannot tell which deadline applies" in (bar.get_attribute("aria-label") or "")
    status = view.locator(
        'tr[data-obligation="strategy_discussion_within_timescale/k11-1"] td.status'
    ).inner_text()
    assert status.startswith("cannot evaluate")
    _screenshot(view, "report-cannot-evaluate.png", request, "#timeline")
    # K12's discussion has only a date: drawn across its day, written without a clock time.
    view.goto(f"{page.url}#child=child-K12")
    view.wait_for_selector("#timeline-body svg.timeline")
    assert view.locator("svg.timeline rect.event.day").count() == 1
    events = _cells(view, "#timeline-body table.events tbody")
    assert ["Thu 2015-10-22 (date only)", "k12-2", "strategy_discussion_held"] in events
    page.check_quiet()


# --- accessibility ---------------------------------------------------------------------------


def _contrast(foreground: str, background: str) -> float:
    def luminance(css: str) -> float:
        r, g, b = (int(v) / 255 for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])

        def channel(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_accessibility(context: Any, jersey: tuple[Any, Any, Evaluation, Path]) -> None:
    from axe_playwright_python.sync_playwright import Axe

    _pack, _stream, _result, file = jersey
    page = Page(context, file)
    view = page.open("#child=child-A")
    view.wait_for_selector("#timeline-body svg.timeline")
    view.locator("#timeline-body details").first.evaluate("d => d.open = true")
    results = Axe().run(view)
    violations = [(v["id"], v["impact"], len(v["nodes"])) for v in results.response["violations"]]
    assert violations == [], violations
    # And explicitly: one h1; headings in order; every column header has a scope; every
    # chart has a name; every timeline bar is focusable and named.
    levels = view.eval_on_selector_all("h1, h2, h3", "hs => hs.map(h => Number(h.tagName[1]))")
    assert levels.count(1) == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert view.locator("thead th:not([scope])").count() == 0
    for chart in view.locator("svg.chart").all():
        assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-labelledby")
    for bar in view.locator("svg.timeline g.ob").all():
        assert bar.get_attribute("tabindex") == "0" and bar.get_attribute("aria-label")
    # Status badges: white text on the status colour, at least 4.5:1.
    for badge in view.locator(".badge").all():
        colours = badge.evaluate(
            "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
        )
        assert _contrast(*colours) >= 4.5, colours
    # Keyboard: Tab from the top reaches the skip link first.
    view.goto(page.url)
    view.keyboard.press("Tab")
    assert view.evaluate("document.activeElement.textContent") == "Skip to the report"
    page.check_quiet()


# --- 2,000 generated children ---------------------------------------------------------------


def test_generated_report_in_the_browser(
    context: Any, generated: tuple[Any, Any, Evaluation, Path], request: pytest.FixtureRequest
) -> None:
    pack, stream, result, file = generated
    tz = pack.calendar.tz
    page = Page(context, file)
    view = page.open()
    # Counted here from the Evaluation: the strategy meeting timescale, all months and the
    # latest complete quarter before 1 January 2026 (2025 Q4, by month of trigger).
    timed = [
        o
        for o in result.obligations
        if o.rule == "strategy_meeting_within_three_working_days" and o.due
    ]
    total = Counter(o.status for o in timed)
    q4 = Counter(
        o.status
        for o in timed
        if (lambda d: d.year == 2025 and d.month >= 10)(o.triggered_at.astimezone(tz).date())
    )
    overview = _cells(view, "table.overview tbody")
    row = next(r for r in overview if "strategy_meeting_within_three_working_days" in r[0])
    assert row[1:7] == [
        str(len(timed)), str(total["met"]), str(total["met_late"]), str(total["overdue"]),
        str(total["open"]), share_text(total["met"], total["met_late"]),
    ]  # fmt: skip
    assert (
        row[7]
        == f"2025 Q4: {share_text(q4['met'], q4['met_late'])} ({q4['met']} of {q4['met'] + q4['met_late']})"
    )
    # "Which children have a flag whose receipt is overdue, and whose job is it?" (A strategy
    # meeting's timescale is never overdue: it times the meetings that are held.)
    view.select_option("#overdue-rule", "sender_confirms_receipt_of_flag")
    overdue = sorted(
        (
            o
            for o in result.obligations
            if o.rule == "sender_confirms_receipt_of_flag" and o.status == "overdue"
        ),
        key=lambda o: (o.due, o.child_id, o.id),
    )
    assert overdue and not any(o.status == "overdue" for o in timed)
    status = view.inner_text("#overdue-status")
    assert (
        status == f"Showing 1\u2013{min(50, len(overdue))} of {len(overdue)} overdue obligations."
    )
    rows = _cells(view, "#overdue-body")
    assert [(r[0], r[3].split()[-1], r[4]) for r in rows] == [
        (o.child_id, o.responsible, local_text(o.due, tz)) for o in overdue[:50]
    ]
    _screenshot(view, "report-generated-overdue.png", request, "#overdue")
    # The index: 2,000 children, searchable; open the child with the most obligations.
    assert view.inner_text("#child-status") == "Showing 1\u201350 of 2000 children."
    busiest = Counter(o.child_id for o in result.obligations).most_common(1)[0][0]
    view.fill("#child-search", busiest)
    view.click(f'#child-body a[href="#child={busiest}"]')
    view.wait_for_selector("#timeline-body svg.timeline")
    mine = [o for o in result.obligations if o.child_id == busiest]
    assert view.locator("svg.timeline g.ob").count() == len(mine)
    events = [e for e in stream.events if e.child_id == busiest]
    assert view.locator("svg.timeline circle.event").count() == len(events)
    first = min(mine, key=lambda o: (o.triggered_at, o.id))
    cells = view.locator(f'tr[data-obligation="{first.id}"] td').all_inner_texts()
    assert cells[1] == local_text(first.triggered_at, tz)
    assert cells[3] == first.status.replace("_", " ")
    _screenshot(view, "report-generated-timeline.png", request, "#timeline")
    page.check_quiet()
