"""Example-based tests of working-day calendars and deadline arithmetic.

Every expected date below is worked out by hand (the counting is written in a comment
next to it) and never computed with the library's own calendar. The convention under
test is the one in ``src/safeguard_rules/_calendar.py`` and ``docs/deadlines.md``:

* a day-based deadline is the end of a local day (23:59:59.999999) in the pack's zone;
* same day = the end of the trigger's *local* date;
* N working days = the end of the Nth working day *after* the trigger's local date
  (0 working days = the end of the trigger's date itself);
* N calendar days / N months = the end of the local date N days / months on;
* N hours = exact elapsed time; N office hours = hours counted while the office is open.

Weekdays used (checked against a printed calendar): 2024 - Fri 29 Mar, Sat 30 Mar, Sun 31
Mar, Mon 1 Apr; Fri 3 May, Mon 6 May, Wed 8 May, Thu 9 May, Fri 10 May, Sat 11 May, Mon
13 May, Fri 17 May, Mon 20 May, Fri 24 May, Mon 27 May; Fri 12 Jul, Mon 15 Jul; Sat 26
Oct, Sun 27 Oct, Mon 28 Oct. 2019 - Thu 18 Apr, Wed 8 May, Thu 9 May. 2015 - Thu 24 Dec.

Jersey 2024 holidays used: Fri 29 Mar (Good Friday), Mon 1 Apr (Easter Monday), Mon 6 May
(May Bank Holiday), Thu 9 May (Liberation Day), Mon 15 Jul (the King's visit). England
holidays used: 2019 Fri 19 Apr (Good Friday), Mon 22 Apr (Easter Monday); 2015 Fri 25 Dec
(Christmas), Sat 26 Dec (Boxing Day), Mon 28 Dec (Boxing Day substitute); 2024 Fri 29 Mar,
Mon 1 Apr, Mon 27 May (Spring Bank Holiday). Summer time began on Sunday 31 March 2024
(01:00 GMT -> 02:00 BST) and ended on Sunday 27 October 2024 (02:00 BST -> 01:00 GMT), in
Jersey and London alike.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from helpers import end_of, ev, minimal_pack, only, run

from safeguard_rules import PackValidationError, load_pack
from safeguard_rules._calendar import CalendarError, WorkingCalendar
from safeguard_rules._loading import compile_text
from safeguard_rules._pack import CalendarSpec, OfficeHours, PublicHolidays, Timescale
from safeguard_rules._yaml import read_yaml_text

ROOT = Path(__file__).resolve().parents[1]
JE_TZ = "Europe/Jersey"
UK_TZ = "Europe/London"
BST = timezone(timedelta(hours=1))

JERSEY = WorkingCalendar.from_spec(
    CalendarSpec(timezone=JE_TZ, public_holidays=PublicHolidays(country="JE"))
)
ENGLAND = WorkingCalendar.from_spec(
    CalendarSpec(timezone=UK_TZ, public_holidays=PublicHolidays(country="GB", subdivision="ENG"))
)
NINE_TO_FIVE = OfficeHours(days=["mon", "tue", "wed", "thu", "fri"], start=time(9), end=time(17))
OFFICE = WorkingCalendar.from_spec(
    CalendarSpec(
        timezone=UK_TZ,
        public_holidays=PublicHolidays(country="GB", subdivision="ENG"),
        office_hours=NINE_TO_FIVE,
    )
)
OFFICE_OPEN_ON_HOLIDAYS = WorkingCalendar.from_spec(
    CalendarSpec(
        timezone=UK_TZ,
        public_holidays=PublicHolidays(country="GB", subdivision="ENG"),
        office_hours=NINE_TO_FIVE.model_copy(update={"open_on_public_holidays": True}),
    )
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def due(calendar: WorkingCalendar, trigger: str, **timescale: Any) -> datetime:
    result = calendar.deadline(Timescale(**timescale), at(trigger)).due
    assert result is not None
    return result


def wd(calendar: WorkingCalendar, trigger: str, n: int) -> datetime:
    return due(calendar, trigger, working_days=n)


# --- Jersey public holidays --------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2024, 5, 9), "Liberation Day"),  # Thursday
        (date(2024, 3, 29), "Good Friday"),
        (date(2024, 4, 1), "Easter Monday"),
        (date(2024, 5, 6), "May Bank Holiday"),
        (date(2019, 5, 9), "Liberation Day"),  # also a Thursday
    ],
)
def test_jersey_holidays_are_closed_and_named(day: date, name: str) -> None:
    assert not JERSEY.is_working_day(day)
    assert JERSEY.closed_reason(day) == f"public holiday: {name}"


def test_jersey_kings_visit_15_july_2024_is_closed() -> None:
    # An extra, one-off Jersey holiday on Monday 15 July 2024.
    reason = JERSEY.closed_reason(date(2024, 7, 15))
    assert reason is not None
    assert reason.startswith("public holiday: ")
    assert "King Charles" in reason
    # England had no such holiday: 15 July 2024 was an ordinary Monday there.
    assert ENGLAND.is_working_day(date(2024, 7, 15))


def test_liberation_day_is_not_a_holiday_in_england() -> None:
    assert ENGLAND.is_working_day(date(2024, 5, 9))


def test_ordinary_days_and_weekends() -> None:
    assert JERSEY.is_working_day(date(2024, 5, 8))  # Wednesday
    assert JERSEY.closed_reason(date(2024, 5, 8)) is None
    assert JERSEY.closed_reason(date(2024, 5, 11)) == "Saturday"
    assert JERSEY.closed_reason(date(2024, 5, 12)) == "Sunday"


def test_three_working_days_after_wed_8_may_2024_is_tue_14_may() -> None:
    # Wed 8 May: trigger date, not counted. Thu 9 closed (Liberation Day), Fri 10 = 1,
    # Sat 11 / Sun 12 closed, Mon 13 = 2, Tue 14 = 3.
    assert JERSEY.working_days_after(date(2024, 5, 8), 3) == date(2024, 5, 14)
    assert wd(JERSEY, "2024-05-08T10:00:00+01:00", 3) == end_of("2024-05-14", JE_TZ)


def test_one_working_day_after_wed_8_may_2024_skips_liberation_day() -> None:
    # Thu 9 closed, Fri 10 = 1.
    assert wd(JERSEY, "2024-05-08T10:00:00+01:00", 1) == end_of("2024-05-10", JE_TZ)


def test_three_working_days_after_fri_3_may_2024_skips_two_holidays() -> None:
    # Sat 4 / Sun 5 closed, Mon 6 closed (May Bank Holiday), Tue 7 = 1, Wed 8 = 2,
    # Thu 9 closed (Liberation Day), Fri 10 = 3.
    assert wd(JERSEY, "2024-05-03T12:00:00+01:00", 3) == end_of("2024-05-10", JE_TZ)


def test_one_working_day_after_fri_12_july_2024_skips_the_kings_visit() -> None:
    # Sat 13 / Sun 14 closed, Mon 15 closed (King's visit), Tue 16 = 1.
    assert wd(JERSEY, "2024-07-12T15:00:00+01:00", 1) == end_of("2024-07-16", JE_TZ)


def test_jersey_easter_2024() -> None:
    # Thu 28 March: Fri 29 closed (Good Friday), Sat 30 / Sun 31 closed, Mon 1 April
    # closed (Easter Monday), Tue 2 = 1, Wed 3 = 2, Thu 4 = 3.
    assert wd(JERSEY, "2024-03-28T11:00:00+00:00", 1) == end_of("2024-04-02", JE_TZ)
    assert wd(JERSEY, "2024-03-28T11:00:00+00:00", 3) == end_of("2024-04-04", JE_TZ)
    # The trigger was in winter time, the deadline is in summer time.
    assert wd(JERSEY, "2024-03-28T11:00:00+00:00", 3).utcoffset() == timedelta(hours=1)


def test_bundled_jersey_pack_uses_the_jersey_calendar() -> None:
    calendar = load_pack("jersey_2019").calendar
    assert calendar.tz.key == JE_TZ
    assert calendar.closed_reason(date(2019, 5, 9)) == "public holiday: Liberation Day"
    # Wed 8 May 2019: Thu 9 closed (Liberation Day), Fri 10 = 1, Sat 11 / Sun 12 closed,
    # Mon 13 = 2, Tue 14 = 3.
    assert wd(calendar, "2019-05-08T16:00:00+01:00", 3) == end_of("2019-05-14", JE_TZ)


def test_jersey_2019_strategy_meeting_deadline_in_an_evaluation() -> None:
    # Rule strategy_meeting_within_three_working_days: 3 working days from the incident
    # (the concern). Wed 8 May 2019 16:00; Thu 9 closed (Liberation Day), Fri 10 = 1,
    # Mon 13 = 2, Tue 14 = 3: due end of Tue 14 May 2019, Jersey time (BST, +01:00); the
    # meeting on Wed 15 May is late.
    pack = load_pack("jersey_2019")
    allocated = ev("social_worker_allocated", "2019-05-01T09:00:00+01:00", worker="sw-1")
    concern = ev(
        "concern_identified",
        "2019-05-08T16:00:00+01:00",
        category="neglect",
        attributes={"multi_agency_response_required": True},  # reader 6 M1: the should clock
    )
    meeting = ev("strategy_meeting_held", "2019-05-15T10:00:00+01:00", chair_role="team_manager")
    result = run(pack, [allocated, concern, meeting], "2019-05-20T12:00:00+01:00")
    obligation = only(result, "strategy_meeting_within_three_working_days")
    assert obligation.due == end_of("2019-05-14", JE_TZ)
    assert obligation.status == "met_late"


# --- England public holidays ----------------------------------------------------------------


def test_england_easter_2019() -> None:
    assert ENGLAND.closed_reason(date(2019, 4, 19)) == "public holiday: Good Friday"
    assert ENGLAND.closed_reason(date(2019, 4, 22)) == "public holiday: Easter Monday"
    # Thu 18 April 2019: Fri 19 closed, Sat 20 / Sun 21 closed, Mon 22 closed, Tue 23 = 1.
    assert wd(ENGLAND, "2019-04-18T14:00:00+01:00", 1) == end_of("2019-04-23", UK_TZ)


def test_england_christmas_2015_with_boxing_day_substitute() -> None:
    assert ENGLAND.closed_reason(date(2015, 12, 25)) == "public holiday: Christmas Day"
    # Boxing Day fell on Saturday 26 December: closed as a weekend day first.
    assert ENGLAND.closed_reason(date(2015, 12, 26)) == "Saturday"
    reason = ENGLAND.closed_reason(date(2015, 12, 28))
    assert reason is not None
    assert "Boxing Day" in reason
    # Thu 24 Dec 2015: Fri 25 closed, Sat 26 / Sun 27 closed, Mon 28 closed (substitute),
    # Tue 29 = 1, Wed 30 = 2, Thu 31 = 3.
    assert wd(ENGLAND, "2015-12-24T10:00:00+00:00", 1) == end_of("2015-12-29", UK_TZ)
    assert wd(ENGLAND, "2015-12-24T10:00:00+00:00", 3) == end_of("2015-12-31", UK_TZ)


def test_gb_without_subdivision_lacks_easter_monday() -> None:
    # Why packs must say GB + ENG: the national GB table has no Easter Monday, which is a
    # bank holiday in England (and Wales and Northern Ireland) but not in Scotland.
    national = holidays.country_holidays("GB", years=2019)
    england = holidays.country_holidays("GB", subdiv="ENG", years=2019)
    assert date(2019, 4, 22) not in national
    assert date(2019, 4, 22) in england
    assert date(2019, 4, 19) in national  # Good Friday is in both


_MINIMAL_PACK = """\
pack:
  id: minimal
  title: Minimal pack for calendar tests
  jurisdiction: england
  version: "1"
  effective_from: 2015-01-01
  sources:
    - {id: src, file: none.txt, title: A source}
calendar:
  timezone: Europe/London
  public_holidays: {country: GB%s}
roles:
  someone: {title: Someone}
rules:
  - id: a_check
    title: A check
    citation: {source: src, quote: "Something must be done."}
    strength: must
    when: {event: cpn_created}
    expect: {field: incident_ref, present: true}
    message: no incident ref
"""


def test_pack_compiler_rejects_gb_without_subdivision() -> None:
    with pytest.raises(PackValidationError, match="subdivision") as info:
        compile_text(_MINIMAL_PACK % "", "minimal.yaml")
    assert "ENG" in str(info.value)


def test_pack_compiler_accepts_gb_eng() -> None:
    pack = compile_text(_MINIMAL_PACK % ", subdivision: ENG", "minimal.yaml")
    assert pack.calendar.closed_reason(date(2019, 4, 22)) == "public holiday: Easter Monday"


def test_unknown_zone_and_country_are_calendar_errors() -> None:
    with pytest.raises(CalendarError, match="time zone"):
        WorkingCalendar.from_spec(CalendarSpec(timezone="Europe/Atlantis"))
    with pytest.raises(CalendarError, match="QQ"):
        WorkingCalendar.from_spec(
            CalendarSpec(timezone=UK_TZ, public_holidays=PublicHolidays(country="QQ"))
        )


# --- the counting convention ---------------------------------------------------------------


def test_saturday_trigger_has_the_same_deadline_as_the_friday_before() -> None:
    # Fri 10 May 2024: Sat 11 / Sun 12 closed, Mon 13 = 1, Tue 14 = 2, Wed 15 = 3.
    # Sat 11 May:      Sun 12 closed,           Mon 13 = 1, Tue 14 = 2, Wed 15 = 3.
    # Sun 12 May:                               Mon 13 = 1, Tue 14 = 2, Wed 15 = 3.
    friday = wd(JERSEY, "2024-05-10T09:00:00+01:00", 3)
    saturday = wd(JERSEY, "2024-05-11T09:00:00+01:00", 3)
    sunday = wd(JERSEY, "2024-05-12T23:00:00+01:00", 3)
    assert friday == saturday == sunday == end_of("2024-05-15", JE_TZ)
    # One working day: Fri 10 -> Mon 13; Sat 11 -> Mon 13.
    assert wd(JERSEY, "2024-05-10T09:00:00+01:00", 1) == end_of("2024-05-13", JE_TZ)
    assert wd(JERSEY, "2024-05-11T09:00:00+01:00", 1) == end_of("2024-05-13", JE_TZ)


def test_zero_working_days_is_the_end_of_the_trigger_date() -> None:
    assert wd(JERSEY, "2024-05-08T10:00:00+01:00", 0) == end_of("2024-05-08", JE_TZ)
    # Even when the trigger's date is not a working day (Saturday; Liberation Day).
    assert wd(JERSEY, "2024-05-11T10:00:00+01:00", 0) == end_of("2024-05-11", JE_TZ)
    assert wd(JERSEY, "2024-05-09T10:00:00+01:00", 0) == end_of("2024-05-09", JE_TZ)
    assert JERSEY.working_days_after(date(2024, 5, 11), 0) == date(2024, 5, 11)


def test_same_day_is_the_end_of_the_local_date_even_late_at_night() -> None:
    assert due(JERSEY, "2024-05-08T23:30:00+01:00", same_day=True) == end_of("2024-05-08", JE_TZ)
    assert due(JERSEY, "2024-05-08T00:00:00+01:00", same_day=True) == end_of("2024-05-08", JE_TZ)
    # Same day on a holiday is still that day.
    assert due(JERSEY, "2024-05-09T12:00:00+01:00", same_day=True) == end_of("2024-05-09", JE_TZ)


def test_utc_timestamp_counts_from_the_local_date() -> None:
    # 2024-05-07T23:30Z is Wed 8 May 00:30 in Jersey (BST): the local date is 8 May.
    trigger = "2024-05-07T23:30:00+00:00"
    assert JERSEY.local_date(at(trigger)) == date(2024, 5, 8)
    assert due(JERSEY, trigger, same_day=True) == end_of("2024-05-08", JE_TZ)
    # From Wed 8 May: Thu 9 closed (Liberation Day), Fri 10 = 1. (Counting from the UTC
    # date, Tue 7 May, would wrongly give Wed 8 May.)
    assert wd(JERSEY, trigger, 1) == end_of("2024-05-10", JE_TZ)
    # The same instant written with its local offset gives the same deadlines.
    assert wd(JERSEY, "2024-05-08T00:30:00+01:00", 1) == end_of("2024-05-10", JE_TZ)


def test_offset_far_from_the_pack_zone_counts_from_the_pack_local_date() -> None:
    # 2024-05-08T20:00-10:00 is Thu 9 May 06:00 UTC = 07:00 in Jersey: local date 9 May.
    # From Thu 9 May: Fri 10 = 1.
    assert wd(JERSEY, "2024-05-08T20:00:00-10:00", 1) == end_of("2024-05-10", JE_TZ)
    assert due(JERSEY, "2024-05-08T20:00:00-10:00", same_day=True) == end_of("2024-05-09", JE_TZ)


# --- end of day, time zones and daylight saving --------------------------------------------


def test_end_of_day_representation() -> None:
    deadline = wd(JERSEY, "2024-05-08T10:00:00+01:00", 3)
    assert deadline.tzinfo == ZoneInfo(JE_TZ)
    assert (deadline.hour, deadline.minute, deadline.second, deadline.microsecond) == (
        23,
        59,
        59,
        999_999,
    )
    assert deadline.utcoffset() == timedelta(hours=1)
    # In UTC: 14 May 2024 22:59:59.999999.
    assert deadline.astimezone(UTC) == datetime(2024, 5, 14, 22, 59, 59, 999_999, tzinfo=UTC)


@pytest.mark.parametrize("calendar", [JERSEY, ENGLAND], ids=["jersey", "england"])
def test_deadlines_around_the_spring_change(calendar: WorkingCalendar) -> None:
    # Sat 30 March 2024 is still GMT (+00:00); Sun 31 March ends in BST (+01:00).
    on_30th = due(calendar, "2024-03-30T10:00:00+00:00", same_day=True)
    assert on_30th.utcoffset() == timedelta(0)
    assert on_30th.astimezone(UTC) == datetime(2024, 3, 30, 23, 59, 59, 999_999, tzinfo=UTC)
    # 30 March + 1 calendar day = 31 March.
    on_31st = due(calendar, "2024-03-30T10:00:00+00:00", calendar_days=1)
    assert on_31st.utcoffset() == timedelta(hours=1)
    assert on_31st.astimezone(UTC) == datetime(2024, 3, 31, 22, 59, 59, 999_999, tzinfo=UTC)
    assert due(calendar, "2024-03-31T00:30:00+00:00", same_day=True) == on_31st


@pytest.mark.parametrize("calendar", [JERSEY, ENGLAND], ids=["jersey", "england"])
def test_deadlines_around_the_autumn_change(calendar: WorkingCalendar) -> None:
    # Sat 26 October 2024 ends in BST; Sun 27 October ends in GMT.
    on_26th = due(calendar, "2024-10-26T10:00:00+01:00", same_day=True)
    assert on_26th.utcoffset() == timedelta(hours=1)
    on_27th = due(calendar, "2024-10-26T10:00:00+01:00", calendar_days=1)
    assert on_27th.utcoffset() == timedelta(0)
    assert on_27th.astimezone(UTC) == datetime(2024, 10, 27, 23, 59, 59, 999_999, tzinfo=UTC)
    # Fri 25 Oct: Sat 26 / Sun 27 closed, Mon 28 = 1 (GMT).
    monday = wd(calendar, "2024-10-25T16:00:00+01:00", 1)
    assert monday.astimezone(UTC) == datetime(2024, 10, 28, 23, 59, 59, 999_999, tzinfo=UTC)


def test_working_day_deadline_on_a_sunday_in_a_seven_day_calendar() -> None:
    every_day = WorkingCalendar.from_spec(
        CalendarSpec(
            timezone=UK_TZ,
            working_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        )
    )
    # Sat 30 March 2024 + 1 working day (every day works, no holidays) = Sun 31 March, BST.
    sunday = wd(every_day, "2024-03-30T12:00:00+00:00", 1)
    assert sunday == end_of("2024-03-31", UK_TZ)
    assert sunday.utcoffset() == timedelta(hours=1)


# --- calendar days, months, hours -------------------------------------------------------------


def test_calendar_days_count_weekends_and_holidays() -> None:
    # Wed 8 May 2024 + 1 calendar day = Thu 9 May (Liberation Day counts).
    assert due(JERSEY, "2024-05-08T10:00:00+01:00", calendar_days=1) == end_of("2024-05-09", JE_TZ)
    # Fri 10 May + 3 calendar days = Mon 13 May.
    assert due(JERSEY, "2024-05-10T10:00:00+01:00", calendar_days=3) == end_of("2024-05-13", JE_TZ)
    # 0 calendar days = the end of the trigger's date.
    assert due(JERSEY, "2024-05-10T10:00:00+01:00", calendar_days=0) == end_of("2024-05-10", JE_TZ)
    # 28 Dec 2024 + 7 calendar days = 4 Jan 2025 (across the year end).
    assert due(ENGLAND, "2024-12-28T10:00:00+00:00", calendar_days=7) == end_of("2025-01-04", UK_TZ)


@pytest.mark.parametrize(
    ("trigger", "months", "expected"),
    [
        ("2024-01-31T10:00:00+00:00", 1, "2024-02-29"),  # 2024 is a leap year
        ("2023-01-31T10:00:00+00:00", 1, "2023-02-28"),
        ("2023-12-31T10:00:00+00:00", 2, "2024-02-29"),
        ("2024-01-15T10:00:00+00:00", 1, "2024-02-15"),
        ("2024-03-31T10:00:00+01:00", 1, "2024-04-30"),
        ("2024-02-29T10:00:00+00:00", 12, "2025-02-28"),
        ("2024-05-08T10:00:00+01:00", 0, "2024-05-08"),
    ],
)
def test_months_clip_to_the_end_of_shorter_months(trigger: str, months: int, expected: str) -> None:
    assert due(ENGLAND, trigger, months=months) == end_of(expected, UK_TZ)


def test_hours_are_exact_elapsed_time_across_the_spring_change() -> None:
    # 2024-03-30T12:00Z + 24 elapsed hours = 2024-03-31T12:00Z, which in London (BST since
    # 01:00 GMT that morning) reads 13:00+01:00, not 12:00.
    result = due(ENGLAND, "2024-03-30T12:00:00+00:00", hours=24)
    assert result == datetime(2024, 3, 31, 12, tzinfo=UTC)
    assert result.utcoffset() == timedelta(hours=1)
    assert (result.hour, result.minute) == (13, 0)
    assert result.tzinfo == ZoneInfo(UK_TZ)


def test_hours_are_exact_elapsed_time_across_the_autumn_change() -> None:
    # 2024-10-26T12:00+01:00 (11:00Z) + 24h = 2024-10-27T11:00Z = 11:00 GMT.
    result = due(ENGLAND, "2024-10-26T12:00:00+01:00", hours=24)
    assert result == datetime(2024, 10, 27, 11, tzinfo=UTC)
    assert (result.hour, result.utcoffset()) == (11, timedelta(0))
    # Hours ignore working days: Liberation Day does not stop the clock.
    assert due(JERSEY, "2024-05-08T20:00:00+01:00", hours=6) == at("2024-05-09T02:00:00+01:00")


def test_hours_are_elapsed_even_for_a_trigger_with_a_zoneinfo_zone() -> None:
    # Regression: hours were once added in the trigger's own tzinfo, which for a ZoneInfo
    # trigger is wall-clock arithmetic (12:00 BST, only 23 elapsed hours).
    # 12:00 on Sat 30 March 2024 in London is 12:00Z; 24 elapsed hours later is 12:00Z on
    # 31 March = 13:00 BST.
    trigger = datetime(2024, 3, 30, 12, tzinfo=ZoneInfo(UK_TZ))
    result = ENGLAND.deadline(Timescale(hours=24), trigger).due
    assert result == datetime(2024, 3, 31, 12, tzinfo=UTC)
    # Sun 27 October 2024 01:00-02:00 happens twice in London. The first 01:30 (BST,
    # fold=0) is 00:30Z; one hour later is 01:30Z, the second 01:30 (GMT).
    first = datetime(2024, 10, 27, 1, 30, tzinfo=ZoneInfo(UK_TZ))
    result = ENGLAND.deadline(Timescale(hours=1), first).due
    assert result is not None
    assert result.astimezone(UTC) == datetime(2024, 10, 27, 1, 30, tzinfo=UTC)
    assert (result.hour, result.minute, result.utcoffset()) == (1, 30, timedelta(0))


# --- office hours ----------------------------------------------------------------------------


def office(trigger: str, hours: int, calendar: WorkingCalendar = OFFICE) -> datetime:
    return due(calendar, trigger, office_hours=hours)


def test_office_hours_within_one_day() -> None:
    # Mon 13 May 2024 10:00 + 3 office hours = 13:00.
    assert office("2024-05-13T10:00:00+01:00", 3) == at("2024-05-13T13:00:00+01:00")


def test_office_hours_ending_exactly_at_closing_time() -> None:
    # Mon 13 May 09:00 + 8 = 17:00 the same day, not 09:00 the next morning.
    assert office("2024-05-13T09:00:00+01:00", 8) == at("2024-05-13T17:00:00+01:00")
    # 16:00 + 1 = 17:00.
    assert office("2024-05-13T16:00:00+01:00", 1) == at("2024-05-13T17:00:00+01:00")


def test_office_hours_start_outside_hours_rolls_to_the_next_opening() -> None:
    # Before opening: Mon 13 May 07:00 -> counting starts 09:00; + 2 = 11:00.
    assert office("2024-05-13T07:00:00+01:00", 2) == at("2024-05-13T11:00:00+01:00")
    # After closing: Mon 13 May 18:00 -> Tue 14 09:00; + 2 = 11:00.
    assert office("2024-05-13T18:00:00+01:00", 2) == at("2024-05-14T11:00:00+01:00")
    # At closing time exactly: Mon 13 May 17:00 -> Tue 14 09:00; + 1 = 10:00.
    assert office("2024-05-13T17:00:00+01:00", 1) == at("2024-05-14T10:00:00+01:00")
    # On a Saturday: Sat 18 May 12:00 -> Mon 20 May 09:00; + 1 = 10:00.
    assert office("2024-05-18T12:00:00+01:00", 1) == at("2024-05-20T10:00:00+01:00")
    # Zero office hours from outside hours is the next opening.
    assert office("2024-05-18T12:00:00+01:00", 0) == at("2024-05-20T09:00:00+01:00")


def test_office_hours_spanning_a_weekend() -> None:
    # Fri 17 May 2024 15:00 + 4: Fri 15:00-17:00 = 2, Sat/Sun closed, Mon 20 May
    # 09:00-11:00 = 2 more -> Mon 20 May 11:00.
    assert office("2024-05-17T15:00:00+01:00", 4) == at("2024-05-20T11:00:00+01:00")
    # Fri 17 May 09:00 + 20: Fri 8, Mon 20 8 (16), Tue 21 09:00 + 4 -> 13:00.
    assert office("2024-05-17T09:00:00+01:00", 20) == at("2024-05-21T13:00:00+01:00")


def test_office_hours_on_a_bank_holiday() -> None:
    # Mon 27 May 2024 is the Spring Bank Holiday in England.
    # Closed on holidays: Fri 24 May 16:00-17:00 = 1, Sat/Sun closed, Mon 27 closed,
    # Tue 28 09:00 + 1 -> 10:00.
    assert office("2024-05-24T16:00:00+01:00", 2) == at("2024-05-28T10:00:00+01:00")
    # Open on holidays: Fri 16:00-17:00 = 1, Mon 27 09:00 + 1 -> 10:00.
    assert office("2024-05-24T16:00:00+01:00", 2, OFFICE_OPEN_ON_HOLIDAYS) == at(
        "2024-05-27T10:00:00+01:00"
    )


def test_office_hours_across_easter_and_the_spring_change() -> None:
    # Thu 28 March 2024 16:00 GMT + 2: Thu 16:00-17:00 = 1, Fri 29 closed (Good Friday),
    # Sat/Sun closed (clocks change), Mon 1 April closed (Easter Monday), Tue 2 April
    # 09:00 BST + 1 -> 10:00+01:00.
    result = office("2024-03-28T16:00:00+00:00", 2)
    assert result == at("2024-04-02T10:00:00+01:00")
    assert result.utcoffset() == timedelta(hours=1)


def test_office_hours_trigger_given_in_utc() -> None:
    # 2024-05-13T08:30Z is 09:30 BST; + 1 = 10:30 BST.
    assert office("2024-05-13T08:30:00+00:00", 1) == at("2024-05-13T10:30:00+01:00")


def test_office_hours_need_an_office() -> None:
    with pytest.raises(CalendarError, match="office_hours"):
        JERSEY.deadline(Timescale(office_hours=1), at("2024-05-13T10:00:00+01:00"))


def test_office_hours_are_elapsed_time_when_the_office_spans_a_dst_change() -> None:
    # An office open 00:00-06:00 every day, London. On Sun 31 March 2024 the clocks jump
    # 01:00 GMT -> 02:00 BST, so the office is open 00:00Z-05:00Z: 5 real hours. 6 office
    # hours from 00:00Z are those 5 plus 1 on Mon 1 April (00:00-01:00 BST), due
    # 2024-04-01T01:00+01:00. Regression: open time was once measured by wall clock, giving
    # 2024-03-31T06:00+01:00 (05:00Z), only 5 elapsed hours.
    night = WorkingCalendar.from_spec(
        CalendarSpec(
            timezone=UK_TZ,
            working_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            office_hours=OfficeHours(
                days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                start=time(0),
                end=time(6),
            ),
        )
    )
    assert night.add_office_hours(at("2024-03-31T00:00:00+00:00"), 6) == at(
        "2024-04-01T01:00:00+01:00"
    )


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2024-05-13T09:00:00+01:00", True),  # opening time is inside
        ("2024-05-13T08:59:59.999999+01:00", False),
        ("2024-05-13T16:59:59.999999+01:00", True),
        ("2024-05-13T17:00:00+01:00", False),  # closing time is outside
        ("2024-05-13T08:00:00+00:00", True),  # 09:00 BST written in UTC
        ("2024-05-13T16:00:00+00:00", False),  # 17:00 BST written in UTC
        ("2024-05-18T10:00:00+01:00", False),  # Saturday
        ("2024-05-27T10:00:00+01:00", False),  # Spring Bank Holiday
        ("2024-01-15T09:00:00+00:00", True),  # winter: 09:00 GMT
        ("2024-01-15T08:59:00+00:00", False),
    ],
)
def test_in_office_hours_boundaries(instant: str, expected: bool) -> None:
    assert OFFICE.in_office_hours(at(instant)) is expected


def test_in_office_hours_on_a_bank_holiday_when_open_on_holidays() -> None:
    assert OFFICE_OPEN_ON_HOLIDAYS.in_office_hours(at("2024-05-27T10:00:00+01:00"))
    assert not OFFICE_OPEN_ON_HOLIDAYS.in_office_hours(at("2024-05-27T17:00:00+01:00"))


def test_in_office_hours_without_an_office_is_false() -> None:
    assert not JERSEY.in_office_hours(at("2024-05-13T10:00:00+01:00"))


_OFFICE_HOURS_PACK = minimal_pack(
    "minimal",
    "Minimal pack for calendar tests",
    """\
  - id: an_obligation
    title: An obligation
    citation: {source: src, quote: "Something must be done."}
    strength: must
    when: {event: cpn_created}
    require:
      action: do_it
      responsible: someone
      due: {office_hours: 2}
      satisfied_by: {event: flag_sent}
""",
)


def test_office_hours_timescale_without_office_hours_is_rejected_at_load() -> None:
    # Regression: such a pack once loaded, and evaluate() raised CalendarError when the
    # rule fired.
    with pytest.raises(PackValidationError, match="office_hours"):
        compile_text(_OFFICE_HOURS_PACK, "minimal.yaml")


# --- closures ---------------------------------------------------------------------------------


def test_closure_dates_are_closed_days() -> None:
    closed_friday = WorkingCalendar.from_spec(
        CalendarSpec(
            timezone=JE_TZ,
            public_holidays=PublicHolidays(country="JE"),
            closures=[date(2024, 5, 10)],
            office_hours=NINE_TO_FIVE,
        )
    )
    assert closed_friday.closed_reason(date(2024, 5, 10)) == "closure date"
    assert not closed_friday.is_working_day(date(2024, 5, 10))
    # Wed 8 May: Thu 9 closed (Liberation Day), Fri 10 closed (closure), Sat 11 / Sun 12
    # closed, Mon 13 = 1.
    assert wd(closed_friday, "2024-05-08T10:00:00+01:00", 1) == end_of("2024-05-13", JE_TZ)
    # The office is shut on a closure date too: Thu 9 holiday, Fri 10 closure -> Mon 13
    # 09:00 + 1 = 10:00.
    assert not closed_friday.in_office_hours(at("2024-05-10T10:00:00+01:00"))
    assert closed_friday.add_office_hours(at("2024-05-08T17:30:00+01:00"), 1) == at(
        "2024-05-13T10:00:00+01:00"
    )


def test_closure_on_a_weekend_changes_nothing() -> None:
    closed_saturday = WorkingCalendar.from_spec(
        CalendarSpec(timezone=JE_TZ, closures=[date(2024, 5, 11)])
    )
    assert closed_saturday.closed_reason(date(2024, 5, 11)) == "Saturday"
    # Fri 10: Sat 11 / Sun 12 closed, Mon 13 = 1.
    assert wd(closed_saturday, "2024-05-10T10:00:00+01:00", 1) == end_of("2024-05-13", JE_TZ)


def test_custom_working_week() -> None:
    # A Tuesday-to-Saturday service. From Fri 10 May 2024: Sat 11 = 1, Sun 12 / Mon 13
    # closed, Tue 14 = 2.
    tue_sat = WorkingCalendar.from_spec(
        CalendarSpec(timezone=JE_TZ, working_days=["tue", "wed", "thu", "fri", "sat"])
    )
    assert wd(tue_sat, "2024-05-10T10:00:00+01:00", 2) == end_of("2024-05-14", JE_TZ)
    assert tue_sat.closed_reason(date(2024, 5, 13)) == "Monday"


# --- traces -----------------------------------------------------------------------------------


def test_trace_names_every_skipped_day_and_its_reason() -> None:
    deadline = JERSEY.deadline(
        Timescale(working_days=3), at("2024-05-08T10:00:00+01:00"), trace=True
    )
    steps = [s.text for s in deadline.steps]
    assert steps[0].startswith("trigger at 2024-05-08T10:00:00+01:00 (Europe/Jersey)")
    assert "local date 2024-05-08" in steps[0]
    assert steps[1:-1] == [
        "counting 3 working days after 2024-05-08",
        "2024-05-09 Thu: skipped (public holiday: Liberation Day)",
        "2024-05-10 Fri: working day 1",
        "2024-05-11 Sat: skipped (Saturday)",
        "2024-05-12 Sun: skipped (Sunday)",
        "2024-05-13 Mon: working day 2",
        "2024-05-14 Tue: working day 3",
    ]
    assert steps[-1] == "due 2024-05-14T23:59:59.999999+01:00"
    assert deadline.due == end_of("2024-05-14", JE_TZ)


def test_trace_of_a_closure_and_zero_days() -> None:
    calendar = WorkingCalendar.from_spec(CalendarSpec(timezone=JE_TZ, closures=[date(2024, 5, 9)]))
    steps = [
        s.text
        for s in calendar.deadline(
            Timescale(working_days=1), at("2024-05-08T10:00:00+01:00"), trace=True
        ).steps
    ]
    assert "2024-05-09 Thu: skipped (closure date)" in steps
    zero = JERSEY.deadline(Timescale(working_days=0), at("2024-05-08T10:00:00+01:00"), trace=True)
    assert "0 working days: end of 2024-05-08 itself" in [s.text for s in zero.steps]


def test_no_trace_unless_asked() -> None:
    deadline = JERSEY.deadline(Timescale(working_days=3), at("2024-05-08T10:00:00+01:00"))
    assert deadline.steps == ()
    assert deadline.due == end_of("2024-05-14", JE_TZ)


def test_no_deadline() -> None:
    deadline = JERSEY.deadline(
        Timescale(no_deadline=True), at("2024-05-08T10:00:00+01:00"), trace=True
    )
    assert deadline.due is None
    assert any("no deadline" in s.text for s in deadline.steps)


# --- docs/deadlines.md ---------------------------------------------------------------------


def _yaml_blocks() -> list[str]:
    text = (ROOT / "docs" / "deadlines.md").read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)


def test_deadlines_doc_snippets_match_the_pack_format() -> None:
    blocks = _yaml_blocks()
    assert len(blocks) >= 4
    calendars = 0
    for block in blocks:
        data, _positions = read_yaml_text(block, "docs/deadlines.md")
        assert isinstance(data, dict), block
        for key, value in data.items():
            if key == "calendar":
                CalendarSpec.model_validate(value)
                calendars += 1
            elif key in ("due", "within"):
                Timescale.model_validate(value)
            else:
                raise AssertionError(f"unexpected top-level key {key!r} in:\n{block}")
    assert calendars >= 2
