"""``docs``: each pack's reading of its sources as Markdown (docs/policies/<pack>.md)."""

from __future__ import annotations

from pathlib import Path

import click

from .._lint import pack_files
from .._pack_doc import doc_file_name, render_pack_doc
from ._common import EXIT_OK, EXIT_PROBLEMS, fail, load, with_packs


@click.command()
@click.argument("packs", nargs=-1, required=True)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write <pack id>.md for each pack into this directory (made if missing). "
    "Without it, the documents are printed.",
)
@click.option(
    "--check",
    is_flag=True,
    help="With --out: write nothing, and exit 1 if a document there is missing or differs "
    "from what the pack gives (for CI).",
)
def docs(packs: tuple[str, ...], out: Path | None, check: bool) -> None:
    """Write the reading of each of PACKS as a Markdown document: per source sentence, in
    the source's order, the rules that encode it, the event that starts each timed rule's
    clock, whether a value is a local default, or why the sentence is not encoded; then
    every rule with its citation and reading, every parameter and role.

    PACKS are bundled pack names, pack files, or directories (each *.yaml pack directly
    in one, scenario files excepted). The documents are generated from the packs alone:
    edit the pack, never the document.
    """
    if check and out is None:
        raise fail("--check compares with the documents in --out DIR; give --out")
    files = with_packs(lambda: pack_files(packs))
    rendered = []
    for file in files:
        compiled = load(str(file))
        rendered.append((doc_file_name(compiled), render_pack_doc(compiled)))
    if out is None:
        click.echo("\n".join(text for _, text in rendered), nl=False)
        raise click.exceptions.Exit(EXIT_OK)
    stale = []
    for name, text in rendered:
        target = out / name
        if check:
            try:
                current = target.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                current = None
            if current != text:
                stale.append(target)
                what = "missing" if current is None else "out of date"
                click.echo(f"{target}: {what}", err=True)
            continue
        out.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        click.echo(f"wrote {target}")
    if stale:
        command = "safeguard-rules docs " + " ".join(packs) + f" --out {out}"
        click.echo(f"regenerate with: {command}", err=True)
        raise click.exceptions.Exit(EXIT_PROBLEMS)
    if check:
        click.echo(f"{len(rendered)} document(s) in {out} are up to date")
