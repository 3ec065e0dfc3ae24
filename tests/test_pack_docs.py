"""``safeguard-rules docs``: a pack's reading of its sources, generated from the pack.

The committed docs/policies/<pack>.md of every shipped pack must be exactly what the
generator produces (like docs/lint.md), so the pack stays the single record of its reading.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import cli

from safeguard_rules import load_pack
from safeguard_rules._pack_doc import render_pack_doc, slug

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p for p in (ROOT / "policies").glob("*.yaml"))
REGENERATE = "safeguard-rules docs policies/ --out docs/policies/"

GUIDE = """\
Northshire strategy guide
Strategy meetings will take place within three working days of the concern.
The chair should record the decision within a timescale commensurate to risk.
A strategy meeting is a multi-agency meeting.
Practitioners must read the information-sharing guidance.
Agencies should send a report when they cannot attend.
"""

PACK = """\
pack:
  id: northshire_2024
  title: Northshire strategy guide
  jurisdiction: northshire
  version: "1"
  effective_from: 2024-01-01
  description: >
    Reads the Northshire guide.

    - first reading note
  sources:
    - {id: guide, file: guide.txt, title: Northshire strategy guide}
calendar:
  timezone: Europe/London
  public_holidays: {country: GB, subdivision: ENG}
roles:
  team_manager: {title: Team Manager}
parameters:
  decision_timescale:
    description: How soon the decision is recorded (a local choice).
    default: {working_days: 1}
    basis: local_default
    citation: {source: guide, quote: "within a timescale commensurate to risk"}
rules:
  - id: strategy_meeting_within_three_working_days
    title: Strategy meeting within three working days
    citation:
      source: guide
      quote: "Strategy meetings will take place within three working days of the concern."
      note: The clock starts at the concern, as the sentence says.
    strength: must
    when: {event: concern_identified}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
  - id: decision_recorded
    title: The chair records the decision
    citation:
      source: guide
      quote: "The chair should record the decision within a timescale commensurate to risk."
    strength: should
    when: {event: strategy_meeting_held}
    require:
      action: record_decision
      responsible: team_manager
      due: {parameter: decision_timescale}
      satisfied_by: {event: strategy_record_circulated}
    notes: >
      A note the hand-written doc once held.
not_encoded:
  - source: guide
    quote: "A strategy meeting is a multi-agency meeting."
    reason: definition
    note: Defines the meeting.
  - source: guide
    quote: "Practitioners must read the information-sharing guidance."
    reason: other_procedure
    note: The guidance's own duty.
"""


def write(directory: Path, pack: str = PACK) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "guide.txt").write_text(GUIDE, encoding="utf-8")
    path = directory / "northshire_2024.yaml"
    path.write_text(pack, encoding="utf-8")
    return path


def rows(doc: str) -> dict[int, list[str]]:
    """Traceability rows by source line: the cells after the line number."""
    table = doc.split("## Traceability", 1)[1].split("\n## ", 1)[0]
    found = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if cells[0].isdigit():
            found[int(cells[0])] = cells[1:]
    return found


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_committed_pack_doc_is_what_the_pack_generates(path: Path) -> None:
    pack = load_pack(path)
    committed = ROOT / "docs" / "policies" / f"{pack.id}.md"
    assert committed.read_text(encoding="utf-8") == render_pack_doc(pack), f"run: {REGENERATE}"


def test_traceability_follows_the_source_sentence_by_sentence(tmp_path: Path) -> None:
    doc = render_pack_doc(load_pack(write(tmp_path)))
    found = rows(doc)
    # line 1, a heading that imposes nothing and is not quoted, is left out; the rest in order
    assert list(found) == [2, 3, 4, 5, 6]
    sentence, rules, clock, default, reason = found[2]
    assert sentence.startswith("Strategy meetings will take place")
    assert "strategy_meeting_within_three_working_days" in rules
    assert clock == "`concern_identified`"
    assert default == "no"
    assert reason == "—"
    _, rules, clock, default, _ = found[3]
    assert "decision_recorded" in rules
    assert clock == "`strategy_meeting_held`"
    assert default.startswith("yes: [`decision_timescale`]")
    _, rules, clock, default, reason = found[4]
    assert (rules, clock) == ("—", "—")
    assert reason.startswith("definition") and reason.endswith("Defines the meeting.")
    assert (
        found[5][4].startswith("another procedure's duty") and "guidance's own duty" in found[5][4]
    )
    # an imposing sentence nothing accounts for is shown as such (lint warns about it)
    assert found[6][1] == "**not accounted for**"
    # lines 2, 3, 5 and 6 impose something (will, should, must, should); 6 is unaccounted
    assert "3 of the 4 source sentences that impose something" in doc


def test_rules_show_their_reading_clock_and_local_defaults(tmp_path: Path) -> None:
    doc = render_pack_doc(load_pack(write(tmp_path)))
    section = doc.split("### `strategy_meeting_within_three_working_days`", 1)[1].split(
        "\n### ", 1
    )[0]
    assert "- **Reading**: The clock starts at the concern, as the sentence says." in section
    assert (
        "- **Clock starts at**: the trigger, `concern_identified`; deadline 3 working days, source"
        in section
    )
    section = doc.split("### `decision_recorded`", 1)[1].split("\n### ", 1)[0]
    assert "local default" in section
    assert f"[`decision_timescale`](#{slug('parameter decision_timescale')})" in section
    assert "A note the hand-written doc once held." in section
    # the pack's description, as paragraphs and list items
    assert "Reads the Northshire guide.\n\n- first reading note\n" in doc
    # every link in the document points at a heading it has
    headings = {
        slug(line.lstrip("#").replace("`", "")) for line in doc.splitlines() if line.startswith("#")
    }
    anchors = {part.split(")", 1)[0] for part in doc.split("](#")[1:]}
    assert anchors and anchors <= headings


def test_a_clock_counted_from_an_earlier_event_names_that_event(tmp_path: Path) -> None:
    # due_from: the three working days run from the concern, though the rule fires on the
    # request; the document must say so, not name the trigger.
    pack = PACK.replace(
        """    when: {event: concern_identified}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due: {working_days: 3}
""",
        """    when: {event: strategy_meeting_requested}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due: {working_days: 3}
      due_from: {event: concern_identified}
""",
    )
    assert pack != PACK
    doc = render_pack_doc(load_pack(write(tmp_path, pack)))
    assert (
        rows(doc)[2][2]
        == "`concern_identified` (the latest before the trigger, `strategy_meeting_requested`)"
    )
    assert (
        "- **Clock starts at**: the latest concern_identified before the trigger, `strategy_meeting_requested`"
        in doc
    )


def test_the_document_depends_on_the_pack_not_where_it_lies(tmp_path: Path) -> None:
    first = render_pack_doc(load_pack(write(tmp_path / "a")))
    second = render_pack_doc(load_pack(write(tmp_path / "b" / "deeper")))
    assert first == second
    assert str(tmp_path) not in first


def test_cli_writes_and_checks_the_documents(tmp_path: Path) -> None:
    pack = write(tmp_path / "policies")
    out = tmp_path / "docs"
    code, _, err = cli("docs", str(pack.parent), "--out", str(out), "--check")
    assert code == 1 and "northshire_2024.md: missing" in err
    code, stdout, _ = cli("docs", str(pack.parent), "--out", str(out))
    assert code == 0 and "wrote" in stdout
    written = (out / "northshire_2024.md").read_text(encoding="utf-8")
    assert written == render_pack_doc(load_pack(pack))
    assert cli("docs", str(pack.parent), "--out", str(out), "--check")[0] == 0
    # a pack edited without regenerating: --check fails and says how to regenerate
    pack.write_text(PACK.replace("Defines the meeting.", "Defines a meeting."), encoding="utf-8")
    code, _, err = cli("docs", str(pack.parent), "--out", str(out), "--check")
    assert code == 1
    assert "northshire_2024.md: out of date" in err and "safeguard-rules docs" in err
    assert (out / "northshire_2024.md").read_text(encoding="utf-8") == written  # untouched


def test_cli_prints_without_out_and_refuses_check_without_it(tmp_path: Path) -> None:
    pack = write(tmp_path)
    code, stdout, _ = cli("docs", str(pack))
    assert code == 0 and stdout == render_pack_doc(load_pack(pack))
    code, _, err = cli("docs", str(pack), "--check")
    assert code == 2 and "--out" in err
    assert cli("docs", str(tmp_path / "nowhere.yaml"))[0] == 2


def test_a_pack_that_does_not_load_exits_1(tmp_path: Path) -> None:
    pack = write(tmp_path, PACK.replace("strength: must", "strength: always"))
    code, _, _ = cli("docs", str(pack), "--out", str(tmp_path / "out"))
    assert code == 1
    assert not (tmp_path / "out").exists()


def test_shipped_docs_regenerate_from_a_copy_of_the_packs(tmp_path: Path) -> None:
    # the command the lead and CI run, on a copy so the tree is not touched
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    shutil.copytree(ROOT / "docs" / "policies", tmp_path / "docs")
    code, stdout, err = cli(
        "docs", str(tmp_path / "policies"), "--out", str(tmp_path / "docs"), "--check"
    )
    assert code == 0, err
    assert f"{len(SHIPPED)} document(s)" in stdout
