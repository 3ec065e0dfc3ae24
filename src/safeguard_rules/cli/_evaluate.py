"""``evaluate``, ``explain`` and ``packs``: applying packs to events."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

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
from .._registry import discover_packs
from .._result import Account, Evaluation, Finding, Obligation
from ._common import (
    EXIT_PROBLEMS,
    console,
    event_limits,
    event_options,
    fail,
    load,
    parse_as_of,
    parse_params,
    read_events,
    with_packs,
)
from ._progress import progress
from ._streaming import evaluate_streaming, mapping_option


@click.command()
@click.option("--pack", "pack_name", help="Pack name, provider:name, or path to a pack.")
@click.option(
    "--jurisdiction",
    help="Instead of --pack: every version of this jurisdiction, each on the days it is in force.",
)
@click.option(
    "--as-of", "as_of", required=True, help="Evaluate as at this ISO 8601 time (with offset)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl"]),
    default="table",
    show_default=True,
    help="jsonl only with --stream (one line per result as each child finishes).",
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
    time and --format is jsonl (the default) or json. With --jurisdiction, each
    obligation comes from the version in force on its trigger's date. Exits 1 when any
    input record was rejected, or anything fell on a day no version covers (they are
    listed on stderr).
    """
    if (pack_name is None) == (jurisdiction is None):
        raise fail("give one of --pack NAME or --jurisdiction NAME")
    bounds = event_limits(**limits)
    renames = mapping_option(mapping)
    if fmt == "jsonl" and not streaming:
        raise fail("--format jsonl is written by --stream")
    if streaming:  # docs/scaling.md; JSON Lines unless --format json is asked for
        if pack_name is None:
            raise fail("--stream evaluates under one --pack")
        source = click.get_current_context().get_parameter_source("fmt")
        chosen = "jsonl" if source == ParameterSource.DEFAULT else fmt
        compiled = load(pack_name, params)
        evaluate_streaming(compiled, parse_as_of(as_of), chosen, events, bounds, renames)
        return
    if jurisdiction is not None:
        _evaluate_jurisdiction(jurisdiction, as_of, fmt, params, events, bounds)
        return
    assert pack_name is not None
    compiled = load(pack_name, params)
    moment = parse_as_of(as_of)
    with progress(quiet) as bar:
        with bar.stage("Reading events"):
            stream = read_events(events, bounds, renames)
        with bar.stage("Evaluating"):
            result = evaluate_events(compiled, stream, moment)
    if fmt == "json":
        click.echo(result.to_json(), nl=False)
    else:
        _print_table(result)
    for rejection in result.account.rejected:
        click.echo(f"rejected: {rejection}", err=True)
    if result.account.rejected:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


def _evaluate_jurisdiction(
    name: str,
    as_of: str,
    fmt: str,
    params: tuple[str, ...],
    events: tuple[Path, ...],
    limits: EventLimits,
) -> None:
    registry = discover_packs()
    for problem in registry.problems:
        click.echo(f"warning: {problem}", err=True)
    versions = with_packs(
        lambda: load_jurisdiction(name, parameters=parse_params(params), registry=registry)
    )
    moment = parse_as_of(as_of)
    stream = read_events(events, limits)
    result = evaluate_jurisdiction(versions, stream, moment)
    if fmt == "json":
        click.echo(result.to_json(), nl=False)
    else:
        _print_jurisdiction_table(result)
    for rejection in result.account.rejected:
        click.echo(f"rejected: {rejection}", err=True)
    for item in result.uncovered:
        click.echo(f"uncovered: {item}: no version of {name} is in force that day", err=True)
    if result.account.rejected or result.uncovered:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


def _print_table(result: Evaluation) -> None:
    out = console()
    stamp = result.pack
    out.print(
        f"pack {stamp.id} version {stamp.version} ({stamp.content_hash[:19]}…), "
        f"as of {result.as_of.isoformat()}"
    )
    _print_results(
        [(None, o) for o in result.obligations], [(None, f) for f in result.findings], out
    )
    _print_account(result.account, out)


def _print_jurisdiction_table(result: JurisdictionEvaluation) -> None:
    out = console()
    out.print(f"jurisdiction {result.jurisdiction}, as of {result.as_of.isoformat()}")
    for period in result.periods:
        stamp = period.pack
        until = f"to {period.end}" if period.end else "onwards"
        out.print(
            f"  pack {stamp.id} version {stamp.version} ({stamp.content_hash[:19]}…) "
            f"decides {period.start} {until}"
        )
    _print_results(
        [(s.id, o) for s, o in result.obligations()],
        [(s.id, f) for s, f in result.findings()],
        out,
    )
    if result.uncovered:
        out.print(
            f"uncovered (no version in force that day): {len(result.uncovered)}: "
            + ", ".join(f"{u.kind} {u.id} ({u.day})" for u in result.uncovered)
        )
    _print_account(result.account, out)


def _print_results(
    obligations: list[tuple[str | None, Obligation]],
    findings: list[tuple[str | None, Finding]],
    out: Console,
) -> None:
    """The obligations and findings tables; a pack column where rows name their pack."""
    by_pack = any(pack is not None for pack, _o in obligations) or any(
        pack is not None for pack, _f in findings
    )
    table = Table(title="Obligations", title_justify="left")
    columns = ["child", "action", "responsible", "copied in", "due", "status", "met by", "rule"]
    for column in columns + ["pack"] * by_pack:
        table.add_column(column, overflow="fold")
    for pack, o in obligations:
        due = o.due.strftime("%a %Y-%m-%d %H:%M") if o.due else "-"
        if o.due and o.basis != "source":
            due += " (" + o.basis.replace("_", " ") + ")"  # not the source's timescale
        status = o.status + (f" -> {o.escalation.action}" if o.escalation else "")
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
        table.add_row(*row, *[pack or "-"] * by_pack)
    out.print(table)
    table = Table(title="Findings", title_justify="left")
    for column in ["child", "severity", "kind", "event", "message", "rule"] + ["pack"] * by_pack:
        table.add_column(column, overflow="fold")
    for pack, f in findings:
        row = [f.child_id, f.severity, f.kind, f.event or "-", f.message, f.rule]
        table.add_row(*row, *[pack or "-"] * by_pack)
    out.print(table)


def _print_account(account: Account, out: Console) -> None:
    out.print(
        f"events: {account.received} received, {account.evaluated} evaluated, "
        f"{len(account.rejected)} rejected"
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
    stream = read_events([events], event_limits(**limits))
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
        click.echo(json.dumps(explanation.to_dict(), indent=2, sort_keys=True))
    else:
        click.echo(explanation.text(), nl=False)


@click.command()
def packs() -> None:
    """List the packs: bundled, and offered by installed providers (entry points).

    One line per pack: name, title, jurisdiction, version, effective dates, rules, the
    pack it extends, and its provider. A name two providers offer is shown as
    provider:name. Providers that fail to load are warned about on stderr.
    """
    registry = discover_packs()
    for problem in registry.problems:
        click.echo(f"warning: {problem}", err=True)
    uses = Counter(e.name for e in registry.entries)
    versions = {v.entry: v for v in registry.versions}
    for entry in registry.entries:
        label = entry.name if uses[entry.name] == 1 else entry.qualified
        try:
            compiled = load_pack(entry.path)
        except PackError as exc:
            first = exc.diagnostics[0] if exc.diagnostics else None
            click.echo(
                f"{label}: does not load ({len(exc.diagnostics)} problems; first: {first}; "
                f"from {entry.provider})"
            )
            continue
        meta = compiled.pack.pack
        version = versions.get(entry)
        span = version.span() if version else f"from {meta.effective_from}"
        extends = f", extends {compiled.extends}" if compiled.extends else ""
        click.echo(
            f"{label}: {meta.title} (jurisdiction {meta.jurisdiction}, version {meta.version}, "
            f"{span}, {len(compiled.rules)} rules{extends}; from {entry.provider})"
        )
