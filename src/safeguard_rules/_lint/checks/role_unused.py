"""A role is used where a rule makes it responsible, copies it in or escalates to it,
where an escalation path names it, or where it is a value in any condition (``to``,
``cc``, ``chair_role``, ...). A role used nowhere is usually a misspelling or a left-over.

Passes:

```yaml
roles:
  team_manager: {title: Team Manager}
  social_worker: {title: Allocated Social Worker}
rules:
  - id: strategy_meeting_within_three_working_days
    title: Strategy meeting within three working days
    citation:
      source: guide
      quote: "Strategy meetings will take place within three working days."
    strength: must
    when: {event: strategy_meeting_requested}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      copied_in: [social_worker]
      due: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
```

Fails:

```yaml
roles:
  team_manager: {title: Team Manager}
  social_worker: {title: Allocated Social Worker}  # <- role-unused
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .._check import LintCheck, LintedPack, Problem
from .._walk import conditions, literals, requirements


def _run(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
    used: set[str] = set()
    for _loc, requirement in requirements(subject.pack):
        used.add(requirement.responsible)
        used.update(requirement.copied_in)
        if requirement.escalation is not None:
            used.add(requirement.escalation.responsible)
            used.update(requirement.escalation.copied_in)
    for path in subject.pack.escalation_paths.values():
        used.update(path.steps)
        used.update(path.steps.values())
    for condition in conditions(subject.pack):
        used.update(literals(condition))
    for role in subject.pack.roles:
        if role not in used:
            yield (
                ("roles", role),
                f"role {role!r} is defined but no rule uses it (as responsible, copied in, "
                "escalation, escalation path or in a condition); remove it or use it",
            )


CHECK = LintCheck(
    "role-unused",
    "warning",
    "A role is defined but no rule uses it.",
    __doc__ or "",
    _run,
)
