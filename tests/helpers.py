"""Small builders shared by the scenario tests.

Expected deadlines are written out by hand in each test (``end_of("2024-05-10",
"Europe/Jersey")``), never computed with the library's own calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from safeguard_rules import BaseEvent, CompiledPack, Evaluation, Obligation, evaluate, parse_events

_counter = 0


def ev(type_: str, at: str, *, id: str | None = None, child: str = "child-1", **fields: Any) -> BaseEvent:
    """One typed event; ``at`` is ISO 8601 with an offset. Ids default to a fresh one."""
    global _counter
    _counter += 1
    record = {"id": id or f"e{_counter:05d}", "type": type_, "child_id": child, "at": at, **fields}
    stream = parse_events([record])
    assert not stream.rejected, stream.rejected
    return stream.events[0]


def run(pack: CompiledPack, events: Iterable[BaseEvent], as_of: str) -> Evaluation:
    result = evaluate(pack, list(events), datetime.fromisoformat(as_of))
    assert not result.account.rejected, result.account.rejected
    return result


def end_of(day: str, tz: str) -> datetime:
    """The last instant of a local day: how every day-based deadline is expressed."""
    return datetime.combine(date.fromisoformat(day), time(23, 59, 59, 999999), tzinfo=ZoneInfo(tz))


def only(result: Evaluation, rule: str) -> Obligation:
    """The single obligation ``rule`` produced; fails if there are none or several."""
    found = [o for o in result.obligations if o.rule == rule]
    assert len(found) == 1, f"{rule}: expected one obligation, got {[o.id for o in found]}"
    return found[0]


def obligations(result: Evaluation, rule: str) -> list[Obligation]:
    return [o for o in result.obligations if o.rule == rule]


def finding_rules(result: Evaluation) -> set[str]:
    return {f.rule for f in result.findings if f.kind == "check"}


def minimal_pack(pack_id: str, title: str, rules: str) -> str:
    """The text of a one-role test pack in Europe/London; ``rules`` is the YAML list body."""
    return (
        "pack:\n"
        f"  id: {pack_id}\n"
        f"  title: {title}\n"
        "  jurisdiction: england\n"
        '  version: "1"\n'
        "  effective_from: 2015-01-01\n"
        "  sources:\n"
        "    - {id: src, file: none.txt, title: A source}\n"
        "calendar:\n"
        "  timezone: Europe/London\n"
        "roles:\n"
        "  someone: {title: Someone}\n"
        "rules:\n" + rules
    )


def fired_rules(result: Evaluation) -> set[str]:
    """Rules that produced any obligation or check finding."""
    return {o.rule for o in result.obligations} | finding_rules(result)
