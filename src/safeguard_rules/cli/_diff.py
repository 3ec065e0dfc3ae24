"""``diff``: what changed between two packs, and what that does to the same events."""

from __future__ import annotations

from pathlib import Path

import click

from .._diff import FORMATS, diff_evaluations, diff_packs, render_diff
from .._evaluate import evaluate as evaluate_events
from .._vocabulary import combined
from ._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    echo,
    event_limits,
    event_options,
    fail,
    load,
    parse_as_of,
    read_events,
    safe,
)


@click.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
)
@click.option(
    "--events",
    "events",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Also evaluate these events (.jsonl or .yaml) under both packs and compare. Repeatable.",
)
@click.option("--as-of", "as_of", help="With --events: evaluate as at this ISO 8601 time.")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=YAML",
    help="Override a parameter of NEW, e.g. to see what a local timescale changes.",
)
@event_options
@click.option(
    "--exit-code",
    "exit_code",
    is_flag=True,
    help="Exit 1 when the packs (or, with --events, the obligations) differ, like git diff.",
)
def diff(
    old: str,
    new: str,
    fmt: str,
    events: tuple[Path, ...],
    as_of: str | None,
    params: tuple[str, ...],
    exit_code: bool,
    **limits: int,
) -> None:
    """Show how pack NEW differs from pack OLD: rules, parameters, roles, calendar.

    OLD and NEW are bundled pack names or paths. Exits 0 whether or not they differ,
    unless --exit-code is given; 1 when a pack does not load or events were rejected.
    """
    if events and as_of is None:
        raise fail("--events needs --as-of, e.g. --as-of 2024-06-03T17:00:00+01:00")
    if as_of is not None and not events:
        raise fail("--as-of is only used with --events FILE")
    old_pack, new_pack = load(old), load(new, params)
    packs = diff_packs(old_pack, new_pack)
    outcome = None
    if events:
        assert as_of is not None
        moment = parse_as_of(as_of)
        try:
            vocabulary = combined((old_pack.vocabulary, new_pack.vocabulary))
        except ValueError as exc:
            raise fail(str(exc)) from exc
        stream = read_events(events, event_limits(**limits), vocabulary=vocabulary)
        outcome = diff_evaluations(
            evaluate_events(old_pack, stream, moment),
            evaluate_events(new_pack, stream, moment),
            packs.rule_pairs(),
        )
    rendered = render_diff(packs, outcome, fmt)
    if fmt == "json":
        click.echo(rendered, nl=False)
    else:
        echo(rendered, nl=False)
    rejected = outcome.rejected if outcome else ()
    for rejection in rejected:
        echo(f"rejected: {safe(rejection)}", err=True)
    if rejected:
        raise click.exceptions.Exit(EXIT_PROBLEMS)
    differs = not packs.empty or (outcome is not None and not outcome.empty)
    raise click.exceptions.Exit(EXIT_PROBLEMS if exit_code and differs else EXIT_OK)
