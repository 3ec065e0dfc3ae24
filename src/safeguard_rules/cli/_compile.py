"""``compile``: write (or check) a pack's compiled form, the file a deployment ships beside
the pack's YAML so that loading it neither parses the YAML nor validates the model
(docs/registry.md, "Compiled packs")."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .._errors import PackNotFoundError
from .._loading import load_pack
from .._prebuilt import COMPILED_SUFFIX, compiled_text
from .._registry import resolve_pack
from ._common import EXIT_PROBLEMS, echo, fail, safe, with_packs


@click.command(name="compile")
@click.argument("pack")
@click.option(
    "-o",
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The compiled pack to write (a .json file). Default: NAME.compiled.json beside "
    "the pack's YAML file.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 if the compiled pack is missing or not what compiling "
    "the YAML file with this version of the library gives.",
)
def compile_(pack: str, out: Path | None, check: bool) -> None:
    """Compile PACK (a .yaml file or a pack name) into one JSON file that load_pack reads
    instead of the YAML: load_pack('NAME.compiled.json'), or evaluate --pack
    NAME.compiled.json.

    The YAML file stays the pack: ship both. Loading checks that the YAML text is the one
    compiled (an edited pack is refused until compiled again) and uses the YAML itself
    after a library upgrade. Exit 1 if the pack does not load (its problems are listed
    as validate lists them), or with --check if the file is out of date.
    """
    try:
        source = resolve_pack(pack)
    except PackNotFoundError as exc:
        raise fail(str(exc)) from exc
    if source.suffix == COMPILED_SUFFIX:
        raise fail(f"{safe(source)} is a compiled pack: give the .yaml file it was compiled from")
    target = out if out is not None else source.with_name(f"{source.stem}.compiled.json")
    if target.suffix != COMPILED_SUFFIX:
        raise fail(
            f"--out {safe(target)}: a compiled pack is a .json file (load_pack tells it by that)"
        )
    with_packs(lambda: load_pack(source))  # a pack that does not load is reported, not compiled
    text = with_packs(lambda: compiled_text(source, target))
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if current == text:
        echo(f"up to date {safe(target)}")
        return
    if check:
        echo(f"out of date {safe(target)}", err=True)
        echo(f"run 'safeguard-rules compile {safe(source)} -o {safe(target)}'", err=True)
        raise click.exceptions.Exit(EXIT_PROBLEMS)
    # Written whole, then moved into place: a loader never sees half a file.
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    echo(f"wrote {safe(target)} (from {safe(source)})")
