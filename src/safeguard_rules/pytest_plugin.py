"""A pytest plugin: scenario files (``*.scenarios.yaml``) become pytest tests.

Opt-in: it loads only where asked, with ``pytest -p safeguard_rules.pytest_plugin`` or in
the project's pytest configuration (``addopts = "-p safeguard_rules.pytest_plugin"``), so
installing the package changes no other project's test runs. Each scenario under each pack
it names is one test item, reported as ``file::scenario name [pack]``, and a failure prints
the same readable difference as ``safeguard-rules test``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._scenario import (
    PackCache,
    ScenarioCase,
    ScenarioFileError,
    ScenarioOutcome,
    is_scenario_file,
    load_scenario_file,
    run_case,
)

_PACKS = pytest.StashKey[PackCache]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_PACKS] = PackCache()  # packs are compiled once per session


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if is_scenario_file(file_path):
        collector: pytest.Collector = ScenarioFileCollector.from_parent(parent, path=file_path)
        return collector
    return None


class ScenarioFileCollector(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            cases = load_scenario_file(self.path)
        except ScenarioFileError as exc:
            raise self.CollectError("\n".join(str(d) for d in exc.diagnostics)) from exc
        for case in cases:
            yield ScenarioItem.from_parent(self, name=case.title, case=case)


class ScenarioFailedError(Exception):
    def __init__(self, outcome: ScenarioOutcome) -> None:
        super().__init__(outcome.report())
        self.outcome = outcome


class ScenarioItem(pytest.Item):
    def __init__(self, *, case: ScenarioCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        outcome, _pack, _exercised = run_case(self.case, self.config.stash[_PACKS])
        if not outcome.passed:
            raise ScenarioFailedError(outcome)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, ScenarioFailedError):
            return excinfo.value.outcome.report()
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.line - 1, f"scenario: {self.case.title}"
