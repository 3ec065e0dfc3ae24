"""Helpers shared by the CLI commands: option parsing, pack and event loading, output."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from .._compile import CompiledPack
from .._errors import Diagnostic, EventStreamError, PackError, PackNotFoundError
from .._lint import render_text
from .._loading import load_pack
from .._result import Rejection
from .._stream import EventStream, load_events
from .._yaml import read_yaml_text

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
T = TypeVar("T")


def console(stderr: bool = False) -> Console:
    # Not a terminal (CI, pipes): a fixed, wide layout so output does not depend on the machine.
    wide = None if sys.stdout.isatty() else 240
    return Console(stderr=stderr, width=wide, highlight=False, soft_wrap=False)


def fail(message: str, code: int = EXIT_USAGE) -> click.exceptions.Exit:
    click.echo(f"error: {message}", err=True)
    return click.exceptions.Exit(code)


def parse_as_of(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise fail(
            f"--as-of {value!r} is not an ISO 8601 time, e.g. 2024-06-03T17:00:00+01:00"
        ) from exc
    if moment.tzinfo is None:
        raise fail(f"--as-of {value!r} has no UTC offset; write e.g. 2024-06-03T17:00:00+01:00")
    return moment


def parse_params(values: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in values:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise fail(
                f"--param {item!r}: write NAME=VALUE, e.g. "
                "--param follow_up_timescale='{working_days: 2}'"
            )
        try:
            value, _positions = read_yaml_text(text, f"--param {name}")
        except PackError as exc:
            raise fail(str(exc.diagnostics[0].message)) from exc
        params[name] = value
    return params


def with_packs(build: Callable[[], T]) -> T:
    """``build()``, reporting pack problems the CLI way: a name that does not resolve is a
    usage error (exit 2); a pack that does not validate lists its diagnostics (exit 1)."""
    try:
        return build()
    except PackNotFoundError as exc:
        raise fail(str(exc)) from exc
    except PackError as exc:
        print_diagnostics(exc.diagnostics)
        raise click.exceptions.Exit(EXIT_PROBLEMS) from exc


def load(pack: str, params: Sequence[str] = ()) -> CompiledPack:
    return with_packs(lambda: load_pack(pack, parameters=parse_params(params)))


def read_events(paths: Sequence[Path]) -> EventStream:
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
            raise fail(f"cannot read {path}: {exc.strerror}") from exc
        events.extend(stream.events)
        rejected.extend(stream.rejected)
    return EventStream(tuple(events), tuple(rejected), ",".join(str(p) for p in paths))


def print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    """Why a pack did not load, on stderr (the command's own output is on stdout), in the
    same form as ``validate`` and ``lint``: the source line and a caret under the spot."""
    click.echo(render_text(diagnostics), err=True, nl=False)
