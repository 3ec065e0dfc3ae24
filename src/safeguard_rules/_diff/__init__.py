"""Semantic diff of two compiled packs, and of what they make of the same events.

``diff_packs(old, new)`` compares the pack models (plus the effective parameter
values) section by section and says each difference in words a policy author reads:
``responsible: team_manager (Team Manager) -> senior_practitioner (Senior Practitioner)``.
Rules are matched by id; leftover removed and added rules that share enough (the trigger
event and the required action, the cited sentence, ...) are paired as one rule renamed,
and the diff says so and why. ``diff_evaluations`` compares two evaluations of one event
stream. Both return frozen records with ``to_dict`` (stable JSON); ``render_diff`` shows
them as text, Markdown or JSON. None of the output depends on the machine.

One concern per module, in the order data flows:

* ``_match``     when two values are the same; renamed rules paired; results paired
* ``_describe``  two packs compared section by section, each difference in words
* ``_outcomes``  two evaluations of one stream compared
* ``_model``     the records of what differs, and their JSON form
* ``_render``    text, Markdown and JSON, chosen by name

The words for conditions, deadlines and counts are the shared ones of ``_wording``.
"""

from __future__ import annotations

from ._describe import diff_packs
from ._model import (
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
)
from ._outcomes import diff_evaluations
from ._render import FORMATS, change_text, render_diff

# What safeguard_rules.diff makes public (it re-exports this list).
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
