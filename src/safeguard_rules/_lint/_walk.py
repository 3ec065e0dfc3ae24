"""Walking a pack's model: every requirement, deadline table, citation and condition,
each with where it stands (a ``Loc`` the positions turn into a line and column)."""

from __future__ import annotations

from collections.abc import Iterator

from .._pack import Citation, Condition, DueTable, Pack, Requirement
from .._plain_pack import is_model
from ._check import Loc


def requirements(pack: Pack) -> Iterator[tuple[Loc, Requirement]]:
    for i, rule in enumerate(pack.rules):
        if rule.require is not None:
            yield ("rules", i, "require"), rule.require
        for j, route in enumerate(rule.routes or ()):
            if route.require is not None:
                yield ("rules", i, "routes", j, "require"), route.require


def tables(pack: Pack) -> Iterator[tuple[Loc, DueTable]]:
    for name, parameter in pack.parameters.items():
        if parameter.default.table is not None:
            yield ("parameters", name, "default", "table"), parameter.default.table
    for loc, requirement in requirements(pack):
        if requirement.due is not None and requirement.due.table is not None:
            yield (*loc, "due", "table"), requirement.due.table


def citations(pack: Pack) -> Iterator[tuple[Loc, Citation]]:
    for name, parameter in pack.parameters.items():
        if parameter.citation is not None:
            yield ("parameters", name, "citation"), parameter.citation
    for name, path in pack.escalation_paths.items():
        if path.citation is not None:
            yield ("escalation_paths", name, "citation"), path.citation
    for i, rule in enumerate(pack.rules):
        if rule.citation is not None:
            yield ("rules", i, "citation"), rule.citation
        for j, route in enumerate(rule.routes or ()):
            if route.citation is not None:
                yield ("rules", i, "routes", j, "citation"), route.citation
    for loc, table in tables(pack):
        for k, case in enumerate(table.cases):
            if case.citation is not None:
                yield (*loc, "cases", k, "citation"), case.citation


def conditions(pack: Pack) -> Iterator[Condition]:
    """Every condition the pack holds, at any depth of its rules and parameters."""
    for rule in pack.rules:
        count = rule.when.count
        found = [rule.when.where, count.where if count else None, rule.expect]
        found += [route.when for route in rule.routes or ()]
        yield from (condition for condition in found if condition is not None)
    for _loc, requirement in requirements(pack):
        for matches in (requirement.satisfied_by, requirement.cancelled_by, requirement.due_from):
            listed = matches if isinstance(matches, list) else [matches] if matches else []
            yield from (m.where for m in listed if m.where is not None)
        if requirement.due_from is not None:  # the events that close a run, too
            yield from (m.where for m in requirement.due_from.closing if m.where is not None)
    for _loc, table in tables(pack):
        yield from (case.when for case in table.cases if case.when is not None)


def literals(condition: Condition) -> Iterator[str]:
    for part in (*(condition.all_ or ()), *(condition.any_ or ()), condition.not_):
        if part is not None:
            yield from literals(part)
    operand = condition.operand if condition.field is not None else None
    if not is_model(operand, "Ref"):
        values = operand if isinstance(operand, list) else [operand]
        yield from (value for value in values if isinstance(value, str))


def same_condition(a: Condition, b: Condition) -> bool:
    return a.model_dump(by_alias=True, exclude_none=True) == b.model_dump(
        by_alias=True, exclude_none=True
    )
