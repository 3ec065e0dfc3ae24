"""The figures of the report, computed from an Evaluation alone (no HTML here).

* **timeliness**: for each timed rule (one whose obligations carry a deadline), obligations
  counted by status and by the month of their trigger, with quarter and overall totals;
* **overdue now**: overdue obligations, most late first, and counted by rule and role.

The percentage within timescale is computed the way national statistics compute
"initial child protection conferences held within 15 working days": of the actions that
took place, the share that took place by the deadline. Open and overdue actions have not
taken place, so they are not in the denominator (they have their own columns), and
cancelled ones are left out altogether. See ``PERCENT_METHOD``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .._outcome import NO_TIMESCALE
from .._result import Evaluation, Obligation

# Statuses the report knows, in the order it shows them. Any other status (a later
# library version may add some) is shown by its name.
STATUS_LABELS: dict[str, str] = {
    "met": "met",
    "met_late": "met late",
    "overdue": "overdue",
    "open": "open",
    "cancelled": "cancelled",
    "cannot_evaluate": "cannot evaluate",
}

# Statuses with a column of their own in every table; any other (cannot_evaluate, or one
# a later version adds) gets a column, by its label, where it occurs.
TABLE_COLUMNS = ("met", "met_late", "overdue", "open", "cancelled")

# An outcome that depends on a value the records do not give (a field recorded as unknown,
# or the time of an event known only by its date).
CANNOT_EVALUATE = "cannot_evaluate"

NOTHING = "\u2013"  # an en dash: no percentage, as national tables print it

PERCENT_METHOD = (
    "% within timescale = met in time ÷ (met in time + met late), to one decimal place "
    "(halves rounded up). "
    "As in the national statistics for initial child protection conferences held within "
    "15 working days, only actions that have taken place are counted: open and overdue "
    "actions are not in the denominator (they have their own columns), cancelled ones are "
    "left out, and a month with no action taken shows \u2013. An obligation that cannot be "
    "evaluated (its deadline or whether it was met in time depends on a value the records "
    "do not give, such as a field recorded as unknown or the time of an event known only "
    "by its date) is counted in its own column, cannot evaluate: it is neither within "
    "timescale nor late, so it is in neither part of the percentage. A row counts the "
    "obligations whose trigger fell in that month (or quarter), in the pack's time zone, "
    "whatever their status as at the report's as-of time."
)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def percent(met: int, late: int) -> str:
    """The share within timescale, as shown on the page; a dash when nothing took place."""
    held = met + late
    if held == 0:
        return NOTHING
    # Tenths of a percent in integers, halves rounded up (as published tables round),
    # so no float rounding decides a figure.
    tenths, remainder = divmod(1000 * met, held)
    tenths += 2 * remainder >= held
    return f"{tenths // 10}.{tenths % 10}%"


@dataclass(frozen=True)
class Counts:
    """Obligations of one rule in one period, by status."""

    label: str
    kind: str  # "month", "quarter" or "total"
    by_status: Mapping[str, int]

    @property
    def triggered(self) -> int:
        return sum(self.by_status.values())

    def __getitem__(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def percent(self) -> str:
        return percent(self["met"], self["met_late"])

    @property
    def share(self) -> float | None:
        held = self["met"] + self["met_late"]
        return None if held == 0 else self["met"] / held


@dataclass(frozen=True)
class RuleTimeliness:
    rule: str
    title: str
    months: tuple[Counts, ...]  # every month from the first to the last trigger
    quarters: tuple[Counts, ...]
    total: Counts
    last_quarter: Counts | None  # the latest complete quarter before as_of, if any
    extra_statuses: tuple[str, ...]  # statuses without a column of their own

    def rows(self) -> list[Counts]:
        """Months with each quarter's total after its last month, as the table shows."""
        by_quarter = {q.label: q for q in self.quarters}
        out: list[Counts] = []
        for month in self.months:
            out.append(month)
            year, number = int(month.label[:4]), int(month.label[5:7])
            if number % 3 == 0:
                out.append(by_quarter[_quarter_label(year, (number - 1) // 3 + 1)])
        if self.months:  # a quarter cut short by the last month still gets its total
            last = self.months[-1].label
            year, number = int(last[:4]), int(last[5:7])
            if number % 3 != 0:
                out.append(by_quarter[_quarter_label(year, (number - 1) // 3 + 1)])
        return out


@dataclass(frozen=True)
class OverdueItem:
    obligation: Obligation
    late: timedelta  # as_of - due


@dataclass(frozen=True)
class OverdueGroup:
    rule: str
    title: str
    responsible: str
    count: int
    children: int
    most_late: timedelta


@dataclass(frozen=True)
class Summary:
    timeliness: tuple[RuleTimeliness, ...]
    overdue: tuple[OverdueItem, ...]
    overdue_groups: tuple[OverdueGroup, ...]
    status_totals: Mapping[str, int] = field(default_factory=dict)
    # Obligations that cannot be evaluated and that nothing met or cancelled: whether they
    # are overdue depends on a value the records do not give, so the overdue list leaves
    # them out and the page counts them beside it.
    undecided: int = 0


def _quarter_label(year: int, quarter: int) -> str:
    return f"{year} Q{quarter}"


def _month_label(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def _months_between(first: date, last: date) -> list[tuple[int, int]]:
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def last_complete_quarter(as_of: datetime, tz: ZoneInfo) -> tuple[int, int]:
    """(year, quarter) of the latest calendar quarter that ended before ``as_of``'s date."""
    local = as_of.astimezone(tz).date()
    quarter = (local.month - 1) // 3 + 1
    return (local.year - 1, 4) if quarter == 1 else (local.year, quarter - 1)


def timed(o: Obligation) -> bool:
    """Whether an obligation has a timescale: a deadline, or (when it cannot be evaluated)
    one the records do not settle, which is still a timescale that ran."""
    if o.due is not None:
        return True
    return o.status == CANNOT_EVALUATE and o.due_basis != NO_TIMESCALE


def timeliness(
    evaluation: Evaluation, titles: Mapping[str, str], tz: ZoneInfo
) -> tuple[RuleTimeliness, ...]:
    """Per timed rule (in pack order of ``titles``), counts by month of trigger."""
    per_rule: dict[str, dict[tuple[int, int], Counter[str]]] = defaultdict(
        lambda: defaultdict(Counter)
    )
    for o in evaluation.obligations:
        if not timed(o):
            continue  # no deadline: neither in nor out of timescale
        local = o.triggered_on
        per_rule[o.rule][(local.year, local.month)][o.status] += 1
    last_year, last_q = last_complete_quarter(evaluation.as_of, tz)
    out = []
    order = {rule: i for i, rule in enumerate(titles)}
    for rule in sorted(per_rule, key=lambda r: (order.get(r, len(order)), r)):
        months = per_rule[rule]
        keys = sorted(months)
        first, last = date(*keys[0], 1), date(*keys[-1], 1)
        month_rows = []
        quarters: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
        total: Counter[str] = Counter()
        for year, month in _months_between(first, last):
            counts = months.get((year, month), Counter())
            month_rows.append(Counts(_month_label(date(year, month, 1)), "month", dict(counts)))
            quarters[(year, (month - 1) // 3 + 1)].update(counts)
            total.update(counts)
        quarter_rows = tuple(
            Counts(_quarter_label(y, q), "quarter", dict(c))
            for (y, q), c in sorted(quarters.items())
        )
        last_quarter = next(
            (
                Counts(_quarter_label(y, q), "quarter", dict(c))
                for (y, q), c in quarters.items()
                if (y, q) == (last_year, last_q)
            ),
            None,
        )
        extra = sorted({s for s in total if s not in TABLE_COLUMNS})
        out.append(
            RuleTimeliness(
                rule=rule,
                title=titles.get(rule, rule),
                months=tuple(month_rows),
                quarters=quarter_rows,
                total=Counts("all months", "total", dict(total)),
                last_quarter=last_quarter,
                extra_statuses=tuple(extra),
            )
        )
    return tuple(out)


def overdue_now(evaluation: Evaluation) -> tuple[OverdueItem, ...]:
    """Overdue obligations, most late first (then by child and obligation id)."""
    items = [
        OverdueItem(o, evaluation.as_of - o.due)
        for o in evaluation.obligations
        if o.status == "overdue" and o.due is not None
    ]
    items.sort(key=lambda i: (-i.late, i.obligation.child_id, i.obligation.id))
    return tuple(items)


def overdue_groups(
    items: Iterable[OverdueItem], titles: Mapping[str, str]
) -> tuple[OverdueGroup, ...]:
    """Overdue obligations counted by rule and responsible role, largest count first."""
    groups: dict[tuple[str, str], list[OverdueItem]] = defaultdict(list)
    for item in items:
        groups[(item.obligation.rule, item.obligation.responsible)].append(item)
    out = [
        OverdueGroup(
            rule=rule,
            title=titles.get(rule, rule),
            responsible=role,
            count=len(members),
            children=len({m.obligation.child_id for m in members}),
            most_late=max(m.late for m in members),
        )
        for (rule, role), members in groups.items()
    ]
    out.sort(key=lambda g: (-g.count, g.rule, g.responsible))
    return tuple(out)


def summarise(evaluation: Evaluation, titles: Mapping[str, str], tz: ZoneInfo) -> Summary:
    overdue = overdue_now(evaluation)
    return Summary(
        timeliness=timeliness(evaluation, titles, tz),
        overdue=overdue,
        overdue_groups=overdue_groups(overdue, titles),
        status_totals=dict(Counter(o.status for o in evaluation.obligations)),
        undecided=sum(
            1
            for o in evaluation.obligations
            if o.status == CANNOT_EVALUATE and o.met_by is None and o.cancelled_by is None
        ),
    )


def describe_late(late: timedelta) -> str:
    """'3 days' / '1 day' / '5 hours': how long past the deadline, rounded down."""
    if late.days >= 1:
        return f"{late.days} day{'s' * (late.days != 1)}"
    hours = late.seconds // 3600
    if hours >= 1:
        return f"{hours} hour{'s' * (hours != 1)}"
    minutes = late.seconds // 60
    return f"{minutes} minute{'s' * (minutes != 1)}"
