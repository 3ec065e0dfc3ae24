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

Model: ``_pack`` (the pack format), ``_events`` (the case-event vocabulary), ``_vocabulary``
(the core vocabulary plus what a pack declares in YAML), ``_errors``.

Engine and results:

* ``_mapping``    event mappings: foreign records renamed into the vocabulary as read
* ``_stream``     event streams from JSON Lines / YAML, with rejections
* ``_census``     a DfE CIN census return (XML) read into date-only events, with an account
* ``_safe_xml``   untrusted XML parsed safely (no DTD, entities or network), with line numbers
* ``_calendar``   working days, office hours and deadlines
* ``_conditions`` conditions checked against the vocabulary and compiled to closures
* ``_evaluate``   one pass per child over its events (every record timed, every value given)
* ``_tristate``   conditions three-valued (true, false, unknown) for records with unknown values
* ``_uncertain``  the careful walk of a child with date-only records or unknown values
* ``_outcome``    obligations and findings built the same way on either walk
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

docs/architecture.md has every module in its import stage. The public names below are
imported on first use (``__getattr__`` and ``_WHERE``), so ``import safeguard_rules`` loads
no submodule; a new public name goes in the type-checker imports, ``_WHERE`` and
``__all__`` (tests/test_api.py checks the three agree).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names, for type checkers; at run time each is imported on first use
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
        FieldSpec,
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
    from ._positions import Positions
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
        Undetermined,
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
    from ._vocabulary import Vocabulary

# Public name -> (module, name in it). `import safeguard_rules` imports none of them: each
# module is imported when one of its names is first used, so a program that only loads a
# pack and evaluates pays for neither the scenario, census, lint, diff and report code nor
# their models (benchmarks/startup.py). tests/test_api.py checks this table against the
# imports above.
_WHERE: dict[str, tuple[str, str]] = {
    "CensusFileError": ("_census", "CensusFileError"),
    "CensusImport": ("_census", "CensusImport"),
    "CensusProblem": ("_census", "CensusProblem"),
    "CensusRecord": ("_census", "CensusRecord"),
    "DateOnlyEvent": ("_census", "DateOnlyEvent"),
    "UnmappedItem": ("_census", "UnmappedItem"),
    "import_cin_census": ("_census", "import_cin_census"),
    "CompiledPack": ("_compile", "CompiledPack"),
    "PackIntegrityError": ("_compile", "PackIntegrityError"),
    "compile_pack": ("_compile", "compile_pack"),
    "EvaluationDiff": ("_diff", "EvaluationDiff"),
    "PackDiff": ("_diff", "PackDiff"),
    "diff_evaluations": ("_diff", "diff_evaluations"),
    "diff_packs": ("_diff", "diff_packs"),
    "render_diff": ("_diff", "render_diff"),
    "PackDocument": ("_document", "PackDocument"),
    "ArgumentError": ("_errors", "ArgumentError"),
    "Diagnostic": ("_errors", "Diagnostic"),
    "EventStreamError": ("_errors", "EventStreamError"),
    "EventValidationError": ("_errors", "EventValidationError"),
    "InvalidAsOfError": ("_errors", "InvalidAsOfError"),
    "PackError": ("_errors", "PackError"),
    "PackNotFoundError": ("_errors", "PackNotFoundError"),
    "PackSyntaxError": ("_errors", "PackSyntaxError"),
    "PackValidationError": ("_errors", "PackValidationError"),
    "SafeguardRulesError": ("_errors", "SafeguardRulesError"),
    "UnknownCheckError": ("_errors", "UnknownCheckError"),
    "UnknownIdError": ("_errors", "UnknownIdError"),
    "UnknownObligationError": ("_errors", "UnknownObligationError"),
    "evaluate": ("_evaluate", "evaluate"),
    "EVENT_CLASSES": ("_events", "EVENT_CLASSES"),
    "AgencyReportSent": ("_events", "AgencyReportSent"),
    "AgencyUnableToAttend": ("_events", "AgencyUnableToAttend"),
    "AssessmentCompleted": ("_events", "AssessmentCompleted"),
    "AssessmentStarted": ("_events", "AssessmentStarted"),
    "BaseEvent": ("_events", "BaseEvent"),
    "CaseClosed": ("_events", "CaseClosed"),
    "CaseReviewed": ("_events", "CaseReviewed"),
    "ChildProtectionConferenceHeld": ("_events", "ChildProtectionConferenceHeld"),
    "ChildProtectionPlanEnded": ("_events", "ChildProtectionPlanEnded"),
    "ChildProtectionPlanStarted": ("_events", "ChildProtectionPlanStarted"),
    "CinPlanEnded": ("_events", "CinPlanEnded"),
    "CinPlanStarted": ("_events", "CinPlanStarted"),
    "ConcernIdentified": ("_events", "ConcernIdentified"),
    "CoreGroupMeetingHeld": ("_events", "CoreGroupMeetingHeld"),
    "CpnCreated": ("_events", "CpnCreated"),
    "EnquiryConcluded": ("_events", "EnquiryConcluded"),
    "EnquiryReceived": ("_events", "EnquiryReceived"),
    "EnquiryStarted": ("_events", "EnquiryStarted"),
    "Event": ("_events", "Event"),
    "FieldSpec": ("_events", "FieldSpec"),
    "FlagSent": ("_events", "FlagSent"),
    "MashEnquiryStarted": ("_events", "MashEnquiryStarted"),
    "MedicalConsidered": ("_events", "MedicalConsidered"),
    "PlanningMeetingHeld": ("_events", "PlanningMeetingHeld"),
    "PlanningMeetingRequested": ("_events", "PlanningMeetingRequested"),
    "PoliceContacted": ("_events", "PoliceContacted"),
    "ProfessionalDifferenceRaised": ("_events", "ProfessionalDifferenceRaised"),
    "ProfessionalDifferenceResolved": ("_events", "ProfessionalDifferenceResolved"),
    "ReceiptConfirmed": ("_events", "ReceiptConfirmed"),
    "ReferralMade": ("_events", "ReferralMade"),
    "ReferralReceived": ("_events", "ReferralReceived"),
    "SocialWorkerAllocated": ("_events", "SocialWorkerAllocated"),
    "SocialWorkerUnallocated": ("_events", "SocialWorkerUnallocated"),
    "StrategyDiscussionHeld": ("_events", "StrategyDiscussionHeld"),
    "StrategyMeetingCancelled": ("_events", "StrategyMeetingCancelled"),
    "StrategyMeetingHeld": ("_events", "StrategyMeetingHeld"),
    "StrategyMeetingRequested": ("_events", "StrategyMeetingRequested"),
    "StrategyRecordCirculated": ("_events", "StrategyRecordCirculated"),
    "StrategyRequestForwarded": ("_events", "StrategyRequestForwarded"),
    "StrategyRequestReturned": ("_events", "StrategyRequestReturned"),
    "SupervisionHeld": ("_events", "SupervisionHeld"),
    "ExplainedCitation": ("_explain", "ExplainedCitation"),
    "Explanation": ("_explain", "Explanation"),
    "explain": ("_explain", "explain"),
    "to_ical": ("_ical", "to_ical"),
    "DaysInForce": ("_jurisdiction", "DaysInForce"),
    "DecidedFinding": ("_jurisdiction", "DecidedFinding"),
    "DecidedObligation": ("_jurisdiction", "DecidedObligation"),
    "InForce": ("_jurisdiction", "InForce"),
    "Jurisdiction": ("_jurisdiction", "Jurisdiction"),
    "JurisdictionEvaluation": ("_jurisdiction", "JurisdictionEvaluation"),
    "PeriodStamp": ("_jurisdiction", "PeriodStamp"),
    "Uncovered": ("_jurisdiction", "Uncovered"),
    "VersionInForce": ("_jurisdiction", "VersionInForce"),
    "evaluate_jurisdiction": ("_jurisdiction", "evaluate_jurisdiction"),
    "load_jurisdiction": ("_jurisdiction", "load_jurisdiction"),
    "PackLimits": ("_limits", "PackLimits"),
    "LINT_CHECKS": ("_lint", "CHECKS"),
    "LintCheck": ("_lint", "LintCheck"),
    "LintReport": ("_lint", "LintReport"),
    "lint_packs": ("_lint", "lint_packs"),
    "validate_packs": ("_lint", "validate_packs"),
    "SourcePlace": ("_lint._check", "SourcePlace"),
    "LintSummary": ("_lint._run", "LintSummary"),
    "PackSummary": ("_lint._run", "PackSummary"),
    "CoveredSentence": ("_lint._sources", "CoveredSentence"),
    "Sentence": ("_lint._sources", "Sentence"),
    "SourceCoverage": ("_lint._sources", "SourceCoverage"),
    "SourceQuote": ("_lint._sources", "SourceQuote"),
    "compile_text": ("_loading", "compile_text"),
    "load_document": ("_loading", "load_document"),
    "load_pack": ("_loading", "load_pack"),
    "select_pack": ("_loading", "select_pack"),
    "EventMapping": ("_mapping", "EventMapping"),
    "EventMappingError": ("_mapping", "EventMappingError"),
    "load_mapping": ("_mapping", "load_mapping"),
    "Citation": ("_pack", "Citation"),
    "DeadlineBasis": ("_pack", "DeadlineBasis"),
    "AmbiguousPackError": ("_registry", "AmbiguousPackError"),
    "PackEntry": ("_registry", "PackEntry"),
    "PackSelectionError": ("_registry", "PackSelectionError"),
    "PackVersion": ("_registry", "PackVersion"),
    "Period": ("_registry", "Period"),
    "ProviderProblem": ("_registry", "ProviderProblem"),
    "Registry": ("_registry", "Registry"),
    "Unreadable": ("_registry", "Unreadable"),
    "bundled_packs": ("_registry", "bundled_packs"),
    "discover_packs": ("_registry", "discover_packs"),
    "render_report": ("_report", "render_report"),
    "RECORD_COLUMNS": ("_result", "RECORD_COLUMNS"),
    "Account": ("_result", "Account"),
    "EngineStamp": ("_result", "EngineStamp"),
    "Escalation": ("_result", "Escalation"),
    "Evaluation": ("_result", "Evaluation"),
    "Finding": ("_result", "Finding"),
    "FindingKind": ("_result", "FindingKind"),
    "Obligation": ("_result", "Obligation"),
    "PackStamp": ("_result", "PackStamp"),
    "Rejection": ("_result", "Rejection"),
    "ResultCitation": ("_result", "ResultCitation"),
    "Severity": ("_result", "Severity"),
    "Status": ("_result", "Status"),
    "Undetermined": ("_result", "Undetermined"),
    "CoverageByKind": ("_scenario", "CoverageByKind"),
    "CoverageCount": ("_scenario", "CoverageCount"),
    "CoverageGap": ("_scenario", "CoverageGap"),
    "CoverageItem": ("_scenario", "CoverageItem"),
    "PackCoverage": ("_scenario", "PackCoverage"),
    "ScenarioFileError": ("_scenario", "ScenarioFileError"),
    "ScenarioOutcome": ("_scenario", "ScenarioOutcome"),
    "ScenarioRunSummary": ("_scenario", "ScenarioRunSummary"),
    "SourceCoverageSummary": ("_scenario", "SourceCoverageSummary"),
    "TestRun": ("_scenario", "TestRun"),
    "UnaccountedSentence": ("_scenario", "UnaccountedSentence"),
    "run_scenarios": ("_scenario", "run_scenarios"),
    "SortError": ("_sort", "SortError"),
    "SortSummary": ("_sort", "SortSummary"),
    "sort_events_by_child": ("_sort", "sort_events_by_child"),
    "EventLimits": ("_stream", "EventLimits"),
    "EventStream": ("_stream", "EventStream"),
    "Origins": ("_stream", "Origins"),
    "load_events": ("_stream", "load_events"),
    "parse_events": ("_stream", "parse_events"),
    "LocatedEvent": ("_streaming", "LocatedEvent"),
    "NotGroupedError": ("_streaming", "NotGroupedError"),
    "evaluate_stream": ("_streaming", "evaluate_stream"),
    "merge_evaluations": ("_streaming", "merge_evaluations"),
    "read_events_lazily": ("_streaming", "read_events_lazily"),
    "Vocabulary": ("_vocabulary", "Vocabulary"),
    "Positions": ("_positions", "Positions"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), attribute)
    globals()[name] = value  # found once: later look-ups do not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


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
    "FieldSpec",
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
    "Undetermined",
    "UnknownCheckError",
    "UnknownIdError",
    "UnknownObligationError",
    "UnmappedItem",
    "Unreadable",
    "VersionInForce",
    "Vocabulary",
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
