"""What two packs make of the same events: obligations and findings paired and compared."""

from __future__ import annotations

from collections.abc import Mapping

from .._result import Evaluation, Finding, Obligation
from .._wording import describe_moment
from ._describe import add_change
from ._match import finding_event, pair_up
from ._model import Change, EvaluationDiff, ObligationChange


def _obligation_changes(old: Obligation, new: Obligation) -> list[Change]:
    out: list[Change] = []
    add_change(out, "due", describe_moment(old.due), describe_moment(new.due))
    add_change(out, "status", old.status, new.status)
    add_change(out, "responsible", old.responsible, new.responsible)
    add_change(
        out, "copied in", ", ".join(old.copied_in) or "nobody", ", ".join(new.copied_in) or "nobody"
    )
    add_change(out, "strength", old.strength, new.strength)
    return out


def diff_evaluations(
    old: Evaluation, new: Evaluation, rule_pairs: Mapping[str, str] | None = None
) -> EvaluationDiff:
    """Compare two evaluations of the same events.

    Obligations match by child, trigger events and action. Findings match by child, kind,
    event and rule, with old rule ids mapped through ``rule_pairs`` (old id -> new id,
    from :meth:`PackDiff.rule_pairs`) so a renamed rule's findings still match.
    """
    pairs = rule_pairs or {}

    def obligation_key(o: Obligation) -> tuple[str, tuple[str, ...], str]:
        return o.child_id, o.triggered_by, o.action

    only_old, only_new, both = pair_up(
        old.obligations, new.obligations, obligation_key, obligation_key
    )
    changed = []
    for a, b in both:
        changes = _obligation_changes(a, b)
        if changes:
            changed.append(ObligationChange(a, b, tuple(changes)))

    def old_finding_key(f: Finding) -> tuple[str, str, str, str]:
        return f.child_id, f.kind, finding_event(f), pairs.get(f.rule, f.rule)

    def new_finding_key(f: Finding) -> tuple[str, str, str, str]:
        return f.child_id, f.kind, finding_event(f), f.rule

    findings_old, findings_new, _both = pair_up(
        old.findings, new.findings, old_finding_key, new_finding_key
    )
    seen: set[tuple[str | None, str | None, str]] = set()
    rejected = []
    for r in (*old.account.rejected, *new.account.rejected):
        if (r.where, r.event_id, r.reason) not in seen:
            seen.add((r.where, r.event_id, r.reason))
            rejected.append(r)
    return EvaluationDiff(
        old_pack=old.pack.id,
        new_pack=new.pack.id,
        as_of=new.as_of,
        evaluated=new.account.evaluated,
        only_old=tuple(only_old),
        only_new=tuple(only_new),
        changed=tuple(changed),
        findings_only_old=tuple(findings_old),
        findings_only_new=tuple(findings_new),
        rejected=tuple(rejected),
    )
