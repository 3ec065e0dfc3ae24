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


def test_a_cpn_whose_incident_is_not_known_counts_no_occasion() -> None:
    # It cannot be matched to a police_attention, so counting it could count an occasion twice.
    assert count(("cpn_created", None)) == 0
    assert count(("police_attention", "INC-1"), ("cpn_created", None)) == 1


def test_the_cpn_count_is_unchanged() -> None:
    case = CaseState()
    for kind, ref in [
        ("police_attention", "INC-1"),
        ("cpn_created", "INC-1"),
        ("cpn_created", "INC-2"),
    ]:
        case.apply(ev(kind, AT, incident_ref=ref))
    assert (case.cpn_count, case.police_attention_count) == (2, 2)
