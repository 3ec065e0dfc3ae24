"""Vocabulary as configuration: a pack declares its own event type and typed attributes in
YAML (tests/vocabulary_pack/, an invented MASH procedure) and is loaded, validated,
linted, tested with scenarios and evaluated with no Python change.

Deadlines are counted by hand on the England calendar in the comments.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from safeguard_rules import (
    PackValidationError,
    evaluate,
    lint_packs,
    load_pack,
    parse_events,
    run_scenarios,
)
from safeguard_rules._loading import compile_text
from safeguard_rules._yaml import read_yaml_file
from safeguard_rules.cli import main

HERE = Path(__file__).resolve().parent / "vocabulary_pack"
PACK = HERE / "mash_threshold.yaml"
SCENARIOS = HERE / "mash_threshold.scenarios.yaml"
PACK_TEXT = PACK.read_text(encoding="utf-8")


def cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return load_pack(PACK)


# --- the pack goes through every command ------------------------------------------------


def test_the_pack_validates_and_lints_clean() -> None:
    for command in ("validate", "lint"):
        done = cli(command, "--strict", str(PACK))
        assert done.exit_code == 0, done.output
        assert "mash_threshold version 1, 4 rules: ok" in done.stdout


def test_its_scenarios_pass_with_full_coverage() -> None:
    done = cli("test", "--min-coverage", "100", str(SCENARIOS))
    assert done.exit_code == 0, done.output
    assert "3 passed, 0 failed" in done.stdout


def test_it_evaluates_declared_events_from_a_file(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    records = [
        {"id": "c1", "type": "concern_identified", "child_id": "k1", "at": "2024-05-03T10:00:00+01:00",
         "category": "neglect", "attributes": {"referral_channel": "email", "threshold_met": False}},
        {"id": "d1", "type": "threshold_decision_made", "child_id": "k1", "on": "2024-05-08",
         "outcome": "strategy_discussion", "of_event": "c1", "referrer_told_on": "2024-05-08"},
    ]  # fmt: skip
    events.write_text("".join(json.dumps(r) + "\n" for r in records))
    done = cli(
        "evaluate", "--pack", str(PACK), "--as-of", "2024-05-31", "--format", "json", str(events)
    )
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    by_rule = {o["rule"]: o for o in result["obligations"]}
    # Friday 3 May; Monday 6 May a bank holiday: one working day is the end of Tue 7 May.
    decision = by_rule["threshold_decision_after_referral"]
    assert (decision["due"], decision["status"], decision["met_by"]) == (
        "2024-05-07T23:59:59+01:00",
        "met_late",
        "d1",
    )
    # Decided Wed 8 May: two working days are Thu 9 and Fri 10 May; nothing held since.
    discussion = by_rule["strategy_discussion_after_threshold"]
    assert (discussion["due"], discussion["status"]) == ("2024-05-10T23:59:59+01:00", "overdue")
    assert result["account"]["rejected"] == []


def test_the_library_does_the_same_with_no_python_change() -> None:
    # What the commands above do, through the public API: lint (which validates), the
    # scenarios with their coverage, and an evaluation of declared events read with the
    # pack's vocabulary.
    report = lint_packs([PACK])
    assert report.passed() and (report.errors, report.warnings) == (0, 0)
    run = run_scenarios([SCENARIOS])
    assert run.passed and run.failed == ()
    assert run.to_dict()["summary"]["passed"] == 3
    assert run.to_dict()["coverage"][0]["percent"] == 100.0
    compiled = load_pack(PACK)
    records = [
        {"id": "c1", "type": "concern_identified", "child_id": "k1", "at": "2024-05-03T10:00:00+01:00",
         "category": "neglect", "attributes": {"referral_channel": "email", "threshold_met": False}},
        {"id": "d1", "type": "threshold_decision_made", "child_id": "k1", "on": "2024-05-07",
         "outcome": "no_further_action", "of_event": "c1", "referrer_told_on": "2024-05-07"},
    ]  # fmt: skip
    stream = parse_events(records, vocabulary=compiled.vocabulary)
    result = evaluate(compiled, stream, date(2024, 5, 31))
    by_rule = {o.rule: o for o in result.obligations}
    # Friday 3 May; Monday 6 May a bank holiday: one working day is the end of Tue 7 May,
    # the day of the decision, so it is met; no further action owes no strategy discussion.
    decision = by_rule["threshold_decision_after_referral"]
    assert (decision.due.date(), decision.status, decision.met_by) == (
        date(2024, 5, 7),
        "met",
        "d1",
    )
    assert "strategy_discussion_after_threshold" not in by_rule
    assert result.account.rejected == ()


# --- reading events: the pack's declarations are checked like the core -------------------


def record(**fields: object) -> dict[str, object]:
    return {
        "id": "d",
        "type": "threshold_decision_made",
        "child_id": "k",
        "on": "2024-05-08",
        **fields,
    }


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {},
            "missing field 'outcome' for threshold_decision_made; give it, or list it under unknown",
        ),
        ({"outcome": "referral"}, "outcome"),
        (
            {"outcome": "assessment", "referrer_told_on": "8 May"},
            "'referrer_told_on' must be an ISO 8601 date",
        ),
        ({"outcome": "assessment", "reasons": ["gut_feeling"]}, "reasons"),
        (
            {"outcome": "assessment", "decided": "x"},
            "unknown field 'decided'; did you mean 'decided_by'?",
        ),
    ],
)
def test_declared_fields_are_typed(pack, given: dict[str, object], message: str) -> None:  # type: ignore[no-untyped-def]
    stream = parse_events([record(**given)], vocabulary=pack.vocabulary)
    [rejection] = stream.rejected
    assert message in rejection.reason, rejection.reason


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"threshold_met": "true"}, "attribute 'threshold_met' must be true or false"),
        (
            {"referral_channel": "fax"},
            "attribute 'referral_channel' must be one of its declared values",
        ),
    ],
)
def test_declared_attributes_are_typed(pack, attributes: dict[str, object], message: str) -> None:  # type: ignore[no-untyped-def]
    concern = {"id": "c", "type": "concern_identified", "child_id": "k", "on": "2024-05-08",
               "category": "neglect", "attributes": attributes}  # fmt: skip
    [rejection] = parse_events([concern], vocabulary=pack.vocabulary).rejected
    assert rejection.reason == message
    # Undeclared attributes are still local extensions of any scalar type.
    ok = parse_events(
        [{**concern, "attributes": {"source_record": "X/1"}}], vocabulary=pack.vocabulary
    )
    assert not ok.rejected


def test_without_the_pack_s_vocabulary_a_declared_type_is_unknown() -> None:
    [rejection] = parse_events([record(outcome="assessment")]).rejected
    assert "unknown event type 'threshold_decision_made'" in rejection.reason


def test_a_declared_type_has_the_core_fields_and_a_description(pack) -> None:  # type: ignore[no-untyped-def]
    cls = pack.vocabulary.event_class("threshold_decision_made")
    assert cls.__doc__.startswith("The MASH manager decides")
    assert cls._needed == ("outcome",)
    event = parse_events(
        [record(outcome="assessment", unknown=["reasons"])], vocabulary=pack.vocabulary
    ).events[0]
    assert (event.on, event.outcome, event.reasons, event.unknown) == (
        date(2024, 5, 8),
        "assessment",
        [],
        ["reasons"],
    )


def test_an_unknown_declared_attribute_leaves_its_check_undetermined(pack) -> None:  # type: ignore[no-untyped-def]
    concern = {"id": "c", "type": "concern_identified", "child_id": "k", "on": "2024-05-03",
               "category": "other", "attributes": {"referral_channel": "phone"},
               "unknown": ["attributes.threshold_met"]}  # fmt: skip
    result = evaluate(pack, parse_events([concern], vocabulary=pack.vocabulary), date(2024, 5, 31))
    [u] = result.undetermined
    assert (u.rule, u.missing) == (
        "referrer_view_recorded",
        ("concern_identified.attributes.threshold_met",),
    )


# --- pack errors: declared names are checked like core ones --------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{field: attributes.referral_channel, present: true}", "{field: attributes.referal_channel, present: true}",
         "attribute 'referal_channel' of 'concern_identified' (the trigger event) is not declared; did you mean "
         "'referral_channel'?; declare it with its type under vocabulary.attributes.concern_identified "
         "(declared: referral_channel, threshold_met)"),
        ("{field: attributes.threshold_met, is: true}", "{field: attributes.threshold_met, is: \"true\"}",
         "'attributes.threshold_met' is true or false; write true or false, not 'true'"),
        ("{field: attributes.referral_channel, in: [phone, portal]}", "{field: attributes.referral_channel, in: [phone, fax]}",
         "'fax' is not a value of 'attributes.referral_channel'"),
        ("{field: outcome, is: strategy_discussion}", "{field: outcome, is: strategy_discusion}",
         "'strategy_discusion' is not a value of 'outcome'; did you mean 'strategy_discussion'?"),
        ("event: threshold_decision_made, where", "event: threshold_decision_mad, where",
         "unknown event type 'threshold_decision_mad'; did you mean 'threshold_decision_made'?"),
        ("{attributes.referral_channel} referral", "{attributes.channel} referral",
         "message names {attributes.channel}, an attribute 'concern_identified' does not declare"),
        ("    threshold_decision_made:\n      description", "    flag_sent:\n      description",
         "'flag_sent' is an event type of the core vocabulary"),
        ("        of_event: {type: reference", "        child_id: {type: reference",
         "'child_id' is a field every event has; choose another name"),
        ("      referral_channel:\n        type: enum", "      referral_channel:\n        required: true\n        type: enum",
         "an attribute is never required"),
        ("  attributes:\n    concern_identified:", "  attributes:\n    concern_identifed:",
         "attributes for unknown event type 'concern_identifed'; did you mean 'concern_identified'?"),
        ("          values: [strategy_discussion, assessment, no_further_action]\n", "",
         "an enum needs 'values'"),
    ],
)  # fmt: skip
def test_a_mistake_in_or_against_a_declaration_is_a_located_error(
    old: str, new: str, message: str
) -> None:
    assert PACK_TEXT.count(old) == 1, old
    text = PACK_TEXT.replace(old, new)
    with pytest.raises(PackValidationError) as raised:
        compile_text(text, str(PACK))
    messages = [d.message for d in raised.value.diagnostics]
    assert any(message in m for m in messages), messages
    [found] = [d for d in raised.value.diagnostics if message in d.message]
    assert found.line > 0


def test_the_compiled_pack_records_its_vocabulary_in_its_hash(pack) -> None:  # type: ignore[no-untyped-def]
    assert pack.vocabulary.declared_types == ("threshold_decision_made",)
    described = PACK_TEXT.replace(
        "description: The grounds the decision records.", "description: Why."
    )
    assert compile_text(described, str(PACK)).content_hash != pack.content_hash
    retyped = PACK_TEXT.replace(
        "        decided_by: {type: text,", "        decided_by: {type: reference,"
    )
    other = compile_text(retyped, str(PACK))
    assert other.vocabulary.digest != pack.vocabulary.digest
    assert other.content_hash != pack.content_hash


# --- schemas and overlays -----------------------------------------------------------------


def test_the_scenario_schema_can_include_a_pack_s_declared_types(tmp_path: Path) -> None:
    done = cli("schema", "--pack", str(PACK), "--out", str(tmp_path))
    assert done.exit_code == 0, done.output
    with_pack = Draft202012Validator(json.loads((tmp_path / "scenario.schema.json").read_text()))
    core = Draft202012Validator(json.loads((Path("schemas") / "scenario.schema.json").read_text()))
    scenarios, _positions = read_yaml_file(SCENARIOS)
    assert list(with_pack.iter_errors(scenarios)) == []
    assert list(core.iter_errors(scenarios)) != []  # the core schema knows no such event
    bad = json.loads(json.dumps(scenarios))
    bad["scenarios"][0]["events"][1]["outcome"] = "maybe"
    assert not with_pack.is_valid(bad)


def test_an_overlay_declares_more_vocabulary_and_switches_off_a_rule(tmp_path: Path) -> None:
    for name in ("mash_threshold.yaml", "mash_source.txt"):
        (tmp_path / name).write_text((HERE / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "local.yaml").write_text(
        """\
extend: mash_threshold.yaml
pack: {id: mash_local, title: Local MASH, version: "1-local"}
disable: [referrer_told]
vocabulary:
  attributes:
    threshold_decision_made:
      quality_checked: {type: boolean, description: A second manager checked the decision.}
rules:
  - id: decisions_quality_checked
    title: Decisions are quality checked (a local choice)
    strength: advisory
    when: {event: threshold_decision_made}
    expect: {field: attributes.quality_checked, is: true}
    message: "decision {id} was not quality checked"
""",
        encoding="utf-8",
    )
    local = load_pack(tmp_path / "local.yaml")
    assert [c.rule.id for c in local.rules] == [
        "threshold_decision_after_referral",
        "strategy_discussion_after_threshold",
        "referrer_view_recorded",
        "decisions_quality_checked",
    ]
    stream = parse_events([record(outcome="assessment")], vocabulary=local.vocabulary)
    result = evaluate(local, stream, date(2024, 5, 31))
    assert [(f.rule, f.message) for f in result.findings] == [
        ("decisions_quality_checked", "decision d was not quality checked")
    ]


def test_every_core_event_type_and_field_says_when_to_record_it() -> None:
    from safeguard_rules import EVENT_CLASSES

    undocumented = [
        f"{name}.{field}"
        for name, cls in EVENT_CLASSES.items()
        for field, info in cls.model_fields.items()
        if field != "type" and not info.description
    ]
    assert undocumented == []
    assert [name for name, cls in EVENT_CLASSES.items() if not cls.__dict__.get("__doc__")] == []


def test_events_md_says_when_to_record_every_core_type_and_its_look_alike() -> None:
    from safeguard_rules import EVENT_CLASSES

    text = (HERE.parents[1] / "docs" / "events.md").read_text(encoding="utf-8")
    section = text.split("## Choosing an event type", 1)[1].split("\n## ", 1)[0]
    rows = {
        line.split("|")[1].strip().strip("`"): [cell.strip() for cell in line.split("|")[2:4]]
        for line in section.splitlines()
        if line.startswith("| `")
    }
    assert sorted(rows) == sorted(EVENT_CLASSES)
    assert [name for name, (when, not_) in rows.items() if not when or not not_] == []
