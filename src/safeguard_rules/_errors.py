"""Problems and errors: the one located problem type (:class:`Diagnostic`), the codes
problems carry, and the errors by phase, each carrying the diagnostics that locate it.

A diagnostic's code is public (JSON output, ``--disable``, annotation titles), so it is
declared once, beside the check that reports it, with :func:`declare`; it is never
worked out from a message's wording. :data:`LOAD_CODES` lists every code a pack can
fail to load with (docs/pack-format.md shows the table).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

#: The most characters of a value from the input quoted back in a message (docs/limits.md).
SHOWN_CHARS = 80

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class ProblemCode:
    """A declared diagnostic code and what it means."""

    id: str
    summary: str


LOAD_CODES: dict[str, ProblemCode] = {}


def declare(code: str, summary: str) -> str:
    """Declare a load-time diagnostic code where its check is; returns the code.

    Declaring one code twice with different summaries is a programming error.
    """
    known = LOAD_CODES.get(code)
    if known is not None and known.summary != summary:
        raise ValueError(f"diagnostic code {code!r} is declared twice, differently")
    LOAD_CODES[code] = ProblemCode(code, summary)
    return code


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place: ``file:line:column: level code: message``."""

    file: str
    line: int
    column: int
    message: str
    level: Level = "error"
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.level} {self.code}: {self.message}"


class SafeguardRulesError(Exception):
    """Base of every error this library raises on purpose."""


class PackError(SafeguardRulesError):
    """A policy pack could not be loaded; ``diagnostics`` says where and why."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class PackSyntaxError(PackError):
    """The pack file is not acceptable YAML (syntax, tags, duplicate keys, size)."""


class PackValidationError(PackError):
    """The pack is YAML but not a valid pack (unknown key, wrong type, unknown name)."""


class PackNotFoundError(SafeguardRulesError):
    """No bundled or installed pack has that name and no file has that path."""


class UnknownCheckError(SafeguardRulesError, ValueError):
    """A lint check id that is not a check (or names one that cannot be turned off)."""


class ArgumentError(SafeguardRulesError, ValueError):
    """A function was given an argument it cannot use: a time without a UTC offset, a
    date-time where a day is meant, a limit below 1, a record (a dict) where an event is
    meant."""


class UnknownIdError(SafeguardRulesError, KeyError):
    """An id that names nothing here: a rule, source or obligation of another pack."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


class InvalidAsOfError(ArgumentError):
    """``as_of`` is not a datetime with a UTC offset, or lies outside the years events
    may have (docs/limits.md)."""


class UnknownObligationError(UnknownIdError):
    """No such obligation: not in this evaluation, or not made by the pack given to
    ``explain``."""


class EventValidationError(SafeguardRulesError, ValueError):
    """An event built in Python is not a valid event. ``problems`` lists each as
    ``field: message``; read untrusted records with ``parse_events`` instead, which
    rejects a bad record with its reason and keeps the others."""

    def __init__(self, event_type: str, problems: Sequence[str]) -> None:
        self.event_type = event_type
        self.problems = tuple(problems)
        super().__init__(f"invalid {event_type} event: " + "; ".join(self.problems))


class EventStreamError(SafeguardRulesError):
    """An event stream had records that are not valid events (strict loading)."""

    def __init__(self, rejections: Sequence[object]) -> None:
        self.rejections = tuple(rejections)
        super().__init__("\n".join(str(r) for r in self.rejections))


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """``repr(value)`` for a message, cut to ``limit`` characters: values come from the
    input, and a message must not grow with them."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """A ``; did you mean 'x'?`` suffix for an unknown name, or ``''``."""
    candidates = sorted(set(known))
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return ""


def known_list(known: Iterable[str], limit: int = 12) -> str:
    names = sorted(set(known))
    shown = ", ".join(names[:limit])
    return shown + (", ..." if len(names) > limit else "")
