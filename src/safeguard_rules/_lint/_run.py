"""Running validate and lint over packs: which files, which checks, and the report.

Only packs that load are linted: checks over a half-valid pack would report the echoes
of its load errors (a role misspelt where it is used is also a role unused).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import computed_field

from .. import _wire
from .._compile import compile_pack
from .._errors import (
    Diagnostic,
    PackError,
    PackNotFoundError,
    UnknownCheckError,
    did_you_mean,
    known_list,
)
from .._files import path_list
from .._limits import DEFAULT_LIMITS, PackLimits
from .._loading import load_document
from .._prebuilt import bundled_dir
from .._registry import resolve_pack
from ._check import LintedPack, SourcePlace
from .checks import CHECKS


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


@dataclass(frozen=True, slots=True)
class LintSummary:
    """The counts of a lint or validate run: packs, errors, warnings."""

    packs: int
    errors: int
    warnings: int


LINT_FORMAT: Final = "safeguard-rules/lint-report/1"


@dataclass(frozen=True)
class LintReport:
    """The diagnostics of a run, sorted by place, and a summary per pack."""

    packs: tuple[PackSummary, ...]
    diagnostics: tuple[Diagnostic, ...]
    checks: tuple[str, ...]  # the lint checks that ran (none for validate)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def format(self) -> Literal["safeguard-rules/lint-report/1"]:
        """The JSON document's format and its version (docs/output.md)."""
        return LINT_FORMAT

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> LintSummary:
        return LintSummary(len(self.packs), self.errors, self.warnings)

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
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]

    def to_json(self) -> str:
        """The JSON document (indented, keys sorted, a final newline)."""
        return _wire.document(self)


def pack_files(names: Iterable[str | Path]) -> list[Path]:
    """The pack files ``names`` stand for: bundled names, files, and directories (every
    ``*.yaml`` directly in one, scenario files ``*.scenarios.yaml`` excepted), each once.

    Raises PackNotFoundError for a name that is none of these or a directory with no pack.
    """
    found: list[Path] = []
    for name in path_list(names):
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


BUNDLED = "bundled"  # in ``against``: every bundled pack


def validate_packs(
    names: Iterable[str | Path], *, limits: PackLimits = DEFAULT_LIMITS
) -> LintReport:
    """Whether each pack loads: YAML syntax, the pack format, and every name it uses.

    ``limits`` bounds what reading each pack may cost (docs/limits.md)."""
    return _run(pack_files(names), (), (), limits)


def lint_packs(
    names: Iterable[str | Path],
    *,
    disable: Collection[str] = (),
    against: Iterable[str | Path] = (),
    limits: PackLimits = DEFAULT_LIMITS,
) -> LintReport:
    """:func:`validate_packs`, then every lint check not in ``disable``.

    Cross-pack checks compare each pack with the other packs of the run only, unless
    ``against`` names more packs to compare with (pack names, files or directories, or
    :data:`BUNDLED` for every bundled pack): those are compared with but not linted. The
    bundled packs are examples, not an authority a local pack must agree with.
    """
    run = checks_to_run(disable)
    return _run(pack_files(names), run, tuple(against), limits)


def _run(
    files: Sequence[Path],
    run: Sequence[str],
    against: Sequence[str | Path],
    limits: PackLimits = DEFAULT_LIMITS,
) -> LintReport:
    loaded = [_load(f, limits) for f in files]
    linted = [subject for _f, subject, _d in loaded if subject is not None]
    every: list[Diagnostic] = []
    extra: list[LintedPack] = []
    if run and against:
        extra, unloadable = _comparison_packs(files, linted, against)
        every.extend(unloadable)
    summaries: list[PackSummary] = []
    for file, subject, found in loaded:
        if subject is not None:
            others = [p for p in (*linted, *extra) if p is not subject]
            for check_id in run:
                check = CHECKS[check_id]
                if check.run is None:
                    continue
                for place, message in check.run(subject, others):
                    if isinstance(place, SourcePlace):
                        where, line, column = place.file, place.line, place.column
                    elif subject.own(place):
                        where = str(file)
                        line, column = subject.positions.locate(place)
                    else:
                        continue  # an overlay's inherited value: its base's own lint says it
                    found.append(Diagnostic(where, line, column, message, check.level, check.id))
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
    return LintReport(tuple(summaries), tuple(sorted(set(every))), tuple(run))


def _load(
    file: Path, limits: PackLimits = DEFAULT_LIMITS
) -> tuple[Path, LintedPack | None, list[Diagnostic]]:
    """The pack at ``file`` as the checks see it, or None and why it does not load.

    Only packs that load are linted: checks over a half-valid pack would report the
    echoes of its load errors (a role misspelt where it is used is also a role unused).
    """
    try:
        document = load_document(file, limits=limits)
        compiled = compile_pack(document)  # what load_pack does, on the same document
    except PackError as exc:
        return file, None, list(exc.diagnostics)
    # An overlay's values come from several files: the document's positions say which.
    return file, LintedPack(str(file), document.pack, document.positions, compiled, document), []


def _comparison_packs(
    files: Sequence[Path], linted: Sequence[LintedPack], against: Sequence[str | Path]
) -> tuple[list[LintedPack], list[Diagnostic]]:
    """The packs ``against`` names that are not in the run (by file, or by id: a copy in
    the run replaces one), and the load problems of any that does not load."""
    names: list[str | Path] = []
    for name in against:
        if str(name) != BUNDLED:
            names.append(name)
        elif bundled_dir().is_dir():  # an install without the examples has none to compare
            names.append(bundled_dir())
    in_run = {f.resolve() for f in files}
    ids = {p.pack.pack.id for p in linted}
    extras: list[LintedPack] = []
    problems: list[Diagnostic] = []
    for path in pack_files(names):
        if path.resolve() in in_run:
            continue
        stat = path.stat()
        extra, found = _cached_load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        problems.extend(found)
        if extra is not None and extra.pack.pack.id not in ids:
            ids.add(extra.pack.pack.id)
            extras.append(dataclasses.replace(extra, in_run=False))
    return extras, problems


@functools.lru_cache(maxsize=32)
def _cached_load(
    file: str, _mtime_ns: int, _size: int
) -> tuple[LintedPack | None, tuple[Diagnostic, ...]]:
    # Keyed by modification time and size, so an edited pack is read again.
    _file, subject, found = _load(Path(file))
    return subject, tuple(found)
