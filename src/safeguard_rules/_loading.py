"""The loading pipeline composed: resolve -> read -> merge -> validate -> compile.

Each stage is its own module and imports only those below it; this one puts them
together for the public functions (:func:`load_pack`, :func:`select_pack`) and for the
commands that need the loaded document itself (lint, diff).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ._compile import CompiledPack, compile_pack
from ._document import PackDocument, document_from_text, read_document
from ._errors import ArgumentError
from ._files import pack_path
from ._limits import DEFAULT_LIMITS, PackLimits

# The registry (packs by name, providers, jurisdictions) is imported when a name is to be
# resolved: a pack given by its path, the usual case for a user's pack, does without its
# module and its dataclasses (benchmarks/startup.py).


def resolve_pack(name_or_path: str | Path) -> Path:
    """``_registry.resolve_pack``: a path as it is, a name through the registry."""
    path = pack_path(name_or_path)
    if path is not None:
        return path
    from ._registry import resolve_pack as by_name

    return by_name(name_or_path)


def resolve_base(name: str) -> Path:
    """``_registry.resolve_base``: the file an overlay's ``extend`` names."""
    from ._registry import resolve_base as by_name

    return by_name(name)


def load_document(name_or_path: str | Path, *, limits: PackLimits = DEFAULT_LIMITS) -> PackDocument:
    """The pack a path, name or ``provider:name`` names, read, merged and validated.

    Raises PackNotFoundError, or PackError with located diagnostics.
    """
    return read_document(resolve_pack(name_or_path), resolve_base, limits)


def load_pack(
    name_or_path: str | Path,
    *,
    parameters: Mapping[str, Any] | None = None,
    on: date | None = None,
    limits: PackLimits = DEFAULT_LIMITS,
) -> CompiledPack:
    """Load, check and compile a pack; ``parameters`` overrides its local parameters.

    With ``on``, ``name_or_path`` is a jurisdiction and the version in force on that day
    is loaded (:func:`select_pack`). Raises PackNotFoundError, or PackError (with
    file:line:column diagnostics). ``limits`` bounds what reading may cost
    (docs/limits.md); the defaults suit any real pack.
    """
    if on is not None:
        return select_pack(str(name_or_path), on, parameters=parameters, limits=limits)
    return compile_pack(load_document(name_or_path, limits=limits), parameters)


def select_pack(
    jurisdiction: str,
    on: date,
    *,
    parameters: Mapping[str, Any] | None = None,
    limits: PackLimits = DEFAULT_LIMITS,
) -> CompiledPack:
    """The version of ``jurisdiction`` in force on the day ``on``, compiled.

    Raises PackSelectionError when no version is in force that day or two overlap.
    """
    if isinstance(on, datetime):
        raise ArgumentError("'on' is a date: the local day in the jurisdiction's time zone")
    from ._registry import discover_packs

    registry = discover_packs()
    version = registry.in_force(jurisdiction, on)
    document = read_document(version.entry.path, registry.resolve_base, limits)
    return compile_pack(document, parameters)


def compile_text(
    text: str,
    file: str = "<text>",
    parameters: Mapping[str, Any] | None = None,
    *,
    limits: PackLimits = DEFAULT_LIMITS,
) -> CompiledPack:
    """A pack given as text, loaded as if read from ``file`` (an overlay's base path is
    relative to it) and compiled."""
    return compile_pack(document_from_text(text, file, resolve_base, limits), parameters)
