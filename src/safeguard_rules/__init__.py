"""safeguard-rules: multi-agency child-safeguarding procedures as configuration.

The pipeline runs one way (docs/architecture.md draws it)::

    name or path --resolve--> file --read--> YAML with positions --merge overlays-->
        --validate--> PackDocument --compile (pure)--> CompiledPack ---------------+
                                                                                   v
    events (JSONL/YAML/mappings) --load_events--> EventStream -------------> evaluate
                                                                                   |
                                  explain(pack, obligation) <----- Evaluation <----+

Loading (each stage imports only those above it in this list):

* ``_yaml``       strict YAML reading with line/column positions
* ``_overlay``    a pack that extends another, merged before validation (names resolved by
                  a function it is given, so it does not depend on the registry)
* ``_document``   read -> merge -> validate: the PackDocument lint, diff and compile share
* ``_registry``   packs by path, by name across providers (entry points), by jurisdiction and date
* ``_compile``    a document -> CompiledPack: names checked, conditions compiled; reads no file
* ``_loading``    the stages composed: ``load_pack``, ``select_pack``, ``load_document``

Model: ``_pack`` (the pack format), ``_events`` (the case-event vocabulary), ``_errors``.

Engine and results:

* ``_mapping``    event mappings: foreign records renamed into the vocabulary as read
* ``_stream``     event streams from JSON Lines / YAML, with rejections
* ``_census``     a DfE CIN census return (XML) read into date-only events, with an account
* ``_safe_xml``   untrusted XML parsed safely (no DTD, entities or network), with line numbers
* ``_calendar``   working days, office hours and deadlines
* ``_conditions`` conditions checked against the vocabulary and compiled to closures
* ``_evaluate``   one pass per child over its events
* ``_gc``         the cyclic garbage collector paused while events and results are built
* ``_streaming``  input larger than memory: one child at a time; merging parts
* ``_sort``       JSON Lines grouped by child on disk (an external merge sort)
* ``_result``     obligations, findings and the account of the input
* ``_records``    result rows (built by ``_result``) written as CSV and JSON Lines
* ``_wire``       the one way results, reports and diffs become JSON
* ``_explain``    the story behind one obligation

Authoring and face:

* ``_lint``       validate and lint packs: load errors, then one module per documented check
* ``_jurisdiction`` a stream under each version of a jurisdiction on the days it is in force
* ``_diff``       two packs compared in words, and their evaluations of one stream
* ``_wording``    domain wording shared by diff, explain and lint: conditions, deadlines, counts
* ``_scenario_format`` the scenario-test format (``*.scenarios.yaml``)
* ``_scenario``   scenario tests run against packs: readable failures and coverage
* ``_schema``     JSON Schemas of the pack and scenario formats, from the models
* ``_report``     one self-contained HTML report: timeliness, overdue now, timelines
* ``_ical``       open obligations as iCalendar to-dos
* ``pytest_plugin`` scenario files collected as pytest tests, opt-in
                  (``pytest -p safeguard_rules.pytest_plugin``)

Nothing in Python knows the name of a jurisdiction: that lives in the packs.
"""

from __future__ import annotations

from ._census import (
    CensusFileError,
    CensusImport,
    CensusProblem,
    CensusRecord,
    DateOnlyEvent,
    UnmappedItem,
    import_cin_census,
)
from ._compile import CompiledPack, PackIntegrityError, compile_pack
from ._diff import EvaluationDiff, PackDiff, diff_evaluations, diff_packs, render_diff
from ._document import PackDocument
from ._errors import (
    ArgumentError,
    Diagnostic,
    EventStreamError,
    EventValidationError,
    InvalidAsOfError,
    PackError,
    PackNotFoundError,
    PackSyntaxError,
    PackValidationError,
    SafeguardRulesError,
    UnknownCheckError,
    UnknownIdError,
    UnknownObligationError,
)
from ._evaluate import evaluate
from ._events import (
    EVENT_CLASSES,
    AgencyReportSent,
    AgencyUnableToAttend,
    AssessmentCompleted,
    AssessmentStarted,
    BaseEvent,
    CaseClosed,
    CaseReviewed,
    ChildProtectionConferenceHeld,
    ChildProtectionPlanEnded,
    ChildProtectionPlanStarted,
    CinPlanEnded,
    CinPlanStarted,
    ConcernIdentified,
    CoreGroupMeetingHeld,
    CpnCreated,
    EnquiryConcluded,
    EnquiryReceived,
    EnquiryStarted,
    Event,
    FlagSent,
    MashEnquiryStarted,
    MedicalConsidered,
    PlanningMeetingHeld,
    PlanningMeetingRequested,
    PoliceContacted,
    ProfessionalDifferenceRaised,
    ProfessionalDifferenceResolved,
    ReceiptConfirmed,
    ReferralMade,
    ReferralReceived,
    SocialWorkerAllocated,
    SocialWorkerUnallocated,
    StrategyDiscussionHeld,
    StrategyMeetingCancelled,
    StrategyMeetingHeld,
    StrategyMeetingRequested,
    StrategyRecordCirculated,
    StrategyRequestForwarded,
    StrategyRequestReturned,
    SupervisionHeld,
)
from ._explain import ExplainedCitation, Explanation, explain
from ._ical import to_ical
from ._jurisdiction import (
    DaysInForce,
    DecidedFinding,
    DecidedObligation,
    InForce,
    Jurisdiction,
    JurisdictionEvaluation,
    PeriodStamp,
    Uncovered,
    VersionInForce,
    evaluate_jurisdiction,
    load_jurisdiction,
)
from ._limits import PackLimits
from ._lint import CHECKS as LINT_CHECKS
from ._lint import LintCheck, LintReport, lint_packs, validate_packs
from ._lint._check import SourcePlace
from ._lint._run import LintSummary, PackSummary
from ._lint._sources import CoveredSentence, Sentence, SourceCoverage, SourceQuote
from ._loading import compile_text, load_document, load_pack, select_pack
from ._mapping import EventMapping, EventMappingError, load_mapping
from ._pack import Citation, DeadlineBasis
from ._registry import (
    AmbiguousPackError,
    PackEntry,
    PackSelectionError,
    PackVersion,
    Period,
    ProviderProblem,
    Registry,
    Unreadable,
    bundled_packs,
    discover_packs,
)
from ._report import render_report
from ._result import (
    RECORD_COLUMNS,
    Account,
    EngineStamp,
    Escalation,
    Evaluation,
    Finding,
    FindingKind,
    Obligation,
    PackStamp,
    Rejection,
    ResultCitation,
    Severity,
    Status,
)
from ._scenario import (
    CoverageByKind,
    CoverageCount,
    CoverageGap,
    CoverageItem,
    PackCoverage,
    ScenarioFileError,
    ScenarioOutcome,
    ScenarioRunSummary,
    SourceCoverageSummary,
    TestRun,
    UnaccountedSentence,
    run_scenarios,
)
from ._sort import SortError, SortSummary, sort_events_by_child
from ._stream import EventLimits, EventStream, Origins, load_events, parse_events
from ._streaming import (
    LocatedEvent,
    NotGroupedError,
    evaluate_stream,
    merge_evaluations,
    read_events_lazily,
)
from ._yaml import Positions

__version__ = "0.1.0"

__all__ = [
    "EVENT_CLASSES",
    "LINT_CHECKS",
    "RECORD_COLUMNS",
    "Account",
    "AgencyReportSent",
    "AgencyUnableToAttend",
    "AmbiguousPackError",
    "ArgumentError",
    "AssessmentCompleted",
    "AssessmentStarted",
    "BaseEvent",
    "CaseClosed",
    "CaseReviewed",
    "CensusFileError",
    "CensusImport",
    "CensusProblem",
    "CensusRecord",
    "ChildProtectionConferenceHeld",
    "ChildProtectionPlanEnded",
    "ChildProtectionPlanStarted",
    "CinPlanEnded",
    "CinPlanStarted",
    "Citation",
    "CompiledPack",
    "ConcernIdentified",
    "CoreGroupMeetingHeld",
    "CoverageByKind",
    "CoverageCount",
    "CoverageGap",
    "CoverageItem",
    "CoveredSentence",
    "CpnCreated",
    "DateOnlyEvent",
    "DaysInForce",
    "DeadlineBasis",
    "DecidedFinding",
    "DecidedObligation",
    "Diagnostic",
    "EngineStamp",
    "EnquiryConcluded",
    "EnquiryReceived",
    "EnquiryStarted",
    "Escalation",
    "Evaluation",
    "EvaluationDiff",
    "Event",
    "EventLimits",
    "EventMapping",
    "EventMappingError",
    "EventStream",
    "EventStreamError",
    "EventValidationError",
    "ExplainedCitation",
    "Explanation",
    "Finding",
    "FindingKind",
    "FlagSent",
    "InForce",
    "InvalidAsOfError",
    "Jurisdiction",
    "JurisdictionEvaluation",
    "LintCheck",
    "LintReport",
    "LintSummary",
    "LocatedEvent",
    "MashEnquiryStarted",
    "MedicalConsidered",
    "NotGroupedError",
    "Obligation",
    "Origins",
    "PackCoverage",
    "PackDiff",
    "PackDocument",
    "PackEntry",
    "PackError",
    "PackIntegrityError",
    "PackLimits",
    "PackNotFoundError",
    "PackSelectionError",
    "PackStamp",
    "PackSummary",
    "PackSyntaxError",
    "PackValidationError",
    "PackVersion",
    "Period",
    "PeriodStamp",
    "PlanningMeetingHeld",
    "PlanningMeetingRequested",
    "PoliceContacted",
    "Positions",
    "ProfessionalDifferenceRaised",
    "ProfessionalDifferenceResolved",
    "ProviderProblem",
    "ReceiptConfirmed",
    "ReferralMade",
    "ReferralReceived",
    "Registry",
    "Rejection",
    "ResultCitation",
    "SafeguardRulesError",
    "ScenarioFileError",
    "ScenarioOutcome",
    "ScenarioRunSummary",
    "Sentence",
    "Severity",
    "SocialWorkerAllocated",
    "SocialWorkerUnallocated",
    "SortError",
    "SortSummary",
    "SourceCoverage",
    "SourceCoverageSummary",
    "SourcePlace",
    "SourceQuote",
    "Status",
    "StrategyDiscussionHeld",
    "StrategyMeetingCancelled",
    "StrategyMeetingHeld",
    "StrategyMeetingRequested",
    "StrategyRecordCirculated",
    "StrategyRequestForwarded",
    "StrategyRequestReturned",
    "SupervisionHeld",
    "TestRun",
    "UnaccountedSentence",
    "Uncovered",
    "UnknownCheckError",
    "UnknownIdError",
    "UnknownObligationError",
    "UnmappedItem",
    "Unreadable",
    "VersionInForce",
    "__version__",
    "bundled_packs",
    "compile_pack",
    "compile_text",
    "diff_evaluations",
    "diff_packs",
    "discover_packs",
    "evaluate",
    "evaluate_jurisdiction",
    "evaluate_stream",
    "explain",
    "import_cin_census",
    "lint_packs",
    "load_document",
    "load_events",
    "load_jurisdiction",
    "load_mapping",
    "load_pack",
    "merge_evaluations",
    "parse_events",
    "read_events_lazily",
    "render_diff",
    "render_report",
    "run_scenarios",
    "select_pack",
    "sort_events_by_child",
    "to_ical",
    "validate_packs",
]
