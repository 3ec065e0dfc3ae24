"""``evaluate``, ``explain`` and ``packs``: applying packs to events."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import IO

import click
from click.core import ParameterSource
from rich.console import Console
from rich.table import Table

from .._errors import PackError, did_you_mean
from .._evaluate import evaluate as evaluate_events
from .._event_files import EventLimits
from .._explain import explain as explain_obligation
from .._jurisdiction import JurisdictionEvaluation, evaluate_jurisdiction, load_jurisdiction
from .._loading import load_pack
from .._records import source_records
from .._registry import discover_packs
from .._result import Account, Evaluation, Finding, Obligation
from ._common import (
    EXIT_PROBLEMS,
    console,
    echo,
    event_limits,
    event_options,
    fail,
    load,
    parse_as_of,
    parse_params,
    read_events,
    safe,
    with_packs,
)
from ._progress import progress
from ._streaming import (
    ROW_FORMATS,
    evaluate_streaming,
    mapping_option,
    write_lines_end,
    write_rows,
)

MAX_ROWS = 200  # rows of each table by default (see _print_rest)


@click.command()
@click.option("--pack", "pack_name", help="Pack name, provider:name, or path to a pack.")
@click.option(
    "--jurisdiction",
    help="Instead of --pack: every version of this jurisdiction, each on the days it is in force.",
)
@click.option(
    "--as-of",
    "as_of",
    required=True,
    help="Evaluate as at this ISO 8601 time (with offset), or date (end of that day).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl", "csv"]),
    default="table",
    show_default=True,
    help="json: one document; jsonl and csv: one row per obligation or finding "
    "(docs/output.md). With --stream: jsonl (the default), json or csv.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=0),
    default=MAX_ROWS,
    show_default=True,
    help="Rows shown per table; beyond them a summary (0: every row). JSON has everything.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=YAML",
    help="Override a pack parameter, e.g. follow_up_timescale='{working_days: 2}'.",
)
@click.option(
    "--stream",
    "streaming",
    is_flag=True,
    help="Input grouped by child, one child in memory at a time (docs/scaling.md).",
)
@click.option("--mapping", type=click.Path(path_type=Path), help="Event mapping file.")
@event_options
@click.option("-q", "--quiet", is_flag=True, help="No progress bar on a terminal.")
@click.argument("events", nargs=-1, required=True, type=click.Path(path_type=Path))
def evaluate(
    pack_name: str | None,
    jurisdiction: str | None,
    as_of: str,
    fmt: str,
    max_rows: int,
    params: tuple[str, ...],
    streaming: bool,
    mapping: Path | None,
    quiet: bool,
    events: tuple[Path, ...],
    **limits: int,
) -> None:
    """Evaluate EVENTS under a pack and print the obligations.

    EVENTS are JSON Lines (.jsonl), JSON arrays (.json), YAML (.yaml, .yml) or "-" for
    standard input; --mapping renames foreign records (docs/mapping.md). With --stream
    (JSON Lines grouped by child; see sort-events), one child is held in memory at a
    time and --format is jsonl (the default), json or csv. With --jurisdiction, each
    obligation comes from the version in force on its trigger's date. The table shows
    the first --max-rows rows of each kind and counts the rest; --format json, jsonl and
    csv write everything. Exits 1 when any input record was rejected, or anything fell on
    a day no version covers (they are listed on stderr).
    """
    if (pack_name is None) == (jurisdiction is None):
        raise fail("give one of --pack NAME or --jurisdiction NAME")
    bounds = event_limits(**limits)
    renames = mapping_option(mapping)
    if streaming:  # docs/scaling.md; JSON Lines unless --format json is asked for
        if pack_name is None:
            raise fail("--stream evaluates under one --pack")
        source = click.get_current_context().get_parameter_source("fmt")
        chosen = "jsonl" if source == ParameterSource.DEFAULT else fmt
        compiled = load(pack_name, params)
        evaluate_streaming(compiled, parse_as_of(as_of), chosen, events, bounds, renames)
        return
    if jurisdiction is not None:
        if fmt in ROW_FORMATS:
            raise fail(f"--format {fmt} is written for one --pack; use --format json")
        _evaluate_jurisdiction(jurisdiction, as_of, fmt, max_rows, params, events, bounds)
        return
    assert pack_name is not None
    compiled = load(pack_name, params)
    moment = parse_as_of(as_of)
    with progress(quiet) as bar:
        with bar.stage("Reading events"):
            stream = read_events(events, bounds, renames, compiled.vocabulary)
        with bar.stage("Evaluating"):
            result = evaluate_events(compiled, stream, moment)
    if fmt == "json":
        result.write_json(_stdout())
    elif fmt in ROW_FORMATS:
        write_rows(_stdout(), fmt, result, source_records(stream.events), first=True)
        if fmt == "jsonl":
            write_lines_end(_stdout(), result, result.account)
    else:
        _print_table(result, max_rows)
    for rejection in result.account.rejected:
        echo(f"rejected: {safe(rejection)}", err=True)
    if result.account.rejected:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


def _evaluate_jurisdiction(
    name: str,
    as_of: str,
    fmt: str,
    max_rows: int,
    params: tuple[str, ...],
    events: tuple[Path, ...],
    limits: EventLimits,
) -> None:
    registry = discover_packs()
    for problem in registry.problems:
        echo(f"warning: {safe(problem)}", err=True)
    versions = with_packs(
        lambda: load_jurisdiction(name, parameters=parse_params(params), registry=registry)
    )
    moment = parse_as_of(as_of)
    try:
        vocabulary = versions.vocabulary
    except ValueError as exc:
        raise fail(str(exc)) from exc
    stream = read_events(events, limits, vocabulary=vocabulary)
    result = evaluate_jurisdiction(versions, stream, moment)
    if fmt == "json":
        result.write_json(_stdout())
    else:
        _print_jurisdiction_table(result, max_rows)
    for rejection in result.account.rejected:
        echo(f"rejected: {safe(rejection)}", err=True)
    for item in result.uncovered:
        echo(f"uncovered: {safe(item)}: no version of {safe(name)} is in force that day", err=True)
    if result.account.rejected or result.uncovered:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


# --- JSON, written as it is encoded ---------------------------------------------------------
#
# Byte-identical to Evaluation.to_json() / JurisdictionEvaluation.to_json() (a test checks
# both), but the long lists are encoded one item at a time: the skeleton comes from to_dict()
# of the result with those lists emptied, so any other key the result gains is kept.


def _stdout() -> IO[bytes]:
    sys.stdout.flush()  # anything written as text goes first
    return sys.stdout.buffer


# --- tables ---------------------------------------------------------------------------------
#
# A table is for reading: past --max-rows rows of a kind, the rest are counted, not drawn
# (drawing costs about a millisecond a row, which at a million events dwarfed evaluation).
# Every value from a pack or an event goes through safe(): see _common.


def _print_table(result: Evaluation, max_rows: int) -> None:
    out = console()
    stamp = result.pack
    out.print(
        f"pack {safe(stamp.id)} version {safe(stamp.version)} ({stamp.content_hash[:19]}…), "
        f"as of {result.as_of.isoformat()}"
    )
    _print_results(
        [(None, o) for o in result.obligations],
        [(None, f) for f in result.findings],
        out,
        max_rows,
    )
    if result.undetermined:
        table = Table(title="Checks that cannot be evaluated", title_justify="left")
        for column in ["child", "severity", "event", "missing", "rule"]:
            table.add_column(column, overflow="fold")
        for u in result.undetermined:
            table.add_row(u.child_id, u.severity, u.event, ", ".join(u.missing), u.rule)
        out.print(table)
    _print_account(result.account, out)


def _print_jurisdiction_table(result: JurisdictionEvaluation, max_rows: int) -> None:
    out = console()
    out.print(f"jurisdiction {safe(result.jurisdiction)}, as of {result.as_of.isoformat()}")
    for period in result.periods:
        stamp = period.pack
        until = f"to {period.end}" if period.end else "onwards"
        out.print(
            f"  pack {safe(stamp.id)} version {safe(stamp.version)} "
            f"({stamp.content_hash[:19]}…) decides {period.start} {until}"
        )
    _print_results(
        [(s.id, o) for s, o in result.obligations()],
        [(s.id, f) for s, f in result.findings()],
        out,
        max_rows,
    )
    if result.uncovered:
        shown = result.uncovered[: max_rows or None]
        out.print(
            f"uncovered (no version in force that day): {len(result.uncovered):,}: "
            + ", ".join(safe(f"{u.kind} {u.id} ({u.day})") for u in shown)
            + (", ..." if len(shown) < len(result.uncovered) else "")
        )
    _print_account(result.account, out)


def _print_results(
    obligations: list[tuple[str | None, Obligation]],
    findings: list[tuple[str | None, Finding]],
    out: Console,
    max_rows: int,
) -> None:
    """The obligations and findings tables; a pack column where rows name their pack."""
    by_pack = any(pack is not None for pack, _o in obligations) or any(
        pack is not None for pack, _f in findings
    )
    limit = max_rows or None
    table = Table(title="Obligations", title_justify="left")
    columns = ["child", "action", "responsible", "copied in", "due", "status", "met by", "rule"]
    for column in columns + ["pack"] * by_pack:
        table.add_column(column, overflow="fold")
    for pack, o in obligations[:limit]:
        due = o.due.strftime("%a %Y-%m-%d %H:%M") if o.due else "-"
        if o.due and o.basis != "source":
            due += " (" + o.basis.replace("_", " ") + ")"  # not the source's timescale
        status = o.status + (f" -> {o.escalation.action}" if o.escalation else "")
        if o.missing:
            status += f" (missing {', '.join(o.missing)})"
        row = [
            o.child_id,
            o.action,
            o.responsible,
            ", ".join(o.copied_in) or "-",
            due,
            status,
            o.met_by or o.cancelled_by or "-",
            o.rule,
        ]
        table.add_row(*(safe(cell) for cell in row), *[safe(pack or "-")] * by_pack)
    out.print(table)
    _print_rest("obligations", [o.status for _p, o in obligations], max_rows, out)
    table = Table(title="Findings", title_justify="left")
    for column in ["child", "severity", "kind", "event", "message", "rule"] + ["pack"] * by_pack:
        table.add_column(column, overflow="fold")
    for pack, f in findings[:limit]:
        row = [f.child_id, f.severity, f.kind, f.event or "-", f.message, f.rule]
        table.add_row(*(safe(cell) for cell in row), *[safe(pack or "-")] * by_pack)
    out.print(table)
    _print_rest("findings", [f"{f.severity} {f.kind}" for _p, f in findings], max_rows, out)


def _print_rest(kind: str, labels: list[str], max_rows: int, out: Console) -> None:
    """Past ``max_rows``: how many rows were not drawn, by status, and how to see them."""
    if not max_rows or len(labels) <= max_rows:
        return
    counts = Counter(labels)
    by_label = ", ".join(f"{label} {counts[label]:,}" for label in sorted(counts))
    out.print(
        f"showing the first {max_rows:,} of {len(labels):,} {kind} ({by_label}); "
        "--format json writes them all, --max-rows 0 draws every row"
    )


def _print_account(account: Account, out: Console) -> None:
    unknown = (
        f"; {account.cannot_evaluate} outcomes cannot be evaluated (values not recorded)"
        if account.cannot_evaluate
        else ""
    )
    out.print(
        f"events: {account.received} received, {account.evaluated} evaluated, "
        f"{len(account.rejected)} rejected{unknown}"
    )


@click.command()
@click.option("--pack", "pack_name", required=True, help="Bundled pack name or path to a pack.")
@click.option("--as-of", "as_of", required=True, help="Evaluate as at this ISO 8601 time.")
@click.option("--param", "params", multiple=True, metavar="NAME=YAML")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@event_options
@click.argument("events", type=click.Path(path_type=Path))
@click.argument("obligation")
def explain(
    pack_name: str,
    as_of: str,
    params: tuple[str, ...],
    fmt: str,
    events: Path,
    obligation: str,
    **limits: int,
) -> None:
    """Explain OBLIGATION (an id such as rule_id/event_id) from evaluating EVENTS."""
    compiled = load(pack_name, params)
    stream = read_events([events], event_limits(**limits), vocabulary=compiled.vocabulary)
    result = evaluate_events(compiled, stream, parse_as_of(as_of))
    try:
        found = result.obligation(obligation)
    except KeyError:
        ids = [o.id for o in result.obligations]
        raise fail(
            f"no obligation {obligation!r}{did_you_mean(obligation, ids)}; "
            f"there are {len(ids)}: {', '.join(ids[:10])}"
        ) from None
    explanation = explain_obligation(compiled, found, stream.events)
    if fmt == "json":
        click.echo(explanation.to_json(), nl=False)
    else:
        echo(explanation.text(), nl=False)


@click.command()
def packs() -> None:
    """List the packs: bundled, and offered by installed providers (entry points).

    One line per pack: name, title, jurisdiction, version, effective dates, rules, the
    pack it extends, and its provider. A name two providers offer is shown as
    provider:name. Providers that fail to load are warned about on stderr.
    """
    registry = discover_packs()
    for problem in registry.problems:
        echo(f"warning: {safe(problem)}", err=True)
    uses = Counter(e.name for e in registry.entries)
    versions = {v.entry: v for v in registry.versions}
    for entry in registry.entries:
        label = entry.name if uses[entry.name] == 1 else entry.qualified
        try:
            compiled = load_pack(entry.path)
        except PackError as exc:
            first = exc.diagnostics[0] if exc.diagnostics else None
            echo(
                safe(
                    f"{label}: does not load ({len(exc.diagnostics)} problems; first: "
                    f"{first}; from {entry.provider})"
                )
            )
            continue
        meta = compiled.pack.pack
        version = versions.get(entry)
        span = version.span() if version else f"from {meta.effective_from}"
        extends = f", extends {compiled.extends}" if compiled.extends else ""
        echo(
            safe(
                f"{label}: {meta.title} (jurisdiction {meta.jurisdiction}, version "
                f"{meta.version}, {span}, {len(compiled.rules)} rules{extends}; from "
                f"{entry.provider})"
            )
        )
