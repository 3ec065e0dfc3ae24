"""Building results: obligations and findings, the same way for every walk.

The evaluator walks a child's events on one of two paths (``_evaluate``: every record has
a time and every value; ``_uncertain``: some records have only a date or list unknown
values); both decide a status and build their results here, so the results have one shape.
"""

from __future__ import annotations

from datetime import date, datetime

from ._compile import CompiledPack, CompiledRequirement, CompiledRoute, CompiledRule, DueCase
from ._events import BaseEvent
from ._pack import Escalation as EscalationSpec
from ._result import (
    Escalation,
    Finding,
    Obligation,
    Severity,
    Status,
    cite,
    new_finding,
    render_message,
)

NO_TIMESCALE = "no timescale in the source"


def obligation(
    pack: CompiledPack,
    compiled: CompiledRule,
    route: CompiledRoute,
    requirement: CompiledRequirement,
    trigger: BaseEvent,
    triggered_by: tuple[str, ...],
    triggered_on: date,
    due: datetime | None,
    deciding: DueCase | None,
    status: Status,
    met_by: BaseEvent | None,
    met_on: date | None,
    cancelled_by: BaseEvent | None,
    *,
    due_basis: str | None = None,
    action: str | None = None,
    route_name: str | None = None,
    missing: tuple[str, ...] = (),
    reason: str | None = None,
    clock: BaseEvent | None = None,
    strength: Severity | None = None,
) -> Obligation:
    """An obligation; the keyword arguments override what the route and case would say
    (for an outcome that cannot be evaluated, where they are not known; ``strength``: the
    weakest of the deadline cases that may apply, when the records leave it open)."""
    req = requirement.spec
    escalation = None
    if status == "overdue" and req.escalation is not None:
        escalation = escalation_of(pack, req.escalation)
    rule = compiled.rule
    citation = (deciding.citation if deciding else None) or route.citation
    strength = strength or (deciding.strength if deciding else None) or route.strength
    cases = requirement.due.cases if requirement.due is not None else ()
    return Obligation(
        id=f"{rule.id}/{trigger.id}",
        rule=rule.id,
        action=action or req.action,
        route=route_name if action is not None else route.name,
        strength=strength,
        responsible=req.responsible,
        copied_in=tuple(req.copied_in),
        child_id=trigger.child_id,
        triggered_by=triggered_by,
        triggered_at=(clock or trigger).at,
        triggered_on=triggered_on,
        due=due,
        due_basis=due_basis or (deciding.basis if deciding else NO_TIMESCALE),
        due_case=deciding.label if deciding and len(cases) > 1 else None,
        basis=requirement.due.basis if requirement.due is not None else "source",
        parameter=requirement.due.parameter if requirement.due is not None else None,
        status=status,
        met_by=met_by.id if met_by is not None else None,
        met_at=met_by.at if met_by is not None else None,
        met_on=met_on,
        cancelled_by=cancelled_by.id if cancelled_by is not None else None,
        escalation=escalation,
        citation=cite(citation, pack.source_files),
        missing=missing,
        reason=reason,
    )


def escalation_of(pack: CompiledPack, spec: EscalationSpec) -> Escalation:
    """The escalation of an overdue obligation, with who comes next along its path."""
    path = pack.pack.escalation_paths.get(spec.path) if spec.path else None
    onward = path.chain_from(spec.responsible) if path else ()
    return Escalation(spec.action, spec.responsible, tuple(spec.copied_in), spec.path, onward)


def check_finding(
    pack: CompiledPack, compiled: CompiledRule, event: BaseEvent, on: date
) -> Finding:
    rule = compiled.rule
    return Finding(
        rule=rule.id,
        kind="check",
        severity=rule.strength,
        message=render_message(rule.message or "", event),
        child_id=event.child_id,
        event=event.id,
        obligation=None,
        at=event.at,
        on=on,
        citation=cite(rule.citation, pack.source_files),
    )


def lateness_finding(
    pack: CompiledPack,
    obligation: Obligation,
    latest_due: datetime | None = None,
) -> Finding:
    """The finding of an overdue or late obligation. ``latest_due`` is the latest the
    deadline can be when it is not known to the instant (a trigger with only a date and an
    hours deadline): the obligation is overdue or late whichever it is.

    The fast walk makes the same findings with its own copy, ``_evaluate._lateness`` (which
    shares deadline texts between findings); a change here is made there too
    (tests/test_fast_paths.py fails while they differ)."""
    # Deadlines are made in the pack's zone already; a latest one is in UTC.
    due_at = obligation.due
    if due_at is None and latest_due is not None:
        due_at = latest_due.astimezone(pack.calendar.tz)
    due = "?" if due_at is None else due_at.isoformat(timespec="minutes")
    if obligation.due is None and due_at is not None:
        due = f"{due} at the latest"
    if obligation.status == "met_late":
        assert obligation.met_on is not None
        met = (
            f"at {obligation.met_at.isoformat(timespec='minutes')}"
            if obligation.met_at is not None
            else f"on {obligation.met_on.isoformat()}"
        )
        message = late_message(obligation.action, due, obligation.due_basis, met)
        at, on = obligation.met_at, obligation.met_on
    else:
        message = late_message(obligation.action, due, obligation.due_basis, None)
        assert due_at is not None
        at, on = due_at, due_at.date()
    return new_finding(  # Finding(...), built for bulk (_result)
        obligation.rule,
        obligation.status,  # type: ignore[arg-type]
        lateness_severity(obligation.strength, obligation.basis),
        message,
        obligation.child_id,
        obligation.met_by,
        obligation.id,
        at,
        on,
        obligation.citation,
        obligation.basis,
        obligation.parameter,
    )


def late_message(action: str, due: str, due_basis: str, met: str | None) -> str:
    """A lateness finding's message: ``met`` is when a late obligation was met ("at
    2024-05-03T10:00+01:00"), None for one still overdue."""
    if met is None:
        return f"{action} was due by {due} ({due_basis}) and is overdue"
    return f"{action} was due by {due} ({due_basis}) and was met late, {met}"


def lateness_severity(strength: Severity, basis: str) -> Severity:
    """A deadline the source does not give cannot make a "must" breach (principle 4)."""
    return "should" if basis != "source" and strength == "must" else strength
