"""The data a report's page script draws from: one small index, one blob per child.

Everything is positional arrays and interned strings, because the page must stay usable
at 20,000 children (``benchmarks/report.py`` measures it). The field order of each array
is listed here and read by ``templates/report.js`` under the same names; change both
together.

Times are **local minutes**: minutes since 1970-01-01T00:00 of the wall-clock time in the
pack's time zone, so that a day on the page is exactly 1440 minutes and the shading of
working days needs no time-zone arithmetic in the browser. A deadline at the end of a day
(23:59:59.999999) is shown as 23:59.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .._compile import CompiledPack
from .._events import BaseEvent
from .._explain import explain
from .._result import Evaluation, Finding, Obligation, Undetermined
from ._summary import OverdueItem, describe_late

_EPOCH = datetime(1970, 1, 1)  # naive on purpose: local wall-clock minutes count from it

# Field orders, mirrored in report.js (constants OB, EV, FI, IX, OD).
OBLIGATION_FIELDS = (
    "id", "rule", "action", "responsible", "copied_in", "strength", "triggered_by",
    "triggered_at", "due", "status", "met_by", "met_at", "cancelled_by", "due_basis",
    "due_case", "basis", "parameter", "escalation", "citation", "trigger", "cases", "steps",
    "missing", "reason",
)  # fmt: skip
EVENT_FIELDS = ("id", "type", "at")
FINDING_FIELDS = ("rule", "kind", "severity", "message", "event", "obligation", "at", "citation")
INDEX_FIELDS = (
    "child", "events", "obligations", "overdue", "open", "findings", "timeline", "cannot",
)  # fmt: skip
# Checks that cannot be evaluated (Evaluation.undetermined), per child.
UNDETERMINED_FIELDS = ("rule", "severity", "event", "at", "missing", "reason", "citation")
OVERDUE_FIELDS = ("child", "rule", "action", "responsible", "due", "late", "escalation", "id")


_EPOCH_ORDINAL = _EPOCH.toordinal()


def local_minutes(moment: datetime, tz: ZoneInfo) -> int:
    wall = moment.astimezone(tz)
    return (wall.toordinal() - _EPOCH_ORDINAL) * 1440 + wall.hour * 60 + wall.minute


def moment_minutes(at: datetime | None, on: date | None, tz: ZoneInfo) -> float | None:
    """Local minutes of an instant; for a date-only moment (no time recorded), the middle
    of its day plus half a minute, which report.js shows as the date alone."""
    if at is not None:
        return local_minutes(at, tz)
    if on is None:
        return None
    return (on.toordinal() - _EPOCH_ORDINAL) * 1440 + 720.5


def _event_order(tz: ZoneInfo) -> Any:
    def key(e: BaseEvent) -> tuple[Any, ...]:
        day = e.at.astimezone(tz).date() if e.at is not None else e.on
        return (day, e.at is None, e.at or datetime.min, e.id)

    return key


def json_for_script(value: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can end or confuse it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Strings:
    """An interning table: each distinct string once, referred to by its index."""

    def __init__(self) -> None:
        self._index: dict[str, int] = {}
        self.values: list[str] = []

    def __call__(self, value: str | None) -> int:
        if value is None:
            return -1
        found = self._index.get(value)
        if found is None:
            found = self._index[value] = len(self.values)
            self.values.append(value)
        return found


class Tables:
    """Tables shared by every child: strings, step lists, citations."""

    def __init__(self) -> None:
        self.s = Strings()
        self.step_lists: list[list[int]] = []
        self._steps: dict[tuple[int, ...], int] = {}
        self.citations: list[list[int]] = []
        self._citations: dict[tuple[int, int], int] = {}

    def steps(self, steps: Sequence[str]) -> int:
        key = tuple(self.s(step) for step in steps)
        found = self._steps.get(key)
        if found is None:
            found = self._steps[key] = len(self.step_lists)
            self.step_lists.append(list(key))
        return found

    def citation(self, quote: str | None, source: str | None) -> int:
        if quote is None:
            return -1
        key = (self.s(quote), self.s(source))
        found = self._citations.get(key)
        if found is None:
            found = self._citations[key] = len(self.citations)
            self.citations.append(list(key))
        return found


@dataclass(frozen=True, slots=True)
class _Explained:
    """The parts of an explanation the page shows, as references into the tables."""

    trigger: int
    cases: int
    steps: int
    citation: int


def escalation_text(o: Obligation) -> str | None:
    """What the escalation path says to do next, in the words ``explain`` uses."""
    e = o.escalation
    if e is None:
        return None
    text = f"escalate: {e.action} by {e.responsible}"
    if e.onward:
        text += f", then {' -> '.join(e.onward)} ({e.path})"
    return text


def closed_days(pack: CompiledPack, first: date, last: date, t: Tables) -> list[list[int]]:
    """[day number, reason] for each day in [first, last] that is not a working day."""
    out = []
    day = first
    while day <= last:
        reason = pack.calendar.closed_reason(day)
        if reason is not None:
            out.append([(day - _EPOCH.date()).days, t.s(reason)])
        day += timedelta(days=1)
    return out


def build(
    pack: CompiledPack,
    evaluation: Evaluation,
    events: Iterable[BaseEvent],
    overdue: Sequence[OverdueItem],
    progress: Callable[[int, int], None] | None = None,
    max_timelines: int | None = None,
) -> tuple[dict[str, Any], list[str | None]]:
    """The page's index data and one JSON text per child (in the index's order); None
    for a child whose timeline is left out (past ``max_timelines``)."""
    tz = pack.calendar.tz
    t = Tables()
    s = t.s
    rules = [[r.rule.id, r.rule.title] for r in pack.rules]
    rule_index = {rule_id: i for i, (rule_id, _title) in enumerate(rules)}

    def rule_ref(rule_id: str) -> int:
        if rule_id not in rule_index:  # not in this pack (should not happen): shown by id
            rule_index[rule_id] = len(rules)
            rules.append([rule_id, rule_id])
        return rule_index[rule_id]

    rejected_ids = {r.event_id for r in evaluation.account.rejected if r.event_id is not None}
    by_child: dict[str, list[BaseEvent]] = defaultdict(list)
    for event in events:
        if event.id not in rejected_ids:
            by_child[event.child_id].append(event)
    obligations: dict[str, list[Obligation]] = defaultdict(list)
    for o in evaluation.obligations:
        obligations[o.child_id].append(o)
    findings: dict[str, list[Finding]] = defaultdict(list)
    for f in evaluation.findings:
        findings[f.child_id].append(f)
    undetermined: dict[str, list[Undetermined]] = defaultdict(list)
    for u in evaluation.undetermined:
        undetermined[u.child_id].append(u)

    def cannot_count(child: str) -> int:
        """Outcomes of the child that cannot be evaluated: obligations and checks."""
        owed = sum(1 for o in obligations.get(child, ()) if o.status == "cannot_evaluate")
        return owed + len(undetermined.get(child, ()))

    # ``explain`` once per (rule, route, deadline case, local trigger date, due): after its
    # first step (the trigger time, which the page shows beside the trace) the deadline
    # steps depend on nothing else (nothing at all without a deadline), and at 20,000
    # children most obligations share a key.
    explanations: dict[tuple[str, str | None, str, date | None, datetime | None], _Explained] = {}

    def explained(o: Obligation) -> _Explained:
        day = None if o.due is None else o.triggered_on
        key = (o.rule, o.route, o.due_basis, day, o.due)
        found = explanations.get(key)
        if found is None:
            x = explain(pack, o)
            steps = list(x.deadline_steps)
            if steps and steps[0].startswith(("trigger at ", "trigger on ")):
                steps = steps[1:]
            found = explanations[key] = _Explained(
                trigger=s(x.trigger),
                cases=s("\n".join(x.deadline_cases)),
                steps=t.steps(steps),
                citation=t.citation(x.quote, x.source),
            )
        return found

    children = sorted(set(by_child) | set(obligations) | set(findings) | set(undetermined))

    def overdue_count(child: str) -> int:
        return sum(1 for o in obligations.get(child, ()) if o.status == "overdue")

    shown: set[str] | None = None  # None: every child's timeline
    if max_timelines is not None and max_timelines < len(children):
        ranked = sorted(
            children, key=lambda c: (-overdue_count(c), -len(obligations.get(c, ())), c)
        )
        shown = set(ranked[:max_timelines])
    index: list[list[Any]] = []
    blobs: list[str | None] = []
    lo: int | None = None
    hi = local_minutes(evaluation.as_of, tz)
    for number, child in enumerate(children):
        if shown is not None and child not in shown:
            child_obligations = obligations.get(child, [])
            index.append(
                [
                    child,
                    len(by_child.get(child, ())),
                    len(child_obligations),
                    overdue_count(child),
                    sum(1 for o in child_obligations if o.status == "open"),
                    len(findings.get(child, ())),
                    0,
                    cannot_count(child),
                ]
            )
            blobs.append(None)
            if progress is not None:
                progress(number + 1, len(children))
            continue
        child_events = sorted(by_child.get(child, ()), key=_event_order(tz))
        event_index = {e.id: i for i, e in enumerate(child_events)}

        def ref(event_id: str | None, event_index: dict[str, int] = event_index) -> Any:
            if event_id is None:
                return -1
            return event_index.get(event_id, event_id)  # an id not among the events: as text

        ev_rows = [
            [e.id, s(e.type), moment_minutes(e.at, e.on, tz)]  # type: ignore[attr-defined]
            for e in child_events
        ]
        ob_rows = []
        child_obligations = obligations.get(child, [])
        ob_index = {o.id: i for i, o in enumerate(child_obligations)}
        for o in child_obligations:
            x = explained(o)
            basis = getattr(o, "basis", None)  # arriving with local defaults; read defensively
            parameter = getattr(o, "parameter", None)
            ob_rows.append(
                [
                    o.id,
                    rule_ref(o.rule),
                    s(o.action),
                    s(o.responsible),
                    s(", ".join(o.copied_in)) if o.copied_in else -1,
                    s(o.strength),
                    [ref(i) for i in o.triggered_by],
                    moment_minutes(o.triggered_at, o.triggered_on, tz),
                    None if o.due is None else local_minutes(o.due, tz),
                    s(o.status),
                    ref(o.met_by),
                    moment_minutes(o.met_at, o.met_on, tz),
                    ref(o.cancelled_by),
                    s(o.due_basis),
                    s(o.due_case),
                    s(basis if isinstance(basis, str) else None),
                    s(parameter if isinstance(parameter, str) else None),
                    s(escalation_text(o)),
                    x.citation,
                    x.trigger,
                    x.cases,
                    x.steps,
                    s(", ".join(o.missing)) if o.missing else -1,
                    s(o.reason),
                ]
            )
        fi_rows = [
            [
                rule_ref(f.rule),
                s(f.kind),
                s(f.severity),
                f.message,  # mostly unique: kept in the child's own data, not interned
                ref(f.event),
                ob_index.get(f.obligation, -1) if f.obligation else -1,
                moment_minutes(f.at, f.on, tz),
                t.citation(
                    f.citation.quote if f.citation else None,
                    f"{f.citation.source} ({f.source_file})" if f.citation else None,
                ),
            ]
            for f in findings.get(child, [])
        ]
        un_rows = [
            [
                rule_ref(u.rule),
                s(u.severity),
                ref(u.event),
                moment_minutes(u.at, u.on, tz),
                s(", ".join(u.missing)),
                s(u.reason),
                t.citation(
                    u.citation.quote if u.citation else None,
                    f"{u.citation.source} ({u.source_file})" if u.citation else None,
                ),
            ]
            for u in undetermined.get(child, [])
        ]
        times = [row[2] for row in ev_rows] + [row[7] for row in ob_rows]
        times += [row[8] for row in ob_rows if row[8] is not None]
        if times:
            first_m, last_m = int(min(times)), int(max(times))
            lo = first_m if lo is None else min(lo, first_m)
            hi = max(hi, last_m)
        index.append(
            [
                child,
                len(ev_rows),
                len(ob_rows),
                sum(1 for o in child_obligations if o.status == "overdue"),
                sum(1 for o in child_obligations if o.status == "open"),
                len(fi_rows),
                1,
                cannot_count(child),
            ]
        )
        blobs.append(json_for_script({"e": ev_rows, "o": ob_rows, "f": fi_rows, "u": un_rows}))
        if progress is not None:
            progress(number + 1, len(children))

    child_number = {row[0]: i for i, row in enumerate(index)}
    overdue_rows = [
        [
            child_number[item.obligation.child_id],
            rule_ref(item.obligation.rule),
            s(item.obligation.action),
            s(item.obligation.responsible),
            local_minutes(item.obligation.due, tz) if item.obligation.due else None,
            s(describe_late(item.late)),
            s(escalation_text(item.obligation)),
            item.obligation.id,
        ]
        for item in overdue
    ]
    first = _EPOCH.date() + timedelta(days=(lo if lo is not None else hi) // 1440 - 7)
    last = _EPOCH.date() + timedelta(days=hi // 1440 + 7)
    closed = closed_days(pack, first, last, t)
    data = {
        "tz": tz.key,
        "asOf": local_minutes(evaluation.as_of, tz),
        "rules": rules,
        "roles": {role: spec.title for role, spec in pack.pack.roles.items()},
        "children": index,
        "overdue": overdue_rows,
        "closed": closed,
        "s": t.s.values,
        "steps": t.step_lists,
        "citations": t.citations,
    }
    return data, blobs
