"""A quote must be the source's own words. It is compared with the captured text
ignoring differences of whitespace (line breaks, non-breaking spaces) and of
typographic quotes and dashes (curly quotes, en and em dashes); the rest must match.
Quotes from a source whose file is missing are not checked (``source-file-missing``
reports the file).

Passes (`guide.txt` holds the source text):

```text guide.txt
Strategy meetings will take place
within three working days.
```

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

```text guide.txt
Strategy meetings will take place within three working days.
```

```yaml
rules:
  - id: strategy_meeting_within_three_working_days
    title: Strategy meeting within three working days
    citation:
      source: guide
      quote: "Strategy meetings take place within two working days."  # <- quote-not-in-source
    strength: must
    when: {event: strategy_meeting_requested}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due: {working_days: 2}
      satisfied_by: {event: strategy_meeting_held}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..._files import FileReadError
from .._check import LintCheck, LintedPack, Problem
from .._sources import quoted
from .._text import normalise_quote


def _run(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
    texts: dict[str, str | None] = {}
    for source in subject.pack.pack.sources:
        try:
            raw = subject.document.read_source(source.id)  # as safely as the pack itself
        except FileReadError:
            texts[source.id] = None
        else:
            texts[source.id] = normalise_quote(raw)
    for given in quoted(subject.pack):  # citations, and not_encoded entries
        text = texts.get(given.source)
        if text is None:
            continue  # an unknown source fails to load; a missing file is its own check
        quote = normalise_quote(given.quote)
        if quote in text:
            continue
        yield (
            (*given.loc, "quote"),
            f"quote does not occur in source {given.source!r}: " + _mismatch(quote, text),
        )


def _mismatch(quote: str, text: str) -> str:
    """Say how far the quote agrees with the source: the longest prefix that occurs."""
    low, high = 0, len(quote)  # a prefix that occurs stays occurring when shortened
    while low < high:
        middle = (low + high + 1) // 2
        if quote[:middle] in text:
            low = middle
        else:
            high = middle - 1
    if low < 12:
        return f"no part of it was found (quote begins {quote[:40]!r})"
    agreed = quote[:low]
    shown = agreed if len(agreed) <= 40 else "..." + agreed[-37:]
    return f"the source agrees up to {shown!r}, then differs at {quote[low : low + 30]!r}"


CHECK = LintCheck(
    "quote-not-in-source",
    "error",
    "A citation's quote does not occur in the cited source's text.",
    __doc__ or "",
    _run,
)
