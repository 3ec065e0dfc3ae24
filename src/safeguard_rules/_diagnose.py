"""Turning pydantic validation errors into located, actionable diagnostics."""

from __future__ import annotations

import types
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from ._errors import LOAD_CODES, Diagnostic, declare, did_you_mean, known_list, shown
from ._positions import Positions

if TYPE_CHECKING:  # pydantic is imported when there is a problem to describe
    from pydantic import BaseModel, ValidationError

Loc = tuple[str | int, ...]

# Codes of the pack format's own checks, and codes more than one stage reports.
UNKNOWN_KEY = declare("unknown-key", "a key the format does not have (the allowed keys are listed)")
MISSING_KEY = declare("missing-key", "a required key is missing")
WRONG_TYPE = declare(
    "wrong-type", "a value of the wrong type: text where a number is needed, a number as text"
)
INVALID_VALUE = declare("invalid-value", "a value the format does not allow here")
DUPLICATE_ID = declare("duplicate-id", "two rules, sources, routes or packs share an id")
UNKNOWN_PARAMETER = declare(
    "unknown-parameter", "a deadline or an override names a parameter the pack does not define"
)


def clean_loc(data: Any, loc: Sequence[str | int]) -> Loc:
    """``loc`` without pydantic's union-member tags: only keys and indexes of ``data``."""
    kept: list[str | int] = []
    current = data
    for part in loc:
        in_mapping = isinstance(current, dict) and isinstance(part, str) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_mapping or in_list:
            kept.append(part)
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str) and not _is_tag(part):
            kept.append(part)  # a missing or extra key: keep it, it names the problem
            current = None
    return tuple(kept)


_TYPE_TAGS = frozenset({"bool", "int", "float", "str", "list", "dict", "none", "date", "time"})


def _is_tag(part: str) -> bool:
    # pydantic names union members and validators in locs: 'Ref', 'function-after[...]', 'bool'
    return part[:1].isupper() or "[" in part or part in _TYPE_TAGS


def model_keys(root: type[BaseModel], loc: Loc) -> list[str] | None:
    """The keys allowed by the model that stands at ``loc`` below ``root``."""
    current: Any = root
    for part in loc:
        current = _step(current, part)
        if current is None:
            return None
    model = _model_in(current)
    if model is None:
        return None
    return sorted(f.alias or name for name, f in model.model_fields.items())


def _model_in(annotation: Any) -> type[BaseModel] | None:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _step(annotation: Any, part: str | int) -> Any:
    origin = get_origin(annotation)
    if isinstance(part, int):
        for candidate in (annotation, *get_args(annotation)):
            if get_origin(candidate) is list:
                return get_args(candidate)[0]
        return None
    if origin is dict or any(get_origin(a) is dict for a in get_args(annotation)):
        target = (
            annotation
            if origin is dict
            else next(a for a in get_args(annotation) if get_origin(a) is dict)
        )
        return get_args(target)[1]
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _step(arg, part)
            if found is not None:
                return found
        return None
    model = _model_in(annotation)
    if model is None:
        return None
    for name, f in model.model_fields.items():
        if (f.alias or name) == part:
            return f.annotation
    return None


def diagnostics_from(
    exc: ValidationError, data: Any, positions: Positions, root: type[BaseModel]
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for error, loc in _problems(exc, data):
        line, col = positions.locate(loc)
        out.append(
            Diagnostic(
                positions.file, line, col, _message(error, loc, root), code=_code(error["type"])
            )
        )
    return out


def first_problem(exc: ValidationError, data: Any, root: type[BaseModel]) -> str:
    """The first problem ``exc`` finds in ``data`` (a value given in Python or on the
    command line, not in a file), in the words of :func:`diagnostics_from`."""
    error, loc = next(_problems(exc, data))
    return _message(error, loc, root).replace("(top level)", "the value")


def _problems(exc: ValidationError, data: Any) -> Iterator[tuple[Any, Loc]]:
    """Each error of ``exc`` with its place in ``data``, one per place."""
    seen: set[Loc] = set()
    errors = exc.errors()
    # An optional key's value is tried as "the value" and as "left out" (None); that the
    # value is not None says nothing the other member's error does not say better.
    errors = [e for e in errors if e["type"] != "none_required"] or errors
    for error in errors:
        loc = clean_loc(data, error["loc"])
        if loc in seen:
            continue  # a union reports one problem once per member; the first says enough
        seen.add(loc)
        yield error, loc


def _code(kind: str) -> str:
    """The code of a pydantic error type: one the pack format's own validators raise
    (``PydanticCustomError`` with a declared code), or one of pydantic's kinds."""
    if kind in LOAD_CODES:
        return kind
    if kind == "extra_forbidden":
        return UNKNOWN_KEY
    if kind == "missing":
        return MISSING_KEY
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return WRONG_TYPE
    return INVALID_VALUE


def _where(loc: Loc) -> str:
    parts = [str(p) if len(str(p)) <= 80 else str(p)[:77] + "..." for p in loc]
    if len(parts) > 16:  # deep nesting: the start and the end say where
        parts = [*parts[:8], "...", *parts[-6:]]
    return ".".join(parts) or "(top level)"


def _message(error: Any, loc: Loc, root: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden" and loc:
        key = str(loc[-1])
        allowed = model_keys(root, loc[:-1]) or []
        return (
            f"unknown key {shown(key)} in {_where(loc[:-1])}{did_you_mean(key, allowed)}; "
            f"allowed keys: {known_list(allowed, 40)}"
        )
    if kind == "missing" and loc:
        return f"missing required key {str(loc[-1])!r} in {_where(loc[:-1])}"
    message = str(error["msg"]).removeprefix("Value error, ")
    given = error.get("input")
    got = "" if isinstance(given, dict | list) or given is None else f" (got {shown(given)})"
    return f"{_where(loc)}: {message}{got}{_hint(kind, given)}"


def _hint(kind: str, given: Any) -> str:
    """What to write instead, for the type mistakes YAML makes easy."""
    if kind in ("int_type", "float_type") and isinstance(given, str):
        return "; a number is written without quotes"
    if kind in ("int_type", "float_type") and isinstance(given, bool):
        return "; write a number, not true or false"
    if kind == "bool_type" and isinstance(given, str):
        return "; write true or false (yes, no, on and off are text in YAML 1.2)"
    if kind == "bool_type" and isinstance(given, int | float):
        return "; write true or false, not a number"
    if kind == "string_type" and isinstance(given, int | float | bool):
        return '; text that looks like a number or true/false is quoted, e.g. "1"'
    return ""


def diagnostic_at(positions: Positions, loc: Loc, message: str, code: str) -> Diagnostic:
    line, col = positions.locate(loc)
    return Diagnostic(positions.file, line, col, message, code=code)
