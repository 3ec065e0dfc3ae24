"""Lint checks: the documented examples, every diagnostic's code, level, line and text.

Packs here are the minimal pack of docs/lint.md (tests/lint_docgen.py) with the sections a
test gives itself placed first, so the line numbers in each test are those of its own text.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from lint_docgen import BASE_SOURCE, DOC, Example, complete, examples, render

from safeguard_rules import (
    LINT_CHECKS,
    Diagnostic,
    PackNotFoundError,
    UnknownCheckError,
    evaluate,
    explain,
    lint_packs,
    load_pack,
    parse_events,
    validate_packs,
)
from safeguard_rules._lint import BUNDLED, normalise_quote, pack_files, render_github, render_text
from safeguard_rules._lint._sources import split_sentences

ROOT = Path(__file__).resolve().parents[1]


def write_pack(
    directory: Path, text: str, name: str = "pack.yaml", source: str = BASE_SOURCE
) -> Path:
    (directory / "guide.txt").write_text(source, encoding="utf-8")
    path = directory / name
    path.write_text(complete(text), encoding="utf-8")
    return path


def lint_one(tmp_path: Path, text: str, **kwargs: str) -> list[Diagnostic]:
    # A rule given a broken citation also leaves the guide's sentence unaccounted for:
    # that is source-sentence-unaccounted's concern, tested on its own below.
    path = write_pack(tmp_path, text, **kwargs)
    return list(lint_packs([path], disable=["source-sentence-unaccounted"]).diagnostics)


def only(found: list[Diagnostic]) -> tuple[str, str, int, int, str]:
    assert len(found) == 1, [str(d) for d in found]
    d = found[0]
    return d.level, d.code, d.line, d.column, d.message


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


# --- the documented examples ----------------------------------------------------------------


def test_lint_doc_is_generated_from_the_checks() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "run: python tests/lint_docgen.py"


def test_every_check_documents_a_passing_and_a_failing_example() -> None:
    found = {(e.check, e.passes) for e in examples()}
    assert found == {(c, passes) for c in LINT_CHECKS for passes in (True, False)}
    for check in LINT_CHECKS.values():
        assert check.summary.endswith(".")
        assert check.level in ("error", "warning")


def _example_id(example: Example) -> str:
    return f"{example.check}-{'passes' if example.passes else 'fails'}"


@pytest.mark.parametrize("example", examples(), ids=_example_id)
def test_documented_example(example: Example, tmp_path: Path) -> None:
    packs = example.write(tmp_path)
    report = lint_packs(packs)
    got = sorted(
        (str(Path(d.file).relative_to(tmp_path)), d.code, d.line) for d in report.diagnostics
    )
    if example.passes:
        assert got == []
        assert example.marked == []
    else:
        assert example.marked, "a failing example marks its line with '# <- check-id'"
        assert {code for _file, code, _line in example.marked} == {example.check}
        # Only this check's diagnostics: a rule without its citation also leaves the
        # source's sentence unaccounted, which is another check's concern.
        assert [g for g in got if g[1] == example.check] == example.marked


def test_lint_doc_python_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    (block,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "docs/lint.md", "exec"), {})  # noqa: S102 - the doc's own example
    assert out.getvalue() == "True\n"  # the shipped packs lint clean, even with --strict


# --- the shipped packs ----------------------------------------------------------------------


def test_shipped_packs_lint_clean_with_every_check() -> None:
    report = lint_packs([ROOT / "policies"])
    assert [str(d) for d in report.diagnostics] == []
    assert [Path(p.file).name for p in report.packs] == [
        "jersey_2019.yaml",
        "jersey_2024.yaml",
        "wirral_2019.yaml",
        "wtsc_2015.yaml",
    ]
    assert all(p.loads and p.errors == 0 and p.warnings == 0 for p in report.packs)
    assert report.checks == tuple(LINT_CHECKS)


# --- missing-citation -----------------------------------------------------------------------

RULE_WITHOUT_CITATION = """\
rules:
  - id: strategy_meeting_within_three_working_days
    title: Strategy meeting within three working days
    strength: must
    when: {event: strategy_meeting_requested}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
"""


def test_missing_citation(tmp_path: Path) -> None:
    assert only(lint_one(tmp_path, RULE_WITHOUT_CITATION)) == (
        "error",
        "missing-citation",
        2,
        5,
        "rule 'strategy_meeting_within_three_working_days' has no citation; add "
        "'citation: {source: ..., quote: ...}' quoting the sentence it encodes (sources: guide)",
    )


def test_a_draft_rule_without_citation_loads_and_evaluates_with_a_null_citation(
    tmp_path: Path,
) -> None:
    path = write_pack(tmp_path, RULE_WITHOUT_CITATION)
    assert validate_packs([path]).diagnostics == ()
    pack = load_pack(path)
    events = parse_events(
        [
            {
                "id": "r1",
                "type": "strategy_meeting_requested",
                "child_id": "c1",
                "at": "2024-05-07T10:00:00+01:00",
                "requested_by_role": "team_manager",
            },
        ]
    ).events
    result = evaluate(pack, events, datetime.fromisoformat("2024-05-20T12:00:00+01:00"))
    (obligation,) = result.obligations
    assert obligation.status == "overdue"  # due end of Fri 10 May 2024
    assert obligation.to_dict()["citation"] is None
    assert json.loads(result.to_json())["findings"][0]["citation"] is None
    explanation = explain(pack, obligation, events)
    assert explanation.to_dict()["citation"] is None
    assert "  source    none: the rule has no citation (a draft)\n" in explanation.text()


# --- source-file-missing and quote-not-in-source --------------------------------------------


def test_source_file_missing(tmp_path: Path) -> None:
    text = """\
pack:
  id: example
  title: An example pack
  jurisdiction: northshire
  version: "1"
  effective_from: 2024-01-01
  sources:
    - {id: guide, file: captured/guide.txt, title: Northshire safeguarding guide}
"""
    assert only(lint_one(tmp_path, text)) == (
        "error",
        "source-file-missing",
        8,
        19,
        f"source 'guide': no file 'captured/guide.txt' beside the pack (looked for "
        f"{tmp_path / 'captured' / 'guide.txt'})",
    )


CITED = """\
rules:
  - id: strategy_meeting_within_three_working_days
    title: Strategy meeting within three working days
    citation:
      source: guide
      quote: "{quote}"
    strength: must
    when: {{event: strategy_meeting_requested}}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due: {{working_days: 3}}
      satisfied_by: {{event: strategy_meeting_held}}
"""


def test_quote_not_in_source_says_where_it_departs(tmp_path: Path) -> None:
    text = CITED.format(quote="Strategy meetings will take place within five working days.")
    assert only(lint_one(tmp_path, text)) == (
        "error",
        "quote-not-in-source",
        6,
        7,
        "quote does not occur in source 'guide': the source agrees up to "
        "'...tegy meetings will take place within ', then differs at 'five working days.'",
    )


def test_quote_with_nothing_in_common(tmp_path: Path) -> None:
    text = CITED.format(quote="Conferences are held within fifteen days.")
    assert only(lint_one(tmp_path, text))[4] == (
        "quote does not occur in source 'guide': no part of it was found "
        "(quote begins 'Conferences are held within fifteen days')"
    )


def test_quotes_compare_without_regard_to_whitespace_typographic_quotes_and_dashes(
    tmp_path: Path,
) -> None:
    source = (
        "The chair\u2019s \u201crecord\u201d \u2013 made\u00a0at\n   the time \u2014 is kept.\n"
    )
    text = CITED.format(quote='The chair\'s \\"record\\" - made at the time - is kept.')
    assert lint_one(tmp_path, text, source=source) == []
    assert normalise_quote(source) == 'The chair\'s "record" - made at the time - is kept.'


def test_quotes_in_routes_cases_parameters_and_paths_are_checked(tmp_path: Path) -> None:
    text = """\
parameters:
  record_timescale:
    description: How soon the record goes out (local choice).
    default: {working_days: 1}
    basis: local_default
    citation: {source: guide, quote: "Records go out as soon as practicable."}
escalation_paths:
  disagreement:
    description: Who a disagreement goes to.
    citation: {source: guide, quote: "Disagreements go to the head of service."}
    steps: {team_manager: head_of_service}
roles:
  team_manager: {title: Team Manager}
  head_of_service: {title: Head of Service}
rules:
  - id: meeting
    title: Strategy meeting
    citation: {source: guide, quote: "Strategy meetings will take place within three working days."}
    strength: must
    when: {event: concern_identified}
    routes:
      - name: serious
        when: {field: serious_harm, is: true}
        citation: {source: guide, quote: "Serious cases are discussed the same day."}
        require:
          action: hold_strategy_meeting
          responsible: team_manager
          satisfied_by: {event: strategy_meeting_held}
          due:
            table:
              hit_policy: first
              cases:
                - label: immediate action
                  when: {field: immediate_action_taken, is: true}
                  within: {hours: 4}
                  citation: {source: guide, quote: "Immediate action needs a meeting in hours."}
                - label: otherwise
                  within: {same_day: true}
      - name: otherwise
        require:
          action: hold_strategy_meeting
          responsible: team_manager
          due: {parameter: record_timescale}
          satisfied_by: {event: strategy_meeting_held}
          escalation: {action: escalate_meeting, responsible: team_manager, path: disagreement}
"""
    found = lint_one(tmp_path, text)
    assert [(d.code, d.line) for d in found] == [
        ("quote-not-in-source", 6),
        ("quote-not-in-source", 10),
        ("quote-not-in-source", 24),
        ("quote-not-in-source", 36),
    ]


# --- role-unused and role-undefined ---------------------------------------------------------


def test_role_unused(tmp_path: Path) -> None:
    text = "roles:\n  team_manager: {title: Team Manager}\n  head_of_service: {title: Head of Service}\n"
    assert only(lint_one(tmp_path, text)) == (
        "warning",
        "role-unused",
        3,
        3,
        "role 'head_of_service' is defined but no rule uses it (as responsible, copied in, "
        "escalation, escalation path or in a condition); remove it or use it",
    )


def test_roles_named_in_conditions_escalations_and_paths_are_used(tmp_path: Path) -> None:
    text = """\
roles:
  team_manager: {title: Team Manager}
  chair: {title: Chair}
  recipient: {title: Recipient}
  escalated_to: {title: Escalated to}
  copied: {title: Copied in on escalation}
  senior: {title: Senior manager}
escalation_paths:
  up:
    description: Up the line.
    steps: {escalated_to: senior}
rules:
  - id: meeting
    title: Strategy meeting
    citation: {source: guide, quote: "Strategy meetings will take place within three working days."}
    strength: must
    when: {event: strategy_meeting_requested}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      satisfied_by:
        event: strategy_meeting_held
        where: {field: chair_role, in: [chair]}
      cancelled_by:
        event: strategy_meeting_cancelled
        where: {not: {field: notified, contains_any: [recipient]}}
      escalation: {action: escalate, responsible: escalated_to, copied_in: [copied], path: up}
"""
    assert lint_one(tmp_path, text) == []


def test_a_role_named_only_where_a_run_closes_is_used(tmp_path: Path) -> None:
    # earliest_since's closing events are conditions too: 'chair' appears only there.
    text = """\
roles:
  team_manager: {title: Team Manager}
  chair: {title: Chair}
rules:
  - id: meeting
    title: Strategy meeting
    citation: {source: guide, quote: "Strategy meetings will take place within three working days."}
    strength: must
    when: {event: strategy_meeting_held}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due: {working_days: 3}
      due_from:
        event: concern_identified
        earliest_since:
          - {event: strategy_meeting_held}
          - {event: strategy_discussion_held, where: {field: chair_role, is: chair}}
      satisfied_by: {event: strategy_meeting_held}
"""
    assert lint_one(tmp_path, text) == []
    unused = text.replace(
        "          - {event: strategy_discussion_held, where: {field: chair_role, is: chair}}\n", ""
    )
    assert [d.code for d in lint_one(tmp_path, unused)] == ["role-unused"]


def test_role_undefined_is_one_load_diagnostic_with_a_suggestion(tmp_path: Path) -> None:
    text = CITED.format(quote="Strategy meetings will take place within three working days.")
    text = text.replace("responsible: team_manager", "responsible: team_manger")
    assert only(lint_one(tmp_path, text)) == (
        "error",
        "role-undefined",
        11,
        7,
        "unknown role 'team_manger'; did you mean 'team_manager'?; define it under 'roles' "
        "(roles are: team_manager)",
    )


def test_a_role_literal_in_a_condition_must_be_defined(tmp_path: Path) -> None:
    text = CITED.format(quote="Strategy meetings will take place within three working days.")
    text = text.replace(
        "satisfied_by: {event: strategy_meeting_held}",
        "satisfied_by: {event: strategy_meeting_held, where: {field: chair_role, is: team_manger}}",
    )
    assert only(lint_one(tmp_path, text)) == (
        "error",
        "role-undefined",
        13,
        79,
        "'team_manger' is not a role or agency of this pack; did you mean 'team_manager'?; "
        "define it under 'roles' or 'agencies'",
    )


# --- unreachable-case -----------------------------------------------------------------------

TABLE = """\
rules:
  - id: meeting
    title: Strategy meeting
    citation: {{source: guide, quote: "Strategy meetings will take place within three working days."}}
    strength: must
    when: {{event: concern_identified}}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      satisfied_by: {{event: strategy_meeting_held}}
      due:
        table:
          hit_policy: first
          cases:
{cases}"""


def test_a_case_after_an_unconditional_case_is_unreachable(tmp_path: Path) -> None:
    cases = """\
            - label: serious harm
              when: {field: serious_harm, is: true}
              within: {same_day: true}
            - label: usually
              within: {working_days: 3}
            - label: complex
              when: {field: complex, is: true}
              within: {working_days: 5}
            - label: otherwise
              within: {working_days: 3}
"""
    found = lint_one(tmp_path, TABLE.format(cases=cases))
    assert [(d.level, d.code, d.line, d.column, d.message) for d in found] == [
        (
            "error",
            "unreachable-case",
            21,
            15,
            "case 'complex' is never reached: case 'usually' "
            "(line 18) before it has no 'when', so it matches first every time",
        ),
        (
            "error",
            "unreachable-case",
            23,
            15,
            "case 'otherwise' is never reached: case 'usually' "
            "(line 18) before it has no 'when', so it matches first every time",
        ),
    ]


def test_a_case_repeating_an_earlier_condition_is_unreachable(tmp_path: Path) -> None:
    cases = """\
            - label: serious harm
              when: {all: [{field: serious_harm, is: true}, {field: complex, is: false}]}
              within: {same_day: true}
            - label: serious and simple
              when: {all: [{field: serious_harm, is: true}, {field: complex, is: false}]}
              within: {hours: 2}
            - label: otherwise
              within: {working_days: 3}
"""
    assert only(lint_one(tmp_path, TABLE.format(cases=cases))) == (
        "error",
        "unreachable-case",
        19,
        15,
        "case 'serious and simple' is never reached: its 'when' repeats that of case "
        "'serious harm' (line 15), which is tried first",
    )


def test_a_similar_but_different_condition_is_reachable(tmp_path: Path) -> None:
    cases = """\
            - label: serious harm
              when: {field: serious_harm, is: true}
              within: {same_day: true}
            - label: not serious
              when: {field: serious_harm, is: false}
              within: {hours: 2}
            - label: otherwise
              within: {working_days: 3}
"""
    assert lint_one(tmp_path, TABLE.format(cases=cases)) == []


def test_a_route_after_an_unconditional_route_is_unreachable(tmp_path: Path) -> None:
    text = """\
rules:
  - id: routed
    title: Routed
    citation: {source: guide, quote: "Strategy meetings will take place within three working days."}
    strength: must
    when: {event: concern_identified}
    routes:
      - name: always
        require: {action: hold_strategy_meeting, responsible: team_manager, satisfied_by: {event: strategy_meeting_held}}
      - name: serious
        when: {field: serious_harm, is: true}
      - name: otherwise
"""
    found = lint_one(tmp_path, text)
    assert [(d.code, d.line, d.column) for d in found] == [
        ("unreachable-case", 11, 9),
        ("unreachable-case", 12, 9),
    ]
    assert found[0].message == (
        "route 'serious' is never reached: route 'always' (line 8) before it has no 'when', "
        "so it matches first every time"
    )


# --- overlapping-effective-dates ------------------------------------------------------------


def dated(pack_id: str, jurisdiction: str, start: str, end: str | None = None) -> str:
    until = f"  effective_to: {end}\n" if end else ""
    return (
        f"pack:\n  id: {pack_id}\n  title: A pack\n  jurisdiction: {jurisdiction}\n"
        f'  version: "1"\n  effective_from: {start}\n{until}'
        "  sources:\n    - {id: guide, file: guide.txt, title: Guide}\n"
    )


def test_bundled_packs_are_examples_not_an_authority(tmp_path: Path) -> None:
    # A local Jersey pack in force in 2024 overlaps the bundled jersey_2019 (to 2024-02-29)
    # and jersey_2024 (from 2024-03-01): named alone, it is compared with nothing else.
    path = write_pack(tmp_path, dated("jersey_local", "jersey", "2024-01-01", "2024-12-31"))
    assert lint_packs([path]).diagnostics == ()


def test_overlap_with_a_bundled_pack_when_asked(tmp_path: Path) -> None:
    path = write_pack(tmp_path, dated("jersey_local", "jersey", "2024-01-01", "2024-12-31"))
    found = list(lint_packs([path], against=[BUNDLED]).diagnostics)
    bundled = {d.message.split("'")[1] for d in found}
    assert bundled == {"jersey_2019", "jersey_2024"}
    first = next(d for d in found if "'jersey_2019'" in d.message)
    assert (first.file, first.level, first.code, first.line, first.column) == (
        str(path),
        "error",
        "overlapping-effective-dates",
        6,
        3,
    )
    assert re.fullmatch(
        r"in force from 2024-01-01 while 'jersey_2019' \(.*jersey_2019\.yaml\), also "
        r"jurisdiction 'jersey', is in force from 2019-10-01 to 2024-02-29; end 'jersey_2019' "
        r"by 2023-12-31 \(effective_to\) or start this pack later",
        first.message,
    )
    # Only the named pack is linted: the bundled ones are compared with, not reported on.
    assert [Path(p.file).name for p in lint_packs([path], against=[BUNDLED]).packs] == ["pack.yaml"]


def test_against_names_packs_to_compare_with_without_linting_them(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "theirs").mkdir()
    mine = write_pack(tmp_path / "mine", dated("northshire_2024", "northshire", "2024-01-01"))
    # The other pack has a role nobody uses: a warning if it were linted, silence here.
    theirs_text = dated("northshire_2019", "northshire", "2019-01-01") + SPARE_ROLE_SECTION
    theirs = write_pack(tmp_path / "theirs", theirs_text)
    assert [d.code for d in lint_packs([theirs]).diagnostics] == ["role-unused"]
    report = lint_packs([mine], against=[theirs])
    assert [(d.file, d.code, d.line) for d in report.diagnostics] == [
        (str(mine), "overlapping-effective-dates", 6)
    ]
    assert lint_packs([mine], against=[tmp_path / "mine"]).diagnostics == ()  # itself: no pair


def test_overlap_between_two_packs_in_the_run_is_reported_once_by_the_later(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    older = write_pack(tmp_path / "a", dated("northshire_2019", "northshire", "2019-01-01"))
    newer = write_pack(tmp_path / "b", dated("northshire_2024", "northshire", "2024-01-01"))
    report = lint_packs([older, newer])
    assert [(d.file, d.code, d.line) for d in report.diagnostics] == [
        (str(newer), "overlapping-effective-dates", 6)
    ]
    assert "'northshire_2019'" in report.diagnostics[0].message
    assert "is in force from 2019-01-01 to open-ended" in report.diagnostics[0].message


def test_adjacent_ranges_and_other_jurisdictions_do_not_overlap(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
    packs = [
        write_pack(
            tmp_path / "a", dated("northshire_2019", "northshire", "2019-01-01", "2023-12-31")
        ),
        write_pack(tmp_path / "b", dated("northshire_2024", "northshire", "2024-01-01")),
        write_pack(tmp_path / "c", dated("southshire_2020", "southshire", "2020-01-01")),
    ]
    assert lint_packs(packs).diagnostics == ()


SPARE_ROLE_SECTION = "roles:\n  team_manager: {title: Team Manager}\n  spare: {title: Spare}\n"


def overlay_copy(tmp_path: Path) -> Path:
    """The example overlay of jersey_2024 (examples/overlays) copied into ``tmp_path``."""
    shutil.copytree(ROOT / "examples" / "overlays", tmp_path / "overlays")
    return tmp_path / "overlays" / "example_partnership_jersey_2024.yaml"


def test_an_overlay_lints_clean_and_does_not_overlap_the_pack_it_extends(tmp_path: Path) -> None:
    overlay = overlay_copy(tmp_path)
    report = lint_packs([overlay, "jersey_2024"])
    assert report.diagnostics == ()
    assert [p.pack for p in report.packs] == ["example_partnership_jersey_2024", "jersey_2024"]


def test_an_overlay_is_linted_on_what_it_writes_itself(tmp_path: Path) -> None:
    overlay = overlay_copy(tmp_path)
    text = overlay.read_text(encoding="utf-8")
    overlay.write_text(
        text.replace("within four hours of sending", "within 4 hours of sending"), encoding="utf-8"
    )
    (found,) = lint_packs([overlay], disable=["source-sentence-unaccounted"]).diagnostics
    quote = line_of(text, "within four hours of sending")  # the overlay's own citation
    assert (found.file, found.code, found.line, found.column) == (
        str(overlay),
        "quote-not-in-source",
        quote,
        7,
    )
    assert found.message.endswith("then differs at '4 hours of sending it'")


def test_an_overlay_with_inherited_dates_reports_an_overlap_at_its_id(tmp_path: Path) -> None:
    overlay = overlay_copy(tmp_path)
    (tmp_path / "local").mkdir()
    local = write_pack(
        tmp_path / "local", dated("jersey_local", "jersey", "2024-01-01", "2024-12-31")
    )
    report = lint_packs([overlay, local])
    own_id = line_of(overlay.read_text(encoding="utf-8"), "id: example_partnership_jersey_2024")
    assert [(d.file, d.code, d.line, d.column) for d in report.diagnostics] == [
        (str(overlay), "overlapping-effective-dates", own_id, 3)
    ]
    assert report.diagnostics[0].message.startswith(
        "in force from 2024-03-01 while 'jersey_local' ("
    )


# --- same-sentence-different-meaning --------------------------------------------------------


def reading(
    pack_id: str,
    event: str = "strategy_meeting_requested",
    due: str = "{working_days: 3}",
    note: str = "",
    parameters: str = "",
    quote: str = "Strategy meetings will take place within three working days.",
) -> str:
    """A pack of its own (jurisdiction named after it) with one rule citing ``quote``."""
    noted = f"      note: {note}\n" if note else ""
    return (
        dated(pack_id, pack_id, "2024-01-01") + parameters + "rules:\n"
        "  - id: meeting\n"
        "    title: Strategy meeting\n"
        f'    citation:\n      source: guide\n      quote: "{quote}"\n{noted}'
        "    strength: must\n"
        f"    when: {{event: {event}}}\n"
        "    require:\n"
        "      action: hold_strategy_meeting\n"
        "      responsible: team_manager\n"
        f"      due: {due}\n"
        "      satisfied_by: {event: strategy_meeting_held}\n"
    )


def two_readings(tmp_path: Path, first: str, second: str) -> tuple[Path, Path, list[Diagnostic]]:
    (tmp_path / "a").mkdir(parents=True)
    (tmp_path / "b").mkdir(parents=True)
    a = write_pack(tmp_path / "a", first)
    b = write_pack(tmp_path / "b", second)
    return a, b, list(lint_packs([a, b]).diagnostics)


def test_same_sentence_read_from_another_event_is_reported_at_both_rules(tmp_path: Path) -> None:
    a, b, found = two_readings(
        tmp_path, reading("older", "strategy_discussion_held"), reading("newer")
    )
    rule_line = line_of(reading("older"), "- id: meeting")
    assert [(d.file, d.level, d.code, d.line, d.column) for d in found] == [
        (str(a), "error", "same-sentence-different-meaning", rule_line, 5),
        (str(b), "error", "same-sentence-different-meaning", rule_line, 5),
    ]
    assert found[1].message == (
        "rule 'meeting' quotes the same sentence as older (pack.yaml, rule 'meeting') but none "
        "of its rules reads it the same way; against 'meeting': trigger strategy_meeting_requested "
        "here, strategy_discussion_held there. Encode it the same way, or say why in a citation "
        "note naming older and meeting"
    )


def test_same_sentence_quotes_compare_without_case_punctuation_or_typography(
    tmp_path: Path,
) -> None:
    source = "Strategy meetings will take place within three working days.\nSTRATEGY MEETINGS WILL TAKE PLACE — WITHIN THREE WORKING DAYS\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = write_pack(tmp_path / "a", reading("older", due="{working_days: 5}"), source=source)
    b = write_pack(
        tmp_path / "b",
        reading("newer", quote="STRATEGY MEETINGS WILL TAKE PLACE - WITHIN THREE WORKING DAYS"),
        source=source,
    )
    found = [
        d for d in lint_packs([a, b]).diagnostics if d.code == "same-sentence-different-meaning"
    ]
    assert [d.file for d in found] == [str(a), str(b)]
    assert "timescale 3 working days here, 5 working days there." in found[1].message


def test_same_sentence_timescales_compare_by_value_through_parameters(tmp_path: Path) -> None:
    three = "parameters:\n  meeting_timescale:\n    description: When.\n    default: {working_days: 3}\n    basis: source\n"
    five = three.replace("working_days: 3", "working_days: 5")
    same = two_readings(
        tmp_path / "same",
        reading("older"),
        reading("newer", due="{parameter: meeting_timescale}", parameters=three),
    )
    assert same[2] == []
    a, b, found = two_readings(
        tmp_path / "differ",
        reading("older"),
        reading("newer", due="{parameter: meeting_timescale}", parameters=five),
    )
    assert [d.file for d in found] == [str(a), str(b)]
    assert (
        "timescale 3 working days here, parameter meeting_timescale (5 working days) there."
        in found[0].message
    )


def test_a_citation_note_naming_the_other_rule_explains_the_difference(tmp_path: Path) -> None:
    note = "Runs from the request, not from the discussion as older's meeting does."
    assert (
        two_readings(
            tmp_path / "a",
            reading("older", "strategy_discussion_held"),
            reading("newer", note=note),
        )[2]
        == []
    )
    # Naming the pack without its rule is not enough.
    vague = "Runs from the request, unlike older."
    assert (
        len(
            two_readings(
                tmp_path / "b",
                reading("older", "strategy_discussion_held"),
                reading("newer", note=vague),
            )[2]
        )
        == 2
    )


def test_a_sentence_encoded_by_several_rules_passes_when_each_has_its_like(tmp_path: Path) -> None:
    second_rule = (
        "  - id: meeting_for_allocation\n"
        "    title: Strategy meeting on allocation\n"
        "    citation:\n      source: guide\n"
        '      quote: "Strategy meetings will take place within three working days."\n'
        "    strength: must\n"
        "    when: {event: social_worker_allocated}\n"
        "    require:\n"
        "      action: hold_strategy_meeting\n"
        "      responsible: team_manager\n"
        "      due: {working_days: 3}\n"
        "      satisfied_by: {event: strategy_meeting_held}\n"
    )
    both = reading("older") + second_rule
    assert two_readings(tmp_path / "a", both, reading("newer") + second_rule)[2] == []
    # With only the first rule in newer, older's second rule has no like there; newer's has.
    a, _b, found = two_readings(tmp_path / "b", both, reading("newer"))
    assert [(d.file, d.line) for d in found] == [
        (str(a), line_of(both, "- id: meeting_for_allocation"))
    ]
    assert (
        "against 'meeting': trigger social_worker_allocated here, strategy_meeting_requested there."
        in found[0].message
    )


def test_packs_quoting_different_sentences_are_not_compared(tmp_path: Path) -> None:
    source = BASE_SOURCE + "Strategy meetings will be held within three working days.\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = write_pack(tmp_path / "a", reading("older", "strategy_discussion_held"), source=source)
    b = write_pack(
        tmp_path / "b",
        reading("newer", quote="Strategy meetings will be held within three working days."),
        source=source,
    )
    assert [d.code for d in lint_packs([a, b]).diagnostics] == ["source-sentence-unaccounted"] * 2


# --- source-sentence-unaccounted ------------------------------------------------------------

SOURCE = """\
Strategy meetings
  \u2022 Strategy meetings will take place within three working days. The chair must circulate
the minutes within one working day.
2.1\tReferrals should be acknowledged.
A heading with no duty
- Planning meetings are expected to include the police; Health may attend.
"""


def test_unaccounted_imposing_sentences_are_reported_at_their_line_in_the_source(
    tmp_path: Path,
) -> None:
    path = write_pack(tmp_path, "", source=SOURCE)
    found = lint_packs([path]).diagnostics
    guide = str(tmp_path / "guide.txt")
    # The minutes sentence starts on line 2 (its second line continues it); "Health may
    # attend." and the headings impose nothing; the first sentence is the rule's quote.
    assert [(d.file, d.line, d.column, d.level, d.code) for d in found] == [
        (guide, 2, 66, "warning", "source-sentence-unaccounted"),
        (guide, 4, 5, "warning", "source-sentence-unaccounted"),
        (guide, 6, 3, "warning", "source-sentence-unaccounted"),
    ]
    assert found[0].message == (
        "source 'guide' imposes something no citation or not_encoded entry of example accounts "
        "for: 'The chair must circulate the minutes within one working day.'; quote it in the "
        "rule that encodes it, or list it under not_encoded with the reason it is left out"
    )
    assert "'Referrals should be acknowledged.'" in found[1].message
    assert "'Planning meetings are expected to include the police;'" in found[2].message
    assert lint_packs([path]).packs[0].warnings == 3


def test_not_encoded_entries_and_quotes_either_way_round_account_for_sentences(
    tmp_path: Path,
) -> None:
    text = """\
not_encoded:
  - source: guide
    quote: "Referrals should be acknowledged."
    reason: not_observable
    note: No event records an acknowledgement.
  - source: guide
    quote: "expected to include the police"
    reason: aspiration
    note: Who attends is for the chair to decide.
parameters:
  minutes:
    description: When the minutes go out.
    default: {working_days: 1}
    basis: source
    citation:
      source: guide
      quote: "within three working days. The chair must circulate the minutes within one working day."
"""
    path = write_pack(tmp_path, text, source=SOURCE)
    # the parameter's quote spans the end of one sentence and the whole of the next: it
    # accounts for the second (within it) and the rule's quote for the first.
    assert lint_packs([path]).diagnostics == ()


def test_a_not_encoded_quote_must_be_in_its_source(tmp_path: Path) -> None:
    text = 'not_encoded:\n  - source: guide\n    quote: "Referrals shall be acknowledged."\n    reason: context\n    note: Background.\n'
    found = lint_packs(
        [write_pack(tmp_path, text, source=SOURCE)], disable=["source-sentence-unaccounted"]
    ).diagnostics
    assert [(d.code, d.line, d.column) for d in found] == [("quote-not-in-source", 3, 5)]
    assert found[0].message == (
        "quote does not occur in source 'guide': the source agrees up to 'Referrals sh', then differs at 'all be acknowledged.'"
    )


def test_sentences_of_a_captured_source() -> None:
    got = [(s.line, s.column, s.text, s.imposing) for s in split_sentences(SOURCE)]
    assert got == [
        (1, 1, "Strategy meetings", False),
        (2, 5, "Strategy meetings will take place within three working days.", True),
        (2, 66, "The chair must circulate the minutes within one working day.", True),
        (4, 5, "Referrals should be acknowledged.", True),
        (5, 1, "A heading with no duty", False),
        (6, 3, "Planning meetings are expected to include the police;", True),
        (6, 57, "Health may attend.", False),
    ]


def test_the_sentences_of_a_shipped_source() -> None:
    text = (ROOT / "policies" / "sources" / "000_4ff3ff481f699368.txt").read_text(encoding="utf-8")
    sentences = split_sentences(text)
    planning = [
        s for s in sentences if s.text.startswith(("A Planning Meeting is", "It does not relate"))
    ]
    # One bullet, two sentences, both on line 12 (the second after the first's full stop).
    assert [(s.line, s.text[:40]) for s in planning] == [
        (12, "A Planning Meeting is a Multi-Agency mee"),
        (12, "It does not relate to one single inciden"),
    ]
    assert planning[0].column == 5  # after the indent and the bullet
    assert all(
        s.imposing is False
        for s in sentences
        if s.text in ("Skip to main content", "Jersey SPB Logo")
    )


# --- escalation paths -----------------------------------------------------------------------

PATHS = """\
roles:
  team_manager: {{title: Team Manager}}
  head_of_service: {{title: Head of Service}}
  director: {{title: Director}}
escalation_paths:
  professional_difference:
    description: Unresolved professional differences go up the line.
    steps:
{steps}"""


def test_escalation_loop_says_the_cycle_in_words(tmp_path: Path) -> None:
    steps = "      director: team_manager\n      team_manager: head_of_service\n      head_of_service: director\n"
    assert only(lint_one(tmp_path, PATHS.format(steps=steps))) == (
        "error",
        "escalation-loop",
        9,
        7,
        "escalation path 'professional_difference' loops: director -> team_manager -> "
        "head_of_service -> director; the last role of a path must escalate to no one",
    )


def test_a_role_that_escalates_to_itself_loops(tmp_path: Path) -> None:
    steps = "      team_manager: head_of_service\n      head_of_service: director\n      director: director\n"
    assert only(lint_one(tmp_path, PATHS.format(steps=steps)))[2:] == (
        11,
        7,
        "escalation path 'professional_difference' loops: director -> director; the last role "
        "of a path must escalate to no one",
    )


def test_an_overdue_obligation_names_who_its_escalation_goes_to_next(tmp_path: Path) -> None:
    steps = "      team_manager: head_of_service\n      head_of_service: director\n"
    text = PATHS.format(steps=steps) + CITED.format(
        quote="Strategy meetings will take place within three working days."
    ).replace(
        "      satisfied_by: {event: strategy_meeting_held}\n",
        "      satisfied_by: {event: strategy_meeting_held}\n"
        "      escalation: {action: escalate_meeting, responsible: team_manager, path: professional_difference}\n",
    )
    path = write_pack(tmp_path, text)
    assert lint_packs([path]).diagnostics == ()
    pack = load_pack(path)
    events = parse_events(
        [
            {
                "id": "r1",
                "type": "strategy_meeting_requested",
                "child_id": "c1",
                "at": "2024-05-07T10:00:00+01:00",
                "requested_by_role": "team_manager",
            },
        ]
    ).events
    result = evaluate(pack, events, datetime.fromisoformat("2024-05-20T12:00:00+01:00"))
    (obligation,) = result.obligations
    assert obligation.to_dict()["escalation"] == {
        "action": "escalate_meeting",
        "responsible": "team_manager",
        "copied_in": [],
        "path": "professional_difference",
        "onward": ["head_of_service", "director"],
    }
    assert explain(pack, obligation, events).status_reason == (
        "nothing satisfied it by the deadline 2024-05-10T23:59:59+01:00; escalate: "
        "escalate_meeting by team_manager, then head_of_service -> director "
        "(professional_difference)"
    )


# --- gb-without-subdivision -----------------------------------------------------------------


def test_gb_without_subdivision(tmp_path: Path) -> None:
    text = "calendar:\n  timezone: Europe/London\n  public_holidays: {country: GB}\n"
    assert only(lint_one(tmp_path, text)) == (
        "error",
        "gb-without-subdivision",
        3,
        21,
        "GB public holidays need a subdivision (ENG, NIR, SCT or WLS): the GB-wide list "
        "lacks holidays only some subdivisions observe, such as Easter Monday; write e.g. "
        "'subdivision: ENG'",
    )


# --- running: which checks, which files -----------------------------------------------------


def test_a_disabled_check_does_not_run(tmp_path: Path) -> None:
    path = write_pack(tmp_path, "roles:\n  team_manager: {title: T}\n  spare: {title: S}\n")
    assert [d.code for d in lint_packs([path]).diagnostics] == ["role-unused"]
    report = lint_packs([path], disable=["role-unused"])
    assert report.diagnostics == ()
    assert "role-unused" not in report.checks


def test_unknown_and_load_time_check_ids_cannot_be_disabled() -> None:
    with pytest.raises(UnknownCheckError) as raised:
        lint_packs([], disable=["role-unusd"])
    assert str(raised.value) == (
        "no lint check 'role-unusd'; did you mean 'role-unused'?; checks that can be disabled: "
        "escalation-loop, missing-citation, overlapping-effective-dates, quote-not-in-source, "
        "role-unused, same-sentence-different-meaning, source-file-missing, "
        "source-sentence-unaccounted, unreachable-case"
    )
    with pytest.raises(UnknownCheckError, match=r"'role-undefined' is checked when a pack loads"):
        lint_packs([], disable=["role-undefined"])


def test_a_directory_means_its_packs_but_not_scenario_files_or_subdirectories(
    tmp_path: Path,
) -> None:
    write_pack(tmp_path, "", name="b.yaml")
    write_pack(tmp_path, "", name="a.yaml")
    (tmp_path / "a.scenarios.yaml").write_text("pack: a\nscenarios: []\n", encoding="utf-8")
    (tmp_path / "nested").mkdir()
    write_pack(tmp_path / "nested", "", name="c.yaml")
    assert pack_files([tmp_path, tmp_path / "a.yaml"]) == [tmp_path / "a.yaml", tmp_path / "b.yaml"]


def test_unknown_pack_names_and_empty_directories_are_not_found(tmp_path: Path) -> None:
    with pytest.raises(PackNotFoundError, match=r"did you mean 'jersey_2024'\?"):
        lint_packs(["jersey_2042"])
    with pytest.raises(PackNotFoundError, match=r"no \*\.yaml pack files in directory"):
        lint_packs([tmp_path])


def test_a_pack_that_does_not_load_is_reported_and_not_linted(tmp_path: Path) -> None:
    text = RULE_WITHOUT_CITATION.replace("responsible: team_manager", "responsible: team_manger")
    report = lint_packs([write_pack(tmp_path, text)])
    assert [d.code for d in report.diagnostics] == ["role-undefined"]  # not missing-citation too
    (summary,) = report.packs
    assert (summary.loads, summary.pack, summary.errors, summary.warnings) == (False, None, 1, 0)


# --- reporters ------------------------------------------------------------------------------


def test_text_report_shows_the_source_line_and_a_caret(tmp_path: Path) -> None:
    path = write_pack(tmp_path, "roles:\n  team_manager: {title: T}\n  spare: {title: S}\n")
    assert render_text(lint_packs([path]).diagnostics) == (
        f"{path}:3:3: warning role-unused: role 'spare' is defined but no rule uses it (as "
        "responsible, copied in, escalation, escalation path or in a condition); remove it or use it\n"
        "      spare: {title: S}\n"
        "      ^\n"
    )


def test_github_report_escapes_what_github_requires() -> None:
    d = Diagnostic("a,b:c.yaml", 3, 5, "100% sure\r\nsecond line", "warning", "role-unused")
    assert render_github([d]) == (
        "::warning file=a%2Cb%3Ac.yaml,line=3,col=5,title=role-unused::100%25 sure%0D%0Asecond line\n"
    )


# --- diagnostics that stop a pack loading: codes, places, suggestions ------------------------

RULE = """\
rules:
  - id: meeting
    title: Strategy meeting
    citation: {source: guide, quote: "Strategy meetings will take place within three working days."}
    strength: must
    when: {event: concern_identified}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      satisfied_by: {event: strategy_meeting_held}
"""
ESCALATE = "      escalation: {action: escalate, responsible: team_manager, path: %s}\n"
CHECK = RULE.replace(
    "    require:\n      action: hold_strategy_meeting\n      responsible: team_manager\n"
    "      satisfied_by: {event: strategy_meeting_held}\n",
    '    expect: {field: serious_harm, is: false}\n    message: "serious: {serious_harms}"\n',
)


def trigger_where(condition: str) -> str:
    return RULE.replace(
        "when: {event: concern_identified}",
        f"when: {{event: concern_identified, where: {condition}}}",
    )


LOAD_DIAGNOSTICS = [
    (
        "unknown-escalation-path",
        RULE
        + ESCALATE % "profesional_difference"
        + "escalation_paths:\n  professional_difference:\n    description: Up.\n    steps: {team_manager: team_manager}\n",
        11,
        65,
        "unknown escalation path 'profesional_difference'; did you mean 'professional_difference'?; "
        "define it under 'escalation_paths' (paths are: professional_difference)",
    ),
    (
        "escalation-not-on-path",
        "roles:\n  team_manager: {title: T}\n  head_of_service: {title: H}\nescalation_paths:\n  up:\n"
        "    description: Up.\n    steps: {head_of_service: team_manager}\n"
        + RULE
        + ESCALATE % "up",
        18,
        38,
        "'team_manager' has no step in escalation path 'up', so the path says nothing about who "
        "comes next; its steps start from: head_of_service",
    ),
    (
        "role-undefined",
        "escalation_paths:\n  up:\n    description: Up.\n    steps: {team_manager: head_of_servce}\n",
        4,
        13,
        "unknown role 'head_of_servce'; define it under 'roles' (roles are: team_manager)",
    ),
    (
        "unknown-timezone",
        "calendar:\n  timezone: Europe/Londn\n",
        2,
        3,
        "unknown time zone 'Europe/Londn'; did you mean 'Europe/London'?; use an IANA name such as "
        "'Europe/London'",
    ),
    (
        "unknown-holiday-country",
        "calendar:\n  timezone: Europe/London\n  public_holidays: {country: GX}\n",
        3,
        21,
        "unknown holiday country 'GX'; use an ISO 3166 code the holidays package supports",
    ),
    (
        "unknown-subdivision",
        "calendar:\n  timezone: Europe/London\n  public_holidays: {country: GB, subdivision: ENGL}\n",
        3,
        34,
        "unknown subdivision 'ENGL' of GB; did you mean 'ENG'?; subdivisions are: ENG, NIR, SCT, WLS",
    ),
    (
        "unknown-field",
        trigger_where("{field: serious_harms, is: true}"),
        6,
        47,
        "'concern_identified' (the trigger event) has no field 'serious_harms'; did you mean "
        "'serious_harm'?; its fields are: at, category, child_id, complex, enquiry_decision_needed, "
        "forensic_evidence_needed, id, "
        "immediate_action_taken, looked_after, on, referral_ref, referring_agency, risk_level, "
        "serious_harm, attributes.NAME, case.NAME",
    ),
    (
        "unknown-field",
        trigger_where("{field: case.looked_afterr, is: true}"),
        6,
        47,
        "unknown case fact 'looked_afterr'; did you mean 'looked_after'?; case facts are: "
        "allocated_at_last_cpn, allocated_social_worker, concern_categories, cpn_count, "
        "cpn_count_since_allocation, looked_after, police_attention_count, police_attention_count_at_last_cpn, "
        "referring_agency, senior_practitioner, social_worker, team_manager",
    ),
    (
        "unknown-field",
        CHECK,
        8,
        5,
        "message names {serious_harms}, which 'concern_identified' does not have; did you mean "
        "'serious_harm'?",
    ),
    (
        "unknown-value",
        trigger_where("{field: category, is: neglct}"),
        6,
        64,
        "'neglct' is not a value of 'category'; did you mean 'neglect'?; values are: "
        "emotional_abuse, neglect, other, penetrative_sexual_abuse, physical_abuse, sexual_abuse, "
        "sexual_exploitation",
    ),
    (
        "wrong-operator",
        trigger_where("{field: category, contains: neglect}"),
        6,
        64,
        "operator 'contains' does not apply to 'category', a text field; use one of: in, is, "
        "is_not, not_in, present, recorded",
    ),
    (
        "wrong-type",
        trigger_where("{field: serious_harm, is: yes please}"),
        6,
        68,
        "'serious_harm' is true or false; write true or false, not 'yes please'",
    ),
    (
        "unknown-event-type",
        RULE.replace("event: concern_identified", "event: concern_identifed"),
        6,
        12,
        "unknown event type 'concern_identifed'; did you mean 'concern_identified'?; see "
        "docs/events.md for the vocabulary, or declare it under vocabulary.events",
    ),
    (
        "unknown-source",
        RULE.replace("{source: guide,", "{source: guid,"),
        4,
        16,
        "unknown source 'guid'; did you mean 'guide'?; sources are: guide",
    ),
    (
        "unknown-parameter",
        RULE + "      due: {parameter: record_timescal}\nparameters:\n"
        "  record_timescale: {description: D., default: {working_days: 1}, basis: local_default}\n",
        11,
        13,
        "unknown parameter 'record_timescal'; did you mean 'record_timescale'?; define it under "
        "'parameters'",
    ),
    (
        "duplicate-id",
        RULE + RULE.removeprefix("rules:\n"),
        11,
        5,
        "rule id 'meeting' is already used by rule 1; rule ids must be unique",
    ),
    (
        "missing-office-hours",
        RULE + "      due: {office_hours: 4}\n",
        11,
        7,
        "an office_hours deadline needs 'calendar.office_hours' in the pack",
    ),
    (
        "unknown-key",
        "escalation_path:\n  up: {description: Up., steps: {team_manager: team_manager}}\n",
        1,
        1,
        "unknown key 'escalation_path' in (top level); did you mean 'escalation_paths'?; allowed "
        "keys: agencies, calendar, escalation_paths, not_encoded, pack, parameters, roles, rules, "
        "vocabulary",
    ),
]


@pytest.mark.parametrize(
    ("code", "text", "line", "column", "message"),
    LOAD_DIAGNOSTICS,
    ids=[c[0] for c in LOAD_DIAGNOSTICS],
)
def test_load_diagnostic(
    tmp_path: Path, code: str, text: str, line: int, column: int, message: str
) -> None:
    path = write_pack(tmp_path, text)
    report = validate_packs([path])
    assert [(d.level, d.code, d.line, d.column, d.message) for d in report.diagnostics] == [
        ("error", code, line, column, message)
    ]
    assert lint_packs([path]).diagnostics == report.diagnostics  # lint reports them the same
