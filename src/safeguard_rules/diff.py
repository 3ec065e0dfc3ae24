"""Two packs compared in words, and their evaluations of one stream (public).

:func:`diff_packs` and :func:`diff_evaluations` (also importable from
``safeguard_rules``) return a :class:`PackDiff` or an :class:`EvaluationDiff`; the other
types here are their parts. ``docs/diff.md`` shows the output.
"""

from __future__ import annotations

# The public names are the package's own list: one list, kept where the types are.
from ._diff import *  # noqa: F403
from ._diff import __all__ as __all__
