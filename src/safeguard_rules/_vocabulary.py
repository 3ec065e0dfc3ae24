"""The vocabulary a pack is compiled against: the core event types plus its declarations.

The core vocabulary is Python (``_events``); a pack adds to it in YAML (``vocabulary:``,
``_pack.VocabularySection``): new event types with typed fields, and typed attributes on
any type. :func:`build_vocabulary` turns the declarations into pydantic models derived from
``BaseEvent`` (strict, exactly like the core ones: a declared event is validated, rejected
and reported by the same code), once per distinct declaration. A :class:`Vocabulary` is
immutable and can be shared between threads; :data:`CORE` is the core alone.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, cast

from ._event_table import core_table
from ._field_spec import FieldSpec
from ._plain_pack import real_model

if TYPE_CHECKING:  # imported when a pack declares event types or attributes
    from pydantic import TypeAdapter

    from ._events import BaseEvent
    from ._pack import FieldDeclaration, VocabularySection


@cache
def reserved_fields() -> frozenset[str]:
    """Fields every event has: a declaration cannot use these names."""
    from ._events import BaseEvent

    return frozenset(BaseEvent.model_fields) | {"type"}


_KINDS: dict[str, Literal["text", "bool", "number", "datetime", "date"]] = {
    "text": "text",
    "enum": "text",
    "reference": "text",
    "date": "date",
    "datetime": "datetime",
    "integer": "number",
    "boolean": "bool",
}
_MAX_ITEMS = 500

# Where a problem is found: report(loc, code, message) (compiling goes on).
Report = Callable[[tuple[str | int, ...], str, str], None]


class _Adapter:
    """The ``adapter`` field of a Vocabulary: the adapter it was given, or by default the
    core event union's (``_events.EVENT_ADAPTER``), imported when first used, so compiling
    against the core vocabulary does not import the event models."""

    def __get__(self, vocabulary: Vocabulary | None, owner: type) -> Any:
        if vocabulary is None:
            return self  # the field's default: the core's adapter
        found = vocabulary.__dict__.get("adapter")
        if found is None or isinstance(found, _Adapter):
            from ._events import EVENT_ADAPTER

            found = vocabulary.__dict__["adapter"] = EVENT_ADAPTER  # once: read per record
        return found

    def __set__(self, vocabulary: Vocabulary, adapter: Any) -> None:
        vocabulary.__dict__["adapter"] = adapter


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """Event types (core and declared), their fields, and the typed attributes of each.

    The event classes are reached through :meth:`event_class` and :meth:`event_classes`,
    not an attribute: a class's own attributes (pydantic's ``model_fields``) are not the
    vocabulary's to freeze."""

    _classes: Mapping[str, type[BaseEvent]]
    fields: Mapping[str, Mapping[str, FieldSpec]]  # for conditions, as _events.EVENT_FIELDS
    attributes: Mapping[str, Mapping[str, FieldSpec]]  # event type -> attribute -> kind
    declared: VocabularySection | None = None
    if TYPE_CHECKING:
        adapter: TypeAdapter[Any] = field(default=cast(Any, None), repr=False)
    else:  # a descriptor (_Adapter): the core's adapter is imported when first used
        adapter: TypeAdapter[Any] = field(default=_Adapter(), repr=False)

    def __post_init__(self) -> None:
        # Read-only all the way down: a compiled pack's vocabulary cannot be changed.
        if not isinstance(self._classes, _CoreClasses):
            object.__setattr__(self, "_classes", MappingProxyType(dict(self._classes)))
        for name in ("fields", "attributes"):
            nested = getattr(self, name)
            frozen = {k: MappingProxyType(dict(v)) for k, v in nested.items()}
            object.__setattr__(self, name, MappingProxyType(frozen))

    @property
    def declared_types(self) -> tuple[str, ...]:
        return tuple(self.declared.events) if self.declared is not None else ()

    @property
    def event_types(self) -> tuple[str, ...]:
        """Every event type it can read, core and declared, in name order."""
        return tuple(sorted(self._classes))

    def event_class(self, name: str) -> type[BaseEvent]:
        """The class of the event type ``name`` (KeyError when there is none)."""
        return self.event_classes()[name]

    def event_classes(self) -> Mapping[str, type[BaseEvent]]:
        """Event type -> class, read-only."""
        classes = self._classes
        return classes.loaded() if isinstance(classes, _CoreClasses) else classes

    def parse(self, record: Any) -> BaseEvent:
        """Validate one record (a mapping) into a typed event; raises ValidationError."""
        event: BaseEvent = self.adapter.validate_python(record)
        return event

    @cached_property
    def digest(self) -> str:
        """What the vocabulary can say, as a hash: every type, field, kind and value list."""
        text = json.dumps(
            {
                "fields": {
                    t: {f: [s.kind, list(s.choices or ())] for f, s in fs.items()}
                    for t, fs in sorted(self.fields.items())
                },
                "needed": {t: list(n) for t, n in sorted(self._needed().items())},
                "attributes": {
                    t: {a: [s.kind, list(s.choices or ())] for a, s in sorted(at.items())}
                    for t, at in sorted(self.attributes.items())
                },
                "declared": _declared_dump(self.declared),
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _needed(self) -> Mapping[str, tuple[str, ...]]:
        if isinstance(self._classes, _CoreClasses):
            return core_table().needed  # the models' own, without importing them
        return {t: c._needed for t, c in self._classes.items()}


class _CoreClasses(Mapping[str, "type[BaseEvent]"]):
    """The core event types by name: their names from the event table, their classes
    imported (with pydantic) when one is first asked for, so compiling a pack against the
    core vocabulary does not import the event models."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = tuple(names)  # in the models' order
        self._loaded: Mapping[str, type[BaseEvent]] | None = None

    def loaded(self) -> Mapping[str, type[BaseEvent]]:
        """The classes themselves, read-only (imported once)."""
        if self._loaded is None:
            from ._events import EVENT_CLASSES

            self._loaded = MappingProxyType(dict(EVENT_CLASSES))
        return self._loaded

    def __getitem__(self, name: str) -> type[BaseEvent]:
        return self.loaded()[name]

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _declared_dump(section: VocabularySection | None) -> Any:
    # Without building the section's serializer while loading a pack (the same values:
    # tests/test_prebuilt.py); pydantic's for anything plain_dump does not take.
    if section is None:
        return None
    from ._pack import plain_dump

    try:
        return plain_dump(section)
    except TypeError:
        return section.model_dump(mode="json")


CORE = Vocabulary(_CoreClasses(core_table().fields), core_table().fields, {})

_BUILT: dict[str, Vocabulary] = {}
_LOCK = threading.Lock()


def build_vocabulary(section: VocabularySection | None, report: Report) -> Vocabulary:
    """The core vocabulary with ``section``'s declarations; problems go to ``report``
    (located under ``("vocabulary", ...)``) and the declaration with a problem is left out."""
    if section is None or (not section.events and not section.attributes):
        return CORE
    section = real_model(section)  # a bundled pack's plain model: the pydantic one now
    key = json.dumps(_declared_dump(section))
    with _LOCK:
        found = _BUILT.get(key)
    if found is not None:
        return found
    problems: list[tuple[tuple[str | int, ...], str, str]] = []

    def note(loc: tuple[str | int, ...], code: str, message: str) -> None:
        problems.append((loc, code, message))

    built = _build(section, note)
    for problem in problems:
        report(*problem)
    if not problems:
        with _LOCK:
            _BUILT[key] = built
    return built


def combined(vocabularies: Iterable[Vocabulary]) -> Vocabulary:
    """One vocabulary that reads the events of each of ``vocabularies`` (the versions of a
    jurisdiction, the two packs of a diff). Raises ValueError when two declare one name
    differently: a record could not be read the same way under both."""
    events: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for vocabulary in vocabularies:
        if vocabulary.declared is None:
            continue
        for kind, mine in (("events", events), ("attributes", attributes)):
            for name, spec in getattr(vocabulary.declared, kind).items():
                if name in mine and mine[name] != spec:
                    what = "event type" if kind == "events" else "attributes of"
                    raise ValueError(
                        f"the packs declare the {what} {name!r} differently, so events cannot "
                        "be read for both"
                    )
                mine[name] = spec
    if not events and not attributes:
        return CORE
    from ._pack import VocabularySection

    def fail(loc: tuple[str | int, ...], code: str, message: str) -> None:
        raise ValueError(message)

    return build_vocabulary(VocabularySection(events=events, attributes=attributes), fail)


def _build(section: VocabularySection, report: Report) -> Vocabulary:
    from pydantic import Field, TypeAdapter, create_model

    from ._errors import did_you_mean  # stage 1 both; kept local for clarity of the API
    from ._events import EVENT_CLASSES, EVENT_FIELDS, BaseEvent, fields_of

    classes: dict[str, type[BaseEvent]] = dict(EVENT_CLASSES)
    fields: dict[str, Mapping[str, FieldSpec]] = dict(EVENT_FIELDS)
    for name, declaration in section.events.items():
        loc: tuple[str | int, ...] = ("vocabulary", "events", name)
        if name in EVENT_CLASSES:
            report(
                loc,
                "duplicate-id",
                f"{name!r} is an event type of the core vocabulary; declare a new name, or "
                "add typed attributes to it under vocabulary.attributes",
            )
            continue
        tag: Any = Literal[name]  # a name known only at run time
        definitions: dict[str, Any] = {"type": (tag, name)}
        clash = False
        for field_name, spec in declaration.fields.items():
            if field_name in reserved_fields():
                report(
                    (*loc, "fields", field_name),
                    "duplicate-id",
                    f"{field_name!r} is a field every event has; choose another name",
                )
                clash = True
                continue
            definitions[field_name] = _field(spec)
        if clash:
            continue
        model: type[BaseEvent] = create_model(
            _class_name(name),
            __base__=BaseEvent,
            __doc__=declaration.description,
            __module__=__name__,
            **definitions,
        )
        classes[name] = model
        fields[name] = fields_of(model)
    attributes: dict[str, Mapping[str, FieldSpec]] = {}
    for event_type, declared in section.attributes.items():
        loc = ("vocabulary", "attributes", event_type)
        if event_type not in classes:
            report(
                loc,
                "unknown-event-type",
                f"attributes for unknown event type {event_type!r}"
                f"{did_you_mean(event_type, classes)}; declare it under vocabulary.events or "
                "name a type of docs/events.md",
            )
            continue
        bad = False
        for attribute, spec in declared.items():
            if spec.required:
                bad = True
                report(
                    (*loc, attribute, "required"),
                    "invalid-value",
                    "an attribute is never required (a record may leave it out); declare a "
                    "field of a new event type for what every record must give",
                )
            if spec.type == "list":
                bad = True
                report(
                    (*loc, attribute, "type"),
                    "invalid-value",
                    "an attribute holds one value (text, a number or true/false); declare a "
                    "list as a field of a new event type",
                )
        if bad:
            continue
        attributes[event_type] = {a: _spec_of(spec) for a, spec in declared.items()}
        classes[event_type] = _with_typed_attributes(classes[event_type], declared)
    members: Any = Union[tuple(classes.values())]  # noqa: UP007 - built at run time
    union: Any = Annotated[members, Field(discriminator="type")]
    return Vocabulary(classes, fields, attributes, section, TypeAdapter(union))


def _class_name(event_type: str) -> str:
    return "".join(part.capitalize() for part in event_type.split("_")) or "Declared"


def _scalar(kind: str, values: list[str] | None) -> Any:
    from ._events import Day, Id, Instant, Text

    if kind == "enum":
        assert values
        choices: Any = Literal[tuple(values)]  # values known only at run time
        return choices
    return {
        "text": Text,
        "reference": Id,
        "date": Day,
        "datetime": Instant,
        "integer": int,
        "boolean": bool,
    }[kind]


def _annotation(spec: FieldDeclaration) -> Any:
    from pydantic import Field

    if spec.type == "list":
        assert spec.items is not None
        item = _scalar(spec.items, spec.values)
        return Annotated[list[item], Field(max_length=_MAX_ITEMS)]  # type: ignore[valid-type]
    return _scalar(spec.type, spec.values)


def _field(spec: FieldDeclaration) -> tuple[Any, Any]:
    from pydantic import Field

    from ._events import needed

    annotation = _annotation(spec)
    if spec.required:
        return (annotation | None, needed(spec.description))
    if spec.type == "list":
        return (annotation, Field(default_factory=list, description=spec.description))
    return (annotation | None, Field(None, description=spec.description))


def _spec_of(spec: FieldDeclaration) -> FieldSpec:
    choices = tuple(spec.values) if spec.values else None
    if spec.type == "list":
        assert spec.items is not None
        return FieldSpec("text_list", choices)
    return FieldSpec(_KINDS[spec.type], choices)


def _with_typed_attributes(
    cls: type[BaseEvent], declared: Mapping[str, FieldDeclaration]
) -> type[BaseEvent]:
    """``cls`` whose declared attributes are checked against their types."""
    from pydantic import TypeAdapter, create_model, model_validator
    from pydantic_core import PydanticCustomError

    adapters = {
        name: TypeAdapter(_annotation(spec), config=None) for name, spec in declared.items()
    }
    names = {name: spec.type for name, spec in declared.items()}

    def check(self: BaseEvent) -> BaseEvent:
        for name, adapter in adapters.items():
            if name not in self.attributes:
                continue
            value = self.attributes[name]
            try:
                adapter.validate_python(value, strict=True)
            except Exception:
                raise PydanticCustomError(
                    "attribute_type",
                    "attributes.{field} must be {kind}",
                    {"field": name, "kind": _WORDS[names[name]]},
                ) from None
        return self

    validators: dict[str, Any] = {"_typed_attributes": model_validator(mode="after")(check)}
    typed: type[BaseEvent] = create_model(
        cls.__name__,
        __base__=cls,
        __doc__=cls.__doc__,
        __module__=__name__,
        __validators__=validators,
    )
    return typed


_WORDS = {
    "text": "text",
    "enum": "one of its declared values",
    "reference": "an event id",
    "date": "a date written YYYY-MM-DD",
    "datetime": "a time with a UTC offset",
    "integer": "a whole number",
    "boolean": "true or false",
    "list": "a list",
}
