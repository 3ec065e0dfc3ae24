"""Bad input gets a clear, located error and loses nothing."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from helpers import ev

from safeguard_rules import (
    PackSyntaxError,
    PackValidationError,
    evaluate,
    load_events,
    load_pack,
    parse_events,
)
from safeguard_rules._loading import compile_text

MINIMAL = """\
pack:
  id: test_pack
  title: A test pack
  jurisdiction: nowhere
  version: "1"
  effective_from: 2024-01-01
  sources:
    - {id: src, file: sources/none.txt, title: Invented source}
calendar:
  timezone: Europe/London
  public_holidays: {country: GB, subdivision: ENG}
roles:
  team_manager: {title: Team Manager}
rules:
  - id: meeting_in_three_days
    title: Meetings within three working days
    citation: {source: src, quote: "meetings within three working days"}
    strength: should
    when:
      event: concern_identified
      where: {field: serious_harm, is: true}
    require:
      action: hold_meeting
      responsible: team_manager
      due: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
"""


def compile_error(text: str, kind: type[Exception] = PackValidationError) -> str:
    with pytest.raises(kind) as caught:
        compile_text(text, "pack.yaml")
    return str(caught.value)


def test_minimal_pack_compiles() -> None:
    pack = compile_text(MINIMAL, "pack.yaml")
    assert pack.id == "test_pack"
    assert pack.content_hash.startswith("sha256:")


# --- packs ----------------------------------------------------------------------------------


def test_malformed_yaml_names_line_and_column() -> None:
    message = compile_error(MINIMAL.replace('  version: "1"', "  version: [1"), PackSyntaxError)
    assert message.startswith("pack.yaml:")
    assert "YAML syntax error" in message


def test_unknown_key_suggests_the_right_one() -> None:
    message = compile_error(MINIMAL.replace("    strength: should", "    strenght: should"))
    # the misspelt key is on line 18, column 5 (and 'strength' is then missing from the rule)
    assert "pack.yaml:18:5: error unknown-key: unknown key 'strenght' in rules.0" in message
    assert "pack.yaml:15:5: error missing-key: missing required key 'strength'" in message
    assert "did you mean 'strength'?" in message


def test_missing_key_is_named() -> None:
    message = compile_error(MINIMAL.replace("      responsible: team_manager\n", ""))
    assert "missing required key 'responsible'" in message


def test_unknown_event_type_suggests() -> None:
    message = compile_error(
        MINIMAL.replace("event: concern_identified", "event: concern_identifed")
    )
    assert message.startswith("pack.yaml:20:7: error unknown-event-type:")
    assert "unknown event type 'concern_identifed'; did you mean 'concern_identified'?" in message


def test_unknown_field_in_condition_suggests() -> None:
    message = compile_error(MINIMAL.replace("field: serious_harm", "field: serious_harms"))
    assert "has no field 'serious_harms'; did you mean 'serious_harm'?" in message
    assert message.startswith("pack.yaml:21:15: ")


def test_wrong_value_for_enumerated_field() -> None:
    text = MINIMAL.replace("{field: serious_harm, is: true}", "{field: category, is: neglct}")
    message = compile_error(text)
    assert "'neglct' is not a value of 'category'; did you mean 'neglect'?" in message


def test_operator_that_does_not_fit_the_field() -> None:
    text = MINIMAL.replace("{field: serious_harm, is: true}", "{field: serious_harm, contains: x}")
    assert "operator 'contains' does not apply to 'serious_harm'" in compile_error(text)


def test_unknown_role_suggests() -> None:
    message = compile_error(
        MINIMAL.replace("responsible: team_manager", "responsible: team_manger")
    )
    assert "unknown role 'team_manger'; did you mean 'team_manager'?" in message


def test_unknown_citation_source() -> None:
    message = compile_error(MINIMAL.replace("citation: {source: src,", "citation: {source: srcc,"))
    assert "unknown source 'srcc'; did you mean 'src'?" in message


def test_gb_holidays_without_subdivision_are_rejected() -> None:
    message = compile_error(MINIMAL.replace("{country: GB, subdivision: ENG}", "{country: GB}"))
    assert "subdivision" in message and "Easter Monday" in message


def test_deadline_table_needs_a_default_case() -> None:
    text = MINIMAL.replace(
        "      due: {working_days: 3}",
        "      due:\n        table:\n          hit_policy: first\n          cases:\n"
        "            - {label: serious, when: {field: serious_harm, is: true}, within: {same_day: true}}",
    )
    assert "the last case of a deadline table must have no 'when'" in compile_error(text)


def test_yaml_tags_are_refused() -> None:
    message = compile_error(
        MINIMAL.replace('version: "1"', "version: !!python/name:os.system"), PackSyntaxError
    )
    assert "YAML tag" in message and "not allowed" in message
    message = compile_error(MINIMAL.replace('version: "1"', "version: !custom 1"), PackSyntaxError)
    assert "pack.yaml:5:" in message


def test_duplicate_keys_are_refused() -> None:
    message = compile_error(
        MINIMAL.replace('  version: "1"', '  version: "1"\n  version: "2"'), PackSyntaxError
    )
    assert "duplicate key 'version'" in message
    assert "error duplicate-key: duplicate key" in message


def test_syntax_errors_carry_their_own_code() -> None:
    message = compile_error(MINIMAL.replace('version: "1"', "version: [1"), PackSyntaxError)
    assert "error yaml-syntax: YAML syntax error" in message


def test_alias_bomb_is_bounded() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for name, prev in zip("bcdefgh", "abcdefg", strict=True):
        bomb += f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    assert "more than" in compile_error(bomb, PackSyntaxError)


def test_all_problems_are_reported_at_once() -> None:
    text = MINIMAL.replace("responsible: team_manager", "responsible: nobody").replace(
        "field: serious_harm", "field: nonsense"
    )
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "pack.yaml")
    assert len(caught.value.diagnostics) == 2


def test_parameter_override_must_name_a_parameter() -> None:
    with pytest.raises(PackValidationError) as caught:
        load_pack("jersey_2019", parameters={"follow_up_timescal": {"working_days": 1}})
    assert "did you mean 'follow_up_timescale'?" in str(caught.value)


# --- events ---------------------------------------------------------------------------------


def write_jsonl(tmp_path: Path, records: list[object]) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


GOOD = {
    "id": "e1",
    "type": "cpn_created",
    "child_id": "child-1",
    "at": "2024-05-07T10:00:00+01:00",
    "incident_ref": "INC-1",
}


def test_naive_timestamp_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, [GOOD, {**GOOD, "id": "e2", "at": "2024-05-07T10:00:00"}])
    stream = load_events(path)
    assert [e.id for e in stream.events] == ["e1"]
    (rejection,) = stream.rejected
    assert rejection.where == f"{path}:2"
    assert rejection.event_id == "e2"
    assert "'at' has no UTC offset" in rejection.reason


def test_unknown_event_type_is_rejected_with_suggestion(tmp_path: Path) -> None:
    stream = load_events(write_jsonl(tmp_path, [{**GOOD, "type": "cpn_creatd"}]))
    assert (
        "unknown event type 'cpn_creatd'; did you mean 'cpn_created'?" in stream.rejected[0].reason
    )


def test_unknown_field_is_rejected_and_not_echoed(tmp_path: Path) -> None:
    stream = load_events(write_jsonl(tmp_path, [{**GOOD, "sumary": "SECRET-DETAIL"}]))
    reason = stream.rejected[0].reason
    assert "unknown field 'sumary'; did you mean 'summary'?" in reason
    assert "SECRET-DETAIL" not in reason  # event contents are never echoed


def test_invalid_json_line_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(GOOD) + "\n{not json\n", encoding="utf-8")
    stream = load_events(path)
    assert stream.received == 2
    assert stream.rejected[0].where == f"{path}:2"
    assert "not valid JSON" in stream.rejected[0].reason


def test_yaml_event_file_names_the_record_line(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(
        "- {id: e1, type: cpn_created, child_id: c1, at: '2024-05-07T10:00:00+01:00', incident_ref: I}\n"
        "- id: e2\n  type: cpn_created\n  child_id: c1\n  at: '2024-05-07T10:00:00+01:00'\n",
        encoding="utf-8",
    )
    stream = load_events(path)
    assert [e.id for e in stream.events] == ["e1"]
    assert stream.rejected[0].where == f"{path}:2"
    assert "missing field 'incident_ref'" in stream.rejected[0].reason


def test_duplicate_ids_are_all_rejected_and_accounted_for() -> None:
    events = [
        ev("cpn_created", "2024-05-07T10:00:00+01:00", id="dup", incident_ref="A"),
        ev("cpn_created", "2024-05-08T10:00:00+01:00", id="dup", incident_ref="B"),
        ev("cpn_created", "2024-05-09T10:00:00+01:00", id="ok", incident_ref="C"),
    ]
    result = evaluate(
        load_pack("jersey_2019"), events, datetime.fromisoformat("2024-06-01T00:00:00+01:00")
    )
    assert result.account.received == 3
    assert result.account.evaluated == 1
    assert [r.event_id for r in result.account.rejected] == ["dup", "dup"]
    assert "duplicate event id" in result.account.rejected[0].reason


def test_events_after_as_of_are_rejected_not_dropped() -> None:
    events = [ev("cpn_created", "2024-05-07T10:00:00+01:00", id="later", incident_ref="A")]
    result = evaluate(
        load_pack("jersey_2019"), events, datetime.fromisoformat("2024-05-01T00:00:00+01:00")
    )
    assert (result.account.evaluated, len(result.account.rejected)) == (0, 1)
    assert "after as_of" in result.account.rejected[0].reason


def test_naive_as_of_is_an_error() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        evaluate(load_pack("jersey_2019"), [], datetime(2024, 5, 1))


def test_parse_events_keeps_rejections_with_positions() -> None:
    stream = parse_events([GOOD, "not a mapping", {**GOOD, "id": "e3", "type": None}])
    assert [r.where for r in stream.rejected] == ["input[1]", "input[2]"]
    assert stream.received == 3
