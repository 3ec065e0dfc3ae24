"""Domain wording: how a pack's conditions, deadlines, counts and rules read in English.

One place for the phrases every reader of a pack sees (``diff``, ``explain``, lint
messages, the generated pack docs), so "more than 3" is written once and a rewording
reaches every output together. Nothing here knows a jurisdiction or a pack's content:
parties' titles and parameter values come from the pack being described.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._compile import CompiledPack
from ._conditions import PARTY_FIELDS
from ._pack import (
    Condition,
    Count,
    Due,
    DueCase,
    DueFrom,
    Escalation,
    EventMatch,
    Requirement,
    Route,
    Rule,
    Trigger,
)
from ._plain_pack import is_model

# --- small words -----------------------------------------------------------------------------


def plural(n: int, noun: str) -> str:
    """``1 rule``, ``2 rules``, ``0 errors``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def number(value: float) -> str:
    """``3`` rather than ``3.0``; other numbers as Python writes them."""
    return str(int(value)) if float(value).is_integer() else str(value)


def yes_no(value: bool) -> str:
    """A flag for a reader, not Python's True/False."""
    return "yes" if value else "no"


def threshold(count: Count) -> str:
    """A count's threshold: ``more than 3`` or ``at least 4``."""
    if count.more_than is not None:
        return f"more than {count.more_than}"
    return f"at least {count.at_least}"


REPEAT = {
    "once": "once",
    "every": "on every event past the threshold",
    "run": "once per run of that many events, each run starting afresh",
}


def describe_ref(path: str) -> str:
    """``trigger.id`` -> "the trigger's id"; a bare field is the event's own."""
    head, _, rest = path.partition(".")
    if head in ("trigger", "case", "event") and rest:
        return f"the {head}'s {rest}"
    return f"the event's {path}"


# --- conditions ----------------------------------------------------------------------------

_PLAIN_LITERAL = re.compile(r"^[A-Za-z0-9_.:/+-]+$")


def _literal(value: Any, party: bool, parties: Mapping[str, str]) -> str:
    if is_model(value, "Ref"):
        return describe_ref(value.ref)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number(value)
    text = str(value)
    shown = text if _PLAIN_LITERAL.match(text) else json.dumps(text, ensure_ascii=False)
    if party and text in parties and parties[text] != text:
        shown += f" ({parties[text]})"
    return shown


def _literals(value: Any, party: bool, parties: Mapping[str, str]) -> str:
    if is_model(value, "Ref"):
        return describe_ref(value.ref)
    return ", ".join(_literal(v, party, parties) for v in value)


_PHRASES = {
    "is": "is",
    "is_not": "is not",
    "at_least": "is at least",
    "at_most": "is at most",
    "contains": "contains",
    "in": "is one of",
    "not_in": "is none of",
    "contains_any": "contains any of",
    "contains_all": "contains all of",
}
_FLAGS = {
    ("present", True): "is present",
    ("present", False): "is absent",
    ("in_office_hours", True): "is in office hours",
    ("in_office_hours", False): "is outside office hours",
    ("recorded", True): "is recorded",
    ("recorded", False): "is not recorded",
}


def describe_condition(condition: Condition, parties: Mapping[str, str] | None = None) -> str:
    """A condition in words: ``chair_role is one of team_manager (Team Manager), ...``.

    ``parties`` maps role and agency ids to their titles; literals on fields that name a
    role or agency carry the title.
    """
    return _condition(condition, parties or {}, nested=False)


def _condition(c: Condition, parties: Mapping[str, str], nested: bool) -> str:
    for parts, joiner in ((c.all_, " and "), (c.any_, " or ")):
        if parts is not None:
            text = joiner.join(_condition(p, parties, nested=True) for p in parts)
            return f"({text})" if nested and len(parts) > 1 else text
    if c.not_ is not None:
        return f"not ({_condition(c.not_, parties, nested=False)})"
    field = c.field or ""
    op, operand = c.operator, c.operand
    attribute = field.startswith(("attributes.", "trigger.attributes."))
    party = not attribute and field.rsplit(".", 1)[-1] in PARTY_FIELDS
    if op in ("present", "in_office_hours", "recorded"):
        return f"{field} {_FLAGS[op, bool(operand)]}"
    if op == "count_at_least":
        return f"{field} has at least {operand} {'entry' if operand == 1 else 'entries'}"
    if op in ("in", "not_in", "contains_any", "contains_all"):
        return f"{field} {_PHRASES[op]} {_literals(operand, party, parties)}"
    return f"{field} {_PHRASES[op]} {_literal(operand, party, parties)}"


# --- deadlines and counts ------------------------------------------------------------------


def describe_due(
    due: Due | None,
    parameters: Mapping[str, Due] | None = None,
    parties: Mapping[str, str] | None = None,
) -> str:
    """A deadline in words: "3 working days", "parameter x (1 working day)", a table's cases.

    ``parameters`` holds the values a parameter is shown with; ``parties`` as for
    :func:`describe_condition`, for the conditions of a table's cases.
    """
    if due is None:
        return "no timescale"
    if due.parameter is not None:
        value = (parameters or {}).get(due.parameter)
        shown = describe_due(value, None, parties) if value is not None else "not defined"
        return f"parameter {due.parameter} ({shown})"
    if due.table is not None:
        cases = (describe_case(c, parties or {}) for c in due.table.cases)
        return "first matching case: " + "; ".join(cases)
    return due.describe()


def describe_case(case: DueCase, parties: Mapping[str, str], label: bool = True) -> str:
    """One deadline-table case: ``serious harm: the same day when serious_harm is true``."""
    text = (f"{case.label}: " if label else "") + case.within.describe()
    if case.counts_from is not None:
        text += f" from the {case.counts_from}"
    if case.when is not None:
        text += f" when {describe_condition(case.when, parties)}"
    return text + (f" ({case.strength})" if case.strength else "")


def describe_count(count: Count, event: str, parties: Mapping[str, str] | None = None) -> str:
    """``more than 3 cpn_created events, once``."""
    text = f"{threshold(count)} {event} events"
    if count.within is not None:
        text += f" within {count.within.describe()}"
    if count.where is not None:
        text += f" where {describe_condition(count.where, parties)}"
    return text + f", {REPEAT[count.repeat]}"


# --- a pack's rules in words ---------------------------------------------------------------


def alternatives(spec: EventMatch | list[EventMatch] | None) -> list[EventMatch]:
    """The events that can satisfy (or cancel) a requirement, as a list."""
    if spec is None:
        return []
    return list(spec) if isinstance(spec, list) else [spec]  # one EventMatch, or a list


BASIS_WORDS = {
    "source": "from the source",
    "local_default": "a local default",
    "local_override": "a local override",
}


@dataclass(frozen=True)
class PackWords:
    """What describing one pack's rules needs: its parties' titles, its parameter values
    and where each parameter's value comes from (``source``, ``local_default`` or
    ``local_override``)."""

    parties: Mapping[str, str]
    parameters: Mapping[str, Due]
    bases: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, compiled: CompiledPack) -> PackWords:
        pack = compiled.pack
        parties = dict(pack.agencies)
        parties.update({name: role.title for name, role in pack.roles.items()})
        bases = {
            name: "local_override" if name in compiled.overrides else parameter.basis
            for name, parameter in pack.parameters.items()
        }
        return cls(parties, compiled.parameters, bases)

    def party(self, name: str) -> str:
        title = self.parties.get(name)
        return f"{name} ({title})" if title and title != name else name

    def party_list(self, names: Sequence[str]) -> str:
        return ", ".join(self.party(n) for n in names) or "nobody"

    def condition(self, condition: Condition | None) -> str | None:
        return None if condition is None else describe_condition(condition, self.parties)

    def due(self, due: Due | None) -> str:
        return describe_due(due, self.parameters, self.parties)

    def basis(self, due: Due | None) -> str | None:
        """Where a deadline's value comes from (``source``, ``local_default``,
        ``local_override``); None where there is no deadline to speak of."""
        if due is None:
            return None
        if due.parameter is not None:
            return self.bases.get(due.parameter)
        if due.table is None and due.no_deadline:
            return None
        return "source"

    def due_with_basis(self, due: Due | None) -> str:
        """``3 working days, from the source``; ``parameter x (1 working day), a local default``."""
        basis = self.basis(due)
        return self.due(due) + (f", {BASIS_WORDS[basis]}" if basis in BASIS_WORDS else "")

    def matches(self, spec: EventMatch | list[EventMatch] | None) -> str:
        listed = alternatives(spec)
        if not listed:
            return "nothing"
        words = [
            m.event + (f" where {self.condition(m.where)}" if m.where is not None else "")
            for m in listed
        ]
        return words[0] if len(words) == 1 else "any of: " + "; ".join(words)

    def trigger(self, when: Trigger) -> str:
        text = when.event
        if when.where is not None:
            text += f" where {self.condition(when.where)}"
        if when.count is not None:
            text += f", on {describe_count(when.count, when.event, self.parties)}"
        return text

    def escalation(self, escalation: Escalation) -> str:
        text = f"{escalation.action} by {self.party(escalation.responsible)}"
        if escalation.copied_in:
            text += f", copying in {self.party_list(escalation.copied_in)}"
        return text

    def clock(self, start: DueFrom) -> str:
        """The earlier event a due_from deadline counts from, in words."""
        event = self.matches(start)
        closing = " or ".join(self.matches(m) for m in start.closing)
        run = f"the earliest {event} since the last {closing}{start.provisional_words()}"
        if start.named_by is not None:
            named = f"the {event} the trigger names in {start.named_field}"
            within = start.named_within
            if within is not None:
                named += (
                    f", if the trigger falls within {within.parameter or within.describe()} of it"
                )
            return named if not start.closing else f"{named}, else {run}"
        if start.earliest_since is not None:
            return run
        return f"the latest earlier {event}"

    def requirement_lines(self, req: Requirement, basis: bool = False) -> list[str]:
        """The requirement in words, a line per part; ``basis`` adds where the deadline's
        value comes from."""
        first = f"requires {req.action} by {self.party(req.responsible)}"
        if req.copied_in:
            first += f", copying in {self.party_list(req.copied_in)}"
        words = self.due_with_basis(req.due) if basis else self.due(req.due)
        due = f"due {words}" if req.due is not None else "no timescale"
        if req.due_from is not None:
            due += f" from {self.clock(req.due_from)}"
        lines = [first, due]
        lines.append(f"met by {self.matches(req.satisfied_by)}")
        if req.cancelled_by is not None:
            lines.append(f"cancelled by {self.matches(req.cancelled_by)}")
        if req.escalation is not None:
            lines.append(f"when overdue, {self.escalation(req.escalation)}")
        return lines

    def requirement(self, req: Requirement, basis: bool = False) -> str:
        return "; ".join(self.requirement_lines(req, basis))

    def route(self, route: Route, basis: bool = False) -> str:
        when = f"when {self.condition(route.when)}" if route.when is not None else "otherwise"
        outcome = self.requirement(route.require, basis) if route.require else "nothing required"
        return f"{when}: {outcome}" + (f" ({route.strength})" if route.strength else "")

    def outcome(self, rule: Rule, basis: bool = False) -> str:
        if rule.require is not None:
            return self.requirement(rule.require, basis)
        if rule.routes is not None:
            return "routes " + ", ".join(r.name for r in rule.routes)
        return f"expects {self.condition(rule.expect)}"


def describe_moment(moment: datetime | None) -> str:
    """A deadline or event time as a reader scans it: ``Mon 2024-06-03 17:00``."""
    return moment.strftime("%a %Y-%m-%d %H:%M") if moment is not None else "no deadline"
