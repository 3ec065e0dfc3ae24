"""Validating and linting packs: does each pack load, and is what it says sound?

``validate_packs`` reports what stops a pack loading (YAML syntax, the pack format, unknown
names). ``lint_packs`` reports the same and then runs every check in :data:`CHECKS` over
each pack's model, pointing each finding at a line and column of the pack file.

One concern per module:

* ``_check``   what a check is (id, level, summary, documentation, run) and what it sees
* ``checks/``  one module per check; its docstring documents it with a passing and a
  failing example (docs/lint.md is generated from them: ``python tests/lint_docgen.py``)
* ``_walk``    every requirement, table, citation and condition of a pack, located
* ``_text``    how quotes are compared with captured sources
* ``_run``     which files and checks; the report
* ``_report``  reporters chosen by name: text, JSON, GitHub annotations, SARIF

Two checks, ``role-undefined`` and ``gb-without-subdivision``, are enforced by the
compiler (a pack that breaks them does not load): they are listed for their
documentation and cannot be disabled.
"""

from __future__ import annotations

from ._check import LintCheck, LintedPack
from ._report import (
    REPORTERS,
    render_github,
    render_report,
    render_sarif,
    render_summary,
    render_text,
)
from ._run import (
    BUNDLED,
    LintReport,
    PackSummary,
    checks_to_run,
    lint_packs,
    pack_files,
    validate_packs,
)
from ._text import normalise_quote
from .checks import CHECKS

__all__ = [
    "BUNDLED",
    "CHECKS",
    "REPORTERS",
    "LintCheck",
    "LintReport",
    "LintedPack",
    "PackSummary",
    "checks_to_run",
    "lint_packs",
    "normalise_quote",
    "pack_files",
    "render_github",
    "render_report",
    "render_sarif",
    "render_summary",
    "render_text",
    "validate_packs",
]
