"""What a diff finds: frozen records of the differences, with their stable JSON form.

Nothing here decides what differs (``_describe``, ``_outcomes``) or how it is shown
(``_render``); these are the values passed between them and to importing systems. Their
fields and computed fields are their JSON form, written by ``_wire`` like every result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import Field, computed_field

from .. import _wire
from .._compile import CompiledPack
from .._pack import Citation
from .._result import Finding, Obligation, Rejection

DIFF_FORMAT: Final = "safeguard-rules/pack-diff/1"


def _none(value: object) -> bool:
    return value is None


@dataclass(frozen=True)
class Change:
    """One difference in words: ``what: old -> new``.

    ``old`` is None for something added, ``new`` None for something removed. ``prose``
    marks quoted text (titles, quotes, notes, messages) that text output shortens.
    """

    what: str
    old: str | None
    new: str | None
    prose: Annotated[bool, Field(exclude=True)] = False


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


@dataclass(frozen=True)
class Item:
    """Something added or removed, with a word about what it is."""

    name: str
    summary: str


@dataclass(frozen=True)
class ItemChange:
    name: str
    changes: tuple[Change, ...]


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


@dataclass(frozen=True)
class RuleSummary:
    """An added or removed rule: what it does, in words."""

    id: str
    title: str
    strength: str
    lines: Annotated[tuple[str, ...], Field(serialization_alias="summary")]
    citation: Annotated[Citation | None, Field(exclude=True)]

    @computed_field(alias="citation")  # type: ignore[prop-decorator]
    @property
    def cited(self) -> DiffCitation | None:
        """The citation's source and quote (its note is the pack's, not the diff's)."""
        return (
            None
            if self.citation is None
            else DiffCitation(self.citation.source, self.citation.quote)
        )


@dataclass(frozen=True, slots=True)
class DiffCitation:
    """A rule's citation as a diff shows it: the source and the quote."""

    source: str
    quote: str


@dataclass(frozen=True)
class RuleChange:
    """A rule in both packs; ``old_id`` differs from ``id`` when it was renamed."""

    id: str
    old_id: str
    title: str
    paired_by: str | None  # why a renamed rule was taken for the same rule
    changes: tuple[Change, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def renamed(self) -> bool:
        return self.old_id != self.id


@dataclass(frozen=True, slots=True)
class RuleDiffs:
    """The rules added, removed and changed, and the ids of those unchanged."""

    added: tuple[RuleSummary, ...]
    removed: tuple[RuleSummary, ...]
    changed: tuple[RuleChange, ...]
    unchanged: tuple[str, ...]


@dataclass(frozen=True)
class PackDiff:
    """How ``new`` differs from ``old``, section by section.

    The pack ids are the names of the two sides (like file names in ``git diff``) and
    are not themselves a difference: a pack diffed with a copy of itself under another id
    is empty. ``events``, when given, is what the two packs make of one event stream.
    """

    old: PackSide
    new: PackSide
    pack: tuple[Change, ...]
    calendar: tuple[Change, ...]
    agencies: Section
    roles: Section
    parameters: Section
    rules_added: Annotated[tuple[RuleSummary, ...], Field(exclude=True)]
    rules_removed: Annotated[tuple[RuleSummary, ...], Field(exclude=True)]
    rules_changed: Annotated[tuple[RuleChange, ...], Field(exclude=True)]
    rules_unchanged: Annotated[tuple[str, ...], Field(exclude=True)]
    events: Annotated[EvaluationDiff | None, Field(exclude_if=_none)] = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def format(self) -> Literal["safeguard-rules/pack-diff/1"]:
        """The JSON document's format and its version (docs/output.md)."""
        return DIFF_FORMAT

    @computed_field  # type: ignore[prop-decorator]
    @property
    def differs(self) -> bool:
        return not self.empty

    @computed_field(alias="summary")  # type: ignore[prop-decorator]
    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """:meth:`summary`, in JSON."""
        return self.summary()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rules(self) -> RuleDiffs:
        return RuleDiffs(
            self.rules_added, self.rules_removed, self.rules_changed, self.rules_unchanged
        )

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
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]

    def to_json(self) -> str:
        """The JSON document (indented, keys sorted, a final newline)."""
        return _wire.document(self)


@dataclass(frozen=True)
class ObligationChange:
    """The same obligation (child, trigger events, action) under both packs, differing."""

    old: Obligation
    new: Obligation
    changes: tuple[Change, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def child_id(self) -> str:
        return self.new.child_id

    @computed_field  # type: ignore[prop-decorator]
    @property
    def action(self) -> str:
        return self.new.action

    @computed_field  # type: ignore[prop-decorator]
    @property
    def triggered_by(self) -> tuple[str, ...]:
        return self.new.triggered_by


@dataclass(frozen=True, slots=True)
class ObligationDiffs:
    """Obligations only one pack gives, and those both give differently."""

    only_old: tuple[Obligation, ...]
    only_new: tuple[Obligation, ...]
    changed: tuple[ObligationChange, ...]


@dataclass(frozen=True, slots=True)
class FindingDiffs:
    """Findings only one pack gives."""

    only_old: tuple[Finding, ...]
    only_new: tuple[Finding, ...]


@dataclass(frozen=True)
class EvaluationDiff:
    """How the obligations and findings from one event stream differ between two packs."""

    old_pack: str
    new_pack: str
    as_of: datetime
    evaluated: int
    only_old: Annotated[tuple[Obligation, ...], Field(exclude=True)]
    only_new: Annotated[tuple[Obligation, ...], Field(exclude=True)]
    changed: Annotated[tuple[ObligationChange, ...], Field(exclude=True)]
    findings_only_old: Annotated[tuple[Finding, ...], Field(exclude=True)]
    findings_only_new: Annotated[tuple[Finding, ...], Field(exclude=True)]
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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def differs(self) -> bool:
        return not self.empty

    @computed_field  # type: ignore[prop-decorator]
    @property
    def obligations(self) -> ObligationDiffs:
        return ObligationDiffs(self.only_old, self.only_new, self.changed)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def findings(self) -> FindingDiffs:
        return FindingDiffs(self.findings_only_old, self.findings_only_new)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]
