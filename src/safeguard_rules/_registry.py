"""Finding packs: by path, by name across providers, and by jurisdiction and date.

Providers
    ``safeguard-rules`` provides the bundled packs (``policies/``). Any installed
    distribution can provide more through the entry-point group ``safeguard_rules.packs``:
    the entry point's object is a module or package (the ``*.yaml`` files in its
    directory are packs), or a callable returning a directory or an iterable of pack
    files. A pack's name is its file stem.

Resolution
    A path (``*.yaml``/``*.yml``, or an existing file) always wins. Otherwise the name is
    looked up across providers; where two offer the same name that is an error naming
    both, and ``provider:name`` (``my-la-packs:child_protection``) picks one. A provider
    whose entry point fails is reported in ``Registry.problems`` and skipped, so other
    names still resolve.

Versions
    Each pack is a version of its jurisdiction's procedure, in force from
    ``effective_from`` to ``effective_to`` (both inclusive; open-ended when null).
    :func:`select_pack` picks the version in force on a day. Where an overlay and a pack
    it extends are both in force, the overlay is the one chosen.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, cached_property
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from . import _installed
from ._document import read_merged
from ._errors import (
    Diagnostic,
    PackError,
    PackNotFoundError,
    PackValidationError,
    did_you_mean,
    known_list,
)
from ._files import pack_path
from ._overlay import ResolveName
from ._prebuilt import bundled_dir

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

ENTRY_POINT_GROUP = "safeguard_rules.packs"
BUNDLED_PROVIDER = "safeguard-rules"
_ONE_DAY = timedelta(days=1)


class AmbiguousPackError(PackNotFoundError):
    """Two providers offer packs of the same name: give ``provider:name`` or the path."""


class PackSelectionError(PackNotFoundError):
    """Not exactly one version of a jurisdiction is in force on a day (none, or overlapping)."""


def bundled_packs() -> list[str]:
    """Names of the packs shipped with the library."""
    return [p.stem for p in _pack_files_in(bundled_dir())]


@dataclass(frozen=True)
class PackEntry:
    """A pack file a provider offers under a name."""

    name: str
    provider: str  # the distribution's name, e.g. safeguard-rules
    path: Path
    entry_point: str | None = None  # "name = module:attribute"; None for the bundled packs

    @property
    def qualified(self) -> str:
        return f"{self.provider}:{self.name}"


@dataclass(frozen=True)
class ProviderProblem:
    """An entry point that could not be used; its packs are skipped."""

    provider: str
    entry_point: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.provider}: entry point '{self.entry_point}' (group {ENTRY_POINT_GROUP}) "
            f"{self.message}; its packs are skipped"
        )


@dataclass(frozen=True)
class PackVersion:
    """A registered pack as one version of its jurisdiction's procedure."""

    entry: PackEntry
    id: str
    jurisdiction: str
    version: str
    effective_from: date
    effective_to: date | None
    lineage: tuple[str, ...] = ()  # ids of the packs it extends, nearest first

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def span(self) -> str:
        if self.effective_to is None:
            return f"from {self.effective_from}"
        return f"{self.effective_from} to {self.effective_to}"

    def describe(self) -> str:
        return f"{self.entry.name} ({self.span()})"


@dataclass(frozen=True)
class Unreadable:
    """A registered pack whose metadata could not be read, so it is no jurisdiction's version."""

    entry: PackEntry
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Period:
    """The days one version decides: ``start`` to ``end`` inclusive (None: open-ended)."""

    version: PackVersion
    start: date
    end: date | None


@cache
def _pack_head() -> Any:
    """A model of only the ``pack:`` metadata, enough to place a pack among its
    jurisdiction's versions: defined (with pydantic) when a version is first read."""
    from pydantic import BaseModel, ConfigDict

    from ._pack import Metadata

    class _PackHead(BaseModel):
        model_config = ConfigDict(extra="ignore", defer_build=True)  # built when first read
        pack: Metadata

    return _PackHead


@dataclass(frozen=True)
class Registry:
    """The packs every provider offers; build it with :func:`discover_packs`."""

    entries: tuple[PackEntry, ...]
    problems: tuple[ProviderProblem, ...] = ()

    def names(self) -> list[str]:
        return sorted({e.name for e in self.entries})

    def providers(self) -> list[str]:
        return sorted({e.provider for e in self.entries} | {p.provider for p in self.problems})

    # --- by name ----------------------------------------------------------------------

    def resolve(self, name_or_path: str | Path, *, suggest_jurisdictions: bool = True) -> Path:
        """The file for a path, a pack name or ``provider:name``; raises PackNotFoundError."""
        path = pack_path(name_or_path)
        if path is not None:
            return path
        name = str(name_or_path)
        provider, qualified, short = name.rpartition(":")
        if qualified:
            return self._from_provider(provider, short)
        offered = [e for e in self.entries if e.name == name]
        if len(offered) == 1:
            return offered[0].path
        if offered:
            raise AmbiguousPackError(_ambiguous(name, offered))
        raise PackNotFoundError(self._unknown(name, suggest_jurisdictions))

    def resolve_base(self, name: str) -> Path:
        """The file an overlay's ``extend`` names (a pack name or ``provider:name``)."""
        return self.resolve(name, suggest_jurisdictions=False)

    def _from_provider(self, provider: str, name: str) -> Path:
        wanted = _normalized(provider)
        offered = [e for e in self.entries if _normalized(e.provider) == wanted]
        failed = [p for p in self.problems if _normalized(p.provider) == wanted]
        if not offered:
            if failed:
                raise PackNotFoundError(f"pack provider {provider!r} did not load: {failed[0]}")
            providers = self.providers()
            raise PackNotFoundError(
                f"no pack provider {provider!r}{did_you_mean(provider, providers)}; "
                f"providers are: {known_list(providers)}"
            )
        found = [e for e in offered if e.name == name]
        if len(found) > 1:
            raise AmbiguousPackError(_ambiguous(f"{provider}:{name}", found))
        if not found:
            names = [e.name for e in offered]
            raise PackNotFoundError(
                f"{offered[0].provider} offers no pack named {name!r}{did_you_mean(name, names)}; "
                f"its packs are: {known_list(names)}"
            )
        return found[0].path

    def _unknown(self, name: str, suggest_jurisdictions: bool) -> str:
        names = self.names()
        note = ""
        if self.problems:
            failed = sorted({p.provider for p in self.problems})
            note = f" (not loaded: {', '.join(failed)}; see 'safeguard-rules packs')"
        if not suggest_jurisdictions:
            return (
                f"no pack named {name!r}{did_you_mean(name, names)}; packs are: "
                f"{known_list(names)}{note}"
            )
        jurisdictions = self.jurisdictions()
        if name in jurisdictions:
            versions = ", ".join(v.describe() for v in self.versions_of(name))
            return (
                f"{name!r} is a jurisdiction, not a pack; its versions are: {versions}; name "
                f"one, or choose by date (select_pack, or evaluate --jurisdiction {name})"
            )
        return (
            f"no pack named {name!r}{did_you_mean(name, [*names, *jurisdictions])}; packs are: "
            f"{known_list(names)}; jurisdictions are: {known_list(jurisdictions)}{note}; "
            "or give a path to a .yaml file"
        )

    # --- by jurisdiction and date -----------------------------------------------------

    @cached_property
    def _scan(self) -> tuple[tuple[PackVersion, ...], tuple[Unreadable, ...]]:
        versions: list[PackVersion] = []
        unreadable: list[Unreadable] = []
        for entry in self.entries:
            try:
                versions.append(_version_of(entry, self.resolve_base))
            except PackError as exc:
                unreadable.append(Unreadable(entry, exc.diagnostics))
        return tuple(versions), tuple(unreadable)

    @property
    def versions(self) -> tuple[PackVersion, ...]:
        """Every pack whose metadata reads, as a version of its jurisdiction."""
        return self._scan[0]

    @property
    def unreadable(self) -> tuple[Unreadable, ...]:
        return self._scan[1]

    def jurisdictions(self) -> list[str]:
        return sorted({v.jurisdiction for v in self.versions})

    def versions_of(self, jurisdiction: str) -> list[PackVersion]:
        """The jurisdiction's versions, oldest first; raises PackNotFoundError if none."""
        found = [v for v in self.versions if v.jurisdiction == jurisdiction]
        if found:
            return sorted(found, key=lambda v: (v.effective_from, v.entry.name, v.entry.provider))
        known = self.jurisdictions()
        hint = ""
        named = [v for v in self.versions if v.entry.name == jurisdiction]
        if named:
            hint = f"; {jurisdiction!r} is a pack, of jurisdiction {named[0].jurisdiction!r}"
        if self.unreadable:
            files = ", ".join(u.entry.name for u in self.unreadable)
            hint += f"; packs that could not be read: {files} (see 'safeguard-rules packs')"
        raise PackNotFoundError(
            f"no packs for jurisdiction {jurisdiction!r}{did_you_mean(jurisdiction, known)}; "
            f"jurisdictions are: {known_list(known)}{hint}"
        )

    def in_force(self, jurisdiction: str, day: date) -> PackVersion:
        """The version of ``jurisdiction`` in force on ``day``; raises PackSelectionError."""
        versions = self.versions_of(jurisdiction)
        chosen = _one_in_force(versions, day, jurisdiction)
        if chosen is None:
            raise PackSelectionError(
                f"no version of jurisdiction {jurisdiction!r} is in force on {day}; its "
                f"versions are: {', '.join(v.describe() for v in versions)}"
            )
        return chosen

    def periods(self, jurisdiction: str) -> tuple[Period, ...]:
        """The days each version decides, in order; gaps have no period.

        Raises PackSelectionError where two versions (neither extending the other) are in
        force on the same day, whether or not any event falls on it.
        """
        versions = self.versions_of(jurisdiction)
        bounds = sorted(
            {v.effective_from for v in versions}
            | {
                v.effective_to + _ONE_DAY
                for v in versions
                if v.effective_to not in (None, date.max)
            }
        )
        periods: list[Period] = []
        # Which versions are in force changes only at a bound, so one look per bound will do.
        for i, start in enumerate(bounds):
            end = bounds[i + 1] - _ONE_DAY if i + 1 < len(bounds) else None
            chosen = _one_in_force(versions, start, jurisdiction)
            if chosen is None:
                continue
            last = periods[-1] if periods else None
            if last is not None and last.version == chosen and last.end == start - _ONE_DAY:
                periods[-1] = Period(chosen, last.start, end)
            else:
                periods.append(Period(chosen, start, end))
        return tuple(periods)


def _ambiguous(name: str, offered: Sequence[PackEntry]) -> str:
    listed = "; ".join(f"{e.qualified} ({e.path})" for e in offered)
    pick = " or ".join(repr(e.qualified) for e in offered)
    return (
        f"pack name {name!r} is offered by more than one provider: {listed}; pick one with "
        f"provider:name ({pick}) or give the file's path"
    )


def _one_in_force(
    versions: Sequence[PackVersion], day: date, jurisdiction: str
) -> PackVersion | None:
    candidates = [v for v in versions if v.in_force(day)]
    extended = {base for v in candidates for base in v.lineage}
    chosen = [v for v in candidates if v.id not in extended]
    if len(chosen) > 1:
        listed = ", ".join(f"{v.entry.qualified} ({v.span()})" for v in chosen)
        raise PackSelectionError(
            f"{len(chosen)} versions of jurisdiction {jurisdiction!r} are in force on {day}: "
            f"{listed}; their effective dates overlap and neither extends the other; name "
            "the pack to use instead"
        )
    return chosen[0] if chosen else None


def _version_of(entry: PackEntry, resolve_base: ResolveName) -> PackVersion:
    from pydantic import ValidationError

    from ._diagnose import diagnostics_from
    from ._pack import DOCUMENT

    expanded = read_merged(entry.path, resolve_base)
    head_model = _pack_head()
    try:
        head = head_model.model_validate(expanded.data, context=DOCUMENT)
    except ValidationError as exc:
        raise PackValidationError(
            diagnostics_from(exc, expanded.data, expanded.positions, head_model)
        ) from exc
    meta = head.pack
    return PackVersion(
        entry,
        meta.id,
        meta.jurisdiction,
        meta.version,
        meta.effective_from,
        meta.effective_to,
        expanded.lineage,
    )


def _normalized(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()  # as PEP 503 compares names


# --- discovery -------------------------------------------------------------------------


def discover_packs() -> Registry:
    """The bundled packs and those of every installed provider of ``safeguard_rules.packs``."""
    entries = [PackEntry(p.stem, BUNDLED_PROVIDER, p) for p in _pack_files_in(bundled_dir())]
    problems: list[ProviderProblem] = []
    for point in sorted(_entry_points(), key=_provider_then_name):
        provider = _provider(point)
        label = f"{point.name} = {point.value}"
        try:
            files = _offered_files(point.load())
        except Exception as exc:  # a provider's import or callable may fail in any way
            problems.append(
                ProviderProblem(provider, label, f"failed: {type(exc).__name__}: {exc}")
            )
            continue
        if not files:
            problems.append(ProviderProblem(provider, label, "offers no *.yaml packs"))
        entries.extend(PackEntry(f.stem, provider, f, label) for f in files)
    seen: set[tuple[str, Path]] = set()
    unique: list[PackEntry] = []
    for entry in sorted(
        entries, key=lambda e: (e.name, e.provider != BUNDLED_PROVIDER, e.provider)
    ):
        key = (entry.name, entry.path.resolve())
        if key not in seen:  # one file offered twice is one pack, not a collision
            seen.add(key)
            unique.append(entry)
    return Registry(tuple(unique), tuple(problems))


def _entry_points() -> list[EntryPoint]:
    """The providers' entry points; ``importlib.metadata`` is asked (and imported) only
    when an installed distribution may declare one (``_installed``)."""
    if not _installed.may_offer_entry_points(ENTRY_POINT_GROUP):
        return []
    from importlib.metadata import entry_points

    return list(entry_points(group=ENTRY_POINT_GROUP))


def _provider(point: EntryPoint) -> str:
    return point.dist.name if point.dist is not None else point.module.partition(".")[0]


def _provider_then_name(point: EntryPoint) -> tuple[str, str]:
    return _provider(point), point.name


def _pack_files_in(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix == ".yaml" and p.is_file())


def _offered_files(offered: Any) -> list[Path]:
    """The pack files an entry point's object offers (see the module docstring)."""
    if isinstance(offered, ModuleType):
        directories = list(getattr(offered, "__path__", []))
        if not directories and getattr(offered, "__file__", None):
            directories = [str(Path(str(offered.__file__)).parent)]
        if not directories:
            raise TypeError(f"module {offered.__name__} has no directory")
        return [f for d in directories for f in _pack_files_in(Path(d))]
    if not callable(offered):
        raise TypeError(
            f"gives an object of type {type(offered).__name__}, not a module, a package or a "
            "callable"
        )
    given = offered()
    if isinstance(given, str | os.PathLike):
        directory = Path(given)
        if not directory.is_dir():
            raise ValueError(f"returned {directory}, which is not a directory")
        return _pack_files_in(directory)
    if not isinstance(given, Iterable):
        raise TypeError(
            f"returned an object of type {type(given).__name__}, not a directory or an "
            "iterable of pack files"
        )
    files = [Path(f) for f in given]
    for f in files:
        if f.suffix not in (".yaml", ".yml") or not f.is_file():
            raise ValueError(f"returned {f}, which is not a .yaml file")
    return files


# --- resolving ------------------------------------------------------------------------


def resolve_pack(name_or_path: str | Path) -> Path:
    """The file for a path, a pack name or ``provider:name`` (see the module docstring)."""
    return pack_path(name_or_path) or discover_packs().resolve(name_or_path)


def resolve_base(name: str) -> Path:
    """The file an overlay's ``extend`` names; the providers are discovered when asked."""
    return discover_packs().resolve_base(name)
