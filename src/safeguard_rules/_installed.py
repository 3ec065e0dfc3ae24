"""What is installed, read from the ``*.dist-info`` directories on ``sys.path`` without
importing ``importlib.metadata`` (whose import, with the email parser it brings, costs
about as much as compiling a bundled pack: benchmarks/README.md, start-up, sixth round).

Only the plain case is read here: directories on ``sys.path`` and the standard path
finder. Anything else (a zip or egg on the path, another finder that can report
distributions, two candidates in one directory, a file that cannot be read) gets
:data:`ASK`, and the caller asks ``importlib.metadata``, so the answers are always that
module's own (tests/test_registry.py and tests/test_prebuilt.py compare them).
"""

from __future__ import annotations

import os
import re
import sys
from typing import Final


class Ask:
    """Not known here: ask ``importlib.metadata``."""

    def __repr__(self) -> str:
        return "ASK"


ASK: Final = Ask()
_INFO = (".dist-info", ".egg-info")


def _plain_path() -> list[str] | None:
    """The ``sys.path`` directories distributions are found in, in order; None when a
    distribution could be found some other way than this module reads."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and hasattr(finder, "find_distributions"):
            return None
    directories = []
    for entry in sys.path:
        path = entry or "."
        if os.path.isdir(path):
            directories.append(path)
        elif os.path.exists(path):
            return None  # a zip or egg file: importlib.metadata reads inside it
    return directories


def _infos(directory: str) -> list[str] | None:
    """The distribution directories in ``directory``; None for an ``.egg`` among them."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    found = []
    for name in names:
        low = name.lower()
        if low.endswith(".egg"):
            return None
        if low.endswith(_INFO):
            found.append(name)
    return found


def _normalized(name: str) -> str:
    # As importlib.metadata's Prepared.normalize: runs of -_. as one _, lower case.
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def may_offer_entry_points(group: str) -> bool:
    """False only when no installed distribution can have an entry point in ``group``
    (none names it in its ``entry_points.txt``), so ``importlib.metadata.entry_points``
    would find none; True when one may (or this cannot tell): ask it then."""
    directories = _plain_path()
    if directories is None:
        return True
    for directory in directories:
        infos = _infos(directory)
        if infos is None:
            return True
        for info in infos:
            path = os.path.join(directory, info, "entry_points.txt")
            try:
                with open(path, encoding="utf-8") as file:
                    if group in file.read():
                        return True
            except FileNotFoundError:
                continue
            except (OSError, ValueError):
                return True
    return False


def version(distribution: str) -> str | Ask | None:
    """The installed version of ``distribution`` as ``importlib.metadata.version`` gives it
    (the Version header of the first distribution of that name on the path), None when
    none is installed, or :data:`ASK`."""
    directories = _plain_path()
    if directories is None:
        return ASK
    wanted = _normalized(distribution)
    for directory in directories:
        infos = _infos(directory)
        if infos is None:
            return ASK
        matches = [
            info
            for info in infos
            if _normalized(info.rpartition(".")[0].partition("-")[0]) == wanted
        ]
        if not matches:
            continue
        if len(matches) > 1 or not matches[0].lower().endswith(".dist-info"):
            return ASK  # which one importlib.metadata takes depends on the listing order
        try:
            with open(os.path.join(directory, matches[0], "METADATA"), encoding="utf-8") as file:
                for line in file:
                    if line in ("\n", "\r\n"):
                        break  # the end of the headers
                    if line.startswith("Version:"):
                        return line.removeprefix("Version:").strip()
        except (OSError, ValueError):
            pass
        return ASK
    return None


def pydantic_version() -> str | None:
    """The installed pydantic's version (what stored models are stamped with), read
    without importing it when that can be done; None when it is not installed."""
    found = version("pydantic")
    if isinstance(found, Ask):
        import pydantic

        return str(pydantic.VERSION)
    return found


def source_stamp(module: str) -> str | None:
    """What stored models made from the library's module ``module`` (a file name beside
    this one) must have been made by: its SHA-256 and the pydantic version; None when either
    cannot be read (then a stored model is never used)."""
    import hashlib
    from pathlib import Path

    try:
        source = (Path(__file__).parent / module).read_bytes()
    except OSError:
        return None
    version = pydantic_version()
    if version is None:
        return None
    return f"sha256:{hashlib.sha256(source).hexdigest()} pydantic:{version}"
