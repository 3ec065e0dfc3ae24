"""What an evaluation returns: obligations, findings and an account of the input.

Plain frozen dataclasses. Their fields, with the ``Field`` and ``computed_field``
annotations on them, are their JSON form: ``_wire`` writes every one of them the same way
(keys sorted, instants in ISO 8601 with their offset), and the same declaration gives
``schemas/evaluation.schema.json``. docs/output.md says what importing systems may rely on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import IO, Annotated, Any, Final, Literal

from pydantic import Field, computed_field

from . import _wire
from ._errors import UnknownObligationError
from ._events import BaseEvent
from ._pack import TEMPLATE_FIELD as _TEMPLATE_FIELD  # the pack format owns the syntax
from ._pack import Citation, DeadlineBasis

# The format of each JSON document: "safeguard-rules/<kind>/<version>" (docs/output.md).
EVALUATION_FORMAT: Final = "safeguard-rules/evaluation/1"
LINES_FORMAT: Final = "safeguard-rules/evaluation-lines/1"

# cannot_evaluate: the outcome depends on a value the records do not give (a field recorded
# as unknown, or the time of an event known only by its date); ``missing`` names it.
Status = Literal["open", "met", "met_late", "overdue", "cancelled", "cannot_evaluate"]
Severity = Literal["must", "should", "advisory"]
FindingKind = Literal["check", "overdue", "met_late"]


def render_message(message: str, values: Any) -> str:
    """Fill ``{field}`` from ``values`` by plain lookup (never ``str.format``)."""

    unknown = getattr(values, "unknown", None)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if unknown and name in unknown:
            return "(unknown)"  # the record says its source does not give it
        if "." in name:  # attributes.NAME (only kind of dotted name a message may use)
            head, _, key = name.partition(".")
            value = (getattr(values, head, None) or {}).get(key) if head == "attributes" else None
        else:
            value = getattr(values, name, None)
        if isinstance(value, bool):
            return "yes" if value else "no"  # for a reader, not Python's True/False
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value) or "(none)"
        return "(none)" if value is None else str(value)

    return _TEMPLATE_FIELD.sub(fill, message)


def iso(value: datetime | None) -> str | None:
    return None if value is None else _wire.instant(value)


def _empty(value: str | None) -> bool:
    return not value


@dataclass(frozen=True, slots=True)
class ResultCitation:
    """The source sentence a result rests on: the source's id and file, and the quote."""

    source: str  # the id of an entry in the pack's sources
    file: str  # that source's captured text, as the pack names it ("" if it names none)
    quote: str
    # How the pack reads the sentence where it is ambiguous; left out of the JSON when none.
    note: Annotated[str | None, Field(exclude_if=_empty)] = None


def iso_day(value: date | None) -> str | None:
    """A day on the wire (``2024-06-03``), as ``_wire`` writes one."""
    return None if value is None else value.isoformat()


def cite(citation: Citation | None, source_files: Mapping[str, str]) -> ResultCitation | None:
    """A pack's citation as results carry it, with its source's file (shared, not copied,
    by every result that cites the same sentence)."""
    if citation is None:
        return None  # a draft rule without a citation; lint reports it
    file = source_files.get(citation.source, "")
    return _cited(citation.source, file, citation.quote, citation.note)


@functools.lru_cache(maxsize=4096)
def _cited(source: str, file: str, quote: str, note: str | None) -> ResultCitation:
    return ResultCitation(source, file, quote, note)


@dataclass(frozen=True, slots=True)
class Escalation:
    action: str
    responsible: str
    copied_in: tuple[str, ...]
    path: str | None = None  # the pack's escalation path, when the requirement names one
    onward: tuple[str, ...] = ()  # who ``responsible`` escalates to next along it, in order


@dataclass(frozen=True, slots=True)
class Obligation:
    """A required action for one child, with its deadline and status at ``as_of``."""

    id: str
    rule: str
    action: str
    route: str | None
    strength: Severity
    responsible: str
    copied_in: tuple[str, ...]
    child_id: str
    triggered_by: tuple[str, ...]
    triggered_at: datetime | None  # None when the trigger has only a date (triggered_on)
    triggered_on: date  # the trigger's local date in the pack's time zone
    due: datetime | None
    due_basis: str
    due_case: str | None  # label of the deadline-table case that decided ``due``
    basis: DeadlineBasis  # whether ``due`` is the source's, or a local default / override
    parameter: str | None  # the pack parameter ``due`` comes from, if any
    status: Status
    met_by: str | None
    met_at: datetime | None  # None when not met, or met by an event with only a date
    met_on: date | None  # the local date of met_by
    cancelled_by: str | None
    escalation: Escalation | None
    citation: ResultCitation | None
    # For cannot_evaluate: the values the outcome depends on that the records do not give
    # ("concern_identified.serious_harm", "enquiry_started.at"), and why, in words.
    missing: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def source_file(self) -> str:
        """The file of the cited source ("" when the rule has no citation)."""
        return self.citation.file if self.citation else ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Finding:
    """A departure from the procedure."""

    rule: str
    kind: FindingKind
    severity: Severity
    message: str
    child_id: str
    event: str | None
    obligation: str | None
    at: datetime | None  # None when the event it is about has only a date (on)
    on: date  # the local date of at, or the event's date
    citation: ResultCitation | None
    basis: DeadlineBasis = "source"  # a lateness finding's deadline basis; checks: source
    parameter: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        """Stable within an evaluation: ``rule/trigger event/kind``. For a lateness finding
        that is its obligation's id and the kind (``.../ev-6/overdue``); for a check, the
        rule, the event checked and ``check``."""
        return f"{self.rule}/{self.trigger_event}/{self.kind}"

    @property
    def trigger_event(self) -> str:
        """The event the finding is about: the one checked, or the event that triggered the
        obligation that was late."""
        if self.obligation is not None:
            return self.obligation[len(self.rule) + 1 :]  # an obligation's id is rule/event
        return self.event or ""

    @property
    def source_file(self) -> str:
        """The file of the cited source ("" when the rule has no citation)."""
        return self.citation.file if self.citation else ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]


# Building results in bulk. A frozen dataclass's __init__ sets each field through
# object.__setattr__, a call per field; the evaluator's hot path makes tens of thousands
# of results. So it fills a plain object with the same slots (ordinary attribute stores,
# no call each) and then makes it the frozen class: CPython allows assigning __class__
# between classes whose instances have the same layout (same base, same slots in the same
# order), checked below. tests/test_fast_paths.py holds these to the dataclasses' own
# constructors.
class ObligationShell:
    __slots__ = Obligation.__slots__  # the same layout, on purpose


class _FindingShell:
    __slots__ = Finding.__slots__


assert ObligationShell.__slots__ == tuple(f.name for f in fields(Obligation))
assert _FindingShell.__slots__ == tuple(f.name for f in fields(Finding))


def new_obligation(
    id: str,  # the field's name
    rule: str,
    action: str,
    route: str | None,
    strength: Severity,
    responsible: str,
    copied_in: tuple[str, ...],
    child_id: str,
    triggered_by: tuple[str, ...],
    triggered_at: datetime | None,
    triggered_on: date,
    due: datetime | None,
    due_basis: str,
    due_case: str | None,
    basis: DeadlineBasis,
    parameter: str | None,
    status: Status,
    met_by: str | None,
    met_at: datetime | None,
    met_on: date | None,
    cancelled_by: str | None,
    escalation: Escalation | None,
    citation: ResultCitation | None,
) -> Obligation:
    """``Obligation(...)`` with the same fields (``missing`` and ``reason`` at their
    defaults), built without the frozen dataclass's per-field ``object.__setattr__``."""
    o: Any = ObligationShell()
    o.id = id
    o.rule = rule
    o.action = action
    o.route = route
    o.strength = strength
    o.responsible = responsible
    o.copied_in = copied_in
    o.child_id = child_id
    o.triggered_by = triggered_by
    o.triggered_at = triggered_at
    o.triggered_on = triggered_on
    o.due = due
    o.due_basis = due_basis
    o.due_case = due_case
    o.basis = basis
    o.parameter = parameter
    o.status = status
    o.met_by = met_by
    o.met_at = met_at
    o.met_on = met_on
    o.cancelled_by = cancelled_by
    o.escalation = escalation
    o.citation = citation
    o.missing = ()
    o.reason = None
    o.__class__ = Obligation  # filled: from now on frozen
    return o  # type: ignore[no-any-return]


def new_finding(
    rule: str,
    kind: FindingKind,
    severity: Severity,
    message: str,
    child_id: str,
    event: str | None,
    obligation: str | None,
    at: datetime | None,
    on: date,
    citation: ResultCitation | None,
    basis: DeadlineBasis,
    parameter: str | None,
) -> Finding:
    """``Finding(...)`` with the same fields, built as :func:`new_obligation` is."""
    f: Any = _FindingShell()
    f.rule = rule
    f.kind = kind
    f.severity = severity
    f.message = message
    f.child_id = child_id
    f.event = event
    f.obligation = obligation
    f.at = at
    f.on = on
    f.citation = citation
    f.basis = basis
    f.parameter = parameter
    f.__class__ = Finding
    return f  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Undetermined:
    """A check that cannot be evaluated: whether it applies, or whether the event meets
    it, depends on a value the records do not give. Never a finding."""

    rule: str
    severity: Severity
    child_id: str
    event: str
    at: datetime | None
    on: date
    missing: tuple[str, ...]
    reason: str
    citation: ResultCitation | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        """The id the check's finding would have (``rule/event/check``): stable, so a
        system keeping results can replace the row when later records settle it."""
        return f"{self.rule}/{self.event}/check"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind(self) -> Literal["check"]:
        """What could not be evaluated: always a check (obligations carry their own status)."""
        return "check"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Literal["cannot_evaluate"]:
        """Always ``cannot_evaluate``, as an obligation's status would say."""
        return "cannot_evaluate"

    @property
    def source_file(self) -> str:
        """The file of the cited source ("" when the rule has no citation)."""
        return self.citation.file if self.citation else ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input record that was not evaluated, and why."""

    where: str | None  # "events.jsonl:12" for a record that did not parse, else None
    event_id: str | None
    reason: str

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        who = f"event {self.event_id!r}: " if self.event_id else ""
        return f"{place}{who}{self.reason}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Account:
    """Every input record is either evaluated or rejected with its reason."""

    received: int
    evaluated: int
    rejected: tuple[Rejection, ...]
    # Obligations with status cannot_evaluate plus undetermined checks: outcomes that
    # depend on a value the records do not give.
    cannot_evaluate: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class PackStamp:
    """Which pack decided a result: its id, version and content hash."""

    id: str
    version: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class EngineStamp:
    """Which engine decided a result: the versions of safeguard-rules, of ``holidays`` and
    of the time-zone database it read (an IANA release such as ``2025b``).

    Deadlines depend on all three (``holidays`` corrects past dates between releases), so
    the same events under the same pack can give other results after an upgrade: this
    says so. Within one install, output is byte-identical from run to run.
    """

    safeguard_rules: str
    holidays: str
    tzdata: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What ``evaluate`` returns: obligations and findings in result order (by child,
    then time), the account of every input record, and what decided them."""

    pack: PackStamp
    as_of: datetime
    obligations: tuple[Obligation, ...]
    findings: tuple[Finding, ...]
    account: Account
    engine: EngineStamp
    undetermined: tuple[Undetermined, ...] = ()  # checks that cannot be evaluated

    @computed_field  # type: ignore[prop-decorator]
    @property
    def format(self) -> Literal["safeguard-rules/evaluation/1"]:
        """The JSON document's format and its version (docs/output.md)."""
        return EVALUATION_FORMAT

    def obligation(self, obligation_id: str) -> Obligation:
        for obligation in self.obligations:
            if obligation.id == obligation_id:
                return obligation
        raise UnknownObligationError(f"no obligation {obligation_id!r} in this evaluation")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]

    def to_json(self) -> str:
        """Byte-stable JSON: the same input gives the same text on any machine with the
        same engine (see :class:`EngineStamp`)."""
        return _wire.document(self)

    def to_records(self, events: Iterable[BaseEvent] | None = None) -> list[dict[str, Any]]:
        """One flat dict per obligation, finding and check that cannot be evaluated
        (``RECORD_COLUMNS``, in order), child by child, for ``pandas.DataFrame(...)`` or
        ``polars.DataFrame(...)``: the rows ``evaluate --format csv`` writes, with instants
        as datetimes, local days as dates and absent values as None.

        Given the evaluated ``events``, ``source_record`` holds each trigger event's
        ``attributes.source_record`` (what an importer read it from); docs/output.md lists
        the join keys.
        """
        sources = source_records(events) if events is not None else None
        return [dict(zip(RECORD_COLUMNS, row, strict=True)) for row in result_rows(self, sources)]

    def write_json(self, out: IO[bytes]) -> None:
        """Write exactly ``to_json()``'s UTF-8 bytes to the binary file ``out``, encoding the
        long lists a batch at a time instead of building the whole text in memory."""
        account = replace(self.account, rejected=())
        skeleton = replace(self, obligations=(), findings=(), undetermined=(), account=account)
        _wire.write_document(
            out,
            skeleton,
            {
                ("obligations",): _wire.items(Obligation, self.obligations),
                ("findings",): _wire.items(Finding, self.findings),
                ("undetermined",): _wire.items(Undetermined, self.undetermined),
                ("account", "rejected"): _wire.items(Rejection, self.account.rejected),
            },
        )


@dataclass(frozen=True, slots=True)
class LinesSummary:
    """The last record of results written as JSON Lines (``"record": "account"``): what
    decided them, and the account's counts (each rejection has a record of its own)."""

    pack: PackStamp
    engine: EngineStamp
    as_of: datetime
    received: int
    evaluated: int
    rejected: int
    cannot_evaluate: int = 0  # as in the account: outcomes that cannot be evaluated

    @computed_field  # type: ignore[prop-decorator]
    @property
    def format(self) -> Literal["safeguard-rules/evaluation-lines/1"]:
        """The JSON Lines output's format and its version (docs/output.md)."""
        return LINES_FORMAT


class Deferred:
    """Results an evaluation builds when they are first read: ``build()`` gives the tuple.

    ``evaluate`` leaves lateness findings (one per overdue or late obligation, made from
    the obligation alone) to be built on first reading :attr:`Evaluation.findings`: a
    caller that reads only obligations (a pipeline that wants the actions) does not pay
    for the findings' objects and messages. Nothing else differs: the value read is the
    tuple the evaluation would have held, built once and then kept.
    """

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], tuple[Any, ...]]) -> None:
        self.build = build


class _BuiltOnRead:
    """Evaluation's ``findings`` slot: holds the tuple, or a :class:`Deferred` that is
    built (and put in its place) when first read. Every reader goes through here (the
    dataclass's own ``__eq__``, ``__repr__``, ``__getstate__`` and ``replace`` read with
    getattr, as do the JSON writers), so no one sees the Deferred."""

    __slots__ = ("_slot",)

    def __init__(self, slot: Any) -> None:
        self._slot = slot  # the class's member descriptor for the field

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self._slot  # on the class, as before (dataclass and pydantic look there)
        value = self._slot.__get__(obj, owner)
        if type(value) is Deferred:
            value = value.build()
            self._slot.__set__(obj, value)
        return value

    def __set__(self, obj: object, value: Any) -> None:
        self._slot.__set__(obj, value)  # the frozen class's __init__ sets fields so

    def __delete__(self, obj: object) -> None:
        self._slot.__delete__(obj)


Evaluation.findings = _BuiltOnRead(Evaluation.__dict__["findings"])  # type: ignore[assignment,misc]


RECORD_OBLIGATION: Final = "obligation"
RECORD_FINDING: Final = "finding"
RECORD_UNDETERMINED: Final = "undetermined"  # a check that cannot be evaluated

# --- results as rows (to_records; CSV and JSON Lines in _records) ---------------------------

# The columns, in order. docs/output.md says what each holds.
RECORD_COLUMNS: Final = (
    "record",
    "id",
    "child_id",
    "trigger_event",
    "source_record",
    "rule",
    "status",
    "kind",
    "severity",
    "basis",
    "parameter",
    "action",
    "route",
    "responsible",
    "copied_in",
    "triggered_by",
    "triggered_at",
    "due",
    "due_basis",
    "due_case",
    "met_by",
    "met_at",
    "cancelled_by",
    "escalation_action",
    "escalation_responsible",
    "obligation",
    "event",
    "at",
    "message",
    "citation_source",
    "citation_file",
    "citation_quote",
    "pack_id",
    "pack_version",
    "pack_content_hash",
    "as_of",
    # Added with date-only records and unknown values (issue 10): after the first columns,
    # so that readers of those keep working.
    "triggered_on",
    "met_on",
    "on",
    "missing",
    "reason",
)
LIST_SEPARATOR: Final = " "  # ids in one cell (copied_in, triggered_by): no id holds a space

Row = tuple[Any, ...]
Moment = Callable[[datetime | None], Any]


def _keep(value: datetime | None) -> datetime | None:
    return value


def instant_text(value: datetime | None) -> str | None:
    return None if value is None else _wire.instant(value)


def source_records(events: Iterable[BaseEvent]) -> dict[str, str]:
    """Event id -> ``attributes.source_record`` of every event that has one (as text)."""
    found: dict[str, str] = {}
    for event in events:
        record = event.attributes.get("source_record")
        if record is not None:
            found[event.id] = str(record)
    return found


def result_rows(
    evaluation: Evaluation,
    sources: Mapping[str, str] | None = None,
    moment: Moment = _keep,
) -> Iterator[Row]:
    """The rows of ``evaluation``, child by child (in result order): each child's
    obligations, then its findings, then its checks that cannot be evaluated, so that rows
    written one child at a time (``--stream``) are the same. ``sources`` maps event ids to
    their source records; ``moment`` writes instants (kept as datetimes by default)."""
    sources = sources or {}
    pack = evaluation.pack
    tail = (pack.id, pack.version, pack.content_hash, moment(evaluation.as_of))
    obligations, findings = evaluation.obligations, evaluation.findings
    undetermined = evaluation.undetermined
    i = j = k = 0
    while i < len(obligations) or j < len(findings) or k < len(undetermined):
        # Each list is ordered by child id first: take the smallest child's results.
        child = min(
            items[n].child_id
            for items, n in ((obligations, i), (findings, j), (undetermined, k))
            if n < len(items)
        )
        while i < len(obligations) and obligations[i].child_id == child:
            yield _obligation_row(obligations[i], sources, moment, tail)
            i += 1
        while j < len(findings) and findings[j].child_id == child:
            yield _finding_row(findings[j], sources, moment, tail)
            j += 1
        while k < len(undetermined) and undetermined[k].child_id == child:
            yield _undetermined_row(undetermined[k], sources, moment, tail)
            k += 1


def _obligation_row(o: Obligation, sources: Mapping[str, str], moment: Moment, tail: Row) -> Row:
    trigger = o.id[len(o.rule) + 1 :]  # the id is rule/trigger event
    escalation = o.escalation
    citation = o.citation
    return (
        RECORD_OBLIGATION,
        o.id,
        o.child_id,
        trigger,
        sources.get(trigger),
        o.rule,
        o.status,
        None,
        o.strength,
        o.basis,
        o.parameter,
        o.action,
        o.route,
        o.responsible,
        LIST_SEPARATOR.join(o.copied_in),
        LIST_SEPARATOR.join(o.triggered_by),
        moment(o.triggered_at),
        moment(o.due),
        o.due_basis,
        o.due_case,
        o.met_by,
        moment(o.met_at),
        o.cancelled_by,
        None if escalation is None else escalation.action,
        None if escalation is None else escalation.responsible,
        None,
        None,
        None,
        None,
        None if citation is None else citation.source,
        None if citation is None else citation.file,
        None if citation is None else citation.quote,
        *tail,
        o.triggered_on,
        o.met_on,
        None,
        LIST_SEPARATOR.join(o.missing),
        o.reason,
    )


def _finding_row(f: Finding, sources: Mapping[str, str], moment: Moment, tail: Row) -> Row:
    trigger = f.trigger_event
    citation = f.citation
    return (
        RECORD_FINDING,
        f.id,
        f.child_id,
        trigger,
        sources.get(trigger),
        f.rule,
        None,
        f.kind,
        f.severity,
        f.basis,
        f.parameter,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        f.obligation,
        f.event,
        moment(f.at),
        f.message,
        None if citation is None else citation.source,
        None if citation is None else citation.file,
        None if citation is None else citation.quote,
        *tail,
        None,
        None,
        f.on,
        None,
        None,
    )


def _undetermined_row(
    u: Undetermined, sources: Mapping[str, str], moment: Moment, tail: Row
) -> Row:
    citation = u.citation
    return (
        RECORD_UNDETERMINED,
        u.id,
        u.child_id,
        u.event,
        sources.get(u.event),
        u.rule,
        "cannot_evaluate",
        "check",
        u.severity,
        "source",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        u.event,
        moment(u.at),
        None,
        None if citation is None else citation.source,
        None if citation is None else citation.file,
        None if citation is None else citation.quote,
        *tail,
        None,
        None,
        u.on,
        LIST_SEPARATOR.join(u.missing),
        u.reason,
    )
