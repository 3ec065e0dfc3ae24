"""What an evaluation returns: obligations, findings and an account of the input.

Plain frozen dataclasses; ``to_dict`` gives the stable JSON shape (keys sorted when
dumped, times in ISO 8601 with offsets) that importing systems rely on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ._errors import UnknownObligationError
from ._pack import TEMPLATE_FIELD as _TEMPLATE_FIELD  # the pack format owns the syntax
from ._pack import Citation, DeadlineBasis

Status = Literal["open", "met", "met_late", "overdue", "cancelled"]
Severity = Literal["must", "should", "advisory"]
FindingKind = Literal["check", "overdue", "met_late"]


def render_message(message: str, values: Any) -> str:
    """Fill ``{field}`` from ``values`` by plain lookup (never ``str.format``)."""

    def fill(match: re.Match[str]) -> str:
        value = getattr(values, match.group(1), None)
        if isinstance(value, bool):
            return "yes" if value else "no"  # for a reader, not Python's True/False
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value) or "(none)"
        return "(none)" if value is None else str(value)

    return _TEMPLATE_FIELD.sub(fill, message)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


def citation_dict(citation: Citation | None, source_file: str) -> dict[str, Any] | None:
    if citation is None:
        return None  # a draft rule without a citation; lint reports it
    out: dict[str, Any] = {"source": citation.source, "file": source_file, "quote": citation.quote}
    if citation.note:
        out["note"] = citation.note
    return out


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
    triggered_at: datetime
    due: datetime | None
    due_basis: str
    due_case: str | None  # label of the deadline-table case that decided ``due``
    basis: DeadlineBasis  # whether ``due`` is the source's, or a local default / override
    parameter: str | None  # the pack parameter ``due`` comes from, if any
    status: Status
    met_by: str | None
    met_at: datetime | None
    cancelled_by: str | None
    escalation: Escalation | None
    citation: Citation | None
    source_file: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "action": self.action,
            "route": self.route,
            "strength": self.strength,
            "responsible": self.responsible,
            "copied_in": list(self.copied_in),
            "child_id": self.child_id,
            "triggered_by": list(self.triggered_by),
            "triggered_at": iso(self.triggered_at),
            "due": iso(self.due),
            "due_basis": self.due_basis,
            "due_case": self.due_case,
            "basis": self.basis,
            "parameter": self.parameter,
            "status": self.status,
            "met_by": self.met_by,
            "met_at": iso(self.met_at),
            "cancelled_by": self.cancelled_by,
            "escalation": None
            if self.escalation is None
            else {
                "action": self.escalation.action,
                "responsible": self.escalation.responsible,
                "copied_in": list(self.escalation.copied_in),
                "path": self.escalation.path,
                "onward": list(self.escalation.onward),
            },
            "citation": citation_dict(self.citation, self.source_file),
        }


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
    at: datetime
    citation: Citation | None
    source_file: str
    basis: DeadlineBasis = "source"  # a lateness finding's deadline basis; checks: source
    parameter: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "severity": self.severity,
            "basis": self.basis,
            "parameter": self.parameter,
            "message": self.message,
            "child_id": self.child_id,
            "event": self.event,
            "obligation": self.obligation,
            "at": iso(self.at),
            "citation": citation_dict(self.citation, self.source_file),
        }


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
        return {"where": self.where, "event_id": self.event_id, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Account:
    """Every input record is either evaluated or rejected with its reason."""

    received: int
    evaluated: int
    rejected: tuple[Rejection, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "evaluated": self.evaluated,
            "rejected": [r.to_dict() for r in self.rejected],
        }


@dataclass(frozen=True, slots=True)
class PackStamp:
    id: str
    version: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    pack: PackStamp
    as_of: datetime
    obligations: tuple[Obligation, ...]
    findings: tuple[Finding, ...]
    account: Account

    def obligation(self, obligation_id: str) -> Obligation:
        for obligation in self.obligations:
            if obligation.id == obligation_id:
                return obligation
        raise UnknownObligationError(f"no obligation {obligation_id!r} in this evaluation")

    def to_dict(self) -> dict[str, Any]:
        return {
            "pack": {
                "id": self.pack.id,
                "version": self.pack.version,
                "content_hash": self.pack.content_hash,
            },
            "as_of": iso(self.as_of),
            "obligations": [o.to_dict() for o in self.obligations],
            "findings": [f.to_dict() for f in self.findings],
            "account": self.account.to_dict(),
        }

    def to_json(self) -> str:
        """Byte-stable JSON: the same input gives the same text on any machine."""
        return json.dumps(self.to_dict(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
