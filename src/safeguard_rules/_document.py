"""Loading a pack document: read (YAML with positions) -> merge overlays -> validate.

A :class:`PackDocument` is a pack as its author wrote it: the validated model, where each
value stands (and, for an overlay, in which file), and what it extends. It is read once;
every later stage works on it: compile turns it into a CompiledPack without touching a
file, lint checks its model at its positions, diff compares two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._diagnose import WRONG_TYPE, diagnostic_at, diagnostics_from
from ._errors import PackValidationError
from ._overlay import ResolveName, expand
from ._pack import Pack
from ._yaml import Positions, read_pack_file, read_yaml_text

Loc = tuple[str | int, ...]


@dataclass(frozen=True, eq=False)
class PackDocument:
    """A pack as written: its model, each value's place, and the packs it extends."""

    file: str  # the file read (an overlay's own file)
    pack: Pack
    positions: Positions  # an overlay's values come from several files: they say which
    extends: str | None = None  # the base pack's id, for an overlay
    lineage: tuple[str, ...] = ()  # ids of the bases, nearest first
    # source id -> directory of the pack file that declares the source (an overlay's base's,
    # or its own): a source's ``file`` is relative to it.
    source_dirs: Mapping[str, str] = field(default_factory=dict)

    def own(self, loc: Loc) -> bool:
        """Whether the value at ``loc`` is written in this file, not inherited by an overlay."""
        return self.positions.place(loc)[0] == self.positions.file

    def source_dir(self, source_id: str) -> Path:
        """The directory a source's ``file`` is relative to."""
        return Path(self.source_dirs.get(source_id) or Path(self.file).parent)

    def source_path(self, source_id: str) -> Path:
        """Where the captured text of a source should be (the file may be missing);
        raises KeyError for an id that is not a source of this pack."""
        for source in self.pack.pack.sources:
            if source.id == source_id:
                return self.source_dir(source_id) / source.file
        raise KeyError(source_id)


@dataclass(frozen=True)
class Merged:
    """A pack file's plain data with any overlay merged in: not yet validated."""

    data: Any
    positions: Positions
    extends: str | None
    lineage: tuple[str, ...]


def read_merged(path: Path, resolve_name: ResolveName) -> Merged:
    """Read a pack file and merge it onto its base if it is an overlay; raises PackError."""
    data, positions = read_pack_file(path)
    return merge(data, positions, resolve_name)


def merge(data: Any, positions: Positions, resolve_name: ResolveName) -> Merged:
    if not isinstance(data, dict):
        raise PackValidationError(
            [
                diagnostic_at(
                    positions,
                    (),
                    "a pack is a mapping with keys pack, calendar, roles, parameters, rules",
                    code=WRONG_TYPE,
                )
            ]
        )
    expanded = expand(data, positions, resolve_name)  # an overlay onto its base; else as is
    return Merged(expanded.data, expanded.positions, expanded.extends, expanded.lineage)


def validate(merged: Merged) -> PackDocument:
    """The merged data checked against the pack format; raises PackValidationError."""
    try:
        pack = Pack.model_validate(merged.data)
    except ValidationError as exc:
        raise PackValidationError(
            diagnostics_from(exc, merged.data, merged.positions, Pack)
        ) from exc
    positions = merged.positions
    source_dirs = {
        source.id: str(Path(positions.place(("pack", "sources", i))[0]).parent)
        for i, source in enumerate(pack.pack.sources)
    }
    return PackDocument(
        positions.file, pack, positions, merged.extends, merged.lineage, source_dirs
    )


def read_document(path: Path, resolve_name: ResolveName) -> PackDocument:
    """Read, merge and validate the pack at ``path``; raises PackError."""
    return validate(read_merged(path, resolve_name))


def document_from_text(text: str, file: str, resolve_name: ResolveName) -> PackDocument:
    """As :func:`read_document`, for text that claims to come from ``file`` (an overlay's
    base path is relative to it)."""
    data, positions = read_yaml_text(text, file)
    return validate(merge(data, positions, resolve_name))
