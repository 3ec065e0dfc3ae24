"""An overlay switches base rules off by id (``disable``); a mistyped id is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from safeguard_rules import PackValidationError, load_pack

HEAD = 'extend: wtsc_2015\npack: {id: wtsc_local, title: A local overlay, version: "1"}\n'


def overlay(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "local.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def test_a_disabled_rule_is_left_out_and_the_others_keep_their_order(tmp_path: Path) -> None:
    base = [c.rule.id for c in load_pack("wtsc_2015").rules]
    off = "record_available_to_invitees_after_discussion"
    local = load_pack(overlay(tmp_path, f"disable: [{off}]\n"))
    assert [c.rule.id for c in local.rules] == [r for r in base if r != off]
    assert off not in {c.rule.id for cs in local.rules_by_event.values() for c in cs}


def test_a_mistyped_id_is_an_error_with_a_did_you_mean(tmp_path: Path) -> None:
    path = overlay(tmp_path, "disable:\n  - strategy_discussion_when_harm_suspectd\n")
    with pytest.raises(PackValidationError) as raised:
        load_pack(path)
    [problem] = raised.value.diagnostics
    assert (problem.file, problem.line, problem.code) == (str(path), 4, "unknown-rule")
    assert problem.message.startswith(
        "'strategy_discussion_when_harm_suspectd' is not a rule of wtsc_2015; did you mean "
        "'strategy_discussion_when_harm_suspected'?"
    )


def test_a_rule_cannot_be_both_disabled_and_replaced(tmp_path: Path) -> None:
    body = (
        "disable: [chair_records_strategy_meeting, chair_records_strategy_meeting]\n"
        "rules:\n"
        "  - id: chair_records_strategy_meeting\n"
        "    title: Replaced\n"
        "    strength: advisory\n"
        "    when: {event: strategy_meeting_held}\n"
        "    expect: {field: agencies, present: true}\n"
        "    message: not minuted\n"
    )
    with pytest.raises(PackValidationError) as raised:
        load_pack(overlay(tmp_path, body))
    messages = [d.message for d in raised.value.diagnostics]
    assert (
        "'chair_records_strategy_meeting' is both switched off and replaced by this overlay; keep one"
        in messages
    )
