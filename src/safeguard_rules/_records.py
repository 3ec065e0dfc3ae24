"""Results as rows: one obligation or finding per row, in flat columns (docs/output.md).

For systems that keep results in a table (a database, a spreadsheet, pandas or polars):
``Evaluation.to_records()`` gives the rows as dicts, and ``evaluate --format csv`` /
``--format jsonl`` write the same columns. Each row names its pack and ``as_of`` and
carries the keys that join it back to the input: the child, the event that triggered the
obligation (or that the finding is about) and, when the events say it, the source record
the importer read that event from (``attributes.source_record``).

Rows are built as tuples in :data:`COLUMNS` order, once per result; the writers turn
instants into ISO 8601 text and hand batches to the C ``csv`` writer or to pydantic-core.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import IO, Any, Final

import pydantic_core

from . import _wire
from ._events import BaseEvent
from ._result import Evaluation, Finding, Obligation

RECORD_OBLIGATION: Final = "obligation"
RECORD_FINDING: Final = "finding"

# The columns, in order. docs/output.md says what each holds.
COLUMNS: Final = (
    "record",
    "id",
    "child_id",
    "trigger_event",
    "source_record",
    "rule",
    "status",
    "kind",
    "severity",
    "basis",
    "parameter",
    "action",
    "route",
    "responsible",
    "copied_in",
    "triggered_by",
    "triggered_at",
    "due",
    "due_basis",
    "due_case",
    "met_by",
    "met_at",
    "cancelled_by",
    "escalation_action",
    "escalation_responsible",
    "obligation",
    "event",
    "at",
    "message",
    "citation_source",
    "citation_file",
    "citation_quote",
    "pack_id",
    "pack_version",
    "pack_content_hash",
    "as_of",
)
LIST_SEPARATOR: Final = " "  # ids in one cell (copied_in, triggered_by): no id holds a space

Row = tuple[Any, ...]
Moment = Callable[[datetime | None], Any]


def _keep(value: datetime | None) -> datetime | None:
    return value


def _text(value: datetime | None) -> str | None:
    return None if value is None else _wire.instant(value)


def source_records(events: Iterable[BaseEvent]) -> dict[str, str]:
    """Event id -> ``attributes.source_record`` of every event that has one (as text)."""
    found: dict[str, str] = {}
    for event in events:
        record = event.attributes.get("source_record")
        if record is not None:
            found[event.id] = str(record)
    return found


def rows(
    evaluation: Evaluation,
    sources: Mapping[str, str] | None = None,
    moment: Moment = _keep,
) -> Iterator[Row]:
    """The rows of ``evaluation``, child by child (in result order): each child's
    obligations, then its findings, so that rows written one child at a time (``--stream``)
    are the same. ``sources`` maps event ids to their source records; ``moment`` writes
    instants (kept as datetimes by default)."""
    sources = sources or {}
    pack = evaluation.pack
    tail = (pack.id, pack.version, pack.content_hash, moment(evaluation.as_of))
    obligations, findings = evaluation.obligations, evaluation.findings
    i = j = 0
    while i < len(obligations) or j < len(findings):
        # Both lists are ordered by child id first: take the smaller child's results.
        if j == len(findings) or (
            i < len(obligations) and obligations[i].child_id <= findings[j].child_id
        ):
            child = obligations[i].child_id
        else:
            child = findings[j].child_id
        while i < len(obligations) and obligations[i].child_id == child:
            yield _obligation_row(obligations[i], sources, moment, tail)
            i += 1
        while j < len(findings) and findings[j].child_id == child:
            yield _finding_row(findings[j], sources, moment, tail)
            j += 1


def _obligation_row(o: Obligation, sources: Mapping[str, str], moment: Moment, tail: Row) -> Row:
    trigger = o.id[len(o.rule) + 1 :]  # the id is rule/trigger event
    escalation = o.escalation
    citation = o.citation
    return (
        RECORD_OBLIGATION,
        o.id,
        o.child_id,
        trigger,
        sources.get(trigger),
        o.rule,
        o.status,
        None,
        o.strength,
        o.basis,
        o.parameter,
        o.action,
        o.route,
        o.responsible,
        LIST_SEPARATOR.join(o.copied_in),
        LIST_SEPARATOR.join(o.triggered_by),
        moment(o.triggered_at),
        moment(o.due),
        o.due_basis,
        o.due_case,
        o.met_by,
        moment(o.met_at),
        o.cancelled_by,
        None if escalation is None else escalation.action,
        None if escalation is None else escalation.responsible,
        None,
        None,
        None,
        None,
        None if citation is None else citation.source,
        None if citation is None else citation.file,
        None if citation is None else citation.quote,
        *tail,
    )


def _finding_row(f: Finding, sources: Mapping[str, str], moment: Moment, tail: Row) -> Row:
    trigger = f.trigger_event
    citation = f.citation
    return (
        RECORD_FINDING,
        f.id,
        f.child_id,
        trigger,
        sources.get(trigger),
        f.rule,
        None,
        f.kind,
        f.severity,
        f.basis,
        f.parameter,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        f.obligation,
        f.event,
        moment(f.at),
        f.message,
        None if citation is None else citation.source,
        None if citation is None else citation.file,
        None if citation is None else citation.quote,
        *tail,
    )


def records(
    evaluation: Evaluation, events: Iterable[BaseEvent] | None = None
) -> list[dict[str, Any]]:
    """:meth:`Evaluation.to_records`."""
    sources = source_records(events) if events is not None else None
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows(evaluation, sources)]


# --- writers -------------------------------------------------------------------------------


CSV_HEADER: Final = (",".join(COLUMNS) + "\r\n").encode("utf-8")


def write_csv(
    out: IO[bytes],
    evaluation: Evaluation,
    sources: Mapping[str, str] | None = None,
    *,
    header: bool = False,
) -> None:
    """The rows as CSV (RFC 4180: comma, double quotes where needed, CRLF), after the
    header line if ``header``; an absent value is an empty cell."""
    if header:
        out.write(CSV_HEADER)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for batch in _wire.batches(rows(evaluation, sources, _text)):
        writer.writerows(batch)
        out.write(text.getvalue().encode("utf-8"))
        text.seek(0)
        text.truncate()


def write_jsonl(
    out: IO[bytes], evaluation: Evaluation, sources: Mapping[str, str] | None = None
) -> None:
    """The rows as JSON Lines: one compact object per row, keys in column order."""
    to_json = pydantic_core.to_json
    for batch in _wire.batches(rows(evaluation, sources, _text)):
        out.write(
            b"".join([to_json(dict(zip(COLUMNS, row, strict=True))) + b"\n" for row in batch])
        )
