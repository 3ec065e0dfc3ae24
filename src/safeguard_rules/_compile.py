"""Compiling a pack: a loaded PackDocument -> a checked, indexed CompiledPack.

Compiling is pure: loading (``_document``) read the files; this reads none. It checks
every name the pack uses (event types, fields, roles, parameters, sources) and compiles
conditions to closures once, so evaluation only runs them. A CompiledPack is immutable
and can be shared between threads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ._calendar import CalendarError, WorkingCalendar
from ._conditions import (
    CASE_FACTS_NAMED,
    EVENT_FIELDS_READ,
    MISSING_OFFICE_HOURS,
    ROLE_UNDEFINED,
    UNKNOWN_FIELD,
    Predicate,
    Scope,
    compile_condition,
)
from ._diagnose import DUPLICATE_ID, INVALID_VALUE, UNKNOWN_PARAMETER, first_problem
from ._document import PackDocument, spec_of
from ._errors import (
    Diagnostic,
    PackValidationError,
    SafeguardRulesError,
    UnknownIdError,
    declare,
    did_you_mean,
    known_list,
    shown,
)
from ._event_table import core_table
from ._pack_base import template_fields
from ._plain_pack import timescale_of, tree_of
from ._prebuilt import prebuilt_dump
from ._vocabulary import CORE, Vocabulary, build_vocabulary

if TYPE_CHECKING:
    # A bundled pack is compiled from its plain models (_plain_pack), which stand for these
    # and answer isinstance as they do; pydantic is imported for the others.
    from ._case import CaseState
    from ._events import BaseEvent
    from ._pack import (
        Citation,
        ClosingMatch,
        Count,
        DeadlineBasis,
        Due,
        DueFrom,
        Escalation,
        EventMatch,
        NotEncoded,
        Pack,
        Requirement,
        Rule,
        Strength,
        Timescale,
    )

Loc = tuple[str | int, ...]

# The timescales that are a window after an event (named_by's within; _pack's, which this
# module does not import at run time).
_WINDOW_KINDS = ("same_day", "working_days", "calendar_days", "hours")

# The codes of the problems this module finds (see _errors.declare).
ESCALATION_NOT_ON_PATH = declare(
    "escalation-not-on-path", "an escalation's responsible role has no step on its escalation path"
)
UNKNOWN_ESCALATION_PATH = declare(
    "unknown-escalation-path", "an escalation names a path the pack does not define"
)
COUNTS_FROM_WITHOUT_DUE_FROM = declare(
    "counts-from-without-due-from",
    "a deadline-table case says counts_from: trigger in a requirement without due_from",
)
NAMED_BY_WINDOW = declare(
    "named-by-window",
    "named_by's within is not a window after the named event (a table, months, office hours, "
    "no deadline, or a parameter whose value is one)",
)
NAMED_BY_NOT_A_REFERENCE = declare(
    "named-by-not-a-reference",
    "due_from's named_by is not a checked reference field of the trigger to the due_from event",
)
UNKNOWN_EVENT_TYPE = declare(
    "unknown-event-type",
    "a rule names an event type that is not in the vocabulary (docs/events.md)",
)
UNKNOWN_HOLIDAY_COUNTRY = declare(
    "unknown-holiday-country", "the holidays package has no such country"
)
UNKNOWN_SOURCE = declare(
    "unknown-source", "a citation names a source not listed under pack.sources"
)
UNKNOWN_SUBDIVISION = declare("unknown-subdivision", "the holiday country has no such subdivision")
UNKNOWN_TIMEZONE = declare("unknown-timezone", "the calendar's time zone is not an IANA name")
NO_WORKING_DAY = declare(
    "no-working-day", "closures leave a year with no working day (or no office day)"
)
GB_WITHOUT_SUBDIVISION = declare(
    "gb-without-subdivision", "GB public holidays without a subdivision (ENG, NIR, SCT or WLS)"
)


@dataclass(frozen=True)
class DueCase:
    label: str
    applies: Predicate
    within: Timescale
    strength: Strength | None
    citation: Citation | None
    basis: str = ""  # how an obligation states its deadline: "serious harm: the same day"
    # The basis of an obligation counted from its trigger after all (due_from's otherwise):
    # without the words on where an earlier clock starts. Defaults to ``basis``.
    own_basis: str = ""
    # counts_from: trigger: under due_from, this case's deadline counts from the trigger
    # (its basis is then own_basis); acts since the earlier event still meet it.
    from_trigger: bool = False
    kind: str = field(init=False)  # within.kind and within.amount, looked up once
    amount: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", self.within.kind)
        object.__setattr__(self, "amount", self.within.amount)
        if not self.own_basis:
            object.__setattr__(self, "own_basis", self.basis)


_BASIS_WORDS: dict[str, str] = {
    "local_default": "local default",
    "local_override": "local override",
}


@dataclass(frozen=True)
class CompiledDue:
    """First-match list of deadline cases (a single case for a plain timescale)."""

    cases: tuple[DueCase, ...]
    parameter: str | None = None
    basis: DeadlineBasis = "source"


def _basis(
    label: str,
    within: Timescale,
    parameter: str | None,
    basis: DeadlineBasis,
    start: str | None = None,
) -> str:
    text = label if label == within.describe() else f"{label}: {within.describe()}"
    if start is not None:
        text += f" from {start}"
    if parameter is None:
        return text
    if basis == "source":
        return f"{text} (parameter {parameter})"
    return f"{text}; {_BASIS_WORDS[basis]} (parameter {parameter})"


@dataclass(frozen=True)
class CompiledMatch:
    event: str
    where: Predicate


@dataclass(frozen=True)
class CompiledClosing(CompiledMatch):
    """An earliest_since event that closes a run; a provisional one keeps the run it closed
    for a trigger with no matching event since."""

    provisional: bool = False


@dataclass(frozen=True)
class CompiledAnchor:
    """A due_from: the earlier events a clock may start at, and how one is chosen."""

    event: str
    where: Predicate
    # earliest_since (due_from's own, or named_by's otherwise's): the events that close a run
    since: tuple[CompiledClosing, ...] = ()
    named_by: str | None = None  # named_by: the trigger's field naming the event
    # named_by's otherwise: how far back the latest event may be for a trigger naming none
    # (None: such a trigger gives no obligation), and the calendar that counts it.
    window: Timescale | None = None
    calendar: WorkingCalendar | None = None
    # named_by's within: how soon after the named event the trigger must fall for the link
    # to start the clock (None: unbounded); a link further back counts as none named.
    bound: Timescale | None = None

    def follow(
        self, index: int, event: BaseEvent, kind: str, case: CaseState, chosen: dict[int, BaseEvent]
    ) -> None:
        """After ``event`` (of type ``kind``), which event this anchor (``index``) counts
        from, in ``chosen``: the latest match, or the earliest since the latest event
        closing the run (earliest_since). Called after the event's own rules. A run that
        only provisional events closed is kept under ``~index`` until the next match
        starts another, so a trigger with none since still counts from it."""
        since = self.since
        if since:
            hard: bool | None = None  # None: nothing closes the run here
            for m in since:
                if kind == m.event and m.where(event, case, None):
                    hard = hard or not m.provisional
            if hard is not None:
                run = chosen.pop(index, None)  # the run closes: the next match starts the next
                if hard:
                    chosen.pop(~index, None)
                elif run is not None:
                    chosen[~index] = run
        fresh = not since or index not in chosen  # earliest_since keeps the run's first
        if fresh and kind == self.event and self.where(event, case, None):
            chosen[index] = event
            if since:
                chosen.pop(~index, None)  # a new run: the provisionally closed one is over

    def clock(
        self,
        index: int,
        trigger: BaseEvent,
        case: CaseState,
        chosen: Mapping[int, BaseEvent],
        by_id: Callable[[], Mapping[str, BaseEvent]],
    ) -> BaseEvent | None:
        """The earlier event an obligation of ``trigger`` counts from, if any: the one
        ``chosen`` holds, or the one the trigger names (named_by; ``by_id`` gives the
        child's events by id). With named_by's ``otherwise``, a trigger that names none
        counts from the latest matching event within the window, else from itself (the
        result is then ``trigger``, and the obligation is an ordinary one), or from the
        run's earliest event (otherwise's earliest_since)."""
        named = None if self.named_by is None else getattr(trigger, self.named_by, None)
        if isinstance(named, str):
            # Evaluation has checked the link (the child's event of the type the field
            # names, no later than the trigger); the pack, that the type is this anchor's.
            earlier = by_id().get(named)
            if earlier is None or earlier.type != self.event:  # type: ignore[attr-defined]
                return None
            if not self.where(earlier, case, None):
                return None
            bound = self.bound
            if bound is None or self._near(earlier, trigger, bound):
                return earlier
            # further back than named_by's within: as a trigger that names none
        if self.named_by is None or self.since:
            run = chosen.get(index)
            return chosen.get(~index) if run is None else run  # ~index: provisionally closed
        if self.window is None:
            return None  # the trigger names no event: nothing to count from
        latest = chosen.get(index)
        near = latest is not None and self._near(latest, trigger, self.window)
        return latest if near else trigger

    def beyond(
        self, trigger: BaseEvent, by_id: Callable[[], Mapping[str, BaseEvent]]
    ) -> BaseEvent | None:
        """The event ``trigger`` names that named_by's within sets aside (further back than
        the bound), if any. The walks label the obligation with the bound only where that
        decided something: its deadline counts from the clock the bound chose, or an act
        since the named event, before that clock, would otherwise have met it."""
        bound = self.bound
        if bound is None:
            return None
        named = getattr(trigger, self.named_by or "", None)
        if not isinstance(named, str):
            return None
        earlier = by_id().get(named)
        if earlier is None or self._near(earlier, trigger, bound):
            return None
        return earlier

    def _near(self, earlier: BaseEvent, trigger: BaseEvent, window: Timescale) -> bool:
        """Whether ``trigger`` falls within ``window`` from ``earlier``. An event known only
        by its date counts as at the end of that day (earlier) or its start (trigger), so a
        date-only record never widens the window."""
        calendar = self.calendar
        assert calendar is not None  # set with any window at compile
        if earlier.at is not None:
            limit = calendar.due(window.kind, window.amount, earlier.at)
        else:
            span = calendar.due_span(window.kind, window.amount, earlier.on)  # type: ignore[arg-type]
            limit = None if span is None else span[0]
        if limit is None:
            return True
        at = trigger.at
        if at is None:
            at = calendar.day_span(trigger.on)[0]  # type: ignore[arg-type]
        return at <= limit


@dataclass(frozen=True)
class _Bound:
    """named_by's within, resolved: its window, basis, parameter and words."""

    window: Timescale
    basis: DeadlineBasis
    parameter: str | None
    words: str


@dataclass(frozen=True)
class CompiledRequirement:
    spec: Requirement
    due: CompiledDue | None
    satisfied_by: tuple[CompiledMatch, ...]  # alternatives: any one meets it
    cancelled_by: tuple[CompiledMatch, ...]
    waits_on: frozenset[str]  # the event types that can meet or cancel it
    meets: Mapping[str, tuple[Predicate, ...]]  # by event type, so only those are tried
    cancels: Mapping[str, tuple[Predicate, ...]]
    # With due_from: the index of its clock-starting event in CompiledPack.anchors.
    anchor: int | None = None
    # With a bounded named_by whose window is a local choice: the same requirement, its
    # deadline labelled with that choice, for a trigger whose link the bound set aside.
    beyond: CompiledRequirement | None = None


@dataclass(frozen=True)
class CompiledRoute:
    name: str | None
    applies: Predicate
    requirement: CompiledRequirement | None
    strength: Strength
    citation: Citation | None  # None only in a draft pack, which lint reports
    # The route with requirement.beyond, for a trigger whose link named_by's bound set
    # aside (the walks swap to it; None without such a bound).
    beyond: CompiledRoute | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        requirement = self.requirement
        if requirement is not None and requirement.beyond is not None:
            swapped = CompiledRoute(
                self.name, self.applies, requirement.beyond, self.strength, self.citation
            )
            object.__setattr__(self, "beyond", swapped)


@dataclass(frozen=True)
class CompiledCount:
    spec: Count
    counts: Predicate


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    position: int  # order in the pack: evaluation and output follow it
    applies: Predicate
    count: CompiledCount | None
    routes: tuple[CompiledRoute, ...]  # empty for checks
    expect: Predicate | None


class PackIntegrityError(SafeguardRulesError):
    """A pickled compiled pack whose content no longer matches its content hash."""


class CompiledPack:
    """A validated, indexed pack ready for :func:`evaluate`: immutable, thread-safe,
    picklable.

    Its attributes are read-only; its mappings are read-only views and its models are
    frozen all the way down, so nothing can change what it decides once it is built.
    Pickling sends the pack as written and the parameter overrides; unpickling compiles
    them again (no file is read) and raises :class:`PackIntegrityError` unless the result
    has the content hash it was pickled with.
    """

    __slots__ = (
        "__weakref__",  # the careful walk caches its three-valued rules per pack
        "_anchors",
        "_anchors_by_event",
        "_calendar",
        "_case_facts",
        "_content_hash",
        "_document",
        "_lookback",
        "_overrides",
        "_parameters",
        "_rules",
        "_rules_by_event",
        "_source_files",
        "_vocabulary",
    )
    _anchors: tuple[CompiledAnchor, ...]
    _anchors_by_event: Mapping[str, tuple[int, ...]]
    _calendar: WorkingCalendar
    _case_facts: frozenset[str] | None
    _content_hash: str
    _document: PackDocument
    _lookback: frozenset[str]
    _overrides: Mapping[str, Due]
    _parameters: Mapping[str, Due]
    _rules: tuple[CompiledRule, ...]
    _rules_by_event: Mapping[str, tuple[CompiledRule, ...]]
    _source_files: Mapping[str, str]
    _vocabulary: Vocabulary

    def __init__(
        self,
        *,
        document: PackDocument,
        overrides: Mapping[str, Due],
        content_hash: str,
        calendar: WorkingCalendar,
        parameters: Mapping[str, Due],
        rules: tuple[CompiledRule, ...],
        anchors: tuple[CompiledAnchor, ...] = (),
        vocabulary: Vocabulary = CORE,
        case_facts: frozenset[str] | None = None,
    ) -> None:
        by_event: dict[str, list[CompiledRule]] = {}
        lookback: set[str] = set()
        for compiled in rules:
            by_event.setdefault(compiled.rule.when.event, []).append(compiled)
            for route in compiled.routes:
                if route.requirement is not None and route.requirement.anchor is not None:
                    lookback.update(route.requirement.meets)
        object.__setattr__(self, "_lookback", frozenset(lookback))
        anchors_by_event: dict[str, list[int]] = {}
        for k, anchor in enumerate(anchors):
            anchors_by_event.setdefault(anchor.event, []).append(k)
            for closing in dict.fromkeys(m.event for m in anchor.since):
                if closing != anchor.event:
                    anchors_by_event.setdefault(closing, []).append(k)
        object.__setattr__(self, "_anchors", anchors)
        object.__setattr__(
            self,
            "_anchors_by_event",
            MappingProxyType({k: tuple(v) for k, v in anchors_by_event.items()}),
        )
        pack = spec_of(document)
        object.__setattr__(self, "_document", document)
        object.__setattr__(self, "_overrides", MappingProxyType(dict(overrides)))
        object.__setattr__(self, "_content_hash", content_hash)
        object.__setattr__(self, "_calendar", calendar)
        object.__setattr__(self, "_parameters", MappingProxyType(dict(parameters)))
        object.__setattr__(self, "_rules", rules)
        object.__setattr__(self, "_vocabulary", vocabulary)
        # The case facts its conditions name (None: not known); the fast walk folds only the
        # events that change them (_case.folds_needed).
        object.__setattr__(self, "_case_facts", case_facts)
        object.__setattr__(
            self, "_rules_by_event", MappingProxyType({k: tuple(v) for k, v in by_event.items()})
        )
        object.__setattr__(
            self, "_source_files", MappingProxyType({s.id: s.file for s in pack.pack.sources})
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a CompiledPack is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a CompiledPack is immutable: cannot delete {name!r}")

    def __repr__(self) -> str:
        return (
            f"CompiledPack(id={self.id!r}, version={self.version!r}, "
            f"content_hash={self.content_hash!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Compiled conditions are closures, which do not pickle; the document does, and
        # compiling it again is pure and quick.
        return (_unpickle, (self._document, dict(self._overrides), self._content_hash))

    # --- what it is ---------------------------------------------------------------------

    @property
    def id(self) -> str:
        return spec_of(self._document).pack.id

    @property
    def version(self) -> str:
        return spec_of(self._document).pack.version

    @property
    def content_hash(self) -> str:
        """``sha256:...`` of the pack as written and the parameter values in force."""
        return self._content_hash

    @property
    def file(self) -> str:
        """The file it was read from (an overlay's own file)."""
        return self._document.file

    @property
    def extends(self) -> str | None:
        """The base pack's id when this pack is an overlay."""
        return self._document.extends

    @property
    def pack(self) -> Pack:
        """The pack as written (an overlay merged onto its base): a frozen model."""
        return self._document.pack

    @property
    def document(self) -> PackDocument:
        """The loaded document it was compiled from: the model and where each value stands."""
        return self._document

    @property
    def calendar(self) -> WorkingCalendar:
        return self._calendar

    @property
    def parameters(self) -> Mapping[str, Due]:
        """Each parameter's value in force (its default, or the override given)."""
        return self._parameters

    @property
    def overrides(self) -> Mapping[str, Due]:
        """The parameter values given when loading, by name."""
        return self._overrides

    @property
    def source_files(self) -> Mapping[str, str]:
        """Source id -> the file of its captured text, as the pack writes it."""
        return self._source_files

    @property
    def source_dirs(self) -> Mapping[str, str]:
        """Source id -> the directory its ``file`` is relative to."""
        return MappingProxyType(dict(self._document.source_dirs))

    # --- for the engine ------------------------------------------------------------------

    @property
    def rules(self) -> tuple[CompiledRule, ...]:
        """The compiled rules, in the pack's order."""
        return self._rules

    @property
    def rules_by_event(self) -> Mapping[str, tuple[CompiledRule, ...]]:
        """Event type -> the rules it triggers, in the pack's order (a read-only view)."""
        return self._rules_by_event

    @property
    def anchors(self) -> tuple[CompiledAnchor, ...]:
        """The earlier events requirements' ``due_from`` count deadlines from (a
        requirement's ``anchor`` is an index into it)."""
        return self._anchors

    @property
    def lookback(self) -> frozenset[str]:
        """The event types that may meet an obligation before its trigger (from its
        due_from event on), so the walk keeps them."""
        return self._lookback

    @property
    def anchors_by_event(self) -> Mapping[str, tuple[int, ...]]:
        """Event type -> the indexes of the anchors an event of that type may be, or may
        close the run of (earliest_since)."""
        return self._anchors_by_event

    @property
    def vocabulary(self) -> Vocabulary:
        """The vocabulary compiled against: the core event types plus the pack's own
        declarations. Read events with it (``load_events(..., vocabulary=pack.vocabulary)``);
        it is in the content hash."""
        return self._vocabulary

    def rule(self, rule_id: str) -> Rule:
        for compiled in self._rules:
            if compiled.rule.id == rule_id:
                return self.pack.rules[compiled.position]  # the model, as ``pack`` holds it
        raise UnknownIdError(f"pack {self.id!r} has no rule {rule_id!r}")

    def source_file(self, source_id: str) -> Path | None:
        """The captured source text a citation names, if it is where the pack says."""
        for source in spec_of(self._document).pack.sources:
            if source.id == source_id:
                directory = self._document.source_dir(source_id)
                candidate = directory / source.file
                return candidate if candidate.is_file() else None
        return None


def _unpickle(
    document: PackDocument, overrides: Mapping[str, Due], content_hash: str
) -> CompiledPack:
    compiled = compile_pack(document, overrides)
    if compiled.content_hash != content_hash:
        raise PackIntegrityError(
            f"the pickled pack {spec_of(document).pack.id!r} does not match its content hash "
            f"{content_hash} (it is {compiled.content_hash}): it was changed after pickling"
        )
    return compiled


def parameter_value(value: object) -> Due:
    """``value`` as the value of a pack parameter: what a rule's ``due`` may be (a timescale
    or a deadline table), but never another parameter. ``value`` is a :class:`Due` or plain
    values as YAML reads them; a ValueError says what is wrong with it."""
    from pydantic import ValidationError

    from ._pack import DOCUMENT, Due

    if isinstance(value, Due):
        due = value
    elif not isinstance(value, Mapping):
        raise ValueError(f"{shown(value)} is not a timescale")
    else:
        try:
            due = Due.model_validate(value, context=DOCUMENT)
        except ValidationError as exc:
            raise ValueError(first_problem(exc, value, Due)) from None
    if due.parameter is not None:
        raise ValueError("a parameter's value cannot name another parameter")
    return due


def compile_pack(
    document: PackDocument, parameters: Mapping[str, Any] | None = None
) -> CompiledPack:
    """The document checked against the event vocabulary and compiled; reads no file.

    ``parameters`` overrides the pack's local parameters. Raises PackValidationError.
    """
    return _Compiler(document, parameters or {}).compile()


class _Compiler:
    def __init__(self, document: PackDocument, overrides: Mapping[str, Any]) -> None:
        self.document = document
        self.pack = pack = spec_of(document)  # a bundled pack's plain models (_plain_pack)
        self.positions = document.positions
        self.overrides = overrides
        self.applied: dict[str, Due] = {}  # the overrides accepted, validated
        self.problems: list[Diagnostic] = []
        self.parties = frozenset(pack.roles) | frozenset(pack.agencies)
        self.sources = {s.id for s in pack.pack.sources}
        self.calendar: WorkingCalendar | None = None
        self.vocabulary: Vocabulary = CORE
        self.parameter_basis: dict[str, DeadlineBasis] = {}
        self.anchors: dict[str, int] = {}  # due_from matches (as JSON), in order of first use
        self.compiled_anchors: list[CompiledAnchor] = []

    def problem(self, loc: Loc, code: str, message: str) -> None:
        # place, not locate: an overlay's values come from several files.
        file, line, column = self.positions.place(loc)
        self.problems.append(Diagnostic(file, line, column, message, code=code))

    def compile(self) -> CompiledPack:
        named: set[str] = set()  # the case facts the pack's conditions name
        token = CASE_FACTS_NAMED.set(named)
        try:
            return self._compile(named)
        finally:
            CASE_FACTS_NAMED.reset(token)

    def _compile(self, case_facts: set[str]) -> CompiledPack:
        pack = self.pack
        self._check_calendar()
        self._check_sources()
        self.vocabulary = build_vocabulary(pack.vocabulary, self.problem)
        parameters = self._parameters()
        self._check_escalation_paths()
        for k, entry in enumerate(pack.not_encoded):
            # A not_encoded entry is a citation of what the pack leaves out.
            self._citation(entry, ("not_encoded", k))
        seen: dict[str, int] = {}
        rules: list[CompiledRule] = []
        for i, rule in enumerate(pack.rules):
            if rule.id in seen:
                self.problem(
                    ("rules", i, "id"),
                    DUPLICATE_ID,
                    f"rule id {rule.id!r} is already used by rule "
                    f"{seen[rule.id] + 1}; rule ids must be unique",
                )
            seen[rule.id] = i
            compiled = self._rule(rule, i, parameters)
            if compiled is not None:
                rules.append(compiled)
        if self.problems:
            raise PackValidationError(self.problems)
        assert self.calendar is not None
        return CompiledPack(
            document=self.document,
            overrides=self.applied,
            content_hash=_content_hash(pack, parameters, self.vocabulary),
            calendar=self.calendar,
            parameters=parameters,
            rules=tuple(rules),
            anchors=tuple(self.compiled_anchors),
            vocabulary=self.vocabulary,
            case_facts=frozenset(case_facts),
        )

    # --- pack-level checks ---------------------------------------------------------------

    def _check_calendar(self) -> None:
        spec = self.pack.calendar
        holidays = spec.public_holidays
        if holidays is not None and holidays.country == "GB" and holidays.subdivision is None:
            self.problem(
                ("calendar", "public_holidays", "country"),
                GB_WITHOUT_SUBDIVISION,
                "GB public holidays need a subdivision (ENG, NIR, SCT or WLS): the GB-wide "
                "list lacks holidays only some subdivisions observe, such as Easter Monday; "
                "write e.g. 'subdivision: ENG'",
            )
        try:
            self.calendar = WorkingCalendar.from_spec(spec)
        except CalendarError as exc:
            self._calendar_problem(str(exc))
            self.calendar = WorkingCalendar.from_spec(
                spec.model_copy(update={"timezone": "UTC", "public_holidays": None})
            )
            return
        self._check_open_days(self.calendar)

    def _check_open_days(self, calendar: WorkingCalendar) -> None:
        """Closures must leave a working (and an office) day in each year they fall in:
        otherwise no deadline counted in working days (or office hours) from that year
        could ever fall due, and evaluation could not go on."""
        closures = self.pack.calendar.closures
        for year in calendar.years_without_working_day():
            first = next(i for i, day in enumerate(closures) if day.year == year)
            self.problem(
                ("calendar", "closures", first),
                NO_WORKING_DAY,
                f"the calendar leaves no working day in {year}: each of its "
                f"{'/'.join(self.pack.calendar.working_days)} days is a closure or a public "
                f"holiday, so no deadline counted in working days from {year} could fall due; "
                "remove closures, or add working days",
            )
        for year in calendar.years_without_office_day():
            first = next(i for i, day in enumerate(closures) if day.year == year)
            self.problem(
                ("calendar", "closures", first),
                NO_WORKING_DAY,
                f"the calendar's office never opens in {year}: each office day is a closure "
                "or a public holiday, so no office_hours deadline from that year could fall "
                "due; remove closures, or add office days",
            )

    def _calendar_problem(self, fallback: str) -> None:
        # Only on this error path: listing zones and holiday countries takes ~0.2 s.
        import zoneinfo

        import holidays

        spec = self.pack.calendar
        zones = zoneinfo.available_timezones()
        if spec.timezone not in zones:
            self.problem(
                ("calendar", "timezone"),
                UNKNOWN_TIMEZONE,
                f"unknown time zone {spec.timezone!r}{did_you_mean(spec.timezone, zones)}; "
                "use an IANA name such as 'Europe/London'",
            )
            return
        countries: dict[str, list[str]] = holidays.list_supported_countries()
        chosen = spec.public_holidays
        if chosen is not None and chosen.country not in countries:
            self.problem(
                ("calendar", "public_holidays", "country"),
                UNKNOWN_HOLIDAY_COUNTRY,
                f"unknown holiday country {chosen.country!r}"
                f"{did_you_mean(chosen.country, countries)}; use an ISO 3166 code the "
                "holidays package supports",
            )
            return
        if chosen is not None and chosen.subdivision not in (None, *countries[chosen.country]):
            subdivisions = countries[chosen.country]
            self.problem(
                ("calendar", "public_holidays", "subdivision"),
                UNKNOWN_SUBDIVISION,
                f"unknown subdivision {chosen.subdivision!r} of {chosen.country}"
                f"{did_you_mean(str(chosen.subdivision), subdivisions)}; subdivisions are: "
                f"{known_list(subdivisions, 40) or '(none)'}",
            )
            return
        self.problem(("calendar",), INVALID_VALUE, fallback)

    def _check_sources(self) -> None:
        ids = [s.id for s in self.pack.pack.sources]
        for i, sid in enumerate(ids):
            if sid in ids[:i]:
                self.problem(
                    ("pack", "sources", i, "id"), DUPLICATE_ID, f"source id {sid!r} is used twice"
                )

    def _citation(self, citation: Citation | NotEncoded | None, loc: Loc) -> None:
        if citation is not None and citation.source not in self.sources:
            self.problem(
                (*loc, "source"),
                UNKNOWN_SOURCE,
                f"unknown source {citation.source!r}"
                f"{did_you_mean(citation.source, self.sources)}; sources are: "
                f"{known_list(self.sources)}",
            )

    def _role(self, role: str, loc: Loc) -> None:
        if role not in self.pack.roles:
            self.problem(
                loc,
                ROLE_UNDEFINED,
                f"unknown role {role!r}{did_you_mean(role, self.pack.roles)}; "
                f"define it under 'roles' (roles are: {known_list(self.pack.roles)})",
            )

    def _event_type(self, name: str, loc: Loc) -> bool:
        classes = self.vocabulary.fields  # by event type, as the classes (not imported)
        if name in classes:
            return True
        self.problem(
            loc,
            UNKNOWN_EVENT_TYPE,
            f"unknown event type {name!r}{did_you_mean(name, classes)}; "
            "see docs/events.md for the vocabulary, or declare it under vocabulary.events",
        )
        return False

    def _check_escalation_paths(self) -> None:
        for name, path in self.pack.escalation_paths.items():
            loc: Loc = ("escalation_paths", name)
            self._citation(path.citation, (*loc, "citation"))
            for role, escalates_to in path.steps.items():
                self._role(role, (*loc, "steps", role))
                self._role(escalates_to, (*loc, "steps", role))

    def _escalation(self, escalation: Escalation, loc: Loc) -> None:
        self._role(escalation.responsible, (*loc, "responsible"))
        for k, role in enumerate(escalation.copied_in):
            self._role(role, (*loc, "copied_in", k))
        if escalation.path is None:
            return
        paths = self.pack.escalation_paths
        path = paths.get(escalation.path)
        if path is None:
            self.problem(
                (*loc, "path"),
                UNKNOWN_ESCALATION_PATH,
                f"unknown escalation path {escalation.path!r}"
                f"{did_you_mean(escalation.path, paths)}; define it under 'escalation_paths'"
                f" (paths are: {known_list(paths) or 'none'})",
            )
        elif escalation.responsible not in path.steps:
            self.problem(
                (*loc, "responsible"),
                ESCALATION_NOT_ON_PATH,
                f"{escalation.responsible!r} has no step in escalation path "
                f"{escalation.path!r}, so the path says nothing about who comes next; "
                f"its steps start from: {known_list(path.steps)}",
            )

    def _parameters(self) -> dict[str, Due]:
        values: dict[str, Due] = {}
        for name, parameter in self.pack.parameters.items():
            self._citation(parameter.citation, ("parameters", name, "citation"))
            values[name] = parameter.default
            self.parameter_basis[name] = parameter.basis
        for name, raw in self.overrides.items():
            if name not in self.pack.parameters:
                self.problem(
                    ("parameters",),
                    UNKNOWN_PARAMETER,
                    f"override of unknown parameter {name!r}"
                    f"{did_you_mean(name, self.pack.parameters)}; parameters are: "
                    f"{known_list(self.pack.parameters)}",
                )
                continue
            try:
                value = parameter_value(raw)
            except ValueError as exc:
                self.problem(
                    ("parameters", name), INVALID_VALUE, f"override of parameter {name!r}: {exc}"
                )
                continue
            values[name] = value
            self.applied[name] = value
            self.parameter_basis[name] = "local_override"
        return values

    # --- rules ----------------------------------------------------------------------

    def _scope(self, event: str, trigger: str | None, where: str) -> Scope:
        return Scope(event, trigger, self.parties, self.calendar, where, self.vocabulary)

    def _rule(self, rule: Rule, i: int, parameters: Mapping[str, Due]) -> CompiledRule | None:
        loc: Loc = ("rules", i)
        self._citation(rule.citation, (*loc, "citation"))
        when = rule.when
        if not self._event_type(when.event, (*loc, "when", "event")):
            return None
        scope = self._scope(when.event, None, "the trigger event")
        applies = compile_condition(when.where, scope, (*loc, "when", "where"), self.problem)
        count = None
        if when.count is not None:
            counts = compile_condition(
                when.count.where, scope, (*loc, "when", "count", "where"), self.problem
            )
            count = CompiledCount(when.count, counts)
        routes: list[CompiledRoute] = []
        expect = None
        if rule.require is not None:
            only = self._requirement(rule.require, when.event, (*loc, "require"), parameters)
            routes.append(CompiledRoute(None, _always, only, rule.strength, rule.citation))
        elif rule.routes is not None:
            names: set[str] = set()
            for j, route in enumerate(rule.routes):
                rloc = (*loc, "routes", j)
                if route.name in names:
                    self.problem(
                        (*rloc, "name"), DUPLICATE_ID, f"route name {route.name!r} is used twice"
                    )
                names.add(route.name)
                self._citation(route.citation, (*rloc, "citation"))
                route_applies = compile_condition(route.when, scope, (*rloc, "when"), self.problem)
                req = (
                    self._requirement(route.require, when.event, (*rloc, "require"), parameters)
                    if route.require is not None
                    else None
                )
                routes.append(
                    CompiledRoute(
                        route.name,
                        route_applies,
                        req,
                        route.strength or rule.strength,
                        route.citation or rule.citation,
                    )
                )
        else:
            expect = compile_condition(rule.expect, scope, (*loc, "expect"), self.problem)
            self._check_message(rule, when.event, (*loc, "message"))
        return CompiledRule(rule, i, applies, count, tuple(routes), expect)

    def _requirement(
        self, req: Requirement, trigger: str, loc: Loc, parameters: Mapping[str, Due]
    ) -> CompiledRequirement:
        self._role(req.responsible, (*loc, "responsible"))
        for k, role in enumerate(req.copied_in):
            self._role(role, (*loc, "copied_in", k))
        if req.escalation is not None:
            self._escalation(req.escalation, (*loc, "escalation"))
        anchor = None
        clock = trigger  # deadline-table cases test the event the clock starts at
        start = None
        bound: _Bound | None = None
        if req.due_from is not None and self._event_type(
            req.due_from.event, (*loc, "due_from", "event")
        ):
            within = req.due_from.named_within
            if within is not None:
                bound = self._bound(within, (*loc, "due_from", "named_by", "within"), parameters)
            anchor = self._anchor(
                req.due_from, trigger, (*loc, "due_from"), None if bound is None else bound.window
            )
            clock = req.due_from.event
            start = req.due_from.describe()  # no argument: a plain model answers it stored
            within = req.due_from.named_within
            if bound is not None and within is not None and within.parameter is not None:
                named = f"within {within.parameter} of it"  # the bound's value, labelled
                start = start.replace(named, f"within {bound.words} of it", 1)
        due = self._due(req.due, clock, (*loc, "due"), parameters, start, trigger)
        satisfied = self._matches(req.satisfied_by, trigger, (*loc, "satisfied_by"))
        cancelled = self._matches(req.cancelled_by, trigger, (*loc, "cancelled_by"))
        waits = frozenset(m.event for m in (*satisfied, *cancelled))
        compiled = CompiledRequirement(
            req, due, satisfied, cancelled, waits, _by_type(satisfied), _by_type(cancelled), anchor
        )
        if bound is None or bound.basis == "source" or due is None:
            return compiled
        # A trigger whose link the bound set aside counts from where a local choice put it:
        # its deadline says so, and (principle 4) a breach is never reported at must.
        assert req.due_from is not None
        aside = (
            f"; the {req.due_from.event} named in {req.due_from.named_field} set aside, the "
            f"trigger falling more than {bound.window.describe()} after it: "
            f"{_BASIS_WORDS[bound.basis]} (parameter {bound.parameter})"
        )
        cases = tuple(
            replace(c, basis=c.basis + aside, own_basis=c.own_basis + aside) for c in due.cases
        )
        own = due.basis != "source"  # a local deadline keeps its own parameter
        beyond_due = CompiledDue(
            cases,
            due.parameter if own else bound.parameter,
            due.basis if own else bound.basis,
        )
        return replace(compiled, beyond=replace(compiled, due=beyond_due))

    def _resolve_parameter(
        self, due: Due, loc: Loc, parameters: Mapping[str, Due]
    ) -> tuple[Due, str | None, DeadlineBasis, Loc] | None:
        """``due`` itself, or the value of the parameter it names, with the parameter's name,
        its basis and where its value stands (None, with a problem, for an unknown one)."""
        if due.parameter is None:
            return due, None, "source", loc
        name = due.parameter
        if name not in parameters:
            self.problem(
                (*loc, "parameter"),
                UNKNOWN_PARAMETER,
                f"unknown parameter {name!r}"
                f"{did_you_mean(name, parameters)}; define it under 'parameters'",
            )
            return None
        return parameters[name], name, self.parameter_basis[name], ("parameters", name, "default")

    def _bound(self, within: Due, loc: Loc, parameters: Mapping[str, Due]) -> _Bound | None:
        """named_by's within, resolved (a parameter to its value, which must be a window)."""
        resolved = self._resolve_parameter(within, loc, parameters)
        if resolved is None:
            return None
        within, name, basis, loc = resolved
        kind = within.kind
        if kind not in _WINDOW_KINDS:
            self.problem(
                loc,
                NAMED_BY_WINDOW,
                f"named_by's within{'' if name is None else f' (parameter {name})'} is "
                f"{kind!r}, not a window after the named event: give one of "
                f"{', '.join(_WINDOW_KINDS)} (for example 'working_days: 10')",
            )
            return None
        window = timescale_of(within)
        words = window.describe()
        if basis != "source":
            words += f" ({_BASIS_WORDS[basis]}, parameter {name})"
        return _Bound(window, basis, name, words)

    def _anchor(self, match: DueFrom, trigger: str, loc: Loc, bound: Timescale | None) -> int:
        """The index of ``match`` among the pack's clock-starting events (one per distinct
        match). Its conditions are tested when the earlier event (or the
        event closing a run) happens, so 'trigger.' has no meaning there."""
        if match.named_by is not None:
            named_loc = (*loc, "named_by")
            if match.named_within is not None:
                named_loc = (*named_loc, "field")
            self._check_named_by(match, trigger, named_loc)
        # As text (models hold lists), and without pydantic's serializer, which would be
        # built for it (model_tree: every value with its type).
        key = json.dumps(tree_of(match))
        if key not in self.anchors:
            scope = self._scope(match.event, None, f"the {match.event} event (due_from)")
            where = compile_condition(match.where, scope, (*loc, "where"), self.problem)
            own = match.earliest_since is not None or match.otherwise is None
            since_loc = (*loc, "earliest_since") if own else (*loc, "otherwise", "earliest_since")
            spec = match.earliest_since if own else match.otherwise.earliest_since  # type: ignore[union-attr]
            one = not isinstance(spec, list)  # no list index in its place
            since = tuple(
                self._closing(closing, since_loc if one else (*since_loc, i))
                for i, closing in enumerate(match.closing)
            )
            self.anchors[key] = len(self.compiled_anchors)
            window = None if match.otherwise is None else match.otherwise.latest_within
            self.compiled_anchors.append(
                CompiledAnchor(
                    match.event, where, since, match.named_field, window, self.calendar, bound
                )
            )
        return self.anchors[key]

    def _closing(self, closing: ClosingMatch, loc: Loc) -> CompiledClosing:
        """One of earliest_since's events that close a run, its 'where' tested with the case
        facts when it happens ('trigger.' has no meaning there)."""
        kind = closing.event
        where: Predicate = _always
        if self._event_type(kind, (*loc, "event")):
            scope = self._scope(kind, None, f"the {kind} event (earliest_since)")
            where = compile_condition(closing.where, scope, (*loc, "where"), self.problem)
        return CompiledClosing(kind, where, bool(closing.provisional))

    def _check_named_by(self, match: DueFrom, trigger: str, loc: Loc) -> None:
        """named_by must be a checked reference of the trigger to the due_from event type,
        so the event it names exists, is the child's, and is no later (evaluation checks)."""
        field = match.named_field
        references = {
            f: target for (kind, f), target in core_table().references.items() if kind == trigger
        }
        target = references.get(field or "")
        if target is None:
            listed = ", ".join(sorted(references)) or "none"
            self.problem(
                loc,
                NAMED_BY_NOT_A_REFERENCE,
                f"named_by {field!r} is not a reference field of {trigger!r}"
                f"{did_you_mean(field or '', references)} (its reference fields: {listed}; "
                "docs/events.md)",
            )
        elif target != match.event:
            self.problem(
                loc,
                NAMED_BY_NOT_A_REFERENCE,
                f"{trigger}.{field} names a {target} event, not a {match.event}; write "
                f"'event: {target}' or leave out named_by",
            )

    def _matches(
        self, spec: EventMatch | list[EventMatch] | None, trigger: str, loc: Loc
    ) -> tuple[CompiledMatch, ...]:
        if spec is None:
            return ()
        if not isinstance(spec, list):  # one EventMatch
            return (self._match(spec, trigger, loc),)
        return tuple(self._match(m, trigger, (*loc, i)) for i, m in enumerate(spec))

    def _match(self, match: EventMatch, trigger: str, loc: Loc) -> CompiledMatch:
        if not self._event_type(match.event, (*loc, "event")):
            return CompiledMatch(match.event, _always)
        scope = self._scope(match.event, trigger, f"the {match.event} event")
        return CompiledMatch(
            match.event, compile_condition(match.where, scope, (*loc, "where"), self.problem)
        )

    def _due(
        self,
        due: Due | None,
        trigger: str,
        loc: Loc,
        parameters: Mapping[str, Due],
        start: str | None = None,
        rule_trigger: str | None = None,
    ) -> CompiledDue | None:
        """``trigger`` is the event the clock starts at: the trigger, or with due_from the
        earlier event, which ``start`` describes for the deadline text (its table's cases
        may then test the rule's trigger, ``rule_trigger``, as 'trigger.NAME')."""
        if due is None:
            return None
        from_earlier = start is not None
        resolved = self._resolve_parameter(due, loc, parameters)
        if resolved is None:
            return None
        due, name, basis, loc = resolved
        if self.calendar is not None and self.calendar.office_start is None:
            kinds = [c.within.kind for c in due.table.cases] if due.table else [due.kind]
            if "office_hours" in kinds:
                self.problem(
                    loc,
                    MISSING_OFFICE_HOURS,
                    "an office_hours deadline needs 'calendar.office_hours' in the pack",
                )
        if due.table is None:
            # Its one value is the validated due's: built, not validated (which would
            # build Timescale's validator while loading).
            timescale = timescale_of(due)
            label = timescale.describe()
            only = DueCase(
                label,
                _always,
                timescale,
                None,
                None,
                _basis(label, timescale, name, basis, start),
                _basis(label, timescale, name, basis),
            )
            return CompiledDue((only,), name, basis)
        where = f"the {trigger} event the clock starts at" if from_earlier else "the trigger event"
        scope = self._scope(trigger, rule_trigger if from_earlier else None, where)
        cases = []
        for k, case in enumerate(due.table.cases):
            self._citation(case.citation, (*loc, "table", "cases", k, "citation"))
            applies = compile_condition(
                case.when, scope, (*loc, "table", "cases", k, "when"), self.problem
            )
            from_trigger = case.counts_from == "trigger"
            if from_trigger and not from_earlier:
                self.problem(
                    (*loc, "table", "cases", k, "counts_from"),
                    COUNTS_FROM_WITHOUT_DUE_FROM,
                    "counts_from: trigger only applies under due_from (without it every "
                    "case counts from the trigger already); remove it, or add due_from",
                )
            own = _basis(case.label, case.within, name, basis)
            cases.append(
                DueCase(
                    case.label,
                    applies,
                    case.within,
                    case.strength,
                    case.citation,
                    # Said in full, so an explain trace under due_from's heading does not
                    # read this case as counted from the earlier event.
                    _basis(case.label, case.within, name, basis, "the trigger")
                    if from_trigger and from_earlier
                    else _basis(case.label, case.within, name, basis, start),
                    own,
                    from_trigger and from_earlier,
                )
            )
        return CompiledDue(tuple(cases), name, basis)

    def _check_message(self, rule: Rule, event: str, loc: Loc) -> None:
        fields = self.vocabulary.fields[event]  # the event class's fields, in its order
        declared = self.vocabulary.attributes.get(event, {})
        for name in template_fields(rule.message or ""):
            head, _, key = name.partition(".")
            if head == "attributes" and key:
                if key not in declared:
                    self.problem(
                        loc,
                        UNKNOWN_FIELD,
                        f"message names {{{name}}}, an attribute {event!r} does not declare"
                        f"{did_you_mean(key, declared)}; declare it under "
                        f"vocabulary.attributes.{event}",
                    )
            elif name not in fields:
                self.problem(
                    loc,
                    UNKNOWN_FIELD,
                    f"message names {{{name}}}, which {event!r} does not have"
                    f"{did_you_mean(name, fields)}",
                )


def _by_type(matches: tuple[CompiledMatch, ...]) -> Mapping[str, tuple[Predicate, ...]]:
    grouped: dict[str, list[Predicate]] = {}
    for match in matches:
        grouped.setdefault(match.event, []).append(match.where)
    return MappingProxyType({kind: tuple(preds) for kind, preds in grouped.items()})


def _always(*_args: Any) -> bool:
    return True


EVENT_FIELDS_READ[_always] = frozenset()  # a deadline without a table reads nothing


def _content_hash(pack: Pack, parameters: Mapping[str, Due], vocabulary: Vocabulary) -> str:
    # The vocabulary's digest: the same pack compiled against other event types (a new
    # library version, other declarations) is not the same compiled pack.
    # A bundled pack built from its prebuilt reading comes with its dump (the same dump,
    # made when the reading was: tests/test_prebuilt.py); a parameter left at its default
    # is that dump's.
    dumped = prebuilt_dump(pack)
    if dumped is None:
        dumped = _canonical(pack)
    defaults = pack.parameters
    canonical = {
        "vocabulary": vocabulary.digest,
        "pack": dumped,
        "parameters": {
            k: (
                dumped["parameters"][k]["default"]
                if k in defaults and v is defaults[k].default
                else _canonical(v)
            )
            for k, v in sorted(parameters.items())
        },
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(model: Any) -> Any:
    # pydantic's dump: a pack that is not a bundled one, and parameter values given
    from ._pack import canonical_dump

    return canonical_dump(model)
