"""Reading case-event streams from JSON Lines and YAML.

Every record is either parsed into a typed event or kept as a :class:`Rejection`
that names its line and what is wrong, so nothing is dropped silently. Messages
name fields, never field *values* from the record (event contents are not logged).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._errors import EventStreamError, PackError, did_you_mean, known_list
from ._events import EVENT_ADAPTER, EVENT_CLASSES, BaseEvent
from ._result import Rejection
from ._yaml import read_yaml_text

MAX_LINE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class EventStream:
    """Parsed events plus the records that could not be parsed."""

    events: tuple[BaseEvent, ...]
    rejected: tuple[Rejection, ...] = ()
    source: str = "input"

    @property
    def received(self) -> int:
        return len(self.events) + len(self.rejected)

    def raise_for_rejections(self) -> EventStream:
        if self.rejected:
            raise EventStreamError(self.rejected)
        return self


def parse_event(record: Any) -> BaseEvent:
    """Validate one record (a mapping) into a typed event; raises ValidationError."""
    event: BaseEvent = EVENT_ADAPTER.validate_python(record)
    return event


def parse_events(records: Iterable[Any], source: str = "input") -> EventStream:
    """Typed events from mappings, e.g. rows a case system already holds."""
    events: list[BaseEvent] = []
    rejected: list[Rejection] = []
    for i, record in enumerate(records):
        _take(record, f"{source}[{i}]", events, rejected)
    return EventStream(tuple(events), tuple(rejected), source)


def load_events(path: str | Path) -> EventStream:
    """Events from a ``.jsonl`` (one JSON object a line) or ``.yaml``/``.yml`` file."""
    path = Path(path)
    if path.suffix in (".yaml", ".yml"):
        return _load_yaml(path)
    return _load_jsonl(path)


def _load_jsonl(path: Path) -> EventStream:
    events: list[BaseEvent] = []
    rejected: list[Rejection] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if len(line) > MAX_LINE_BYTES:
                rejected.append(Rejection(f"{path}:{number}", None, "line is longer than 1 MiB"))
                continue
            try:
                events.append(EVENT_ADAPTER.validate_json(line))
            except ValidationError as exc:
                rejected.append(Rejection(f"{path}:{number}", _record_id(line), _explain(exc)))
    return EventStream(tuple(events), tuple(rejected), str(path))


def _load_yaml(path: Path) -> EventStream:
    try:
        data, positions = read_yaml_text(path.read_text(encoding="utf-8"), str(path))
    except PackError as exc:
        first = exc.diagnostics[0]
        raise EventStreamError(
            [Rejection(f"{first.file}:{first.line}", None, first.message)]
        ) from exc
    if isinstance(data, Mapping) and "events" in data:
        data = data["events"]
        prefix: tuple[str | int, ...] = ("events",)
    else:
        prefix = ()
    if not isinstance(data, list):
        raise EventStreamError(
            [Rejection(f"{path}:1", None, "an event file is a list of events (or 'events: [...]')")]
        )
    events: list[BaseEvent] = []
    rejected: list[Rejection] = []
    for i, record in enumerate(data):
        line, _col = positions.locate((*prefix, i))
        _take(record, f"{path}:{line}", events, rejected)
    return EventStream(tuple(events), tuple(rejected), str(path))


def _take(record: Any, where: str, events: list[BaseEvent], rejected: list[Rejection]) -> None:
    if not isinstance(record, Mapping):
        rejected.append(Rejection(where, None, "record is not a mapping of event fields"))
        return
    try:
        events.append(parse_event(record))
    except ValidationError as exc:
        event_id = record.get("id")
        rejected.append(
            Rejection(where, event_id if isinstance(event_id, str) else None, _explain(exc))
        )


def _record_id(line: bytes) -> str | None:
    import json

    try:
        record = json.loads(line)
    except ValueError:
        return None
    value = record.get("id") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def _explain(exc: ValidationError) -> str:
    """One line per problem, naming the field and what to write instead."""
    messages: list[str] = []
    for error in exc.errors():
        loc = [str(p) for p in error["loc"]]
        kind = error["type"]
        event_type = loc[0] if loc and loc[0] in EVENT_CLASSES else None
        field = ".".join(loc[1:] if event_type else loc)
        if kind == "union_tag_invalid":
            tag = str((error.get("ctx") or {}).get("tag", ""))
            messages.append(
                f"unknown event type {tag!r}{did_you_mean(tag, EVENT_CLASSES)}; see docs/events.md"
            )
        elif kind == "union_tag_not_found":
            messages.append("missing 'type'; every event names its type, e.g. 'cpn_created'")
        elif kind == "extra_forbidden":
            known = list(EVENT_CLASSES[event_type].model_fields) if event_type else []
            messages.append(
                f"unknown field {field!r}{did_you_mean(loc[-1], known)} for "
                f"{event_type}; its fields are: {known_list(known, 30)}; local "
                "extensions go under 'attributes'"
            )
        elif kind == "timezone_aware":
            messages.append(
                f"{field!r} has no UTC offset; write it with one, e.g. "
                "2024-05-07T10:30:00+01:00 or 2024-05-07T09:30:00Z"
            )
        elif kind == "missing":
            messages.append(
                f"missing field {field!r}" + (f" for {event_type}" if event_type else "")
            )
        elif kind == "json_invalid":
            messages.append("line is not valid JSON")
        elif kind == "model_attributes_type" or kind == "model_type":
            messages.append("record is not a JSON object of event fields")
        else:
            messages.append(f"field {field!r}: {error['msg']}")
    return "; ".join(messages)
