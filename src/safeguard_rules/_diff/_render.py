"""Rendering diffs: text for the terminal, Markdown for documents, JSON for programs.

Renderers are chosen by name (:data:`FORMATS`); each takes the records of ``_model``
and returns the whole output, so none of it depends on the machine (no paths, no clock).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from .._result import Finding, Obligation, iso
from .._wording import describe_moment
from ._describe import NOT_ENCODED
from ._model import (
    Change,
    EvaluationDiff,
    ObligationChange,
    PackDiff,
    PackSide,
    RuleChange,
)

# --- shortening quoted text for the terminal ---------------------------------------------

_LIMIT = 100
_CONTEXT = 3  # words of unchanged text kept either side of what changed


def shorten(text: str, limit: int = _LIMIT) -> str:
    """Cut ``text`` at a word boundary to about ``limit`` characters, marking the cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:") + "…"


def shorten_pair(old: str, new: str, limit: int = _LIMIT) -> tuple[str, str]:
    """Both texts cut to where they differ, with a few words of context either side."""
    a, b = old.split(), new.split()
    if len(" ".join(a)) <= limit and len(" ".join(b)) <= limit:
        return " ".join(a), " ".join(b)
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(a), len(b)) - prefix and a[len(a) - 1 - suffix] == b[len(b) - 1 - suffix]
    ):
        suffix += 1

    def window(words: list[str]) -> str:
        if len(" ".join(words)) <= limit:
            return " ".join(words)
        start = max(prefix - _CONTEXT, 0)
        end = min(len(words) - suffix + _CONTEXT, len(words))
        text = " ".join(words[start:end])
        text = shorten(text, limit)
        lead = "…" if start > 0 else ""
        tail = "…" if end < len(words) and not text.endswith("…") else ""
        return lead + text + tail

    return window(a), window(b)


# --- markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*\[\]<|#]|^>)")
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def md(text: str) -> str:
    """Escape text for Markdown; underscores inside identifiers and arrows stay as they are."""
    return _MD_UNDERSCORE.sub(r"\\_", _MD_SPECIAL.sub(r"\\\1", " ".join(text.split())))


# --- one change ------------------------------------------------------------------------------


def change_text(change: Change) -> str:
    """``what: old -> new``, ``what added: new``, ``what removed: old``; prose shortened."""
    if change.old is not None and change.new is not None:
        if change.prose:
            old, new = shorten_pair(change.old, change.new)
            return f'{change.what}: "{old}" -> "{new}"'
        return f"{change.what}: {change.old} -> {change.new}"
    if change.new is not None:
        return f"{change.what} added: {_one(change, change.new)}"
    return f"{change.what} removed: {_one(change, change.old or '')}"


def _one(change: Change, value: str) -> str:
    return f'"{shorten(value)}"' if change.prose else value


def change_markdown(change: Change) -> list[str]:
    """A change as Markdown list items; prose in full, old and new on lines of their own."""
    if change.old is not None and change.new is not None:
        if change.prose:
            return [
                f"- {md(change.what)}:",
                f'  - was: "{md(change.old)}"',
                f'  - now: "{md(change.new)}"',
            ]
        return [f"- {md(change.what)}: {md(change.old)} -> {md(change.new)}"]
    state, value = ("added", change.new) if change.new is not None else ("removed", change.old)
    shown = f'"{md(value or "")}"' if change.prose else md(value or "")
    return [f"- {md(change.what)} {state}: {shown}"]


def side_label(side: PackSide) -> str:
    """``northshire_2024, version 2024, effective from 2024-01-01``."""
    until = f" to {side.effective_to}" if side.effective_to else ""
    start = "effective " if side.effective_to else "effective from "
    base = f", overlay of {side.extends}" if side.extends else ""
    return f"{side.id}, version {side.version}, {start}{side.effective_from}{until}{base}"


def rule_heading(change: RuleChange) -> str:
    if not change.renamed:
        return change.id
    return f"{change.id} (renamed from {change.old_id}, paired by {change.paired_by})"


def _period(side: PackSide) -> str:
    if side.effective_to:
        return f"{side.effective_from} to {side.effective_to}"
    return f"from {side.effective_from}"


# --- a pack diff as text ---------------------------------------------------------------------


def pack_diff_text(d: PackDiff) -> str:
    """A pack diff for the terminal: one line per change, quoted text shortened."""
    lines = [
        f"{d.old.id} -> {d.new.id}",
        f"  old: {side_label(d.old)}",
        f"  new: {side_label(d.new)}",
    ]
    if d.empty:
        return "\n".join([*lines, "no differences"]) + "\n"
    lines.append(f"summary: {_summary_words(d)}")
    for title, changes in (("Pack", d.pack), ("Calendar", d.calendar)):
        lines.append(f"{title}: no changes" if not changes else f"{title}")
        lines.extend(f"  {change_text(c)}" for c in changes)
    for title, section in (
        ("Agencies", d.agencies),
        ("Roles", d.roles),
        ("Parameters", d.parameters),
    ):
        lines.append(f"{title}: no changes" if section.empty else title)
        lines.extend(f"  added {i.name}: {i.summary}" for i in section.added)
        lines.extend(f"  removed {i.name}: {i.summary}" for i in section.removed)
        for item in section.changed:
            lines.append(f"  changed {item.name}:")
            lines.extend(f"    {change_text(c)}" for c in item.changes)
    if not (d.rules_added or d.rules_removed or d.rules_changed):
        lines.append("Rules: no changes")
        return "\n".join(lines) + "\n"
    lines.append("Rules")
    for verb, rules in (("added", d.rules_added), ("removed", d.rules_removed)):
        for rule in rules:
            lines.append(f"  {verb} {rule.id} ({rule.strength}): {rule.title}")
            lines.extend(f"    {line}" for line in rule.lines)
            if rule.citation is not None:
                quote = shorten(rule.citation.quote)
                lines.append(f'    cites {rule.citation.source}: "{quote}"')
    for change in d.rules_changed:
        lines.append(f"  changed {rule_heading(change)}: {change.title}")
        lines.extend(f"    {change_text(c)}" for c in change.changes)
    return "\n".join(lines) + "\n"


def _split_pack(d: PackDiff) -> tuple[list[Change], list[Change]]:
    """The pack's changes: its details, and the sentences it does not encode."""
    details = [c for c in d.pack if not c.what.startswith(NOT_ENCODED)]
    return details, [c for c in d.pack if c.what.startswith(NOT_ENCODED)]


def _left_out_counts(left_out: list[Change]) -> tuple[int, int, int]:
    """Sentences not encoded: (added, removed, changed); a sentence whose reason and note
    both changed is one sentence changed."""
    added = sum(c.old is None for c in left_out)
    removed = sum(c.new is None for c in left_out)
    changed = {c.what.rsplit(" ", 1)[0] for c in left_out if None not in (c.old, c.new)}
    return added, removed, len(changed)


def _summary_words(d: PackDiff) -> str:
    """The counts that are not zero: "rules 2 added, 1 changed (1 renamed); ..."."""
    parts = []
    details, left_out = _split_pack(d)
    added, removed, changed = _left_out_counts(left_out)
    summary: dict[str, dict[str, int]] = {}
    for name, counts in d.summary().items():
        if name != "pack":
            summary[name] = counts
            continue
        summary[name] = {**counts, "changed": len(details)}
        summary["sentences not encoded"] = {"added": added, "removed": removed, "changed": changed}
    for name, counts in summary.items():
        if not any(n for verb, n in counts.items() if verb != "unchanged"):
            continue
        words = []
        for verb, n in counts.items():
            if n and verb != "renamed":
                words.append(f"{n} {verb}")
            if verb == "changed" and counts.get("renamed"):
                words[-1] += f" ({counts['renamed']} renamed)"
        parts.append(("pack details" if name == "pack" else name) + " " + ", ".join(words))
    return "; ".join(parts)


# --- a pack diff as Markdown ---------------------------------------------------------------------


def pack_diff_markdown(d: PackDiff) -> str:
    """A pack diff as a Markdown document (the generated docs/policies/*-to-*.md)."""
    old, new = d.old, d.new
    out = [
        f"# Policy pack changes: {md(old.id)} -> {md(new.id)}",
        "",
        f"Produced by `safeguard-rules diff` from the packs `{old.id}` and `{new.id}`; "
        "do not edit by hand.",
        "",
        "| | old | new |",
        "|---|---|---|",
        f"| pack | `{old.id}` | `{new.id}` |",
        f"| title | {md(old.title)} | {md(new.title)} |",
        f"| version | {md(old.version)} | {md(new.version)} |",
        f"| effective | {_period(old)} | {_period(new)} |",
        "",
    ]
    if d.empty:
        return "\n".join([*out, "No differences.", ""])
    s = d.summary()
    rules = s["rules"]
    renamed = f" ({rules['renamed']} renamed)" if rules["renamed"] else ""
    out += [
        "## Summary",
        "",
        "| | added | removed | changed | unchanged |",
        "|---|---:|---:|---:|---:|",
        f"| rules | {rules['added']} | {rules['removed']} | {rules['changed']}{renamed} "
        f"| {rules['unchanged']} |",
    ]
    for name in ("parameters", "roles", "agencies"):
        c = s[name]
        out.append(f"| {name} | {c['added']} | {c['removed']} | {c['changed']} | |")
    details, left_out = _split_pack(d)
    added, removed, changed = _left_out_counts(left_out)
    out += [
        f"| sentences not encoded | {added} | {removed} | {changed} | |",
        f"| calendar | | | {len(d.calendar)} | |",
        f"| pack details | | | {len(details)} | |",
        "",
    ]
    for title, changes in (
        ("Pack details", details),
        ("Sentences not encoded", left_out),
        ("Calendar", d.calendar),
    ):
        out += [f"## {title}", ""]
        out += [line for c in changes for line in change_markdown(c)] or ["No changes."]
        out.append("")
    for title, section in (
        ("Agencies", d.agencies),
        ("Roles", d.roles),
        ("Parameters", d.parameters),
    ):
        out += [f"## {title}", ""]
        if section.empty:
            out += ["No changes.", ""]
            continue
        out += [f"- added `{i.name}`: {md(i.summary)}" for i in section.added]
        out += [f"- removed `{i.name}`: {md(i.summary)}" for i in section.removed]
        for item in section.changed:
            out.append(f"- changed `{item.name}`:")
            out += [f"  {line}" for c in item.changes for line in change_markdown(c)]
        out.append("")
    out += ["## Rules", ""]
    for title, summaries in (("Added", d.rules_added), ("Removed", d.rules_removed)):
        out += [f"### {title}", ""]
        if not summaries:
            out += ["None.", ""]
        for rule in summaries:
            out += [f"#### `{rule.id}`", "", f"{md(rule.title)} ({rule.strength})", ""]
            out += [f"- {md(line)}" for line in rule.lines]
            if rule.citation is not None:
                out.append(f'- cites {rule.citation.source}: "{md(rule.citation.quote)}"')
            out.append("")
    out += ["### Changed", ""]
    if not d.rules_changed:
        out += ["None.", ""]
    for change in d.rules_changed:
        out += [f"#### `{change.id}`", ""]
        if change.renamed:
            out += [
                f"Renamed from `{change.old_id}` (paired by {md(change.paired_by or '')}).",
                "",
            ]
        out += [md(change.title), ""]
        out += [line for c in change.changes for line in change_markdown(c)]
        out.append("")
    if d.rules_unchanged:
        out += ["### Unchanged", ""]
        out.append(", ".join(f"`{rule_id}`" for rule_id in d.rules_unchanged))
        out.append("")
    return "\n".join(out)


# --- what two packs make of the same events --------------------------------------------------


def _obligation_words(o: Obligation) -> str:
    return (
        f"{o.child_id}: {o.action} by {o.responsible} for {', '.join(o.triggered_by)}, "
        f"{'due ' + describe_moment(o.due) if o.due else 'no deadline'}, {o.status} "
        f"(rule {o.rule})"
    )


def _finding_words(f: Finding) -> str:
    at = f" at {f.event}" if f.event else ""
    return f"{f.child_id}: {f.severity} {f.kind}{at}: {f.message} (rule {f.rule})"


def _obligation_change_words(change: ObligationChange) -> str:
    o, n = change.old, change.new
    rule = o.rule if o.rule == n.rule else f"{o.rule} -> {n.rule}"
    return f"{n.child_id}: {n.action} for {', '.join(n.triggered_by)} (rule {rule})"


Group = tuple[str, list[str], list[list[str]]]


def _groups(d: EvaluationDiff) -> list[Group]:
    """(heading, lines, sub-lines per line) for each group, in output order."""
    return [
        (
            f"obligations only under {d.old_pack}",
            [_obligation_words(o) for o in d.only_old],
            [[] for _ in d.only_old],
        ),
        (
            f"obligations only under {d.new_pack}",
            [_obligation_words(o) for o in d.only_new],
            [[] for _ in d.only_new],
        ),
        (
            "obligations under both, changed",
            [_obligation_change_words(c) for c in d.changed],
            [[change_text(ch) for ch in c.changes] for c in d.changed],
        ),
        (
            f"findings only under {d.old_pack}",
            [_finding_words(f) for f in d.findings_only_old],
            [[] for _ in d.findings_only_old],
        ),
        (
            f"findings only under {d.new_pack}",
            [_finding_words(f) for f in d.findings_only_new],
            [[] for _ in d.findings_only_new],
        ),
    ]


def _events_heading(d: EvaluationDiff) -> str:
    return f"{d.evaluated} events under {d.old_pack} and {d.new_pack}, as of {iso(d.as_of)}"


def evaluation_diff_text(d: EvaluationDiff) -> str:
    lines = [f"Events: {_events_heading(d)}"]
    if d.empty:
        return "\n".join([*lines, "  no differences in obligations or findings"]) + "\n"
    for heading, items, subs in _groups(d):
        if not items:
            continue
        lines.append(f"  {heading}")
        for item, sub in zip(items, subs, strict=True):
            lines.append(f"    {item}")
            lines.extend(f"      {s}" for s in sub)
    return "\n".join(lines) + "\n"


def evaluation_diff_markdown(d: EvaluationDiff) -> str:
    out = ["## Events", "", md(_events_heading(d)) + ".", ""]
    if d.empty:
        return "\n".join([*out, "No differences in obligations or findings.", ""])
    for heading, items, subs in _groups(d):
        if not items:
            continue
        out += [f"### {md(heading[0].upper() + heading[1:])}", ""]
        for item, sub in zip(items, subs, strict=True):
            out.append(f"- {md(item)}")
            out += [f"  - {md(s)}" for s in sub]
        out.append("")
    return "\n".join(out)


# --- reporters chosen by name ----------------------------------------------------------------


def _text(packs: PackDiff, events: EvaluationDiff | None) -> str:
    return pack_diff_text(packs) + (evaluation_diff_text(events) if events else "")


def _markdown(packs: PackDiff, events: EvaluationDiff | None) -> str:
    text = pack_diff_markdown(packs)
    return text + ("\n" + evaluation_diff_markdown(events) if events else "")


def _json(packs: PackDiff, events: EvaluationDiff | None) -> str:
    return replace(packs, events=events).to_json()


FORMATS: dict[str, Callable[[PackDiff, EvaluationDiff | None], str]] = {
    "text": _text,
    "markdown": _markdown,
    "json": _json,
}


def render_diff(packs: PackDiff, events: EvaluationDiff | None = None, fmt: str = "text") -> str:
    """A pack diff (and, given, the diff of what both packs make of one event stream) in
    the format named ``fmt``: one of :data:`FORMATS`."""
    return FORMATS[fmt](packs, events)
