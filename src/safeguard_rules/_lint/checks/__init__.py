"""The lint checks, one module each, in the order docs/lint.md lists them.

To add a check: write a module here whose docstring documents it (what it finds, then
``Passes:`` and ``Fails:`` examples), define ``CHECK = LintCheck(id, level, summary,
__doc__, run)``, list it below, and regenerate docs/lint.md (``python
tests/lint_docgen.py``); the tests run its examples.
"""

from __future__ import annotations

from .._check import LintCheck
from . import (
    escalation_loop,
    gb_without_subdivision,
    missing_citation,
    overlapping_effective_dates,
    quote_not_in_source,
    role_undefined,
    role_unused,
    same_sentence_different_meaning,
    source_file_missing,
    source_sentence_unaccounted,
    unreachable_case,
)

CHECKS: dict[str, LintCheck] = {
    module.CHECK.id: module.CHECK
    for module in (
        missing_citation,
        source_file_missing,
        quote_not_in_source,
        role_unused,
        role_undefined,
        unreachable_case,
        overlapping_effective_dates,
        escalation_loop,
        same_sentence_different_meaning,
        source_sentence_unaccounted,
        gb_without_subdivision,
    )
}

__all__ = ["CHECKS"]
