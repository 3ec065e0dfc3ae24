"""Checking pack conditions against the event vocabulary, and compiling them.

A condition is data (``_pack.Condition``). Compiling checks every field path,
operator and literal against the event vocabulary and the pack's roles, collecting
problems with their paths, and turns what is valid into a plain Python closure.
Nothing from the pack is ever evaluated as code.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from ._calendar import WorkingCalendar
from ._case import CASE_FIELDS, CaseState
from ._diagnose import WRONG_TYPE
from ._errors import declare, did_you_mean, known_list
from ._field_spec import FieldSpec
from ._plain_pack import is_model
from ._vocabulary import CORE, Vocabulary

if TYPE_CHECKING:  # the event models are imported when events are read, not to compile
    from ._events import BaseEvent
    from ._pack import Condition

Predicate: TypeAlias = "Callable[[BaseEvent, CaseState, BaseEvent | None], bool]"
Getter: TypeAlias = "Callable[[BaseEvent, CaseState, BaseEvent | None], Any]"
Loc = tuple[str | int, ...]
# Where a problem is found: report(loc, code, message). Compiling goes on, so every
# problem of a pack is reported at once.
Report = Callable[[Loc, str, str], None]

UNKNOWN_FIELD = declare(
    "unknown-field", "a condition, reference or message names a field the event does not have"
)
TRIGGER_OUT_OF_PLACE = declare(
    "trigger-out-of-place",
    "'trigger.NAME' outside satisfied_by, cancelled_by and due_from deadline-table cases",
)
WRONG_OPERATOR = declare("wrong-operator", "an operator that does not apply to the field's kind")
UNKNOWN_VALUE = declare("unknown-value", "a value that is not one of the field's values")
ROLE_UNDEFINED = declare("role-undefined", "a role or agency the pack does not define")
MISSING_OFFICE_HOURS = declare(
    "missing-office-hours", "office hours are used but the calendar has no office_hours"
)


@dataclass(frozen=True)
class Unresolved:
    """Why a field path names nothing."""

    code: str
    message: str


# Fields whose values name a role or an agency: literals in conditions on them must
# be roles or agencies the pack defines, so a typo is caught at load time.
PARTY_FIELDS = frozenset(
    {
        "sender_role",
        "by_role",
        "requested_by_role",
        "chair_role",
        "to_role",
        "raised_by_role",
        "authorised_by_role",
        "requested_role",
        "to",
        "cc",
        "agencies",
        "agreed_by",
        "notified",
        "records_made_by",
        "agency",
        "initiated_by_role",
        "mode_considered_by_role",
        "notified_by_role",
        "invited",
    }
)

_OPS_BY_KIND: dict[str, frozenset[str]] = {
    "text": frozenset({"is", "is_not", "in", "not_in", "present", "recorded"}),
    "bool": frozenset({"is", "is_not", "present", "recorded"}),
    "number": frozenset(
        {"is", "is_not", "in", "not_in", "present", "at_least", "at_most", "recorded"}
    ),
    "date": frozenset({"is", "is_not", "present", "recorded"}),
    "datetime": frozenset({"present", "in_office_hours", "recorded"}),
    "text_list": frozenset(
        {"contains", "contains_any", "contains_all", "present", "count_at_least", "recorded"}
    ),
    "attributes": frozenset(),
    "any": frozenset(
        {"is", "is_not", "in", "not_in", "present", "at_least", "at_most", "recorded"}
    ),
}


@dataclass(frozen=True)
class Scope:
    """What a condition may refer to where it stands in a pack."""

    event_type: str
    trigger_type: str | None  # set where 'trigger.NAME' is meaningful
    parties: frozenset[str]
    calendar: WorkingCalendar | None
    where: str  # words for messages: "the trigger event", "the satisfying event"
    # The event types, fields and typed attributes the pack can name (core + declared).
    vocabulary: Vocabulary = CORE


# The case facts named by the conditions compiled while a pack is compiled (the compiler
# sets a set here for the length of its run): every path into CaseState goes through
# resolve_path or recorded_test, which add the fact. The fast walk folds only the events
# that change facts its pack names (_case.folds_needed).
CASE_FACTS_NAMED: ContextVar[set[str] | None] = ContextVar("case_facts_named", default=None)


def _name_case_fact(fact: str) -> None:
    named = CASE_FACTS_NAMED.get()
    if named is not None:
        named.add(fact)


def compile_condition(
    condition: Condition | None, scope: Scope, loc: Loc, report: Report
) -> Predicate:
    """A predicate for ``condition``; problems are reported, never raised."""
    if condition is None:
        return _always
    if condition.all_ is not None:
        parts = [
            compile_condition(c, scope, (*loc, "all", i), report)
            for i, c in enumerate(condition.all_)
        ]
        if len(parts) == 2:  # no generator for the usual small lists (per event)
            first, second = parts
            both = lambda ev, case, trig: first(ev, case, trig) and second(ev, case, trig)  # noqa: E731
            return _reading(both, parts)
        return _reading(lambda ev, case, trig: all(p(ev, case, trig) for p in parts), parts)
    if condition.any_ is not None:
        options = [
            compile_condition(c, scope, (*loc, "any", i), report)
            for i, c in enumerate(condition.any_)
        ]
        if len(options) == 2:
            one, other = options
            either = lambda ev, case, trig: one(ev, case, trig) or other(ev, case, trig)  # noqa: E731
            return _reading(either, options)
        return _reading(lambda ev, case, trig: any(p(ev, case, trig) for p in options), options)
    if condition.not_ is not None:
        inner = compile_condition(condition.not_, scope, (*loc, "not"), report)
        return _reading(lambda ev, case, trig: not inner(ev, case, trig), [inner])
    return _compile_test(condition, scope, loc, report)


# Predicates that are functions of the tested event's own field values alone: an 'is' test
# on a plain field of the event (not a case fact, not the trigger), any/all/not of such
# tests, and the unconditional case; each with the names of the fields it reads (the
# unconditional case none). The fast walk decides a deadline table once per combination of
# those values (_evaluate._Opening), not by a call per case and an attribute read per field.
# Held weakly: a predicate lives as long as its compiled pack.
EVENT_FIELDS_READ: weakref.WeakKeyDictionary[Callable[..., bool], frozenset[str]] = (
    weakref.WeakKeyDictionary()
)


def _reading(predicate: Predicate, parts: Sequence[Predicate]) -> Predicate:
    """``predicate``, combining ``parts``, noted in EVENT_FIELDS_READ when every part is."""
    read: frozenset[str] = frozenset()
    for part in parts:
        names = EVENT_FIELDS_READ.get(part)
        if names is None:
            return predicate
        read |= names
    EVENT_FIELDS_READ[predicate] = read
    return predicate


def _always(_ev: BaseEvent, _case: CaseState, _trig: BaseEvent | None) -> bool:
    return True


EVENT_FIELDS_READ[_always] = frozenset()


def _never(_ev: BaseEvent, _case: CaseState, _trig: BaseEvent | None) -> bool:
    return False


def resolve_path(path: str, scope: Scope) -> tuple[Getter, FieldSpec, str] | Unresolved:
    """A getter for ``path`` and its field kind, or what is wrong with it."""
    head, _, rest = path.partition(".")
    if head == "case":
        if rest not in CASE_FIELDS:
            return Unresolved(
                UNKNOWN_FIELD,
                f"unknown case fact {rest!r}{did_you_mean(rest, CASE_FIELDS)}; "
                f"case facts are: {known_list(CASE_FIELDS)}",
            )
        name = rest
        _name_case_fact(name)
        return (lambda ev, case, trig: getattr(case, name)), CASE_FIELDS[name], name
    if head == "trigger":
        if scope.trigger_type is None:
            return Unresolved(
                TRIGGER_OUT_OF_PLACE,
                "'trigger.' can only be used in 'satisfied_by' and 'cancelled_by', and in "
                "the deadline-table cases of a rule with 'due_from', where it means the "
                "event that created the obligation",
            )
        found = _event_field(rest, scope.trigger_type, "the trigger event", scope.vocabulary)
        if isinstance(found, Unresolved):
            return found
        get, spec, name = found
        return (
            (lambda ev, case, trig: get(trig, case, None) if trig is not None else None),
            spec,
            name,
        )
    if head == "event":
        return _event_field(rest, scope.event_type, scope.where, scope.vocabulary)
    return _event_field(path, scope.event_type, scope.where, scope.vocabulary)


# Event fields a condition cannot test: the type is the rule's choice, attributes are
# tested one by one, and unknown is how a record says what it lacks (docs/events.md).
_NOT_CONDITIONS = ("type", "attributes", "unknown")


def _event_field(
    path: str, event_type: str, where: str, vocabulary: Vocabulary = CORE
) -> tuple[Getter, FieldSpec, str] | Unresolved:
    fields = vocabulary.fields[event_type]
    head, _, rest = path.partition(".")
    if head == "attributes":
        if not rest or "." in rest:
            return Unresolved(UNKNOWN_FIELD, "write attributes as 'attributes.NAME'")
        key = rest
        declared = vocabulary.attributes.get(event_type, {})
        if key not in declared:
            # A pack names only the attributes it declares, so a misspelt one is caught here.
            listed = f"declared: {known_list(declared)}" if declared else "none is declared"
            return Unresolved(
                UNKNOWN_FIELD,
                f"attribute {key!r} of {event_type!r} ({where}) is not declared"
                f"{did_you_mean(key, declared)}; declare it with its type under "
                f"vocabulary.attributes.{event_type} ({listed})",
            )
        return (lambda ev, case, trig: ev.attributes.get(key)), declared[key], path
    if rest or head not in fields or head in _NOT_CONDITIONS:
        known = [f for f in fields if f not in _NOT_CONDITIONS]
        return Unresolved(
            UNKNOWN_FIELD,
            f"{event_type!r} ({where}) has no field {path!r}{did_you_mean(path, known)}; "
            f"its fields are: {known_list(known, 30)}, attributes.NAME, case.NAME",
        )
    name = head
    return (lambda ev, case, trig: getattr(ev, name)), fields[name], name


def _compile_test(condition: Condition, scope: Scope, loc: Loc, report: Report) -> Predicate:
    path = condition.field or ""
    op = condition.operator
    operand = condition.operand
    found = resolve_path(path, scope)
    if isinstance(found, Unresolved):
        report((*loc, "field"), found.code, found.message)
        return _never
    get, spec, name = found
    kind = spec.kind
    allowed = _OPS_BY_KIND[kind]
    if op not in allowed:
        hint = (
            " (it is a list: use contains, contains_any or contains_all)"
            if kind == "text_list"
            else ""
        )
        report(
            (*loc, op),
            WRONG_OPERATOR,
            f"operator {op!r} does not apply to {path!r}, a {kind} "
            f"field{hint}; use one of: {', '.join(sorted(allowed)) or 'none'}",
        )
        return _never

    value_getter: Getter | None = None
    if is_model(operand, "Ref"):
        ref = resolve_path(operand.ref, scope)
        if isinstance(ref, Unresolved):
            report((*loc, op, "ref"), ref.code, ref.message)
            return _never
        value_getter = ref[0]
    else:
        _check_literals(op, operand, spec, name, scope, (*loc, op), report)

    if op == "recorded":
        return recorded_test(path, bool(operand))
    if op == "in_office_hours":
        calendar = scope.calendar
        if calendar is None or calendar.office_start is None:
            report(
                (*loc, op),
                MISSING_OFFICE_HOURS,
                "in_office_hours needs 'calendar.office_hours' in the pack",
            )
            return _never
        want = bool(operand)
        return lambda ev, case, trig: calendar.in_office_hours(get(ev, case, trig)) is want
    if op == "is" and value_getter is None and not isinstance(operand, list):
        # The commonest test, on a plain field or fact: one lookup, no getter call.
        plain = _plain_attribute(path)
        if plain is not None:
            on_case, attribute = plain
            if on_case:
                return lambda ev, case, trig: bool(getattr(case, attribute) == operand)
            test = lambda ev, case, trig: bool(getattr(ev, attribute) == operand)  # noqa: E731
            EVENT_FIELDS_READ[test] = frozenset((attribute,))
            return test
    return _operator(op, get, operand, value_getter)


def recorded_test(path: str, want: bool) -> Predicate:
    """``recorded``: whether the records give the value at ``path`` (checked already). Two
    valued, in both walks: a value listed under unknown (a concern flag left out is listed
    there when the event is read), a case fact resting on one, or the time of a date-only
    event is not recorded; every other value is, null or not."""
    head, _, rest = path.partition(".")
    if head == "case":
        fact = rest
        _name_case_fact(fact)
        return lambda ev, case, trig: (not (case.unknown and case.unknown.get(fact))) is want
    if head == "trigger":
        of_trigger = _recorded_in(rest)
        return lambda ev, case, trig: (trig is not None and of_trigger(trig)) is want
    of_event = _recorded_in(rest if head == "event" else path)
    return lambda ev, case, trig: of_event(ev) is want


def _recorded_in(path: str) -> Callable[[BaseEvent], bool]:
    if path == "at":
        return lambda ev: ev.at is not None
    return lambda ev: path not in ev.unknown


def _plain_attribute(path: str) -> tuple[bool, str] | None:
    """(whether it is a case fact, its attribute) for a resolved path naming a case fact
    or a field of the event itself; None for the trigger's fields and attributes."""
    head, _, rest = path.partition(".")
    if head == "case":
        return True, rest
    name = rest if head == "event" else path
    if "." in name or name in ("attributes", "trigger"):
        return None
    return False, name


def _operator(op: str, get: Getter, operand: Any, value_getter: Getter | None) -> Predicate:
    if op == "present":
        want = bool(operand)
        return lambda ev, case, trig: _present(get(ev, case, trig)) is want
    if value_getter is not None:
        dynamic = value_getter

        def referenced(ev: BaseEvent, case: CaseState, trig: BaseEvent | None) -> bool:
            # A reference to a missing value matches nothing: two events that both lack
            # a request id are not thereby about the same request.
            expected = dynamic(ev, case, trig)
            return _present(expected) and _compare(op, get(ev, case, trig), expected)

        return referenced
    # Literal operands: lists become sets once, here, and each operator gets its own
    # closure, so the per-event work is one lookup and one comparison.
    expected = frozenset(operand) if isinstance(operand, list) else operand
    if op == "is":
        return lambda ev, case, trig: bool(get(ev, case, trig) == expected)
    if op == "in":
        return lambda ev, case, trig: get(ev, case, trig) in expected
    if op == "contains":
        return lambda ev, case, trig: expected in (get(ev, case, trig) or ())
    if op == "contains_any":
        return lambda ev, case, trig: not expected.isdisjoint(get(ev, case, trig) or ())
    if op == "contains_all":
        return lambda ev, case, trig: expected.issubset(get(ev, case, trig) or ())
    return lambda ev, case, trig: _compare(op, get(ev, case, trig), expected)


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "is":
        return bool(actual == expected)
    if op == "is_not":
        return bool(actual != expected)
    if op == "in":
        return actual in _as_set(expected)
    if op == "not_in":
        return actual not in _as_set(expected)
    if op == "contains":
        return expected in (actual or ())
    if op == "contains_any":
        return not _as_set(expected).isdisjoint(actual or ())
    if op == "contains_all":
        return _as_set(expected).issubset(actual or ())
    if op == "at_least":
        return bool(_number(actual) >= expected)
    if op == "at_most":
        return bool(_number(actual) <= expected)
    if op == "count_at_least":
        return bool(len(actual or ()) >= expected)
    raise AssertionError(f"operator {op!r} has no implementation")  # guarded by _OPS_BY_KIND


def _as_set(value: Any) -> frozenset[Any]:
    if isinstance(value, frozenset):
        return value
    if isinstance(value, list | tuple | set):
        return frozenset(value)
    return frozenset() if value is None else frozenset((value,))


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != ()


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return float("nan")  # comparisons with NaN are false: a missing number never passes
    return float(value)


def _check_literals(
    op: str, operand: Any, spec: FieldSpec, name: str, scope: Scope, loc: Loc, report: Report
) -> None:
    values: Sequence[Any] = operand if isinstance(operand, list) else [operand]
    if op in ("present", "in_office_hours", "recorded"):
        return
    if op == "count_at_least":
        if isinstance(operand, bool) or not isinstance(operand, int):
            report(loc, WRONG_TYPE, "count_at_least takes a whole number")
        return
    if op in ("at_least", "at_most") or spec.kind == "number":
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int | float):
                report(loc, WRONG_TYPE, f"{name!r} is a number; write a number, not {v!r}")
        return
    if spec.kind == "bool":
        for v in values:
            if not isinstance(v, bool):
                report(
                    loc, WRONG_TYPE, f"{name!r} is true or false; write true or false, not {v!r}"
                )
        return
    for i, v in enumerate(values):
        spot = (*loc, i) if isinstance(operand, list) else loc
        if not isinstance(v, str):
            report(spot, WRONG_TYPE, f"{name!r} holds text; quote the value {v!r}")
        elif spec.choices is not None and v not in spec.choices:
            report(
                spot,
                UNKNOWN_VALUE,
                f"{v!r} is not a value of {name!r}{did_you_mean(v, spec.choices)}; "
                f"values are: {known_list(spec.choices, 20)}",
            )
        elif name in PARTY_FIELDS and scope.parties and v not in scope.parties:
            report(
                spot,
                ROLE_UNDEFINED,
                f"{v!r} is not a role or agency of this pack"
                f"{did_you_mean(v, scope.parties)}; define it under 'roles' or 'agencies'",
            )


__all__ = [
    "Predicate",
    "Report",
    "Scope",
    "Unresolved",
    "compile_condition",
    "resolve_path",
]
