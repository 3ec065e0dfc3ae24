"""Two packs that quote the same sentence of a source should read it the same way: the
same trigger (event and count), the same condition (the trigger's ``where``, a check's
``expect``, the routes' conditions) and the same timescale. Quotes are the same when they
are equal once whitespace, typographic quotes and dashes, punctuation and case are set
aside. A rule of one pack is reported when another pack in the run (or named with
``--against``) quotes the same sentence in its rules but none of them reads it the same
way; the message names those rules and what differs from the closest (the one with the
same trigger, if any). A sentence encoded by several rules (one per agency, say) passes
when each rule has its like in the other pack. A timescale is compared by its value, a
parameter's by the value the pack gives it. An overlay is not compared with the packs it
extends (changing them is what it is for).

A difference can be deliberate: the text around the sentence may differ, or one pack may
correct the other's reading. Say so in the ``note`` of either rule's citation, naming the
other pack and rule by their ids (``... unlike example_2019's meeting_rule, this reads it
from the request, because ...``); the pair is then not reported.

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
rules:
  - id: strategy_meeting_within_three_working_days
    title: Strategy meeting within three working days
    citation:
      source: guide
      quote: "Strategy meetings will take place within three working days."
    strength: must
    when: {event: strategy_discussion_held}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
```

```yaml
rules:
  - id: strategy_meeting_within_three_working_days
    title: Strategy meeting within three working days
    citation:
      source: guide
      quote: "Strategy meetings will take place within three working days."
      note: >-
        Runs from the request, not from the discussion as example_2019's
        strategy_meeting_within_three_working_days does: this edition adds that a
        meeting is requested once the discussion has decided it is needed.
    strength: must
    when: {event: strategy_meeting_requested}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
```

Fails (each rule is reported, at its id):

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
rules:
  - id: strategy_meeting_within_three_working_days  # <- same-sentence-different-meaning
    title: Strategy meeting within three working days
    citation:
      source: guide
      quote: "Strategy meetings will take place within three working days."
    strength: must
    when: {event: strategy_discussion_held}
    require:
      action: hold_strategy_meeting
      responsible: team_manager
      due: {working_days: 3}
      satisfied_by: {event: strategy_meeting_held}
```

```yaml
rules:
  - id: strategy_meeting_within_three_working_days  # <- same-sentence-different-meaning
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
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..._pack import Due, Rule
from ..._wording import PackWords
from .._check import LintCheck, LintedPack, Problem
from .._text import normalise_quote


def _run(subject: LintedPack, others: Sequence[LintedPack]) -> Iterator[Problem]:
    mine = subject.pack.pack.id
    words = PackWords.of(subject.compiled)
    for i, rule in enumerate(subject.pack.rules):
        if rule.citation is None:
            continue
        key = same_sentence_key(rule.citation.quote)
        reading = _reading(subject, rule)
        for other in others:
            theirs = other.pack.pack.id
            if theirs == mine or _related(subject, other):
                continue
            counterparts = [
                r
                for r in other.pack.rules
                if r.citation is not None and same_sentence_key(r.citation.quote) == key
            ]
            if not counterparts or any(_reading(other, r) == reading for r in counterparts):
                continue  # the sentence is not theirs, or one of their rules reads it alike
            if any(_explained(rule, theirs, r) or _explained(r, mine, rule) for r in counterparts):
                continue
            # Compare with the closest counterpart: one with the same trigger, if any.
            closest = next(
                (r for r in counterparts if _reading(other, r)[0] == reading[0]), counterparts[0]
            )
            differs = _differences(subject, rule, words, other, closest)
            named = ", ".join(repr(r.id) for r in counterparts)
            yield (
                ("rules", i, "id"),
                f"rule {rule.id!r} quotes the same sentence as {theirs} "
                f"({Path(other.file).name}, rule{'s' if len(counterparts) > 1 else ''} {named}) "
                f"but none of its rules reads it the same way; against {closest.id!r}: "
                + "; ".join(differs)
                + f". Encode it the same way, or say why in a citation note naming {theirs} "
                f"and {closest.id}",
            )


def _reading(pack: LintedPack, rule: Rule) -> tuple[Any, Any, Any]:
    """What the check compares: (trigger, condition, timescales by value)."""
    return (
        (rule.when.event, _dump(rule.when.count)),
        _conditions(rule),
        [_dump(due) for due in _dues(pack, rule)],
    )


def same_sentence_key(quote: str) -> str:
    """A quote as this check compares it: normalised, without punctuation or case."""
    text = normalise_quote(quote).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _related(a: LintedPack, b: LintedPack) -> bool:
    """Whether one pack is an overlay of the other (its base, or its base's base...)."""
    return a.pack.pack.id in b.document.lineage or b.pack.pack.id in a.document.lineage


def _explained(rule: Rule, other_pack: str, other_rule: Rule) -> bool:
    note = rule.citation.note if rule.citation is not None else None
    return note is not None and all(
        re.search(rf"(?<!\w){re.escape(name)}(?!\w)", note) for name in (other_pack, other_rule.id)
    )


def _differences(
    subject: LintedPack, rule: Rule, words: PackWords, other: LintedPack, counterpart: Rule
) -> list[str]:
    theirs = PackWords.of(other.compiled)
    mine, their = _reading(subject, rule), _reading(other, counterpart)
    found = []
    if mine[0] != their[0]:
        found.append(f"trigger {_trigger(words, rule)} here, {_trigger(theirs, counterpart)} there")
    if mine[1] != their[1]:
        found.append(
            f"condition {_condition_words(words, rule)} here, "
            f"{_condition_words(theirs, counterpart)} there"
        )
    if mine[2] != their[2]:
        here = _due_words(words, _dues(subject, rule, resolve=False))
        there = _due_words(theirs, _dues(other, counterpart, resolve=False))
        found.append(f"timescale {here} here, {there} there")
    return found


def _dump(value: Any) -> Any:
    if value is None:
        return None
    return value.model_dump(mode="json", by_alias=True, exclude_none=True)


def _trigger(words: PackWords, rule: Rule) -> str:
    when = rule.when.model_copy(update={"where": None})
    return words.trigger(when)


def _conditions(rule: Rule) -> list[Any]:
    routes = [_dump(route.when) for route in rule.routes or ()]
    return [_dump(rule.when.where), _dump(rule.expect), routes]


def _condition_words(words: PackWords, rule: Rule) -> str:
    parts = []
    if rule.when.where is not None:
        parts.append(f"where {words.condition(rule.when.where)}")
    if rule.expect is not None:
        parts.append(f"expects {words.condition(rule.expect)}")
    parts += [words.route(route) for route in rule.routes or ()]
    return "; ".join(parts) or "none"


def _dues(pack: LintedPack, rule: Rule, *, resolve: bool = True) -> list[Due | None]:
    """The rule's deadlines route by route; by value (a parameter's as the pack sets it)
    unless ``resolve`` is false."""
    requirements = [rule.require] if rule.require is not None else []
    requirements += [route.require for route in rule.routes or () if route.require is not None]
    resolved: list[Due | None] = []
    for requirement in requirements:
        due = requirement.due
        if resolve and due is not None and due.parameter is not None:
            due = pack.compiled.parameters.get(due.parameter)
        resolved.append(due)
    return resolved


def _due_words(words: PackWords, dues: Sequence[Due | None]) -> str:
    return ", ".join(words.due(d) for d in dues) or "none"


CHECK = LintCheck(
    "same-sentence-different-meaning",
    "error",
    "Rules of two packs quote the same sentence but read it differently.",
    __doc__ or "",
    _run,
    cross_pack=True,
)
