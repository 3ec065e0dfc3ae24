"""``test``: run scenario files and report failures and rule coverage."""

from __future__ import annotations

import click
from rich.table import Table

from .._scenario import SUFFIXES, TestRun, run_scenarios
from .._scenario_junit import Thresholds, render_junit
from ._common import EXIT_PROBLEMS, console, echo, print_diagnostics, safe


@click.command(name="test")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit"]),
    default="text",
    show_default=True,
    help="text for people; json; junit: JUnit XML for CI test reports.",
)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help="Fail when any pack's coverage (rules, routes, deadline cases, findings) is lower.",
)
@click.option(
    "--min-source-coverage",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help="Fail when any pack's source coverage (imposing sentences of its sources that a "
    "citation or not_encoded entry accounts for) is lower.",
)
@click.option("-k", "select", default=None, help="Only scenarios whose name contains this text.")
@click.option("--quiet", "-q", is_flag=True, help="Only failures and the summary.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def test(
    fmt: str,
    min_coverage: float | None,
    min_source_coverage: float | None,
    select: str | None,
    quiet: bool,
    paths: tuple[str, ...],
) -> None:
    """Run the scenarios in PATHS (files, or directories searched for *.scenarios.yaml).

    Exits 1 when a scenario fails, a scenario file cannot be read, no scenario was
    found, or coverage is below --min-coverage (or source coverage below
    --min-source-coverage).
    """
    run = run_scenarios(paths or ["."], select=select)
    thresholds = Thresholds(min_coverage, min_source_coverage)
    low = [c for c in run.coverage if thresholds.failures(c)]
    if fmt == "json":
        click.echo(run.to_json(), nl=False)
    elif fmt == "junit":
        click.echo(render_junit(run, thresholds), nl=False)
    else:
        _print_text(run, quiet, thresholds)
    if not run.outcomes and not run.errors:
        where = ", ".join(paths or ["."])
        echo(
            f"error: no scenarios found in {safe(where)}; scenario files are named "
            f"{' or '.join('*' + s for s in SUFFIXES)}",
            err=True,
        )
    if not run.passed or low:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


def _print_text(run: TestRun, quiet: bool, thresholds: Thresholds) -> None:
    print_diagnostics(run.errors)
    for outcome in run.outcomes:
        if not outcome.passed:
            echo("FAIL " + outcome.report() + "\n")
        elif not quiet:
            echo(safe(f"ok   {outcome.file}:{outcome.line}: {outcome.name} [{outcome.pack}]"))
    if run.coverage:
        table = Table(title="Coverage", title_justify="left")
        columns = ("pack", "rules", "routes", "deadline cases", "findings", "total")
        for column in (*columns, "source sentences", "source"):
            table.add_column(column, justify="left" if column == "pack" else "right")
        for c in run.coverage:
            cells = [
                f"{a}/{b}" for a, b in (c.counts(k) for k in ("rule", "route", "case", "finding"))
            ]
            sources = ["-", "-"]
            if c.sources is not None:
                accounted, total = c.sources.counts()
                sources = [f"{accounted}/{total}", f"{c.sources.percent:.1f}%"]
            table.add_row(safe(c.pack), *cells, f"{c.percent:.1f}%", *sources)
        console().print(table)
        for c in run.coverage:
            for item in c.uncovered_summary():
                echo(safe(f"not covered: {c.pack}: {item.describe()}"))
            for unread in c.sources.unreadable if c.sources else ():
                echo(safe(f"source not read: {c.pack}: {unread} (lint says why)"))
            for s in c.sources.unaccounted if c.sources else ():
                echo(
                    safe(
                        f"not accounted for: {c.pack}: source {s.source} line "
                        f"{s.sentence.line}: {s.sentence.text}"
                    )
                )
            for failure in thresholds.failures(c):
                echo(f"error: {safe(failure)}", err=True)
    passed = sum(o.passed for o in run.outcomes)
    failed = len(run.outcomes) - passed
    files = len(run.files)
    errors = f", {len(run.errors)} unreadable file problem(s)" if run.errors else ""
    click.echo(f"{passed} passed, {failed} failed in {files} file(s){errors}")
