"""Generates the check reference of docs/lint.md from the lint checks' docstrings.

``python tests/lint_docgen.py`` rewrites the generated part; tests/test_lint.py fails when
the committed file is out of date, and runs every example this module finds.

An example is one or more fenced blocks after ``Passes`` or ``Fails`` in a check's
docstring: a ``yaml`` block without a name is the pack under lint (``pack.yaml``); a
block whose info string names a file (```` ```yaml older.yaml ````, ```` ```text
guide.txt ````) is written beside it, and a named ``.yaml`` file is linted in the same
run. Each ``.yaml`` file is completed with the top-level sections of :data:`BASE_PACK`
that it leaves out, appended after its own text so its line numbers stay true (an example
without an unnamed ``yaml`` block lints the base pack). In a failing example, ``# <-
CHECK-ID`` marks each line the check must point at, in any of its files (in a source
text the marker is taken out before the file is written).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from safeguard_rules._lint import CHECKS

DOC = Path(__file__).resolve().parents[1] / "docs" / "lint.md"
BEGIN = "<!-- generated: lint checks (python tests/lint_docgen.py) -->"
END = "<!-- end generated -->"

BASE_PACK = """\
pack:
  id: example
  title: An example pack
  jurisdiction: northshire
  version: "1"
  effective_from: 2024-01-01
  sources:
    - {id: guide, file: guide.txt, title: Northshire safeguarding guide}
calendar:
  timezone: Europe/London
  public_holidays: {country: GB, subdivision: ENG}
roles:
  team_manager: {title: Team Manager}
rules:
  - id: strategy_meeting_within_three_working_days
    title: Strategy meeting within three working days
    citation:
      source: guide
      quote: "Strategy meetings will take place within three working days."
    strength: must
    when: {event: strategy_meeting_requested}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
"""
BASE_SOURCE = "Strategy meetings will take place within three working days.\n"
MARKER = re.compile(r"\s*#\s*<-\s*([a-z-]+)\s*$")
_BLOCK = re.compile(r"```(\w+)(?:[ \t]+(\S+))?\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Example:
    check: str
    passes: bool
    files: dict[str, str]  # file name -> text, as the docstring gives it

    @property
    def marked(self) -> list[tuple[str, str, int]]:
        """(file, check id, line) for each ``# <- id`` marker, in any file of the example."""
        return sorted(
            (name, m.group(1), n)
            for name, text in self.files.items()
            for n, line in enumerate(text.splitlines(), 1)
            if (m := MARKER.search(line))
        )

    def write(self, directory: Path) -> list[Path]:
        """Write the example's files, completed, into ``directory``; the packs to lint.

        The pack under lint is the base pack where the example gives none; a marker in a
        file that is not YAML (a source text) is taken out of the text written."""
        files = {"guide.txt": BASE_SOURCE, "pack.yaml": "", **self.files}
        packs = []
        for name, text in files.items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if name.endswith(".yaml"):
                text = complete(text)
                packs.append(path)
            else:
                text = "".join(MARKER.sub("", line).rstrip() + "\n" for line in text.splitlines())
            path.write_text(text, encoding="utf-8")
        return packs


def complete(text: str) -> str:
    """``text`` followed by the sections of the base pack it does not give itself."""
    given = set(re.findall(r"^([a-z_]+):", text, re.MULTILINE))
    sections = re.split(r"^(?=[a-z_]+:)", BASE_PACK, flags=re.MULTILINE)
    missing = [s for s in sections if s and s.split(":", 1)[0] not in given]
    return text + "".join(missing)


def examples() -> list[Example]:
    found = []
    for check in CHECKS.values():
        parts = re.split(r"^(Passes|Fails)\b.*:$", check.doc, flags=re.MULTILINE)
        for heading, body in zip(parts[1::2], parts[2::2], strict=True):
            files = {}
            for kind, name, text in _BLOCK.findall(body):
                files[name or ("pack.yaml" if kind == "yaml" else f"unnamed.{kind}")] = text
            found.append(Example(check.id, heading == "Passes", files))
    return found


def reference() -> str:
    out = [
        "| check | level | finds |",
        "|---|---|---|",
        *(
            f"| [`{c.id}`](#{c.id}) | {c.level} | {c.summary}"
            + (" (checked when the pack loads)" if c.at_load else "")
            + " |"
            for c in CHECKS.values()
        ),
        "",
        "Examples show only the sections that matter; the rest of each example pack is this",
        "minimal pack (its source `guide.txt` holds the one sentence it quotes):",
        "",
        "```yaml",
        BASE_PACK.rstrip("\n"),
        "```",
        "",
    ]
    for check in CHECKS.values():
        out += [f"### {check.id}", "", f"**{check.level}**: {check.summary}", "", check.doc, ""]
    return "\n".join(out)


def render(text: str) -> str:
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{reference()}\n{END}{tail}"


if __name__ == "__main__":
    DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
