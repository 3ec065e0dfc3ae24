"""Progress bars for long runs, on stderr, only where a person is watching.

A bar is drawn when stderr is a terminal and ``--quiet`` was not given; in a pipe, a
file or CI nothing is written, so machine-readable output stays clean. ``NO_COLOR``
(https://no-color.org) turns colour off; the bar itself still shows. Bars are transient:
they disappear when the run ends and leave only the command's own output.

    with progress(quiet) as bar:
        with bar.stage("Reading events"):
            stream = read_events(paths)
        with bar.stage("Building the report", total=children) as advance:
            render(..., progress=advance)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

Advance = Callable[[int, int], None]  # (done, total)


def _ignore(_done: int, _total: int) -> None:
    return None


class Bar:
    """Stages of one run; each is a bar (with a total) or a pulsing bar (without)."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress

    @property
    def shown(self) -> bool:
        return self._progress is not None

    @contextmanager
    def stage(self, description: str, total: int | None = None) -> Iterator[Advance]:
        progress = self._progress
        if progress is None:
            yield _ignore
            return
        task = progress.add_task(description, total=total)
        last = [total or 1]

        def advance(done: int, total: int) -> None:
            last[0] = total
            progress.update(task, completed=done, total=total)

        try:
            yield advance
        finally:
            progress.update(task, completed=last[0], total=last[0])


def wanted(quiet: bool) -> bool:
    """A bar only for a person at a terminal who did not ask for quiet."""
    return not quiet and sys.stderr.isatty()


@contextmanager
def progress(quiet: bool) -> Iterator[Bar]:
    if not wanted(quiet):
        yield Bar(None)
        return
    console = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        yield Bar(bar)
