"""Overlays: a pack that extends another, merged before validation, errors in the right file."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from helpers import end_of, ev, only, run

from safeguard_rules import PackSyntaxError, PackValidationError, diff_packs, load_pack
from safeguard_rules._loading import compile_text, load_document
from safeguard_rules._overlay import MAX_EXTEND_DEPTH
from safeguard_rules._pack import Due
from safeguard_rules._registry import bundled_dir

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "overlays" / "example_partnership_jersey_2024.yaml"
HISTORY = ROOT / "examples" / "child_a_history.jsonl"

BASE = """\
pack:
  id: base_pack
  title: An invented base pack
  jurisdiction: nowhere
  version: "1"
  effective_from: 2024-01-01
  effective_to: 2025-12-31
  description: The base's own description.
  sources:
    - {id: base_src, file: sources/base.txt, title: An invented base source}
calendar:
  timezone: Europe/London
  public_holidays: {country: GB, subdivision: ENG}
agencies:
  csc: Children's Social Care
roles:
  team_manager: {title: Team Manager, agency: csc}
  someone: {title: Someone}
parameters:
  meeting_timescale:
    description: How soon the meeting is held (a local choice).
    default: {working_days: 3}
    basis: source
    citation: {source: base_src, quote: "within a timescale commensurate to risk"}
rules:
  - id: meet_after_concern
    title: A meeting after a concern
    citation: {source: base_src, quote: "a meeting is held after a concern"}
    strength: should
    when: {event: concern_identified}
    require:
      action: hold_meeting
      responsible: team_manager
      due: {parameter: meeting_timescale}
      satisfied_by: {event: strategy_meeting_held}
  - id: serious_harm_flagged
    title: Concerns say whether there is serious harm
    citation: {source: base_src, quote: "concerns say whether there is serious harm"}
    strength: must
    when: {event: concern_identified}
    expect: {field: serious_harm, present: true}
    message: "concern does not say whether there is serious harm"
"""

HEAD = """\
extend: base.yaml
pack:
  id: local_pack
  title: An invented local overlay
  version: "2"
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of ``needle``."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


def problem(
    path: Path, kind: type[Exception] = PackValidationError
) -> tuple[str, int, int, str, str]:
    """The one diagnostic loading ``path`` gives: (file name, line, column, code, message)."""
    with pytest.raises(kind) as caught:
        load_pack(path)
    assert isinstance(caught.value, PackValidationError | PackSyntaxError)
    (d,) = caught.value.diagnostics
    return Path(d.file).name, d.line, d.column, d.code, d.message


@pytest.fixture
def base(tmp_path: Path) -> Path:
    write(tmp_path, "sources/base.txt", "Invented. A meeting is held after a concern.\n")
    return write(tmp_path, "base.yaml", BASE)


# --- the shipped example --------------------------------------------------------------


def test_example_overlay_inherits_and_overrides_one_parameter() -> None:
    base, pack = load_pack("jersey_2024"), load_pack(EXAMPLE)
    meta = pack.pack.pack
    assert (pack.id, pack.version, pack.extends, base.extends) == (
        "example_partnership_jersey_2024",
        "1",
        "jersey_2024",
        None,
    )
    assert (meta.jurisdiction, meta.effective_from, meta.effective_to) == (
        "jersey",
        date(2024, 3, 1),
        None,
    )
    assert [s.id for s in meta.sources] == ["jspb_2024", "example_partnership_note_3"]
    assert pack.parameters["receipt_follow_up_timescale"] == Due(hours=4)
    assert {k: v for k, v in pack.parameters.items() if k != "receipt_follow_up_timescale"} == {
        k: v for k, v in base.parameters.items() if k != "receipt_follow_up_timescale"
    }
    assert [c.rule for c in pack.rules] == [c.rule for c in base.rules]
    assert pack.pack.calendar == base.pack.calendar and pack.pack.roles == base.pack.roles
    assert pack.content_hash != base.content_hash


def test_example_overlay_evaluates_with_its_own_timescale() -> None:
    from safeguard_rules import evaluate, load_events

    events = load_events(HISTORY)
    as_of = datetime.fromisoformat("2024-06-03T17:00:00+01:00")
    under_overlay = evaluate(load_pack(EXAMPLE), events, as_of)
    under_base = evaluate(load_pack("jersey_2024"), events, as_of)
    # the flag ev-006 was sent Tue 7 May 2024 10:00 BST: four hours later is 14:00;
    # jersey_2024's one working day is the end of Wed 8 May
    assert under_overlay.obligation(
        "sender_confirms_receipt_of_flag/ev-006"
    ).due == datetime.fromisoformat("2024-05-07T14:00:00+01:00")
    assert under_base.obligation("sender_confirms_receipt_of_flag/ev-006").due == end_of(
        "2024-05-08", "Europe/Jersey"
    )
    assert under_overlay.pack.id == "example_partnership_jersey_2024"
    assert [o.id for o in under_overlay.obligations] == [o.id for o in under_base.obligations]


def test_each_source_file_is_found_beside_the_file_that_declared_it() -> None:
    pack = load_pack(EXAMPLE)
    own = pack.source_file("example_partnership_note_3")
    assert own == EXAMPLE.parent / "sources" / "example_partnership_timescales.txt"
    assert pack.source_file("jspb_2024") == bundled_dir() / "sources" / "001_f46e5218b7059a3a.txt"
    text = " ".join(own.read_text(encoding="utf-8").split())
    citation = pack.pack.parameters["receipt_follow_up_timescale"].citation
    assert citation is not None and citation.quote in text


def test_diff_of_an_overlay_against_its_base_shows_only_the_overrides() -> None:
    difference = diff_packs(load_pack("jersey_2024"), load_pack(EXAMPLE))
    assert [c.what for c in difference.pack] == [
        "title",
        "version",
        "description",
        "source example_partnership_note_3",
    ]
    assert [c.name for c in difference.parameters.changed] == ["receipt_follow_up_timescale"]
    assert (difference.parameters.added, difference.parameters.removed) == ((), ())
    assert difference.calendar == () and difference.roles.empty and difference.agencies.empty
    assert (difference.rules_added, difference.rules_removed, difference.rules_changed) == (
        (),
        (),
        (),
    )
    assert len(difference.rules_unchanged) == 37


# --- merging each section ---------------------------------------------------------------


def test_each_section_merges_as_documented(tmp_path: Path, base: Path) -> None:
    overlay = write(
        tmp_path,
        "local.yaml",
        HEAD
        + """\
  description: The overlay's own description.
  sources:
    - {id: local_src, file: sources/local.txt, title: An invented local note}
calendar:
  closures: [2024-05-13]
agencies:
  health: Health services
roles:
  team_manager: {title: Duty Team Manager, agency: csc}
  duty_manager: {title: Duty Manager, agency: csc}
parameters:
  meeting_timescale:
    description: How soon the meeting is held, as the local note sets it.
rules:
  - id: local_rule_added
    title: A new local check
    citation: {source: local_src, quote: "a new local check of concerns"}
    strength: advisory
    when: {event: concern_identified}
    expect: {field: category, present: true}
    message: "concern has no category"
  - id: meet_after_concern
    title: A meeting after a concern, chaired locally
    citation: {source: local_src, quote: "a meeting is held after a concern"}
    strength: must
    when: {event: concern_identified}
    require:
      action: hold_local_meeting
      responsible: duty_manager
      due: {parameter: meeting_timescale}
      satisfied_by: {event: strategy_meeting_held}
""",
    )
    pack = load_pack(overlay)
    meta = pack.pack.pack
    assert (meta.jurisdiction, meta.effective_from, meta.effective_to) == (
        "nowhere",
        date(2024, 1, 1),
        date(2025, 12, 31),
    )
    assert meta.description == "The overlay's own description."
    assert [s.id for s in meta.sources] == ["base_src", "local_src"]
    assert pack.pack.calendar.closures == [date(2024, 5, 13)]
    assert pack.pack.calendar.public_holidays is not None  # a key not given stays the base's
    assert pack.pack.agencies == {"csc": "Children's Social Care", "health": "Health services"}
    assert {k: r.title for k, r in pack.pack.roles.items()} == {
        "team_manager": "Duty Team Manager",
        "someone": "Someone",
        "duty_manager": "Duty Manager",
    }
    parameter = pack.pack.parameters["meeting_timescale"]
    assert parameter.description == "How soon the meeting is held, as the local note sets it."
    assert parameter.default == Due(working_days=3)  # not given: the base's
    assert parameter.citation is not None and parameter.citation.source == "base_src"
    # a base rule's id replaces it in place; a new id is appended after the base's rules
    assert [(c.rule.id, c.rule.title) for c in pack.rules] == [
        ("meet_after_concern", "A meeting after a concern, chaired locally"),
        ("serious_harm_flagged", "Concerns say whether there is serious harm"),
        ("local_rule_added", "A new local check"),
    ]
    concern = ev(
        "concern_identified", "2024-05-09T10:00:00+01:00", category="neglect", serious_harm=False
    )
    result = run(pack, [concern], "2024-05-09T12:00:00+01:00")
    meeting = only(result, "meet_after_concern")
    assert (meeting.action, meeting.responsible) == ("hold_local_meeting", "duty_manager")
    # 3 working days from Thu 9 May 2024: Fri 10, (Mon 13 closed), Tue 14, Wed 15
    assert meeting.due == end_of("2024-05-15", "Europe/London")
    assert only(
        run(load_pack(base), [concern], "2024-05-09T12:00:00+01:00"), "meet_after_concern"
    ).due == end_of("2024-05-14", "Europe/London")


def test_escalation_paths_are_replaced_or_added_by_name(tmp_path: Path) -> None:
    write(
        tmp_path,
        "base.yaml",
        BASE.replace(
            "parameters:\n",
            """\
escalation_paths:
  difference:
    description: Differences go to the Team Manager's manager.
    steps: {someone: team_manager}
parameters:
""",
        ),
    )
    text = (
        HEAD
        + """\
roles:
  duty_manager: {title: Duty Manager}
escalation_paths:
  difference:
    description: Locally, differences go to the Duty Manager.
    steps: {someone: duty_manager}
  urgent:
    description: Urgent matters go straight to the Duty Manager.
    steps: {team_manager: duty_manager}
"""
    )
    pack = load_pack(write(tmp_path, "local.yaml", text))
    assert {k: dict(v.steps) for k, v in pack.pack.escalation_paths.items()} == {
        "difference": {"someone": "duty_manager"},
        "urgent": {"team_manager": "duty_manager"},
    }
    broken = text.replace("{team_manager: duty_manager}", "{team_manager: duty_manger}")
    name, line, _column, code, message = problem(write(tmp_path, "local.yaml", broken))
    assert (name, line, code) == ("local.yaml", line_of(broken, "duty_manger")[0], "role-undefined")
    assert message.startswith("unknown role 'duty_manger'; did you mean 'duty_manager'?")


def test_content_hash_covers_the_merged_pack(tmp_path: Path, base: Path) -> None:
    def overlay_with(default: str, directory: Path) -> str:
        write(directory, "base.yaml", BASE)
        path = write(
            directory,
            "local.yaml",
            HEAD + f"parameters:\n  meeting_timescale:\n    default: {default}\n",
        )
        return load_pack(path).content_hash

    four = overlay_with("{working_days: 4}", tmp_path / "a")
    assert overlay_with("{working_days: 4}", tmp_path / "b") == four  # same content, other place
    assert overlay_with("{working_days: 5}", tmp_path / "c") != four
    assert load_pack(base).content_hash != four


def test_overlay_of_an_overlay(tmp_path: Path, base: Path) -> None:
    write(
        tmp_path,
        "mid.yaml",
        HEAD.replace("local_pack", "mid_pack")
        + """\
parameters:
  meeting_timescale:
    default: {working_days: 2}
roles:
  duty_manager: {title: Duty Manager}
""",
    )
    top = write(
        tmp_path,
        "top.yaml",
        """\
extend: mid.yaml
pack:
  id: top_pack
  title: An overlay of an overlay
  version: "3"
  effective_from: 2025-01-01
parameters:
  meeting_timescale:
    default: {working_days: 1}
""",
    )
    pack = load_pack(top)
    assert (pack.extends, pack.pack.pack.effective_from, pack.pack.pack.effective_to) == (
        "mid_pack",
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    assert pack.parameters["meeting_timescale"] == Due(working_days=1)  # the nearest overlay wins
    assert "duty_manager" in pack.pack.roles  # from the middle one
    assert load_document(top).lineage == ("mid_pack", "base_pack")


def test_an_overlay_compiled_from_text_finds_its_base_relative_to_its_file(
    tmp_path: Path, base: Path
) -> None:
    pack = compile_text(HEAD, str(tmp_path / "virtual.yaml"))
    assert (pack.id, pack.extends) == ("local_pack", "base_pack")


# --- errors, each in the file that holds it ---------------------------------------------


def test_unknown_parameter_suggests_the_bases(tmp_path: Path, base: Path) -> None:
    text = HEAD + "parameters:\n  meeting_timescal:\n    default: {working_days: 1}\n"
    overlay = write(tmp_path, "local.yaml", text)
    assert problem(overlay) == (
        "local.yaml",
        *line_of(text, "meeting_timescal:"),
        "unknown-parameter",
        "'meeting_timescal' is not a parameter of base_pack; did you mean 'meeting_timescale'?; an "
        "overlay can only override its base's parameters, which are: meeting_timescale",
    )


def test_unknown_key_in_an_overlay_names_the_allowed_keys(tmp_path: Path, base: Path) -> None:
    text = HEAD + "rule: []\n"
    assert problem(write(tmp_path, "local.yaml", text)) == (
        "local.yaml",
        *line_of(text, "rule:"),
        "unknown-key",
        "unknown key 'rule' in (top level); did you mean 'rules'?; allowed keys: agencies, "
        "calendar, disable, escalation_paths, extend, not_encoded, pack, parameters, roles, "
        "rules, vocabulary",
    )


def test_an_overlay_needs_its_own_version(tmp_path: Path, base: Path) -> None:
    text = HEAD.replace('  version: "2"\n', "")
    assert problem(write(tmp_path, "local.yaml", text)) == (
        "local.yaml",
        *line_of(text, "pack:"),
        "missing-key",
        "missing required key 'version' in pack",
    )


def test_an_overlay_needs_its_own_id(tmp_path: Path, base: Path) -> None:
    text = HEAD.replace("id: local_pack", "id: base_pack")
    assert problem(write(tmp_path, "local.yaml", text)) == (
        "local.yaml",
        *line_of(text, "id: base_pack"),
        "duplicate-id",
        "an overlay needs its own id: 'base_pack' is the id of its base, and results are stamped "
        "with the id",
    )


def test_two_overlay_rules_with_one_id(tmp_path: Path, base: Path) -> None:
    rule = """\
  - id: local_check
    title: A local check
    citation: {source: base_src, quote: "a meeting is held after a concern"}
    strength: advisory
    when: {event: concern_identified}
    expect: {field: category, present: true}
    message: "concern has no category"
"""
    text = HEAD + "rules:\n" + rule + rule
    number = [i for i, line in enumerate(text.splitlines(), 1) if "id: local_check" in line][1]
    assert problem(write(tmp_path, "local.yaml", text)) == (
        "local.yaml",
        number,
        5,
        "duplicate-id",
        "rule id 'local_check' is already used by rule 1 of this overlay; each rule replaces or "
        "adds one rule",
    )


def test_unknown_base_name_suggests(tmp_path: Path) -> None:
    text = HEAD.replace("extend: base.yaml", "extend: jersey_2042")
    assert problem(write(tmp_path, "local.yaml", text)) == (
        "local.yaml",
        1,
        1,
        "unknown-pack",
        "extend: no pack named 'jersey_2042'; did you mean 'jersey_2024'?; packs are: "
        "jersey_2019, jersey_2024, wirral_2019, wtsc_2015",
    )


def test_missing_base_file(tmp_path: Path) -> None:
    text = HEAD.replace("extend: base.yaml", "extend: bases/missing.yaml")
    assert problem(write(tmp_path, "local.yaml", text)) == (
        "local.yaml",
        1,
        1,
        "unknown-pack",
        f"extend: no pack file at {tmp_path / 'bases' / 'missing.yaml'} (a path is relative to this file)",
    )


def test_extend_cycle_is_named(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", HEAD.replace("base.yaml", "b.yaml"))
    second = write(
        tmp_path, "b.yaml", HEAD.replace("base.yaml", "a.yaml").replace("local_pack", "b_pack")
    )
    assert problem(first) == (
        "b.yaml",
        1,
        1,
        "extend-cycle",
        f"extend cycle: {first} -> {second} -> {first}; a pack cannot extend itself, directly or "
        "through others",
    )
    itself = write(tmp_path, "self.yaml", HEAD.replace("base.yaml", "self.yaml"))
    assert problem(itself)[3:] == (
        "extend-cycle",
        f"extend cycle: {itself} -> {itself}; a pack cannot extend itself, directly or through others",
    )


def test_extend_chain_is_bounded(tmp_path: Path, base: Path) -> None:
    def chain(overlays: int) -> Path:
        for k in range(overlays):
            target = f"c{k + 1}.yaml" if k + 1 < overlays else "base.yaml"
            write(
                tmp_path,
                f"c{k}.yaml",
                HEAD.replace("base.yaml", target).replace("local_pack", f"c{k}"),
            )
        return tmp_path / "c0.yaml"

    assert load_pack(chain(MAX_EXTEND_DEPTH - 1)).id == "c0"  # 7 overlays and the base: 8 packs
    files = " -> ".join(
        [
            *(str(tmp_path / f"c{k}.yaml") for k in range(MAX_EXTEND_DEPTH)),
            str(tmp_path / "base.yaml"),
        ]
    )
    assert problem(chain(MAX_EXTEND_DEPTH)) == (
        "c7.yaml",
        1,
        1,
        "extend-too-deep",
        f"extend chain is longer than 8 packs: {files}; extend the base directly",
    )


def test_an_error_in_an_overlay_rule_points_into_the_overlay(tmp_path: Path, base: Path) -> None:
    text = (
        HEAD
        + """\
rules:
  - id: meet_after_concern
    title: A meeting after a concern
    citation: {source: base_src, quote: "a meeting is held after a concern"}
    strength: should
    when: {event: concern_identified}
    require:
      action: hold_meeting
      responsible: team_manger
      due: {working_days: 2}
      satisfied_by: {event: strategy_meeting_held}
"""
    )
    assert problem(write(tmp_path, "local.yaml", text)) == (
        "local.yaml",
        *line_of(text, "responsible: team_manger"),
        "role-undefined",
        "unknown role 'team_manger'; did you mean 'team_manager'?; define it under 'roles' (roles "
        "are: someone, team_manager)",
    )


def test_an_error_in_the_base_points_into_the_base(tmp_path: Path, base: Path) -> None:
    broken = BASE.replace("responsible: team_manager", "responsible: team_manger")
    write(tmp_path, "base.yaml", broken)
    overlay = write(tmp_path, "local.yaml", HEAD)
    assert problem(overlay)[:4] == (
        "base.yaml",
        *line_of(broken, "responsible: team_manger"),
        "role-undefined",
    )
    write(tmp_path, "base.yaml", BASE.replace("rules:\n", "rules: [\n"))
    name, line, _column, _code, message = problem(overlay, PackSyntaxError)
    assert (name, message.startswith("YAML syntax error")) == ("base.yaml", True)
    assert line == line_of(BASE, "rules:")[0] + 1


def test_a_base_value_still_reports_in_the_base_when_an_overlay_is_shorter(
    tmp_path: Path, base: Path
) -> None:
    # The overlay replaces the first rule, so later base rules keep their own lines.
    broken = BASE.replace(
        "expect: {field: serious_harm, present: true}",
        "expect: {field: serious_harms, present: true}",
    )
    write(tmp_path, "base.yaml", broken)
    text = (
        HEAD
        + """\
rules:
  - id: meet_after_concern
    title: A meeting after a concern
    citation: {source: base_src, quote: "a meeting is held after a concern"}
    strength: should
    when: {event: concern_identified}
    expect: {field: category, present: true}
    message: "concern has no category"
"""
    )
    name, line, _column, code, message = problem(write(tmp_path, "local.yaml", text))
    assert (name, line, code) == ("base.yaml", line_of(broken, "serious_harms")[0], "unknown-field")
    assert "did you mean 'serious_harm'?" in message


def test_dates_that_clash_with_inherited_ones_point_at_the_overlay(
    tmp_path: Path, base: Path
) -> None:
    text = HEAD + "  effective_from: 2026-01-01\n"
    assert problem(write(tmp_path, "local.yaml", text)) == (
        "local.yaml",
        *line_of(text, "pack:"),
        "invalid-value",
        "pack: effective_to is before effective_from",
    )


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "{}",
            "parameters.meeting_timescale: a parameter override gives at least one of default, basis, description, citation",
        ),
        (
            "{default: {parameter: meeting_timescale}}",
            "parameters.meeting_timescale: a parameter's default cannot name another parameter",
        ),
    ],
)
def test_invalid_parameter_overrides(
    tmp_path: Path, base: Path, override: str, message: str
) -> None:
    text = HEAD + f"parameters:\n  meeting_timescale: {override}\n"
    assert problem(write(tmp_path, "local.yaml", text)) == (
        "local.yaml",
        *line_of(text, "meeting_timescale:"),
        "invalid-value",
        message,
    )


def test_an_overlay_calendar_value_is_checked_in_the_overlay(tmp_path: Path, base: Path) -> None:
    text = HEAD + "calendar:\n  timezone: Europe/Londn\n"
    assert problem(write(tmp_path, "local.yaml", text)) == (
        "local.yaml",
        *line_of(text, "timezone: Europe/Londn"),
        "unknown-timezone",
        "unknown time zone 'Europe/Londn'; did you mean 'Europe/London'?; use an IANA name such as 'Europe/London'",
    )


def test_an_overlay_citation_names_a_source_of_the_merged_pack(tmp_path: Path, base: Path) -> None:
    text = (
        HEAD
        + 'parameters:\n  meeting_timescale:\n    citation: {source: local_src, quote: "an invented local sentence"}\n'
    )
    assert problem(write(tmp_path, "local.yaml", text)) == (
        "local.yaml",
        *line_of(text, "source: local_src"),
        "unknown-source",
        "unknown source 'local_src'; sources are: base_src",
    )


# --- the docs' overlay snippets ------------------------------------------------------------


def snippets(doc: str) -> list[str]:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    return [b for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL) if b.startswith("extend:")]


def test_docs_overlay_snippets_load_and_diff_as_described(tmp_path: Path) -> None:
    (strict,) = snippets("registry.md")
    pack = load_pack(write(tmp_path, "strict.yaml", strict))
    base = load_pack("jersey_2024")
    difference = diff_packs(base, pack)
    assert [i.name for i in difference.roles.added] == ["duty_manager"]
    assert [c.what for c in difference.calendar] == ["closures"]
    assert [c.id for c in difference.rules_changed] == [
        "planning_meeting_chaired_by_team_manager_or_senior_practitioner"
    ]
    assert difference.rules_added == () and difference.parameters.empty
    replaced = "planning_meeting_chaired_by_team_manager_or_senior_practitioner"
    assert [c.rule.id for c in pack.rules].index(replaced) == [c.rule.id for c in base.rules].index(
        replaced
    )
    (short,) = snippets("pack-format.md")
    pack = load_pack(write(tmp_path, "short.yaml", short))
    assert (pack.extends, pack.parameters["receipt_follow_up_timescale"]) == (
        "jersey_2024",
        Due(hours=4),
    )
