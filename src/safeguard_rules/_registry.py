"""Finding packs: by bundled name or by path."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._compile import CompiledPack, compile_file
from ._errors import PackNotFoundError, did_you_mean, known_list


def bundled_dir() -> Path:
    """Where the shipped packs are: inside the installed package, or in a checkout."""
    inside = Path(__file__).parent / "policies"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / "policies"


def bundled_packs() -> list[str]:
    """Names of the packs shipped with the library."""
    directory = bundled_dir()
    return sorted(p.stem for p in directory.glob("*.yaml")) if directory.is_dir() else []


def resolve_pack(name_or_path: str | Path) -> Path:
    """The file for a bundled pack name (the file stem under policies/) or a path to a pack file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        if not candidate.is_file():
            raise PackNotFoundError(f"no pack file at {candidate}")
        return candidate
    name = str(name_or_path)
    bundled = bundled_dir() / f"{name}.yaml"
    if bundled.is_file():
        return bundled
    known = bundled_packs()
    raise PackNotFoundError(
        f"no bundled pack named {name!r}{did_you_mean(name, known)}; bundled packs are: "
        f"{known_list(known)}; or give a path to a .yaml file"
    )


def load_pack(
    name_or_path: str | Path, *, parameters: Mapping[str, Any] | None = None
) -> CompiledPack:
    """Load, check and compile a pack; ``parameters`` overrides its local parameters.

    Raises PackNotFoundError, or PackError (with file:line:column diagnostics).
    """
    return compile_file(resolve_pack(name_or_path), parameters)
