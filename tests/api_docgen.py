"""Generates the reference part of docs/api.md from the public modules' docstrings.

``python tests/api_docgen.py`` rewrites it; tests/test_contract.py fails when the
committed file is out of date. Everything listed is importable as shown; nothing else is
public.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"
BEGIN = "<!-- generated: api reference (python tests/api_docgen.py) -->"
END = "<!-- end generated -->"
MODULES = (
    "safeguard_rules",
    "safeguard_rules.pack_format",
    "safeguard_rules.compiled",
    "safeguard_rules.diff",
)


def _own_doc(obj: Any) -> str:
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) else ""


def _first_paragraph(doc: str) -> str:
    return " ".join(doc.split("\n\n")[0].split())


def _signature(function: Any) -> str:
    try:
        text = str(inspect.signature(function))
    except (TypeError, ValueError):
        return "(...)"
    return re.sub(r"\s+", " ", text.replace("'", ""))


def _fields(cls: type) -> list[str]:
    if issubclass(cls, BaseModel):
        return [f"`{f.alias or name}`" for name, f in cls.model_fields.items() if f.alias or name]
    if dataclasses.is_dataclass(cls):
        return [f"`{f.name}`" for f in dataclasses.fields(cls) if not f.name.startswith("_")]
    return []


def _members(cls: type) -> list[str]:
    out = []
    for name, member in sorted(cls.__dict__.items()):
        if name.startswith("_"):
            continue
        if isinstance(member, property):
            summary = _first_paragraph(_own_doc(member.fget)) if member.fget else ""
            out.append(f"  - `.{name}`" + (f": {summary}" if summary else ""))
        elif inspect.isfunction(member) or isinstance(member, classmethod | staticmethod):
            function = member.__func__ if isinstance(member, classmethod | staticmethod) else member
            summary = _first_paragraph(_own_doc(function))
            signature = _signature(function).replace("(self, ", "(").replace("(self)", "()")
            out.append(f"  - `.{name}{signature}`" + (f": {summary}" if summary else ""))
    return out


def _public_base(cls: type) -> type:
    """``cls``, or the first ancestor of a private class (``_Strict`` -> ``BaseModel``)."""
    for ancestor in cls.__mro__:
        if not ancestor.__name__.startswith("_"):
            return ancestor
    return object


def _entry(module: str, name: str, value: Any) -> list[str]:
    if inspect.isclass(value):
        bases = ", ".join(_public_base(b).__name__ for b in value.__bases__ if b is not object)
        kind = "exception" if issubclass(value, BaseException) else "class"
        lines = [f"### `{name}` ({kind}{': ' + bases if bases else ''})", ""]
        doc = _own_doc(value)
        if doc:
            lines += [_first_paragraph(doc), ""]
        fields = _fields(value)
        if fields:
            lines += ["Fields: " + ", ".join(fields) + ".", ""]
        members = _members(value)
        if members:
            lines += ["Members:", "", *members, ""]
        return lines
    if inspect.isfunction(value):
        lines = [f"### `{name}{_signature(value)}`", ""]
        doc = _own_doc(value)
        if doc:
            lines += [_first_paragraph(doc), ""]
        return lines
    if isinstance(value, Mapping):
        keys = ", ".join(f"`{k}`" for k in value)
        return [f"### `{name}`", "", f"A mapping with the keys {keys}.", ""]
    shown = re.sub(r"typing\.|safeguard_rules\.[\w.]*?\.", "", repr(value))
    shown = re.sub(r" at 0x[0-9a-f]+", "", shown)
    if len(shown) > 300:
        shown = f"{type(value).__name__} of {len(value)}" if hasattr(value, "__len__") else "..."
    return [f"### `{name}`", "", f"`{shown}`", ""]


def reference() -> str:
    lines: list[str] = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        lines += [f"## `{module_name}`", "", _first_paragraph(_own_doc(module)), ""]
        for name in sorted(module.__all__, key=str.lower):
            if name == "__version__":
                continue
            lines += _entry(module_name, name, getattr(module, name))
    return "\n".join(lines).rstrip() + "\n"


def render(text: str) -> str:
    head, found, rest = text.partition(BEGIN)
    if not found:
        raise SystemExit(f"marker {BEGIN!r} missing from {DOC}")
    _old, found, tail = rest.partition(END)
    if not found:
        raise SystemExit(f"marker {END!r} missing from {DOC}")
    return f"{head}{BEGIN}\n\n{reference()}\n{END}{tail}"


if __name__ == "__main__":
    DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
