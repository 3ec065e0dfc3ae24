"""Each source names the file holding its captured text, relative to the pack file.
Without it no quote from that source can be checked.

Passes:

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

```yaml
pack:
  id: example
  title: An example pack
  jurisdiction: northshire
  version: "1"
  effective_from: 2024-01-01
  sources:
    - id: guide
      file: sources/guide.txt  # <- source-file-missing
      title: Northshire safeguarding guide
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..._files import FileReadError
from .._check import LintCheck, LintedPack, Problem


def _run(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
    for i, source in enumerate(subject.pack.pack.sources):
        path = subject.source_path(source.id, source.file)
        if not path.exists():  # a FIFO or device exists: read_source names what it is
            yield (
                ("pack", "sources", i, "file"),
                f"source {source.id!r}: no file {source.file!r} beside the pack "
                f"(looked for {path})",
            )
            continue
        try:
            subject.document.read_source(source.id)  # as safely as the pack itself
        except FileReadError as exc:
            yield (("pack", "sources", i, "file"), f"source {source.id!r}: {exc.message}")


CHECK = LintCheck(
    "source-file-missing",
    "error",
    "A source's captured text is not where the pack says it is.",
    __doc__ or "",
    _run,
)
