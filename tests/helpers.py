"""Small builders shared by the scenario tests.

Expected deadlines are written out by hand in each test (``end_of("2024-05-10",
"Europe/Jersey")``), never computed with the library's own calendar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from safeguard_rules import BaseEvent, CompiledPack, Evaluation, Obligation, evaluate, parse_events
from safeguard_rules._events import CONCERN_FLAGS
from safeguard_rules.cli import main

_counter = 0


def cli(*args: str) -> tuple[int, str, str]:
    """``safeguard-rules *args`` in process: its exit code, standard output and error."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def ev(
    type_: str, at: str, *, id: str | None = None, child: str = "child-1", **fields: Any
) -> BaseEvent:
    """One typed event; ``at`` is ISO 8601 with an offset. Ids default to a fresh one."""
    return _event(type_, id, child, {"at": at, **fields})


def ev_on(
    type_: str, on: str, *, id: str | None = None, child: str = "child-1", **fields: Any
) -> BaseEvent:
    """One typed event with only a date (``on``, ISO 8601), as :func:`ev` makes one with
    a time."""
    return _event(type_, id, child, {"on": on, **fields})


def _event(type_: str, id: str | None, child: str, fields: dict[str, Any]) -> BaseEvent:
    global _counter
    _counter += 1
    record = {"id": id or f"e{_counter:05d}", "type": type_, "child_id": child, **fields}
    stream = parse_events([record])
    assert not stream.rejected, stream.rejected
    return stream.events[0]


def run(pack: CompiledPack, events: Iterable[BaseEvent], as_of: str) -> Evaluation:
    result = evaluate(pack, list(events), datetime.fromisoformat(as_of))
    assert not result.account.rejected, result.account.rejected
    return result


def end_of(day: str, tz: str) -> datetime:
    """The last instant of a local day: how every day-based deadline is expressed."""
    return datetime.combine(date.fromisoformat(day), time(23, 59, 59, 999999), tzinfo=ZoneInfo(tz))


def only(result: Evaluation, rule: str) -> Obligation:
    """The single obligation ``rule`` produced; fails if there are none or several."""
    found = [o for o in result.obligations if o.rule == rule]
    assert len(found) == 1, f"{rule}: expected one obligation, got {[o.id for o in found]}"
    return found[0]


def obligations(result: Evaluation, rule: str) -> list[Obligation]:
    return [o for o in result.obligations if o.rule == rule]


def finding_rules(result: Evaluation) -> set[str]:
    return {f.rule for f in result.findings if f.kind == "check"}


def minimal_pack(pack_id: str, title: str, rules: str) -> str:
    """The text of a one-role test pack in Europe/London; ``rules`` is the YAML list body."""
    return (
        "pack:\n"
        f"  id: {pack_id}\n"
        f"  title: {title}\n"
        "  jurisdiction: england\n"
        '  version: "1"\n'
        "  effective_from: 2015-01-01\n"
        "  sources:\n"
        "    - {id: src, file: none.txt, title: A source}\n"
        "calendar:\n"
        "  timezone: Europe/London\n"
        "roles:\n"
        "  someone: {title: Someone}\n"
        "rules:\n" + rules
    )


def fired_rules(result: Evaluation) -> set[str]:
    """Rules that produced any obligation or check finding."""
    return {o.rule for o in result.obligations} | finding_rules(result)


# --- source coverage, until `safeguard-rules lint` counts it ---------------------------------

IMPOSING = re.compile(r"\b(must|should|will|shall|expected|required|within)\b", re.IGNORECASE)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def source_sentences(text: str) -> list[str]:
    """The sentences of a captured source: a line wrapped mid-sentence is joined again, list
    dashes and section numbers ("2.1") are dropped, and each line is split after . ; ? ! or a
    closing quote that is followed by a capital."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = _normalise(raw).lstrip("- ").strip()
        if not line:
            continue
        if lines and line[0].islower():
            lines[-1] += " " + line
        else:
            lines.append(line)
    out: list[str] = []
    for line in lines:
        line = re.sub(r"^\d+\.\d+\s+", "", line)
        out += re.split(r"(?<=[.;?!\u2019\u201d])\s+(?=[A-Z\u2018\u201c(])", line)
    return out


def pack_quotes(pack: CompiledPack) -> list[str]:
    """Every quote a pack gives: rule, route, deadline-case and parameter citations, and its
    not_encoded entries."""
    doc = pack.pack
    quotes: list[str] = []
    for rule in doc.rules:
        if rule.citation is not None:
            quotes.append(rule.citation.quote)
        quotes += [r.citation.quote for r in rule.routes or () if r.citation is not None]
        if rule.require is not None and rule.require.due is not None and rule.require.due.table:
            quotes += [c.citation.quote for c in rule.require.due.table.cases if c.citation]
    quotes += [p.citation.quote for p in doc.parameters.values() if p.citation is not None]
    quotes += [entry.quote for entry in doc.not_encoded]
    return [_normalise(q) for q in quotes]


def unaccounted_imposing_sentences(pack: CompiledPack, source_text: str) -> tuple[list[str], int]:
    """Imposing sentences of the source that no quote of ``pack`` accounts for, and how many
    imposing sentences there are. A quote accounts for a sentence it contains or lies in."""
    quotes = pack_quotes(pack)
    imposing = [s for s in source_sentences(source_text) if IMPOSING.search(s)]
    missing = [s for s in imposing if not any(q in s or s in q for q in quotes)]
    return missing, len(imposing)


def assert_source_accounted_for(
    pack: CompiledPack, source: str, imposing: int, headings: tuple[str, ...] = ()
) -> None:
    """Source coverage of ``pack``'s source ``source``: each of its ``imposing`` sentences
    (must/should/will/shall/expected/required/within) is quoted by a rule (or route, case,
    parameter) or listed under not_encoded with a reason; and so is every other sentence,
    headings aside (short, with no closing full stop, or one of ``headings``: long titles
    and page controls the captured page keeps, word for word)."""
    path = pack.source_file(source)
    assert path is not None, source
    text = path.read_text(encoding="utf-8")
    missing, total = unaccounted_imposing_sentences(pack, text)
    assert (missing, total) == ([], imposing), (missing, total)
    quotes = pack_quotes(pack)
    sentences = source_sentences(text)
    assert all(h in sentences for h in headings), headings  # a heading is in the source
    rest = [
        s
        for s in sentences
        if (s[-1] in ".;?!\u2019\u201d" or len(s.split()) > 10)
        and s not in headings
        and not any(q in s or s in q for q in quotes)
    ]
    assert rest == [], rest


def assert_not_encoded_quotes_the_source(pack: CompiledPack, source: str) -> None:
    """``pack`` lists what it does not encode, each entry quoting ``source`` word for word.
    The loader refuses an entry without a note (test_loading), so the reason is not re-checked."""
    path = pack.source_file(source)
    assert path is not None, source
    text = " ".join(path.read_text(encoding="utf-8").split())
    assert pack.pack.not_encoded
    for entry in pack.pack.not_encoded:
        assert " ".join(entry.quote.split()) in text, entry.quote


def recorded_false(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with every concern flag it neither gives nor lists as unknown set false."""
    unknown = fields.get("unknown") or ()
    filled = {name: False for name in CONCERN_FLAGS if name not in unknown}
    return {**filled, **fields}
