"""The kind of an event field as pack conditions see it (no pydantic: compiling a pack
checks fields by kind without importing the event models)."""

from __future__ import annotations

import typing
from typing import Literal

FieldKind = Literal["text", "bool", "number", "datetime", "date", "text_list", "attributes"]


class FieldSpec(typing.NamedTuple):
    kind: FieldKind
    choices: tuple[str, ...] | None  # allowed values of an enumerated text or list field
