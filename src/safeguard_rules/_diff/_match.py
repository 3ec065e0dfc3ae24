"""Matching: when two values are the same, which removed and added rules are one rule
renamed, and which obligations and findings of two evaluations correspond."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from .._pack import Condition, Rule
from .._result import Finding


def dump(value: Any) -> Any:
    """A model (or lists and dicts of them) as plain data, as written in the pack."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    return value


_UNORDERED = frozenset({"in", "not_in", "contains_any", "contains_all"})


def canonical(value: Any) -> Any:
    """Dumped data with the lists whose order means nothing (operands of set operators) sorted."""
    if isinstance(value, dict):
        return {
            k: sorted(v, key=repr) if k in _UNORDERED and isinstance(v, list) else canonical(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def same(a: Any, b: Any) -> bool:
    """Equal as data, the order of set operands aside."""
    return bool(canonical(dump(a)) == canonical(dump(b)))


def same_set(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Alternatives and copy lists: the order they are written in means nothing."""

    def keys(items: Sequence[Any]) -> list[str]:
        return sorted(json.dumps(canonical(dump(i)), sort_keys=True) for i in items)

    return keys(a) == keys(b)


def compact(value: Any) -> str:
    """A value as short text: strings as they are, anything else as one-line JSON."""
    dumped = dump(value)
    if isinstance(dumped, str):
        return dumped
    return json.dumps(dumped, sort_keys=True, ensure_ascii=False)


def _actions(rule: Rule) -> frozenset[str]:
    if rule.require is not None:
        return frozenset({rule.require.action})
    return frozenset(r.require.action for r in rule.routes or () if r.require is not None)


def _fields(condition: Condition | None) -> frozenset[str]:
    if condition is None:
        return frozenset()
    if condition.all_ is not None or condition.any_ is not None:
        return frozenset().union(*(_fields(c) for c in condition.all_ or condition.any_ or ()))
    if condition.not_ is not None:
        return _fields(condition.not_)
    return frozenset({condition.field or ""})


def _pairing(old: Rule, new: Rule) -> tuple[int, str] | None:
    """How strongly a removed and an added rule look like one rule renamed, and why."""
    same_event = old.when.event == new.when.event
    actions = _actions(old)
    same_actions = bool(actions) and actions == _actions(new)
    old_quote = old.citation.quote if old.citation else None
    same_quote = old_quote is not None and new.citation is not None
    same_quote = same_quote and old_quote == (new.citation.quote if new.citation else None)
    if same_event and same_actions:
        return 5, "the same trigger event and action"
    if same_event and same_quote:
        return 4, "the same trigger event and cited sentence"
    if same_quote:
        return 3, "the same cited sentence"
    if same_event and old.kind == new.kind == "check":
        fields = _fields(old.expect)
        if fields and fields == _fields(new.expect):
            return 2, "the same trigger event and checked " + ", ".join(sorted(fields))
    if same_event and old.kind == new.kind == "routing":
        shared = [
            r.name
            for r in old.routes or ()
            if any(same(r.when, n.when) and r.name == n.name for n in new.routes or ())
        ]
        if shared:
            return 2, f"the same trigger event and route {shared[0]}"
    if same_actions:
        return 1, "the same action"
    return None


def pair_renamed(old: list[Rule], new: list[Rule]) -> list[tuple[Rule, Rule, str]]:
    """Pair leftover rules one to one, strongest evidence first, then in pack order."""
    candidates: list[tuple[int, int, int, str]] = []
    for i, a in enumerate(old):
        for j, b in enumerate(new):
            found = _pairing(a, b)
            if found is not None:
                candidates.append((-found[0], i, j, found[1]))
    candidates.sort()
    pairs: list[tuple[Rule, Rule, str]] = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    for _score, i, j, why in candidates:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((old[i], new[j], why))
    return pairs


def pair_up(
    old: Sequence[Any],
    new: Sequence[Any],
    old_key: Callable[[Any], Any],
    new_key: Callable[[Any], Any],
) -> tuple[list[Any], list[Any], list[tuple[Any, Any]]]:
    """Items matched by key (in order where a key repeats), and the rest on either side."""
    waiting: dict[Any, list[int]] = {}
    for i, item in enumerate(old):
        waiting.setdefault(old_key(item), []).append(i)
    pairs: list[tuple[Any, Any]] = []
    paired: set[int] = set()
    only_new: list[Any] = []
    for item in new:
        queue = waiting.get(new_key(item))
        if queue:
            i = queue.pop(0)
            paired.add(i)
            pairs.append((old[i], item))
        else:
            only_new.append(item)
    only_old = [item for i, item in enumerate(old) if i not in paired]
    return only_old, only_new, pairs


def finding_event(finding: Finding) -> str:
    """The event a finding is about; for lateness, the trigger named in the obligation id."""
    if finding.obligation is not None:
        return finding.obligation.split("/", 1)[-1]
    return finding.event or ""
