"""The ``safeguard-rules`` command line: a thin layer over the library.

Each command lives in its own module and only parses options, calls the library
and prints. Exit codes: 0 success; 1 the input had problems (a pack that does not
validate, rejected events, failing scenarios); 2 usage errors (unknown pack, bad
option, unreadable file). click and rich are imported by this package only, never
by ``import safeguard_rules``.
"""

from __future__ import annotations

import click

from .. import __version__
from ._compile import compile_
from ._diff import diff
from ._docs import docs
from ._evaluate import evaluate, explain, packs
from ._import import import_
from ._report import calendar, report
from ._schema import schema
from ._streaming import sort_events
from ._test import test
from ._validate import lint, validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="safeguard-rules")
def main() -> None:
    """Evaluate multi-agency safeguarding procedures (YAML policy packs) against case events."""


for command in (
    evaluate,
    explain,
    packs,
    validate,
    lint,
    test,
    schema,
    diff,
    docs,
    sort_events,
    report,
    calendar,
    import_,
    compile_,
):
    main.add_command(command)

__all__ = ["main"]
