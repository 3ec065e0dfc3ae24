"""Splitting event input into records, each with its line, before any validation.

Every reader here yields :class:`Raw` records: the decoded value of one record (a JSON
Lines line, one element of a JSON array, one item of a YAML list, or a YAML document that
is a single event) with the line it starts on, or the reason it could not be decoded. One
bad record never costs the others: a JSON Lines file is read line by line, a JSON array
element by element, and a YAML file item by item, picking up again at the next item after
a syntax error. Sizes are bounded before anything is held whole (:class:`EventLimits`,
docs/limits.md), and messages never quote a value from the record (event contents are not
logged): they name keys, lines and columns.
"""

from __future__ import annotations

import functools
import json
import math
import re
from bisect import bisect_left
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, TextIO

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.scanner import Scanner, ScannerError

from ._errors import ArgumentError

MIB = 1024 * 1024
MAX_DIGITS = 20  # an integer in an event has at most this many digits (a value rule)


@dataclass(frozen=True)
class EventLimits:
    """Bounds on event input. docs/limits.md lists them; only an explicit option changes them.

    ``record_chars``: one JSON Lines line, JSON array element or YAML item, in characters.
    ``file_bytes``: a file that is read whole (a ``.json`` array, YAML); JSON Lines are
    streamed line by line and have no file limit. ``depth``: how deeply a record's values
    may nest (an event needs 3: record, attributes or a list, value).
    """

    record_chars: int = MIB
    file_bytes: int = 256 * MIB
    depth: int = 32

    def __post_init__(self) -> None:
        for name in ("record_chars", "file_bytes", "depth"):
            if getattr(self, name) < 1:
                raise ArgumentError(f"EventLimits.{name} must be at least 1")


class Raw(NamedTuple):
    """One record as read: its value (or the event it already is), or why it could not be
    decoded. (A tuple: millions are made.)"""

    line: int
    value: Any = None
    problem: str | None = None
    event: Any = None  # set when the record was validated while it was read


# Raw's own constructor is a Python function; tuple.__new__ makes the same tuple in C.
_new_raw = tuple.__new__


class _RecordError(Exception):
    """A record that cannot be decoded; the message quotes no value from it."""


def name(text: str, limit: int = 40) -> str:
    """A key or tag from the input, quoted and cut short, for a message."""
    return repr(text[:limit] + "…") if len(text) > limit else repr(text)


def tag_name(tag: object) -> str:
    """A YAML tag as written in a file (``!!str``, ``!custom``), quoted and cut short."""
    text = str(tag)
    return name("!!" + text[len(_STD) :] if text.startswith(_STD) else text)


def undecodable(text: str) -> bool:
    """True when ``text`` holds bytes that were not UTF-8 (kept as lone surrogates)."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# --- JSON ---------------------------------------------------------------------------------


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _RecordError(_duplicate(key))
            seen.add(key)
    for key, value in pairs:  # "\ud800" decodes to a lone surrogate, which is no text
        texts = value if isinstance(value, list) else (value,)
        if undecodable(key) or any(isinstance(t, str) and undecodable(t) for t in texts):
            raise _RecordError("the record holds an escaped surrogate (\\ud800-\\udfff) alone")
    return record


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _RecordError(
            f"a number has {digits:,} digits; numbers in events have at most {MAX_DIGITS}"
        )
    return int(text)


def _real(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _RecordError("a number is too large to represent")
    return value


def _constant(text: str) -> Any:
    raise _RecordError(f"{text} is not a JSON number; write a number, or text in quotes")


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object, parse_int=_integer, parse_float=_real, parse_constant=_constant
)
# The decoder's C scanner (set by JSONDecoder.__init__, not in its type stubs).
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]


def _decode(text: str) -> Any:
    """``_DECODER.decode(text)``, without its two whitespace scans when ``text`` is one
    value with nothing around it (the usual record): the same value, and on any other
    text the decoder's own answer and errors."""
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        return _DECODER.decode(text)
    if end != len(text):
        return _DECODER.decode(text)
    return value


# Strings (closed or running to the end) and the brackets outside them.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{},]', re.DOTALL)


def _json_depth(text: str) -> int:
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(text):
        char = match.group()[0]
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


# Reads a record straight into an event, or returns None to have it decoded here.
FastParse = Callable[[str], Any]


def decode_json(text: str, line: int, limits: EventLimits, fast: FastParse | None = None) -> Raw:
    """One JSON record (a line, or an array element starting on ``line``).

    ``fast`` (the event validator reading JSON itself) takes the records it can vouch
    for; whatever it returns None for is decoded here, so each rejection gets the same
    reason whichever way the record came.
    """
    if len(text) > limits.record_chars:
        return Raw(line, problem=_too_long(limits))
    if undecodable(text):
        return Raw(line, problem="the record is not UTF-8 text")
    # Counting brackets is cheap; only a record with many of them is scanned for its depth.
    if text.count("[") + text.count("{") > limits.depth and _json_depth(text) > limits.depth:
        return Raw(line, problem=_too_deep(limits))
    if fast is not None:
        event = fast(text)
        if event is not None:
            return _new_raw(Raw, (line, None, None, event))  # Raw(line, event=event)
    try:
        return Raw(line, _decode(text))
    except _RecordError as exc:
        return Raw(line, problem=str(exc))
    except json.JSONDecodeError as exc:
        where = f"line {line + exc.lineno - 1}, column {exc.colno}"
        return Raw(line, problem=f"not valid JSON: {exc.msg} ({where})")
    except RecursionError:
        return Raw(line, problem=_too_deep(limits))
    except ValueError as exc:  # any other refusal by the decoder (e.g. Python's int limits)
        return Raw(line, problem=f"not valid JSON: {type(exc).__name__}")


def jsonl_records(
    handle: TextIO, limits: EventLimits, fast: FastParse | None = None
) -> Iterator[Raw]:
    """JSON Lines from a text handle opened with universal newlines (\\n, \\r\\n or \\r).

    Lines are read with a bounded ``readline``: an over-long line is skipped in pieces,
    never held whole, and rejected with its number.
    """
    limit = limits.record_chars
    number = 0
    while True:
        text = handle.readline(limit + 1)
        if not text:
            return
        number += 1
        if len(text) > limit and not text.endswith("\n"):
            _skip_line(handle)
            yield Raw(number, problem=_too_long(limits))
            continue
        raw = _jsonl_line(text, number, limits, fast)
        if raw is not None:
            yield raw


def _skip_line(handle: TextIO) -> None:
    """Reads the rest of an over-long line in pieces, never holding it whole."""
    while True:
        rest = handle.readline(64 * 1024)
        if not rest or rest.endswith("\n"):
            return


def _jsonl_line(text: str, number: int, limits: EventLimits, fast: FastParse | None) -> Raw | None:
    """One line of JSON Lines (not over-long) as a record; None for a blank line."""
    # JSON's own whitespace only (str.strip would also drop other control characters),
    # and a byte-order mark where files were concatenated.
    text = text.strip(" \t\r\n").lstrip("\ufeff")
    if not text:
        return None
    if (
        fast is not None
        and len(text) <= limits.record_chars
        and text.isascii()
        and text.count("[") + text.count("{") <= limits.depth
    ):
        # decode_json's checks, passed: the usual record goes straight to ``fast``.
        event = fast(text)
        if event is not None:
            return _new_raw(Raw, (number, None, None, event))  # Raw(number, event=event)
        return decode_json(text, number, limits)  # decoded in full: it says what is wrong
    return decode_json(text, number, limits, fast)


# Reads many lines of JSON at once into their events, or returns None to have each line
# read on its own: (the lines, joined by "\n", none over-long; how many) -> the events.
BulkParse = Callable[[str, int], list[Any] | None]

# Characters read at a time when lines are read in bulk: a few hundred events.
BLOCK_CHARS = 64 * 1024


class Batch(NamedTuple):
    """Events read in bulk from consecutive lines, the first of them on ``line``."""

    line: int
    events: list[Any]


def jsonl_batches(
    handle: TextIO, limits: EventLimits, fast: FastParse | None, bulk: BulkParse
) -> Iterator[Batch | Raw]:
    """:func:`jsonl_records`, reading a block of lines at a time: each block that ``bulk``
    takes whole is one :class:`Batch`; the lines of any other block are read one by one,
    exactly as :func:`jsonl_records` reads them (so a rejection has the same reason either
    way). Blocks are bounded: :data:`BLOCK_CHARS` plus the rest of the last line, read
    with the same bounded ``readline``; an over-long line is skipped in pieces."""
    limit = limits.record_chars
    number = 0  # lines before this block
    while True:
        text = handle.read(BLOCK_CHARS)
        if not text:
            return
        cut = False  # the last line is over-long and was not read to its end
        if not text.endswith("\n"):
            tail = handle.readline(limit + 1)
            text += tail
            cut = len(tail) > limit and not tail.endswith("\n")
        if cut:
            _skip_line(handle)
        if not cut and len(text) <= limit:
            # Every line is within the limit: the block is split into lines only when it is
            # read line by line. Its lines: one per newline, and a last one without.
            count = text.count("\n") + (not text.endswith("\n"))
            events = bulk(text.removesuffix("\n"), count)
            if events is not None:
                yield Batch(number + 1, events)
                number += count
                continue
        lines = text.split("\n")
        if lines[-1] == "":  # the block ends with its last line's newline
            lines.pop()
        if not cut and len(text) > limit and max(map(len, lines)) <= limit:
            events = bulk(text.removesuffix("\n"), len(lines))
            if events is not None:
                yield Batch(number + 1, events)
                number += len(lines)
                continue
        for line in lines:
            number += 1
            if len(line) > limit:
                yield Raw(number, problem=_too_long(limits))
                continue
            raw = _jsonl_line(line, number, limits, fast)
            if raw is not None:
                yield raw


def json_array_records(
    text: str, limits: EventLimits, fast: FastParse | None = None
) -> Iterator[Raw]:
    """The elements of a JSON array (``text`` starts with ``[`` after any whitespace).

    The array is split into elements by a scanner that only follows strings and brackets;
    each element is then decoded on its own, so a broken element costs only itself.
    """
    lines = _LineCounter(text)
    opening = text.index("[")
    depth, deepest = 1, 1
    start = opening + 1
    close = None
    count = 0
    for match in _JSON_TOKEN.finditer(text, start):
        char = match.group()[0]
        if char == '"':
            continue
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            continue
        if char in "]}":
            depth -= 1
            if depth > 0:
                continue
            close = match.end()
        elif depth != 1:  # a comma inside an element
            continue
        element = text[start : match.start()]
        body = element.strip(" \t\n")
        at = lines.line(start + len(element) - len(element.lstrip(" \t\n")))
        if body:
            count += 1
            if deepest - 1 > limits.depth:
                yield Raw(at, problem=_too_deep(limits))
            else:
                yield decode_json(body, at, limits, fast)
        elif close is None or count:  # "[]" is an empty array; "[1,]" or "[,1]" is not
            count += 1
            yield Raw(at, problem="an empty entry in the array (a stray comma)")
        start, deepest = match.end(), 1
        if close is not None:
            break
    if close is None:  # what is left, from the entry that never ends, is one rejection
        rest = text[start:]
        offset = start + len(rest) - len(rest.lstrip(" \t\n"))
        problem = "the JSON array is not closed with ']'"
        if rest.strip(" \t\n"):
            problem += "; the entry starting here runs to the end of the file"
        yield Raw(lines.line(offset), problem=problem)
        return
    rest = text[close:]
    if rest.strip(" \t\n"):
        offset = close + len(rest) - len(rest.lstrip(" \t\n"))
        yield Raw(lines.line(offset), problem="text after the end of the JSON array")


class _LineCounter:
    """1-based line of a character offset, for offsets that only grow."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.number = 1

    def line(self, offset: int) -> int:
        if offset < self.offset:
            return self.text.count("\n", 0, offset) + 1
        self.number += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.number


# --- YAML ---------------------------------------------------------------------------------

_STD = "tag:yaml.org,2002:"
# YAML 1.2 core schema for plain scalars, whatever %YAML directive the file declares: so
# "yes" and "on" stay text (and are rejected where a boolean is expected).
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
# Characters YAML does not allow in a stream (ruamel's own test), plus the lone surrogates
# that stand for bytes that were not UTF-8.
# Compiled when a YAML event file is first read: its character ranges take about 10 ms to
# compile, which every JSON Lines read would otherwise pay at import.
_NOT_YAML_TEXT = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


@functools.cache
def _not_yaml() -> re.Pattern[str]:
    return re.compile(_NOT_YAML_TEXT)


_DOCUMENT_MARK = r"(?:---|\.\.\.)(?=[ \t\n]|$)"


def _yaml_int(text: str) -> int:
    if text.startswith(("0o", "0x")):
        return int(text, 0)
    return _integer(text)


def _yaml_scalar(event: ScalarEvent) -> Any:
    text = str(event.value)
    tag = event.tag
    if tag is None and event.style is None:  # plain: resolved by the core schema
        if _NULL.fullmatch(text):
            return None
        if text in _BOOL:
            return _BOOL[text]
        if _INT.fullmatch(text):
            return _yaml_int(text)
        if _FLOAT.fullmatch(text):
            return _real(text)
        if _SPECIAL_FLOAT.fullmatch(text):
            raise _RecordError("infinity and NaN are not numbers an event can hold")
        return text
    if tag is None or tag in ("!", f"{_STD}str"):
        return text
    if tag == f"{_STD}int" and _INT.fullmatch(text):
        return _yaml_int(text)
    if tag == f"{_STD}float" and _FLOAT.fullmatch(text):
        return _real(text)
    if tag == f"{_STD}bool" and text in _BOOL:
        return _BOOL[text]
    if tag == f"{_STD}null" and _NULL.fullmatch(text):
        return None
    raise _RecordError(f"YAML tag {tag_name(tag)} is not allowed here; write a plain value")


class _BoundedScanner(Scanner):
    """ruamel's scanner, refusing flow collections nested deeper than the record limit.

    The scanner's work per token grows with the flow nesting it is in, so 10,000 '['
    would cost minutes; it stops at the limit instead (the record is rejected).
    """

    max_depth = 32

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:  # noqa: N803
        if self.flow_level >= self.max_depth:
            raise ScannerError(None, None, _FLOW_TOO_DEEP, self.reader.get_mark())
        super().fetch_flow_collection_start(TokenClass, to_push)


_FLOW_TOO_DEEP = "flow collections nested too deeply"


class _Slice:
    """A read-only text stream over ``text[start:end]``, without copying the rest."""

    name = "<events>"

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.at, self.end = text, start, end

    def read(self, size: int = -1) -> str:
        stop = self.end if size < 0 else min(self.end, self.at + size)
        chunk = self.text[self.at : stop]
        self.at = stop
        return chunk


@dataclass
class _Failure:
    """A syntax error met while reading, and the record it was met in (if any)."""

    problem: str
    at: int  # offset of the record being read, or of the error when outside any record
    in_record: bool
    indent: int | None  # column of the items of the block list being read, if one was
    error_at: int = -1  # offset of the error itself


@dataclass
class _State:
    """Where a parse of one slice of the text stands."""

    base: int  # offset of the slice in the text
    line_base: int  # lines before the slice
    last: Event | None = None
    before_last: Event | None = None
    record_start: int | None = None  # offset (in the text) of the record being read
    indent: int | None = None  # column of the items of the block list being read

    def line(self, event: Event) -> int:
        return self.line_base + int(event.start_mark.line) + 1

    def end_line(self) -> int:
        """The last line of what was just read. The end of a block collection is only known
        at the next token, perhaps lines later, so its content's end counts."""
        last = self.last
        if isinstance(last, CollectionEndEvent) and self.before_last is not None:
            last = self.before_last
        return self.line_base + (int(last.end_mark.line) + 1 if last else 1)

    def span(self, first: Event) -> int:
        end = int(self.last.end_mark.index) if self.last is not None else 0
        return end - int(first.start_mark.index)


class YamlRecords:
    """The records of a YAML event file (``text`` with \\n line ends, no byte-order mark).

    A document is a list of events, a mapping ``events: [...]``, or one event. The parser's
    events are turned into plain values here (never into objects by tags): the core
    schema's scalars only, no aliases, no duplicate keys, bounded depth and size per
    record. After a syntax error, the record it was met in is rejected and reading picks
    up at the next item of the list (a line starting with '-' at the list's indentation)
    or at the next document ('---').
    """

    def __init__(self, text: str, limits: EventLimits) -> None:
        self.limits = limits
        # A character YAML refuses would stop the whole parse: note its line, put a
        # placeholder in its place, and reject the record that holds it.
        self.bad_lines: list[tuple[int, str]] = []
        self.covered: set[int] = set()
        not_yaml = _not_yaml()
        if not_yaml.search(text):
            text = not_yaml.sub(self._note(_LineCounter(text)), text)
        self.text = text
        self._line_starts: list[int] | None = None

    def _note(self, lines: _LineCounter) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            char = match.group()
            line = lines.line(match.start())
            if 0xDC80 <= ord(char) <= 0xDCFF:
                reason = f"line {line} is not UTF-8 text"
            else:
                reason = f"line {line} holds a control character (U+{ord(char):04X})"
            if not self.bad_lines or self.bad_lines[-1][0] != line:
                self.bad_lines.append((line, reason))
            return "\ufffd"

        return replace

    def line_of(self, offset: int) -> int:
        if self._line_starts is None:
            self._line_starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        return bisect_left(self._line_starts, offset + 1)

    def __iter__(self) -> Iterator[Raw]:
        yield from self._records(0, len(self.text), isolate=True)
        for line, reason in self.bad_lines:  # outside every record (in a comment, say)
            if line not in self.covered:
                yield Raw(line, problem=reason)

    def _records(self, start: int, end: int, *, isolate: bool) -> Iterator[Raw]:
        position = start
        while position < end:
            failure = yield from self._parse(position, end)
            if failure is None:
                return
            line_start = self.text.rfind("\n", 0, failure.at) + 1
            if not failure.in_record and line_start > position:
                # Outside any record: pick up again at the line of the error if it starts
                # an item or a document (nothing is lost then), else after it.
                resume = self._next_start(line_start - 1, failure.indent, end)
                if resume == line_start:
                    position = resume
                    continue
            else:
                resume = self._next_start(failure.at, failure.indent, end)
            if failure.in_record and isolate and failure.indent is not None:
                # The parser reads ahead, so the error may lie in a later item: read this
                # item's own text alone to decide. A line less indented than the items
                # ends the item, even one that does not start the next item.
                stop = resume if resume is not None else end
                error_line = self.text.rfind("\n", 0, failure.error_at) + 1
                # The parser may place the error a line after the one that ended the item
                # (a stray scalar at the list's column is reported where its key should
                # have ended), so look for the first such line, not only the error's.
                ends = self._first_line_ending_items(
                    line_start, min(stop, max(error_line, line_start)) + 1, failure.indent
                )
                if ends is not None:
                    stop = resume = ends
                yield from self._records(line_start, stop, isolate=False)
            else:
                line = self.line_of(failure.at)
                yield self._checked(Raw(line, problem=failure.problem), line, line)
            if resume is None:
                return
            position = resume

    def _first_line_ending_items(self, item_start: int, limit: int, indent: int) -> int | None:
        """The start of the first line after the item's first line, and before ``limit``,
        that is outside the items of a list at ``indent``; None if there is none."""
        line_start = self.text.find("\n", item_start, limit) + 1
        while 0 < line_start < limit:
            if self._ends_items(line_start, indent):
                return line_start
            line_start = self.text.find("\n", line_start, limit) + 1
        return None

    def _ends_items(self, line_start: int, indent: int) -> bool:
        """Whether the line at ``line_start`` is outside the items of a list at ``indent``."""
        line_end = self.text.find("\n", line_start)
        line = self.text[line_start : line_end if line_end >= 0 else len(self.text)]
        content = line.lstrip(" ")
        if not content or content[0] in "#\t":  # blank, a comment, or indented with a tab
            return False
        return len(line) - len(content) <= indent

    def _next_start(self, after: int, indent: int | None, end: int) -> int | None:
        """Where the next item (at ``indent``) or document starts, after the line that
        holds offset ``after``."""
        line_end = self.text.find("\n", after, end)
        if line_end < 0:
            return None
        found = _restart(indent).search(self.text, line_end + 1, end)
        if found is None:
            return None
        if found.group().startswith("..."):  # the end of a document: go on after it
            following = self.text.find("\n", found.start(), end)
            return following + 1 if following >= 0 else None
        return found.start()

    def _parse(self, start: int, end: int) -> Generator[Raw, None, _Failure | None]:
        """Records of ``text[start:end]``; returns a _Failure on a syntax error, else None."""
        yaml = YAML(typ="safe", pure=True)
        yaml.Scanner = type("Scanner", (_BoundedScanner,), {"max_depth": self.limits.depth})
        events = yaml.parse(_Slice(self.text, start, end))
        state = _State(start, self.line_of(start) - 1)

        def pull() -> Event:
            event: Event = next(events)
            state.before_last, state.last = state.last, event
            return event

        try:
            pull()  # the stream's start
            while True:
                event = pull()
                if isinstance(event, StreamEndEvent):
                    return None
                if isinstance(event, DocumentStartEvent):
                    yield from self._document(pull(), pull, state)
        except YAMLError as exc:
            return self._failure(exc, state)
        except Exception as exc:  # a fault in the parser itself must not end the run
            return self._failure(exc, state)
        finally:
            events.close()

    def _failure(self, exc: BaseException, state: _State) -> _Failure:
        if isinstance(exc, MarkedYAMLError) and exc.problem == _FLOW_TOO_DEEP:
            problem, mark = _too_deep(self.limits), exc.problem_mark
        elif isinstance(exc, MarkedYAMLError):
            problem = f"YAML syntax error: {exc.problem or exc.context or 'invalid YAML'}"
            mark = exc.problem_mark or exc.context_mark
        elif isinstance(exc, YAMLError):
            problem, mark = "YAML syntax error", None
        else:
            problem, mark = f"YAML could not be read ({type(exc).__name__})", None
        if mark is None and state.last is not None:
            mark = state.last.start_mark
        at = state.base + (int(mark.index) if mark is not None else 0)
        if state.record_start is not None:
            return _Failure(problem, state.record_start, True, state.indent, at)
        if state.indent is not None and state.last is not None:
            # Between items of a block list: the error is in the item that follows the
            # last thing read (the parser had not yet said that item began).
            after = state.base + int(state.last.end_mark.index)
            if isinstance(state.last, SequenceStartEvent):
                after = self.text.rfind("\n", 0, after) + 1
            item = _item_start(state.indent).search(self.text, after)
            if item is not None and item.start() <= at:
                return _Failure(problem, item.start(), True, state.indent, at)
        return _Failure(problem, at, False, state.indent, at)

    def _document(self, root: Event, pull: Callable[[], Event], state: _State) -> Iterator[Raw]:
        line = state.line(root)
        if isinstance(root, SequenceStartEvent):
            yield from self._items(root, pull, state)
        elif isinstance(root, MappingStartEvent):
            yield from self._top_mapping(root, pull, state)
        elif isinstance(root, ScalarEvent):
            try:
                empty = _yaml_scalar(root) is None
            except _RecordError:
                empty = False
            if not empty:
                problem = "a YAML event document is a list of events, 'events: [...]' or one event"
                yield self._checked(Raw(line, problem=problem), line, line)
        else:
            yield self._checked(Raw(line, problem=_ALIAS), line, line)

    def _items(self, opening: Event, pull: Callable[[], Event], state: _State) -> Iterator[Raw]:
        """The items of a list, each one record."""
        assert isinstance(opening, SequenceStartEvent)
        state.indent = None if opening.flow_style else opening.start_mark.column
        while True:
            first = pull()
            if isinstance(first, CollectionEndEvent):
                break
            state.record_start = state.base + first.start_mark.index
            yield self._record(first, pull, state)
            state.record_start = None
        state.indent = None

    def _record(self, first: Event, pull: Callable[[], Event], state: _State) -> Raw:
        line = state.line(first)
        value, problem = _build(first, pull, self.limits)
        if problem is None and state.span(first) > self.limits.record_chars:
            problem = _too_long(self.limits)
        raw = Raw(line, value) if problem is None else Raw(line, problem=problem)
        return self._checked(raw, line, state.end_line())

    def _top_mapping(
        self, opening: Event, pull: Callable[[], Event], state: _State
    ) -> Iterator[Raw]:
        """``events: [...]`` (any other key rejected), or a mapping that is one event."""
        line = state.line(opening)
        state.record_start = state.base + opening.start_mark.index  # one event, perhaps
        keys: list[tuple[int, str | None, Raw]] = []
        listed = False
        while True:
            key = pull()
            if isinstance(key, CollectionEndEvent):
                break
            key_line = state.line(key)
            text = str(key.value) if isinstance(key, ScalarEvent) and key.tag is None else None
            if text == "events" and not listed:
                value = pull()
                if isinstance(value, ScalarEvent) and value.tag is None and value.value == "":
                    listed = True  # "events:" with nothing under it: no events
                    continue
                if isinstance(value, SequenceStartEvent):
                    listed = True
                    state.record_start = None
                    yield from self._items(value, pull, state)
                    continue
                keys.append((key_line, text, self._record(value, pull, state)))
                continue
            if text is None:
                _build(key, pull, self.limits)
            raw = self._record(pull(), pull, state)
            keys.append((key_line, text, raw))
        state.record_start = None
        if listed:
            for key_line, text, _raw in keys:
                extra = (
                    f"top-level key {name(text or '?')} is not read: an event file holds "
                    "'events: [...]' or a list of events"
                )
                yield self._checked(Raw(key_line, problem=extra), key_line, key_line)
            return
        record: dict[str, Any] = {}
        problem: str | None = None
        for _key_line, text, raw in keys:
            if text is None:
                problem = problem or "mapping keys must be plain names"
            elif text in record:
                problem = problem or _duplicate(text)
            else:
                problem = problem or raw.problem
                record[text] = raw.value
        if problem is None and state.span(opening) > self.limits.record_chars:
            problem = _too_long(self.limits)
        raw = Raw(line, record) if problem is None else Raw(line, problem=problem)
        yield self._checked(raw, line, state.end_line())

    def _checked(self, raw: Raw, first: int, last: int) -> Raw:
        """``raw``, or a rejection when one of its lines held what YAML does not allow."""
        if not self.bad_lines:
            return raw
        lines = [n for n, _r in self.bad_lines]
        hit = None
        for i in range(bisect_left(lines, first), len(lines)):
            if lines[i] > last:
                break
            self.covered.add(lines[i])
            hit = hit or self.bad_lines[i][1]
        if hit is None:
            return raw
        # The character replaced by a placeholder is the cause: a syntax or shape problem
        # found in its record (a NUL line read as a stray scalar, say) follows from it.
        return Raw(raw.line, problem=hit)


_ALIAS = "YAML aliases (*name) are not allowed in event files; write the value out"


def _item_start(indent: int) -> re.Pattern[str]:
    """A line that starts an item of a block list whose dashes stand at ``indent``."""
    return re.compile(rf"^ {{{indent}}}-(?=[ \t\n]|$)", re.MULTILINE)


def _restart(indent: int | None) -> re.Pattern[str]:
    """Where reading can pick up again: the next item of the list (of a list at the left
    margin when no list was being read), or the next document."""
    return re.compile(rf"^(?: {{{indent or 0}}}-(?=[ \t\n]|$)|{_DOCUMENT_MARK})", re.MULTILINE)


def _duplicate(key: str) -> str:
    return f"duplicate key {name(key)}; each key may appear once in a record"


def _build(first: Event, pull: Callable[[], Event], limits: EventLimits) -> tuple[Any, str | None]:
    """The plain value of the node that starts with ``first``, or the problem with it.

    Iterative, so that nesting costs no Python stack. After a problem the node's remaining
    events are still read (and dropped), so the parser is left at the next node.
    """
    problem: str | None = None
    # One frame per open collection: the container, and for a mapping the key awaiting
    # its value (None when a key comes next).
    stack: list[tuple[dict[str, Any] | list[Any], list[str | None]]] = []
    event = first
    while True:
        done = False
        value: Any = None
        expects_key = bool(stack) and isinstance(stack[-1][0], dict) and stack[-1][1][0] is None
        if isinstance(event, CollectionStartEvent):
            if problem is None and len(stack) >= limits.depth:
                problem = _too_deep(limits)
            if problem is None and expects_key:
                problem = "mapping keys must be plain names"
            if problem is None and event.tag not in (None, "!", f"{_STD}map", f"{_STD}seq"):
                problem = f"YAML tag {tag_name(event.tag)} is not allowed here"
            stack.append(({} if isinstance(event, MappingStartEvent) else [], [None]))
        elif isinstance(event, CollectionEndEvent):
            value, done = stack.pop()[0], True
        elif isinstance(event, AliasEvent):
            problem, done = problem or _ALIAS, True
        elif isinstance(event, ScalarEvent):
            done = True
            if problem is not None:
                pass
            elif expects_key:
                if event.tag not in (None, "!", f"{_STD}str"):
                    problem = f"YAML tag {tag_name(event.tag)} is not allowed on a key"
                value = str(event.value)
            else:
                try:
                    value = _yaml_scalar(event)
                except _RecordError as exc:
                    problem = str(exc)
        if done:
            if not stack:
                return (None, problem) if problem is not None else (value, None)
            container, pending = stack[-1]
            if problem is not None:
                pass  # only reading on to the end of the node
            elif isinstance(container, list):
                container.append(value)
            elif pending[0] is None:
                if value in container:
                    problem = _duplicate(value)
                pending[0] = value
            else:
                container[pending[0]] = value
                pending[0] = None
        event = pull()


def _too_long(limits: EventLimits) -> str:
    return (
        f"the record is longer than {limits.record_chars:,} characters "
        "(the limit per record; docs/limits.md)"
    )


def _too_deep(limits: EventLimits) -> str:
    return f"the record nests more than {limits.depth} levels deep (the limit; docs/limits.md)"
