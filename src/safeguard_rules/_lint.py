"""Validating and linting packs: does each pack load, and is what it says sound?

``validate_packs`` reports what stops a pack loading (YAML syntax, the pack format, unknown
names). ``lint_packs`` reports the same and then runs every check in :data:`CHECKS` over
each pack's model, pointing each finding at a line and column of the pack file.

A check is a small function with an id, a default level and a one-line summary,
registered with ``@_check``. Its docstring says what it looks for and holds a passing
and a failing example; ``docs/lint.md`` is generated from these docstrings
(``python tests/lint_docgen.py``) and the tests run every example. Two checks,
``role-undefined`` and ``gb-without-subdivision``, are enforced by the compiler (a pack
that breaks them does not load): they are listed here for their documentation and
cannot be disabled.

The reporters at the end render a :class:`LintReport` as text (``file:line:col: level
code: message``, the source line and a caret), JSON, or GitHub Actions annotations.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ._compile import CompiledPack, compile_pack
from ._document import PackDocument
from ._errors import (
    Diagnostic,
    Level,
    PackError,
    PackNotFoundError,
    UnknownCheckError,
    did_you_mean,
    known_list,
)
from ._loading import load_document
from ._pack import Citation, Condition, DueTable, Pack, Ref, Requirement
from ._registry import bundled_dir, resolve_pack
from ._yaml import Positions

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]  # where in the pack, and what is wrong there


@dataclass(frozen=True)
class LintedPack:
    """One pack as the checks see it: its model, where each value stands, and the file."""

    file: str
    pack: Pack
    positions: Positions
    compiled: CompiledPack
    document: PackDocument
    in_run: bool = True  # False for a bundled pack that is only compared with

    def source_path(self, source_id: str, file: str) -> Path:
        """Where a source's text should be: beside the file that declares the source (for
        an overlay, its base's sources sit beside the base)."""
        return self.document.source_dir(source_id) / file

    def own(self, loc: Loc) -> bool:
        """Whether the value at ``loc`` is written in this file, not inherited by an overlay."""
        return self.positions.place(loc)[0] == self.positions.file


CheckFunction = Callable[[LintedPack, Sequence[LintedPack]], Iterable[Problem]]


@dataclass(frozen=True)
class LintCheck:
    """A documented lint check: ``run(pack, other_packs)`` yields located problems."""

    id: str
    level: Level
    summary: str
    doc: str
    run: CheckFunction | None  # None: enforced when the pack loads; cannot be disabled

    @property
    def at_load(self) -> bool:
        return self.run is None


CHECKS: dict[str, LintCheck] = {}


def _check(
    check_id: str, level: Level, summary: str, *, at_load: bool = False
) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        doc = inspect.cleandoc(function.__doc__ or "")
        CHECKS[check_id] = LintCheck(check_id, level, summary, doc, None if at_load else function)
        return function

    return register


# --- walking a pack -----------------------------------------------------------------------


def _requirements(pack: Pack) -> Iterator[tuple[Loc, Requirement]]:
    for i, rule in enumerate(pack.rules):
        if rule.require is not None:
            yield ("rules", i, "require"), rule.require
        for j, route in enumerate(rule.routes or ()):
            if route.require is not None:
                yield ("rules", i, "routes", j, "require"), route.require


def _tables(pack: Pack) -> Iterator[tuple[Loc, DueTable]]:
    for name, parameter in pack.parameters.items():
        if parameter.default.table is not None:
            yield ("parameters", name, "default", "table"), parameter.default.table
    for loc, requirement in _requirements(pack):
        if requirement.due is not None and requirement.due.table is not None:
            yield (*loc, "due", "table"), requirement.due.table


def _citations(pack: Pack) -> Iterator[tuple[Loc, Citation]]:
    for name, parameter in pack.parameters.items():
        if parameter.citation is not None:
            yield ("parameters", name, "citation"), parameter.citation
    for name, path in pack.escalation_paths.items():
        if path.citation is not None:
            yield ("escalation_paths", name, "citation"), path.citation
    for i, rule in enumerate(pack.rules):
        if rule.citation is not None:
            yield ("rules", i, "citation"), rule.citation
        for j, route in enumerate(rule.routes or ()):
            if route.citation is not None:
                yield ("rules", i, "routes", j, "citation"), route.citation
    for loc, table in _tables(pack):
        for k, case in enumerate(table.cases):
            if case.citation is not None:
                yield (*loc, "cases", k, "citation"), case.citation


def _conditions(pack: Pack) -> Iterator[Condition]:
    """Every condition the pack holds, at any depth of its rules and parameters."""
    for rule in pack.rules:
        count = rule.when.count
        found = [rule.when.where, count.where if count else None, rule.expect]
        found += [route.when for route in rule.routes or ()]
        yield from (condition for condition in found if condition is not None)
    for _loc, requirement in _requirements(pack):
        for matches in (requirement.satisfied_by, requirement.cancelled_by):
            listed = matches if isinstance(matches, list) else [matches] if matches else []
            yield from (m.where for m in listed if m.where is not None)
    for _loc, table in _tables(pack):
        yield from (case.when for case in table.cases if case.when is not None)


def _literals(condition: Condition) -> Iterator[str]:
    for part in (*(condition.all_ or ()), *(condition.any_ or ()), condition.not_):
        if part is not None:
            yield from _literals(part)
    operand = condition.operand if condition.field is not None else None
    if not isinstance(operand, Ref):
        values = operand if isinstance(operand, list) else [operand]
        yield from (value for value in values if isinstance(value, str))


def _same(a: Condition, b: Condition) -> bool:
    return a.model_dump(by_alias=True, exclude_none=True) == b.model_dump(
        by_alias=True, exclude_none=True
    )


def normalise_quote(text: str) -> str:
    """Text as quotes are compared with sources: typographic quotes and dashes made plain,
    runs of whitespace (non-breaking spaces too) made one space."""
    return " ".join(text.translate(_PLAIN).split())


_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)


# --- the checks ---------------------------------------------------------------------------


@_check("missing-citation", "error", "A rule does not quote the source sentence it encodes.")
def missing_citation(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
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
    sources = ", ".join(s.id for s in subject.pack.pack.sources)
    for i, rule in enumerate(subject.pack.rules):
        if rule.citation is None:
            yield (
                ("rules", i, "id"),
                f"rule {rule.id!r} has no citation; add 'citation: {{source: ..., quote: ...}}' "
                f"quoting the sentence it encodes (sources: {sources})",
            )


@_check(
    "source-file-missing",
    "error",
    "A source's captured text is not where the pack says it is.",
)
def source_file_missing(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
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
    for i, source in enumerate(subject.pack.pack.sources):
        path = subject.source_path(source.id, source.file)
        if not path.is_file():
            yield (
                ("pack", "sources", i, "file"),
                f"source {source.id!r}: no file {source.file!r} beside the pack "
                f"(looked for {path})",
            )


@_check(
    "quote-not-in-source",
    "error",
    "A citation's quote does not occur in the cited source's text.",
)
def quote_not_in_source(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
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
    texts: dict[str, str | None] = {}
    for source in subject.pack.pack.sources:
        try:
            raw = subject.source_path(source.id, source.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            texts[source.id] = None
        else:
            texts[source.id] = normalise_quote(raw)
    for loc, citation in _citations(subject.pack):
        text = texts.get(citation.source)
        if text is None:
            continue  # an unknown source fails to load; a missing file is its own check
        quote = normalise_quote(citation.quote)
        if quote in text:
            continue
        yield (
            (*loc, "quote"),
            f"quote does not occur in source {citation.source!r}: " + _mismatch(quote, text),
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


@_check("role-unused", "warning", "A role is defined but no rule uses it.")
def role_unused(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
    """A role is used where a rule makes it responsible, copies it in or escalates to it,
    where an escalation path names it, or where it is a value in any condition (``to``,
    ``cc``, ``chair_role``, ...). A role used nowhere is usually a misspelling or a left-over.

    Passes:

    ```yaml
    roles:
      team_manager: {title: Team Manager}
      social_worker: {title: Allocated Social Worker}
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
          copied_in: [social_worker]
          due: {working_days: 3}
          satisfied_by: {event: strategy_meeting_held}
    ```

    Fails:

    ```yaml
    roles:
      team_manager: {title: Team Manager}
      social_worker: {title: Allocated Social Worker}  # <- role-unused
    ```
    """
    used: set[str] = set()
    for _loc, requirement in _requirements(subject.pack):
        used.add(requirement.responsible)
        used.update(requirement.copied_in)
        if requirement.escalation is not None:
            used.add(requirement.escalation.responsible)
            used.update(requirement.escalation.copied_in)
    for path in subject.pack.escalation_paths.values():
        used.update(path.steps)
        used.update(path.steps.values())
    for condition in _conditions(subject.pack):
        used.update(_literals(condition))
    for role in subject.pack.roles:
        if role not in used:
            yield (
                ("roles", role),
                f"role {role!r} is defined but no rule uses it (as responsible, copied in, "
                "escalation, escalation path or in a condition); remove it or use it",
            )


@_check(
    "role-undefined",
    "error",
    "A rule names a role the pack does not define.",
    at_load=True,
)
def role_undefined(_subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
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
    return iter(())  # never run: the compiler reports it, and the pack does not load


@_check(
    "unreachable-case",
    "error",
    "A deadline-table case or route can never be the first match.",
)
def unreachable_case(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
    """Deadline-table cases and routes are tried in order and the first match decides, so
    a case after one with no ``when`` is never reached, and neither is a case whose
    ``when`` repeats an earlier case's exactly. The sentence it cites would silently never
    apply. Put the unconditional case last, or give it its condition.

    Passes:

    ```yaml
    rules:
      - id: strategy_meeting_within_timescale
        title: Strategy meeting within the timescale
        citation:
          source: guide
          quote: "Strategy meetings will take place within three working days."
        strength: must
        when: {event: concern_identified}
        require:
          action: hold_strategy_meeting
          responsible: team_manager
          due:
            table:
              hit_policy: first
              cases:
                - label: serious harm
                  when: {field: serious_harm, is: true}
                  within: {same_day: true}
                - label: otherwise
                  within: {working_days: 3}
          satisfied_by: {event: strategy_meeting_held}
    ```

    Fails:

    ```yaml
    rules:
      - id: strategy_meeting_within_timescale
        title: Strategy meeting within the timescale
        citation:
          source: guide
          quote: "Strategy meetings will take place within three working days."
        strength: must
        when: {event: concern_identified}
        require:
          action: hold_strategy_meeting
          responsible: team_manager
          due:
            table:
              hit_policy: first
              cases:
                - label: serious harm
                  when: {field: serious_harm, is: true}
                  within: {same_day: true}
                - label: serious harm, immediate action
                  when: {field: serious_harm, is: true}  # <- unreachable-case
                  within: {hours: 2}
                - label: otherwise
                  within: {working_days: 3}
          satisfied_by: {event: strategy_meeting_held}
    ```
    """
    lines = subject.positions
    for loc, table in _tables(subject.pack):
        cases = [(case.label, case.when) for case in table.cases]
        yield from _unreachable((*loc, "cases"), cases, "case", lines)
    for i, rule in enumerate(subject.pack.rules):
        if rule.routes is not None:
            routes = [(route.name, route.when) for route in rule.routes]
            yield from _unreachable(("rules", i, "routes"), routes, "route", lines)


def _unreachable(
    loc: Loc, alternatives: Sequence[tuple[str, Condition | None]], kind: str, lines: Positions
) -> Iterator[Problem]:
    for k, (label, when) in enumerate(alternatives):
        spot: Loc = (*loc, k, "when") if when is not None else (*loc, k)
        for e, (earlier, earlier_when) in enumerate(alternatives[:k]):
            line = lines.locate((*loc, e))[0]
            if earlier_when is None:
                yield (
                    spot,
                    f"{kind} {label!r} is never reached: {kind} {earlier!r} (line {line}) "
                    "before it has no 'when', so it matches first every time",
                )
                break
            if when is not None and _same(when, earlier_when):
                yield (
                    spot,
                    f"{kind} {label!r} is never reached: its 'when' repeats that of {kind} "
                    f"{earlier!r} (line {line}), which is tried first",
                )
                break


@_check(
    "overlapping-effective-dates",
    "error",
    "Two versions of one jurisdiction's procedure are in force on the same days.",
)
def overlapping_effective_dates(
    subject: LintedPack, others: Sequence[LintedPack]
) -> Iterator[Problem]:
    """Packs with the same ``jurisdiction`` are versions of one procedure, so their
    effective ranges (``effective_from`` to ``effective_to``, inclusive; no
    ``effective_to`` means still in force) must not overlap. The pack is compared with
    the other packs in the run and with the bundled packs. A pack that extends another
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


@_check(
    "escalation-loop",
    "error",
    "Following an escalation path's steps comes back to a role already passed.",
)
def escalation_loop(subject: LintedPack, _others: Sequence[LintedPack]) -> Iterator[Problem]:
    """Each step of an escalation path says who a role escalates to. Followed from any
    role, the steps must end at a role that escalates no further; a loop means an
    unresolved disagreement would go round for ever.

    Passes:

    ```yaml
    roles:
      team_manager: {title: Team Manager}
      head_of_service: {title: Head of Service}
    escalation_paths:
      professional_difference:
        description: Unresolved professional differences go up the line.
        steps:
          team_manager: head_of_service
    ```

    Fails:

    ```yaml
    roles:
      team_manager: {title: Team Manager}
      head_of_service: {title: Head of Service}
    escalation_paths:
      professional_difference:
        description: Unresolved professional differences go up the line.
        steps:
          team_manager: head_of_service  # <- escalation-loop
          head_of_service: team_manager
    ```
    """
    for name, path in subject.pack.escalation_paths.items():
        reported: set[frozenset[str]] = set()
        for start in path.steps:
            walked = [start]
            while (following := path.steps.get(walked[-1])) is not None:
                if following in walked:
                    cycle = walked[walked.index(following) :]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        first = next(role for role in path.steps if role in cycle)
                        turn = cycle.index(first)
                        ordered = [*cycle[turn:], *cycle[:turn], first]
                        yield (
                            ("escalation_paths", name, "steps", first),
                            f"escalation path {name!r} loops: {' -> '.join(ordered)}; "
                            "the last role of a path must escalate to no one",
                        )
                    break
                walked.append(following)


@_check(
    "gb-without-subdivision",
    "error",
    "GB public holidays without a subdivision miss regional holidays.",
    at_load=True,
)
def gb_without_subdivision(
    _subject: LintedPack, _others: Sequence[LintedPack]
) -> Iterator[Problem]:
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
    return iter(())  # never run: the compiler reports it, and the pack does not load


# --- running ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackSummary:
    """How one pack of a run fared."""

    file: str
    loads: bool
    pack: str | None = None
    version: str | None = None
    rules: int | None = None
    content_hash: str | None = None
    errors: int = 0
    warnings: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "loads": self.loads,
            "pack": self.pack,
            "version": self.version,
            "rules": self.rules,
            "content_hash": self.content_hash,
            "errors": self.errors,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class LintReport:
    """The diagnostics of a run, sorted by place, and a summary per pack."""

    packs: tuple[PackSummary, ...]
    diagnostics: tuple[Diagnostic, ...]
    checks: tuple[str, ...]  # the lint checks that ran (none for validate)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.level == "warning")

    def passed(self, *, strict: bool = False) -> bool:
        """No errors (and, when ``strict``, no warnings)."""
        return self.errors == 0 and not (strict and self.warnings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "diagnostics": [_diagnostic_dict(d) for d in self.diagnostics],
            "packs": [p.to_dict() for p in self.packs],
            "checks": list(self.checks),
            "summary": {
                "packs": len(self.packs),
                "errors": self.errors,
                "warnings": self.warnings,
            },
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _diagnostic_dict(d: Diagnostic) -> dict[str, Any]:
    return {
        "file": d.file,
        "line": d.line,
        "column": d.column,
        "level": d.level,
        "code": d.code,
        "message": d.message,
    }


def pack_files(names: Iterable[str | Path]) -> list[Path]:
    """The pack files ``names`` stand for: bundled names, files, and directories (every
    ``*.yaml`` directly in one, scenario files ``*.scenarios.yaml`` excepted), each once.

    Raises PackNotFoundError for a name that is none of these or a directory with no pack.
    """
    found: list[Path] = []
    for name in names:
        candidate = Path(name)
        if candidate.is_dir():
            inside = sorted(
                p
                for p in candidate.glob("*.yaml")
                if p.is_file() and not p.name.endswith(".scenarios.yaml")
            )
            if not inside:
                raise PackNotFoundError(f"no *.yaml pack files in directory {candidate}")
            found.extend(inside)
        else:
            found.append(resolve_pack(name))
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def checks_to_run(disable: Collection[str] = ()) -> tuple[str, ...]:
    """The ids of the checks that run when ``disable`` is turned off.

    Raises UnknownCheckError for an id that is not a check, or one enforced at load.
    """
    for check_id in disable:
        if check_id not in CHECKS:
            optional = [c.id for c in CHECKS.values() if not c.at_load]
            raise UnknownCheckError(
                f"no lint check {check_id!r}{did_you_mean(check_id, CHECKS)}; checks that "
                f"can be disabled: {known_list(optional, 40)}"
            )
        if CHECKS[check_id].at_load:
            raise UnknownCheckError(
                f"{check_id!r} is checked when a pack loads and cannot be disabled: a pack "
                "that fails it does not load"
            )
    return tuple(c for c in CHECKS if c not in disable)


def validate_packs(names: Iterable[str | Path]) -> LintReport:
    """Whether each pack loads: YAML syntax, the pack format, and every name it uses."""
    return _run(pack_files(names), (), compare_bundled=False)


def lint_packs(
    names: Iterable[str | Path], *, disable: Collection[str] = (), compare_bundled: bool = True
) -> LintReport:
    """:func:`validate_packs`, then every lint check not in ``disable``.

    Cross-pack checks compare each pack with the others in the run and, unless
    ``compare_bundled`` is false, with the bundled packs not in the run.
    """
    run = checks_to_run(disable)
    return _run(pack_files(names), run, compare_bundled=compare_bundled)


def _run(files: Sequence[Path], run: Sequence[str], *, compare_bundled: bool) -> LintReport:
    loaded: list[tuple[Path, LintedPack | None, list[Diagnostic]]] = [_load(f) for f in files]
    linted = [subject for _f, subject, _d in loaded if subject is not None]
    extra = _bundled_extras(files, linted) if compare_bundled and run else []
    summaries: list[PackSummary] = []
    every: list[Diagnostic] = []
    for file, subject, found in loaded:
        if subject is not None:
            others = [p for p in (*linted, *extra) if p is not subject]
            for check_id in run:
                check = CHECKS[check_id]
                if check.run is None:
                    continue
                for loc, message in check.run(subject, others):
                    if not subject.own(loc):
                        continue  # an overlay's inherited value: its base's own lint says it
                    line, column = subject.positions.locate(loc)
                    found.append(
                        Diagnostic(str(file), line, column, message, check.level, check.id)
                    )
        found = sorted(set(found))
        every.extend(found)
        compiled = subject.compiled if subject is not None else None
        summaries.append(
            PackSummary(
                file=str(file),
                loads=compiled is not None,
                pack=compiled.id if compiled else None,
                version=compiled.version if compiled else None,
                rules=len(compiled.rules) if compiled else None,
                content_hash=compiled.content_hash if compiled else None,
                errors=sum(1 for d in found if d.level == "error"),
                warnings=sum(1 for d in found if d.level == "warning"),
            )
        )
    return LintReport(tuple(summaries), tuple(sorted(every)), tuple(run))


def _load(file: Path) -> tuple[Path, LintedPack | None, list[Diagnostic]]:
    """The pack at ``file`` as the checks see it, or None and why it does not load.

    Only packs that load are linted: checks over a half-valid pack would report the
    echoes of its load errors (a role misspelt where it is used is also a role unused).
    """
    try:
        document = load_document(file)
        compiled = compile_pack(document)  # what load_pack does, on the same document
    except PackError as exc:
        return file, None, list(exc.diagnostics)
    # An overlay's values come from several files: the document's positions say which.
    return file, LintedPack(str(file), document.pack, document.positions, compiled, document), []


def _bundled_extras(files: Sequence[Path], linted: Sequence[LintedPack]) -> list[LintedPack]:
    """Bundled packs not in the run (by file, or by id: a copy in the run replaces one)."""
    directory = bundled_dir()
    if not directory.is_dir():
        return []
    in_run = {f.resolve() for f in files}
    ids = {p.pack.pack.id for p in linted}
    extras = []
    for path in sorted(directory.glob("*.yaml")):
        if path.resolve() in in_run:
            continue
        stat = path.stat()
        extra = _bundled(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        if extra is not None and extra.pack.pack.id not in ids:
            extras.append(dataclasses.replace(extra, in_run=False))
    return extras


@functools.lru_cache(maxsize=32)
def _bundled(file: str, _mtime_ns: int, _size: int) -> LintedPack | None:
    # Keyed by modification time and size, so an edited bundled pack is read again.
    _file, subject, _found = _load(Path(file))
    return subject


# --- reporters ----------------------------------------------------------------------------


def render_text(diagnostics: Sequence[Diagnostic]) -> str:
    """``file:line:col: level code: message``, then the source line and a caret under the spot."""
    lines: list[str] = []
    cache: dict[str, list[str] | None] = {}
    for d in diagnostics:
        lines.append(str(d))
        if d.file not in cache:
            try:
                cache[d.file] = Path(d.file).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                cache[d.file] = None
        source = cache[d.file]
        if source is not None and 0 < d.line <= len(source):
            lines.append(f"    {source[d.line - 1].expandtabs()}")
            lines.append(f"    {' ' * (d.column - 1)}^")
    return "".join(line + "\n" for line in lines)


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: ``::error file=F,line=L,col=C,title=CODE::message``."""
    return "".join(
        f"::{d.level} file={_escape_property(d.file)},line={d.line},col={d.column},"
        f"title={_escape_property(d.code)}::{_escape_data(d.message)}\n"
        for d in diagnostics
    )


def _escape_data(text: str) -> str:
    # As GitHub's toolkit escapes command data: '%' first, so the others stay single.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_summary(report: LintReport) -> str:
    """One line per pack and a closing count."""
    out = []
    for p in report.packs:
        what = f"{p.pack} version {p.version}, {_count(p.rules or 0, 'rule')}"
        what = what if p.loads else "does not load"
        if p.errors or p.warnings:
            verdict = f"{_count(p.errors, 'error')}, {_count(p.warnings, 'warning')}"
        else:
            verdict = "ok"
        out.append(f"{p.file}: {what}: {verdict}\n")
    out.append(
        f"{_count(len(report.packs), 'pack')} checked: {_count(report.errors, 'error')}, "
        f"{_count(report.warnings, 'warning')}\n"
    )
    return "".join(out)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
