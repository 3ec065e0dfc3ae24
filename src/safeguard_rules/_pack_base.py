"""The pack format's pieces that need no pydantic: the immutable lists and mappings inside
a pack model, and the syntax of a check's message template. ``_pack`` builds its models
with them; loading a bundled pack (``_plain_pack``) and compiling use them without
importing the models."""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from typing import Any, TypeVar


class FrozenList(list[Any]):
    """A list that cannot be changed: the lists inside a pack model. Still a list (JSON
    output, ``isinstance`` checks); every mutating method raises TypeError."""

    __slots__ = ()

    def _refuse(self, *_args: Any, **_kwargs: Any) -> Any:
        raise TypeError("a pack's lists cannot be changed; build a new pack instead")

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle through the constructor
        return (FrozenList, (list(self),))


class FrozenDict(dict[Any, Any]):
    """A mapping that cannot be changed: the mappings inside a pack model."""

    __slots__ = ()

    def _refuse(self, *_args: Any, **_kwargs: Any) -> Any:
        raise TypeError("a pack's mappings cannot be changed; build a new pack instead")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))


# A check's message names event fields as {field}; the renderer fills them by plain lookup.
TEMPLATE_FIELD = re.compile(r"\{([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)\}")


def template_fields(message: str) -> list[str]:
    """The field names a message template refers to."""
    return TEMPLATE_FIELD.findall(message)


# --- for building pydantic models quickly (here as this module has no pydantic) -----------

_Function = TypeVar("_Function", bound=Callable[..., Any])


def signed(function: _Function) -> _Function:
    """``function`` with its signature read once: pydantic reads a validator's or
    serializer's signature (does it take an info argument?) for every field that uses it
    when it builds a schema, about 80 fields each in the union of event types."""
    function.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
    return function


# A new empty list, as ``list`` makes, for a field's default_factory: pydantic reads each
# factory's signature for every model field that has one when it builds a schema, and
# list's is parsed from its text (about 0.3 ms each time, 56 fields in the union of event
# types); this one's is read at once. _stream's validators of lines call list itself.
new_list: functools.partial[list[Any]] = functools.partial(list)
new_list.__signature__ = inspect.Signature()  # type: ignore[attr-defined]
