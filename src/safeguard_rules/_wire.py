"""The one way results, reports and diffs become JSON.

Each type's JSON shape is declared once, by its annotations: dataclass fields, pydantic
``Field`` options (``exclude``, ``exclude_if``, ``serialization_alias``) and
``computed_field`` for derived values. pydantic's ``TypeAdapter`` turns that declaration
into a serializer (pydantic-core, compiled: no per-object ``json.dumps``) and into the
JSON Schema (``schemas/evaluation.schema.json``). The wire conventions are applied here,
once, for every type (docs/output.md):

* the keys of every object in sorted order, derived values included, so that the same
  result always gives the same bytes;
* an instant as ISO 8601 to the second with its UTC offset (``2024-06-03T09:00:00+01:00``,
  also ``+00:00``, never ``Z``), a day as ``2024-06-03``; tuples as arrays;
* text as UTF-8, never ``\\u`` escapes for non-ASCII characters;
* a document indented by two spaces with a final newline; a JSON Lines record compact.

Serializers are built on first use: the schemas cost start-up time that evaluating does
not need.
"""

from __future__ import annotations

import copy
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import IO, Any

import pydantic_core
from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import SchemaSerializer, core_schema

INDENT = 2  # documents; JSON Lines records are compact
_BATCH = 1024  # items encoded per call when a long list is written piece by piece


def instant(value: datetime) -> str:
    """An instant on the wire: ISO 8601 to the second, with its own UTC offset."""
    return value.isoformat(timespec="seconds")


class Shape:
    """The JSON form of one type: encode to text or to plain data, and its JSON Schema."""

    def __init__(self, tp: Any, record: str | None = None) -> None:
        self.adapter: TypeAdapter[Any] = TypeAdapter(tp)
        schema = _wire_schema(self.adapter.core_schema)
        if record is not None:
            _add_record_key(schema, record)
        self._serializer = SchemaSerializer(schema)

    def data(self, value: Any) -> Any:
        """``value`` as JSON-ready Python data: dicts (keys in wire order), lists, str..."""
        return self._serializer.to_python(value, mode="json", by_alias=True)

    def json(self, value: Any, *, indent: int | None = INDENT) -> bytes:
        """``value`` as UTF-8 JSON, without a final newline."""
        return self._serializer.to_json(value, indent=indent, by_alias=True)

    def json_schema(self) -> dict[str, Any]:
        """What :meth:`json` writes, as a JSON Schema (draft 2020-12)."""
        return self.adapter.json_schema(
            mode="serialization", by_alias=True, schema_generator=_WrittenSchema
        )


class _WrittenSchema(GenerateJsonSchema):
    """The schema of what is written: a field with a default is written all the same, so
    it is required; only a field left out when empty (``exclude_if``) is optional."""

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        if self.mode == "serialization":
            return field.get("serialization_exclude_if") is None
        return super().field_is_required(field, total)


def shape(tp: Any) -> Shape:
    """The (cached) :class:`Shape` of a type: a class, or e.g. ``tuple[Obligation, ...]``."""
    return _shape(tp, None)


def record_shape(tp: Any, kind: str) -> Shape:
    """The :class:`Shape` of ``tp`` as a JSON Lines record: its object with one more key,
    ``"record": kind``, in its sorted place."""
    return _shape(tp, kind)


@functools.cache
def _shape(tp: Any, record: str | None) -> Shape:
    return Shape(tp, record)


def data(value: Any) -> Any:
    """``value``'s JSON form as plain Python data (what its ``to_dict`` returns)."""
    return shape(type(value)).data(value)


def document(value: Any) -> str:
    """``value`` as a JSON document: indented, keys sorted, a final newline."""
    return shape(type(value)).json(value).decode("utf-8") + "\n"


def record_line(value: Any, kind: str) -> bytes:
    """``value`` as one JSON Lines record of kind ``kind``: compact, a final newline."""
    return record_shape(type(value), kind).json(value, indent=None) + b"\n"


def record_lines(item_type: Any, kind: str, items: Iterable[Any]) -> Iterator[bytes]:
    """:func:`record_line` of each of ``items`` (all of ``item_type``), joined into one
    ``bytes`` per batch of records."""
    one = record_shape(item_type, kind)
    for batch in batches(items):
        yield b"".join([one.json(item, indent=None) + b"\n" for item in batch])


# --- a document written piece by piece ------------------------------------------------------

# Writes a list, "[...]", as it stands in a document ``indent`` spaces in.
ListWriter = Callable[[IO[bytes], int], None]
_MARKER = re.compile(rb'"\\u0000fill:(\d+)\\u0000"')  # a placeholder string, as JSON escapes it


def write_document(
    out: IO[bytes], skeleton: Any, fills: Mapping[tuple[str, ...], ListWriter]
) -> None:
    """Write :func:`document` of a whole value to ``out`` without building its text.

    ``skeleton`` is the value with its long lists left empty; ``fills`` maps the key path
    of each such list to what writes it (:func:`items`, or pieces made before with
    :func:`encode_items` and written with :func:`write_pieces`). The bytes are those of
    ``document(whole)``.
    """
    tree = shape(type(skeleton)).data(skeleton)
    writers: list[ListWriter] = []
    for path, writer in fills.items():
        *parents, last = path
        node = tree
        for key in parents:
            node = node[key]
        if node.get(last) != []:
            raise KeyError(f"{'.'.join(path)} is not an empty list in the skeleton")
        node[last] = f"\0fill:{len(writers)}\0"
        writers.append(writer)
    text = pydantic_core.to_json(tree, indent=INDENT)
    position = 0
    used = 0
    for match in _MARKER.finditer(text):  # in the text's (key) order, not the fills'
        used += 1
        out.write(text[position : match.start()])
        position = match.end()
        key_line = text[text.rfind(b"\n", 0, match.start()) + 1 : match.start()]
        writers[int(match.group(1))](out, len(key_line) - len(key_line.lstrip(b" ")))
    if used != len(writers):
        raise ValueError("a list to fill is missing from the written skeleton")
    out.write(text[position:] + b"\n")
    out.flush()


def items(item_type: Any, values: Iterable[Any]) -> ListWriter:
    """A :data:`ListWriter` of ``values`` (all of ``item_type``), encoded a batch at a time."""

    def write(out: IO[bytes], indent: int) -> None:
        write_pieces(out, (encode_items(item_type, batch) for batch in batches(values)), indent)

    return write


def encode_items(item_type: Any, values: Sequence[Any]) -> bytes:
    """The items of a list as they stand in a list at the left margin, without the
    brackets (``\\n  {...},\\n  {...}``); b"" for none. Joined by commas and passed to
    :func:`write_pieces`, they make the list."""
    if not values:
        return b""
    return shape(tuple[item_type, ...]).json(tuple(values))[1:-2]  # b"[" ... b"\\n]"


def write_pieces(out: IO[bytes], pieces: Iterable[bytes], indent: int) -> None:
    """The list made of ``pieces`` (from :func:`encode_items`) as it stands ``indent``
    spaces in: ``[``, the pieces joined by commas and moved in, ``]``."""
    pad = b"\n" + b" " * indent
    first = True
    for piece in pieces:
        if piece:
            out.write((b"[" if first else b",") + piece.replace(b"\n", pad))
            first = False
    out.write(b"[]" if first else pad + b"]")


def batches(values: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """``values`` a batch at a time (tuples of up to 1,024), for writers that encode in bulk."""
    iterator = iter(values)
    while batch := tuple(itertools.islice(iterator, _BATCH)):
        yield batch


# --- the wire conventions, applied to pydantic's core schema ---------------------------------


def _wire_schema(schema: Any) -> Any:
    """pydantic's core schema of a type, changed for writing only: every object's keys
    sorted (computed fields among them), instants as :func:`instant` writes them, and
    literal text written without the membership check the type checker already made."""
    schema = copy.deepcopy(schema)
    _walk(schema)
    return schema


def _walk(node: Any) -> None:
    # Children first: the serializers put in below are not walked again.
    if isinstance(node, list):
        for item in node:
            _walk(item)
        return
    if not isinstance(node, dict):
        return
    for value in list(node.values()):
        _walk(value)
    kind = node.get("type")
    if kind == "dataclass":
        _sort_dataclass(node)
    elif kind == "model-fields" or kind == "typed-dict":
        _sort_fields_mapping(node)
    elif kind == "dict" and "serialization" not in node:
        node["serialization"] = core_schema.plain_serializer_function_ser_schema(
            _sorted_mapping, info_arg=False, return_schema=dict(node)
        )
    elif kind == "datetime":
        node["serialization"] = core_schema.plain_serializer_function_ser_schema(
            instant, info_arg=False, return_schema=core_schema.str_schema(), when_used="json"
        )
    elif kind == "literal" and all(isinstance(v, str) for v in node["expected"]):
        node.clear()
        node.update(core_schema.str_schema())


def _sorted_mapping(value: Mapping[Any, Any]) -> dict[Any, Any]:
    return dict(sorted(value.items()))


def _sort_dataclass(node: dict[str, Any]) -> None:
    # A computed field becomes a field read with getattr like the others, so that it takes
    # its place in key order instead of coming after every field.
    args = node["schema"]
    for computed in args.get("computed_fields") or ():
        field = core_schema.dataclass_field(
            computed["property_name"],
            computed["return_schema"],
            serialization_alias=computed.get("alias"),
        )
        args["fields"].append(field)
        node["fields"].append(computed["property_name"])
    args["computed_fields"] = []
    order = {f["name"]: f.get("serialization_alias") or f["name"] for f in args["fields"]}
    args["fields"].sort(key=lambda f: order[f["name"]])
    node["fields"].sort(key=lambda name: order[name])


def _sort_fields_mapping(node: dict[str, Any]) -> None:
    fields = node["fields"]
    wire = {name: f.get("serialization_alias") or name for name, f in fields.items()}
    node["fields"] = {name: fields[name] for name in sorted(fields, key=wire.__getitem__)}
    if node.get("computed_fields"):
        raise TypeError("computed fields of models are not written in key order: use a dataclass")


def _add_record_key(schema: Any, kind: str) -> None:
    # The record's kind is written from the object's class (every object has __class__),
    # mapped to ``kind`` by a dict lookup: no Python function runs per record.
    node = schema
    while node.get("type") == "definitions":
        node = node["schema"]
    if node.get("type") != "dataclass":
        raise TypeError("a JSON Lines record is a dataclass")
    kinds = {node["cls"]: kind}
    field = core_schema.dataclass_field(
        "__class__",
        core_schema.any_schema(
            serialization=core_schema.plain_serializer_function_ser_schema(
                kinds.__getitem__, info_arg=False, return_schema=core_schema.str_schema()
            )
        ),
        serialization_alias="record",
    )
    node["schema"]["fields"].append(field)
    node["fields"].append("__class__")
    _sort_dataclass(node)
