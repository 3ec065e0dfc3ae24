"""The policy-pack format: pydantic models, unknown keys forbidden everywhere.

These models say what a pack *can* contain; whether the names in it (event types,
fields, roles, parameters, sources) exist is checked when the pack is compiled
(``_compile.py``), where the YAML positions are at hand. ``docs/pack-format.md``
documents every key with examples.
"""

# No ``from __future__ import annotations`` here: pydantic would then evaluate each field's
# annotation from its text when the class is made (a compile per annotation: about a fifth
# of this module's import, counted in instructions); evaluated by Python once instead, only
# the names not yet defined (a model's own name) are quoted.

import re
import threading
from datetime import date, time
from typing import Annotated, Any, Literal, TypeVar, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema, WithJsonSchema
from pydantic_core import PydanticCustomError

# Defined without pydantic (loading a bundled pack uses them without these models).
from ._pack_base import TEMPLATE_FIELD as TEMPLATE_FIELD
from ._pack_base import FrozenDict as FrozenDict
from ._pack_base import FrozenList as FrozenList
from ._pack_base import new_list, signed
from ._pack_base import template_fields as template_fields

T = TypeVar("T")


# Validating a pack file (YAML read into plain values) rather than models built in Python:
# the loader passes it as the validation context.
DOCUMENT: dict[str, Any] = {"document": True}


def _from_document(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and bool(info.context.get("document"))


@signed
def _not_null(value: T, info: ValidationInfo) -> T:
    if value is None and _from_document(info):
        raise PydanticCustomError("wrong-type", "null is not a value here; leave the key out")
    return value


# An optional key: left out, or given a value. In a pack file an explicit null is an error
# (it would otherwise count as "left out" and hide a half-written entry), and the JSON
# Schema says the same; in Python, None is how an optional argument is left out.
Opt = Annotated[Union[T, SkipJsonSchema[None]], AfterValidator(_not_null)]  # noqa: UP007


@signed
def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


# Free text: leading and trailing whitespace (a folded block's final line break) is
# dropped; it must hold something besides whitespace.
ShortText = Annotated[
    str, Field(min_length=1, max_length=400, pattern=r"\S"), BeforeValidator(_strip)
]
LongText = Annotated[
    str, Field(min_length=1, max_length=4000, pattern=r"\S"), BeforeValidator(_strip)
]
QuoteText = Annotated[
    str, Field(min_length=8, max_length=4000, pattern=r"\S"), BeforeValidator(_strip)
]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=80)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Strength = Literal["must", "should", "advisory"]
Scalar = Union[bool, int, float, str]  # noqa: UP007 - order matters to pydantic

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


def _iso_date(value: Any) -> Any:
    """A date written YYYY-MM-DD (YAML 1.2 reads it as text); a date object as it is."""
    if isinstance(value, str):
        if not _ISO_DATE.match(value):
            raise PydanticCustomError("wrong-type", "write a date as YYYY-MM-DD, e.g. 2024-03-01")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("invalid-value", "no such date") from None
    return value


def _iso_time(value: Any) -> Any:
    """A time of day written HH:MM or HH:MM:SS; a time object as it is."""
    if isinstance(value, str):
        if not _ISO_TIME.match(value):
            raise PydanticCustomError(
                "wrong-type", "write a time of day as HH:MM (00:00 to 23:59), e.g. '09:00'"
            )
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("invalid-value", "no such time of day") from None
    return value


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _ISO_DATE.pattern}),
]
IsoTime = Annotated[
    time,
    BeforeValidator(_iso_time),
    WithJsonSchema(
        {"type": "string", "pattern": _ISO_TIME.pattern, "description": "HH:MM or HH:MM:SS"}
    ),
]


def _frozen(value: Any) -> Any:
    if type(value) is list:
        return FrozenList(value)
    if type(value) is dict:
        return FrozenDict(value)
    return value


class _Strict(BaseModel):
    # Strict: a number is not text, text is not a number, 1 is not true; nothing coerced.
    # Built on first use (defer_build): loading a pack builds Pack's validator only, not
    # one for each of the models inside it (benchmarks/startup.py); complete_models()
    # builds them all for the JSON Schema.
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, allow_inf_nan=False, defer_build=True
    )

    @model_validator(mode="after")
    @signed
    def _freeze(self) -> Any:
        # Frozen all the way down: a model's lists and mappings are immutable too, so a
        # compiled pack cannot be changed through the models it hands out.
        for name in type(self).model_fields:
            value = self.__dict__[name]
            frozen = _frozen(value)
            if frozen is not value:
                object.__setattr__(self, name, frozen)
        return self


# The JSON Schema of each one-of shape says what its validator enforces, so an editor
# accepts exactly what the loader does (tests/test_schema_agreement.py holds both to it).
def _exactly_one_key(schema: dict[str, Any]) -> None:
    schema["minProperties"] = 1
    schema["maxProperties"] = 1


def _one_of_required(*keys: str) -> JsonDict:
    return {"oneOf": [{"required": [key]} for key in keys]}


_NOT_A_PARAMETER: JsonDict = {"not": {"required": ["parameter"]}}


# --- provenance --------------------------------------------------------------------


class Source(_Strict):
    """A document the pack encodes."""

    id: Identifier
    file: ShortText = Field(description="File name of the captured source text.")
    title: LongText
    publisher: Opt[ShortText] = None
    published: Opt[ShortText] = Field(None, description="Date or month of publication.")
    url: Opt[ShortText] = None


class Citation(_Strict):
    """The sentence of a source that a rule (or deadline case) encodes."""

    source: Identifier = Field(description="Id of an entry in pack.sources.")
    quote: QuoteText = Field(description="The sentence, quoted from the source text.")
    note: Opt[LongText] = Field(
        None, description="How the pack reads the sentence where it is ambiguous."
    )


class Metadata(_Strict):
    id: Identifier
    title: LongText
    jurisdiction: Identifier
    version: ShortText
    effective_from: IsoDate
    effective_to: IsoDate | None = Field(
        None, description="The last day in force; null or left out: open-ended."
    )
    description: Opt[LongText] = None
    sources: list[Source] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _dates_in_order(self) -> "Metadata":
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self


# --- calendar ----------------------------------------------------------------------


class PublicHolidays(_Strict):
    """Public holidays from the ``holidays`` package: a country and, where needed, subdivision."""

    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    subdivision: Opt[ShortText] = None


class OfficeHours(_Strict):
    days: list[Weekday] = Field(min_length=1, max_length=7)
    start: IsoTime
    end: IsoTime
    open_on_public_holidays: bool = Field(
        False, description="True where the source says 'daily Monday to Friday' without exception."
    )

    @model_validator(mode="after")
    def _start_before_end(self) -> "OfficeHours":
        if self.end <= self.start:
            raise ValueError("office hours must end after they start")
        return self


def _weekdays() -> list[Weekday]:
    return ["mon", "tue", "wed", "thu", "fri"]


class CalendarSpec(_Strict):
    timezone: ShortText = Field(description="IANA time zone name, e.g. Europe/London.")
    working_days: list[Weekday] = Field(default_factory=_weekdays, min_length=1, max_length=7)
    public_holidays: Opt[PublicHolidays] = None
    closures: list[IsoDate] = Field(
        default_factory=new_list, max_length=1000, description="Extra dates the offices are closed."
    )
    office_hours: Opt[OfficeHours] = None


# --- roles and agencies ---------------------------------------------------------------


class Role(_Strict):
    title: ShortText
    agency: Opt[Identifier] = None
    description: Opt[LongText] = None


# --- conditions ----------------------------------------------------------------------


class Ref(_Strict):
    """A value read at evaluation time: ``{ref: trigger.agencies}``."""

    ref: Annotated[str, Field(min_length=1, max_length=120)]


Operand = Union[Ref, Scalar]  # noqa: UP007
ListOperand = Union[Ref, list[Scalar]]  # noqa: UP007


def _not_null_operand(value: T, info: ValidationInfo) -> T:
    if value is None and _from_document(info):
        raise PydanticCustomError(
            "invalid-value", "'is: null' is not allowed; write 'present: false'"
        )
    return value


IsOperand = Annotated[
    Union[Operand, SkipJsonSchema[None]], AfterValidator(_not_null_operand)  # noqa: UP007
]

FIELD_OPERATORS: tuple[str, ...] = (
    "is",
    "is_not",
    "in",
    "not_in",
    "contains",
    "contains_any",
    "contains_all",
    "present",
    "at_least",
    "at_most",
    "count_at_least",
    "in_office_hours",
    "recorded",
)
COMBINATORS: tuple[str, ...] = ("all", "any", "not")


def _condition_schema(schema: dict[str, Any]) -> None:
    alone = [{"required": [key], "maxProperties": 1} for key in COMBINATORS]
    field_test = {
        "required": ["field"],
        "minProperties": 2,
        "maxProperties": 2,
        "not": {"anyOf": [{"required": [key]} for key in COMBINATORS]},
    }
    schema["oneOf"] = [*alone, field_test]


class Condition(_Strict):
    """Either a combination (``all``, ``any``, ``not``) or one test of one field.

    A field test names ``field`` (``category``, ``attributes.NAME``, ``case.NAME``,
    or ``trigger.NAME`` when matching what satisfies an obligation) and exactly one
    operator.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        allow_inf_nan=False,
        populate_by_name=False,
        json_schema_extra=lambda schema: _condition_schema(schema),
    )

    all_: Opt[Annotated[list["Condition"], Field(min_length=1, max_length=100)]] = Field(
        None, alias="all"
    )
    any_: Opt[Annotated[list["Condition"], Field(min_length=1, max_length=100)]] = Field(
        None, alias="any"
    )
    not_: Opt["Condition"] = Field(None, alias="not")
    field: Opt[Annotated[str, Field(min_length=1, max_length=120)]] = None
    is_: IsOperand = Field(None, alias="is")
    is_not: IsOperand = None
    in_: Opt[ListOperand] = Field(None, alias="in")
    not_in: Opt[ListOperand] = None
    contains: Opt[Operand] = None
    contains_any: Opt[ListOperand] = None
    contains_all: Opt[ListOperand] = None
    present: Opt[bool] = None
    at_least: Opt[float] = None
    at_most: Opt[float] = None
    count_at_least: Opt[Annotated[int, Field(ge=0)]] = None
    in_office_hours: Opt[bool] = None
    recorded: Opt[bool] = Field(
        None,
        description="true: the record gives the field (it is not listed under unknown, nor "
        "left out where leaving it out means 'not recorded'); false: it does not. Never "
        "unknown itself, so 'any: [{field: X, recorded: false}, {field: X, is: false}]' "
        "reads 'X is false or not recorded'.",
    )

    @model_validator(mode="after")
    def _one_shape(self) -> "Condition":
        given = self.model_fields_set
        combos = [name for name in ("all_", "any_", "not_") if name in given]
        ops = [name for name in given if name not in ("all_", "any_", "not_", "field")]
        if combos:
            if len(combos) > 1 or ops or "field" in given:
                raise ValueError(
                    "a condition is either one of all/any/not or one field test; "
                    "nest them instead of combining keys"
                )
            return self
        if "field" not in given:
            raise ValueError("a condition needs 'field' and one operator, or one of all/any/not")
        if len(ops) != 1:
            names = ", ".join(FIELD_OPERATORS)
            raise ValueError(f"a field test needs exactly one operator, one of: {names}")
        if ops[0] in ("is_", "is_not") and getattr(self, ops[0]) is None:
            raise ValueError("'is: null' is not allowed; write 'present: false'")
        return self

    @property
    def operator(self) -> str:
        for name in self.model_fields_set:
            if name not in ("all_", "any_", "not_", "field"):
                return name.rstrip("_")
        return ""

    @property
    def operand(self) -> Any:
        op = self.operator
        return getattr(self, op + "_" if op in ("is", "in") else op)


# --- timescales and deadline tables ---------------------------------------------------

_TIMESCALE_KEYS = (
    "same_day",
    "working_days",
    "calendar_days",
    "months",
    "hours",
    "office_hours",
    "no_deadline",
)


class Timescale(_Strict):
    """One way of counting a deadline from a trigger; exactly one key."""

    model_config = ConfigDict(json_schema_extra=lambda schema: _exactly_one_key(schema))

    same_day: Opt[Literal[True]] = None
    working_days: Opt[Annotated[int, Field(ge=0, le=366)]] = None
    calendar_days: Opt[Annotated[int, Field(ge=0, le=3660)]] = None
    months: Opt[Annotated[int, Field(ge=0, le=120)]] = None
    hours: Opt[Annotated[int, Field(ge=0, le=8784)]] = None
    office_hours: Opt[Annotated[int, Field(ge=0, le=2000)]] = None
    no_deadline: Opt[Literal[True]] = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Timescale":
        given = [k for k in _TIMESCALE_KEYS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a timescale has exactly one of: "
                + ", ".join(_TIMESCALE_KEYS)
                + " (for example 'working_days: 3' or 'same_day: true')"
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in _TIMESCALE_KEYS if getattr(self, k) is not None)

    @property
    def amount(self) -> int:
        """N for the counted kinds; 0 for same_day and no_deadline."""
        value = getattr(self, self.kind)
        return 0 if isinstance(value, bool) else int(value)

    def describe(self) -> str:
        kind = self.kind
        if kind == "same_day":
            return "the same day"
        if kind == "no_deadline":
            return "no deadline"
        amount = getattr(self, kind)
        unit = kind.replace("_", " ")
        return f"{amount} {unit[:-1] if amount == 1 else unit}"


class DueCase(_Strict):
    label: ShortText
    when: Opt[Condition] = Field(None, description="Omitted on the final, default case.")
    within: Timescale
    strength: Opt[Strength] = Field(
        None, description="Overrides the rule's strength when this case decides the deadline."
    )
    citation: Opt[Citation] = None
    counts_from: Opt[Literal["trigger"]] = Field(
        None,
        description="Under due_from: 'trigger' counts this case's deadline from the rule's "
        "trigger instead of due_from's earlier event, where the source starts this case's "
        "clock there; an act since the earlier event still meets the obligation.",
    )


class DueTable(_Strict):
    hit_policy: Literal["first"] = Field(
        description="'first': cases are tried in order and the first that matches decides."
    )
    cases: list[DueCase] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _ends_with_default(self) -> "DueTable":
        if self.cases[-1].when is not None:
            raise ValueError(
                "the last case of a deadline table must have no 'when', so every trigger "
                "gets a deadline (write it as the 'otherwise' case)"
            )
        return self


class Due(Timescale):
    """A timescale, a named parameter, or a decision table; exactly one."""

    parameter: Opt[Identifier] = None
    table: Opt[DueTable] = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Due":
        given = [
            k for k in (*_TIMESCALE_KEYS, "parameter", "table") if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "'due' has exactly one of: " + ", ".join(_TIMESCALE_KEYS) + ", parameter, table"
            )
        return self

    @property
    def kind(self) -> str:
        for k in ("parameter", "table"):
            if getattr(self, k) is not None:
                return k
        return super().kind


ParameterBasis = Literal["source", "local_default"]
# Where an obligation's deadline comes from: the source's own words, a default the pack
# chose where the source leaves it open, or a value the user set when loading the pack.
DeadlineBasis = Literal["source", "local_default", "local_override"]


class Parameter(_Strict):
    """A value the source leaves to local judgement, with a documented default."""

    description: LongText
    default: Due = Field(json_schema_extra=_NOT_A_PARAMETER)
    basis: ParameterBasis = Field(
        description="'source' where the source itself gives the default value (an outer limit, "
        "or no timescale at all); 'local_default' where the pack chose it (e.g. for "
        "'commensurate to risk' or 'as soon as possible'). Every obligation and finding whose "
        "deadline rests on a local default says so."
    )
    citation: Opt[Citation] = Field(
        None, description="The phrase that leaves this to local judgement."
    )

    @field_validator("default")
    @classmethod
    def _no_indirection(cls, value: Due) -> Due:
        if value.parameter is not None:
            raise ValueError("a parameter's default cannot name another parameter")
        return value


# --- what a pack deliberately leaves out ----------------------------------------------

NotEncodedReason = Literal[
    "definition",
    "permissive",
    "not_observable",
    "other_procedure",
    "context",
    "out_of_scope",
    "aspiration",
]


class NotEncoded(_Strict):
    """A sentence of a source that the pack deliberately does not encode, and why."""

    source: Identifier = Field(description="Id of an entry in pack.sources.")
    quote: QuoteText = Field(
        description="The sentence (or the imposing part of it), quoted from the source text."
    )
    reason: NotEncodedReason = Field(
        description="definition: defines a term; permissive: 'may', a power not a duty; "
        "not_observable: no event can record it; other_procedure: a duty set by another "
        "document; context: purpose or background; out_of_scope: outside the source's own "
        "scope sentence; aspiration: a general aim with no checkable act."
    )
    note: LongText = Field(description="Why, in a sentence or two.")


# --- rules -------------------------------------------------------------------------


class EventMatch(_Strict):
    event: Identifier
    where: Opt[Condition] = None


class ClosingMatch(EventMatch):
    """An event that closes ``earliest_since``'s run of events."""

    provisional: Opt[bool] = Field(
        None,
        description="true: this event ends the run only for a matching event that follows "
        "it, which starts the next run; a trigger with no matching event since it counts "
        "from the run it closed (a decision that ended the matter, then reversed), so "
        "recording it can never leave a later act untimed.",
    )


class DueFromOtherwise(_Strict):
    """Where ``named_by``'s field is empty: count from the latest earlier matching event
    if the trigger falls within ``latest_within`` of it, else from the trigger itself; or
    from the earliest matching event since the last event closing the run
    (``earliest_since``), else give no obligation."""

    model_config = ConfigDict(json_schema_extra=_one_of_required("latest_within", "earliest_since"))

    latest_within: Opt[Timescale] = Field(
        None,
        description="How close before the trigger the latest earlier event must be to start "
        "the clock of a trigger that names none (same_day, working_days, calendar_days or "
        "hours); further back, or none, the clock starts at the trigger itself.",
    )
    earliest_since: Opt[
        ClosingMatch | Annotated[list[ClosingMatch], Field(min_length=1, max_length=20)]
    ] = Field(
        None,
        description="A trigger that names none counts from the earliest matching event since "
        "the latest event that closes the run, as due_from's own earliest_since (with none "
        "since, no obligation). The run is kept whatever the triggers name.",
    )

    @field_validator("earliest_since", mode="before")
    @classmethod
    def _some_closing_event(cls, value: object) -> object:
        return _closing_list(value)

    @model_validator(mode="after")
    def _a_window(self) -> "DueFromOtherwise":
        if (self.latest_within is None) == (self.earliest_since is None):
            raise ValueError(
                "'otherwise' says where a trigger that names no event counts from: give one "
                "of 'latest_within' (the latest earlier event within a window, else the "
                "trigger) or 'earliest_since' (the earliest event of the run)"
            )
        if self.latest_within is not None and self.latest_within.kind not in _WINDOW_KINDS:
            raise ValueError(
                f"'latest_within' is a window before the trigger: give one of "
                f"{', '.join(_WINDOW_KINDS)} (for example 'working_days: 5'), not "
                f"{self.latest_within.kind!r}"
            )
        return self


def _closing_list(value: object) -> object:
    if isinstance(value, list) and not value:
        raise ValueError(
            "'earliest_since' names the events that close a run: give at least one "
            "(for example {event: strategy_meeting_held}), or leave the key out"
        )
    return value


_WINDOW_KINDS = ("same_day", "working_days", "calendar_days", "hours")


class NamedBy(_Strict):
    """``named_by`` with a bound: the event the trigger names starts the clock only if the
    trigger falls within ``within`` of it; further back, ``otherwise`` decides (docs/
    pack-format.md, "A bound on the link")."""

    field: Identifier = Field(
        description="A checked reference field of the trigger (e.g. referral_ref)."
    )
    within: Due = Field(
        description="How soon after the named event the trigger must fall for the link to "
        "start the clock, counted like a deadline from that event on the pack's calendar: "
        "same_day, working_days, calendar_days or hours, or a parameter whose value is one. "
        "A parameter with basis local_default labels every obligation whose clock it "
        "decided (a link set aside), which is then never reported at must.",
    )

    @model_validator(mode="after")
    def _a_window(self) -> "NamedBy":
        kind = self.within.kind
        if kind != "parameter" and kind not in _WINDOW_KINDS:
            raise ValueError(
                f"named_by's 'within' is a window after the named event: give one of "
                f"{', '.join(_WINDOW_KINDS)} (for example 'working_days: 10') or a "
                f"parameter, not {kind!r}"
            )
        return self


class DueFrom(EventMatch):
    """The earlier event a deadline counts from (docs/pack-format.md, ``due_from``): by
    default the latest matching event before the trigger; ``earliest_since`` or
    ``named_by`` choose it another way, and ``otherwise`` says where a trigger that names
    none counts from."""

    earliest_since: Opt[
        ClosingMatch | Annotated[list[ClosingMatch], Field(min_length=1, max_length=20)]
    ] = Field(
        None,
        description="Count from the earliest matching event since the latest event that "
        "closes the run (a strategy meeting closes the run of concerns before it), so a later "
        "event cannot restart the clock. One closing event, or a list of alternatives (a "
        "meeting, or a discussion that decided none is needed), each with its optional "
        "'where' (and 'provisional: true' for one whose run still times a trigger with "
        "no matching event since it). With none since, the rule gives no obligation.",
    )
    named_by: Opt[Identifier | NamedBy] = Field(
        None,
        description="A reference field of the trigger (e.g. referral_ref): count from the "
        "event whose id it holds. With the field empty, the rule gives no obligation, "
        "unless 'otherwise' says where to count from. {field, within} bounds the link: a "
        "named event further back than 'within' before the trigger counts as none named.",
    )
    otherwise: Opt[DueFromOtherwise] = Field(
        None,
        description="With named_by: where a trigger whose field is empty counts from, so "
        "leaving the link out never starts the clock later than recording it would: the "
        "latest earlier matching event within 'latest_within' before the trigger, else the "
        "trigger itself; or the earliest event of the run ('earliest_since').",
    )

    @field_validator("earliest_since", mode="before")
    @classmethod
    def _some_closing_event(cls, value: object) -> object:
        return _closing_list(value)

    @model_validator(mode="after")
    def _one_way(self) -> "DueFrom":
        if self.earliest_since is not None and self.named_by is not None:
            raise ValueError(
                "'earliest_since' and 'named_by' are two ways to choose the earlier event; "
                "give one of them (a trigger that names none counts from the run with "
                "named_by's 'otherwise: {earliest_since: ...}')"
            )
        if self.otherwise is not None and self.named_by is None:
            raise ValueError(
                "'otherwise' says where a trigger that names no event counts from; it needs "
                "'named_by' (without named_by the clock already starts at the latest earlier "
                "event)"
            )
        return self

    @property
    def named_field(self) -> str | None:
        """named_by's field (the trigger's reference field), bounded or not."""
        named = self.named_by
        return named.field if isinstance(named, NamedBy) else named

    @property
    def named_within(self) -> Due | None:
        """named_by's bound ('within'), if any."""
        named = self.named_by
        return named.within if isinstance(named, NamedBy) else None

    def named_words(self, window: str | None = None) -> str:
        """The named event, in words; ``window``: the bound's value, in words (default:
        as written, a parameter by its name)."""
        named = f"the {self.event} the trigger names in {self.named_field}"
        within = self.named_within
        if within is None:
            return named
        if window is None:
            window = within.parameter or within.describe()
        return f"{named}, if the trigger falls within {window} of it"

    def describe(self, window: str | None = None) -> str:
        """Which earlier event the clock starts at, in words (deadline texts use it);
        ``window`` as for named_words."""
        if self.named_by is not None and self.otherwise is not None:
            named = self.named_words(window)
            if self.otherwise.latest_within is None:
                return f"{named}, else {self._run_words()}"
            window = self.otherwise.latest_within.describe()
            return (
                f"{named}, else the latest {self.event} within {window} before it, else the trigger"
            )
        if self.named_by is not None:
            return self.named_words(window)
        if self.earliest_since is not None:
            return self._run_words()
        return f"the latest {self.event}"

    def _run_words(self) -> str:
        return (
            f"the earliest {self.event} since the last {self.closing_words()}"
            f"{self.provisional_words()}"
        )

    @property
    def closing(self) -> tuple[ClosingMatch, ...]:
        """earliest_since's closing events (due_from's own, or named_by's otherwise's),
        one or several alternatives (empty without)."""
        since = self.earliest_since
        if since is None and self.otherwise is not None:
            since = self.otherwise.earliest_since
        if since is None:
            return ()
        return (since,) if isinstance(since, ClosingMatch) else tuple(since)

    def provisional_words(self) -> str:
        """What a provisional close leaves, in words ('' when no closing event is one)."""
        kinds = tuple(dict.fromkeys(m.event for m in self.closing if m.provisional))
        if not kinds:
            return ""
        return f"; a {' or '.join(kinds)} closes the run only for a later {self.event}"

    @property
    def closing_events(self) -> tuple[str, ...]:
        """The event types that close the run, each once, in the pack's order."""
        return tuple(dict.fromkeys(m.event for m in self.closing))

    def closing_words(self) -> str:
        """The event types that close the run, in words: 'a or b'."""
        return " or ".join(self.closing_events)


class Count(_Strict):
    """Fire on a count of events of the trigger's type in the child's history."""

    model_config = ConfigDict(json_schema_extra=_one_of_required("more_than", "at_least"))

    more_than: Opt[Annotated[int, Field(ge=0, le=10_000)]] = None
    at_least: Opt[Annotated[int, Field(ge=1, le=10_000)]] = None
    within: Opt[Timescale] = Field(
        None, description="Only events this close before the current one count."
    )
    where: Opt[Condition] = Field(None, description="Which events count (default: all).")
    repeat: Literal["once", "every", "run"] = Field(
        "once",
        description="'once': fire when the count first passes the threshold (again only after "
        "it falls back within the window); 'every': fire on every event past it; 'run': fire "
        "on the event that completes each run of threshold events (the 4th, 8th, ... for "
        "more_than: 3), which then starts a new run.",
    )

    @model_validator(mode="after")
    def _one_threshold(self) -> "Count":
        if (self.more_than is None) == (self.at_least is None):
            raise ValueError("a count has exactly one of 'more_than' or 'at_least'")
        return self

    @property
    def threshold(self) -> int:
        """The smallest count that fires."""
        return self.more_than + 1 if self.more_than is not None else int(self.at_least or 0)


class Trigger(EventMatch):
    count: Opt[Count] = None


class Escalation(_Strict):
    action: Identifier
    responsible: Identifier
    copied_in: list[Identifier] = Field(default_factory=new_list, max_length=20)
    description: Opt[LongText] = None
    path: Opt[Identifier] = Field(
        None, description="An entry of escalation_paths: who 'responsible' escalates to next."
    )


class EscalationPath(_Strict):
    """Who escalates to whom when a disagreement or an overdue action is not resolved."""

    description: LongText
    citation: Opt[Citation] = None
    steps: dict[Identifier, Identifier] = Field(
        min_length=1, max_length=50, description="role -> the role it escalates to."
    )

    def chain_from(self, role: str) -> tuple[str, ...]:
        """The roles ``role`` escalates to in turn; stops before any role seen again."""
        seen = [role]
        while (following := self.steps.get(seen[-1])) is not None and following not in seen:
            seen.append(following)
        return tuple(seen[1:])


class Requirement(_Strict):
    model_config = ConfigDict(json_schema_extra={"dependentRequired": {"due_from": ["due"]}})

    action: Identifier
    description: Opt[LongText] = None
    responsible: Identifier
    copied_in: list[Identifier] = Field(default_factory=new_list, max_length=20)
    due: Opt[Due] = Field(None, description="Omitted where the source sets no timescale.")
    due_from: Opt[DueFrom] = Field(
        None,
        description="Where the source starts the clock at an earlier event than the trigger: "
        "the deadline counts from the latest earlier event of this type (matching 'where'), "
        "or the one earliest_since or named_by chooses; deadline-table cases test that event, "
        "and an act from that event on (the trigger itself included) may meet the obligation. "
        "With no such earlier event the rule gives no obligation.",
    )
    satisfied_by: EventMatch | list[EventMatch] = Field(
        description="The event that meets the obligation, or a list of alternatives (any)."
    )
    cancelled_by: Opt[EventMatch | list[EventMatch]] = None
    escalation: Opt[Escalation] = None

    @model_validator(mode="after")
    def _due_from_needs_due(self) -> "Requirement":
        if self.due_from is not None and self.due is None:
            raise ValueError(
                "'due_from' says where a deadline starts; give the deadline in 'due' too "
                "(or leave out 'due_from' where the source sets no timescale)"
            )
        return self


class Route(_Strict):
    name: Identifier
    when: Opt[Condition] = Field(None, description="Omitted on the final, default route.")
    require: Opt[Requirement] = Field(None, description="Omitted where the route needs nothing.")
    strength: Opt[Strength] = Field(None, description="Overrides the rule's strength.")
    citation: Opt[Citation] = None


_RULE_ID = re.compile(r"^[a-z][a-z0-9_.-]*$")


class Rule(_Strict):
    model_config = ConfigDict(
        json_schema_extra={
            **_one_of_required("require", "routes", "expect"),
            "dependentRequired": {"expect": ["message"], "message": ["expect"]},
        }
    )

    id: Annotated[str, Field(pattern=_RULE_ID.pattern, min_length=1, max_length=120)]
    title: ShortText
    citation: Opt[Citation] = Field(
        None, description="Required by 'safeguard-rules lint'; optional so a draft loads."
    )
    strength: Strength
    when: Trigger
    require: Opt[Requirement] = None
    routes: Opt[Annotated[list[Route], Field(min_length=2, max_length=20)]] = None
    expect: Opt[Condition] = None
    message: Opt[ShortText] = Field(
        None, description="Finding text; {field} is replaced by the event's field value."
    )
    notes: Opt[LongText] = None

    @model_validator(mode="after")
    def _one_outcome(self) -> "Rule":
        outcomes = [k for k in ("require", "routes", "expect") if getattr(self, k) is not None]
        if len(outcomes) != 1:
            raise ValueError(
                "a rule has exactly one of 'require' (an obligation), 'routes' (alternative "
                "obligations, first match) or 'expect' (a compliance check)"
            )
        if self.expect is not None and self.message is None:
            raise ValueError("a rule with 'expect' needs a 'message' for its finding")
        if self.expect is None and self.message is not None:
            raise ValueError("'message' belongs to rules with 'expect'")
        if self.routes is not None and self.routes[-1].when is not None:
            raise ValueError("the last route must have no 'when' (it is the default route)")
        return self

    @property
    def kind(self) -> Literal["obligation", "routing", "check"]:
        if self.require is not None:
            return "obligation"
        if self.routes is not None:
            return "routing"
        return "check"


# --- vocabulary: event types and typed attributes a pack declares ------------------------

FieldType = Literal["text", "date", "datetime", "integer", "boolean", "enum", "list", "reference"]
ItemType = Literal["text", "date", "integer", "boolean", "enum", "reference"]
EnumValue = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)]

_IS_ENUM: JsonDict = {"properties": {"type": {"const": "enum"}}}
_IS_ENUM_LIST: JsonDict = {
    "properties": {"type": {"const": "list"}, "items": {"const": "enum"}},
    "required": ["items"],
}
_FIELD_SHAPE: JsonDict = {
    "allOf": [
        {"if": _IS_ENUM, "then": {"required": ["values"]}},
        {"if": _IS_ENUM_LIST, "then": {"required": ["values"]}},
        {"if": {"properties": {"type": {"const": "list"}}}, "then": {"required": ["items"]}},
        {"if": {"required": ["values"]}, "then": {"anyOf": [_IS_ENUM, _IS_ENUM_LIST]}},
        {"if": {"required": ["items"]}, "then": {"properties": {"type": {"const": "list"}}}},
    ]
}


class FieldDeclaration(_Strict):
    """One typed field of a declared event type, or one typed attribute."""

    model_config = ConfigDict(json_schema_extra=_FIELD_SHAPE)

    type: FieldType = Field(
        description="text, date (YYYY-MM-DD), datetime (ISO 8601 with an offset), integer, "
        "boolean (true/false only), enum (one of values), list (of items), or reference "
        "(the id of another event)."
    )
    values: Opt[Annotated[list[EnumValue], Field(min_length=1, max_length=200)]] = Field(
        None, description="The allowed values, for type enum (or a list of items: enum)."
    )
    items: Opt[ItemType] = Field(None, description="The type of each item, for type list.")
    required: bool = Field(
        False,
        description="Every record gives it, or lists it under unknown. Attributes are never "
        "required.",
    )
    description: LongText = Field(
        description="When to record it, and how it differs from its look-alikes."
    )

    @model_validator(mode="after")
    def _shape(self) -> "FieldDeclaration":
        enum = self.type == "enum" or (self.type == "list" and self.items == "enum")
        if enum and not self.values:
            raise ValueError("an enum needs 'values', the list of allowed values")
        if not enum and self.values is not None:
            raise ValueError("'values' belongs to type enum (or a list with items: enum)")
        if self.type == "list" and self.items is None:
            raise ValueError("a list needs 'items', the type of each item (e.g. items: text)")
        if self.type != "list" and self.items is not None:
            raise ValueError("'items' belongs to type list")
        return self


class EventDeclaration(_Strict):
    """A new event type: when to record it, and its fields."""

    description: LongText = Field(
        description="When to record it, and how it differs from its look-alikes."
    )
    fields: dict[Identifier, FieldDeclaration] = Field(default_factory=dict, max_length=100)


class VocabularySection(_Strict):
    """Event types and typed attributes a pack adds to the core vocabulary (docs/events.md)."""

    events: dict[Identifier, EventDeclaration] = Field(
        default_factory=dict,
        max_length=200,
        description="New event types, by name; a name of the core vocabulary is an error.",
    )
    attributes: dict[Identifier, dict[Identifier, FieldDeclaration]] = Field(
        default_factory=dict,
        max_length=200,
        description="Typed attributes, by event type (core or declared) and attribute name; "
        "rules test them as attributes.NAME, and only declared ones.",
    )


class Pack(_Strict):
    """A jurisdiction's policy pack."""

    pack: Metadata
    calendar: CalendarSpec
    agencies: dict[Identifier, ShortText] = Field(default_factory=dict, max_length=100)
    roles: dict[Identifier, Role] = Field(min_length=1, max_length=200)
    parameters: dict[Identifier, Parameter] = Field(default_factory=dict, max_length=200)
    escalation_paths: dict[Identifier, EscalationPath] = Field(default_factory=dict, max_length=50)
    rules: list[Rule] = Field(min_length=1, max_length=2000)
    not_encoded: list[NotEncoded] = Field(
        default_factory=new_list,
        max_length=2000,
        description="Source sentences deliberately not encoded, each with its reason.",
    )
    vocabulary: Opt[VocabularySection] = Field(
        None,
        description="Event types and typed attributes this pack declares beside the core "
        "vocabulary (docs/events.md, 'Declaring a vocabulary').",
    )


# --- overlays ------------------------------------------------------------------------


class OverlayMetadata(_Strict):
    """An overlay's own ``pack:``: jurisdiction and effective dates are inherited unless given."""

    id: Identifier
    title: LongText
    version: ShortText
    jurisdiction: Opt[Identifier] = None
    effective_from: Opt[IsoDate] = None
    effective_to: IsoDate | None = Field(
        None, description="The last day in force; null or left out: open-ended."
    )
    description: Opt[LongText] = None
    sources: list[Source] = Field(
        default_factory=new_list, max_length=50, description="Appended to the base's sources."
    )


class CalendarOverride(_Strict):
    """The calendar keys an overlay replaces; the others are the base's."""

    timezone: Opt[ShortText] = None
    working_days: Opt[Annotated[list[Weekday], Field(min_length=1, max_length=7)]] = None
    public_holidays: Opt[PublicHolidays] = None
    closures: Opt[Annotated[list[IsoDate], Field(max_length=1000)]] = None
    office_hours: Opt[OfficeHours] = None


class ParameterOverride(_Strict):
    """The keys of a base parameter an overlay replaces (usually ``default``)."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    description: Opt[LongText] = None
    default: Opt[Due] = Field(None, json_schema_extra=_NOT_A_PARAMETER)
    basis: Opt[ParameterBasis] = None
    citation: Opt[Citation] = None

    @model_validator(mode="after")
    def _overrides_something(self) -> "ParameterOverride":
        if not self.model_fields_set:
            raise ValueError(
                "a parameter override gives at least one of default, basis, description, citation"
            )
        if self.default is not None and self.default.parameter is not None:
            raise ValueError("a parameter's default cannot name another parameter")
        return self


class Overlay(_Strict):
    """A pack that ``extend``s another and gives only what differs from it."""

    extend: ShortText = Field(
        description="The base: a pack name, provider:name, or a path relative to this file."
    )
    pack: OverlayMetadata
    calendar: Opt[CalendarOverride] = None
    agencies: dict[Identifier, ShortText] = Field(default_factory=dict, max_length=100)
    roles: dict[Identifier, Role] = Field(default_factory=dict, max_length=200)
    parameters: dict[Identifier, ParameterOverride] = Field(default_factory=dict, max_length=200)
    escalation_paths: dict[Identifier, EscalationPath] = Field(default_factory=dict, max_length=50)
    rules: list[Rule] = Field(
        default_factory=new_list,
        max_length=2000,
        description="A rule with a base rule's id replaces it in place; a new id is appended.",
    )
    not_encoded: list[NotEncoded] = Field(
        default_factory=new_list, max_length=2000, description="Appended to the base's."
    )
    vocabulary: Opt[VocabularySection] = Field(
        None,
        description="Event types and typed attributes added to the base's; a name the base "
        "declares is replaced.",
    )
    disable: list[Annotated[str, Field(pattern=_RULE_ID.pattern, min_length=1, max_length=120)]] = (
        Field(
            default_factory=new_list,
            max_length=2000,
            description="Ids of base rules this overlay switches off: they fire on nothing "
            "and produce nothing. A misspelt id is an error.",
        )
    )


# Models the compiler validates or serialises on their own (a deadline, its timescale, the
# event a clock starts at): built before Pack, whose build then takes their schemas as they
# are, rather than each being built again when the compiler first uses it.
_USED_ALONE: tuple[type[_Strict], ...] = (Timescale, Due, DueFrom)


def build_for_loading() -> None:
    """Build what validating and compiling a pack need, in the cheapest order (each model
    once: later calls cost nothing)."""
    models: tuple[type[_Strict], ...] = (*_USED_ALONE, Pack)
    for model in models:
        if not model.__pydantic_complete__:
            model.model_rebuild()


_completed = threading.Lock()
_complete: list[bool] = []


def complete_models() -> None:
    """Build every pack model, once, in the order they are defined, as without defer_build.

    pydantic's JSON Schema of a model first built from inside another's (as loading
    builds them) differs from the committed one (a ``title`` beside a ``$ref``); built
    in order it is the same whatever was loaded before (tests/test_schema.py)."""
    with _completed:
        if _complete:
            return
        defined = [  # the module's names, in the order they were defined
            value
            for value in globals().values()
            if isinstance(value, type) and issubclass(value, _Strict) and value is not _Strict
        ]
        for model in defined:
            model.model_rebuild(force=True)
        _complete.append(True)


# --- a validated pack as data, and back without validating ------------------------------
#
# A bundled pack's prebuilt reading (``_prebuilt``) stores the Pack model it validates to,
# so loading it builds the model directly instead of building Pack's validator (about
# 0.1 s) and validating. The tree records each value's exact type (model and which of its
# fields were given, list or FrozenList, dict or FrozenDict, date, time), so the model
# built back is the validated one, type for type (tests/test_prebuilt.py compares them).
# Model classes are looked up by name among this module's models: the tree is data.


def canonical_dump(model: BaseModel) -> Any:
    """A model as the content hash reads it: plain JSON values, keys as written in a pack,
    unset optional values left out."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def plain_dump(model: BaseModel) -> Any:
    """``model.model_dump(mode="json")`` for a model holding only text, numbers, booleans,
    nulls, lists, text-keyed mappings and models (none of which serializes itself another
    way), made without building pydantic's serializer; TypeError for any other value."""

    def dump(value: Any) -> Any:
        if value is None or type(value) in (bool, int, float, str):
            return value
        if isinstance(value, _Strict):
            return {name: dump(value.__dict__[name]) for name in type(value).model_fields}
        if isinstance(value, list):
            return [dump(v) for v in value]
        if isinstance(value, dict) and all(type(k) is str for k in value):
            return {k: dump(v) for k, v in value.items()}
        raise TypeError(f"a value of type {type(value).__name__}")

    return dump(model)


def model_tree(value: Any) -> Any:
    """``value`` (a pack model, or anything inside one) as plain JSON values: text, numbers,
    true/false and null as they are, everything else ``[tag, ...]``. Raises TypeError for a
    value of another type (nothing a validated pack holds)."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if isinstance(value, _Strict):
        if _model_classes().get(kind.__name__) is not kind:
            raise TypeError(f"{kind.__name__} is not a pack model")
        given = value.model_fields_set
        # A field holding None is left out (most of them: a condition has one operator).
        values = value.__dict__
        fields = {
            name: model_tree(values[name]) for name in kind.model_fields if values[name] is not None
        }
        return ["model", kind.__name__, fields, [n for n in kind.model_fields if n in given]]
    if kind in (list, FrozenList):
        return ["list" if kind is list else "frozen_list", [model_tree(v) for v in value]]
    if kind in (dict, FrozenDict):
        if not all(type(k) is str for k in value):
            raise TypeError("a mapping with keys that are not text")
        tag = "dict" if kind is dict else "frozen_dict"
        return [tag, {k: model_tree(v) for k, v in value.items()}]
    if kind is date:
        return ["date", value.isoformat()]
    if kind is time:
        return ["time", value.isoformat()]
    raise TypeError(f"a value of type {kind.__name__} in a pack model")


def from_model_tree(node: Any) -> Any:
    """The value :func:`model_tree` made ``node`` from, models built without validating
    (their values were validated when the tree was made). Raises ValueError, KeyError or
    TypeError for a node it did not make."""
    if not isinstance(node, list):
        if node is None or type(node) in (bool, int, float, str):
            return node
        raise TypeError(f"not a model tree node: {type(node).__name__}")
    tag = node[0]
    if tag == "model":
        _tag, name, fields, given = node
        cls = _model_classes()[name]
        if not fields.keys() <= cls.model_fields.keys():
            raise ValueError(f"the fields of {name} are not the model's")
        values = {field: from_model_tree(fields.get(field)) for field in cls.model_fields}
        return cls.model_construct(_fields_set=set(given), **values)
    if tag in ("list", "frozen_list"):
        items = [from_model_tree(v) for v in node[1]]
        return items if tag == "list" else FrozenList(items)
    if tag in ("dict", "frozen_dict"):
        entries = {k: from_model_tree(v) for k, v in node[1].items()}
        return entries if tag == "dict" else FrozenDict(entries)
    if tag == "date":
        return date.fromisoformat(node[1])
    if tag == "time":
        return time.fromisoformat(node[1])
    raise ValueError(f"not a model tree tag: {tag!r}")


_models: dict[str, type[_Strict]] = {}


def _model_classes() -> dict[str, type[_Strict]]:
    if not _models:
        _models.update(
            (value.__name__, value)
            for value in list(globals().values())
            if isinstance(value, type) and issubclass(value, _Strict) and value is not _Strict
        )
    return _models
