"""Property-based tests: deadline arithmetic and evaluation invariants.

Calendar properties run over the Jersey and England calendars and random ones (see
``strategies.py``); evaluation properties run under every bundled pack.

Instants are compared in UTC (``utc``): Python compares two datetimes that share a
tzinfo object by wall clock, ignoring ``fold``, which is wrong in a repeated hour.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from helpers import minimal_pack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    as_of_for,
    calendars,
    days_for,
    event_records,
    instants_on,
    offsets,
    parse,
    positive_n,
    small_n,
)

from safeguard_rules import CompiledPack, bundled_packs, evaluate, load_pack, parse_events
from safeguard_rules._calendar import END_OF_DAY, WorkingCalendar
from safeguard_rules._loading import compile_text
from safeguard_rules._pack import Timescale

CALENDAR = settings(max_examples=100, deadline=None)
EVALUATION = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PACKS = bundled_packs()


@cache
def pack(name: str) -> CompiledPack:
    return load_pack(name)


def working_deadline(calendar: WorkingCalendar, trigger: datetime, n: int) -> datetime:
    due = calendar.deadline(Timescale(working_days=n), trigger).due
    assert due is not None
    return due


def local(calendar: WorkingCalendar, instant: datetime) -> datetime:
    return instant.astimezone(calendar.tz)


def utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


# --- working days ----------------------------------------------------------------------------


@CALENDAR
@given(data=st.data(), n=positive_n)
def test_working_day_deadline_is_the_end_of_an_open_day_after_the_trigger_date(
    data: st.DataObject, n: int
) -> None:
    calendar = data.draw(calendars(), label="calendar")
    trigger = data.draw(instants_on(data.draw(days_for(calendar))), label="trigger")
    due = working_deadline(calendar, trigger, n)
    trigger_day = calendar.local_date(trigger)
    due_local = local(calendar, due)
    assert due_local.time() == END_OF_DAY
    assert calendar.is_working_day(due_local.date())
    assert due_local.date() > trigger_day
    # Exactly n open days in (trigger's local date, deadline date].
    span = (due_local.date() - trigger_day).days
    opened = [trigger_day + timedelta(days=k) for k in range(1, span + 1)]
    assert sum(calendar.is_working_day(d) for d in opened) == n


@CALENDAR
@given(data=st.data(), n=small_n)
def test_working_day_deadline_is_monotonic_in_n(data: st.DataObject, n: int) -> None:
    calendar = data.draw(calendars(), label="calendar")
    trigger = data.draw(instants_on(data.draw(days_for(calendar))), label="trigger")
    assert utc(working_deadline(calendar, trigger, n + 1)) > utc(
        working_deadline(calendar, trigger, n)
    )


@CALENDAR
@given(data=st.data(), n=small_n)
def test_working_day_deadline_is_monotonic_in_the_trigger(data: st.DataObject, n: int) -> None:
    calendar = data.draw(calendars(), label="calendar")
    day = data.draw(days_for(calendar))
    first = data.draw(instants_on(day), label="first")
    later = data.draw(
        st.one_of(instants_on(day), instants_on(day + timedelta(days=1))), label="second"
    )
    first, later = sorted([first, later], key=utc)
    assert utc(working_deadline(calendar, first, n)) <= utc(working_deadline(calendar, later, n))


@CALENDAR
@given(data=st.data(), n=positive_n)
def test_a_closed_day_has_the_deadline_of_the_day_before(data: st.DataObject, n: int) -> None:
    # The Saturday rule, generalised: counting starts the day after the trigger's date, so
    # a trigger on a closed day has the same deadline as one on the day before it.
    calendar = data.draw(calendars(), label="calendar")
    day = data.draw(days_for(calendar))
    if calendar.is_working_day(day):
        assert calendar.working_days_after(day - timedelta(days=1), n) < (
            calendar.working_days_after(day, n)
        )
    else:
        assert calendar.working_days_after(day - timedelta(days=1), n) == (
            calendar.working_days_after(day, n)
        )


@CALENDAR
@given(data=st.data())
def test_same_day_and_zero_working_days_end_the_trigger_local_date(data: st.DataObject) -> None:
    calendar = data.draw(calendars(), label="calendar")
    trigger = data.draw(instants_on(data.draw(days_for(calendar))), label="trigger")
    same = calendar.deadline(Timescale(same_day=True), trigger).due
    zero = working_deadline(calendar, trigger, 0)
    assert same == zero
    assert same is not None
    assert local(calendar, same).date() == calendar.local_date(trigger)
    assert local(calendar, same).time() == END_OF_DAY
    assert utc(same) >= utc(trigger)


@CALENDAR
@given(data=st.data(), days=st.integers(min_value=0, max_value=400))
def test_calendar_days_and_hours_are_exact(data: st.DataObject, days: int) -> None:
    calendar = data.draw(calendars(), label="calendar")
    trigger = data.draw(instants_on(data.draw(days_for(calendar))), label="trigger")
    by_days = calendar.deadline(Timescale(calendar_days=days), trigger).due
    assert by_days is not None
    assert local(calendar, by_days).date() == calendar.local_date(trigger) + timedelta(days=days)
    hours = days % 100
    by_hours = calendar.deadline(Timescale(hours=hours), trigger).due
    assert by_hours is not None
    assert utc(by_hours) - utc(trigger) == timedelta(hours=hours)  # elapsed, any tzinfo
    assert by_hours.tzinfo == calendar.tz


# --- office hours ----------------------------------------------------------------------------


def at_closing_time(calendar: WorkingCalendar, instant: datetime) -> bool:
    here = local(calendar, instant)
    just_before = instant - timedelta(microseconds=1)
    return (
        here.time() == calendar.office_end
        and calendar.in_office_hours(just_before)
        and local(calendar, just_before).date() == here.date()
    )


@CALENDAR
@given(
    data=st.data(),
    hours=st.integers(min_value=0, max_value=60),
    extra=st.integers(min_value=0, max_value=30),
)
def test_office_hours_deadline_is_in_hours_or_at_closing_and_monotonic(
    data: st.DataObject, hours: int, extra: int
) -> None:
    calendar = data.draw(calendars(with_office=True), label="calendar")
    trigger = data.draw(instants_on(data.draw(days_for(calendar))), label="trigger")
    due = calendar.add_office_hours(trigger, hours)
    assert utc(due) >= utc(trigger)
    assert calendar.in_office_hours(due) or at_closing_time(calendar, due)
    assert calendar.deadline(Timescale(office_hours=hours), trigger).due == due
    more = calendar.add_office_hours(trigger, hours + extra)
    assert utc(more) >= utc(due)
    if extra:
        assert utc(more) > utc(due)


@CALENDAR
@given(data=st.data(), hours=st.integers(min_value=0, max_value=30))
def test_office_hours_deadline_is_monotonic_in_the_trigger(data: st.DataObject, hours: int) -> None:
    calendar = data.draw(calendars(with_office=True), label="calendar")
    day = data.draw(days_for(calendar))
    first = data.draw(instants_on(day), label="first")
    later = data.draw(
        st.one_of(instants_on(day), instants_on(day + timedelta(days=1))), label="second"
    )
    first, later = sorted([first, later], key=utc)
    assert utc(calendar.add_office_hours(first, hours)) <= utc(
        calendar.add_office_hours(later, hours)
    )


# --- evaluation --------------------------------------------------------------------------------


def with_duplicates(data: st.DataObject, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of some records under the same id, moved in time and sometimes to another child."""
    extra = []
    for record in data.draw(st.lists(st.sampled_from(records), max_size=3), label="dupes"):
        copy = dict(record)
        moved = datetime.fromisoformat(copy["at"]) + timedelta(
            minutes=30 * data.draw(st.integers(min_value=-96, max_value=96))
        )
        copy["at"] = moved.astimezone(data.draw(offsets)).isoformat()
        if data.draw(st.booleans()):
            copy["child_id"] = "child-other"
        extra.append(copy)
    return records + extra


@pytest.mark.parametrize("name", PACKS)
@EVALUATION
@given(data=st.data())
def test_evaluation_is_independent_of_input_order(name: str, data: st.DataObject) -> None:
    records = data.draw(event_records(), label="records")
    if data.draw(st.booleans(), label="inject duplicates"):
        records = with_duplicates(data, records)
    as_of = data.draw(as_of_for(records), label="as_of")
    shuffled = data.draw(st.permutations(records), label="shuffled")
    compiled = pack(name)
    original = evaluate(compiled, parse(records), as_of).to_json()
    assert evaluate(compiled, parse(shuffled), as_of).to_json() == original
    # A plain iterable of events is accepted too, in any order.
    events = list(parse(records).events)
    random.Random(data.draw(st.integers(0, 2**32))).shuffle(events)
    assert evaluate(compiled, events, as_of).to_json() == original


@pytest.mark.parametrize("name", PACKS)
@EVALUATION
@given(data=st.data())
def test_children_are_evaluated_independently(name: str, data: st.DataObject) -> None:
    records = data.draw(event_records(children=st.integers(2, 4)), label="records")
    as_of = data.draw(as_of_for(records), label="as_of")
    compiled = pack(name)
    whole = evaluate(compiled, parse(records), as_of)
    for child in sorted({r["child_id"] for r in records}):
        alone = evaluate(compiled, parse([r for r in records if r["child_id"] == child]), as_of)
        assert [o.to_dict() for o in alone.obligations] == [
            o.to_dict() for o in whole.obligations if o.child_id == child
        ]
        assert [f.to_dict() for f in alone.findings] == [
            f.to_dict() for f in whole.findings if f.child_id == child
        ]


_INVALID_RECORDS = (
    {"id": "bad-type", "type": "no_such_event", "child_id": "child-0", "at": "2024-01-01T10:00Z"},
    {"id": "no-offset", "type": "mash_enquiry_started", "child_id": "c", "at": "2024-01-01T10:00"},
    {"id": "missing", "type": "cpn_created", "child_id": "child-0", "at": "2024-01-01T10:00Z"},
    "not a mapping",
)


@pytest.mark.parametrize("name", PACKS)
@EVALUATION
@given(data=st.data())
def test_every_input_event_is_accounted_for(name: str, data: st.DataObject) -> None:
    records = with_duplicates(data, data.draw(event_records(), label="records"))
    invalid = data.draw(st.lists(st.sampled_from(_INVALID_RECORDS), max_size=2), label="bad")
    inputs: list[Any] = data.draw(st.permutations([*records, *invalid]), label="inputs")
    as_of = data.draw(as_of_for(records), label="as_of")
    stream = parse_events(inputs)
    assert len(stream.rejected) == len(invalid)

    account = evaluate(pack(name), stream, as_of).account
    assert account.received == len(inputs)
    assert account.received == account.evaluated + len(account.rejected)

    ids = Counter(r["id"] for r in records)
    duplicated = {i for i, k in ids.items() if k > 1}
    late = [
        r for r in records if r["id"] not in duplicated and datetime.fromisoformat(r["at"]) > as_of
    ]
    assert account.evaluated == len(records) - sum(ids[i] for i in duplicated) - len(late)
    reasons = Counter(
        (r.event_id, "duplicate" if r.reason.startswith("duplicate") else r.reason)
        for r in account.rejected
        if r.where is None
    )
    for event_id in duplicated:  # every event sharing a duplicated id is rejected
        assert reasons[(event_id, "duplicate")] == ids[event_id]
    for record in late:
        assert reasons[(record["id"], "dated after as_of, so not yet evaluated")] == 1
    assert sum(reasons.values()) == sum(ids[i] for i in duplicated) + len(late)


def test_strategies_cover_every_bundled_pack() -> None:
    # Guard against an empty parametrisation silently skipping the evaluation properties.
    assert "jersey_2019" in PACKS
    assert all(isinstance(pack(name), CompiledPack) for name in PACKS)


# --- a caller's own ZoneInfo datetimes in a repeated hour -------------------------------------
#
# parse_events keeps the tzinfo of datetime objects it is given, so events from a case
# system can carry ZoneInfo("Europe/London"). On Sunday 27 October 2024 London's clocks
# went back from 02:00 BST to 01:00 GMT, so 01:00-02:00 happened twice (fold=0, then
# fold=1). Two datetimes sharing that tzinfo compare by wall clock, ignoring fold.

LONDON = ZoneInfo("Europe/London")
REPEATED_HOUR: list[dict[str, Any]] = [
    {  # the first 01:30 (BST) = 00:30Z
        "id": "a",
        "type": "concern_identified",
        "child_id": "child-1",
        "at": datetime(2024, 10, 27, 1, 30, tzinfo=LONDON),
        "category": "neglect",
    },
    {  # the second 01:10 (GMT) = 01:10Z: 40 minutes after "a"
        "id": "b",
        "type": "strategy_discussion_held",
        "child_id": "child-1",
        "at": datetime(2024, 10, 27, 1, 10, fold=1, tzinfo=LONDON),
        "mode": "telephone",
        "agencies": ["csc", "police", "health"],
    },
    {  # 01:00Z, between them, written in UTC
        "id": "c",
        "type": "cpn_created",
        "child_id": "child-1",
        "at": datetime(2024, 10, 27, 1, 0, tzinfo=UTC),
        "incident_ref": "INC-1",
    },
]
LATER = datetime(2024, 11, 30, tzinfo=UTC)


def statuses(records: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    result = evaluate(pack("wtsc_2015"), parse(records), LATER)
    return [(o.id, o.status, o.met_by) for o in result.obligations]


def test_zoneinfo_event_times_in_a_repeated_hour_are_ordered_by_instant() -> None:
    # The concern (00:30Z) comes 40 minutes before the discussion (01:10Z), which meets
    # the WTSC timescale obligation. Regression: the discussion was once walked first
    # (01:10 < 01:30 on the wall clock), leaving the obligation overdue.
    in_utc = [dict(r, at=utc(r["at"])) for r in REPEATED_HOUR[:2]]
    assert ("strategy_discussion_within_timescale/a", "met", "b") in statuses(in_utc)
    assert statuses(REPEATED_HOUR[:2]) == statuses(in_utc)


def test_zoneinfo_event_times_in_a_repeated_hour_do_not_depend_on_input_order() -> None:
    # Regression: sorting by e.at is not a total order here (a < c < b < a), and orders
    # a,c,b and b,c,a once gave a different result from the other four.
    compiled = pack("wtsc_2015")
    outputs = {
        evaluate(compiled, parse(list(order)), LATER).to_json()
        for order in itertools.permutations(REPEATED_HOUR)
    }
    assert len(outputs) == 1


# Hour-based deadlines in the repeated hour. The pack's zone is Europe/London too, so a
# deadline (in the pack's ZoneInfo) and an event time or as_of given in the same ZoneInfo
# also compare by wall clock.

_HOURS_PACK = minimal_pack(
    "hours",
    "Hour-based deadlines",
    """\
  - id: flag_within_an_hour
    title: A CPN is flagged within an hour
    citation: {source: src, quote: "Something must be done within the hour."}
    strength: must
    when: {event: cpn_created}
    require:
      action: flag_it
      responsible: someone
      due: {hours: 1}
      satisfied_by: {event: flag_sent}
  - id: two_cpns_within_an_hour
    title: Two CPNs within an hour are escalated
    citation: {source: src, quote: "Something must be done within the hour."}
    strength: must
    when:
      event: cpn_created
      count: {at_least: 2, within: {hours: 1}}
    require:
      action: escalate
      responsible: someone
      satisfied_by: {event: flag_sent}
""",
)

# 00:50 BST on 27 October 2024 is 23:50Z on the 26th: one hour later is 00:50Z, which
# London shows as 01:50 BST (fold=0). The second 01:10 (GMT, fold=1) is 01:10Z, twenty
# minutes after that deadline, although 01:10 < 01:50 on the wall clock.
CPN_AT = datetime(2024, 10, 27, 0, 50, tzinfo=LONDON)
TWENTY_MINUTES_LATE = datetime(2024, 10, 27, 1, 10, fold=1, tzinfo=LONDON)


def hours_pack() -> CompiledPack:
    return compile_text(_HOURS_PACK, "hours.yaml")


def cpn(event_id: str, at: datetime) -> dict[str, Any]:
    return {"id": event_id, "type": "cpn_created", "child_id": "c", "at": at, "incident_ref": "I"}


def test_an_action_after_an_hour_deadline_in_the_repeated_hour_is_late() -> None:
    flag = {
        "id": "f",
        "type": "flag_sent",
        "child_id": "c",
        "at": TWENTY_MINUTES_LATE,
        "sender_role": "someone",
        "to": ["someone"],
    }
    result = evaluate(hours_pack(), parse([cpn("a", CPN_AT), flag]), LATER)
    obligation = result.obligation("flag_within_an_hour/a")
    assert obligation.due is not None
    assert utc(obligation.due) == datetime(2024, 10, 27, 0, 50, tzinfo=UTC)
    assert obligation.status == "met_late"  # observed: "met"


def test_an_hour_deadline_passed_in_the_repeated_hour_is_overdue() -> None:
    result = evaluate(hours_pack(), parse([cpn("a", CPN_AT)]), TWENTY_MINUTES_LATE)
    assert result.obligation("flag_within_an_hour/a").status == "overdue"  # observed: "open"


def test_a_count_window_in_hours_is_elapsed_time_in_the_repeated_hour() -> None:
    # The CPNs are 80 minutes apart (23:50Z and 01:10Z): not two within an hour.
    result = evaluate(hours_pack(), parse([cpn("a", CPN_AT), cpn("b", TWENTY_MINUTES_LATE)]), LATER)
    assert [o.id for o in result.obligations if o.rule == "two_cpns_within_an_hour"] == []
