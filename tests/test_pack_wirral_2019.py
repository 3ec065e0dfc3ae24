"""Scenario tests for the Wirral 2019 pack (policies/wirral_2019.yaml).

Every expected deadline is counted by hand in a comment and written as a literal with
``end_of``. England's 2019 bank holidays: 01-01, 04-19 (Good Friday), 04-22 (Easter
Monday), 05-06, 05-27, 08-26, 12-25, 12-26. Office hours are 09:00 (inclusive) to 17:00
(exclusive) local time, Monday to Friday, bank holidays included (the literal reading of
"daily Monday to Friday"; see docs/policies/wirral_2019.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import pytest
from helpers import (
    assert_not_encoded_quotes_the_source,
    assert_source_accounted_for,
    end_of,
    ev,
    finding_rules,
    fired_rules,
    obligations,
    only,
    run,
)

from safeguard_rules import BaseEvent, Evaluation, evaluate, load_pack

TZ = "Europe/London"
PACK = load_pack("wirral_2019")

SCENARIOS: list[Callable[[], Evaluation]] = []


def scenario(fn: Callable[[], Evaluation]) -> Callable[[], Evaluation]:
    """Register a scenario so the coverage test can run them all."""
    SCENARIOS.append(fn)
    return fn


def request(at: str, id: str, child: str, **changes: Any) -> BaseEvent:
    """A strategy request that is compliant unless ``changes`` say otherwise."""
    fields: dict[str, Any] = {
        "requested_by_role": "allocated_social_worker",
        "purpose": "safeguarding",
        "authorised": True,
        "quality_assured": True,
        "form_complete": True,
        "mode": "telephone",
        "mode_considered_by_role": "social_work_manager",
    }
    fields.update(changes)
    return ev("strategy_meeting_requested", at, id=id, child=child, **fields)


def to_bsa(at: str, id: str, child: str, of_event: str | None, **form: Any) -> BaseEvent:
    """The social worker forwards the request form to the Business Support Assistant.

    The form as it arrives is authorised and filled in correctly unless ``form`` says
    otherwise (``authorised=None`` leaves it unrecorded).
    """
    fields: dict[str, Any] = {"authorised": True, "form_complete": True}
    fields.update(form)
    return ev(
        "strategy_request_forwarded",
        at,
        id=id,
        child=child,
        of_event=of_event,
        by_role="allocated_social_worker",
        to=["business_support_assistant"],
        **fields,
    )


def to_west_mash(at: str, id: str, child: str, of_event: str) -> BaseEvent:
    return ev(
        "strategy_request_forwarded",
        at,
        id=id,
        child=child,
        of_event=of_event,
        by_role="business_support_assistant",
        to=["west_mash"],
    )


def check_findings(result: Evaluation, rule: str) -> list[Any]:
    return [f for f in result.findings if f.rule == rule and f.kind == "check"]


ALL_PARTIES = ["csc", "police", "health", "education"]


# --- the pack itself -----------------------------------------------------------------------


def test_metadata_and_calendar() -> None:
    meta = PACK.pack.pack
    assert (meta.id, meta.jurisdiction, meta.version) == ("wirral_2019", "wirral", "2019-03")
    assert meta.effective_from == date(2019, 3, 1)
    assert meta.effective_to is None
    assert [s.file for s in meta.sources] == ["sources/002_0a92134be2bf8aa5.txt"]
    cal = PACK.pack.calendar
    assert cal.timezone == TZ
    assert cal.public_holidays is not None
    assert (cal.public_holidays.country, cal.public_holidays.subdivision) == ("GB", "ENG")
    assert cal.office_hours is not None
    assert cal.office_hours.days == ["mon", "tue", "wed", "thu", "fri"]
    assert (cal.office_hours.start, cal.office_hours.end) == (time(9), time(17))
    assert cal.office_hours.open_on_public_holidays is True


def test_every_quote_is_verbatim_from_the_source() -> None:
    path = PACK.source_file("wirral_tor_2019")
    assert path is not None
    source = " ".join(path.read_text(encoding="utf-8").split())
    quotes = [r.citation.quote for r in PACK.pack.rules]
    quotes += [rt.citation.quote for r in PACK.pack.rules for rt in r.routes or () if rt.citation]
    quotes += [p.citation.quote for p in PACK.pack.parameters.values() if p.citation]
    # not_encoded too: the closing slogan breaks its line after "about" in the source and is
    # quoted on one line, which holds with whitespace made single spaces, as lint compares
    # (reader 5 LOW-8)
    quotes += [n.quote for n in PACK.pack.not_encoded]
    assert quotes
    for quote in quotes:
        assert " ".join(quote.split()) in source, quote
    assert any(q.startswith("We are setting outa plan") for q in quotes)


def test_parameters_are_local_choices() -> None:
    params = PACK.pack.parameters
    assert set(params) == {
        "form_return_timescale",
        "request_forwarding_timescale",
        "bsa_forwarding_timescale",
        "receipt_confirmation_timescale",
        "strategy_participation_timescale",
        "referral_link_window",
    }
    for name, param in params.items():
        # the form's four steps: one working day (the forward to the Business Support
        # Assistant since reader 9 H1); who takes part: five (reader 6 M4)
        if name == "referral_link_window":
            # the bound on a concern's link to its referral (reader 7 M2)
            assert param.default.working_days == 10
        elif name == "strategy_participation_timescale":
            # five working days counted from the concern, not the referral (reader 8 M1)
            assert param.default.table is not None
            [case] = param.default.table.cases
            assert (case.within.working_days, case.counts_from) == (5, "trigger")
        else:
            assert param.default.working_days == 1, name
        assert param.basis == "local_default", name
        assert "LOCAL CHOICE" in param.description, name
    # the five days are the practitioner guide's that wtsc_2015 encodes, not Working
    # Together's (reader 8 L4)
    assert "Working Together" not in params["strategy_participation_timescale"].description


def test_every_imposing_sentence_of_the_source_is_accounted_for() -> None:
    # Its 15 imposing sentences, and every other sentence but headings.
    assert_source_accounted_for(PACK, "wirral_tor_2019", imposing=15)


def test_not_encoded_entries_quote_the_source_and_give_a_reason() -> None:
    assert_not_encoded_quotes_the_source(PACK, "wirral_tor_2019")


# --- 1.1 strategy discussion on suspected significant harm --------------------------------


@scenario
def significant_harm_discussion_held() -> Evaluation:
    return run(
        PACK,
        [
            ev(
                "concern_identified",
                "2019-06-03T10:00:00+01:00",
                id="c-1",
                child="w-sh1",
                category="neglect",
                serious_harm=True,
            ),
            ev(
                "strategy_discussion_held",
                "2019-06-04T11:00:00+01:00",
                id="sd-1",
                child="w-sh1",
                mode="telephone",
                agencies=ALL_PARTIES,
            ),
        ],
        "2019-07-01T12:00:00+01:00",
    )


def test_significant_harm_met_by_strategy_discussion() -> None:
    result = significant_harm_discussion_held()
    o = only(result, "strategy_discussion_when_significant_harm_suspected")
    assert (o.status, o.met_by, o.strength) == ("met", "sd-1", "should")
    # 1.1 names no one: a local choice, as wtsc_2015 (reader 8 L5)
    assert o.responsible == "la_childrens_social_care"
    assert o.due is None
    # No timescale: the rule counts from the referral when there is one (reader 4 L1), so
    # its due is written no_deadline, and the deadline text says so.
    assert o.due_basis == "no deadline"
    assert result.findings == ()


@scenario
def significant_harm_meeting_held() -> Evaluation:
    return run(
        PACK,
        [
            ev(
                "concern_identified",
                "2019-06-03T10:00:00+01:00",
                id="c-2",
                child="w-sh2",
                category="physical_abuse",
                serious_harm=True,
            ),
            ev(
                "strategy_meeting_held",
                "2019-06-05T14:00:00+01:00",
                id="sm-2",
                child="w-sh2",
                chair_role="team_manager",
                agencies=ALL_PARTIES,
            ),
        ],
        "2019-07-01T12:00:00+01:00",
    )


def test_significant_harm_met_by_strategy_meeting() -> None:
    result = significant_harm_meeting_held()
    o = only(result, "strategy_discussion_when_significant_harm_suspected")
    assert (o.status, o.met_by) == ("met", "sm-2")
    assert result.findings == ()


@scenario
def significant_harm_no_discussion() -> Evaluation:
    return run(
        PACK,
        [
            ev(
                "concern_identified",
                "2019-06-03T10:00:00+01:00",
                id="c-3",
                child="w-sh3",
                category="neglect",
                serious_harm=True,
            ),
            ev(
                "concern_identified",
                "2019-06-03T11:00:00+01:00",
                id="c-4",
                child="w-sh4",
                category="neglect",
                serious_harm=False,
            ),
        ],
        "2020-01-01T12:00:00+00:00",
    )


def test_significant_harm_without_discussion_stays_open_with_no_deadline() -> None:
    result = significant_harm_no_discussion()
    # "significant harm" is the threshold of every child protection concern, not the
    # concern's serious_harm flag (Working Together's higher "serious risk of harm"): both
    # concerns call for a strategy discussion.
    found = obligations(result, "strategy_discussion_when_significant_harm_suspected")
    assert sorted(o.child_id for o in found) == ["w-sh3", "w-sh4"]
    for o in found:
        assert (o.status, o.due, o.met_by) == ("open", None, None)
    # no timescale in the source, so never overdue; who takes part is owed by a local
    # default (reader 6 M4): 5 working days from Mon 3 June 2019 -> end of Mon 10 June,
    # long past on 1 January 2020, three agencies for each of the two concerns
    assert {f.rule for f in result.findings} == {
        "strategy_discussion_involves_csc",
        "strategy_discussion_involves_police",
        "strategy_discussion_involves_health",
    }
    assert len(result.findings) == 6
    for f in result.findings:
        assert (f.kind, f.severity) == ("overdue", "should")
        assert "local default (parameter strategy_participation_timescale)" in f.message


@scenario
def discussion_missing_agencies() -> Evaluation:
    return run(
        PACK,
        [
            # education referred the concern: the referring agency of 1.1's "other bodies"
            ev(
                "concern_identified",
                "2019-06-03T10:00:00+01:00",
                id="c-5",
                child="w-ag1",
                category="neglect",
                referring_agency="education",
            ),
            ev(
                "strategy_discussion_held",
                "2019-06-04T11:00:00+01:00",
                id="sd-5",
                child="w-ag1",
                mode="telephone",
                agencies=["csc", "police"],
            ),
            ev(
                "strategy_meeting_held",
                "2019-06-04T15:00:00+01:00",
                id="sm-5",
                child="w-ag1",
                chair_role="team_manager",
                agencies=["csc", "health"],
            ),
        ],
        "2019-06-05T12:00:00+01:00",
    )


def test_who_takes_part_is_judged_per_concern_across_its_strategy() -> None:
    # reader 6 M4: the discussion involved the police, the meeting health; together the
    # strategy involved all three, so nothing is found; before, a should finding on each
    # event and an advisory on each for the referrer
    result = discussion_missing_agencies()
    assert {o.rule: (o.status, o.met_by) for o in result.obligations if "involves" in o.rule} == {
        "strategy_discussion_involves_csc": ("met", "sd-5"),
        "strategy_discussion_involves_police": ("met", "sd-5"),
        "strategy_discussion_involves_health": ("met", "sm-5"),
        # 5 working days from Mon 3 June 2019 -> end of Mon 10 June: not yet due on 5 June
        "strategy_discussion_involves_other_bodies": ("open", None),
        # the concern does not say whether the child is looked after
        "strategy_discussion_involves_placement_service_when_looked_after": (
            "cannot_evaluate",
            None,
        ),
    }
    assert result.findings == ()


def test_the_referring_agency_is_the_one_the_concern_names() -> None:
    # Police referred: already there, nothing asked. No referrer recorded: nothing asked.
    result = run(
        PACK,
        [
            ev(
                "concern_identified",
                "2019-06-03T10:00:00+01:00",
                id="c-6",
                child="w-ag2",
                category="neglect",
                referring_agency="police",
            ),
            ev(
                "strategy_discussion_held",
                "2019-06-04T11:00:00+01:00",
                id="sd-6",
                child="w-ag2",
                mode="telephone",
                agencies=["csc", "police", "health"],
            ),
            ev(
                "concern_identified",
                "2019-06-03T10:00:00+01:00",
                id="c-7",
                child="w-ag3",
                category="neglect",
            ),
            ev(
                "strategy_meeting_held",
                "2019-06-04T15:00:00+01:00",
                id="sm-7",
                child="w-ag3",
                chair_role="team_manager",
                agencies=["csc", "police", "health"],
            ),
        ],
        "2019-06-05T12:00:00+01:00",
    )
    assert result.findings == ()


@scenario
def looked_after_child() -> Evaluation:
    return run(
        PACK,
        [
            ev(
                "concern_identified",
                "2019-06-03T09:00:00+01:00",
                id="c-la",
                child="w-la1",
                category="emotional_abuse",
                looked_after=True,
            ),
            # no placement service: two findings
            ev(
                "strategy_discussion_held",
                "2019-06-03T11:00:00+01:00",
                id="sd-la1",
                child="w-la1",
                mode="telephone",
                agencies=ALL_PARTIES,
            ),
            ev(
                "strategy_meeting_held",
                "2019-06-04T11:00:00+01:00",
                id="sm-la1",
                child="w-la1",
                chair_role="team_manager",
                agencies=ALL_PARTIES,
            ),
            # fostering service / residential service: compliant
            ev(
                "strategy_discussion_held",
                "2019-06-05T11:00:00+01:00",
                id="sd-la2",
                child="w-la1",
                mode="face_to_face",
                agencies=[*ALL_PARTIES, "fostering_service"],
            ),
            ev(
                "strategy_meeting_held",
                "2019-06-06T11:00:00+01:00",
                id="sm-la2",
                child="w-la1",
                chair_role="team_manager",
                agencies=[*ALL_PARTIES, "residential_service"],
            ),
            # a child who is not looked after needs no placement service
            ev(
                "strategy_discussion_held",
                "2019-06-05T11:00:00+01:00",
                id="sd-nla",
                child="w-la2",
                mode="telephone",
                agencies=ALL_PARTIES,
            ),
        ],
        "2019-06-07T12:00:00+01:00",
    )


def test_looked_after_child_needs_residential_or_fostering_service() -> None:
    # reader 6 M4: per concern, met by the first discussion or meeting with either service
    # (before, the first discussion and meeting each got a should finding)
    result = looked_after_child()
    [o] = obligations(result, "strategy_discussion_involves_placement_service_when_looked_after")
    assert (o.child_id, o.status, o.met_by) == ("w-la1", "met", "sd-la2")
    assert result.findings == ()
    # (a strategy that never involves either service: the scenario file's "for a
    # looked-after child, a strategy that never involved ... falls short, once")


# --- 1.2 what a strategy is not for --------------------------------------------------------


@scenario
def strategy_purposes() -> Evaluation:
    return run(
        PACK,
        [
            request("2019-06-04T10:00:00+01:00", "r-p1", "w-pu", purpose="investigation_update"),
            request("2019-06-04T10:05:00+01:00", "r-p2", "w-pu", purpose="police_information_only"),
            request("2019-06-04T10:10:00+01:00", "r-p3", "w-pu", purpose="safeguarding"),
        ],
        "2019-06-04T10:30:00+01:00",
    )


def test_strategy_not_for_investigation_update_or_police_information_only() -> None:
    result = strategy_purposes()
    assert finding_rules(result) == {
        "strategy_not_for_investigation_update",
        "strategy_not_purely_for_police_information",
    }
    [upd] = check_findings(result, "strategy_not_for_investigation_update")
    # should, 1.2's strength, on the request: a local extension reading "held" as
    # "requested" (reader 8 M4; reader 4 L5 had made it advisory)
    assert (upd.event, upd.severity) == ("r-p1", "should")
    assert upd.message == (
        "strategy requested for an investigation update, which should not be held (local "
        "extension: checked on the request); OIC details can be given by the MASH instead"
    )
    [info] = check_findings(result, "strategy_not_purely_for_police_information")
    assert (info.event, info.severity) == ("r-p2", "should")
    assert info.message == (
        "strategy requested purely to gain police information, which should not be held "
        "(local extension: checked on the request); use police checks on the MASH "
        "information form"
    )
    # 1.2: such a strategy should not be held, so none is owed an arrangement (reader 8 M4)
    arranged = [o for o in result.obligations if o.rule == "strategy_meeting_arranged"]
    assert [o.triggered_by for o in arranged] == [("r-p3",)]


# --- 2.1 face to face or telephone --------------------------------------------------------


@scenario
def strategy_modes() -> Evaluation:
    return run(
        PACK,
        [
            request("2019-06-04T10:00:00+01:00", "r-m1", "w-mo", mode=None),
            request("2019-06-04T10:05:00+01:00", "r-m2", "w-mo", mode="face_to_face"),
            request("2019-06-04T10:10:00+01:00", "r-m3", "w-mo", mode="telephone"),
            request(
                "2019-06-04T10:15:00+01:00",
                "r-m4",
                "w-mo",
                mode="video",
                mode_considered_by_role="advanced_practitioner",
            ),
            # a mode, but chosen by the social worker / by no one recorded
            request(
                "2019-06-04T10:20:00+01:00",
                "r-m5",
                "w-mo",
                mode_considered_by_role="allocated_social_worker",
            ),
            request("2019-06-04T10:25:00+01:00", "r-m6", "w-mo", mode_considered_by_role=None),
            # neither the form chosen nor who considered it: no consideration recorded
            request(
                "2019-06-04T10:28:00+01:00",
                "r-m7",
                "w-mo",
                mode=None,
                mode_considered_by_role=None,
            ),
        ],
        "2019-06-04T10:30:00+01:00",
    )


def test_request_records_who_considered_face_to_face_or_telephone() -> None:
    # "should consider" is met by a recorded consideration by the social work manager or
    # ASWP, whatever they decided (video included), or left open: r-m1 records who
    # considered the form and no mode (reader 12 MEDIUM-3: it was reported)
    result = strategy_modes()
    should = check_findings(result, "face_to_face_or_telephone_considered")
    assert [f.event for f in should] == ["r-m5", "r-m7"]
    assert {f.severity for f in should} == {"should"}
    # a mode with no one recorded as considering it is a gap in the data (reader 4 M6)
    [gap] = check_findings(result, "face_to_face_or_telephone_considered_by_recorded")
    assert (gap.event, gap.severity) == ("r-m6", "advisory")
    assert should[0].message.endswith("(considered by: allocated_social_worker; mode: telephone)")
    assert should[1].message == (
        "strategy request does not record that the social work manager or ASWP considered "
        "whether a face-to-face or telephone strategy is required (considered by: "
        "(none); mode: (none))"
    )


# --- 2.2 quality assurance, forms, Business Support Assistant, West MASH ------------------


@scenario
def not_quality_assured() -> Evaluation:
    return run(
        PACK,
        [
            request("2019-06-04T10:00:00+01:00", "r-q1", "w-qa", quality_assured=False),
            request("2019-06-04T10:05:00+01:00", "r-q2", "w-qa"),
        ],
        "2019-06-04T10:30:00+01:00",
    )


def test_a_draft_request_not_quality_assured_gets_a_notice_not_the_must() -> None:
    # reader 6 M6: quality assurance is owed before the form is forwarded, so a request
    # recorded as a draft (quality_assured: false) is not a breach; before, a must finding
    result = not_quality_assured()
    assert finding_rules(result) == {"request_quality_assurance_recorded"}
    [f] = result.findings
    assert (f.event, f.severity) == ("r-q1", "advisory")


@scenario
def forwarded_with_and_without_quality_assurance() -> Evaluation:
    qa = {"attributes": {"quality_assured": True}}
    no_qa = {"attributes": {"quality_assured": False}}
    return run(
        PACK,
        [
            request("2024-06-03T09:15:00+01:00", "r-d1", "w-d1", quality_assured=False),
            to_bsa("2024-06-03T11:30:00+01:00", "f-d1", "w-d1", "r-d1", **qa),
            request("2024-06-03T09:15:00+01:00", "r-d2", "w-d2", quality_assured=False),
            to_bsa("2024-06-03T11:30:00+01:00", "f-d2", "w-d2", "r-d2", **no_qa),
        ],
        "2024-06-03T12:00:00+01:00",
    )


def test_the_must_is_tested_on_the_form_as_it_reached_the_business_support_assistant() -> None:
    result = forwarded_with_and_without_quality_assurance()
    [f] = [f for f in result.findings if f.rule == "request_quality_assured"]
    assert (f.event, f.severity) == ("f-d2", "must")
    assert f.message == (
        "strategy request form reached the Business Support Assistant without having been"
        " quality assured (quality assured: no)"
    )


@scenario
def full_office_hours_path() -> Evaluation:
    child = "w-ok"
    return run(
        PACK,
        [
            request("2019-05-14T10:00:00+01:00", "r-ok", child),  # Tuesday, BST
            to_bsa("2019-05-14T10:30:00+01:00", "f-ok1", child, "r-ok"),
            ev(
                "receipt_confirmed",
                "2019-05-14T11:00:00+01:00",
                id="rc-ok",
                child=child,
                of_event="r-ok",
                by_role="business_support_assistant",
                method="phone",
                initiated_by_role="allocated_social_worker",
            ),
            to_west_mash("2019-05-14T14:00:00+01:00", "f-ok2", child, "r-ok"),
            ev(
                "strategy_meeting_held",
                "2019-05-16T10:00:00+01:00",
                id="sm-ok",
                child=child,
                chair_role="team_manager",
                agencies=ALL_PARTIES,
            ),
        ],
        "2019-06-01T12:00:00+01:00",
    )


def test_office_hours_request_follows_the_business_support_route_to_the_west_mash() -> None:
    result = full_office_hours_path()
    assert result.findings == ()
    fwd = only(result, "request_forwarded_to_business_support_assistant")
    assert (fwd.route, fwd.status, fwd.met_by) == (None, "met", "f-ok1")
    # requested Tue 14 May 2019; 1 working day (local default, reader 9 H1): Wed 15 May
    assert (fwd.responsible, fwd.strength, fwd.due) == (
        "social_worker",
        "must",
        end_of("2019-05-15", TZ),
    )
    bsa = only(result, "bsa_forwards_request_to_west_mash")
    # forwarded to the BSA Tue 14 May 2019; 1 working day after 14 May: Wed 15 May
    assert bsa.due == end_of("2019-05-15", TZ)
    assert (bsa.status, bsa.met_by, bsa.responsible) == (
        "met",
        "f-ok2",
        "business_support_assistant",
    )
    assert bsa.due_basis == "1 working day; local default (parameter bsa_forwarding_timescale)"
    rc = only(result, "receipt_confirmed_by_phone")
    assert rc.due == end_of("2019-05-15", TZ)  # same count from the request: Wed 15 May
    assert (rc.status, rc.met_by, rc.responsible, rc.strength) == (
        "met",
        "rc-ok",
        "social_worker",
        "should",
    )
    arranged = only(result, "strategy_meeting_arranged")
    assert (arranged.route, arranged.responsible, arranged.status, arranged.met_by) == (
        "mash_ds_on_duty",
        "mash_ds",
        "met",
        "sm-ok",
    )
    assert obligations(result, "out_of_hours_request_by_101") == []
    assert obligations(result, "incorrect_form_returned") == []


@scenario
def request_never_forwarded() -> Evaluation:
    return run(
        PACK, [request("2019-05-14T10:00:00+01:00", "r-nf", "w-nf")], "2019-12-31T12:00:00+00:00"
    )


def test_request_not_forwarded_to_business_support_is_reported() -> None:
    # reader 9 H1: the forward (must) had no deadline and the receipt call was owed only
    # after a forward, so a lost request was never reported. Requested Tue 14 May 2019;
    # 1 working day: end of Wed 15 May for both (local defaults, reported at should).
    result = request_never_forwarded()
    fwd = only(result, "request_forwarded_to_business_support_assistant")
    assert (fwd.route, fwd.status, fwd.due) == (None, "overdue", end_of("2019-05-15", TZ))
    assert obligations(result, "bsa_forwards_request_to_west_mash") == []
    rc = only(result, "receipt_confirmed_by_phone")
    assert (rc.status, rc.due) == ("overdue", end_of("2019-05-15", TZ))
    assert sorted((f.rule, f.severity, f.basis) for f in result.findings) == [
        ("receipt_confirmed_by_phone", "should", "local_default"),
        ("request_forwarded_to_business_support_assistant", "should", "local_default"),
    ]


# Office hours: 09:00 inclusive, 17:00 exclusive, Mon-Fri, bank holidays open (literal reading).
ROUTING_CASES = [
    ("tuesday_10_bst", "2019-05-14T10:00:00+01:00", True),
    ("tuesday_17_30", "2019-05-14T17:30:00+01:00", False),
    ("saturday_11", "2019-05-18T11:00:00+01:00", False),
    ("sunday_11", "2019-05-19T11:00:00+01:00", False),
    ("bank_holiday_monday_10", "2019-05-27T10:00:00+01:00", True),  # Spring bank holiday
    ("easter_monday_10", "2019-04-22T10:00:00+01:00", True),
    ("christmas_day_10", "2019-12-25T10:00:00+00:00", True),  # a Wednesday
    ("exactly_17_00", "2019-05-14T17:00:00+01:00", False),
    ("one_second_before_17_00", "2019-05-14T16:59:59+01:00", True),
    ("exactly_09_00", "2019-05-14T09:00:00+01:00", True),
    ("one_second_before_09_00", "2019-05-14T08:59:59+01:00", False),
    # BST starts Sun 31 March 2019 01:00 UTC. 08:30 UTC is 08:30 GMT on Fri 29 March
    # (out of hours) and 09:30 BST on Mon 1 April (in hours).
    ("fri_29_mar_09_30_gmt", "2019-03-29T09:30:00+00:00", True),
    ("fri_29_mar_08_30_utc", "2019-03-29T08:30:00+00:00", False),
    ("mon_1_apr_09_30_bst", "2019-04-01T09:30:00+01:00", True),
    ("mon_1_apr_08_30_utc", "2019-04-01T08:30:00+00:00", True),
    # BST ends Sun 27 October 2019 01:00 UTC. 08:30 UTC is 09:30 BST on Fri 25 October
    # (in hours) and 08:30 GMT on Mon 28 October (out of hours).
    ("fri_25_oct_08_30_utc", "2019-10-25T08:30:00+00:00", True),
    ("mon_28_oct_08_30_utc", "2019-10-28T08:30:00+00:00", False),
    ("mon_28_oct_09_30_gmt", "2019-10-28T09:30:00+00:00", True),
    ("mon_28_oct_16_59_utc", "2019-10-28T16:59:00+00:00", True),
    ("mon_28_oct_17_00_utc", "2019-10-28T17:00:00+00:00", False),
]


def routing(label: str, at: str) -> Evaluation:
    return run(PACK, [request(at, f"r-{label}", f"w-{label}")], "2019-12-31T23:00:00+00:00")


@pytest.mark.parametrize(
    ("label", "at", "in_hours"), ROUTING_CASES, ids=[c[0] for c in ROUTING_CASES]
)
def test_office_hours_routing(label: str, at: str, in_hours: bool) -> None:
    result = routing(label, at)
    arranged = only(result, "strategy_meeting_arranged")
    # 2.2 names no hours: the form is owed to the Business Support Assistant either way
    fwd = only(result, "request_forwarded_to_business_support_assistant")
    assert (fwd.route, fwd.responsible, fwd.strength) == (None, "social_worker", "must")
    if in_hours:
        assert (arranged.route, arranged.responsible) == ("mash_ds_on_duty", "mash_ds")
        assert obligations(result, "out_of_hours_request_by_101") == []
    else:
        call = only(result, "out_of_hours_request_by_101")
        assert (call.responsible, call.strength, call.status, call.due) == (
            "team_manager",
            "should",
            "open",
            None,
        )
        assert (arranged.route, arranged.responsible) == (
            "duty_sergeant_out_of_hours",
            "duty_sergeant",
        )
    assert arranged.strength == "must"
    # the forward and the receipt call have local-default deadlines from the request
    # (reader 9 H1), long past by the end of 2019: each overdue at should, labelled
    # local_default; nothing else is reported
    assert sorted((f.rule, f.kind, f.severity, f.basis) for f in result.findings) == [
        ("receipt_confirmed_by_phone", "overdue", "should", "local_default"),
        ("request_forwarded_to_business_support_assistant", "overdue", "should", "local_default"),
    ]


def test_each_route_that_requires_something_cites_the_sentence_of_its_obligation() -> None:
    # An obligation shows its route's citation beside the route's strength, so the route
    # quotes the sentence that imposes the obligation. Out of hours the obligation is still
    # the arrangement ("will be arranged", must); the 101 sentence ("should call") is the
    # call's own rule. Reader 5 LOW-5: the route quoted the 101 sentence, so the must
    # obligation showed a should sentence.
    for rule in PACK.pack.rules:
        for route in rule.routes or ():
            if route.require is not None:
                assert route.citation is not None, f"{rule.id}: route {route.name}"
    result = routing("tuesday_17_30", "2019-05-14T17:30:00+01:00")
    arranged = only(result, "strategy_meeting_arranged")
    assert (arranged.route, arranged.strength) == ("duty_sergeant_out_of_hours", "must")
    assert arranged.citation is not None
    assert arranged.citation.quote.startswith("The Strategy meeting will be arranged")
    call = only(result, "out_of_hours_request_by_101")
    assert call.strength == "should"
    assert call.citation is not None
    assert call.citation.quote.startswith("For strategy requests outside of these hours")


@scenario
def returned_form_easter() -> Evaluation:
    child = "w-ret"
    return run(
        PACK,
        [
            # Thu 18 April 2019 10:00 BST, not authorised
            request("2019-04-18T10:00:00+01:00", "r-ret", child, authorised=False),
            to_bsa("2019-04-18T10:15:00+01:00", "f-ret", child, "r-ret", authorised=False),
            ev(
                "strategy_request_returned",
                "2019-04-23T15:00:00+01:00",
                id="ret-1",
                child=child,
                of_event="r-ret",
                by_role="business_support_assistant",
                reason="not authorised",
            ),
        ],
        "2019-05-01T12:00:00+01:00",
    )


def test_unauthorised_form_returned_over_easter() -> None:
    result = returned_form_easter()
    o = only(result, "incorrect_form_returned")
    # the clock starts when the form reaches the BSA (f-ret, Thu 18 Apr 2019): 1 working
    # day after it, Fri 19 (Good Friday), Sat 20, Sun 21, Mon 22 (Easter Monday) skipped;
    # Tue 23 Apr is working day 1.
    assert o.triggered_by == ("f-ret",)
    assert o.due == end_of("2019-04-23", TZ)
    assert o.due_basis == "1 working day; local default (parameter form_return_timescale)"
    assert (o.status, o.met_by, o.responsible, o.strength) == (
        "met",
        "ret-1",
        "business_support_assistant",
        "must",
    )
    # a form that arrives unauthorised is returned, not forwarded to the West MASH; the
    # return is for correction, not a cancellation (only 2.5's agreed cancellation ends a
    # request), so the meeting is still to be arranged
    assert obligations(result, "bsa_forwards_request_to_west_mash") == []
    assert only(result, "strategy_meeting_arranged").status == "open"
    assert only(result, "strategy_meeting_arranged").cancelled_by is None
    # the phone confirmation is still owed
    rc = only(result, "receipt_confirmed_by_phone")
    assert (rc.status, rc.due) == ("overdue", end_of("2019-04-23", TZ))  # same count
    assert [(f.rule, f.kind) for f in result.findings] == [
        ("receipt_confirmed_by_phone", "overdue")
    ]


@scenario
def returned_form_overdue_and_late() -> Evaluation:
    return run(
        PACK,
        [
            # Thu 18 April 2019: incomplete form, never returned
            request("2019-04-18T10:00:00+01:00", "r-late1", "w-late1", form_complete=False),
            to_bsa(
                "2019-04-18T10:15:00+01:00", "f-late1", "w-late1", "r-late1", form_complete=False
            ),
            # Thu 18 April 2019: unauthorised form, returned Wed 24 April (late)
            request("2019-04-18T10:00:00+01:00", "r-late2", "w-late2", authorised=False),
            to_bsa("2019-04-18T10:15:00+01:00", "f-late2", "w-late2", "r-late2", authorised=False),
            ev(
                "strategy_request_returned",
                "2019-04-24T09:15:00+01:00",
                id="ret-2",
                child="w-late2",
                of_event="r-late2",
            ),
            # a return of some other request does not count
            ev(
                "strategy_request_returned",
                "2019-04-19T09:15:00+01:00",
                id="ret-x",
                child="w-late1",
                of_event="r-other",
            ),
        ],
        "2019-04-24T12:00:00+01:00",
    )


def test_incorrect_form_overdue_and_returned_late() -> None:
    result = returned_form_overdue_and_late()
    [overdue] = [
        o
        for o in result.obligations
        if o.rule == "incorrect_form_returned" and o.child_id == "w-late1"
    ]
    [late] = [
        o
        for o in result.obligations
        if o.rule == "incorrect_form_returned" and o.child_id == "w-late2"
    ]
    # both due at the end of Tue 23 Apr 2019 (Good Friday, weekend, Easter Monday skipped)
    assert overdue.due == late.due == end_of("2019-04-23", TZ)
    assert (overdue.status, overdue.met_by) == ("overdue", None)
    assert (late.status, late.met_by) == ("met_late", "ret-2")
    lateness = {f.kind: f for f in result.findings if f.rule == "incorrect_form_returned"}
    assert set(lateness) == {"overdue", "met_late"}
    assert lateness["overdue"].severity == "should"  # a local default: never a must breach
    assert lateness["overdue"].message == (
        "return_strategy_request_form was due by 2019-04-23T23:59+01:00 (1 working day; local default "
        "(parameter form_return_timescale)) and is overdue"
    )
    assert lateness["met_late"].message == (
        "return_strategy_request_form was due by 2019-04-23T23:59+01:00 (1 working day; local default "
        "(parameter form_return_timescale)) and was met late, at 2019-04-24T09:15+01:00"
    )


@scenario
def incomplete_form_on_saturday() -> Evaluation:
    return run(
        PACK,
        [
            # Sat 6 July 2019 11:00: out of hours, form incomplete
            request("2019-07-06T11:00:00+01:00", "r-sat", "w-sat", form_complete=False),
            to_bsa("2019-07-06T11:15:00+01:00", "f-sat", "w-sat", "r-sat", form_complete=False),
        ],
        "2019-07-09T12:00:00+01:00",
    )


def test_saturday_form_return_counts_from_the_weekend() -> None:
    result = incomplete_form_on_saturday()
    o = only(result, "incorrect_form_returned")
    # 1 working day after Sat 6 Jul: Sun 7 skipped; Mon 8 Jul is working day 1
    assert o.due == end_of("2019-07-08", TZ)
    assert o.status == "overdue"  # as of Tue 9 Jul
    [f] = [f for f in result.findings if f.rule == "incorrect_form_returned"]
    assert (f.kind, f.severity) == ("overdue", "should")  # a local default: never a must breach
    assert f.at == end_of("2019-07-08", TZ)


@scenario
def return_clock_and_unknown_authorisation() -> Evaluation:
    return run(
        PACK,
        [
            # Unauthorised when made (Thu 18 April 2019), still unauthorised when it reached
            # the BSA after Easter (Tue 23 April): returned Wed 24 April.
            request("2019-04-18T10:00:00+01:00", "r-ck1", "w-ck1", authorised=False),
            to_bsa("2019-04-23T10:00:00+01:00", "f-ck1", "w-ck1", "r-ck1", authorised=False),
            ev(
                "strategy_request_returned",
                "2019-04-24T09:00:00+01:00",
                id="ret-ck1",
                child="w-ck1",
                of_event="r-ck1",
            ),
            # Unauthorised when made, authorised by the time it reached the BSA: not returned.
            request("2019-04-18T10:00:00+01:00", "r-ck2", "w-ck2", authorised=False),
            to_bsa("2019-04-23T10:00:00+01:00", "f-ck2", "w-ck2", "r-ck2"),
            # The forward does not say whether the form was authorised or complete.
            request("2019-04-23T10:00:00+01:00", "r-ck3", "w-ck3"),
            to_bsa(
                "2019-04-23T10:30:00+01:00",
                "f-ck3",
                "w-ck3",
                "r-ck3",
                authorised=None,
                form_complete=None,
            ),
        ],
        "2019-04-24T12:00:00+01:00",
    )


def test_return_clock_starts_when_the_form_reaches_the_bsa() -> None:
    result = return_clock_and_unknown_authorisation()
    [ret] = obligations(result, "incorrect_form_returned")
    # from Tue 23 Apr 2019 (the form reached the BSA), not Thu 18 Apr (the request): Wed 24
    # Apr is working day 1. From the request it would have been Tue 23 and the return late.
    assert (ret.child_id, ret.triggered_by) == ("w-ck1", ("f-ck1",))
    assert (ret.due, ret.status, ret.met_by) == (end_of("2019-04-24", TZ), "met", "ret-ck1")


def test_a_form_whose_authorisation_is_not_recorded_is_reported_not_guessed() -> None:
    result = return_clock_and_unknown_authorisation()
    [f] = check_findings(result, "forwarded_form_records_authorisation")
    assert (f.event, f.severity) == ("f-ck3", "advisory")  # a data gap, not a breach of the must
    assert f.message == (
        "strategy request form reached the Business Support Assistant without saying whether "
        "it was authorised and filled in correctly (authorised: (none); filled in correctly: "
        "(none)), so whether it must be returned cannot be evaluated"
    )
    # not guessed as unauthorised (no return owed) nor as authorised (still reported); the
    # forward to the West MASH stays owed
    assert [o.child_id for o in obligations(result, "incorrect_form_returned")] == ["w-ck1"]
    assert {o.child_id for o in obligations(result, "bsa_forwards_request_to_west_mash")} == {
        "w-ck2",
        "w-ck3",
    }


@scenario
def bsa_forward_over_christmas() -> Evaluation:
    child = "w-xmas"
    return run(
        PACK,
        [
            request("2019-12-24T10:00:00+00:00", "r-x1", child),  # Tue 24 Dec 2019, GMT
            to_bsa("2019-12-24T10:30:00+00:00", "f-x1", child, "r-x1"),
            # a forward by someone else, or to someone else, does not meet it
            ev(
                "strategy_request_forwarded",
                "2019-12-24T11:00:00+00:00",
                id="f-x2",
                child=child,
                of_event="r-x1",
                by_role="business_support_assistant",
                to=["mash_ds"],
            ),
            to_west_mash("2019-12-27T09:00:00+00:00", "f-x3", child, "r-x1"),
            ev(
                "receipt_confirmed",
                "2019-12-27T09:30:00+00:00",
                id="rc-x1",
                child=child,
                of_event="r-x1",
                by_role="business_support_assistant",
                method="email",
            ),
        ],
        "2019-12-30T12:00:00+00:00",
    )


def test_bsa_forwards_to_west_mash_over_christmas() -> None:
    result = bsa_forward_over_christmas()
    o = only(result, "bsa_forwards_request_to_west_mash")
    # 1 working day after Tue 24 Dec 2019: Wed 25 (Christmas Day) and Thu 26 (Boxing Day)
    # skipped; Fri 27 Dec is working day 1.
    assert o.due == end_of("2019-12-27", TZ)
    assert (o.status, o.met_by, o.triggered_by) == ("met", "f-x3", ("f-x1",))
    # receipt confirmed by email, not by phone: the phone call is overdue (same count)
    rc = only(result, "receipt_confirmed_by_phone")
    assert (rc.status, rc.due) == ("overdue", end_of("2019-12-27", TZ))
    [f] = result.findings
    assert (f.rule, f.kind, f.severity) == ("receipt_confirmed_by_phone", "overdue", "should")
    assert f.message == (
        "phone_business_support_assistant_to_confirm_receipt was due by 2019-12-27T23:59+00:00 "
        "(1 working day; local default (parameter receipt_confirmation_timescale)) and is overdue"
    )


@scenario
def bsa_forward_overdue() -> Evaluation:
    child = "w-bsa"
    return run(
        PACK,
        [
            request("2019-12-24T10:00:00+00:00", "r-b1", child),
            to_bsa("2019-12-24T10:30:00+00:00", "f-b1", child, "r-b1"),
            ev(
                "receipt_confirmed",
                "2019-12-24T10:45:00+00:00",
                id="rc-b1",
                child=child,
                of_event="r-b1",
                method="phone",
                by_role="business_support_assistant",
                initiated_by_role="team_manager",
            ),
            # forwarded to the West MASH for another request only
            to_west_mash("2019-12-27T09:00:00+00:00", "f-b2", child, "r-other"),
        ],
        "2019-12-30T12:00:00+00:00",
    )


def test_bsa_forward_overdue() -> None:
    result = bsa_forward_overdue()
    o = only(result, "bsa_forwards_request_to_west_mash")
    assert (o.status, o.due) == ("overdue", end_of("2019-12-27", TZ))  # 25, 26 Dec skipped
    assert only(result, "receipt_confirmed_by_phone").status == "met"
    [f] = result.findings
    assert (f.rule, f.kind, f.severity, f.obligation) == (
        "bsa_forwards_request_to_west_mash",
        "overdue",
        "should",  # a local default
        "bsa_forwards_request_to_west_mash/f-b1",
    )
    assert f.message == (
        "forward_request_to_west_mash was due by 2019-12-27T23:59+00:00 (1 working day; local default "
        "(parameter bsa_forwarding_timescale)) and is overdue"
    )


def test_bsa_forwarding_timescale_can_be_overridden_locally() -> None:
    local = load_pack("wirral_2019", parameters={"bsa_forwarding_timescale": {"same_day": True}})
    child = "w-ovr"
    result = run(
        local,
        [
            request("2019-12-24T10:00:00+00:00", "r-o1", child),
            to_bsa("2019-12-24T10:30:00+00:00", "f-o1", child, "r-o1"),
        ],
        "2019-12-25T12:00:00+00:00",
    )
    o = only(result, "bsa_forwards_request_to_west_mash")
    assert o.due == end_of("2019-12-24", TZ)  # same day: end of Tue 24 Dec
    assert o.status == "overdue"
    assert o.due_basis == "the same day; local override (parameter bsa_forwarding_timescale)"


# --- 2.3 phoning the Business Support Assistant -------------------------------------------

RECEIPT_DEADLINES = [
    # forwarded Fri 3 May 2019: Sat 4, Sun 5, Mon 6 (Early May bank holiday) skipped;
    # Tue 7 May is working day 1
    ("2019-05-03T15:00:00+01:00", "2019-05-07"),
    # forwarded Fri 23 Aug 2019: Sat 24, Sun 25, Mon 26 (Summer bank holiday) skipped;
    # Tue 27 Aug is working day 1
    ("2019-08-23T15:00:00+01:00", "2019-08-27"),
    # forwarded Fri 24 May 2019: Sat 25, Sun 26, Mon 27 (Spring bank holiday) skipped;
    # Tue 28 May is working day 1
    ("2019-05-24T16:00:00+01:00", "2019-05-28"),
    # forwarded Mon 30 Dec 2019: Tue 31 Dec is working day 1
    ("2019-12-30T16:00:00+00:00", "2019-12-31"),
    # forwarded Tue 31 Dec 2019: Wed 1 Jan 2020 (New Year's Day) skipped; Thu 2 Jan
    ("2019-12-31T16:00:00+00:00", "2020-01-02"),
]


@pytest.mark.parametrize(("forwarded_at", "due_day"), RECEIPT_DEADLINES)
def test_receipt_confirmation_deadlines(forwarded_at: str, due_day: str) -> None:
    child = "w-rc"
    result = run(
        PACK,
        [
            request(forwarded_at, "r-rc", child),
            to_bsa(forwarded_at, "s-rc", child, "r-rc"),  # id sorts after r-rc at the same instant
        ],
        "2020-02-01T12:00:00+00:00",
    )
    o = only(result, "receipt_confirmed_by_phone")
    assert o.due == end_of(due_day, TZ)
    assert o.status == "overdue"


@scenario
def receipt_confirmed_after_bank_holiday() -> Evaluation:
    child = "w-may"
    return run(
        PACK,
        [
            request("2019-05-03T14:30:00+01:00", "r-may", child),  # Fri 3 May 2019
            to_bsa("2019-05-03T15:00:00+01:00", "f-may", child, "r-may"),
            to_west_mash("2019-05-03T16:00:00+01:00", "f-may2", child, "r-may"),
            ev(
                "receipt_confirmed",
                "2019-05-07T10:00:00+01:00",
                id="rc-may",
                child=child,
                of_event="r-may",
                by_role="business_support_assistant",
                method="phone",
                initiated_by_role="advanced_practitioner",
            ),
        ],
        "2019-05-10T12:00:00+01:00",
    )


def test_receipt_confirmed_by_phone_after_bank_holiday_is_in_time() -> None:
    result = receipt_confirmed_after_bank_holiday()
    o = only(result, "receipt_confirmed_by_phone")
    # Sat 4, Sun 5, Mon 6 May (bank holiday) skipped: due end of Tue 7 May
    assert o.due == end_of("2019-05-07", TZ)
    assert (o.status, o.met_by) == ("met", "rc-may")
    assert result.findings == ()


@scenario
def receipt_confirmed_for_the_forward() -> Evaluation:
    child = "w-fwd"
    return run(
        PACK,
        [
            request("2019-05-14T10:00:00+01:00", "r-fwd", child),
            # the forward records no request id; rc-fwd confirms receipt of the forward itself
            ev(
                "strategy_request_forwarded",
                "2019-05-14T10:30:00+01:00",
                id="f-fwd",
                child=child,
                by_role="advanced_practitioner",
                to=["business_support_assistant"],
                authorised=True,
                form_complete=True,
            ),
            ev(
                "receipt_confirmed",
                "2019-05-14T10:40:00+01:00",
                id="rc-fwd",
                child=child,
                of_event="f-fwd",
                method="phone",
                by_role="business_support_assistant",
                initiated_by_role="advanced_practitioner",
            ),
            ev(
                "receipt_confirmed",
                "2019-05-14T10:35:00+01:00",
                id="rc-fwd0",
                child=child,
                of_event="something-else",
                method="phone",
                by_role="business_support_assistant",
                initiated_by_role="advanced_practitioner",
            ),
            ev(
                "receipt_confirmed",
                "2019-05-14T10:45:00+01:00",
                id="rc-req",
                child=child,
                of_event="r-fwd",
                method="phone",
                by_role="business_support_assistant",
                initiated_by_role="advanced_practitioner",
            ),
        ],
        "2019-05-14T12:00:00+01:00",
    )


def test_receipt_confirmation_must_name_the_request() -> None:
    result = receipt_confirmed_for_the_forward()
    o = only(result, "receipt_confirmed_by_phone")
    assert o.triggered_by == ("r-fwd",)
    assert o.due == end_of("2019-05-15", TZ)  # Tue 14 May + 1 working day: Wed 15 May
    # Owed from the request (reader 9 H1): a confirmation naming something else (rc-fwd0)
    # or the forward (rc-fwd; the format cannot follow it back to the request) does not
    # meet it; the one naming the request does. Before reader 9 it ran from the forward
    # and rc-fwd0 met it.
    assert (o.status, o.met_by) == ("met", "rc-req")
    # the BSA obligation is open (due Wed 15 May), not yet overdue
    assert only(result, "bsa_forwards_request_to_west_mash").status == "open"
    assert result.findings == ()


@scenario
def receipt_call_by_the_bsa() -> Evaluation:
    child = "w-cl"
    return run(
        PACK,
        [
            request("2019-05-14T10:00:00+01:00", "r-cl", child),
            to_bsa("2019-05-14T10:10:00+01:00", "f-cl", child, "r-cl"),
            # the Business Support Assistant rings the social worker instead
            ev(
                "receipt_confirmed",
                "2019-05-14T10:20:00+01:00",
                id="rc-cl",
                child=child,
                of_event="r-cl",
                method="phone",
                by_role="business_support_assistant",
                initiated_by_role="business_support_assistant",
            ),
        ],
        "2019-05-14T12:00:00+01:00",
    )


def test_receipt_call_is_the_social_workers_ap_or_tms_to_make() -> None:
    result = receipt_call_by_the_bsa()
    # the Business Support Assistant's own call confirms receipt in time (sent Tue
    # 2019-05-14; Wed 15 (1) -> due end of Wed 2019-05-15), so the obligation is met ...
    receipt = only(result, "receipt_confirmed_by_phone")
    assert (receipt.status, receipt.met_by) == ("met", "rc-cl")
    assert receipt.due == end_of("2019-05-15", TZ)
    # ... and the wrong caller is reported once, on the call itself (reader 5 LOW-3: before,
    # the obligation stayed open too, and became a second finding once overdue)
    [f] = check_findings(result, "receipt_call_made_by_social_worker_ap_or_tm")
    assert (f.event, f.severity) == ("rc-cl", "should")
    assert f.message == (
        "receipt of the strategy request was confirmed by phone in a call made by "
        "business_support_assistant (confirmed by business_support_assistant); the social "
        "worker, Advanced Practitioner or Team Manager should phone the Business Support "
        "Assistant"
    )
    assert finding_rules(result) == {"receipt_call_made_by_social_worker_ap_or_tm"}


@scenario
def receipt_call_without_caller() -> Evaluation:
    child = "w-nc"
    return run(
        PACK,
        [
            request("2019-05-14T10:00:00+01:00", "r-nc", child),
            to_bsa("2019-05-14T10:10:00+01:00", "f-nc", child, "r-nc"),
            # the Business Support Assistant confirms receipt; who rang is not recorded
            ev(
                "receipt_confirmed",
                "2019-05-14T10:20:00+01:00",
                id="rc-nc",
                child=child,
                of_event="r-nc",
                method="phone",
                by_role="business_support_assistant",
            ),
        ],
        "2019-05-14T12:00:00+01:00",
    )


def test_an_unrecorded_caller_meets_the_receipt_call_with_an_advisory_notice() -> None:
    # not recorded is not "no": the call meets the obligation, and the gap is a notice
    result = receipt_call_without_caller()
    assert only(result, "receipt_confirmed_by_phone").met_by == "rc-nc"
    assert {(f.rule, f.event, f.severity) for f in result.findings} == {
        ("receipt_call_caller_recorded", "rc-nc", "advisory")
    }


# --- 2.4 out of hours: 101 and the Duty Sergeant ------------------------------------------


@scenario
def out_of_hours_call_made() -> Evaluation:
    child = "w-ooh"
    return run(
        PACK,
        [
            request("2019-05-14T18:00:00+01:00", "r-ooh", child),  # Tue 18:00 BST
            ev(
                "police_contacted",
                "2019-05-14T18:05:00+01:00",
                id="pc-1",
                child=child,
                by_role="team_manager",
                channel="101",
                requested_role="duty_sergeant",
                attributes={"strategy_request": True},
            ),
            ev(
                "strategy_discussion_held",
                "2019-05-14T19:00:00+01:00",
                id="sd-ooh",
                child=child,
                mode="telephone",
                agencies=ALL_PARTIES,
            ),
        ],
        "2019-05-20T12:00:00+01:00",
    )


def test_out_of_hours_call_to_101_meets_the_obligation() -> None:
    result = out_of_hours_call_made()
    call = only(result, "out_of_hours_request_by_101")
    assert (call.status, call.met_by, call.due) == ("met", "pc-1", None)
    arranged = only(result, "strategy_meeting_arranged")
    assert (arranged.route, arranged.status, arranged.met_by) == (
        "duty_sergeant_out_of_hours",
        "met",
        "sd-ooh",
    )
    # the form is still owed to the Business Support Assistant (2.2 names no hours), and
    # with it the receipt call: requested Tue 14 May 2019, 1 working day -> end of Wed 15
    # May (local defaults, reader 9 H1), overdue by 20 May, each at should
    fwd = only(result, "request_forwarded_to_business_support_assistant")
    assert (fwd.status, fwd.due) == ("overdue", end_of("2019-05-15", TZ))
    assert sorted((f.rule, f.severity) for f in result.findings) == [
        ("receipt_confirmed_by_phone", "should"),
        ("request_forwarded_to_business_support_assistant", "should"),
    ]


@scenario
def out_of_hours_wrong_calls() -> Evaluation:
    child = "w-ooh2"
    return run(
        PACK,
        [
            request("2019-05-18T11:00:00+01:00", "r-ooh2", child),  # Saturday
            # the MASH phone, or 101 without asking for a Duty Sergeant, does not meet it
            ev(
                "police_contacted",
                "2019-05-18T11:05:00+01:00",
                id="pc-2",
                child=child,
                by_role="team_manager",
                channel="mash_phone",
                requested_role="mash_ds",
            ),
            ev(
                "police_contacted",
                "2019-05-18T11:10:00+01:00",
                id="pc-3",
                child=child,
                by_role="advanced_practitioner",
                channel="101",
            ),
            # 101 asking for a Duty Sergeant, but by the social worker: meets it, with a finding
            ev(
                "police_contacted",
                "2019-05-18T11:20:00+01:00",
                id="pc-4",
                child=child,
                by_role="allocated_social_worker",
                channel="101",
                requested_role="duty_sergeant",
                attributes={"strategy_request": True},
            ),
            # the same call, not saying who made it: a notice, not a finding (reader 4 M6)
            ev(
                "police_contacted",
                "2019-05-18T11:30:00+01:00",
                id="pc-5",
                child=child,
                channel="101",
                requested_role="duty_sergeant",
                attributes={"strategy_request": True},
            ),
        ],
        "2019-05-20T12:00:00+01:00",
    )


def test_out_of_hours_call_must_be_101_for_a_duty_sergeant_by_tm_or_aswp() -> None:
    result = out_of_hours_wrong_calls()
    call = only(result, "out_of_hours_request_by_101")
    assert (call.status, call.met_by) == ("met", "pc-4")
    assert finding_rules(result) == {
        "call_to_101_by_team_manager_or_aswp",
        "call_to_101_caller_recorded",
    }
    [f] = check_findings(result, "call_to_101_by_team_manager_or_aswp")
    assert (f.event, f.severity) == ("pc-4", "should")
    [gap] = check_findings(result, "call_to_101_caller_recorded")
    assert (gap.event, gap.severity) == ("pc-5", "advisory")
    assert (
        f.message
        == "101 call made by allocated_social_worker; the Team Manager or ASWP should call"
    )


@scenario
def call_to_101_not_for_a_strategy_request() -> Evaluation:
    # Sat 8 Jun 2024 22:15 BST, outside the MASH DS's hours; no strategy request anywhere.
    calls = [
        ev(
            "police_contacted",
            "2024-06-08T22:15:00+01:00",
            id=call_id,
            child="w-101",
            by_role="allocated_social_worker",
            channel="101",
            requested_role="duty_sergeant",
            **extra,
        )
        for call_id, extra in (
            ("pc-m1", {}),  # a child missing from home; the record does not say
            ("pc-m2", {"attributes": {"strategy_request": False}}),
            ("pc-m3", {"attributes": {"strategy_request": True}}),
        )
    ]
    return run(PACK, calls, "2024-06-10T12:00:00+01:00")


def test_call_to_101_is_checked_only_when_recorded_as_for_a_strategy_request() -> None:
    # reader 7 M4: 2.4 covers calls "for strategy requests"; before, pc-m1 and pc-m2 each
    # gave the should finding too.
    result = call_to_101_not_for_a_strategy_request()
    assert {(f.rule, f.event, f.severity) for f in result.findings} == {
        ("call_to_101_strategy_request_recorded", "pc-m1", "advisory"),
        ("call_to_101_by_team_manager_or_aswp", "pc-m3", "should"),
    }


@scenario
def call_to_101_requested_role_not_recorded() -> Evaluation:
    # Sat 9 Nov 2019 10:00 GMT (summer time ended Sun 27 Oct), outside the MASH DS's hours:
    # the Team Manager requests a strategy and calls 101 for it, five minutes later.
    # pc-r1 leaves requested_role out, pc-r2 records another role (a recorded answer).
    events: list[BaseEvent] = []
    for child, role in (("w-rr1", None), ("w-rr2", "mash_ds")):
        events.append(request("2019-11-09T10:00:00+00:00", f"r-{child}", child))
        events.append(
            ev(
                "police_contacted",
                "2019-11-09T10:05:00+00:00",
                id=f"pc-{child}",
                child=child,
                by_role="team_manager",
                channel="101",
                requested_role=role,
                attributes={"strategy_request": True},
            )
        )
    return run(PACK, events, "2019-11-10T12:00:00+00:00")


def test_call_to_101_not_saying_whom_it_asked_for_is_a_notice_and_does_not_meet_it() -> None:
    # reader 18 item 6: before, pc-w-rr1 left the duty open with no output at all
    result = call_to_101_requested_role_not_recorded()
    calls = obligations(result, "out_of_hours_request_by_101")
    assert {(o.child_id, o.status, o.met_by, o.due) for o in calls} == {
        ("w-rr1", "open", None, None),
        ("w-rr2", "open", None, None),
    }
    # the one-working-day forward and receipt call (Mon 11 Nov) are not yet due on Sun 10
    assert {(f.rule, f.event, f.severity) for f in result.findings} == {
        ("call_to_101_requested_role_recorded", "pc-w-rr1", "advisory"),
    }


@scenario
def out_of_hours_no_call() -> Evaluation:
    return run(
        PACK,
        [request("2019-05-14T20:00:00+01:00", "r-ooh3", "w-ooh3")],
        "2019-12-31T12:00:00+00:00",
    )


def test_out_of_hours_without_call_stays_open() -> None:
    result = out_of_hours_no_call()
    call = only(result, "out_of_hours_request_by_101")
    assert (call.status, call.met_by, call.responsible) == ("open", None, "team_manager")
    assert only(result, "strategy_meeting_arranged").status == "open"
    # the call has no deadline; the forward and the receipt call have local defaults
    # (reader 9 H1), past by the end of 2019, so they are the only findings
    assert sorted(f.rule for f in result.findings) == [
        "receipt_confirmed_by_phone",
        "request_forwarded_to_business_support_assistant",
    ]


# --- 2.5 cancellation ---------------------------------------------------------------------


@scenario
def compliant_cancellation() -> Evaluation:
    child = "w-can"
    return run(
        PACK,
        [
            request("2019-06-11T10:00:00+01:00", "r-can", child, authorised=False),
            to_bsa("2019-06-11T10:10:00+01:00", "f-can", child, "r-can", authorised=False),
            ev(
                "strategy_meeting_cancelled",
                "2019-06-11T12:00:00+01:00",
                id="x-can",
                child=child,
                of_event="r-can",
                by_role="allocated_social_worker",
                rationale="concern resolved by parent",
                agreed_by=["team_manager", "police", "health"],
                notified=["business_support_assistant", "west_mash"],
                recorded_on_child_file=True,
                notified_by_role="allocated_social_worker",
            ),
        ],
        "2019-07-01T12:00:00+01:00",
    )


def test_compliant_cancellation_cancels_the_request_obligations() -> None:
    result = compliant_cancellation()
    assert result.findings == ()
    # (the form arrived unauthorised, so it was owed a return, not a forward to the West MASH)
    assert obligations(result, "bsa_forwards_request_to_west_mash") == []
    for rule in (
        "incorrect_form_returned",
        "receipt_confirmed_by_phone",
        "strategy_meeting_arranged",
    ):
        o = only(result, rule)
        assert (o.status, o.cancelled_by) == ("cancelled", "x-can"), rule
    # forwarded to the BSA before the cancellation: that obligation was met
    assert only(result, "request_forwarded_to_business_support_assistant").status == "met"


def test_a_cancellation_naming_a_concern_must_name_an_earlier_concern_of_the_child() -> None:
    # Reader 13 item 1: strategy_meeting_cancelled.concern_ref (the concern the cancelled
    # request was made for) is a checked link, like a meeting's concern_ref. One naming a
    # later concern, or the request itself, is rejected and so cancels nothing, not even
    # the request's own duties. The concern's 1.1 duties stay owed (no cancellation ends
    # them, reader 14 item 1). Participation deadline from c-a, Mon 3 June 2019:
    # Tue 4 (1), Wed 5 (2), Thu 6 (3), Fri 7 (4), Mon 10 (5) -> end of Mon 10 June 2019.
    child = "w-can-link"

    def cancelled(id: str, at: str, concern_ref: str) -> BaseEvent:
        return ev(
            "strategy_meeting_cancelled",
            at,
            id=id,
            child=child,
            of_event="r-a",
            concern_ref=concern_ref,
            rationale="concern resolved",
            agreed_by=["team_manager", "police", "health"],
            notified=["business_support_assistant", "west_mash"],
            recorded_on_child_file=True,
            notified_by_role="allocated_social_worker",
        )

    events = [
        ev(
            "concern_identified",
            "2019-06-03T10:00:00+01:00",
            id="c-a",
            child=child,
            category="neglect",
            looked_after=False,
        ),
        request("2019-06-03T11:00:00+01:00", "r-a", child),
        cancelled("x-1", "2019-06-04T10:00:00+01:00", "c-b"),
        cancelled("x-2", "2019-06-04T11:00:00+01:00", "r-a"),
        ev(
            "concern_identified",
            "2019-06-05T10:00:00+01:00",
            id="c-b",
            child=child,
            category="neglect",
            looked_after=False,
        ),
    ]
    result = evaluate(PACK, events, datetime.fromisoformat("2019-06-20T12:00:00+01:00"))
    assert sorted((r.event_id, r.reason) for r in result.account.rejected) == [
        (
            "x-1",
            "concern_ref 'c-b' names a concern_identified at 2019-06-05T10:00:00+01:00, after "
            "this event (2019-06-04T10:00:00+01:00); it refers to an earlier one",
        ),
        (
            "x-2",
            "concern_ref 'r-a' names a strategy_meeting_requested event, not a concern_identified",
        ),
    ]
    first = [o for o in result.obligations if o.triggered_by == ("c-a",)]
    assert {o.rule: (o.status, o.due) for o in first} == {
        "strategy_discussion_when_significant_harm_suspected": ("open", None),
        "strategy_discussion_involves_csc": ("overdue", end_of("2019-06-10", TZ)),
        "strategy_discussion_involves_police": ("overdue", end_of("2019-06-10", TZ)),
        "strategy_discussion_involves_health": ("overdue", end_of("2019-06-10", TZ)),
    }
    # Rejected, neither cancels what the request owed (each names r-a and is agreed by
    # all three, so accepted it would).
    assert only(result, "strategy_meeting_arranged").status == "open"


@scenario
def cancellation_out_of_hours() -> Evaluation:
    child = "w-can2"
    return run(
        PACK,
        [
            request("2019-06-11T19:00:00+01:00", "r-can2", child),
            ev(
                "strategy_meeting_cancelled",
                "2019-06-11T19:30:00+01:00",
                id="x-can2",
                child=child,
                of_event="r-can2",
                rationale="child safe with relative",
                agreed_by=["team_manager", "police", "health"],
                notified=["business_support_assistant", "west_mash"],
                recorded_on_child_file=True,
                notified_by_role="allocated_social_worker",
            ),
        ],
        "2019-07-01T12:00:00+01:00",
    )


def test_cancellation_cancels_the_101_call() -> None:
    result = cancellation_out_of_hours()
    assert only(result, "out_of_hours_request_by_101").status == "cancelled"
    assert only(result, "strategy_meeting_arranged").status == "cancelled"
    assert result.findings == ()


@scenario
def non_compliant_cancellation() -> Evaluation:
    child = "w-can3"
    return run(
        PACK,
        [
            request("2019-06-11T10:00:00+01:00", "r-can3", child),
            ev(
                "strategy_meeting_cancelled",
                "2019-06-12T10:00:00+01:00",
                id="x-can3",
                child=child,
                of_event="r-can3",
                agreed_by=["team_manager", "police"],
                notified=["business_support_assistant"],
                notified_by_role="allocated_social_worker",
                recorded_on_child_file=False,
                # The record says no rationale was given (reader 6 M7): left out, it is
                # an advisory data gap, not this must.
                attributes={"rationale_given": False},
            ),
        ],
        "2019-07-01T12:00:00+01:00",
    )


def test_non_compliant_cancellation() -> None:
    result = non_compliant_cancellation()
    checks = {f.rule: f for f in result.findings if f.kind == "check"}
    assert set(checks) == {
        "cancellation_emailed_to_bsa_and_west_mash",
        "cancellation_rationale_given",
        "cancellation_agreed_by_csc_tm_police_health",
        "cancellation_recorded_on_child_file",
    }
    assert {f.severity for f in checks.values()} == {"must"}
    assert {f.event for f in checks.values()} == {"x-can3"}
    assert checks["cancellation_emailed_to_bsa_and_west_mash"].message == (
        "cancellation not emailed to both the Business Support Assistant and the West MASH "
        "(notified: business_support_assistant)"
    )
    assert checks["cancellation_rationale_given"].message == (
        "cancellation gives no rationale for why the strategy meeting is no longer required"
    )
    assert checks["cancellation_agreed_by_csc_tm_police_health"].message == (
        "cancellation not agreed by all of the CSC Team Manager, Police and Health "
        "(agreed by: team_manager, police)"
    )
    assert checks["cancellation_recorded_on_child_file"].message == (
        "decision to cancel the strategy request is not recorded on the child's file"
    )
    # Without Health's agreement the request is not validly cancelled (2.5; reader 7 L1:
    # before, both were cancelled). The arrangement has no deadline and stays open; the
    # forward has a local default (reader 9 H1): requested Tue 11 June 2019, due end of
    # Wed 12 June, overdue by 1 July.
    assert only(result, "strategy_meeting_arranged").status == "open"
    fwd = only(result, "request_forwarded_to_business_support_assistant")
    assert (fwd.status, fwd.due) == ("overdue", end_of("2019-06-12", TZ))


@scenario
def cancellation_missing_health_and_west_mash() -> Evaluation:
    return run(
        PACK,
        [
            ev(
                "strategy_meeting_cancelled",
                "2019-06-12T10:00:00+01:00",
                id="x-can4",
                child="w-can4",
                rationale="no longer needed",
                agreed_by=["police", "health"],
                notified=["west_mash"],
                recorded_on_child_file=True,
                notified_by_role="allocated_social_worker",
            ),
        ],
        "2019-07-01T12:00:00+01:00",
    )


def test_cancellation_needs_the_team_manager_and_both_recipients() -> None:
    result = cancellation_missing_health_and_west_mash()
    assert finding_rules(result) == {
        "cancellation_emailed_to_bsa_and_west_mash",
        "cancellation_agreed_by_csc_tm_police_health",
    }


@scenario
def cancellation_rationale_and_police_role() -> Evaluation:
    # Wed 12 June 2019; no deadline is involved.
    emailed: dict[str, Any] = {
        "notified": ["business_support_assistant", "west_mash"],
        "notified_by_role": "allocated_social_worker",
        "recorded_on_child_file": True,
    }
    return run(
        PACK,
        [
            # the rationale left out: a data gap, advisory (reader 6 M7)
            ev(
                "strategy_meeting_cancelled",
                "2019-06-12T10:00:00+01:00",
                id="x-rat1",
                child="w-rat1",
                agreed_by=["team_manager", "police", "health"],
                **emailed,
            ),
            # Police's agreement recorded under the MASH DS's role (reader 6 M8)
            ev(
                "strategy_meeting_cancelled",
                "2019-06-12T10:00:00+01:00",
                id="x-rat2",
                child="w-rat2",
                rationale="no longer needed",
                agreed_by=["team_manager", "mash_ds", "health"],
                **emailed,
            ),
            # children's social care's agreement without saying which officer: a gap in
            # the record, advisory, not the must (reader 6 M8; before, a must finding)
            ev(
                "strategy_meeting_cancelled",
                "2019-06-12T10:00:00+01:00",
                id="x-rat3",
                child="w-rat3",
                rationale="no longer needed",
                agreed_by=["csc", "police", "health"],
                **emailed,
            ),
        ],
        "2019-07-01T12:00:00+01:00",
    )


def test_an_unrecorded_rationale_is_a_notice_and_a_police_role_agrees_for_police() -> None:
    result = cancellation_rationale_and_police_role()
    assert {(f.rule, f.event, f.severity) for f in result.findings} == {
        ("cancellation_rationale_recorded", "x-rat1", "advisory"),
        ("cancellation_agreement_by_team_manager_recorded", "x-rat3", "advisory"),
    }


@scenario
def cancellation_emailed_by_agency() -> Evaluation:
    # Thu 28 Mar 2024 (GMT); no deadline is involved. notified by agency, as docs/events.md's
    # conventions once said for every list of agencies (reader 7 M1).
    done: dict[str, Any] = {
        "rationale": "child safe with relative",
        "agreed_by": ["team_manager", "police", "health"],
        "notified_by_role": "allocated_social_worker",
        "recorded_on_child_file": True,
    }
    return run(
        PACK,
        [
            # csc for the Business Support Assistant, police for the West MASH
            ev(
                "strategy_meeting_cancelled",
                "2024-03-28T14:00:00+00:00",
                id="x-ag1",
                child="w-ag1",
                notified=["csc", "police"],
                **done,
            ),
            # the Business Support Assistant by role, the West MASH by agency
            ev(
                "strategy_meeting_cancelled",
                "2024-03-28T14:00:00+00:00",
                id="x-ag2",
                child="w-ag2",
                notified=["business_support_assistant", "police"],
                **done,
            ),
            # both by role, with csc as well: nothing to report
            ev(
                "strategy_meeting_cancelled",
                "2024-03-28T14:00:00+00:00",
                id="x-ag3",
                child="w-ag3",
                notified=["csc", "business_support_assistant", "west_mash"],
                **done,
            ),
            # the police only: the Business Support Assistant is missing, a must
            ev(
                "strategy_meeting_cancelled",
                "2024-03-28T14:00:00+00:00",
                id="x-ag4",
                child="w-ag4",
                notified=["police"],
                **done,
            ),
        ],
        "2024-04-05T12:00:00+01:00",
    )


def test_a_cancellation_emailed_by_agency_passes_the_must_with_a_notice() -> None:
    # before reader 7 M1, x-ag1 and x-ag2 got the must finding
    result = cancellation_emailed_by_agency()
    assert {(f.rule, f.event, f.severity) for f in result.findings} == {
        ("cancellation_email_addressees_recorded", "x-ag1", "advisory"),
        ("cancellation_email_addressees_recorded", "x-ag2", "advisory"),
        ("cancellation_email_addressees_recorded", "x-ag4", "advisory"),
        ("cancellation_emailed_to_bsa_and_west_mash", "x-ag4", "must"),
    }


def test_a_forward_without_of_event_meets_the_duty_to_forward_to_the_bsa() -> None:
    # Mon 3 Jun 2024 (BST); before reader 7 L2 the must stayed open
    result = run(
        PACK,
        [
            request("2024-06-03T10:00:00+01:00", "req-l2", "w-l2"),
            to_bsa("2024-06-03T11:00:00+01:00", "f-l2", "w-l2", None),
        ],
        "2024-06-03T12:00:00+01:00",
    )
    forward = only(result, "request_forwarded_to_business_support_assistant")
    assert (forward.status, forward.met_by) == ("met", "f-l2")


@scenario
def cancellation_emailed_by_team_manager() -> Evaluation:
    return run(
        PACK,
        [
            ev(
                "strategy_meeting_cancelled",
                "2019-06-12T10:00:00+01:00",
                id="x-can5",
                child="w-can5",
                by_role="team_manager",
                notified_by_role="team_manager",
                rationale="no longer needed",
                agreed_by=["team_manager", "police", "health"],
                notified=["business_support_assistant", "west_mash"],
                recorded_on_child_file=True,
            ),
            # emailed to no one (notified empty, as flag_sent.cc; reader 8 M3): one must
            # finding, not also who sent it or the rationale (one omission, one finding)
            ev(
                "strategy_meeting_cancelled",
                "2019-06-12T11:00:00+01:00",
                id="x-can6",
                child="w-can6",
                rationale="no longer needed",
                agreed_by=["team_manager", "police", "health"],
                recorded_on_child_file=True,
            ),
        ],
        "2019-07-01T12:00:00+01:00",
    )


def test_the_social_worker_sends_the_cancellation_email() -> None:
    result = cancellation_emailed_by_team_manager()
    assert {(f.rule, f.event) for f in result.findings} == {
        ("cancellation_emailed_by_social_worker", "x-can5"),
        ("cancellation_emailed_to_bsa_and_west_mash", "x-can6"),
    }
    assert [
        f.severity for f in check_findings(result, "cancellation_emailed_to_bsa_and_west_mash")
    ] == ["must"]
    [f] = check_findings(result, "cancellation_emailed_by_social_worker")
    assert f.severity == "must"
    assert f.message == (
        "cancellation emailed by team_manager; the social worker must email "
        "the Business Support Assistant and the West MASH"
    )


@scenario
def cancellation_recording_only_the_decision() -> Evaluation:
    return run(
        PACK,
        [
            ev(
                "strategy_meeting_cancelled",
                "2019-06-12T10:00:00+01:00",
                id="x-bare",
                child="w-bare",
                recorded_on_child_file=True,
                # a system that records only the decision does not know who was emailed
                # (reader 8 M3: an empty notified would say no one was)
                unknown=["notified"],
            ),
        ],
        "2019-07-01T12:00:00+01:00",
    )


def test_a_cancellation_recording_only_the_decision_gets_notices_not_must_findings() -> None:
    # reader 5 MEDIUM-2: who was emailed, who agreed and the rationale are not recorded;
    # before, three must findings (not emailed, not agreed, no rationale)
    result = cancellation_recording_only_the_decision()
    assert sorted((f.rule, f.severity) for f in result.findings) == [
        ("cancellation_agreement_recorded", "advisory"),
        ("cancellation_email_recorded", "advisory"),
    ]


@scenario
def unrecorded_quality_assurance_and_sender() -> Evaluation:
    return run(
        PACK,
        [
            request("2019-06-04T10:00:00+01:00", "r-uq", "w-uq", quality_assured=None),
            ev(
                "strategy_meeting_cancelled",
                "2019-06-04T10:20:00+01:00",
                id="x-us",
                child="w-us",
                by_role="team_manager",
                rationale="no longer needed",
                agreed_by=["team_manager", "police", "health"],
                notified=["business_support_assistant", "west_mash"],
                recorded_on_child_file=True,
            ),
        ],
        "2019-06-04T10:30:00+01:00",
    )


def test_unrecorded_quality_assurance_and_email_sender_are_notices_not_must_breaches() -> None:
    result = unrecorded_quality_assurance_and_sender()
    assert {(f.rule, f.event, f.severity) for f in result.findings} == {
        ("request_quality_assurance_recorded", "r-uq", "advisory"),
        ("cancellation_email_sender_recorded", "x-us", "advisory"),
    }


@scenario
def unrecorded_file_record() -> Evaluation:
    return run(
        PACK,
        [
            ev(
                "strategy_meeting_cancelled",
                "2019-06-04T10:20:00+01:00",
                id="x-uf",
                child="w-uf",
                by_role="team_manager",
                notified_by_role="allocated_social_worker",
                rationale="no longer needed",
                agreed_by=["team_manager", "police", "health"],
                notified=["business_support_assistant", "west_mash"],
            ),
        ],
        "2019-06-04T10:30:00+01:00",
    )


def test_a_cancellation_that_does_not_say_it_is_on_file_is_a_notice_not_a_must_breach() -> None:
    # Reader item 7: before, recorded_on_child_file left out read as false, a must finding.
    result = unrecorded_file_record()
    assert {(f.rule, f.event, f.severity) for f in result.findings} == {
        ("cancellation_file_record_stated", "x-uf", "advisory"),
    }


@scenario
def attendance_not_recorded() -> Evaluation:
    # Reader 3 H3: a discussion and a meeting about a looked-after child whose records list
    # no agencies. Who took part is not recorded, which is not "nobody took part".
    return run(
        PACK,
        [
            ev(
                "concern_identified",
                "2019-06-03T10:00:00+01:00",
                id="c-na",
                child="w-na",
                category="neglect",
                looked_after=True,
            ),
            ev(
                "strategy_discussion_held",
                "2019-06-04T11:00:00+01:00",
                id="sd-na",
                child="w-na",
                mode="telephone",
            ),
            ev(
                "strategy_meeting_held",
                "2019-06-04T15:00:00+01:00",
                id="sm-na",
                child="w-na",
                chair_role="team_manager",
            ),
        ],
        "2019-06-05T12:00:00+01:00",
    )


def test_unrecorded_attendance_is_a_notice_not_a_missing_agency() -> None:
    result = attendance_not_recorded()
    # no "did not involve" finding at should: only the two advisory notices
    assert {(f.rule, f.event, f.severity) for f in result.findings} == {
        ("strategy_discussion_attendance_recorded", "sd-na", "advisory"),
        ("strategy_meeting_attendance_recorded", "sm-na", "advisory"),
    }


# --- coverage -----------------------------------------------------------------------------


def test_every_rule_fires_in_some_scenario() -> None:
    fired: set[str] = set()
    for run_scenario in SCENARIOS:
        fired |= fired_rules(run_scenario())
    for label, at, _in_hours in ROUTING_CASES:
        fired |= fired_rules(routing(label, at))
    assert fired == {r.rule.id for r in PACK.rules}
