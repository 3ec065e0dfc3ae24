"""Scenario tests for policies/jersey_2019.yaml.

Deadlines are counted by hand from the Jersey calendar (Europe/Jersey, JE holidays);
each test shows its counting.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers import end_of, ev, finding_rules, fired_rules, obligations, only, run

from safeguard_rules import BaseEvent, Evaluation, load_pack

PACK = load_pack("jersey_2019")
TZ = "Europe/Jersey"


def allocated(at: str = "2019-11-01T09:00:00+00:00", child: str = "child-1") -> BaseEvent:
    return ev("social_worker_allocated", at, child=child, worker="sw-1", team_manager="tm-1")


def cpns(n: int, child: str = "child-1") -> list[BaseEvent]:
    return [
        ev("cpn_created", f"2019-11-{4 + i:02d}T21:00:00+00:00", id=f"cpn-{child}-{i + 1}",
           child=child, incident_ref=f"INC-{i + 1}")
        for i in range(n)
    ]


# --- the flag on more than three CPNs -------------------------------------------------------


def scenario_four_cpns() -> Evaluation:
    return run(PACK, [allocated(), *cpns(4)], "2019-12-01T12:00:00+00:00")


def test_three_cpns_do_not_flag() -> None:
    result = run(PACK, [allocated(), *cpns(3)], "2019-12-01T12:00:00+00:00")
    assert obligations(result, "flag_after_more_than_three_cpns") == []


def test_fourth_cpn_flags_to_allocated_worker_copying_in_manager() -> None:
    flag = only(scenario_four_cpns(), "flag_after_more_than_three_cpns")
    assert flag.triggered_by == ("cpn-child-1-1", "cpn-child-1-2", "cpn-child-1-3", "cpn-child-1-4")
    assert flag.responsible == "mash_ds"
    assert flag.copied_in == ("team_manager",)
    assert flag.due is None  # the chapter sets no timescale for the flag
    assert flag.status == "open"


def test_fifth_cpn_does_not_flag_again() -> None:
    result = run(PACK, [allocated(), *cpns(5)], "2019-12-01T12:00:00+00:00")
    assert len(obligations(result, "flag_after_more_than_three_cpns")) == 1


def test_flag_met_by_email_to_allocated_worker() -> None:
    flag = ev("flag_sent", "2019-11-08T10:00:00+00:00", id="flag-1", sender_role="mash_ds",
              to=["allocated_social_worker"], cc=["team_manager"], attached_cpns=["INC-4"],
              summarised_incidents=["INC-2", "INC-3", "INC-4"])
    result = run(PACK, [allocated(), *cpns(4), flag], "2019-12-01T12:00:00+00:00")
    obligation = only(result, "flag_after_more_than_three_cpns")
    assert (obligation.status, obligation.met_by) == ("met", "flag-1")
    assert finding_rules(result) == set()
    assert only(result, "planning_meeting_requested_after_flag").status == "open"
    assert only(result, "sender_follows_up_flag").status == "open"


def test_no_allocated_worker_goes_to_mash_enquiry() -> None:
    result = run(PACK, cpns(1), "2019-12-01T12:00:00+00:00")
    route = only(result, "mash_enquiry_without_allocated_worker")
    assert (route.route, route.action, route.responsible) == (
        "mash_enquiry", "start_mash_enquiry", "mash_team")
    started = ev("mash_enquiry_started", "2019-11-05T09:00:00+00:00", id="mash-1")
    result = run(PACK, [*cpns(1), started], "2019-12-01T12:00:00+00:00")
    assert only(result, "mash_enquiry_without_allocated_worker").met_by == "mash-1"


def test_allocated_worker_takes_no_mash_route() -> None:
    result = scenario_four_cpns()
    assert obligations(result, "mash_enquiry_without_allocated_worker") == []


# --- the flag's form ------------------------------------------------------------------------


def scenario_bad_flag() -> Evaluation:
    flag = ev("flag_sent", "2019-11-08T10:00:00+00:00", id="flag-bad", sender_role="mash_ds",
              to=["allocated_social_worker"], cc=[], attached_cpns=["INC-4"],
              summarised_incidents=["INC-4"])
    return run(PACK, [allocated(), *cpns(4), flag], "2019-12-01T12:00:00+00:00")


def test_flag_without_summary_or_manager_copy_gives_must_findings() -> None:
    result = scenario_bad_flag()
    by_rule = {f.rule: f for f in result.findings if f.kind == "check"}
    assert set(by_rule) == {"flag_summarises_three_incidents", "cpn_email_copies_in_manager"}
    assert by_rule["cpn_email_copies_in_manager"].severity == "must"
    assert by_rule["cpn_email_copies_in_manager"].event == "flag-bad"
    assert "(cc: (none))" in by_rule["cpn_email_copies_in_manager"].message


def test_follow_up_parameter_can_be_set_locally() -> None:
    # Local overlay: two working days. Flag Fri 20 Dec 2019; Mon 23 (1), Tue 24 (2).
    pack = load_pack("jersey_2019", parameters={"follow_up_timescale": {"working_days": 2}})
    flag = ev("flag_sent", "2019-12-20T10:00:00+00:00", id="flag-2", sender_role="mash_ds",
              to=["allocated_social_worker"])
    result = run(pack, [allocated(), flag], "2020-01-10T12:00:00+00:00")
    follow_up = only(result, "sender_follows_up_flag")
    assert follow_up.due == end_of("2019-12-24", TZ)
    assert follow_up.status == "overdue"
    assert pack.content_hash != PACK.content_hash
    confirmed = ev("receipt_confirmed", "2019-12-23T09:00:00+00:00", of_event="flag-2")
    result = run(pack, [allocated(), flag, confirmed], "2020-01-10T12:00:00+00:00")
    assert only(result, "sender_follows_up_flag").status == "met"


# --- planning meetings ----------------------------------------------------------------------


def scenario_planning_meeting() -> Evaluation:
    held = ev("planning_meeting_held", "2019-11-20T10:00:00+00:00", id="pm-1",
              chair_role="allocated_social_worker", minuted=True, actions_shared=False)
    good = ev("planning_meeting_held", "2019-11-27T10:00:00+00:00", id="pm-2",
              chair_role="team_manager", minuted=True, actions_shared=True)
    return run(PACK, [allocated(), held, good], "2019-12-01T12:00:00+00:00")


def test_planning_meeting_chair_and_minutes() -> None:
    findings = {(f.rule, f.event, f.severity) for f in scenario_planning_meeting().findings}
    assert findings == {
        ("planning_meeting_chaired_by_team_manager", "pm-1", "should"),
        ("planning_meeting_minuted_and_actions_shared", "pm-1", "must"),
    }


# --- strategy meetings ----------------------------------------------------------------------


def request(at: str, id: str, by: str = "team_manager") -> BaseEvent:
    return ev("strategy_meeting_requested", at, id=id, requested_by_role=by, authorised=True)


def test_strategy_meeting_over_christmas() -> None:
    # Requested Mon 23 Dec 2019: Tue 24 (1), Wed 25 Christmas, Thu 26 Boxing Day,
    # Fri 27 (2), Sat, Sun, Mon 30 (3).
    result = run(PACK, [allocated(), request("2019-12-23T11:00:00+00:00", "req-1")],
                 "2019-12-30T12:00:00+00:00")
    meeting = only(result, "strategy_meeting_within_three_working_days")
    assert meeting.due == end_of("2019-12-30", TZ)
    assert meeting.status == "open"


def test_strategy_meeting_over_coronation_and_liberation_day() -> None:
    # Requested Fri 5 May 2023: Mon 8 (coronation holiday), Tue 9 (Liberation Day),
    # Wed 10 (1), Thu 11 (2), Fri 12 (3). BST: the deadline is at +01:00.
    held = ev("strategy_meeting_held", "2023-05-12T15:00:00+01:00", id="sm-1",
              chair_role="team_manager", chair="tm-1")
    result = run(PACK, [allocated("2023-01-03T09:00:00+00:00"),
                        request("2023-05-05T16:00:00+01:00", "req-2"), held],
                 "2023-06-01T12:00:00+01:00")
    meeting = only(result, "strategy_meeting_within_three_working_days")
    assert meeting.due == end_of("2023-05-12", TZ)
    assert meeting.due is not None and meeting.due.utcoffset() is not None
    assert meeting.due.isoformat() == "2023-05-12T23:59:59.999999+01:00"
    assert (meeting.status, meeting.met_by) == ("met", "sm-1")
    assert finding_rules(result) == set()


def test_saturday_request_has_the_fridays_deadline() -> None:
    # Fri 3 Nov 2023 -> Mon 6 (1), Tue 7 (2), Wed 8 (3); Sat 4 Nov counts from the same Monday.
    friday = run(PACK, [request("2023-11-03T10:00:00+00:00", "req-f")], "2023-11-04T12:00:00+00:00")
    saturday = run(PACK, [request("2023-11-04T10:00:00+00:00", "req-s")], "2023-11-04T12:00:00+00:00")
    expected = end_of("2023-11-08", TZ)
    assert only(friday, "strategy_meeting_within_three_working_days").due == expected
    assert only(saturday, "strategy_meeting_within_three_working_days").due == expected


def scenario_late_strategy_meeting() -> Evaluation:
    # Requested Tue 16 Jan 2024: Wed 17 (1), Thu 18 (2), Fri 19 (3); held Mon 22: late.
    held = ev("strategy_meeting_held", "2024-01-22T10:00:00+00:00", id="sm-late",
              chair_role="senior_practitioner")
    return run(PACK, [allocated("2023-01-03T09:00:00+00:00"),
                      request("2024-01-16T10:00:00+00:00", "req-3", by="police_officer"), held],
               "2024-02-01T12:00:00+00:00")


def test_late_strategy_meeting_and_wrong_chair() -> None:
    result = scenario_late_strategy_meeting()
    meeting = only(result, "strategy_meeting_within_three_working_days")
    assert meeting.due == end_of("2024-01-19", TZ)
    assert meeting.status == "met_late"
    late = [f for f in result.findings if f.kind == "met_late"]
    assert [(f.obligation, f.severity) for f in late] == [
        ("strategy_meeting_within_three_working_days/req-3", "should")]
    checks = {f.rule: f.severity for f in result.findings if f.kind == "check"}
    assert checks == {
        "strategy_meeting_chaired_by_team_manager": "should",
        "strategy_meeting_instigated_by_social_services": "should",
    }


def test_overdue_and_cancelled_strategy_meetings() -> None:
    overdue = run(PACK, [request("2024-01-16T10:00:00+00:00", "req-4")], "2024-01-22T09:00:00+00:00")
    assert only(overdue, "strategy_meeting_within_three_working_days").status == "overdue"
    cancel = ev("strategy_meeting_cancelled", "2024-01-17T10:00:00+00:00", id="cx-1",
                of_event="req-4")
    cancelled = run(PACK, [request("2024-01-16T10:00:00+00:00", "req-4"), cancel],
                    "2024-01-22T09:00:00+00:00")
    meeting = only(cancelled, "strategy_meeting_within_three_working_days")
    assert (meeting.status, meeting.cancelled_by) == ("cancelled", "cx-1")
    assert [f for f in cancelled.findings if f.kind != "check"] == []


def scenario_chair_not_allocated_manager() -> Evaluation:
    held = ev("strategy_meeting_held", "2023-05-12T15:00:00+01:00", id="sm-2",
              chair_role="team_manager", chair="tm-9")
    return run(PACK, [allocated("2023-01-03T09:00:00+00:00"), held], "2023-06-01T12:00:00+01:00")


def test_chair_preferably_the_allocated_workers_manager() -> None:
    findings = [f for f in scenario_chair_not_allocated_manager().findings if f.kind == "check"]
    assert [(f.rule, f.severity) for f in findings] == [
        ("strategy_meeting_chair_preferably_allocated_team_manager", "advisory")]


def scenario_discussion_then_meeting() -> Evaluation:
    discussion = ev("strategy_discussion_held", "2023-03-01T10:00:00+00:00", id="sd-1",
                    mode="telephone", agencies=["csc", "police"])
    return run(PACK, [discussion, request("2023-03-01T12:00:00+00:00", "req-5")],
               "2023-03-02T12:00:00+00:00")


def test_strategy_meeting_called_after_discussion() -> None:
    call = only(scenario_discussion_then_meeting(), "strategy_meeting_called_after_discussion")
    assert (call.status, call.met_by, call.responsible) == ("met", "req-5", "team_manager")


def scenario_absent_agency() -> Evaluation:
    absent = ev("agency_unable_to_attend", "2023-03-02T09:00:00+00:00", id="abs-1",
                agency="health", meeting_ref="req-5")
    wrong = ev("agency_report_sent", "2023-03-02T10:00:00+00:00", id="rep-0", agency="education",
               to_role="strategy_meeting_chair")
    report = ev("agency_report_sent", "2023-03-02T11:00:00+00:00", id="rep-1", agency="health",
                to_role="strategy_meeting_chair")
    return run(PACK, [absent, wrong, report], "2023-03-03T12:00:00+00:00")


def test_absent_agency_report_must_come_from_that_agency() -> None:
    report = only(scenario_absent_agency(), "absent_agency_sends_report_to_chair")
    assert (report.status, report.met_by) == ("met", "rep-1")


SCENARIOS: list[Callable[[], Evaluation]] = [
    scenario_four_cpns,
    scenario_bad_flag,
    scenario_planning_meeting,
    scenario_late_strategy_meeting,
    scenario_chair_not_allocated_manager,
    scenario_discussion_then_meeting,
    scenario_absent_agency,
    lambda: run(PACK, cpns(1), "2019-12-01T12:00:00+00:00"),
]


def test_every_rule_is_exercised() -> None:
    fired: set[str] = set()
    for scenario in SCENARIOS:
        fired |= fired_rules(scenario())
    assert fired == {c.rule.id for c in PACK.rules}


@pytest.mark.parametrize("rule", [c.rule for c in PACK.rules], ids=lambda r: r.id)
def test_every_rule_cites_its_source(rule: object) -> None:
    from safeguard_rules._pack import Rule

    assert isinstance(rule, Rule)
    assert rule.citation.source == "jspb_2019"
