"""What ``evaluate`` reads of every event first, gathered by the loader a block at a time.

Before it walks any child, ``evaluate`` reads five fields of every event (id, time,
unknown values, type, child id) and, for the types that name another event
(``EVENT_REFERENCES``), whether the link is given. On a large stream each of those passes
finds the events' field values out of the CPU caches: they were made one block of lines at
a time while the file was read, and by the time ``evaluate`` runs, a pass over all of
them is a cache miss per event and field (the shared benchmark's 200,000 events: 0.16 s
for the five passes cold, about a third of that a block at a time). So the loader reads
them while each block's events are new (:class:`ColumnsBuilder`, used by ``_stream``'s
collector for the blocks it reads in bulk), and the stream it returns keeps them
(:func:`attach`); ``evaluate`` takes them (:func:`of_stream`) only when they were made
for that very tuple of events, and reads the events itself otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress, repeat
from operator import and_, attrgetter, is_not, itemgetter
from typing import Any

from ._events import EVENT_REFERENCES

# Event type -> its checked links: (field, the type of the event it names).
LINKS: dict[str, tuple[tuple[str, str], ...]] = {}
for _kind, _field in EVENT_REFERENCES:
    LINKS[_kind] = (*LINKS.get(_kind, ()), (_field, EVENT_REFERENCES[_kind, _field]))

# Link field -> the event types that check it (a field of that name on another type is no
# link).
_CHECKED_BY: dict[str, frozenset[str]] = {}
for _kind, _field in EVENT_REFERENCES:
    _CHECKED_BY[_field] = _CHECKED_BY.get(_field, frozenset()) | {_kind}

# The fields read, in this order: each event's id, time, unknown values, type, child id.
COLUMNS = ("id", "at", "unknown", "type", "child_id")
_FIELD_VALUES = attrgetter("__dict__")
_GETTERS = tuple(map(itemgetter, COLUMNS))


class EventColumns:
    """The five columns (:data:`COLUMNS`) of ``events``, in order, and the positions of
    the events that give a checked link (``giving``: a link field of their type is set)."""

    __slots__ = ("child_ids", "events", "giving", "ids", "kinds", "times", "unknowns")

    def __init__(
        self,
        events: tuple[Any, ...],
        columns: list[list[Any]],
        giving: list[int],
    ) -> None:
        self.events = events  # the very tuple these are of (identity, not equality)
        self.ids, self.times, self.unknowns, self.kinds, self.child_ids = columns
        self.giving = giving


class ColumnsBuilder:
    """The columns of events read a block at a time, or None once an event came another
    way (then ``evaluate`` reads the events itself)."""

    __slots__ = ("columns", "giving", "length")

    def __init__(self) -> None:
        self.columns: list[list[Any]] | None = [[] for _ in COLUMNS]
        self.giving: list[int] = []
        self.length = 0  # events added

    def add_block(
        self, events: Sequence[Any], values: Sequence[dict[str, Any]] | None = None
    ) -> None:
        """Add the columns of ``events``, the next events of the stream in order.
        ``values``: their field values (``__dict__``, in order), when the caller has read
        them already (the block reader has: one pass fewer over the block)."""
        columns = self.columns
        if columns is None:
            return
        try:
            if values is None:
                values = list(map(_FIELD_VALUES, events))
            block = [list(map(getter, values)) for getter in _GETTERS]
        except (AttributeError, KeyError):  # an event that keeps its fields otherwise
            self.lose()
            return
        start = self.length
        kinds = block[3]
        for name, checked in _CHECKED_BY.items():
            # Each link field looked up in every event of the block (None where it is not
            # set, or not a field of the type): usually none is set, and that is one C pass.
            named = list(map(dict.get, values, repeat(name)))
            if named.count(None) == len(named):
                continue
            given = map(is_not, named, repeat(None))
            of_checking_type = map(checked.__contains__, kinds)
            here = range(start, start + len(kinds))
            self.giving += compress(here, map(and_, of_checking_type, given))
        for column, part in zip(columns, block, strict=True):
            column += part
        self.length += len(events)

    def lose(self) -> None:
        """An event was kept without its columns: there are none for the stream."""
        self.columns = None
        self.giving = []

    def built(self, events: tuple[Any, ...]) -> EventColumns | None:
        """The columns of ``events`` (every event the builder was given, in order)."""
        if self.columns is None or self.length != len(events):
            return None
        # A position may be listed once per link field of its type: each once, in order.
        giving = sorted(set(self.giving))
        return EventColumns(events, self.columns, giving)


_ATTRIBUTE = "_event_columns"  # an EventStream's own __dict__ entry: not a dataclass field


def attach(stream: object, columns: EventColumns | None) -> None:
    """Keep ``columns`` with ``stream`` (a frozen EventStream, so set by object.__setattr__;
    not a field, so never compared, shown or copied by dataclasses.replace)."""
    if columns is not None:
        object.__setattr__(stream, _ATTRIBUTE, columns)


def of_stream(stream: object, events: tuple[Any, ...]) -> EventColumns | None:
    """The columns kept with ``stream`` when they are of ``events`` itself, else None."""
    columns: EventColumns | None = getattr(stream, _ATTRIBUTE, None)
    if columns is None or columns.events is not events:
        return None
    return columns
