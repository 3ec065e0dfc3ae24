"""``validate`` and ``lint``: does each pack load, and is what it says sound?

Both print their report on stdout (diagnostics are the output, as with other linters);
only usage errors go to stderr. Exit 0 when there is no error (warnings allowed), 1 on
any error (or any warning with ``--strict``), 2 on a usage error.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from .._errors import PackNotFoundError, UnknownCheckError
from .._lint import (
    REPORTERS,
    LintReport,
    checks_to_run,
    lint_packs,
    render_report,
    validate_packs,
)
from ._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    echo,
    fail,
    pack_limit_options,
    pack_limits,
    with_options,
)


def _options(command: Callable[..., Any]) -> Callable[..., Any]:
    return with_options(
        command,
        (
            click.option(
                "--format",
                "fmt",
                type=click.Choice(list(REPORTERS)),
                default=None,
                help="Output format. Default: github when GITHUB_ACTIONS=true, else text.",
            ),
            click.option(
                "--disable",
                "disable",
                multiple=True,
                metavar="CHECK_ID",
                help="Do not run this lint check (repeatable); docs/lint.md lists them.",
            ),
            click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1)."),
            *pack_limit_options(),
            click.argument("packs", nargs=-1, required=True),
        ),
    )


@click.command()
@_options
def validate(
    fmt: str | None,
    disable: tuple[str, ...],
    strict: bool,
    packs: tuple[str, ...],
    **limits: int,
) -> None:
    """Check that each of PACKS loads: YAML syntax, the pack format and every name.

    PACKS are bundled pack names, pack files, or directories (each *.yaml pack directly
    in one, scenario files excepted).
    """
    _check_disable(disable)  # accepted for symmetry with lint; validate runs no lint check
    bounds = pack_limits(**limits)
    _finish(_report(lambda: validate_packs(packs, limits=bounds)), fmt, strict)


@click.command()
@_options
@click.option(
    "--against",
    "against",
    multiple=True,
    metavar="PACKS",
    help="Also compare with these packs, without linting them (repeatable): pack names, "
    "files or directories, or 'bundled' for the bundled example packs.",
)
def lint(
    fmt: str | None,
    disable: tuple[str, ...],
    strict: bool,
    packs: tuple[str, ...],
    against: tuple[str, ...],
    **limits: int,
) -> None:
    """Validate PACKS, then run every lint check (see docs/lint.md).

    PACKS are bundled pack names, pack files, or directories (each *.yaml pack directly
    in one, scenario files excepted). Cross-pack checks (overlapping effective dates)
    compare the packs named here with each other, and with --against packs if given.
    """
    _check_disable(disable)
    bounds = pack_limits(**limits)
    _finish(
        _report(lambda: lint_packs(packs, disable=disable, against=against, limits=bounds)),
        fmt,
        strict,
    )


def _check_disable(disable: tuple[str, ...]) -> None:
    try:
        checks_to_run(disable)
    except UnknownCheckError as exc:
        raise fail(f"--disable: {exc}") from exc


def _report(run: Callable[[], LintReport]) -> LintReport:
    try:
        return run()
    except PackNotFoundError as exc:
        raise fail(str(exc)) from exc


def _finish(report: LintReport, fmt: str | None, strict: bool) -> None:
    chosen = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    rendered = render_report(report, chosen)
    if chosen in ("text", "github"):  # for a terminal or a CI log: made safe
        echo(rendered, nl=False)
    else:  # JSON and SARIF are data; their strings escape control characters themselves
        click.echo(rendered, nl=False)
    raise click.exceptions.Exit(EXIT_OK if report.passed(strict=strict) else EXIT_PROBLEMS)
