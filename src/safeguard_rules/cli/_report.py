"""``report`` and ``calendar``: evaluations as a page for people and as to-dos."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from .._evaluate import evaluate as evaluate_events
from .._ical import open_obligations, to_ical
from .._report import render_report
from .._result import Evaluation
from ._common import EXIT_PROBLEMS, echo, fail, load, parse_as_of, read_events, safe
from ._progress import progress

_PACK = click.option(
    "--pack", "pack_name", required=True, help="Pack name, provider:name, or path to a pack."
)
_AS_OF = click.option(
    "--as-of", "as_of", required=True, help="Evaluate as at this ISO 8601 time (with offset)."
)
_PARAM = click.option(
    "--param", "params", multiple=True, metavar="NAME=YAML", help="Override a pack parameter."
)
_OUTPUT = click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="File to write."
)
_QUIET = click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
_EVENTS = click.argument("events", nargs=-1, required=True, type=click.Path(path_type=Path))


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a half-written report misleads)."""
    directory = path.parent if str(path.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(temporary).replace(path)
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror}") from exc


def _rejections(result: Evaluation) -> None:
    for rejection in result.account.rejected:
        echo(f"rejected: {safe(rejection)}", err=True)


@click.command()
@_PACK
@_AS_OF
@_PARAM
@_OUTPUT
@click.option("--title", help="The page's title (default: from the pack's title).")
@_QUIET
@_EVENTS
def report(
    pack_name: str,
    as_of: str,
    params: tuple[str, ...],
    output: Path,
    title: str | None,
    quiet: bool,
    events: tuple[Path, ...],
) -> None:
    """Write an HTML report of EVENTS under a pack: timeliness by month, what is overdue
    now, and a timeline per child.

    The file is self-contained: it works offline and makes no network request. Exits 1
    when any input record was rejected (the report lists them).
    """
    compiled = load(pack_name, params)
    moment = parse_as_of(as_of)
    with progress(quiet) as bar:
        with bar.stage("Reading events"):
            stream = read_events(events)
        with bar.stage("Evaluating"):
            result = evaluate_events(compiled, stream, moment)
        with bar.stage("Building the report") as advance:
            page = render_report(compiled, result, stream, title=title, progress=advance)
        with bar.stage("Writing"):
            _write(output, page.encode("utf-8"))
    if not quiet:
        overdue = sum(1 for o in result.obligations if o.status == "overdue")
        children = len(
            {e.child_id for e in stream.events} | {o.child_id for o in result.obligations}
        )
        echo(
            f"wrote {safe(output)}: {children} children, {len(result.obligations)} obligations "
            f"({overdue} overdue), {len(page.encode('utf-8')):,} bytes"
        )
    _rejections(result)
    if result.account.rejected:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


@click.command()
@_PACK
@_AS_OF
@_PARAM
@_OUTPUT
@click.option(
    "--role", "roles", multiple=True, metavar="ROLE", help="Only this responsible role (repeat)."
)
@click.option("--child", "children", multiple=True, metavar="ID", help="Only this child (repeat).")
@_QUIET
@_EVENTS
def calendar(
    pack_name: str,
    as_of: str,
    params: tuple[str, ...],
    output: Path,
    roles: tuple[str, ...],
    children: tuple[str, ...],
    quiet: bool,
    events: tuple[Path, ...],
) -> None:
    """Write the open obligations of EVENTS as iCalendar to-dos (an .ics file).

    Each to-do has a stable UID, so importing a newer file updates the to-dos instead of
    duplicating them. Exits 1 when any input record was rejected.
    """
    compiled = load(pack_name, params)
    unknown = [r for r in roles if r not in compiled.pack.roles]
    if unknown:
        raise fail(
            f"--role {unknown[0]!r} is not a role of pack {compiled.id}; its roles are: "
            + ", ".join(sorted(compiled.pack.roles))
        )
    moment = parse_as_of(as_of)
    with progress(quiet) as bar:
        with bar.stage("Reading events"):
            stream = read_events(events)
        with bar.stage("Evaluating"):
            result = evaluate_events(compiled, stream, moment)
    role_filter = roles or None
    child_filter = children or None
    data = to_ical(compiled, result, roles=role_filter, children=child_filter)
    _write(output, data)
    if not quiet:
        count = len(open_obligations(result, role_filter, child_filter))
        echo(f"wrote {safe(output)}: {count} open obligations as to-dos")
    _rejections(result)
    if result.account.rejected:
        raise click.exceptions.Exit(EXIT_PROBLEMS)
