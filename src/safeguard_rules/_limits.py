"""The limits on what a pack may make the loader do, in one place (docs/limits.md).

Packs are written by many hands and read by CI and by systems that import the library,
so reading one costs a bounded amount of time and memory whatever it holds: sizes are
checked before reading, and nesting and value counts while parsing. The defaults are
far above what any real pack needs (the largest bundled pack is 30 KB, 622 values, 9
levels deep). A caller that needs more says so explicitly, by passing a
:class:`PackLimits` to the loading functions; nothing raises a limit implicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._errors import ArgumentError

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class PackLimits:
    """What reading one pack (and what it refers to) may cost."""

    #: Largest pack or overlay file, checked before reading it.
    max_file_bytes: int = 1 * MIB
    #: Most values (scalars, lists, mappings, alias expansions counted in full) in one file.
    max_values: int = 20_000
    #: Deepest nesting of lists and mappings in one file.
    max_depth: int = 64
    #: Longest chain of overlays (``extend``), the pack itself included.
    max_extend_depth: int = 8
    #: Largest source text file (``sources[].file``) that lint reads to check quotes.
    max_source_bytes: int = 16 * MIB

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ArgumentError(f"PackLimits.{name} must be a positive whole number")


DEFAULT_LIMITS = PackLimits()

#: The widest source line shown under a diagnostic; a longer line is cut around the column
#: the diagnostic points at (a 5 MB line prints 160 characters, not 5 MB).
EXCERPT_CHARS = 160
