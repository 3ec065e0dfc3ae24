"""Unknown is a value: fields a record lists under ``unknown``, three-valued conditions and
the ``cannot_evaluate`` outcome.

Deadlines are counted by hand from the England calendar (Europe/London, GB-ENG holidays).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from safeguard_rules import evaluate, parse_events, run_scenarios
from safeguard_rules._loading import compile_text
from safeguard_rules.cli import main
from tests.helpers import end_of, minimal_pack, recorded_false

LONDON = "Europe/London"
RULES = """\
  - id: discussion_when_serious
    title: A strategy discussion on a serious concern
    strength: must
    when:
      event: concern_identified
      where:
        any:
          - {field: serious_harm, is: true}
          - {field: immediate_action_taken, is: true}
    require:
      action: hold_strategy_discussion
      responsible: someone
      due: {working_days: 1}
      satisfied_by: {event: strategy_discussion_held}
  - id: neglect_needs_a_looked_after_child
    title: Neglect of a looked after child is reported
    strength: should
    when:
      event: concern_identified
      where:
        all:
          - {field: category, is: neglect}
          - {field: looked_after, is: true}
    require:
      action: report_neglect
      responsible: someone
      satisfied_by: {event: referral_made}
  - id: routed
    title: A referral goes one way or another
    strength: should
    when: {event: enquiry_received}
    routes:
      - name: unclear
        when: {field: safeguarding_risk_clear, is: false}
        require:
          action: pass_to_mash
          responsible: someone
          satisfied_by: {event: mash_enquiry_started}
      - name: clear
        require:
          action: refer_on
          responsible: someone
          satisfied_by: {event: referral_made}
  - id: tabled
    title: A conference, sooner for a continuing risk
    strength: must
    when: {event: enquiry_concluded}
    require:
      action: convene_conference
      responsible: someone
      due:
        table:
          hit_policy: first
          cases:
            - {label: continuing risk, when: {field: continuing_risk, is: true}, within: {working_days: 2}}
            - {label: otherwise, within: {working_days: 5}}
      satisfied_by:
        event: child_protection_conference_held
        where: {field: attributes.enquiry, is: {ref: trigger.id}}
  - id: discussion_by_telephone_is_recorded
    title: A telephone discussion's outcome is recorded by every agency
    strength: advisory
    when: {event: strategy_discussion_held, where: {field: mode, is: telephone}}
    expect: {field: records_made_by, contains_all: {ref: agencies}}
    message: "a {mode} discussion that not every agency recorded (chair {chair_role})"
  - id: looked_after_child_discussions
    title: Discussions about a looked after child include the fostering service
    strength: advisory
    when: {event: strategy_discussion_held, where: {field: case.looked_after, is: true}}
    expect: {field: agencies, contains: fostering_service}
    message: "no fostering service"
"""
VOCABULARY = """\
vocabulary:
  attributes:
    child_protection_conference_held:
      enquiry: {type: reference, description: The id of the enquiry the conference follows.}
"""
PACK_TEXT = VOCABULARY + minimal_pack("unknowns", "Unknown values test pack", RULES).replace(
    "  timezone: Europe/London\n",
    "  timezone: Europe/London\n  public_holidays: {country: GB, subdivision: ENG}\n",
).replace(
    "roles:\n", "agencies: {csc: CSC, police: Police, fostering_service: Fostering}\nroles:\n"
)


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return compile_text(PACK_TEXT, "unknowns.yaml")


def run(pack, items, as_of=date(2024, 6, 28)):  # type: ignore[no-untyped-def]
    stream = parse_events([{"child_id": "child-1", **item} for item in items])
    assert not stream.rejected, stream.rejected
    return evaluate(pack, stream, as_of)


def the(result, rule: str):  # type: ignore[no-untyped-def]
    [found] = [o for o in result.obligations if o.rule == rule]
    return found


AT = "2024-06-03T10:00:00+01:00"  # Monday 3 June 2024


def concern(**fields: object) -> dict[str, object]:
    # The flags a test does not give are recorded false (left out, they are not recorded).
    return {"id": "c", "type": "concern_identified", "at": AT, **recorded_false(fields)}


def bare_concern(**fields: object) -> dict[str, object]:
    """A concern with only the fields given: the flags left out are not recorded."""
    return {"id": "c", "type": "concern_identified", "at": AT, **fields}


# --- reading ----------------------------------------------------------------------------


def test_a_needed_field_listed_as_unknown_may_be_left_out() -> None:
    stream = parse_events([{**concern(unknown=["category"]), "child_id": "child-1"}])
    [event] = stream.events
    assert (event.category, event.unknown, event.is_unknown("category")) == (
        None,
        ["category"],
        True,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "missing field 'category' for concern_identified; give it, or list it under unknown"),
        ({"category": None}, "'category' is null; give its value, or leave it out and list it"),
        ({"category": "neglect", "unknown": ["category"]}, "'category' is both given and listed"),
        (
            {"category": "neglect", "unknown": ["severity"]},
            "unknown lists 'severity', which is not",
        ),
        (
            {"category": "neglect", "unknown": ["child_id"]},
            "unknown lists 'child_id', which is not",
        ),
        ({"category": "neglect", "unknown": ["at"]}, "unknown lists 'at', which is not"),
        (
            {"category": "neglect", "unknown": ["complex", "complex"]},
            "unknown lists 'complex' twice",
        ),
        (
            {"category": "neglect", "unknown": ["attributes.x"], "attributes": {"x": 1}},
            "'attributes.x' is both given and listed",
        ),
        ({"category": "neglect", "unknown": ["attributes"]}, "unknown lists 'attributes', which"),
        (
            {"category": "neglect", "unknown": ["other.x"]},
            "list its own fields (not id, child_id, type, at, on) or attributes.NAME",
        ),
    ],
)
def test_what_unknown_may_list(fields: dict[str, object], message: str) -> None:
    stream = parse_events(
        [{"id": "c", "type": "concern_identified", "child_id": "c1", "at": AT, **fields}]
    )
    [rejection] = stream.rejected
    assert message in rejection.reason, rejection.reason


def test_a_record_that_gives_the_flags_false_owes_nothing(pack) -> None:  # type: ignore[no-untyped-def]
    result = run(pack, [concern(category="neglect")])
    assert [o.rule for o in result.obligations] == []
    assert result.account.cannot_evaluate == 0


def test_a_flag_left_out_is_not_recorded_and_read_as_unknown(pack) -> None:  # type: ignore[no-untyped-def]
    # Reader 5 MEDIUM-1: serious_harm, immediate_action_taken and looked_after left out are
    # "not recorded", read exactly as if listed under unknown (before: false, so nothing was
    # owed and nothing said the record was silent). No discussion by the deadline (end of
    # Tue 4 June): whether it was owed depends on the flags the record does not give.
    [event] = parse_events([{**bare_concern(category="neglect"), "child_id": "child-1"}]).events
    assert event.unknown == [  # type: ignore[attr-defined]
        "serious_harm",
        "forensic_evidence_needed",
        "immediate_action_taken",
        "complex",
        "looked_after",
    ]
    assert event.serious_harm is None  # type: ignore[attr-defined]
    result = run(pack, [bare_concern(category="neglect")])
    o = the(result, "discussion_when_serious")
    assert o.status == "cannot_evaluate"
    assert o.missing == (
        "concern_identified.immediate_action_taken",
        "concern_identified.serious_harm",
    )
    looked_after = the(result, "neglect_needs_a_looked_after_child")
    assert looked_after.missing == ("concern_identified.looked_after",)
    assert result.findings == ()
    # The same record listing them under unknown reads the same.
    listed = run(
        pack,
        [
            bare_concern(
                category="neglect",
                unknown=[
                    "serious_harm",
                    "forensic_evidence_needed",
                    "immediate_action_taken",
                    "complex",
                    "looked_after",
                ],
            )
        ],
    )
    assert [(o.rule, o.status, o.missing) for o in listed.obligations] == [
        (o.rule, o.status, o.missing) for o in result.obligations
    ]


# --- whether a rule applies ---------------------------------------------------------------


def test_a_trigger_condition_on_an_unknown_value_cannot_be_evaluated(pack) -> None:  # type: ignore[no-untyped-def]
    # No discussion by the deadline (end of Tue 4 June): had serious_harm been true this
    # would be overdue; it is not known, so no finding, and the outcome says why.
    result = run(pack, [concern(category="neglect", unknown=["serious_harm"])])
    o = the(result, "discussion_when_serious")
    assert o.status == "cannot_evaluate"
    assert o.missing == ("concern_identified.serious_harm",)
    assert o.reason == (
        "cannot tell whether the rule applies: the records do not give "
        "concern_identified.serious_harm"
    )
    assert o.due == end_of("2024-06-04", LONDON)  # the deadline, had it applied
    assert result.findings == ()
    assert result.account.cannot_evaluate == 1


def test_any_with_one_true_part_does_not_need_the_unknown_one(pack) -> None:  # type: ignore[no-untyped-def]
    result = run(
        pack, [concern(category="neglect", immediate_action_taken=True, unknown=["serious_harm"])]
    )
    o = the(result, "discussion_when_serious")
    assert (o.status, o.missing) == ("overdue", ())
    assert [f.kind for f in result.findings] == ["overdue"]


def test_all_with_one_false_part_does_not_need_the_unknown_one(pack) -> None:  # type: ignore[no-untyped-def]
    known_false = run(pack, [concern(category="physical_abuse", unknown=["looked_after"])])
    assert [o.rule for o in known_false.obligations] == []
    unknown = run(pack, [concern(category="neglect", unknown=["looked_after"])])
    o = the(unknown, "neglect_needs_a_looked_after_child")
    assert (o.status, o.missing) == ("cannot_evaluate", ("concern_identified.looked_after",))


def test_an_unknown_category_leaves_the_rule_on_it_unknown(pack) -> None:  # type: ignore[no-untyped-def]
    o = the(
        run(pack, [concern(looked_after=True, unknown=["category"])]),
        "neglect_needs_a_looked_after_child",
    )
    assert (o.status, o.missing) == ("cannot_evaluate", ("concern_identified.category",))


def test_an_unknown_route_choice_cannot_be_evaluated(pack) -> None:  # type: ignore[no-untyped-def]
    received = {
        "id": "r",
        "type": "enquiry_received",
        "at": AT,
        "unknown": ["safeguarding_risk_clear"],
    }
    o = the(run(pack, [received]), "routed")
    assert (o.status, o.route, o.action) == ("cannot_evaluate", None, "pass_to_mash or refer_on")
    assert o.missing == ("enquiry_received.safeguarding_risk_clear",)
    assert "which route applies" in (o.reason or "")


# --- which deadline, and what meets it ------------------------------------------------------


def test_an_unknown_deadline_case_is_overdue_once_every_case_has_passed(pack) -> None:  # type: ignore[no-untyped-def]
    # Concluded Monday 3 June: 2 working days is the end of Wed 5 June, 5 the end of Mon 10.
    ended = {
        "id": "e",
        "type": "enquiry_concluded",
        "at": AT,
        "basis": "section_47",
        "unknown": ["continuing_risk"],
    }
    between = the(run(pack, [ended], date(2024, 6, 7)), "tabled")
    assert (between.status, between.due, between.missing) == (
        "cannot_evaluate",
        None,
        ("enquiry_concluded.continuing_risk",),
    )
    assert between.due_basis == "one of: continuing risk: 2 working days; otherwise: 5 working days"
    assert "which deadline applies" in (between.reason or "")
    before = the(run(pack, [ended], date(2024, 6, 5)), "tabled")
    assert before.status == "open"
    after = run(pack, [ended], date(2024, 6, 11))
    assert the(after, "tabled").status == "overdue"
    [finding] = after.findings
    assert "due by 2024-06-10T23:59+01:00 at the latest" in finding.message


def test_a_conference_that_may_be_the_one_leaves_the_outcome_open_to_doubt(pack) -> None:  # type: ignore[no-untyped-def]
    ended = {
        "id": "e",
        "type": "enquiry_concluded",
        "at": AT,
        "basis": "section_47",
        "continuing_risk": True,
    }
    maybe = {
        "id": "cp1",
        "type": "child_protection_conference_held",
        "at": "2024-06-04T10:00:00+01:00",
        "unknown": ["attributes.enquiry"],
    }
    o = the(run(pack, [ended, maybe]), "tabled")
    assert (o.status, o.met_by, o.missing) == (
        "cannot_evaluate",
        None,
        ("child_protection_conference_held.attributes.enquiry",),
    )
    assert "whether cp1 meets it" in (o.reason or "")
    # A later conference certainly about this enquiry, but late (Thu 6 June): in time if
    # cp1 was the one, late if not.
    sure = {
        "id": "cp2",
        "type": "child_protection_conference_held",
        "at": "2024-06-06T10:00:00+01:00",
        "attributes": {"enquiry": "e"},
    }
    o = the(run(pack, [ended, maybe, sure]), "tabled")
    assert (o.status, o.met_by) == ("cannot_evaluate", "cp2")
    # In time: met whichever was the one.
    sure["at"] = "2024-06-05T10:00:00+01:00"
    o = the(run(pack, [ended, maybe, sure]), "tabled")
    assert (o.status, o.met_by, o.missing) == ("met", "cp2", ())


# --- checks ---------------------------------------------------------------------------------


def discussion(**fields: object) -> dict[str, object]:
    return {"id": "d", "type": "strategy_discussion_held", "at": AT, **fields}


def test_a_check_on_an_unknown_value_is_undetermined_not_a_finding(pack) -> None:  # type: ignore[no-untyped-def]
    result = run(
        pack, [discussion(agencies=["csc", "police"], records_made_by=["csc"], unknown=["mode"])]
    )
    assert result.findings == ()
    [u] = result.undetermined
    assert (u.rule, u.event, u.missing, u.severity) == (
        "discussion_by_telephone_is_recorded",
        "d",
        ("strategy_discussion_held.mode",),
        "advisory",
    )
    assert u.reason == (
        "cannot tell whether the check applies: the records do not give strategy_discussion_held.mode"
    )
    data = json.loads(result.to_json())
    assert data["undetermined"][0]["status"] == "cannot_evaluate"
    assert data["account"]["cannot_evaluate"] == 1


def test_a_message_names_an_unknown_field_as_unknown(pack) -> None:  # type: ignore[no-untyped-def]
    result = run(
        pack,
        [
            discussion(
                mode="telephone",
                agencies=["csc", "police"],
                records_made_by=["csc"],
                unknown=["chair_role"],
            )
        ],
    )
    [finding] = result.findings
    assert (
        finding.message == "a telephone discussion that not every agency recorded (chair (unknown))"
    )


def test_a_case_fact_resting_on_an_unknown_value_is_unknown(pack) -> None:  # type: ignore[no-untyped-def]
    earlier = concern(category="physical_abuse", unknown=["looked_after"])
    later = discussion(mode="face_to_face", agencies=["csc"], at="2024-06-04T10:00:00+01:00")
    [u] = run(pack, [earlier, later]).undetermined
    assert (u.rule, u.missing) == (
        "looked_after_child_discussions",
        ("concern_identified.looked_after",),
    )
    # A later concern that says it clears the doubt: the fact is known again.
    known = concern(
        id="c2", category="physical_abuse", looked_after=False, at="2024-06-03T12:00:00+01:00"
    )
    result = run(pack, [earlier, known, later])
    assert (result.undetermined, result.findings) == ((), ())


# --- outputs -------------------------------------------------------------------------------


def test_the_command_line_shows_and_counts_what_cannot_be_evaluated(tmp_path: Path) -> None:
    pack_file = tmp_path / "unknowns.yaml"
    pack_file.write_text(PACK_TEXT, encoding="utf-8")
    events = tmp_path / "events.jsonl"
    records = [
        {**concern(category="neglect", unknown=["serious_harm"]), "child_id": "child-1"},
        {**discussion(agencies=["csc"], unknown=["mode"]), "child_id": "child-1"},
    ]
    events.write_text("".join(json.dumps(r) + "\n" for r in records))
    done = CliRunner().invoke(
        main, ["evaluate", "--pack", str(pack_file), "--as-of", "2024-06-28", str(events)]
    )
    assert done.exit_code == 0, done.output
    assert "cannot_evaluate (missing concern_identified.serious_harm)" in done.stdout
    assert "Checks that cannot be evaluated" in done.stdout
    assert "2 outcomes cannot be evaluated (values not recorded)" in done.stdout


def test_scenarios_expect_cannot_evaluate_and_undetermined_checks(tmp_path: Path) -> None:
    (tmp_path / "unknowns.yaml").write_text(PACK_TEXT, encoding="utf-8")
    scenarios = tmp_path / "unknowns.scenarios.yaml"
    scenarios.write_text(
        """\
pack: unknowns.yaml
scenarios:
  - name: unknown serious harm and meeting mode
    as_of: 2024-06-28
    events:
      - {id: c, type: concern_identified, child_id: k, on: 2024-06-03, category: neglect, immediate_action_taken: false, looked_after: false, unknown: [serious_harm]}
      - {id: d, type: strategy_discussion_held, child_id: k, on: 2024-06-04, agencies: [csc], unknown: [mode]}
    expect:
      obligations:
        - {rule: discussion_when_serious, status: cannot_evaluate, missing: [concern_identified.serious_harm], met_by: d}
      undetermined:
        - {rule: discussion_by_telephone_is_recorded, event: d, missing: [strategy_discussion_held.mode]}
      nothing_else: true
  - name: a wrong expectation fails
    as_of: 2024-06-28
    events:
      - {id: d, type: strategy_discussion_held, child_id: k, on: 2024-06-04, agencies: [csc], unknown: [mode]}
    expect:
      undetermined:
        - {rule: discussion_by_telephone_is_recorded, missing: [strategy_discussion_held.agencies]}
""",
        encoding="utf-8",
    )
    run_ = run_scenarios([scenarios])
    passed, failed = (
        [o for o in run_.outcomes if o.passed],
        [o for o in run_.outcomes if not o.passed],
    )
    assert [o.name for o in passed] == ["unknown serious harm and meeting mode"]
    [failure] = failed
    assert "expected undetermined" in "\n".join(failure.failures)
    assert "line 20" in "\n".join(failure.failures)
