"""What a diff finds: frozen records of the differences, with their stable JSON form.

Nothing here decides what differs (``_describe``, ``_outcomes``) or how it is shown
(``_render``); these are the values passed between them and to importing systems.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .._compile import CompiledPack
from .._pack import Citation
from .._result import Finding, Obligation, Rejection, iso


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

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
        }

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
        return {
            "pack": {"changed": len(self.pack)},
            "calendar": {"changed": len(self.calendar)},
            "agencies": self.agencies.counts(),
            "roles": self.roles.counts(),
            "parameters": self.parameters.counts(),
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
        return to_json(self.to_dict())


@dataclass(frozen=True)
class ObligationChange:
    """The same obligation (child, trigger events, action) under both packs, differing."""

    old: Obligation
    new: Obligation
    changes: tuple[Change, ...]

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


def to_json(data: Any) -> str:
    """The JSON form every diff output uses: sorted keys, indented, UTF-8 kept."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
