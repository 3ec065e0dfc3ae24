"""Generates the field tables of docs/events.md from the event models.

``python tests/docgen.py`` rewrites the generated part; tests/test_docs.py fails
when the committed file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from safeguard_rules._case import CASE_FIELD_DOCS, CASE_FIELDS
from safeguard_rules._events import EVENT_CLASSES, EVENT_FIELDS, BaseEvent

DOC = Path(__file__).resolve().parents[1] / "docs" / "events.md"
BEGIN = "<!-- generated: event tables (python tests/docgen.py) -->"
END = "<!-- end generated -->"


def _kind(event: str, field: str) -> str:
    spec = EVENT_FIELDS[event][field]
    if spec.choices:
        return f"{spec.kind}: " + ", ".join(f"`{c}`" for c in spec.choices)
    return spec.kind


def tables() -> str:
    out: list[str] = []
    for name, cls in EVENT_CLASSES.items():
        out.append(f"### `{name}`\n")
        if cls.__doc__:
            out.append(" ".join(cls.__doc__.split()) + "\n")
        own = [f for f in cls.model_fields if f not in BaseEvent.model_fields and f != "type"]
        if not own:
            out.append("No fields beyond the common ones.\n")
            continue
        out.append("| field | kind | required | meaning |\n|---|---|---|---|")
        for field in own:
            info = cls.model_fields[field]
            if info.is_required():
                required = "yes"
            elif field in cls._needed:
                required = "yes, or listed under `unknown`"
            elif info.default_factory is not None:
                required = "no (default empty)"
            else:
                required = f"no (default `{info.default}`)"
            out.append(
                f"| `{field}` | {_kind(name, field)} | {required} | {info.description or ''} |"
            )
        out.append("")
    out.append("### Case facts (`case.NAME`)\n")
    out.append("| fact | kind | meaning |\n|---|---|---|")
    for fact, spec in CASE_FIELDS.items():
        out.append(f"| `case.{fact}` | {spec.kind} | {CASE_FIELD_DOCS[fact]} |")
    return "\n".join(out) + "\n"


def render(text: str) -> str:
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{tables()}\n{END}{tail}"


if __name__ == "__main__":
    DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
