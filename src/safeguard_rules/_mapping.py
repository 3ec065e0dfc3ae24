"""Event mappings: foreign records renamed into the event vocabulary as they are read.

A case system or an export rarely speaks the vocabulary of ``docs/events.md``: its keys
are ``event_id`` and ``timestamp``, its types ``police_incident``, its categories
``physical``. An :class:`EventMapping` says, once, how such a record becomes an event:
source keys renamed to event fields, source type names to event types, source values to
event values, constant fields each event type needs and the source cannot give, and
source keys that are not read. Loading applies it to each record just before that
record is validated, so a file is read, renamed and validated in one pass, and every
record is still either an event or a located rejection (docs/mapping.md).

A mapping is data: a YAML file (:func:`load_mapping`) or the dataclass itself. It is
checked against the vocabulary when it is made, so a misspelt field or type is an error
with a did-you-mean, not a stream of rejections. The event types and their fields are
read from the core event table (``_event_table``: stored beside the bundled packs), and a
mapping file whose keys and values have the documented types is taken as it is: neither
pydantic nor the event models are imported to load a mapping. Anything else in the file
is checked by the pydantic model of the format (``_MappingFile``), whose located messages
are the errors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._errors import Diagnostic, SafeguardRulesError, did_you_mean
from ._event_table import core_table
from ._field_spec import FieldSpec
from ._positions import Positions

__all__ = [
    "EventMapping",
    "EventMappingError",
    "RecordMappingError",
    "load_mapping",
    "translator",
]

# Not a pack load code (docs/pack-format.md lists those): a mapping's own.
_MAPPING_CODE = "invalid-mapping"

Scalar = str | bool | int | float

_FROM_EACH_RECORD = frozenset({"type", "id", "child_id", "at"})


class EventMappingError(SafeguardRulesError):
    """An event mapping that cannot be used; ``diagnostics`` says where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class RecordMappingError(ValueError):
    """One record that the mapping cannot rename (the message quotes no value)."""


def _frozen(table: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(table))


@dataclass(frozen=True)
class EventMapping:
    """How a foreign record becomes an event, applied to each record before validation.

    In order: keys in ``ignore`` are dropped; keys in ``fields`` are renamed (source key ->
    event field; keys not listed keep their names); the ``type`` value is translated by
    ``types`` (source type name -> event type; names not listed pass unchanged); each
    field in ``values`` has its value translated (source value -> event value; values not
    listed pass unchanged); then ``constants[type]`` fills the fields that type needs and
    the record lacks (a field the record has keeps the record's value).
    """

    fields: Mapping[str, str] = field(default_factory=dict)
    types: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[Scalar, Any]] = field(default_factory=dict)
    constants: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    source: str = "<mapping>"  # where it was read, for messages

    def __post_init__(self) -> None:
        problems = _problems(self.fields, self.types, self.values, self.constants, self.ignore)
        if problems:
            raise EventMappingError(
                [Diagnostic(self.source, 1, 1, p, code=_MAPPING_CODE) for _path, p in problems]
            )
        object.__setattr__(self, "fields", _frozen(self.fields))
        object.__setattr__(self, "types", _frozen(self.types))
        object.__setattr__(self, "values", _frozen({k: _frozen(v) for k, v in self.values.items()}))
        object.__setattr__(
            self, "constants", _frozen({k: _frozen(v) for k, v in self.constants.items()})
        )
        object.__setattr__(self, "ignore", frozenset(self.ignore))

    def __reduce__(self) -> tuple[Any, ...]:
        # The tables are read-only views, which pickle cannot copy: rebuild from dicts (a
        # mapping travels to Dask workers).
        return (
            EventMapping,
            (
                dict(self.fields),
                dict(self.types),
                {k: dict(v) for k, v in self.values.items()},
                {k: dict(v) for k, v in self.constants.items()},
                self.ignore,
                self.source,
            ),
        )

    def renamer(self) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
        """The per-record function: a source record -> the record to validate.

        Raises :class:`RecordMappingError` when two source keys would give one field.
        """
        rename = dict(self.fields)
        ignore = self.ignore
        translate = translator(self)
        # A source key that is kept under its own name and is also a rename target would
        # give one field twice: only records holding such a key need the slow check.
        clashing = frozenset(t for t in rename.values() if t not in rename)

        def apply(record: Mapping[str, Any]) -> dict[str, Any]:
            if ignore:
                out = {rename.get(k, k): v for k, v in record.items() if k not in ignore}
            else:
                out = {rename.get(k, k): v for k, v in record.items()}
            if clashing and not clashing.isdisjoint(record):
                _check_clash(record, rename, ignore)
            return translate(out)

        return apply


def translator(mapping: EventMapping) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The second half of :meth:`EventMapping.renamer`: a record whose keys are renamed
    (and ignored keys dropped) -> the record to validate, its type and values translated
    and its constants filled in, in place."""
    types = dict(mapping.types)
    values = [(name, dict(table)) for name, table in mapping.values.items()]
    constants = {kind: dict(table) for kind, table in mapping.constants.items()}

    def translate(out: dict[str, Any]) -> dict[str, Any]:
        kind = out.get("type")
        if (type(kind) is str or isinstance(kind, str)) and kind in types:
            kind = out["type"] = types[kind]
        for name, table in values:
            if name in out:
                value = out[name]
                if isinstance(value, Scalar) and value in table:
                    out[name] = table[value]
        if isinstance(kind, str) and kind in constants:
            for name, value in constants[kind].items():
                out.setdefault(name, value)
        return out

    return translate


@functools.cache
def _vocabulary() -> tuple[dict[str, dict[str, FieldSpec]], frozenset[str]]:
    """The core event types with their fields, and every field of any type."""
    types = core_table().fields
    return types, frozenset(f for fields in types.values() for f in fields)


def _problems(
    fields: Mapping[str, str],
    types: Mapping[str, str],
    values: Mapping[str, Mapping[Scalar, Any]],
    constants: Mapping[str, Mapping[str, Any]],
    ignore: frozenset[str] | set[str],
) -> list[tuple[tuple[str, ...], str]]:
    """What in a mapping names no event field or type, each with the key it is about."""
    by_type, all_fields = _vocabulary()
    out: list[tuple[tuple[str, ...], str]] = []
    targets: dict[str, str] = {}
    for source, target in fields.items():
        where = ("fields", source)
        if target not in all_fields:
            out.append(
                (
                    where,
                    f"fields: {source!r} -> {target!r}: no event type has a field "
                    f"{target!r}{did_you_mean(target, all_fields)}",
                )
            )
        if target in targets:
            out.append(
                (
                    where,
                    f"fields: {targets[target]!r} and {source!r} both become {target!r}; "
                    "each event field can come from one source key",
                )
            )
        targets[target] = source
        if source in ignore:
            out.append((where, f"fields: {source!r} is also listed under ignore"))
    for source, target in types.items():
        if target not in by_type:
            out.append(
                (
                    ("types", source),
                    f"types: {source!r} -> {target!r} is not an event type"
                    f"{did_you_mean(target, by_type)} (docs/events.md)",
                )
            )
    for name in values:
        if name not in all_fields:
            out.append(
                (
                    ("values", name),
                    f"values: no event type has a field {name!r}{did_you_mean(name, all_fields)}",
                )
            )
    for kind, given in constants.items():
        if kind not in by_type:
            out.append(
                (
                    ("constants", kind),
                    f"constants: {kind!r} is not an event type{did_you_mean(kind, by_type)}",
                )
            )
            continue
        known = by_type[kind]
        for name in given:
            if name not in known or name in _FROM_EACH_RECORD:
                out.append(
                    (
                        ("constants", kind, name),
                        f"constants: {kind}.{name}: not a field a constant can give"
                        f"{did_you_mean(name, set(known) - _FROM_EACH_RECORD)}; id, child_id, "
                        "at and type come from each record",
                    )
                )
    return out


def _check_clash(record: Mapping[str, Any], rename: dict[str, str], ignore: frozenset[str]) -> None:
    seen: dict[str, str] = {}
    for key in record:
        if key in ignore:
            continue
        target = rename.get(key, key)
        if target in seen:
            raise RecordMappingError(
                f"source keys {seen[target]!r} and {key!r} both become field {target!r} "
                "under the event mapping; drop one (mapping 'ignore') or rename it"
            )
        seen[target] = key


# --- the YAML form -----------------------------------------------------------------------


@functools.cache
def _mapping_file() -> Any:
    """The pydantic model of a mapping file (docs/mapping.md): defined when a file is not
    plainly of the documented shape, to say what is wrong and where."""
    from pydantic import BaseModel, ConfigDict, Field

    class _MappingFile(BaseModel):
        """The keys of a mapping file (docs/mapping.md)."""

        model_config = ConfigDict(extra="forbid", strict=True)

        fields: dict[str, str] = Field(default_factory=dict)
        types: dict[str, str] = Field(default_factory=dict)
        values: dict[str, dict[Scalar, Any]] = Field(default_factory=dict)
        constants: dict[str, dict[str, Any]] = Field(default_factory=dict)
        ignore: list[str] = Field(default_factory=list)

    return _MappingFile


_SCALAR_TYPES = (str, bool, int, float)


def _texts(table: Any) -> bool:
    return type(table) is dict and all(type(k) is str and type(v) is str for k, v in table.items())


def _tables(table: Any, keys: tuple[type, ...]) -> bool:
    return type(table) is dict and all(
        type(k) is str and type(inner) is dict and all(type(i) in keys for i in inner)
        for k, inner in table.items()
    )


# Each key of a mapping file and what its value must be, as _MappingFile (strict) takes it
# unchanged: a value passing these checks validates to itself; any other value is
# validated by the model, which accepts it or says why not.
_SHAPES: dict[str, Callable[[Any], bool]] = {
    "fields": _texts,
    "types": _texts,
    "values": lambda table: _tables(table, _SCALAR_TYPES),
    "constants": lambda table: _tables(table, (str,)),
    "ignore": lambda names: type(names) is list and all(type(n) is str for n in names),
}


def _plain_spec(data: Any) -> dict[str, Any] | None:
    """The mapping file's tables when every key and value is plainly of the documented
    type (what validating would give); else None: validate it."""
    if type(data) is not dict:
        return None
    for key, value in data.items():
        shape = _SHAPES.get(key) if type(key) is str else None
        if shape is None or not shape(value):
            return None
    return {
        "fields": dict(data.get("fields", {})),
        "types": dict(data.get("types", {})),
        "values": {k: dict(v) for k, v in data.get("values", {}).items()},
        "constants": {k: dict(v) for k, v in data.get("constants", {}).items()},
        "ignore": list(data.get("ignore", [])),
    }


def load_mapping(path: str | Path) -> EventMapping:
    """An event mapping from a YAML file; raises EventMappingError with located problems."""
    from ._yaml import read_yaml_file  # the parser, imported when a mapping is read

    try:
        data, positions = read_yaml_file(Path(path))
    except SafeguardRulesError as exc:  # PackSyntaxError: its diagnostics are located
        raise EventMappingError(list(getattr(exc, "diagnostics", ()))) from exc
    return _mapping_from(data, positions)


def mapping_from_text(text: str, file: str = "<mapping>") -> EventMapping:
    """An event mapping from YAML text (as :func:`load_mapping` reads a file)."""
    from ._yaml import read_yaml_text

    try:
        data, positions = read_yaml_text(text, file)
    except SafeguardRulesError as exc:
        raise EventMappingError(list(getattr(exc, "diagnostics", ()))) from exc
    return _mapping_from(data, positions)


def _mapping_from(data: Any, positions: Positions) -> EventMapping:
    plain = _plain_spec({} if data is None else data)
    if plain is None:
        from pydantic import ValidationError

        from ._diagnose import diagnostics_from

        model = _mapping_file()
        try:
            plain = dict(model.model_validate({} if data is None else data))
        except ValidationError as exc:
            raise EventMappingError(diagnostics_from(exc, data, positions, model)) from exc
    fields, types = plain["fields"], plain["types"]
    values, constants = plain["values"], plain["constants"]
    ignore = frozenset(plain["ignore"])
    problems = _problems(fields, types, values, constants, ignore)
    if problems:
        raise EventMappingError(
            [
                Diagnostic(positions.file, *positions.locate(path), message, code=_MAPPING_CODE)
                for path, message in problems
            ]
        )
    return EventMapping(fields, types, values, constants, ignore, positions.file)
