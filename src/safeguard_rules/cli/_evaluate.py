"""``evaluate``, ``explain`` and ``packs``: applying packs to events."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from .._errors import PackError, did_you_mean
from .._evaluate import evaluate as evaluate_events
from .._explain import explain as explain_obligation
from .._registry import bundled_packs, load_pack
from .._result import Evaluation
from ._common import EXIT_PROBLEMS, console, fail, load, parse_as_of, read_events


@click.command()
@click.option("--pack", "pack_name", required=True, help="Bundled pack name or path to a pack.")
@click.option(
    "--as-of", "as_of", required=True, help="Evaluate as at this ISO 8601 time (with offset)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=YAML",
    help="Override a pack parameter, e.g. follow_up_timescale='{working_days: 2}'.",
)
@click.argument("events", nargs=-1, required=True, type=click.Path(path_type=Path))
def evaluate(
    pack_name: str, as_of: str, fmt: str, params: tuple[str, ...], events: tuple[Path, ...]
) -> None:
    """Evaluate EVENTS (.jsonl or .yaml) under a pack and print the obligations.

    Exits 1 when any input record was rejected (they are listed on stderr).
    """
    compiled = load(pack_name, params)
    moment = parse_as_of(as_of)
    stream = read_events(events)
    result = evaluate_events(compiled, stream, moment)
    if fmt == "json":
        click.echo(result.to_json(), nl=False)
    else:
        _print_table(result)
    for rejection in result.account.rejected:
        click.echo(f"rejected: {rejection}", err=True)
    if result.account.rejected:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


def _print_table(result: Evaluation) -> None:
    out = console()
    stamp = result.pack
    out.print(
        f"pack {stamp.id} version {stamp.version} ({stamp.content_hash[:19]}…), "
        f"as of {result.as_of.isoformat()}"
    )
    table = Table(title="Obligations", title_justify="left")
    for column in (
        "child",
        "action",
        "responsible",
        "copied in",
        "due",
        "status",
        "met by",
        "rule",
    ):
        table.add_column(column, overflow="fold")
    for o in result.obligations:
        due = o.due.strftime("%a %Y-%m-%d %H:%M") if o.due else "-"
        status = o.status + (f" -> {o.escalation.action}" if o.escalation else "")
        table.add_row(
            o.child_id,
            o.action,
            o.responsible,
            ", ".join(o.copied_in) or "-",
            due,
            status,
            o.met_by or o.cancelled_by or "-",
            o.rule,
        )
    out.print(table)
    findings = Table(title="Findings", title_justify="left")
    for column in ("child", "severity", "kind", "event", "message", "rule"):
        findings.add_column(column, overflow="fold")
    for f in result.findings:
        findings.add_row(f.child_id, f.severity, f.kind, f.event or "-", f.message, f.rule)
    out.print(findings)
    account = result.account
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
@click.argument("events", type=click.Path(path_type=Path))
@click.argument("obligation")
def explain(
    pack_name: str, as_of: str, params: tuple[str, ...], fmt: str, events: Path, obligation: str
) -> None:
    """Explain OBLIGATION (an id such as rule_id/event_id) from evaluating EVENTS."""
    compiled = load(pack_name, params)
    stream = read_events([events])
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
    """List the bundled packs."""
    for name in bundled_packs():
        try:
            compiled = load_pack(name)
        except PackError as exc:
            click.echo(f"{name}: does not load ({len(exc.diagnostics)} problems)")
            continue
        meta = compiled.pack.pack
        until = meta.effective_to.isoformat() if meta.effective_to else "now"
        click.echo(
            f"{name}: {meta.title} (version {meta.version}, {meta.effective_from} to "
            f"{until}, {len(compiled.rules)} rules)"
        )
