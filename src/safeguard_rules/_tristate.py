"""Three-valued conditions, for records that leave values unknown.

A test of a value the records do not give is neither true nor false but *unknown*: a
field the record lists under ``unknown``, a case fact that rests on one
(``CaseState.unknown``), or the time of day of an event known only by its date (``on``).
``all``, ``any`` and ``not`` follow Kleene's three-valued logic: ``all`` is false as soon
as one part is false, ``any`` true as soon as one part is true, and otherwise unknown if a
part is. An unknown result carries the names of the values it rests on
(``"concern_identified.serious_harm"``), so an outcome can say what is missing.

The conditions were checked when the pack was compiled (``_conditions``); this module only
builds a second, three-valued closure for each, once per pack, on first use. Only children
whose records hold date-only events or unknown values are evaluated with them
(``_uncertain``); every other child goes through the two-valued closures, untouched.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._case import CaseState
from ._compile import CompiledPack, CompiledRule
from ._conditions import Scope, _compare, _present, recorded_test
from ._events import BaseEvent
from ._plain_pack import is_model

if TYPE_CHECKING:  # types only: a bundled pack's are plain models (_plain_pack)
    from ._pack import Condition, Due, EventMatch, Requirement

# True, False, or unknown: the (non-empty) names of the values the answer rests on.
Tri = bool | frozenset[str]
TriPredicate = Callable[[BaseEvent, CaseState, BaseEvent | None], Tri]


class _Missing:
    """A value the records do not give, and its name(s)."""

    __slots__ = ("names",)

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names


class _Range(_Missing):
    """A number the records leave between two ends (``CaseState.ranges``)."""

    __slots__ = ("high", "low")

    def __init__(self, names: frozenset[str], low: int, high: int) -> None:
        super().__init__(names)
        self.low, self.high = low, high


# Comparisons a number's two ends decide whenever they agree (monotone in the value).
_MONOTONE = frozenset({"at_least", "at_most"})


Getter = Callable[[BaseEvent, CaseState, BaseEvent | None], Any]


def _true(_ev: BaseEvent, _case: CaseState, _trig: BaseEvent | None) -> Tri:
    return True


def compile_tri(condition: Condition | None, scope: Scope) -> TriPredicate:
    """The three-valued closure of a condition that compiled without problems."""
    if condition is None:
        return _true
    if condition.all_ is not None:
        parts = [compile_tri(c, scope) for c in condition.all_]

        def every(ev: BaseEvent, case: CaseState, trig: BaseEvent | None) -> Tri:
            missing: frozenset[str] | None = None
            for part in parts:
                result = part(ev, case, trig)
                if result is False:
                    return False
                if result is not True:
                    missing = result if missing is None else missing | result
            return True if missing is None else missing

        return every
    if condition.any_ is not None:
        options = [compile_tri(c, scope) for c in condition.any_]

        def some(ev: BaseEvent, case: CaseState, trig: BaseEvent | None) -> Tri:
            missing: frozenset[str] | None = None
            for option in options:
                result = option(ev, case, trig)
                if result is True:
                    return True
                if result is not False:
                    missing = result if missing is None else missing | result
            return False if missing is None else missing

        return some
    if condition.not_ is not None:
        inner = compile_tri(condition.not_, scope)

        def negate(ev: BaseEvent, case: CaseState, trig: BaseEvent | None) -> Tri:
            result = inner(ev, case, trig)
            return (not result) if isinstance(result, bool) else result

        return negate
    return _test(condition, scope)


def _test(condition: Condition, scope: Scope) -> TriPredicate:
    op = condition.operator
    operand = condition.operand
    get = _getter(condition.field or "")
    if op == "in_office_hours":
        calendar = scope.calendar
        assert calendar is not None  # checked when the pack compiled
        want = bool(operand)

        def office(ev: BaseEvent, case: CaseState, trig: BaseEvent | None) -> Tri:
            value = get(ev, case, trig)
            if isinstance(value, _Missing):
                return value.names
            return value is not None and calendar.in_office_hours(value) is want

        return office
    if op == "recorded":
        # Two-valued even here: whether a value is recorded is always known.
        return recorded_test(condition.field or "", bool(operand))
    if op == "present":
        wanted = bool(operand)

        def present(ev: BaseEvent, case: CaseState, trig: BaseEvent | None) -> Tri:
            value = get(ev, case, trig)
            if isinstance(value, _Missing):
                return value.names
            return _present(value) is wanted

        return present
    if is_model(operand, "Ref"):
        other = _getter(operand.ref)

        def referenced(ev: BaseEvent, case: CaseState, trig: BaseEvent | None) -> Tri:
            value, expected = get(ev, case, trig), other(ev, case, trig)
            missing = frozenset[str]().union(
                *(v.names for v in (value, expected) if isinstance(v, _Missing))
            )
            if missing:
                return missing
            # As in two-valued conditions: a reference to a missing value matches nothing.
            return _present(expected) and _compare(op, value, expected)

        return referenced
    expected = frozenset(operand) if isinstance(operand, list) else operand

    def literal(ev: BaseEvent, case: CaseState, trig: BaseEvent | None) -> Tri:
        value = get(ev, case, trig)
        if isinstance(value, _Missing):
            if isinstance(value, _Range) and op in _MONOTONE:
                low = _compare(op, value.low, expected)
                if low is _compare(op, value.high, expected):
                    return low  # every value between the ends answers alike
            return value.names
        return _compare(op, value, expected)

    return literal


def _getter(path: str) -> Getter:
    head, _, rest = path.partition(".")
    if head == "case":
        fact = rest

        def case_fact(ev: BaseEvent, case: CaseState, trig: BaseEvent | None) -> Any:
            missing = case.unknown.get(fact) if case.unknown else None
            if not missing:
                return getattr(case, fact)
            bounds = case.ranges.get(fact) if case.ranges else None
            if bounds is not None and bounds[2] == missing:  # not made doubtful since
                return _Range(missing, bounds[0], bounds[1])
            return _Missing(missing)

        return case_fact
    if head == "trigger":
        of_trigger = _field(rest)
        return lambda ev, case, trig: None if trig is None else of_trigger(trig)
    if head == "event":
        path = rest
    of_event = _field(path)
    return lambda ev, case, trig: of_event(ev)


def _field(path: str) -> Callable[[BaseEvent], Any]:
    head, _, key = path.partition(".")
    if head == "attributes":

        def attribute(ev: BaseEvent) -> Any:
            if path in ev.unknown:
                return _Missing(frozenset({f"{ev.type}.{path}"}))  # type: ignore[attr-defined]
            return ev.attributes.get(key)

        return attribute
    name = head

    def value(ev: BaseEvent) -> Any:
        if name in ev.unknown or (name == "at" and ev.at is None):
            return _Missing(frozenset({f"{ev.type}.{name}"}))  # type: ignore[attr-defined]
        return getattr(ev, name)

    return value


# --- a pack's conditions, three-valued --------------------------------------------------


@dataclass(frozen=True)
class TriRequirement:
    cases: tuple[TriPredicate, ...]  # the deadline cases' conditions, in order
    meets: Mapping[str, tuple[TriPredicate, ...]]  # by event type, as CompiledRequirement
    cancels: Mapping[str, tuple[TriPredicate, ...]]


@dataclass(frozen=True)
class TriRule:
    applies: TriPredicate
    counts: TriPredicate | None
    routes: tuple[TriPredicate, ...]  # one per compiled route
    requirements: tuple[TriRequirement | None, ...]  # one per compiled route
    expect: TriPredicate | None


_CACHE: weakref.WeakKeyDictionary[CompiledPack, tuple[TriRule, ...]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def tri_rules(pack: CompiledPack) -> tuple[TriRule, ...]:
    """The three-valued closures of every rule of ``pack`` (by position), built once."""
    with _LOCK:
        found = _CACHE.get(pack)
    if found is None:
        found = tuple(_rule(pack, compiled) for compiled in pack.rules)
        with _LOCK:
            _CACHE[pack] = found
    return found


def _rule(pack: CompiledPack, compiled: CompiledRule) -> TriRule:
    rule = compiled.rule
    parties = frozenset(pack.pack.roles) | frozenset(pack.pack.agencies)

    def scope(event: str, trigger: str | None) -> Scope:
        return Scope(event, trigger, parties, pack.calendar, "")

    on_trigger = scope(rule.when.event, None)
    counts = None
    if rule.when.count is not None:
        counts = compile_tri(rule.when.count.where, on_trigger)
    routes: list[TriPredicate] = []
    requirements: list[TriRequirement | None] = []
    if rule.require is not None:
        routes.append(_true)
        requirements.append(_requirement(pack, rule.require, rule.when.event, scope))
    for route in rule.routes or ():
        routes.append(compile_tri(route.when, on_trigger))
        requirements.append(
            _requirement(pack, route.require, rule.when.event, scope)
            if route.require is not None
            else None
        )
    expect = compile_tri(rule.expect, on_trigger) if rule.expect is not None else None
    return TriRule(
        compile_tri(rule.when.where, on_trigger), counts, tuple(routes), tuple(requirements), expect
    )


def _requirement(
    pack: CompiledPack,
    req: Requirement,
    trigger: str,
    scope: Callable[[str, str | None], Scope],
) -> TriRequirement:
    due: Due | None = req.due
    if due is not None and due.parameter is not None:
        due = pack.parameters[due.parameter]
    cases: tuple[TriPredicate, ...] = (_true,)
    if due is not None and due.table is not None:
        # Under due_from the cases test the event the clock starts at, and may test the
        # trigger as 'trigger.NAME' (the careful walk only decides them where that is the
        # trigger itself).
        on_clock = (
            scope(trigger, None) if req.due_from is None else scope(req.due_from.event, trigger)
        )
        cases = tuple(compile_tri(case.when, on_clock) for case in due.table.cases)
    return TriRequirement(
        cases,
        _by_type(req.satisfied_by, trigger, scope),
        _by_type(req.cancelled_by, trigger, scope),
    )


def _by_type(
    spec: EventMatch | list[EventMatch] | None,
    trigger: str,
    scope: Callable[[str, str | None], Scope],
) -> dict[str, tuple[TriPredicate, ...]]:
    matches = [] if spec is None else [spec] if not isinstance(spec, list) else spec
    grouped: dict[str, list[TriPredicate]] = {}
    for match in matches:
        grouped.setdefault(match.event, []).append(
            compile_tri(match.where, scope(match.event, trigger))
        )
    return {kind: tuple(predicates) for kind, predicates in grouped.items()}
