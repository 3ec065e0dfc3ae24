"""The HTML report without a browser: the figures in its tables, its embedded data, that
it is self-contained and deterministic, and the ``report`` command. The browser tests
(test_report_browser.py) look at the same pages as a person would."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html as html_module
import os
import pty
import re
import select
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from report_helpers import (
    EXAMPLE_RUNS,
    EXAMPLES,
    expected_timeliness,
    quarter_of,
    script_json,
    share_text,
    table,
    write_children_stream,
)

from safeguard_rules import (
    Evaluation,
    evaluate,
    import_cin_census,
    load_events,
    load_pack,
    parse_events,
    render_report,
)
from safeguard_rules.cli import main

JERSEY_AS_OF = datetime.fromisoformat("2024-06-03T17:00:00+01:00")
GENERATED_AS_OF = datetime.fromisoformat("2026-01-01T00:00:00+00:00")


def _example(pack_name: str, file: str, as_of: str) -> tuple[Any, Any, Evaluation, str]:
    pack = load_pack(pack_name)
    stream = load_events(EXAMPLES / file)
    result = evaluate(pack, stream, datetime.fromisoformat(as_of))
    return pack, stream, result, render_report(pack, result, stream)


@pytest.fixture(scope="module")
def jersey() -> tuple[Any, Any, Evaluation, str]:
    return _example(*EXAMPLE_RUNS[0])


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Evaluation, str]:
    path = write_children_stream(2000, 1, tmp_path_factory.mktemp("gen") / "children.jsonl")
    pack = load_pack("jersey_2024")
    stream = load_events(path)
    result = evaluate(pack, stream, GENERATED_AS_OF)
    return pack, stream, result, render_report(pack, result, stream)


# --- the bundled example, worked out by hand ----------------------------------------------


def test_example_overview_counts_each_timed_rule(jersey: tuple[Any, Any, Evaluation, str]) -> None:
    _pack, _stream, _result, html = jersey
    rows = {row[0].split()[-1]: row[1:] for row in table(html, "All timed rules")[1:]}
    # child-A's strategy meeting: concern ev-007 Wed 2024-05-08 11:30, 3 working days on the
    # Jersey calendar: Thu 9 May is Liberation Day, so Fri 10, Mon 13, Tue 14 May; the
    # meeting ev-010 on Mon 13 May met it in time: 1 triggered, 1 met, 100.0%.
    assert rows["strategy_meeting_within_three_working_days"][:6] == [
        "1",
        "1",
        "0",
        "0",
        "0",
        "100.0%",
    ]
    # The discussion-or-meeting duty is timed by its local default (reader 5 L5): from the
    # same concern, 3 working days -> end of Tue 14 May; the meeting on Mon 13 May met it.
    assert rows["strategy_discussion_or_meeting_after_concern"][:6] == [
        "1",
        "1",
        "0",
        "0",
        "0",
        "100.0%",
    ]
    # The five overdue ones have taken place zero times: no percentage (a dash). (The
    # medical consideration owed from the physical abuse concern itself, jersey_2024
    # reader 9 M2, is the fifth.)
    for rule in (
        "sender_confirms_receipt_of_flag",
        "medical_considered_after_strategy_discussion",
        "medical_considered_after_strategy_meeting",
        "medical_considered_where_risk_of_abuse_or_neglect",
        "professional_difference_resolved_asap",
    ):
        assert rows[rule][:6] == ["1", "0", "0", "1", "0", "\u2013"], rule
    # Rules with no timescale (e.g. the flag after more than three occasions) are not timed,
    # nor is the risk-graded timescale, which sets none for this ordinary concern.
    assert "flag_after_more_than_three_occasions" not in rows
    assert "strategy_meeting_within_timescale" not in rows
    # Reader 14 M1: the discussion ev-008 (Wed 8 May) decided a meeting was to follow, so
    # the called meeting is owed from ev-007 too; the meeting ev-010, held while a worker is
    # allocated, closes it (cancelled: its timing is the held-meeting rule's row above), so
    # it is triggered once and counted in no outcome column, with no percentage.
    assert rows["strategy_meeting_called_within_three_working_days"][:6] == [
        "1",
        "0",
        "0",
        "0",
        "0",
        "\u2013",
    ]
    assert len(rows) == 8


def test_example_month_table_has_quarter_and_total_rows(
    jersey: tuple[Any, Any, Evaluation, str],
) -> None:
    _pack, _stream, _result, html = jersey
    rows = table(html, "A strategy meeting takes place within three working days")
    assert rows[0][0] == "Month of trigger"
    # Triggered in May 2024 only: the month, then the (cut short) quarter, then all months.
    assert [r[0] for r in rows[1:]] == ["2024-05", "Quarter 2024 Q2", "All months"]
    assert rows[1][1:] == ["1", "1", "0", "0", "0", "0", "100.0%"]


def test_example_overdue_by_rule_and_role(jersey: tuple[Any, Any, Evaluation, str]) -> None:
    _pack, _stream, _result, html = jersey
    rows = table(html, "Overdue obligations by rule and responsible role")[1:]
    by_rule = {r[0].split()[-1]: r for r in rows}
    # The medical after the strategy meeting (ev-010, Mon 13 May, same day) is the
    # strategy meeting chair's; 20 days late at Mon 3 June 17:00.
    medical = by_rule["medical_considered_after_strategy_meeting"]
    assert medical[1] == "Chair of the Strategy Discussion/Meeting strategy_meeting_chair"
    assert medical[2:] == ["1", "1", "20 days"]
    assert "5</strong> obligations are overdue" in html


def test_example_overdue_list_is_sorted_by_how_late(
    jersey: tuple[Any, Any, Evaluation, str],
) -> None:
    _pack, _stream, _result, html = jersey
    data = script_json(html, "report-data")
    s = data["s"]
    listed = [(row[7], s[row[5]]) for row in data["overdue"]]
    # Deadlines by hand (Jersey calendar; Mon 6 May and Mon 27 May are bank holidays):
    # flag receipt (flag Tue 7 May + 1 working day) Wed 8 May and
    # medical after the discussion (Wed 8 May, same day): both Wed 8 May, tie broken by id;
    # medical after the meeting Mon 13 May; the medical owed from the physical abuse
    # concern (Wed 8 May + 3 working days: Thu 9 May is Liberation Day, Fri 10 (1), Mon 13
    # (2), Tue 14 (3)) Tue 14 May; professional difference (raised Wed 15 May + 10 working
    # days, skipping 27 May) Thu 30 May.
    assert listed == [
        ("medical_considered_after_strategy_discussion/ev-008", "25 days"),
        ("sender_confirms_receipt_of_flag/ev-006", "25 days"),
        ("medical_considered_after_strategy_meeting/ev-010", "20 days"),
        ("medical_considered_where_risk_of_abuse_or_neglect/ev-007", "19 days"),
        ("professional_difference_resolved_asap/ev-015", "3 days"),
    ]


def test_stamp_as_of_and_account_are_on_the_page(jersey: tuple[Any, Any, Evaluation, str]) -> None:
    pack, _stream, _result, html = jersey
    assert f"<strong>{pack.id}</strong> version <strong>{pack.version}</strong>" in html
    assert pack.content_hash in html
    assert 'datetime="2024-06-03T17:00:00+01:00">Mon 2024-06-03 17:00' in html
    assert (
        "<strong>20</strong> received, <strong>20</strong> evaluated, <strong>0</strong> rejected"
        in html
    )
    # On the header, the timeline "page" and the footer.
    assert html.count('class="stamp"') == 3
    import safeguard_rules

    assert f"safeguard-rules {safeguard_rules.__version__}" in html


def test_method_of_the_percentage_is_stated(jersey: tuple[Any, Any, Evaluation, str]) -> None:
    html = jersey[3]
    assert "met in time ÷ (met in time + met late)" in html
    assert "15 working days" in html


def test_legend_names_every_status_including_cannot_evaluate(
    jersey: tuple[Any, Any, Evaluation, str],
) -> None:
    html = jersey[3]
    legend = html[html.index('id="legend"') :]
    for label in ("met", "met late", "overdue", "open", "cancelled", "cannot evaluate"):
        assert f'<span class="label">{label}</span>' in legend


def test_child_data_holds_the_explain_trace_and_citation(
    jersey: tuple[Any, Any, Evaluation, str],
) -> None:
    from safeguard_rules import explain

    pack, stream, result, html = jersey
    data = script_json(html, "report-data")
    assert [c[0] for c in data["children"]] == ["child-A", "child-B"]
    child = script_json(html, "c0")
    s = data["s"]
    # timed from the concern ev-007, fired by the meeting ev-010
    obligation = result.obligation("strategy_meeting_within_three_working_days/ev-010")
    row = next(r for r in child["o"] if r[0] == obligation.id)
    expected = explain(pack, obligation, stream.events)
    # Every deadline step after the first (which restates the trigger time) is embedded.
    assert [s[i] for i in data["steps"][row[21]]] == list(expected.deadline_steps[1:])
    assert expected.deadline_steps[-2:] == (
        "2024-05-14 Tue: working day 3",
        "due 2024-05-14T23:59:59.999999+01:00",
    )
    quote, source = data["citations"][row[18]]
    assert s[quote] == expected.quote and s[source] == expected.source


def test_report_is_self_contained(jersey: tuple[Any, Any, Evaluation, str]) -> None:
    html = jersey[3]

    class Links(HTMLParser):
        found: list[tuple[str, str, str]] = []  # noqa: RUF012 - one parser per test

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name in ("href", "src", "action", "xlink:href", "srcset", "poster"):
                    self.found.append((tag, name, value or ""))

    links = Links()
    links.feed(html)
    assert links.found, "the page has in-page links"
    outside = [f for f in links.found if not f[2].startswith(("#", "data:"))]
    assert outside == []
    assert "@import" not in html and "url(http" not in html
    # A CSP that forbids every source but the page's own inline script and style, by hash.
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert csp
    text = html_module.unescape(csp.group(1))
    policy = dict(part.strip().split(" ", 1) for part in text.split(";"))
    assert policy["default-src"] == "'none'"
    (style,) = re.findall(r"<style>(.*?)</style>", html, re.S)
    (script,) = re.findall(r"<script>(.*?)</script>", html, re.S)

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert policy["script-src"] == digest(script)
    assert policy["style-src"] == digest(style)


def test_same_events_in_any_order_give_identical_bytes() -> None:
    pack = load_pack("jersey_2024")
    stream = load_events(EXAMPLES / "child_a_history.jsonl")
    first = render_report(pack, evaluate(pack, stream, JERSEY_AS_OF), stream)
    backwards = list(reversed(stream.events))
    second = render_report(pack, evaluate(pack, backwards, JERSEY_AS_OF), backwards)
    assert first == second


@pytest.mark.parametrize(("pack_name", "file", "as_of"), EXAMPLE_RUNS[1:])
def test_other_examples_render_with_their_figures(pack_name: str, file: str, as_of: str) -> None:
    _pack, _stream, result, html = _example(pack_name, file, as_of)
    overdue = [o for o in result.obligations if o.status == "overdue"]
    assert f"<strong>{len(overdue)}</strong> obligations are overdue" in html
    children = {o.child_id for o in result.obligations}
    assert [c[0] for c in script_json(html, "report-data")["children"]] == sorted(children)


def test_wtsc_example_figures_by_hand() -> None:
    _pack, _stream, _result, html = _example(*EXAMPLE_RUNS[1])
    rows = {r[0].split()[-1]: r[1:] for r in table(html, "All timed rules")[1:]}
    # child-F: concern Wed 23 Dec 2015, three working days on the England calendar: Thu 24
    # (1), Fri 25 and Mon 28 Dec (Christmas, Boxing Day substitute) skipped, Tue 29 (2),
    # Wed 30 (3); the discussion wt-002 on Wed 30 Dec 11:00 is in time: 1 triggered, 1 met.
    assert rows["strategy_discussion_within_timescale"][:6] == ["1", "1", "0", "0", "0", "100.0%"]
    # child-G: penetrative sexual abuse needing forensic evidence, an exception that
    # certainly applies, so its own rule: the same day (Thu 2 Apr); meeting 17:30 that day.
    assert rows["strategy_discussion_same_day"][:6] == ["1", "1", "0", "0", "0", "100.0%"]
    # child-G's meeting record was never made available: 1 triggered, 1 overdue, nothing
    # taken place, so no percentage.
    assert rows["record_available_to_invitees_after_meeting"][:6] == [
        "1",
        "0",
        "0",
        "1",
        "0",
        "\u2013",
    ]


CASELOAD = EXAMPLE_RUNS[3]  # twelve invented children under wtsc_2015, as at Fri 15 Jan 2016


def test_caseload_example_figures_by_hand() -> None:
    _pack, _stream, result, html = _example(*CASELOAD)
    # strategy_discussion_within_timescale, three working days from the concern on the
    # England calendar where no exception certainly applies (K07, serious, is owed the
    # same day by strategy_discussion_same_day instead):
    # 2015 Q3: K09 Thu 6 Aug, due Tue 11 Aug, held Mon 10: met. K08 Tue 15 Sep, due Fri 18
    #   Sep, held Mon 28 Sep: late.
    # 2015 Q4: K01 Mon 5 Oct, due Thu 8, held Tue 6: met. K02 Wed 14 Oct, due Mon 19, held
    #   Fri 16: met. K12 Tue 20 Oct, due Fri 23, held on Thu 22 (date only: the whole day is
    #   before the deadline): met. K03 Thu 5 Nov, due Tue 10, held Wed 18: late. K04 Mon 23
    #   Nov, due Thu 26, none: overdue. K11 Mon 7 Dec, serious_harm unknown, so due Mon 7
    #   (same day) or Thu 10 (three days); held Wed 9: cannot be evaluated. K06 Fri 18 Dec,
    #   due Wed 23, none: overdue. K05 Tue 22 Dec: Wed 23, Thu 24, then Fri 25 and Mon 28
    #   (Christmas, Boxing Day substitute) skipped, Tue 29; held Tue 29: met.
    # 2016-01: K10 Wed 13 Jan, due Mon 18 Jan: open.
    # All: 11 triggered, 5 met, 2 late, 2 overdue, 1 open, 1 cannot evaluate; 5 / 7 = 71.4%.
    # Latest complete quarter before 15 Jan 2016: 2015 Q4, 4 / 5 = 80.0%.
    rows = {r[0].split()[-1]: r[1:] for r in table(html, "All timed rules")[1:]}
    assert table(html, "All timed rules")[0][5:7] == ["Open", "Cannot evaluate"]
    assert rows["strategy_discussion_within_timescale"] == [
        "11", "5", "2", "2", "1", "1", "71.4%", "2015 Q4: 80.0% (4 of 5)",
    ]  # fmt: skip
    title = "Strategy discussion within three working days"
    months = {r[0]: r[1:] for r in table(html, title)[1:]}
    header = table(html, title)[0]
    assert header[-2:] == ["cannot evaluate", "% within timescale"]
    # triggered, met, late, overdue, open, cancelled, cannot evaluate, %
    assert months["2015-12"] == ["3", "1", "0", "1", "0", "0", "1", "100.0%"]
    assert months["Quarter 2015 Q4"] == ["8", "4", "1", "2", "0", "0", "1", "80.0%"]
    assert months["All months"] == ["11", "5", "2", "2", "1", "0", "1", "71.4%"]
    assert "neither within timescale nor late" in html
    # The account on every page: 29 records, one outcome that cannot be evaluated.
    assert html.count("Outcomes that cannot be evaluated: <strong>1</strong>") == 3
    assert result.account.cannot_evaluate == 1
    # Overdue now: K04's and K06's discussions (and K02's record), never K11's. Neither
    # K04's nor K06's concern was ever discussed, so who takes part is overdue too (reader
    # 6 M5, local default 5 working days): K04 Mon 23 Nov 2015 -> Mon 30 Nov; K06 Fri 18
    # Dec -> Mon 21, Tue 22, Wed 23, Thu 24, (Fri 25, Mon 28 closed) Tue 29 Dec.
    data = script_json(html, "report-data")
    names = [row[0] for row in data["children"]]
    listed = sorted((names[row[0]], row[-1].split("/")[0]) for row in data["overdue"])
    participation = [
        "strategy_discussion_involves_csc",
        "strategy_discussion_involves_health",
        "strategy_discussion_involves_police",
    ]
    assert listed == [
        ("child-K02", "record_available_to_invitees_after_discussion"),
        *[("child-K04", rule) for rule in participation],
        ("child-K04", "strategy_discussion_within_timescale"),
        *[("child-K06", rule) for rule in participation],
        ("child-K06", "strategy_discussion_within_timescale"),
    ]
    # The index counts K11's outcome that cannot be evaluated.
    assert {row[0]: row[7] for row in data["children"]}["child-K11"] == 1
    k11 = script_json(html, f"c{names.index('child-K11')}")
    [row] = [o for o in k11["o"] if o[0] == "strategy_discussion_within_timescale/k11-1"]
    strings = data["s"]
    assert strings[row[9]] == "cannot_evaluate"
    assert strings[row[22]] == "concern_identified.serious_harm"
    # K12's discussion has only a date: its time is the middle of the day plus half a
    # minute, which the page writes as the date alone (never a clock time).
    k12 = script_json(html, f"c{names.index('child-K12')}")
    [held] = [e for e in k12["e"] if e[0] == "k12-2"]
    assert held[2] % 1 == 0.5


def test_report_command_on_the_caseload(tmp_path: Path) -> None:
    pack_name, file, as_of = CASELOAD
    out = tmp_path / "caseload.html"
    done = CliRunner().invoke(
        main,
        ["report", "--pack", pack_name, "--as-of", as_of, str(EXAMPLES / file), "-o", str(out)],
    )
    assert done.exit_code == 0, done.output
    # Twelve children (K01-K12). Each concern owes a discussion and its timescale (2 each);
    # each of the nine discussions held owes the chair's record and its circulation (2
    # each): 24 + 18 = 42 obligations; and each concern owes that its strategy involve
    # children's social care, the police and health (3 each, reader 6 M5): 42 + 36 = 78.
    # Overdue: K04's and K06's discussions, the 3 + 3 participation obligations of those two
    # never-discussed concerns, and K02's record: 9; K11's discussion cannot be evaluated
    # (test above, by hand).
    size = len(out.read_bytes())
    assert done.output == (
        f"wrote {out}: 12 children, 78 obligations (9 overdue, 1 cannot be evaluated), "
        f"{size:,} bytes\n"
    )


def test_an_undecided_obligation_is_counted_beside_the_overdue_list() -> None:
    pack = load_pack("wtsc_2015")
    # serious_harm unknown, nothing held, as at Tue 8 Dec 2015 17:00: the same-day deadline
    # (Mon 7 Dec) has passed and the three working days (Thu 10 Dec) have not, so it may be
    # overdue or open: not in the overdue list, counted beside it. (looked_after is
    # recorded false so the fostering-service participation obligation is not owed.)
    stream = parse_events(
        [
            {"id": "u1", "type": "concern_identified", "child_id": "child-U1",
             "at": "2015-12-07T10:00:00+00:00", "category": "physical_abuse",
             "enquiry_decision_needed": True, "immediate_action_taken": False,
             "complex": False, "looked_after": False, "unknown": ["serious_harm"]},
        ]
    )  # fmt: skip
    result = evaluate(pack, stream, datetime.fromisoformat("2015-12-08T17:00:00+00:00"))
    html = render_report(pack, result, stream)
    assert "<strong>0</strong> obligations are overdue" in html
    assert "<strong>1</strong> further obligation is not met and cannot be evaluated" in html


# --- a generated stream of 2,000 children -------------------------------------------------


def test_generated_timeliness_tables_match_the_evaluation(
    generated: tuple[Any, Any, Evaluation, str],
) -> None:
    pack, _stream, result, html = generated
    tz = pack.calendar.tz
    expected = expected_timeliness(result, tz)
    titles = {c.rule.id: c.rule.title for c in pack.rules}
    assert expected, "the generated stream has timed obligations"
    checked_rows = 0
    for rule, months in expected.items():
        rows = table(html, f"{titles[rule]}: obligations by month of trigger")
        by_label = {r[0]: r[1:] for r in rows[1:]}
        quarters: dict[str, Counter[str]] = {}
        for month, counts in months.items():
            quarter = quarter_of(datetime.strptime(month, "%Y-%m").date())
            quarters.setdefault(quarter, Counter()).update(counts)
            cells = by_label[month]
            assert cells[:6] == [
                str(sum(counts.values())),
                str(counts["met"]),
                str(counts["met_late"]),
                str(counts["overdue"]),
                str(counts["open"]),
                str(counts["cancelled"]),
            ], (rule, month)
            assert cells[-1] == share_text(counts["met"], counts["met_late"]), (rule, month)
            checked_rows += 1
        for quarter, counts in quarters.items():
            cells = by_label[f"Quarter {quarter}"]
            assert cells[0] == str(sum(counts.values())), (rule, quarter)
            assert cells[-1] == share_text(counts["met"], counts["met_late"]), (rule, quarter)
        total: Counter[str] = sum(months.values(), Counter())
        assert by_label["All months"][-1] == share_text(total["met"], total["met_late"])
    assert checked_rows > 400  # about 500 month rows across the timed rules


def test_generated_overdue_list_and_index(generated: tuple[Any, Any, Evaluation, str]) -> None:
    _pack, stream, result, html = generated
    overdue = sorted(
        (o for o in result.obligations if o.status == "overdue"),
        key=lambda o: (o.due, o.child_id, o.id),
    )
    assert f"<strong>{len(overdue)}</strong> obligations are overdue" in html
    data = script_json(html, "report-data")
    assert [row[7] for row in data["overdue"]] == [o.id for o in overdue]
    children = sorted({e.child_id for e in stream.events})
    assert len(children) == 2000
    index = data["children"]
    assert [row[0] for row in index] == children
    per_child = Counter(o.child_id for o in overdue)
    assert [row[3] for row in index] == [per_child[c] for c in children]
    # The latest complete quarter before 1 January 2026 is 2025 Q4.
    assert "Latest complete quarter, 2025 Q4" in html


def test_generated_due_times_in_child_data(generated: tuple[Any, Any, Evaluation, str]) -> None:
    pack, _stream, result, html = generated
    tz = pack.calendar.tz
    data = script_json(html, "report-data")
    number = {row[0]: i for i, row in enumerate(data["children"])}
    sample = result.obligations[:: max(1, len(result.obligations) // 50)]
    for o in sample:
        child = script_json(html, f"c{number[o.child_id]}")
        row = next(r for r in child["o"] if r[0] == o.id)
        if o.due is not None:
            # Local minutes since 1970-01-01 in the pack's time zone, worked out here.
            local = o.due.astimezone(tz)
            days = (local.date() - datetime(1970, 1, 1).date()).days
            assert row[8] == days * 1440 + local.hour * 60 + local.minute
        assert data["s"][row[9]] == o.status


# --- statuses the report does not know, and local defaults ---------------------------------


def _with(obligation: Any, **fields: Any) -> Any:
    names = {f.name for f in dataclasses.fields(obligation)}
    if set(fields) <= names:
        return dataclasses.replace(obligation, **fields)

    @dataclasses.dataclass(frozen=True)
    class Later(type(obligation)):  # type: ignore[misc]
        basis: str = "source"
        parameter: str | None = None

    known = {k: v for k, v in fields.items() if k in names}
    values = {f.name: getattr(obligation, f.name) for f in dataclasses.fields(obligation)}
    values.update(known)
    return Later(**values, **{k: v for k, v in fields.items() if k not in names})


def test_unknown_status_is_shown_by_name(jersey: tuple[Any, Any, Evaluation, str]) -> None:
    pack, stream, result, _html = jersey
    changed = tuple(
        _with(o, status="cannot_evaluate")
        if o.rule == "strategy_meeting_within_three_working_days"
        else _with(o, status="paused")
        if o.rule == "sender_confirms_receipt_of_flag"
        else o
        for o in result.obligations
    )
    html = render_report(pack, dataclasses.replace(result, obligations=changed), stream)
    rows = table(html, "A strategy meeting takes place within three working days")
    assert rows[0][-2:] == ["cannot evaluate", "% within timescale"]
    assert rows[1][0] == "2024-05" and rows[1][-2:] == ["1", "\u2013"]
    receipt = table(html, "The sending agency makes sure its email was received")
    assert receipt[0][-2:] == ["paused", "% within timescale"]
    assert script_json(html, "report-data")["s"].count("paused") == 1


def test_local_default_deadline_is_labelled(jersey: tuple[Any, Any, Evaluation, str]) -> None:
    pack, stream, result, _html = jersey
    changed = tuple(
        _with(o, basis="local_default", parameter="medical_consideration_timescale")
        if o.rule == "medical_considered_after_strategy_meeting"
        else _with(o, basis="source", parameter=None)
        for o in result.obligations
    )
    html = render_report(pack, dataclasses.replace(result, obligations=changed), stream)
    data = script_json(html, "report-data")
    child = script_json(html, "c0")
    row = next(
        r
        for r in child["o"]
        if r[1] is not None and r[0].startswith("medical_considered_after_strategy_meeting/")
    )
    assert data["s"][row[15]] == "local_default"
    assert data["s"][row[16]] == "medical_consideration_timescale"
    other = next(r for r in child["o"] if r[0].startswith("strategy_meeting_within_timescale/"))
    assert data["s"][other[15]] == "source"


# --- the command ---------------------------------------------------------------------------


def test_report_command_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    args = ["report", "--pack", "jersey_2024", "--as-of", "2024-06-03T17:00:00+01:00"]
    done = CliRunner().invoke(
        main, [*args, str(EXAMPLES / "child_a_history.jsonl"), "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    # 12: reader 14 M1 adds the meeting the discussion ev-008 called, closed by ev-010
    assert done.output.startswith(f"wrote {out}: 2 children, 12 obligations (5 overdue), ")
    pack = load_pack("jersey_2024")
    stream = load_events(EXAMPLES / "child_a_history.jsonl")
    expected = render_report(pack, evaluate(pack, stream, JERSEY_AS_OF), stream)
    assert out.read_text(encoding="utf-8") == expected
    quiet = CliRunner().invoke(
        main, [*args, str(EXAMPLES / "child_a_history.jsonl"), "-o", str(out), "-q"]
    )
    assert quiet.exit_code == 0 and quiet.output == ""


def test_report_command_lists_rejections_and_exits_1(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    lines = (EXAMPLES / "child_a_history.jsonl").read_text().splitlines()
    events.write_text("\n".join([*lines, '{"id": "ev-999", "type": "no_such_event"}']) + "\n")
    out = tmp_path / "r.html"
    done = CliRunner().invoke(
        main,
        [
            "report",
            "--pack",
            "jersey_2024",
            "--as-of",
            "2024-06-03T17:00:00+01:00",
            str(events),
            "-o",
            str(out),
        ],
    )
    assert done.exit_code == 1
    assert "rejected: " in done.output
    html = out.read_text()
    assert (
        "<strong>21</strong> received, <strong>20</strong> evaluated, <strong>1</strong> rejected"
        in html
    )
    assert table(html, "Rejected records")[1][0] == f"{events}:21"


def test_report_command_cannot_write(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        main,
        ["report", "--pack", "jersey_2024", "--as-of", "2024-06-03T17:00:00+01:00",
         str(EXAMPLES / "child_a_history.jsonl"), "-o", str(tmp_path / "missing" / "r.html")],
    )  # fmt: skip
    assert done.exit_code == 2
    assert f"cannot write {tmp_path / 'missing' / 'r.html'}" in done.output


# --- large inputs: --child and --max-children ----------------------------------------------


def _report_cli(tmp_path: Path, events: Path, *extra: str) -> tuple[str, str]:
    out = tmp_path / f"r{len(list(tmp_path.iterdir()))}.html"
    done = CliRunner().invoke(
        main,
        ["report", "--pack", "jersey_2024", "--as-of", "2026-01-01T00:00:00+00:00",
         str(events), "-o", str(out), *extra],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    return out.read_text(encoding="utf-8"), done.output


def _timelines(html: str) -> list[int]:
    return sorted(int(n) for n in re.findall(r'<script type="application/json" id="c(\d+)">', html))


def test_max_children_embeds_the_most_overdue_timelines_and_counts_everyone(
    tmp_path: Path, children_100: Path
) -> None:
    stream = load_events(children_100)
    result = evaluate(load_pack("jersey_2024"), stream, GENERATED_AS_OF)
    full, _said = _report_cli(tmp_path, children_100)
    small, said = _report_cli(tmp_path, children_100, "--max-children", "5")
    # The figures and the overdue list are over all children: the same tables.
    for caption in ("All timed rules", "Overdue obligations by rule"):
        assert table(small, caption) == table(full, caption)
    index = [row[0] for row in script_json(small, "report-data")["children"]]
    assert index == sorted({e.child_id for e in stream.events}) and len(index) == 100

    def overdue_rows(html: str) -> list[tuple[int, str]]:  # (child number, obligation id)
        return [(row[0], row[-1]) for row in script_json(html, "report-data")["overdue"]]

    assert overdue_rows(small) == overdue_rows(full)
    assert len(overdue_rows(small)) == sum(o.status == "overdue" for o in result.obligations)
    # Worked out here: children ranked by overdue count, then obligations, then id.
    overdue = Counter(o.child_id for o in result.obligations if o.status == "overdue")
    obligations = Counter(o.child_id for o in result.obligations)
    ranked = sorted(index, key=lambda c: (-overdue[c], -obligations[c], c))[:5]
    assert _timelines(small) == sorted(index.index(c) for c in ranked)
    assert len(_timelines(full)) == 100
    # A kept child's timeline data has every obligation of theirs.
    first = index.index(ranked[0])
    kept = script_json(small, f"c{first}")["o"]
    assert sorted(row[0] for row in kept) == sorted(
        o.id for o in result.obligations if o.child_id == ranked[0]
    )
    assert "Timelines of 5 of the 100 children are in this file" in small
    assert "(5 timelines)" in said
    assert len(small) < len(full) / 2  # the figures and shared tables stay


def test_child_option_restricts_the_whole_report(tmp_path: Path, children_100: Path) -> None:
    result = evaluate(load_pack("jersey_2024"), load_events(children_100), GENERATED_AS_OF)
    everyone = sorted({o.child_id for o in result.obligations})
    chosen = [everyone[3], everyone[40]]
    html, said = _report_cli(tmp_path, children_100, "--child", chosen[1], "--child", chosen[0])
    data = script_json(html, "report-data")
    assert [row[0] for row in data["children"]] == chosen
    assert _timelines(html) == [0, 1]
    # The overview counts only their obligations, worked out from the evaluation here.
    mine = [o for o in result.obligations if o.child_id in chosen and o.due is not None]
    rows = {row[0].split()[-1]: row[1:] for row in table(html, "All timed rules")[1:]}
    per_rule: dict[str, Counter[str]] = {}
    for o in mine:
        per_rule.setdefault(o.rule, Counter())[o.status] += 1
    assert set(rows) == set(per_rule)
    for rule, counts in per_rule.items():
        assert rows[rule][:6] == [
            str(sum(counts.values())), str(counts["met"]), str(counts["met_late"]),
            str(counts["overdue"]), str(counts["open"]),
            share_text(counts["met"], counts["met_late"]),
        ], rule  # fmt: skip
    assert len(data["overdue"]) == sum(
        1 for o in result.obligations if o.child_id in chosen and o.status == "overdue"
    )
    assert "Restricted to 2 children" in html
    assert "2 children" in said
    missing = CliRunner().invoke(
        main,
        ["report", "--pack", "jersey_2024", "--as-of", "2026-01-01T00:00:00+00:00",
         str(children_100), "-o", str(tmp_path / "x.html"), "--child", "child-nobody"],
    )  # fmt: skip
    assert missing.exit_code == 2
    assert "--child 'child-nobody': no event of the input is about this child" in missing.output
    assert not (tmp_path / "x.html").exists()


# --- progress bars ---------------------------------------------------------------------------


def _on_terminal(args: list[str], env: dict[str, str], stdout: Path | None = None) -> str:
    """Run the CLI with stderr on a pseudo-terminal; what the terminal got. Standard
    output goes to the file ``stdout`` (or nowhere)."""
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update({"TERM": "xterm-256color", "COLUMNS": "120", **env})
    master, slave = pty.openpty()
    out = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "safeguard_rules", *args],
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=slave,
        env=environment,
    )
    if stdout is not None:
        out.close()  # type: ignore[union-attr]
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    process.wait(timeout=60)
    os.close(master)
    assert process.returncode == 0
    return seen.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def children_100(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_children_stream(100, 2, tmp_path_factory.mktemp("gen") / "c100.jsonl")


def test_progress_bar_on_a_terminal(tmp_path: Path, children_100: Path) -> None:
    args = ["report", "--pack", "jersey_2024", "--as-of", "2026-01-01T00:00:00+00:00",
            str(children_100), "-o", str(tmp_path / "r.html")]  # fmt: skip
    shown = _on_terminal(args, {})
    assert "Building the report" in shown
    assert re.search(r"\x1b\[[0-9;]*3[0-9](;[0-9]+)*m", shown), "coloured on a terminal"
    no_color = _on_terminal(args, {"NO_COLOR": "1"})
    assert "Building the report" in no_color
    colours = re.findall(r"\x1b\[([0-9;]*)m", no_color)
    assert not [c for c in colours if re.search(r"(^|;)(3[0-9]|9[0-7]|38)(;|$)", c)], colours
    assert _on_terminal([*args, "--quiet"], {}) == ""


def test_evaluate_shows_progress_on_a_terminal_only(children_100: Path) -> None:
    args = ["evaluate", "--pack", "jersey_2024", "--as-of", "2026-01-01T00:00:00+00:00",
            "--format", "json", str(children_100)]  # fmt: skip
    assert "Evaluating" in _on_terminal(args, {})
    assert _on_terminal([*args, "-q"], {}) == ""
    # Not a terminal (CliRunner): nothing but the JSON.
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0
    assert done.output.startswith("{") and "Evaluating" not in done.output


def test_import_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    from census_xml import generate_census  # the tests' census writer (invented children)

    census = tmp_path / "return.xml"
    census.write_text(generate_census(150, seed=3), encoding="utf-8")
    expected = import_cin_census(census).to_jsonl()
    events = tmp_path / "events.jsonl"
    args = ["import", "cin-census", str(census), "-o", str(events)]
    shown = _on_terminal(args, {})
    assert "Importing children" in shown
    assert "children: 150 (0 rejected)" in shown
    assert events.read_text(encoding="utf-8") == expected
    no_color = _on_terminal(args, {"NO_COLOR": "1"})
    assert "Importing children" in no_color
    colours = re.findall(r"\x1b\[([0-9;]*)m", no_color)
    assert not [c for c in colours if re.search(r"(^|;)(3[0-9]|9[0-7]|38)(;|$)", c)], colours
    # --quiet: no bar and no summary; a clean return has nothing else to say.
    assert _on_terminal([*args, "--quiet"], {}) == ""
    # Events on standard output with the bar on the terminal: the bar never captures them.
    piped = tmp_path / "stdout.jsonl"
    shown = _on_terminal(["import", "cin-census", str(census)], {}, stdout=piped)
    assert "Importing children" in shown and '"child_id"' not in shown
    assert piped.read_text(encoding="utf-8") == expected
    # Not a terminal (CliRunner): the events and the summary, no bar.
    done = CliRunner().invoke(main, ["import", "cin-census", str(census)])
    assert done.exit_code == 0
    assert "Importing children" not in done.output
    assert done.stdout == expected
    assert "children: 150 (0 rejected)" in done.stderr
