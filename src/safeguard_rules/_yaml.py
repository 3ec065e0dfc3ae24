"""Strict, position-keeping YAML reading.

Pack and scenario text is data, so this reader builds plain Python values from
ruamel.yaml's node graph itself: only the standard scalar, mapping and sequence
tags are accepted (no ``!python/...`` or custom tags, no merge keys), duplicate
keys are errors, and sizes are bounded so an alias bomb cannot exhaust memory.
Every value's 1-based line and column is kept in a :class:`Positions` table keyed
by its path, so later validation errors can point at the exact spot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ._errors import Diagnostic, PackSyntaxError, declare

MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 500_000
MAX_DEPTH = 64

UNREADABLE = declare("unreadable", "the file cannot be read (missing, a directory, no permission)")
TOO_LARGE = declare("too-large", "the file is larger than the limit (docs/limits.md)")
NOT_UTF8 = declare("not-utf8", "the file is not UTF-8 text")
YAML_SYNTAX = declare("yaml-syntax", "the text is not YAML")
YAML_TAG = declare("yaml-tag", "a YAML tag ('!!python/...', '!custom'): packs are plain data")
MERGE_KEY = declare("merge-key", "a YAML merge key ('<<'): write the keys out")
DUPLICATE_KEY = declare("duplicate-key", "a key given twice in one mapping")
COMPLEX_KEY = declare("complex-key", "a mapping key that is a list or mapping, not a name")
TOO_DEEP = declare("too-deep", "values nested deeper than the limit (docs/limits.md)")
TOO_MANY_VALUES = declare(
    "too-many-values", "more values than the limit, e.g. by alias expansion (docs/limits.md)"
)

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STD}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}

Path_ = tuple[str | int, ...]


@dataclass
class Positions:
    """Where each value of a YAML document stands: path -> (line, column), 1-based."""

    file: str
    spots: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # An overlay's merged pack holds values from several files: the file of each spot
    # that is not in ``file``.
    files: dict[Path_, str] = field(default_factory=dict)

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        return self.place(path)[1:]

    def place(self, path: Sequence[str | int]) -> tuple[str, int, int]:
        """The file, line and column of ``path``, or of its nearest ancestor that has one."""
        key = tuple(path)
        while key and key not in self.spots:
            key = key[:-1]
        line, column = self.spots.get(key, (1, 1))
        return self.files.get(key, self.file), line, column


def read_yaml_text(text: str, file: str) -> tuple[Any, Positions]:
    """Parse ``text`` into plain values and their positions; raise PackSyntaxError."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise PackSyntaxError(
            [
                Diagnostic(
                    file,
                    1,
                    1,
                    f"file is larger than {MAX_BYTES // 1024 // 1024} MiB",
                    code=TOO_LARGE,
                )
            ]
        )
    yaml = YAML(typ="rt")
    try:
        node = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise PackSyntaxError(
            [Diagnostic(file, line, col, f"YAML syntax error: {problem}", code=YAML_SYNTAX)]
        ) from exc
    except YAMLError as exc:
        raise PackSyntaxError(
            [Diagnostic(file, 1, 1, f"YAML syntax error: {exc}", code=YAML_SYNTAX)]
        ) from exc
    positions = Positions(file)
    if node is None:
        return None, positions
    builder = _Builder(file, positions)
    return builder.build(node, (), 0), positions


def read_yaml_file(path: Path) -> tuple[Any, Positions]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PackSyntaxError(
            [Diagnostic(str(path), 1, 1, f"cannot read file: {exc.strerror}", code=UNREADABLE)]
        ) from exc
    if len(raw) > MAX_BYTES:
        raise PackSyntaxError(
            [
                Diagnostic(
                    str(path),
                    1,
                    1,
                    f"file is larger than {MAX_BYTES // 1024 // 1024} MiB",
                    code=TOO_LARGE,
                )
            ]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackSyntaxError(
            [Diagnostic(str(path), 1, 1, "file is not UTF-8 text", code=NOT_UTF8)]
        ) from exc
    return read_yaml_text(text, str(path))


def read_pack_file(path: Path) -> tuple[Any, Positions]:
    """``read_yaml_file``, remembered by content: the registry reads each pack for its
    metadata and again to load it, and overlays read their bases. Callers must not
    change the values returned."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8") if len(raw) <= MAX_BYTES else None
    except (OSError, UnicodeDecodeError):
        text = None
    if text is None:
        return read_yaml_file(path)  # raises, in the reader's own words
    return _parsed(text, str(path))


@lru_cache(maxsize=32)
def _parsed(text: str, file: str) -> tuple[Any, Positions]:
    return read_yaml_text(text, file)


class _Builder:
    def __init__(self, file: str, positions: Positions) -> None:
        self.file = file
        self.positions = positions
        self.nodes = 0

    def _fail(self, node: Node, code: str, message: str) -> PackSyntaxError:
        mark = node.start_mark
        return PackSyntaxError(
            [Diagnostic(self.file, mark.line + 1, mark.column + 1, message, code=code)]
        )

    def build(self, node: Node, path: Path_, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self._fail(
                node,
                TOO_MANY_VALUES,
                f"document has more than {MAX_NODES} values (alias expansion?)",
            )
        if depth > MAX_DEPTH:
            raise self._fail(node, TOO_DEEP, f"document is nested deeper than {MAX_DEPTH} levels")
        self.positions.spots.setdefault(
            path, (node.start_mark.line + 1, node.start_mark.column + 1)
        )
        tag = str(node.tag) if node.tag is not None else ""
        if isinstance(node, MappingNode):
            if tag != f"{_STD}map":
                raise self._fail(
                    node, YAML_TAG, f"YAML tag {tag!r} is not allowed; write a plain mapping"
                )
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if str(key_node.tag) == f"{_STD}merge":
                    raise self._fail(
                        key_node,
                        MERGE_KEY,
                        "YAML merge keys ('<<') are not supported; write the keys out",
                    )
                if not isinstance(key_node, ScalarNode):
                    raise self._fail(key_node, COMPLEX_KEY, "mapping keys must be plain names")
                key = str(key_node.value)
                if key in result:
                    raise self._fail(
                        key_node, DUPLICATE_KEY, f"duplicate key {key!r}; each key may appear once"
                    )
                self.positions.spots[(*path, key)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                result[key] = self.build(value_node, (*path, key), depth + 1)
            return result
        if isinstance(node, SequenceNode):
            if tag != f"{_STD}seq":
                raise self._fail(
                    node, YAML_TAG, f"YAML tag {tag!r} is not allowed; write a plain list"
                )
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if tag not in _SCALAR_TAGS:
            raise self._fail(
                node, YAML_TAG, f"YAML tag {tag!r} is not allowed; write a plain value"
            )
        # ruamel marks the fold points of ">" scalars with BEL characters; drop them.
        return _scalar(tag, str(node.value).replace("\a", ""))


def _scalar(tag: str, text: str) -> Any:
    kind = tag[len(_STD) :]
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() == "true"
    if kind == "int":
        try:
            return int(text.replace("_", ""), 0)
        except ValueError:
            return text
    if kind == "float":
        lowered = text.lower()
        if lowered in (".nan", ".inf", "-.inf", "+.inf"):
            return text  # not meaningful in a pack; let validation reject it by type
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return text
    # str and timestamp stay text: pydantic parses dates and times strictly.
    return text
