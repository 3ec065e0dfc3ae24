"""Describing differences in words: two packs compared section by section.

Each comparison says what changed as a policy author reads it (``responsible:
team_manager (Team Manager) -> senior_practitioner (Senior Practitioner)``), using the
shared domain wording; fields not described yet are still compared as data, so no
difference goes unseen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from .._compile import CompiledPack
from .._lint._text import normalise_quote
from .._pack import (
    CalendarSpec,
    Citation,
    Condition,
    Due,
    Metadata,
    NotEncoded,
    OfficeHours,
    Pack,
    Parameter,
    Requirement,
    Role,
    Route,
    Rule,
    Source,
    Trigger,
)
from .._wording import (
    BASIS_WORDS,
    REPEAT,
    PackWords,
    alternatives,
    describe_case,
    describe_count,
    describe_due,
    threshold,
    yes_no,
)
from ._match import compact, pair_renamed, same, same_set
from ._model import Change, Item, ItemChange, PackDiff, PackSide, RuleChange, RuleSummary, Section


def diff_packs(old: CompiledPack, new: CompiledPack) -> PackDiff:
    """How ``new`` differs from ``old``, in words; see :class:`PackDiff`."""
    ow, nw = PackWords.of(old), PackWords.of(new)
    added, removed, changed, unchanged = _rules(old.pack, new.pack, ow, nw)
    return PackDiff(
        old=PackSide.of(old),
        new=PackSide.of(new),
        pack=tuple(
            _metadata(old.pack.pack, new.pack.pack)
            + _not_encoded(old.pack.not_encoded, new.pack.not_encoded)
            + _other_top_level(old.pack, new.pack)
        ),
        calendar=tuple(_calendar(old.pack.calendar, new.pack.calendar)),
        agencies=_agencies(old.pack.agencies, new.pack.agencies),
        roles=_roles(old.pack.roles, new.pack.roles, ow, nw),
        parameters=_parameters(old, new),
        rules_added=added,
        rules_removed=removed,
        rules_changed=changed,
        rules_unchanged=unchanged,
    )


# --- section comparisons -----------------------------------------------------------------

Changes = list[Change]


def add_change(out: Changes, what: str, old: Any, new: Any, prose: bool = False) -> None:
    """A change for ``what`` if the two values differ; None means absent."""
    if same(old, new):
        return
    out.append(
        Change(what, None if old is None else str(old), None if new is None else str(new), prose)
    )


def _other_fields(old: BaseModel, new: BaseModel, handled: Iterable[str], prefix: str) -> Changes:
    """Fields this module does not describe yet, compared as data, so none goes unseen."""
    out: Changes = []
    known = set(handled)
    for name in type(old).model_fields:
        if name in known:
            continue
        a, b = getattr(old, name, None), getattr(new, name, None)
        if same(a, b):
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                what = f"{prefix}{name.rstrip('_')} {key}"
                add_change(out, what, _maybe(a.get(key)), _maybe(b.get(key)))
        else:
            add_change(out, f"{prefix}{name.rstrip('_')}", _maybe(a), _maybe(b))
    return out


def _maybe(value: Any) -> str | None:
    return None if value is None or value == [] or value == {} else compact(value)


def _metadata(old: Metadata, new: Metadata) -> Changes:
    out: Changes = []
    add_change(out, "title", old.title, new.title, prose=True)
    add_change(out, "jurisdiction", old.jurisdiction, new.jurisdiction)
    add_change(out, "version", old.version, new.version)
    add_change(
        out, "effective from", old.effective_from.isoformat(), new.effective_from.isoformat()
    )
    add_change(out, "effective to", _date_or_open(old), _date_or_open(new))
    add_change(out, "description", old.description, new.description, prose=True)
    olds = {s.id: s for s in old.sources}
    news = {s.id: s for s in new.sources}
    for sid in [s.id for s in old.sources if s.id not in news]:
        out.append(Change(f"source {sid}", _source_words(olds[sid]), None))
    for sid in [s.id for s in new.sources if s.id not in olds]:
        out.append(Change(f"source {sid}", None, _source_words(news[sid])))
    for sid in [s.id for s in new.sources if s.id in olds]:
        a, b = olds[sid], news[sid]
        p = f"source {sid} "
        add_change(out, p + "title", a.title, b.title, prose=True)
        add_change(out, p + "file", a.file, b.file)
        add_change(out, p + "publisher", a.publisher, b.publisher)
        add_change(out, p + "published", a.published, b.published)
        add_change(out, p + "url", a.url, b.url)
        out += _other_fields(a, b, ("id", "file", "title", "publisher", "published", "url"), p)
    handled = (
        "id",
        "title",
        "jurisdiction",
        "version",
        "effective_from",
        "effective_to",
        "description",
        "sources",
    )
    return out + _other_fields(old, new, handled, "")


def _date_or_open(meta: Metadata) -> str:
    return meta.effective_to.isoformat() if meta.effective_to else "open-ended"


def _source_words(source: Source) -> str:
    by = f", {source.publisher}" if source.publisher else ""
    when = f", {source.published}" if source.published else ""
    return f"{source.title}{by}{when} ({source.file})"


_PACK_SECTIONS = ("pack", "calendar", "agencies", "roles", "parameters", "rules", "not_encoded")


def _other_top_level(old: Pack, new: Pack) -> Changes:
    return _other_fields(old, new, _PACK_SECTIONS, "")


NOT_ENCODED = "not encoded"  # how a change to the sentences a pack leaves out is named


def _not_encoded(old: list[NotEncoded], new: list[NotEncoded]) -> Changes:
    """Sentences left out, matched by their quote: each in words, never as data."""

    def key(entry: NotEncoded) -> str:
        return normalise_quote(entry.quote)

    def words(entry: NotEncoded) -> str:
        return f"“{entry.quote}” ({entry.source}, {entry.reason}): {entry.note}"

    olds = {key(e): e for e in old}
    news = {key(e): e for e in new}
    out: Changes = [Change(NOT_ENCODED, words(e), None) for e in old if key(e) not in news]
    out += [Change(NOT_ENCODED, None, words(e)) for e in new if key(e) not in olds]
    for entry in new:
        before = olds.get(key(entry))
        if before is None:
            continue
        what = f"{NOT_ENCODED} “{entry.quote}”"
        add_change(out, what + " reason", before.reason, entry.reason)
        add_change(out, what + " note", before.note, entry.note, prose=True)
        add_change(out, what + " source", before.source, entry.source)
    return out


def _calendar(old: CalendarSpec, new: CalendarSpec) -> Changes:
    out: Changes = []
    add_change(out, "time zone", old.timezone, new.timezone)
    add_change(out, "working days", ", ".join(old.working_days), ", ".join(new.working_days))
    add_change(out, "public holidays", _holidays(old), _holidays(new))
    gone = sorted(set(old.closures) - set(new.closures))
    came = sorted(set(new.closures) - set(old.closures))
    if gone:
        out.append(Change("closures", ", ".join(d.isoformat() for d in gone), None))
    if came:
        out.append(Change("closures", None, ", ".join(d.isoformat() for d in came)))
    a, b = old.office_hours, new.office_hours
    if a is None or b is None:
        add_change(out, "office hours", _office(a), _office(b))
    else:
        add_change(out, "office hours days", ", ".join(a.days), ", ".join(b.days))
        add_change(
            out, "office hours start", a.start.isoformat("minutes"), b.start.isoformat("minutes")
        )
        add_change(out, "office hours end", a.end.isoformat("minutes"), b.end.isoformat("minutes"))
        add_change(
            out,
            "office open on public holidays",
            yes_no(a.open_on_public_holidays),
            yes_no(b.open_on_public_holidays),
        )
        out += _other_fields(a, b, ("days", "start", "end", "open_on_public_holidays"), "office ")
    handled = ("timezone", "working_days", "public_holidays", "closures", "office_hours")
    return out + _other_fields(old, new, handled, "")


def _holidays(spec: CalendarSpec) -> str:
    h = spec.public_holidays
    if h is None:
        return "none"
    return h.country + (f" ({h.subdivision})" if h.subdivision else "")


def _office(hours: OfficeHours | None) -> str | None:
    if hours is None:
        return None
    text = f"{', '.join(hours.days)} {hours.start.isoformat('minutes')}-"
    text += hours.end.isoformat("minutes")
    return text + (", open on public holidays" if hours.open_on_public_holidays else "")


def _agencies(old: Mapping[str, str], new: Mapping[str, str]) -> Section:
    return Section(
        added=tuple(Item(k, new[k]) for k in sorted(new.keys() - old.keys())),
        removed=tuple(Item(k, old[k]) for k in sorted(old.keys() - new.keys())),
        changed=tuple(
            ItemChange(k, (Change("name", old[k], new[k]),))
            for k in sorted(old.keys() & new.keys())
            if old[k] != new[k]
        ),
    )


def _roles(
    old: Mapping[str, Role], new: Mapping[str, Role], ow: PackWords, nw: PackWords
) -> Section:
    def words(role: Role, w: PackWords) -> str:
        return role.title + (f", agency {w.party(role.agency)}" if role.agency else "")

    changed: list[ItemChange] = []
    for name in sorted(old.keys() & new.keys()):
        a, b = old[name], new[name]
        out: Changes = []
        add_change(out, "title", a.title, b.title)
        if a.agency != b.agency:
            before = ow.party(a.agency) if a.agency else "none"
            out.append(Change("agency", before, nw.party(b.agency) if b.agency else "none"))
        add_change(out, "description", a.description, b.description, prose=True)
        out += _other_fields(a, b, ("title", "agency", "description"), "")
        if out:
            changed.append(ItemChange(name, tuple(out)))
    return Section(
        added=tuple(Item(k, words(new[k], nw)) for k in sorted(new.keys() - old.keys())),
        removed=tuple(Item(k, words(old[k], ow)) for k in sorted(old.keys() - new.keys())),
        changed=tuple(changed),
    )


def _parameters(old: CompiledPack, new: CompiledPack) -> Section:
    a, b = old.pack.parameters, new.pack.parameters
    ov, nv = old.parameters, new.parameters
    ob, nb = PackWords.of(old).bases, PackWords.of(new).bases
    changed: list[ItemChange] = []
    for name in sorted(a.keys() & b.keys()):
        out: Changes = []
        add_change(out, "value", describe_due(ov.get(name)), describe_due(nv.get(name)))
        add_change(out, "basis", BASIS_WORDS[ob[name]], BASIS_WORDS[nb[name]])
        add_change(out, "description", a[name].description, b[name].description, prose=True)
        out += _citation(a[name].citation, b[name].citation, "citation")
        handled = ("description", "default", "basis", "citation")
        out += _other_fields(a[name], b[name], handled, "")
        if out:
            changed.append(ItemChange(name, tuple(out)))

    def item(
        name: str, parameter: Parameter, values: Mapping[str, Due], bases: Mapping[str, str]
    ) -> Item:
        value = describe_due(values.get(name, parameter.default))
        return Item(name, f"{value}, {BASIS_WORDS[bases[name]]}")

    return Section(
        added=tuple(item(k, b[k], nv, nb) for k in sorted(b.keys() - a.keys())),
        removed=tuple(item(k, a[k], ov, ob) for k in sorted(a.keys() - b.keys())),
        changed=tuple(changed),
    )


def _citation_words(citation: Citation) -> str:
    return f"{citation.source}: {citation.quote}"


def _citation(old: Citation | None, new: Citation | None, what: str) -> Changes:
    out: Changes = []
    if old is None or new is None:
        a = None if old is None else _citation_words(old)
        b = None if new is None else _citation_words(new)
        add_change(out, what, a, b, prose=True)
        return out
    add_change(out, f"{what} source", old.source, new.source)
    add_change(out, f"{what} quote", old.quote, new.quote, prose=True)
    add_change(out, f"{what} note", old.note, new.note, prose=True)
    return out + _other_fields(old, new, ("source", "quote", "note"), f"{what} ")


# --- rules -----------------------------------------------------------------------------------


def _rules(
    old: Pack, new: Pack, ow: PackWords, nw: PackWords
) -> tuple[
    tuple[RuleSummary, ...], tuple[RuleSummary, ...], tuple[RuleChange, ...], tuple[str, ...]
]:
    old_by_id = {r.id: r for r in old.rules}
    new_ids = {r.id for r in new.rules}
    leftover_old = [r for r in old.rules if r.id not in new_ids]
    leftover_new = [r for r in new.rules if r.id not in old_by_id]
    renamed = pair_renamed(leftover_old, leftover_new)
    paired_new = {n.id: (o, why) for o, n, why in renamed}
    paired_old = {o.id for o, _n, _why in renamed}

    changed: list[RuleChange] = []
    unchanged: list[str] = []
    for rule in new.rules:  # in the new pack's order
        if rule.id in old_by_id:
            before, why = old_by_id[rule.id], None
        elif rule.id in paired_new:
            before, why = paired_new[rule.id]
        else:
            continue
        changes = _rule_changes(before, rule, ow, nw)
        if changes or before.id != rule.id:
            changed.append(RuleChange(rule.id, before.id, rule.title, why, tuple(changes)))
        else:
            unchanged.append(rule.id)
    added = tuple(_summary(r, nw) for r in leftover_new if r.id not in paired_new)
    removed = tuple(_summary(r, ow) for r in leftover_old if r.id not in paired_old)
    return added, removed, tuple(changed), tuple(unchanged)


def _summary(rule: Rule, w: PackWords) -> RuleSummary:
    lines = [f"when {w.trigger(rule.when)}"]
    if rule.require is not None:
        lines += w.requirement_lines(rule.require, basis=True)
    elif rule.routes is not None:
        lines += [f"route {r.name}: {w.route(r, basis=True)}" for r in rule.routes]
    else:
        lines.append(f"expects {w.condition(rule.expect)}")
        lines.append(f'finding: "{rule.message}"')
    return RuleSummary(rule.id, rule.title, rule.strength, tuple(lines), rule.citation)


_RULE_FIELDS = (
    "id",
    "title",
    "citation",
    "strength",
    "when",
    "require",
    "routes",
    "expect",
    "message",
    "notes",
)


def _rule_changes(old: Rule, new: Rule, ow: PackWords, nw: PackWords) -> Changes:
    out: Changes = []
    add_change(out, "title", old.title, new.title, prose=True)
    add_change(out, "strength", old.strength, new.strength)
    out += _trigger(old.when, new.when, ow, nw)
    if old.kind != new.kind:
        out.append(Change("outcome", ow.outcome(old, basis=True), nw.outcome(new, basis=True)))
    elif old.require is not None and new.require is not None:
        out += _requirement(old.require, new.require, ow, nw, "")
    elif old.routes is not None and new.routes is not None:
        out += _routes(old.routes, new.routes, ow, nw)
    else:
        add_change(out, "expects", ow.condition(old.expect), nw.condition(new.expect))
        add_change(out, "finding message", old.message, new.message, prose=True)
    out += _citation(old.citation, new.citation, "citation")
    add_change(out, "notes", old.notes, new.notes, prose=True)
    return out + _other_fields(old, new, _RULE_FIELDS, "")


def _changed_condition(
    out: Changes,
    what: str,
    old: Condition | None,
    new: Condition | None,
    ow: PackWords,
    nw: PackWords,
) -> None:
    if not same(old, new):
        out.append(Change(what, ow.condition(old), nw.condition(new)))


def _trigger(old: Trigger, new: Trigger, ow: PackWords, nw: PackWords) -> Changes:
    out: Changes = []
    add_change(out, "trigger event", old.event, new.event)
    _changed_condition(out, "trigger condition", old.where, new.where, ow, nw)
    a, b = old.count, new.count
    if a is None or b is None:
        if not same(a, b):
            out.append(
                Change(
                    "count",
                    None if a is None else describe_count(a, old.event, ow.parties),
                    None if b is None else describe_count(b, new.event, nw.parties),
                )
            )
    else:
        add_change(out, "count threshold", threshold(a), threshold(b))
        add_change(
            out,
            "count window",
            a.within.describe() if a.within else "none",
            b.within.describe() if b.within else "none",
        )
        _changed_condition(out, "counted events", a.where, b.where, ow, nw)
        add_change(out, "count repeats", REPEAT[a.repeat], REPEAT[b.repeat])
        out += _other_fields(a, b, ("more_than", "at_least", "within", "where", "repeat"), "count ")
    return out + _other_fields(old, new, ("event", "where", "count"), "trigger ")


_REQUIREMENT_FIELDS = (
    "action",
    "description",
    "responsible",
    "copied_in",
    "due",
    "due_from",
    "satisfied_by",
    "cancelled_by",
    "escalation",
)


def _requirement(
    old: Requirement, new: Requirement, ow: PackWords, nw: PackWords, prefix: str
) -> Changes:
    out: Changes = []
    add_change(out, prefix + "action", old.action, new.action)
    if old.responsible != new.responsible:
        out.append(
            Change(prefix + "responsible", ow.party(old.responsible), nw.party(new.responsible))
        )
    if not same_set(old.copied_in, new.copied_in):
        out.append(
            Change(prefix + "copied in", ow.party_list(old.copied_in), nw.party_list(new.copied_in))
        )
    add_change(out, prefix + "description", old.description, new.description, prose=True)
    out += _due(old.due, new.due, ow, nw, prefix)
    if not same(old.due_from, new.due_from):
        out.append(
            Change(
                prefix + "deadline counts from",
                None if old.due_from is None else ow.clock(old.due_from),
                None if new.due_from is None else nw.clock(new.due_from),
            )
        )
    if not same_set(alternatives(old.satisfied_by), alternatives(new.satisfied_by)):
        out.append(
            Change(prefix + "met by", ow.matches(old.satisfied_by), nw.matches(new.satisfied_by))
        )
    if not same_set(alternatives(old.cancelled_by), alternatives(new.cancelled_by)):
        out.append(
            Change(
                prefix + "cancelled by", ow.matches(old.cancelled_by), nw.matches(new.cancelled_by)
            )
        )
    a, b = old.escalation, new.escalation
    if a is None or b is None:
        if not same(a, b):
            out.append(
                Change(
                    prefix + "escalation",
                    None if a is None else ow.escalation(a),
                    None if b is None else nw.escalation(b),
                )
            )
    else:
        p = prefix + "escalation "
        add_change(out, p + "action", a.action, b.action)
        if a.responsible != b.responsible:
            out.append(Change(p + "responsible", ow.party(a.responsible), nw.party(b.responsible)))
        if not same_set(a.copied_in, b.copied_in):
            out.append(
                Change(p + "copied in", ow.party_list(a.copied_in), nw.party_list(b.copied_in))
            )
        add_change(out, p + "description", a.description, b.description, prose=True)
        out += _other_fields(a, b, ("action", "responsible", "copied_in", "description"), p)
    return out + _other_fields(old, new, _REQUIREMENT_FIELDS, prefix)


def _due(old: Due | None, new: Due | None, ow: PackWords, nw: PackWords, prefix: str) -> Changes:
    """A parameter's value is compared under parameters, so a rule naming the same
    parameter is unchanged here even when the value differs."""
    out: Changes = []
    if same(old, new):
        return out
    if old is None or new is None or old.table is None or new.table is None:
        return [Change(prefix + "due", ow.due_with_basis(old), nw.due_with_basis(new))]
    olds = {c.label: c for c in old.table.cases}
    news = {c.label: c for c in new.table.cases}
    for label in [c.label for c in old.table.cases if c.label not in news]:
        out.append(
            Change(
                f"{prefix}due case '{label}'", describe_case(olds[label], ow.parties, False), None
            )
        )
    for label in [c.label for c in new.table.cases if c.label not in olds]:
        out.append(
            Change(
                f"{prefix}due case '{label}'", None, describe_case(news[label], nw.parties, False)
            )
        )
    for label in [c.label for c in new.table.cases if c.label in olds]:
        a, b = olds[label], news[label]
        p = f"{prefix}due case '{label}' "
        _changed_condition(out, p + "when", a.when, b.when, ow, nw)
        add_change(out, p + "within", a.within.describe(), b.within.describe())
        add_change(out, p + "strength", a.strength or "the rule's", b.strength or "the rule's")
        out += _citation(a.citation, b.citation, p + "citation")
        out += _other_fields(a, b, ("label", "when", "within", "strength", "citation"), p)
    kept_old = [c.label for c in old.table.cases if c.label in news]
    kept_new = [c.label for c in new.table.cases if c.label in olds]
    if kept_old != kept_new:  # first match wins, so the order is part of the meaning
        out.append(Change(prefix + "due case order", ", ".join(kept_old), ", ".join(kept_new)))
    return out + _other_fields(old.table, new.table, ("cases",), prefix + "due table ")


def _routes(old: list[Route], new: list[Route], ow: PackWords, nw: PackWords) -> Changes:
    out: Changes = []
    olds = {r.name: r for r in old}
    news = {r.name: r for r in new}
    for route in old:
        if route.name not in news:
            out.append(Change(f"route {route.name}", ow.route(route, basis=True), None))
    for route in new:
        if route.name not in olds:
            out.append(Change(f"route {route.name}", None, nw.route(route, basis=True)))
    for route in new:
        if route.name not in olds:
            continue
        a, p = olds[route.name], f"route {route.name} "
        _changed_condition(out, p + "condition", a.when, route.when, ow, nw)
        add_change(out, p + "strength", a.strength or "the rule's", route.strength or "the rule's")
        if a.require is None or route.require is None:
            if not same(a.require, route.require):
                before = ow.requirement(a.require, True) if a.require else "nothing required"
                after = nw.requirement(route.require, True) if route.require else "nothing required"
                out.append(Change(p + "outcome", before, after))
        else:
            out += _requirement(a.require, route.require, ow, nw, p)
        out += _citation(a.citation, route.citation, p + "citation")
        out += _other_fields(a, route, ("name", "when", "require", "strength", "citation"), p)
    kept_old = [r.name for r in old if r.name in news]
    kept_new = [r.name for r in new if r.name in olds]
    if kept_old != kept_new:  # first match wins, so the order is part of the meaning
        out.append(Change("route order", ", ".join(kept_old), ", ".join(kept_new)))
    return out
