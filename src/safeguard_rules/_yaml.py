"""Strict, bounded, position-keeping YAML reading.

Pack and scenario text is data. This reader takes ruamel.yaml's parser events one by
one and builds plain Python values itself, with an explicit stack (no recursion, so no
nesting can exhaust Python's stack), counting as it goes, so a document that is too
deep or has too many values is refused as soon as it crosses the limit, at little cost:

* YAML 1.2 only: ``yes``/``no``/``on``/``off`` are text. A ``%YAML 1.1`` directive (under
  which ``no`` would be false) is refused rather than half-honoured; ``%TAG`` too.
* Scalars are converted by ruamel's safe constructor after YAML 1.2 core resolution,
  never by hand; only the standard scalar, mapping and sequence tags are accepted (no
  ``!python/...`` or custom tags), and no merge keys.
* Duplicate keys are errors; keys are plain scalars.
* Control characters (NUL, ESC, ...) are refused at their own line and column.
* Sizes (:class:`~._limits.PackLimits`): file bytes before reading, nesting depth and
  value count while parsing, aliases counted at their full expanded size.

Every value's 1-based line and column is kept in a :class:`Positions` table keyed by its
path, so later validation errors can point at the exact spot.

Parsing: ruamel's pure-Python parser is the reference. Where ruamel.yaml.clib is installed
(a dependency on CPython), libyaml's C parser reads the text first, about twenty times
faster; its events are taken only when they cannot differ from the reference's: text
with a tab or a line break YAML 1.2 does not have (NEL, U+2028, U+2029) goes to the pure
parser, and so does anything the C pass fails or refuses (an error, an empty value,
whose place libyaml gives differently), so every error, and every value's place, is the
pure parser's (tests/test_loading.py compares the two on every YAML file of the project).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ruamel.yaml.main
from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver

from ._errors import Diagnostic, PackSyntaxError, declare, shown
from ._files import TOO_LARGE, FileReadError, read_text
from ._limits import DEFAULT_LIMITS, PackLimits
from ._positions import Path_, Positions, Spot

YAML_SYNTAX = declare("yaml-syntax", "the text is not YAML")
YAML_VERSION = declare(
    "yaml-version", "a %YAML directive other than 1.2 (or a %TAG directive): packs are YAML 1.2"
)
YAML_TAG = declare("yaml-tag", "a YAML tag ('!!python/...', '!custom'): packs are plain data")
MERGE_KEY = declare("merge-key", "a YAML merge key ('<<'): write the keys out")
DUPLICATE_KEY = declare("duplicate-key", "a key given twice in one mapping")
COMPLEX_KEY = declare("complex-key", "a mapping key that is a list, a mapping or an alias")
CONTROL_CHARACTER = declare(
    "control-character", "a control character (NUL, ESC, ...) in the text: packs are plain text"
)
TOO_DEEP = declare("too-deep", "values nested deeper than the limit (docs/limits.md)")
TOO_MANY_VALUES = declare(
    "too-many-values", "more values than the limit, aliases counted in full (docs/limits.md)"
)

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STD}{name}" for name in ("str", "int", "float", "bool", "null")}
_STR = f"{_STD}str"
# YAML 1.2's core schema has no timestamps: a date is text, which the pack and event
# models parse strictly (ruamel would make it a date, or a naive datetime).
_TEXT_TAGS = {f"{_STD}timestamp", f"{_STD}merge"}
# What YAML allows in a document besides printable text: tab, line feed, carriage return
# and NEL. Anything else below U+0020, DEL and the C1 controls are refused.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_CONTROL_NAMES = {0x00: "NUL", 0x1B: "ESC", 0x7F: "DEL", 0x07: "BEL", 0x08: "BS"}
# libyaml's parser, as ruamel found it: None without ruamel.yaml.clib.
_libyaml_parser: Any = getattr(ruamel.yaml.main, "CParser", None)
# Where libyaml (YAML 1.1 at heart) and the pure parser may read the same text differently:
# text with one of these (a tab, a line break of YAML 1.1 only, a carriage return alone)
# is read by the pure parser only.
_NOT_FOR_LIBYAML = re.compile("[\t\x85\u2028\u2029]|\r(?!\n)")
_BLOCK_HEADER = re.compile(r"[|>][0-9+-]*")


def read_yaml_text(
    text: str, file: str, limits: PackLimits = DEFAULT_LIMITS
) -> tuple[Any, Positions]:
    """Parse ``text`` into plain values and their positions; raise PackSyntaxError."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > limits.max_file_bytes:
        raise PackSyntaxError(
            [
                Diagnostic(
                    file,
                    1,
                    1,
                    f"text is larger than the limit of {limits.max_file_bytes:,} bytes "
                    f"({size:,} bytes; docs/limits.md)",
                    code=TOO_LARGE,
                )
            ]
        )
    bad = _CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - text.rfind("\n", 0, bad.start())
        code = ord(bad.group())
        name = _CONTROL_NAMES.get(code, "a control character")
        raise PackSyntaxError(
            [
                Diagnostic(
                    file,
                    line,
                    column,
                    f"U+{code:04X} ({name}) is not allowed in the text; packs are plain text: "
                    "remove it or write it as an escape inside a double-quoted string",
                    code=CONTROL_CHARACTER,
                )
            ]
        )
    if _libyaml_parser is not None and _NOT_FOR_LIBYAML.search(text) is None:
        with suppress(Exception):  # any refusal or error: the reference parser decides
            return _Builder(file, limits, libyaml=True).build(text)
    return _Builder(file, limits).build(text)


class _NotForLibyamlError(Exception):
    """The C pass met something whose place or reading may differ from the reference's."""


def read_yaml_file(path: Path, limits: PackLimits = DEFAULT_LIMITS) -> tuple[Any, Positions]:
    """Read a YAML file (a regular file, size checked first) into values and positions."""
    try:
        text = read_text(path, limits.max_file_bytes)
    except FileReadError as exc:
        raise PackSyntaxError(
            [Diagnostic(str(path), exc.line, exc.column, exc.message, code=exc.code)]
        ) from exc
    return read_yaml_text(text, str(path), limits)


def read_pack_file(path: Path, limits: PackLimits = DEFAULT_LIMITS) -> tuple[Any, Positions]:
    """``read_yaml_file``, remembered by content: the registry reads each pack for its
    metadata and again to load it, and overlays read their bases. Callers must not
    change the values returned."""
    try:
        text = read_text(path, limits.max_file_bytes)
    except FileReadError:
        return read_yaml_file(path, limits)  # raises, in the reader's own words
    return _parsed(text, str(path), limits)


@lru_cache(maxsize=32)
def _parsed(text: str, file: str, limits: PackLimits) -> tuple[Any, Positions]:
    return read_yaml_text(text, file, limits)


@dataclass
class _Open:
    """A mapping or list being built: its value, path, depth, and its anchor if any."""

    value: dict[str, Any] | list[Any]
    path: Path_
    anchor: str | None
    first_value: int  # the value count when it opened: its size, when it closes
    first_spot: int  # where its spots start in the builder's log, for aliases of it
    key: str | None = None  # a mapping's key waiting for its value


@dataclass(frozen=True)
class _Anchored:
    value: Any
    size: int  # values it holds, itself included
    spots: tuple[tuple[Path_, Spot], ...]  # relative to the anchored value


class _Builder:
    def __init__(self, file: str, limits: PackLimits, *, libyaml: bool = False) -> None:
        self.file = file
        self.libyaml = libyaml
        self.limits = limits
        self.positions = Positions(file)
        self.values = 0
        self.log: list[tuple[Path_, Spot]] = []  # spots in order, to replay under aliases
        self.anchors: dict[str, _Anchored] = {}
        self.open: list[_Open] = []
        # One YAML instance per document: its resolver keeps the version it last saw.
        self.yaml = YAML(typ="safe", pure=True)
        self.yaml.version = (1, 2)
        self.resolver: VersionedResolver = self.yaml.resolver
        self.constructor: SafeConstructor = self.yaml.constructor
        self.text = ""
        self.lines: list[str] = []
        self.plain_tags: dict[tuple[str, tuple[bool, bool]], str] = {}

    # --- reading events -----------------------------------------------------------------

    def build(self, text: str) -> tuple[Any, Positions]:
        self.text = text
        if self.libyaml:  # any error is raised as it comes: the caller reads the text again
            return self._consume(_libyaml_events(text))
        try:
            return self._consume(iter(self.yaml.parse(text)))
        except PackSyntaxError:
            raise
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            problem = exc.problem or exc.context or "invalid YAML"
            raise self._error(line, col, YAML_SYNTAX, f"YAML syntax error: {problem}") from exc
        except YAMLError as exc:
            raise self._error(1, 1, YAML_SYNTAX, f"YAML syntax error: {exc}") from exc

    def _consume(self, events: Iterator[Event]) -> tuple[Any, Positions]:
        root: Any = None
        documents = 0
        for event in events:
            if self.libyaml and (isinstance(event, AliasEvent) or getattr(event, "anchor", None)):
                # libyaml ends an anchor's name at ':', where YAML 1.2 does not
                raise _NotForLibyamlError("an anchor or alias")
            if isinstance(event, StreamStartEvent | StreamEndEvent):
                continue
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self._fail(
                        event,
                        YAML_SYNTAX,
                        "a file holds one YAML document; remove the second '---'",
                    )
                self._directives(event)
                continue
            if isinstance(event, MappingStartEvent | SequenceStartEvent):
                self._start(event)
            elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                done = self.open.pop()
                self._close(done)
                if not self.open:
                    root = done.value
            elif isinstance(event, ScalarEvent | AliasEvent):
                value = self._scalar(event) if isinstance(event, ScalarEvent) else None
                if isinstance(event, ScalarEvent) and event.anchor is not None:
                    self.anchors[str(event.anchor)] = _Anchored(value, 1, ())
                if not self.open:
                    self._count(event)
                    self._spot((), event)
                    root = self._alias(event, ()) if isinstance(event, AliasEvent) else value
                else:
                    self._item(event, value)
        return root, self.positions

    def _directives(self, event: DocumentStartEvent) -> None:
        if event.version not in (None, (1, 2)):
            major, minor = event.version
            raise self._error(
                *self._directive_line("%YAML", event),
                YAML_VERSION,
                f"'%YAML {major}.{minor}' is not read: packs are YAML 1.2, where yes/no/on/off "
                "are text, not true/false; remove the directive and write true or false",
            )
        if event.tags:
            raise self._error(
                *self._directive_line("%TAG", event),
                YAML_VERSION,
                "'%TAG' directives are not allowed; packs use no tags",
            )

    def _directive_line(self, directive: str, event: DocumentStartEvent) -> tuple[int, int]:
        """Where a directive is written (the parser's event points at the '---' after it)."""
        end = event.start_mark.line if event.start_mark is not None else 0
        for number, line in enumerate(self.text.splitlines()[:end], start=1):
            if line.startswith(directive):
                return number, 1
        return end + 1, 1

    # --- building -----------------------------------------------------------------------

    def _start(self, event: CollectionStartEvent) -> None:
        is_mapping = isinstance(event, MappingStartEvent)
        tag = str(event.tag) if event.tag is not None else ""
        if tag and tag != f"{_STD}{'map' if is_mapping else 'seq'}":
            kind = "mapping" if is_mapping else "list"
            raise self._fail(
                event, YAML_TAG, f"YAML tag {shown(tag)} is not allowed; write a plain {kind}"
            )
        path = self._next_path(event)
        if len(self.open) >= self.limits.max_depth:
            raise self._fail(
                event,
                TOO_DEEP,
                f"values are nested deeper than the limit of {self.limits.max_depth} levels "
                "(docs/limits.md)",
            )
        self._count(event)
        self._spot(path, event)
        self.open.append(
            _Open({} if is_mapping else [], path, event.anchor, self.values, len(self.log))
        )

    def _next_path(self, event: Event) -> Path_:
        """The path of the value ``event`` starts, checking it can stand where it does."""
        if not self.open:
            return ()
        parent = self.open[-1]
        if isinstance(parent.value, list):
            return (*parent.path, len(parent.value))
        if parent.key is None:  # a mapping key that is not a scalar
            raise self._fail(event, COMPLEX_KEY, "mapping keys must be plain names")
        return (*parent.path, parent.key)

    def _item(self, event: ScalarEvent | AliasEvent, value: Any) -> None:
        parent = self.open[-1]
        if isinstance(parent.value, dict) and parent.key is None:
            self._key(event, parent)
            return
        path = self._next_path(event)
        self._count(event)
        self._spot(path, event)
        self._put(self._alias(event, path) if isinstance(event, AliasEvent) else value)

    def _key(self, event: ScalarEvent | AliasEvent, parent: _Open) -> None:
        if isinstance(event, AliasEvent):
            raise self._fail(event, COMPLEX_KEY, "mapping keys must be plain names, not aliases")
        key = str(event.value)
        if key == "<<" and event.style is None:
            raise self._fail(
                event, MERGE_KEY, "YAML merge keys ('<<') are not supported; write the keys out"
            )
        assert isinstance(parent.value, dict)
        if key in parent.value:
            raise self._fail(
                event, DUPLICATE_KEY, f"duplicate key {shown(key)}; each key may appear once"
            )
        self._count(event)
        parent.key = key
        # A value's place is its key's: "line 3: unknown key" points at the key.
        self._spot((*parent.path, key), event, first=False)

    def _put(self, value: Any) -> None:
        parent = self.open[-1]
        if isinstance(parent.value, list):
            parent.value.append(value)
        else:
            assert parent.key is not None
            parent.value[parent.key] = value
            parent.key = None

    def _close(self, done: _Open) -> None:
        if done.anchor is not None:
            base = len(done.path)
            spots = tuple((path[base:], spot) for path, spot in self.log[done.first_spot :])
            size = self.values - done.first_value + 1
            self.anchors[done.anchor] = _Anchored(done.value, size, spots)
        if self.open:
            self._put(done.value)

    def _alias(self, event: AliasEvent, path: Path_) -> Any:
        anchored = self.anchors.get(str(event.anchor))
        if anchored is None:
            if any(o.anchor == event.anchor for o in self.open):
                raise self._fail(
                    event, YAML_SYNTAX, f"alias {shown(event.anchor)} refers to itself"
                )
            raise self._fail(event, YAML_SYNTAX, f"found undefined alias {shown(event.anchor)}")
        self.values += anchored.size - 1  # the alias itself was counted
        self._check_count(event)
        for relative, spot in anchored.spots:
            self._spot_at((*path, *relative), spot, first=True)
        return anchored.value

    def _scalar(self, event: ScalarEvent) -> Any:
        if self.libyaml:
            self._check_for_libyaml(event)
        tag = str(event.tag) if event.tag is not None else ""
        if tag == "" and not event.implicit[0]:
            tag = _STR  # quoted: text, whatever it looks like
        elif tag == "":
            tag = self._plain_tag(event.value, event.implicit)
        elif tag == "!":
            tag = str(self.resolver.resolve(ScalarNode, event.value, (False, False)))
        if tag in _TEXT_TAGS:
            tag = _STR  # a date, or a '<<' that is a value, not a key: plain text
        if tag not in _SCALAR_TAGS:
            raise self._fail(
                event, YAML_TAG, f"YAML tag {shown(tag)} is not allowed; write a plain value"
            )
        # Text is what the safe constructor would make of it: the text itself.
        value = event.value if tag == _STR else self._construct(event, tag)
        # ruamel marks the fold points of ">" scalars with BEL characters; drop them.
        return value.replace("\a", "") if isinstance(value, str) else value

    def _plain_tag(self, text: str, implicit: tuple[bool, bool]) -> str:
        """The tag YAML 1.2 gives a plain scalar, found once for each distinct text (keys
        and values repeat: ruamel's resolution is a visible share of reading a pack)."""
        tag = self.plain_tags.get((text, implicit))
        if tag is None:
            tag = str(self.resolver.resolve(ScalarNode, text, implicit))
            self.plain_tags[(text, implicit)] = tag
        return tag

    def _construct(self, event: ScalarEvent, tag: str) -> Any:
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        try:
            # The safe constructor's own conversion for the tag (not construct_object,
            # which remembers every node it has built).
            return self.constructor.construct_non_recursive_object(node)
        except (
            ConstructorError,
            ValueError,
            IndexError,
            KeyError,
            OverflowError,
            TypeError,
        ) as exc:
            # e.g. '!!int' with no digits: ruamel's constructor indexes an empty string;
            # '!!bool maybe': it looks the word up
            kind = tag[len(_STD) :]
            raise self._fail(
                event, YAML_SYNTAX, f"{shown(event.value)} is not a valid {kind}"
            ) from exc

    def _check_for_libyaml(self, event: ScalarEvent) -> None:
        """Raise _NotForLibyamlError where libyaml may read differently from the reference."""
        if not event.style:  # plain: libyaml says "", the pure parser None
            if event.value == "":
                raise _NotForLibyamlError("an empty value: libyaml places it elsewhere")
            event.style = None  # as the reference has it, for the merge-key check of a key
        elif event.style in "|>":
            # libyaml takes '|#...' as a header and a comment; the reference refuses it
            mark = event.start_mark
            line = self._lines()[mark.line]
            header = _BLOCK_HEADER.match(line, mark.column)
            rest = line[header.end() :] if header is not None else "?"
            if rest and rest[0] not in " \r":
                raise _NotForLibyamlError("a block scalar's header")

    def _lines(self) -> list[str]:
        if not self.lines:
            self.lines = self.text.split("\n")
        return self.lines

    # --- counting and positions ---------------------------------------------------------

    def _count(self, event: Event) -> None:
        self.values += 1
        self._check_count(event)

    def _check_count(self, event: Event) -> None:
        if self.values > self.limits.max_values:
            raise self._fail(
                event,
                TOO_MANY_VALUES,
                f"the document has more than the limit of {self.limits.max_values:,} values, "
                "aliases counted in full (docs/limits.md)",
            )

    def _spot(self, path: Path_, event: Event, *, first: bool = True) -> None:
        mark = event.start_mark
        self._spot_at(path, (mark.line + 1, mark.column + 1), first=first)

    def _spot_at(self, path: Path_, spot: Spot, *, first: bool) -> None:
        if first and path in self.positions.spots:
            return  # a key's place stands for its value's
        self.positions.spots[path] = spot
        self.log.append((path, spot))

    # --- errors -------------------------------------------------------------------------

    def _error(self, line: int, column: int, code: str, message: str) -> PackSyntaxError:
        return PackSyntaxError([Diagnostic(self.file, line, column, message, code=code)])

    def _fail(self, event: Event, code: str, message: str) -> PackSyntaxError:
        mark = event.start_mark
        if mark is None:
            return self._error(1, 1, code, message)
        return self._error(mark.line + 1, mark.column + 1, code, message)


def _libyaml_events(text: str) -> Iterator[Event]:
    parser = _libyaml_parser(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        parser.dispose()
