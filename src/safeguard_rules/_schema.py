"""JSON Schemas of the pack and scenario formats and of results, generated from the models.

Editors (through the ``yaml-language-server`` comment at the top of each file) and
other tools check and autocomplete packs and scenarios against these; importing systems
check ``evaluate``'s JSON against ``evaluation.schema.json``, which comes from the same
declaration (``_wire``) that writes it. The schemas are committed under ``schemas/``; a
test keeps them in step with the models.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from ._events import Event
from ._pack import Overlay, Pack, complete_models
from ._scenario_format import ScenarioFile
from ._vocabulary import Vocabulary

BASE_URL = "https://safeguard-rules.invalid/schemas/"  # an id, not a place to fetch from
SCHEMA_FILES = ("pack.schema.json", "scenario.schema.json", "evaluation.schema.json")


def pack_schema() -> dict[str, Any]:
    # A pack file is a whole pack, or an overlay that extends one and gives what differs.
    complete_models()
    schema = TypeAdapter(Pack | Overlay).json_schema(by_alias=True)
    return _stamp(schema, "pack.schema.json", "safeguard-rules policy pack or overlay")


def scenario_schema(vocabulary: Vocabulary | None = None) -> dict[str, Any]:
    """The scenario format; its events are the core vocabulary's, or ``vocabulary``'s (a
    pack's, with its declared event types and typed attributes)."""
    schema = ScenarioFile.model_json_schema(by_alias=True)
    # Events are kept as plain mappings by the model (so each bad record is reported with
    # the stream's own messages); the schema still describes them fully for editors.
    adapter = TypeAdapter(Event) if vocabulary is None else vocabulary.adapter
    events = adapter.json_schema(ref_template="#/$defs/{model}")
    defs = schema.setdefault("$defs", {})
    defs.update(events.pop("$defs"))
    defs["Event"] = events
    event_list_owners = [
        schema["properties"]["background"],
        defs["Scenario"]["properties"]["events"],
    ]
    for owner in event_list_owners:
        owner["items"] = {"$ref": "#/$defs/Event"}
    return _stamp(schema, "scenario.schema.json", "safeguard-rules scenario file")


def evaluation_schema() -> dict[str, Any]:
    # Imported here: the result types' JSON form is not needed to read packs.
    from . import _wire
    from ._result import Evaluation

    complete_models()  # results cite with the pack's Citation
    schema = _wire.shape(Evaluation).json_schema()
    return _stamp(schema, "evaluation.schema.json", "safeguard-rules evaluation (JSON)")


def _stamp(schema: dict[str, Any], name: str, title: str) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE_URL + name,
        **{k: v for k, v in schema.items() if k != "title"},
        "title": title,
    }


def schemas(vocabulary: Vocabulary | None = None) -> dict[str, str]:
    """File name -> schema text, byte-stable (sorted keys, two-space indent, final newline).

    With ``vocabulary`` (``pack.vocabulary``), scenario files' events include the pack's
    declared types."""
    complete_models()
    built = {
        "pack.schema.json": pack_schema(),
        "scenario.schema.json": scenario_schema(vocabulary),
        "evaluation.schema.json": evaluation_schema(),
    }
    return {
        name: json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        for name, schema in built.items()
    }
