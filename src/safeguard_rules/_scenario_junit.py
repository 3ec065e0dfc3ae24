"""A scenario run as JUnit XML, the test-report format CI systems read.

One ``testsuite`` per scenario file, one ``testcase`` per scenario under each pack it
names (``classname`` the file, ``name`` the scenario and pack), a ``failure`` holding the
same text as the terminal report. A file that cannot be read is a suite with one
``error``. When coverage thresholds are given, a ``coverage`` suite has one case per
pack and threshold. No times or host names are written, so the same run gives the same
bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ._scenario import PackCoverage, ScenarioOutcome, TestRun

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    """Text XML 1.0 can hold: characters it forbids become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


@dataclass(frozen=True)
class Thresholds:
    """The coverage a run must reach: rule coverage and source coverage, in percent."""

    coverage: float | None = None
    source_coverage: float | None = None

    def failures(self, coverage: PackCoverage) -> list[str]:
        """What of ``coverage`` falls short, in words (empty when nothing does)."""
        out = []
        if self.coverage is not None and coverage.percent + 1e-9 < self.coverage:
            out.append(
                f"{coverage.pack} coverage {coverage.percent:.1f}% is below --min-coverage "
                f"{self.coverage:g}%"
            )
        sources = coverage.sources
        wanted = self.source_coverage
        if wanted is not None and sources is not None:
            accounted, total = sources.counts()
            if sources.unreadable:
                out.append(
                    f"{coverage.pack} source coverage cannot be counted: "
                    f"{', '.join(sources.unreadable)} not read (lint says why)"
                )
            elif sources.percent + 1e-9 < wanted:
                out.append(
                    f"{coverage.pack} source coverage {sources.percent:.1f}% ({accounted}/{total}) "
                    f"is below --min-source-coverage {wanted:g}%"
                )
        return out


def render_junit(run: TestRun, thresholds: Thresholds | None = None) -> str:
    """The run as a JUnit XML document (UTF-8 declaration, indented, ending in a newline)."""
    suites = ET.Element("testsuites", name="safeguard-rules test")
    by_file: dict[str, list[ScenarioOutcome]] = defaultdict(list)
    for outcome in run.outcomes:
        by_file[outcome.file].append(outcome)
    errors_by_file = defaultdict(list)
    for diagnostic in run.errors:
        errors_by_file[diagnostic.file].append(diagnostic)
    for file in sorted(set(by_file) | set(errors_by_file)):
        suite = ET.SubElement(suites, "testsuite", name=file)
        classname = Path(file).name
        for outcome in by_file.get(file, []):
            case = ET.SubElement(
                suite,
                "testcase",
                classname=classname,
                name=_clean(f"{outcome.name} [{outcome.pack}]"),
                file=file,
                line=str(outcome.line),
            )
            if not outcome.passed:
                failure = ET.SubElement(
                    case, "failure", type="scenario", message=_clean(outcome.failures[0])
                )
                failure.text = _clean(outcome.report())
        for diagnostic in errors_by_file.get(file, []):
            case = ET.SubElement(
                suite,
                "testcase",
                classname=classname,
                name=f"read {Path(file).name}",
                file=file,
                line=str(diagnostic.line),
            )
            error = ET.SubElement(
                case, "error", type=diagnostic.code, message=_clean(diagnostic.message)
            )
            error.text = _clean(str(diagnostic))
    thresholds = thresholds or Thresholds()
    if run.coverage and (thresholds.coverage is not None or thresholds.source_coverage is not None):
        suite = ET.SubElement(suites, "testsuite", name="coverage")
        for coverage in run.coverage:
            for kind, threshold in (
                ("coverage", thresholds.coverage),
                ("source coverage", thresholds.source_coverage),
            ):
                if threshold is None:
                    continue
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname="coverage",
                    name=f"{coverage.pack} {kind} at least {threshold:g}%",
                    file=coverage.file,
                )
                one = Thresholds(**{kind.replace(" ", "_"): threshold})
                failed = one.failures(coverage)
                if failed:
                    failure = ET.SubElement(case, "failure", type=kind, message=failed[0])
                    failure.text = _clean("\n".join(_missing(coverage, kind)))
    _add_counts(suites)
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _add_counts(suites: ET.Element) -> None:
    """``tests``, ``failures`` and ``errors`` on each suite and on the whole, as JUnit
    readers expect them (placed after the name, before the cases)."""
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in suites:
        counts = {
            "tests": len(suite.findall("testcase")),
            "failures": len(suite.findall("testcase/failure")),
            "errors": len(suite.findall("testcase/error")),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        suites.set(key, str(value))


def _missing(coverage: PackCoverage, kind: str) -> list[str]:
    if kind == "coverage":
        return [f"not covered: {item.describe()}" for item in coverage.uncovered_summary()]
    sources = coverage.sources
    return [
        f"not accounted for: source {s.source} line {s.sentence.line}: {s.sentence.text}"
        for s in (sources.unaccounted if sources else ())
    ]
