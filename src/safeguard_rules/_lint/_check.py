"""What a lint check is: an id, a default level, a summary, a documented run function.

Each check lives in its own module under ``checks/``. The module's docstring is the
check's documentation: what it looks for, then a passing and a failing example
(``Passes:`` / ``Fails:`` with fenced blocks). docs/lint.md is generated from these
docstrings and the tests run every example.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .._compile import CompiledPack
from .._document import PackDocument
from .._errors import Level
from .._pack import Pack
from .._positions import Positions

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class SourcePlace:
    """A place in a file other than the pack (a line of a captured source text)."""

    file: str
    line: int
    column: int


Problem = tuple[Loc | SourcePlace, str]  # where (in the pack, or another file), and what


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
    """A documented lint check: ``run(pack, other_packs)`` yields located problems.

    ``id`` is the check's code in every output (``--disable``, JSON, annotations); it is
    declared here, with the check, and never derived from a message's wording.
    """

    id: str
    level: Level
    summary: str
    doc: str
    run: CheckFunction | None  # None: enforced when the pack loads; cannot be disabled
    cross_pack: bool = field(default=False)  # compares the pack with other packs

    def __post_init__(self) -> None:
        object.__setattr__(self, "doc", inspect.cleandoc(self.doc))

    @property
    def at_load(self) -> bool:
        return self.run is None
