"""Why an obligation exists, when it is due, and what its status rests on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from pydantic import Field, PlainSerializer, computed_field

from . import _wire
from ._compile import CompiledPack, CompiledRequirement
from ._errors import UnknownObligationError
from ._events import BaseEvent
from ._pack import Citation, DeadlineBasis, DueFrom
from ._result import Obligation, Status, cite, iso
from ._stream import as_stream
from ._wording import threshold

EXPLANATION_FORMAT: Final = "safeguard-rules/explanation/1"


def _obligation_id(obligation: Obligation) -> str:
    return obligation.id


@dataclass(frozen=True, slots=True)
class ExplainedCitation:
    """The sentence an explained obligation rests on."""

    source: str  # "source_id (file)"
    quote: str


@dataclass(frozen=True)
class Explanation:
    """Why an obligation exists, how its deadline was worked out, what its status rests on.

    In JSON the obligation is named by its id, beside its rule, basis, parameter and status.
    """

    obligation: Annotated[Obligation, PlainSerializer(_obligation_id, return_type=str)]
    rule_title: str
    trigger: str
    events: tuple[str, ...]
    deadline_cases: tuple[str, ...]
    deadline_steps: tuple[str, ...]
    status_reason: str
    quote: Annotated[str | None, Field(exclude=True)]  # None for a draft rule (no citation)
    source: Annotated[str | None, Field(exclude=True)]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def format(self) -> Literal["safeguard-rules/explanation/1"]:
        """The JSON document's format and its version (docs/output.md)."""
        return EXPLANATION_FORMAT

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rule(self) -> str:
        return self.obligation.rule

    @computed_field  # type: ignore[prop-decorator]
    @property
    def basis(self) -> DeadlineBasis:
        return self.obligation.basis

    @computed_field  # type: ignore[prop-decorator]
    @property
    def parameter(self) -> str | None:
        return self.obligation.parameter

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Status:
        return self.obligation.status

    @computed_field  # type: ignore[prop-decorator]
    @property
    def citation(self) -> ExplainedCitation | None:
        if self.quote is None:
            return None
        return ExplainedCitation(self.source or "", self.quote)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]

    def to_json(self) -> str:
        """The JSON document (indented, keys sorted, a final newline)."""
        return _wire.document(self)

    def text(self) -> str:
        o = self.obligation
        lines = [
            f"obligation {o.id}",
            f"  rule      {o.rule}: {self.rule_title} ({o.strength})",
            f"  action    {o.action} by {o.responsible}"
            + (f", copying in {', '.join(o.copied_in)}" if o.copied_in else ""),
            f"  trigger   {self.trigger}",
            "  events",
            *(f"    {e}" for e in self.events),
            "  deadline",
            *(f"    {c}" for c in self.deadline_cases),
            *((f"    basis: {_BASIS_TEXT[o.basis]}",) if o.basis != "source" else ()),
            *(f"    - {s}" for s in self.deadline_steps),
            f"  status    {o.status}: {self.status_reason}",
            *(
                (f"  source    {self.source}", f'            "{self.quote}"')
                if self.quote is not None
                else ("  source    none: the rule has no citation (a draft)",)
            ),
        ]
        return "\n".join(lines) + "\n"


_BASIS_TEXT = {
    "source": "the source's own timescale",
    "local_default": "a LOCAL DEFAULT chosen by the pack where the source gives no timescale",
    "local_override": "a LOCAL OVERRIDE set when the pack was loaded",
}


def explain(
    pack: CompiledPack, obligation: Obligation, events: Iterable[BaseEvent] = ()
) -> Explanation:
    """Recompute ``obligation``'s deadline step by step and say what its status rests on.

    Raises UnknownObligationError when ``pack`` did not make ``obligation``: another pack, or
    another version sharing the rule's id (the rule's action, role or citation differ)."""
    compiled = next((c for c in pack.rules if c.rule.id == obligation.rule), None)
    route = (
        next((r for r in compiled.routes if r.name == obligation.route and r.requirement), None)
        if compiled
        else None
    )
    if compiled is not None and route is None and obligation.status == "cannot_evaluate":
        # An obligation whose route is not known names none: explain the first that owes one.
        route = next((r for r in compiled.routes if r.requirement is not None), None)
    if compiled is None or route is None or route.requirement is None:
        raise UnknownObligationError(
            f"obligation {obligation.id!r} was not made by pack {pack.id!r} (version "
            f"{pack.version}): it has no rule {obligation.rule!r}"
            + (f" with route {obligation.route!r}" if obligation.route else "")
            + " that requires an action; explain it with the pack that evaluated it"
        )
    rule = compiled.rule
    requirement = route.requirement
    if not _made_by(pack, requirement, route.citation, obligation):
        # Another version of the pack may share the rule's id: explaining its obligation
        # here would tell this pack's story beside the other pack's quote and deadline.
        raise UnknownObligationError(
            f"obligation {obligation.id!r} was not made by pack {pack.id!r} (version "
            f"{pack.version}): its rule {obligation.rule!r} here has another action, "
            "responsible role or citation; explain it with the pack that evaluated it"
        )
    by_id = {e.id: e for e in as_stream(events).events}

    trigger = f"{rule.when.event}"
    if rule.when.count is not None:
        count = rule.when.count
        window = f" within {count.within.describe()}" if count.within else ""
        trigger += f", counted: fires on {threshold(count)}{window} ({count.repeat})"
    if obligation.route is not None:
        trigger += f"; route {obligation.route!r}"
    triggers = list(obligation.triggered_by)
    listed = []
    start = requirement.spec.due_from
    if start is not None:
        # due_from: the first listed event is the earlier one the deadline counts from.
        words = _clock_words(
            start,
            by_id.get(triggers[-1]),
            triggers[0],
            len(triggers) == 1,
            _bound_words(pack, requirement, start),
        )
        trigger += f"; the deadline counts from {words}"
        listed.append(_describe(triggers.pop(0), by_id, "clock from"))
    listed += [_describe(i, by_id, "trigger") for i in triggers]
    if obligation.met_by:
        listed.append(_describe(obligation.met_by, by_id, "met by"))
    if obligation.cancelled_by:
        listed.append(_describe(obligation.cancelled_by, by_id, "cancelled by"))

    cases, steps = _deadline(pack, requirement, obligation)
    return Explanation(
        obligation=obligation,
        rule_title=rule.title,
        trigger=trigger,
        events=tuple(listed),
        deadline_cases=tuple(cases),
        deadline_steps=tuple(steps),
        status_reason=_status_reason(obligation),
        quote=obligation.citation.quote if obligation.citation else None,
        source=f"{obligation.citation.source} ({obligation.source_file})"
        if obligation.citation
        else None,
    )


def _bound_words(pack: CompiledPack, requirement: CompiledRequirement, start: DueFrom) -> str:
    """named_by's within in words, with its parameter ('' when unbounded)."""
    within = start.named_within
    if within is None or requirement.anchor is None:
        return ""
    bound = pack.anchors[requirement.anchor].bound
    words = within.describe() if bound is None else bound.describe()
    return words if within.parameter is None else f"{words} (parameter {within.parameter})"


def _clock_words(
    start: DueFrom, trigger: BaseEvent | None, clock: str, own: bool, bound: str = ""
) -> str:
    """Which earlier event the clock ran from, and the clause of due_from that chose it:
    with named_by, whether ``trigger`` (None: not among the events given) named the
    ``clock`` event or left the choice to ``otherwise`` (``own``: counted from itself),
    and whether named_by's within (``bound``, in words) set the named event aside."""
    field = start.named_field
    if field is not None:
        otherwise = start.otherwise
        named = None if trigger is None else getattr(trigger, field, None)
        if otherwise is None or trigger is None or (not own and named == clock):
            return (
                f"the {start.event} the trigger names in {field} (due_from named_by: the "
                "record links the trigger to it)"
            )
        unnamed = f"as the trigger names no {start.event} in {field}"
        if isinstance(named, str):
            unnamed = (
                f"as the {start.event} the trigger names in {field}, {named}, is further "
                f"back than {bound} (named_by's within set the link aside)"
            )
        if otherwise.latest_within is None:
            return f"{_run_words(start)}, {unnamed} (due_from named_by's otherwise: earliest_since)"
        window = otherwise.latest_within.describe()
        if own:
            return (
                f"the trigger itself, {unnamed} and none came within {window} before it "
                "(due_from named_by's otherwise: latest_within)"
            )
        return (
            f"the latest {start.event} within {window} before the trigger, {unnamed} "
            "(due_from named_by's otherwise: latest_within)"
        )
    if start.earliest_since is not None:
        later = f"a later {start.event} cannot restart it"
        return f"{_run_words(start)} (due_from earliest_since: {later})"
    return f"the latest earlier {start.event}"


def _run_words(start: DueFrom) -> str:
    return (
        f"the earliest {start.event} since the last {start.closing_words()} before "
        f"the trigger{start.provisional_words()}"
    )


def _made_by(
    pack: CompiledPack,
    requirement: CompiledRequirement,
    citation: Citation | None,
    obligation: Obligation,
) -> bool:
    """Whether ``obligation`` can come from this route: same action and role, and a citation
    the route or one of its deadline cases gives, from the same source file."""
    spec = requirement.spec
    cases = requirement.due.cases if requirement.due is not None else ()
    # As results carry them: with the source's file, so another version's file differs.
    citations = [cite(c, pack.source_files) for c in (citation, *(c.citation for c in cases))]
    return (spec.action, spec.responsible) == (
        obligation.action,
        obligation.responsible,
    ) and obligation.citation in citations


def _describe(event_id: str, by_id: dict[str, BaseEvent], role: str) -> str:
    event = by_id.get(event_id)
    if event is None:
        return f"{role}: {event_id}"
    when = f"at {iso(event.at)}" if event.at is not None else f"on {event.on} (date only)"
    return f"{role}: {event_id} {event.type} {when}"  # type: ignore[attr-defined]


def _deadline(
    pack: CompiledPack, requirement: CompiledRequirement, obligation: Obligation
) -> tuple[list[str], list[str]]:
    due = requirement.due
    if due is None:
        return ["the source sets no timescale: no deadline"], []
    cases: list[str] = []
    chosen = None
    for case in due.cases:
        hit = chosen is None and obligation.due_basis in (case.basis, case.own_basis)
        if hit:
            chosen = case
        cases.append(f"{'->' if hit else '  '} {case.basis}")
    if len(cases) > 1:
        cases.insert(
            0, "decision table (hit policy: first match); '->' marks the case that applied"
        )
    if chosen is None:
        return cases, []
    calendar = pack.calendar
    if obligation.triggered_at is not None:
        deadline = calendar.deadline(chosen.within, obligation.triggered_at, trace=True)
        return cases, [step.text for step in deadline.steps]
    day = obligation.triggered_on
    if chosen.within.kind in ("hours", "office_hours"):
        return cases, [
            f"trigger on {day} (date only): an {chosen.within.describe()} deadline from a "
            "time on that day is not known to the instant (docs/deadlines.md)"
        ]
    # A day-based deadline is the same from any time of the day: count from its end.
    deadline = calendar.deadline(chosen.within, calendar.end_of_day(day), trace=True)
    steps = [step.text for step in deadline.steps]
    steps[0] = f"trigger on {day} (date only); local date {day}"
    return cases, steps


def _status_reason(o: Obligation) -> str:
    due = iso(o.due) if o.due else None
    met = f"at {iso(o.met_at)}" if o.met_at is not None else f"on {o.met_on}"
    if o.status == "cannot_evaluate":
        return f"{o.reason} (missing: {', '.join(o.missing) or '-'})"
    if o.status == "cancelled":
        return f"cancelled by {o.cancelled_by}"
    if o.status == "met":
        return f"met by {o.met_by} {met}" + (f", by the deadline {due}" if due else "")
    if o.status == "met_late":
        return f"met by {o.met_by} {met}, after the deadline {due}"
    if o.status == "overdue":
        text = f"nothing satisfied it by the deadline {due}"
        if o.escalation:
            text += f"; escalate: {o.escalation.action} by {o.escalation.responsible}"
            if o.escalation.onward:
                text += f", then {' -> '.join(o.escalation.onward)} ({o.escalation.path})"
        return text
    return f"not yet met; due {due}" if due else "not yet met; no deadline"
