"""Evaluating input larger than memory: one child at a time, and merging the parts.

``evaluate`` holds every event. A child's obligations depend only on that child's events,
so input **grouped by child** (each child's events together, in any order within the
child and children in any order) can be evaluated child by child: :func:`evaluate_stream`
holds one child's history at a time and yields that child's results as soon as the next
child starts. :func:`merge_evaluations` puts the parts (of a stream, or of the partitions
of a distributed run) back into the one :class:`Evaluation` that ``evaluate`` returns for
the same input, byte for byte in ``to_json()``. docs/scaling.md says when to use which.

Duplicate event ids are found within each child, exactly as ``evaluate`` finds them. An
id shared by two *different* children is not found while streaming: that would need a
record of every id read, which grows with the file (docs/scaling.md, "Duplicate ids").
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple

from ._compile import CompiledPack
from ._engine import engine_stamp
from ._errors import ArgumentError, SafeguardRulesError
from ._evaluate import _accept, as_of_instant, evaluate_child, sort_rejections
from ._event_files import EventLimits
from ._events import BaseEvent
from ._files import path_list
from ._mapping import EventMapping
from ._result import (
    Account,
    EngineStamp,
    Evaluation,
    Finding,
    Obligation,
    PackStamp,
    Rejection,
    Undetermined,
)
from ._stream import STDIN, EventStream, read_jsonl_lazily
from ._vocabulary import Vocabulary

__all__ = [
    "LocatedEvent",
    "NotGroupedError",
    "evaluate_stream",
    "merge_evaluations",
    "read_events_lazily",
]


class LocatedEvent(NamedTuple):
    """An event with the place it was read ("events.jsonl:12"), for rejection messages."""

    event: BaseEvent
    where: str | None


StreamItem = BaseEvent | LocatedEvent | Rejection


class NotGroupedError(SafeguardRulesError):
    """A child's events came back after another child's: the input is not grouped."""

    def __init__(self, child_id: str, where: str | None) -> None:
        self.child_id = child_id
        self.where = where
        place = f"{where}: " if where else ""
        super().__init__(
            f"{place}child {child_id!r} appears again after other children's events; "
            "streaming needs each child's events together (grouped by child). Sort the "
            "input by child first: safeguard-rules sort-events IN -o OUT (docs/scaling.md)"
        )


@dataclass(frozen=True)
class _ChildStream(EventStream):
    """One child's events with the place of each, as ``_accept`` reads them."""

    places: tuple[str | None, ...] = ()

    def where(self, index: int) -> str | None:
        return self.places[index]


def evaluate_stream(
    pack: CompiledPack, events: Iterable[StreamItem], as_of: datetime | date
) -> Iterator[Evaluation]:
    """Evaluate input grouped by child, one child at a time, yielding as each finishes.

    ``events`` yields typed events (or :class:`LocatedEvent`\\ s, which carry the place
    each was read) with each child's events together, and any :class:`Rejection`\\ s
    met while reading. Each yielded :class:`Evaluation` is one stretch of the input: one
    child's obligations and findings, with the account of the records read in that
    stretch (the child's events, and the rejections read among them). A stretch after the
    last child holds only rejections. :func:`merge_evaluations` of everything yielded
    equals ``evaluate(pack, all_events, as_of)``.

    Memory holds one child's history, plus one set entry per child id (to recognise a
    child that comes back). Raises :class:`NotGroupedError` when a child's events resume
    after another child's; the parts already yielded stay correct for their children.
    """
    as_of = as_of_instant(pack, as_of)  # a date: the end of that local day
    as_of_utc = as_of.astimezone(UTC)
    stamp = PackStamp(pack.id, pack.version, pack.content_hash)
    engine = engine_stamp(pack.calendar.tz.key)
    seen: set[str] = set()
    current: str | None = None
    history: list[BaseEvent] = []
    places: list[str | None] = []
    rejected: list[Rejection] = []
    received = 0
    for item in events:
        if isinstance(item, Rejection):
            rejected.append(item)
            received += 1
            continue
        event, where = item if isinstance(item, LocatedEvent) else (item, None)
        child = event.child_id
        if child != current:
            if current is not None:
                yield _part(
                    pack, stamp, engine, as_of, as_of_utc, history, places, rejected, received
                )
                history, places, rejected, received = [], [], [], 0
            if child in seen:
                raise NotGroupedError(child, where)
            seen.add(child)
            current = child
        history.append(event)
        places.append(where)
        received += 1
    if history or rejected:
        yield _part(pack, stamp, engine, as_of, as_of_utc, history, places, rejected, received)


def _part(
    pack: CompiledPack,
    stamp: PackStamp,
    engine: EngineStamp,
    as_of: datetime,
    as_of_utc: datetime,
    history: list[BaseEvent],
    places: list[str | None],
    rejected: list[Rejection],
    received: int,
) -> Evaluation:
    stream = _ChildStream(tuple(history), places=tuple(places))
    uncertain: set[str] = set()
    accepted = _accept(pack, stream, as_of, rejected, uncertain)
    obligations: list[Obligation] = []
    findings: list[Finding] = []
    undetermined: list[Undetermined] = []
    unknown = 0
    if accepted:
        unknown = evaluate_child(
            pack,
            accepted,
            as_of_utc,
            obligations,
            findings,
            None,
            undetermined,
            uncertain=bool(uncertain),
        )
    sort_rejections(rejected)
    account = Account(received, len(accepted), tuple(rejected), unknown)
    return Evaluation(
        stamp, as_of, tuple(obligations), tuple(findings), account, engine, tuple(undetermined)
    )


def merge_evaluations(parts: Iterable[Evaluation]) -> Evaluation:
    """One evaluation from parts that hold disjoint sets of children.

    The parts of :func:`evaluate_stream`, or of partitions of the input by child (the
    Dask run), in any order: the result equals ``evaluate`` of all their input, and its
    ``to_json()`` is byte-identical. Every part must come from the same pack (id,
    version and content hash), ``as_of`` and engine (:class:`EngineStamp`: parts computed
    on workers with other versions of safeguard-rules, ``holidays`` or the time-zone data
    could disagree). Raises ArgumentError (a ValueError) when they do not, or when one
    child has results in two parts (the input was not partitioned by child).
    """
    parts = list(parts)
    if not parts:
        raise ArgumentError("merge_evaluations needs at least one evaluation")
    first = parts[0]
    obligations: dict[str, list[Obligation]] = {}
    findings: dict[str, list[Finding]] = {}
    undetermined: dict[str, list[Undetermined]] = {}
    owner: dict[str, int] = {}  # child id -> the part that holds its results
    rejected: list[Rejection] = []
    received = evaluated = unknown = 0
    for index, part in enumerate(parts):
        if part.pack != first.pack or part.as_of != first.as_of:
            raise ArgumentError(
                "the evaluations to merge come from different packs or as_of times: "
                f"{first.pack.id} {first.pack.version} at {first.as_of.isoformat()} and "
                f"{part.pack.id} {part.pack.version} at {part.as_of.isoformat()}"
            )
        if part.engine != first.engine:
            raise ArgumentError(
                "the evaluations to merge come from different engines (safeguard-rules, "
                f"holidays or time-zone data): {first.engine} and {part.engine}"
            )
        # Within a part, results are in result order (child first), so appending keeps
        # each child's own order.
        for o in part.obligations:
            _own(owner, o.child_id, index)
            obligations.setdefault(o.child_id, []).append(o)
        for f in part.findings:
            _own(owner, f.child_id, index)
            findings.setdefault(f.child_id, []).append(f)
        for u in part.undetermined:
            _own(owner, u.child_id, index)
            undetermined.setdefault(u.child_id, []).append(u)
        rejected.extend(part.account.rejected)
        received += part.account.received
        evaluated += part.account.evaluated
        unknown += part.account.cannot_evaluate
    sort_rejections(rejected)
    children = sorted(owner)
    return Evaluation(
        first.pack,
        first.as_of,
        tuple(o for child in children for o in obligations.get(child, ())),
        tuple(f for child in children for f in findings.get(child, ())),
        Account(received, evaluated, tuple(rejected), unknown),
        first.engine,
        tuple(u for child in children for u in undetermined.get(child, ())),
    )


def _own(owner: dict[str, int], child: str, index: int) -> None:
    if owner.setdefault(child, index) != index:
        raise ArgumentError(
            f"child {child!r} has results in two of the evaluations to merge: "
            "partition the input by child (docs/scaling.md)"
        )


def read_events_lazily(
    paths: Iterable[str | Path],
    *,
    limits: EventLimits | None = None,
    mapping: EventMapping | None = None,
    vocabulary: Vocabulary | None = None,
) -> Iterator[LocatedEvent | Rejection]:
    """The records of JSON Lines files ("-" is standard input) one at a time, in order:
    each a :class:`LocatedEvent` ("file:line") or a :class:`Rejection`, for
    :func:`evaluate_stream`. Raises OSError when a file cannot be opened."""
    for path in path_list(paths):
        if str(path) == STDIN:
            records = read_jsonl_lazily(
                sys.stdin.buffer, "<stdin>", limits=limits, mapping=mapping, vocabulary=vocabulary
            )
            yield from _located(records, "<stdin>")
            continue
        with Path(path).open("rb") as handle:
            yield from _located(
                read_jsonl_lazily(
                    handle, str(path), limits=limits, mapping=mapping, vocabulary=vocabulary
                ),
                str(path),
            )


def _located(
    records: Iterator[tuple[int, BaseEvent | Rejection]], source: str
) -> Iterator[LocatedEvent | Rejection]:
    for line, item in records:
        yield item if isinstance(item, Rejection) else LocatedEvent(item, f"{source}:{line}")
