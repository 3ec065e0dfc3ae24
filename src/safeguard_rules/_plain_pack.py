"""A bundled pack's model as plain objects: what compiling and evaluating read, without
pydantic.

A bundled pack's prebuilt reading (``_prebuilt``) stores the Pack model it validates to as
a tree of typed values (``_pack.model_tree``), with each model's field names and the
values of its properties and argument-free methods (``describe()``, ``kind``,
``closing``...) as the model gave them. :func:`plain_pack` builds from it one
:class:`PlainModel` per model: its fields as attributes (None where the model holds
None), its properties and methods answering the stored values. Compiling and the engine
read nothing else, so loading a bundled pack imports neither pydantic nor the pack models.

Anything else asked of a plain model (``model_dump``, ``model_fields_set``, a method taking
arguments, a value the model raised for) is asked of the pydantic model it stands for,
built then from the same tree (``_pack.from_model_tree``, once per load: every plain
model of a load shares one), so it answers exactly as the model does; equality is the
model's. ``isinstance`` against a pack model does not hold (pydantic turns off virtual
subclasses): code that may be handed either asks :func:`is_model`, or tells a list from one
model with ``isinstance(value, list)``. tests/test_prebuilt.py compares every plain model
of each bundled pack with its model, field for field and value for value.
"""

from __future__ import annotations

import sys
import threading
from datetime import date, time
from typing import Any, ClassVar

# A step from a model to a value inside it: ("get", name) an attribute, ("call", name) a
# method called, ("item", key) an element of a list or mapping.
Step = tuple[str, Any]


class _Load:
    """What the plain models of one load share: the tree, each model's field names and
    stored members, and, once asked for, the pydantic model built from the tree."""

    __slots__ = ("fields", "lineage", "members", "model", "on_build", "tree")

    # One lock for every load: building is rare (only when something asks the pydantic
    # model), and two threads building one load's model would each get their own.
    _building = threading.Lock()

    def __init__(self, tree: Any, fields: Any, members: Any, lineage: Any, on_build: Any) -> None:
        self.tree = tree
        self.fields: dict[str, tuple[str, ...]] = fields
        self.members: dict[str, tuple[tuple[str, str], ...]] = members
        self.lineage: dict[str, tuple[str, ...]] = lineage
        self.model: Any = None
        self.on_build = on_build  # called with the model when it is built

    def real(self) -> Any:
        if self.model is None:
            with self._building:
                if self.model is None:  # not built by a thread that held the lock first
                    from ._pack import from_model_tree

                    model = from_model_tree(self.tree)
                    self.on_build(model)
                    self.model = model
        return self.model


class PlainModel:
    """A pack model's values as plain attributes (see the module docstring)."""

    __slots__ = ("__dict__", "__weakref__", "_answers", "_load", "_node", "_path")
    plain_model_of: ClassVar[str] = ""  # the name of the pack model it stands for
    plain_fields: ClassVar[tuple[str, ...]] = ()  # the model's fields, in its order
    plain_lineage: ClassVar[tuple[str, ...]] = ()  # it and the pack models it derives from
    plain_members: ClassVar[tuple[tuple[str, str], ...]] = ()  # (name, property or method)
    _answers: dict[str, Any]
    _load: _Load
    _node: Any
    _path: tuple[Step, ...]

    def __getattr__(self, name: str) -> Any:
        # Only for what is not a field or a stored value: the model's own answer.
        if name.startswith("__") and not name.startswith("__pydantic"):
            raise AttributeError(name)
        return getattr(real_model(self), name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a pack's {self.plain_model_of} is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a pack's {self.plain_model_of} is frozen: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PlainModel):
            return other.plain_model_of == self.plain_model_of and other._node == self._node
        return bool(real_model(self) == other)

    def __hash__(self) -> int:
        return hash(real_model(self))

    def __repr__(self) -> str:
        return repr(real_model(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_itself, (real_model(self),))  # pickled as the model it stands for


def _itself(value: Any) -> Any:
    return value


def real_model(value: Any) -> Any:
    """The pydantic model a plain model stands for (``value`` itself if it is not one)."""
    if not isinstance(value, PlainModel):
        return value
    found = value._load.real()
    for how, what in value._path:
        if how == "get":
            found = getattr(found, what)
        elif how == "call":
            found = getattr(found, what)()
        else:
            found = found[what]
    return found


_Key = tuple[str, tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]]
_CLASSES: dict[_Key, type[PlainModel]] = {}


def _stored(member: str, called: bool) -> Any:
    def answer(self: PlainModel) -> Any:
        try:
            return self._answers[member]
        except KeyError:  # the model raised: let it say so again
            found = getattr(real_model(self), member)
            return found() if called else found

    if called:

        def call(self: PlainModel, *args: Any, **kwargs: Any) -> Any:
            if args or kwargs:  # stored for the call without arguments only
                return getattr(real_model(self), member)(*args, **kwargs)
            return answer(self)

        return call
    return property(answer)


def _class(
    name: str,
    fields: tuple[str, ...],
    members: tuple[tuple[str, str], ...],
    lineage: tuple[str, ...],
) -> type[PlainModel]:
    key = (name, fields, members, lineage)
    cls = _CLASSES.get(key)
    if cls is None:
        namespace: dict[str, Any] = {
            "__slots__": (),
            "plain_model_of": name,
            "plain_fields": fields,
            "plain_lineage": lineage,
            "plain_members": members,
            "__doc__": f"The plain {name} of a bundled pack (_plain_pack).",
        }
        for member, how in members:
            namespace[member] = _stored(member, how == "method")
        cls = type(name, (PlainModel,), namespace)
        _CLASSES[key] = cls
    return cls


def plain_pack(stored: Any, on_build: Any) -> Any:
    """The plain Pack of a stored model (``_prebuilt``: ``tree``, ``fields``, ``members``,
    ``computed``); ``on_build`` is called with the pydantic model if one is ever built.
    Raises ValueError, KeyError, TypeError or IndexError for a tree it cannot read."""
    fields = {name: tuple(names) for name, names in stored["fields"].items()}
    members = {
        name: tuple((member, how) for member, how in listed)
        for name, listed in stored["members"].items()
    }
    lineage = {name: tuple(names) for name, names in stored["lineage"].items()}
    load = _Load(stored["tree"], fields, members, lineage, on_build)
    builder = _Builder(load, stored["computed"])
    pack = builder.value(stored["tree"], ())
    if builder.computed or getattr(pack, "plain_model_of", None) != "Pack":
        raise ValueError("not the tree of a Pack and its stored values")
    return pack


def timescale_of(due: Any) -> Any:
    """The Timescale a due that is one (no parameter, no table) stands for: a plain one for
    a plain due (its kind, amount and words are the due's, as the models give them: Due
    only adds parameter and table), else built with ``model_construct``, as validating
    would not (no validator is built while loading)."""
    kind = due.kind
    if not isinstance(due, PlainModel):
        from ._pack import Timescale

        return Timescale.model_construct(_fields_set={kind}, **{kind: getattr(due, kind)})
    node = ["model", "Timescale", {kind: due._node[2][kind]}, [kind]]
    load = due._load
    answers = {"kind": kind, "amount": due.amount, "describe": due.describe()}
    alone = _Load(node, load.fields, load.members, load.lineage, _ignore)
    return _Builder(alone, [answers]).value(node, ())


def _ignore(_model: Any) -> None:
    return None


def tree_of(value: Any) -> Any:
    """A pack model (plain or not) as ``_pack.model_tree`` writes it."""
    if isinstance(value, PlainModel):
        return value._node
    from ._pack import model_tree

    return model_tree(value)


def is_model(value: Any, name: str) -> bool:
    """Whether ``value`` is the pack model ``name`` (or a subclass), plain or not, without
    importing the pack models when none can be one."""
    if isinstance(value, PlainModel):
        return name in value.plain_lineage
    if "safeguard_rules._pack" not in sys.modules:
        return False  # no pydantic model has been made
    return isinstance(value, _pack_class(name))


def _pack_class(name: str) -> type:
    from . import _pack

    found: type = getattr(_pack, name)
    return found


class _Builder:
    """The plain models of a stored tree, read node by node.

    One of two readers of ``_pack.model_tree``'s format; ``_pack.from_model_tree`` is the
    other, building the pydantic models (``model_construct``) when a plain model is asked
    for something it does not hold. They stay two on purpose: this one must run without
    importing pydantic or ``_pack`` (tests/test_prebuilt.py checks that loading a bundled
    pack imports neither), and it also keeps each model's path (for ``real_model``),
    hands out the stored answers in post-order, and reads the ``ref`` and ``tuple`` tags
    that only stored answers hold; the other lives in ``_pack.py``, whose SHA-256 stamps
    every stored model (changing it means regenerating policies/compiled/). One walker
    with a model-making callback would carry that bookkeeping into the pydantic path for
    nothing. tests/test_prebuilt.py holds the two to each other: the model built from
    each bundled pack's tree is the validated one, and every plain model answers as it."""

    def __init__(self, load: _Load, computed: Any) -> None:
        self.load = load
        self.fields = load.fields
        self.members = load.members
        self.computed = list(reversed(computed))  # one entry per model, in tree order
        self.built: list[PlainModel] = []  # the models of the tree, in that order

    def value(self, node: Any, path: tuple[Step, ...], stored: bool = True) -> Any:
        if not isinstance(node, list):
            if node is None or type(node) in (bool, int, float, str):
                return node
            raise TypeError(f"not a model tree node: {type(node).__name__}")
        tag = node[0]
        if tag == "model":
            return self.model(node, path, stored)
        if tag == "ref":  # a model of the tree a stored value holds (closing, operand)
            return self.built[node[1]]
        if tag in ("list", "frozen_list", "tuple"):
            items = [self.value(v, (*path, ("item", i)), stored) for i, v in enumerate(node[1])]
            if tag == "tuple":
                return tuple(items)
            return items if tag == "list" else _frozen_list(items)
        if tag in ("dict", "frozen_dict"):
            entries = {k: self.value(v, (*path, ("item", k)), stored) for k, v in node[1].items()}
            return entries if tag == "dict" else _frozen_dict(entries)
        if tag == "date":
            return date.fromisoformat(node[1])
        if tag == "time":
            return time.fromisoformat(node[1])
        raise ValueError(f"not a model tree tag: {tag!r}")

    def model(self, node: Any, path: tuple[Step, ...], stored: bool) -> PlainModel:
        _tag, name, values, _given = node
        fields = self.fields[name]
        members = self.members.get(name, ())
        if not values.keys() <= set(fields):
            raise ValueError(f"the fields of {name} are not the model's")
        plain = object.__new__(_class(name, fields, members, self.load.lineage[name]))
        state = plain.__dict__
        for field in fields:
            found = values.get(field)
            if found is not None:
                found = self.value(found, (*path, ("get", field)), stored)
            state[field] = found
        # The stored values of its properties and methods: one entry per model of the
        # tree (not for models inside a stored value, which have none).
        answers: dict[str, Any] = {}
        if stored:
            entry = self.computed.pop()
            for member, how in members:
                if member in entry:
                    step = ("call" if how == "method" else "get", member)
                    answers[member] = self.value(entry[member], (*path, step), stored=False)
        if stored:
            self.built.append(plain)
        object.__setattr__(plain, "_answers", answers)
        object.__setattr__(plain, "_load", self.load)
        object.__setattr__(plain, "_node", node)
        object.__setattr__(plain, "_path", path)
        return plain


def _frozen_list(items: list[Any]) -> Any:
    from ._pack_base import FrozenList

    return FrozenList(items)


def _frozen_dict(entries: dict[str, Any]) -> Any:
    from ._pack_base import FrozenDict

    return FrozenDict(entries)
