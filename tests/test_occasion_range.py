"""case.police_attention_count when incident references are unknown (reader 9 M1).

A record whose `incident_ref` is listed under `unknown` may or may not be the occasion of
another record, so the count is known only to lie between the fewest and the most
occasions any filling-in of the references gives. While those differ the fact is unknown,
with its range; a condition that both ends answer alike (`at_least`, `at_most`) is still
decided, any other gives cannot_evaluate. Expected ranges are counted by hand from the
records. Every id is invented.
"""

from __future__ import annotations

from helpers import ev, minimal_pack, obligations, run

from safeguard_rules import BaseEvent
from safeguard_rules._case import CaseState
from safeguard_rules._loading import compile_text

AT = "2024-06-04T10:00:00+01:00"
AS_OF = "2024-06-28T12:00:00+01:00"
UNKNOWN_ATTENTION = frozenset({"police_attention.incident_ref"})


def record(kind: str, ref: str | None, n: int = 0) -> BaseEvent:
    fields = {"incident_ref": ref} if ref is not None else {"unknown": ["incident_ref"]}
    return ev(kind, f"2024-06-{4 + n:02d}T10:00:00+01:00", id=f"{kind}-{n}", **fields)


def fold(*records: tuple[str, str | None]) -> CaseState:
    case = CaseState()
    for n, (kind, ref) in enumerate(records):
        case.apply(record(kind, ref, n))
    return case


def test_cpns_with_unknown_references_are_each_an_occasion_and_the_count_is_known() -> None:
    # Four CPNs, no police_attention: nothing they could be the occasion of, and two CPNs
    # are one occasion only when they name the same incident -> exactly 4.
    case = fold(*[("cpn_created", None)] * 4)
    assert case.police_attention_count == 4
    assert "police_attention_count" not in case.unknown
    assert case.ranges == {}


def test_an_attention_with_an_unknown_reference_may_be_a_known_cpn_s_occasion() -> None:
    # pa? + CPN INC-1, pa? + CPN INC-2: fewest 2 (each pa is its CPN's occasion), most 4.
    case = fold(
        ("police_attention", None),
        ("cpn_created", "INC-1"),
        ("police_attention", None),
        ("cpn_created", "INC-2"),
    )
    assert case.police_attention_count == 4  # the most is the value kept
    assert case.ranges["police_attention_count"] == (2, 4, UNKNOWN_ATTENTION)
    assert case.unknown["police_attention_count"] == UNKNOWN_ATTENTION
    # the latest CPN found the same range
    assert case.ranges["police_attention_count_at_last_cpn"] == (2, 4, UNKNOWN_ATTENTION)
    assert case.unknown["police_attention_count_at_last_cpn"] == UNKNOWN_ATTENTION


def test_a_cpn_with_an_unknown_reference_may_be_a_known_attention_s_occasion() -> None:
    # pa INC-1 then CPN?: one occasion (the CPN is INC-1's) or two.
    case = fold(("police_attention", "INC-1"), ("cpn_created", None))
    assert case.ranges["police_attention_count"] == (
        1,
        2,
        frozenset({"cpn_created.incident_ref"}),
    )


def test_the_range_closes_when_the_references_can_no_longer_differ() -> None:
    # pa? + CPN INC-1: 1 or 2. Then pa INC-1 names the CPN's incident: the CPN is its
    # occasion, so pa? is one of its own -> exactly 2, known again.
    case = fold(("police_attention", None), ("cpn_created", "INC-1"))
    assert case.ranges["police_attention_count"][:2] == (1, 2)
    case.apply(record("police_attention", "INC-1", 5))
    assert case.police_attention_count == 2
    assert "police_attention_count" not in case.unknown
    assert "police_attention_count" not in case.ranges
    # ... while the latest CPN's own count keeps the range it found
    assert case.ranges["police_attention_count_at_last_cpn"][:2] == (1, 2)


def test_attentions_with_unknown_references_and_no_cpn_are_counted_exactly() -> None:
    case = fold(("police_attention", None), ("police_attention", None))
    assert case.police_attention_count == 2
    assert case.ranges == {} and "police_attention_count" not in case.unknown


def _pack(threshold: str) -> object:
    rules = f"""\
  - id: flag
    title: More than three occasions
    citation: {{source: src, quote: "more than three occasions"}}
    strength: must
    when:
      event: cpn_created
      where: {{field: case.police_attention_count, {threshold}}}
    require:
      action: flag
      responsible: someone
      satisfied_by: {{event: flag_sent}}
"""
    return compile_text(minimal_pack("ranges", "Ranges", rules), "ranges.yaml")


def _statuses(threshold: str, records: list[tuple[str, str | None]]) -> list[tuple[str, ...]]:
    events = [record(kind, ref, n) for n, (kind, ref) in enumerate(records)]
    result = run(_pack(threshold), events, AS_OF)  # type: ignore[arg-type]
    return [(o.triggered_by[-1], o.status, *o.missing) for o in obligations(result, "flag")]


def test_a_condition_both_ends_answer_alike_is_decided() -> None:
    # Four pa? then CPN INC-4: 4 or 5 occasions at the CPN. "at least 4" holds either way.
    records: list[tuple[str, str | None]] = [("police_attention", None)] * 4
    records.append(("cpn_created", "INC-4"))
    assert _statuses("at_least: 4", records) == [("cpn_created-4", "open")]
    # "at most 3" fails either way: no obligation
    assert _statuses("at_most: 3", records) == []


def test_a_condition_the_ends_answer_differently_cannot_be_evaluated() -> None:
    # "at least 5": true with 5, false with 4.
    records: list[tuple[str, str | None]] = [("police_attention", None)] * 4
    records.append(("cpn_created", "INC-4"))
    assert _statuses("at_least: 5", records) == [
        ("cpn_created-4", "cannot_evaluate", "police_attention.incident_ref")
    ]
    # an equality is not decided by the ends: unknown whatever the value tested
    assert _statuses("is: 4", records) == [
        ("cpn_created-4", "cannot_evaluate", "police_attention.incident_ref")
    ]
