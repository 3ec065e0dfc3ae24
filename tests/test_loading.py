"""Loading packs: problems with declared codes, located in the file that holds them."""

from __future__ import annotations

import pytest
from loading_docgen import PACK_FORMAT, render_pack_format

from safeguard_rules import PackValidationError
from safeguard_rules._errors import LOAD_CODES, declare
from safeguard_rules._loading import compile_text

PACK = """\
pack:
  id: test_pack
  title: A test pack
  jurisdiction: nowhere
  version: "1"
  effective_from: 2024-01-01
  sources:
    - {id: src, file: none.txt, title: Invented source}
calendar:
  timezone: Europe/London
roles:
  team_manager: {title: Team Manager}
rules:
  - id: meeting
    title: Meetings within three working days
    strength: should
    when:
      event: concern_identified
      where: %s
    require:
      action: hold_meeting
      responsible: team_manager
      due: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held, where: %s}
"""


def load_errors(trigger_where: str, satisfied_where: str = "{field: chair_role, present: true}") -> list[tuple[str, int, int, str]]:
    with pytest.raises(PackValidationError) as caught:
        compile_text(PACK % (trigger_where, satisfied_where), "pack.yaml")
    return [(d.code, d.line, d.column, d.message) for d in caught.value.diagnostics]


def test_a_code_does_not_depend_on_the_words_of_the_value() -> None:
    # The value is not a category; that it contains the words of another message
    # (" has no field ") must not change the code (it once made it 'unknown-field').
    [(code, line, column, message)] = load_errors("{field: category, is: 'x has no field y'}")
    # line 19 is '      where: {field: category, is: ...}'; the key 'is' starts at column 32
    assert (code, line, column) == ("unknown-value", 19, 32)
    assert message.startswith("'x has no field y' is not a value of 'category'")


def test_trigger_outside_a_match_has_its_own_code() -> None:
    [(code, line, column, _message)] = load_errors("{field: trigger.category, is: neglect}")
    assert (code, line, column) == ("trigger-out-of-place", 19, 15)  # the key 'field'


def test_a_literal_of_the_wrong_type_is_wrong_type() -> None:
    [(code, _line, _column, message)] = load_errors("{field: serious_harm, is: 3}")
    assert code == "wrong-type"
    assert message == "'serious_harm' is true or false; write true or false, not 3"


def test_every_problem_of_a_pack_is_reported_at_once() -> None:
    found = load_errors("{field: categry, is: neglect}", "{field: chair_rol, present: true}")
    assert [(c, line) for c, line, _col, _m in found] == [("unknown-field", 19), ("unknown-field", 24)]


def test_a_code_is_declared_once() -> None:
    assert declare("unknown-field", LOAD_CODES["unknown-field"].summary) == "unknown-field"
    with pytest.raises(ValueError, match="declared twice"):
        declare("unknown-field", "something else")


def test_the_load_codes_table_is_generated_from_the_declarations() -> None:
    text = PACK_FORMAT.read_text(encoding="utf-8")
    assert render_pack_format(text) == text, "run: python tests/loading_docgen.py"
    for code in LOAD_CODES:
        assert f"| `{code}` |" in text


