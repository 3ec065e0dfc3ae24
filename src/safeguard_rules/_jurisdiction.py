"""Evaluating a stream under a jurisdiction's versions, each on the days it is in force.

The whole stream is evaluated under every version (so counts and case facts see the
child's full history, whatever the version), then:

* an obligation is kept under the version in force on its trigger's local date, in that
  version's time zone;
* a check finding is kept under the version in force on its event's local date;
* a lateness finding (overdue, met late) goes with its obligation.

What falls on a day no version covers is reported as uncovered, never dropped silently.
Every event is still evaluated or rejected: the account is shared by all versions.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Annotated, Any, Final, Literal

from pydantic import Field, computed_field

from . import _wire
from ._compile import CompiledPack, compile_pack
from ._document import read_document
from ._errors import ArgumentError
from ._evaluate import as_of_instant, evaluate
from ._events import BaseEvent
from ._registry import Registry, discover_packs
from ._result import (
    Account,
    EngineStamp,
    Evaluation,
    Finding,
    Obligation,
    PackStamp,
    Rejection,
)
from ._stream import EventStream, as_stream
from ._vocabulary import Vocabulary, combined

UncoveredKind = Literal["obligation", "check", "overdue", "met_late"]
JURISDICTION_FORMAT: Final = "safeguard-rules/jurisdiction-evaluation/1"


@dataclass(frozen=True)
class InForce:
    """A compiled version and the days it decides: ``start`` to ``end`` inclusive."""

    pack: CompiledPack
    start: date
    end: date | None  # None: open-ended

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Jurisdiction:
    """A jurisdiction's versions, compiled, with the periods each is in force."""

    name: str
    periods: tuple[InForce, ...]

    def __post_init__(self) -> None:
        for earlier, later in zip(self.periods, self.periods[1:], strict=False):
            if earlier.end is None or later.start <= earlier.end:
                raise ArgumentError("periods must be in date order and must not overlap")

    @property
    def packs(self) -> tuple[CompiledPack, ...]:
        """Each version once, in the order of its first period."""
        seen: list[CompiledPack] = []
        for period in self.periods:
            if all(period.pack is not p for p in seen):
                seen.append(period.pack)
        return tuple(seen)

    @property
    def vocabulary(self) -> Vocabulary:
        """A vocabulary that reads the events of every version (their declarations joined);
        raises ValueError when two versions declare one name differently."""
        return combined(p.vocabulary for p in self.packs)

    def pack_on(self, day: date) -> CompiledPack | None:
        """The version in force on ``day``, or None on a day no version covers."""
        i = bisect.bisect_right([p.start for p in self.periods], day) - 1
        if i >= 0 and self.periods[i].covers(day):
            return self.periods[i].pack
        return None


def load_jurisdiction(
    name: str,
    *,
    parameters: Mapping[str, Any] | None = None,
    registry: Registry | None = None,
) -> Jurisdiction:
    """Compile every version of ``name`` the registry has, with the days each decides.

    ``parameters`` overrides a parameter in each version that has it; a name no version
    has is reported by the latest version, as load_pack would. Raises PackNotFoundError
    (PackSelectionError where versions overlap), or PackError.
    """
    registry = registry or discover_packs()
    periods = registry.periods(name)
    compiled: dict[Path, CompiledPack] = {}
    for period in periods:
        path = period.version.entry.path
        if path not in compiled:
            compiled[path] = compile_pack(read_document(path, registry.resolve_base))
    overrides = dict(parameters or {})
    if overrides and periods:
        unknown = set(overrides).difference(*(p.parameters for p in compiled.values()))
        latest = periods[-1].version.entry.path
        for path, pack in compiled.items():
            own = {k: v for k, v in overrides.items() if k in pack.parameters}
            if path == latest:
                own.update({k: overrides[k] for k in unknown})  # so its error names them
            if own:
                compiled[path] = compile_pack(read_document(path, registry.resolve_base), own)
    return Jurisdiction(
        name, tuple(InForce(compiled[p.version.entry.path], p.start, p.end) for p in periods)
    )


@dataclass(frozen=True, slots=True)
class PeriodStamp:
    pack: PackStamp
    start: date
    end: date | None


@dataclass(frozen=True, slots=True)
class Uncovered:
    """An obligation or finding dated on a day no version of the jurisdiction covers."""

    kind: UncoveredKind
    id: str  # the obligation's id; rule/event for a check finding
    child_id: str
    day: Annotated[date, Field(serialization_alias="date")]
    packs: tuple[str, ...]  # the versions whose evaluation gave it

    def __str__(self) -> str:
        what = "obligation" if self.kind == "obligation" else f"{self.kind} finding"
        return f"{what} {self.id} of {self.child_id} on {self.day}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class DaysInForce:
    """The days a version decides, ``from`` to ``to`` inclusive (``to`` null: open-ended)."""

    start: Annotated[date, Field(serialization_alias="from")]
    end: Annotated[date | None, Field(serialization_alias="to")]


@dataclass(frozen=True, slots=True)
class VersionInForce:
    """A version of the jurisdiction's pack, and the periods it is in force."""

    id: str
    version: str
    content_hash: str
    in_force: tuple[DaysInForce, ...]


@dataclass(frozen=True, slots=True)
class DecidedObligation(Obligation):
    """An obligation with the id of the version that decided it."""

    pack: str = field(kw_only=True)


@dataclass(frozen=True, slots=True)
class DecidedFinding(Finding):
    """A finding with the id of the version that decided it."""

    pack: str = field(kw_only=True)


def _decided(cls: Any, item: Any, pack: str) -> Any:
    return cls(**{f.name: getattr(item, f.name) for f in fields(item)}, pack=pack)


@dataclass(frozen=True)
class JurisdictionEvaluation:
    """Each version's obligations and findings on the days it decides; what none covers.

    In JSON, ``packs`` lists each version with the days it is in force, and every
    obligation and finding carries the id of the version that decided it (``pack``).
    """

    jurisdiction: str
    as_of: datetime
    periods: Annotated[tuple[PeriodStamp, ...], Field(exclude=True)]
    # One per version, holding only what that version decides.
    parts: Annotated[tuple[Evaluation, ...], Field(exclude=True)]
    uncovered: tuple[Uncovered, ...]
    account: Account

    @computed_field  # type: ignore[prop-decorator]
    @property
    def format(self) -> Literal["safeguard-rules/jurisdiction-evaluation/1"]:
        """The JSON document's format and its version (docs/output.md)."""
        return JURISDICTION_FORMAT

    @computed_field  # type: ignore[prop-decorator]
    @property
    def engine(self) -> EngineStamp:
        """The engine that decided every version's results (the same for all)."""
        return self.parts[0].engine

    @computed_field  # type: ignore[prop-decorator]
    @property
    def packs(self) -> tuple[VersionInForce, ...]:
        """Each version, with the periods it decides."""
        return tuple(
            VersionInForce(
                part.pack.id,
                part.pack.version,
                part.pack.content_hash,
                tuple(DaysInForce(p.start, p.end) for p in self.periods if p.pack == part.pack),
            )
            for part in self.parts
        )

    @computed_field(alias="obligations")  # type: ignore[prop-decorator]
    @property
    def decided_obligations(self) -> tuple[DecidedObligation, ...]:
        """Every obligation kept, with the version that decided it, in output order."""
        return tuple(self._decided_obligations())

    @computed_field(alias="findings")  # type: ignore[prop-decorator]
    @property
    def decided_findings(self) -> tuple[DecidedFinding, ...]:
        """Every finding kept, with the version that decided it, in output order."""
        return tuple(self._decided_findings())

    def obligations(self) -> list[tuple[PackStamp, Obligation]]:
        """Every obligation kept, with the version that decided it, in output order."""
        rows = [
            ((o.child_id, o.triggered_on, _instant(o.triggered_at), i, k), part.pack, o)
            for i, part in enumerate(self.parts)
            for k, o in enumerate(part.obligations)
        ]
        return [(stamp, o) for _key, stamp, o in sorted(rows, key=lambda r: r[0])]

    def findings(self) -> list[tuple[PackStamp, Finding]]:
        """Every finding kept, with the version that decided it, in output order."""
        rows = [
            ((f.child_id, f.on, _instant(f.at), i, k), part.pack, f)
            for i, part in enumerate(self.parts)
            for k, f in enumerate(part.findings)
        ]
        return [(stamp, f) for _key, stamp, f in sorted(rows, key=lambda r: r[0])]

    def _decided_obligations(self) -> Iterator[DecidedObligation]:
        for stamp, o in self.obligations():
            yield _decided(DecidedObligation, o, stamp.id)

    def _decided_findings(self) -> Iterator[DecidedFinding]:
        for stamp, f in self.findings():
            yield _decided(DecidedFinding, f, stamp.id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]

    def to_json(self) -> str:
        """Byte-stable JSON, stamped with every version's id, version and content hash."""
        return _wire.document(self)

    def write_json(self, out: IO[bytes]) -> None:
        """Write exactly ``to_json()``'s UTF-8 bytes to the binary file ``out``, encoding the
        long lists a batch at a time instead of building the whole text in memory."""
        skeleton = replace(
            self,
            parts=tuple(replace(p, obligations=(), findings=()) for p in self.parts),
            uncovered=(),
            account=replace(self.account, rejected=()),
        )
        _wire.write_document(
            out,
            skeleton,
            {
                ("obligations",): _wire.items(DecidedObligation, self._decided_obligations()),
                ("findings",): _wire.items(DecidedFinding, self._decided_findings()),
                ("uncovered",): _wire.items(Uncovered, self.uncovered),
                ("account", "rejected"): _wire.items(Rejection, self.account.rejected),
            },
        )


def evaluate_jurisdiction(
    jurisdiction: Jurisdiction | str,
    events: EventStream | Iterable[BaseEvent],
    as_of: datetime | date,
) -> JurisdictionEvaluation:
    """Evaluate ``events`` under each version of ``jurisdiction`` on the days it decides.

    A date ``as_of`` is the end of that local day in the first version's time zone."""
    if isinstance(jurisdiction, str):
        jurisdiction = load_jurisdiction(jurisdiction)
    if not jurisdiction.periods:
        raise ArgumentError(
            f"jurisdiction {jurisdiction.name!r} has no version in force on any day"
        )
    as_of = as_of_instant(jurisdiction.packs[0], as_of)
    stream = as_stream(events)
    parts: list[Evaluation] = []
    uncovered: dict[tuple[str, str], Uncovered] = {}
    for pack in jurisdiction.packs:
        whole = evaluate(pack, stream, as_of)
        parts.append(_decided_by(pack, whole, jurisdiction, uncovered))
    return JurisdictionEvaluation(
        jurisdiction.name,
        as_of,
        tuple(PeriodStamp(_stamp(p.pack), p.start, p.end) for p in jurisdiction.periods),
        tuple(parts),
        tuple(sorted(uncovered.values(), key=lambda u: (u.child_id, u.day, u.kind, u.id))),
        parts[0].account,  # every version accepts and rejects the same events
    )


def _stamp(pack: CompiledPack) -> PackStamp:
    return PackStamp(pack.id, pack.version, pack.content_hash)


def _decided_by(
    pack: CompiledPack,
    whole: Evaluation,
    jurisdiction: Jurisdiction,
    uncovered: dict[tuple[str, str], Uncovered],
) -> Evaluation:
    """``whole`` cut down to what ``pack`` decides; what no version covers goes to ``uncovered``."""

    def owner(day: date) -> tuple[date, CompiledPack | None]:
        return day, jurisdiction.pack_on(day)

    def note(kind: UncoveredKind, key: str, child_id: str, day: date) -> None:
        known = uncovered.get((kind, key))
        packs = (*known.packs, pack.id) if known else (pack.id,)
        uncovered[(kind, key)] = Uncovered(kind, key, child_id, known.day if known else day, packs)

    kept: list[Obligation] = []
    kept_ids: set[str] = set()
    days: dict[str, date] = {}
    for o in whole.obligations:
        day, decider = owner(o.triggered_on)
        days[o.id] = day
        if decider is pack:
            kept.append(o)
            kept_ids.add(o.id)
        elif decider is None:
            note("obligation", o.id, o.child_id, day)
    findings: list[Finding] = []
    for f in whole.findings:
        if f.kind == "check":
            day, decider = owner(f.on)
            if decider is pack:
                findings.append(f)
            elif decider is None:
                note("check", f"{f.rule}/{f.event}", f.child_id, day)
        elif f.obligation in kept_ids:
            findings.append(f)
        elif f.obligation is not None and f.obligation in days:
            day = days[f.obligation]
            if jurisdiction.pack_on(day) is None:
                note(f.kind, f.obligation, f.child_id, day)
    undetermined = tuple(u for u in whole.undetermined if jurisdiction.pack_on(u.on) is pack)
    return Evaluation(
        _stamp(pack),
        whole.as_of,
        tuple(kept),
        tuple(findings),
        whole.account,
        whole.engine,
        undetermined,
    )


_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


def _instant(at: datetime | None) -> datetime:
    """A sort key: an instant in UTC; a date-only one after the timed ones of its day."""
    return _END_OF_TIME if at is None else at.astimezone(UTC)
