"""Applying a compiled pack to a stream of case events.

One pass per child over its events in time order (ties broken by event id, so
input order never matters). For each event: fold it into the case facts, let it
meet or cancel the obligations waiting for its type, then fire the rules it
triggers. Work per event is bounded by the rules for its type and the child's
obligations still open, so evaluation is linear in the number of events.

A child whose records include a date-only event (``on``) or a value listed as unknown
is walked by ``_uncertain`` instead, with three-valued conditions and deadlines known to
the day (docs/deadlines.md); this module's walk, the fast path, is for every other child.
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from itertools import compress, islice, repeat
from operator import attrgetter, eq, is_, is_not, itemgetter, le
from typing import Any, NamedTuple

from ._calendar import _DAY_KINDS, WorkingCalendar, _day_deadline
from ._case import FOLD_BY_TYPE, CaseState, folds_needed
from ._compile import (
    CompiledPack,
    CompiledRequirement,
    CompiledRoute,
    CompiledRule,
    DueCase,
)
from ._compile import _always as _always_route
from ._conditions import EVENT_FIELDS_READ, Predicate
from ._conditions import _always as _always_applies
from ._engine import engine_stamp
from ._errors import InvalidAsOfError
from ._event_columns import _FIELD_VALUES, of_stream
from ._event_columns import COLUMNS as _COLUMNS
from ._event_columns import LINKS as _LINKS
from ._events import EARLIEST_YEAR, LATEST_YEAR, BaseEvent
from ._gc import collector_paused
from ._outcome import (
    NO_TIMESCALE,
    check_finding,
    escalation_of,
    late_message,
)
from ._pack import Escalation as EscalationSpec
from ._result import (
    Account,
    Deferred,
    Escalation,
    Evaluation,
    Finding,
    Obligation,
    ObligationShell,
    PackStamp,
    Rejection,
    Status,
    Undetermined,
    cite,
    new_finding,
)
from ._stream import EventStream, as_stream

# An obligation while the child's events are walked is the Obligation itself, not yet
# frozen: an ObligationShell (_result) with every field set when it is opened except these,
# which hold walk state until _close fills them: ``met_by`` and ``cancelled_by`` the event
# (not its id), ``escalation`` the requirement's escalation spec, ``status`` unset. (The lean
# walk fills them as it goes: _walk_lean.) So each obligation is one object, built once.
# Obligations wait on event types as (obligation, its requirement, its trigger).
_Open = Any
_Waiting = tuple[Any, CompiledRequirement, BaseEvent]


@dataclass(slots=True)
class _Tally:
    """Counted events inside a count rule's window, and whether it has fired."""

    window: deque[tuple[datetime | None, str]] = field(default_factory=deque)
    fired: bool = False
    seen: BaseEvent | None = None  # the last event the window was moved for
    ids: tuple[str, ...] | None = None  # the window's event ids as of ``seen``, once made


# What a scenario run exercised, for coverage: ("rule", id), ("route", id, route),
# ("case", id, route or "", case label), ("finding", id).
Exercised = set[tuple[str, ...]]


def evaluate(
    pack: CompiledPack, events: EventStream | Iterable[BaseEvent], as_of: datetime | date
) -> Evaluation:
    """The obligations and findings ``events`` give rise to under ``pack`` at ``as_of``.

    ``as_of`` is an aware datetime, or a date: the end of that local day in the pack's
    time zone.
    """
    return _evaluate(pack, events, as_of, None)


def evaluate_exercising(
    pack: CompiledPack, events: EventStream | Iterable[BaseEvent], as_of: datetime | date
) -> tuple[Evaluation, Exercised]:
    """:func:`evaluate`, also saying which rules, routes, deadline cases and checks fired."""
    exercised: Exercised = set()
    return _evaluate(pack, events, as_of, exercised), exercised


def _evaluate(
    pack: CompiledPack,
    events: EventStream | Iterable[BaseEvent],
    as_of: datetime | date,
    exercised: Exercised | None,
) -> Evaluation:
    as_of = as_of_instant(pack, as_of)
    with collector_paused():  # obligations and findings hold no cycles (_gc)
        return _evaluate_all(pack, events, as_of, exercised)


def _evaluate_all(
    pack: CompiledPack,
    events: EventStream | Iterable[BaseEvent],
    as_of: datetime,
    exercised: Exercised | None,
) -> Evaluation:
    if isinstance(events, EventStream) and of_stream(events, events.events) is not None:
        # The loader's own events, each made by it (their columns were kept for this very
        # tuple: _event_columns): as_stream's check that each is an event, an isinstance
        # through pydantic's metaclass per event, is not needed (0.02-0.03 s of 200,000).
        stream = events
    else:
        stream = as_stream(events)
    rejected = list(stream.rejected)
    uncertain: set[str] = set()
    columns: list[Any] = []
    accepted = _accept(pack, stream, as_of, rejected, uncertain, columns)

    # One pass over the events in input order (where reading them is cheapest: in child
    # order they are scattered in memory) gathers what grouping and sorting need: on the
    # usual stream _accept's own pass has (child ids, times, ids, types) of every event.
    if columns:
        child_ids, times, ids, _kinds, in_walk_order = columns
        fixed = True
    else:
        keys = list(map(_CHILD_AT_ID, accepted))
        child_ids = list(map(_FIRST, keys))
        times = list(map(_SECOND, keys))
        ids = list(map(_THIRD, keys))
        del keys
        fixed = set(map(type, times)) == {datetime} and _fixed_offset_times(times)
        if fixed:  # times compare without a conversion per comparison when sorted
            times = _comparable(times)
    obligations: list[Obligation] = []
    # Findings, and children's findings to be made when read (_ChildFindings, _findings).
    findings: list[Any] = []
    undetermined: list[Undetermined] = []
    unknown = 0  # outcomes that cannot be evaluated (only the careful walk gives them)
    as_of_utc = as_of.astimezone(UTC)
    memo = _Memo(pack)

    # The lean walk, when the pack's rules use only what it does (_lean_steps).
    lean = memo.plan.lean if exercised is None else None

    def walk_sorted(history: list[BaseEvent], instants: list[datetime]) -> None:
        """Walk a child whose events are sorted, every time with a fixed offset, and whose
        ``instants`` are their times in one zone; its findings are made when read."""
        if lean is not None:
            steps = map(lean.get, map(_TYPE, history))
            rows = zip(history, instants, steps, map(_ID, history), strict=True)
            _walk_lean(pack, rows, as_of_utc, obligations, findings, memo)
            return
        _walk(
            pack,
            history,
            as_of_utc,
            obligations,
            findings,
            exercised,
            memo,
            fixed=True,
            defer=True,
            instants=instants,
        )

    # Results are ordered by child first, so each child's sorted results, children in
    # order, are the whole evaluation's order (evaluate_stream and the Dask merge rely on it).
    if not columns:
        in_walk_order = fixed and not uncertain and _in_walk_order(times, ids)
    if in_walk_order and lean is not None:
        # As below, each child's events with what the lean walk reads of them (_walk_lean),
        # taken from the columns in input order, grouped in one pass; each event's step is
        # looked up here, by a C call per event, not in the walk.
        kinds = columns[3] if columns else list(map(_TYPE, accepted))
        steps = map(lean.get, kinds)
        rows_by_child: defaultdict[str, list[Any]] = defaultdict(list)
        _group(rows_by_child, child_ids, zip(accepted, times, steps, ids, strict=True))
        del child_ids, times, ids, columns, kinds, steps
        for child_id in sorted(rows_by_child):
            rows = rows_by_child.pop(child_id)  # let go once walked
            _walk_lean(pack, rows, as_of_utc, obligations, findings, memo)
    elif in_walk_order:
        # The input is already in walk order (by time, then id): grouped by child as it
        # comes, each child's events are in order too, with nothing to sort.
        histories: defaultdict[str, list[BaseEvent]] = defaultdict(list)
        _group(histories, child_ids, accepted)
        # Each child's instants (times in one zone, _comparable), in the same order; each
        # list is let go once its child is walked, so they do not outlive the walk.
        instants: defaultdict[str, list[datetime]] = defaultdict(list)
        _group(instants, child_ids, times)
        del child_ids, times, ids, columns
        for child_id in sorted(histories):
            walk_sorted(histories[child_id], instants.pop(child_id))
    else:
        by_child: defaultdict[str, list[tuple[Any, str, BaseEvent]]] = defaultdict(list)
        _group(by_child, child_ids, zip(times, ids, accepted, strict=True))
        del child_ids, times, ids, columns
        for child_id in sorted(by_child):
            rows = by_child[child_id]
            if fixed and child_id not in uncertain:
                # Every time has a fixed offset (_fixed_offsets), in one zone (_comparable):
                # sorted by time then id. Ids are unique here, so events themselves are
                # never compared.
                rows.sort()
                walk_sorted(list(map(_THIRD, rows)), list(map(_FIRST, rows)))
                continue
            unknown += evaluate_child(
                pack,
                list(map(_THIRD, rows)),
                as_of_utc,
                obligations,
                findings,
                exercised,
                undetermined,
                uncertain=child_id in uncertain,
                memo=memo,
                defer=True,
            )
    sort_rejections(rejected)
    account = Account(stream.received, len(accepted), tuple(rejected), unknown)
    stamp = PackStamp(pack.id, pack.version, pack.content_hash)
    engine = engine_stamp(pack.calendar.tz.key)
    rank = memo.plan.rank
    built: Any = Deferred(lambda: _findings(findings, rank))  # made when first read
    return Evaluation(stamp, as_of, tuple(obligations), built, account, engine, tuple(undetermined))


def evaluate_child(
    pack: CompiledPack,
    events: list[BaseEvent],
    as_of_utc: datetime,
    obligations: list[Obligation],
    findings: list[Finding],
    exercised: Exercised | None = None,
    undetermined: list[Undetermined] | None = None,
    *,
    uncertain: bool,
    memo: _Memo | None = None,
    defer: bool = False,
) -> int:
    """One child's accepted events -> its obligations and findings (and undetermined
    checks), each in result order, appended to the lists given. ``uncertain``: the child has
    a date-only event or an unknown value (``_accept`` says which), so it takes the careful
    walk. Returns how many of its outcomes cannot be evaluated. ``memo``: what one
    evaluation works out once per pack (made here when not given). ``defer``: on the fast
    path, the child's findings are left to be made when read (``_walk``)."""
    if memo is None:
        memo = _Memo(pack)
    if not uncertain:
        # Sort keys exist for one child at a time, which keeps the peak heap low.
        fixed = _fixed_offsets(events)
        history = sorted(events, key=_AT_THEN_ID if fixed else _instant_then_id)
        _walk(pack, history, as_of_utc, obligations, findings, exercised, memo, fixed, defer=defer)
        return 0
    # Imported for the first child that needs it: many streams have none, and the careful
    # walk's module (with _tristate's) is a dozen dataclasses made at import.
    from ._uncertain import walk_uncertain

    return walk_uncertain(
        pack,
        events,
        as_of_utc,
        obligations,
        findings,
        undetermined if undetermined is not None else [],
        exercised,
    )


def sort_rejections(rejected: list[Rejection]) -> None:
    """Rejections in result order: by event id, then place, then reason."""
    rejected.sort(key=lambda r: (r.event_id or "", _place_key(r.where), r.reason))


def _place_key(where: str | None) -> tuple[str, int, str]:
    """Sorts "f.jsonl:9" before "f.jsonl:10" (and "input[9]" before "input[10]")."""
    if where is None:
        return ("", -1, "")
    head, _, number = where.removesuffix("]").rpartition("[" if where.endswith("]") else ":")
    return (head, int(number), "") if number.isdigit() else (where, -1, where)


_AT_THEN_ID = attrgetter("at", "id")
_AT_TZINFO = attrgetter("at.tzinfo")
_CHILD_AT_ID = attrgetter("child_id", "at", "id")
_TZINFO = attrgetter("tzinfo")
_SECOND = itemgetter(1)
_THIRD = itemgetter(2)


def _group(groups: defaultdict[str, list[Any]], child_ids: list[str], items: Iterable[Any]) -> None:
    """Add each of ``items`` to the list of its child (``child_ids``, in the same order),
    in order: C calls per item, no bytecode (the defaultdict makes each child's list)."""
    deque(map(list.append, map(groups.__getitem__, child_ids), items), maxlen=0)


def _comparable(times: list[datetime]) -> list[datetime]:
    """Fixed-offset ``times`` with one time zone object, so that they compare without a
    conversion per comparison: as they are when they share one, else in UTC. (Fixed-offset
    times compare as instants either way: this is for speed. Times of one offset read from
    text each have a zone object of their own, equal but not the same, and compare no
    faster than times of different offsets: they are put in UTC too.)"""
    if not times:
        return times
    first = times[0].tzinfo
    if all(map(is_, map(_TZINFO, times), repeat(first))):
        return times
    return list(map(datetime.astimezone, times, repeat(UTC)))  # no method look-up per time


def _in_walk_order(times: list[datetime], ids: list[str], ids_ascend: bool = False) -> bool:
    """Whether events with these times (fixed offsets, ``_comparable``) and (unique) ids
    come in walk order: by time, then id. C-level passes over the times (no key tuples),
    then ids where times tie, unless ``ids_ascend`` says each id sorts after the one before."""
    later = islice(times, 1, None)
    if not all(map(le, times, later)):
        return False
    if ids_ascend:
        return True
    ties = compress(range(len(times) - 1), map(eq, times, islice(times, 1, None)))
    return all(ids[i] <= ids[i + 1] for i in ties)


def _fixed_offsets(events: list[BaseEvent]) -> bool:
    """Whether every event's time has a fixed UTC offset (``datetime.timezone``, as every
    time read from text has). Such times compare as instants whatever their offsets (a
    shared fixed offset compares wall clocks, which is the same thing), so they sort as
    they are, without a conversion to UTC per event. One C-level pass; fast path only
    (every event has at)."""
    return set(map(type, map(_AT_TZINFO, events))) == {timezone}


def _fixed_offset_times(times: list[datetime]) -> bool:
    """:func:`_fixed_offsets` of the times themselves."""
    return set(map(type, map(_TZINFO, times))) == {timezone}


def _instant_then_id(event: BaseEvent) -> tuple[datetime, str]:
    # Instants are compared in UTC: datetimes sharing a ZoneInfo compare by wall clock,
    # which puts a later event first in the repeated autumn hour. (Fast path: every event
    # here has at.)
    return event.at.astimezone(UTC), event.id  # type: ignore[union-attr]


def check_as_of(as_of: datetime | date) -> None:
    """``as_of`` must be an aware datetime, or a date, in the years events may have
    (docs/events.md)."""
    if not isinstance(as_of, date):
        raise InvalidAsOfError(
            f"as_of is a datetime with a UTC offset or a date, not {type(as_of).__name__}"
        )
    if isinstance(as_of, datetime) and (as_of.tzinfo is None or as_of.utcoffset() is None):
        raise InvalidAsOfError(
            "as_of needs a UTC offset, e.g. 2024-06-01T17:00:00+01:00, or is a date "
            "(2024-06-01: the end of that day)"
        )
    if not EARLIEST_YEAR <= as_of.year <= LATEST_YEAR:
        raise InvalidAsOfError(f"as_of must fall in the years {EARLIEST_YEAR} to {LATEST_YEAR}")


def as_of_instant(pack: CompiledPack, as_of: datetime | date) -> datetime:
    """``as_of`` as an instant: a date is the end of that local day in the pack's zone."""
    check_as_of(as_of)
    if isinstance(as_of, datetime):
        return as_of
    return pack.calendar.end_of_day(as_of)


_SHOWN_PLACES = 5  # places listed in a duplicate-id message (each rejection names its own)


_TYPE = attrgetter("type")
_ID = attrgetter("id")
_NO_TIME = type(None)
_FIRST = itemgetter(0)


def _columns(events: tuple[BaseEvent, ...]) -> tuple[list[dict[str, Any]] | None, list[list[Any]]]:
    """The field values of ``events`` (their ``__dict__``s) and their ids, times, unknown
    lists, types and child ids: five lists, in order. Read from each event's field values,
    one attribute read per event: a pydantic model's attribute reads each go through its
    ``__getattr__`` hook, several times the cost of a look-up in a dict. (Field values None
    and attribute reads when an event does not keep its fields so.)"""
    try:
        values = list(map(_FIELD_VALUES, events))
        return values, [list(map(itemgetter(name), values)) for name in _COLUMNS]
    except (AttributeError, KeyError):
        return None, [list(map(attrgetter(name), events)) for name in _COLUMNS]


def _accept(
    pack: CompiledPack,
    stream: EventStream,
    as_of: datetime,
    rejected: list[Rejection],
    uncertain: set[str],
    columns_out: list[Any] | None = None,
) -> list[BaseEvent]:
    """The events to evaluate; duplicates and events after ``as_of`` go to ``rejected``.

    Children with a date-only event or an unknown value are added to ``uncertain``.
    ``columns_out``: when every event is accepted, every time has a fixed offset and none
    is uncertain (the usual stream), the accepted events' child ids, times (``_comparable``),
    ids and types are appended to it (four lists, in the order of the events), then whether
    they are in walk order (``_in_walk_order``), so that the caller does not read the events
    again."""
    events = stream.events
    as_of_utc = as_of.astimezone(UTC)
    values: list[dict[str, Any]] | None = None
    giving: list[int] | None = None
    kept = of_stream(stream, events)
    if kept is not None:
        # Read by the loader while each block of events was new (_event_columns): a pass
        # over every event here would find each out of the caches. Every time has a fixed
        # offset, and whether ids ascend and any event has unknown values is known.
        ids, times, kinds = kept.ids, kept.times, kept.kinds
        child_ids, giving = kept.child_ids, kept.giving
        if not kept.ids_ascend and len(set(ids)) != len(events):
            return _without_duplicates(pack, stream, as_of, rejected, uncertain)
        if kept.unknown or not events:
            return _late_or_uncertain(pack, stream, as_of, rejected, uncertain)
        fixed, ids_ascend = True, kept.ids_ascend
    else:
        # One pass over the events (each read costs a trip to memory), then C calls on
        # columns.
        values, (ids, times, unknowns, kinds, child_ids) = _columns(events)
        if len(set(ids)) != len(events):
            return _without_duplicates(pack, stream, as_of, rejected, uncertain)
        # The usual stream, checked by one C call per event (map and any): every event
        # timed, none with unknown values; otherwise the loop of _late_or_uncertain. One
        # pass for both: a time that is None has its own type.
        kinds_of_time = set(map(type, times))
        if _NO_TIME in kinds_of_time or any(unknowns):
            return _late_or_uncertain(pack, stream, as_of, rejected, uncertain)
        fixed = kinds_of_time == {datetime} and _fixed_offset_times(times)
        ids_ascend = False
    if fixed:
        # Fixed offsets (as read from text): with one zone object (_comparable), they
        # compare with each other without a conversion per comparison, and the caller
        # groups and sorts children on them. In walk order, the last is the latest.
        comparable = _comparable(times)
        in_walk_order = _in_walk_order(comparable, ids, ids_ascend)
        latest = comparable[-1] if in_walk_order else max(comparable)
        if not latest > as_of_utc:  # aware times of two zones compare as instants
            accepted = _linked(stream, list(events), rejected, pack.calendar, kinds, values, giving)
            if columns_out is not None and len(accepted) == len(events):
                columns_out.extend((child_ids, comparable, ids, kinds, in_walk_order))
            return accepted
    elif not any(map(as_of_utc.__lt__, times)):
        # Aware datetimes with different zones compare as instants, and as_of_utc is in
        # UTC, so no event time needs converting here.
        return _linked(stream, list(events), rejected, pack.calendar, kinds, values)
    return _late_or_uncertain(pack, stream, as_of, rejected, uncertain)


def _late_or_uncertain(
    pack: CompiledPack,
    stream: EventStream,
    as_of: datetime,
    rejected: list[Rejection],
    uncertain: set[str],
) -> list[BaseEvent]:
    """``_accept`` of a stream whose ids are unique: events after ``as_of`` rejected,
    children with a date-only event or an unknown value noted."""
    events = stream.events
    as_of_utc = as_of.astimezone(UTC)
    late = []
    as_of_day: date | None = None
    for i, event in enumerate(events):
        at = event.at
        if at is None:  # date-only: kept when on or before as_of's local day
            if as_of_day is None:
                as_of_day = pack.calendar.local_date(as_of)
            if event.on > as_of_day:  # type: ignore[operator]  # on is set when at is not
                late.append(i)
            else:
                uncertain.add(event.child_id)
        elif at > as_of_utc:
            late.append(i)
        elif event.unknown:
            uncertain.add(event.child_id)
    if not late:
        return _linked(stream, list(events), rejected, pack.calendar)
    for i in late:
        event = events[i]
        rejected.append(
            Rejection(stream.where(i), event.id, "dated after as_of, so not yet evaluated")
        )
    skip = set(late)
    return _linked(
        stream, [e for i, e in enumerate(events) if i not in skip], rejected, pack.calendar
    )


def _without_duplicates(
    pack: CompiledPack,
    stream: EventStream,
    as_of: datetime,
    rejected: list[Rejection],
    uncertain: set[str],
) -> list[BaseEvent]:
    """``_accept`` of a stream where some id is given twice: every event sharing an id
    rejected (with the places of all), as well as those after ``as_of``."""
    events = stream.events
    as_of_utc = as_of.astimezone(UTC)
    counts = Counter(e.id for e in events)
    places: dict[str, list[str]] = {}
    for i, event in enumerate(events):
        where = stream.where(i) if counts[event.id] > 1 else None
        if where is not None:
            places.setdefault(event.id, []).append(where)
    as_of_day = pack.calendar.local_date(as_of)
    accepted = []
    for i, event in enumerate(events):
        at = event.at
        if counts[event.id] > 1:
            shared = places.get(event.id, [])
            listed = ", ".join(shared[:_SHOWN_PLACES])
            more = len(shared) - _SHOWN_PLACES
            listed = f" ({listed}{f' and {more} more' if more > 0 else ''})" if shared else ""
            rejected.append(
                Rejection(
                    stream.where(i),
                    event.id,
                    f"duplicate event id: {counts[event.id]} events share it{listed}, so "
                    "none of them is evaluated; give each event its own id",
                )
            )
        elif at is None:
            # A date-only event on as_of's own day may have happened by then: it is kept.
            if event.on > as_of_day:  # type: ignore[operator]  # on is set when at is not
                rejected.append(Rejection(stream.where(i), event.id, _AFTER_AS_OF))
            else:
                accepted.append(event)
                uncertain.add(event.child_id)
        elif at.astimezone(UTC) > as_of_utc:
            rejected.append(Rejection(stream.where(i), event.id, _AFTER_AS_OF))
        else:
            accepted.append(event)
            if event.unknown:
                uncertain.add(event.child_id)
    return _linked(stream, accepted, rejected, pack.calendar)


def _linked(
    stream: EventStream,
    accepted: list[BaseEvent],
    rejected: list[Rejection],
    calendar: WorkingCalendar,
    kinds: list[str] | None = None,
    values: list[dict[str, Any]] | None = None,
    giving_at: list[int] | None = None,
) -> list[BaseEvent]:
    """``accepted`` less the events whose checked links (EVENT_REFERENCES) do not hold, which
    go to ``rejected``: a link names an accepted event of the same child, of the type the
    field names, no later than the event itself. ``kinds``: the events' types, when known;
    ``values``: their field values (``_columns``), when known; ``giving_at``: the positions
    in ``accepted`` of the events that give a link, in order, when known (the loader's
    columns, _event_columns)."""
    if giving_at is not None:
        if not giving_at:
            return accepted
        linking = list(map(accepted.__getitem__, giving_at))
    else:
        if kinds is None:
            kinds = list(map(_TYPE, accepted))
        present = _LINKS.keys() & set(kinds)
        if not present:
            return accepted  # no event of a type with links (C calls only)
        # The events that give a link, by C calls per event: of each linking type present,
        # those with the field set.
        giving: set[int] = set()
        for kind in present:
            chosen = list(map(eq, kinds, repeat(kind)))
            of_kind = list(compress(accepted, chosen))
            of_values = list(compress(values, chosen)) if values else None
            for name, _target in _LINKS[kind]:
                named = (
                    map(dict.get, of_values, repeat(name))
                    if of_values is not None
                    else map(attrgetter(name), of_kind)
                )
                giving.update(map(id, compress(of_kind, map(is_not, named, repeat(None)))))
        if not giving:
            return accepted
        linking = [e for e in accepted if id(e) in giving]
    by_id = {e.id: e for e in accepted}
    places = {id(e): i for i, e in enumerate(stream.events)}
    broken: set[int] = set()
    for event in linking:
        for name, target in _LINKS[event.type]:  # type: ignore[attr-defined]
            named = getattr(event, name)
            if named is None:
                continue
            problem = _link_problem(event, name, named, target, by_id.get(named), calendar)
            if problem is not None:
                broken.add(id(event))
                rejected.append(Rejection(stream.where(places[id(event)]), event.id, problem))
                break
    return [e for e in accepted if id(e) not in broken]


def _link_problem(
    event: BaseEvent,
    name: str,
    named: str,
    target: str,
    other: BaseEvent | None,
    calendar: WorkingCalendar,
) -> str | None:
    if other is None or other.child_id != event.child_id:
        return (
            f"{name} {named!r} names no event of child {event.child_id!r}; give the id of "
            f"the {target} event it refers to, or leave {name} out"
        )
    kind = other.type  # type: ignore[attr-defined]
    if kind != target:
        return f"{name} {named!r} names a {kind} event, not a {target}"
    if _after(other, event, calendar):
        return (
            f"{name} {named!r} names a {target} at {_when(other)}, after this event "
            f"({_when(event)}); it refers to an earlier one"
        )
    return None


def _after(one: BaseEvent, other: BaseEvent, calendar: WorkingCalendar) -> bool:
    """Whether ``one`` is known to come after ``other`` (by instant, or by local date where
    either has only a date)."""
    if one.at is not None and other.at is not None:
        return one.at.astimezone(UTC) > other.at.astimezone(UTC)
    return _local_day(one, calendar) > _local_day(other, calendar)


def _local_day(event: BaseEvent, calendar: WorkingCalendar) -> date:
    return calendar.local_date(event.at) if event.at is not None else event.on  # type: ignore[return-value]


def _when(event: BaseEvent) -> str:
    return event.at.isoformat() if event.at is not None else f"{event.on} (date only)"


_AFTER_AS_OF = "dated after as_of, so not yet evaluated"


def _walk(
    pack: CompiledPack,
    history: list[BaseEvent],
    as_of: datetime,
    all_obligations: list[Obligation],
    all_findings: list[Any],
    exercised: Exercised | None,
    memo: _Memo,
    fixed: bool,
    *,
    defer: bool = False,
    instants: list[datetime] | None = None,
) -> None:
    """``fixed``: every event time has a fixed offset (``_fixed_offsets``). ``defer``: the
    child's findings go to ``all_findings`` as a :class:`_ChildFindings`, made when read.
    ``instants``: the events' times with fixed offsets in one zone (``_comparable``: UTC on
    a stream of mixed offsets), as ``_accept`` made them; the walk compares instants and
    finds local times on them (see ``_Memo.local``). None: the events' own times."""
    findings: list[Finding] = []  # check findings; lateness findings come from obligations
    plan = memo.plan
    steps = plan.steps
    calendar = pack.calendar
    tz = calendar.tz
    case = CaseState()
    opened: list[_Open] = []
    waiting: dict[str, list[_Waiting]] = {}
    tallies: dict[int, _Tally] = {}
    chosen: dict[int, BaseEvent] = {}  # due_from anchors: the event each counts from now
    past = _Past(history)
    # Obligations are opened in walk order: by trigger time, then event id, then rule. That
    # is result order (trigger time, then rule, then id) unless an obligation counts from an
    # earlier event or two triggers share an instant; then they are sorted at the end.
    in_order = True
    last_trigger: BaseEvent | None = None
    last_at: datetime | None = None  # last_trigger's instant
    # Local times from instants: tz.fromutc of the UTC wall time, which is what
    # datetime.astimezone does after its own method calls (about half its cost).
    converting = instants is not None
    fromutc = tz.fromutc
    origin = memo.origin
    timed = zip(history, instants if instants is not None else repeat(None), strict=False)
    for event, instant in timed:
        # The event's fields from its __dict__, read once: each attribute read on a pydantic
        # model costs a few hundred instructions (BaseModel's __getattr__ gives every model
        # class CPython's generic attribute hook, which the interpreter cannot specialise;
        # __getattr__ itself is never reached), a dict look-up a few dozen.
        values = event.__dict__
        step = steps.get(values["type"])
        if step is None:
            continue  # no rule, fact, waiting obligation, clock or look-back needs this type
        kind, fold, waited, rules, anchors, kept = step
        if fold is not None:
            fold(case, event)
        if waited:
            items = waiting.get(kind)
            if items:
                waiting[kind] = _settle(items, kind, event, case, instant)
        day: date | None = None  # the event's local date, once a result needs it
        here: datetime | None = None  # the event's time in the pack's zone, likewise
        for rule in rules:
            compiled = rule.compiled
            if rule.count is not None:
                # _fires, inlined where the count has no window ('within'): the walk's
                # commonest count (a call per rule and event saved).
                if rule.within is not None:
                    triggered_by = _fires(calendar, rule, event, values, case, tallies)
                    if triggered_by is None:
                        continue
                else:
                    tally = tallies.get(rule.tally)
                    if tally is None:
                        tally = tallies[rule.tally] = _Tally()
                    window = tally.window
                    if tally.seen is not event:  # rules that count alike share one tally
                        tally.seen = event
                        tally.ids = None
                        if rule.counts_all or rule.count.counts(event, case, None):
                            window.append((None, values["id"]))
                    if len(window) < rule.threshold:
                        tally.fired = False
                        continue
                    how = rule.repeat
                    applies = rule.always or compiled.applies(event, case, None)
                    if how == "run":
                        # The run is used up whether or not the rule applies now.
                        run = tuple(map(_SECOND, window))
                        window.clear()
                        tally.ids = None
                        if not applies:
                            continue
                        triggered_by = run
                    elif (how == "once" and tally.fired) or not applies:
                        continue
                    else:
                        tally.fired = True
                        ids = tally.ids
                        if ids is None:  # one tuple for every rule of the tally firing now
                            ids = tally.ids = tuple(map(_SECOND, window))
                        triggered_by = ids
            elif rule.always or compiled.applies(event, case, None):
                triggered_by = (values["id"],)
            else:
                continue
            rule_id = rule.rule_id
            if exercised is not None:
                exercised.add(("rule", rule_id))
            at: datetime = values["at"]  # fast path: always set
            if instant is None:
                instant = at
            if rule.expect is not None:
                if not rule.expect(event, case, None):
                    if day is None:
                        day = at.astimezone(tz).date()
                    findings.append(check_finding(pack, compiled, event, day))
                    if exercised is not None:
                        exercised.add(("finding", rule_id))
                continue
            route = rule.route  # the rule's only route, when it always applies
            if route is None:
                for candidate in compiled.routes:  # the first that applies
                    if candidate.applies(event, case, None):
                        route = candidate
                        break
            if exercised is not None and route is not None and route.name is not None:
                exercised.add(("route", rule_id, route.name))
            if route is None or route.requirement is None:
                continue
            opening = rule.opening
            if opening is not None:
                # One route that always applies, no due_from: the general path below, with
                # the statics of each deadline case worked out once per pack.
                if last_trigger is not event:
                    if last_at == instant:
                        in_order = False  # two triggers at one instant: rule comes first
                    last_trigger, last_at = event, instant
                if here is None:
                    here = fromutc(origin + (instant - _EPOCH)) if converting else at.astimezone(tz)
                if day is None:
                    day = here.date()
                due = None
                statics = opening.statics
                if statics is None:
                    _, due_case, statics, dues, span = _case_entry(opening, values, event, case)
                    if exercised is not None:
                        exercised.add(("case", rule_id, route.name or "", due_case.label))
                    if dues is not None:  # a day-based deadline: the same for the same day
                        day_due = dues.get(day)
                        if day_due is None:
                            day_due = dues[day] = _day_due(calendar, due_case, day)
                        due = day_due[0]
                    elif span is not None and converting:
                        # Elapsed hours from the instant, as calendar.due adds them in UTC
                        # (without its two conversions).
                        due = fromutc(origin + (instant - _EPOCH + span))
                    else:
                        due = calendar.due_local(due_case.kind, due_case.amount, here)
                requirement = opening.requirement
                item = _opened(statics, values, triggered_by, at, day, due)
                opened.append(item)
                for kind_ in requirement.waits_on:
                    waiting.setdefault(kind_, []).append((item, requirement, event))
                continue
            requirement = route.requirement
            clock = None
            aside = None  # the event the trigger names that a local bound set aside
            if requirement.anchor is not None:
                anchor = pack.anchors[requirement.anchor]
                clock = anchor.clock(requirement.anchor, event, case, chosen, past.by_id)
                if clock is None:
                    continue  # no earlier event to count from: the rule gives nothing
                if route.beyond is not None:
                    aside = anchor.beyond(event, past.by_id)
                if clock is event:
                    clock = None  # due_from's otherwise: counted from the trigger itself
                else:
                    triggered_by = (clock.id, *triggered_by)
            deciding = None
            if requirement.due is not None:
                start = clock or event  # the event the clock starts at
                position = 0
                for candidate_case in requirement.due.cases:  # first match
                    if candidate_case.applies(start, case, event):
                        deciding = candidate_case
                        break
                    position += 1
                else:
                    raise AssertionError("deadline tables end with an unconditional case")
                beyond = route.beyond
                if (
                    aside is not None
                    and beyond is not None
                    and (
                        not deciding.from_trigger
                        or past.set_aside_act(requirement, aside, clock, case, event)
                    )
                ):
                    # The bound decided the clock's start, or set aside the act that would
                    # have met it: the obligation says so (principle 4).
                    route = beyond
                    requirement = route.requirement or requirement  # the same, relabelled
                    deciding = requirement.due.cases[position]  # type: ignore[union-attr]
                if exercised is not None:
                    exercised.add(("case", rule_id, route.name or "", deciding.label))
            # A case that counts from the trigger (counts_from) keeps the earlier event
            # only as the start of the acts that may meet it.
            from_earlier = clock is not None and not (
                deciding is not None and deciding.from_trigger
            )
            if from_earlier:
                in_order = False
                started: datetime = clock.at  # type: ignore[union-attr,assignment]  # fast path
                local = started.astimezone(tz)
                start_day = local.date()  # the obligation runs from the earlier event
            else:
                if last_trigger is not event:
                    if last_at == instant:
                        in_order = False  # two triggers at one instant: rule comes first
                    last_trigger, last_at = event, instant
                if here is None:  # once per event, however many of its rules give one
                    here = fromutc(origin + (instant - _EPOCH)) if converting else at.astimezone(tz)
                started = at
                local = here
                if day is None:
                    day = local.date()
                start_day = day
            due = calendar.due_local(deciding.kind, deciding.amount, local) if deciding else None
            item = _opened(
                plan.statics(pack, compiled, route, deciding, clock is not None),
                values,
                triggered_by,
                started,
                start_day,
                due,
            )
            opened.append(item)
            waiting_on = requirement.waits_on
            if clock is not None:
                # The obligation runs from the earlier event: its own trigger may settle it,
                # or else an act since that event.
                own: _Waiting = (item, requirement, event)
                met = _settle([own], kind, event, case, instant if converting else None)
                if not met or past.meets(own, clock, case):
                    waiting_on = frozenset()
            for kind_ in waiting_on:
                waiting.setdefault(kind_, []).append((item, requirement, event))
        for index in anchors:
            # After the rules: an event is never the earlier event of its own obligations.
            pack.anchors[index].follow(index, event, kind, case, chosen)
        if kept:
            past.keep(event, kind)
    lates: list[Obligation] = []
    obligations = _close(opened, as_of, memo, fixed, tz, lates)
    if not in_order:
        obligations.sort(key=_obligation_order(plan.rank, fixed))
    all_obligations.extend(obligations)
    if findings or lates:
        if defer:  # made when the evaluation's findings are first read (_findings)
            all_findings.append(_ChildFindings(findings, lates))
        else:
            all_findings.extend(_child_findings(findings, lates, plan.rank, _Texts()))


class _LeanTally(list[str]):
    """A count's tally on the lean walk (no window, so no times kept): the ids counted, in
    order (the list itself, made without an ``__init__`` call in Python); whether a 'once'
    rule has fired; the ids as a tuple once made for this event."""

    __slots__ = ("fired", "run")

    fired: bool
    run: tuple[str, ...] | None


class _LeanRule(NamedTuple):
    """A rule as the lean walk applies it: its condition (None when it has no 'where'),
    its count's tally key (None without a count), threshold and repeat, how it opens its
    obligation (``opening``, and of it what is read per obligation: ``statics``, ``reads``,
    ``decided``), and the event types that obligation waits on: those any event of meets it
    (``met_by_any``: it waits there as (obligation, its deadline in UTC or None)), and
    the others (``tested_by``: as _Waiting, for _settle). The lean steps keep it as a plain
    tuple (see _Static)."""

    applies: Predicate | None
    tally: int | None
    threshold: int
    repeat: str
    opening: _Opening
    statics: _Static | None
    reads: Callable[[dict[str, Any]], Any] | None
    decided: dict[Any, _Entry]
    met_by_any: tuple[str, ...]
    tested_by: tuple[str, ...]


# One lean step per event type: (type, its fold or None, how an obligation waiting on it is
# settled (None: nothing waits on it; True: every event of the type meets every obligation
# waiting on it; False: _settle), the tallies it moves as (key, count condition or None for
# every event), its rules, and the threshold below which none of its rules can fire (0: no
# such gate)).
_LeanStep = tuple[
    str,
    Callable[[CaseState, Any], None] | None,
    bool | None,
    tuple[tuple[int, Any], ...],  # (key, a Predicate or None)
    tuple[tuple[Any, ...], ...],  # each a _LeanRule as a plain tuple
    int,
]


def _lean_steps(
    plans: dict[str, list[_RulePlan]],
    steps: dict[str, _Step],
    pack: CompiledPack,
) -> dict[str, _LeanStep] | None:
    """The lean walk's steps for a pack whose every rule is in its subset, else None (the
    general walk). The subset: a rule with one route that always applies and no due_from
    (``_Opening``), no expect, a count only without a window ('within'); no due_from
    anchors or look-back in the pack. What it leaves out is what such rules never need:
    routes, windows, anchors, check findings; coverage (``evaluate_exercising``) takes the
    general walk."""
    if pack.anchors_by_event or pack.lookback:
        return None
    for rules in plans.values():
        for rule in rules:
            if rule.opening is None or rule.expect is not None or rule.within is not None:
                return None
            if rule.count is not None and rule.repeat not in ("every", "once", "run"):
                return None
    requirements = [r.opening.requirement for rs in plans.values() for r in rs if r.opening]
    # Every obligation waiting on a type is met by any event of it when each requirement
    # waiting on it has a 'satisfied_by' of this type with no 'where' (meeting is tried
    # before cancelling, so cancels never come into it).
    met_by_any = {
        kind
        for kind, (_, _fold, waited, _plans, _anchors, _kept) in steps.items()
        if waited
        and all(
            any(where in _ALWAYS for where in req.meets.get(kind, ()))
            for req in requirements
            if kind in req.waits_on
        )
    }
    lean_rules: dict[str, list[_LeanRule]] = {}
    for kind, rules in plans.items():
        for rule in rules:
            opening = rule.opening
            assert opening is not None
            waits_on = sorted(opening.requirement.waits_on)
            lean_rules.setdefault(kind, []).append(
                _LeanRule(
                    None if rule.always else rule.compiled.applies,
                    rule.tally if rule.count is not None else None,
                    rule.threshold,
                    rule.repeat,
                    opening,
                    opening.statics,
                    opening.reads,
                    opening.decided,
                    tuple(k for k in waits_on if k in met_by_any),
                    tuple(k for k in waits_on if k not in met_by_any),
                )
            )
    lean: dict[str, _LeanStep] = {}
    for kind, (_, fold, waited, _plans, _anchors, _kept) in steps.items():
        settle = (kind in met_by_any) if waited else None
        of_kind = tuple(lean_rules.get(kind, ()))
        counting: dict[int, Predicate | None] = {}
        for lean_rule, plan_rule in zip(of_kind, plans.get(kind, ()), strict=True):
            if lean_rule.tally is not None and lean_rule.tally not in counting:
                count = plan_rule.count
                assert count is not None
                counting[lean_rule.tally] = None if plan_rule.counts_all else count.counts
        # Without a window a tally only grows (a 'run' empties its own), so while the one
        # tally every rule of the type counts on is below their lowest threshold, none fires.
        gate = 0
        tallies = {r.tally for r in of_kind}
        if of_kind and len(tallies) == 1 and None not in tallies:
            gate = min(r.threshold for r in of_kind)
        plain = tuple(map(tuple, of_kind))
        lean[kind] = (kind, fold, settle, tuple(counting.items()), plain, gate)
    return lean


_ALWAYS = (_always_applies, _always_route)


def _walk_lean(
    pack: CompiledPack,
    rows: Iterable[tuple[BaseEvent, datetime, _LeanStep | None, str]],
    as_of: datetime,
    all_obligations: list[Obligation],
    all_findings: list[Any],
    memo: _Memo,
) -> None:
    """:func:`_walk` (``fixed``, ``defer``, with instants, not exercising) of one child for a
    pack in the lean subset (``_lean_steps``): the same obligations and findings, without
    the steps its rules never take. ``rows``: the child's events in walk order, each as
    (event, its instant as _walk takes it, its type's lean step or None, its id), so that an
    event whose type needs only its id (a count) or the event itself (meeting an obligation)
    is not read: each read of an event's fields here is a trip to memory, the child's events
    lying far apart. Each obligation's status is decided as _close decides it, but in the
    walk: when it is opened (as if never settled: its deadline in UTC is at hand then) and
    again when an event meets or cancels it (the event's time and local date found once for
    all it meets), so that nothing is left to close but the class. tests/test_fast_paths.py
    holds the two walks to the same document."""
    calendar = pack.calendar
    tz = calendar.tz
    case = CaseState()
    opened: list[_Open] = []
    # By type: what waits on it, as (obligation, its deadline in UTC) where any event of the
    # type meets it (_LeanRule.met_by_any), else as _Waiting.
    waiting: defaultdict[str, list[Any]] = defaultdict(list)
    tallies: dict[int, _LeanTally] = {}
    in_order = True  # as in _walk
    last_trigger: BaseEvent | None = None
    last_at: datetime | None = None
    fromutc = tz.fromutc
    origin = memo.origin
    for event, instant, step, event_id in rows:
        if step is None:
            continue
        kind, fold, settle, counting, rules, gate = step
        if fold is not None:
            fold(case, event)
        if settle is not None:
            items = waiting.get(kind)
            if items:
                # What this event meets is decided now, as _close would decide it, its time
                # and local date found once for all it meets.
                met_at: datetime | None = None
                met_on: date | None = None
                if settle:  # entries (obligation, its deadline in UTC or None)
                    for item, due_utc in items:
                        if item.met_by is None and item.cancelled_by is None:
                            if met_at is None:
                                met_at = event.__dict__["at"]
                                met_on = fromutc(origin + (instant - _EPOCH)).date()
                            late = due_utc is not None and instant > due_utc
                            _met(item, late, event_id, met_at, met_on)
                    items.clear()  # the type's own list (none is shared): kept for reuse
                else:
                    still = _settle(items, kind, event, case, instant)
                    if len(still) < len(items):  # some may be met or cancelled now
                        for item, _, _ in items:
                            if item.cancelled_by is event:
                                item.status = "cancelled"
                                item.cancelled_by = event_id
                                item.escalation = None
                            elif item.met_by is event:
                                if met_at is None:
                                    met_at = event.__dict__["at"]
                                    met_on = fromutc(origin + (instant - _EPOCH)).date()
                                due = item.due
                                late = due is not None and instant > memo.due(due, as_of)[1]
                                _met(item, late, event_id, met_at, met_on)
                    waiting[kind] = still
        if not rules:
            continue
        tally = None
        for key, counts in counting:
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = _LeanTally()
                tally.fired = False
            tally.run = None
            if counts is None or counts(event, case, None):
                tally.append(event_id)
        if gate and len(tally) < gate:  # type: ignore[arg-type]  # a gate has one tally
            continue
        values: dict[str, Any] | None = None  # the event's fields, read once when needed
        here: Any = None  # its local time and date, with values
        day: Any = None
        for rule in rules:
            (
                applies,
                counted_in,
                threshold,
                how,
                opening,
                statics,
                reads,
                decided,
                met_by_any,
                tested_by,
            ) = rule
            if counted_in is not None:
                # As _walk's count without a window; a tally below its threshold has not
                # fired (it only grows), so 'fired' needs no reset here.
                tally = tallies[counted_in]
                if len(tally) < threshold:
                    continue
                ok = applies is None or applies(event, case, None)
                if how == "run":
                    run = tuple(tally)
                    tally.clear()
                    tally.run = None
                    if not ok:
                        continue
                    triggered_by = run
                elif (how == "once" and tally.fired) or not ok:
                    continue
                else:
                    tally.fired = True
                    run_ = tally.run
                    if run_ is None:  # one tuple for every rule of the tally firing now
                        run_ = tally.run = tuple(tally)
                    triggered_by = run_
            elif applies is None or applies(event, case, None):
                triggered_by = (event_id,)
            else:
                continue
            if last_trigger is not event:
                if last_at == instant:
                    in_order = False  # two triggers at one instant: rule comes first
                last_trigger, last_at = event, instant
            if values is None:
                values = event.__dict__  # see _walk
                here = fromutc(origin + (instant - _EPOCH))
                day = here.date()
            due = due_utc = None
            if statics is None:  # as _walk decides the deadline case
                entry = None
                if reads is not None:  # _case_entry's first look, without its call
                    try:
                        entry = decided.get(reads(values))
                    except (KeyError, TypeError):  # not a field, or unhashable: as below
                        entry = None
                if entry is None:
                    entry = _case_entry(opening, values, event, case)
                _, due_case, statics, dues, span = entry
                if dues is not None:
                    day_due = dues.get(day)
                    if day_due is None:
                        day_due = dues[day] = _day_due(calendar, due_case, day)
                    due, due_utc = day_due
                elif span is not None:
                    since = instant - _EPOCH + span  # elapsed hours, added in UTC
                    due = fromutc(origin + since)
                    due_utc = _EPOCH + since
                else:
                    due = calendar.due_local(due_case.kind, due_case.amount, here)
                    if due is not None:
                        due_utc = memo.due(due, as_of)[1]
            o = _opened(statics, values, triggered_by, values["at"], day, due)
            # Its status as _close decides it for an obligation never settled (meeting or
            # cancelling it decides it again), so that none is left to close.
            if due_utc is not None and as_of > due_utc:
                o.status = "overdue"
                escalation = o.escalation
                if escalation is not None:
                    o.escalation = memo.escalation(escalation)
            else:
                o.status = "open"
                o.escalation = None
            opened.append(o)
            if met_by_any:
                entry = (o, due_utc)
                for waited_kind in met_by_any:
                    waiting[waited_kind].append(entry)
            if tested_by:
                waited_entry = (o, opening.requirement, event)
                for waited_kind in tested_by:
                    waiting[waited_kind].append(waited_entry)
    if not opened:
        return
    # Every obligation is decided (opened, met or cancelled): filled, from now on frozen.
    lates: list[Obligation] = []
    for o in opened:
        o.__class__ = Obligation
        if o.status in _LATE:
            lates.append(o)
    if not in_order:
        opened.sort(key=_obligation_order(memo.plan.rank, True))
    all_obligations.extend(opened)
    if lates:
        all_findings.append(lates)  # no check findings: the list alone (_findings)


_LATE = frozenset(("overdue", "met_late"))  # statuses with a lateness finding


def _met(item: _Open, late: bool, event_id: str, met_at: datetime | None, met_on: Any) -> None:
    """Settle the lean walk's open obligation ``item`` as met by ``event_id`` (late or
    not), as _close would: no escalation once met."""
    item.status = "met_late" if late else "met"
    item.met_by = event_id
    item.met_at = met_at
    item.met_on = met_on
    item.escalation = None


def _obligation_order(rank: dict[str, int], fixed: bool) -> Callable[[Obligation], tuple[Any, ...]]:
    if fixed:  # triggered_at is an event's time, with a fixed offset: compares as it is

        def key(o: Obligation) -> tuple[Any, ...]:
            return (o.triggered_at, rank[o.rule], o.id)

        return key

    def key_utc(o: Obligation) -> tuple[Any, ...]:
        return (o.triggered_at.astimezone(UTC), rank[o.rule], o.id)  # type: ignore[union-attr]

    return key_utc


def _finding_order(rank: dict[str, int]) -> Callable[[Finding], tuple[Any, ...]]:
    def key(f: Finding) -> tuple[Any, ...]:
        at = f.at.astimezone(UTC)  # type: ignore[union-attr]
        return (at, rank[f.rule], f.kind, f.event or "", f.obligation or "")

    return key


class _Past:
    """One child's acts that may meet an obligation before its trigger (from its due_from
    event on), kept in walk order; and, when a due_from names its event, the child's
    events by id."""

    __slots__ = ("_by_id", "_history", "_kept")

    def __init__(self, history: list[BaseEvent]) -> None:
        self._history = history
        self._kept: dict[str, tuple[list[tuple[datetime, str]], list[BaseEvent]]] = {}
        self._by_id: dict[str, BaseEvent] | None = None

    def keep(self, event: BaseEvent, kind: str) -> None:
        keys, events = self._kept.setdefault(kind, ([], []))
        keys.append(_instant_then_id(event))
        events.append(event)

    def by_id(self) -> dict[str, BaseEvent]:
        if self._by_id is None:
            self._by_id = {e.id: e for e in self._history}
        return self._by_id

    def meets(self, entry: _Waiting, clock: BaseEvent, case: CaseState) -> bool:
        """Settle the waiting obligation ``entry`` with the first act kept since ``clock``
        that meets it (tested with the case facts now); False when there is none."""
        item, requirement, trigger = entry
        first = self._first(requirement, clock, case, trigger)
        if first is None:
            return False
        item.met_by = first
        return True

    def set_aside_act(
        self,
        requirement: CompiledRequirement,
        named: BaseEvent,
        clock: BaseEvent | None,
        case: CaseState,
        trigger: BaseEvent,
    ) -> bool:
        """Whether the first act kept since ``named`` (the event a bound set aside) that
        meets ``requirement`` comes before ``clock`` (None: the trigger), so the link, had
        it stood, would have been met by an act the obligation no longer counts."""
        first = self._first(requirement, named, case, trigger)
        if first is None:
            return False
        return clock is None or _instant_then_id(first) < _instant_then_id(clock)

    def _first(
        self,
        requirement: CompiledRequirement,
        clock: BaseEvent,
        case: CaseState,
        trigger: BaseEvent,
    ) -> BaseEvent | None:
        start = _instant_then_id(clock)
        first: BaseEvent | None = None
        for kind, wheres in requirement.meets.items():
            kept = self._kept.get(kind)
            if kept is None:
                continue
            keys, events = kept
            for k in range(bisect_right(keys, start), len(events)):
                event = events[k]
                if any(where(event, case, trigger) for where in wheres):
                    if first is None or _instant_then_id(event) < _instant_then_id(first):
                        first = event
                    break
        return first


def _fires(
    calendar: WorkingCalendar,
    rule: _RulePlan,
    event: BaseEvent,
    values: dict[str, Any],
    case: CaseState,
    tallies: dict[int, _Tally],
) -> tuple[str, ...] | None:
    """The ids of the events that trigger a count rule now, or None if it does not fire.
    ``values``: the event's ``__dict__`` (see _walk)."""
    tally = tallies.get(rule.tally)
    if tally is None:  # not setdefault: that would build a _Tally on every call
        tally = tallies[rule.tally] = _Tally()
    window = tally.window
    if tally.seen is not event:  # rules that count alike share one tally, moved once
        tally.seen = event
        tally.ids = None
        within = rule.within
        if within is None:  # no window: every counted event stays in it
            if rule.counts_all or rule.count.counts(event, case, None):  # type: ignore[union-attr]
                window.append((None, values["id"]))
        else:
            at: datetime = values["at"]  # fast path: always set
            if rule.counts_all or rule.count.counts(event, case, None):  # type: ignore[union-attr]
                due = calendar.due(within.kind, within.amount, at)
                window.append((due.astimezone(UTC) if due is not None else None, values["id"]))
            # Window ends are in UTC, so comparing them with the event's aware time compares
            # instants, whatever the event's zone.
            while window and window[0][0] is not None and window[0][0] < at:
                window.popleft()
    if len(window) < rule.threshold:
        tally.fired = False
        return None
    repeat = rule.repeat
    applies = rule.always or rule.compiled.applies(event, case, None)
    if repeat == "run":
        # The run is complete: its events are used up whether or not the rule applies now,
        # so the next firing needs a whole new run.
        run = tuple(map(_SECOND, window))
        window.clear()
        tally.ids = None
        return run if applies else None
    if (repeat == "once" and tally.fired) or not applies:
        return None
    tally.fired = True
    ids = tally.ids
    if ids is None:  # one tuple for every rule of a shared tally that fires on this event
        ids = tally.ids = tuple(map(_SECOND, window))
    return ids


def _settle(
    items: list[_Waiting],
    kind: str,
    event: BaseEvent,
    case: CaseState,
    instant: datetime | None = None,
) -> list[_Waiting]:
    """Meet or cancel what ``event`` (of type ``kind``) settles; keep what still waits.
    ``instant``: the event's instant in the walk's zone (``_walk``), kept in ``met_at``
    until the obligation is closed; None where the walk has none."""
    still: list[_Waiting] = []
    for entry in items:
        item, req, trigger = entry
        if item.met_by is not None or item.cancelled_by is not None:
            continue  # settled through another of the event types it waited on
        # Loops, not any() over a generator: this runs for every waiting obligation.
        for where in req.meets.get(kind, ()):
            if where(event, case, trigger):
                item.met_by = event
                item.met_at = instant
                break
        else:
            for where in req.cancels.get(kind, ()):
                if where(event, case, trigger):
                    item.cancelled_by = event
                    break
            else:
                still.append(entry)
    return still


class _RulePlan:
    """A rule as the walk applies it, with what can be decided once per pack."""

    __slots__ = (
        "always",
        "compiled",
        "count",
        "counts_all",
        "expect",
        "opening",
        "repeat",
        "route",
        "rule_id",
        "tally",
        "threshold",
        "within",
    )

    def __init__(self, compiled: CompiledRule, tally: int) -> None:
        self.compiled = compiled
        self.rule_id = compiled.rule.id
        self.always = compiled.applies is _always_applies  # a 'when' with no 'where'
        self.count = compiled.count
        spec = compiled.count.spec if compiled.count is not None else None
        self.threshold = spec.threshold if spec is not None else 0
        self.repeat = spec.repeat if spec is not None else ""
        self.within = spec.within if spec is not None else None
        # A count with no 'where': every event of its type counts.
        self.counts_all = compiled.count is not None and compiled.count.counts is _always_applies
        self.tally = tally  # the key of its count's tally, shared by rules that count alike
        self.expect = compiled.expect
        routes = compiled.routes
        only = routes[0] if len(routes) == 1 else None
        # A rule with 'require' has one route that always applies.
        self.route = only if only is not None and only.applies is _always_route else None
        self.opening: _Opening | None = None  # set by _Plan where the rule has one


# A day-based deadline as _Opening keeps it: the deadline, and it in UTC (_day_due).
_DayDue = tuple[datetime, datetime]

# A deadline case as _Opening keeps it: (applies, the case, its statics, for a day-based case
# its deadlines by local date (made once per pack and date; else None), and for an elapsed
# hours case its length (else None)).
_Entry = tuple[Predicate, DueCase, "_Static", dict[date, _DayDue] | None, timedelta | None]

# Combinations of field values whose deadline case an _Opening keeps at most: the fields
# are the trigger's flags and categories, few values each; a table testing a free-text
# field would otherwise grow with every value seen while the pack lives.
_DECIDED_MAX = 4096


class _Opening(NamedTuple):
    """How a rule with one route that always applies and no due_from opens its obligation,
    worked out once per pack: the walk's general path, with the statics of each deadline
    case (``_Plan.statics``) looked up here instead of per obligation."""

    requirement: CompiledRequirement
    statics: _Static | None  # without a deadline
    # The deadline cases in order (first match).
    table: tuple[_Entry, ...]
    # When every case's condition is a function of the trigger's own field values alone
    # (EVENT_FIELDS_READ): those values, read from its __dict__ by one C call, and the case
    # each combination of them chose (first match, decided once). None otherwise.
    reads: Callable[[dict[str, Any]], Any] | None
    decided: dict[Any, _Entry]


def _case_entry(
    opening: _Opening, values: dict[str, Any], event: BaseEvent, case: CaseState
) -> _Entry:
    """The deadline case ``event`` (the trigger; ``values``: its ``__dict__``) falls in,
    first match, remembered per combination of the field values it reads
    (``_Opening.reads``) while the table of such combinations is small."""
    reads = opening.reads
    key = None
    if reads is not None:
        try:
            key = reads(values)
            entry = opening.decided.get(key)
        except (KeyError, TypeError):  # not a field here, or unhashable
            reads = None
        else:
            if entry is not None:
                return entry
    for entry in opening.table:  # first match
        if entry[0](event, case, event):
            break
    else:
        raise AssertionError("deadline tables end with an unconditional case")
    if reads is not None and len(opening.decided) < _DECIDED_MAX:
        opening.decided[key] = entry
    return entry


def _dues(case: DueCase) -> dict[date, _DayDue] | None:
    """Where a day-based case keeps its deadlines by local date, for as long as the pack
    lives: at most one per date in the years events may have. None for another kind."""
    return {} if case.kind in _DAY_KINDS else None


def _day_due(calendar: WorkingCalendar, case: DueCase, day: date) -> _DayDue:
    """The deadline of a day-based ``case`` triggered on local ``day``, and it in UTC (the
    lean walk compares instants with it: _walk_lean)."""
    deadline = _day_deadline(calendar, case.kind, case.amount, day)
    return deadline, deadline.astimezone(UTC)


def _opening(plan: _Plan, pack: CompiledPack, rule: _RulePlan) -> _Opening | None:
    route = rule.route
    if rule.expect is not None or route is None or route.requirement is None:
        return None
    requirement = route.requirement
    if requirement.anchor is not None:
        return None  # due_from: the general path
    compiled = rule.compiled
    if requirement.due is None:
        statics = plan.statics(pack, compiled, route, None, False)
        return _Opening(requirement, statics, (), None, {})
    table = tuple(
        (
            case.applies,
            case,
            plan.statics(pack, compiled, route, case, False),
            _dues(case),
            timedelta(hours=case.amount) if case.kind == "hours" else None,
        )
        for case in requirement.due.cases
    )
    read: set[str] = set()
    for case in requirement.due.cases:
        names = EVENT_FIELDS_READ.get(case.applies)
        if names is None:
            return _Opening(requirement, None, table, None, {})
        read |= names
    # Read in a fixed order; a table that reads no field decides by a constant key.
    reads: Callable[[dict[str, Any]], Any] = itemgetter(*sorted(read)) if read else type
    return _Opening(requirement, None, table, reads, {})


# One walk step per event type: (type, how it changes the case facts or None, whether an
# obligation may wait on it, its rules, the due_from anchors it moves, whether an earlier
# clock may look back at it). Types that need none of these have no step.
_Step = tuple[
    str,
    Callable[[CaseState, Any], None] | None,
    bool,
    tuple[_RulePlan, ...],
    tuple[int, ...],
    bool,
]


class _Plan:
    """What the walk works out once per pack (kept while the pack lives): each event
    type's step, each rule's rank (result order), and the fields an obligation takes
    from its rule, route and deciding case alone. Holds no reference to the pack."""

    __slots__ = ("__weakref__", "_escalations", "_statics", "lean", "rank", "steps")

    def __init__(self, pack: CompiledPack) -> None:
        self.rank = {c.rule.id: c.position for c in pack.rules}
        tallies: dict[tuple[str, str], int] = {}
        plans: dict[str, list[_RulePlan]] = {}
        for compiled in pack.rules:
            count = compiled.count
            tally = compiled.position
            if count is not None and count.spec.repeat == "every":
                # 'every' leaves nothing in the tally that depends on the rule itself, so
                # rules counting the same events alike count them once.
                key = (compiled.rule.when.event, count.spec.model_dump_json())
                tally = tallies.setdefault(key, compiled.position)
            plans.setdefault(compiled.rule.when.event, []).append(_RulePlan(compiled, tally))
        waited = {
            kind
            for compiled in pack.rules
            for route in compiled.routes
            if route.requirement is not None
            for kind in route.requirement.waits_on
        }
        anchors_by_event = pack.anchors_by_event
        lookback = pack.lookback
        # Only the folds that change facts the pack's conditions name (and the folds those
        # read): a fact nothing reads need not be kept up to date on this walk. (The careful
        # walk, _uncertain, makes every fold.)
        folds = {kind: FOLD_BY_TYPE[kind] for kind in folds_needed(pack._case_facts)}
        kinds = plans.keys() | waited | anchors_by_event.keys() | lookback | folds.keys()
        self.steps: dict[str, _Step] = {
            kind: (
                kind,
                folds.get(kind),
                kind in waited,
                tuple(plans.get(kind, ())),
                tuple(anchors_by_event.get(kind, ())),
                kind in lookback,
            )
            for kind in kinds
        }
        self._statics: dict[tuple[int, int, bool], _Static] = {}
        self._escalations: dict[int, Escalation] = {}
        for rules in plans.values():
            for rule in rules:
                rule.opening = _opening(self, pack, rule)
        # The lean walk's steps when every rule is in its subset (_lean_steps), else None.
        self.lean = _lean_steps(plans, self.steps, pack)

    def statics(
        self,
        pack: CompiledPack,
        compiled: CompiledRule,
        route: CompiledRoute,
        deciding: DueCase | None,
        clocked: bool,
    ) -> _Static:
        # Routes and cases belong to one rule each, and live as long as the pack (the key).
        key = (id(route), id(deciding), clocked)
        found = self._statics.get(key)
        if found is None:
            found = self._statics[key] = _static(pack, compiled, route, deciding, clocked)
        return found

    def escalation(self, pack: CompiledPack, spec: EscalationSpec) -> Escalation:
        """The escalation of an overdue obligation (``escalation_of``), made once."""
        found = self._escalations.get(id(spec))
        if found is None:
            found = self._escalations[id(spec)] = escalation_of(pack, spec)
        return found


_PLANS: weakref.WeakKeyDictionary[CompiledPack, _Plan] = weakref.WeakKeyDictionary()


# The start of 1970 in UTC: an instant in UTC less this is a timedelta with no offsets.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _Memo:
    """What one evaluation works out once, not once per child or result: the pack's
    plan, escalations, each deadline's instant in UTC and whether as_of is past it
    (``due``), and ``origin``, the start of 1970 in the pack's zone: ``tz.fromutc(origin +
    (instant - _EPOCH))`` is ``instant.astimezone(tz)`` for an instant in UTC."""

    __slots__ = ("_pack", "dues", "origin", "plan")

    def __init__(self, pack: CompiledPack) -> None:
        self._pack = pack
        plan = _PLANS.get(pack)
        if plan is None:
            plan = _PLANS[pack] = _Plan(pack)
        self.plan = plan
        self.origin = datetime(1970, 1, 1, tzinfo=pack.calendar.tz)
        # id of a deadline -> (the deadline, it in UTC, whether as_of is after it). Day-based
        # deadlines are shared objects (one per case and date), so each is compared once.
        self.dues: dict[int, tuple[datetime, datetime, bool]] = {}

    def due(self, due: datetime, as_of: datetime) -> tuple[datetime, datetime, bool]:
        """(``due``, it in UTC, whether ``as_of`` comes after it), kept in ``dues`` by the
        deadline's id (the entry holds the deadline, so the id is not reused meanwhile)."""
        origin = self.origin
        zone = origin.tzinfo
        if due.tzinfo is zone:  # as astimezone(UTC) does, without its method calls by name
            in_utc = _EPOCH + (due - origin) - zone.utcoffset(due)  # type: ignore[union-attr,operator]
        else:
            in_utc = due.astimezone(UTC)
        known = self.dues[id(due)] = (due, in_utc, as_of > in_utc)
        return known

    def escalation(self, spec: EscalationSpec) -> Escalation:
        return self.plan.escalation(self._pack, spec)


# What an obligation takes from its rule, route and deciding case alone, made once per pack
# (_Plan.statics), in the order _opened unpacks it: rule id, action, route, strength,
# responsible, copied_in, due_basis, due_case, basis, parameter, citation, the escalation spec
# (for an overdue obligation), and its id less its trigger's id ("rule_id/"). A plain tuple:
# the interpreter unpacks an exact tuple by a specialised instruction, a NamedTuple by
# iterating it (about 40 instructions a field, per obligation).
_Static = tuple[
    str, str, str | None, Any, str, tuple[str, ...], str, str | None, Any, str | None, Any, Any, str
]


def _static(
    pack: CompiledPack,
    compiled: CompiledRule,
    route: CompiledRoute,
    deciding: DueCase | None,
    clocked: bool,
) -> _Static:
    req = route.requirement
    assert req is not None  # obligations come from routes with a requirement
    spec = req.spec
    citation = (deciding.citation if deciding else None) or route.citation
    strength = (deciding.strength if deciding else None) or route.strength
    due = req.due
    basis = due.basis if due is not None else "source"
    return (
        compiled.rule.id,
        spec.action,
        route.name,
        strength,
        spec.responsible,
        tuple(spec.copied_in),
        (deciding.basis if clocked else deciding.own_basis) if deciding else NO_TIMESCALE,
        deciding.label if deciding and due and len(due.cases) > 1 else None,
        basis,
        due.parameter if due is not None else None,
        cite(citation, pack.source_files),
        spec.escalation,
        f"{compiled.rule.id}/",
    )


def _opened(
    statics: _Static,
    trigger: dict[str, Any],
    triggered_by: tuple[str, ...],
    triggered_at: datetime,
    triggered_on: date,
    due: datetime | None,
) -> _Open:
    """The obligation the trigger opens (``trigger``: its event's ``__dict__``), every field
    set but those :func:`_close` fills (``_Open``): ``Obligation(...)`` without the frozen
    dataclass's per-field ``object.__setattr__`` (``_result.new_obligation``)."""
    (
        rule_id,
        action,
        route,
        strength,
        responsible,
        copied_in,
        due_basis,
        due_case,
        basis,
        parameter,
        citation,
        escalation,
        id_prefix,
    ) = statics
    o: Any = ObligationShell()
    o.id = id_prefix + trigger["id"]  # one concatenation, cheaper than an f-string
    o.rule = rule_id
    o.action = action
    o.route = route
    o.strength = strength
    o.responsible = responsible
    o.copied_in = copied_in
    o.child_id = trigger["child_id"]
    o.triggered_by = triggered_by
    o.triggered_at = triggered_at
    o.triggered_on = triggered_on
    o.due = due
    o.due_basis = due_basis
    o.due_case = due_case
    o.basis = basis
    o.parameter = parameter
    o.met_by = None  # the event, until closed
    o.met_at = None
    o.met_on = None
    o.cancelled_by = None  # the event, until closed
    o.escalation = escalation  # the spec, until closed
    o.citation = citation
    o.missing = ()
    o.reason = None
    return o


def _close(
    opened: list[_Open],
    as_of: datetime,
    memo: _Memo,
    fixed: bool,
    tz: tzinfo,
    lates: list[Obligation],
) -> list[Obligation]:
    """The child's opened obligations as Obligations, their status decided at ``as_of``;
    overdue and late ones are also added to ``lates``, whose findings ``_lateness`` makes
    (what ``_outcome.lateness_finding`` makes: tests/test_fast_paths.py checks the fast
    walk's lateness findings against it)."""
    # as_of is in UTC here; instants are compared in UTC (see evaluate). The careful walk
    # builds the same Obligation with _outcome.obligation. Datetimes with different tzinfo
    # objects compare through a method call on each zone: each deadline is put in UTC once
    # (memo.due), and the walk's instants (met_at until closed) are in UTC already on the
    # usual stream, so most comparisons here are between two UTC datetimes.
    status: Status
    fromutc = tz.fromutc
    origin = memo.origin
    dues = memo.dues
    for o in opened:
        met_by = o.met_by
        cancelled_by = o.cancelled_by
        due = o.due
        if cancelled_by is not None:
            status = "cancelled"
            o.cancelled_by = cancelled_by.id
            o.met_at = None  # the walk's instant, if any: a cancelled obligation has none
            if met_by is not None:
                o.met_by = met_by.id
        elif met_by is not None:
            met = met_by.__dict__  # read once (see _walk)
            met_at = met["at"]
            assert met_at is not None  # fast path: always set
            instant = o.met_at  # the meeting event's instant in the walk's zone, if kept
            if instant is not None:
                if due is None:
                    late = False
                else:
                    known = dues.get(id(due))
                    if known is None or known[0] is not due:
                        known = memo.due(due, as_of)
                    late = instant > known[1]
                o.met_on = fromutc(origin + (instant - _EPOCH)).date()
            else:
                # Instants are compared in UTC: datetimes sharing the pack's ZoneInfo would
                # compare by wall clock, which is wrong in the repeated autumn hour. A
                # fixed-offset met_at and a deadline in the pack's zone compare as instants.
                late = due is not None and met_at > (due if fixed else due.astimezone(UTC))
                o.met_on = met_at.astimezone(tz).date()
            status = "met_late" if late else "met"
            o.met_by = met["id"]
            o.met_at = met_at
        elif due is not None:
            known = dues.get(id(due))
            if known is None or known[0] is not due:
                known = memo.due(due, as_of)
            status = "overdue" if known[2] else "open"  # as_of is in UTC
        else:
            status = "open"
        o.status = status
        escalation = o.escalation
        if escalation is not None:
            o.escalation = memo.escalation(escalation) if status == "overdue" else None
        o.__class__ = Obligation  # filled: from now on frozen
        if status == "overdue" or status == "met_late":
            lates.append(o)
    return opened


class _ChildFindings:
    """One child's findings, to be made when the evaluation's findings are read: its check
    findings (made in the walk) and its overdue and late obligations."""

    __slots__ = ("checks", "lates")

    def __init__(self, checks: list[Finding], lates: list[Obligation]) -> None:
        self.checks = checks
        self.lates = lates


def _child_findings(
    checks: list[Finding], lates: list[Obligation], rank: dict[str, int], texts: _Texts
) -> list[Finding]:
    """A child's findings in result order: its checks and its obligations' lateness."""
    found = checks + [_lateness(o, texts) for o in lates] if lates else checks
    if len(found) > 1:
        found.sort(key=_finding_order(rank))
    return found


def _findings(parts: list[Any], rank: dict[str, int]) -> tuple[Finding, ...]:
    """The evaluation's findings from what the walks left (findings, children's
    :class:`_ChildFindings`, and the lean walk's lists of a child's late obligations), in
    order."""
    texts = _Texts()
    found: list[Finding] = []
    for part in parts:
        kind = type(part)
        if kind is _ChildFindings:
            found.extend(_child_findings(part.checks, part.lates, rank, texts))
        elif kind is list:
            found.extend(_child_findings([], part, rank, texts))
        else:
            found.append(part)
    return tuple(found)


def _lateness(o: Obligation, texts: _Texts) -> Finding:
    """The finding of an overdue or late obligation (``_outcome.lateness_finding`` of a
    deadline known to the instant), its text shared where it can be.

    A copy of ``lateness_finding``, kept for speed: calling that makes each deadline's text
    and date again per finding (evaluate with its findings read: 5 % more instructions,
    callgrind). tests/test_fast_paths.py holds the two to the same finding."""
    due = o.due
    assert due is not None  # only an obligation with a deadline is late
    status: Any = o.status
    at: datetime | None
    on: date
    if status == "overdue":
        message, at, on = texts.overdue(o.action, o.due_basis, due)
    else:
        at, met_on = o.met_at, o.met_on
        assert at is not None  # fast path: met by an event with a time
        assert met_on is not None
        on = met_on
        met = f"at {at.isoformat(timespec='minutes')}"
        message = late_message(o.action, texts.due_text(due), o.due_basis, met)
    strength, basis = o.strength, o.basis
    return new_finding(
        o.rule,
        status,
        "should" if basis != "source" and strength == "must" else strength,  # lateness_severity
        message,
        o.child_id,
        o.met_by,
        o.id,
        at,
        on,
        o.citation,
        basis,
        o.parameter,
    )


class _Texts:
    """Deadlines as findings write them, and overdue messages, made once: day-based
    deadlines are shared objects, so they are kept by identity. Each entry holds its
    deadline, so the id cannot be reused meanwhile; equal datetimes may be written
    differently (offsets), so equality would not do."""

    __slots__ = ("_overdue", "_shown")

    def __init__(self) -> None:
        self._shown: dict[int, tuple[datetime, str]] = {}
        self._overdue: dict[tuple[int, str, str], tuple[datetime, str, date]] = {}

    def due_text(self, due: datetime) -> str:
        entry = self._shown.get(id(due))
        if entry is None or entry[0] is not due:
            entry = self._shown[id(due)] = (due, due.isoformat(timespec="minutes"))
        return entry[1]

    def overdue(self, action: str, due_basis: str, due: datetime) -> tuple[str, datetime, date]:
        """(the finding's message, its time, its local date) for an overdue obligation."""
        key = (id(due), action, due_basis)
        entry = self._overdue.get(key)
        if entry is None or entry[0] is not due:
            message = late_message(action, self.due_text(due), due_basis, None)
            entry = self._overdue[key] = (due, message, due.date())
        return entry[1], due, entry[2]
