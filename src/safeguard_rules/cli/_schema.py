"""``schema``: write (or check) the JSON Schemas of packs, scenarios and evaluations."""

from __future__ import annotations

from pathlib import Path

import click

from .._schema import schemas
from ._common import EXIT_PROBLEMS, echo, load, safe


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Directory to write pack, scenario and evaluation .schema.json files into.",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 if the files there are not up to date."
)
@click.option(
    "--pack",
    "pack_name",
    help="Include this pack's declared event types in the scenario schema's events.",
)
def schema(out_dir: Path, check: bool, pack_name: str | None) -> None:
    """Write the JSON Schemas of packs, scenarios and evaluations (for editors and CI).

    With --pack, the events of scenario files may be of the event types the pack declares
    (its vocabulary: section) as well as the core ones: write these beside the pack's
    scenario files, not over the project's shared schemas.
    """
    vocabulary = load(pack_name).vocabulary if pack_name is not None else None
    stale = []
    for name, text in schemas(vocabulary).items():
        target = out_dir / name
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            echo(f"up to date {safe(target)}")
        elif check:
            stale.append(target)
            echo(f"out of date {safe(target)}", err=True)
        else:
            out_dir.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            echo(f"wrote {safe(target)}")
    if stale:
        click.echo("run 'safeguard-rules schema' to regenerate them", err=True)
        raise click.exceptions.Exit(EXIT_PROBLEMS)
