"""The case-event vocabulary shared by every policy pack.

One vocabulary for all jurisdictions, so a child's history can be evaluated under
any pack and the answers compared. Each event is a frozen pydantic model; the
:data:`Event` union is discriminated on ``type``. People and recipients are
recorded by *role id* (``team_manager``, ``ppu_ds``): that is the language the
procedures speak; person ids that a case system holds go in ``worker``/``chair``
fields or in ``attributes``. ``docs/events.md`` documents every type and field.
"""

# No ``from __future__ import annotations`` here (as in _pack): pydantic would then compile
# and evaluate each field's annotation from its text when the class is made, 21 M of this
# module's 154 M instructions at import; Python evaluates them once instead, and only the
# names not yet defined (a model's own name) are quoted.

import re
import types
import typing
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal, Self, Union, get_args, get_origin

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic._internal._model_construction import ModelMetaclass
from pydantic_core import PydanticCustomError

from ._errors import EventValidationError, did_you_mean, known_list, shown
from ._pack_base import new_list, signed

# Event times are accepted between these years (as written, in the event's own offset):
# wide enough for any real record, narrow enough to catch "no date" placeholders such as
# 0001-01-01 or 1900-01-01 and typed-in slips such as 20240-05-01 (docs/events.md).
EARLIEST_YEAR = 1901
LATEST_YEAR = 2199

# ISO 8601 date and time with a UTC offset: 2024-05-07T10:30:00+01:00, ...Z, seconds and
# fractions optional, 'T' or a space between date and time. Nothing else: no Unix times,
# no numbers, no basic format (20240507T1030), which lax parsing would misread.
# The offset is optional here only so that a time without one gets its own message.
_INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?",
    re.ASCII,
)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


_instant_text = _INSTANT.fullmatch


@signed
def _instant(value: object) -> datetime:
    """An event time: an aware datetime, or ISO 8601 text with an offset, in range."""
    # Called for every event read: the common case (text) comes first.
    if type(value) is str and _instant_text(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("instant_invalid", "not a real date and time") from None
        if moment.tzinfo is None:  # fromisoformat gives a fixed offset or none
            raise PydanticCustomError("timezone_aware", "Input should have timezone info")
    elif isinstance(value, datetime):
        moment = value
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise PydanticCustomError("timezone_aware", "Input should have timezone info")
    else:
        raise PydanticCustomError("instant_format", "not an ISO 8601 date and time")
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise PydanticCustomError("instant_range", "outside the accepted years")
    return moment


@signed
def _day(value: object) -> date:
    """A calendar date: a ``date``, or ISO 8601 text ``YYYY-MM-DD``, in range."""
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and _DAY.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("day_invalid", "not a real date") from None
    else:
        raise PydanticCustomError("day_format", "not an ISO 8601 date")
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise PydanticCustomError("day_range", "outside the accepted years")
    return day


# The JSON Schema says "a date-time string"; the exact rules are the validators' above.
# As JSON they are written back in ISO 8601 (a plain validator leaves pydantic without a
# serializer that expects what the validator returns).
@signed
def _iso(value: date) -> str:
    return value.isoformat()


_ISO = PlainSerializer(_iso, return_type=str, when_used="json")
Instant = Annotated[
    AwareDatetime,
    PlainValidator(_instant),
    _ISO,
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Day = Annotated[
    date, PlainValidator(_day), _ISO, WithJsonSchema({"type": "string", "format": "date"})
]

Id = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=10_000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
# Integers of at most 20 digits (as the readers say): a longer one is a mistake or an attack.
BoundedInt = Annotated[int, Field(gt=-(10**20), lt=10**20)]


@signed
def _not_an_integer(value: object) -> object:
    # Strict floats take integers, so an integer BoundedInt refused (a 300-digit one) would
    # come back as 1e300; an integer is an integer or it is rejected.
    if isinstance(value, int) and not isinstance(value, bool):
        raise PydanticCustomError("int_too_long", "a whole number has more than 20 digits")
    return value


Real = Annotated[float, BeforeValidator(_not_an_integer)]
AttributeValue = Union[bool, BoundedInt, Real, str]  # noqa: UP007 - pydantic keeps the order

ConcernCategory = Literal[
    "physical_abuse",
    "sexual_abuse",
    "penetrative_sexual_abuse",
    "sexual_exploitation",
    "neglect",
    "emotional_abuse",
    "other",
]
RiskLevel = Literal["low", "medium", "high"]
MeetingMode = Literal["face_to_face", "telephone", "video"]
StrategyPurpose = Literal[
    "safeguarding", "investigation_update", "police_information_only", "other"
]
ContactMethod = Literal["email", "phone", "in_person", "system"]
MedicalKind = Literal["child_protection", "child_sexual_abuse"]
SupervisionKind = Literal["internal", "multi_agency_reflective"]
EnquiryBasis = Literal["section_47", "article_42", "other"]

# Statutory child in need and child protection concepts, in the words of the code lists of
# the CIN census, the DfE's return (docs/importing.md gives each census code beside the
# word it becomes).
ReferralSource = Literal[
    "individual_family",
    "individual_acquaintance",
    "individual_self",
    "individual_other",
    "school",
    "education_services",
    "health_gp",
    "health_visitor",
    "health_school_nurse",
    "health_other_primary",
    "health_emergency_department",
    "health_other",
    "housing",
    "la_social_care",
    "la_other_internal",
    "la_external",
    "la_early_help",
    "police",
    "other_legal_agency",
    "other",
    "anonymous",
]
PrimaryNeed = Literal[
    "abuse_or_neglect",
    "child_disability",
    "parental_disability_or_illness",
    "family_in_acute_stress",
    "family_dysfunction",
    "socially_unacceptable_behaviour",
    "low_income",
    "absent_parenting",
    "not_in_need",
]
ClosureReason = Literal[
    "adopted",
    "died",
    "child_arrangements_order",
    "special_guardianship_order",
    "transferred_to_another_authority",
    "transferred_to_adult_social_care",
    "services_ceased",
    "no_further_action_after_assessment",
    "early_help_after_assessment",
]
AbuseCategory = Literal["neglect", "physical_abuse", "sexual_abuse", "emotional_abuse", "multiple"]
ConferenceKind = Literal["initial", "review", "transfer_in"]
# The census code list for factors identified at assessment (N00181) is long and finely
# split; the codes themselves are the vocabulary every authority returning it shares.
AssessmentFactor = Literal[
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B",
    "5C", "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A",
    "13A", "14A", "15A", "16A", "17A", "18B", "18C", "19B", "19C", "20", "21", "22A",
    "23A", "24A",
]  # fmt: skip


class _EventModel(ModelMetaclass):
    """Built in Python (``ConcernIdentified(...)``), a bad event raises the library's own
    EventValidationError, not pydantic's. Validation of records (parse_events, load_events)
    does not pass through here and keeps its located rejections. A metaclass, not
    ``__init__``: pydantic calls an overridden ``__init__`` for every record it validates,
    which would validate each one twice."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - a metaclass method
        try:
            return super().__call__(*args, **kwargs)
        except ValidationError as exc:
            # Not chained: pydantic's error shows the values given, and would be logged.
            raise invalid_event(exc, cls) from None  # type: ignore[arg-type]


_NEEDED = "x-needed"  # marks a field every record gives, or lists under unknown
# Fields that place and name an event: never listed under unknown.
_FIXED = frozenset({"id", "child_id", "type", "at", "on", "unknown", "attributes"})


def needed(description: str | None = None, **constraints: Any) -> Any:
    """A field every record must give, unless its source does not record it: then the
    record lists the field under ``unknown`` and leaves it out, and it holds None."""
    return Field(None, description=description, json_schema_extra={_NEEDED: True}, **constraints)


def _event_schema(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """The JSON Schema of an event says what the validator below accepts: exactly one of
    at and on; a needed field given (never null) or listed under unknown; unknown naming
    the type's own fields or attributes.NAME."""
    properties: dict[str, Any] = schema.get("properties", {})
    rules: list[dict[str, Any]] = [{"oneOf": [{"required": ["at"]}, {"required": ["on"]}]}]
    for name, prop in properties.items():
        if prop.pop(_NEEDED, None):
            branches = [b for b in prop.pop("anyOf", []) if b.get("type") != "null"]
            prop.pop("default", None)
            if len(branches) == 1:
                prop.update(branches[0])
            elif branches:
                prop["anyOf"] = branches
            rules.append(
                {
                    "anyOf": [
                        {"required": [name]},
                        {
                            "required": ["unknown"],
                            "properties": {"unknown": {"contains": {"const": name}}},
                        },
                    ]
                }
            )
    own = sorted(n for n in properties if n not in _FIXED)
    if "unknown" in properties:
        properties["unknown"]["items"] = {
            "anyOf": [
                *([{"enum": own}] if own else []),
                {"type": "string", "pattern": r"^attributes\.[^.]+$"},
            ]
        }
    schema["allOf"] = rules


class BaseEvent(BaseModel, metaclass=_EventModel):
    """Fields every event has: exactly one of ``at`` (an instant with a UTC offset) or
    ``on`` (a local date, when that is all the source knows)."""

    # strict: true/false are the only booleans and integers are integers ("yes", 1, "3"
    # are rejected, not coerced); times and dates are parsed by Instant and Day above.
    # defer_build: the validators are built when events are first validated, not when the
    # package is imported (compiling a pack reads the fields, not the validators).
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        strict=True,
        allow_inf_nan=False,
        defer_build=True,
        json_schema_extra=_event_schema,
    )
    # The type's needed fields (see needed()), gathered once per class.
    _needed: ClassVar[tuple[str, ...]] = ()

    # model_validate(_json) too raise EventValidationError, never pydantic's error (which
    # would carry the values given); the constructor does through the metaclass.
    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """pydantic's ``model_validate``, raising EventValidationError for a bad event."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise invalid_event(exc, cls) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        """pydantic's ``model_validate_json``, raising EventValidationError for a bad event."""
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as exc:
            raise invalid_event(exc, cls) from None

    id: Id = Field(description="Unique within a stream.")
    child_id: Id = Field(description="The child the event is about (an invented id in examples).")
    at: Instant | None = Field(
        None,
        description="When it happened, ISO 8601 with a UTC offset. Give exactly one of at and on.",
    )
    on: Day | None = Field(
        None,
        description="The local date it happened (YYYY-MM-DD, in the pack's time zone), when "
        "the source records a date and no time, e.g. a census return. Never invent a time "
        "to fill at: docs/deadlines.md says how date-only events are counted.",
    )
    attributes: dict[Name, AttributeValue] = Field(
        default_factory=dict,
        description="Local extensions that packs may condition on as attributes.NAME.",
        max_length=100,
    )
    unknown: list[Name] = Field(
        default_factory=new_list,
        max_length=100,
        description="Fields of this event that its source does not record: the record "
        "leaves them out, and rules that need them give cannot_evaluate instead of a finding. "
        "A needed field listed here may be omitted; attributes are listed as attributes.NAME. "
        "A field left out and not listed keeps its documented default.",
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._needed = tuple(
            name
            for name, info in cls.model_fields.items()
            if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get(_NEEDED)
        )

    @model_validator(mode="after")
    def _complete(self) -> "BaseEvent":
        # Plain checks per event, so reading stays fast: exactly one of at/on; every
        # needed field given or listed as unknown; unknown names only real fields.
        values = self.__dict__  # read directly: this runs for every event read
        if (values["at"] is None) is (values["on"] is None):
            if values["at"] is None:
                raise PydanticCustomError(
                    "when_missing", "an event needs at (a time) or on (a date)"
                )
            raise PydanticCustomError("when_both", "an event has at or on, not both")
        unknown = values["unknown"]
        if unknown:
            self._check_unknown(unknown)
        for name in self._needed:
            if values[name] is None and name not in unknown:
                if name in self.model_fields_set:
                    raise PydanticCustomError(
                        "needed_null",
                        "{field} is null; give its value, or leave it out and list it "
                        "under unknown when the source does not record it",
                        {"field": name},
                    )
                raise PydanticCustomError(
                    "needed_missing",
                    "missing field {field}; give it, or list it under unknown when the "
                    "source does not record it",
                    {"field": name},
                )
        return self

    def _check_unknown(self, unknown: list[str]) -> None:
        given = self.model_fields_set
        fields = type(self).model_fields
        for i, name in enumerate(unknown):
            if name in unknown[:i]:
                raise PydanticCustomError(
                    "unknown_twice", "unknown lists {field} twice", {"field": name}
                )
            head, dot, rest = name.partition(".")
            if dot:
                if head != "attributes" or not rest or "." in rest:
                    raise PydanticCustomError(
                        "unknown_not_field",
                        "unknown lists {field}: write a field of this event, or attributes.NAME",
                        {"field": name},
                    )
                if rest in self.attributes:
                    raise PydanticCustomError(
                        "unknown_given",
                        "{field} is both given and listed under unknown; keep one",
                        {"field": name},
                    )
            elif name in _FIXED or name not in fields:
                raise PydanticCustomError(
                    "unknown_not_field",
                    "unknown lists {field}, which is not a field this event can lack",
                    {"field": name},
                )
            elif name in given:
                raise PydanticCustomError(
                    "unknown_given",
                    "{field} is both given and listed under unknown; keep one",
                    {"field": name},
                )

    def is_unknown(self, name: str) -> bool:
        """Whether the record lists ``name`` (a field, or attributes.NAME) as unknown."""
        return name in self.unknown


# --- allocation -----------------------------------------------------------------


class SocialWorkerAllocated(BaseEvent):
    """A children's social worker is allocated to the child."""

    type: Literal["social_worker_allocated"] = "social_worker_allocated"
    worker: Name | None = needed("Person id of the allocated social worker.")
    team_manager: Name | None = Field(None, description="Person id of the worker's team manager.")
    senior_practitioner: Name | None = Field(
        None, description="Person id of the worker's senior practitioner."
    )


class SocialWorkerUnallocated(BaseEvent):
    """The child no longer has an allocated social worker."""

    type: Literal["social_worker_unallocated"] = "social_worker_unallocated"


# --- police notifications and concerns ----------------------------------------------


class CpnCreated(BaseEvent):
    """The child came to police attention and a Child Protection Notification was created."""

    type: Literal["cpn_created"] = "cpn_created"
    incident_ref: Name | None = needed("Police incident reference.")
    summary: Text | None = Field(None, description="What the notification says, in brief.")


class PoliceAttention(BaseEvent):
    """The child comes to the attention of the police: one occasion (an incident, a report).

    Record one per occasion, whether or not a Child Protection Notification followed it. It
    differs from `cpn_created`, which records the notification: an occasion that led to a
    CPN is recorded twice, as `police_attention` and as `cpn_created`, with the same
    `incident_ref`. A pack that counts occasions of police attention counts these events;
    a pack that counts CPNs counts `cpn_created`.
    """

    type: Literal["police_attention"] = "police_attention"
    incident_ref: Name | None = needed("Police incident reference of the occasion.")


_NOT_RECORDED = " None (left out) when the record does not say: read as unknown."
# ConcernIdentified's flags whose omission means "not recorded", read as unknown.
CONCERN_FLAGS = (
    "serious_harm",
    "forensic_evidence_needed",
    "immediate_action_taken",
    "complex",
    "looked_after",
)


class ConcernIdentified(BaseEvent):
    """A child protection concern is identified or a referral about one is received."""

    type: Literal["concern_identified"] = "concern_identified"
    category: ConcernCategory | None = needed("The category of harm the concern is about.")
    # The flags that decide which timescale applies (and whether a looked-after check runs)
    # have no default: left out, each is "not recorded" and read as unknown, exactly as if
    # listed under unknown, so leaving an optional field out can never turn a must into a
    # should or give a finding (docs/events.md).
    serious_harm: bool | None = Field(
        None, description="Indicates a serious risk of harm." + _NOT_RECORDED
    )
    forensic_evidence_needed: bool | None = Field(
        None,
        description="Forensic evidence may need to be gathered (e.g. a medical)." + _NOT_RECORDED,
    )
    immediate_action_taken: bool | None = Field(
        None, description="An agency had to act immediately." + _NOT_RECORDED
    )
    complex: bool | None = Field(
        None, description="e.g. organised abuse, allegations against staff." + _NOT_RECORDED
    )
    looked_after: bool | None = Field(
        None,
        description="The child is looked after (in the local authority's care)." + _NOT_RECORDED,
    )
    risk_level: RiskLevel | None = Field(
        None, description="The level of risk the referrer or MASH assessed, where recorded."
    )
    referring_agency: Name | None = Field(
        None, description="Agency id of whoever referred the concern, e.g. education."
    )
    enquiry_decision_needed: bool | None = Field(
        None,
        description="There is a need to determine whether a statutory child protection "
        "enquiry (section 47, Article 42, ...) is owed; None when the record does not say.",
    )
    referral_ref: Id | None = Field(
        None,
        description="Id of the referral_received event of this child that raised the concern, "
        "received no later than it; None when the concern did not come by a referral the "
        "record links. An id that names no such referral rejects the event.",
    )

    @model_validator(mode="after")
    def _not_recorded_is_unknown(self) -> "ConcernIdentified":
        # A flag left out (or null) is listed under unknown, so every reader (both walks,
        # the case facts, messages) treats it as a listed unknown value. The list is
        # extended in place: the fields the record set stay what it gave.
        values = self.__dict__
        unknown = values["unknown"]
        for name in CONCERN_FLAGS:
            if values[name] is None and name not in unknown:
                unknown.append(name)
        return self


class EnquiryReceived(BaseEvent):
    """An enquiry about a child reaches the local authority."""

    type: Literal["enquiry_received"] = "enquiry_received"
    safeguarding_risk_clear: bool | None = needed(
        "False when it is not clear whether there are safeguarding issues."
    )
    referring_agency: Name | None = Field(
        None, description="Agency id of whoever made the enquiry, e.g. education."
    )


class MashEnquiryStarted(BaseEvent):
    """A Multi-Agency Safeguarding Hub enquiry is started."""

    type: Literal["mash_enquiry_started"] = "mash_enquiry_started"


class ReferralMade(BaseEvent):
    """A referral is placed with a service (for example a children and family hub)."""

    type: Literal["referral_made"] = "referral_made"
    to_service: Name | None = needed("The service the referral is placed with.")
    by_role: Name | None = Field(None, description="Role id of whoever placed the referral.")


# --- flags, emails and receipt ----------------------------------------------------


class FlagSent(BaseEvent):
    """A flag (an email) is sent about the child."""

    type: Literal["flag_sent"] = "flag_sent"
    sender_role: Name | None = needed("Role id of the sender.")
    to: list[Name] | None = needed("Recipient role ids.", min_length=1, max_length=50)
    cc: list[Name] = Field(
        default_factory=new_list, max_length=50, description="Copied-in role ids."
    )
    attached_cpns: list[Name] = Field(
        default_factory=new_list, max_length=500, description="Incident refs of attached CPNs."
    )
    summarised_incidents: list[Name] = Field(
        default_factory=new_list, max_length=500, description="Incident refs the summary covers."
    )
    is_flag: bool | None = Field(
        None,
        description="The email is the procedure's flag itself (true), or another email such as "
        "a routine one with a CPN attached (false). None (left out) when the record does not "
        "say.",
    )


class ReceiptConfirmed(BaseEvent):
    """The receiver of a message or request confirms it arrived."""

    type: Literal["receipt_confirmed"] = "receipt_confirmed"
    of_event: Id | None = needed("Id of the event (flag, request) whose receipt is confirmed.")
    by_role: Name | None = Field(None, description="Role id of the receiver who confirmed.")
    method: ContactMethod = Field("email", description="How receipt was confirmed.")
    initiated_by_role: Name | None = Field(
        None,
        description="Role of whoever made the contact in which receipt was confirmed, e.g. the "
        "sender who phoned to check the request arrived. Record it when the contact was not "
        "started by the receiver; by_role is the receiver who confirmed.",
    )


# --- planning meetings ------------------------------------------------------------


class PlanningMeetingRequested(BaseEvent):
    """A multi-agency planning meeting is requested. Not a strategy meeting request
    (`strategy_meeting_requested`), which is about a child protection concern.
    """

    type: Literal["planning_meeting_requested"] = "planning_meeting_requested"
    requested_by_role: Name | None = Field(
        None, description="Role id of whoever asked for the meeting."
    )


class PlanningMeetingHeld(BaseEvent):
    """A planning meeting takes place. Not a strategy meeting (`strategy_meeting_held`) or
    discussion.
    """

    type: Literal["planning_meeting_held"] = "planning_meeting_held"
    chair_role: Name | None = needed("Role id of the chair.")
    chair: Name | None = Field(None, description="Person id of the chair.")
    agencies: list[Name] = Field(
        default_factory=new_list, max_length=50, description="Agency ids that took part."
    )
    # No default of False (reader 5 M2): a must finding would then rest on a record that
    # does not say; None is "not recorded", an advisory gap, never a breach.
    minuted: bool | None = Field(
        None, description="Minutes of the meeting were taken; None when the record does not say."
    )
    actions_shared: bool | None = Field(
        None,
        description=(
            "The actions agreed were shared with those who took part; None when the record"
            " does not say."
        ),
    )


# --- strategy discussions and meetings ---------------------------------------------


class StrategyDiscussionHeld(BaseEvent):
    """A strategy discussion takes place, in any mode (a meeting, a call, video). Record a
    strategy meeting that was requested and convened as `strategy_meeting_held`; a
    discussion is `strategy_discussion_held` whatever its mode.
    """

    type: Literal["strategy_discussion_held"] = "strategy_discussion_held"
    mode: MeetingMode | None = needed("How the discussion was held.")
    agencies: list[Name] = Field(
        default_factory=new_list, max_length=50, description="Agency ids that took part."
    )
    chair_role: Name | None = Field(None, description="Role id of the chair.")
    chair: Name | None = Field(None, description="Person id of the chair.")
    records_made_by: list[Name] = Field(
        default_factory=new_list, max_length=50, description="Agencies that recorded the outcome."
    )
    invited: list[Name] = Field(
        default_factory=new_list,
        max_length=50,
        description="Agencies invited, whether or not they took part; agencies is who took "
        "part. Empty when the invitations were not recorded.",
    )
    meeting_to_follow: bool | None = Field(
        None,
        description="The discussion decided that a strategy meeting is to be called (true) "
        "or that none is needed (false); None when the record does not say.",
    )
    concern_ref: Id | None = Field(
        None,
        description="Id of the concern_identified event of this child the discussion was "
        "about, recorded no later than it; None when the record does not link one. An id "
        "that names no such concern rejects the event.",
    )


class StrategyMeetingRequested(BaseEvent):
    """Someone asks for a strategy meeting, typically on a request form. Not the meeting
    (`strategy_meeting_held`), nor its forwarding to those who convene it
    (`strategy_request_forwarded`).
    """

    type: Literal["strategy_meeting_requested"] = "strategy_meeting_requested"
    requested_by_role: Name | None = needed("Role id of whoever requested the meeting.")
    purpose: StrategyPurpose = Field(
        "safeguarding", description="What the meeting is for, as the request says."
    )
    authorised: bool | None = Field(None, description="None when the request does not say.")
    quality_assured: bool | None = Field(None, description="None when the request does not say.")
    form_complete: bool = Field(True, description="The request form was filled in correctly.")
    mode: MeetingMode | None = Field(
        None, description="The mode the request asks for; None when it does not say."
    )
    mode_considered_by_role: Name | None = Field(
        None,
        description="Role of whoever considered whether a face-to-face or telephone strategy "
        "is required; mode is what they decided. None when the request does not say.",
    )


class StrategyRequestForwarded(BaseEvent):
    """A strategy meeting request is passed on to those who act on it (e.g. the police's MASH).
    Not the request itself (`strategy_meeting_requested`) nor its return
    (`strategy_request_returned`).
    """

    type: Literal["strategy_request_forwarded"] = "strategy_request_forwarded"
    of_event: Id | None = Field(None, description="Id of the strategy_meeting_requested event.")
    by_role: Name | None = needed("Role id of whoever forwarded the request.")
    to: list[Name] | None = needed("Recipient role ids.", min_length=1, max_length=50)
    authorised: bool | None = Field(
        None,
        description="Whether the form, as it reached the recipients, was authorised; None when "
        "the forward does not say. The request's own authorised is the form as first made.",
    )
    form_complete: bool | None = Field(
        None,
        description="Whether the form, as it reached the recipients, was filled in correctly; "
        "None when the forward does not say.",
    )


class StrategyRequestReturned(BaseEvent):
    """A strategy meeting request is sent back to whoever made it (e.g. not authorised, or
    filled in incorrectly).
    """

    type: Literal["strategy_request_returned"] = "strategy_request_returned"
    of_event: Id | None = Field(None, description="Id of the strategy_meeting_requested event.")
    by_role: Name | None = Field(None, description="Role id of whoever returned it.")
    reason: Text | None = Field(None, description="Why it was returned, as recorded.")


class PoliceContacted(BaseEvent):
    """Someone contacts the police by phone, e.g. on 101 out of hours."""

    type: Literal["police_contacted"] = "police_contacted"
    by_role: Name | None = Field(None, description="Role id of whoever made the contact.")
    channel: Name | None = needed("How: '101', 'mash_phone', ...")
    requested_role: Name | None = Field(
        None, description="Whom they asked for, e.g. duty_sergeant."
    )


class StrategyMeetingHeld(BaseEvent):
    """A strategy meeting takes place: one that was convened as a meeting, face to face or
    otherwise. A discussion that was not convened as a meeting is
    `strategy_discussion_held`.
    """

    type: Literal["strategy_meeting_held"] = "strategy_meeting_held"
    chair_role: Name | None = needed("Role id of the chair.")
    chair: Name | None = Field(None, description="Person id of the chair.")
    agencies: list[Name] = Field(
        default_factory=new_list, max_length=50, description="Agency ids that took part."
    )
    mode: MeetingMode = Field("face_to_face", description="How the meeting was held.")
    records_made_by: list[Name] = Field(
        default_factory=new_list,
        max_length=50,
        description="Agencies that took notes of the actions agreed at the meeting itself (not "
        "the chair's record, which strategy_record_circulated shows).",
    )
    invited: list[Name] = Field(
        default_factory=new_list,
        max_length=50,
        description="Agencies invited, whether or not they took part; agencies is who took "
        "part. Empty when the invitations were not recorded.",
    )
    concern_ref: Id | None = Field(
        None,
        description="Id of the concern_identified event of this child the meeting was held "
        "about, recorded no later than it; None when the record does not link one. An id "
        "that names no such concern rejects the event.",
    )


class StrategyMeetingCancelled(BaseEvent):
    """A requested strategy meeting is cancelled. Not a meeting that did not happen without a
    decision to cancel it (no event: the obligation stays open).
    """

    type: Literal["strategy_meeting_cancelled"] = "strategy_meeting_cancelled"
    of_event: Id | None = Field(None, description="Id of the strategy_meeting_requested event.")
    by_role: Name | None = Field(None, description="Role id of whoever cancelled it.")
    rationale: Text | None = Field(None, description="Why it was cancelled, as recorded.")
    agreed_by: list[Name] = Field(
        default_factory=new_list, max_length=50, description="Role or agency ids."
    )
    notified: list[Name] = Field(
        default_factory=new_list,
        max_length=50,
        description="Who was emailed. Empty means emailed to no one, as flag_sent.cc; a "
        "record that does not say who was emailed lists notified under unknown.",
    )
    recorded_on_child_file: bool | None = Field(
        None,
        description="The cancellation was recorded on the child's file; None when the record "
        "does not say (not recorded is not 'no').",
    )
    notified_by_role: Name | None = Field(
        None,
        description="Role of whoever emailed those in notified; by_role is who cancelled. "
        "None when not recorded.",
    )
    concern_ref: Id | None = Field(
        None,
        description="Id of the concern_identified event of this child the cancelled request "
        "was made for, recorded no later than it; None when the record does not link one. An "
        "id that names no such concern rejects the event. No bundled pack's rule reads it "
        "(a request's cancellation ends no concern duty there); a local pack's rule may.",
    )


class AgencyUnableToAttend(BaseEvent):
    """An agency says it cannot attend a strategy meeting."""

    type: Literal["agency_unable_to_attend"] = "agency_unable_to_attend"
    agency: Name | None = needed("Agency id of the agency that cannot attend.")
    meeting_ref: Id | None = Field(None, description="Id of the meeting request.")


class AgencyReportSent(BaseEvent):
    """An agency sends its report (its information for a meeting) to the chair or another role."""

    type: Literal["agency_report_sent"] = "agency_report_sent"
    agency: Name | None = needed("Agency id of the agency that sent its report.")
    to_role: Name | None = needed("Role id the report was sent to.")
    meeting_ref: Id | None = Field(None, description="Id of the meeting request.")


class StrategyRecordCirculated(BaseEvent):
    """The record of a strategy meeting or discussion (its notes and decisions) is sent to the
    agencies. Not the notes each agency takes at the meeting (`records_made_by` on the
    meeting).
    """

    type: Literal["strategy_record_circulated"] = "strategy_record_circulated"
    meeting_ref: Id | None = Field(None, description="Id of the meeting or discussion event.")
    to: list[Name] = Field(default_factory=new_list, max_length=50, description="Agencies sent it.")
    authorised_by_role: Name | None = Field(
        None, description="Role id of whoever authorised the record before it went out."
    )


class MedicalConsidered(BaseEvent):
    """A recorded consideration of whether the child needs a medical, whatever was decided. Not
    the medical itself.
    """

    type: Literal["medical_considered"] = "medical_considered"
    kinds: list[MedicalKind] = Field(
        default_factory=new_list, max_length=2, description="The kinds of medical considered."
    )
    required: bool = Field(False, description="A medical was decided to be required.")


# --- escalation, review and supervision ---------------------------------------------


class ProfessionalDifferenceRaised(BaseEvent):
    """A professional disagreement about a child is raised under an escalation (resolving
    professional differences) procedure.
    """

    type: Literal["professional_difference_raised"] = "professional_difference_raised"
    difference_id: Id | None = needed("Id of the professional difference, shared by its events.")
    raised_by_role: Name | None = Field(None, description="Role id of whoever raised it.")
    started_on: Day | None = Field(None, description="The date the process was started, as noted.")


class ProfessionalDifferenceResolved(BaseEvent):
    """A professional difference is resolved (by agreement or at the last stage of escalation)."""

    type: Literal["professional_difference_resolved"] = "professional_difference_resolved"
    difference_id: Id | None = needed("Id of the professional difference it resolves.")
    resolved_on: Day | None = Field(None, description="The resolution date, as noted.")


class CaseReviewed(BaseEvent):
    """A review of the case (by a manager or panel) records what it found. Not supervision
    (`supervision_held`).
    """

    type: Literal["case_reviewed"] = "case_reviewed"
    complex: bool = Field(False, description="The review finds the case complex.")
    stuck: bool = Field(False, description="The review finds the case stuck.")
    drifting: bool = Field(False, description="The review finds the plan drifting.")
    ongoing_concerns: bool = Field(
        False, description="The review finds ongoing concerns for the child (not one incident)."
    )
    behaviour_related: bool = Field(
        False, description="The concerns the review finds relate to the child's own behaviour."
    )


class SupervisionHeld(BaseEvent):
    """Supervision of the case takes place. Not the consideration of it
    (`supervision_considered`).
    """

    type: Literal["supervision_held"] = "supervision_held"
    kind: SupervisionKind | None = needed("The kind of supervision.")
    agencies: list[Name] = Field(
        default_factory=new_list, max_length=50, description="Agency ids that took part."
    )


class SupervisionConsidered(BaseEvent):
    """A recorded consideration of supervision for the case, whatever was decided.

    Where a procedure says an agency "should consider" supervision, this is the record that
    it did; `supervision_held` records supervision that took place.
    """

    type: Literal["supervision_considered"] = "supervision_considered"
    kind: SupervisionKind | None = needed("The kind of supervision considered.")
    decided: bool | None = Field(
        None, description="Whether it was decided to hold it; None when the record does not say."
    )


# --- enquiries and conference ------------------------------------------------------


class EnquiryStarted(BaseEvent):
    """A statutory child protection enquiry (section 47, Article 42, ...) starts.

    Record it on the day the enquiry actually starts (the CIN census's
    S47ActualStartDate, N00148, with ``basis: section_47``). Not the strategy discussion
    that decided on it (``strategy_discussion_held``), nor a MASH enquiry
    (``mash_enquiry_started``), nor an assessment (``assessment_started``).
    """

    type: Literal["enquiry_started"] = "enquiry_started"
    basis: EnquiryBasis | None = needed("The statute the enquiry is made under.")
    referral_ref: Id | None = Field(
        None, description="Id of the referral_received event of the episode it belongs to."
    )
    strategy_discussion_ref: Id | None = Field(
        None,
        description="Id of the strategy discussion or meeting at which it was decided, "
        "when the source links them (the CIN census does not).",
    )
    conference_target: Day | None = Field(
        None,
        description="The target date the local authority itself recorded for the initial "
        "child protection conference (CIN census InitialCPCtarget, N00109). Information "
        "only: packs compute their own deadlines.",
    )
    conference_not_required: bool | None = Field(
        None,
        description="For sources that record the enquiry's outcome with the enquiry but "
        "give it no date (CIN census ICPCnotRequired, N00111, as at the return's reference "
        "date): true when the enquiry decided that no initial conference is needed. A "
        "source that dates the decision records enquiry_concluded with "
        "conference_required instead. None when the source does not say; listed under "
        "unknown when the source cannot say (the census importer does so for ICPCnotRequired "
        "false with no DateOfInitialCPC: the enquiry may still be open).",
    )


class EnquiryConcluded(BaseEvent):
    """A statutory child protection enquiry concludes, with its outcome.

    Record it on the day the enquiry's outcome is decided. Not the conference that may
    follow (``child_protection_conference_held``). The CIN census gives no date for the
    outcome (only ICPCnotRequired, see ``enquiry_started.conference_not_required``), so
    the census importer never writes it.
    """

    type: Literal["enquiry_concluded"] = "enquiry_concluded"
    basis: EnquiryBasis | None = needed("The statute the enquiry was made under.")
    continuing_risk: bool | None = needed("Evidence that the child is at continuing risk.")
    enquiry_ref: Id | None = Field(None, description="Id of the enquiry_started event.")
    conference_required: bool | None = Field(
        None,
        description="The outcome for the initial child protection conference: true when "
        "one is to be convened, false when none is needed ('ICPC not required'); None "
        "when the record does not say.",
    )


class ChildProtectionConferenceHeld(BaseEvent):
    """A child protection conference takes place: initial, review or transfer-in.

    Record it on the day the conference is held (CIN census: DateOfInitialCPC, N00110,
    for an initial conference; CPPreviewDate, N00116, for a review conference). Not a
    strategy discussion or meeting, and not a core group meeting
    (``core_group_meeting_held``), which carry out the plan a conference made.
    """

    type: Literal["child_protection_conference_held"] = "child_protection_conference_held"
    chair_role: Name | None = Field(None, description="Role id of the chair.")
    kind: ConferenceKind | None = Field(
        None,
        description="initial (the first, after a section 47 enquiry), review (of a child "
        "protection plan) or transfer_in (for a child on a plan who moves in); None when "
        "the source does not say.",
    )
    enquiry_ref: Id | None = Field(
        None,
        description="For an initial conference, id of the enquiry_started event it follows; "
        "None when the source does not link it (the census's episode-level DateOfInitialCPC).",
    )
    plan_ref: Id | None = Field(
        None,
        description="For a review conference, id of the child_protection_plan_started "
        "event of the plan it reviews.",
    )
    referral_ref: Id | None = Field(
        None, description="Id of the referral_received event of the episode it belongs to."
    )


# --- the child in need episode (CIN census) -------------------------------------------


class ReferralReceived(BaseEvent):
    """Children's social care receives a referral: a child in need episode begins.

    Record it on the date the referral was received (CIN census CINreferralDate, N00100):
    a contact accepted as a referral, the start of the statutory clock for deciding the
    response. Not ``concern_identified`` (a child protection concern, with its category,
    that may or may not arrive by referral: record both when a referral raises one), not
    ``enquiry_received`` (an enquiry at the front door or MASH before any decision), and
    not ``referral_made`` (a referral an agency places *with* another service).
    """

    type: Literal["referral_received"] = "referral_received"
    referral_source: ReferralSource | None = Field(
        None, description="Who referred (CIN census ReferralSource, N00152); None when unknown."
    )
    primary_need: PrimaryNeed | None = Field(
        None,
        description="The child's primary need (CIN census PrimaryNeedCode, N00101); None "
        "when not stated.",
    )
    no_further_action: bool | None = Field(
        None,
        description="The referral led to no further action (CIN census ReferralNFA, N00112); "
        "None when the source does not say.",
    )


class AssessmentStarted(BaseEvent):
    """A children's social care assessment of the child's needs starts.

    Record it on the date the assessment actually started (CIN census
    AssessmentActualStartDate, N00159). Not a section 47 enquiry (``enquiry_started``),
    which is a separate, statutory child protection enquiry, nor a MASH enquiry.
    """

    type: Literal["assessment_started"] = "assessment_started"
    referral_ref: Id | None = Field(
        None, description="Id of the referral_received event of the episode it belongs to."
    )


class AssessmentCompleted(BaseEvent):
    """An assessment is completed and authorised by a manager.

    Record it on the date the manager authorised it (CIN census
    AssessmentAuthorisationDate, N00160), the date the census counts as completion. Not
    an internal review of the assessment, which the vocabulary does not record.
    """

    type: Literal["assessment_completed"] = "assessment_completed"
    assessment_ref: Id | None = Field(None, description="Id of the assessment_started event.")
    factors: list[AssessmentFactor] | None = Field(
        None,
        max_length=50,
        description="Factors identified at the assessment, as CIN census codes "
        "(AssessmentFactors, N00181; 21 = no factors identified); None when not recorded.",
    )


class CinPlanStarted(BaseEvent):
    """A child in need plan (section 17) starts.

    Record it on the plan's start date (CIN census CINPlanStartDate, N00689). Not a child
    protection plan (``child_protection_plan_started``), which replaces a CIN plan when a
    conference decides the child needs one.
    """

    type: Literal["cin_plan_started"] = "cin_plan_started"
    referral_ref: Id | None = Field(
        None, description="Id of the referral_received event of the episode it belongs to."
    )


class CinPlanEnded(BaseEvent):
    """A child in need plan ends.

    Record it on the plan's end date (CIN census CINPlanEndDate, N00690). Not the closure
    of the episode (``case_closed``): a plan can end while the case stays open, for
    example when a child protection plan replaces it.
    """

    type: Literal["cin_plan_ended"] = "cin_plan_ended"
    plan_ref: Id | None = Field(None, description="Id of the cin_plan_started event.")


class ChildProtectionPlanStarted(BaseEvent):
    """The child becomes the subject of a child protection plan.

    Record it on the plan's start date, normally the day of the conference that decided
    it (CIN census CPPstartDate, N00105). Not a child in need plan (``cin_plan_started``).
    """

    type: Literal["child_protection_plan_started"] = "child_protection_plan_started"
    category: AbuseCategory | None = Field(
        None,
        description="The category of abuse the plan starts under (CIN census "
        "InitialCategoryOfAbuse, N00113); None when not recorded.",
    )
    previous_plans: int | None = Field(
        None,
        ge=0,
        description="How many child protection plans the child had before this one (CIN "
        "census NumberOfPreviousCPP, N00106); None when not recorded.",
    )
    conference_ref: Id | None = Field(
        None, description="Id of the child_protection_conference_held event that decided it."
    )
    referral_ref: Id | None = Field(
        None, description="Id of the referral_received event of the episode it belongs to."
    )


class ChildProtectionPlanEnded(BaseEvent):
    """The child stops being the subject of a child protection plan.

    Record it on the plan's end date (CIN census CPPendDate, N00115). Not the closure of
    the episode (``case_closed``), which may follow later.
    """

    type: Literal["child_protection_plan_ended"] = "child_protection_plan_ended"
    plan_ref: Id | None = Field(None, description="Id of the child_protection_plan_started event.")
    category: AbuseCategory | None = Field(
        None,
        description="The latest category of abuse under the plan (CIN census "
        "LatestCategoryOfAbuse, N00114); None when not recorded.",
    )


class CoreGroupMeetingHeld(BaseEvent):
    """A core group meeting of a child protection plan takes place.

    Record it on the day the core group (the lead social worker, the family and the
    professionals the conference named) meets to develop and carry out the plan; the CIN
    census does not record it. Not a review conference
    (``child_protection_conference_held`` with ``kind: review``), which decides whether
    the plan continues.
    """

    type: Literal["core_group_meeting_held"] = "core_group_meeting_held"
    plan_ref: Id | None = Field(None, description="Id of the child_protection_plan_started event.")
    agencies: list[Name] = Field(
        default_factory=new_list, max_length=50, description="Agency ids that took part."
    )


class CaseClosed(BaseEvent):
    """Children's social care closes the child in need episode.

    Record it on the closure date (CIN census CINclosureDate, N00102). Not the end of a
    plan (``cin_plan_ended``, ``child_protection_plan_ended``), which can come earlier.
    """

    type: Literal["case_closed"] = "case_closed"
    reason: ClosureReason | None = Field(
        None,
        description="Why the case closed (CIN census ReasonForClosure, N00103); None when not "
        "recorded.",
    )
    referral_ref: Id | None = Field(
        None, description="Id of the referral_received event of the episode it closes."
    )


Event = Annotated[
    Union[  # noqa: UP007 - a discriminated union reads best spelled out
        SocialWorkerAllocated,
        SocialWorkerUnallocated,
        CpnCreated,
        PoliceAttention,
        ConcernIdentified,
        EnquiryReceived,
        MashEnquiryStarted,
        ReferralMade,
        FlagSent,
        ReceiptConfirmed,
        PlanningMeetingRequested,
        PlanningMeetingHeld,
        StrategyDiscussionHeld,
        StrategyMeetingRequested,
        StrategyRequestForwarded,
        StrategyRequestReturned,
        PoliceContacted,
        StrategyMeetingHeld,
        StrategyMeetingCancelled,
        AgencyUnableToAttend,
        AgencyReportSent,
        StrategyRecordCirculated,
        MedicalConsidered,
        ProfessionalDifferenceRaised,
        ProfessionalDifferenceResolved,
        CaseReviewed,
        SupervisionHeld,
        SupervisionConsidered,
        EnquiryStarted,
        EnquiryConcluded,
        ChildProtectionConferenceHeld,
        ReferralReceived,
        AssessmentStarted,
        AssessmentCompleted,
        CinPlanStarted,
        CinPlanEnded,
        ChildProtectionPlanStarted,
        ChildProtectionPlanEnded,
        CoreGroupMeetingHeld,
        CaseClosed,
    ],
    Field(discriminator="type"),
]

# Built on first use, like the models (start-up: benchmarks/startup.py).
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event, config=ConfigDict(defer_build=True))

# The union above is the one list of event types; everything else derives from it.
EVENT_TYPES: tuple[type[BaseEvent], ...] = typing.get_args(typing.get_args(Event)[0])

EVENT_CLASSES: dict[str, type[BaseEvent]] = {
    typing.get_args(cls.model_fields["type"].annotation)[0]: cls for cls in EVENT_TYPES
}

# Checked links between events: (event type, field) -> the type of the event the field names
# by id. Evaluation rejects an event whose link names no event of that type of the same child,
# or one after it; a pack's due_from may count from the event named (named_by).
EVENT_REFERENCES: dict[tuple[str, str], str] = {
    ("concern_identified", "referral_ref"): "referral_received",
    ("strategy_discussion_held", "concern_ref"): "concern_identified",
    ("strategy_meeting_held", "concern_ref"): "concern_identified",
    ("strategy_meeting_cancelled", "concern_ref"): "concern_identified",
}


# --- field kinds, for checking pack conditions against the vocabulary -----------------

# FieldSpec and FieldKind have a module of their own: compiling reads them without pydantic.
from ._field_spec import FieldKind as FieldKind  # noqa: E402
from ._field_spec import FieldSpec as FieldSpec  # noqa: E402


def _spec(annotation: Any) -> FieldSpec:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _spec(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        return _spec(inner[0])
    if origin is Literal:
        return FieldSpec("text", tuple(str(a) for a in get_args(annotation)))
    if origin is list:
        item = _spec(get_args(annotation)[0])
        return FieldSpec("text_list", item.choices)
    if origin is dict:
        return FieldSpec("attributes", None)
    if annotation is bool:
        return FieldSpec("bool", None)
    if annotation in (int, float):
        return FieldSpec("number", None)
    if annotation is date:
        return FieldSpec("date", None)
    if annotation is AwareDatetime:
        return FieldSpec("datetime", None)
    return FieldSpec("text", None)


def fields_of(cls: type[BaseEvent]) -> dict[str, FieldSpec]:
    """Each field of an event model and its kind, as conditions see them."""
    return {name: _spec(info.annotation) for name, info in cls.model_fields.items()}


EVENT_FIELDS: dict[str, dict[str, FieldSpec]] = {
    name: fields_of(cls) for name, cls in EVENT_CLASSES.items()
}


# --- why a record is not a valid event (no values from it) ---------------------------------

_FORMAT_HELP = {
    "instant_format": (
        "{field} must be an ISO 8601 date and time with a UTC offset, written as text, e.g. "
        "2024-05-07T10:30:00+01:00 or 2024-05-07T09:30:00Z (numbers and Unix times are not "
        "read as times)"
    ),
    "instant_invalid": (
        "{field} is not a real date and time (check the day, month, hour and offset); "
        "e.g. 2024-05-07T10:30:00+01:00"
    ),
    "instant_range": (
        f"{{field}} is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}; a placeholder such "
        "as 0001-01-01 is not a time: give the real time or leave the event out"
    ),
    "day_format": "{field} must be an ISO 8601 date written as text, e.g. 2024-05-07",
    "day_invalid": "{field} is not a real date (check the day and month); e.g. 2024-05-07",
    "day_range": f"{{field}} is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}",
    "when_missing": (
        "missing field 'at' or 'on': give when it happened, either at (a time with a UTC "
        "offset, e.g. 2024-05-07T10:30:00+01:00) or on (a date, e.g. 2024-05-07, when the "
        "source records no time)"
    ),
    "when_both": (
        "give 'at' or 'on', not both: at when the time is known, on when only the date is"
    ),
    "bool_type": "{field} must be true or false",
    "int_type": "{field} must be a whole number",
    "string_type": "{field} must be text",
    "list_type": "{field} must be a list",
    "dict_type": "{field} must be a mapping of names to values",
}


# Problems with needed fields and the unknown list (BaseEvent._complete).
_UNKNOWN_HELP = {
    "needed_missing": (
        "missing field {field} for {type}; give it, or list it under unknown when the source "
        "does not record it"
    ),
    "needed_null": (
        "{field} is null; give its value, or leave it out and list it under unknown when the "
        "source does not record it"
    ),
    "unknown_twice": "unknown lists {field} twice",
    "unknown_not_field": (
        "unknown lists {field}, which is not a field {type} can lack; list its own fields "
        "(not id, child_id, type, at, on) or attributes.NAME"
    ),
    "unknown_given": "{field} is both given and listed under unknown; keep one",
}


def _name(text: str) -> str:
    """A field, key or type name from the input, quoted and cut short, for a message."""
    return shown(text, 42)


def describe_errors(
    exc: ValidationError,
    model: type[BaseEvent] | None = None,
    classes: typing.Mapping[str, type[BaseEvent]] | None = None,
) -> str:
    """Why a record is not a valid event: one clause per problem, naming the field and
    what to write instead, never the value given. ``model``: the event class validated
    directly (errors from the union start with the event type instead). ``classes``: the
    event types known (a pack's vocabulary adds its declared ones)."""
    classes = EVENT_CLASSES if classes is None else classes
    messages: list[str] = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = [str(p) for p in error["loc"]]
        kind = error["type"]
        event_type = loc[0] if loc and loc[0] in classes else None
        if event_type is None and model is not None and "type" in model.model_fields:
            event_type = typing.get_args(model.model_fields["type"].annotation)[0]
            loc = [event_type, *loc]
        path = loc[1:] if event_type else loc
        if len(path) >= 2 and path[0] == "attributes":
            message = (
                f"attribute {_name(path[1])} must be text, a number or true/false"
                if len(path) > 2 or kind.endswith("_type")
                else f"attribute {_name(path[1])}: {error['msg']}"
            )
            if message not in messages:
                messages.append(message)
            continue
        field = _name(".".join(path))
        if kind == "union_tag_invalid":
            tag = str((error.get("ctx") or {}).get("tag", ""))
            messages.append(
                f"unknown event type {_name(tag)}{did_you_mean(tag, classes)}; see docs/events.md"
            )
        elif kind == "union_tag_not_found":
            messages.append("missing 'type'; every event names its type, e.g. 'cpn_created'")
        elif kind == "extra_forbidden":
            known = list(classes[event_type].model_fields) if event_type else []
            messages.append(
                f"unknown field {field}{did_you_mean(loc[-1], known)} for "
                f"{event_type}; its fields are: {known_list(known, 30)}; local "
                "extensions go under 'attributes'"
            )
        elif kind == "attribute_type":  # a typed attribute a pack declares
            ctx = error.get("ctx") or {}
            messages.append(
                f"attribute {_name(str(ctx.get('field', '')))} must be {ctx.get('kind')}"
            )
        elif kind in _UNKNOWN_HELP:
            named = _name(str((error.get("ctx") or {}).get("field", "")))
            messages.append(_UNKNOWN_HELP[kind].format(field=named, type=event_type or "it"))
        elif kind == "timezone_aware":
            messages.append(
                f"{field} has no UTC offset; write it with one, e.g. "
                "2024-05-07T10:30:00+01:00 or 2024-05-07T09:30:00Z"
            )
        elif kind == "missing":
            messages.append(f"missing field {field}" + (f" for {event_type}" if event_type else ""))
        elif kind in ("model_attributes_type", "model_type"):
            messages.append("the record is not a mapping of event fields")
        elif kind in _FORMAT_HELP:
            messages.append(_FORMAT_HELP[kind].format(field=field))
        else:
            messages.append(f"field {field}: {error['msg']}")
    return "; ".join(messages)


def invalid_event(
    exc: ValidationError, model: type[BaseEvent] | None = None
) -> EventValidationError:
    """The library's error for an event built in Python, without the values given."""
    fields = model.model_fields if model is not None else {}
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    kind = fields["type"].default if "type" in fields else None
    if kind is None:  # validated through the union: the type is the first step of each path
        first = str(errors[0]["loc"][0]) if errors and errors[0]["loc"] else ""
        kind = first if first in EVENT_CLASSES else "event"
    problems = [
        f"{'.'.join(str(p) for p in e['loc'][1 if model is None else 0 :]) or '(event)'}: "
        f"{e['msg']}"
        for e in errors
    ]
    return EventValidationError(str(kind), problems)
