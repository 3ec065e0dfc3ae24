"""Sorting JSON Lines by child on disk, so that input larger than memory can be streamed.

``evaluate_stream`` and ``evaluate --stream`` need each child's events together. An export
in time order interleaves children; :func:`sort_events_by_child` rewrites it grouped by child
with bounded memory: an external merge sort, reading runs of at most ``buffer_bytes`` of
lines, sorting each by child id in memory and writing it to a temporary file, then merging
the runs. The sort is stable (a child's lines keep their input order) and loses nothing:
a line that is not a JSON object with a text child id is kept too, before every child, in
input order, for evaluation to reject with its reason. Children come out in the order the
evaluation reports them (by id, code point order), so the streamed output is written
in order. docs/scaling.md shows the equivalent recipe with the ``sort`` command.
"""

from __future__ import annotations

import heapq
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ._errors import ArgumentError, SafeguardRulesError
from ._event_files import EventLimits
from ._files import path_list
from ._mapping import EventMapping

__all__ = ["SortError", "SortSummary", "sort_events_by_child"]

_MIB = 1024 * 1024


class SortError(SafeguardRulesError):
    """The input cannot be sorted (a line longer than the record limit)."""


@dataclass(frozen=True)
class SortSummary:
    lines: int  # non-blank lines written
    children: int
    unkeyed: int  # lines without a text child id, written first
    runs: int  # sorted runs written to disk (0: sorted in memory)


def sort_events_by_child(
    sources: Iterable[str | Path],
    out: IO[bytes],
    *,
    mapping: EventMapping | None = None,
    buffer_bytes: int = 256 * _MIB,
    limits: EventLimits | None = None,
    temp_dir: str | Path | None = None,
) -> SortSummary:
    """Write the non-blank lines of the JSON Lines ``sources`` to ``out``, grouped by child.

    The child id is the record's ``child_id`` (or the source key ``mapping`` renames to
    it). Memory holds at most about ``buffer_bytes`` of lines, plus one line per run
    while merging. Raises SortError for a line longer than ``limits.record_chars``,
    OSError when a file cannot be read or written.
    """
    if buffer_bytes < 1:
        raise ArgumentError("buffer_bytes must be at least 1")
    limit = (limits or EventLimits()).record_chars
    key_field = _key_field(mapping)
    runs: list[IO[bytes]] = []
    chunk: list[tuple[str, bytes]] = []
    size = 0
    lines = unkeyed = 0
    children: set[str] = set()
    try:
        for line in _lines(path_list(sources), limit):
            key = _child_of(line, key_field)
            if key is None:
                unkeyed += 1
                key = ""  # before every child id (ids are never empty)
            else:
                children.add(key)
            chunk.append((key, line))
            lines += 1
            size += len(line) + 64
            if size >= buffer_bytes:
                runs.append(_write_run(chunk, temp_dir))
                chunk, size = [], 0
        if not runs:
            chunk.sort(key=_by_key)
            for _key, line in chunk:
                out.write(line)
        else:
            if chunk:
                runs.append(_write_run(chunk, temp_dir))
            chunk = []
            merged = heapq.merge(*(_read_run(run) for run in runs), key=_by_key)
            for _key, line in merged:
                out.write(line)
        out.flush()
    finally:
        for run in runs:
            run.close()
    return SortSummary(lines, len(children), unkeyed, len(runs))


def _by_key(item: tuple[str, bytes]) -> str:
    return item[0]


def _key_field(mapping: EventMapping | None) -> str:
    if mapping is None:
        return "child_id"
    for source, target in mapping.fields.items():
        if target == "child_id":
            return source
    return "child_id"


def _lines(sources: Iterable[str | Path], limit: int) -> Iterator[bytes]:
    """Every non-blank line of each source, ending in a newline."""
    for source in sources:
        with Path(source).open("rb") as handle:
            number = 0
            while True:
                # A line of at most `limit` characters has at most 4 bytes per character.
                line = handle.readline(4 * limit + 2)
                if not line:
                    break
                number += 1
                if len(line) > 4 * limit + 1 and not line.endswith(b"\n"):
                    raise SortError(
                        f"{source}:{number}: the line is longer than the record limit "
                        f"({limit:,} characters; docs/limits.md), so it cannot be an event"
                    )
                if not line.strip():
                    continue
                yield line if line.endswith(b"\n") else line + b"\n"


def _child_of(line: bytes, key_field: str) -> str | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    value = record.get(key_field)
    return value if isinstance(value, str) and value else None


def _write_run(chunk: list[tuple[str, bytes]], temp_dir: str | Path | None) -> IO[bytes]:
    chunk.sort(key=_by_key)
    run = tempfile.TemporaryFile(dir=temp_dir)  # noqa: SIM115 - closed by the caller
    for key, line in chunk:
        # The key as JSON (no raw tab or newline in it), a tab, the line.
        run.write(json.dumps(key).encode("utf-8") + b"\t" + line)
    run.seek(0)
    return run


def _read_run(run: IO[bytes]) -> Iterator[tuple[str, bytes]]:
    for entry in run:
        key, _tab, line = entry.partition(b"\t")
        yield json.loads(key), line
