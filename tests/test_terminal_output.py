"""What the command line prints: values from input made safe, tables bounded, JSON streamed.

Every value from a pack or an event reaches a terminal escaped: rich markup is not
interpreted (a child id of ``[/bold]c`` raised MarkupError, ``[link=...]`` became a
hyperlink) and control characters (ESC, OSC, BEL, bidi overrides) are shown as escapes.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from safeguard_rules import evaluate, load_events, load_pack
from safeguard_rules.cli import main
from safeguard_rules.cli._common import safe, safe_lines

AS_OF = "2024-06-03T17:00:00+01:00"
# An invented pack: a cpn_created opens an obligation, a flag_sent gets a finding, so the
# values of both reach the tables whatever the real packs make of these events.
PACK = str(Path(__file__).parent / "hostile" / "event_pack.yaml")
ESC_LINK = "\x1b]8;;https://example.invalid\x07click\x1b]8;;\x07"


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def flag(i: int, child: str = "child-1", **changes: Any) -> dict[str, Any]:
    return {
        "id": f"f{i}",
        "type": "flag_sent",
        "child_id": child,
        "at": "2024-05-07T10:00:00+01:00",
        "sender_role": "ppu_ds",
        "to": ["allocated_social_worker"],
        **changes,
    }


def cpn(i: int, child: str = "child-1", **changes: Any) -> dict[str, Any]:
    return {
        "id": f"c{i}",
        "type": "cpn_created",
        "child_id": child,
        "at": "2024-05-07T10:00:00+01:00",
        "incident_ref": f"INC-{i}",
        **changes,
    }


def write(tmp_path: Path, records: list[Any], name: str = "events.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("plain-id", "plain-id"),
        ("[/bold]c", "[/bold]c"),
        ("[link=https://example.invalid]x[/link]", "[link=https://example.invalid]x[/link]"),
        ("a\x1b[2Jb", "a\\x1b[2Jb"),
        (ESC_LINK, "\\x1b]8;;https://example.invalid\\x07click\\x1b]8;;\\x07"),
        ("right\u202eleft", "right\\u202eleft"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("c1\x9bcsi", "c1\\x9bcsi"),
        ("line\nbreak\ttab\r", "line\\x0abreak\\x09tab\\x0d"),
        ("undecodable\udcff", "undecodable\\udcff"),
        ("naïve café 日本", "naïve café 日本"),
    ],
)
def test_safe_escapes_what_a_terminal_would_act_on(value: str, shown: str) -> None:
    assert safe(value) == shown


def test_safe_lines_keeps_newlines_and_tabs() -> None:
    assert safe_lines("a\tb\nc\x1b[0m\n") == "a\tb\nc\\x1b[0m\n"


@pytest.mark.parametrize(
    "child",
    ["[/bold]c", "[link=https://example.invalid]x[/link]", f"c{ESC_LINK}", "c\u202e1", ":warning:"],
)
def test_the_table_prints_event_values_as_written_and_escaped(tmp_path: Path, child: str) -> None:
    # Before: "[/bold]c" raised MarkupError; the link became a hyperlink; ESC reached the terminal.
    path = write(tmp_path, [flag(1, child=child), cpn(1, child=child)])
    code, out, err = cli("evaluate", "--pack", PACK, "--as-of", AS_OF, str(path))
    assert (code, err) == (0, "")
    assert safe(child) in out
    assert "\x1b" not in out and "\u202e" not in out and "\u26a0" not in out


def test_rejections_on_stderr_are_escaped(tmp_path: Path) -> None:
    name = tmp_path / "ev\x1b[31mil.jsonl"
    name.write_text(json.dumps(flag(1, id="x" * 3, sender_role=None)) + "\n", encoding="utf-8")
    code, _out, err = cli("evaluate", "--pack", PACK, "--as-of", AS_OF, str(name))
    assert code == 1
    assert "\x1b" not in err
    # sender_role is needed: null is neither a value nor "unknown" (docs/events.md)
    assert "ev\\x1b[31mil.jsonl:1: event 'xxx': 'sender_role' is null; give its value" in err


def test_explain_text_is_escaped(tmp_path: Path) -> None:
    path = write(tmp_path, [cpn(1, id="c1\x1b[8m")])
    code, out, _err = cli(
        "explain", "--pack", PACK, "--as-of", AS_OF, str(path), "follow_up_cpn/c1\x1b[8m"
    )
    assert code == 0
    assert "obligation follow_up_cpn/c1\\x1b[8m" in out
    assert "\x1b" not in out


def test_validate_names_a_pack_file_escaped(tmp_path: Path) -> None:
    # A file name is input too: an OSC sequence in it reached the terminal in every
    # diagnostic that names the file.
    pack = tmp_path / "p\x1b]0;pwned\x07.yaml"
    pack.write_text("pack: {id: x, title: t}\n", encoding="utf-8")
    code, out, _err = cli("validate", str(pack))
    assert code == 1
    assert "\x1b" not in out and "\x07" not in out
    assert "p\\x1b]0;pwned\\x07.yaml:1:" in out


def test_an_unknown_obligation_message_is_escaped(tmp_path: Path) -> None:
    path = write(tmp_path, [flag(1)])
    code, _out, err = cli("explain", "--pack", PACK, "--as-of", AS_OF, str(path), "no\x1b[2Jsuch")
    assert code == 2
    assert "\x1b" not in err and "no\\x1b[2Jsuch" in err


# --- tables at scale --------------------------------------------------------------------------


def many_flags(tmp_path: Path, n: int) -> Path:
    records = [flag(i, child=f"child-{i:04d}") for i in range(n)]
    return write(tmp_path, records + [cpn(i, child=f"child-{i:04d}") for i in range(n)])


def test_a_large_table_shows_its_first_rows_and_counts_the_rest(tmp_path: Path) -> None:
    # Before: every row was drawn (18 minutes for the obligations of 10^6 events).
    path = many_flags(tmp_path, 30)
    code, out, _err = cli(
        "evaluate", "--pack", PACK, "--as-of", AS_OF, "--max-rows", "5", str(path)
    )
    assert code == 0
    result = evaluate(load_pack(PACK), load_events(path), datetime.fromisoformat(AS_OF))
    statuses: dict[str, int] = {}
    for o in result.obligations:
        statuses[o.status] = statuses.get(o.status, 0) + 1
    rows = [line for line in out.splitlines() if line.startswith("│ child-")]
    assert len(rows) == 10  # five obligations and five findings
    assert (len(result.obligations), len(result.findings)) == (30, 60)  # 30 flags, 30 overdue
    counts = ", ".join(f"{s} {n:,}" for s, n in sorted(statuses.items()))
    assert (
        f"showing the first 5 of {len(result.obligations):,} obligations ({counts}); "
        "--format json writes them all, --max-rows 0 draws every row"
    ) in out
    assert "showing the first 5 of 60 findings (advisory check 30, should overdue 30)" in out
    assert "events: 60 received, 60 evaluated, 0 rejected" in out


def test_max_rows_zero_draws_every_row(tmp_path: Path) -> None:
    path = many_flags(tmp_path, 30)
    code, out, _err = cli(
        "evaluate", "--pack", PACK, "--as-of", AS_OF, "--max-rows", "0", str(path)
    )
    assert code == 0
    result = evaluate(load_pack(PACK), load_events(path), datetime.fromisoformat(AS_OF))
    rows = [line for line in out.splitlines() if line.startswith("│ child-")]
    assert len(rows) == len(result.obligations) + len(result.findings)
    assert "showing the first" not in out


def test_a_small_table_is_drawn_whole(tmp_path: Path) -> None:
    path = many_flags(tmp_path, 3)
    _code, out, _err = cli("evaluate", "--pack", PACK, "--as-of", AS_OF, str(path))
    assert "showing the first" not in out


# --- JSON written as it goes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "records",
    [
        [],
        [flag(1)],
        [flag(i, child=f"child-{i % 3}") for i in range(12)]
        + [cpn(i, child=f"child-{i % 3}", summary="naïve é \u202e") for i in range(12)],
    ],
)
def test_streamed_json_is_byte_identical_to_to_json(tmp_path: Path, records: list[Any]) -> None:
    bad = [{"id": "x\u202e", "type": "flag_sent"}, {**flag(99), "at": "2025-01-01T00:00:00Z"}]
    path = write(tmp_path, [*records, *bad])
    code, out, _err = cli(
        "evaluate", "--pack", PACK, "--as-of", AS_OF, "--format", "json", str(path)
    )
    assert code == 1
    expected = evaluate(load_pack(PACK), load_events(path), datetime.fromisoformat(AS_OF))
    assert out == expected.to_json()
    assert json.loads(out)["account"]["received"] == len(records) + 2
    if len(records) > 1:
        assert expected.obligations and expected.findings  # the lists are written item by item
