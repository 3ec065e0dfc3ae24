"""``validate``: does each pack load?"""

from __future__ import annotations

import json
import os
from typing import Any

import click

from .._errors import Diagnostic, PackError, PackNotFoundError
from .._registry import load_pack, resolve_pack
from ._common import EXIT_PROBLEMS, print_diagnostics


@click.command()
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
        print_diagnostics(problems, fmt)
        for item in report:
            click.echo(
                f"ok {item['file']}: {item['pack']} version {item['version']}, "
                f"{item['rules']} rules"
            )
    if problems:
        raise click.exceptions.Exit(EXIT_PROBLEMS)
