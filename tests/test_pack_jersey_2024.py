"""Scenario tests for policies/jersey_2024.yaml.

Deadlines are counted by hand from the Jersey calendar (Europe/Jersey, JE holidays; 2024
holidays: 1 Jan, Good Friday 29 Mar, Easter Monday 1 Apr, 6 May, Liberation Day Thu 9 May,
27 May, Mon 15 Jul (the King's visit), 26 Aug, 25 and 26 Dec). Jersey is on GMT (+00:00)
until Sun 31 Mar 2024 and on BST (+01:00) from then until Sun 27 Oct 2024. Each test shows
its counting. Every id is invented.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import end_of, ev, finding_rules, fired_rules, obligations, only, run

from safeguard_rules import BaseEvent, Evaluation, Finding, load_pack

PACK = load_pack("jersey_2024")
TZ = "Europe/Jersey"
SOURCE = Path(__file__).resolve().parents[1] / "policies" / "sources" / "001_f46e5218b7059a3a.txt"


def allocated(at: str = "2024-04-02T09:00:00+01:00", *, team_manager: str | None = "tm-1",
              child: str = "child-1") -> BaseEvent:
    return ev("social_worker_allocated", at, child=child, worker="sw-1",
              team_manager=team_manager, senior_practitioner="sp-1")


def cpn(at: str, n: int, child: str = "child-1") -> BaseEvent:
    return ev("cpn_created", at, id=f"cpn-{n}", child=child, incident_ref=f"INC-{n}")


def cpns(n: int, child: str = "child-1") -> list[BaseEvent]:
    """CPNs on Wednesdays from 3 Apr 2024, at 21:00 BST."""
    days = ["2024-04-03", "2024-04-10", "2024-04-17", "2024-04-24", "2024-05-01"]
    return [cpn(f"{days[i]}T21:00:00+01:00", i + 1, child) for i in range(n)]


def flag(at: str = "2024-05-02T10:00:00+01:00", *, id: str = "flag-1",
         sender: str = "ppu_ds", to: tuple[str, ...] = ("allocated_social_worker",),
         cc: tuple[str, ...] = ("team_manager",), attached: tuple[str, ...] = ("INC-4",),
         summarised: tuple[str, ...] = ("INC-2", "INC-3", "INC-4")) -> BaseEvent:
    return ev("flag_sent", at, id=id, sender_role=sender, to=list(to), cc=list(cc),
              attached_cpns=list(attached), summarised_incidents=list(summarised))


def checks(result: Evaluation, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.kind == "check" and f.rule == rule]


def lateness(result: Evaluation, rule: str) -> list[tuple[str, str]]:
    return [(f.kind, f.severity) for f in result.findings if f.kind != "check" and f.rule == rule]


# --- the pack itself ---------------------------------------------------------------------------


def test_metadata_and_calendar() -> None:
    meta = PACK.pack.pack
    assert (meta.id, meta.jurisdiction, meta.version) == ("jersey_2024", "jersey", "7")
    assert meta.effective_from.isoformat() == "2024-03-01"
    assert meta.effective_to is None
    assert [s.file for s in meta.sources] == ["sources/001_f46e5218b7059a3a.txt"]
    # the pack's copy of the source (inside the installed package) is the repository's text
    shipped = PACK.source_file("jspb_2024")
    assert shipped is not None
    assert shipped.read_bytes() == SOURCE.read_bytes()
    calendar = PACK.pack.calendar
    assert calendar.timezone == TZ
    assert calendar.public_holidays is not None
    assert calendar.public_holidays.country == "JE"


def test_parameter_defaults() -> None:
    defaults = {name: p.default.model_dump(exclude_none=True)
                for name, p in PACK.pack.parameters.items()}
    assert defaults == {
        "receipt_follow_up_timescale": {"working_days": 1},
        "strategy_meeting_timescale": {"working_days": 3},
        "medical_consideration_timescale": {"same_day": True},
        "internal_supervision_interval": {"months": 1},
        "professional_difference_resolution_timescale": {"working_days": 10},
    }
    for parameter in PACK.pack.parameters.values():
        assert parameter.citation is not None
        assert "LOCAL CHOICE" in parameter.description


def _quotes() -> list[str]:
    found = []
    for rule in PACK.pack.rules:
        found.append(rule.citation.quote)
        found += [r.citation.quote for r in rule.routes or () if r.citation is not None]
    found += [p.citation.quote for p in PACK.pack.parameters.values() if p.citation is not None]
    return found


@pytest.mark.parametrize("quote", _quotes())
def test_every_quote_is_verbatim_from_the_source(quote: str) -> None:
    def squash(text: str) -> str:
        return " ".join(text.split())  # the source has non-breaking spaces; str.split folds them

    assert squash(quote) in squash(SOURCE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("rule", [c.rule for c in PACK.rules], ids=lambda r: r.id)
def test_every_rule_cites_the_2024_source(rule: object) -> None:
    from safeguard_rules._pack import Rule

    assert isinstance(rule, Rule)
    assert rule.citation.source == "jspb_2024"


# --- Children and Family Hub route -------------------------------------------------------------


def scenario_no_allocated_worker() -> Evaluation:
    referral = ev("referral_made", "2024-05-03T09:00:00+01:00", id="ref-1",
                  to_service="children_and_family_hub", by_role="police_officer")
    return run(PACK, [cpn("2024-05-02T22:00:00+01:00", 1), referral], "2024-05-10T12:00:00+01:00")


def test_no_allocated_worker_needs_hub_referral() -> None:
    result = run(PACK, [cpn("2024-05-02T22:00:00+01:00", 1)], "2024-05-10T12:00:00+01:00")
    route = only(result, "hub_referral_without_allocated_worker")
    assert (route.route, route.action, route.responsible) == (
        "children_and_family_hub", "place_referral_with_children_and_family_hub", "police_officer")
    assert route.strength == "must"
    assert route.due is None  # the chapter sets no timescale for the referral
    assert route.status == "open"
    assert obligations(result, "flag_after_more_than_three_cpns") == []


def test_hub_referral_met_only_by_referral_to_the_hub() -> None:
    met = only(scenario_no_allocated_worker(), "hub_referral_without_allocated_worker")
    assert (met.status, met.met_by) == ("met", "ref-1")
    elsewhere = ev("referral_made", "2024-05-03T09:00:00+01:00", id="ref-2", to_service="mash")
    result = run(PACK, [cpn("2024-05-02T22:00:00+01:00", 1), elsewhere],
                 "2024-05-10T12:00:00+01:00")
    assert only(result, "hub_referral_without_allocated_worker").status == "open"


def test_allocated_worker_needs_no_referral() -> None:
    result = run(PACK, [allocated(), *cpns(2)], "2024-05-10T12:00:00+01:00")
    assert obligations(result, "hub_referral_without_allocated_worker") == []


def test_unallocated_child_goes_back_to_the_hub_route() -> None:
    unallocated = ev("social_worker_unallocated", "2024-04-05T09:00:00+01:00")
    result = run(PACK, [allocated(), cpn("2024-04-03T21:00:00+01:00", 1), unallocated,
                        cpn("2024-04-10T21:00:00+01:00", 2)], "2024-05-10T12:00:00+01:00")
    assert [o.triggered_by for o in obligations(result, "hub_referral_without_allocated_worker")] \
        == [("cpn-2",)]


# --- the flag on more than three CPNs ----------------------------------------------------------


def scenario_four_cpns() -> Evaluation:
    return run(PACK, [allocated(), *cpns(4)], "2024-05-10T12:00:00+01:00")


def test_third_cpn_does_not_flag() -> None:
    result = run(PACK, [allocated(), *cpns(3)], "2024-05-10T12:00:00+01:00")
    assert obligations(result, "flag_after_more_than_three_cpns") == []


def test_fourth_cpn_flags_by_ppu_ds_copying_in_sp_or_tm() -> None:
    obligation = only(scenario_four_cpns(), "flag_after_more_than_three_cpns")
    assert obligation.triggered_by == ("cpn-1", "cpn-2", "cpn-3", "cpn-4")
    assert obligation.id == "flag_after_more_than_three_cpns/cpn-4"
    assert (obligation.action, obligation.responsible) == (
        "flag_to_allocated_social_worker", "ppu_ds")
    assert obligation.copied_in == ("senior_practitioner", "team_manager")
    assert obligation.due is None  # the chapter sets no timescale for the flag
    assert obligation.status == "open"


def test_fifth_cpn_does_not_flag_again() -> None:
    result = run(PACK, [allocated(), *cpns(5)], "2024-05-10T12:00:00+01:00")
    assert [o.triggered_by[-1] for o in obligations(result, "flag_after_more_than_three_cpns")] \
        == ["cpn-4"]


def test_cpns_before_allocation_count() -> None:
    # cpn-1..3 are before allocation (hub route); cpn-4 comes after it and flags.
    result = run(PACK, [*cpns(3), allocated("2024-04-20T09:00:00+01:00"),
                        cpn("2024-04-24T21:00:00+01:00", 4)], "2024-05-10T12:00:00+01:00")
    assert only(result, "flag_after_more_than_three_cpns").triggered_by == (
        "cpn-1", "cpn-2", "cpn-3", "cpn-4")
    hub = obligations(result, "hub_referral_without_allocated_worker")
    assert [o.triggered_by for o in hub] == [("cpn-1",), ("cpn-2",), ("cpn-3",)]


def scenario_good_flag() -> Evaluation:
    return run(PACK, [allocated(), *cpns(4), flag()], "2024-05-02T12:00:00+01:00")


def test_flag_met_by_email_to_the_allocated_worker() -> None:
    result = scenario_good_flag()
    obligation = only(result, "flag_after_more_than_three_cpns")
    assert (obligation.status, obligation.met_by) == ("met", "flag-1")
    assert finding_rules(result) == set()
    planning = only(result, "planning_meeting_requested_after_flag")
    assert (planning.status, planning.responsible, planning.due) == ("open", "ppu_ds", None)
    assert only(result, "sender_confirms_receipt_of_flag").status == "open"


def test_flag_to_someone_else_does_not_meet_it() -> None:
    result = run(PACK, [allocated(), *cpns(4), flag(to=("team_manager",))],
                 "2024-05-10T12:00:00+01:00")
    assert only(result, "flag_after_more_than_three_cpns").status == "open"
    assert obligations(result, "planning_meeting_requested_after_flag") == []


# --- the flag's form: summary and copy-in ------------------------------------------------------


def scenario_bad_flag() -> Evaluation:
    return run(PACK, [allocated(), *cpns(4),
                      flag(id="flag-bad", cc=(), summarised=("INC-3", "INC-4"))],
               "2024-05-02T12:00:00+01:00")


def test_flag_without_three_incidents_or_copy_in_gives_must_findings() -> None:
    result = scenario_bad_flag()
    by_rule = {f.rule: f for f in result.findings if f.kind == "check"}
    assert set(by_rule) == {"flag_summarises_three_incidents",
                            "flag_copies_in_senior_practitioner_or_team_manager"}
    summary = by_rule["flag_summarises_three_incidents"]
    assert (summary.severity, summary.event) == ("must", "flag-bad")
    assert summary.message.endswith("(summarised: INC-3, INC-4)")
    copy_in = by_rule["flag_copies_in_senior_practitioner_or_team_manager"]
    assert (copy_in.severity, copy_in.event) == ("must", "flag-bad")
    assert copy_in.message == (
        "PPU email with CPN attachments to the allocated social worker does not copy in the "
        "Senior Practitioner or Team Manager (cc: (none))")


@pytest.mark.parametrize(
    ("cc", "attached", "sender", "finding"),
    [
        (("senior_practitioner",), ("INC-4",), "ppu_ds", False),
        (("team_manager",), ("INC-4",), "ppu_ds", False),
        (("senior_practitioner", "team_manager"), ("INC-4",), "ppu_ds", False),
        (("allocated_social_worker",), ("INC-4",), "ppu_ds", True),
        ((), (), "ppu_ds", False),  # no CPN attached: the copy-in sentence does not apply
        ((), ("INC-4",), "sending_agency", False),  # not from the PPU
    ],
)
def test_copy_in_to_senior_practitioner_or_team_manager(
    cc: tuple[str, ...], attached: tuple[str, ...], sender: str, finding: bool
) -> None:
    result = run(PACK, [allocated(), flag(cc=cc, attached=attached, sender=sender)],
                 "2024-05-02T12:00:00+01:00")
    fired = checks(result, "flag_copies_in_senior_practitioner_or_team_manager")
    assert [(f.event, f.severity) for f in fired] == ([("flag-1", "must")] if finding else [])


def test_summary_of_three_incidents_is_enough() -> None:
    result = run(PACK, [allocated(), flag(summarised=("INC-1", "INC-2", "INC-3"))],
                 "2024-05-02T12:00:00+01:00")
    assert checks(result, "flag_summarises_three_incidents") == []


def scenario_planning_requested() -> Evaluation:
    requested = ev("planning_meeting_requested", "2024-05-03T09:00:00+01:00", id="pmr-1",
                   requested_by_role="ppu_ds")
    return run(PACK, [allocated(), flag(), requested], "2024-05-10T12:00:00+01:00")


def test_planning_meeting_requested_after_flag() -> None:
    result = scenario_planning_requested()
    request = only(result, "planning_meeting_requested_after_flag")
    assert (request.status, request.met_by) == ("met", "pmr-1")
    # The request now waits for the meeting to be called (held); no timescale.
    called = only(result, "planning_meeting_held_after_request")
    assert (called.status, called.responsible, called.due) == (
        "open", "childrens_social_care", None)


# --- receipt confirmation and follow-up (parameter: 1 working day) -----------------------------


def confirmed(at: str, of: str = "flag-1", id: str = "rc-1") -> BaseEvent:
    return ev("receipt_confirmed", at, id=id, of_event=of, by_role="allocated_social_worker")


# Flag Thu 2 May 2024: Fri 3 (1) -> due end of Fri 3 May.
RECEIPT_DUE = end_of("2024-05-03", TZ)


def scenario_receipt_met() -> Evaluation:
    return run(PACK, [allocated(), flag(), confirmed("2024-05-03T17:00:00+01:00")],
               "2024-05-10T12:00:00+01:00")


def test_receipt_confirmed_in_time() -> None:
    receipt = only(scenario_receipt_met(), "sender_confirms_receipt_of_flag")
    assert receipt.due == RECEIPT_DUE
    assert receipt.due_basis == "1 working day; local default (parameter receipt_follow_up_timescale)"
    assert (receipt.status, receipt.met_by, receipt.responsible) == (
        "met", "rc-1", "sending_agency")
    assert receipt.escalation is None


def scenario_receipt_late() -> Evaluation:
    # Confirmed Tue 7 May (Mon 6 May is a bank holiday): after the Fri 3 May deadline.
    return run(PACK, [allocated(), flag(), confirmed("2024-05-07T09:00:00+01:00")],
               "2024-05-10T12:00:00+01:00")


def test_receipt_confirmed_late() -> None:
    result = scenario_receipt_late()
    receipt = only(result, "sender_confirms_receipt_of_flag")
    assert (receipt.due, receipt.status) == (RECEIPT_DUE, "met_late")
    assert lateness(result, "sender_confirms_receipt_of_flag") == [("met_late", "should")]  # a local default: never a must breach


def scenario_receipt_overdue() -> Evaluation:
    return run(PACK, [allocated(), flag()], "2024-05-04T09:00:00+01:00")


def test_receipt_overdue_names_the_follow_up() -> None:
    result = scenario_receipt_overdue()
    receipt = only(result, "sender_confirms_receipt_of_flag")
    assert (receipt.due, receipt.status) == (RECEIPT_DUE, "overdue")
    assert receipt.escalation is not None
    assert (receipt.escalation.action, receipt.escalation.responsible) == (
        "follow_up_with_receiving_agency", "sending_agency")
    assert lateness(result, "sender_confirms_receipt_of_flag") == [("overdue", "should")]  # a local default: never a must breach


def test_receipt_open_before_deadline_and_not_met_by_another_flags_receipt() -> None:
    result = run(PACK, [allocated(), flag(), confirmed("2024-05-02T15:00:00+01:00", of="flag-9")],
                 "2024-05-03T12:00:00+01:00")
    receipt = only(result, "sender_confirms_receipt_of_flag")
    assert (receipt.status, receipt.escalation) == ("open", None)


def test_receipt_applies_to_any_agencys_email() -> None:
    other = flag(sender="sending_agency", to=("team_manager",), cc=(), attached=(), summarised=())
    result = run(PACK, [other], "2024-05-10T12:00:00+01:00")
    assert only(result, "sender_confirms_receipt_of_flag").status == "overdue"
    assert fired_rules(result) == {"sender_confirms_receipt_of_flag"}


@pytest.mark.parametrize(
    ("sent", "due_day"),
    [
        # Thu 2 May: Fri 3 (1).
        ("2024-05-02T10:00:00+01:00", "2024-05-03"),
        # Fri 3 May: Sat, Sun, Mon 6 bank holiday, Tue 7 (1).
        ("2024-05-03T10:00:00+01:00", "2024-05-07"),
        # Wed 8 May: Thu 9 Liberation Day, Fri 10 (1).
        ("2024-05-08T10:00:00+01:00", "2024-05-10"),
        # Thu 28 Mar (GMT): Fri 29 Good Friday, Sat, Sun, Mon 1 Apr Easter Monday, Tue 2 Apr (1).
        ("2024-03-28T11:00:00+00:00", "2024-04-02"),
        # Fri 12 Jul: Sat, Sun, Mon 15 Jul (the King's visit), Tue 16 (1).
        ("2024-07-12T10:00:00+01:00", "2024-07-16"),
        # Sat 13 Jul: same as the Friday before.
        ("2024-07-13T10:00:00+01:00", "2024-07-16"),
    ],
)
def test_receipt_deadline_counts_jersey_working_days(sent: str, due_day: str) -> None:
    result = run(PACK, [flag(sent)], "2024-12-31T12:00:00+00:00")
    assert only(result, "sender_confirms_receipt_of_flag").due == end_of(due_day, TZ)


def test_receipt_timescale_is_a_local_parameter() -> None:
    # Local overlay: same day. Flag Thu 2 May 2024 -> due end of Thu 2 May.
    pack = load_pack("jersey_2024", parameters={"receipt_follow_up_timescale": {"same_day": True}})
    result = run(pack, [flag()], "2024-05-03T09:00:00+01:00")
    receipt = only(result, "sender_confirms_receipt_of_flag")
    assert (receipt.due, receipt.status) == (end_of("2024-05-02", TZ), "overdue")
    assert pack.content_hash != PACK.content_hash


# --- planning meetings -------------------------------------------------------------------------


def planning(id: str, at: str, chair_role: str, agencies: tuple[str, ...] = ("csc", "police"),
             minuted: bool = True, actions_shared: bool = True) -> BaseEvent:
    return ev("planning_meeting_held", at, id=id, chair_role=chair_role, chair="tm-1",
              agencies=list(agencies), minuted=minuted, actions_shared=actions_shared)


def scenario_planning_meetings() -> Evaluation:
    requested = ev("planning_meeting_requested", "2024-05-03T09:00:00+01:00", id="pmr-1")
    return run(PACK, [
        allocated(), requested,
        planning("pm-1", "2024-05-10T10:00:00+01:00", "allocated_social_worker",
                 agencies=("csc",), actions_shared=False),
        planning("pm-2", "2024-05-17T10:00:00+01:00", "team_manager"),
        planning("pm-3", "2024-05-24T10:00:00+01:00", "senior_practitioner",
                 agencies=("csc", "police", "education")),
    ], "2024-06-01T12:00:00+01:00")


def test_planning_meeting_called_after_request() -> None:
    called = only(scenario_planning_meetings(), "planning_meeting_held_after_request")
    assert (called.status, called.met_by) == ("met", "pm-1")


def test_planning_meeting_chair_minutes_and_agencies() -> None:
    result = scenario_planning_meetings()
    found = {(f.rule, f.event, f.severity) for f in result.findings if f.kind == "check"}
    assert found == {
        ("planning_meeting_chaired_by_team_manager_or_senior_practitioner", "pm-1", "should"),
        ("planning_meeting_minuted_and_actions_shared", "pm-1", "must"),
        ("planning_meeting_is_multi_agency", "pm-1", "must"),
    }
    minutes = checks(result, "planning_meeting_minuted_and_actions_shared")[0]
    assert minutes.message == (
        "planning meeting not minuted with actions shared (minuted: yes, actions shared: no)")
    agencies = checks(result, "planning_meeting_is_multi_agency")[0]
    assert "(agencies: csc)" in agencies.message


def test_unminuted_planning_meeting() -> None:
    result = run(PACK, [planning("pm-4", "2024-05-10T10:00:00+01:00", "team_manager",
                                 minuted=False)], "2024-06-01T12:00:00+01:00")
    assert [(f.rule, f.severity) for f in result.findings] == [
        ("planning_meeting_minuted_and_actions_shared", "must")]


# --- strategy discussions and meetings ---------------------------------------------------------


def concern(at: str, id: str = "con-1", category: str = "physical_abuse") -> BaseEvent:
    return ev("concern_identified", at, id=id, category=category)


def meeting(at: str, id: str = "sm-1", chair_role: str = "team_manager",
            chair: str | None = "tm-1") -> BaseEvent:
    return ev("strategy_meeting_held", at, id=id, chair_role=chair_role, chair=chair,
              agencies=["csc", "police", "health"])


def discussion(at: str, id: str = "sd-1") -> BaseEvent:
    return ev("strategy_discussion_held", at, id=id, mode="telephone", agencies=["csc", "police"],
              chair_role="team_manager", chair="tm-1")


def cancelled(at: str, of: str, id: str = "cx-1") -> BaseEvent:
    return ev("strategy_meeting_cancelled", at, id=id, of_event=of, by_role="team_manager",
              rationale="no longer needed")


def scenario_strategy_request_by_police() -> Evaluation:
    ok = ev("strategy_meeting_requested", "2024-05-02T11:00:00+01:00", id="smr-1",
            requested_by_role="team_manager")
    police = ev("strategy_meeting_requested", "2024-05-02T12:00:00+01:00", id="smr-2",
                requested_by_role="ppu_ds")
    return run(PACK, [ok, police], "2024-05-03T12:00:00+01:00")


def test_need_for_strategy_determined_by_social_care() -> None:
    found = checks(scenario_strategy_request_by_police(), "strategy_need_determined_by_social_care")
    assert [(f.event, f.severity) for f in found] == [("smr-2", "should")]
    assert found[0].message.startswith("strategy meeting requested by ppu_ds;")


def scenario_strategy_in_time() -> Evaluation:
    # Concern Thu 2 May 2024; Fri 3 (1), Mon 6 is a bank holiday, Tue 7 (2), Wed 8 (3).
    return run(PACK, [allocated(), concern("2024-05-02T10:00:00+01:00"),
                      meeting("2024-05-08T16:00:00+01:00"),
                      ev("medical_considered", "2024-05-08T17:00:00+01:00", id="med-1",
                         kinds=["child_protection"], required=True)],
               "2024-05-20T12:00:00+01:00")


def test_strategy_meeting_in_time_meets_both_strategy_rules() -> None:
    result = scenario_strategy_in_time()
    timed = only(result, "strategy_meeting_within_timescale")
    assert timed.due == end_of("2024-05-08", TZ)
    assert timed.due_basis == "3 working days (parameter strategy_meeting_timescale)"
    assert (timed.status, timed.met_by, timed.strength) == ("met", "sm-1", "should")
    held = only(result, "strategy_discussion_or_meeting_after_concern")
    assert (held.status, held.met_by, held.due, held.strength) == ("met", "sm-1", None, "must")
    assert finding_rules(result) == set()
    for rule in ("strategy_meeting_within_timescale", "medical_considered_after_strategy_meeting"):
        assert lateness(result, rule) == []
    assert only(result, "medical_considered_after_strategy_meeting").status == "met"


def scenario_strategy_late() -> Evaluation:
    # Concern Thu 2 May: due Wed 8 May (as above); meeting Fri 10 May (after Liberation Day).
    return run(PACK, [allocated(), concern("2024-05-02T10:00:00+01:00"),
                      meeting("2024-05-10T10:00:00+01:00")], "2024-05-20T12:00:00+01:00")


def test_late_strategy_meeting() -> None:
    result = scenario_strategy_late()
    timed = only(result, "strategy_meeting_within_timescale")
    assert (timed.due, timed.status) == (end_of("2024-05-08", TZ), "met_late")
    assert lateness(result, "strategy_meeting_within_timescale") == [("met_late", "should")]
    assert only(result, "strategy_discussion_or_meeting_after_concern").status == "met"


def test_overdue_and_open_strategy_meeting() -> None:
    events = [concern("2024-05-02T10:00:00+01:00")]
    # Due end of Wed 8 May; on Liberation Day (Thu 9 May) it is overdue.
    overdue = run(PACK, events, "2024-05-09T12:00:00+01:00")
    assert only(overdue, "strategy_meeting_within_timescale").status == "overdue"
    assert lateness(overdue, "strategy_meeting_within_timescale") == [("overdue", "should")]
    # The "must" rule has no deadline: it stays open, never overdue.
    assert only(overdue, "strategy_discussion_or_meeting_after_concern").status == "open"
    still_open = run(PACK, events, "2024-05-08T12:00:00+01:00")
    assert only(still_open, "strategy_meeting_within_timescale").status == "open"


def scenario_strategy_discussion_only() -> Evaluation:
    # A strategy meeting only "may be called": a timely discussion meets the timescale.
    # Concern Wed 1 May: Thu 2 (1), Fri 3 (2), Mon 6 bank holiday, Tue 7 (3).
    return run(PACK, [allocated(), concern("2024-05-01T10:00:00+01:00", category="neglect"),
                      discussion("2024-05-02T10:00:00+01:00")], "2024-05-02T12:00:00+01:00")


def test_strategy_discussion_meets_the_strategy_rules() -> None:
    result = scenario_strategy_discussion_only()
    timed = only(result, "strategy_meeting_within_timescale")
    assert (timed.due, timed.status, timed.met_by) == (end_of("2024-05-07", TZ), "met", "sd-1")
    held = only(result, "strategy_discussion_or_meeting_after_concern")
    assert (held.status, held.met_by) == ("met", "sd-1")
    # Neglect: the medicals must be considered; nothing recorded yet, due end of today.
    medical = only(result, "medical_considered_after_strategy_discussion")
    assert (medical.due, medical.status) == (end_of("2024-05-02", TZ), "open")


def scenario_strategy_cancelled() -> Evaluation:
    return run(PACK, [concern("2024-05-02T10:00:00+01:00"),
                      cancelled("2024-05-03T10:00:00+01:00", of="con-1")],
               "2024-05-20T12:00:00+01:00")


def test_strategy_meeting_cancelled_against_the_concern() -> None:
    result = scenario_strategy_cancelled()
    for rule in ("strategy_meeting_within_timescale", "strategy_discussion_or_meeting_after_concern"):
        obligation = only(result, rule)
        assert (obligation.status, obligation.cancelled_by) == ("cancelled", "cx-1")
    assert result.findings == ()
    other = run(PACK, [concern("2024-05-02T10:00:00+01:00"),
                       cancelled("2024-05-03T10:00:00+01:00", of="con-9")],
                "2024-05-20T12:00:00+01:00")
    assert only(other, "strategy_meeting_within_timescale").status == "overdue"


@pytest.mark.parametrize(
    ("raised", "due_day"),
    [
        # Thu 2 May: Fri 3 (1), Mon 6 bank holiday, Tue 7 (2), Wed 8 (3).
        ("2024-05-02T10:00:00+01:00", "2024-05-08"),
        # Tue 7 May: Wed 8 (1), Thu 9 Liberation Day, Fri 10 (2), Sat, Sun, Mon 13 (3).
        ("2024-05-07T10:00:00+01:00", "2024-05-13"),
        # On Liberation Day, Thu 9 May: Fri 10 (1), Mon 13 (2), Tue 14 (3).
        ("2024-05-09T10:00:00+01:00", "2024-05-14"),
        # Fri 24 May: Mon 27 Spring bank holiday, Tue 28 (1), Wed 29 (2), Thu 30 (3).
        ("2024-05-24T10:00:00+01:00", "2024-05-30"),
        # Wed 27 Mar (GMT): Thu 28 (1), Fri 29 Good Friday, Sat, Sun, Mon 1 Apr Easter Monday,
        # Tue 2 Apr (2), Wed 3 Apr (3); the deadline is in BST.
        ("2024-03-27T10:00:00+00:00", "2024-04-03"),
        # Thu 28 Mar: Fri 29 Good Friday, Sat, Sun, Mon 1 Apr Easter Monday, Tue 2 (1),
        # Wed 3 (2), Thu 4 (3).
        ("2024-03-28T10:00:00+00:00", "2024-04-04"),
        # Fri 12 Jul: Sat, Sun, Mon 15 Jul the King's visit, Tue 16 (1), Wed 17 (2), Thu 18 (3).
        ("2024-07-12T15:00:00+01:00", "2024-07-18"),
        # Sat 13 and Sun 14 Jul: the same as the Friday before.
        ("2024-07-13T11:00:00+01:00", "2024-07-18"),
        ("2024-07-14T11:00:00+01:00", "2024-07-18"),
        # Fri 23 Aug: Mon 26 Summer bank holiday, Tue 27 (1), Wed 28 (2), Thu 29 (3).
        ("2024-08-23T10:00:00+01:00", "2024-08-29"),
        # Mon 23 Dec (GMT): Tue 24 (1), Wed 25 Christmas, Thu 26 Boxing Day, Fri 27 (2),
        # Sat, Sun, Mon 30 (3).
        ("2024-12-23T10:00:00+00:00", "2024-12-30"),
        # 23:30 UTC on Wed 1 May is 00:30 BST on Thu 2 May: counted from Thursday.
        ("2024-05-01T23:30:00+00:00", "2024-05-08"),
        # 22:30 UTC on Wed 1 May is 23:30 BST the same Wednesday: Thu 2 (1), Fri 3 (2),
        # Mon 6 bank holiday, Tue 7 (3).
        ("2024-05-01T22:30:00+00:00", "2024-05-07"),
    ],
)
def test_strategy_meeting_deadline_counts_jersey_working_days(raised: str, due_day: str) -> None:
    result = run(PACK, [concern(raised)], "2024-12-31T12:00:00+00:00")
    assert only(result, "strategy_meeting_within_timescale").due == end_of(due_day, TZ)


def test_saturday_concern_has_the_fridays_deadline() -> None:
    # Fri 10 May -> Mon 13 (1), Tue 14 (2), Wed 15 (3); Sat 11 May counts from the same Monday.
    friday = run(PACK, [concern("2024-05-10T10:00:00+01:00")], "2024-05-11T12:00:00+01:00")
    saturday = run(PACK, [concern("2024-05-11T10:00:00+01:00")], "2024-05-11T12:00:00+01:00")
    expected = end_of("2024-05-15", TZ)
    assert only(friday, "strategy_meeting_within_timescale").due == expected
    assert only(saturday, "strategy_meeting_within_timescale").due == expected
    assert expected.isoformat() == "2024-05-15T23:59:59.999999+01:00"


def test_strategy_timescale_can_be_shortened_locally() -> None:
    # Local overlay "commensurate to the risks": 1 working day. Thu 2 May -> Fri 3 (1).
    pack = load_pack("jersey_2024", parameters={"strategy_meeting_timescale": {"working_days": 1}})
    result = run(pack, [concern("2024-05-02T10:00:00+01:00")], "2024-05-03T12:00:00+01:00")
    assert only(result, "strategy_meeting_within_timescale").due == end_of("2024-05-03", TZ)


# --- strategy meeting chair and absent agencies ------------------------------------------------


@pytest.mark.parametrize(
    ("chair_role", "chair", "expected"),
    [
        # The allocated worker's Team Manager: the preferred chair, no finding.
        ("team_manager", "tm-1", []),
        # A Senior Practitioner is allowed, but not the preferred chair.
        ("senior_practitioner", "sp-1",
         [("strategy_meeting_chair_preferably_allocated_team_manager", "advisory")]),
        # Another Team Manager: allowed, not preferred.
        ("team_manager", "tm-9",
         [("strategy_meeting_chair_preferably_allocated_team_manager", "advisory")]),
        # The allocated social worker may not chair.
        ("allocated_social_worker", "sw-1",
         [("strategy_meeting_chaired_by_senior_practitioner", "must"),
          ("strategy_meeting_chair_preferably_allocated_team_manager", "advisory")]),
    ],
)
def test_strategy_meeting_chair(chair_role: str, chair: str,
                                expected: list[tuple[str, str]]) -> None:
    result = run(PACK, [allocated(), meeting("2024-05-08T16:00:00+01:00", chair_role=chair_role,
                                             chair=chair)], "2024-05-20T12:00:00+01:00")
    assert [(f.rule, f.severity) for f in result.findings if f.kind == "check"] == expected


def scenario_chair_checks() -> Evaluation:
    return run(PACK, [allocated(), meeting("2024-05-08T16:00:00+01:00", id="sm-9",
                                           chair_role="allocated_social_worker", chair="sw-1")],
               "2024-05-20T12:00:00+01:00")


def test_wrong_chair_message() -> None:
    found = checks(scenario_chair_checks(), "strategy_meeting_chair_preferably_allocated_team_manager")
    assert found[0].message == (
        "strategy meeting chaired by sw-1 (allocated_social_worker), not the allocated Social "
        "Worker's Team Manager")


def test_no_advisory_when_the_team_manager_is_unknown() -> None:
    result = run(PACK, [allocated(team_manager=None),
                        meeting("2024-05-08T16:00:00+01:00", chair_role="senior_practitioner",
                                chair="sp-1")], "2024-05-20T12:00:00+01:00")
    assert finding_rules(result) == set()


def scenario_absent_agency() -> Evaluation:
    absent = ev("agency_unable_to_attend", "2024-05-07T09:00:00+01:00", id="abs-1",
                agency="health", meeting_ref="smr-1")
    wrong_agency = ev("agency_report_sent", "2024-05-07T10:00:00+01:00", id="rep-0",
                      agency="education", to_role="strategy_meeting_chair")
    wrong_recipient = ev("agency_report_sent", "2024-05-07T10:30:00+01:00", id="rep-x",
                         agency="health", to_role="allocated_social_worker")
    report = ev("agency_report_sent", "2024-05-07T11:00:00+01:00", id="rep-1", agency="health",
                to_role="strategy_meeting_chair")
    return run(PACK, [absent, wrong_agency, wrong_recipient, report], "2024-05-08T12:00:00+01:00")


def test_absent_agency_sends_its_report_to_the_chair() -> None:
    report = only(scenario_absent_agency(), "absent_agency_sends_report_to_chair")
    assert (report.status, report.met_by, report.strength, report.due) == (
        "met", "rep-1", "should", None)


def test_absent_agency_report_open_until_sent() -> None:
    absent = ev("agency_unable_to_attend", "2024-05-07T09:00:00+01:00", agency="health")
    result = run(PACK, [absent], "2024-06-08T12:00:00+01:00")
    assert only(result, "absent_agency_sends_report_to_chair").status == "open"


# --- medicals (parameter: same day) ------------------------------------------------------------


def medical(at: str, id: str = "med-1") -> BaseEvent:
    return ev("medical_considered", at, id=id, kinds=["child_protection", "child_sexual_abuse"])


def scenario_medical_after_discussion() -> Evaluation:
    # Discussion Fri 10 May 14:00; same day -> due end of Fri 10 May; considered at 16:00.
    return run(PACK, [concern("2024-05-09T20:00:00+01:00", category="sexual_exploitation"),
                      discussion("2024-05-10T14:00:00+01:00"),
                      medical("2024-05-10T16:00:00+01:00")], "2024-05-20T12:00:00+01:00")


def test_medical_considered_after_discussion() -> None:
    obligation = only(scenario_medical_after_discussion(),
                      "medical_considered_after_strategy_discussion")
    assert obligation.due == end_of("2024-05-10", TZ)
    assert (obligation.status, obligation.met_by, obligation.strength) == ("met", "med-1", "must")
    assert obligation.responsible == "strategy_meeting_chair"


def test_medical_considered_late_or_overdue() -> None:
    events = [concern("2024-05-09T20:00:00+01:00", category="sexual_abuse"),
              discussion("2024-05-10T14:00:00+01:00")]
    late = run(PACK, [*events, medical("2024-05-13T09:00:00+01:00")], "2024-05-20T12:00:00+01:00")
    rule = "medical_considered_after_strategy_discussion"
    assert (only(late, rule).due, only(late, rule).status) == (end_of("2024-05-10", TZ), "met_late")
    assert lateness(late, rule) == [("met_late", "should")]  # a local default: never a must breach
    overdue = run(PACK, events, "2024-05-11T09:00:00+01:00")
    assert only(overdue, rule).status == "overdue"
    assert lateness(overdue, rule) == [("overdue", "should")]
    still_open = run(PACK, events, "2024-05-10T18:00:00+01:00")
    assert only(still_open, rule).status == "open"


def scenario_medical_after_meeting() -> Evaluation:
    # Meeting on Liberation Day, Thu 9 May: "same day" is a calendar day, holidays or not,
    # so due end of Thu 9 May. Penetrative sexual abuse counts as sexual abuse.
    return run(PACK, [allocated(),
                      concern("2024-05-08T20:00:00+01:00", category="penetrative_sexual_abuse"),
                      meeting("2024-05-09T11:00:00+01:00")], "2024-05-10T09:00:00+01:00")


def test_medical_considered_after_meeting() -> None:
    result = scenario_medical_after_meeting()
    obligation = only(result, "medical_considered_after_strategy_meeting")
    assert (obligation.due, obligation.status) == (end_of("2024-05-09", TZ), "overdue")
    assert obligation.due_basis == "the same day; local default (parameter medical_consideration_timescale)"


@pytest.mark.parametrize(
    ("category", "needed"),
    [("physical_abuse", True), ("sexual_abuse", True), ("penetrative_sexual_abuse", True),
     ("sexual_exploitation", True), ("neglect", True), ("emotional_abuse", False),
     ("other", False)],
)
def test_medicals_only_for_listed_risks(category: str, needed: bool) -> None:
    result = run(PACK, [concern("2024-05-08T20:00:00+01:00", category=category),
                        meeting("2024-05-09T11:00:00+01:00"),
                        discussion("2024-05-09T12:00:00+01:00")],
                 "2024-05-10T09:00:00+01:00")
    found = obligations(result, "medical_considered_after_strategy_meeting") \
        + obligations(result, "medical_considered_after_strategy_discussion")
    assert len(found) == (2 if needed else 0)


def test_medical_needs_a_consideration_after_the_meeting() -> None:
    # A consideration recorded before the meeting does not meet the meeting's obligation.
    result = run(PACK, [concern("2024-05-08T20:00:00+01:00"),
                        medical("2024-05-09T10:00:00+01:00", id="med-0"),
                        meeting("2024-05-09T11:00:00+01:00")], "2024-05-09T12:00:00+01:00")
    assert only(result, "medical_considered_after_strategy_meeting").status == "open"


# --- supervision (parameter: 1 month) ----------------------------------------------------------


def supervision(at: str, id: str, kind: str = "internal") -> BaseEvent:
    return ev("supervision_held", at, id=id, kind=kind, agencies=["csc"])


def scenario_supervision() -> Evaluation:
    # Allocated Fri 31 May 2024: one month on is 30 June (June has 30 days; calendar months
    # ignore weekends and holidays), so due end of Sun 30 Jun. Supervised Thu 20 Jun: met.
    # The next is due one month after 20 Jun: end of Sat 20 Jul; held Thu 25 Jul: late.
    # The one after is due end of Sun 25 Aug and is overdue on Tue 27 Aug.
    return run(PACK, [allocated("2024-05-31T10:00:00+01:00"),
                      supervision("2024-06-20T10:00:00+01:00", "sup-1"),
                      supervision("2024-07-10T10:00:00+01:00", "sup-r", "multi_agency_reflective"),
                      supervision("2024-07-25T10:00:00+01:00", "sup-2")],
               "2024-08-27T09:00:00+01:00")


def test_internal_supervision_is_regular() -> None:
    result = scenario_supervision()
    first = only(result, "internal_supervision_after_allocation")
    assert (first.due, first.status, first.met_by) == (end_of("2024-06-30", TZ), "met", "sup-1")
    assert (first.strength, first.responsible) == ("should", "practitioners_agency")
    regular = obligations(result, "internal_supervision_regular")
    assert [(o.triggered_by, o.due, o.status, o.met_by) for o in regular] == [
        (("sup-1",), end_of("2024-07-20", TZ), "met_late", "sup-2"),  # reflective sup-r does not count
        (("sup-2",), end_of("2024-08-25", TZ), "overdue", None),
    ]
    assert lateness(result, "internal_supervision_regular") == [
        ("met_late", "should"), ("overdue", "should")]


def scenario_supervision_ends_with_allocation() -> Evaluation:
    # Supervised Mon 25 Nov 2024: next due Wed 25 Dec (Christmas Day: calendar months do not
    # skip holidays). Unallocated Fri 6 Dec: the supervision duties end.
    return run(PACK, [allocated("2024-11-01T09:00:00+00:00"),
                      supervision("2024-11-25T10:00:00+00:00", "sup-3"),
                      ev("social_worker_unallocated", "2024-12-06T10:00:00+00:00", id="unalloc-1")],
               "2025-01-10T12:00:00+00:00")


def test_supervision_cancelled_when_unallocated() -> None:
    result = scenario_supervision_ends_with_allocation()
    regular = only(result, "internal_supervision_regular")
    assert regular.due == end_of("2024-12-25", TZ)
    assert (regular.status, regular.cancelled_by) == ("cancelled", "unalloc-1")
    assert only(result, "internal_supervision_after_allocation").status == "met"


def test_first_supervision_open_then_overdue() -> None:
    # Allocated Mon 15 Jul 2024 (the King's visit; calendar months ignore it): due Thu 15 Aug.
    events = [allocated("2024-07-15T10:00:00+01:00")]
    first = only(run(PACK, events, "2024-08-15T12:00:00+01:00"),
                 "internal_supervision_after_allocation")
    assert (first.due, first.status) == (end_of("2024-08-15", TZ), "open")
    assert only(run(PACK, events, "2024-08-16T00:00:00+01:00"),
                "internal_supervision_after_allocation").status == "overdue"


def scenario_reflective_supervision() -> Evaluation:
    return run(PACK, [
        ev("case_reviewed", "2024-06-03T10:00:00+01:00", id="rev-1", stuck=True),
        supervision("2024-06-05T10:00:00+01:00", "sup-i"),  # internal: does not meet it
        supervision("2024-06-10T10:00:00+01:00", "sup-m", "multi_agency_reflective"),
    ], "2024-07-01T12:00:00+01:00")


def test_reflective_supervision_where_case_is_stuck() -> None:
    obligation = only(scenario_reflective_supervision(),
                      "multi_agency_reflective_supervision_considered")
    assert (obligation.status, obligation.met_by, obligation.due) == ("met", "sup-m", None)
    assert (obligation.strength, obligation.responsible) == ("should", "involved_agencies")


@pytest.mark.parametrize(
    ("flags", "fires"),
    [({"complex": True}, True), ({"stuck": True}, True), ({"drifting": True}, True), ({}, False)],
)
def test_reflective_supervision_triggers(flags: dict[str, bool], fires: bool) -> None:
    result = run(PACK, [ev("case_reviewed", "2024-06-03T10:00:00+01:00", **flags)],
                 "2024-07-01T12:00:00+01:00")
    found = obligations(result, "multi_agency_reflective_supervision_considered")
    assert [o.status for o in found] == (["open"] if fires else [])


# --- professional difference (parameter: 10 working days) --------------------------------------


def raised(at: str, id: str = "pd-raised-1", difference: str = "pd-1",
           started_on: str | None = "2024-05-02") -> BaseEvent:
    return ev("professional_difference_raised", at, id=id, difference_id=difference,
              raised_by_role="allocated_social_worker", started_on=started_on)


def resolved(at: str, id: str = "pd-resolved-1", difference: str = "pd-1",
             resolved_on: str | None = "2024-05-20") -> BaseEvent:
    return ev("professional_difference_resolved", at, id=id, difference_id=difference,
              resolved_on=resolved_on)


# Raised Thu 2 May 2024: Fri 3 (1), Mon 6 bank holiday, Tue 7 (2), Wed 8 (3), Thu 9 Liberation
# Day, Fri 10 (4), Mon 13 (5), Tue 14 (6), Wed 15 (7), Thu 16 (8), Fri 17 (9), Mon 20 (10).
DIFFERENCE_DUE = end_of("2024-05-20", TZ)


def scenario_difference_resolved() -> Evaluation:
    return run(PACK, [raised("2024-05-02T10:00:00+01:00"),
                      resolved("2024-05-20T16:00:00+01:00")], "2024-06-01T12:00:00+01:00")


def test_professional_difference_resolved_in_time() -> None:
    result = scenario_difference_resolved()
    obligation = only(result, "professional_difference_resolved_asap")
    assert obligation.due == DIFFERENCE_DUE
    assert (obligation.status, obligation.met_by, obligation.strength) == (
        "met", "pd-resolved-1", "should")
    assert finding_rules(result) == set()


def test_professional_difference_resolved_late_overdue_or_open() -> None:
    rule = "professional_difference_resolved_asap"
    late = run(PACK, [raised("2024-05-02T10:00:00+01:00"),
                      resolved("2024-05-21T09:00:00+01:00", resolved_on="2024-05-21")],
               "2024-06-01T12:00:00+01:00")
    assert (only(late, rule).due, only(late, rule).status) == (DIFFERENCE_DUE, "met_late")
    # Resolving a different difference does not meet this one.
    other = run(PACK, [raised("2024-05-02T10:00:00+01:00"),
                       resolved("2024-05-03T09:00:00+01:00", difference="pd-2")],
                "2024-05-21T00:00:00+01:00")
    assert only(other, rule).status == "overdue"
    assert lateness(other, rule) == [("overdue", "should")]
    still_open = run(PACK, [raised("2024-05-02T10:00:00+01:00")], "2024-05-20T23:00:00+01:00")
    assert only(still_open, rule).status == "open"


def test_professional_difference_over_the_kings_visit() -> None:
    # Raised Mon 8 Jul 2024: Tue 9 (1), Wed 10 (2), Thu 11 (3), Fri 12 (4), Mon 15 Jul the
    # King's visit, Tue 16 (5), Wed 17 (6), Thu 18 (7), Fri 19 (8), Mon 22 (9), Tue 23 (10).
    result = run(PACK, [raised("2024-07-08T10:00:00+01:00", started_on="2024-07-08")],
                 "2024-07-09T12:00:00+01:00")
    assert only(result, "professional_difference_resolved_asap").due == end_of("2024-07-23", TZ)


def scenario_difference_dates_missing() -> Evaluation:
    return run(PACK, [raised("2024-05-02T10:00:00+01:00", started_on=None),
                      resolved("2024-05-10T16:00:00+01:00", resolved_on=None)],
               "2024-06-01T12:00:00+01:00")


def test_professional_difference_dates_must_be_noted() -> None:
    result = scenario_difference_dates_missing()
    found = [(f.rule, f.event, f.severity, f.message) for f in result.findings if f.kind == "check"]
    assert found == [
        ("professional_difference_start_date_noted", "pd-raised-1", "must",
         "professional difference pd-1 raised without noting the date the process started"),
        ("professional_difference_resolution_date_noted", "pd-resolved-1", "must",
         "professional difference pd-1 resolved without noting the resolution date"),
    ]


# --- every rule is exercised -------------------------------------------------------------------


SCENARIOS: list[Callable[[], Evaluation]] = [
    scenario_no_allocated_worker,
    scenario_four_cpns,
    scenario_good_flag,
    scenario_bad_flag,
    scenario_planning_requested,
    scenario_receipt_met,
    scenario_receipt_late,
    scenario_receipt_overdue,
    scenario_planning_meetings,
    scenario_strategy_request_by_police,
    scenario_strategy_in_time,
    scenario_strategy_late,
    scenario_strategy_discussion_only,
    scenario_strategy_cancelled,
    scenario_chair_checks,
    scenario_absent_agency,
    scenario_medical_after_discussion,
    scenario_medical_after_meeting,
    scenario_supervision,
    scenario_supervision_ends_with_allocation,
    scenario_reflective_supervision,
    scenario_difference_resolved,
    scenario_difference_dates_missing,
]


def test_every_rule_is_exercised() -> None:
    fired: set[str] = set()
    for scenario in SCENARIOS:
        fired |= fired_rules(scenario())
    assert fired == {c.rule.id for c in PACK.rules}
