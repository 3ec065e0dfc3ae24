"""Walking a child whose records leave something unknown.

Two things can be unknown: the time of day of an event that carries only a date (``on``),
and a value a record lists under ``unknown``. Such a child is walked here, with the
three-valued conditions of ``_tristate``; every other child takes the fast path in
``_evaluate``. The convention (docs/deadlines.md, "Date-only events and unknown values"):

* **Order.** By local date; within a date, timed events in instant order, then date-only
  events by id. Within one date the order of a date-only event and the day's other events
  is not known, so the procedure's own order is taken: an event that can meet or cancel an
  obligation opened the same day does so, whichever was recorded first.
* **When.** A date-only event happened at some instant of its local day. A day-based
  deadline (same day, working days, calendar days, months) is exactly what it would be
  from any time that day; an hours or office-hours deadline lies between the deadlines
  from the day's first and last instants.
* **Outcomes.** Every status is the one that every way of filling in what is unknown
  gives (each time within its day, each value of an unknown field). Where those ways
  disagree, the status is ``cannot_evaluate``, with the unknown values named in
  ``missing`` and the reason in words: never a finding built on a value the records do
  not give, and never a compliance they do not show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from ._case import FACTS_CHANGED_BY, CaseState
from ._compile import (
    CompiledPack,
    CompiledRequirement,
    CompiledRoute,
    CompiledRule,
    DueCase,
)
from ._events import BaseEvent
from ._outcome import check_finding, lateness_finding, obligation
from ._result import Finding, Obligation, Severity, Status, Undetermined, cite
from ._tristate import Tri, TriRequirement, TriRule, tri_rules

_STRENGTH_RANK: dict[Severity, int] = {"advisory": 0, "should": 1, "must": 2}

# What a scenario run exercised, for coverage (see _evaluate.Exercised).
Exercised = set[tuple[str, ...]]
_NO_MISSING: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class _Span:
    """When an event happened, as far as its record says: between two instants (UTC)."""

    first: datetime
    last: datetime
    day: date  # its local date


def _span(pack: CompiledPack, event: BaseEvent) -> _Span:
    at = event.at
    if at is not None:
        moment = at.astimezone(UTC)
        return _Span(moment, moment, pack.calendar.local_date(at))
    assert event.on is not None
    first, last = pack.calendar.day_span(event.on)
    return _Span(first, last, event.on)


def _names(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


@dataclass(slots=True)
class _Doubt:
    """Why an outcome may not be known, and the unknown values it rests on."""

    why: str
    missing: frozenset[str]


@dataclass(slots=True)
class _Item:
    """An obligation while the child's events are walked."""

    rule: CompiledRule
    route: CompiledRoute
    requirement: CompiledRequirement
    tri: TriRequirement
    trigger: BaseEvent
    span: _Span
    triggered_by: tuple[str, ...]
    # The deadline lies between first and last (UTC); None: no deadline (or, for last
    # only, possibly none).
    first_due: datetime | None
    last_due: datetime | None
    deciding: DueCase | None  # the deadline case, when one is known to apply
    due_basis: str | None = None  # set when more than one case may apply
    strength: Severity | None = None  # set when more than one case may apply: the weakest
    # Doubts about whether the obligation exists at all (the rule's or route's condition),
    # and about its deadline (which case applies; an hours deadline from a date).
    exists: list[_Doubt] = field(default_factory=list)
    deadline: list[_Doubt] = field(default_factory=list)
    action: str | None = None  # set when the route is not known
    settled_by: BaseEvent | None = None
    settles: str = ""  # "met" or "cancelled"
    clock: BaseEvent | None = None  # with due_from: the earlier event its deadline counts from
    # Every case that may decide counts from the trigger after all (counts_from: trigger).
    from_trigger: bool = False
    # The deadline cases that may decide, when the records leave it open (more than one).
    possible: tuple[DueCase, ...] = ()
    maybe: list[tuple[BaseEvent, str, frozenset[str]]] = field(default_factory=list)


@dataclass(slots=True)
class _Tally:
    """A count rule's window: (ends first, ends last, event id, unknown membership)."""

    window: list[tuple[datetime | None, datetime | None, str, frozenset[str]]] = field(
        default_factory=list
    )
    fired: bool = False
    maybe_fired: bool = False


def walk_uncertain(
    pack: CompiledPack,
    events: list[BaseEvent],
    as_of: datetime,
    all_obligations: list[Obligation],
    all_findings: list[Finding],
    undetermined: list[Undetermined],
    exercised: Exercised | None,
) -> int:
    """One child's events, some with only a date or unknown values; as_of in UTC. Returns
    how many of its outcomes cannot be evaluated."""
    walk = _Walk(pack, as_of, exercised)
    spans = {event.id: _span(pack, event) for event in events}
    history = sorted(
        events,
        key=lambda e: (spans[e.id].day, e.at is None, spans[e.id].first, e.id),
    )
    walk.spans = spans
    walk.history = history
    walk.index = {event.id: k for k, event in enumerate(history)}
    for event in history:
        walk.days.setdefault(spans[event.id].day, []).append(event)
    for event in history:
        walk.step(event)
    rank = {c.rule.id: c.position for c in pack.rules}
    obligations: list[Obligation] = []
    findings: list[Finding] = list(walk.findings)
    for item in walk.opened:
        result, latest = walk.conclude(item)
        obligations.append(result)
        if result.status in ("overdue", "met_late"):
            findings.append(lateness_finding(pack, result, latest))
    end_of_time = datetime.max.replace(tzinfo=UTC)

    def instant(at: datetime | None) -> datetime:
        return end_of_time if at is None else at.astimezone(UTC)

    obligations.sort(key=lambda o: (o.triggered_on, instant(o.triggered_at), rank[o.rule], o.id))
    findings.sort(
        key=lambda f: (
            f.on,
            instant(f.at),
            rank[f.rule],
            f.kind,
            f.event or "",
            f.obligation or "",
        )
    )
    walk.undetermined.sort(key=lambda u: (u.on, instant(u.at), rank[u.rule], u.event))
    all_obligations.extend(obligations)
    all_findings.extend(findings)
    undetermined.extend(walk.undetermined)
    return len(walk.undetermined) + sum(o.status == "cannot_evaluate" for o in obligations)


class _Walk:
    def __init__(self, pack: CompiledPack, as_of: datetime, exercised: Exercised | None):
        self.pack = pack
        self.as_of = as_of
        self.exercised = exercised
        self.tri = tri_rules(pack)
        self.case = CaseState()
        self.spans: dict[str, _Span] = {}
        self.opened: list[_Item] = []
        self.waiting: dict[str, list[_Item]] = {}
        self.tallies: dict[int, _Tally] = {}
        self.findings: list[Finding] = []
        self.undetermined: list[Undetermined] = []
        self.today: list[BaseEvent] = []  # the current date's events walked so far
        self.chosen: dict[int, BaseEvent] = {}  # due_from anchors, as the fast path keeps them
        self.by_id: dict[str, BaseEvent] | None = None  # for named_by, built when needed
        self.days: dict[date, list[BaseEvent]] = {}  # every event, by local date
        self.history: list[BaseEvent] = []  # every event, in walk order
        self.index: dict[str, int] = {}  # an event's place in history
        self.day: date | None = None

    def events(self) -> dict[str, BaseEvent]:
        """The child's events by id (named_by looks its earlier event up here)."""
        if self.by_id is None:
            self.by_id = {e.id: e for day in self.days.values() for e in day}
        return self.by_id

    def note(self, *item: str) -> None:
        if self.exercised is not None:
            self.exercised.add(item)

    # --- one event ------------------------------------------------------------------

    def step(self, event: BaseEvent) -> None:
        span = self.spans[event.id]
        if span.day != self.day:
            self.day, self.today = span.day, []
        self.case.apply(event)
        kind: str = event.type  # type: ignore[attr-defined]
        # Facts changed the same day by an event whose order against this one is not known
        # (either has only a date) may or may not be in effect here: unknown, for this event.
        known = self.case.unknown
        doubtful = self.doubtful_facts(event, span)
        if doubtful:
            self.case.unknown = {**known, **doubtful}
        try:
            self.fire(event, kind, span)
        finally:
            self.case.unknown = known
        for index in self.pack.anchors_by_event.get(kind, ()):
            # After the rules: an event is never the earlier event of its own obligations.
            self.pack.anchors[index].follow(index, event, kind, self.case, self.chosen)
        self.today.append(event)

    def doubtful_facts(self, event: BaseEvent, span: _Span) -> dict[str, frozenset[str]]:
        doubtful: dict[str, frozenset[str]] = {}
        for other in self.days[span.day]:
            kind = other.type  # type: ignore[attr-defined]
            if other is event or kind not in FACTS_CHANGED_BY:
                continue
            if other.at is not None and event.at is not None:
                continue
            undated = other if other.at is None else event
            name = f"{undated.type}.at"  # type: ignore[attr-defined]
            for fact in FACTS_CHANGED_BY[kind]:
                doubtful[fact] = doubtful.get(fact, frozenset()) | {name}
        return doubtful

    def fire(self, event: BaseEvent, kind: str, span: _Span) -> None:
        if kind in self.waiting:
            still = []
            for item in self.waiting[kind]:
                if item.settled_by is None and not self.settle(item, kind, event):
                    still.append(item)
            self.waiting[kind] = still
        for compiled in self.pack.rules_by_event.get(kind, ()):
            tri = self.tri[compiled.position]
            fired = self.fires(compiled, tri, event, span)
            if fired is None:
                continue
            triggered_by, doubt = fired
            if not doubt:
                self.note("rule", compiled.rule.id)
            if compiled.expect is not None:
                self.check(compiled, tri, event, span, doubt)
            else:
                self.open(compiled, tri, event, span, triggered_by, doubt)

    def fires(
        self, compiled: CompiledRule, tri: TriRule, event: BaseEvent, span: _Span
    ) -> tuple[tuple[str, ...], frozenset[str]] | None:
        """The triggering events and what the firing rests on (empty: it fires), or None."""
        case = self.case
        count = compiled.count
        if count is None or tri.counts is None:
            applies = tri.applies(event, case, None)
            if applies is False:
                return None
            return (event.id,), _applies_doubt(applies)
        tally = self.tallies.setdefault(compiled.position, _Tally())
        spec = count.spec
        counted = tri.counts(event, case, None)
        if counted is not False:
            first: datetime | None = None
            last: datetime | None = None
            if spec.within is not None:
                bounds = self.due_bounds(spec.within.kind, spec.within.amount, event, span)
                if bounds is not None:
                    first, last = bounds
            membership = _applies_doubt(counted)
            tally.window.append((first, last, event.id, membership))
        # Drop what has certainly left the window; keep what may still be in it, in doubt.
        tally.window = [w for w in tally.window if w[1] is None or w[1] >= span.first]
        sure = [w for w in tally.window if not w[3] and (w[0] is None or w[0] >= span.last)]
        unsure = [w for w in tally.window if w not in sure]
        threshold = spec.threshold
        if len(sure) + len(unsure) < threshold:
            tally.fired = tally.maybe_fired = False
            return None
        applies = tri.applies(event, case, None)
        if len(sure) >= threshold:
            ids = tuple(w[2] for w in tally.window)
            if spec.repeat == "run":
                tally.window.clear()
                return None if applies is False else (ids, _applies_doubt(applies))
            if (spec.repeat == "once" and tally.fired) or applies is False:
                return None
            tally.fired = True
            return ids, _applies_doubt(applies)
        # Only with members in doubt (an unknown value, or a window edge inside a day).
        if applies is False or (spec.repeat == "once" and (tally.fired or tally.maybe_fired)):
            return None
        tally.maybe_fired = True
        missing = set(_applies_doubt(applies))
        for _first, _last, _event_id, membership in unsure:
            missing |= membership or {f"{event.type}.at"}  # type: ignore[attr-defined]
        return tuple(w[2] for w in tally.window), frozenset(missing)

    # --- checks -----------------------------------------------------------------------

    def check(
        self,
        compiled: CompiledRule,
        tri: TriRule,
        event: BaseEvent,
        span: _Span,
        doubt: frozenset[str],
    ) -> None:
        assert tri.expect is not None
        holds = tri.expect(event, self.case, None)
        if holds is True:
            return
        if holds is False and not doubt:
            self.findings.append(check_finding(self.pack, compiled, event, span.day))
            self.note("finding", compiled.rule.id)
            return
        reasons = []
        missing = set(doubt)
        if doubt:
            reasons.append("whether the check applies")
        if not isinstance(holds, bool):
            missing |= holds
            reasons.append(f"whether {event.id} meets it")
        rule = compiled.rule
        citation = rule.citation
        self.undetermined.append(
            Undetermined(
                rule=rule.id,
                severity=rule.strength,
                child_id=event.child_id,
                event=event.id,
                at=event.at,
                on=span.day,
                missing=tuple(sorted(missing)),
                reason=_reason(reasons, missing),
                citation=cite(citation, self.pack.source_files),
            )
        )

    # --- obligations ----------------------------------------------------------------

    def open(
        self,
        compiled: CompiledRule,
        tri: TriRule,
        event: BaseEvent,
        span: _Span,
        triggered_by: tuple[str, ...],
        doubt: frozenset[str],
    ) -> None:
        case = self.case
        candidates: list[tuple[int, Tri]] = []
        for j, route_applies in enumerate(tri.routes):
            result = route_applies(event, case, None)
            if result is False:
                continue
            candidates.append((j, result))
            if result is True:
                break
        routes = [compiled.routes[j] for j, _r in candidates]
        if not routes or all(r.requirement is None for r in routes):
            if len(candidates) == 1 and routes[0].name is not None and not doubt:
                self.note("route", compiled.rule.id, routes[0].name)  # as the fast walk
            return  # nothing is owed, whichever route applies
        exists = []
        if doubt:
            exists.append(_Doubt("whether the rule applies", doubt))
        action = None
        first = next(j for j, _r in candidates if compiled.routes[j].requirement is not None)
        route = compiled.routes[first]
        if len(candidates) > 1:
            unsure = _unknowns(r for _j, r in candidates)
            exists.append(_Doubt("which route applies", unsure))
            actions = dict.fromkeys(
                r.requirement.spec.action if r.requirement else "nothing" for r in routes
            )
            action = " or ".join(actions)
        elif route.name is not None and not doubt:
            self.note("route", compiled.rule.id, route.name)
        requirement = route.requirement
        assert requirement is not None
        clock: BaseEvent | None = None  # with due_from: the earlier event it counts from
        aside: BaseEvent | None = None  # the event the trigger names that a bound set aside
        if requirement.anchor is not None:
            anchor = self.pack.anchors[requirement.anchor]
            clock = anchor.clock(requirement.anchor, event, self.case, self.chosen, self.events)
            if clock is None:
                return  # no earlier event to count from: the rule gives nothing (as fast)
            if route.beyond is not None:
                aside = anchor.beyond(event, self.events)
            if clock is event:
                clock = None  # due_from's otherwise: counted from the trigger itself
            else:
                triggered_by = (clock.id, *triggered_by)
        tri_requirement = tri.requirements[first]
        assert tri_requirement is not None
        # The deadline cases that may apply, chosen once: a bound's relabelled requirement
        # (route.beyond) has the same cases under other words.
        chosen = self.due_cases(requirement, tri_requirement, event, clock)
        if (
            aside is not None
            and route.beyond is not None
            and self.aside_decides(requirement, chosen, tri_requirement, event, clock, aside)
        ):
            # As the fast walk: the bound decided the clock's start, or set aside an act
            # that would (or may) have met it; the obligation says so (principle 4).
            route = route.beyond
            requirement = route.requirement or requirement  # the same, relabelled
        item = self.deadline(
            compiled,
            route,
            requirement,
            tri_requirement,
            event,
            span,
            triggered_by,
            chosen,
            clock=clock,
        )
        item.exists = exists
        if not exists and item.deciding is not None:
            # The rule and route apply and one case decides, whatever else is unknown.
            self.note("case", compiled.rule.id, route.name or "", item.deciding.label)
        elif not exists:
            # A case that bounds the deadline as one of those that may decide is exercised
            # too: its deadline is one end of the obligation's.
            for possible in item.possible:
                self.note("case", compiled.rule.id, route.name or "", possible.label)
        item.action = action
        self.opened.append(item)
        if clock is not None:
            # As the fast walk: the trigger itself meets it (a rule timing the act it fires
            # on), else the first act since the earlier event (tested with the case facts
            # now), else a later act. The trigger first: a meeting timed from the concern it
            # names is met by itself, not by a meeting about another concern in between.
            kind = event.type  # type: ignore[attr-defined]
            if (kind in requirement.waits_on and self.settle(item, kind, event)) or self.look_back(
                item, clock
            ):
                return
            for kind in requirement.waits_on:
                self.waiting.setdefault(kind, []).append(item)
            return
        if event.at is None:
            # Same date, order unknown: the day's earlier events may settle it.
            for earlier in self.today:
                kind = earlier.type  # type: ignore[attr-defined]
                if kind in requirement.waits_on and self.settle(item, kind, earlier):
                    break
        if item.settled_by is None:
            for kind in requirement.waits_on:
                self.waiting.setdefault(kind, []).append(item)

    def due_cases(
        self,
        requirement: CompiledRequirement,
        tri: TriRequirement,
        event: BaseEvent,
        clock: BaseEvent | None,
    ) -> list[tuple[int, Tri]]:
        """The deadline cases that may apply (their place in ``requirement.due.cases``, and
        True or what their condition rests on), up to the first that certainly applies;
        their conditions tested on ``clock`` (due_from's earlier event) when given, else
        on the trigger ``event``."""
        due = requirement.due
        if due is None:
            return []
        start = event if clock is None else clock
        chosen: list[tuple[int, Tri]] = []
        for k in range(len(due.cases)):
            result = tri.cases[k](start, self.case, event)  # the trigger, for 'trigger.'s
            if result is False:
                continue
            chosen.append((k, result))
            if result is True:
                break
        return chosen

    def deadline(
        self,
        compiled: CompiledRule,
        route: CompiledRoute,
        requirement: CompiledRequirement,
        tri: TriRequirement,
        event: BaseEvent,
        span: _Span,
        triggered_by: tuple[str, ...],
        chosen: list[tuple[int, Tri]],
        *,
        clock: BaseEvent | None = None,
    ) -> _Item:
        """The obligation and its deadline, counted from ``clock`` (due_from's earlier
        event) when given, else from the trigger ``event``; ``chosen``: what ``due_cases``
        gave for it."""
        due = requirement.due
        start = event if clock is None else clock
        start_span = span if clock is None else self.spans[clock.id]
        item = _Item(
            compiled, route, requirement, tri, event, start_span, triggered_by, None, None, None
        )
        item.clock = clock
        if due is None:
            return item
        cases: list[tuple[DueCase, Tri]] = [(due.cases[k], result) for k, result in chosen]
        # A case that counts from the trigger (counts_from) does so whatever due_from says.
        bounds = [
            self.due_bounds(c.kind, c.amount, event, span)
            if c.from_trigger
            else self.due_bounds(c.kind, c.amount, start, start_span)
            for c, _r in cases
        ]
        if clock is not None and all(c.from_trigger for c, _r in cases):
            item.from_trigger = True
            item.span = span
        finite = [b for b in bounds if b is not None]
        item.first_due = min((b[0] for b in finite), default=None)
        item.last_due = None if len(finite) < len(bounds) else max(b[1] for b in finite)

        # Counted from the trigger itself, the deadline is stated without due_from's words
        # on where an earlier clock starts.
        def basis(c: DueCase) -> str:
            return c.own_basis if clock is None else c.basis

        if len(cases) == 1:
            item.deciding = cases[0][0]
            item.due_basis = basis(cases[0][0])
        else:
            item.possible = tuple(c for c, _r in cases)
            unsure = _unknowns(r for _c, r in cases)
            item.deadline.append(_Doubt("which deadline applies", unsure))
            item.due_basis = "one of: " + "; ".join(basis(c) for c, _r in cases)
            # Only what every possible case owes is certain: the weakest of their strengths.
            strengths: list[Severity] = [c.strength or route.strength for c, _r in cases]
            weakest: Severity = min(strengths, key=_STRENGTH_RANK.__getitem__)
            item.strength = weakest
        if start.at is None and any(b is not None and b[0] != b[1] for b in bounds):
            item.deadline.append(
                _Doubt(
                    f"the deadline, since {start.id} has only a date (on {start_span.day}) "
                    "and an hours deadline needs its time",
                    frozenset({f"{start.type}.at"}),  # type: ignore[attr-defined]
                )
            )
        return item

    def aside_decides(
        self,
        requirement: CompiledRequirement,
        chosen: list[tuple[int, Tri]],
        tri: TriRequirement,
        trigger: BaseEvent,
        clock: BaseEvent | None,
        named: BaseEvent,
    ) -> bool:
        """Whether setting aside ``named`` (the event the trigger names, further back than
        named_by's within) decided anything for the obligation ``trigger`` opens: a case
        that may decide (``chosen``, from ``due_cases``) counts from the clock the bound
        chose, or an act since ``named``, before the acts look_back counts from that clock
        (else before the trigger), meets or may meet it."""
        due = requirement.due
        if due is not None and any(not due.cases[k].from_trigger for k, _r in chosen):
            return True
        end = self.index[trigger.id] if clock is None else self._after(clock)
        for k in range(self._after(named), end):
            act = self.history[k]
            if act is named or act is clock:
                continue
            for test in tri.meets.get(act.type, ()):  # type: ignore[attr-defined]
                if test(act, self.case, trigger) is not False:
                    return True
        return False

    def _after(self, clock: BaseEvent) -> int:
        """Where look_back starts for ``clock``: the next event, or the first of its day
        when it has only a date (the day's order is not known)."""
        if clock.at is None:
            return self.index[self.days[self.spans[clock.id].day][0].id]
        return self.index[clock.id] + 1

    def look_back(self, item: _Item, clock: BaseEvent) -> bool:
        """Settle ``item`` with the first act since ``clock`` and before its trigger that
        meets it (due_from; cancellations count only from the trigger on). An act on the
        clock's date whose order against it is not known (either has only a date) is taken
        to come after it, as the day's order is everywhere in this walk."""
        trigger = item.trigger
        for k in range(self._after(clock), self.index[trigger.id]):
            act = self.history[k]
            if act is clock:
                continue
            tests = item.tri.meets.get(act.type, ())  # type: ignore[attr-defined]
            doubts = []
            for test in tests:
                result = test(act, self.case, trigger)
                if result is True:
                    item.settled_by, item.settles = act, "met"
                    return True
                if result is not False:
                    doubts.append(result)
            if doubts:
                item.maybe.append((act, "met", _unknowns(doubts)))
        return False

    def due_bounds(
        self, kind: str, amount: int, event: BaseEvent, span: _Span
    ) -> tuple[datetime, datetime] | None:
        """(earliest, latest) deadline in UTC from ``event``; None for no deadline."""
        calendar = self.pack.calendar
        if event.at is None:
            return calendar.due_span(kind, amount, span.day)
        due = calendar.due(kind, amount, event.at)
        return None if due is None else (due.astimezone(UTC), due.astimezone(UTC))

    def settle(self, item: _Item, kind: str, event: BaseEvent) -> bool:
        """Whether ``event`` certainly meets or cancels ``item`` (then it is settled);
        an event that may do so is kept in ``item.maybe``."""
        case, trigger = self.case, item.trigger
        doubts: list[tuple[str, frozenset[str]]] = []
        for outcome, tests in (("met", item.tri.meets), ("cancelled", item.tri.cancels)):
            for test in tests.get(kind, ()):
                result = test(event, case, trigger)
                if result is True:
                    item.settled_by, item.settles = event, outcome
                    return True
                if result is not False:
                    doubts.append((outcome, result))
        if doubts:
            item.maybe.append((event, doubts[0][0], _unknowns(m for _o, m in doubts)))
        return False

    # --- the outcome ------------------------------------------------------------------

    def conclude(self, item: _Item) -> tuple[Obligation, datetime | None]:
        """The obligation, and the latest its deadline can be (for a lateness finding)."""
        statuses: set[Status] = set()
        doubts: list[_Doubt] = list(item.exists)
        deadline_matters = False
        worlds = [(event, outcome) for event, outcome, _m in item.maybe]
        for event, outcome, names in item.maybe:
            verb = "meet" if outcome == "met" else "cancel"
            doubts.append(_Doubt(f"whether {event.id} {verb}s it", names))
        if item.settled_by is not None:
            worlds.append((item.settled_by, item.settles))
        for event, outcome in worlds:
            possible = self.outcome(item, event, outcome)
            statuses |= possible
            if len(possible) > 1:  # in time or late: that depends on a time not recorded
                deadline_matters = True
                if event.at is None:
                    doubts.append(
                        _Doubt(
                            f"whether {event.id} was in time, since it has only a date "
                            f"(on {self.spans[event.id].day})",
                            frozenset({f"{event.type}.at"}),  # type: ignore[attr-defined]
                        )
                    )
        if item.settled_by is None:
            first, last = item.first_due, item.last_due
            if first is None:
                statuses.add("open")
            elif last is not None and self.as_of > last:
                statuses.add("overdue")
            elif self.as_of <= first:
                statuses.add("open")
            else:
                statuses |= {"open", "overdue"}
                deadline_matters = True
        if deadline_matters:
            doubts.extend(item.deadline)
        status: Status
        missing: tuple[str, ...] = ()
        reason = None
        if len(statuses) == 1 and not item.exists:
            status = statuses.pop()
        else:
            status = "cannot_evaluate"
            names = frozenset[str]().union(*(d.missing for d in doubts))
            missing = tuple(sorted(names))
            reason = _reason([d.why for d in doubts], names)
        pack = self.pack
        settled = item.settled_by
        met_by = settled if item.settles == "met" else None
        cancelled = settled if item.settles == "cancelled" else None
        first, last = item.first_due, item.last_due
        due = first.astimezone(pack.calendar.tz) if first is not None and first == last else None
        result = obligation(
            pack,
            item.rule,
            item.route,
            item.requirement,
            item.trigger,
            item.triggered_by,
            item.span.day,
            due,
            item.deciding,
            status,
            met_by,
            self.spans[met_by.id].day if met_by is not None else None,
            cancelled,
            due_basis=item.due_basis,
            action=item.action,
            missing=missing,
            reason=reason,
            clock=None if item.from_trigger else item.clock,
            strength=item.strength,
        )
        return result, last

    def outcome(self, item: _Item, event: BaseEvent, outcome: str) -> set[Status]:
        """The statuses ``event`` settling ``item`` can give."""
        if outcome == "cancelled":
            return {"cancelled"}
        first, last = item.first_due, item.last_due
        if first is None:
            return {"met"}
        span = self.spans[event.id]
        if span.last <= first:
            return {"met"}
        if last is not None and span.first > last:
            return {"met_late"}
        return {"met", "met_late"}


def _reason(whys: Iterable[str], missing: Iterable[str]) -> str:
    """'cannot tell whether the rule applies: the records do not give X'."""
    text = "cannot tell " + "; ".join(dict.fromkeys(whys))
    names = _names(missing)
    return f"{text}: the records do not give {names}" if names else text


def _applies_doubt(applies: Tri) -> frozenset[str]:
    return _NO_MISSING if isinstance(applies, bool) else applies


def _unknowns(results: Iterable[Tri]) -> frozenset[str]:
    """The names the unknown ones among ``results`` rest on."""
    return frozenset[str]().union(*(r for r in results if not isinstance(r, bool)))
