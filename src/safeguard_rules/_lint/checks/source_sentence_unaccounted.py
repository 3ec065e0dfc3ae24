"""Every sentence of a captured source that imposes something (it says must, should,
will, shall, expected, required or within) is accounted for by the pack: a citation
quotes it (a rule, route, deadline-table case, parameter or escalation path), or a
``not_encoded`` entry lists it with the reason the pack leaves it out. A sentence no quote
accounts for is a part of the procedure the pack may have missed; the diagnostic points
at its line in the source file.

A quote accounts for a sentence when one lies within the other, both normalised
(whitespace, typographic quotes and dashes). The source is split into sentences line by
line: each line is a heading, paragraph or list item (a line starting in lower case
continues the one before); list markers and section numbers are dropped; a line is split
after ``.``, ``;``, ``?``, ``!`` or a closing quote followed by a capital, an opening
quote or ``(``. ``safeguard-rules test`` reports the same count as source coverage.

Passes (`guide.txt` holds the source text):

```text guide.txt
Strategy meetings will take place within three working days.
The minutes will be typed by the chair's own service.
```

```yaml
not_encoded:
  - source: guide
    quote: "The minutes will be typed by the chair's own service."
    reason: not_observable
    note: No event records who typed the minutes.
```

Fails:

```text guide.txt
Strategy meetings will take place within three working days.
The minutes will be typed by the chair's own service.  # <- source-sentence-unaccounted
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
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..._files import FileReadError
from .._check import LintCheck, LintedPack, Problem, SourcePlace
from .._sources import source_coverage


def _run(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
    coverage = source_coverage(subject.pack, subject.document.read_source, FileReadError)
    declared = {source.id: i for i, source in enumerate(subject.pack.pack.sources)}
    for covered in coverage.unaccounted:
        if not subject.own(("pack", "sources", declared[covered.source])):
            continue  # an overlay's inherited source: its base's own lint reports it
        sentence = covered.sentence
        text = sentence.text if len(sentence.text) <= 120 else sentence.text[:117] + "..."
        yield (
            SourcePlace(
                str(subject.document.source_path(covered.source)), sentence.line, sentence.column
            ),
            f"source {covered.source!r} imposes something no citation or not_encoded entry "
            f"of {coverage.pack} accounts for: {text!r}; quote it in the rule that encodes "
            "it, or list it under not_encoded with the reason it is left out",
        )


CHECK = LintCheck(
    "source-sentence-unaccounted",
    "warning",
    "A source sentence that imposes something is neither cited nor listed as not encoded.",
    __doc__ or "",
    _run,
)
