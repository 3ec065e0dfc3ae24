"""Running scenario tests: scenario files -> evaluations -> outcomes and coverage.

A scenario file (``*.scenarios.yaml``, format in ``_scenario_format.py``) is read
strictly, like a pack. Each scenario runs under each pack it names; its expected
obligations and findings are matched field by field against the evaluation, and
every mismatch becomes a readable failure: what was expected, at which line, and
the closest thing the pack produced instead. Coverage records which rules,
routes, deadline cases and check findings some scenario exercised.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Final, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, computed_field

from . import _wire
from ._compile import CompiledPack
from ._diagnose import diagnostics_from
from ._errors import Diagnostic, PackError, SafeguardRulesError, did_you_mean, known_list
from ._evaluate import Exercised, evaluate_exercising
from ._events import BaseEvent
from ._files import FileReadError, path_list, read_text
from ._limits import DEFAULT_LIMITS
from ._lint._sources import SourceCoverage, source_coverage
from ._loading import load_pack
from ._pack import DOCUMENT
from ._positions import Positions
from ._result import Evaluation, Finding, Obligation, Rejection, Undetermined, iso
from ._scenario_format import (
    ExpectedFinding,
    ExpectedObligation,
    ExpectedUndetermined,
    FindingPattern,
    ObligationPattern,
    Scenario,
    ScenarioFile,
    UndeterminedPattern,
    parse_when,
)
from ._stream import EventStream, parse_events
from ._vocabulary import CORE, Vocabulary
from ._yaml import read_yaml_file

SUFFIXES = (".scenarios.yaml", ".scenarios.yml")
_SKIP_DIRS = {".git", ".hg", ".tox", ".nox", "node_modules", "__pycache__", "build", "dist"}


class ScenarioFileError(SafeguardRulesError):
    """A scenario file could not be read; ``diagnostics`` says where and why."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def is_scenario_file(path: Path) -> bool:
    return path.name.endswith(SUFFIXES)


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Scenario files under ``paths``: files given by name are always taken; directories
    are searched for ``*.scenarios.yaml`` (hidden and build directories skipped)."""
    found: set[Path] = set()
    for given in path_list(paths):
        path = Path(given)
        if path.is_file():
            found.add(path)
        elif path.is_dir():
            found.update(_walk_dir(path))
    return sorted(found)


def _walk_dir(directory: Path) -> Iterator[Path]:
    for entry in sorted(directory.iterdir()):
        if entry.is_dir():
            if (
                entry.name in _SKIP_DIRS
                or entry.name.startswith(".")
                or entry.name.endswith(".egg-info")
            ):
                continue
            yield from _walk_dir(entry)
        elif is_scenario_file(entry):
            yield entry


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioCase:
    """One scenario under one pack: the unit that passes or fails."""

    file: str
    line: int
    index: int
    name: str
    pack_ref: str
    parameters: Mapping[str, Any]
    scenario: Scenario
    events: EventStream  # background then the scenario's own, parsed; rejections located
    positions: Positions = field(repr=False)
    # The records as written, each with its place in the file: parsed again with the
    # vocabulary of a pack that declares its own event types (events above: the core's).
    records: tuple[tuple[Mapping[str, Any], tuple[str | int, ...]], ...] = field(
        default=(), repr=False
    )

    def events_for(self, vocabulary: Vocabulary) -> EventStream:
        """The case's events read with ``vocabulary`` (a pack's core and declared types)."""
        if vocabulary is CORE or not self.records:
            return self.events
        return _parse_located(self.records, self.positions, vocabulary)

    @property
    def title(self) -> str:
        return f"{self.name} [{self.pack_ref}]"


def load_scenario_file(path: str | Path) -> list[ScenarioCase]:
    """The cases of one scenario file; raises ScenarioFileError with located diagnostics."""
    path = Path(path)
    try:
        data, positions = read_yaml_file(path)
    except PackError as exc:
        raise ScenarioFileError(exc.diagnostics) from exc
    if not isinstance(data, dict):
        raise ScenarioFileError(
            [Diagnostic(str(path), 1, 1, "a scenario file is a mapping with 'scenarios: [...]'")]
        )
    try:
        spec = ScenarioFile.model_validate(data, context=DOCUMENT)
    except ValidationError as exc:
        raise ScenarioFileError(diagnostics_from(exc, data, positions, ScenarioFile)) from exc
    background = _located_events(spec.background, ("background",), positions)
    cases = []
    for i, scenario in enumerate(spec.scenarios):
        refs = scenario.packs or ([scenario.pack] if scenario.pack else None)
        refs = refs or spec.packs or ([spec.pack] if spec.pack else [])
        parameters = {**(spec.parameters or {}), **(scenario.parameters or {})}
        own = _located_events(scenario.events, ("scenarios", i, "events"), positions)
        events = EventStream(
            background.events + own.events, background.rejected + own.rejected, str(path)
        )
        records = tuple(
            (record, ("background", j)) for j, record in enumerate(spec.background)
        ) + tuple(
            (record, ("scenarios", i, "events", j)) for j, record in enumerate(scenario.events)
        )
        line, _col = positions.locate(("scenarios", i))
        for ref in refs:
            cases.append(
                ScenarioCase(
                    str(path),
                    line,
                    i,
                    scenario.name,
                    ref,
                    parameters,
                    scenario,
                    events,
                    positions,
                    records,
                )
            )
    return cases


def _located_events(
    records: Sequence[Mapping[str, Any]], prefix: tuple[str | int, ...], positions: Positions
) -> EventStream:
    located = [(record, (*prefix, i)) for i, record in enumerate(records)]
    return _parse_located(located, positions, None)


def _parse_located(
    located: Iterable[tuple[Mapping[str, Any], tuple[str | int, ...]]],
    positions: Positions,
    vocabulary: Vocabulary | None,
) -> EventStream:
    events: list[BaseEvent] = []
    rejected: list[Rejection] = []
    for record, place in located:
        parsed = parse_events([record], vocabulary=vocabulary)
        events.extend(parsed.events)
        line, _col = positions.locate(place)
        rejected.extend(
            Rejection(f"{positions.file}:{line}", r.event_id, r.reason) for r in parsed.rejected
        )
    return EventStream(tuple(events), tuple(rejected), positions.file)


# --- running ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioOutcome:
    file: str
    line: int
    name: str
    pack: str
    failures: tuple[str, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        return not self.failures

    def report(self) -> str:
        """The failure text: where, which scenario, and each difference."""
        head = f"{self.file}:{self.line}: scenario {self.name!r} under {self.pack}"
        return "\n".join([head, *("  " + f.replace("\n", "\n  ") for f in self.failures)])


class PackCache:
    """Packs loaded once per (reference, parameter overrides) for a whole run."""

    def __init__(self) -> None:
        self._packs: dict[tuple[str, str], CompiledPack | SafeguardRulesError] = {}

    def get(
        self, ref: str, scenario_file: str, parameters: Mapping[str, Any]
    ) -> CompiledPack | SafeguardRulesError:
        target = _pack_target(ref, scenario_file)
        key = (str(target), json.dumps(parameters, sort_keys=True, default=str))
        if key not in self._packs:
            try:
                self._packs[key] = load_pack(target, parameters=parameters or None)
            except SafeguardRulesError as exc:
                self._packs[key] = exc
        return self._packs[key]


def _pack_target(ref: str, scenario_file: str) -> str | Path:
    if ref.endswith((".yaml", ".yml")) or "/" in ref:
        return Path(scenario_file).parent / ref
    return ref


def run_case(
    case: ScenarioCase, packs: PackCache
) -> tuple[ScenarioOutcome, CompiledPack | None, Exercised]:
    """Evaluate one case and compare it with what the scenario expects."""
    loaded = packs.get(case.pack_ref, case.file, case.parameters)
    if not isinstance(loaded, CompiledPack):
        detail = str(loaded)
        if isinstance(loaded, PackError):
            detail = "\n".join(str(d) for d in loaded.diagnostics)
        failure = f"pack {case.pack_ref!r} does not load:\n{detail}"
        return (
            ScenarioOutcome(case.file, case.line, case.name, case.pack_ref, (failure,)),
            None,
            set(),
        )
    tz = loaded.calendar.tz
    as_of = _instant(parse_when(case.scenario.as_of), tz)
    result, exercised = evaluate_exercising(loaded, case.events_for(loaded.vocabulary), as_of)
    rule_ids = [compiled.rule.id for compiled in loaded.rules]
    failures = _Comparison(case, result, tz, exercised, rule_ids).failures()
    label = loaded.id if case.pack_ref == loaded.id else f"{loaded.id} ({case.pack_ref})"
    return (
        ScenarioOutcome(case.file, case.line, case.name, label, tuple(failures)),
        loaded,
        exercised,
    )


def _instant(value: date | datetime, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(23, 59, 59, 999999), tzinfo=tz)


Item = Obligation | Finding | Undetermined


class _Comparison:
    def __init__(
        self,
        case: ScenarioCase,
        result: Evaluation,
        tz: ZoneInfo,
        exercised: Exercised,
        rule_ids: Sequence[str],
    ) -> None:
        self.case = case
        self.rule_ids = rule_ids
        self.result = result
        self.tz = tz
        self.exercised = exercised
        self.expect = case.scenario.expect
        self.at = ("scenarios", case.index, "expect")

    def line(self, *path: str | int) -> int:
        return self.case.positions.locate((*self.at, *path))[0]

    def failures(self) -> list[str]:
        out: list[str] = []
        out.extend(self._rejections())
        claimed: set[int] = set()
        for j, wanted in enumerate(self.expect.obligations):
            out.extend(self._expected("obligation", wanted, self.result.obligations, j, claimed))
        claimed_f: set[int] = set()
        for j, wanted_f in enumerate(self.expect.findings):
            out.extend(self._expected("finding", wanted_f, self.result.findings, j, claimed_f))
        claimed_u: set[int] = set()
        undetermined = self.result.undetermined
        for j, wanted_u in enumerate(self.expect.undetermined):
            out.extend(self._expected("undetermined", wanted_u, undetermined, j, claimed_u))
        if self.expect.absent is not None:
            for j, pattern in enumerate(self.expect.absent.obligations):
                out.extend(self._absent("obligation", pattern, self.result.obligations, j))
            for j, pattern_f in enumerate(self.expect.absent.findings):
                out.extend(self._absent("finding", pattern_f, self.result.findings, j))
            for j, pattern_u in enumerate(self.expect.absent.undetermined):
                out.extend(self._absent("undetermined", pattern_u, undetermined, j))
        if self.expect.nothing_else:
            out.extend(
                f"unexpected obligation {_describe(o)} (nothing_else is set)"
                for k, o in enumerate(self.result.obligations)
                if k not in claimed
            )
            out.extend(
                f"unexpected finding {_describe(f)} (nothing_else is set)"
                for k, f in enumerate(self.result.findings)
                if k not in claimed_f
            )
            out.extend(
                f"unexpected undetermined check {_describe(u)} (nothing_else is set)"
                for k, u in enumerate(undetermined)
                if k not in claimed_u
            )
        return out

    def _rejections(self) -> list[str]:
        rejected = self.result.account.rejected
        if len(rejected) == self.expect.rejected:
            return []
        lines = [
            f"expected {self.expect.rejected} rejected event(s), got {len(rejected)}"
            + (":" if rejected else "")
        ]
        lines.extend(f"  rejected {r}" for r in rejected)
        return ["\n".join(lines)]

    def _expected(
        self,
        kind: Literal["obligation", "finding", "undetermined"],
        wanted: ExpectedObligation | ExpectedFinding | ExpectedUndetermined,
        actual: Sequence[Item],
        j: int,
        claimed: set[int],
    ) -> list[str]:
        given = wanted.given()
        hits = [k for k, item in enumerate(actual) if self._matches(item, given)]
        claimed.update(hits)
        where = f"line {self.line(_key(kind), j)}"
        if wanted.count is not None and len(hits) != wanted.count:
            found = "".join(f"\n  {_describe(actual[k])}" for k in hits)
            near = "" if hits else "\n" + self._near(kind, given, actual)
            return [
                f"expected {wanted.count} {kind}(s) {_pattern(given)} ({where}), "
                f"got {len(hits)}{':' if hits else ''}{found}{near}"
            ]
        if wanted.count is None and not hits:
            return [
                f"expected {kind} {_pattern(given)} ({where}), found none\n"
                + self._near(kind, given, actual)
            ]
        return []

    def _absent(
        self,
        kind: Literal["obligation", "finding", "undetermined"],
        pattern: ObligationPattern | FindingPattern | UndeterminedPattern,
        actual: Sequence[Item],
        j: int,
    ) -> list[str]:
        given = pattern.given()
        where = f"line {self.line('absent', _key(kind), j)}"
        rule = given.get("rule")
        if rule is not None and rule not in self.rule_ids:
            # A misspelt rule would make the absence hold vacuously: say so instead.
            return [
                f"absent {kind} {_pattern(given)} ({where}) names no rule of the pack"
                f"{did_you_mean(rule, self.rule_ids)}"
            ]
        hits = [item for item in actual if self._matches(item, given)]
        if not hits:
            return []
        found = "\n".join(f"  {_describe(item)}" for item in hits)
        return [f"expected no {kind} {_pattern(given)} ({where}), but found:\n{found}"]

    def _matches(self, item: Item, given: Mapping[str, Any]) -> bool:
        return all(self._same(item, key, value) for key, value in given.items())

    def _same(self, item: Item, key: str, wanted: Any) -> bool:
        if key == "message_contains":
            return isinstance(item, Finding) and str(wanted) in item.message
        if not hasattr(item, key):
            return False
        actual = getattr(item, key)
        if key == "due":
            return self._same_due(actual, wanted)
        if key == "escalation":
            return bool((actual.action if actual is not None else None) == wanted)
        if isinstance(actual, tuple):
            return bool(list(actual) == wanted)
        return bool(actual == wanted)

    def _same_due(self, actual: datetime | None, wanted: str | None) -> bool:
        if wanted is None or actual is None:
            return wanted is None and actual is None
        return _instant(parse_when(wanted), self.tz) == actual

    def _near(self, kind: str, given: Mapping[str, Any], actual: Sequence[Item]) -> str:
        """The closest items produced, with how each differs; or what did not fire."""
        rule = given.get("rule")
        pool = [item for item in actual if rule is None or item.rule == rule]
        if rule is not None and rule not in self.rule_ids:
            return (
                f"  the pack has no rule {rule!r}{did_you_mean(rule, self.rule_ids)}; "
                f"its rules are: {known_list(self.rule_ids, 40)}"
            )
        if not pool:
            if rule is not None and ("rule", rule) not in self.exercised:
                fired = sorted(hit[1] for hit in self.exercised if hit[0] == "rule")
                return f"  rule {rule} did not fire; rules that did: {', '.join(fired) or 'none'}"
            if rule is not None:
                routes = sorted(hit[2] for hit in self.exercised if hit[:2] == ("route", rule))
                taken = f", taking route {', '.join(routes)}" if routes else ""
                return f"  rule {rule} fired{taken} but produced no {kind}"
            return f"  no {kind} was produced"
        scored = sorted(
            pool, key=lambda item: -sum(self._same(item, k, v) for k, v in given.items())
        )
        lines = []
        for item in scored[:2]:
            lines.append(f"  closest: {_describe(item)}")
            for key, value in given.items():
                if not self._same(item, key, value):
                    lines.append(
                        f"    {key}: expected {_show(key, value)}, got {_actual(item, key)}"
                    )
        return "\n".join(lines)


def _show(key: str, value: Any) -> str:
    if key == "due" and isinstance(value, str) and not isinstance(parse_when(value), datetime):
        return f"end of {value}"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "null" if value is None else str(value)


def _actual(item: Item, key: str) -> str:
    if key == "message_contains":
        return repr(item.message) if isinstance(item, Finding) else "-"
    value = getattr(item, key, None)
    if isinstance(value, datetime):
        basis = f" ({item.due_basis})" if isinstance(item, Obligation) and key == "due" else ""
        return f"{iso(value)}{basis}"
    if key == "escalation":
        return value.action if value is not None else "null"
    if key == "status" and isinstance(item, Obligation) and (item.met_by or item.cancelled_by):
        by = item.met_by or item.cancelled_by
        return f"{value} (by {by})"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "null" if value is None else str(value)


def _pattern(given: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={_show(k, v)}" for k, v in given.items()) or "(any)"


def _key(kind: str) -> str:
    """The key of ``expect`` that lists expected items of ``kind``."""
    return kind if kind == "undetermined" else kind + "s"


def _describe(item: Item) -> str:
    if isinstance(item, Obligation):
        due = iso(item.due) if item.due else "no deadline"
        return (
            f"{item.id}: {item.action} by {item.responsible}, due {due}, status {item.status}"
            + (f" (route {item.route})" if item.route else "")
            + (f" (missing {', '.join(item.missing)})" if item.missing else "")
        )
    if isinstance(item, Undetermined):
        return f"{item.rule} check on {item.event} cannot be evaluated: {item.reason}"
    target = item.event or item.obligation or "-"
    return f"{item.rule} {item.kind} finding on {target}: {item.message}"


# --- coverage --------------------------------------------------------------------------

CoverageKind = Literal["rule", "route", "case", "finding"]


@dataclass(frozen=True, order=True)
class CoverageItem:
    """Something a pack can do that a scenario should exercise."""

    rule: str
    kind: CoverageKind
    detail: str = ""  # route name, or "route/case label" for deadline cases

    def key(self) -> tuple[str, ...]:
        if self.kind == "route":
            return ("route", self.rule, self.detail)
        if self.kind == "case":
            route, _sep, label = self.detail.partition("/")
            return ("case", self.rule, route, label)
        return (self.kind, self.rule)

    def describe(self) -> str:
        if self.kind == "rule":
            return f"rule {self.rule} never fired"
        if self.kind == "route":
            return f"route {self.detail!r} of rule {self.rule} never taken"
        if self.kind == "case":
            route, _sep, label = self.detail.partition("/")
            on = f" (route {route})" if route else ""
            return f"deadline case {label!r} of rule {self.rule}{on} never decided a deadline"
        return f"check {self.rule} never produced its finding"


def coverage_items(pack: CompiledPack) -> tuple[CoverageItem, ...]:
    """Every rule; every named route; every deadline-table case; every check's finding."""
    items: list[CoverageItem] = []
    for compiled in pack.rules:
        rule_id = compiled.rule.id
        items.append(CoverageItem(rule_id, "rule"))
        if compiled.expect is not None:
            items.append(CoverageItem(rule_id, "finding"))
        for route in compiled.routes:
            if route.name is not None:
                items.append(CoverageItem(rule_id, "route", route.name))
            due = route.requirement.due if route.requirement is not None else None
            if due is not None and len(due.cases) > 1:
                items.extend(
                    CoverageItem(rule_id, "case", f"{route.name or ''}/{case.label}")
                    for case in due.cases
                )
    return tuple(items)


@dataclass(frozen=True, slots=True)
class CoverageCount:
    """How many items of one kind the scenarios exercised, of how many."""

    covered: int
    total: int


@dataclass(frozen=True, slots=True)
class CoverageByKind:
    """Coverage counted by kind of item: rules, routes, deadline cases, findings."""

    rule: CoverageCount
    route: CoverageCount
    case: CoverageCount
    finding: CoverageCount


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """An item no scenario exercised, with a sentence saying so."""

    rule: str
    kind: CoverageKind
    detail: str
    text: str


@dataclass(frozen=True)
class PackCoverage:
    """What a pack's scenarios exercised (rule coverage) and how much of its sources the
    pack accounts for (source coverage: imposing sentences quoted or not_encoded). In
    JSON: the counts (overall and by kind), the percentage to two places, each item not
    covered, and the source coverage."""

    pack: str
    file: str
    items: Annotated[tuple[CoverageItem, ...], Field(exclude=True)]
    covered: Annotated[frozenset[CoverageItem], Field(exclude=True)]
    sources: Annotated[SourceCoverage | None, Field(exclude=True)] = None

    @property
    def percent(self) -> float:
        return 100.0 * len(self.covered) / len(self.items) if self.items else 100.0

    @property
    def uncovered(self) -> tuple[CoverageItem, ...]:
        return tuple(item for item in self.items if item not in self.covered)

    def uncovered_summary(self) -> tuple[CoverageItem, ...]:
        """What is not covered, without the routes, cases and findings of rules that never
        fired at all (the rule says it)."""
        silent = {item.rule for item in self.uncovered if item.kind == "rule"}
        return tuple(i for i in self.uncovered if i.kind == "rule" or i.rule not in silent)

    def counts(self, kind: CoverageKind) -> tuple[int, int]:
        of_kind = [item for item in self.items if item.kind == kind]
        return sum(item in self.covered for item in of_kind), len(of_kind)

    @computed_field(alias="percent")  # type: ignore[prop-decorator]
    @property
    def percent_rounded(self) -> float:
        return round(self.percent, 2)

    @computed_field(alias="covered")  # type: ignore[prop-decorator]
    @property
    def covered_count(self) -> int:
        return len(self.covered)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> int:
        return len(self.items)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def by_kind(self) -> CoverageByKind:
        return CoverageByKind(
            *(CoverageCount(*self.counts(k)) for k in ("rule", "route", "case", "finding"))
        )

    @computed_field(alias="uncovered")  # type: ignore[prop-decorator]
    @property
    def not_covered(self) -> tuple[CoverageGap, ...]:
        return tuple(CoverageGap(i.rule, i.kind, i.detail, i.describe()) for i in self.uncovered)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def source_coverage(self) -> SourceCoverageSummary | None:
        return None if self.sources is None else _source_summary(self.sources)


@dataclass(frozen=True, slots=True)
class UnaccountedSentence:
    """An imposing sentence of a source that nothing in the pack quotes, and where it is."""

    source: str
    line: int
    column: int
    text: str


@dataclass(frozen=True, slots=True)
class SourceCoverageSummary:
    """How much of its sources a pack accounts for, and the sentences it does not."""

    percent: float
    accounted: int
    total: int
    unaccounted: tuple[UnaccountedSentence, ...]
    unreadable: tuple[str, ...]


def _source_summary(coverage: SourceCoverage) -> SourceCoverageSummary:
    accounted, total = coverage.counts()
    return SourceCoverageSummary(
        round(coverage.percent, 2),
        accounted,
        total,
        tuple(
            UnaccountedSentence(s.source, s.sentence.line, s.sentence.column, s.sentence.text)
            for s in coverage.unaccounted
        ),
        coverage.unreadable,
    )


def pack_source_coverage(pack: CompiledPack) -> SourceCoverage:
    """Source coverage of a compiled pack, its sources read from beside its file."""

    def read(source_id: str) -> str:
        path = pack.source_file(source_id)
        if path is None:
            raise FileReadError("unreadable", "no file")
        return read_text(path, DEFAULT_LIMITS.max_source_bytes)

    return source_coverage(pack.pack, read, FileReadError)


# --- a whole run -----------------------------------------------------------------------

SCENARIO_RUN_FORMAT: Final = "safeguard-rules/scenario-run/1"


@dataclass(frozen=True, slots=True)
class ScenarioRunSummary:
    """The counts of a scenario run: scenarios, passed, failed, files that did not load."""

    scenarios: int
    passed: int
    failed: int
    file_errors: int


@dataclass(frozen=True)
class TestRun:
    """Every scenario outcome, the files that could not be read, and coverage per pack."""

    __test__ = False  # not a pytest test class, whatever its name

    files: tuple[str, ...]
    outcomes: Annotated[tuple[ScenarioOutcome, ...], Field(serialization_alias="scenarios")]
    errors: tuple[Diagnostic, ...]
    coverage: tuple[PackCoverage, ...]

    @property
    def passed(self) -> bool:
        return bool(self.outcomes) and not self.errors and all(o.passed for o in self.outcomes)

    @property
    def failed(self) -> tuple[ScenarioOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.passed)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def format(self) -> Literal["safeguard-rules/scenario-run/1"]:
        """The JSON document's format and its version (docs/output.md)."""
        return SCENARIO_RUN_FORMAT

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> ScenarioRunSummary:
        passed = sum(o.passed for o in self.outcomes)
        return ScenarioRunSummary(len(self.outcomes), passed, len(self.failed), len(self.errors))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as plain data."""
        return _wire.data(self)  # type: ignore[no-any-return]

    def to_json(self) -> str:
        """The JSON document (indented, keys sorted, a final newline)."""
        return _wire.document(self)


def run_scenarios(paths: Iterable[str | Path], *, select: str | None = None) -> TestRun:
    """Discover and run every scenario under ``paths``; ``select`` keeps names containing it."""
    files = discover(paths)
    packs = PackCache()
    outcomes: list[ScenarioOutcome] = []
    errors: list[Diagnostic] = []
    exercised: dict[str, tuple[CompiledPack, Exercised]] = {}  # by pack file
    for path in files:
        try:
            cases = load_scenario_file(path)
        except ScenarioFileError as exc:
            errors.extend(exc.diagnostics)
            continue
        for case in cases:
            if select is not None and select.lower() not in case.name.lower():
                continue
            outcome, pack, hits = run_case(case, packs)
            outcomes.append(outcome)
            if pack is not None:
                exercised.setdefault(pack.file, (pack, set()))[1].update(hits)
    coverage = []
    for _file, (pack, hits) in sorted(exercised.items()):
        items = coverage_items(pack)
        covered = frozenset(item for item in items if item.key() in hits)
        sources = pack_source_coverage(pack)
        coverage.append(PackCoverage(pack.id, pack.file, items, covered, sources))
    return TestRun(tuple(str(f) for f in files), tuple(outcomes), tuple(errors), tuple(coverage))
