"""Count triggers: ``repeat: once``, ``every`` and ``run`` on a short history of CPNs.

One rule counts ``cpn_created`` events ("more than three") and, where the case has an
allocated social worker, requires a flag; each test says which CPNs fire it.
"""

from __future__ import annotations

from helpers import ev, minimal_pack, obligations, run

from safeguard_rules import BaseEvent, CompiledPack, parse_events
from safeguard_rules._loading import compile_text

AS_OF = "2024-12-31T12:00:00+00:00"


def pack(repeat: str, scoped: bool = False) -> CompiledPack:
    where = "\n      where: {field: case.allocated_social_worker, is: true}" if scoped else ""
    rules = f"""\
  - id: flag
    title: More than three CPNs are flagged
    citation: {{source: src, quote: "more than three occasions"}}
    strength: must
    when:
      event: cpn_created{where}
      count: {{more_than: 3, repeat: {repeat}}}
    require:
      action: flag
      responsible: someone
      satisfied_by: {{event: flag_sent}}
"""
    return compile_text(minimal_pack("counts", "Counts", rules), "counts.yaml")


def cpns(first: int, last: int) -> list[BaseEvent]:
    """CPNs ``cpn-first`` .. ``cpn-last``, one a day from 1 May 2024."""
    return [
        ev("cpn_created", f"2024-05-{n:02d}T10:00:00+01:00", id=f"cpn-{n}", incident_ref=f"INC-{n}")
        for n in range(first, last + 1)
    ]


def fired(compiled: CompiledPack, events: list[BaseEvent]) -> list[tuple[str, ...]]:
    return [o.triggered_by for o in obligations(run(compiled, events, AS_OF), "flag")]


def test_once_fires_on_the_fourth_and_never_again() -> None:
    assert fired(pack("once"), cpns(1, 9)) == [("cpn-1", "cpn-2", "cpn-3", "cpn-4")]


def test_every_fires_on_each_event_past_the_threshold() -> None:
    assert [t[-1] for t in fired(pack("every"), cpns(1, 6))] == ["cpn-4", "cpn-5", "cpn-6"]


def test_run_fires_on_the_fourth_and_eighth_each_naming_its_own_run() -> None:
    assert fired(pack("run"), cpns(1, 9)) == [
        ("cpn-1", "cpn-2", "cpn-3", "cpn-4"),
        ("cpn-5", "cpn-6", "cpn-7", "cpn-8"),
    ]


def test_a_run_completed_while_the_rule_does_not_apply_is_used_up() -> None:
    # CPNs 1-4 come before allocation: their run completes unflagged. CPNs 5-8 are a new
    # run, flagged on the eighth; under 'once' the fifth would have fired instead.
    allocated = ev(
        "social_worker_allocated", "2024-05-04T12:00:00+01:00", id="alloc", worker="sw-1"
    )
    history = [*cpns(1, 4), allocated, *cpns(5, 8)]
    assert fired(pack("run", scoped=True), history) == [("cpn-5", "cpn-6", "cpn-7", "cpn-8")]
    assert fired(pack("once", scoped=True), history) == [
        ("cpn-1", "cpn-2", "cpn-3", "cpn-4", "cpn-5")
    ]


def test_once_crossed_while_the_rule_does_not_apply_is_not_used_up() -> None:
    # The threshold is crossed at CPN 4 (4 May, 10:00), before the worker is allocated
    # (4 May, 12:00): the rule's 'where' fails, so nothing fires. Under 'once' the crossing
    # is not used up: CPN 5 (5 May), the first counted event while allocated, fires, naming
    # all five. Under 'run' the run of CPNs 1-4 is used up and CPNs 5-6 are not a new run.
    allocated = ev(
        "social_worker_allocated", "2024-05-04T12:00:00+01:00", id="alloc", worker="sw-1"
    )
    history = [*cpns(1, 4), allocated, *cpns(5, 6)]
    assert fired(pack("once", scoped=True), history) == [
        ("cpn-1", "cpn-2", "cpn-3", "cpn-4", "cpn-5")
    ]
    assert fired(pack("run", scoped=True), history) == []
    # With no counted event after allocation, 'once' never fires: allocation is not a
    # counted event, so a pack that owes the act at allocation needs a rule of its own.
    assert fired(pack("once", scoped=True), [*cpns(1, 4), allocated]) == []


def test_once_is_not_used_up_in_the_careful_walk_either() -> None:
    # The same shape with date-only events (evaluated by the careful walk): CPNs on 1-4 May,
    # the allocation on 5 May, so CPN 4 certainly crosses unallocated; CPN 5 on 6 May is
    # certainly allocated and fires, naming the five CPNs.
    def dated(n: int, type_: str, **fields: str) -> dict[str, str]:
        return {"type": type_, "child_id": "child-1", "on": f"2024-05-{n:02d}", **fields}

    records = [dated(n, "cpn_created", id=f"cpn-{n}", incident_ref=f"INC-{n}") for n in range(1, 5)]
    records.append(dated(5, "social_worker_allocated", id="alloc", worker="sw-1"))
    records.append(dated(6, "cpn_created", id="cpn-5", incident_ref="INC-5"))
    stream = parse_events(records)
    assert not stream.rejected
    assert fired(pack("once", scoped=True), list(stream.events)) == [
        ("cpn-1", "cpn-2", "cpn-3", "cpn-4", "cpn-5")
    ]


def counting_alike() -> CompiledPack:
    """Three rules counting the same CPNs ("more than three"): two fire on every one past
    the third (one only while a social worker is allocated), one fires once."""

    def rule(rule_id: str, repeat: str, scoped: bool) -> str:
        where = "\n      where: {field: case.allocated_social_worker, is: true}" if scoped else ""
        return f"""\
  - id: {rule_id}
    title: More than three CPNs
    citation: {{source: src, quote: "more than three occasions"}}
    strength: must
    when:
      event: cpn_created{where}
      count: {{more_than: 3, repeat: {repeat}}}
    require:
      action: {rule_id}
      responsible: someone
      satisfied_by: {{event: flag_sent}}
"""

    rules = rule("flag", "every", True) + rule("note", "every", False) + rule("once", "once", False)
    return compile_text(minimal_pack("alike", "Alike", rules), "alike.yaml")


def test_rules_counting_alike_each_fire_as_they_would_alone() -> None:
    # The walk counts the CPNs once for the two 'every' rules; each still fires on its own
    # terms. Allocated between cpn-4 and cpn-5: flag fires on cpn-5 only, note on cpn-4
    # and cpn-5, once on cpn-4; every firing names the five (or four) CPNs so far.
    allocated = ev("social_worker_allocated", "2024-05-04T12:00:00+01:00", id="sw", worker="w-1")
    result = run(counting_alike(), [*cpns(1, 5), allocated], AS_OF)
    four = ("cpn-1", "cpn-2", "cpn-3", "cpn-4")
    five = (*four, "cpn-5")
    assert [o.triggered_by for o in obligations(result, "flag")] == [five]
    assert [o.triggered_by for o in obligations(result, "note")] == [four, five]
    assert [o.triggered_by for o in obligations(result, "once")] == [four]
