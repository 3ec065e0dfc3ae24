"""Every rule says which sentence of which source it encodes, so a reader can check
the rule against the procedure. A rule may load without a citation while it is a
draft; lint does not pass it.

Passes:

```yaml
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
      due: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
```

Fails:

```yaml
rules:
  - id: strategy_meeting_within_three_working_days  # <- missing-citation
    title: Strategy meeting within three working days
    strength: must
    when: {event: strategy_meeting_requested}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .._check import LintCheck, LintedPack, Problem


def _run(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
    sources = ", ".join(s.id for s in subject.pack.pack.sources)
    for i, rule in enumerate(subject.pack.rules):
        if rule.citation is None:
            yield (
                ("rules", i, "id"),
                f"rule {rule.id!r} has no citation; add 'citation: {{source: ..., quote: ...}}' "
                f"quoting the sentence it encodes (sources: {sources})",
            )


CHECK = LintCheck(
    "missing-citation",
    "error",
    "A rule does not quote the source sentence it encodes.",
    __doc__ or "",
    _run,
)
