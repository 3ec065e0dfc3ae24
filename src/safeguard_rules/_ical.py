"""Open obligations as iCalendar to-dos (VTODO), for the calendar people already use.

Each obligation that is not done (not met, met late or cancelled) becomes one VTODO:

* ``UID`` is a UUID derived from the pack id and the obligation id (which is the rule id
  and the triggering event's id), so importing a newer file updates the same to-do instead
  of adding a second one; a deadline that moves changes ``DUE``, never the ``UID``;
* ``DUE`` is the deadline in the pack's time zone (``DUE;TZID=Europe/London:...``), with
  the ``VTIMEZONE`` it needs; ``DTSTART`` is the trigger;
* ``DESCRIPTION`` says who must do what, why, and quotes the source sentence.

An obligation that cannot be evaluated (``cannot_evaluate``: its outcome depends on a value
the records do not give) is a to-do only while nothing has met or cancelled it: it may
still be owed, so it is listed, with ``[cannot evaluate]`` in its summary and the missing
values in its description. Once an event has met it, the only open question is whether
that was in time, which is not a to-do, so it is left out. A trigger known only by its
date gives no ``DTSTART`` when the to-do has a ``DUE`` (RFC 5545 wants both of one value
type, and a clock time would be invented); without a ``DUE`` its ``DTSTART`` is the date.

The file depends only on the evaluation: ``DTSTAMP`` is the evaluation's ``as_of``, not
the time the file was written, so the same input gives byte-identical output. The
``icalendar`` library is imported when a file is made, not by ``import safeguard_rules``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC

from ._compile import CompiledPack
from ._result import Evaluation, Obligation, iso

# Statuses that need nothing more; every other one (open, overdue, and any status a
# later version adds, such as cannot_evaluate) is still someone's to-do.
DONE = frozenset({"met", "met_late", "cancelled"})

# UIDs are uuid5(UID_NAMESPACE, "<pack id>\n<obligation id>"): fixed forever, or every
# calendar that imported an earlier file would get duplicates.
UID_NAMESPACE = uuid.UUID("5b0b5b6e-2f0c-5a43-9d55-7a1b3c2e4f10")
PRODID = "-//safeguard-rules//open obligations//EN"


def obligation_uid(pack_id: str, obligation_id: str) -> str:
    """The stable UID of an obligation's to-do."""
    name = pack_id + "\n" + obligation_id
    return f"{uuid.uuid5(UID_NAMESPACE, name)}@safeguard-rules"


def open_obligations(
    evaluation: Evaluation,
    roles: Iterable[str] | None = None,
    children: Iterable[str] | None = None,
) -> list[Obligation]:
    """The obligations ``to_ical`` writes: not done, optionally for some roles/children."""
    role_set = None if roles is None else set(roles)
    child_set = None if children is None else set(children)
    return [
        o
        for o in evaluation.obligations
        if o.status not in DONE
        and not (o.status == "cannot_evaluate" and (o.met_by or o.cancelled_by))
        and (role_set is None or o.responsible in role_set)
        and (child_set is None or o.child_id in child_set)
    ]


def _description(pack: CompiledPack, evaluation: Evaluation, o: Obligation) -> str:
    roles = pack.pack.roles
    try:
        title = pack.rule(o.rule).title
    except KeyError:
        title = o.rule
    role = roles[o.responsible].title if o.responsible in roles else o.responsible
    lines = [
        title,
        f"Action: {o.action}, for child {o.child_id}.",
        f"Responsible: {role} ({o.responsible})."
        + (f" Copied in: {', '.join(o.copied_in)}." if o.copied_in else ""),
        f"Status as at {iso(evaluation.as_of)}: {o.status.replace('_', ' ')}.",
    ]
    if o.due is not None:
        basis = getattr(o, "basis", None)  # arriving with local defaults; read defensively
        parameter = getattr(o, "parameter", None)
        local = (
            f" Local {'default' if basis == 'local_default' else 'override'}"
            + (f" (parameter {parameter})" if parameter else "")
            + ": the source does not set this timescale."
            if basis in ("local_default", "local_override")
            else ""
        )
        lines.append(f"Due {iso(o.due.astimezone(pack.calendar.tz))}: {o.due_basis}.{local}")
    elif o.status == "cannot_evaluate":
        lines.append(f"Deadline not known: {o.due_basis}.")
    else:
        lines.append("No deadline: the source sets no timescale.")
    if o.status == "cannot_evaluate":
        lines.append(
            f"Cannot evaluate: {o.reason or 'a value the outcome depends on is not recorded'}."
            + (f" Not recorded: {', '.join(o.missing)}." if o.missing else "")
        )
    if o.escalation is not None and o.status == "overdue":
        e = o.escalation
        lines.append(
            f"Escalation: {e.action} by {e.responsible}"
            + (f", then {' -> '.join(e.onward)}" if e.onward else "")
            + "."
        )
    when = iso(o.triggered_at) if o.triggered_at is not None else f"on {o.triggered_on}"
    lines.append(f"Triggered {when} by {', '.join(o.triggered_by)}.")
    if o.citation is not None:
        lines.append(f'Source: {o.citation.source} ({o.source_file}): "{o.citation.quote}"')
    stamp = evaluation.pack
    lines.append(
        f"Obligation {o.id}; pack {stamp.id} version {stamp.version} ({stamp.content_hash})."
    )
    return "\n".join(lines)


def to_ical(
    pack: CompiledPack,
    evaluation: Evaluation,
    *,
    roles: Iterable[str] | None = None,
    children: Iterable[str] | None = None,
) -> bytes:
    """The open obligations of ``evaluation`` as an iCalendar file (VTODOs).

    ``roles`` and ``children`` keep only the obligations whose responsible role / child
    is among them (``None``: all). Returns the file's bytes (CRLF line ends, UTF-8).
    """
    import icalendar  # a calendar dependency, imported only when a file is made

    tz = pack.calendar.tz
    stamp = evaluation.pack
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{stamp.id}: open obligations as at {iso(evaluation.as_of)}")
    dtstamp = evaluation.as_of.astimezone(UTC)
    selected = open_obligations(evaluation, roles, children)
    selected.sort(
        key=lambda o: (
            o.due is None,
            o.due or pack.calendar.end_of_day(o.triggered_on),
            o.child_id,
            o.id,
        )
    )
    for o in selected:
        todo = icalendar.Todo()
        todo.add("uid", obligation_uid(stamp.id, o.id))
        todo.add("dtstamp", dtstamp)
        label = "[cannot evaluate] " if o.status == "cannot_evaluate" else ""
        todo.add("summary", f"{label}{o.action.replace('_', ' ')}: {o.child_id} ({o.responsible})")
        if o.triggered_at is not None:
            todo.add("dtstart", o.triggered_at.astimezone(tz).replace(microsecond=0))
        elif o.due is None:
            todo.add("dtstart", o.triggered_on)  # a date: the trigger's time is not recorded
        if o.due is not None:
            todo.add("due", o.due.astimezone(tz).replace(microsecond=0))
        todo.add("status", "NEEDS-ACTION")
        todo.add("priority", {"must": 1, "should": 5}.get(o.strength, 9))
        todo.add("categories", [o.responsible])
        todo.add("description", _description(pack, evaluation, o))
        todo.add("x-safeguard-obligation", o.id)
        todo.add("x-safeguard-child", o.child_id)
        todo.add("x-safeguard-status", o.status)
        calendar.add_component(todo)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
