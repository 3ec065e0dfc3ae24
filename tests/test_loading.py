"""Loading packs: problems with declared codes, located in the file that holds them."""

from __future__ import annotations

import os
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pytest
from loading_docgen import PACK_FORMAT, RENDERERS, render_pack_format

from safeguard_rules import (
    Diagnostic,
    PackError,
    PackSyntaxError,
    PackValidationError,
    _yaml,
    load_pack,
)
from safeguard_rules._errors import LOAD_CODES, declare
from safeguard_rules._files import FileReadError, excerpt, read_text
from safeguard_rules._limits import DEFAULT_LIMITS, PackLimits
from safeguard_rules._loading import compile_text
from safeguard_rules._yaml import read_yaml_file, read_yaml_text

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


def load_errors(
    trigger_where: str, satisfied_where: str = "{field: chair_role, present: true}"
) -> list[tuple[str, int, int, str]]:
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
    assert [(c, line) for c, line, _col, _m in found] == [
        ("unknown-field", 19),
        ("unknown-field", 24),
    ]


def test_a_not_encoded_entry_without_a_reason_is_refused_at_its_line() -> None:
    # The pack's 24 lines, then not_encoded (25), source (26), quote (27), reason (28), note (29).
    text = PACK % ("{field: serious_harm, is: true}", "{field: chair_role, present: true}")
    text += (
        "not_encoded:\n  - source: src\n    quote: Meetings may be held.\n"
        "    reason: permissive\n    note: '   '\n"
    )
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "pack.yaml")
    [found] = caught.value.diagnostics
    assert (found.code, found.line, found.column) == ("invalid-value", 29, 5)
    assert "not_encoded.0.note" in found.message


def test_a_code_is_declared_once() -> None:
    assert declare("unknown-field", LOAD_CODES["unknown-field"].summary) == "unknown-field"
    with pytest.raises(ValueError, match="declared twice"):
        declare("unknown-field", "something else")


@pytest.mark.parametrize("doc", sorted(RENDERERS), ids=lambda p: p.name)
def test_generated_docs_are_current(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    assert RENDERERS[doc](text) == text, "run: python tests/loading_docgen.py"


def test_the_load_codes_table_is_generated_from_the_declarations() -> None:
    text = PACK_FORMAT.read_text(encoding="utf-8")
    assert render_pack_format(text) == text, "run: python tests/loading_docgen.py"
    for code in LOAD_CODES:
        assert f"| `{code}` |" in text


# --- what a pack may refer to ------------------------------------------------------------

CANARY = "CANARY-b7e1c0de: this text must never be shown"
OVERLAY = """\
extend: %s
pack:
  id: local_pack
  title: A local overlay
  version: "1"
"""


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory beside the pack's, holding a canary file no pack may read."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text(
        f"pack: {{note: '{CANARY}'}}\n", encoding="utf-8"
    )
    (tmp_path / "packs").mkdir()
    return tmp_path / "outside"


def refused(path: Path) -> Diagnostic:
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert CANARY not in str(caught.value)
    [diagnostic] = caught.value.diagnostics
    return diagnostic


@pytest.mark.parametrize(
    "written",
    ["{outside}/secret.yaml", "../outside/secret.yaml", "sub/../../outside/secret.yaml"],
)
def test_extend_outside_the_pack_tree_is_refused_unread(outside: Path, written: str) -> None:
    extend = written.format(outside=outside)
    pack = outside.parent / "packs" / "local.yaml"
    pack.write_text(OVERLAY % extend, encoding="utf-8")
    d = refused(pack)
    assert (d.file, d.line, d.column, d.code) == (str(pack), 1, 1, "path-outside")
    assert repr(extend) in d.message  # the refused path is named


def test_extend_through_a_symlink_out_of_the_tree_is_refused(outside: Path) -> None:
    packs = outside.parent / "packs"
    (packs / "base.yaml").symlink_to(outside / "secret.yaml")
    (packs / "local.yaml").write_text(OVERLAY % "base.yaml", encoding="utf-8")
    d = refused(packs / "local.yaml")
    assert d.code == "path-outside"
    assert "leads outside the pack's directory" in d.message


def test_extend_inside_the_tree_through_a_subdirectory_loads(tmp_path: Path) -> None:
    policies = Path(__file__).resolve().parents[1] / "policies"
    (tmp_path / "bases" / "sources").mkdir(parents=True)
    text = (policies / "jersey_2019.yaml").read_text(encoding="utf-8")
    (tmp_path / "bases" / "jersey_2019.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "local.yaml").write_text(OVERLAY % "bases/jersey_2019.yaml", encoding="utf-8")
    assert load_pack(tmp_path / "local.yaml").extends == "jersey_2019"


PACK_WITH_SOURCE = (
    PACK % ("{field: serious_harm, is: true}", "{field: chair_role, present: true}")
).replace("file: none.txt", "file: %s")


@pytest.mark.parametrize("written", ["/etc/hostname", "../outside/secret.yaml", "/dev/zero"])
def test_a_source_file_outside_the_tree_is_a_load_error(outside: Path, written: str) -> None:
    pack = outside.parent / "packs" / "pack.yaml"
    pack.write_text(PACK_WITH_SOURCE % written, encoding="utf-8")
    d = refused(pack)
    # line 8 is '    - {id: src, file: ..., title: ...}'; the key 'file' is at column 17
    assert (d.line, d.column, d.code) == (8, 17, "path-outside")
    assert repr(written) in d.message


def test_a_source_symlinked_out_of_the_tree_is_a_load_error(outside: Path) -> None:
    packs = outside.parent / "packs"
    (packs / "source.txt").symlink_to(outside / "secret.yaml")
    (packs / "pack.yaml").write_text(PACK_WITH_SOURCE % "source.txt", encoding="utf-8")
    assert refused(packs / "pack.yaml").code == "path-outside"


# --- bounded reading ----------------------------------------------------------------------


def syntax_error(text: str, limits: PackLimits = DEFAULT_LIMITS) -> Diagnostic:
    with pytest.raises(PackSyntaxError) as caught:
        read_yaml_text(text, "pack.yaml", limits)
    [diagnostic] = caught.value.diagnostics
    return diagnostic


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pack.yaml"
    os.mkfifo(fifo)
    with pytest.raises(FileReadError) as caught:
        read_text(fifo, 1024)  # would block for ever if it opened the FIFO to read it
    assert (caught.value.code, caught.value.message) == (
        "not-a-file",
        "not a regular file (a FIFO)",
    )


def test_a_device_and_a_directory_are_refused(tmp_path: Path) -> None:
    for path, kind in ((Path("/dev/zero"), "a device"), (tmp_path, "a directory")):
        with pytest.raises(FileReadError, match=f"not a regular file \\({kind}\\)"):
            read_text(path, 1024)


def test_the_size_is_checked_before_reading(tmp_path: Path) -> None:
    sparse = tmp_path / "huge.yaml"
    with sparse.open("wb") as handle:
        handle.truncate(1024**3)  # 1 GiB that takes no disk space
    tracemalloc.start()
    try:
        with pytest.raises(PackSyntaxError) as caught:
            read_yaml_file(sparse)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    [d] = caught.value.diagnostics
    assert d.code == "too-large"
    assert "larger than the limit of 1,048,576 bytes (1,073,741,824 bytes" in d.message
    assert peak < 1024**2  # nothing of it was read


def test_nesting_is_refused_where_it_crosses_the_limit() -> None:
    # 600 levels once raised RecursionError inside the YAML library
    d = syntax_error("rules: " + "[" * 600 + "]" * 600 + "\n")
    # 'rules: ' is 7 characters; the mapping is level 1, so the 64th '[' is level 65
    assert (d.line, d.column, d.code) == (1, 7 + 64, "too-deep")


def test_values_are_counted_while_parsing_aliases_in_full() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + k)}: &{chr(98 + k)} [{', '.join(['*' + chr(97 + k)] * 10)}]\n" for k in range(5)
    )
    started = time.process_time()
    d = syntax_error(bomb)
    assert d.code == "too-many-values"
    assert d.line == 5  # 1 + 11 + 111 + 1,111 + 11,111 values, and line 5 passes 20,000
    assert time.process_time() - started < 5  # generous: refusal costs little


def test_a_limit_is_raised_only_explicitly() -> None:
    text = "values: [" + ", ".join(["1"] * 25_000) + "]\n"
    assert syntax_error(text).code == "too-many-values"
    data, _positions = read_yaml_text(text, "pack.yaml", PackLimits(max_values=30_000))
    assert len(data["values"]) == 25_000
    with pytest.raises(ValueError, match="positive whole number"):
        PackLimits(max_values=0)


@pytest.mark.parametrize(
    ("text", "line", "column", "shown"),
    [
        ("a: 1\nb: x\x00y\n", 2, 5, "U+0000 (NUL)"),
        ("a: 1\n\nc:\n  d: '\x1b[31m'\n", 4, 7, "U+001B (ESC)"),
    ],
)
def test_control_characters_are_refused_where_they_are(
    text: str, line: int, column: int, shown: str
) -> None:
    d = syntax_error(text)
    assert (d.line, d.column, d.code) == (line, column, "control-character")
    assert d.message.startswith(shown)


def test_undecodable_text_is_located(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_bytes(
        "pack:\n  title: caf\u00e9 \xff\n".encode("utf-8", errors="surrogateescape").replace(
            b"\xc3\xbf", b"\xff"
        )
    )
    with pytest.raises(PackSyntaxError) as caught:
        read_yaml_file(path)
    [d] = caught.value.diagnostics
    # line 2 is '  title: café ?': 'café' is 4 characters from column 10, a space, then the byte
    assert (d.file, d.line, d.column, d.code) == (str(path), 2, 15, "not-utf8")
    assert "byte 0xff" in d.message


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_yaml_file(path)[0] == {"a": 1}


# --- YAML 1.2, converted by the YAML library -----------------------------------------------


def test_yaml_1_2_reads_yes_and_no_as_text() -> None:
    data, _positions = read_yaml_text("a: yes\nb: no\nc: on\nd: true\ne: 017\nf: 0o17\n", "x.yaml")
    assert data == {"a": "yes", "b": "no", "c": "on", "d": True, "e": 17, "f": 15}


def test_a_yaml_1_1_directive_is_refused_not_half_honoured() -> None:
    d = syntax_error("%YAML 1.1\n---\nopen_on_public_holidays: no\n")
    assert (d.line, d.column, d.code) == (1, 1, "yaml-version")
    assert "packs are YAML 1.2, where yes/no/on/off are text" in d.message


def test_dates_stay_text_for_the_models_to_parse() -> None:
    data, _positions = read_yaml_text("a: 2024-01-01\nb: 2024-01-01T10:00:00Z\n", "x.yaml")
    assert data == {"a": "2024-01-01", "b": "2024-01-01T10:00:00Z"}


# --- libyaml's C parser, taken only where it reads as the reference does ----------------

ROOT = Path(__file__).resolve().parents[1]
PROJECT_YAML = sorted(
    path
    for folder in ("policies", "tests", "docs", "examples")
    for pattern in ("*.yaml", "*.yml")
    for path in (ROOT / folder).rglob(pattern)
)


def read_both(text: str) -> tuple[object, object]:
    """(what the libyaml pass builds, or its exception; what the pure parser builds, or its
    error): values, and places in order."""
    results: list[object] = []
    for libyaml in (True, False):
        try:
            data, positions = _yaml._Builder("x.yaml", DEFAULT_LIMITS, libyaml=libyaml).build(text)
        except Exception as exc:
            results.append(exc)
        else:
            results.append((data, list(positions.spots.items())))
    return results[0], results[1]


@pytest.mark.skipif(
    _yaml._libyaml_parser is None, reason="ruamel.yaml.clib is a CPython dependency"
)
def test_libyaml_reads_every_yaml_file_of_the_project_as_the_pure_parser_does() -> None:
    taken = 0
    for path in PROJECT_YAML:
        text = path.read_text(encoding="utf-8", errors="replace")
        fast, reference = read_both(text)
        if isinstance(fast, Exception):
            continue  # refused: read_yaml_text reads it with the pure parser alone
        assert fast == reference, path
        taken += 1
    assert taken >= len(PROJECT_YAML) // 2  # most files are read the fast way
    for pack in (ROOT / "policies").glob("*.yaml"):  # every bundled pack is
        assert not isinstance(read_both(pack.read_text(encoding="utf-8"))[0], Exception)


@pytest.mark.skipif(
    _yaml._libyaml_parser is None, reason="ruamel.yaml.clib is a CPython dependency"
)
@pytest.mark.parametrize(
    "text",
    [
        "a: &x:y 1\nb: 2\n",  # libyaml ends the anchor's name at ':'; YAML 1.2 does not
        "a: |# a comment against the header\n  x\n",  # libyaml accepts it; the reference does not
        "a:\nb: 1\n",  # an empty value: libyaml places it at 'a:', the reference at 'b'
        "%YAML 1.1\n---\na: no\n",  # refused, at the directive's line
        "a: [x:y]\n",  # libyaml refuses what YAML 1.2 reads as one value
    ],
)
def test_where_libyaml_reads_differently_the_pure_parser_decides(text: str) -> None:
    fast, reference = read_both(text)
    assert fast != reference  # not a case the C pass gets right by itself
    if isinstance(reference, PackSyntaxError):
        with pytest.raises(PackSyntaxError) as raised:
            read_yaml_text(text, "x.yaml")
        assert raised.value.diagnostics == reference.diagnostics
    else:
        data, positions = read_yaml_text(text, "x.yaml")
        assert (data, list(positions.spots.items())) == reference


@pytest.mark.parametrize(
    "text",
    ["a: x\tb\n", "a: b\u2028c: d\n", "a: 1\rb: 2\r"],  # a tab; a YAML 1.1 line break; CR alone
)
def test_text_libyaml_may_read_differently_is_not_given_to_it(text: str) -> None:
    assert _yaml._NOT_FOR_LIBYAML.search(text) is not None
    assert _yaml._NOT_FOR_LIBYAML.search("a: 1\r\nb: 'x y'\n") is None  # Windows lines are


# --- excerpts -----------------------------------------------------------------------------


def test_an_excerpt_of_a_long_line_is_cut_around_the_column() -> None:
    line = "x" * 50_000 + "HERE" + "y" * 50_000
    text, caret = excerpt([line], 1, 50_001)
    assert len(text) <= 166
    assert text[caret.index("^") : caret.index("^") + 4] == "HERE"


def test_an_excerpt_hides_control_characters_one_for_one() -> None:
    text, caret = excerpt(["a: '\x1b]8;;x\x07'  b"], 1, 15)  # 'b' is the 15th character
    assert "\x1b" not in text and "\x07" not in text
    assert text[caret.index("^")] == "b"


# --- calendar sanity ----------------------------------------------------------------------


def closed_saturdays_pack(year: int) -> str:
    saturdays = [date(year, 1, 1) + timedelta(days=k) for k in range(366)]
    saturdays = [d for d in saturdays if d.year == year and d.weekday() == 5]
    text = PACK % ("{field: serious_harm, is: true}", "{field: chair_role, present: true}")
    closures = ", ".join(d.isoformat() for d in saturdays)
    return text.replace(
        "  timezone: Europe/London\n",
        f"  timezone: Europe/London\n  working_days: [sat]\n  closures: [{closures}]\n",
    )


def test_closures_leaving_a_year_without_a_working_day_are_a_load_error() -> None:
    with pytest.raises(PackValidationError) as caught:
        compile_text(closed_saturdays_pack(2025), "pack.yaml")
    [d] = caught.value.diagnostics
    # line 12 is '  closures: [2025-01-04, ...]': the first closure of 2025 is at column 14
    assert (d.line, d.column, d.code) == (12, 14, "no-working-day")
    assert d.message.startswith("the calendar leaves no working day in 2025: each of its sat days")


# --- strict values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            '{working_days: "3"}',
            "rules.0.require.due.working_days: Input should be a valid integer "
            "(got '3'); a number is written without quotes",
        ),
        (
            "{working_days: true}",
            "rules.0.require.due.working_days: Input should be a valid integer "
            "(got True); write a number, not true or false",
        ),
        (
            '{hours: "24"}',
            "rules.0.require.due.hours: Input should be a valid integer (got '24'); a "
            "number is written without quotes",
        ),
        (
            "{working_days: null, same_day: true}",
            "rules.0.require.due.working_days: null is not a value here; leave the key out",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_where_it_is(written: str, message: str) -> None:
    text = (
        PACK % ("{field: serious_harm, is: true}", "{field: chair_role, present: true}")
    ).replace("due: {working_days: 3}", f"due: {written}")
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "pack.yaml")
    [d] = caught.value.diagnostics
    # line 23 is '      due: {...}': the first key of the mapping is at column 13
    assert (d.line, d.column, d.code, d.message) == (23, 13, "wrong-type", message)


def test_on_is_not_true_for_a_boolean() -> None:
    office = (
        "  office_hours: {days: [mon], start: '09:00', end: '17:00', open_on_public_holidays: on}\n"
    )
    text = (
        PACK % ("{field: serious_harm, is: true}", "{field: chair_role, present: true}")
    ).replace("roles:\n", office + "roles:\n")
    with pytest.raises(PackValidationError) as caught:
        compile_text(text, "pack.yaml")
    [d] = caught.value.diagnostics
    assert (d.line, d.code) == (11, "wrong-type")
    assert d.message.endswith(
        "(got 'on'); write true or false (yes, no, on and off are text in YAML 1.2)"
    )


def test_an_undecodable_scenario_file_is_reported_with_file_and_reason(tmp_path: Path) -> None:
    from safeguard_rules import ScenarioFileError
    from safeguard_rules._scenario import load_scenario_file

    path = tmp_path / "x.scenarios.yaml"
    path.write_bytes(b"pack: toy\nscenarios:\n  - name: caf\xe9\n")  # Latin-1, not UTF-8
    with pytest.raises(ScenarioFileError) as caught:
        load_scenario_file(path)
    [d] = caught.value.diagnostics
    # line 3 is '  - name: caf?': the byte follows 'caf', which starts at column 11
    assert (d.file, d.line, d.column, d.code) == (str(path), 3, 14, "not-utf8")


def test_an_explicit_tag_with_no_value_is_a_located_error() -> None:
    # Found by the fuzzer: ruamel's int constructor indexed the empty string.
    d = syntax_error("a: 1\nb: !!int\n")
    assert (d.line, d.column, d.code) == (2, 4, "yaml-syntax")
    assert d.message == "'' is not a valid int"


def test_a_bool_tag_on_a_word_that_is_not_true_or_false_is_a_located_error() -> None:
    # ruamel's bool constructor looks the word up: a KeyError escaped as a crash.
    d = syntax_error("a: 1\nb: !!bool maybe\n")
    assert (d.line, d.column, d.code) == (2, 4, "yaml-syntax")
    assert d.message == "'maybe' is not a valid bool"
