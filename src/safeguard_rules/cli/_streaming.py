"""``evaluate --stream`` and ``sort-events``: input larger than memory (docs/scaling.md).

``--stream --format json`` writes exactly the document ``evaluate --format json`` writes
(byte for byte), holding one child in memory: each child's results are encoded as the
child finishes and kept in temporary files until the account, which JSON's sorted keys
put first, is known. ``--format jsonl`` writes each child's results as soon as the child
is done, one JSON object per line.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import click

from .._compile import CompiledPack
from .._errors import SafeguardRulesError
from .._evaluate import sort_rejections
from .._event_files import EventLimits
from .._mapping import EventMapping, EventMappingError, load_mapping
from .._result import Account, Evaluation, PackStamp, Rejection
from .._sort import SortError, sort_events_by_child
from .._streaming import evaluate_stream, read_events_lazily
from ._common import EXIT_PROBLEMS, echo, fail, print_diagnostics, safe

STREAM_FORMATS = ("json", "jsonl")


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
    as_of: datetime,
    fmt: str,
    paths: Sequence[Path],
    limits: EventLimits,
    mapping: EventMapping | None,
) -> None:
    """``evaluate --stream``: exits 1 when records were rejected or the input is not
    grouped by child (then the output is incomplete: discard it)."""
    if fmt not in STREAM_FORMATS:
        raise fail("--stream writes --format json or --format jsonl")
    items = read_events_lazily(paths, limits=limits, mapping=mapping)
    parts = evaluate_stream(pack, items, as_of)
    out = sys.stdout.buffer
    stamp = PackStamp(pack.id, pack.version, pack.content_hash)
    try:
        if fmt == "jsonl":
            account = _write_jsonl(parts, out)
        else:
            account = _write_json(parts, out, stamp, as_of)
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


def _line(kind: str, data: dict[str, Any]) -> bytes:
    record = {"record": kind, **data}
    return (json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _write_jsonl(parts: Iterator[Evaluation], out: IO[bytes]) -> Account:
    """One line per obligation, finding and rejection as each child finishes; a last line
    with the pack, as_of and the account's counts."""
    rejected: list[Rejection] = []
    received = evaluated = 0
    first: Evaluation | None = None
    for part in parts:
        first = first or part
        chunk = [_line("obligation", o.to_dict()) for o in part.obligations]
        chunk += [_line("finding", f.to_dict()) for f in part.findings]
        chunk += [_line("rejected", r.to_dict()) for r in part.account.rejected]
        out.write(b"".join(chunk))
        out.flush()
        rejected.extend(part.account.rejected)
        received += part.account.received
        evaluated += part.account.evaluated
    sort_rejections(rejected)
    account = Account(received, evaluated, tuple(rejected))
    if first is not None:
        summary = first.to_dict()
        out.write(
            _line(
                "account",
                {
                    "pack": summary["pack"],
                    "as_of": summary["as_of"],
                    "received": received,
                    "evaluated": evaluated,
                    "rejected": len(rejected),
                },
            )
        )
    out.flush()
    return account


# --- the JSON document, from spooled parts ---------------------------------------------------

_FILL = "\0fill:{}\0"
_ITEM_INDENT = {"obligations": 4, "findings": 4, "rejected": 6}  # json.dumps(indent=2) depths


def _encode(item: dict[str, Any], indent: int) -> str:
    inner = "\n" + " " * indent
    return inner + json.dumps(item, sort_keys=True, indent=2, ensure_ascii=False).replace(
        "\n", inner
    )


class _Spool:
    """Each child's encoded results in a temporary file, found again by child id."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.blocks: list[tuple[str, int, int]] = []  # child id, offset, length
        self.size = 0

    def add(self, child: str, items: Iterable[dict[str, Any]]) -> None:
        data = ",".join(_encode(item, _ITEM_INDENT[self.name]) for item in items).encode("utf-8")
        if data:
            self.file.write(data)
            self.blocks.append((child, self.size, len(data)))
            self.size += len(data)

    def copy_to(self, out: IO[bytes]) -> None:
        """The list's text, ``[...]``, children in result order (by id)."""
        if not self.blocks:
            out.write(b"[]")
            return
        self.file.flush()
        self.blocks.sort()  # children in id order; one block per child
        out.write(b"[")
        for i, (_child, offset, length) in enumerate(self.blocks):
            if i:
                out.write(b",")
            self.file.seek(offset)
            out.write(self.file.read(length))
        indent = _ITEM_INDENT[self.name] - 2
        out.write(("\n" + " " * indent + "]").encode("utf-8"))

    def close(self) -> None:
        self.file.close()


def _write_json(
    parts: Iterator[Evaluation], out: IO[bytes], stamp: PackStamp, as_of: datetime
) -> Account:
    """The document ``Evaluation.to_json()`` gives for all the parts merged."""
    spools = {name: _Spool(name) for name in ("obligations", "findings")}
    rejected: list[Rejection] = []
    received = evaluated = 0
    try:
        for part in parts:
            if part.obligations:
                child = part.obligations[0].child_id
                spools["obligations"].add(child, (o.to_dict() for o in part.obligations))
            if part.findings:
                child = part.findings[0].child_id
                spools["findings"].add(child, (f.to_dict() for f in part.findings))
            rejected.extend(part.account.rejected)
            received += part.account.received
            evaluated += part.account.evaluated
        sort_rejections(rejected)
        account = Account(received, evaluated, tuple(rejected))
        skeleton = Evaluation(stamp, as_of, (), (), Account(received, evaluated, ()))
        document = skeleton.to_dict()
        document["obligations"] = _FILL.format("obligations")
        document["findings"] = _FILL.format("findings")
        document["account"]["rejected"] = _FILL.format("rejected")
        text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        for piece, fill in _pieces(text):
            out.write(piece.encode("utf-8"))
            if fill == "rejected":
                indent = _ITEM_INDENT["rejected"]
                items = ",".join(_encode(r.to_dict(), indent) for r in rejected)
                end = "\n" + " " * (indent - 2) + "]"
                out.write(("[" + items + end if items else "[]").encode("utf-8"))
            elif fill is not None:
                spools[fill].copy_to(out)
        out.flush()
        return account
    finally:
        for spool in spools.values():
            spool.close()


def _pieces(text: str) -> Iterator[tuple[str, str | None]]:
    """``text`` split at the fill placeholders (as json.dumps escapes them)."""
    position = 0
    while True:
        start = text.find('"\\u0000fill:', position)
        if start < 0:
            yield text[position:], None
            return
        end = text.index('\\u0000"', start + 12) + 7
        yield text[position:start], text[start + 12 : end - 7]
        position = end


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
