"""Two packs compared in words, and their evaluations of one stream (public).

:func:`diff_packs` and :func:`diff_evaluations` (also importable from
``safeguard_rules``) return a :class:`PackDiff` or an :class:`EvaluationDiff`; the other
types here are their parts. ``docs/diff.md`` shows the output.
"""

from __future__ import annotations

from ._diff import (
    FORMATS,
    Change,
    DiffCitation,
    EvaluationDiff,
    FindingDiffs,
    Item,
    ItemChange,
    ObligationChange,
    ObligationDiffs,
    PackDiff,
    PackSide,
    RuleChange,
    RuleDiffs,
    RuleSummary,
    Section,
    change_text,
    diff_evaluations,
    diff_packs,
    render_diff,
)

__all__ = [
    "FORMATS",
    "Change",
    "DiffCitation",
    "EvaluationDiff",
    "FindingDiffs",
    "Item",
    "ItemChange",
    "ObligationChange",
    "ObligationDiffs",
    "PackDiff",
    "PackSide",
    "RuleChange",
    "RuleDiffs",
    "RuleSummary",
    "Section",
    "change_text",
    "diff_evaluations",
    "diff_packs",
    "render_diff",
]
