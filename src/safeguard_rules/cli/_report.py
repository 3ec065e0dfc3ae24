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
from .._stream import EventStream
from ._common import EXIT_PROBLEMS, echo, fail, load, parse_as_of, read_events, safe
from ._progress import progress

_PACK = click.option(
    "--pack", "pack_name", required=True, help="Pack name, provider:name, or path to a pack."
)
_AS_OF = click.option(
    "--as-of",
    "as_of",
    required=True,
    help="Evaluate as at this ISO 8601 time (with offset), or date (end of that day).",
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
@click.option(
    "--child",
    "children",
    multiple=True,
    metavar="ID",
    help="Only this child (repeat): figures, lists and timelines of these children alone.",
)
@click.option(
    "--max-children",
    "max_children",
    type=click.IntRange(min=0),
    help="Embed at most N timelines (most overdue first); figures and lists stay over all.",
)
@_QUIET
@_EVENTS
def report(
    pack_name: str,
    as_of: str,
    params: tuple[str, ...],
    output: Path,
    title: str | None,
    children: tuple[str, ...],
    max_children: int | None,
    quiet: bool,
    events: tuple[Path, ...],
) -> None:
    """Write an HTML report of EVENTS under a pack: timeliness by month, what is overdue
    now, and a timeline per child.

    The file is self-contained: it works offline and makes no network request. For large
    inputs, --child reports some children alone and --max-children keeps the file small
    (docs/reports.md). Exits 1 when any input record was rejected (the report lists them).
    """
    compiled = load(pack_name, params)
    moment = parse_as_of(as_of)
    with progress(quiet) as bar:
        with bar.stage("Reading events"):
            stream = read_events(events, vocabulary=compiled.vocabulary)
        with bar.stage("Evaluating"):
            result = evaluate_events(compiled, stream, moment)
        present = _children_present(stream, result, children)
        with bar.stage("Building the report") as advance:
            page = render_report(
                compiled,
                result,
                stream,
                title=title,
                progress=advance,
                children=children or None,
                max_timelines=max_children,
            )
        with bar.stage("Writing"):
            _write(output, page.encode("utf-8"))
    if not quiet:
        chosen = [o for o in result.obligations if not children or o.child_id in children]
        overdue = sum(1 for o in chosen if o.status == "overdue")
        cannot = sum(1 for o in chosen if o.status == "cannot_evaluate")
        count = len(set(children)) if children else len(present)
        shown = count if max_children is None else min(count, max_children)
        echo(
            f"wrote {safe(output)}: {count} children"
            + (f" ({shown} timelines)" if shown < count else "")
            + f", {len(chosen)} obligations ({overdue} overdue"
            + (f", {cannot} cannot be evaluated" if cannot else "")
            + "), "
            f"{len(page.encode('utf-8')):,} bytes"
        )
    _rejections(result)
    if result.account.rejected:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


def _children_present(
    stream: EventStream, result: Evaluation, children: tuple[str, ...]
) -> set[str]:
    """The children the input is about; fails on a --child id none of it is about, so a typo
    is not read as "this child owes nothing"."""
    present = {e.child_id for e in stream.events} | {o.child_id for o in result.obligations}
    absent = [c for c in children if c not in present]
    if absent:
        raise fail(f"--child {absent[0]!r}: no event of the input is about this child")
    return present


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
            stream = read_events(events, vocabulary=compiled.vocabulary)
        with bar.stage("Evaluating"):
            result = evaluate_events(compiled, stream, moment)
    _children_present(stream, result, children)
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
