"""Results as rows, written: CSV and JSON Lines (docs/output.md).

The rows themselves (their columns, one tuple per obligation or finding, the join keys)
are built by ``_result`` (``RECORD_COLUMNS``, ``result_rows``), which ``to_records`` also
uses; here the writers turn instants into ISO 8601 text and hand batches of rows to the C
``csv`` writer or to pydantic-core.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import IO, Final

import pydantic_core

from . import _wire
from ._result import RECORD_COLUMNS as COLUMNS
from ._result import Evaluation, instant_text, result_rows, source_records

__all__ = ["COLUMNS", "CSV_HEADER", "source_records", "write_csv", "write_jsonl"]

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
    for batch in _wire.batches(result_rows(evaluation, sources, instant_text)):
        writer.writerows(batch)
        out.write(text.getvalue().encode("utf-8"))
        text.seek(0)
        text.truncate()


def write_jsonl(
    out: IO[bytes], evaluation: Evaluation, sources: Mapping[str, str] | None = None
) -> None:
    """The rows as JSON Lines: one compact object per row, keys in column order."""
    to_json = pydantic_core.to_json
    for batch in _wire.batches(result_rows(evaluation, sources, instant_text)):
        out.write(
            b"".join([to_json(dict(zip(COLUMNS, row, strict=True))) + b"\n" for row in batch])
        )
