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
from typing import TYPE_CHECKING, Any, overload

from ._diagnose import WRONG_TYPE, diagnostic_at, diagnostics_from
from ._errors import PackValidationError, UnknownIdError
from ._files import UNREADABLE, FileReadError, inside, read_text
from ._limits import DEFAULT_LIMITS, PackLimits
from ._overlay import ResolveName, expand
from ._pack_base import FrozenDict
from ._plain_pack import real_model
from ._positions import Positions
from ._prebuilt import prebuilt_pack, read_pack

if TYPE_CHECKING:  # a bundled pack is compiled from its plain model, without pydantic
    from ._pack import Pack

Loc = tuple[str | int, ...]


class _Model:
    """The ``pack`` field: given the validated model, or a bundled pack's plain one
    (``_plain_pack``), it reads as the validated model, built from the plain one on first
    use (lint, diff and docs want pydantic's; compiling reads ``spec``)."""

    @overload
    def __get__(self, document: None, owner: type) -> Any: ...
    @overload
    def __get__(self, document: PackDocument, owner: type) -> Pack: ...
    def __get__(self, document: PackDocument | None, owner: type) -> Any:
        if document is None:
            raise AttributeError("pack")  # no default: the dataclass field is required
        pack: Pack = real_model(document.__dict__["_spec"])
        return pack

    def __set__(self, document: PackDocument, pack: Pack) -> None:
        document.__dict__["_spec"] = pack


@dataclass(frozen=True, eq=False)
class PackDocument:
    """A pack as written: its model, each value's place, and the packs it extends."""

    file: str  # the file read (an overlay's own file)
    if TYPE_CHECKING:
        pack: Pack
    else:
        pack: Pack = _Model()  # a descriptor (see _Model), not a default
    positions: Positions  # an overlay's values come from several files: they say which
    extends: str | None = None  # the base pack's id, for an overlay
    lineage: tuple[str, ...] = ()  # ids of the bases, nearest first
    # source id -> directory of the pack file that declares the source (an overlay's base's,
    # or its own): a source's ``file`` is relative to it.
    source_dirs: Mapping[str, str] = field(default_factory=dict)
    # source id -> the source text's file, checked to be inside the declaring pack's tree
    source_paths: Mapping[str, Path] = field(default_factory=dict)
    limits: PackLimits = DEFAULT_LIMITS

    def __post_init__(self) -> None:
        # A compiled pack hands its document out: its mappings are read-only too, so
        # nothing reached through a CompiledPack can change what it says or where.
        freeze = object.__setattr__
        freeze(self, "source_dirs", FrozenDict(self.source_dirs))
        freeze(self, "source_paths", FrozenDict(self.source_paths))
        where = self.positions
        freeze(
            self,
            "positions",
            Positions(where.file, FrozenDict(where.spots), FrozenDict(where.files)),
        )

    def own(self, loc: Loc) -> bool:
        """Whether the value at ``loc`` is written in this file, not inherited by an overlay."""
        return self.positions.place(loc)[0] == self.positions.file

    def source_dir(self, source_id: str) -> Path:
        """The directory a source's ``file`` is relative to."""
        return Path(self.source_dirs.get(source_id) or Path(self.file).parent)

    def source_path(self, source_id: str) -> Path:
        """Where the captured text of a source should be (the file may be missing);
        raises KeyError for an id that is not a source of this pack."""
        for source in spec_of(self).pack.sources:
            if source.id == source_id:
                return self.source_dir(source_id) / source.file
        raise UnknownIdError(f"pack {spec_of(self).pack.id!r} has no source {source_id!r}")

    def read_source(self, source_id: str) -> str:
        """The captured text of a source, read as safely as the pack itself: a regular
        file inside the pack's tree, at most ``limits.max_source_bytes``, UTF-8.

        Raises FileReadError (why it cannot be read) or KeyError (not a source here).
        """
        path = self.source_paths.get(source_id)
        if path is None:
            self.source_path(source_id)  # KeyError for an unknown id
            raise FileReadError(UNREADABLE, "no file")
        return read_text(path, self.limits.max_source_bytes)


def spec_of(document: PackDocument) -> Pack:
    """What compiling reads: ``document.pack``, or for a bundled pack the plain model that
    stands for it (the same values, without pydantic: _plain_pack)."""
    spec: Pack = document.__dict__["_spec"]
    return spec


@dataclass(frozen=True)
class Merged:
    """A pack file's plain data with any overlay merged in: not yet validated."""

    data: Any
    positions: Positions
    extends: str | None
    lineage: tuple[str, ...]
    roots: Mapping[str, Path]  # file -> the directory tree it may refer into
    limits: PackLimits


def build_for_loading() -> None:
    """Build Pack's validator (``_pack.build_for_loading``): imported and built only for
    a pack that is validated."""
    from ._pack import build_for_loading as build

    build()


def read_merged(
    path: Path, resolve_name: ResolveName, limits: PackLimits = DEFAULT_LIMITS
) -> Merged:
    """Read a pack file and merge it onto its base if it is an overlay; raises PackError."""
    data, positions = read_pack(path, limits)  # a bundled pack's prebuilt reading, or parsed
    return merge(data, positions, resolve_name, limits)


def merge(data: Any, positions: Positions, resolve_name: ResolveName, limits: PackLimits) -> Merged:
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
    # an overlay onto its base; else as it is
    expanded = expand(data, positions, resolve_name, limits=limits)
    return Merged(
        expanded.data,
        expanded.positions,
        expanded.extends,
        expanded.lineage,
        expanded.roots,
        limits,
    )


def validate(merged: Merged) -> PackDocument:
    """The merged data checked against the pack format; raises PackValidationError."""
    # A bundled pack's prebuilt reading holds the model it validates to: built, not
    # validated again (no validator to build either; _prebuilt says when it is used).
    pack = prebuilt_pack(merged.data)
    if pack is None:
        from pydantic import ValidationError

        from ._pack import DOCUMENT, Pack

        build_for_loading()
        try:
            pack = Pack.model_validate(merged.data, context=DOCUMENT)
        except ValidationError as exc:
            raise PackValidationError(
                diagnostics_from(exc, merged.data, merged.positions, Pack)
            ) from exc
    positions = merged.positions
    source_dirs: dict[str, str] = {}
    source_paths: dict[str, Path] = {}
    problems = []
    for i, source in enumerate(pack.pack.sources):
        declared_in = positions.place(("pack", "sources", i))[0]
        directory = Path(declared_in).parent
        source_dirs[source.id] = str(directory)
        root = merged.roots.get(declared_in, directory.resolve())
        try:
            source_paths[source.id] = inside(root, directory, source.file, "file")
        except FileReadError as exc:
            problems.append(
                diagnostic_at(positions, ("pack", "sources", i, "file"), exc.message, exc.code)
            )
    if problems:
        raise PackValidationError(problems)
    return PackDocument(
        positions.file,
        pack,
        positions,
        merged.extends,
        merged.lineage,
        source_dirs,
        source_paths,
        merged.limits,
    )


def read_document(
    path: Path, resolve_name: ResolveName, limits: PackLimits = DEFAULT_LIMITS
) -> PackDocument:
    """Read, merge and validate the pack at ``path``; raises PackError."""
    return validate(read_merged(path, resolve_name, limits))


def document_from_text(
    text: str, file: str, resolve_name: ResolveName, limits: PackLimits = DEFAULT_LIMITS
) -> PackDocument:
    """As :func:`read_document`, for text that claims to come from ``file`` (an overlay's
    base path, and a source's file, are relative to it)."""
    from ._yaml import read_yaml_text  # the parser: imported when text is to be parsed

    data, positions = read_yaml_text(text, file, limits)
    return validate(merge(data, positions, resolve_name, limits))
