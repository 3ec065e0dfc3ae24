"""Generates the parts of the loading docs that the code defines.

* docs/pack-format.md, "Load errors": every code a pack can fail to load with, from the
  codes the checks declare (``_errors.LOAD_CODES``).
* docs/limits.md, "Packs and overlays": every field of ``PackLimits``, its default and
  meaning (the ``#:`` comment above the field).

``python tests/loading_docgen.py`` rewrites them; tests/test_loading.py fails when a
committed file is out of date.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from pathlib import Path

# The modules whose checks declare load codes (the package itself imports them lazily).
import safeguard_rules._compile
import safeguard_rules._conditions
import safeguard_rules._diagnose
import safeguard_rules._files
import safeguard_rules._loading
import safeguard_rules._overlay
import safeguard_rules._yaml  # noqa: F401
from safeguard_rules._errors import LOAD_CODES
from safeguard_rules._limits import DEFAULT_LIMITS, PackLimits

DOCS = Path(__file__).resolve().parents[1] / "docs"
PACK_FORMAT = DOCS / "pack-format.md"
LIMITS = DOCS / "limits.md"
CODES_BEGIN = "<!-- generated: load codes (python tests/loading_docgen.py) -->"
LIMITS_BEGIN = "<!-- generated: pack limits (python tests/loading_docgen.py) -->"
END = "<!-- end generated -->"


def codes_table() -> str:
    rows = [f"| `{c.id}` | {c.summary} |" for c in sorted(LOAD_CODES.values(), key=lambda c: c.id)]
    return "\n".join(["| code | the pack does not load because |", "|---|---|", *rows]) + "\n"


def limits_table() -> str:
    meanings: dict[str, str] = {}
    comment: list[str] = []
    for line in inspect.getsource(PackLimits).splitlines():
        stripped = line.strip()
        if stripped.startswith("#:"):
            comment.append(stripped[2:].strip())
        elif comment and (found := re.match(r"(\w+):", stripped)):
            meanings[found.group(1)] = " ".join(comment).replace("``", "`")
            comment = []
    rows = [
        f"| `{f.name}` | {getattr(DEFAULT_LIMITS, f.name):,} | {meanings.get(f.name, '')} |"
        for f in dataclasses.fields(PackLimits)
    ]
    return "\n".join(["| limit | default | what it bounds |", "|---|---|---|", *rows]) + "\n"


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


def render_limits(text: str) -> str:
    return replace_between(text, LIMITS_BEGIN, limits_table())


RENDERERS = {PACK_FORMAT: render_pack_format, LIMITS: render_limits}

if __name__ == "__main__":
    for doc, render in RENDERERS.items():
        doc.write_text(render(doc.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
