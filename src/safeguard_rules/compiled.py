"""What a compiled pack is made of (public, provisional).

``CompiledPack.rules``, ``rules_by_event`` and ``calendar`` hand these out: frozen
dataclasses holding the compiled conditions (opaque callables) and the working-day
calendar. They are for tools that inspect a compiled pack; their fields may change in a
minor release (docs/api.md, stability), unlike the rest of the public API.
"""

from __future__ import annotations

from ._calendar import CalendarError, Deadline, DeadlineStep, WorkingCalendar
from ._compile import (
    CompiledAnchor,
    CompiledClosing,
    CompiledCount,
    CompiledDue,
    CompiledMatch,
    CompiledRequirement,
    CompiledRoute,
    CompiledRule,
)
from ._compile import DueCase as CompiledDueCase

__all__ = [
    "CalendarError",
    "CompiledAnchor",
    "CompiledClosing",
    "CompiledCount",
    "CompiledDue",
    "CompiledDueCase",
    "CompiledMatch",
    "CompiledRequirement",
    "CompiledRoute",
    "CompiledRule",
    "Deadline",
    "DeadlineStep",
    "WorkingCalendar",
]
