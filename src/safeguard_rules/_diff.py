"""Semantic diff of two compiled packs, and of what they make of the same events.

``diff_packs(old, new)`` compares the pack models (plus the effective parameter
values) section by section and says each difference in words a policy author reads:
``responsible: team_manager (Team Manager) -> senior_practitioner (Senior Practitioner)``.
Rules are matched by id; leftover removed and added rules that share enough (the trigger
event and the required action, the cited sentence, ...) are paired as one rule renamed,
and the diff says so and why. ``diff_evaluations`` compares two evaluations of one event
stream. Both return frozen dataclasses with ``to_dict`` (stable JSON), ``to_text`` and
``to_markdown``; none of the output depends on the machine (no paths, no clock).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ._compile import CompiledPack
from ._conditions import PARTY_FIELDS
from ._pack import (
    CalendarSpec,
    Citation,
    Condition,
    Count,
    Due,
    DueCase,
    Escalation,
    EventMatch,
    Metadata,
    OfficeHours,
    Pack,
    Parameter,
    Ref,
    Requirement,
    Role,
    Route,
    Rule,
    Source,
    Trigger,
)
from ._result import Evaluation, Finding, Obligation, Rejection, iso

# --- one difference ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference in words: ``what: old -> new``.

    ``old`` is None for something added, ``new`` None for something removed. ``prose``
    marks quoted text (titles, quotes, notes, messages) that text output shortens.
    """

    what: str
    old: str | None
    new: str | None
    prose: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "old": self.old, "new": self.new}

    def text(self) -> str:
        if self.old is not None and self.new is not None:
            if self.prose:
                old, new = shorten_pair(self.old, self.new)
                return f'{self.what}: "{old}" -> "{new}"'
            return f"{self.what}: {self.old} -> {self.new}"
        if self.new is not None:
            return f"{self.what} added: {self._one(self.new)}"
        return f"{self.what} removed: {self._one(self.old or '')}"

    def _one(self, value: str) -> str:
        return f'"{shorten(value)}"' if self.prose else value

    def markdown(self) -> list[str]:
        if self.old is not None and self.new is not None:
            if self.prose:
                return [
                    f"- {md(self.what)}:",
                    f'  - was: "{md(self.old)}"',
                    f'  - now: "{md(self.new)}"',
                ]
            return [f"- {md(self.what)}: {md(self.old)} -> {md(self.new)}"]
        state, value = ("added", self.new) if self.new is not None else ("removed", self.old)
        shown = f'"{md(value or "")}"' if self.prose else md(value or "")
        return [f"- {md(self.what)} {state}: {shown}"]


# --- words ---------------------------------------------------------------------------------

_PLAIN_LITERAL = re.compile(r"^[A-Za-z0-9_.:/+-]+$")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def describe_ref(path: str) -> str:
    """``trigger.id`` -> "the trigger's id"; a bare field is the event's own."""
    head, _, rest = path.partition(".")
    if head in ("trigger", "case", "event") and rest:
        return f"the {head}'s {rest}"
    return f"the event's {path}"


def _literal(value: Any, party: bool, parties: Mapping[str, str]) -> str:
    if isinstance(value, Ref):
        return describe_ref(value.ref)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    text = str(value)
    shown = text if _PLAIN_LITERAL.match(text) else json.dumps(text, ensure_ascii=False)
    if party and text in parties and parties[text] != text:
        shown += f" ({parties[text]})"
    return shown


def _literals(value: Any, party: bool, parties: Mapping[str, str]) -> str:
    if isinstance(value, Ref):
        return describe_ref(value.ref)
    return ", ".join(_literal(v, party, parties) for v in value)


def describe_condition(condition: Condition, parties: Mapping[str, str] | None = None) -> str:
    """A condition in words: ``chair_role is one of team_manager (Team Manager), ...``.

    ``parties`` maps role and agency ids to their titles; literals on fields that name a
    role or agency carry the title.
    """
    return _condition(condition, parties or {}, nested=False)


def _condition(c: Condition, parties: Mapping[str, str], nested: bool) -> str:
    for parts, joiner in ((c.all_, " and "), (c.any_, " or ")):
        if parts is not None:
            text = joiner.join(_condition(p, parties, nested=True) for p in parts)
            return f"({text})" if nested and len(parts) > 1 else text
    if c.not_ is not None:
        return f"not ({_condition(c.not_, parties, nested=False)})"
    field = c.field or ""
    op, operand = c.operator, c.operand
    attribute = field.startswith(("attributes.", "trigger.attributes."))
    party = not attribute and field.rsplit(".", 1)[-1] in PARTY_FIELDS
    if op in ("present", "in_office_hours"):
        words = {
            ("present", True): "is present",
            ("present", False): "is absent",
            ("in_office_hours", True): "is in office hours",
            ("in_office_hours", False): "is outside office hours",
        }
        return f"{field} {words[op, bool(operand)]}"
    if op == "count_at_least":
        return f"{field} has at least {operand} {'entry' if operand == 1 else 'entries'}"
    phrase = {
        "is": "is",
        "is_not": "is not",
        "at_least": "is at least",
        "at_most": "is at most",
        "contains": "contains",
        "in": "is one of",
        "not_in": "is none of",
        "contains_any": "contains any of",
        "contains_all": "contains all of",
    }[op]
    if op in ("in", "not_in", "contains_any", "contains_all"):
        return f"{field} {phrase} {_literals(operand, party, parties)}"
    return f"{field} {phrase} {_literal(operand, party, parties)}"


def describe_due(
    due: Due | None,
    parameters: Mapping[str, Due] | None = None,
    parties: Mapping[str, str] | None = None,
) -> str:
    """A deadline in words: "3 working days", "parameter x (1 working day)", a table's cases.

    ``parameters`` holds the values a parameter is shown with; ``parties`` as for
    :func:`describe_condition`, for the conditions of a table's cases.
    """
    if due is None:
        return "no timescale"
    if due.parameter is not None:
        value = (parameters or {}).get(due.parameter)
        shown = describe_due(value, None, parties) if value is not None else "not defined"
        return f"parameter {due.parameter} ({shown})"
    if due.table is not None:
        cases = (_case(c, parties or {}) for c in due.table.cases)
        return "first matching case: " + "; ".join(cases)
    return due.describe()


def _case(case: DueCase, parties: Mapping[str, str], label: bool = True) -> str:
    text = (f"{case.label}: " if label else "") + case.within.describe()
    if case.when is not None:
        text += f" when {describe_condition(case.when, parties)}"
    return text + (f" ({case.strength})" if case.strength else "")


def describe_count(count: Count, event: str, parties: Mapping[str, str] | None = None) -> str:
    """``more than 3 cpn_created events, once``."""
    threshold = (
        f"more than {count.more_than}"
        if count.more_than is not None
        else f"at least {count.at_least}"
    )
    text = f"{threshold} {event} events"
    if count.within is not None:
        text += f" within {count.within.describe()}"
    if count.where is not None:
        text += f" where {describe_condition(count.where, parties)}"
    return text + f", {_REPEAT[count.repeat]}"


_REPEAT = {"once": "once", "every": "on every event past the threshold"}


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, list | tuple):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


_UNORDERED = frozenset({"in", "not_in", "contains_any", "contains_all"})


def _canonical(value: Any) -> Any:
    """Dumped data with the lists whose order means nothing (operands of set operators) sorted."""
    if isinstance(value, dict):
        return {
            k: sorted(v, key=repr) if k in _UNORDERED and isinstance(v, list) else _canonical(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _same(a: Any, b: Any) -> bool:
    return bool(_canonical(_dump(a)) == _canonical(_dump(b)))


def _same_set(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Alternatives and copy lists: the order they are written in means nothing."""

    def keys(items: Sequence[Any]) -> list[str]:
        return sorted(json.dumps(_canonical(_dump(i)), sort_keys=True) for i in items)

    return keys(a) == keys(b)


def _compact(value: Any) -> str:
    dumped = _dump(value)
    if isinstance(dumped, str):
        return dumped
    return json.dumps(dumped, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class _Words:
    """What describing one pack's rules needs: its parties' titles and parameter values."""

    parties: Mapping[str, str]
    parameters: Mapping[str, Due]

    @classmethod
    def of(cls, compiled: CompiledPack) -> _Words:
        pack = compiled.pack
        parties = dict(pack.agencies)
        parties.update({name: role.title for name, role in pack.roles.items()})
        return cls(parties, compiled.parameters)

    def party(self, name: str) -> str:
        title = self.parties.get(name)
        return f"{name} ({title})" if title and title != name else name

    def party_list(self, names: Sequence[str]) -> str:
        return ", ".join(self.party(n) for n in names) or "nobody"

    def condition(self, condition: Condition | None) -> str | None:
        return None if condition is None else describe_condition(condition, self.parties)

    def due(self, due: Due | None) -> str:
        return describe_due(due, self.parameters, self.parties)

    def matches(self, spec: EventMatch | list[EventMatch] | None) -> str:
        alternatives = _alternatives(spec)
        if not alternatives:
            return "nothing"
        words = [
            m.event + (f" where {self.condition(m.where)}" if m.where is not None else "")
            for m in alternatives
        ]
        return words[0] if len(words) == 1 else "any of: " + "; ".join(words)

    def trigger(self, when: Trigger) -> str:
        text = when.event
        if when.where is not None:
            text += f" where {self.condition(when.where)}"
        if when.count is not None:
            text += f", on {describe_count(when.count, when.event, self.parties)}"
        return text

    def escalation(self, escalation: Escalation) -> str:
        text = f"{escalation.action} by {self.party(escalation.responsible)}"
        if escalation.copied_in:
            text += f", copying in {self.party_list(escalation.copied_in)}"
        return text

    def requirement_lines(self, req: Requirement) -> list[str]:
        first = f"requires {req.action} by {self.party(req.responsible)}"
        if req.copied_in:
            first += f", copying in {self.party_list(req.copied_in)}"
        lines = [first, f"due {self.due(req.due)}" if req.due is not None else "no timescale"]
        lines.append(f"met by {self.matches(req.satisfied_by)}")
        if req.cancelled_by is not None:
            lines.append(f"cancelled by {self.matches(req.cancelled_by)}")
        if req.escalation is not None:
            lines.append(f"when overdue, {self.escalation(req.escalation)}")
        return lines

    def requirement(self, req: Requirement) -> str:
        return "; ".join(self.requirement_lines(req))

    def route(self, route: Route) -> str:
        when = f"when {self.condition(route.when)}" if route.when is not None else "otherwise"
        outcome = self.requirement(route.require) if route.require else "nothing required"
        return f"{when}: {outcome}" + (f" ({route.strength})" if route.strength else "")

    def outcome(self, rule: Rule) -> str:
        if rule.require is not None:
            return self.requirement(rule.require)
        if rule.routes is not None:
            return "routes " + ", ".join(r.name for r in rule.routes)
        return f"expects {self.condition(rule.expect)}"


def _alternatives(spec: EventMatch | list[EventMatch] | None) -> list[EventMatch]:
    if spec is None:
        return []
    return [spec] if isinstance(spec, EventMatch) else list(spec)


def _citation_words(citation: Citation) -> str:
    return f"{citation.source}: {citation.quote}"


# --- shortening quoted text for the terminal ---------------------------------------------

_LIMIT = 100
_CONTEXT = 3  # words of unchanged text kept either side of what changed


def shorten(text: str, limit: int = _LIMIT) -> str:
    """Cut ``text`` at a word boundary to about ``limit`` characters, marking the cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:") + "…"


def shorten_pair(old: str, new: str, limit: int = _LIMIT) -> tuple[str, str]:
    """Both texts cut to where they differ, with a few words of context either side."""
    a, b = old.split(), new.split()
    if len(" ".join(a)) <= limit and len(" ".join(b)) <= limit:
        return " ".join(a), " ".join(b)
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(a), len(b)) - prefix and a[len(a) - 1 - suffix] == b[len(b) - 1 - suffix]
    ):
        suffix += 1

    def window(words: list[str]) -> str:
        if len(" ".join(words)) <= limit:
            return " ".join(words)
        start = max(prefix - _CONTEXT, 0)
        end = min(len(words) - suffix + _CONTEXT, len(words))
        text = " ".join(words[start:end])
        text = shorten(text, limit)
        lead = "…" if start > 0 else ""
        tail = "…" if end < len(words) and not text.endswith("…") else ""
        return lead + text + tail

    return window(a), window(b)


# --- markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*\[\]<|#]|^>)")
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def md(text: str) -> str:
    """Escape text for Markdown; underscores inside identifiers and arrows stay as they are."""
    return _MD_UNDERSCORE.sub(r"\\_", _MD_SPECIAL.sub(r"\\\1", " ".join(text.split())))


# --- the pack diff --------------------------------------------------------------------------


@dataclass(frozen=True)
class PackSide:
    """Which pack one side of a diff is."""

    id: str
    title: str
    version: str
    effective_from: str
    effective_to: str | None
    file: str  # the pack's file name, without its directory
    content_hash: str
    extends: str | None = None  # the base pack's id when this pack is an overlay

    @classmethod
    def of(cls, compiled: CompiledPack) -> PackSide:
        meta = compiled.pack.pack
        return cls(
            meta.id,
            meta.title,
            meta.version,
            meta.effective_from.isoformat(),
            meta.effective_to.isoformat() if meta.effective_to else None,
            Path(compiled.file).name,
            compiled.content_hash,
            compiled.extends,
        )

    def label(self) -> str:
        until = f" to {self.effective_to}" if self.effective_to else ""
        start = "effective " if self.effective_to else "effective from "
        base = f", overlay of {self.extends}" if self.extends else ""
        return f"{self.id}, version {self.version}, {start}{self.effective_from}{until}{base}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
            "file": self.file,
            "content_hash": self.content_hash,
            "extends": self.extends,
        }


@dataclass(frozen=True)
class Item:
    """Something added or removed, with a word about what it is."""

    name: str
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "summary": self.summary}


@dataclass(frozen=True)
class ItemChange:
    name: str
    changes: tuple[Change, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "changes": [c.to_dict() for c in self.changes]}


@dataclass(frozen=True)
class Section:
    """Named things (agencies, roles, parameters) added, removed and changed."""

    added: tuple[Item, ...] = ()
    removed: tuple[Item, ...] = ()
    changed: tuple[ItemChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": [i.to_dict() for i in self.added],
            "removed": [i.to_dict() for i in self.removed],
            "changed": [c.to_dict() for c in self.changed],
        }


@dataclass(frozen=True)
class RuleSummary:
    """An added or removed rule: what it does, in words."""

    id: str
    title: str
    strength: str
    lines: tuple[str, ...]
    citation: Citation | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "strength": self.strength,
            "summary": list(self.lines),
            "citation": None
            if self.citation is None
            else {"source": self.citation.source, "quote": self.citation.quote},
        }


@dataclass(frozen=True)
class RuleChange:
    """A rule in both packs; ``old_id`` differs from ``id`` when it was renamed."""

    id: str
    old_id: str
    title: str
    paired_by: str | None  # why a renamed rule was taken for the same rule
    changes: tuple[Change, ...]

    @property
    def renamed(self) -> bool:
        return self.old_id != self.id

    def heading(self) -> str:
        if not self.renamed:
            return self.id
        return f"{self.id} (renamed from {self.old_id}, paired by {self.paired_by})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "old_id": self.old_id,
            "renamed": self.renamed,
            "paired_by": self.paired_by,
            "title": self.title,
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True)
class PackDiff:
    """How ``new`` differs from ``old``, section by section.

    The pack ids are the names of the two sides (like file names in ``git diff``) and
    are not themselves a difference: a pack diffed with a copy of itself under another id
    is empty.
    """

    old: PackSide
    new: PackSide
    pack: tuple[Change, ...]
    calendar: tuple[Change, ...]
    agencies: Section
    roles: Section
    parameters: Section
    rules_added: tuple[RuleSummary, ...]
    rules_removed: tuple[RuleSummary, ...]
    rules_changed: tuple[RuleChange, ...]
    rules_unchanged: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (
            self.pack
            or self.calendar
            or self.rules_added
            or self.rules_removed
            or self.rules_changed
            or not self.agencies.empty
            or not self.roles.empty
            or not self.parameters.empty
        )

    def rule_pairs(self) -> dict[str, str]:
        """Old rule id -> new rule id for every rule in both packs (renamed ones too)."""
        pairs = {rule_id: rule_id for rule_id in self.rules_unchanged}
        pairs.update({c.old_id: c.id for c in self.rules_changed})
        return pairs

    def summary(self) -> dict[str, dict[str, int]]:
        def counts(section: Section) -> dict[str, int]:
            return {
                "added": len(section.added),
                "removed": len(section.removed),
                "changed": len(section.changed),
            }

        return {
            "pack": {"changed": len(self.pack)},
            "calendar": {"changed": len(self.calendar)},
            "agencies": counts(self.agencies),
            "roles": counts(self.roles),
            "parameters": counts(self.parameters),
            "rules": {
                "added": len(self.rules_added),
                "removed": len(self.rules_removed),
                "changed": len(self.rules_changed),
                "renamed": sum(c.renamed for c in self.rules_changed),
                "unchanged": len(self.rules_unchanged),
            },
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "differs": not self.empty,
            "summary": self.summary(),
            "pack": [c.to_dict() for c in self.pack],
            "calendar": [c.to_dict() for c in self.calendar],
            "agencies": self.agencies.to_dict(),
            "roles": self.roles.to_dict(),
            "parameters": self.parameters.to_dict(),
            "rules": {
                "added": [r.to_dict() for r in self.rules_added],
                "removed": [r.to_dict() for r in self.rules_removed],
                "changed": [c.to_dict() for c in self.rules_changed],
                "unchanged": list(self.rules_unchanged),
            },
        }

    def to_json(self) -> str:
        return _json(self.to_dict())

    # --- text ----------------------------------------------------------------------------

    def to_text(self) -> str:
        lines = [
            f"{self.old.id} -> {self.new.id}",
            f"  old: {self.old.label()}",
            f"  new: {self.new.label()}",
        ]
        if self.empty:
            return "\n".join([*lines, "no differences"]) + "\n"
        lines.append(f"summary: {self._summary_words()}")
        for title, changes in (("Pack", self.pack), ("Calendar", self.calendar)):
            lines.append(f"{title}: no changes" if not changes else f"{title}")
            lines.extend(f"  {c.text()}" for c in changes)
        for title, section in (
            ("Agencies", self.agencies),
            ("Roles", self.roles),
            ("Parameters", self.parameters),
        ):
            lines.append(f"{title}: no changes" if section.empty else title)
            lines.extend(f"  added {i.name}: {i.summary}" for i in section.added)
            lines.extend(f"  removed {i.name}: {i.summary}" for i in section.removed)
            for item in section.changed:
                lines.append(f"  changed {item.name}:")
                lines.extend(f"    {c.text()}" for c in item.changes)
        if not (self.rules_added or self.rules_removed or self.rules_changed):
            lines.append("Rules: no changes")
            return "\n".join(lines) + "\n"
        lines.append("Rules")
        for verb, rules in (("added", self.rules_added), ("removed", self.rules_removed)):
            for rule in rules:
                lines.append(f"  {verb} {rule.id} ({rule.strength}): {rule.title}")
                lines.extend(f"    {line}" for line in rule.lines)
                if rule.citation is not None:
                    quote = shorten(rule.citation.quote)
                    lines.append(f'    cites {rule.citation.source}: "{quote}"')
        for change in self.rules_changed:
            lines.append(f"  changed {change.heading()}: {change.title}")
            lines.extend(f"    {c.text()}" for c in change.changes)
        return "\n".join(lines) + "\n"

    def _summary_words(self) -> str:
        """The counts that are not zero: "rules 2 added, 1 changed (1 renamed); ..."."""
        parts = []
        for name, counts in self.summary().items():
            if not any(n for verb, n in counts.items() if verb != "unchanged"):
                continue
            words = []
            for verb, n in counts.items():
                if n and verb != "renamed":
                    words.append(f"{n} {verb}")
                if verb == "changed" and counts.get("renamed"):
                    words[-1] += f" ({counts['renamed']} renamed)"
            parts.append(("pack details" if name == "pack" else name) + " " + ", ".join(words))
        return "; ".join(parts)

    # --- markdown ------------------------------------------------------------------------

    def to_markdown(self) -> str:
        old, new = self.old, self.new
        out = [
            f"# Policy pack changes: {md(old.id)} -> {md(new.id)}",
            "",
            f"Produced by `safeguard-rules diff` from the packs `{old.id}` and `{new.id}`; "
            "do not edit by hand.",
            "",
            "| | old | new |",
            "|---|---|---|",
            f"| pack | `{old.id}` | `{new.id}` |",
            f"| title | {md(old.title)} | {md(new.title)} |",
            f"| version | {md(old.version)} | {md(new.version)} |",
            f"| effective | {_period(old)} | {_period(new)} |",
            "",
        ]
        if self.empty:
            return "\n".join([*out, "No differences.", ""])
        s = self.summary()
        rules = s["rules"]
        renamed = f" ({rules['renamed']} renamed)" if rules["renamed"] else ""
        out += [
            "## Summary",
            "",
            "| | added | removed | changed | unchanged |",
            "|---|---:|---:|---:|---:|",
            f"| rules | {rules['added']} | {rules['removed']} | {rules['changed']}{renamed} "
            f"| {rules['unchanged']} |",
        ]
        for name in ("parameters", "roles", "agencies"):
            c = s[name]
            out.append(f"| {name} | {c['added']} | {c['removed']} | {c['changed']} | |")
        out += [
            f"| calendar | | | {len(self.calendar)} | |",
            f"| pack details | | | {len(self.pack)} | |",
            "",
        ]
        for title, changes in (("Pack details", self.pack), ("Calendar", self.calendar)):
            out += [f"## {title}", ""]
            out += [line for c in changes for line in c.markdown()] or ["No changes."]
            out.append("")
        for title, section in (
            ("Agencies", self.agencies),
            ("Roles", self.roles),
            ("Parameters", self.parameters),
        ):
            out += [f"## {title}", ""]
            if section.empty:
                out += ["No changes.", ""]
                continue
            out += [f"- added `{i.name}`: {md(i.summary)}" for i in section.added]
            out += [f"- removed `{i.name}`: {md(i.summary)}" for i in section.removed]
            for item in section.changed:
                out.append(f"- changed `{item.name}`:")
                out += [f"  {line}" for c in item.changes for line in c.markdown()]
            out.append("")
        out += ["## Rules", ""]
        for title, summaries in (("Added", self.rules_added), ("Removed", self.rules_removed)):
            out += [f"### {title}", ""]
            if not summaries:
                out += ["None.", ""]
            for rule in summaries:
                out += [f"#### `{rule.id}`", "", f"{md(rule.title)} ({rule.strength})", ""]
                out += [f"- {md(line)}" for line in rule.lines]
                if rule.citation is not None:
                    out.append(f'- cites {rule.citation.source}: "{md(rule.citation.quote)}"')
                out.append("")
        out += ["### Changed", ""]
        if not self.rules_changed:
            out += ["None.", ""]
        for change in self.rules_changed:
            out += [f"#### `{change.id}`", ""]
            if change.renamed:
                out += [
                    f"Renamed from `{change.old_id}` (paired by {md(change.paired_by or '')}).",
                    "",
                ]
            out += [md(change.title), ""]
            out += [line for c in change.changes for line in c.markdown()]
            out.append("")
        if self.rules_unchanged:
            out += ["### Unchanged", ""]
            out.append(", ".join(f"`{rule_id}`" for rule_id in self.rules_unchanged))
            out.append("")
        return "\n".join(out)


def _period(side: PackSide) -> str:
    if side.effective_to:
        return f"{side.effective_from} to {side.effective_to}"
    return f"from {side.effective_from}"


def _json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def diff_packs(old: CompiledPack, new: CompiledPack) -> PackDiff:
    """How ``new`` differs from ``old``, in words; see :class:`PackDiff`."""
    ow, nw = _Words.of(old), _Words.of(new)
    added, removed, changed, unchanged = _rules(old.pack, new.pack, ow, nw)
    return PackDiff(
        old=PackSide.of(old),
        new=PackSide.of(new),
        pack=tuple(_metadata(old.pack.pack, new.pack.pack) + _other_top_level(old.pack, new.pack)),
        calendar=tuple(_calendar(old.pack.calendar, new.pack.calendar)),
        agencies=_agencies(old.pack.agencies, new.pack.agencies),
        roles=_roles(old.pack.roles, new.pack.roles, ow, nw),
        parameters=_parameters(old, new),
        rules_added=added,
        rules_removed=removed,
        rules_changed=changed,
        rules_unchanged=unchanged,
    )


# --- section comparisons -----------------------------------------------------------------

Changes = list[Change]


def _add(out: Changes, what: str, old: Any, new: Any, prose: bool = False) -> None:
    """A change for ``what`` if the two values differ; None means absent."""
    if _same(old, new):
        return
    out.append(
        Change(what, None if old is None else str(old), None if new is None else str(new), prose)
    )


def _other_fields(old: BaseModel, new: BaseModel, handled: Iterable[str], prefix: str) -> Changes:
    """Fields this module does not describe yet, compared as data, so none goes unseen."""
    out: Changes = []
    known = set(handled)
    for name in type(old).model_fields:
        if name in known:
            continue
        a, b = getattr(old, name, None), getattr(new, name, None)
        if _same(a, b):
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                what = f"{prefix}{name.rstrip('_')} {key}"
                _add(out, what, _maybe(a.get(key)), _maybe(b.get(key)))
        else:
            _add(out, f"{prefix}{name.rstrip('_')}", _maybe(a), _maybe(b))
    return out


def _maybe(value: Any) -> str | None:
    return None if value is None or value == [] or value == {} else _compact(value)


def _metadata(old: Metadata, new: Metadata) -> Changes:
    out: Changes = []
    _add(out, "title", old.title, new.title, prose=True)
    _add(out, "jurisdiction", old.jurisdiction, new.jurisdiction)
    _add(out, "version", old.version, new.version)
    _add(out, "effective from", old.effective_from.isoformat(), new.effective_from.isoformat())
    _add(out, "effective to", _date_or_open(old), _date_or_open(new))
    _add(out, "description", old.description, new.description, prose=True)
    olds = {s.id: s for s in old.sources}
    news = {s.id: s for s in new.sources}
    for sid in [s.id for s in old.sources if s.id not in news]:
        out.append(Change(f"source {sid}", _source_words(olds[sid]), None))
    for sid in [s.id for s in new.sources if s.id not in olds]:
        out.append(Change(f"source {sid}", None, _source_words(news[sid])))
    for sid in [s.id for s in new.sources if s.id in olds]:
        a, b = olds[sid], news[sid]
        p = f"source {sid} "
        _add(out, p + "title", a.title, b.title, prose=True)
        _add(out, p + "file", a.file, b.file)
        _add(out, p + "publisher", a.publisher, b.publisher)
        _add(out, p + "published", a.published, b.published)
        _add(out, p + "url", a.url, b.url)
        out += _other_fields(a, b, ("id", "file", "title", "publisher", "published", "url"), p)
    handled = (
        "id",
        "title",
        "jurisdiction",
        "version",
        "effective_from",
        "effective_to",
        "description",
        "sources",
    )
    return out + _other_fields(old, new, handled, "")


def _date_or_open(meta: Metadata) -> str:
    return meta.effective_to.isoformat() if meta.effective_to else "open-ended"


def _source_words(source: Source) -> str:
    by = f", {source.publisher}" if source.publisher else ""
    when = f", {source.published}" if source.published else ""
    return f"{source.title}{by}{when} ({source.file})"


_PACK_SECTIONS = ("pack", "calendar", "agencies", "roles", "parameters", "rules")


def _other_top_level(old: Pack, new: Pack) -> Changes:
    return _other_fields(old, new, _PACK_SECTIONS, "")


def _calendar(old: CalendarSpec, new: CalendarSpec) -> Changes:
    out: Changes = []
    _add(out, "time zone", old.timezone, new.timezone)
    _add(out, "working days", ", ".join(old.working_days), ", ".join(new.working_days))
    _add(out, "public holidays", _holidays(old), _holidays(new))
    gone = sorted(set(old.closures) - set(new.closures))
    came = sorted(set(new.closures) - set(old.closures))
    if gone:
        out.append(Change("closures", ", ".join(d.isoformat() for d in gone), None))
    if came:
        out.append(Change("closures", None, ", ".join(d.isoformat() for d in came)))
    a, b = old.office_hours, new.office_hours
    if a is None or b is None:
        _add(out, "office hours", _office(a), _office(b))
    else:
        _add(out, "office hours days", ", ".join(a.days), ", ".join(b.days))
        _add(out, "office hours start", a.start.isoformat("minutes"), b.start.isoformat("minutes"))
        _add(out, "office hours end", a.end.isoformat("minutes"), b.end.isoformat("minutes"))
        _add(
            out,
            "office open on public holidays",
            _yes(a.open_on_public_holidays),
            _yes(b.open_on_public_holidays),
        )
        out += _other_fields(a, b, ("days", "start", "end", "open_on_public_holidays"), "office ")
    handled = ("timezone", "working_days", "public_holidays", "closures", "office_hours")
    return out + _other_fields(old, new, handled, "")


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _holidays(spec: CalendarSpec) -> str:
    h = spec.public_holidays
    if h is None:
        return "none"
    return h.country + (f" ({h.subdivision})" if h.subdivision else "")


def _office(hours: OfficeHours | None) -> str | None:
    if hours is None:
        return None
    text = f"{', '.join(hours.days)} {hours.start.isoformat('minutes')}-"
    text += hours.end.isoformat("minutes")
    return text + (", open on public holidays" if hours.open_on_public_holidays else "")


def _agencies(old: Mapping[str, str], new: Mapping[str, str]) -> Section:
    return Section(
        added=tuple(Item(k, new[k]) for k in sorted(new.keys() - old.keys())),
        removed=tuple(Item(k, old[k]) for k in sorted(old.keys() - new.keys())),
        changed=tuple(
            ItemChange(k, (Change("name", old[k], new[k]),))
            for k in sorted(old.keys() & new.keys())
            if old[k] != new[k]
        ),
    )


def _roles(old: Mapping[str, Role], new: Mapping[str, Role], ow: _Words, nw: _Words) -> Section:
    def words(role: Role, w: _Words) -> str:
        return role.title + (f", agency {w.party(role.agency)}" if role.agency else "")

    changed: list[ItemChange] = []
    for name in sorted(old.keys() & new.keys()):
        a, b = old[name], new[name]
        out: Changes = []
        _add(out, "title", a.title, b.title)
        if a.agency != b.agency:
            before = ow.party(a.agency) if a.agency else "none"
            out.append(Change("agency", before, nw.party(b.agency) if b.agency else "none"))
        _add(out, "description", a.description, b.description, prose=True)
        out += _other_fields(a, b, ("title", "agency", "description"), "")
        if out:
            changed.append(ItemChange(name, tuple(out)))
    return Section(
        added=tuple(Item(k, words(new[k], nw)) for k in sorted(new.keys() - old.keys())),
        removed=tuple(Item(k, words(old[k], ow)) for k in sorted(old.keys() - new.keys())),
        changed=tuple(changed),
    )


def _parameters(old: CompiledPack, new: CompiledPack) -> Section:
    a, b = old.pack.parameters, new.pack.parameters
    ov, nv = old.parameters, new.parameters
    changed: list[ItemChange] = []
    for name in sorted(a.keys() & b.keys()):
        out: Changes = []
        _add(out, "value", describe_due(ov.get(name)), describe_due(nv.get(name)))
        _add(out, "description", a[name].description, b[name].description, prose=True)
        out += _citation(a[name].citation, b[name].citation, "citation")
        out += _other_fields(a[name], b[name], ("description", "default", "citation"), "")
        if out:
            changed.append(ItemChange(name, tuple(out)))

    def item(name: str, parameter: Parameter, values: Mapping[str, Due]) -> Item:
        return Item(name, describe_due(values.get(name, parameter.default)))

    return Section(
        added=tuple(item(k, b[k], nv) for k in sorted(b.keys() - a.keys())),
        removed=tuple(item(k, a[k], ov) for k in sorted(a.keys() - b.keys())),
        changed=tuple(changed),
    )


def _citation(old: Citation | None, new: Citation | None, what: str) -> Changes:
    out: Changes = []
    if old is None or new is None:
        a = None if old is None else _citation_words(old)
        b = None if new is None else _citation_words(new)
        _add(out, what, a, b, prose=True)
        return out
    _add(out, f"{what} source", old.source, new.source)
    _add(out, f"{what} quote", old.quote, new.quote, prose=True)
    _add(out, f"{what} note", old.note, new.note, prose=True)
    return out + _other_fields(old, new, ("source", "quote", "note"), f"{what} ")


# --- rules -----------------------------------------------------------------------------------


def _rules(
    old: Pack, new: Pack, ow: _Words, nw: _Words
) -> tuple[
    tuple[RuleSummary, ...], tuple[RuleSummary, ...], tuple[RuleChange, ...], tuple[str, ...]
]:
    old_by_id = {r.id: r for r in old.rules}
    new_ids = {r.id for r in new.rules}
    leftover_old = [r for r in old.rules if r.id not in new_ids]
    leftover_new = [r for r in new.rules if r.id not in old_by_id]
    renamed = _pair_renamed(leftover_old, leftover_new)
    paired_new = {n.id: (o, why) for o, n, why in renamed}
    paired_old = {o.id for o, _n, _why in renamed}

    changed: list[RuleChange] = []
    unchanged: list[str] = []
    for rule in new.rules:  # in the new pack's order
        if rule.id in old_by_id:
            before, why = old_by_id[rule.id], None
        elif rule.id in paired_new:
            before, why = paired_new[rule.id]
        else:
            continue
        changes = _rule_changes(before, rule, ow, nw)
        if changes or before.id != rule.id:
            changed.append(RuleChange(rule.id, before.id, rule.title, why, tuple(changes)))
        else:
            unchanged.append(rule.id)
    added = tuple(_summary(r, nw) for r in leftover_new if r.id not in paired_new)
    removed = tuple(_summary(r, ow) for r in leftover_old if r.id not in paired_old)
    return added, removed, tuple(changed), tuple(unchanged)


def _actions(rule: Rule) -> frozenset[str]:
    if rule.require is not None:
        return frozenset({rule.require.action})
    return frozenset(r.require.action for r in rule.routes or () if r.require is not None)


def _fields(condition: Condition | None) -> frozenset[str]:
    if condition is None:
        return frozenset()
    if condition.all_ is not None or condition.any_ is not None:
        return frozenset().union(*(_fields(c) for c in condition.all_ or condition.any_ or ()))
    if condition.not_ is not None:
        return _fields(condition.not_)
    return frozenset({condition.field or ""})


def _pairing(old: Rule, new: Rule) -> tuple[int, str] | None:
    """How strongly a removed and an added rule look like one rule renamed, and why."""
    same_event = old.when.event == new.when.event
    actions = _actions(old)
    same_actions = bool(actions) and actions == _actions(new)
    old_quote = old.citation.quote if old.citation else None
    same_quote = old_quote is not None and new.citation is not None
    same_quote = same_quote and old_quote == (new.citation.quote if new.citation else None)
    if same_event and same_actions:
        return 5, "the same trigger event and action"
    if same_event and same_quote:
        return 4, "the same trigger event and cited sentence"
    if same_quote:
        return 3, "the same cited sentence"
    if same_event and old.kind == new.kind == "check":
        fields = _fields(old.expect)
        if fields and fields == _fields(new.expect):
            return 2, "the same trigger event and checked " + ", ".join(sorted(fields))
    if same_event and old.kind == new.kind == "routing":
        shared = [
            r.name
            for r in old.routes or ()
            if any(_same(r.when, n.when) and r.name == n.name for n in new.routes or ())
        ]
        if shared:
            return 2, f"the same trigger event and route {shared[0]}"
    if same_actions:
        return 1, "the same action"
    return None


def _pair_renamed(old: list[Rule], new: list[Rule]) -> list[tuple[Rule, Rule, str]]:
    """Pair leftover rules one to one, strongest evidence first, then in pack order."""
    candidates: list[tuple[int, int, int, str]] = []
    for i, a in enumerate(old):
        for j, b in enumerate(new):
            found = _pairing(a, b)
            if found is not None:
                candidates.append((-found[0], i, j, found[1]))
    candidates.sort()
    pairs: list[tuple[Rule, Rule, str]] = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    for _score, i, j, why in candidates:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((old[i], new[j], why))
    return pairs


def _summary(rule: Rule, w: _Words) -> RuleSummary:
    lines = [f"when {w.trigger(rule.when)}"]
    if rule.require is not None:
        lines += w.requirement_lines(rule.require)
    elif rule.routes is not None:
        lines += [f"route {r.name}: {w.route(r)}" for r in rule.routes]
    else:
        lines.append(f"expects {w.condition(rule.expect)}")
        lines.append(f'finding: "{rule.message}"')
    return RuleSummary(rule.id, rule.title, rule.strength, tuple(lines), rule.citation)


_RULE_FIELDS = (
    "id",
    "title",
    "citation",
    "strength",
    "when",
    "require",
    "routes",
    "expect",
    "message",
    "notes",
)


def _rule_changes(old: Rule, new: Rule, ow: _Words, nw: _Words) -> Changes:
    out: Changes = []
    _add(out, "title", old.title, new.title, prose=True)
    _add(out, "strength", old.strength, new.strength)
    out += _trigger(old.when, new.when, ow, nw)
    if old.kind != new.kind:
        out.append(Change("outcome", ow.outcome(old), nw.outcome(new)))
    elif old.require is not None and new.require is not None:
        out += _requirement(old.require, new.require, ow, nw, "")
    elif old.routes is not None and new.routes is not None:
        out += _routes(old.routes, new.routes, ow, nw)
    else:
        _add(out, "expects", ow.condition(old.expect), nw.condition(new.expect))
        _add(out, "finding message", old.message, new.message, prose=True)
    out += _citation(old.citation, new.citation, "citation")
    _add(out, "notes", old.notes, new.notes, prose=True)
    return out + _other_fields(old, new, _RULE_FIELDS, "")


def _changed_condition(
    out: Changes, what: str, old: Condition | None, new: Condition | None, ow: _Words, nw: _Words
) -> None:
    if not _same(old, new):
        out.append(Change(what, ow.condition(old), nw.condition(new)))


def _trigger(old: Trigger, new: Trigger, ow: _Words, nw: _Words) -> Changes:
    out: Changes = []
    _add(out, "trigger event", old.event, new.event)
    _changed_condition(out, "trigger condition", old.where, new.where, ow, nw)
    a, b = old.count, new.count
    if a is None or b is None:
        if not _same(a, b):
            out.append(
                Change(
                    "count",
                    None if a is None else describe_count(a, old.event, ow.parties),
                    None if b is None else describe_count(b, new.event, nw.parties),
                )
            )
    else:
        _add(out, "count threshold", _threshold(a), _threshold(b))
        _add(
            out,
            "count window",
            a.within.describe() if a.within else "none",
            b.within.describe() if b.within else "none",
        )
        _changed_condition(out, "counted events", a.where, b.where, ow, nw)
        _add(out, "count repeats", _REPEAT[a.repeat], _REPEAT[b.repeat])
        out += _other_fields(a, b, ("more_than", "at_least", "within", "where", "repeat"), "count ")
    return out + _other_fields(old, new, ("event", "where", "count"), "trigger ")


def _threshold(count: Count) -> str:
    if count.more_than is not None:
        return f"more than {count.more_than}"
    return f"at least {count.at_least}"


_REQUIREMENT_FIELDS = (
    "action",
    "description",
    "responsible",
    "copied_in",
    "due",
    "satisfied_by",
    "cancelled_by",
    "escalation",
)


def _requirement(
    old: Requirement, new: Requirement, ow: _Words, nw: _Words, prefix: str
) -> Changes:
    out: Changes = []
    _add(out, prefix + "action", old.action, new.action)
    if old.responsible != new.responsible:
        out.append(
            Change(prefix + "responsible", ow.party(old.responsible), nw.party(new.responsible))
        )
    if not _same_set(old.copied_in, new.copied_in):
        out.append(
            Change(prefix + "copied in", ow.party_list(old.copied_in), nw.party_list(new.copied_in))
        )
    _add(out, prefix + "description", old.description, new.description, prose=True)
    out += _due(old.due, new.due, ow, nw, prefix)
    if not _same_set(_alternatives(old.satisfied_by), _alternatives(new.satisfied_by)):
        out.append(
            Change(prefix + "met by", ow.matches(old.satisfied_by), nw.matches(new.satisfied_by))
        )
    if not _same_set(_alternatives(old.cancelled_by), _alternatives(new.cancelled_by)):
        out.append(
            Change(
                prefix + "cancelled by", ow.matches(old.cancelled_by), nw.matches(new.cancelled_by)
            )
        )
    a, b = old.escalation, new.escalation
    if a is None or b is None:
        if not _same(a, b):
            out.append(
                Change(
                    prefix + "escalation",
                    None if a is None else ow.escalation(a),
                    None if b is None else nw.escalation(b),
                )
            )
    else:
        p = prefix + "escalation "
        _add(out, p + "action", a.action, b.action)
        if a.responsible != b.responsible:
            out.append(Change(p + "responsible", ow.party(a.responsible), nw.party(b.responsible)))
        if not _same_set(a.copied_in, b.copied_in):
            out.append(
                Change(p + "copied in", ow.party_list(a.copied_in), nw.party_list(b.copied_in))
            )
        _add(out, p + "description", a.description, b.description, prose=True)
        out += _other_fields(a, b, ("action", "responsible", "copied_in", "description"), p)
    return out + _other_fields(old, new, _REQUIREMENT_FIELDS, prefix)


def _due(old: Due | None, new: Due | None, ow: _Words, nw: _Words, prefix: str) -> Changes:
    """A parameter's value is compared under parameters, so a rule naming the same
    parameter is unchanged here even when the value differs."""
    out: Changes = []
    if _same(old, new):
        return out
    if old is None or new is None or old.table is None or new.table is None:
        return [Change(prefix + "due", ow.due(old), nw.due(new))]
    olds = {c.label: c for c in old.table.cases}
    news = {c.label: c for c in new.table.cases}
    for label in [c.label for c in old.table.cases if c.label not in news]:
        out.append(
            Change(f"{prefix}due case '{label}'", _case(olds[label], ow.parties, False), None)
        )
    for label in [c.label for c in new.table.cases if c.label not in olds]:
        out.append(
            Change(f"{prefix}due case '{label}'", None, _case(news[label], nw.parties, False))
        )
    for label in [c.label for c in new.table.cases if c.label in olds]:
        a, b = olds[label], news[label]
        p = f"{prefix}due case '{label}' "
        _changed_condition(out, p + "when", a.when, b.when, ow, nw)
        _add(out, p + "within", a.within.describe(), b.within.describe())
        _add(out, p + "strength", a.strength or "the rule's", b.strength or "the rule's")
        out += _citation(a.citation, b.citation, p + "citation")
        out += _other_fields(a, b, ("label", "when", "within", "strength", "citation"), p)
    kept_old = [c.label for c in old.table.cases if c.label in news]
    kept_new = [c.label for c in new.table.cases if c.label in olds]
    if kept_old != kept_new:  # first match wins, so the order is part of the meaning
        out.append(Change(prefix + "due case order", ", ".join(kept_old), ", ".join(kept_new)))
    return out + _other_fields(old.table, new.table, ("cases",), prefix + "due table ")


def _routes(old: list[Route], new: list[Route], ow: _Words, nw: _Words) -> Changes:
    out: Changes = []
    olds = {r.name: r for r in old}
    news = {r.name: r for r in new}
    for route in old:
        if route.name not in news:
            out.append(Change(f"route {route.name}", ow.route(route), None))
    for route in new:
        if route.name not in olds:
            out.append(Change(f"route {route.name}", None, nw.route(route)))
    for route in new:
        if route.name not in olds:
            continue
        a, p = olds[route.name], f"route {route.name} "
        _changed_condition(out, p + "condition", a.when, route.when, ow, nw)
        _add(out, p + "strength", a.strength or "the rule's", route.strength or "the rule's")
        if a.require is None or route.require is None:
            if not _same(a.require, route.require):
                before = ow.requirement(a.require) if a.require else "nothing required"
                after = nw.requirement(route.require) if route.require else "nothing required"
                out.append(Change(p + "outcome", before, after))
        else:
            out += _requirement(a.require, route.require, ow, nw, p)
        out += _citation(a.citation, route.citation, p + "citation")
        out += _other_fields(a, route, ("name", "when", "require", "strength", "citation"), p)
    kept_old = [r.name for r in old if r.name in news]
    kept_new = [r.name for r in new if r.name in olds]
    if kept_old != kept_new:  # first match wins, so the order is part of the meaning
        out.append(Change("route order", ", ".join(kept_old), ", ".join(kept_new)))
    return out


# --- what two packs make of the same events ------------------------------------------------


def _when(moment: datetime | None) -> str:
    return moment.strftime("%a %Y-%m-%d %H:%M") if moment is not None else "no deadline"


def _obligation_words(o: Obligation) -> str:
    return (
        f"{o.child_id}: {o.action} by {o.responsible} for {', '.join(o.triggered_by)}, "
        f"{'due ' + _when(o.due) if o.due else 'no deadline'}, {o.status} (rule {o.rule})"
    )


def _finding_words(f: Finding) -> str:
    at = f" at {f.event}" if f.event else ""
    return f"{f.child_id}: {f.severity} {f.kind}{at}: {f.message} (rule {f.rule})"


@dataclass(frozen=True)
class ObligationChange:
    """The same obligation (child, trigger events, action) under both packs, differing."""

    old: Obligation
    new: Obligation
    changes: tuple[Change, ...]

    def words(self) -> str:
        o, n = self.old, self.new
        rule = o.rule if o.rule == n.rule else f"{o.rule} -> {n.rule}"
        return f"{n.child_id}: {n.action} for {', '.join(n.triggered_by)} (rule {rule})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "child_id": self.new.child_id,
            "action": self.new.action,
            "triggered_by": list(self.new.triggered_by),
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True)
class EvaluationDiff:
    """How the obligations and findings from one event stream differ between two packs."""

    old_pack: str
    new_pack: str
    as_of: datetime
    evaluated: int
    only_old: tuple[Obligation, ...]
    only_new: tuple[Obligation, ...]
    changed: tuple[ObligationChange, ...]
    findings_only_old: tuple[Finding, ...]
    findings_only_new: tuple[Finding, ...]
    rejected: tuple[Rejection, ...]

    @property
    def empty(self) -> bool:
        return not (
            self.only_old
            or self.only_new
            or self.changed
            or self.findings_only_old
            or self.findings_only_new
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_pack": self.old_pack,
            "new_pack": self.new_pack,
            "as_of": iso(self.as_of),
            "evaluated": self.evaluated,
            "differs": not self.empty,
            "obligations": {
                "only_old": [o.to_dict() for o in self.only_old],
                "only_new": [o.to_dict() for o in self.only_new],
                "changed": [c.to_dict() for c in self.changed],
            },
            "findings": {
                "only_old": [f.to_dict() for f in self.findings_only_old],
                "only_new": [f.to_dict() for f in self.findings_only_new],
            },
            "rejected": [r.to_dict() for r in self.rejected],
        }

    def _groups(self) -> list[tuple[str, list[str], list[list[str]]]]:
        """(heading, lines, sub-lines per line) for each group, in output order."""
        return [
            (
                f"obligations only under {self.old_pack}",
                [_obligation_words(o) for o in self.only_old],
                [[] for _ in self.only_old],
            ),
            (
                f"obligations only under {self.new_pack}",
                [_obligation_words(o) for o in self.only_new],
                [[] for _ in self.only_new],
            ),
            (
                "obligations under both, changed",
                [c.words() for c in self.changed],
                [[ch.text() for ch in c.changes] for c in self.changed],
            ),
            (
                f"findings only under {self.old_pack}",
                [_finding_words(f) for f in self.findings_only_old],
                [[] for _ in self.findings_only_old],
            ),
            (
                f"findings only under {self.new_pack}",
                [_finding_words(f) for f in self.findings_only_new],
                [[] for _ in self.findings_only_new],
            ),
        ]

    def _heading(self) -> str:
        return (
            f"{self.evaluated} events under {self.old_pack} and {self.new_pack}, "
            f"as of {iso(self.as_of)}"
        )

    def to_text(self) -> str:
        lines = [f"Events: {self._heading()}"]
        if self.empty:
            return "\n".join([*lines, "  no differences in obligations or findings"]) + "\n"
        for heading, items, subs in self._groups():
            if not items:
                continue
            lines.append(f"  {heading}")
            for item, sub in zip(items, subs, strict=True):
                lines.append(f"    {item}")
                lines.extend(f"      {s}" for s in sub)
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        out = ["## Events", "", md(self._heading()) + ".", ""]
        if self.empty:
            return "\n".join([*out, "No differences in obligations or findings.", ""])
        for heading, items, subs in self._groups():
            if not items:
                continue
            out += [f"### {md(heading[0].upper() + heading[1:])}", ""]
            for item, sub in zip(items, subs, strict=True):
                out.append(f"- {md(item)}")
                out += [f"  - {md(s)}" for s in sub]
            out.append("")
        return "\n".join(out)


def _obligation_changes(old: Obligation, new: Obligation) -> Changes:
    out: Changes = []
    _add(out, "due", _when(old.due), _when(new.due))
    _add(out, "status", old.status, new.status)
    _add(out, "responsible", old.responsible, new.responsible)
    _add(
        out, "copied in", ", ".join(old.copied_in) or "nobody", ", ".join(new.copied_in) or "nobody"
    )
    _add(out, "strength", old.strength, new.strength)
    return out


def _pair_up(
    old: Sequence[Any],
    new: Sequence[Any],
    old_key: Callable[[Any], Any],
    new_key: Callable[[Any], Any],
) -> tuple[list[Any], list[Any], list[tuple[Any, Any]]]:
    """Items matched by key (in order where a key repeats), and the rest on either side."""
    waiting: dict[Any, list[int]] = {}
    for i, item in enumerate(old):
        waiting.setdefault(old_key(item), []).append(i)
    pairs: list[tuple[Any, Any]] = []
    paired: set[int] = set()
    only_new: list[Any] = []
    for item in new:
        queue = waiting.get(new_key(item))
        if queue:
            i = queue.pop(0)
            paired.add(i)
            pairs.append((old[i], item))
        else:
            only_new.append(item)
    only_old = [item for i, item in enumerate(old) if i not in paired]
    return only_old, only_new, pairs


def _finding_event(finding: Finding) -> str:
    """The event a finding is about; for lateness, the trigger named in the obligation id."""
    if finding.obligation is not None:
        return finding.obligation.split("/", 1)[-1]
    return finding.event or ""


def diff_evaluations(
    old: Evaluation, new: Evaluation, rule_pairs: Mapping[str, str] | None = None
) -> EvaluationDiff:
    """Compare two evaluations of the same events.

    Obligations match by child, trigger events and action. Findings match by child, kind,
    event and rule, with old rule ids mapped through ``rule_pairs`` (old id -> new id,
    from :meth:`PackDiff.rule_pairs`) so a renamed rule's findings still match.
    """
    pairs = rule_pairs or {}

    def obligation_key(o: Obligation) -> tuple[str, tuple[str, ...], str]:
        return o.child_id, o.triggered_by, o.action

    only_old, only_new, both = _pair_up(
        old.obligations, new.obligations, obligation_key, obligation_key
    )
    changed = []
    for a, b in both:
        changes = _obligation_changes(a, b)
        if changes:
            changed.append(ObligationChange(a, b, tuple(changes)))

    def old_finding_key(f: Finding) -> tuple[str, str, str, str]:
        return f.child_id, f.kind, _finding_event(f), pairs.get(f.rule, f.rule)

    def new_finding_key(f: Finding) -> tuple[str, str, str, str]:
        return f.child_id, f.kind, _finding_event(f), f.rule

    findings_old, findings_new, _both = _pair_up(
        old.findings, new.findings, old_finding_key, new_finding_key
    )
    seen: set[tuple[str | None, str | None, str]] = set()
    rejected = []
    for r in (*old.account.rejected, *new.account.rejected):
        if (r.where, r.event_id, r.reason) not in seen:
            seen.add((r.where, r.event_id, r.reason))
            rejected.append(r)
    return EvaluationDiff(
        old_pack=old.pack.id,
        new_pack=new.pack.id,
        as_of=new.as_of,
        evaluated=new.account.evaluated,
        only_old=tuple(only_old),
        only_new=tuple(only_new),
        changed=tuple(changed),
        findings_only_old=tuple(findings_old),
        findings_only_new=tuple(findings_new),
        rejected=tuple(rejected),
    )


__all__ = [
    "Change",
    "EvaluationDiff",
    "ObligationChange",
    "PackDiff",
    "describe_condition",
    "describe_count",
    "describe_due",
    "diff_evaluations",
    "diff_packs",
]
