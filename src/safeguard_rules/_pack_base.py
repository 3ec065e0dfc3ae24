"""The pack format's pieces that need no pydantic: the immutable lists and mappings inside
a pack model, and the syntax of a check's message template. ``_pack`` builds its models
with them; loading a bundled pack (``_plain_pack``) and compiling use them without
importing the models."""

from __future__ import annotations

import re
from typing import Any


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
