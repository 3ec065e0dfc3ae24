"""Local choices are labelled wherever they surface (issue 7, principle 4), and a pack lists
the source sentences it deliberately does not encode (``not_encoded``).

Deadlines below are counted by hand on the England calendar (Europe/London, weekends and
England bank holidays closed).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from helpers import end_of, ev, minimal_pack, only, run

from safeguard_rules import PackValidationError, explain
from safeguard_rules._loading import compile_text

RULES = """\
  - id: meeting_after_concern
    title: A meeting after a concern
    citation: {source: src, quote: "a meeting is held after a concern"}
    strength: must
    when: {event: concern_identified}
    require:
      action: hold_meeting
      responsible: someone
      due: {parameter: meeting_timescale}
      satisfied_by: {event: strategy_meeting_held}
"""


def pack_text(basis: str) -> str:
    return minimal_pack("toy", "Toy", RULES) + (
        "parameters:\n"
        "  meeting_timescale:\n"
        "    description: How soon the meeting is held.\n"
        "    default: {working_days: 2}\n"
        f"    basis: {basis}\n"
    )


# A concern on Thursday 4 June 2015; two working days: Friday 5, Monday 8 June.
CONCERN = ev("concern_identified", "2015-06-04T10:00:00+01:00", id="c-1", category="neglect")
AS_OF = "2015-06-10T12:00:00+01:00"


def test_a_local_default_deadline_says_so_in_json_and_text_and_is_never_a_must_breach() -> None:
    pack = compile_text(pack_text("local_default"), "toy.yaml")
    result = run(pack, [CONCERN], AS_OF)
    o = only(result, "meeting_after_concern")
    assert o.due == end_of("2015-06-08", "Europe/London")
    assert (o.status, o.basis, o.parameter, o.strength) == (
        "overdue",
        "local_default",
        "meeting_timescale",
        "must",  # the obligation keeps the rule's strength ...
    )
    assert "local default" in o.due_basis
    (finding,) = [f for f in result.findings if f.kind == "overdue"]
    assert finding.severity == "should"  # ... but its breach is not reported at must
    assert (finding.basis, finding.parameter) == ("local_default", "meeting_timescale")
    assert "local default (parameter meeting_timescale)" in finding.message
    data = json.loads(result.to_json())
    assert data["obligations"][0]["basis"] == "local_default"
    assert data["obligations"][0]["parameter"] == "meeting_timescale"
    assert data["findings"][0]["basis"] == "local_default"
    text = explain(pack, o, [CONCERN]).text()
    assert "LOCAL DEFAULT" in text
    assert explain(pack, o, [CONCERN]).to_dict()["basis"] == "local_default"


def test_a_deadline_the_source_gives_keeps_its_strength() -> None:
    pack = compile_text(pack_text("source"), "toy.yaml")
    result = run(pack, [CONCERN], AS_OF)
    o = only(result, "meeting_after_concern")
    assert (o.basis, o.parameter) == ("source", "meeting_timescale")
    assert "local" not in o.due_basis
    (finding,) = [f for f in result.findings if f.kind == "overdue"]
    assert finding.severity == "must"
    assert "LOCAL" not in explain(pack, o, [CONCERN]).text()


def test_a_value_set_when_loading_is_a_local_override() -> None:
    # Even a parameter whose default is the source's becomes a local choice once overridden.
    pack = compile_text(
        pack_text("source"), "toy.yaml", parameters={"meeting_timescale": {"working_days": 3}}
    )
    result = run(pack, [CONCERN], AS_OF)
    o = only(result, "meeting_after_concern")
    # Three working days from Thursday 4 June: Fri 5, Mon 8, Tue 9 June.
    assert o.due == end_of("2015-06-09", "Europe/London")
    assert o.basis == "local_override"
    assert "local override (parameter meeting_timescale)" in o.due_basis
    (finding,) = [f for f in result.findings if f.kind == "overdue"]
    assert finding.severity == "should"


def test_a_literal_timescale_in_a_rule_is_the_sources() -> None:
    text = minimal_pack(
        "toy", "Toy", RULES.replace("{parameter: meeting_timescale}", "{working_days: 2}")
    )
    result = run(compile_text(text, "toy.yaml"), [CONCERN], AS_OF)
    o = only(result, "meeting_after_concern")
    assert (o.basis, o.parameter) == ("source", None)


def test_a_parameter_must_say_where_its_default_comes_from() -> None:
    text = pack_text("local_default").replace("    basis: local_default\n", "")
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "toy.yaml")
    (d,) = caught.value.diagnostics
    assert (d.code, d.line) == ("missing-key", text.splitlines().index("  meeting_timescale:") + 1)
    assert "basis" in d.message


def test_an_unknown_basis_is_refused_with_its_place() -> None:
    text = pack_text("pack_choice")
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "toy.yaml")
    (d,) = caught.value.diagnostics
    assert d.line == text.splitlines().index("    basis: pack_choice") + 1
    assert "local_default" in d.message


NOT_ENCODED = """\
not_encoded:
  - source: src
    quote: "A strategy discussion is a conversation between agencies."
    reason: definition
    note: Defines the discussion; the duty to hold one is another sentence.
"""


def test_not_encoded_entries_load_and_are_part_of_the_pack() -> None:
    pack = compile_text(pack_text("source") + NOT_ENCODED, "toy.yaml")
    (entry,) = pack.pack.not_encoded
    assert (entry.source, entry.reason) == ("src", "definition")
    plain = compile_text(pack_text("source"), "toy.yaml")
    assert pack.content_hash != plain.content_hash  # the reading is part of the pack


@pytest.mark.parametrize(
    ("old", "new", "code", "needle"),
    [
        (
            "source: src\n    quote",
            "source: srcx\n    quote",
            "unknown-source",
            "unknown source 'srcx'",
        ),
        ("reason: definition", "reason: boring", "invalid-value", "definition"),
        (
            "    note: Defines the discussion; the duty to hold one is another sentence.\n",
            "",
            "missing-key",
            "note",
        ),
    ],
)
def test_a_bad_not_encoded_entry_is_located(old: str, new: str, code: str, needle: str) -> None:
    text = pack_text("source") + NOT_ENCODED.replace(old, new)
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "toy.yaml")
    (d,) = caught.value.diagnostics
    assert d.code == code
    assert needle in d.message
    assert d.line > text.splitlines().index("not_encoded:")


def test_an_overlay_appends_not_encoded_entries_and_its_default_is_a_local_one(
    tmp_path: Path,
) -> None:
    (tmp_path / "base.yaml").write_text(pack_text("source") + NOT_ENCODED, encoding="utf-8")
    overlay = (
        "extend: base.yaml\n"
        "pack: {id: local, title: Local, version: '1'}\n"
        "parameters:\n"
        "  meeting_timescale:\n"
        "    default: {working_days: 1}\n"
        "not_encoded:\n"
        "  - source: src\n"
        '    quote: "Agencies may share a chronology."\n'
        "    reason: permissive\n"
        "    note: A power, not a duty.\n"
    )
    path = tmp_path / "local.yaml"
    path.write_text(overlay, encoding="utf-8")
    from safeguard_rules import load_pack

    pack = load_pack(str(path))
    assert [e.reason for e in pack.pack.not_encoded] == ["definition", "permissive"]
    assert pack.pack.parameters["meeting_timescale"].basis == "local_default"
    result = run(pack, [CONCERN], AS_OF)
    o = only(result, "meeting_after_concern")
    # One working day from Thursday 4 June 2015: Friday 5 June.
    assert (o.due, o.basis) == (end_of("2015-06-05", "Europe/London"), "local_default")
    assert datetime.fromisoformat(AS_OF) > o.due
