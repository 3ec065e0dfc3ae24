"""Which engine produced a result: safeguard-rules, and the data its deadlines depend on.

A deadline depends on the pack, and also on the holiday tables of ``holidays`` (which
corrects past dates between releases) and on the time-zone database (which corrects
offsets). Every evaluation records their versions beside the pack's stamp, so a result
that changes after an upgrade says why. The versions are read once per process.
"""

from __future__ import annotations

import functools
import os
import zoneinfo
from importlib import metadata
from pathlib import Path

from ._result import EngineStamp

UNKNOWN = "unknown"


def engine_stamp(zone: str) -> EngineStamp:
    """The stamp of this install, for results computed in the time zone ``zone``."""
    return EngineStamp(
        safeguard_rules=_distribution_version("safeguard-rules"),
        holidays=_distribution_version("holidays"),
        tzdata=tz_database_version(zone),
    )


@functools.cache
def _distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # run from a source tree without installing
        return UNKNOWN


@functools.cache
def tz_database_version(zone: str) -> str:
    """The IANA release (``2025b``) of the time-zone data ``ZoneInfo(zone)`` reads.

    As ``zoneinfo`` looks for it: the first directory of ``zoneinfo.TZPATH`` (the system's
    database) that has the zone's file, else the ``tzdata`` package. A system database
    that does not say its release gives ``unknown``.
    """
    for root in zoneinfo.TZPATH:
        if os.path.isfile(os.path.join(root, zone)):
            return _release_in(Path(root))
    try:
        import tzdata  # type: ignore[import-untyped]  # only where the system has none
    except ImportError:
        return UNKNOWN
    return str(tzdata.IANA_VERSION)


def _release_in(root: Path) -> str:
    # tzdata.zi (zic's text form, shipped by most Linux distributions) starts with
    # "# version 2025b"; macOS and some BSDs have a +VERSION file.
    try:
        with (root / "tzdata.zi").open(encoding="utf-8") as handle:
            first = handle.readline(100).split()
        if len(first) == 3 and first[:2] == ["#", "version"]:
            return first[2]
    except (OSError, UnicodeDecodeError):
        pass
    try:
        text = (root / "+VERSION").read_text(encoding="utf-8")[:100].strip()
    except (OSError, UnicodeDecodeError):
        return UNKNOWN
    return text or UNKNOWN
