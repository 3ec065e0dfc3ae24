"""Case-event streams from JSON Lines, JSON arrays, YAML, standard input or mappings.

Every record stands alone: it is either parsed into a typed event or kept as a
:class:`Rejection` that names its file and line and what is wrong, so nothing is dropped
silently and one bad record never costs another (``_event_files`` splits the input into
records). Each event remembers where it was read (:class:`Origins`), so that rejections
made later, such as duplicate ids or events after ``as_of``, name their places too.
Messages name fields, never field *values* from the record (event contents are not
logged).
"""

from __future__ import annotations

import io
import os
import re
import stat
import sys
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress, repeat
from operator import attrgetter, eq, itemgetter, setitem
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator, core_schema, from_json

from ._errors import ArgumentError, EventStreamError
from ._event_columns import ColumnsBuilder, attach, of_stream
from ._event_files import (
    Batch,
    BulkParse,
    EventLimits,
    Raw,
    YamlRecords,
    json_array_records,
    jsonl_batches,
    jsonl_records,
    undecodable,
)
from ._events import (
    CONCERN_FLAGS,
    EVENT_ADAPTER,
    EVENT_CLASSES,
    BaseEvent,
    ConcernIdentified,
    _instant,
    describe_errors,
    invalid_event,
)
from ._gc import collector_paused
from ._mapping import EventMapping, RecordMappingError
from ._pack_base import new_list
from ._result import Rejection
from ._vocabulary import Vocabulary

EventFormat = Literal["jsonl", "json", "yaml"]
FORMATS: tuple[EventFormat, ...] = ("jsonl", "json", "yaml")
STDIN = "-"

__all__ = [
    "FORMATS",
    "EventFormat",
    "EventLimits",
    "EventStream",
    "Origins",
    "as_stream",
    "load_events",
    "parse_event",
    "parse_events",
    "read_events",
    "read_jsonl_lazily",
]


class Origins:
    """Where each event of a stream was read ("events.jsonl:12", "input[3]").

    One integer per event plus a label per run of events from one source, so that
    remembering the place of millions of events costs a few bytes each.
    """

    __slots__ = ("_labels", "_numbers", "_starts")

    def __init__(self) -> None:
        self._labels: list[tuple[str, str] | None] = []
        self._starts: list[int] = []
        self._numbers = array("Q")

    def add(self, label: tuple[str, str] | None, number: int = 0) -> None:
        """One more event, read at ``prefix + number + suffix`` (None: not known)."""
        self.run(label)(number)

    def run(self, label: tuple[str, str] | None) -> Callable[[int], None]:
        """Where to add the numbers of the events that follow, all read under ``label``."""
        if not self._labels or self._labels[-1] != label:
            self._labels.append(label)
            self._starts.append(len(self._numbers))
        return self._numbers.append

    def add_lines(self, label: tuple[str, str] | None, first: int, count: int) -> None:
        """``count`` more events, read at numbers ``first``, ``first + 1``, ... under ``label``."""
        self.run(label)
        self._numbers.extend(range(first, first + count))

    def extend(self, other: Origins | None, count: int) -> None:
        """The places of ``count`` more events, from ``other`` (None: not known)."""
        if other is None or len(other) != count:
            for _ in range(count):
                self.add(None)
            return
        for i, start in enumerate(other._starts):
            stop = other._starts[i + 1] if i + 1 < len(other._starts) else len(other)
            label = other._labels[i]
            if not self._labels or self._labels[-1] != label:
                self._labels.append(label)
                self._starts.append(len(self._numbers))
            self._numbers.extend(other._numbers[start:stop])

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index: int) -> str | None:
        label = self._labels[bisect_right(self._starts, index) - 1]
        if label is None:
            return None
        return f"{label[0]}{self._numbers[index]}{label[1]}"


_CHILD_IDS = "_child_ids"  # an EventStream's own __dict__ entry (EventStream.child_ids)
_CHILD_ID = attrgetter("child_id")


@dataclass(frozen=True)
class EventStream:
    """Parsed events plus the records that could not be parsed."""

    events: tuple[BaseEvent, ...]
    rejected: tuple[Rejection, ...] = ()
    source: str = "input"
    origins: Origins | None = field(default=None, compare=False, repr=False)

    @property
    def received(self) -> int:
        return len(self.events) + len(self.rejected)

    @property
    def child_ids(self) -> tuple[str, ...]:
        """The distinct ``child_id`` of ``events``, sorted as strings (code point order, in
        which ``evaluate`` gives each child's results); ``len(stream.child_ids)`` is how many
        children the stream covers. Rejected records count for no child.

        Found on first use, from the column of child ids the loader kept when it read the
        file in bulk, else from the events; then kept with the stream, not as a field:
        equality, repr and ``dataclasses.replace`` are as before."""
        found: tuple[str, ...] | None = self.__dict__.get(_CHILD_IDS)
        if found is None:
            # The kept column is read in order; the events themselves lie all over memory.
            columns = of_stream(self, self.events)
            every = map(_CHILD_ID, self.events) if columns is None else columns.child_ids
            found = tuple(sorted(set(every)))
            object.__setattr__(self, _CHILD_IDS, found)  # frozen: kept as _event_columns are
        return found

    def where(self, index: int) -> str | None:
        """Where ``events[index]`` was read, when known ("events.jsonl:12")."""
        if self.origins is None or len(self.origins) != len(self.events):
            return None
        return self.origins[index]

    def raise_for_rejections(self) -> EventStream:
        if self.rejected:
            raise EventStreamError(self.rejected)
        return self

    @classmethod
    def join(cls, streams: Iterable[EventStream], source: str | None = None) -> EventStream:
        """One stream of the events and rejections of ``streams``, in order."""
        streams = list(streams)
        origins = Origins()
        for stream in streams:
            origins.extend(stream.origins, len(stream.events))
        return cls(
            tuple(e for s in streams for e in s.events),
            tuple(r for s in streams for r in s.rejected),
            source if source is not None else ",".join(s.source for s in streams),
            origins,
        )


def as_stream(events: EventStream | Iterable[BaseEvent]) -> EventStream:
    """``events`` as a stream, each checked to be an event: a record (a dict) passed where
    its event belongs is an ArgumentError naming its index, not an AttributeError later."""
    stream = events if isinstance(events, EventStream) else EventStream(tuple(events))
    if not all(map(isinstance, stream.events, repeat(BaseEvent))):
        index, item = next(
            (i, e) for i, e in enumerate(stream.events) if not isinstance(e, BaseEvent)
        )
        raise ArgumentError(
            f"events[{index}] is a {type(item).__name__}, not an event: make events of "
            "records with parse_events(records), or read a file with load_events(path)"
        )
    return stream


def parse_event(record: Any, vocabulary: Vocabulary | None = None) -> BaseEvent:
    """Validate one record (a mapping) into a typed event; raises EventValidationError.

    ``vocabulary`` (a compiled pack's ``vocabulary``) adds the pack's declared event types
    and typed attributes to the core ones."""
    try:
        if vocabulary is not None:
            return vocabulary.parse(record)
        event: BaseEvent = EVENT_ADAPTER.validate_python(record)
    except ValidationError as exc:
        raise invalid_event(exc) from None  # the pydantic error holds the values given
    return event


def parse_events(
    records: Iterable[Any],
    source: str = "input",
    *,
    mapping: EventMapping | None = None,
    vocabulary: Vocabulary | None = None,
) -> EventStream:
    """Typed events from mappings, e.g. rows a case system already holds.

    A record that is not a valid event is rejected as ``source[index]``. The accepted
    events keep no position: a caller's list has no order that matters, so a duplicate id
    or an event after ``as_of`` is named by its id alone, and the same records in any
    order give byte-identical results. ``mapping`` renames foreign records first
    (docs/mapping.md); ``vocabulary`` (``pack.vocabulary``) reads a pack's declared types.
    """
    collector = _Collector(
        source, (f"{source}[", "]"), keep_places=False, mapping=mapping, vocabulary=vocabulary
    )
    with collector_paused():  # events hold no cycles (_gc)
        for i, record in enumerate(records):
            collector.take(i, record)
        return collector.stream()


def load_events(
    path: str | Path,
    *,
    format: EventFormat | None = None,
    limits: EventLimits | None = None,
    mapping: EventMapping | None = None,
    vocabulary: Vocabulary | None = None,
) -> EventStream:
    """Events from a file, or from standard input when ``path`` is ``"-"``.

    The format follows the suffix unless given: ``.yaml``/``.yml`` YAML (a list of
    events, ``events: [...]``, or one event per document), ``.json`` a JSON array (a
    ``.json`` file that is not an array is read as JSON Lines), anything else JSON Lines.
    Standard input is JSON Lines, a JSON array or YAML by its first character. Raises
    OSError when the file cannot be opened; everything wrong inside it is a rejection.
    ``mapping`` renames foreign records into the vocabulary as each is read, before it is
    validated (docs/mapping.md). ``vocabulary`` (a compiled pack's ``vocabulary``) reads the
    pack's declared event types and typed attributes too.
    """
    limits = limits or EventLimits()
    if str(path) == STDIN:
        return read_events(
            sys.stdin.buffer,
            "<stdin>",
            format=format,
            limits=limits,
            mapping=mapping,
            vocabulary=vocabulary,
        )
    path = Path(path)
    chosen = format or _format_of(path.name)
    with path.open("rb") as handle:
        info = os.fstat(handle.fileno())
        size = info.st_size if stat.S_ISREG(info.st_mode) else None
        return _read(handle, str(path), chosen, limits, size, mapping, vocabulary)


def read_events(
    handle: IO[bytes],
    source: str,
    *,
    format: EventFormat | None = None,
    limits: EventLimits | None = None,
    mapping: EventMapping | None = None,
    vocabulary: Vocabulary | None = None,
) -> EventStream:
    """Events from an open binary stream (standard input, a pipe), named ``source``."""
    return _read(handle, source, format, limits or EventLimits(), None, mapping, vocabulary)


def read_jsonl_lazily(
    handle: IO[bytes],
    source: str,
    *,
    limits: EventLimits | None = None,
    mapping: EventMapping | None = None,
    vocabulary: Vocabulary | None = None,
) -> Iterator[tuple[int, BaseEvent | Rejection]]:
    """The records of JSON Lines one at a time, in order, each with its line number, as
    an event or a rejection: for input larger than memory (``evaluate_stream``)."""
    collector = _Collector(
        source, (f"{source}:", ""), keep_places=False, mapping=mapping, vocabulary=vocabulary
    )
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="surrogateescape", newline=None)
    try:
        fast = _fast_path(mapping, vocabulary)
        for raw in jsonl_records(text, limits or EventLimits(), fast):
            collector.take_all(iter((raw,)))
            yield raw.line, collector.events.pop() if collector.events else collector.rejected.pop()
    finally:
        text.detach()  # the caller owns the handle


def _format_of(file_name: str) -> EventFormat:
    suffix = os.path.splitext(file_name)[1].lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    return "jsonl"


def _first_character(handle: IO[bytes]) -> bytes:
    """The first byte that is not whitespace or a byte-order mark, without consuming it."""
    peek = getattr(handle, "peek", None)
    if peek is None:
        return b""
    head = bytes(peek(64 * 1024))
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    return head[:1]


def _read(
    handle: IO[bytes],
    source: str,
    format: EventFormat | None,
    limits: EventLimits,
    size: int | None,
    mapping: EventMapping | None = None,
    vocabulary: Vocabulary | None = None,
) -> EventStream:
    with collector_paused():  # events hold no cycles (_gc)
        return _read_records(handle, source, format, limits, size, mapping, vocabulary)


def _read_records(
    handle: IO[bytes],
    source: str,
    format: EventFormat | None,
    limits: EventLimits,
    size: int | None,
    mapping: EventMapping | None,
    vocabulary: Vocabulary | None,
) -> EventStream:
    first = _first_character(handle)
    if format is None:  # standard input: by its first character
        format = "json" if first == b"[" else "jsonl" if first in (b"{", b"") else "yaml"
    if format == "json" and first != b"[":
        format = "jsonl"  # a .json file that is not an array: JSON Lines
    collector = _Collector(source, (f"{source}:", ""), mapping=mapping, vocabulary=vocabulary)
    fast = _fast_path(mapping, vocabulary)
    if format == "jsonl":
        text = io.TextIOWrapper(
            handle, encoding="utf-8-sig", errors="surrogateescape", newline=None
        )
        try:
            bulk = _bulk_path(mapping, vocabulary, limits, collector.columns)
            if bulk is None:
                collector.take_all(jsonl_records(text, limits, fast))
            else:
                collector.take_batches(jsonl_batches(text, limits, fast, bulk))
        finally:
            text.detach()  # the caller owns the handle
        return collector.stream()
    if size is not None and size > limits.file_bytes:
        collector.refuse(_too_large(format, limits))
        return collector.stream()
    data = handle.read(limits.file_bytes + 1)
    if len(data) > limits.file_bytes:
        collector.refuse(_too_large(format, limits))
        return collector.stream()
    whole = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    del data
    whole = whole.replace("\r\n", "\n").replace("\r", "\n")
    if format == "json":
        collector.take_all(json_array_records(whole, limits, fast))
    else:
        collector.take_all(iter(YamlRecords(whole, limits)))
    return collector.stream()


def _build_validators() -> None:
    """Bind pydantic-core's validators of events, built on first use (the models are built
    when first needed, not at import), so that each record calls them directly."""
    global _validate_json, _validate_python, _validate_lines, _validate_plain_lines
    EVENT_ADAPTER.rebuild()  # built here, not by pydantic's look-up of the caller's frames
    _validate_json = EVENT_ADAPTER.validator.validate_json
    _validate_python = EVENT_ADAPTER.validator.validate_python
    # Lines read in bulk: a JSON list of one-element lists, each holding one event, whose
    # times are checked as text by pydantic-core and parsed afterwards (_parse_times).
    global _bulk_schema
    bulk = _bulk_schema = _times_as_text(EVENT_ADAPTER.core_schema)
    _validate_lines = _lines_validator(bulk)
    _validate_plain_lines = _plain_validator(bulk, {})


# An event time as _instant takes it, checked by pydantic-core itself (no Python call per
# event): _INSTANT's text with an offset and a year from EARLIEST_YEAR to LATEST_YEAR
# (1901-2199). What it passes is given to datetime.fromisoformat, exactly as _instant does;
# what it refuses, or fromisoformat refuses, sends the block the long way, where _instant
# says why.
_INSTANT_TEXT = (
    r"^(?:19(?:0[1-9]|[1-9][0-9])|2[01][0-9][0-9])-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"
    r"(?::[0-9]{2}(?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})$"
)


def _times_as_text(schema: Any) -> Any:
    """A copy of the events' core schema in which every event time (``Instant``, checked by
    :func:`_instant` in Python) is text matching :data:`_INSTANT_TEXT` instead, and each
    empty list by default is made by ``list`` itself (called once per event missing the
    field; :data:`~._pack_base.new_list` is quick to build a schema with, not to call)."""
    if isinstance(schema, list):
        return [_times_as_text(item) for item in schema]
    if not isinstance(schema, dict):
        return list if schema is new_list else schema
    function = schema.get("function")
    if (
        schema.get("type") == "function-plain"
        and isinstance(function, dict)
        and function.get("function") is _instant
    ):
        return core_schema.str_schema(pattern=_INSTANT_TEXT, strict=True, strip_whitespace=False)
    return {key: _times_as_text(value) for key, value in schema.items()}


# pydantic-core's string cache (on by default) looks up every string it makes in a table of
# 16,384 and keeps it there. In a large file most strings are new (ids, times), so each
# look-up misses and evicts another: only the attributes' keys are cached here, which reads
# the shared benchmark's 200,000 events about 0.2 s faster (benchmarks/README.md, eleventh
# round). Values are the same either way; only equal strings are no longer one object.
_BULK_CONFIG = core_schema.CoreConfig(cache_strings="keys")


def _lines_validator(events: Any, *, wrapped: bool = True) -> Callable[[str], Any]:
    """pydantic-core's validator of a JSON list of one-element lists of ``events``; with
    ``wrapped`` false, of a JSON list of ``events`` (a mapped block, :func:`_validated`).

    Built when first called: each is a few ms over the union of every event type, and a
    read uses one or two of the five a mapped and a plain read make (most often only the
    plain case's)."""
    item = core_schema.tuple_schema([events]) if wrapped else events
    built: list[Callable[[str], Any]] = []

    def validate(text: str) -> Any:
        if not built:
            built.append(SchemaValidator(core_schema.list_schema(item), _BULK_CONFIG).validate_json)
        return built[0](text)

    return validate


# The schema types a constant is checked against once, when it is made a field's default
# (_constant_default): no Python function, nothing that depends on the rest of the record.
_PURE_TYPES = frozenset({"str", "bool", "int", "float", "literal", "nullable", "default"})


def _pure(schema: Any) -> bool:
    """Whether ``schema`` is made of :data:`_PURE_TYPES` only (and plain values)."""
    if isinstance(schema, list):
        return all(map(_pure, schema))
    if not isinstance(schema, dict):
        return True
    if "type" in schema and schema["type"] not in _PURE_TYPES:
        return False
    return all(_pure(value) for key, value in schema.items() if key != "metadata")


def _constant_default(schema: Any, value: Any) -> Any:
    """``schema`` with a mapping's constant ``value`` as its default, validated as the
    default of each record that lacks the field. A plain schema that takes the value
    strictly and unchanged has it validated once, here: each event then shares the one
    value, as it shares an enumeration's (validated per record, each a new string, about
    138,000 of them in the shared benchmark). Anything else is validated per record."""
    if _pure(schema):
        try:
            checked = SchemaValidator(schema).validate_python(value, strict=True)
        except ValidationError:
            pass
        else:
            if type(checked) is type(value) and checked == value:
                return core_schema.with_default_schema(schema, default=checked)
    return core_schema.with_default_schema(schema, default=value, validate_default=True)


# The events' own model validators: one Python call per event each when pydantic-core
# runs them. In the plain case (below) neither has anything to do.
_CHECKED_AFTER: frozenset[Callable[..., Any]] = frozenset(
    validator.func
    for cls in (BaseEvent, ConcernIdentified)
    for validator in cls.__pydantic_decorators__.model_validators.values()
    if validator.info.mode == "after" and validator.func.__qualname__.startswith(cls.__name__)
)


def _plain_validator(
    events: Any, constants: Mapping[str, Mapping[str, Any]], *, wrapped: bool = True
) -> Callable[[str], Any] | None:
    """:func:`_lines_validator` for the plain case only, without the events' model
    validators (:data:`_CHECKED_AFTER`), which have nothing to do in it: each event has a
    time (``at``) and no date (``on``), lists nothing under ``unknown``, and gives every
    needed field and concern flag (or the mapping's constant gives it, not null). Those
    conditions are the schema's: a block it refuses is validated again with the validators
    (:class:`_Blocks`). ``events`` is a tagged union of the event types (their choices
    read as :func:`_times_as_text` and a mapping make them), ``constants`` the mapping's
    constants by choice. None when a choice is not of the expected shape."""
    union = dict(events)
    union["choices"] = {}
    for tag, choice in events["choices"].items():
        plain = _plain_choice(choice, constants.get(tag, {}))
        if plain is None:
            return None
        union["choices"][tag] = plain
    return _lines_validator(union, wrapped=wrapped)


def _plain_choice(choice: Any, constants: Mapping[str, Any]) -> Any:
    """One choice of :func:`_plain_validator`'s union (None: not of the expected shape)."""
    schema = choice
    after: list[Callable[..., Any]] = []
    while schema["type"] == "function-after":
        function = schema["function"]
        if function.get("type") != "no-info" or function["function"] not in _CHECKED_AFTER:
            return None
        after.append(function["function"])
        schema = schema["schema"]
    if schema["type"] != "model" or schema["schema"]["type"] != "model-fields":
        return None
    cls = schema["cls"]
    if set(after) != set(_after_validators(cls)):
        return None
    fields = dict(schema["schema"]["fields"])
    given = [*cls._needed, "at"]
    if _NOT_RECORDED in after:
        given += [flag for flag in CONCERN_FLAGS if flag not in given]
    for name in ("at", "on", "unknown"):
        if name in constants:
            return None
    for name in given:
        spec = dict(fields[name])
        wrapped = spec["schema"]
        if wrapped["type"] != "default" or wrapped["schema"]["type"] != "nullable":
            return None
        inner = wrapped["schema"]["schema"]
        if name in constants:  # given by the mapping when the record does not
            if constants[name] is None:
                return None
            spec["schema"] = _constant_default(inner, constants[name])
        else:
            spec["schema"] = inner  # required, and not null
        fields[name] = spec
    on = dict(fields["on"])
    on["schema"] = core_schema.with_default_schema(core_schema.none_schema(), default=None)
    fields["on"] = on
    unknown = dict(fields["unknown"])
    listed = dict(unknown["schema"])
    if listed["type"] != "default" or listed["schema"]["type"] != "list":
        return None
    listed["schema"] = {**listed["schema"], "max_length": 0}
    unknown["schema"] = listed
    fields["unknown"] = unknown
    model = {key: value for key, value in schema.items() if key != "ref"}
    model["schema"] = {**schema["schema"], "fields": fields}
    return model


_NOT_RECORDED = ConcernIdentified.__pydantic_decorators__.model_validators[
    "_not_recorded_is_unknown"
].func


def _after_validators(cls: type[BaseEvent]) -> tuple[Callable[..., Any], ...]:
    """``cls``'s model validators run after its fields are validated."""
    return tuple(
        v.func
        for v in cls.__pydantic_decorators__.model_validators.values()
        if v.info.mode == "after"
    )


class _Blocks:
    """How the blocks of one read are validated: first by the plain case's validator, then,
    when it refuses a block, by the full one (with the events' model validators). After a
    block the plain validator refused and the full one took, the next blocks go straight
    to the full one, and the plain one is tried again every :data:`RETRY` blocks, so input
    that is seldom plain (flags often not recorded) is not validated twice per block."""

    RETRY = 16
    __slots__ = ("columns", "fields_sets", "full", "mapped", "plain", "skip")

    def __init__(self, mapped: _Mapped | None, columns: ColumnsBuilder | None = None) -> None:
        if _validate_lines is _first_validate_lines:
            _build_validators()
        self.mapped = mapped
        self.columns = columns  # given each block's columns by _validated
        self.full = mapped.in_block if mapped is not None else _validate_lines
        self.plain = mapped.in_plain_block if mapped is not None else _validate_plain_lines
        self.skip = 0  # blocks to read with the full validator before trying plain again
        self.fields_sets = _FieldsSets(mapped)  # the events' fields sets, one object per content

    def validate(self, text: str) -> Any:
        """The validated block, or raises ValidationError."""
        if self.plain is not None:
            if self.skip:
                self.skip -= 1
            else:
                try:
                    return self.plain(text)
                except ValidationError:
                    found = self.full(text)  # raises when the block goes the long way
                    self.skip = self.RETRY
                    return found
        return self.full(text)


def _first_validate_json(text: str) -> Any:
    _build_validators()
    return _validate_json(text)


def _first_validate_python(record: Any) -> Any:
    _build_validators()
    return _validate_python(record)


def _first_validate_lines(text: str) -> Any:
    _build_validators()
    return _validate_lines(text)


_validate_json: Callable[[str], Any] = _first_validate_json
_validate_python: Callable[[Any], Any] = _first_validate_python
_validate_lines: Callable[[str], Any] = _first_validate_lines
_validate_plain_lines: Callable[[str], Any] | None = None
_bulk_schema: Any = None  # the events' core schema with times as text (_times_as_text)
# A key followed by white space before its colon (legal, but not what writers produce).
_SPACED_KEY = re.compile(r'"[ \t\r\n]+:')


def _fast_event(text: str) -> BaseEvent | None:
    """The event a JSON record is, read by pydantic's own JSON parser, or None to have the
    record decoded in full (which also says what is wrong with it).

    pydantic keeps the last of a key given twice, so the keys are counted: in text without
    backslashes every '"' delimits a string, so '":' ends a key and nothing else, and a
    valid event has as many keys as fields set plus attributes.
    """
    if "\\" in text or _SPACED_KEY.search(text):
        return None
    try:
        event: BaseEvent = _validate_json(text)
    except ValidationError:
        return None
    if text.count('":') != len(event.model_fields_set) + len(event.attributes):
        return None  # a key given twice
    return event


def _fast_path(
    mapping: EventMapping | None, vocabulary: Vocabulary | None
) -> Callable[[str], BaseEvent | None] | None:
    """How each JSON record is read first (None: decoded in full): by pydantic-core, in the
    vocabulary as it is or renamed by the mapping; a pack's vocabulary reads declared types,
    which the core validators do not know, so it has no fast path."""
    if vocabulary is not None:
        return None
    if mapping is None:
        return _fast_event
    mapped = _mapped(mapping)
    if mapped is None:
        return _renamed_fast(mapping)

    def fast(text: str) -> BaseEvent | None:
        events = _validated(text, 1, mapped, lines=False)
        return events[0] if events is not None else None

    return fast


def _renamed_fast(mapping: EventMapping) -> Callable[[str], BaseEvent | None]:
    """The fast path for records a mapping renames that :class:`_Mapped` cannot read: each
    record decoded by pydantic-core's JSON parser (not the Python decoder), renamed,
    validated; None to have the record decoded in full and renamed again, which also says
    what is wrong with it.

    As in :func:`_fast_event`, only text without backslashes is taken, where every '"'
    delimits a string and '":' ends a key: a record with as many of those as keys has no
    key given twice (pydantic-core keeps the last) and no object inside."""
    rename = mapping.renamer()

    def fast(text: str) -> BaseEvent | None:
        record = _plain_object(text) if "\\" not in text else None
        if record is None:
            return None
        try:
            return _validate_python(rename(record))  # type: ignore[no-any-return]
        except (ValidationError, RecordMappingError):
            return None

    return fast


def _plain_object(text: str) -> dict[str, Any] | None:
    """The JSON object ``text`` (without backslashes) is, parsed by pydantic-core, or None
    when it is not one or gives a key twice: every '":' ends a key, so a count of them
    above the keys parsed means pydantic-core kept the last of a repeated key."""
    try:
        record = from_json(text, allow_inf_nan=False)
    except ValueError:
        return None
    if type(record) is not dict or text.count('":') != len(record):
        return None
    return record


class _Mapped:
    """A mapping carried out by pydantic-core as it validates (no text rewritten, no dict
    built per record): the events' core schema with each renamed field read under its
    source key (a validation alias), each source type name a choice of the union that
    validates as its event type and gives that type's name (:func:`_translated`), each
    translated value of an enumerated field accepted as it is, each constant the default of
    its field; each ignored key read into a field of its own (so that it is counted), then
    dropped. :meth:`finish` then translates values and drops those fields, and
    :meth:`names_given` drops them from the fields set and marks constants as given, so an
    event is what :meth:`EventMapping.renamer` and validation make of the record.

    Records it cannot vouch for go the long way (the renamer), where every reason is
    given: see :func:`_bulk_events` for the checks on the text."""

    __slots__ = ("constants", "ignored", "in_block", "in_plain_block", "in_record", "values")

    def __init__(
        self,
        in_block: Callable[[str], Any],
        in_plain_block: Callable[[str], Any] | None,
        in_record: Callable[[str], Any],
        ignored: tuple[str, ...],
        values: tuple[tuple[str, dict[Any, Any], frozenset[str]], ...],
        constants: dict[str, frozenset[str]],
    ) -> None:
        self.in_block = in_block  # validates lines joined as one list (_validated)
        self.in_plain_block = in_plain_block  # the same, for blocks of the plain case
        self.in_record = in_record  # validates one record wrapped so
        self.ignored = ignored  # the field each ignored key is read into
        self.values = values
        self.constants = constants

    def finish(self, values: list[dict[str, Any]]) -> list[str] | None:
        """The validated events' field values (``__dict__``) made what the long way makes
        of their records (in place: they are new and seen by no one yet); their fields sets
        are made so by :meth:`names_given`. Gives the events' types, or None when one must
        go the long way."""
        for name in self.ignored:
            list(map(dict.pop, values, repeat(name)))
        kinds = list(map(_TYPE_KEY, values))
        for name, table, holders in self.values:
            # Every event of a type with the field holds it (as its value or the default).
            of_holders = list(compress(values, map(holders.__contains__, kinds)))
            given = list(map(itemgetter(name), of_holders))
            list(map(_set_item, of_holders, repeat(name), map(table.get, given, given)))
        if self.constants and any(map(_UNKNOWN_KEY, values)):
            constants = map(self.constants.get, kinds, repeat(_NO_NAMES))
            if any(
                not names.isdisjoint(unknown)
                for names, unknown in zip(constants, map(_UNKNOWN_KEY, values), strict=True)
            ):
                return None  # a constant's field also listed as unknown: rejected
        return kinds

    def names_given(self, names: set[str], kind: str) -> set[str]:
        """The fields set of an event of type ``kind`` that validation gave ``names``: the
        fields of ignored keys dropped, the type's constants marked as given (a new set)."""
        return names.difference(self.ignored).union(self.constants.get(kind, _NO_NAMES))


_NO_NAMES: frozenset[str] = frozenset()
_UNKNOWN_KEY = itemgetter("unknown")


_MAPPED: dict[int, tuple[EventMapping, _Mapped | None]] = {}


def _mapped(mapping: EventMapping) -> _Mapped | None:
    """:func:`_mapped_schema`'s reader for ``mapping``, made once per mapping."""
    known = _MAPPED.get(id(mapping))
    if known is not None and known[0] is mapping:
        return known[1]
    if len(_MAPPED) >= 8:
        _MAPPED.clear()
    reader = _mapped_schema(mapping)
    _MAPPED[id(mapping)] = (mapping, reader)
    return reader


def _translated(source: str, target: str) -> Any:
    """A schema that takes ``source`` only and gives ``target`` (a type's name as the
    renamer translates it): the literal ``source``, then a default that stands for any
    value its literal refuses (no Python call per event)."""
    if source == target:
        return core_schema.literal_schema([source])
    give = core_schema.with_default_schema(
        core_schema.literal_schema([target]), default=target, on_error="default"
    )
    return core_schema.chain_schema([core_schema.literal_schema([source]), give])


_PLAIN_CONSTANT = (str, bool, int, type(None))
# An ignored key is read into a field of this name (no event field starts with a space), so
# that a key given twice is counted as any other; its value is not read (as the renamer
# drops it unread), and finish() drops the field.
# In a block, only a scalar: a list could hold lines joined by the block's wrapping
# (see _validated), and then read the long way, which reads lists as the renamer does.
_IGNORED = " ignored "
_IGNORED_IN_RECORD = core_schema.any_schema()
# Text first, and the first choice that takes the value wins: an ignored key most often
# holds text, and in pydantic-core's "smart" mode every choice is tried (each refusal an
# error object). Which values are taken does not depend on the order; the value is dropped.
_IGNORED_IN_BLOCK = core_schema.nullable_schema(
    core_schema.union_schema(
        [
            core_schema.str_schema(strict=True),
            core_schema.bool_schema(strict=True),
            core_schema.int_schema(strict=True),
            core_schema.float_schema(strict=True, allow_inf_nan=True),
        ],
        mode="left_to_right",
    )
)


def _mapped_schema(mapping: EventMapping) -> _Mapped | None:
    """A :class:`_Mapped` for ``mapping``; None when pydantic-core cannot carry it out the
    way the renamer does: a value translated in a field that is not an enumeration (the
    field's own checks would see the source value), a type translated by ``values``, a
    constant that is not plain (text, true, false, null or a whole number), or an ignored
    or renamed key that is also a field read under its own name."""
    if _bulk_schema is None:
        _build_validators()
    # Shared with the validators built from it and with every mapping's: never changed in
    # place. Each choice below copies only the dicts it changes (copying the whole schema,
    # about 8,000 dicts per union, was most of the cost of the first mapped read).
    base = _bulk_schema
    choices: dict[str, Any] = base["choices"]
    source_of = {target: source for source, target in mapping.fields.items()}
    if "type" in mapping.values:
        return None
    for table in mapping.constants.values():
        if not all(type(v) in _PLAIN_CONSTANT for v in table.values()):
            return None

    def build(kind: str, accepted: str, ignored_value: Any) -> Any:
        """The schema of event type ``kind`` for records whose type reads ``accepted``."""
        schema = inner = dict(choices[kind])
        while inner["type"] != "model-fields":  # the wrappers down to the fields, copied
            inner["schema"] = dict(inner["schema"])
            inner = inner["schema"]
        # The fields table and each field's own dict copied (a field's schema is copied
        # below where it is changed).
        inner["fields"] = {name: dict(spec) for name, spec in inner["fields"].items()}
        for key in sorted(mapping.ignore):  # read, counted, then dropped by finish()
            inner["fields"][_IGNORED + key] = core_schema.model_field(
                core_schema.with_default_schema(ignored_value, default=None),
                validation_alias=key,
            )
        for name, spec in inner["fields"].items():
            if name.startswith(_IGNORED):
                continue
            if name in source_of:
                spec["validation_alias"] = source_of[name]
            elif name in mapping.ignore or name in mapping.fields:
                return None  # the renamer drops or renames the key this field is read under
            if name == "type":  # the choice is taken for ``accepted``: it reads as ``kind``
                spec["schema"] = _translated(accepted, kind)
            elif name in mapping.values:
                literal = spec["schema"] = dict(spec["schema"])
                while literal["type"] in ("default", "nullable"):
                    literal["schema"] = dict(literal["schema"])
                    literal = literal["schema"]
                if literal["type"] != "literal":
                    return None
                table = mapping.values[name]
                literal["expected"] = [
                    *literal["expected"],
                    *(v for v, to in table.items() if to in literal["expected"]),
                ]
            if name in mapping.constants.get(kind, {}):
                given = spec["schema"]
                spec["schema"] = _constant_default(
                    given["schema"] if given["type"] == "default" else given,
                    mapping.constants[kind][name],
                )
        return schema

    def tagged_union(ignored_value: Any) -> Any:
        union: dict[str, Any] = {}
        for kind in choices:
            if kind not in mapping.types:
                union[kind] = build(kind, kind, ignored_value)
        for source, target in mapping.types.items():
            union[source] = build(target, source, ignored_value)
        if any(schema is None for schema in union.values()):
            return None
        tagged = dict(base)
        tagged["choices"] = union
        if "type" in source_of:
            tagged["discriminator"] = source_of["type"]
        return tagged

    block_union = tagged_union(_IGNORED_IN_BLOCK)
    record_union = tagged_union(_IGNORED_IN_RECORD)
    if block_union is None or record_union is None:
        return None
    in_block = _lines_validator(block_union, wrapped=False)  # lines not wrapped: _validated
    in_record = _lines_validator(record_union)
    by_tag = {source: mapping.constants.get(target, {}) for source, target in mapping.types.items()}
    by_tag.update(
        {kind: mapping.constants.get(kind, {}) for kind in choices if kind not in mapping.types}
    )
    return _Mapped(
        in_block,
        _plain_validator(block_union, by_tag, wrapped=False),  # block_union not changed
        in_record,
        tuple(_IGNORED + key for key in sorted(mapping.ignore)),
        tuple(
            (
                name,
                dict(table),
                frozenset(k for k, c in EVENT_CLASSES.items() if name in c.model_fields),
            )
            for name, table in mapping.values.items()
        ),
        {kind: frozenset(table) for kind, table in mapping.constants.items()},
    )


def _bulk_path(
    mapping: EventMapping | None,
    vocabulary: Vocabulary | None,
    limits: EventLimits,
    columns: ColumnsBuilder | None = None,
) -> BulkParse | None:
    """How a block of JSON Lines is read whole (None: each line on its own): all its
    lines validated by one call of pydantic-core on the JSON text, renamed as they are
    validated by the mapping (:class:`_Mapped`). A pack's vocabulary has no bulk path (as
    it has no fast path); nor has a depth limit below 2, the depth of a valid event with a
    list. ``columns``: the collector's, given each block's columns as it is validated (the
    collector keeps every block ``bulk`` gives, in order)."""
    if vocabulary is not None or limits.depth < 2:
        return None
    mapped = _mapped(mapping) if mapping is not None else None
    if mapping is not None and mapped is None:
        return None
    blocks = _Blocks(mapped, columns)
    return lambda text, count: _bulk_events(text, count, blocks)


_FIELDS_SET = attrgetter("__pydantic_fields_set__")
_ATTRIBUTES_KEY = itemgetter("attributes")
_ONLY = itemgetter(0)


def _bulk_events(text: str, count: int, blocks: _Blocks) -> list[BaseEvent] | None:
    """The events of ``count`` JSON Lines (``text``, joined by newlines): :func:`_validated`."""
    return _validated(text, count, blocks.mapped, lines=True, blocks=blocks)


def _validated(
    text: str, count: int, mapped: _Mapped | None, *, lines: bool, blocks: _Blocks | None = None
) -> list[BaseEvent] | None:
    """The events of ``count`` JSON Lines (``text``, joined by newlines), or None to have
    each line read on its own, which also says what is wrong with a line. With ``lines``
    false, ``text`` is one record (count 1), which may span lines.

    Taken only when the text has no backslash, so that every '"' delimits a string and
    '":' ends a key (as in :func:`_fast_event`). Each line is wrapped in a list of its own
    and the lists joined by ",\\n" into one JSON list. A newline is not allowed inside a JSON
    string, so no string runs from one line into the next; a line whose text closes its
    list early ("{...}],[{...}") gives more elements than lines, and lines that would join
    into one element do so only inside a list of lists, which no event field accepts (nor
    an ignored key's value, in a block): so when validation passes with one
    event per line, each event is its own line. Keys given twice (pydantic-core keeps the
    last) are counted as in :func:`_fast_event`: one '":' per field set (ignored keys
    included) and attribute. With a mapping (:class:`_Mapped`), no record holds an object
    (one '{' per record: keys are renamed at the top level only, as the long way renames
    them).

    A mapped block's lines are not wrapped: they are joined by ",\n" into one JSON list of
    events, taken only when each line starts with '{' and the block holds no other '{'
    (as many as lines). Then each event, an object, starts with the '{' of a line of its
    own; the next starts the next line, and only a comma and white space may stand between
    two elements: so with one event per line, each event is its own line (and a line that
    runs into the next, or holds two records, makes the block go the long way).
    """
    if "\\" in text or (_maybe_spaced(text, lines) and _SPACED_KEY.search(text)):
        return None
    if not text.isascii() and undecodable(text):
        return None
    validate = _validate_lines
    joined = lines and mapped is not None  # a mapped block: its lines joined, not wrapped
    if mapped is not None:
        if text.count("{") != count:
            return None
        if joined and (
            text[:1] != "{" or text.count("\n") != count - 1 or text.count("\n{") != count - 1
        ):
            return None  # a line that does not start with '{'
        validate = mapped.in_block if lines else mapped.in_record
    if blocks is not None:
        validate = blocks.validate
    if joined:
        wrapped = "[" + text.replace("\n", ",\n") + "]"
    else:
        wrapped = "[[" + (text.replace("\n", "],\n[") if lines else text) + "]]"
    try:
        found = validate(wrapped)
    except ValidationError:
        return None
    del wrapped
    if len(found) != count:
        return None
    events: list[BaseEvent] = found if joined else list(map(_ONLY, found))
    # Each event's field values and fields set, read once for the passes below: a model's
    # attribute reads each go through its __getattr__ hook.
    values = list(map(_VALUES, events))
    fields_set = list(map(_FIELDS_SET, events))
    keys = sum(map(len, fields_set))
    if mapped is None:
        keys += sum(map(len, map(_ATTRIBUTES_KEY, values)))
    if text.count('":') != keys:
        return None  # a key given twice
    if not _parse_times(values):
        return None
    kinds = mapped.finish(values) if mapped is not None else list(map(_TYPE_KEY, values))
    if kinds is None:
        return None
    if blocks is not None:
        blocks.fields_sets.share(events, fields_set, kinds)
    elif mapped is not None:
        list(map(_SET_FIELDS_SET, events, map(mapped.names_given, fields_set, kinds)))
    if blocks is not None and blocks.columns is not None:
        # The block's columns, read while it is in cache, from the field values read above.
        blocks.columns.add_block(events, values)
    return events


# Sets a model's fields set (a slot of BaseModel): a C call, no pydantic hook.
_SET_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__set__


class _FieldsSets:
    """The fields sets of a read's events, one set object for each content: pydantic-core
    makes one set per event (728 bytes for ten names, about half of an event's memory),
    and most events of a type set the same fields. A block's sets are replaced while it is
    new, so that the ones made are freed at once and their memory serves the next block;
    with a mapping, the set each content is made (:meth:`_Mapped.names_given`) is made once.

    Sharing is safe because the events are frozen and nothing changes a fields set in
    place once an event is made: pydantic's ``__setattr__`` refuses frozen models before it
    adds a name; ``model_copy``, ``copy`` and ``deepcopy`` give the copy a copy of the set
    (``model_copy(update=...)`` then updates the copy's); equality and hashing read field
    values, not the set; ``model_dump(exclude_unset=True)`` reads it. Pickling a list of
    events shares the set among them, as here (tests/test_bulk_lines.py)."""

    __slots__ = ("by_names", "made", "mapped", "shared")

    def __init__(self, mapped: _Mapped | None) -> None:
        self.mapped = mapped
        # For each type, a set pydantic-core made and the set events given one of the same
        # content get.
        self.made: dict[str, set[str]] = {}
        self.shared: dict[str, set[str]] = {}
        # Every type and content seen: its set (by type too: with a mapping, the set made of
        # a content depends on the type's constants).
        self.by_names: dict[tuple[str, frozenset[str]], set[str]] = {}

    def share(self, events: list[BaseEvent], fields_set: list[set[str]], kinds: list[str]) -> None:
        """Gives each of ``events`` (new, seen by no one yet; ``fields_set`` their sets as
        made, ``kinds`` their types) the set kept for its content."""
        # First the set kept for the event's type, compared by content (a C pass); the
        # others (a type's first event, fields left out) looked up by content.
        made = list(map(self.made.get, kinds))
        same = list(map(eq, fields_set, made))
        if all(same):
            list(map(_SET_FIELDS_SET, events, map(self.shared.__getitem__, kinds)))
            return
        shared = list(compress(kinds, same))
        list(map(_SET_FIELDS_SET, compress(events, same), map(self.shared.__getitem__, shared)))
        by_names = self.by_names
        if len(by_names) > 1024:
            by_names.clear()  # many contents: keep memory bounded (sharing is an economy)
        for event, names, kind, known in zip(events, fields_set, kinds, same, strict=True):
            if known:
                continue
            key = (kind, frozenset(names))
            kept = by_names.get(key)
            if kept is None:
                mapped = self.mapped
                kept = by_names[key] = names if mapped is None else mapped.names_given(names, kind)
            # The latest of each type: events that set other fields come in runs.
            self.made[kind] = names
            self.shared[kind] = kept
            if kept is not names:
                _SET_FIELDS_SET(event, kept)


def _maybe_spaced(text: str, lines: bool) -> bool:
    """Whether ``text`` may hold a key spaced from its colon: a '"' followed by white space.
    Each white space character is looked for on its own first (a scan for one character is
    far cheaper than for two, and most JSON Lines hold no tab and often no space). Lines
    read as a block need no look for '"' then a newline: a record is one line, and a key
    whose colon is on the next line leaves both lines invalid JSON once they are wrapped
    (:func:`_validated`)."""
    return (
        (" " in text and '" ' in text)
        or ("\t" in text and '"\t' in text)
        or ("\r" in text and '"\r' in text)
        or (not lines and '"\n' in text)
    )


_VALUES = attrgetter("__dict__")
_AT = itemgetter("at")
_TYPE_KEY = itemgetter("type")
_set_item = setitem  # a C function: dict.__setitem__ is a slot wrapper, a tuple per call
_moment = datetime.fromisoformat


def _parse_times(values: list[dict[str, Any]]) -> bool:
    """Each event's time, validated as text (:func:`_times_as_text`), made the datetime
    :func:`_instant` makes of it; False when one is not a real date and time. ``values``:
    the events' field values (``__dict__``); the events are new and seen by no one yet, so
    their (frozen) values are set in place."""
    times = list(map(_AT, values))
    try:
        if None not in times:
            list(map(_set_item, values, repeat("at"), map(_moment, times)))
            return True
        for fields, at in zip(values, times, strict=True):
            if at is not None:
                fields["at"] = _moment(at)
    except ValueError:
        return False
    return True


def _too_large(format: EventFormat, limits: EventLimits) -> str:
    kind = "a JSON array" if format == "json" else "a YAML event file"
    return (
        f"the file is larger than {limits.file_bytes:,} bytes, the limit for {kind}, which "
        "is read whole (docs/limits.md); write large streams as JSON Lines, which are read "
        "line by line"
    )


class _Collector:
    """Typed events and rejections, in input order, with the place of each."""

    def __init__(
        self,
        source: str,
        label: tuple[str, str],
        *,
        keep_places: bool = True,
        mapping: EventMapping | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.source = source
        self.vocabulary = vocabulary
        self.rename = mapping.renamer() if mapping is not None else None
        self.label = label
        self.events: list[BaseEvent] = []
        self.rejected: list[Rejection] = []
        self.origins = Origins() if keep_places else None
        # What evaluate reads of every event, read while each bulk block is new (in cache);
        # lost once an event is kept any other way (_event_columns).
        self.columns = ColumnsBuilder()

    def where(self, number: int) -> str:
        return f"{self.label[0]}{number}{self.label[1]}"

    def refuse(self, reason: str) -> None:
        self.rejected.append(Rejection(self.where(1), None, reason))

    def take_all(self, records: Iterator[Raw]) -> None:
        keep = self.events.append
        place = self.origins.run(self.label) if self.origins is not None else None
        for line, value, problem, event in records:
            if event is not None:
                self.columns.lose()
                keep(event)
                if place is not None:
                    place(line)
            elif problem is not None:
                self.rejected.append(Rejection(self.where(line), None, problem))
            else:
                self.take(line, value)

    def take_batches(self, items: Iterator[Batch | Raw]) -> None:
        """:meth:`take_all` for JSON Lines read in bulk: a batch's events are kept whole."""
        keep = self.events.extend
        origins = self.origins
        for item in items:
            if type(item) is Batch:
                keep(item.events)  # its columns were added as it was validated (_validated)
                if origins is not None:
                    origins.add_lines(self.label, item.line, len(item.events))
            else:
                self.take_all(iter((item,)))  # type: ignore[arg-type]

    def take(self, number: int, record: Any) -> None:
        if type(record) is not dict and not isinstance(record, Mapping):
            self.rejected.append(
                Rejection(self.where(number), None, "the record is not a mapping of event fields")
            )
            return
        if self.rename is not None:  # the event mapping: hook before validation
            try:
                record = self.rename(record)
            except RecordMappingError as exc:
                self.rejected.append(Rejection(self.where(number), None, str(exc)))
                return
        try:
            event: BaseEvent = (
                self.vocabulary.parse(record)
                if self.vocabulary is not None
                else EVENT_ADAPTER.validate_python(record)
            )
        except ValidationError as exc:
            vocabulary = self.vocabulary
            classes = vocabulary.event_classes() if vocabulary is not None else EVENT_CLASSES
            reason = describe_errors(exc, classes=classes)
            self.rejected.append(Rejection(self.where(number), _record_id(record), reason))
            return
        self.columns.lose()
        self.events.append(event)
        if self.origins is not None:
            self.origins.add(self.label, number)

    def stream(self) -> EventStream:
        events = tuple(self.events)
        stream = EventStream(events, tuple(self.rejected), self.source, self.origins)
        attach(stream, self.columns.built(events))
        return stream


def _record_id(record: Mapping[str, Any]) -> str | None:
    """The record's id, for naming it in a rejection, when it looks like an id."""
    value = record.get("id")
    if isinstance(value, str) and 0 < len(value) <= 200 and value.isprintable():
        return value
    return None
