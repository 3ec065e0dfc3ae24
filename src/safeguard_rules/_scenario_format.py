"""The scenario-test format: pydantic models, unknown keys forbidden everywhere.

A scenario file holds named scenarios, each a short case history (events), a
moment to evaluate at (``as_of``) and what the pack should make of it: the
obligations and findings expected, those that must be absent, and optionally
that nothing else happened. ``docs/scenarios.md`` documents every key; the JSON
Schema in ``schemas/scenario.schema.json`` is generated from these models.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

ShortText = Annotated[str, Field(min_length=1, max_length=400)]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]
Name = Annotated[str, Field(min_length=1, max_length=120)]
PackRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=400,
        description="A pack name (bundled or installed) or a path to a pack file, relative to "
        "the scenario file.",
    ),
]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_when(text: str) -> date | datetime:
    """A date, or an aware datetime; raises ValueError saying what to write instead."""
    text = text.strip()
    if _DATE.match(text):
        return date.fromisoformat(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a date (2024-05-10) nor a time with an offset "
            "(2024-05-10T17:00:00+01:00)"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(
            f"{text!r} has no UTC offset; write e.g. {text}+01:00, or a plain date for the "
            "end of that day"
        )
    return moment


def _check_when(value: str) -> str:
    parse_when(value)
    return value


When = Annotated[
    str,
    AfterValidator(_check_when),
    Field(
        description="A date (2024-05-10: the end of that local day in the pack's time zone, "
        "as day-based deadlines are) or a time with a UTC offset (2024-05-10T17:00:00+01:00).",
        examples=["2024-05-10", "2024-05-10T17:00:00+01:00"],
    ),
]
Status = Literal["open", "met", "met_late", "overdue", "cancelled", "cannot_evaluate"]
Strength = Literal["must", "should", "advisory"]


class _Strict(BaseModel):
    # Strict: a count is a number, not text; nothing_else is true or false, not "yes".
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, strict=True, allow_inf_nan=False
    )


# 'pack' and 'packs' are alternatives (the validators say so; the schema too).
_PACK_OR_PACKS: JsonDict = {"not": {"required": ["pack", "packs"]}}


class _Pattern(_Strict):
    def given(self) -> dict[str, Any]:
        """The fields the author wrote, in a fixed order (``count`` is not a field)."""
        return {
            name: getattr(self, name)
            for name in type(self).model_fields
            if name in self.model_fields_set and name != "count"
        }


class ObligationPattern(_Pattern):
    """Fields an obligation must have; only the fields given are compared."""

    rule: Name | None = None
    action: Name | None = None
    route: Name | None = None
    responsible: Name | None = None
    copied_in: list[Name] | None = Field(None, description="The whole list, in pack order.")
    child_id: Name | None = None
    triggered_by: list[Name] | None = Field(None, description="Ids of the triggering events.")
    due: When | None = Field(None, description="'null' for an obligation with no deadline.")
    due_case: ShortText | None = Field(None, description="Label of the deadline case applied.")
    status: Status | None = None
    strength: Strength | None = None
    met_by: Name | None = None
    cancelled_by: Name | None = None
    escalation: Name | None = Field(None, description="The escalation action of an overdue one.")
    missing: list[Name] | None = Field(
        None,
        description="For cannot_evaluate: the whole list of values the records do not give, "
        "e.g. [concern_identified.serious_harm].",
    )


class ExpectedObligation(ObligationPattern):
    count: int | None = Field(
        None, ge=0, le=10_000, description="Exactly this many match (default: at least one)."
    )


class FindingPattern(_Pattern):
    rule: Name | None = None
    kind: Literal["check", "overdue", "met_late"] | None = None
    severity: Strength | None = None
    child_id: Name | None = None
    event: Name | None = Field(None, description="Id of the event the check found wanting.")
    obligation: Name | None = Field(None, description="Id of the late obligation.")
    message: ShortText | None = Field(None, description="The whole message.")
    message_contains: ShortText | None = Field(None, description="Part of the message.")


class ExpectedFinding(FindingPattern):
    count: int | None = Field(
        None, ge=0, le=10_000, description="Exactly this many match (default: at least one)."
    )


class UndeterminedPattern(_Pattern):
    """A check that cannot be evaluated (it needs a value the records do not give)."""

    rule: Name | None = None
    child_id: Name | None = None
    event: Name | None = Field(None, description="Id of the event the check is about.")
    missing: list[Name] | None = Field(None, description="The whole list of missing values.")


class ExpectedUndetermined(UndeterminedPattern):
    count: int | None = Field(
        None, ge=0, le=10_000, description="Exactly this many match (default: at least one)."
    )


class Absent(_Strict):
    obligations: list[ObligationPattern] = Field(default_factory=list, max_length=500)
    findings: list[FindingPattern] = Field(default_factory=list, max_length=500)
    undetermined: list[UndeterminedPattern] = Field(default_factory=list, max_length=500)


class Expectations(_Strict):
    obligations: list[ExpectedObligation] = Field(default_factory=list, max_length=500)
    findings: list[ExpectedFinding] = Field(default_factory=list, max_length=500)
    undetermined: list[ExpectedUndetermined] = Field(
        default_factory=list,
        max_length=500,
        description="Checks that cannot be evaluated: they need a value the records do not give.",
    )
    absent: Absent | None = Field(None, description="Obligations and findings that must not be.")
    nothing_else: bool = Field(
        False,
        description="True: every obligation, finding and undetermined check produced must "
        "match an expected one.",
    )
    rejected: int = Field(
        0, ge=0, description="How many events are rejected (default 0: any rejection fails)."
    )


EventRecord = dict[str, Any]


class Scenario(_Strict):
    model_config = ConfigDict(json_schema_extra=_PACK_OR_PACKS)

    name: ShortText
    description: LongText | None = None
    pack: PackRef | None = Field(None, description="Overrides the file's pack.")
    packs: list[PackRef] | None = Field(
        None, min_length=1, max_length=20, description="Run under each of these packs."
    )
    parameters: dict[str, Any] | None = Field(
        None, description="Parameter overrides, e.g. {receipt_follow_up_timescale: {hours: 4}}."
    )
    as_of: When
    events: list[EventRecord] = Field(
        default_factory=list, max_length=10_000, description="Added after the file's background."
    )
    expect: Expectations

    @model_validator(mode="after")
    def _one_pack_key(self) -> Scenario:
        if self.pack is not None and self.packs is not None:
            raise ValueError("give either 'pack' or 'packs', not both")
        return self


class ScenarioFile(_Strict):
    """A file of scenarios, conventionally named ``*.scenarios.yaml``."""

    model_config = ConfigDict(
        json_schema_extra={
            **_PACK_OR_PACKS,
            # Without a pack for the file, every scenario names its own.
            "if": {"not": {"anyOf": [{"required": ["pack"]}, {"required": ["packs"]}]}},
            "then": {
                "properties": {
                    "scenarios": {
                        "items": {"anyOf": [{"required": ["pack"]}, {"required": ["packs"]}]}
                    }
                }
            },
        }
    )

    pack: PackRef | None = Field(None, description="The pack every scenario runs under.")
    packs: list[PackRef] | None = Field(None, min_length=1, max_length=20)
    parameters: dict[str, Any] | None = Field(None, description="Overrides for every scenario.")
    background: list[EventRecord] = Field(
        default_factory=list,
        max_length=10_000,
        description="Events every scenario in the file starts from.",
    )
    scenarios: list[Scenario] = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _packs_named(self) -> ScenarioFile:
        if self.pack is not None and self.packs is not None:
            raise ValueError("give either 'pack' or 'packs', not both")
        if self.pack is None and self.packs is None:
            for scenario in self.scenarios:
                if scenario.pack is None and scenario.packs is None:
                    raise ValueError(
                        f"scenario {scenario.name!r} names no pack: write 'pack: NAME' at the "
                        "top of the file or in the scenario"
                    )
        return self
