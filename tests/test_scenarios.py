"""Scenario tests: the file format, the runner's failure messages, coverage, the CLI and
the pytest plugin.

The passing examples live in tests/scenario_files/toy/ beside a synthetic pack; each
failing example is written here, next to the exact text it must produce.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers import cli

from safeguard_rules import load_pack
from safeguard_rules._scenario import (
    CoverageItem,
    ScenarioFileError,
    ScenarioOutcome,
    TestRun,
    coverage_items,
    discover,
    load_scenario_file,
    run_scenarios,
)
from safeguard_rules._scenario_junit import render_junit

pytest_plugins = ["pytester"]

TOY = Path(__file__).parent / "scenario_files" / "toy"
TOY_PACK = TOY / "toy_pack.yaml"

CONCERN = (
    '{id: c1, type: concern_identified, child_id: child-1, at: "2024-05-02T10:00:00+01:00", '
    "category: neglect, serious_harm: false, forensic_evidence_needed: false, "
    "immediate_action_taken: false, complex: false, looked_after: false}"
)


def write(tmp_path: Path, body: str, name: str = "case.scenarios.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"pack: {TOY_PACK}\n" + textwrap.dedent(body), encoding="utf-8")
    return path


def failures_of(path: Path) -> list[str]:
    run = run_scenarios([path])
    assert not run.errors, run.errors
    assert len(run.outcomes) == 1
    return list(run.outcomes[0].failures)


# --- the passing examples ------------------------------------------------------------------


def test_toy_examples_pass_with_full_coverage() -> None:
    run = run_scenarios([TOY])
    assert [o.name for o in run.outcomes if not o.passed] == []
    assert len(run.outcomes) == 8 + 2 * 2  # toy scenarios, plus two scenarios under two packs
    toy = next(c for c in run.coverage if c.pack == "toy_2024")
    assert toy.percent == 100.0
    assert toy.counts("case") == (2, 2)
    assert toy.counts("route") == (2, 2)
    assert toy.counts("finding") == (1, 1)


def test_a_scenario_runs_once_under_each_pack_it_names() -> None:
    cases = load_scenario_file(TOY / "two_packs.scenarios.yaml")
    assert [(c.name, c.pack_ref) for c in cases] == [
        ("three occasions do not flag", "jersey_2019"),
        ("three occasions do not flag", "jersey_2024"),
        ("the fourth occasion flags under both versions", "jersey_2019"),
        ("the fourth occasion flags under both versions", "jersey_2024"),
    ]
    # the background comes first in every scenario
    assert [e.id for e in cases[2].events.events] == [
        "alloc",
        "pa-1",
        "cpn-1",
        "pa-2",
        "cpn-2",
        "pa-3",
        "cpn-3",
        "pa-4",
        "cpn-4",
    ]


def test_discovery_takes_named_files_and_searches_directories(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    kept = tmp_path / "sub" / "a.scenarios.yaml"
    other = tmp_path / "b.scenarios.yml"
    named = tmp_path / "named.yaml"
    for path in (
        kept,
        other,
        named,
        tmp_path / ".hidden" / "c.scenarios.yaml",
        tmp_path / "pack.yaml",
    ):
        path.write_text("x: 1\n")
    assert discover([tmp_path]) == [other, kept]
    assert discover([named]) == [named]


# --- what a failure says -------------------------------------------------------------------


def test_wrong_deadline_shows_expected_and_actual_with_the_basis(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        scenarios:
          - name: wrong day
            as_of: 2024-05-07
            events:
              - {CONCERN}
            expect:
              obligations:
                - rule: strategy_meeting_after_concern
                  due: 2024-05-07
                  status: open
        """,
    )
    assert failures_of(path) == [
        "expected obligation rule=strategy_meeting_after_concern, due=end of 2024-05-07, "
        "status=open (line 9), found none\n"
        "  closest: strategy_meeting_after_concern/c1: hold_strategy_meeting by team_manager, "
        "due 2024-05-08T23:59:59+01:00, status open\n"
        "    due: expected end of 2024-05-07, got 2024-05-08T23:59:59+01:00 (otherwise: 3 working days)"
    ]


def test_status_difference_names_what_met_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        scenarios:
          - name: met, not open
            as_of: 2024-05-07
            events:
              - {CONCERN}
              - {{id: m1, type: strategy_meeting_held, child_id: child-1, at: "2024-05-03T10:00:00+01:00", chair_role: team_manager}}
            expect:
              obligations:
                - {{rule: strategy_meeting_after_concern, status: open}}
        """,
    )
    [failure] = failures_of(path)
    assert failure.endswith("    status: expected open, got met (by m1)")


def test_a_rule_that_did_not_fire_says_which_did(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        scenarios:
          - name: no request
            as_of: 2024-05-07
            events:
              - {CONCERN}
            expect:
              obligations:
                - {{rule: request_forwarded}}
        """,
    )
    assert failures_of(path) == [
        "expected obligation rule=request_forwarded (line 9), found none\n"
        "  rule request_forwarded did not fire; rules that did: strategy_meeting_after_concern"
    ]


def test_a_route_that_requires_nothing_is_named(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        scenarios:
          - name: returned
            as_of: 2024-05-31
            events:
              - {id: r1, type: strategy_meeting_requested, child_id: child-1, at: "2024-05-24T15:00:00+01:00", requested_by_role: social_worker, authorised: false}
            expect:
              obligations:
                - {rule: request_forwarded}
        """,
    )
    [failure] = failures_of(path)
    assert failure.endswith(
        "rule request_forwarded fired, taking route returned but produced no obligation"
    )


def test_absent_and_nothing_else_name_what_was_found(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        scenarios:
          - name: too much
            as_of: 2024-05-07
            events:
              - {CONCERN}
            expect:
              absent:
                obligations:
                  - {{action: hold_strategy_meeting}}
              nothing_else: true
        """,
    )
    described = (
        "strategy_meeting_after_concern/c1: hold_strategy_meeting by team_manager, "
        "due 2024-05-08T23:59:59+01:00, status open"
    )
    assert failures_of(path) == [
        f"expected no obligation action=hold_strategy_meeting (line 10), but found:\n  {described}",
        f"unexpected obligation {described} (nothing_else is set)",
    ]


def test_count_mismatch_lists_what_matched(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        scenarios:
          - name: one, not two
            as_of: 2024-05-07
            events:
              - {CONCERN}
            expect:
              obligations:
                - {{rule: strategy_meeting_after_concern, count: 2}}
        """,
    )
    [failure] = failures_of(path)
    assert failure.startswith(
        "expected 2 obligation(s) rule=strategy_meeting_after_concern (line 9), got 1:\n"
        "  strategy_meeting_after_concern/c1:"
    )


def test_findings_are_matched_by_message_and_kind(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        scenarios:
          - name: finding text differs
            as_of: 2024-06-10
            events:
              - {id: m1, type: strategy_meeting_held, child_id: child-1, at: "2024-06-03T09:00:00+01:00", chair_role: social_worker}
            expect:
              findings:
                - {rule: meeting_chaired_by_team_manager, message_contains: "chaired by a police officer"}
        """,
    )
    [failure] = failures_of(path)
    assert failure == (
        "expected finding rule=meeting_chaired_by_team_manager, message_contains=chaired by a "
        "police officer (line 9), found none\n"
        "  closest: meeting_chaired_by_team_manager check finding on m1: strategy meeting "
        "chaired by social_worker, not a team manager\n"
        "    message_contains: expected chaired by a police officer, got 'strategy meeting "
        "chaired by social_worker, not a team manager'"
    )


def test_unexpected_rejections_fail_and_name_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        scenarios:
          - name: typo in a type
            as_of: 2024-05-07
            events:
              - {id: c1, type: concern_identifed, child_id: child-1, at: "2024-05-02T10:00:00+01:00", category: neglect}
            expect: {}
        """,
    )
    assert failures_of(path) == [
        "expected 0 rejected event(s), got 1:\n"
        f"  rejected {path}:6: event 'c1': unknown event type 'concern_identifed'; did you mean "
        "'concern_identified'?; see docs/events.md"
    ]


def test_a_pack_that_does_not_load_fails_each_scenario(tmp_path: Path) -> None:
    path = tmp_path / "x.scenarios.yaml"
    path.write_text("pack: jersey_2042\nscenarios:\n  - {name: n, as_of: 2024-05-07, expect: {}}\n")
    [failure] = failures_of(path)
    assert failure.startswith("pack 'jersey_2042' does not load:\n")
    assert "did you mean 'jersey_2024'?" in failure


# --- scenario files that cannot be read ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "scenarios:\n  - name: n\n    as_of: 2024-05-07\n    expect:\n      obligation: []\n",
            5,
            "unknown key 'obligation'",
        ),
        (
            "scenarios:\n  - name: n\n    as_of: 2024-05-07T10:00:00\n    expect: {}\n",
            3,
            "has no UTC offset",
        ),
        (
            "scenarios:\n  - name: n\n    as_of: 2024-05-07\n    expect:\n      obligations:\n        - {due: tomorrow}\n",
            6,
            "is neither a date (2024-05-10) nor a time with an offset",
        ),
        (
            "scenarios:\n  - name: n\n    as_of: 2024-05-07\n    expect: {obligations: [{status: done}]}\n",
            4,
            "'open', 'met', 'met_late', 'overdue', 'cancelled' or 'cannot_evaluate'",
        ),
    ],
)
def test_bad_scenario_files_point_at_the_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    path = tmp_path / "bad.scenarios.yaml"
    path.write_text(f"pack: {TOY_PACK}\n" + body)
    with pytest.raises(ScenarioFileError) as raised:
        load_scenario_file(path)
    [diagnostic] = raised.value.diagnostics
    assert (diagnostic.file, diagnostic.line) == (str(path), line + 1)
    assert message in diagnostic.message


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = tmp_path / "bad.scenarios.yaml"
    path.write_text(
        f"pack: {TOY_PACK}\nscenarios:\n  - name: n\n    as_of: 2024-05-07\n    expect:\n      nothing_els: true\n"
    )
    with pytest.raises(ScenarioFileError) as raised:
        load_scenario_file(path)
    assert "did you mean 'nothing_else'?" in raised.value.diagnostics[0].message


def test_a_scenario_without_a_pack_says_where_to_name_one(tmp_path: Path) -> None:
    path = tmp_path / "bad.scenarios.yaml"
    path.write_text("scenarios:\n  - {name: orphan, as_of: 2024-05-07, expect: {}}\n")
    with pytest.raises(ScenarioFileError) as raised:
        load_scenario_file(path)
    assert "scenario 'orphan' names no pack" in raised.value.diagnostics[0].message


# --- coverage --------------------------------------------------------------------------------


def test_coverage_items_are_rules_routes_cases_and_findings() -> None:
    items = coverage_items(load_pack(TOY_PACK))
    assert items == (
        CoverageItem("strategy_meeting_after_concern", "rule"),
        CoverageItem("strategy_meeting_after_concern", "case", "/serious harm"),
        CoverageItem("strategy_meeting_after_concern", "case", "/otherwise"),
        CoverageItem("request_forwarded", "rule"),
        CoverageItem("request_forwarded", "route", "proceed"),
        CoverageItem("request_forwarded", "route", "returned"),
        CoverageItem("meeting_chaired_by_team_manager", "rule"),
        CoverageItem("meeting_chaired_by_team_manager", "finding"),
    )


def test_partial_coverage_lists_what_was_never_exercised(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        scenarios:
          - name: one ordinary concern
            as_of: 2024-05-07
            events:
              - {CONCERN}
            expect:
              obligations: [{{rule: strategy_meeting_after_concern}}]
        """,
    )
    [coverage] = run_scenarios([path]).coverage
    assert coverage.covered == {
        CoverageItem("strategy_meeting_after_concern", "rule"),
        CoverageItem("strategy_meeting_after_concern", "case", "/otherwise"),
    }
    assert coverage.percent == 25.0
    assert [i.describe() for i in coverage.uncovered_summary()] == [
        "deadline case 'serious harm' of rule strategy_meeting_after_concern never decided a deadline",
        "rule request_forwarded never fired",
        "rule meeting_chaired_by_team_manager never fired",
    ]


# --- the command -------------------------------------------------------------------------------


def test_cli_passes_on_the_toy_examples() -> None:
    code, out, _err = cli("test", str(TOY / "toy.scenarios.yaml"), "--min-coverage", "100")
    assert code == 0
    assert "8 passed, 0 failed in 1 file(s)" in out
    assert "toy_2024" in out and "100.0%" in out


def test_cli_fails_below_min_coverage(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        scenarios:
          - name: one ordinary concern
            as_of: 2024-05-07
            events: [{CONCERN}]
            expect: {{}}
        """,
    )
    code, out, err = cli("test", str(path), "--min-coverage", "30")
    assert code == 1
    assert "1 passed, 0 failed" in out
    assert "error: toy_2024 coverage 25.0% is below --min-coverage 30%" in err
    assert cli("test", str(path), "--min-coverage", "25")[0] == 0


def test_cli_failure_prints_file_scenario_and_difference(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        scenarios:
          - name: wrong status
            as_of: 2024-05-07
            events: [{CONCERN}]
            expect:
              obligations: [{{rule: strategy_meeting_after_concern, status: met}}]
        """,
    )
    code, out, _err = cli("test", str(path))
    assert code == 1
    assert f"FAIL {path}:3: scenario 'wrong status' under toy_2024" in out
    assert "    status: expected met, got open" in out
    assert "0 passed, 1 failed in 1 file(s)" in out


def test_cli_exits_1_when_no_scenario_is_found(tmp_path: Path) -> None:
    code, _out, err = cli("test", str(tmp_path))
    assert code == 1
    assert (
        f"error: no scenarios found in {tmp_path}; scenario files are named *.scenarios.yaml" in err
    )


def test_cli_exits_1_on_an_unreadable_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.scenarios.yaml"
    path.write_text("scenarios: [\n")
    code, _out, err = cli("test", str(path))
    assert code == 1
    assert f"{path}:2:1: error yaml-syntax: YAML syntax error" in err


def test_cli_json_is_machine_readable_and_selects_by_name() -> None:
    code, out, _err = cli(
        "test", str(TOY / "toy.scenarios.yaml"), "--format", "json", "-k", "four hours"
    )
    assert code == 0
    report = json.loads(out)
    assert report["summary"] == {"scenarios": 1, "passed": 1, "failed": 0, "file_errors": 0}
    assert (
        report["scenarios"][0]["name"] == "a local timescale of four hours, as a parameter override"
    )
    [coverage] = report["coverage"]
    assert coverage["pack"] == "toy_2024" and coverage["total"] == 8


def test_console_script_runs_the_shipped_pack_scenarios() -> None:
    script = Path(sys.executable).parent / "safeguard-rules"
    policies = Path(__file__).resolve().parents[1] / "policies"
    done = subprocess.run(  # noqa: S603
        [
            str(script),
            "test",
            str(policies),
            "--min-coverage",
            "100",
            "--min-source-coverage",
            "100",
            "-q",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for pack in ("jersey_2019", "jersey_2024", "wirral_2019", "wtsc_2015"):
        assert pack in done.stdout


# --- the pytest plugin ----------------------------------------------------------------------------


def test_pytest_collects_scenario_files(pytester: pytest.Pytester) -> None:
    (pytester.path / "toy_pack.yaml").write_text(TOY_PACK.read_text())
    (pytester.path / "toy_source.txt").write_text((TOY / "toy_source.txt").read_text())
    (pytester.path / "good.scenarios.yaml").write_text((TOY / "toy.scenarios.yaml").read_text())
    (pytester.path / "bad.scenarios.yaml").write_text(
        "pack: toy_pack.yaml\nscenarios:\n"
        "  - name: wrong status\n    as_of: 2024-05-07\n    events:\n"
        f"      - {CONCERN}\n"
        "    expect:\n      obligations: [{rule: strategy_meeting_after_concern, status: met}]\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "safeguard_rules.pytest_plugin")
    result.assert_outcomes(passed=8, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*scenario: wrong status [[]toy_pack.yaml[]]*",
            "*bad.scenarios.yaml:3: scenario 'wrong status' under toy_2024 (toy_pack.yaml)",
            "*status: expected met, got open",
        ]
    )


def test_pytest_reports_an_unreadable_scenario_file_as_a_collection_error(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "bad.scenarios.yaml").write_text("pack: x\nscenarios: []\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "safeguard_rules.pytest_plugin")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*bad.scenarios.yaml:2:*scenarios*"])


def test_the_pytest_plugin_loads_only_when_asked(pytester: pytest.Pytester) -> None:
    # It once loaded into every pytest run wherever the package was installed.
    (pytester.path / "bad.scenarios.yaml").write_text("pack: x\nscenarios: []\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes()  # nothing collected: the scenario file is not a test here
    result.stdout.fnmatch_lines(["collected 0 items"])
    (pytester.path / "pytest.ini").write_text(
        "[pytest]\naddopts = -p safeguard_rules.pytest_plugin\n"
    )
    asked = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    asked.assert_outcomes(errors=1)


def test_an_unknown_rule_id_is_suggested(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        scenarios:
          - name: typo in a rule id
            as_of: 2024-05-07
            events: [{CONCERN}]
            expect:
              findings: [{{rule: meeting_chaired_by_team_manger}}]
        """,
    )
    assert failures_of(path) == [
        "expected finding rule=meeting_chaired_by_team_manger (line 7), found none\n"
        "  the pack has no rule 'meeting_chaired_by_team_manger'; did you mean "
        "'meeting_chaired_by_team_manager'?; its rules are: meeting_chaired_by_team_manager, "
        "request_forwarded, strategy_meeting_after_concern"
    ]


def test_an_absence_naming_no_rule_fails_instead_of_holding_vacuously(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        scenarios:
          - name: typo in an absence
            as_of: 2024-05-07
            events: [{CONCERN}]
            expect:
              absent:
                findings: [{{rule: meeting_chaired_by_team_manger}}]
        """,
    )
    assert failures_of(path) == [
        "absent finding rule=meeting_chaired_by_team_manger (line 8) names no rule of the pack; "
        "did you mean 'meeting_chaired_by_team_manager'?"
    ]


# --- JUnit XML ------------------------------------------------------------------------------


def junit(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)  # noqa: S314 - our own output, parsed to check it


def test_cli_junit_xml_has_a_suite_per_file_and_a_failure_per_failing_scenario(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        f"""\
        scenarios:
          - name: wrong status
            as_of: 2024-05-07
            events: [{CONCERN}]
            expect:
              obligations: [{{rule: strategy_meeting_after_concern, status: met}}]
          - name: nothing expected
            as_of: 2024-05-07
            events: [{CONCERN}]
            expect: {{}}
        """,
    )
    bad = tmp_path / "bad.scenarios.yaml"
    bad.write_text("scenarios: [\n", encoding="utf-8")
    code, out, _err = cli("test", str(path), str(bad), "--format", "junit", "--min-coverage", "30")
    assert code == 1
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    root = junit(out)
    # Two scenarios, one unreadable file, one coverage case: 4 tests; the wrong status and
    # the coverage (25% of the toy pack's 8 items, below 30%) fail; the bad file errs.
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == (
        "testsuites",
        "4",
        "2",
        "1",
    )
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert list(suites) == [str(bad), str(path), "coverage"]
    cases = suites[str(path)].findall("testcase")
    under = f"toy_2024 ({TOY_PACK})"  # the pack as the scenario file names it
    assert [(c.get("name"), c.get("line"), c.get("file")) for c in cases] == [
        (f"wrong status [{under}]", "3", str(path)),
        (f"nothing expected [{under}]", "8", str(path)),
    ]
    failure = cases[0].find("failure")
    assert failure is not None and cases[1].find("failure") is None
    assert failure.get("message", "").startswith(
        "expected obligation rule=strategy_meeting_after_concern, status=met"
    )
    assert f"{path}:3: scenario 'wrong status' under toy_2024" in (failure.text or "")
    assert "    status: expected met, got open" in (failure.text or "")
    error = suites[str(bad)].find("testcase/error")
    assert error is not None and error.get("type") == "yaml-syntax"
    assert f"{bad}:2:1: error yaml-syntax: YAML syntax error" in (error.text or "")
    coverage = suites["coverage"].find("testcase")
    assert coverage is not None and coverage.get("name") == "toy_2024 coverage at least 30%"
    coverage_failure = coverage.find("failure")
    assert coverage_failure is not None
    assert coverage_failure.get("message") == "toy_2024 coverage 25.0% is below --min-coverage 30%"


def test_junit_xml_is_the_same_bytes_for_the_same_run_and_passes_cleanly() -> None:
    first = cli("test", str(TOY / "toy.scenarios.yaml"), "--format", "junit")
    second = cli("test", str(TOY / "toy.scenarios.yaml"), "--format", "junit")
    assert first == second
    code, out, _err = first
    assert code == 0
    root = junit(out)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("8", "0", "0")
    assert root.findall(".//failure") == [] and root.find("testsuite[@name='coverage']") is None


def test_junit_xml_replaces_characters_xml_cannot_hold() -> None:
    outcome = ScenarioOutcome(
        "x.scenarios.yaml", 3, "bell \a in the name", "toy_2024", ("got \x1b[31m",)
    )
    out = render_junit(TestRun(("x.scenarios.yaml",), (outcome,), (), ()))
    (case,) = junit(out).iter("testcase")  # parses: no raw control character
    assert case.get("name") == "bell \ufffd in the name [toy_2024]"
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "got \ufffd[31m"


# --- source coverage --------------------------------------------------------------------


def toy_copy(tmp_path: Path, extra: str = "") -> Path:
    """The toy pack and its scenarios copied, ``extra`` appended to its source text."""
    copy = tmp_path / "toy"
    shutil.copytree(TOY, copy)
    source = copy / "toy_source.txt"
    source.write_text(source.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return copy / "toy.scenarios.yaml"


def test_source_coverage_counts_the_imposing_sentences_of_the_sources() -> None:
    # toy_source.txt: three sentences say must or within, each quoted by a citation; the
    # heading and "Strategy meetings are chaired by a team manager." impose nothing.
    (coverage,) = run_scenarios([TOY / "toy.scenarios.yaml"]).coverage
    assert coverage.sources is not None
    assert (coverage.sources.counts(), coverage.sources.percent) == ((3, 3), 100.0)
    code, out, _err = cli("test", str(TOY / "toy.scenarios.yaml"), "--min-source-coverage", "100")
    assert code == 0
    header = next(line for line in out.splitlines() if "source sentences" in line)
    row = next(line for line in out.splitlines() if "toy_2024" in line and "%" in line)
    assert header.split("\u2503")[-3:-1] == [" source sentences ", " source "]
    assert row.split("\u2502")[-3:-1] == ["              3/3 ", " 100.0% "]


def test_min_source_coverage_fails_on_a_sentence_nothing_accounts_for(tmp_path: Path) -> None:
    scenarios = toy_copy(tmp_path, "Minutes will be shared with every agency.\n")
    code, out, err = cli("test", str(scenarios), "--min-source-coverage", "100")
    assert code == 1
    # 3 of the 4 imposing sentences are quoted: 75%. The new sentence is on line 7.
    assert (
        "not accounted for: toy_2024: source toy line 7: Minutes will be shared with every agency."
        in out
    )
    assert "error: toy_2024 source coverage 75.0% (3/4) is below --min-source-coverage 100%" in err
    assert cli("test", str(scenarios), "--min-source-coverage", "75")[0] == 0
    assert cli("test", str(scenarios))[0] == 0  # no threshold, no failure


def test_source_coverage_in_json_and_junit(tmp_path: Path) -> None:
    scenarios = toy_copy(tmp_path, "Minutes will be shared with every agency.\n")
    data = json.loads(cli("test", str(scenarios), "--format", "json")[1])
    assert data["coverage"][0]["source_coverage"] == {
        "percent": 75.0,
        "accounted": 3,
        "total": 4,
        "unreadable": [],
        "unaccounted": [
            {
                "source": "toy",
                "line": 7,
                "column": 1,
                "text": "Minutes will be shared with every agency.",
            }
        ],
    }
    code, out, _err = cli(
        "test", str(scenarios), "--format", "junit", "--min-source-coverage", "100"
    )
    assert code == 1
    (case,) = junit(out).findall("testsuite[@name='coverage']/testcase")
    assert case.get("name") == "toy_2024 source coverage at least 100%"
    failure = case.find("failure")
    assert failure is not None
    assert (
        failure.get("message")
        == "toy_2024 source coverage 75.0% (3/4) is below --min-source-coverage 100%"
    )
    assert (
        failure.text
        == "not accounted for: source toy line 7: Minutes will be shared with every agency."
    )


def test_a_source_that_cannot_be_read_fails_the_source_threshold(tmp_path: Path) -> None:
    scenarios = toy_copy(tmp_path)
    (scenarios.parent / "toy_source.txt").unlink()
    code, out, err = cli("test", str(scenarios), "--min-source-coverage", "0")
    assert code == 1
    assert "source not read: toy_2024: toy (lint says why)" in out
    assert "error: toy_2024 source coverage cannot be counted: toy not read (lint says why)" in err
