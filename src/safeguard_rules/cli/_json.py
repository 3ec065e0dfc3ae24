"""Writing a large JSON document piece by piece.

The output is byte-identical to ``json.dumps(document, sort_keys=True, indent=2,
ensure_ascii=False) + "\\n"``, but the long lists (obligations, findings, rejections) are
encoded one item at a time and written as they go, so that neither the whole document
nor its text is ever held in memory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

_PLACEHOLDER = re.compile(r'"\\u0000fill:(\w+)\\u0000"')
_FLUSH_CHARS = 1 << 20


class Fill:
    """Marks where, in a document's skeleton, a list is written item by item."""

    def __init__(self, name: str) -> None:
        self.name = name


def place(skeleton: dict[str, Any], path: Sequence[str], name: str) -> None:
    """Put ``Fill(name)`` at ``path`` in ``skeleton``, where an empty list must stand."""
    *parents, last = path
    node = skeleton
    for key in parents:
        node = node[key]
    if node.get(last) != []:
        raise KeyError(f"{'.'.join(path)} is not an empty list in the document")
    node[last] = Fill(name)


def _encode(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)


def _placeholder(value: Any) -> str:
    if isinstance(value, Fill):
        return f"\0fill:{value.name}\0"
    raise TypeError(f"{type(value).__name__} is not JSON")


def write_document(
    out: IO[bytes], skeleton: dict[str, Any], fills: Mapping[str, Iterable[Any]]
) -> None:
    """Write ``skeleton`` as JSON with each ``Fill(name)`` replaced by the list ``fills[name]``."""
    text = json.dumps(skeleton, sort_keys=True, indent=2, ensure_ascii=False, default=_placeholder)
    pending: list[str] = []
    size = 0

    def put(piece: str) -> None:
        nonlocal size
        pending.append(piece)
        size += len(piece)
        if size >= _FLUSH_CHARS:
            out.write("".join(pending).encode("utf-8"))
            pending.clear()
            size = 0

    position = 0
    for match in _PLACEHOLDER.finditer(text):
        put(text[position : match.start()])
        position = match.end()
        line_start = text.rfind("\n", 0, match.start()) + 1
        indent = len(text[line_start:]) - len(text[line_start:].lstrip(" "))
        inner = "\n" + " " * (indent + 2)
        first = True
        for item in fills[match.group(1)]:
            put(("[" if first else ",") + inner + _encode(item).replace("\n", inner))
            first = False
        put("[]" if first else "\n" + " " * indent + "]")
    put(text[position:] + "\n")
    out.write("".join(pending).encode("utf-8"))
    out.flush()
