"""Hypothesis strategies shared by the property tests.

* calendars: the Jersey and England pack calendars, and random ones (time zone, working
  weekdays, optional public holidays, closure dates clustered so they actually get hit,
  optional office hours);
* dates from 2015 to 2030, aware datetimes with varied UTC offsets or IANA zones, small N;
* event streams: lists of valid event *records* (dicts) for one or more children with
  unique ids, turned into typed events with ``safeguard_rules.parse_events``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from safeguard_rules import EventStream, parse_events
from safeguard_rules._calendar import WEEKDAYS, WorkingCalendar
from safeguard_rules._pack import CalendarSpec, OfficeHours, PublicHolidays

MIN_DATE = date(2015, 1, 1)
MAX_DATE = date(2030, 12, 31)

# --- dates, times and offsets -------------------------------------------------------------

dates = st.dates(MIN_DATE, MAX_DATE)

small_n = st.integers(min_value=0, max_value=30)
positive_n = st.integers(min_value=1, max_value=30)

# UTC offsets in quarter hours from -12:00 to +14:00, with the common ones favoured.
offsets = st.one_of(
    st.sampled_from([0, 60, -300, 330, 600]),
    st.integers(min_value=-48, max_value=56).map(lambda q: q * 15),
).map(lambda minutes: timezone(timedelta(minutes=minutes)))


# Fixed offsets (what events parsed from ISO text carry) or IANA zones (what a caller's
# own datetimes may carry), including times in a zone's repeated or skipped hour.
ZONE_NAMES = (
    "Europe/Jersey",
    "Europe/London",
    "UTC",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
)
tzinfos = st.one_of(offsets, st.sampled_from([ZoneInfo(name) for name in ZONE_NAMES]))


def aware_datetimes(
    min_value: datetime = datetime(2015, 1, 1), max_value: datetime = datetime(2030, 12, 31)
) -> st.SearchStrategy[datetime]:
    """Aware datetimes with a fixed UTC offset or an IANA zone."""
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=tzinfos)


# --- calendars ----------------------------------------------------------------------------

JERSEY_SPEC = CalendarSpec(timezone="Europe/Jersey", public_holidays=PublicHolidays(country="JE"))
ENGLAND_SPEC = CalendarSpec(
    timezone="Europe/London", public_holidays=PublicHolidays(country="GB", subdivision="ENG")
)

HOLIDAY_SETS = (
    None,
    PublicHolidays(country="JE"),
    PublicHolidays(country="GB", subdivision="ENG"),
    PublicHolidays(country="GB", subdivision="SCT"),
)


def weekday_sets(min_size: int = 1) -> st.SearchStrategy[list[str]]:
    """A non-empty set of weekday names, in week order."""
    return st.sets(st.sampled_from(WEEKDAYS), min_size=min_size).map(
        lambda days: [d for d in WEEKDAYS if d in days]
    )


@st.composite
def closure_dates(draw: st.DrawFn) -> list[date]:
    """A cluster of closures around one date (plus a few anywhere), so counts meet them."""
    anchor = draw(dates)
    near = draw(st.lists(st.integers(min_value=0, max_value=45), max_size=20))
    anywhere = draw(st.lists(dates, max_size=3))
    return sorted({anchor + timedelta(days=k) for k in near} | set(anywhere))


@st.composite
def office_hours(draw: st.DrawFn) -> OfficeHours:
    """Daytime office hours: never open across a night-time clock change."""
    start = time(draw(st.integers(min_value=6, max_value=11)), draw(st.sampled_from([0, 30])))
    end = time(draw(st.integers(min_value=12, max_value=21)), draw(st.sampled_from([0, 15, 30])))
    return OfficeHours(
        days=draw(weekday_sets()),
        start=start,
        end=end,
        open_on_public_holidays=draw(st.booleans()),
    )


@st.composite
def random_calendar_specs(draw: st.DrawFn, *, with_office: bool = False) -> CalendarSpec:
    return CalendarSpec(
        timezone=draw(st.sampled_from(ZONE_NAMES)),
        working_days=draw(weekday_sets()),
        public_holidays=draw(st.sampled_from(HOLIDAY_SETS)),
        closures=draw(closure_dates()),
        office_hours=draw(office_hours()) if with_office else None,
    )


def calendar_specs(*, with_office: bool = False) -> st.SearchStrategy[CalendarSpec]:
    """The Jersey and England calendars (the bundled packs' own) and random ones."""
    if with_office:
        named = st.tuples(st.sampled_from([JERSEY_SPEC, ENGLAND_SPEC]), office_hours()).map(
            lambda pair: pair[0].model_copy(update={"office_hours": pair[1]})
        )
    else:
        named = st.sampled_from([JERSEY_SPEC, ENGLAND_SPEC])
    return st.one_of(named, random_calendar_specs(with_office=with_office))


def calendars(*, with_office: bool = False) -> st.SearchStrategy[WorkingCalendar]:
    return calendar_specs(with_office=with_office).map(WorkingCalendar.from_spec)


def days_for(calendar: WorkingCalendar) -> st.SearchStrategy[date]:
    """Dates in range, often close to the calendar's closures so that they matter."""
    if not calendar.closures:
        return dates
    first = min(calendar.closures)
    near = st.integers(min_value=-10, max_value=50).map(lambda k: first + timedelta(days=k))
    return st.one_of(dates, near.filter(lambda d: MIN_DATE <= d <= MAX_DATE))


def instants_on(day: date) -> st.SearchStrategy[datetime]:
    """An aware instant within a day or so of ``day`` (offsets move the local date)."""
    start = datetime.combine(day, time(0))
    return aware_datetimes(start - timedelta(hours=14), start + timedelta(hours=38))


# --- event records ---------------------------------------------------------------------------

ROLES = (
    "allocated_social_worker",
    "team_manager",
    "senior_practitioner",
    "mash_ds",
    "ppu_ds",
    "csc_manager",
    "strategy_chair",
    "strategy_meeting_chair",
    "la_childrens_social_care",
    "advanced_practitioner",
    "business_support_assistant",
    "west_mash",
    "duty_sergeant",
    "police",
    "health",
)
AGENCIES = (
    "csc",
    "police",
    "health",
    "education",
    "fostering_service",
    "residential_service",
    "referring_agency",
)
INCIDENTS = ("INC-1", "INC-2", "INC-3", "INC-4", "INC-5")

roles = st.sampled_from(ROLES)
agencies = st.lists(st.sampled_from(AGENCIES), max_size=4, unique=True)
incidents = st.lists(st.sampled_from(INCIDENTS), max_size=5, unique=True)
modes = st.sampled_from(["face_to_face", "telephone", "video"])
bases = st.sampled_from(["section_47", "article_42", "other"])
purposes = st.sampled_from(["safeguarding", "investigation_update", "police_information_only"])
texts = st.sampled_from(["noted", "agreed by phone"])
difference_ids = st.sampled_from(["pd-1", "pd-2"])
on_dates = st.dates(date(2015, 1, 1), date(2030, 12, 31)).map(date.isoformat)


class Ref(int):
    """A field that names another event of the stream: an index, resolved to its id."""


refs = st.integers(min_value=0, max_value=10_000).map(Ref)

_FIELDS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "social_worker_allocated": st.fixed_dictionaries(
        {"worker": st.sampled_from(["sw-1", "sw-2"])},
        optional={
            "team_manager": st.sampled_from(["tm-1", "tm-2"]),
            "senior_practitioner": st.just("sp-1"),
        },
    ),
    "social_worker_unallocated": st.just({}),
    "cpn_created": st.fixed_dictionaries({"incident_ref": st.sampled_from(INCIDENTS)}),
    "concern_identified": st.fixed_dictionaries(
        {
            "category": st.sampled_from(
                ["physical_abuse", "sexual_abuse", "penetrative_sexual_abuse", "neglect", "other"]
            )
        },
        optional={
            "serious_harm": st.booleans(),
            "forensic_evidence_needed": st.booleans(),
            "immediate_action_taken": st.booleans(),
            "complex": st.booleans(),
            "looked_after": st.booleans(),
            "risk_level": st.sampled_from(["low", "medium", "high"]),
        },
    ),
    "enquiry_received": st.fixed_dictionaries({"safeguarding_risk_clear": st.booleans()}),
    "mash_enquiry_started": st.just({}),
    "flag_sent": st.fixed_dictionaries(
        {
            "sender_role": roles,
            "to": st.lists(roles, min_size=1, max_size=3, unique=True),
        },
        optional={
            "cc": st.lists(roles, max_size=3, unique=True),
            "attached_cpns": incidents,
            "summarised_incidents": incidents,
        },
    ),
    "referral_made": st.fixed_dictionaries(
        {"to_service": st.sampled_from(["children_and_family_hub", "early_help"])},
        optional={"by_role": roles},
    ),
    "receipt_confirmed": st.fixed_dictionaries(
        {"of_event": refs},
        optional={"by_role": roles, "method": st.sampled_from(["email", "phone", "system"])},
    ),
    "planning_meeting_requested": st.fixed_dictionaries({}, optional={"requested_by_role": roles}),
    "planning_meeting_held": st.fixed_dictionaries(
        {"chair_role": roles},
        optional={"minuted": st.booleans(), "actions_shared": st.booleans(), "agencies": agencies},
    ),
    "strategy_discussion_held": st.fixed_dictionaries(
        {"mode": modes},
        optional={"agencies": agencies, "records_made_by": agencies, "chair_role": roles},
    ),
    "strategy_meeting_requested": st.fixed_dictionaries(
        {"requested_by_role": roles},
        optional={
            "purpose": purposes,
            "authorised": st.booleans(),
            "quality_assured": st.booleans(),
            "form_complete": st.booleans(),
            "mode": modes,
        },
    ),
    "strategy_request_forwarded": st.fixed_dictionaries(
        {"by_role": roles, "to": st.lists(roles, min_size=1, max_size=3, unique=True)},
        optional={"of_event": refs},
    ),
    "strategy_request_returned": st.fixed_dictionaries(
        {}, optional={"of_event": refs, "by_role": roles, "reason": texts}
    ),
    "police_contacted": st.fixed_dictionaries(
        {"channel": st.sampled_from(["101", "mash_phone"])},
        optional={"by_role": roles, "requested_role": roles},
    ),
    "strategy_meeting_held": st.fixed_dictionaries(
        {"chair_role": roles},
        optional={"chair": st.sampled_from(["tm-1", "tm-2"]), "agencies": agencies, "mode": modes},
    ),
    "strategy_meeting_cancelled": st.fixed_dictionaries(
        {},
        optional={
            "of_event": refs,
            "by_role": roles,
            "rationale": texts,
            "agreed_by": st.lists(st.sampled_from(ROLES + AGENCIES), max_size=4, unique=True),
            "notified": st.lists(roles, max_size=3, unique=True),
            "recorded_on_child_file": st.booleans(),
        },
    ),
    "strategy_record_circulated": st.fixed_dictionaries(
        {}, optional={"meeting_ref": refs, "to": agencies, "authorised_by_role": roles}
    ),
    "agency_unable_to_attend": st.fixed_dictionaries(
        {"agency": st.sampled_from(AGENCIES)}, optional={"meeting_ref": refs}
    ),
    "agency_report_sent": st.fixed_dictionaries(
        {"agency": st.sampled_from(AGENCIES), "to_role": roles}
    ),
    "enquiry_started": st.fixed_dictionaries({"basis": bases}),
    "enquiry_concluded": st.fixed_dictionaries({"basis": bases, "continuing_risk": st.booleans()}),
    "child_protection_conference_held": st.just({}),
    "medical_considered": st.fixed_dictionaries(
        {},
        optional={
            "kinds": st.lists(
                st.sampled_from(["child_protection", "child_sexual_abuse"]), max_size=2, unique=True
            ),
            "required": st.booleans(),
        },
    ),
    "professional_difference_raised": st.fixed_dictionaries(
        {"difference_id": difference_ids},
        optional={"raised_by_role": roles, "started_on": on_dates},
    ),
    "professional_difference_resolved": st.fixed_dictionaries(
        {"difference_id": difference_ids}, optional={"resolved_on": on_dates}
    ),
    "case_reviewed": st.fixed_dictionaries(
        {}, optional={"complex": st.booleans(), "stuck": st.booleans(), "drifting": st.booleans()}
    ),
    "supervision_held": st.fixed_dictionaries(
        {"kind": st.sampled_from(["internal", "multi_agency_reflective"])},
        optional={"agencies": agencies},
    ),
}
EVENT_TYPES = tuple(sorted(_FIELDS))

# Events fall on the half hour within a four-week window, often at an instant an earlier
# event already has (ties are broken by id), on weekends, holidays and in the evening.
WINDOW_SLOTS = 4 * 7 * 48
SOME_CHILDREN = st.integers(min_value=1, max_value=3)


@st.composite
def event_records(
    draw: st.DrawFn,
    *,
    children: st.SearchStrategy[int] = SOME_CHILDREN,
    max_events: int = 25,
) -> list[dict[str, Any]]:
    """Valid event records for one or more children, with unique ids ``e000``...

    The ids are given in generation order, independent of the events' times, and the
    times are written with varied offsets (sometimes the same instant twice).
    """
    n_children = draw(children)
    child_ids = [f"child-{c}" for c in range(n_children)]
    start = draw(st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2030, 11, 30)))
    start = start.replace(minute=0, second=0, microsecond=0, tzinfo=UTC)
    kinds = draw(st.lists(st.sampled_from(EVENT_TYPES), min_size=1, max_size=max_events))
    records: list[dict[str, Any]] = []
    used: list[int] = []
    for i, kind in enumerate(kinds):
        fresh = st.integers(min_value=0, max_value=WINDOW_SLOTS)
        slot = draw(st.one_of(fresh, st.sampled_from(used)) if used else fresh)
        used.append(slot)
        instant = start + timedelta(minutes=30 * slot)
        fields = dict(draw(_FIELDS[kind]))
        records.append(
            {
                "id": f"e{i:03d}",
                "type": kind,
                "child_id": draw(st.sampled_from(child_ids)),
                "at": instant.astimezone(draw(offsets)).isoformat(),
                **fields,
            }
        )
    for record in records:
        for key, value in list(record.items()):
            if isinstance(value, Ref):
                record[key] = records[value % len(records)]["id"]
    return records


def as_of_for(records: list[dict[str, Any]]) -> st.SearchStrategy[datetime]:
    """An evaluation time from a day before the first event to two months after the last.

    Drawn as a shift back from the last event, so most draws see most of the events.
    """
    times = [datetime.fromisoformat(r["at"]) for r in records]
    first, last = min(times), max(times)
    back = int((last - first).total_seconds() // 60) + 24 * 60
    shift = st.integers(min_value=-60 * 24 * 60, max_value=back).map(
        lambda minutes: last - timedelta(minutes=minutes)
    )
    return st.tuples(shift, offsets).map(lambda pair: pair[0].astimezone(pair[1]))


def parse(records: list[dict[str, Any]]) -> EventStream:
    """Typed events from generated records; every generated record is valid."""
    stream = parse_events(records)
    assert not stream.rejected, stream.rejected
    return stream


def event_streams(**kwargs: Any) -> st.SearchStrategy[EventStream]:
    return event_records(**kwargs).map(parse)
