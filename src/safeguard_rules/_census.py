"""Importing a DfE Children in Need (CIN) census return as case events.

The pipeline for one file::

    census XML --safe parse (_safe_xml)--> element tree with lines
               --XSD of its collection year (xmlschema)--> schema errors, each owned by a record
               --map each child's records--> date-only events + an account of every record

A **record** is one census module: a child, a CIN episode (``CINdetails``), an assessment,
a CIN plan, a section 47 enquiry, a child protection plan, a review date. Each is mapped
(its events written), unmapped (read but nothing in the vocabulary takes it, with the
reason) or rejected (with the reason and a located error). An error rejects the smallest
record that holds it and everything nested in it; errors in a child's identifiers or
characteristics (which are never mapped) reject nothing unless the child has no usable
``LAchildID``.

**Census records carry dates, not times.** Until the core accepts date-only events, the
importer writes :class:`DateOnlyEvent` records with ``on: YYYY-MM-DD`` in place of ``at``;
no clock time is ever invented. Ids are stable: built from the child's LAchildID and each
record's identifying date, never from positions, so the same return in any element order
gives the same events. ``docs/importing.md`` describes the mapping item by item.

defusedxml and xmlschema are imported when a file is imported, not with the package.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Literal, get_args

from pydantic import ValidationError

from ._errors import ArgumentError, SafeguardRulesError
from ._events import (
    EARLIEST_YEAR,
    EVENT_ADAPTER,
    EVENT_CLASSES,
    LATEST_YEAR,
    AssessmentFactor,
)
from ._safe_xml import DEFAULT_MAX_BYTES, XmlRefusalError, parse_xml

CENSUS_YEARS = (2022, 2023, 2024)
REPORT_FORMAT = "safeguard-rules/census-import/1"
MAX_CHILD_ID = 100
SCHEMA_DIR = Path(__file__).parent / "census_schemas"

# --- census code lists, in the words of the event vocabulary ----------------------------

REFERRAL_SOURCES: dict[str, str | None] = {
    "1A": "individual_family",
    "1B": "individual_acquaintance",
    "1C": "individual_self",
    "1D": "individual_other",
    "2A": "school",
    "2B": "education_services",
    "3A": "health_gp",
    "3B": "health_visitor",
    "3C": "health_school_nurse",
    "3D": "health_other_primary",
    "3E": "health_emergency_department",
    "3F": "health_other",
    "4": "housing",
    "5A": "la_social_care",
    "5B": "la_other_internal",
    "5C": "la_external",
    "5D": "la_early_help",
    "6": "police",
    "7": "other_legal_agency",
    "8": "other",
    "9": "anonymous",
    "10": None,  # "UNKNOWN": unknown is left out, not written
}
PRIMARY_NEEDS: dict[str, str | None] = {
    "N1": "abuse_or_neglect",
    "N2": "child_disability",
    "N3": "parental_disability_or_illness",
    "N4": "family_in_acute_stress",
    "N5": "family_dysfunction",
    "N6": "socially_unacceptable_behaviour",
    "N7": "low_income",
    "N8": "absent_parenting",
    "N9": "not_in_need",
    "N0": None,  # "Not stated"
}
CLOSURE_REASONS: dict[str, str] = {
    "RC1": "adopted",
    "RC2": "died",
    "RC3": "child_arrangements_order",
    "RC4": "special_guardianship_order",
    "RC5": "transferred_to_another_authority",
    "RC6": "transferred_to_adult_social_care",
    "RC7": "services_ceased",
    "RC8": "no_further_action_after_assessment",
    "RC9": "early_help_after_assessment",
}
ABUSE_CATEGORIES: dict[str, str] = {
    "NEG": "neglect",
    "PHY": "physical_abuse",
    "SAB": "sexual_abuse",
    "EMO": "emotional_abuse",
    "MUL": "multiple",
}
_YES = frozenset({"true", "TRUE", "1"})
# Events of one child on one day are written in the order the process runs (a referral
# before the enquiry it leads to, a conference before the plan it decides, an ending last);
# the census gives no times, so this is the importer's convention, not a fact of the return.
_STAGE = {
    name: n
    for n, name in enumerate(
        (
            "referral_received",
            "assessment_started",
            "enquiry_started",
            "child_protection_conference_held",
            "child_protection_plan_started",
            "cin_plan_started",
            "assessment_completed",
            "cin_plan_ended",
            "child_protection_plan_ended",
            "case_closed",
        )
    )
}
_FACTOR_ORDER = {code: n for n, code in enumerate(get_args(AssessmentFactor))}

PERSONAL = (
    "personal identifier or characteristic: no procedure in the vocabulary needs it, so it "
    "is never copied into events"
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")
# The core checks every other field of an event against its model, but still needs an
# instant to do so; this one is used only for that check and never written anywhere.
_CHECK_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)

Outcome = Literal["mapped", "unmapped", "rejected"]
Level = Literal["error", "warning"]


class CensusFileError(SafeguardRulesError):
    """The census file cannot be opened (no such file, permission): a usage problem."""


# --- what an import returns -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateOnlyEvent:
    """An event its source dates by day only: ``on`` is a local date, with no clock time.

    ``to_record()`` gives the JSON object written to JSONL, with ``on`` in place of
    ``at`` (the core reads it as a date-only event). ``fields`` holds the type's own
    fields, unknown ones left out; they are checked against the event model. ``unknown``
    names the fields the census does not settle, written as the record's ``unknown``
    list so that a rule needing one cannot be evaluated rather than guessed.
    """

    id: str
    type: str
    child_id: str
    on: date
    fields: Mapping[str, Any]
    attributes: Mapping[str, str]
    unknown: tuple[str, ...] = ()

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "child_id": self.child_id,
            "on": self.on.isoformat(),
        }
        record.update(self.fields)
        record["attributes"] = dict(self.attributes)
        if self.unknown:
            record["unknown"] = list(self.unknown)
        return record


@dataclass(frozen=True, slots=True)
class CensusRecord:
    """One census record (a module of the return) and what became of it."""

    child_id: str | None  # LAchildID; None for the header, or a child without a usable one
    record: str  # "CINdetails@2023-05-02/Section47@2023-06-01"; "#N" where no date identifies it
    element: str
    line: int | None
    outcome: Outcome
    reason: str  # why unmapped or rejected; "" when mapped
    events: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "child_id": self.child_id,
            "record": self.record,
            "element": self.element,
            "line": self.line,
            "outcome": self.outcome,
            "reason": self.reason,
            "events": list(self.events),
        }


@dataclass(frozen=True, slots=True)
class UnmappedItem:
    """An item inside a mapped record that no event takes, and why."""

    child_id: str | None
    element: (
        str  # "ChildIdentifiers/UPN", "CINdetails@.../Assessments@.../AssessmentInternalReviewDate"
    )
    line: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class CensusProblem:
    """An error or warning at a place: the line, the child (by LAchildID) and the element.

    Messages name elements and census items, never the values in them.
    """

    level: Level
    message: str
    line: int | None = None
    child_id: str | None = None
    element: str | None = None
    column: int | None = None

    def located(self, source: str) -> str:
        place = source
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        parts = [f"{place}: {self.level}:"]
        if self.child_id is not None:
            parts.append(f"child {self.child_id}:")
        if self.element is not None:
            parts.append(f"{self.element}:")
        parts.append(self.message)
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "line": self.line,
            "column": self.column,
            "child_id": self.child_id,
            "element": self.element,
            "message": self.message,
        }


@dataclass(frozen=True)
class CensusImport:
    """Everything one census file gave: events, and an account of every child and record."""

    source: str
    collection_year: int | None
    reference_date: date | None
    schema: str | None  # the XSD the file was validated against
    events: tuple[DateOnlyEvent, ...]
    records: tuple[CensusRecord, ...]
    unmapped: tuple[UnmappedItem, ...]
    errors: tuple[CensusProblem, ...]
    warnings: tuple[CensusProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def children(self) -> tuple[CensusRecord, ...]:
        return tuple(r for r in self.records if r.element == "Child")

    def summary(self) -> dict[str, Any]:
        by_outcome: Counter[str] = Counter(r.outcome for r in self.records if r.element != "Child")
        by_element: dict[str, Counter[str]] = {}
        for r in self.records:
            by_element.setdefault(r.element, Counter())[r.outcome] += 1
        return {
            "children": len(self.children),
            "children_rejected": sum(r.outcome == "rejected" for r in self.children),
            "records": {k: by_outcome[k] for k in ("mapped", "unmapped", "rejected")},
            "records_by_element": {
                name: {k: c[k] for k in ("mapped", "unmapped", "rejected") if c[k]}
                for name, c in sorted(by_element.items())
            },
            "events": len(self.events),
            "events_by_type": dict(sorted(Counter(e.type for e in self.events).items())),
            "unmapped_items": len(self.unmapped),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    def write_jsonl(self, handle: IO[str]) -> None:
        for event in self.events:
            handle.write(json.dumps(event.to_record(), ensure_ascii=False) + "\n")

    def to_jsonl(self) -> str:
        return "".join(json.dumps(e.to_record(), ensure_ascii=False) + "\n" for e in self.events)

    def report(self) -> dict[str, Any]:
        """The account as plain data: summary, errors, warnings, unmapped items grouped by
        element and reason (with the first few places), and every record."""
        groups: dict[tuple[str, str], list[UnmappedItem]] = {}
        for item in self.unmapped:
            name = re.sub(r"\[\d+\]$", "", item.element.rsplit("/", 1)[-1])
            groups.setdefault((name, item.reason), []).append(item)
        return {
            "format": REPORT_FORMAT,
            "source": self.source,
            "collection_year": self.collection_year,
            "reference_date": self.reference_date.isoformat() if self.reference_date else None,
            "schema": self.schema,
            "summary": self.summary(),
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
            "unmapped": [
                {
                    "element": name,
                    "reason": reason,
                    "count": len(items),
                    "first": [
                        {"child_id": i.child_id, "element": i.element, "line": i.line}
                        for i in items[:5]
                    ],
                }
                for (name, reason), items in sorted(groups.items())
            ],
            "records": [r.to_dict() for r in self.records],
        }

    def report_json(self) -> str:
        return json.dumps(self.report(), indent=2, ensure_ascii=False) + "\n"


# --- the import -----------------------------------------------------------------------------


def schema_path(year: int) -> Path:
    """The bundled XSD of a collection year (2022, 2023 or 2024)."""
    if year not in CENSUS_YEARS:
        raise ValueError(f"no bundled CIN census schema for {year}; there are {CENSUS_YEARS}")
    return SCHEMA_DIR / f"CIN_schema_{year}.xsd"


@lru_cache(maxsize=len(CENSUS_YEARS))
def _schema(year: int) -> Any:
    import xmlschema

    # The schema is ours (bundled); nothing it could name is fetched.
    return xmlschema.XMLSchema(str(schema_path(year)), allow="local", defuse="always")


def import_cin_census(
    path: str | Path,
    *,
    collection_year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> CensusImport:
    """Events and a full account from one CIN census return (DfE XML).

    ``collection_year`` picks the schema when the header cannot (by default the year of
    its ReferenceDate, else its Year). Problems with the content (not well-formed, a
    DTD, too large, schema errors, impossible dates) are in ``.errors``; a file that
    cannot be opened raises :class:`CensusFileError`. ``progress(done, total)`` is
    called after each ``<Child>`` is mapped, for a progress bar.
    """
    if collection_year is not None and collection_year not in CENSUS_YEARS:
        raise ArgumentError(
            f"collection_year {collection_year}: the bundled schemas are for "
            + ", ".join(map(str, CENSUS_YEARS))
        )
    path = Path(path)
    source = str(path)
    try:
        root = parse_xml(path, max_bytes=max_bytes, record="Child", record_id="LAchildID")
    except XmlRefusalError as exc:
        message = exc.message + (f" ({exc.context})" if exc.context else "")
        return _failed(source, CensusProblem("error", message, exc.line, column=exc.column))
    except OSError as exc:
        raise CensusFileError(f"cannot read {source}: {exc.strerror or exc}") from exc

    if root.tag != "Message":
        return _failed(
            source,
            CensusProblem(
                "error",
                f"the root element is <{_tag(root)}>, not <Message>: this is not a CIN "
                "census return",
                root.sourceline,
            ),
        )
    importer = _Importer(source)
    year = importer.read_header(root, collection_year)
    if year is None:
        return importer.result(None, None)
    importer.own_schema_errors(root, _schema(year))
    children = root.find("Children")
    total = len(children) if children is not None else 0
    for position, child in enumerate(children if children is not None else (), start=1):
        if child.tag == "Child":
            importer.child(child, position)
        if progress is not None:
            progress(position, total)
    importer.reject_duplicate_children()
    return importer.result(year, schema_path(year).name)


def _failed(source: str, problem: CensusProblem) -> CensusImport:
    return CensusImport(source, None, None, None, (), (), (), (problem,))


def _tag(elem: Any) -> str:
    return str(elem.tag)[:100]


def _json_value(value: Any) -> Any:
    # Fields are kept as JSON values (dates as YYYY-MM-DD), as they are written.
    return value.isoformat() if isinstance(value, date) else value


def _line(elem: Any) -> int | None:
    return None if elem is None else int(elem.sourceline)


def _text(elem: Any) -> str:
    return (elem.text or "").strip() if elem is not None else ""


def _date(elem: Any) -> date | None:
    match = _DATE.fullmatch(_text(elem))
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


@dataclass
class _Owned:
    """Schema errors owned by one record: (element the error is at, message)."""

    errors: list[tuple[Any, str]] = field(default_factory=list)


# A record is a module the account lists; CPPreviewDate is the record of one review.
RECORD_TAGS = frozenset(
    {
        "Child",
        "CINdetails",
        "Assessments",
        "CINPlanDates",
        "Section47",
        "ChildProtectionPlans",
        "CPPreviewDate",
    }
)

Problem = tuple[Any, str]  # the element a problem is at, and what it is

# The census data items that date a record or an event, with their codes (as the
# messages name them): "CPPendDate (N00115) is before CPPstartDate (N00105)".
_DATE_ITEMS: Mapping[str, str] = MappingProxyType(
    {
        "CINreferralDate": "N00100",
        "CINclosureDate": "N00102",
        "DateOfInitialCPC": "N00110",
        "InitialCPCtarget": "N00109",
        "AssessmentActualStartDate": "N00159",
        "AssessmentAuthorisationDate": "N00160",
        "CINPlanStartDate": "N00689",
        "CINPlanEndDate": "N00690",
        "S47ActualStartDate": "N00148",
        "CPPstartDate": "N00105",
        "CPPendDate": "N00115",
        "CPPreviewDate": "N00116",
    }
)


class _Importer:
    def __init__(self, source: str) -> None:
        self.source = source
        self.reference: date | None = None
        self.events: list[DateOnlyEvent] = []
        self.records: list[CensusRecord] = []
        self.unmapped: list[UnmappedItem] = []
        self.errors: list[CensusProblem] = []
        self.warnings: list[CensusProblem] = []
        self.owned: dict[int, _Owned] = {}  # id(record element) -> its schema errors
        self.child_ids: dict[str, list[int]] = {}  # LAchildID -> lines of its <Child>s

    # --- header and schema ------------------------------------------------------------------

    def read_header(self, root: Any, override: int | None) -> int | None:
        header = root.find("Header")
        details = header.find("CollectionDetails") if header is not None else None
        ref_elem = details.find("ReferenceDate") if details is not None else None
        year_elem = details.find("Year") if details is not None else None
        reference = _date(ref_elem)
        stated = int(_text(year_elem)) if _text(year_elem).isdigit() else None
        self.reference = reference
        if header is not None:
            self.records.append(
                CensusRecord(
                    None,
                    "Header",
                    "Header",
                    header.sourceline,
                    "unmapped",
                    "return metadata: read for the collection year and reference date, "
                    "not an event",
                )
            )
        if override is not None:
            year = override
        elif reference is not None:
            year = reference.year
        elif stated is not None:
            year = stated
        else:
            self.errors.append(
                CensusProblem(
                    "error",
                    "cannot tell the collection year: the header has no ReferenceDate (N00603) "
                    "or Year; pass collection_year (--collection-year) "
                    + " or ".join(map(str, CENSUS_YEARS)),
                    header.sourceline if header is not None else root.sourceline,
                )
            )
            return None
        if year not in CENSUS_YEARS:
            self.errors.append(
                CensusProblem(
                    "error",
                    f"collection year {year} (from the header's "
                    f"{'ReferenceDate' if reference else 'Year'}) has no bundled schema; "
                    f"there are {', '.join(map(str, CENSUS_YEARS))}: to validate against "
                    "one of them, pass collection_year (--collection-year)",
                    _line(ref_elem if reference else year_elem),
                )
            )
            return None
        if reference is not None and stated is not None and stated != reference.year:
            self.warnings.append(
                CensusProblem(
                    "warning",
                    f"the header's Year is {stated} but its ReferenceDate (N00603) is in "
                    f"{reference.year}; the collection year is taken from "
                    + ("collection_year" if override else "the ReferenceDate"),
                    _line(year_elem),
                    element="Header/CollectionDetails/Year",
                )
            )
        if reference is None:
            self.warnings.append(
                CensusProblem(
                    "warning",
                    "the header has no usable ReferenceDate (N00603), so dates after the end "
                    "of the collection year cannot be checked",
                    header.sourceline if header is not None else root.sourceline,
                )
            )
        return year

    def own_schema_errors(self, root: Any, schema: Any) -> None:
        """Validate, then give each schema error to the record that holds it."""
        found: dict[int, list[tuple[Any, str]]] = {}
        for error in schema.iter_errors(root):
            target, message = _describe(error)
            if target is None:
                continue
            found.setdefault(id(target), []).append((target, message))
        if not found:
            return
        # One walk with the enclosing record at hand; the root and header are no record.
        stack: list[tuple[Any, Any]] = [(root, root)]
        while stack:
            elem, owner = stack.pop()
            if id(elem) in found:
                if owner is root:
                    for target, message in found[id(elem)]:
                        self.errors.append(
                            CensusProblem(
                                "error", message, target.sourceline, element=_path_in(root, target)
                            )
                        )
                else:
                    self.owned.setdefault(id(owner), _Owned()).errors.extend(found[id(elem)])
            for sub in elem:
                stack.append((sub, sub if sub.tag in RECORD_TAGS and owner is not None else owner))

    # --- one child --------------------------------------------------------------------------

    def child(self, child: Any, position: int) -> None:
        identifiers = child.find("ChildIdentifiers")
        la = identifiers.find("LAchildID") if identifiers is not None else None
        child_id = _text(la)
        usable = 0 < len(child_id) <= MAX_CHILD_ID and child_id.isprintable()
        own = self.owned.get(id(child), _Owned()).errors
        label = f"Child#{position}"
        if not usable:
            why = (
                "has no LAchildID (N00097)"
                if not child_id
                else f"has an LAchildID (N00097) that is not 1-{MAX_CHILD_ID} printable characters"
            )
            self.errors.append(
                CensusProblem("error", f"the child {why}", child.sourceline, element=label)
            )
            for target, message in own:
                self.errors.append(
                    CensusProblem(
                        "error", message, target.sourceline, element=_path_in(child, target, label)
                    )
                )
            self.records.append(
                CensusRecord(None, label, "Child", child.sourceline, "rejected", f"the child {why}")
            )
            for episode_position, episode in enumerate(child.findall("CINdetails"), start=1):
                self._reject_tree(
                    None, episode, f"{label}/CINdetails#{episode_position}", f"its child {why}"
                )
            return
        self.child_ids.setdefault(child_id, []).append(child.sourceline)
        # Errors in the identifiers and characteristics are reported; they reject nothing,
        # because nothing there is mapped except LAchildID, which is usable.
        for target, message in own:
            self.errors.append(
                CensusProblem(
                    "error", message, target.sourceline, child_id, _path_in(child, target)
                )
            )
        self.records.append(
            CensusRecord(child_id, "Child", "Child", child.sourceline, "mapped", "")
        )
        for module in (identifiers, child.find("ChildCharacteristics")):
            for path, item in _leaves(module, _tag(module)) if module is not None else ():
                if item.tag != "LAchildID":
                    self.unmapped.append(UnmappedItem(child_id, path, item.sourceline, PERSONAL))
        episodes = child.findall("CINdetails")
        for key, label_, episode in self._keyed(
            child_id, episodes, "CINdetails", "CINreferralDate", "", "N00100"
        ):
            if key is not None:
                _Episode(self, child_id, episode, label_, key).map()

    def reject_duplicate_children(self) -> None:
        """Two <Child>s with one LAchildID cannot be told apart: neither is imported."""
        duplicated = {c: lines for c, lines in self.child_ids.items() if len(lines) > 1}
        if not duplicated:
            return
        drop_events: set[str] = set()
        for child_id, lines in duplicated.items():
            where = ", ".join(map(str, lines))
            self.errors.append(
                CensusProblem(
                    "error",
                    f"{len(lines)} children share this LAchildID (N00097), at lines {where}; "
                    "none of them is imported",
                    lines[0],
                    child_id,
                    "ChildIdentifiers/LAchildID",
                )
            )
            drop_events.update(e.id for e in self.events if e.child_id == child_id)
        reason = "its LAchildID (N00097) is shared by another child in the return"
        self.events = [e for e in self.events if e.id not in drop_events]
        self.records = [
            CensusRecord(r.child_id, r.record, r.element, r.line, "rejected", reason)
            if r.child_id in duplicated
            else r
            for r in self.records
        ]
        self.unmapped = [u for u in self.unmapped if u.child_id not in duplicated]

    # --- helpers shared by the record mappers -----------------------------------------------

    def _keyed(
        self,
        child_id: str | None,
        elems: list[Any],
        tag: str,
        key_tag: str,
        parent_label: str,
        item: str,
    ) -> list[tuple[date | None, str, Any]]:
        """Each sibling record with its identifying date and label, or None (rejected here)
        when its date is missing or invalid, or shared with a sibling."""
        out: list[tuple[date | None, str, Any]] = []
        prefix = f"{parent_label}/" if parent_label else ""
        keys: list[date | None] = [_date(e if tag == key_tag else e.find(key_tag)) for e in elems]
        counts = Counter(k for k in keys if k is not None)
        for position, (elem, key) in enumerate(zip(elems, keys, strict=True), start=1):
            if key is None:
                label = f"{prefix}{tag}#{position}"
                if not self.owned.get(id(elem)):
                    # The schema would have said so; a year out of Python's range lands here.
                    self.owned.setdefault(id(elem), _Owned()).errors.append(
                        (elem, f"{key_tag} ({item}) is missing or not a date")
                    )
                self._reject_tree(child_id, elem, label, None)
                out.append((None, label, elem))
            elif counts[key] > 1:
                label = f"{prefix}{tag}#{position}"
                twins = [e.sourceline for e, k in zip(elems, keys, strict=True) if k == key]
                reason = (
                    f"{len(twins)} {tag} records here share the {key_tag} ({item}) that "
                    f"identifies them (lines {', '.join(map(str, twins))}), so they cannot be "
                    "told apart; none is imported"
                )
                self.errors.append(CensusProblem("error", reason, elem.sourceline, child_id, label))
                self._reject_tree(child_id, elem, label, reason)
                out.append((None, label, elem))
            else:
                out.append((key, f"{prefix}{tag}@{key.isoformat()}", elem))
        return out

    def _reject_tree(self, child_id: str | None, elem: Any, label: str, reason: str | None) -> None:
        """Reject a record and everything nested in it, reporting each one's own schema
        errors. With ``reason`` None, the record's own schema errors are the reason."""
        own = self.owned.get(id(elem), _Owned()).errors
        for target, message in own:
            self.errors.append(
                CensusProblem(
                    "error", message, target.sourceline, child_id, _path_in(elem, target, label)
                )
            )
        if reason is None:
            reason = "; ".join(dict.fromkeys(m for _t, m in own)) or "schema errors"
        self.records.append(
            CensusRecord(child_id, label, elem.tag, elem.sourceline, "rejected", reason)
        )
        nested_reason = f"inside {label}, which was rejected"
        counts: Counter[str] = Counter()
        for sub in elem:
            if sub.tag in RECORD_TAGS:
                counts[sub.tag] += 1
                self._reject_tree(
                    child_id, sub, f"{label}/{sub.tag}#{counts[sub.tag]}", nested_reason
                )
            elif sub.tag == "Reviews":
                for n, review in enumerate(sub.findall("CPPreviewDate"), start=1):
                    self._reject_tree(child_id, review, f"{label}/CPPreviewDate#{n}", nested_reason)

    def reject(self, child_id: str, elem: Any, label: str, problems: list[tuple[Any, str]]) -> None:
        """Reject a record for what the importer found (impossible or contradictory dates)."""
        for target, message in problems:
            self.errors.append(
                CensusProblem(
                    "error", message, target.sourceline, child_id, _path_in(elem, target, label)
                )
            )
        self._reject_tree(child_id, elem, label, "; ".join(m for _t, m in problems))

    def accept(self, child_id: str, elem: Any, label: str, events: list[DateOnlyEvent]) -> bool:
        """Check the record's events against the vocabulary; add them, or reject the record."""
        for event in events:
            problem = _check(event)
            if problem is not None:
                self.reject(child_id, elem, label, [(elem, problem)])
                return False
        self.events.extend(events)
        self.records.append(
            CensusRecord(
                child_id,
                label,
                elem.tag,
                elem.sourceline,
                "mapped",
                "",
                tuple(e.id for e in events),
            )
        )
        return True

    def result(self, year: int | None, schema: str | None) -> CensusImport:
        events = sorted(self.events, key=lambda e: (e.child_id, e.on, _STAGE[e.type], e.id))
        records = sorted(self.records, key=lambda r: (r.child_id or "", r.line or 0, r.record))
        unmapped = sorted(self.unmapped, key=lambda u: (u.child_id or "", u.line or 0, u.element))
        errors = sorted(self.errors, key=lambda p: (p.line or 0, p.child_id or "", p.message))
        return CensusImport(
            self.source,
            year,
            self.reference,
            schema,
            tuple(events),
            tuple(records),
            tuple(unmapped),
            tuple(errors),
            tuple(self.warnings),
        )


def _describe(error: Any) -> tuple[Any, str]:
    """The element a schema error is at, and a message that never quotes the value."""
    elem = error.elem
    if elem is None:
        return None, ""
    reason = str(error.reason or "does not match the schema")
    index = getattr(error, "index", None)
    invalid_tag = getattr(error, "invalid_tag", None)
    if invalid_tag is not None and index is not None and 0 <= index < len(elem):
        target = elem[index]
        expected = re.findall(r"Tag '([^']{1,100})' expected", reason)
        message = f"unexpected element <{_tag(target)}>" + (
            f" (expected <{expected[0]}>)" if expected else " (not in the schema here)"
        )
        return target, message
    value = _text(elem)
    if type(error).__name__ == "XMLSchemaDecodeError":
        name = str(getattr(error.validator, "name", None) or "value")
        kind = "xs:" + name.rsplit("}", 1)[-1] if "}" in name else name
        echoes = bool(value) and any(q in reason for q in (f"'{value}", f'"{value}'))
        return elem, f"not a valid {kind}" + ("" if echoes or not value else f": {reason}")
    for quoted in (f"'{value}'", f'"{value}"'):
        if value:
            reason = reason.replace(quoted, "(value withheld)")  # never echo the return's data
    choices = re.fullmatch(r"value must be one of \[(.*)\]", reason)
    if choices and choices[1].count(",") >= 12:
        reason = f"value is not one of the {choices[1].count(',') + 1} codes the schema allows"
    return elem, reason


def _leaves(elem: Any, path: str) -> Iterable[tuple[str, Any]]:
    """The elements without children below ``elem``, with their paths ([n] where repeated)."""
    tags = Counter(sub.tag for sub in elem)
    seen: Counter[str] = Counter()
    for sub in elem:
        seen[sub.tag] += 1
        step = _tag(sub) + (f"[{seen[sub.tag]}]" if tags[sub.tag] > 1 else "")
        if len(sub):
            yield from _leaves(sub, f"{path}/{step}")
        else:
            yield f"{path}/{step}", sub


def _path_in(top: Any, target: Any, label: str | None = None) -> str:
    """``target``'s path below ``top`` (tags, with [n] where siblings repeat), prefixed by
    ``label`` (the record's label), for messages."""
    if target is top:
        return label or _tag(top)
    # Only called for problems, and records are small: a plain search is enough.
    trail: list[str] = []

    def walk(elem: Any) -> bool:
        for sub in elem:
            if sub is target or walk(sub):
                same = [s for s in elem if s.tag == sub.tag]
                step = _tag(sub) + (f"[{same.index(sub) + 1}]" if len(same) > 1 else "")
                trail.append(step)
                return True
        return False

    walk(top)
    path = "/".join(reversed(trail))
    return f"{label}/{path}" if label else path


def _check(event: DateOnlyEvent) -> str | None:
    """None when the event's fields are valid for its type; else the fields at fault."""
    if not EARLIEST_YEAR <= event.on.year <= LATEST_YEAR:
        item = event.attributes["census_item"]
        return (
            f"its date ({item}) is outside the years {EARLIEST_YEAR}-{LATEST_YEAR} that "
            "events accept"
        )
    record = {
        "id": event.id,
        "type": event.type,
        "child_id": event.child_id,
        "at": _CHECK_INSTANT,
        **event.fields,
        "attributes": dict(event.attributes),
    }
    try:
        EVENT_ADAPTER.validate_python(record)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in err["loc"][1:]) for err in exc.errors()})
        return f"the {event.type} event it gives is not valid ({', '.join(fields)})"
    return None


# --- one CIN episode and what it holds ---------------------------------------------------------


class _Episode:
    """A CINdetails record: the referral, its closure, and the records nested in it."""

    def __init__(self, importer: _Importer, child_id: str, elem: Any, label: str, referral: date):
        self.imp = importer
        self.child_id = child_id
        self.elem = elem
        self.label = label
        self.referral = referral
        self.referral_id = self.event_id(label, "referral")
        self.closure: date | None = None
        self.conferences: list[tuple[date, str]] = []  # initial conferences mapped so far

    def event_id(self, label: str, suffix: str) -> str:
        return f"{self.child_id}/{label}/{suffix}"

    def event(
        self,
        label: str,
        suffix: str,
        type_: str,
        on: date,
        item: str,
        unknown: tuple[str, ...] = (),
        **fields: Any,
    ) -> DateOnlyEvent:
        assert type_ in EVENT_CLASSES, type_
        return DateOnlyEvent(
            self.event_id(label, suffix),
            type_,
            self.child_id,
            on,
            {k: _json_value(v) for k, v in fields.items() if v is not None},
            {"source_record": label, "census_item": item},
            unknown,
        )

    def unmapped(self, elem: Any, record: Any, label: str, reason: str) -> None:
        self.imp.unmapped.append(
            UnmappedItem(self.child_id, _path_in(record, elem, label), elem.sourceline, reason)
        )

    def late(self, day: date) -> str | None:
        """Why ``day`` cannot be in this return, or None."""
        reference = self.imp.reference
        if reference is not None and day > reference:
            return f"after the return's ReferenceDate {reference.isoformat()} (N00603)"
        return None

    def within(self, name: str, day: date) -> str | None:
        """Why a nested record's date (the data item ``name``) does not fit inside its
        episode, or None."""
        item = _DATE_ITEMS[name]
        if day < self.referral:
            return f"{name} ({item}) is before the episode's CINreferralDate (N00100)"
        if self.closure is not None and day > self.closure:
            return f"{name} ({item}) is after the episode's CINclosureDate (N00102)"
        late = self.late(day)
        return f"{name} ({item}) is {late}" if late else None

    def inside(self, items: Mapping[str, Any], name: str, day: date) -> list[Problem]:
        """:meth:`within` as a problem at the item ``name``: none, or one."""
        why = self.within(name, day)
        return [(items[name], why)] if why else []

    def not_before(
        self, items: Mapping[str, Any], name: str, day: date, start: str, started: date
    ) -> list[Problem]:
        """The problem with a date that must not come before the record's ``start`` date
        and must fit inside the episode: none, or one."""
        if day < started:
            message = f"{name} ({_DATE_ITEMS[name]}) is before {start} ({_DATE_ITEMS[start]})"
            return [(items[name], message)]
        return self.inside(items, name, day)

    def map(self) -> None:
        imp, elem, label = self.imp, self.elem, self.label
        if imp.owned.get(id(elem)):
            imp._reject_tree(self.child_id, elem, label, None)
            return
        items = {sub.tag: sub for sub in elem}
        self.closure = _date(items.get("CINclosureDate"))
        episode_icpc = _date(items.get("DateOfInitialCPC"))
        problems: list[tuple[Any, str]] = []
        late = self.late(self.referral)
        if late:
            problems.append((items["CINreferralDate"], f"CINreferralDate (N00100) is {late}"))
        if self.closure is not None:
            if self.closure < self.referral:
                problems.append(
                    (
                        items["CINclosureDate"],
                        "CINclosureDate (N00102) is before CINreferralDate (N00100)",
                    )
                )
            elif late := self.late(self.closure):
                problems.append((items["CINclosureDate"], f"CINclosureDate (N00102) is {late}"))
        if episode_icpc is not None and not problems:
            problems += self.inside(items, "DateOfInitialCPC", episode_icpc)
        if problems:
            imp.reject(self.child_id, elem, label, problems)
            return

        nfa = items.get("ReferralNFA")
        events = [
            self.event(
                label,
                "referral",
                "referral_received",
                self.referral,
                "N00100",
                referral_source=REFERRAL_SOURCES.get(_text(items.get("ReferralSource"))),
                primary_need=PRIMARY_NEEDS.get(_text(items.get("PrimaryNeedCode"))),
                no_further_action=(_text(nfa) in _YES) if nfa is not None else None,
            )
        ]
        reason = items.get("ReasonForClosure")
        if self.closure is not None:
            events.append(
                self.event(
                    label,
                    "closure",
                    "case_closed",
                    self.closure,
                    "N00102",
                    reason=CLOSURE_REASONS.get(_text(reason)),
                    referral_ref=self.referral_id,
                )
            )
        elif reason is not None:
            self.unmapped(
                reason,
                elem,
                label,
                "ReasonForClosure (N00103) without a "
                "CINclosureDate (N00102): there is no date to record a closure on",
            )
        if not imp.accept(self.child_id, elem, label, events):
            return

        for tag, dated_by, map_one in _NESTED:
            for key, sub_label, sub in imp._keyed(
                self.child_id, elem.findall(tag), tag, dated_by, label, _DATE_ITEMS[dated_by]
            ):
                if key is not None:
                    map_one(self, sub, sub_label, key)
            if tag == "Section47" and episode_icpc is not None:
                # After the enquiries (it may be one of their conferences), before the plans
                # (which name the conference that decided them).
                self.episode_conference(items["DateOfInitialCPC"], episode_icpc)

    def _own_errors(self, elem: Any, label: str) -> bool:
        if self.imp.owned.get(id(elem)):
            self.imp._reject_tree(self.child_id, elem, label, None)
            return True
        return False

    def episode_conference(self, item: Any, day: date) -> None:
        """The episode-level DateOfInitialCPC: the same conference as a section 47's when
        their dates agree (some authorities record it twice), else one of its own."""
        if any(d == day for d, _id in self.conferences):
            return  # mapped already, on the section 47 enquiry's conference
        event = self.event(
            self.label,
            "initial_conference",
            "child_protection_conference_held",
            day,
            "N00110",
            kind="initial",
            referral_ref=self.referral_id,
        )
        problem = _check(event)
        if problem is not None:  # pragma: no cover - built from checked parts
            self.unmapped(item, self.elem, self.label, problem)
            return
        self.imp.events.append(event)
        self.conferences.append((day, event.id))
        # The episode record was accounted as mapped before; it also gave this event.
        for i in range(len(self.imp.records) - 1, -1, -1):
            record = self.imp.records[i]
            if record.child_id == self.child_id and record.record == self.label:
                self.imp.records[i] = CensusRecord(
                    record.child_id,
                    record.record,
                    record.element,
                    record.line,
                    record.outcome,
                    record.reason,
                    (*record.events, event.id),
                )
                break

    def dated(
        self, elem: Any, label: str, start: str, started: date, end: str
    ) -> tuple[dict[str, Any], date | None] | None:
        """A nested record's items and its end date (the item ``end``, if given), or None
        when the record is rejected: for schema errors of its own, or dates that do not fit
        (the ``start`` date in the episode, the end not before it and in the episode)."""
        if self._own_errors(elem, label):
            return None
        items = {sub.tag: sub for sub in elem}
        ended = _date(items.get(end))
        problems = self.inside(items, start, started)
        if ended is not None:
            problems += self.not_before(items, end, ended, start, started)
        if problems:
            self.imp.reject(self.child_id, elem, label, problems)
            return None
        return items, ended

    def assessment(self, elem: Any, label: str, started: date) -> None:
        start, end = "AssessmentActualStartDate", "AssessmentAuthorisationDate"
        dated = self.dated(elem, label, start, started, end)
        if dated is None:
            return
        items, authorised = dated
        started_id = self.event_id(label, "started")
        events = [
            self.event(
                label,
                "started",
                "assessment_started",
                started,
                "N00159",
                referral_ref=self.referral_id,
            )
        ]
        factors_elem = items.get("FactorsIdentifiedAtAssessment")
        # A set of codes in the census's own order, whatever order the return lists them in.
        factors = (
            sorted((_text(f) for f in factors_elem), key=lambda c: _FACTOR_ORDER.get(c, 999))
            if factors_elem is not None
            else None
        )
        if authorised is not None:
            events.append(
                self.event(
                    label,
                    "completed",
                    "assessment_completed",
                    authorised,
                    "N00160",
                    assessment_ref=started_id,
                    factors=factors,
                )
            )
        elif factors_elem is not None:
            self.unmapped(
                factors_elem,
                elem,
                label,
                "factors without an "
                "AssessmentAuthorisationDate (N00160): no completed assessment to "
                "record them on",
            )
        review = items.get("AssessmentInternalReviewDate")
        if review is not None:
            self.unmapped(
                review,
                elem,
                label,
                "an assessment's internal review: no event in "
                "the vocabulary records it, and no procedure refers to it",
            )
        self.imp.accept(self.child_id, elem, label, events)

    def cin_plan(self, elem: Any, label: str, started: date) -> None:
        dated = self.dated(elem, label, "CINPlanStartDate", started, "CINPlanEndDate")
        if dated is None:
            return
        _items, ended = dated
        events = [
            self.event(
                label,
                "started",
                "cin_plan_started",
                started,
                "N00689",
                referral_ref=self.referral_id,
            )
        ]
        if ended is not None:
            events.append(
                self.event(
                    label,
                    "ended",
                    "cin_plan_ended",
                    ended,
                    "N00690",
                    plan_ref=self.event_id(label, "started"),
                )
            )
        self.imp.accept(self.child_id, elem, label, events)

    def section47(self, elem: Any, label: str, started: date) -> None:
        if self._own_errors(elem, label):
            return
        items = {sub.tag: sub for sub in elem}
        target = _date(items.get("InitialCPCtarget"))
        held = _date(items.get("DateOfInitialCPC"))
        not_required = _text(items.get("ICPCnotRequired")) in _YES
        problems = self.inside(items, "S47ActualStartDate", started)
        if target is not None and target < started:
            problems.append(
                (
                    items["InitialCPCtarget"],
                    "InitialCPCtarget (N00109) is before S47ActualStartDate (N00148)",
                )
            )
        if held is not None:
            problems += self.not_before(
                items, "DateOfInitialCPC", held, "S47ActualStartDate", started
            )
            if not_required:
                problems.append(
                    (
                        items["ICPCnotRequired"],
                        "ICPCnotRequired (N00111) is true, yet DateOfInitialCPC (N00110) gives the "
                        "conference's date",
                    )
                )
        if problems:
            self.imp.reject(self.child_id, elem, label, problems)
            return
        started_id = self.event_id(label, "started")
        # ICPCnotRequired false says only that the enquiry has not decided against a
        # conference: with no DateOfInitialCPC, the return cannot tell an enquiry still
        # open from one whose conference is owed, so the outcome is recorded as unknown.
        unsettled = not not_required and held is None
        events = [
            self.event(
                label,
                "started",
                "enquiry_started",
                started,
                "N00148",
                ("conference_not_required",) if unsettled else (),
                basis="section_47",
                referral_ref=self.referral_id,
                conference_target=target,
                conference_not_required=None if unsettled else not_required,
            )
        ]
        if held is not None:
            events.append(
                self.event(
                    label,
                    "initial_conference",
                    "child_protection_conference_held",
                    held,
                    "N00110",
                    kind="initial",
                    enquiry_ref=started_id,
                    referral_ref=self.referral_id,
                )
            )
        if self.imp.accept(self.child_id, elem, label, events) and held is not None:
            self.conferences.append((held, events[-1].id))

    def cp_plan(self, elem: Any, label: str, started: date) -> None:
        dated = self.dated(elem, label, "CPPstartDate", started, "CPPendDate")
        if dated is None:
            return
        items, ended = dated
        initial = ABUSE_CATEGORIES.get(_text(items.get("InitialCategoryOfAbuse")))
        latest = ABUSE_CATEGORIES.get(_text(items.get("LatestCategoryOfAbuse")))
        previous = _text(items.get("NumberOfPreviousCPP"))
        deciding = [cid for day, cid in self.conferences if day == started]
        started_id = self.event_id(label, "started")
        events = [
            self.event(
                label,
                "started",
                "child_protection_plan_started",
                started,
                "N00105",
                category=initial,
                previous_plans=int(previous) if previous.isdigit() else None,
                conference_ref=deciding[0] if len(deciding) == 1 else None,
                referral_ref=self.referral_id,
            )
        ]
        if ended is not None:
            events.append(
                self.event(
                    label,
                    "ended",
                    "child_protection_plan_ended",
                    ended,
                    "N00115",
                    plan_ref=started_id,
                    category=latest,
                )
            )
        elif latest is not None and latest != initial and "LatestCategoryOfAbuse" in items:
            self.unmapped(
                items["LatestCategoryOfAbuse"],
                elem,
                label,
                "the category changed "
                "while the plan is open, and the census gives no date for the change",
            )
        if not self.imp.accept(self.child_id, elem, label, events):
            return
        reviews = items.get("Reviews")
        dates = reviews.findall("CPPreviewDate") if reviews is not None else []
        for key, review_label, review in self.imp._keyed(
            self.child_id, dates, "CPPreviewDate", "CPPreviewDate", label, "N00116"
        ):
            if key is None:
                continue
            if self._own_errors(review, review_label):
                continue
            why = None
            if key <= started:
                why = "CPPreviewDate (N00116) is not after the plan's CPPstartDate (N00105)"
            elif ended is not None and key > ended:
                why = "CPPreviewDate (N00116) is after the plan's CPPendDate (N00115)"
            else:
                why = self.within("CPPreviewDate", key)
            if why:
                self.imp.reject(self.child_id, review, review_label, [(review, why)])
                continue
            event = self.event(
                review_label,
                "review_conference",
                "child_protection_conference_held",
                key,
                "N00116",
                kind="review",
                plan_ref=started_id,
                referral_ref=self.referral_id,
            )
            self.imp.accept(self.child_id, review, review_label, [event])


# The records nested in an episode, in the order they are mapped: the element, the data
# item whose date identifies each, and the method that maps one. The enquiries come before
# the plans, whose starting conference may be one of theirs.
_NESTED: tuple[tuple[str, str, Callable[[_Episode, Any, str, date], None]], ...] = (
    ("Assessments", "AssessmentActualStartDate", _Episode.assessment),
    ("CINPlanDates", "CINPlanStartDate", _Episode.cin_plan),
    ("Section47", "S47ActualStartDate", _Episode.section47),
    ("ChildProtectionPlans", "CPPstartDate", _Episode.cp_plan),
)


def problems_text(result: CensusImport, limit: int | None = None) -> Iterable[str]:
    """Errors then warnings, one located line each (at most ``limit`` errors)."""
    shown = result.errors if limit is None else result.errors[:limit]
    for problem in shown:
        yield problem.located(result.source)
    if limit is not None and len(result.errors) > limit:
        yield f"... and {len(result.errors) - limit} more errors (all of them are in the report)"
    for problem in result.warnings:
        yield problem.located(result.source)
