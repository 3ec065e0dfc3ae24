"""Generates the parts of the loading docs that the code defines.

* docs/pack-format.md, "Load errors": every code a pack can fail to load with, from the
  codes the checks declare (``_errors.LOAD_CODES``).

``python tests/loading_docgen.py`` rewrites them; tests/test_loading.py fails when a
committed file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

import safeguard_rules  # noqa: F401 - importing the package declares every code
from safeguard_rules._errors import LOAD_CODES

DOCS = Path(__file__).resolve().parents[1] / "docs"
PACK_FORMAT = DOCS / "pack-format.md"
CODES_BEGIN = "<!-- generated: load codes (python tests/loading_docgen.py) -->"
END = "<!-- end generated -->"


def codes_table() -> str:
    rows = [f"| `{c.id}` | {c.summary} |" for c in sorted(LOAD_CODES.values(), key=lambda c: c.id)]
    return "\n".join(["| code | the pack does not load because |", "|---|---|", *rows]) + "\n"


def replace_between(text: str, begin: str, body: str) -> str:
    head, found, rest = text.partition(begin)
    if not found:
        raise SystemExit(f"marker {begin!r} missing")
    _old, found, tail = rest.partition(END)
    if not found:
        raise SystemExit(f"marker {END!r} missing after {begin!r}")
    return f"{head}{begin}\n\n{body}\n{END}{tail}"


def render_pack_format(text: str) -> str:
    return replace_between(text, CODES_BEGIN, codes_table())


if __name__ == "__main__":
    PACK_FORMAT.write_text(render_pack_format(PACK_FORMAT.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
