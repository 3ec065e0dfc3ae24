"""case.police_attention_count: each occasion of police attention is counted once (reader 6 M3).

A `cpn_created` records that "the child came to police attention and a CPN was created"
(docs/events.md), so a CPN whose incident no `police_attention` names is an occasion of its
own; an occasion recorded both ways counts once, whichever record comes first. Every id is
invented.
"""

from __future__ import annotations

from helpers import ev

from safeguard_rules._case import CaseState

AT = "2024-09-02T10:00:00+01:00"


def count(*records: tuple[str, str | None]) -> int:
    """police_attention_count after folding in (type, incident_ref) records, in this order."""
    case = CaseState()
    for kind, ref in records:
        fields = {"incident_ref": ref} if ref is not None else {"unknown": ["incident_ref"]}
        case.apply(ev(kind, AT, **fields))
    return case.police_attention_count


def test_a_cpn_with_no_police_attention_for_its_incident_is_an_occasion() -> None:
    assert count(("cpn_created", "INC-1"), ("cpn_created", "INC-2")) == 2


def test_an_occasion_recorded_both_ways_counts_once_in_either_order() -> None:
    assert count(("police_attention", "INC-1"), ("cpn_created", "INC-1")) == 1
    assert count(("cpn_created", "INC-1"), ("police_attention", "INC-1")) == 1
    # ... and a third record of the same incident, either way, adds nothing
    assert (
        count(("cpn_created", "INC-1"), ("police_attention", "INC-1"), ("cpn_created", "INC-1"))
        == 1
    )


def test_two_cpns_of_one_incident_are_one_occasion() -> None:
    assert count(("cpn_created", "INC-1"), ("cpn_created", "INC-1")) == 1


def test_every_police_attention_counts_as_before() -> None:
    # Two records of police attention are two occasions, as they were before reader 6 M3,
    # even naming the same incident (the vocabulary records one per occasion).
    assert count(("police_attention", "INC-1"), ("police_attention", "INC-1")) == 2
    assert count(("police_attention", None), ("police_attention", "INC-2")) == 2


def test_a_cpn_whose_incident_is_not_known_is_an_occasion_too() -> None:
    # One CPN per occasion (reader 9 M1; until then it counted none). Where it may be the
    # occasion of a police_attention the count is a range: test_occasion_range.py.
    assert count(("cpn_created", None)) == 1
    assert count(("cpn_created", None), ("cpn_created", None)) == 2


def test_the_cpn_count_is_unchanged() -> None:
    case = CaseState()
    for kind, ref in [
        ("police_attention", "INC-1"),
        ("cpn_created", "INC-1"),
        ("cpn_created", "INC-2"),
    ]:
        case.apply(ev(kind, AT, incident_ref=ref))
    assert (case.cpn_count, case.police_attention_count) == (2, 2)


# --- what a CPN found when it was created (reader 8 M3) --------------------------------------


def fold(*records: tuple[str, str | None]) -> CaseState:
    """The case after folding in (type, incident_ref) records; allocation records take None."""
    case = CaseState()
    for kind, ref in records:
        if kind == "social_worker_allocated":
            case.apply(ev(kind, AT, worker="sw-1"))
        elif kind == "social_worker_unallocated":
            case.apply(ev(kind, AT))
        else:
            case.apply(ev(kind, AT, incident_ref=ref))
    return case


def test_cpns_since_allocation_count_only_while_a_worker_is_allocated() -> None:
    # Two CPNs before the allocation, one after: one since the allocation.
    case = fold(
        ("cpn_created", "INC-1"),
        ("cpn_created", "INC-2"),
        ("social_worker_allocated", None),
        ("cpn_created", "INC-3"),
    )
    assert (case.cpn_count, case.cpn_count_since_allocation) == (3, 1)


def test_a_new_allocation_or_an_unallocation_starts_the_count_again() -> None:
    case = fold(("social_worker_allocated", None), ("cpn_created", "INC-1"))
    assert case.cpn_count_since_allocation == 1
    case.apply(ev("social_worker_allocated", AT, worker="sw-2"))
    assert case.cpn_count_since_allocation == 0
    case.apply(ev("cpn_created", AT, incident_ref="INC-2"))
    case.apply(ev("social_worker_unallocated", AT))
    assert case.cpn_count_since_allocation == 0
    # a CPN with no worker allocated is not counted
    case.apply(ev("cpn_created", AT, incident_ref="INC-3"))
    assert (case.cpn_count, case.cpn_count_since_allocation) == (3, 0)


def test_the_occasions_at_the_last_cpn_stay_as_they_were_when_it_was_created() -> None:
    # Occasions 1 and 2, a CPN on occasion 2, then occasions 3 and 4 with no CPN: the last
    # CPN found two occasions, though the child has had four.
    case = fold(
        ("police_attention", "INC-1"),
        ("police_attention", "INC-2"),
        ("cpn_created", "INC-2"),
        ("police_attention", "INC-3"),
        ("police_attention", "INC-4"),
    )
    assert (case.police_attention_count, case.police_attention_count_at_last_cpn) == (4, 2)
    # a CPN on a fifth occasion recorded only as a CPN counts that occasion too
    case.apply(ev("cpn_created", AT, incident_ref="INC-5"))
    assert (case.police_attention_count, case.police_attention_count_at_last_cpn) == (5, 5)


def test_no_cpn_yet_means_no_occasions_at_the_last_cpn() -> None:
    case = fold(("police_attention", "INC-1"), ("police_attention", "INC-2"))
    assert case.police_attention_count_at_last_cpn == 0


def test_allocated_at_last_cpn_outlives_a_change_of_worker() -> None:
    # Reader 10 M1: a CPN while sw-1 is allocated, then sw-2 allocated: the latest CPN was
    # still made while a worker was allocated, though none has been made under sw-2.
    case = fold(("cpn_created", "INC-1"))
    assert case.allocated_at_last_cpn is False  # no worker when it was created
    case.apply(ev("social_worker_allocated", AT, worker="sw-1"))
    assert case.allocated_at_last_cpn is False  # an allocation does not change it
    case.apply(ev("cpn_created", AT, incident_ref="INC-2"))
    assert case.allocated_at_last_cpn is True
    case.apply(ev("social_worker_allocated", AT, worker="sw-2"))
    assert (case.allocated_at_last_cpn, case.cpn_count_since_allocation) == (True, 0)
    case.apply(ev("social_worker_unallocated", AT))
    case.apply(ev("cpn_created", AT, incident_ref="INC-3"))
    assert case.allocated_at_last_cpn is False


def test_no_cpn_yet_means_not_allocated_at_the_last_cpn() -> None:
    assert fold(("social_worker_allocated", None)).allocated_at_last_cpn is False
