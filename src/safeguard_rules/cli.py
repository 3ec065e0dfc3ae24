"""The ``safeguard-rules`` command line: a thin layer over the library.

Exit codes: 0 success; 1 the input had problems (a pack that does not validate,
rejected events); 2 usage errors (unknown pack, bad option, unreadable file).
click and rich are imported here only, never by ``import safeguard_rules``.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from . import __version__
from ._compile import CompiledPack
from ._errors import Diagnostic, EventStreamError, PackError, PackNotFoundError
from ._evaluate import evaluate as evaluate_events
from ._explain import explain as explain_obligation
from ._registry import bundled_packs, load_pack, resolve_pack
from ._result import Evaluation, Rejection
from ._stream import EventStream, load_events
from ._yaml import read_yaml_text

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _console(stderr: bool = False) -> Console:
    # Not a terminal (CI, pipes): a fixed, wide layout so output does not depend on the machine.
    wide = None if sys.stdout.isatty() else 240
    return Console(stderr=stderr, width=wide, highlight=False, soft_wrap=False)


def _fail(message: str, code: int = EXIT_USAGE) -> click.exceptions.Exit:
    click.echo(f"error: {message}", err=True)
    return click.exceptions.Exit(code)


def _parse_as_of(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _fail(
            f"--as-of {value!r} is not an ISO 8601 time, e.g. 2024-06-03T17:00:00+01:00"
        ) from exc
    if moment.tzinfo is None:
        raise _fail(f"--as-of {value!r} has no UTC offset; write e.g. 2024-06-03T17:00:00+01:00")
    return moment


def _parse_params(values: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in values:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise _fail(
                f"--param {item!r}: write NAME=VALUE, e.g. "
                "--param follow_up_timescale='{working_days: 2}'"
            )
        try:
            value, _positions = read_yaml_text(text, f"--param {name}")
        except PackError as exc:
            raise _fail(str(exc.diagnostics[0].message)) from exc
        params[name] = value
    return params


def _load(pack: str, params: Sequence[str] = ()) -> CompiledPack:
    try:
        return load_pack(pack, parameters=_parse_params(params))
    except PackNotFoundError as exc:
        raise _fail(str(exc)) from exc
    except PackError as exc:
        _print_diagnostics(exc.diagnostics)
        raise click.exceptions.Exit(EXIT_PROBLEMS) from exc


def _read_events(paths: Sequence[Path]) -> EventStream:
    # Events hold no reference cycles; pausing the cyclic collector while millions are
    # created halves load time (benchmarks/README.md). The CLI owns the process, so it
    # may; the library does not touch global state.
    gc.disable()
    try:
        return _read_event_files(paths)
    finally:
        gc.enable()


def _read_event_files(paths: Sequence[Path]) -> EventStream:
    events: list[Any] = []
    rejected: list[Rejection] = []
    for path in paths:
        try:
            stream = load_events(path)
        except EventStreamError as exc:
            rejected.extend(r for r in exc.rejections if isinstance(r, Rejection))
            continue
        except OSError as exc:
            raise _fail(f"cannot read {path}: {exc.strerror}") from exc
        events.extend(stream.events)
        rejected.extend(stream.rejected)
    return EventStream(tuple(events), tuple(rejected), ",".join(str(p) for p in paths))


def _print_diagnostics(diagnostics: Sequence[Diagnostic], fmt: str = "text") -> None:
    if fmt == "github":
        for d in diagnostics:
            click.echo(
                f"::{d.level} file={d.file},line={d.line},col={d.column},"
                f"title={d.code}::{d.message}"
            )
        return
    for d in diagnostics:
        click.echo(str(d), err=True)
        line = _source_line(d.file, d.line)
        if line is not None:
            click.echo(f"    {line}", err=True)
            click.echo(f"    {' ' * (d.column - 1)}^", err=True)


def _source_line(file: str, number: int) -> str | None:
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[number - 1].expandtabs() if 0 < number <= len(lines) else None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="safeguard-rules")
def main() -> None:
    """Evaluate multi-agency safeguarding procedures (YAML policy packs) against case events."""


@main.command()
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
    compiled = _load(pack_name, params)
    moment = _parse_as_of(as_of)
    stream = _read_events(events)
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
    console = _console()
    stamp = result.pack
    console.print(
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
    console.print(table)
    findings = Table(title="Findings", title_justify="left")
    for column in ("child", "severity", "kind", "event", "message", "rule"):
        findings.add_column(column, overflow="fold")
    for f in result.findings:
        findings.add_row(f.child_id, f.severity, f.kind, f.event or "-", f.message, f.rule)
    console.print(findings)
    account = result.account
    console.print(
        f"events: {account.received} received, {account.evaluated} evaluated, "
        f"{len(account.rejected)} rejected"
    )


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default=None,
    help="Default: github under GitHub Actions, else text.",
)
@click.argument("packs", nargs=-1, required=True)
def validate(fmt: str | None, packs: tuple[str, ...]) -> None:
    """Check that each pack loads: exits 1 with file:line:col messages if any does not."""
    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    problems: list[Diagnostic] = []
    report: list[dict[str, Any]] = []
    for name in packs:
        try:
            compiled = load_pack(resolve_pack(name))
        except PackNotFoundError as exc:
            problems.append(Diagnostic(name, 1, 1, str(exc), code="not-found"))
            continue
        except PackError as exc:
            problems.extend(exc.diagnostics)
            continue
        report.append(
            {
                "pack": compiled.id,
                "file": compiled.file,
                "version": compiled.version,
                "rules": len(compiled.rules),
                "content_hash": compiled.content_hash,
            }
        )
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "valid": report,
                    "diagnostics": [
                        {
                            "file": d.file,
                            "line": d.line,
                            "column": d.column,
                            "level": d.level,
                            "code": d.code,
                            "message": d.message,
                        }
                        for d in problems
                    ],
                },
                indent=2,
                sort_keys=True,
            )
        )
    else:
        _print_diagnostics(problems, fmt)
        for item in report:
            click.echo(
                f"ok {item['file']}: {item['pack']} version {item['version']}, "
                f"{item['rules']} rules"
            )
    if problems:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


@main.command()
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
    compiled = _load(pack_name, params)
    stream = _read_events([events])
    result = evaluate_events(compiled, stream, _parse_as_of(as_of))
    try:
        found = result.obligation(obligation)
    except KeyError:
        ids = [o.id for o in result.obligations]
        from ._errors import did_you_mean

        raise _fail(
            f"no obligation {obligation!r}{did_you_mean(obligation, ids)}; "
            f"there are {len(ids)}: {', '.join(ids[:10])}"
        ) from None
    explanation = explain_obligation(compiled, found, stream.events)
    if fmt == "json":
        click.echo(json.dumps(explanation.to_dict(), indent=2, sort_keys=True))
    else:
        click.echo(explanation.text(), nl=False)


@main.command()
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
