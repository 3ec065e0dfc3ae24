"""Each step of an escalation path says who a role escalates to. Followed from any
role, the steps must end at a role that escalates no further; a loop means an
unresolved disagreement would go round for ever.

Passes:

```yaml
roles:
  team_manager: {title: Team Manager}
  head_of_service: {title: Head of Service}
escalation_paths:
  professional_difference:
    description: Unresolved professional differences go up the line.
    steps:
      team_manager: head_of_service
```

Fails:

```yaml
roles:
  team_manager: {title: Team Manager}
  head_of_service: {title: Head of Service}
escalation_paths:
  professional_difference:
    description: Unresolved professional differences go up the line.
    steps:
      team_manager: head_of_service  # <- escalation-loop
      head_of_service: team_manager
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .._check import LintCheck, LintedPack, Problem


def _run(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
    for name, path in subject.pack.escalation_paths.items():
        reported: set[frozenset[str]] = set()
        for start in path.steps:
            walked = [start]
            while (following := path.steps.get(walked[-1])) is not None:
                if following in walked:
                    cycle = walked[walked.index(following) :]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        first = next(role for role in path.steps if role in cycle)
                        turn = cycle.index(first)
                        ordered = [*cycle[turn:], *cycle[:turn], first]
                        yield (
                            ("escalation_paths", name, "steps", first),
                            f"escalation path {name!r} loops: {' -> '.join(ordered)}; "
                            "the last role of a path must escalate to no one",
                        )
                    break
                walked.append(following)


CHECK = LintCheck(
    "escalation-loop",
    "error",
    "Following an escalation path's steps comes back to a role already passed.",
    __doc__ or "",
    _run,
)
