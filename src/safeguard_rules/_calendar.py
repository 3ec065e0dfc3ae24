"""Working-day calendars and deadline arithmetic.

The counting convention, one for every pack (``docs/deadlines.md``):

* a deadline is the **end of a local day** in the pack's time zone (23:59:59.999999),
  except hour-based ones, which are exact instants;
* **same day**: the end of the trigger's local date;
* **N working days**: the end of the Nth working day *after* the trigger's local
  date, so a concern raised on a Saturday has the same deadline as one raised the
  Friday before; 0 working days is the end of the trigger's date;
* **N calendar days** / **N months**: the end of the local date N days / months on
  (``dateutil.relativedelta``, so 31 January + 1 month is 28 or 29 February);
* **N hours**: the trigger instant plus N elapsed hours;
* **N office hours**: N hours counted only while the office is open.

Times are converted with ``zoneinfo``, so deadlines are right across daylight-saving
changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._errors import SafeguardRulesError
from ._prebuilt import known_holidays, known_place, library_holidays

if TYPE_CHECKING:  # a bundled pack's are plain models (_plain_pack)
    from ._pack import CalendarSpec, Timescale

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
END_OF_DAY = time(23, 59, 59, 999_999)
# How far past the later of the start and the last closure a count may look. Past the last
# closure only weekdays and public holidays close days, so even 366 working days on one
# weekday a week (less its holidays) are found well within ten years.
_MAX_SCAN_DAYS = 3660
# Public holidays never close more days than this in a year, so a year whose closures
# leave more open weekdays than this has a working day without looking its holidays up.
_MOST_HOLIDAYS_IN_A_YEAR = 40


class CalendarError(SafeguardRulesError, ValueError):
    """The calendar cannot be built (unknown zone or holiday country)."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(
            f"unknown time zone {name!r}; use an IANA name such as 'Europe/London'"
        ) from exc


@dataclass(frozen=True)
class DeadlineStep:
    """One step of a deadline computation, for ``explain``."""

    text: str


@dataclass(frozen=True)
class Deadline:
    due: datetime | None
    steps: tuple[DeadlineStep, ...] = ()


@dataclass(frozen=True, eq=False)
class WorkingCalendar:
    """An immutable calendar: which days are open, office hours, and deadlines."""

    tz: ZoneInfo
    working_weekdays: frozenset[int]
    country: str | None = None
    subdivision: str | None = None
    closures: frozenset[date] = frozenset()
    office_days: frozenset[int] = frozenset()
    office_start: time | None = None
    office_end: time | None = None
    office_open_on_holidays: bool = False

    @classmethod
    def from_spec(cls, spec: CalendarSpec) -> WorkingCalendar:
        country = spec.public_holidays.country if spec.public_holidays else None
        subdivision = spec.public_holidays.subdivision if spec.public_holidays else None
        # A place the prebuilt table holds was accepted by the installed holidays package
        # when the table was made; any other is checked by the package (imported only then).
        if country is not None and not known_place(country, subdivision):
            import holidays

            try:
                holidays.country_holidays(country, subdiv=subdivision, years=2000)
            except NotImplementedError as exc:
                raise CalendarError(f"the holidays package has no country {country!r}") from exc
            except Exception as exc:
                raise CalendarError(
                    f"the holidays package rejects country {country!r} with subdivision "
                    f"{subdivision!r}: {exc}"
                ) from exc
        office = spec.office_hours
        return cls(
            tz=zone(spec.timezone),
            working_weekdays=frozenset(WEEKDAYS.index(d) for d in spec.working_days),
            country=country,
            subdivision=subdivision,
            closures=frozenset(spec.closures),
            office_days=frozenset(WEEKDAYS.index(d) for d in office.days)
            if office
            else frozenset(),
            office_start=office.start if office else None,
            office_end=office.end if office else None,
            office_open_on_holidays=office.open_on_public_holidays if office else False,
        )

    # --- days ---------------------------------------------------------------------

    def public_holiday(self, day: date) -> str | None:
        """The holiday's name, if ``day`` is a public holiday."""
        if self.country is None:
            return None
        return _holidays_for(self.country, self.subdivision, day.year).get(day)

    def closed_reason(self, day: date) -> str | None:
        """Why ``day`` is not a working day, or None if it is one."""
        if day.weekday() not in self.working_weekdays:
            return day.strftime("%A")
        if day in self.closures:
            return "closure date"
        holiday = self.public_holiday(day)
        if holiday is not None:
            return f"public holiday: {holiday}"
        return None

    def is_working_day(self, day: date) -> bool:
        # closed_reason's tests without its words (counting deadlines asks this per day).
        if day.weekday() not in self.working_weekdays or day in self.closures:
            return False
        return self.public_holiday(day) is None

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def end_of_day(self, day: date) -> datetime:
        return datetime.combine(day, END_OF_DAY, tzinfo=self.tz)

    def day_span(self, day: date) -> tuple[datetime, datetime]:
        """The first and last instants of the local ``day``, in UTC.

        The first is just after the end of the day before: a local midnight can fall in a
        clock change's gap, the end of a day never does.
        """
        first = self.end_of_day(day - timedelta(days=1)).astimezone(UTC)
        return first + timedelta(microseconds=1), self.end_of_day(day).astimezone(UTC)

    def due_span(self, kind: str, amount: int, day: date) -> tuple[datetime, datetime] | None:
        """The deadline (earliest, latest) in UTC for a trigger known only by its local
        ``day``: one instant for day-based timescales, which never needed the time; for
        hours and office hours, the deadlines from the day's first and last instants.
        None for no deadline."""
        if kind == "no_deadline":
            return None
        if kind in ("hours", "office_hours"):
            first, last = self.day_span(day)
            earliest, latest = self.due(kind, amount, first), self.due(kind, amount, last)
            assert earliest is not None
            assert latest is not None
            return earliest.astimezone(UTC), latest.astimezone(UTC)
        due = _day_deadline(self, kind, amount, day).astimezone(UTC)
        return due, due

    def years_without_working_day(self) -> list[int]:
        """The years (among those with closures) in which no day is a working day."""
        return [year for year in self._closure_years() if not self._open_in(year, office=False)]

    def years_without_office_day(self) -> list[int]:
        """The years (among those with closures) in which the office never opens."""
        if self.office_start is None:
            return []
        return [year for year in self._closure_years() if not self._open_in(year, office=True)]

    def _closure_years(self) -> list[int]:
        return sorted({day.year for day in self.closures})

    def _open_in(self, year: int, *, office: bool) -> bool:
        weekdays = self.office_days if office else self.working_weekdays
        days = [
            date(year, 1, 1) + timedelta(days=k)
            for k in range((date(year, 12, 31) - date(year, 1, 1)).days + 1)
        ]
        open_weekdays = [d for d in days if d.weekday() in weekdays and d not in self.closures]
        if len(open_weekdays) > _MOST_HOLIDAYS_IN_A_YEAR:
            return True
        opens = self._office_open_on if office else self.is_working_day
        return any(opens(d) for d in open_weekdays)

    @cached_property
    def _last_closure(self) -> date:
        return max(self.closures, default=date.min)

    def scan_end(self, start: date) -> date:
        """The last day a count from ``start`` may look at (see _MAX_SCAN_DAYS)."""
        return max(start, self._last_closure) + timedelta(days=_MAX_SCAN_DAYS)

    def working_days_after(self, day: date, n: int) -> date:
        """The Nth working day after ``day`` (``day`` itself when n is 0)."""
        return _working_days_after(self, day, n)

    # --- office hours -----------------------------------------------------------------

    def in_office_hours(self, instant: datetime) -> bool:
        if self.office_start is None or self.office_end is None:
            return False
        local = instant.astimezone(self.tz)
        day = local.date()
        if not self._office_open_on(day):
            return False
        return self.office_start <= local.time().replace(tzinfo=None) < self.office_end

    def _office_open_on(self, day: date) -> bool:
        if day.weekday() not in self.office_days or day in self.closures:
            return False
        return self.office_open_on_holidays or self.public_holiday(day) is None

    def add_office_hours(self, instant: datetime, hours: int) -> datetime:
        """``hours`` of open office time from ``instant``; exact across DST changes."""
        if self.office_start is None or self.office_end is None:
            raise CalendarError("the pack's calendar has no office_hours")
        remaining = timedelta(hours=hours)
        local = instant.astimezone(self.tz)
        day = local.date()
        # An office open one short day a week needs many weeks for a large count.
        weekly = len(self.office_days) * _hours_between(self.office_start, self.office_end)
        weeks = hours / weekly if weekly > 0 else 0
        end = self.scan_end(day) + timedelta(weeks=2 * weeks)
        while day <= end:
            if self._office_open_on(day):
                # Work in UTC so an office day spanning a DST change has its real length.
                opens = datetime.combine(day, self.office_start, tzinfo=self.tz).astimezone(UTC)
                closes = datetime.combine(day, self.office_end, tzinfo=self.tz).astimezone(UTC)
                start = max(opens, local.astimezone(UTC))
                if start < closes:
                    available = closes - start
                    if remaining <= available:
                        return (start + remaining).astimezone(self.tz)
                    remaining -= available
            day += timedelta(days=1)
            local = datetime.combine(day, time(0), tzinfo=self.tz)
        raise CalendarError(f"fewer than {hours} office hours found between {instant} and {end}")

    # --- deadlines ------------------------------------------------------------------

    def due(self, kind: str, amount: int, trigger: datetime) -> datetime | None:
        """The deadline alone: the evaluator's fast path (``deadline`` adds the steps)."""
        if kind == "no_deadline":
            return None
        if kind == "hours":
            # Elapsed hours: add in UTC, or a ZoneInfo trigger would add wall-clock hours.
            return (trigger.astimezone(UTC) + timedelta(hours=amount)).astimezone(self.tz)
        if kind == "office_hours":
            return self.add_office_hours(trigger, amount)
        return _day_deadline(self, kind, amount, trigger.astimezone(self.tz).date())

    def due_local(self, kind: str, amount: int, local: datetime) -> datetime | None:
        """:meth:`due` for a trigger already in this calendar's zone (the evaluator has
        converted it to take its local date): day-based kinds skip the conversion."""
        if kind in _DAY_KINDS:
            return _day_deadline(self, kind, amount, local.date())
        return self.due(kind, amount, local)

    def deadline(self, timescale: Timescale, trigger: datetime, *, trace: bool = False) -> Deadline:
        """When something triggered at ``trigger`` is due under ``timescale``, with steps."""
        due = self.due(timescale.kind, timescale.amount, trigger)
        if not trace:
            return Deadline(due)
        steps: list[DeadlineStep] = []
        note = steps.append
        local = trigger.astimezone(self.tz)
        day = local.date()
        kind = timescale.kind
        amount = timescale.amount
        note(DeadlineStep(f"trigger at {local.isoformat()} ({self.tz.key}); local date {day}"))
        if kind == "no_deadline":
            note(DeadlineStep("the source sets no timescale: no deadline"))
            return Deadline(None, tuple(steps))
        if kind == "same_day":
            note(DeadlineStep(f"same day: end of {day}"))
        elif kind == "working_days":
            self._trace_working_days(day, amount, note)
        elif kind == "calendar_days":
            note(
                DeadlineStep(f"{amount} calendar days after {day}: {day + timedelta(days=amount)}")
            )
        elif kind == "months":
            note(DeadlineStep(f"{amount} months after {day}: {_months_after(day, amount)}"))
        elif kind == "hours":
            note(DeadlineStep(f"{amount} elapsed hours after the trigger"))
        else:
            note(DeadlineStep(f"{amount} office hours counted from the trigger"))
        assert due is not None
        note(DeadlineStep(f"due {due.isoformat()}"))
        return Deadline(due, tuple(steps))

    def _trace_working_days(self, day: date, n: int, note: Any) -> None:
        if n == 0:
            note(DeadlineStep(f"0 working days: end of {day} itself"))
            return
        counted = 0
        current = day
        note(DeadlineStep(f"counting {n} working days after {day}"))
        while counted < n:
            current += timedelta(days=1)
            reason = self.closed_reason(current)
            if reason is None:
                counted += 1
                note(DeadlineStep(f"{current} {current.strftime('%a')}: working day {counted}"))
            else:
                note(DeadlineStep(f"{current} {current.strftime('%a')}: skipped ({reason})"))


@lru_cache(maxsize=4096)
def _holidays_for(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    # The bundled packs' places for 2000-2040, precomputed by the installed holidays
    # version (_prebuilt), else the package itself: the same dict either way.
    known = known_holidays(country, subdivision, year)
    return known if known is not None else library_holidays(country, subdivision, year)


_DAY_KINDS = frozenset({"same_day", "working_days", "calendar_days", "months"})


@lru_cache(maxsize=131072)
def _day_deadline(calendar: WorkingCalendar, kind: str, amount: int, day: date) -> datetime:
    # Day-based deadlines depend only on the local date, so they are cached per calendar.
    if kind == "same_day":
        target = day
    elif kind == "working_days":
        target = _working_days_after(calendar, day, amount)
    elif kind == "calendar_days":
        target = day + timedelta(days=amount)
    elif kind == "months":
        target = _months_after(day, amount)
    else:
        raise ValueError(f"not a day-based timescale: {kind}")
    return calendar.end_of_day(target)


@lru_cache(maxsize=65536)
def _working_days_after(calendar: WorkingCalendar, day: date, n: int) -> date:
    current = day
    counted = 0
    end = calendar.scan_end(day)
    while current <= end:
        if counted == n:
            return current
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            counted += 1
    raise CalendarError(f"fewer than {n} working days found between {day} and {end}")


def _hours_between(start: time, end: time) -> float:
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds / 3600


def _months_after(day: date, months: int) -> date:
    # dateutil is imported by the first months deadline, not with the calendar (start-up).
    from dateutil.relativedelta import relativedelta

    after: date = day + relativedelta(months=months)
    return after
