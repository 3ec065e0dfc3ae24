"""Where each value of a pack stands: the table the YAML reader fills and every later
stage (merging, validation, compiling, lint) reads. Its own module, so a pack read from
its prebuilt form (``_prebuilt``) has positions without importing the YAML reader."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Path_ = tuple[str | int, ...]
Spot = tuple[int, int]


@dataclass(frozen=True)
class Positions:
    """Where each value of a YAML document stands: path -> (line, column), 1-based.

    Filled in while a document is read or merged; a PackDocument keeps a read-only copy."""

    file: str
    spots: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # An overlay's merged pack holds values from several files: the file of each spot
    # that is not in ``file``.
    files: dict[Path_, str] = field(default_factory=dict)

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        return self.place(path)[1:]

    def place(self, path: Sequence[str | int]) -> tuple[str, int, int]:
        """The file, line and column of ``path``, or of its nearest ancestor that has one."""
        key = tuple(path)
        while key and key not in self.spots:
            key = key[:-1]
        line, column = self.spots.get(key, (1, 1))
        return self.files.get(key, self.file), line, column
