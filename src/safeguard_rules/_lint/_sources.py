"""Source coverage: which sentences of a pack's captured sources impose something, and
which of those the pack accounts for (a citation quotes it, or ``not_encoded`` lists it).

How a captured source is split into sentences (docs/lint.md states the same):

1. Each line, with runs of whitespace made one space, is a block: a heading, a paragraph
   or a list item. A line that starts with a lower-case letter continues the block before
   it (a sentence wrapped mid-way when the page was captured). Empty lines are dropped.
2. List markers (bullets, hyphens, asterisks, dashes) and section numbers (``2.1``) at the start
   of a block are dropped.
3. A block is split after ``.``, ``;``, ``?``, ``!`` or a closing quotation mark when
   white space and then a capital letter, an opening quotation mark or ``(`` follow. A
   heading, with no closing full stop, is a sentence of its own.

A sentence **imposes** something when it contains one of the words must, should, will,
shall, expected, required or within (as whole words, in any case).

A quote **accounts for** a sentence when, both normalised (whitespace, typographic quotes
and dashes made plain), the quote lies within the sentence or the sentence within the
quote. Quotes are those of every citation (rules, routes, deadline-table cases,
parameters, escalation paths) and of every ``not_encoded`` entry, each compared only with
the sentences of the source it names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .._pack import Citation, NotEncoded, Pack
from ._check import Loc
from ._text import normalise_quote
from ._walk import citations

IMPOSING = re.compile(r"\b(must|should|will|shall|expected|required|within)\b", re.IGNORECASE)
_MARKER = re.compile("^(?:[\u2022\u00b7\u2013*-]\\s*)+")
_SECTION = re.compile(r"^\d+(?:\.\d+)+\s+")
_SPLIT = re.compile(r"(?<=[.;?!\u2019\u201d])\s+(?=[A-Z\u2018\u201c(\"'])")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a captured source, and where in the file it starts."""

    line: int
    column: int
    text: str  # whitespace made single spaces, list marker and section number dropped

    @property
    def imposing(self) -> bool:
        return IMPOSING.search(self.text) is not None


@dataclass
class _Block:
    """Lines read as one heading, paragraph or list item; where each line's text starts."""

    text: str
    starts: list[tuple[int, int, str]]  # (offset in text, line number, the raw line)

    def place(self, offset: int) -> tuple[int, int]:
        """The line and column (1-based, in the raw line) of ``offset`` in the text."""
        start, number, raw = next(s for s in reversed(self.starts) if s[0] <= offset)
        within = offset - start  # in the line with its whitespace made single spaces
        for match in re.finditer(r"\S+", raw):
            if within < len(match.group()) + 1:
                return number, match.start() + min(within, len(match.group()) - 1) + 1
            within -= len(match.group()) + 1
        return number, 1


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of a captured source text, in order (rules in the module docstring)."""
    blocks: list[_Block] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = " ".join(raw.split())
        if not line:
            continue
        if blocks and line[0].islower():
            block = blocks[-1]
            block.starts.append((len(block.text) + 1, number, raw))
            block.text += " " + line
        else:
            blocks.append(_Block(line, [(0, number, raw)]))
    sentences: list[Sentence] = []
    for block in blocks:
        head = _MARKER.match(block.text)
        start = head.end() if head else 0
        section = _SECTION.match(block.text, start)
        start = section.end() if section else start
        for part in _SPLIT.split(block.text[start:]):
            if part:
                number, column = block.place(start)
                sentences.append(Sentence(number, column, part))
            start += len(part)
            while start < len(block.text) and block.text[start] == " ":
                start += 1
    return sentences


def accounts_for(quote: str, sentence: str) -> bool:
    """Whether a quote accounts for a sentence: one lies within the other, normalised."""
    q, s = normalise_quote(quote), normalise_quote(sentence)
    return bool(q) and (q in s or s in q)


@dataclass(frozen=True)
class SourceQuote:
    """Something a pack quotes from a source: a citation, or a ``not_encoded`` entry."""

    loc: Loc  # where it stands in the pack
    source: str
    quote: str
    citation: Citation | None = None
    not_encoded: NotEncoded | None = None

    @property
    def rule_index(self) -> int | None:
        """The index of the rule the citation belongs to (rule, route or deadline case)."""
        if len(self.loc) > 1 and self.loc[0] == "rules" and isinstance(self.loc[1], int):
            return self.loc[1]
        return None


def quoted(pack: Pack) -> Iterator[SourceQuote]:
    """Every quote of ``pack``: its citations, then its ``not_encoded`` entries."""
    for loc, citation in citations(pack):
        yield SourceQuote(loc, citation.source, citation.quote, citation=citation)
    for k, entry in enumerate(pack.not_encoded):
        yield SourceQuote(("not_encoded", k), entry.source, entry.quote, not_encoded=entry)


@dataclass(frozen=True)
class CoveredSentence:
    """A sentence of a source and what in the pack accounts for it (nothing, if empty)."""

    source: str
    sentence: Sentence
    accounted_by: tuple[SourceQuote, ...]

    @property
    def accounted(self) -> bool:
        return bool(self.accounted_by)


@dataclass(frozen=True)
class SourceCoverage:
    """A pack's sources sentence by sentence; ``unreadable`` lists sources whose text
    could not be read (and so could not be counted)."""

    pack: str
    sentences: tuple[CoveredSentence, ...]
    unreadable: tuple[str, ...] = ()

    @property
    def imposing(self) -> tuple[CoveredSentence, ...]:
        return tuple(s for s in self.sentences if s.sentence.imposing)

    @property
    def unaccounted(self) -> tuple[CoveredSentence, ...]:
        return tuple(s for s in self.imposing if not s.accounted)

    def counts(self) -> tuple[int, int]:
        """(accounted imposing sentences, all imposing sentences)."""
        imposing = self.imposing
        return sum(s.accounted for s in imposing), len(imposing)

    @property
    def percent(self) -> float:
        accounted, total = self.counts()
        return 100.0 * accounted / total if total else 100.0


def source_coverage(
    pack: Pack,
    read_source: Callable[[str], str],
    errors: type[Exception] | tuple[type[Exception], ...],
) -> SourceCoverage:
    """Each sentence of each of ``pack``'s sources, with the quotes that account for it.

    ``read_source(source_id)`` returns a source's captured text or raises one of
    ``errors``; such a source is listed as unreadable and counted as nothing.
    """
    quotes = list(quoted(pack))
    covered: list[CoveredSentence] = []
    unreadable: list[str] = []
    for source in pack.pack.sources:
        try:
            text = read_source(source.id)
        except errors:
            unreadable.append(source.id)
            continue
        own = [q for q in quotes if q.source == source.id]
        for sentence in split_sentences(text):
            by = tuple(q for q in own if accounts_for(q.quote, sentence.text))
            covered.append(CoveredSentence(source.id, sentence, by))
    return SourceCoverage(pack.pack.id, tuple(covered), tuple(unreadable))


def sentences_of(coverage: SourceCoverage, source: str) -> Sequence[CoveredSentence]:
    return [s for s in coverage.sentences if s.source == source]
