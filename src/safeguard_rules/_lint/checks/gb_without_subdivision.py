"""The GB-wide holiday list lacks the holidays only some of its subdivisions observe
(Easter Monday, for example), so working days would be miscounted. Name the
subdivision: ``ENG``, ``NIR``, ``SCT`` or ``WLS``. Checked when the pack loads: a pack
that fails it does not load.

Passes:

```yaml
calendar:
  timezone: Europe/London
  public_holidays: {country: GB, subdivision: ENG}
```

Fails:

```yaml
calendar:
  timezone: Europe/London
  public_holidays: {country: GB}  # <- gb-without-subdivision
```
"""

from __future__ import annotations

from .._check import LintCheck

CHECK = LintCheck(
    "gb-without-subdivision",
    "error",
    "GB public holidays without a subdivision miss regional holidays.",
    __doc__ or "",
    None,
)
