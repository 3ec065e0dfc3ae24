"""``import``: case records from other systems' formats, written as events (JSON Lines)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .._census import CENSUS_YEARS, CensusFileError, CensusImport, import_cin_census, problems_text
from .._safe_xml import DEFAULT_MAX_BYTES
from ._common import EXIT_PROBLEMS, fail
from ._progress import progress


@click.group("import")
def import_() -> None:
    """Import records from another format as events (JSON Lines)."""


@import_.command("cin-census")
@click.argument("census", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the events here (JSON Lines); default: standard output.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the full account here (JSON): every child and record, every unmapped item, "
    "every error.",
)
@click.option(
    "--collection-year",
    type=click.Choice([str(y) for y in CENSUS_YEARS]),
    help="Validate against this year's schema instead of the one the header's ReferenceDate names.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Refuse a larger file before reading it.",
)
@click.option(
    "--max-errors",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="How many errors to list on stderr (the report has them all).",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress bar and no summary (errors are still listed)."
)
def cin_census(
    census: Path,
    out: Path | None,
    report: Path | None,
    collection_year: str | None,
    max_bytes: int,
    max_errors: int,
    quiet: bool,
) -> None:
    """Read a DfE Children in Need census return (XML) and write its events.

    The file is parsed safely (no DTD, no entities, no network) and validated against the
    CIN census schema of its collection year. Each event carries its date as "on"
    (YYYY-MM-DD; the census has no times) and its census record in
    attributes.source_record. Errors and a summary go to stderr. Exits 0 when every record
    was mapped or reported as unmapped with a reason, 1 when anything was rejected or the
    file could not be read as a census return, 2 on usage errors. On a terminal a progress
    bar shows on stderr while the children are read (not with --quiet).
    """
    with progress(quiet) as bar:
        with bar.stage("Importing children") as advance:
            try:
                result = import_cin_census(
                    census,
                    collection_year=int(collection_year) if collection_year else None,
                    max_bytes=max_bytes,
                    progress=advance,
                )
            except CensusFileError as exc:
                raise fail(str(exc)) from exc
        with bar.stage("Writing events"):
            if out is not None:
                with out.open("w", encoding="utf-8", newline="\n") as handle:
                    result.write_jsonl(handle)
            if report is not None:
                report.write_text(result.report_json(), encoding="utf-8", newline="\n")
    if out is None:  # after the bar: while it is drawn, rich redirects standard output
        result.write_jsonl(sys.stdout)
    for line in problems_text(result, max_errors):
        click.echo(line, err=True)
    if not quiet:
        click.echo(_summary(result, out, report), err=True)
    if result.errors:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


def _summary(result: CensusImport, out: Path | None, report: Path | None) -> str:
    s = result.summary()
    records = s["records"]
    head = f"{result.source}: "
    if result.collection_year is not None:
        head += f"collection year {result.collection_year} ({result.schema})"
        if result.reference_date is not None:
            head += f", reference date {result.reference_date.isoformat()}"
    else:
        head += "not imported"
    lines = [
        head,
        f"children: {s['children']} ({s['children_rejected']} rejected); records: "
        f"{records['mapped']} mapped, {records['unmapped']} unmapped, "
        f"{records['rejected']} rejected; unmapped items: {s['unmapped_items']}",
        f"events: {s['events']}" + (f" written to {out}" if out is not None else ""),
        f"errors: {s['errors']}, warnings: {s['warnings']}"
        + (f"; the full account is in {report}" if report is not None else ""),
    ]
    return "\n".join(lines)
