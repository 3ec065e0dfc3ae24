"""Deadline-table cases and routes are tried in order and the first match decides, so
a case after one with no ``when`` is never reached, and neither is a case whose
``when`` repeats an earlier case's exactly. The sentence it cites would silently never
apply. Put the unconditional case last, or give it its condition.

Passes:

```yaml
rules:
  - id: strategy_meeting_within_timescale
    title: Strategy meeting within the timescale
    citation:
      source: guide
      quote: "Strategy meetings will take place within three working days."
    strength: must
    when: {event: concern_identified}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due:
        table:
          hit_policy: first
          cases:
            - label: serious harm
              when: {field: serious_harm, is: true}
              within: {same_day: true}
            - label: otherwise
              within: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
```

Fails:

```yaml
rules:
  - id: strategy_meeting_within_timescale
    title: Strategy meeting within the timescale
    citation:
      source: guide
      quote: "Strategy meetings will take place within three working days."
    strength: must
    when: {event: concern_identified}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due:
        table:
          hit_policy: first
          cases:
            - label: serious harm
              when: {field: serious_harm, is: true}
              within: {same_day: true}
            - label: serious harm, immediate action
              when: {field: serious_harm, is: true}  # <- unreachable-case
              within: {hours: 2}
            - label: otherwise
              within: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..._pack import Condition
from ..._positions import Positions
from .._check import LintCheck, LintedPack, Loc, Problem
from .._walk import same_condition, tables


def _run(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
    lines = subject.positions
    for loc, table in tables(subject.pack):
        cases = [(case.label, case.when) for case in table.cases]
        yield from _unreachable((*loc, "cases"), cases, "case", lines)
    for i, rule in enumerate(subject.pack.rules):
        if rule.routes is not None:
            routes = [(route.name, route.when) for route in rule.routes]
            yield from _unreachable(("rules", i, "routes"), routes, "route", lines)


def _unreachable(
    loc: Loc, alternatives: Sequence[tuple[str, Condition | None]], kind: str, lines: Positions
) -> Iterator[Problem]:
    for k, (label, when) in enumerate(alternatives):
        spot: Loc = (*loc, k, "when") if when is not None else (*loc, k)
        for e, (earlier, earlier_when) in enumerate(alternatives[:k]):
            line = lines.locate((*loc, e))[0]
            if earlier_when is None:
                yield (
                    spot,
                    f"{kind} {label!r} is never reached: {kind} {earlier!r} (line {line}) "
                    "before it has no 'when', so it matches first every time",
                )
                break
            if when is not None and same_condition(when, earlier_when):
                yield (
                    spot,
                    f"{kind} {label!r} is never reached: its 'when' repeats that of {kind} "
                    f"{earlier!r} (line {line}), which is tried first",
                )
                break


CHECK = LintCheck(
    "unreachable-case",
    "error",
    "A deadline-table case or route can never be the first match.",
    __doc__ or "",
    _run,
)
