"""Every documented command runs, prints what it says and exits with the right code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import cli

from safeguard_rules import PackValidationError, bundled_packs, load_pack

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "child_a_history.jsonl"
AS_OF = "2024-06-03T17:00:00+01:00"


def test_console_script_and_module_both_run() -> None:
    script = Path(sys.executable).parent / "safeguard-rules"
    for command in (
        [str(script), "--version"],
        [sys.executable, "-m", "safeguard_rules", "--version"],
    ):
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("safeguard-rules, version ")


def test_evaluate_prints_the_obligations_table() -> None:
    code, out, _err = cli("evaluate", "--pack", "jersey_2019", "--as-of", AS_OF, str(EXAMPLE))
    assert code == 0
    assert "Obligations" in out and "Findings" in out
    assert "hold_strategy_meeting" in out
    assert (
        "Tue 2024-05-14 23:59" in out
    )  # discussion Wed 8 May; Thu 9 Liberation Day; Fri, Mon, Tue
    assert "events: " in out and " 0 rejected" in out


def test_evaluate_json_is_stable_and_stamped() -> None:
    code, out, _err = cli(
        "evaluate", "--pack", "jersey_2019", "--as-of", AS_OF, "--format", "json", str(EXAMPLE)
    )
    assert code == 0
    data = json.loads(out)
    assert data["pack"]["id"] == "jersey_2019"
    assert data["pack"]["content_hash"].startswith("sha256:")
    assert data["account"]["received"] == data["account"]["evaluated"]
    again = cli(
        "evaluate", "--pack", "jersey_2019", "--as-of", AS_OF, "--format", "json", str(EXAMPLE)
    )[1]
    assert again == out


@pytest.mark.parametrize("pack", bundled_packs())
def test_every_bundled_pack_evaluates_every_example(pack: str) -> None:
    examples = sorted(
        str(p) for p in (ROOT / "examples").iterdir() if p.suffix in (".jsonl", ".yaml")
    )
    code, out, err = cli(
        "evaluate",
        "--pack",
        pack,
        "--as-of",
        "2026-01-01T00:00:00+00:00",
        "--format",
        "json",
        *examples,
    )
    assert code == 0, err
    account = json.loads(out)["account"]
    assert account["rejected"] == []
    assert account["evaluated"] > 0


def test_evaluate_with_rejected_events_exits_1_and_lists_them(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8")
        + '{"id": "x", "type": "nope", "child_id": "c", "at": "2024-01-01T00:00:00Z"}\n',
        encoding="utf-8",
    )
    code, out, err = cli("evaluate", "--pack", "jersey_2019", "--as-of", AS_OF, str(bad))
    assert code == 1
    assert "Obligations" in out  # the good events are still evaluated and shown
    line = len(bad.read_text(encoding="utf-8").splitlines())  # the appended record is the last line
    assert f"rejected: {bad}:{line}: event 'x': unknown event type 'nope'" in err


def test_evaluate_usage_errors_exit_2() -> None:
    code, _out, err = cli("evaluate", "--pack", "jersey_209", "--as-of", AS_OF, str(EXAMPLE))
    assert code == 2
    assert "did you mean 'jersey_2019'?" in err
    code, _out, err = cli(
        "evaluate", "--pack", "jersey_2019", "--as-of", "2024-06-03T17:00:00", str(EXAMPLE)
    )
    assert code == 2
    assert "no UTC offset" in err


def test_param_override_changes_the_deadline() -> None:
    code, out, _err = cli(
        "evaluate",
        "--pack",
        "jersey_2019",
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--param",
        "follow_up_timescale={calendar_days: 1}",
        str(EXAMPLE),
    )
    assert code == 0
    follow = [o for o in json.loads(out)["obligations"] if o["rule"] == "sender_follows_up_flag"]
    # the flag was sent Tue 7 May 2024 10:00; one calendar day: end of Wed 8 May
    assert [o["due"] for o in follow] == ["2024-05-08T23:59:59+01:00"]


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("notanumber", "'notanumber' is not a timescale"),
        (
            "{working_days: abc}",
            "working_days: Input should be a valid integer (got 'abc'); a number is written without quotes",
        ),
        ("{parameter: follow_up_timescale}", "a parameter's value cannot name another parameter"),
    ],
)
def test_a_bad_param_value_names_the_option_and_the_parameter_type(value: str, what: str) -> None:
    # It was reported at the pack's own declaration of the parameter (for a bundled pack,
    # a line of a file in site-packages), exit 1, as if the pack were wrong.
    for command in ("evaluate", "explain"):
        extra = ["x/ev-1"] if command == "explain" else []
        code, out, err = cli(
            command,
            "--pack",
            "jersey_2019",
            "--as-of",
            AS_OF,
            "--param",
            f"follow_up_timescale={value}",
            str(EXAMPLE),
            *extra,
        )
        assert (code, out) == (2, "")
        assert err == (
            f"error: --param follow_up_timescale={value}: {what}; a pack parameter's type is a "
            "timescale or a deadline table, as for a rule's 'due' (docs/pack-format.md), e.g. "
            "--param follow_up_timescale='{working_days: 2}'\n"
        )
        assert "jersey_2019.yaml" not in err


def test_a_bad_parameter_value_in_python_says_what_is_wrong_with_it() -> None:
    with pytest.raises(PackValidationError) as caught:
        load_pack("jersey_2019", parameters={"follow_up_timescale": {"hours": "5"}})
    (problem,) = caught.value.diagnostics
    assert problem.message == (
        "override of parameter 'follow_up_timescale': hours: Input should be a valid integer "
        "(got '5'); a number is written without quotes"
    )


def test_explain_shows_rule_steps_and_quote() -> None:
    code, out, _err = cli(
        "explain",
        "--pack",
        "jersey_2019",
        "--as-of",
        AS_OF,
        str(EXAMPLE),
        # ev-007 does not carry jersey_2019's attribute multi_agency_response_required, so
        # the meeting is timed by the advisory notice (reader 6 M1)
        "strategy_meeting_within_three_working_days_response_not_recorded/ev-010",
    )
    assert code == 0
    # counted from the concern ev-007, Wed 8 May 2024: Thu 9 Liberation Day, Fri 10 (1),
    # Mon 13 (2), Tue 14 (3)
    assert "2024-05-09 Thu: skipped (public holiday: Liberation Day)" in out
    assert "2024-05-14 Tue: working day 3" in out
    assert (
        "It is expected that all Strategy Meetings will take place within three working days."
        in out
    )
    assert "clock from: ev-007 concern_identified" in out
    assert "trigger: ev-010 strategy_meeting_held" in out


def test_explain_marks_the_deciding_case_of_a_table() -> None:
    code, out, _err = cli(
        "explain",
        "--pack",
        "wtsc_2015",
        "--as-of",
        "2016-01-01T00:00:00+00:00",
        str(ROOT / "examples" / "concerns_2015.jsonl"),
        "strategy_discussion_same_day/wt-010",
    )
    assert code == 0
    assert "decision table (hit policy: first match)" in out
    assert "-> penetrative sexual abuse, forensic evidence: the same day" in out
    assert "   serious risk of harm: the same day" in out  # tried first, did not match
    # the obligation cites the sentence of the case that decided its deadline
    assert "For allegations of penetrative sexual abuse" in out


def test_explain_unknown_obligation_suggests() -> None:
    code, _out, err = cli(
        "explain",
        "--pack",
        "jersey_2019",
        "--as-of",
        AS_OF,
        str(EXAMPLE),
        "strategy_meeting_within_three_working_days/ev-00",
    )
    assert code == 2
    assert "did you mean" in err


def test_packs_lists_every_bundled_pack() -> None:
    code, out, _err = cli("packs")
    assert code == 0
    assert [line.split(":")[0] for line in out.splitlines()] == bundled_packs()
