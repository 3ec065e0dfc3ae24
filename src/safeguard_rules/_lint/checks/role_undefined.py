"""Every role a rule names (responsible, copied in, escalation, escalation path steps,
and values of role fields in conditions) must be defined under ``roles`` (or, in
conditions, ``agencies``). The message suggests the nearest defined name. Checked when
the pack loads: a pack that fails it does not load.

Passes:

```yaml
roles:
  team_manager: {title: Team Manager}
```

Fails:

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
      responsible: team_manger  # <- role-undefined
      due: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
```
"""

from __future__ import annotations

from .._check import LintCheck

CHECK = LintCheck(
    "role-undefined",
    "error",
    "A rule names a role the pack does not define.",
    __doc__ or "",
    None,
)
