"""Packs with the same ``jurisdiction`` are versions of one procedure, so their
effective ranges (``effective_from`` to ``effective_to``, inclusive; no
``effective_to`` means still in force) must not overlap. The pack is compared with
the other packs in the run, and with the packs ``--against`` names (``--against
bundled`` for the bundled example packs). A pack that extends another
(an overlay) is exempt with respect to that pack. Of two packs in the run, the one
that starts later (else the later file) reports it.

Passes (both files are linted together):

```yaml older.yaml
pack:
  id: example_2019
  title: An example pack, 2019 edition
  jurisdiction: northshire
  version: "2019"
  effective_from: 2019-01-01
  effective_to: 2023-12-31
  sources:
    - {id: guide, file: guide.txt, title: Northshire safeguarding guide}
```

```yaml
pack:
  id: example
  title: An example pack
  jurisdiction: northshire
  version: "1"
  effective_from: 2024-01-01
  sources:
    - {id: guide, file: guide.txt, title: Northshire safeguarding guide}
```

Fails:

```yaml older.yaml
pack:
  id: example_2019
  title: An example pack, 2019 edition
  jurisdiction: northshire
  version: "2019"
  effective_from: 2019-01-01
  sources:
    - {id: guide, file: guide.txt, title: Northshire safeguarding guide}
```

```yaml
pack:
  id: example
  title: An example pack
  jurisdiction: northshire
  version: "1"
  effective_from: 2024-01-01  # <- overlapping-effective-dates
  sources:
    - {id: guide, file: guide.txt, title: Northshire safeguarding guide}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from .._check import LintCheck, LintedPack, Loc, Problem


def _run(subject: LintedPack, others: Sequence[LintedPack]) -> Iterator[Problem]:
    meta = subject.pack.pack
    for other in others:
        them = other.pack.pack
        if them.jurisdiction != meta.jurisdiction:
            continue
        if subject.compiled.extends == them.id or other.compiled.extends == meta.id:
            continue
        if not _overlap(
            meta.effective_from, meta.effective_to, them.effective_from, them.effective_to
        ):
            continue
        if other.in_run and (meta.effective_from, subject.file) < (them.effective_from, other.file):
            continue  # the later of two packs in the run reports the pair
        day_before = date.fromordinal(meta.effective_from.toordinal() - 1)
        until = them.effective_to.isoformat() if them.effective_to else "open-ended"
        # An overlay may inherit its dates; then its own id is the place to point at.
        dates: Loc = ("pack", "effective_from")
        yield (
            dates if subject.own(dates) else ("pack", "id"),
            f"in force from {meta.effective_from} while {them.id!r} ({other.file}), also "
            f"jurisdiction {meta.jurisdiction!r}, is in force from {them.effective_from} to "
            f"{until}; end {them.id!r} by {day_before} (effective_to) or start this "
            "pack later",
        )


def _overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return a_from <= (b_to or date.max) and b_from <= (a_to or date.max)


CHECK = LintCheck(
    "overlapping-effective-dates",
    "error",
    "Two versions of one jurisdiction's procedure are in force on the same days.",
    __doc__ or "",
    _run,
    cross_pack=True,
)
