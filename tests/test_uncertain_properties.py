"""Properties of the day-resolution convention and of unknown values (docs/deadlines.md).

* A day-based deadline from a date equals the deadline from any instant of that day; an
  hours deadline from a date lies between those from the day's first and last instants.
* The status of an obligation whose trigger or satisfier has only a date never depends on
  a time that was not recorded: whenever it is not ``cannot_evaluate``, every way of giving
  the dates times (in the procedure's order within a day) gives that same status; and for
  day-based timescales it is never ``cannot_evaluate``.
* With date-only events and unknown values in the input, the same events in any order give
  byte-identical output, children are evaluated independently, and the account adds up.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguard_rules import evaluate, load_pack, parse_events
from safeguard_rules._loading import compile_text
from tests.helpers import minimal_pack
from tests.strategies import as_of_for, calendars, days_for, event_records

LONDON = ZoneInfo("Europe/London")
PACKS = ("jersey_2019", "jersey_2024", "wirral_2019", "wtsc_2015")
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- deadlines ------------------------------------------------------------------------------

DAY_KINDS = ("same_day", "working_days", "calendar_days", "months")
HOUR_KINDS = ("hours", "office_hours")


@PROPERTY
@given(data=st.data(), kind=st.sampled_from(DAY_KINDS + HOUR_KINDS), n=st.integers(0, 30))
def test_a_deadline_from_a_date_brackets_the_deadline_from_any_time_that_day(
    data: st.DataObject, kind: str, n: int
) -> None:
    calendar = data.draw(calendars(with_office=True), label="calendar")
    day = data.draw(days_for(calendar), label="day")
    minute = data.draw(st.integers(0, 24 * 60 - 1), label="minute of the day")
    local = datetime.combine(day, time(0), tzinfo=calendar.tz) + timedelta(minutes=minute)
    if local.astimezone(calendar.tz).date() != day:
        return  # a minute lost in a clock change
    bounds = calendar.due_span(kind, n if kind != "same_day" else 0, day)
    timed = calendar.due(kind, n if kind != "same_day" else 0, local)
    assert bounds is not None and timed is not None
    first, last = bounds
    if kind in DAY_KINDS:
        assert first == last == timed.astimezone(UTC)
    else:
        assert first <= timed.astimezone(UTC) <= last


# --- statuses -------------------------------------------------------------------------------

TIMESCALES = st.one_of(
    st.just({"same_day": True}),
    st.builds(lambda n: {"working_days": n}, st.integers(0, 20)),
    st.builds(lambda n: {"calendar_days": n}, st.integers(0, 40)),
    st.builds(lambda n: {"months": n}, st.integers(0, 3)),
    st.builds(lambda n: {"hours": n}, st.integers(0, 96)),
    st.builds(lambda n: {"office_hours": n}, st.integers(0, 40)),
)


def _pack_for(timescale: dict[str, Any]) -> Any:
    key, value = next(iter(timescale.items()))
    rules = (
        "  - id: owed\n"
        "    title: A conference follows\n"
        "    strength: must\n"
        "    when: {event: enquiry_concluded}\n"
        "    require:\n"
        "      action: convene\n"
        "      responsible: someone\n"
        f"      due: {{{key}: {str(value).lower()}}}\n"
        "      satisfied_by: {event: child_protection_conference_held}\n"
    )
    text = minimal_pack("prop", "Property pack", rules).replace(
        "  timezone: Europe/London\n",
        "  timezone: Europe/London\n"
        "  public_holidays: {country: GB, subdivision: ENG}\n"
        "  office_hours: {days: [mon, tue, wed, thu, fri], start: '09:00', end: '17:00'}\n",
    )
    return compile_text(text, "prop.yaml")


_PACKS: dict[str, Any] = {}


def pack_for(timescale: dict[str, Any]) -> Any:
    key = repr(sorted(timescale.items()))
    if key not in _PACKS:
        _PACKS[key] = _pack_for(timescale)
    return _PACKS[key]


def _record(kind: str, id_: str, when: dict[str, str]) -> dict[str, Any]:
    extra = {"basis": "section_47", "continuing_risk": True} if kind == "enquiry_concluded" else {}
    return {"id": id_, "type": kind, "child_id": "k", **when, **extra}


def _status(pack: Any, records: list[dict[str, Any]], as_of: datetime) -> str:
    stream = parse_events(records)
    assert not stream.rejected, stream.rejected
    [o] = evaluate(pack, stream, as_of).obligations
    return str(o.status)


def _instant(day: date, minute: int) -> datetime:
    return (datetime.combine(day, time(0)) + timedelta(minutes=minute)).replace(tzinfo=LONDON)


def _real(day: date, minute: int) -> bool:
    """The local time exists (not in a spring-forward gap) and is that day's."""
    moment = _instant(day, minute)
    return moment.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) == moment.replace(
        tzinfo=None
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    timescale=TIMESCALES,
    trigger_day=st.dates(date(2023, 1, 1), date(2025, 12, 31)),
    gap=st.one_of(st.none(), st.integers(0, 4), st.integers(0, 40)),
    which=st.sampled_from(["trigger", "satisfier", "both"]),
    trigger_minute=st.integers(0, 1439),
    satisfier_minute=st.integers(0, 1439),
    as_of_gap=st.one_of(st.integers(0, 4), st.integers(0, 60)),  # near the deadlines
    as_of_minute=st.one_of(st.none(), st.integers(0, 1439)),
    fills=st.lists(st.tuples(st.integers(0, 1439), st.integers(0, 1439)), max_size=4),
)
def test_a_date_only_status_never_depends_on_a_time_not_recorded(
    timescale: dict[str, Any],
    trigger_day: date,
    gap: int | None,
    which: str,
    trigger_minute: int,
    satisfier_minute: int,
    as_of_gap: int,
    as_of_minute: int | None,
    fills: list[tuple[int, int]],
) -> None:
    pack = pack_for(timescale)
    satisfier_day = None if gap is None else trigger_day + timedelta(days=gap)
    last_day = satisfier_day or trigger_day
    as_of_day = last_day + timedelta(days=as_of_gap)
    if as_of_minute is None or not _real(as_of_day, as_of_minute):
        as_of = pack.calendar.end_of_day(as_of_day)  # a date: the end of that day
    else:
        as_of = _instant(as_of_day, as_of_minute)
    trigger_dated = which in ("trigger", "both")
    satisfier_dated = which in ("satisfier", "both") and satisfier_day is not None

    def records(t_minute: int, s_minute: int, dated: bool) -> list[dict[str, Any]]:
        def when(day: date, minute: int, undated: bool) -> dict[str, str]:
            if undated and dated:
                return {"on": day.isoformat()}
            return {"at": _instant(day, minute).isoformat()}

        out = [_record("enquiry_concluded", "a-end", when(trigger_day, t_minute, trigger_dated))]
        if satisfier_day is not None:
            out.append(
                _record(
                    "child_protection_conference_held",
                    "b-conf",
                    when(satisfier_day, s_minute, satisfier_dated),
                )
            )
        return out

    if not (_real(trigger_day, trigger_minute) and _real(last_day, satisfier_minute)):
        return
    # A recorded time after as_of would be rejected; keep to inputs that are all there.
    recorded = []
    if not trigger_dated:
        recorded.append(_instant(trigger_day, trigger_minute))
    if satisfier_day is not None and not satisfier_dated:
        recorded.append(_instant(satisfier_day, satisfier_minute))
    if recorded and max(recorded) > as_of:
        return
    if satisfier_day == trigger_day and satisfier_minute < trigger_minute:
        trigger_minute, satisfier_minute = satisfier_minute, trigger_minute
    dated = _status(pack, records(trigger_minute, satisfier_minute, True), as_of)
    # Times for what the records leave out: the extremes of each day, and some drawn ones.
    # The recorded times stay as they are; within a day the trigger comes first.
    choices = [(0, 1439), (1439, 1439), (0, 0), *fills]
    for t_minute, s_minute in choices:
        t = t_minute if trigger_dated else trigger_minute
        s = s_minute if satisfier_dated else satisfier_minute
        if satisfier_day == trigger_day and s < t:
            if trigger_dated and satisfier_dated:
                t, s = s, t
            elif trigger_dated:
                t = s
            else:
                s = t
        if not (_real(trigger_day, t) and _real(last_day, s)):
            continue
        if max(_instant(trigger_day, t), _instant(last_day, s)) > as_of:
            continue  # not a way the records could be: they are all there by as_of
        timed = _status(pack, records(t, s, False), as_of)
        if dated != "cannot_evaluate":
            assert timed == dated, (t, s, timed, dated)
    if next(iter(timescale)) not in ("hours", "office_hours"):
        assert dated != "cannot_evaluate"


# --- whole streams with dates and unknown values ----------------------------------------------


def _uncertain(data: st.DataObject, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Some records keep only their date; some list a field (given or not) as unknown."""
    from safeguard_rules import EVENT_CLASSES

    out = []
    for record in records:
        record = dict(record)
        if data.draw(st.booleans(), label="date only"):
            at = datetime.fromisoformat(record.pop("at"))
            record["on"] = at.astimezone(LONDON).date().isoformat()
        if data.draw(st.integers(0, 3), label="unknown?") == 0:
            cls = EVENT_CLASSES[record["type"]]
            own = [
                f
                for f in cls.model_fields
                if f not in ("id", "child_id", "type", "at", "on", "unknown", "attributes")
            ]
            if own:
                name = data.draw(st.sampled_from(own), label="unknown field")
                record.pop(name, None)
                record["unknown"] = [name]
        out.append(record)
    return out


def _as_of(data: st.DataObject, original: list[dict[str, Any]]) -> datetime:
    return data.draw(as_of_for(original), label="as_of")


@pytest.fixture(scope="module")
def packs() -> dict[str, Any]:
    return {name: load_pack(name) for name in PACKS}


@pytest.mark.parametrize("name", PACKS)
@PROPERTY
@given(data=st.data())
def test_uncertain_input_in_any_order_gives_the_same_output(
    packs: dict[str, Any], name: str, data: st.DataObject
) -> None:
    original = data.draw(event_records(), label="records")
    records = _uncertain(data, original)
    as_of = _as_of(data, original)
    shuffled = data.draw(st.permutations(records), label="shuffled")
    stream = parse_events(records)
    assert not stream.rejected, stream.rejected
    first = evaluate(packs[name], stream, as_of)
    assert evaluate(packs[name], parse_events(shuffled), as_of).to_json() == first.to_json()
    events = list(stream.events)
    random.Random(data.draw(st.integers(0, 2**32))).shuffle(events)
    assert evaluate(packs[name], events, as_of).to_json() == first.to_json()
    account = first.account
    assert account.received == account.evaluated + len(account.rejected) == len(records)
    assert account.cannot_evaluate == len(first.undetermined) + sum(
        o.status == "cannot_evaluate" for o in first.obligations
    )
    for o in first.obligations:
        # An outcome is cannot_evaluate exactly when it names what is missing.
        assert (o.status == "cannot_evaluate") == bool(o.reason)
    assert all(u.missing for u in first.undetermined)


@pytest.mark.parametrize("name", PACKS)
@PROPERTY
@given(data=st.data())
def test_uncertain_children_are_evaluated_independently(
    packs: dict[str, Any], name: str, data: st.DataObject
) -> None:
    original = data.draw(event_records(children=st.integers(2, 3)), label="records")
    records = _uncertain(data, original)
    as_of = _as_of(data, original)
    whole = evaluate(packs[name], parse_events(records), as_of)
    for child in sorted({r["child_id"] for r in records}):
        alone = evaluate(
            packs[name], parse_events([r for r in records if r["child_id"] == child]), as_of
        )
        assert [o.to_dict() for o in alone.obligations] == [
            o.to_dict() for o in whole.obligations if o.child_id == child
        ]
        assert [u.to_dict() for u in alone.undetermined] == [
            u.to_dict() for u in whole.undetermined if u.child_id == child
        ]
