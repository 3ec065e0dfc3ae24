"""The core event vocabulary as pack conditions see it, without the event models.

Compiling a pack checks each field it names against the event types' fields and their
kinds (:class:`FieldSpec`); the content hash digests them. Both come from the pydantic
event models of ``_events``, whose import (pydantic with it) costs more than all the rest
of loading a bundled pack. So the same table is kept beside the bundled packs
(``policies/compiled/events.json``, written by ``python tests/prebuilt_gen.py``): each core
type's fields with their kinds and values, the fields a record must give, and the checked
references, stamped with the SHA-256 of ``_events.py`` and the pydantic version. It is used
only when both match what is installed (and it was written by this library version);
otherwise the table is made from the models, imported then. tests/test_prebuilt.py holds
the file to the models.
"""

from __future__ import annotations

import functools
import json
import sys
import typing
from pathlib import Path
from typing import Any

from . import _installed
from ._field_spec import FieldSpec

FORMAT = 1
EVENTS_FILE = "events.json"


class EventTable(typing.NamedTuple):
    """What compiling needs to know of the core event types."""

    fields: dict[str, dict[str, FieldSpec]]  # type -> field -> kind, in the models' order
    needed: dict[str, tuple[str, ...]]  # type -> the fields a record must give
    references: dict[tuple[str, str], str]  # (type, field) -> the type of event it names


def _events_file() -> Path:
    # Where _prebuilt.bundled_dir finds the packs (this module is below it in the stages).
    inside = Path(__file__).parent / "policies"
    if not inside.is_dir():
        inside = Path(__file__).resolve().parents[2] / "policies"
    return inside / "compiled" / EVENTS_FILE


def models_stamp() -> str | None:
    """What the table must have been made by: ``_events.py``'s SHA-256 and the pydantic
    version (None when the source cannot be read: never use a stored table)."""
    return _installed.source_stamp("_events.py")


@functools.cache
def core_table() -> EventTable:
    """The core event types' table: the stored one when current, else the models'."""
    stored = _stored()
    return stored if stored is not None else from_models()


def _stored() -> EventTable | None:
    library = str(sys.modules[__package__].__version__)
    try:
        raw = json.loads(_events_file().read_text(encoding="utf-8"))
        if raw["format"] != FORMAT or raw["library"] != library:
            return None
        if raw["models"] != models_stamp():
            return None
        return EventTable(
            {
                kind: {
                    name: FieldSpec(spec[0], None if spec[1] is None else tuple(spec[1]))
                    for name, spec in entry["fields"]
                }
                for kind, entry in raw["types"].items()
            },
            {kind: tuple(entry["needed"]) for kind, entry in raw["types"].items()},
            {(kind, field): target for kind, field, target in raw["references"]},
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def from_models() -> EventTable:
    """The table made from the event models (``_events``, imported here)."""
    from ._events import EVENT_CLASSES, EVENT_FIELDS, EVENT_REFERENCES

    return EventTable(
        {kind: dict(fields) for kind, fields in EVENT_FIELDS.items()},
        {kind: tuple(cls._needed) for kind, cls in EVENT_CLASSES.items()},
        dict(EVENT_REFERENCES),
    )


def events_text() -> str:
    """The table as its JSON file holds it, made from the installed event models."""
    table = from_models()
    document: dict[str, Any] = {
        "format": FORMAT,
        "library": str(sys.modules[__package__].__version__),
        "models": models_stamp(),
        "types": {
            kind: {
                "fields": [
                    [name, [spec.kind, None if spec.choices is None else list(spec.choices)]]
                    for name, spec in fields.items()
                ],
                "needed": list(table.needed[kind]),
            }
            for kind, fields in table.fields.items()
        },
        "references": [[kind, field, target] for (kind, field), target in table.references.items()],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
