"""The bundled packs' prebuilt readings and holiday tables: data made from the packs by
the library itself, so loading a bundled pack needs neither the YAML parser nor the
``holidays`` package.

Two kinds of file are kept in ``policies/compiled/`` (shipped inside the wheel with the
packs) and written by ``python tests/prebuilt_gen.py``. tests/test_prebuilt.py fails when
one made from a pack's current text is not what the reader gives now, or one is of another
format or library version; a reading of an earlier text of its pack (the pack edited, the
generator not run) is checked to be unused:

* ``NAME.json``: what the YAML reader (``_yaml``) makes of ``NAME.yaml``, its plain values
  and each value's line and column, stamped with the format, the library version and the
  SHA-256 of the YAML text. :func:`read_pack` uses it instead of parsing only when all
  three match (and the reading limits are the defaults, under which it was made); any
  edit to the YAML, another library version, or a missing or unreadable file sends the
  pack through the parser as before. Beside the reading it holds the Pack model the
  reading validates to (a pack that is not an overlay and is valid), as a tree of typed
  values (``_pack.model_tree``), and that model's canonical dump (the content hash's
  input), stamped with the SHA-256 of the pack models' source (``_pack.py``) and the
  pydantic version: when those match too, loading builds the model from the tree
  (:func:`prebuilt_pack`) instead of building Pack's validator and validating, and the
  content hash is taken from the dump (:func:`prebuilt_dump`). Otherwise the reading is
  validated as any pack is. Merging and compiling are the same code either way, so the
  compiled pack, its content hash, every result and every error are those of the YAML
  path.
* ``holidays.json``: each bundled pack's public holidays (country and subdivision) for the
  years :data:`HOLIDAY_YEARS`, exactly as :func:`library_holidays` computes them, stamped
  with the ``holidays`` version they came from (the version every result records). The
  calendar uses a year of it only when the installed ``holidays`` is that version; other
  years, other places and other versions ask the ``holidays`` package, imported then.

A user's own pack file (anything outside the bundled directory) is parsed, unless it is
loaded through its compiled form (``safeguard-rules compile``: :func:`compiled_text`,
:func:`read_compiled`): the same reading and stored model, in one file beside the YAML.
Nothing here is code: the files are JSON, read with ``json``; never pickled or evaluated.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import weakref
from datetime import date
from pathlib import Path
from typing import Any

from . import _installed
from ._errors import Diagnostic, PackSyntaxError, declare
from ._event_table import EVENTS_FILE, events_text
from ._files import FileReadError, read_text
from ._limits import DEFAULT_LIMITS, PackLimits
from ._plain_pack import plain_pack
from ._positions import Positions

# The prebuilt files' format; a reader of another format ignores them. 3: the stored model
# with each model's field names and stored member values (plain models, _plain_pack).
FORMAT = 3
# The years whose public holidays are kept; the library computes any other year.
HOLIDAY_YEARS = range(2000, 2041)
COMPILED = "compiled"  # the directory beside the bundled packs
HOLIDAYS_FILE = "holidays.json"


def bundled_dir() -> Path:
    """Where the shipped packs are: inside the installed package, or in a checkout."""
    inside = Path(__file__).parent / "policies"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / "policies"


def library_version() -> str:
    # The package is imported before any of its modules; reading its version from it
    # keeps this reader below the package's face in the import stages.
    return str(sys.modules[__package__].__version__)


# --- pack readings ---------------------------------------------------------------------


def read_pack(path: Path, limits: PackLimits = DEFAULT_LIMITS) -> tuple[Any, Positions]:
    """A pack file's plain values and positions: the prebuilt reading of a bundled pack
    when it is the reading of this very text, a compiled pack's (``*.json``,
    :func:`read_compiled`), else the YAML reader's. Raises PackError as the reader does.
    Callers must not change the values returned (they are shared)."""
    if path.suffix == COMPILED_SUFFIX:
        return read_compiled(path, limits)
    if limits == DEFAULT_LIMITS:
        reading = _prebuilt_reading(path)
        if reading is not None:
            _by_data[id(reading.data)] = reading
            return reading.data, reading.positions
    from ._yaml import read_pack_file  # the parser, only when it is needed

    return read_pack_file(path, limits)


def reading_file(pack: Path) -> Path:
    """Where the prebuilt reading of ``pack`` is (or would be)."""
    return pack.parent / COMPILED / f"{pack.stem}.json"


class _Reading:
    """A current prebuilt reading: the reader's values and positions, and the validated
    model stored with them (or None)."""

    __slots__ = ("__weakref__", "data", "positions", "validated")

    def __init__(self, data: Any, positions: Positions, validated: Any) -> None:
        self.data = data
        self.positions = positions
        self.validated = validated  # {"models", "tree", "dump"}, or None


# The readings handed out, by the identity of their data (weak: a reading the cache drops
# is forgotten; the identity check below makes a reused id harmless).
_by_data: weakref.WeakValueDictionary[int, _Reading] = weakref.WeakValueDictionary()
# The models built from them, by identity, with their stored dumps (dropped with the model;
# single dict operations, no lock: a lock taken here could be wanted again by a callback
# the garbage collector runs while it is held).
_dumps: dict[int, tuple[weakref.ref[Any], Any]] = {}


def prebuilt_pack(data: Any) -> Any:
    """The Pack model ``data`` validates to, as plain models (``_plain_pack``: no
    pydantic; the pydantic model is built from the same tree when asked for), from the
    prebuilt reading it came from (the very object :func:`read_pack` returned, not a copy
    or a merge), when that reading holds one made by the installed pack models; else
    None: validate ``data``.

    Each call builds a new model, as validating would: a model (and what it holds) is
    never shared between two loads."""
    reading = _by_data.get(id(data))
    if reading is None or reading.data is not data:
        return None
    validated = reading.validated
    if not isinstance(validated, dict) or validated.get("models") != models_stamp():
        return None  # none stored, or made by other pack models: validate instead
    try:
        dump = validated["dump"]
        pack = plain_pack(validated, functools.partial(_remember, dump=dump))
    except (ValueError, KeyError, TypeError, IndexError, RecursionError):
        return None
    _remember(pack, dump)
    return pack


def prebuilt_dump(pack: Any) -> Any:
    """The canonical dump (``_pack.canonical_dump``) of a Pack :func:`prebuilt_pack` built,
    as the reading stores it; None for any other pack."""
    found = _dumps.get(id(pack))
    if found is None or found[0]() is not pack:
        return None
    return found[1]


def _remember(pack: Any, dump: Any) -> None:
    # The plain model and, once built, the pydantic one: either is hashed from the dump.
    key = id(pack)

    def forget(ref: weakref.ref[Any]) -> None:
        if _dumps.get(key, (None,))[0] is ref:
            _dumps.pop(key, None)

    _dumps[key] = (weakref.ref(pack, forget), dump)


@functools.cache
def models_stamp() -> str | None:
    """What the stored models were made by: the SHA-256 of the pack models' source and
    the pydantic version (None when the source cannot be read: never use a stored model),
    both read without importing them."""
    return _installed.source_stamp("_pack.py")


def _prebuilt_reading(path: Path) -> _Reading | None:
    if path.suffix != ".yaml" or path.resolve().parent != bundled_dir().resolve():
        return None
    try:
        text = read_text(path, DEFAULT_LIMITS.max_file_bytes)
        stored = read_text(reading_file(path), 16 * DEFAULT_LIMITS.max_file_bytes)
    except FileReadError:
        return None  # the reader reports an unreadable pack in its own words
    return _reading(str(path), text, stored, library_version())


@functools.lru_cache(maxsize=32)
def _reading(file: str, text: str, stored: str, library: str) -> _Reading | None:
    try:
        raw = json.loads(stored)
        if raw["format"] != FORMAT or raw["library"] != library or raw["sha256"] != _sha256(text):
            return None
        spots = {tuple(path): (line, column) for path, line, column in raw["spots"]}
        return _Reading(raw["data"], Positions(file, spots), raw["validated"])
    except (ValueError, KeyError, TypeError, RecursionError):
        return None  # not a reading this version wrote: parse the pack instead


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reading_text(pack: Path) -> str:
    """The prebuilt reading of ``pack`` (a bundled pack file, or any pack a compiled pack
    is made of), as its JSON file holds it.

    Raises PackError if the pack cannot be read, and ValueError if its values would not
    come back from JSON exactly as the reader gave them."""
    from ._yaml import read_yaml_file

    data, positions = read_yaml_file(pack, DEFAULT_LIMITS)
    if positions.files:
        raise ValueError(f"{pack}: a reading of one file has no spots in other files")
    document = {
        "format": FORMAT,
        "library": library_version(),
        "file": pack.name,
        "sha256": _sha256(read_text(pack, DEFAULT_LIMITS.max_file_bytes)),
        "data": data,
        "spots": [[list(path), line, column] for path, (line, column) in positions.spots.items()],
        "validated": _validated(data),
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    back = json.loads(text)
    if not same_values(back["data"], data):
        raise ValueError(f"{pack}: its values do not survive JSON exactly (a non-text key?)")
    if not same_values(back["validated"], document["validated"]):
        raise ValueError(f"{pack}: its validated model does not survive JSON exactly")
    return text


def _validated(data: Any) -> dict[str, Any] | None:
    """The Pack model ``data`` validates to, as :func:`prebuilt_pack` builds it back, with
    its canonical dump; None for a pack that does not validate (loading reports why, as
    for any pack), an overlay among them (its ``extend`` is not a key of Pack: its base
    may change without it)."""
    from pydantic import ValidationError

    from ._pack import DOCUMENT, Pack, _model_classes, build_for_loading, canonical_dump

    build_for_loading()
    try:
        validated = Pack.model_validate(data, context=DOCUMENT)
    except ValidationError:
        return None
    classes = _model_classes()
    members = {name: _members(cls, set(classes.values())) for name, cls in classes.items()}
    computed: list[dict[str, Any]] = []
    _answers(validated, members, computed, {})
    return {
        "models": models_stamp(),
        "tree": _tree(validated),
        "dump": canonical_dump(validated),
        # What the plain models (_plain_pack) need to stand for the models: each model's
        # fields, the pack models it derives from, its properties and argument-free
        # methods, and what each of those gave for each model of the tree (post-order).
        "fields": {name: list(cls.model_fields) for name, cls in classes.items()},
        "lineage": {
            name: [c.__name__ for c in cls.__mro__ if c in classes.values()]
            for name, cls in classes.items()
        },
        "members": {name: [list(m) for m in listed] for name, listed in members.items()},
        "computed": computed,
    }


def _tree(value: Any, built: dict[int, int] | None = None) -> Any:
    """``_pack.model_tree``; in a member's value, a tuple as ``["tuple", [...]]`` and a
    model of the tree as ``["ref", its place in post-order]`` (``built``)."""
    from ._pack import model_tree

    if built is not None:
        if id(value) in built:
            return ["ref", built[id(value)]]
        if type(value) in (tuple, list):
            items = [_tree(v, built) for v in value]
            return ["tuple" if type(value) is tuple else "list", items]
    return model_tree(value)


def _members(cls: type, models: set[type]) -> list[tuple[str, str]]:
    """The public properties and argument-free methods of a pack model, by name."""
    import inspect

    found: dict[str, str] = {}
    for klass in cls.__mro__:
        if klass not in models:
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in found:
                continue
            if isinstance(value, property):
                found[name] = "property"
            elif inspect.isfunction(value):
                parameters = list(inspect.signature(value).parameters.values())[1:]
                if all(p.default is not p.empty for p in parameters):
                    found[name] = "method"
    return sorted(found.items())


def _answers(
    value: Any, members: dict[str, list[tuple[str, str]]], out: list[Any], built: dict[int, int]
) -> None:
    """Each model's member values in ``value``, post-order (as _plain_pack reads them);
    ``built``: each model's place in that order, by identity."""
    from ._pack import _Strict

    if isinstance(value, _Strict):
        for name in type(value).model_fields:
            inner = value.__dict__[name]
            if inner is not None:
                _answers(inner, members, out, built)
        entry: dict[str, Any] = {}
        for member, how in members[type(value).__name__]:
            try:
                found = getattr(value, member)
                entry[member] = _tree(found() if how == "method" else found, built)
            except Exception:  # noqa: S112 - the model raises: the plain one asks it again
                continue
        built[id(value)] = len(out)
        out.append(entry)
    elif isinstance(value, list):
        for inner in value:
            _answers(inner, members, out, built)
    elif isinstance(value, dict):
        for inner in value.values():
            _answers(inner, members, out, built)


def same_values(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down, mappings in the same order (``==``
    alone takes True for 1 and 1.0 for 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_values(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_values(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# --- compiled packs: any pack's reading, shipped as one file ----------------------------
#
# ``safeguard-rules compile PACK -o FILE`` writes what the bundled packs keep in
# policies/compiled/ for any pack, as one file a deployment ships beside the pack's YAML
# (docs/registry.md, "Compiled packs"). Two lines of JSON:
#
#   {"compiled": "safeguard-rules pack", "file": ..., "sha256": ..., "format": ...,
#    "library": ..., "digest": "sha256:<of the second line>"}
#   <the prebuilt reading of the YAML file, as reading_text writes it>
#
# ``file`` is the YAML file, relative to the compiled file's directory: it is still read
# (not parsed) on every load, to check that it is the text that was compiled, and it is
# the file every message, source and overlay base is relative to. The digest is checked
# before the reading is decoded, so a file damaged or edited after it was written is
# refused, not half-used. The file is data: JSON read with ``json``, at most
# COMPILED_SIZE_FACTOR x the pack size limit; never pickled or evaluated.

COMPILED_SUFFIX = ".json"
COMPILED_KIND = "safeguard-rules pack"
# A reading holds each value's position too: about four times the YAML text's bytes.
COMPILED_SIZE_FACTOR = 16
STALE_COMPILED = declare(
    "stale-compiled-pack",
    "a compiled pack whose YAML file changed after it was compiled (compile it again)",
)
DAMAGED_COMPILED = declare(
    "damaged-compiled-pack",
    "a .json file given as a pack that is not a compiled pack, or was changed after it was "
    "written (its digest does not match)",
)


def compiled_text(pack: Path, out: Path) -> str:
    """The compiled pack of the YAML file ``pack``, to be written at ``out``.

    Raises PackError if the pack cannot be read (callers load it first, so a pack that
    does not load is reported as loading reports it), ValueError as :func:`reading_text`."""
    body = reading_text(pack)
    raw = json.loads(body)
    relative = Path(os.path.relpath(pack.resolve(), out.resolve().parent)).as_posix()
    header = {
        "compiled": COMPILED_KIND,
        "file": relative,
        "sha256": raw["sha256"],
        "format": raw["format"],
        "library": raw["library"],
        "digest": f"sha256:{_sha256(body)}",
    }
    return json.dumps(header, ensure_ascii=False) + "\n" + body


def read_compiled(path: Path, limits: PackLimits = DEFAULT_LIMITS) -> tuple[Any, Positions]:
    """A compiled pack's reading, as :func:`read_pack` gives the YAML file's.

    Its YAML file is read and hashed (not parsed). Refused with a located PackError when
    the file is not a compiled pack or was changed after it was written
    (``damaged-compiled-pack``), when the YAML file cannot be read, and when the YAML
    text is not the one compiled (``stale-compiled-pack``). Made by another library
    version, or read under other limits than the defaults it was made under: the YAML
    file is parsed instead (the same pack; only slower)."""
    header, body = _compiled_parts(path)
    yaml = path.parent / header["file"]
    try:
        text = read_text(yaml, limits.max_file_bytes)
    except FileReadError as exc:
        raise _compiled_error(
            path,
            f"it was compiled from {header['file']!r}, which cannot be read ({exc.message}): "
            "ship the pack's YAML file with its compiled form",
            exc.code,
        ) from exc
    if header["sha256"] != _sha256(text):
        raise _compiled_error(
            path,
            f"{header['file']!r} has changed since this file was compiled from it: compile it "
            f"again (safeguard-rules compile {yaml} -o {path}), or load the .yaml file",
            STALE_COMPILED,
        )
    library = library_version()
    if limits != DEFAULT_LIMITS or header["format"] != FORMAT or header["library"] != library:
        from ._yaml import read_pack_file  # the YAML text itself: the same pack

        return read_pack_file(yaml, limits)
    reading = _reading(str(yaml), text, body, library)
    if reading is None:
        raise _compiled_error(path, "its reading does not match its first line", DAMAGED_COMPILED)
    _by_data[id(reading.data)] = reading
    return reading.data, reading.positions


def _compiled_parts(path: Path) -> tuple[dict[str, Any], str]:
    """A compiled pack's first line, checked, and its reading's text (checked against the
    digest, not decoded)."""
    try:
        text = read_text(path, COMPILED_SIZE_FACTOR * DEFAULT_LIMITS.max_file_bytes)
    except FileReadError as exc:
        raise _compiled_error(path, exc.message, exc.code, exc.line, exc.column) from exc
    first, _, body = text.partition("\n")
    damaged = "not a compiled pack (write one with: safeguard-rules compile PACK.yaml -o FILE.json)"
    try:
        header = json.loads(first) if first.startswith("{") else None
    except (ValueError, RecursionError):
        header = None
    if not isinstance(header, dict) or header.get("compiled") != COMPILED_KIND:
        raise _compiled_error(path, damaged, DAMAGED_COMPILED)
    file = header.get("file")
    shapes = (("sha256", str), ("format", int), ("library", str), ("digest", str))
    if (
        not isinstance(file, str)
        or Path(file).suffix not in (".yaml", ".yml")
        or Path(file).is_absolute()
        or not all(isinstance(header.get(key), kind) for key, kind in shapes)
    ):
        raise _compiled_error(path, "its first line is not a compiled pack's", DAMAGED_COMPILED)
    if header["digest"] != f"sha256:{_sha256(body)}":
        raise _compiled_error(
            path,
            "it was changed after it was written (its digest does not match): compile the "
            f"pack again (safeguard-rules compile {path.parent / file} -o {path})",
            DAMAGED_COMPILED,
            line=2,
        )
    return header, body


def _compiled_error(
    path: Path, message: str, code: str, line: int = 1, column: int = 1
) -> PackSyntaxError:
    return PackSyntaxError([Diagnostic(str(path), line, column, message, code=code)])


# --- holiday tables --------------------------------------------------------------------

Place = tuple[str, str | None]  # a holiday country and subdivision


def library_holidays(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    """A year's public holidays from the ``holidays`` package, as the calendar uses them:
    a plain dict (the package's object expands itself lazily, which is not safe to share
    between threads; a computed dict is)."""
    import holidays

    table = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return {day: str(name) for day, name in table.items()}


def known_holidays(country: str, subdivision: str | None, year: int) -> dict[date, str] | None:
    """The year's holidays from the prebuilt table, when it holds them and was made by the
    installed ``holidays``; else None. Callers must not change the dict returned."""
    years = _holiday_tables(library_version(), holidays_version()).get((country, subdivision))
    return None if years is None else years.get(year)


def known_place(country: str, subdivision: str | None) -> bool:
    """Whether the prebuilt table, made by the installed ``holidays``, holds this place
    (which that version of the package therefore accepts)."""
    return (country, subdivision) in _holiday_tables(library_version(), holidays_version())


@functools.cache
def holidays_version() -> str | None:
    """The installed ``holidays`` version, as every result's engine stamp records it
    (``importlib.metadata.version``, which ``holidays`` itself reports too): read from its
    METADATA without importing ``importlib.metadata`` when ``_installed`` can."""
    found = _installed.version("holidays")
    if not isinstance(found, _installed.Ask):
        return found
    from importlib import metadata

    try:
        distribution = metadata.distribution("holidays")
    except metadata.PackageNotFoundError:
        return None
    # The Version header of its METADATA, read directly: version() parses the whole file
    # (the package's long description included) with the email parser, 5-30 ms.
    for line in (distribution.read_text("METADATA") or "").splitlines():
        if not line:
            break  # the end of the headers
        if line.startswith("Version:"):
            return line.removeprefix("Version:").strip()
    return distribution.version


@functools.lru_cache(maxsize=4)
def _holiday_tables(library: str, version: str | None) -> dict[Place, dict[int, dict[date, str]]]:
    file = bundled_dir() / COMPILED / HOLIDAYS_FILE
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
        if raw["format"] != FORMAT or raw["library"] != library:
            return {}
        if version is None or raw["holidays"] != version:
            return {}
        return {
            (entry["country"], entry["subdivision"]): {
                int(year): {date.fromisoformat(day): name for day, name in days.items()}
                for year, days in entry["years"].items()
            }
            for entry in raw["tables"]
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # no table this version can use: the package computes every year


def holidays_text(places: list[Place]) -> str:
    """The holiday table of ``places`` for :data:`HOLIDAY_YEARS`, as its JSON file holds
    it, from the installed ``holidays``."""
    document = {
        "format": FORMAT,
        "library": library_version(),
        "holidays": holidays_version(),
        "years": [HOLIDAY_YEARS.start, HOLIDAY_YEARS.stop - 1],
        "tables": [
            {
                "country": country,
                "subdivision": subdivision,
                "years": {
                    str(year): {
                        day.isoformat(): name
                        for day, name in library_holidays(country, subdivision, year).items()
                    }
                    for year in HOLIDAY_YEARS
                },
            }
            for country, subdivision in sorted(places, key=lambda p: (p[0], p[1] or ""))
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def bundled_places(directory: Path) -> list[Place]:
    """The holiday countries and subdivisions the packs in ``directory`` name."""
    from ._yaml import read_yaml_file

    places: set[Place] = set()
    for pack in sorted(directory.glob("*.yaml")):
        data, _ = read_yaml_file(pack, DEFAULT_LIMITS)
        calendar = data.get("calendar") if isinstance(data, dict) else None
        chosen = calendar.get("public_holidays") if isinstance(calendar, dict) else None
        if isinstance(chosen, dict) and isinstance(chosen.get("country"), str):
            places.add((chosen["country"], chosen.get("subdivision")))
    return sorted(places, key=lambda p: (p[0], p[1] or ""))


def prebuilt_files(directory: Path) -> dict[Path, str]:
    """Every prebuilt file for the packs in ``directory``, path -> the text it should hold."""
    files = {reading_file(pack): reading_text(pack) for pack in sorted(directory.glob("*.yaml"))}
    files[directory / COMPILED / HOLIDAYS_FILE] = holidays_text(bundled_places(directory))
    files[directory / COMPILED / EVENTS_FILE] = events_text()
    return files
