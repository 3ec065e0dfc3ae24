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

Two answers that do not depend on ``as_of`` are found then too, from the block in cache:
whether any event has unknown values (the unknown lists themselves are not kept) and
whether each id sorts after the one before, so that no id is given twice (on the usual
stream, ids given in order, ``evaluate`` then builds no set of 200,000 ids). A stream with
an event that has no time (date only) keeps no columns: ``evaluate`` reads its events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import compress, islice, repeat
from operator import and_, attrgetter, is_not, itemgetter, lt
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
    """Of ``events``, in order: ids, times (each with a fixed offset), types and child ids;
    the positions of the events that give a checked link (``giving``: a link field of their
    type is set); ``unknown``: whether an event has unknown values; ``ids_ascend``: whether
    each id sorts after the one before (then no id is given twice)."""

    __slots__ = (
        "child_ids",
        "events",
        "giving",
        "ids",
        "ids_ascend",
        "kinds",
        "times",
        "unknown",
    )

    def __init__(self, events: tuple[Any, ...], built: ColumnsBuilder, giving: list[int]) -> None:
        self.events = events  # the very tuple these are of (identity, not equality)
        self.ids, self.times = built.ids, built.times
        self.kinds, self.child_ids = built.kinds, built.child_ids
        self.giving = giving
        self.unknown = built.unknown
        self.ids_ascend = built.ids_ascend


class ColumnsBuilder:
    """The columns of events read a block at a time, until an event comes another way or
    has only a date (then ``evaluate`` reads the events itself)."""

    __slots__ = (
        "child_ids",
        "giving",
        "ids",
        "ids_ascend",
        "kinds",
        "length",
        "lost",
        "times",
        "unknown",
    )

    def __init__(self) -> None:
        self.lost = False
        self.ids: list[str] = []
        self.times: list[datetime] = []
        self.kinds: list[str] = []
        self.child_ids: list[str] = []
        self.giving: list[int] = []
        self.length = 0  # events added
        self.unknown = False
        self.ids_ascend = True

    def add_block(self, events: Sequence[Any], values: Sequence[dict[str, Any]]) -> None:
        """Add the columns of ``events``, the next events of the stream in order, from their
        field values (``__dict__``, in order), which the block reader has read: each time is
        a datetime that ``datetime.fromisoformat`` made of text with an offset (so a fixed
        one), or None."""
        if self.lost or not events:
            return
        ids, times, unknowns, kinds, child_ids = [list(map(get, values)) for get in _GETTERS]
        if None in times:
            self.lose()  # a date-only event: evaluate reads them all (its careful walk)
            return
        start = self.length
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
        self.unknown = self.unknown or any(unknowns)
        if self.ids_ascend:
            # One C pass over the block's ids, and the last id before it.
            self.ids_ascend = (start == 0 or self.ids[-1] < ids[0]) and all(
                map(lt, ids, islice(ids, 1, None))
            )
        self.ids += ids
        self.times += times
        self.kinds += kinds
        self.child_ids += child_ids
        self.length += len(events)

    def lose(self) -> None:
        """An event was kept without its columns: there are none for the stream."""
        self.lost = True
        self.ids, self.times, self.kinds, self.child_ids, self.giving = [], [], [], [], []

    def built(self, events: tuple[Any, ...]) -> EventColumns | None:
        """The columns of ``events`` (every event the builder was given, in order)."""
        if self.lost or self.length != len(events):
            return None
        # A position may be listed once per link field of its type: each once, in order.
        giving = sorted(set(self.giving))
        return EventColumns(events, self, giving)


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
