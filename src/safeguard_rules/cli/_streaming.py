"""``evaluate --stream`` and ``sort-events``: input larger than memory (docs/scaling.md).

``--stream --format json`` writes exactly the document ``evaluate --format json`` writes
(byte for byte), holding one child in memory: each child's results are encoded as the
child finishes and kept in temporary files until the account, which JSON's sorted keys
put first, is known. ``--format jsonl`` and ``--format csv`` write each child's results
as soon as the child is done, one row per obligation or finding (docs/output.md), with
the source record of each trigger event, which is kept only until its child is written.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import click

from .. import _wire
from .._compile import CompiledPack
from .._engine import engine_stamp
from .._errors import SafeguardRulesError
from .._evaluate import as_of_instant, sort_rejections
from .._event_files import EventLimits
from .._mapping import EventMapping, EventMappingError, load_mapping
from .._records import CSV_HEADER, write_csv, write_jsonl
from .._result import (
    Account,
    Evaluation,
    Finding,
    LinesSummary,
    Obligation,
    PackStamp,
    Rejection,
    Undetermined,
)
from .._sort import SortError, sort_events_by_child
from .._streaming import LocatedEvent, StreamItem, evaluate_stream, read_events_lazily
from ._common import EXIT_PROBLEMS, echo, fail, print_diagnostics, safe

STREAM_FORMATS = ("json", "jsonl", "csv")
ROW_FORMATS = ("jsonl", "csv")


def mapping_option(value: Path | None) -> EventMapping | None:
    """The ``--mapping FILE`` of a command, or a usage error naming what is wrong."""
    if value is None:
        return None
    try:
        return load_mapping(value)
    except EventMappingError as exc:
        print_diagnostics(exc.diagnostics)
        raise click.exceptions.Exit(EXIT_PROBLEMS) from exc


def evaluate_streaming(
    pack: CompiledPack,
    as_of: datetime | date,
    fmt: str,
    paths: Sequence[Path],
    limits: EventLimits,
    mapping: EventMapping | None,
) -> None:
    """``evaluate --stream``: exits 1 when records were rejected or the input is not
    grouped by child (then the output is incomplete: discard it)."""
    if fmt not in STREAM_FORMATS:
        raise fail("--stream writes --format jsonl, json or csv")
    as_of = as_of_instant(pack, as_of)  # a date: the end of that local day
    items = read_events_lazily(paths, limits=limits, mapping=mapping, vocabulary=pack.vocabulary)
    sources = _SourceRecords()
    parts = evaluate_stream(pack, sources.watch(items), as_of)
    out = sys.stdout.buffer
    try:
        if fmt in ROW_FORMATS:
            account = _write_rows(parts, out, fmt, sources)
        else:
            account = _write_json(parts, out, pack, as_of)
    except FileNotFoundError as exc:
        raise fail(f"cannot read {exc.filename}: {exc.strerror}") from exc
    except OSError as exc:
        if exc.filename is None:
            raise
        raise fail(f"cannot read {exc.filename}: {exc.strerror}") from exc
    except SafeguardRulesError as exc:  # NotGroupedError: a clear error, never a wrong answer
        raise fail(str(exc), EXIT_PROBLEMS) from exc
    for rejection in account.rejected:
        echo(f"rejected: {safe(rejection)}", err=True)
    if account.rejected:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


# --- rows: JSON Lines and CSV ----------------------------------------------------------------


def write_rows(
    out: IO[bytes], fmt: str, result: Evaluation, sources: dict[str, str], *, first: bool
) -> None:
    """``result``'s rows in ``fmt`` (the CSV header before the ``first`` part's); JSON
    Lines also get a line per rejection."""
    if fmt == "csv":
        write_csv(out, result, sources, header=first)
    else:
        write_jsonl(out, result, sources)
        out.write(b"".join(_wire.record_lines(Rejection, "rejected", result.account.rejected)))
    out.flush()


def write_lines_end(out: IO[bytes], decided: Evaluation, account: Account) -> None:
    """The last line of JSON Lines results: format, pack, engine, as_of and the counts."""
    summary = LinesSummary(
        decided.pack,
        decided.engine,
        decided.as_of,
        account.received,
        account.evaluated,
        len(account.rejected),
        account.cannot_evaluate,
    )
    out.write(_wire.record_line(summary, "account"))
    out.flush()


class _SourceRecords:
    """``attributes.source_record`` of the events read, by child, until the child's rows
    are written (so memory stays bounded by one child's history)."""

    def __init__(self) -> None:
        self.by_child: dict[str, dict[str, str]] = {}
        self.last: str | None = None

    def watch(self, items: Iterator[StreamItem]) -> Iterator[StreamItem]:
        for item in items:
            event = item.event if isinstance(item, LocatedEvent) else item
            if isinstance(event, Rejection):
                yield item
                continue
            if event.child_id != self.last:
                # The child before the last one has been written (its part came out when
                # the last one's first event was read): a child without results is dropped.
                self.by_child = {self.last: self.by_child.get(self.last, {})} if self.last else {}
                self.last = event.child_id
            record = event.attributes.get("source_record")
            if record is not None:
                self.by_child.setdefault(event.child_id, {})[event.id] = str(record)
            yield item

    def of(self, part: Evaluation) -> dict[str, str]:
        results = part.obligations or part.findings or part.undetermined
        return self.by_child.get(results[0].child_id, {}) if results else {}


def _write_rows(
    parts: Iterator[Evaluation], out: IO[bytes], fmt: str, sources: _SourceRecords
) -> Account:
    """Each child's rows as the child finishes; for JSON Lines, a last line with the format,
    pack, engine, as_of and the account's counts."""
    rejected: list[Rejection] = []
    received = evaluated = unknown = 0
    first: Evaluation | None = None
    for part in parts:
        write_rows(out, fmt, part, sources.of(part), first=first is None)
        first = first or part
        rejected.extend(part.account.rejected)
        received += part.account.received
        evaluated += part.account.evaluated
        unknown += part.account.cannot_evaluate
    sort_rejections(rejected)
    account = Account(received, evaluated, tuple(rejected), unknown)
    if first is None and fmt == "csv":
        out.write(CSV_HEADER)
    if first is not None and fmt == "jsonl":
        write_lines_end(out, first, account)
    out.flush()
    return account


# --- the JSON document, from spooled parts ---------------------------------------------------


class _Spool:
    """Each child's encoded results in a temporary file, found again by child id."""

    def __init__(self, item_type: type) -> None:
        self.item_type = item_type
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.blocks: list[tuple[str, int, int]] = []  # child id, offset, length
        self.size = 0

    def add(self, child: str, items: Sequence[Any]) -> None:
        data = _wire.encode_items(self.item_type, items)
        if data:
            self.file.write(data)
            self.blocks.append((child, self.size, len(data)))
            self.size += len(data)

    def write(self, out: IO[bytes], indent: int) -> None:
        """The list, children in result order (by id)."""
        self.file.flush()
        self.blocks.sort()  # children in id order; one block per child
        _wire.write_pieces(out, self._pieces(), indent)

    def _pieces(self) -> Iterator[bytes]:
        for _child, offset, length in self.blocks:
            self.file.seek(offset)
            yield self.file.read(length)

    def close(self) -> None:
        self.file.close()


def _write_json(
    parts: Iterator[Evaluation], out: IO[bytes], pack: CompiledPack, as_of: datetime
) -> Account:
    """The document ``Evaluation.to_json()`` gives for all the parts merged."""
    obligations, findings = _Spool(Obligation), _Spool(Finding)
    undetermined = _Spool(Undetermined)
    rejected: list[Rejection] = []
    received = evaluated = unknown = 0
    engine = None
    try:
        for part in parts:
            engine = engine or part.engine
            if part.obligations:
                obligations.add(part.obligations[0].child_id, part.obligations)
            if part.findings:
                findings.add(part.findings[0].child_id, part.findings)
            if part.undetermined:
                undetermined.add(part.undetermined[0].child_id, part.undetermined)
            rejected.extend(part.account.rejected)
            received += part.account.received
            evaluated += part.account.evaluated
            unknown += part.account.cannot_evaluate
        sort_rejections(rejected)
        account = Account(received, evaluated, tuple(rejected), unknown)
        stamp = PackStamp(pack.id, pack.version, pack.content_hash)
        engine = engine or engine_stamp(pack.calendar.tz.key)
        skeleton = Evaluation(
            stamp, as_of, (), (), Account(received, evaluated, (), unknown), engine
        )
        _wire.write_document(
            out,
            skeleton,
            {
                ("obligations",): obligations.write,
                ("findings",): findings.write,
                ("undetermined",): undetermined.write,
                ("account", "rejected"): _wire.items(Rejection, rejected),
            },
        )
        return account
    finally:
        obligations.close()
        findings.close()
        undetermined.close()


# --- sort-events --------------------------------------------------------------------------


@click.command("sort-events")
@click.argument("events", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write."
)
@click.option(
    "--mapping",
    type=click.Path(path_type=Path),
    help="Event mapping file: the child id is read from the key it renames to child_id.",
)
@click.option(
    "--buffer-mib",
    type=click.IntRange(min=1),
    default=256,
    show_default=True,
    help="Lines held in memory at once; larger input is sorted in runs on disk.",
)
def sort_events(
    events: tuple[Path, ...], output: Path, mapping: Path | None, buffer_mib: int
) -> None:
    """Write the JSON Lines EVENTS to OUTPUT grouped by child, for evaluate --stream.

    Stable (each child's lines keep their order) and lossless: lines that are not a JSON
    object with a child id come first, for evaluate to reject with their reason. Memory is
    bounded by --buffer-mib, not by the input (docs/scaling.md).
    """
    chosen = mapping_option(mapping)
    if any(Path(e).resolve() == output.resolve() for e in events if str(e) != "-"):
        raise fail("--output must not be one of the input files")
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("wb") as out:
            summary = sort_events_by_child(
                events, out, mapping=chosen, buffer_bytes=buffer_mib * 1024 * 1024
            )
    except SortError as exc:
        partial.unlink(missing_ok=True)
        raise fail(str(exc), EXIT_PROBLEMS) from exc
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise fail(f"cannot sort: {exc.filename or ''}: {exc.strerror}") from exc
    partial.replace(output)
    echo(
        f"sorted {summary.lines:,} lines of {summary.children:,} children into {safe(output)}"
        + (f" ({summary.unkeyed:,} lines without a child id first)" if summary.unkeyed else ""),
        err=True,
    )
