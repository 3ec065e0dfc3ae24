"""Helpers shared by the CLI commands: option parsing, pack and event loading, output."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from .._compile import CompiledPack, parameter_value
from .._errors import Diagnostic, PackError, PackNotFoundError
from .._event_files import EventLimits
from .._events import EARLIEST_YEAR, LATEST_YEAR
from .._gc import collector_paused
from .._limits import PackLimits
from .._lint import render_text
from .._loading import load_pack
from .._mapping import EventMapping
from .._pack import Due
from .._stream import EventStream, load_events
from .._vocabulary import Vocabulary
from .._yaml import read_yaml_text

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
T = TypeVar("T")
Option = Callable[[Any], Any]  # what click.option returns: a decorator
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def console(stderr: bool = False) -> Console:
    """Where tables go. Values from packs and events are never read as rich markup or
    emoji codes (a child id of ``[/bold]`` or ``:x:`` is printed as written); pass them
    through :func:`safe` for the characters a terminal would act on."""
    # Not a terminal (CI, pipes): a fixed, wide layout so output does not depend on the machine.
    wide = None if sys.stdout.isatty() else 240
    return Console(
        stderr=stderr,
        width=wide,
        highlight=False,
        soft_wrap=False,
        markup=False,
        emoji=False,
    )


# --- terminal safety ---------------------------------------------------------------------
#
# Every text value from a pack, an event or a file name reaches the terminal through safe()
# or echo(): control characters (ESC, OSC sequences, C1 codes, BEL), invisible format and
# direction characters (bidi overrides, zero-width), line and paragraph separators and
# lone surrogates (bytes that were not UTF-8) are shown as escapes such as \x1b or
# \u202e, never sent as they are. JSON output is data: JSON escapes the C0 controls itself.

_NOT_PLAIN = re.compile(r"[^\x20-\x7e]")
_HIDDEN = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def _escape(keep: str) -> Callable[[re.Match[str]], str]:
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep or unicodedata.category(char) not in _HIDDEN:
            return char
        code = ord(char)
        if code < 0x100:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

    return escape


_ONE_LINE = _escape("")
_LINES = _escape("\n\t")


def safe(value: object) -> str:
    """One value for the terminal, on one line: every control character escaped."""
    text = str(value)
    return _NOT_PLAIN.sub(_ONE_LINE, text) if _NOT_PLAIN.search(text) else text


def safe_lines(text: str) -> str:
    """Text of several lines for the terminal: control characters escaped but newlines
    and tabs."""
    return _NOT_PLAIN.sub(_LINES, text) if _NOT_PLAIN.search(text) else text


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for text output (not JSON), made safe for the terminal."""
    click.echo(safe_lines(text), err=err, nl=nl)


def fail(message: str, code: int = EXIT_USAGE) -> click.exceptions.Exit:
    echo(f"error: {message}", err=True)
    return click.exceptions.Exit(code)


def parse_as_of(value: str) -> datetime | date:
    """An aware time, or a date (YYYY-MM-DD): the end of that local day in the pack's zone."""
    moment: datetime | date
    try:
        if _DAY.fullmatch(value.strip()):
            moment = date.fromisoformat(value.strip())
        else:
            moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise fail(
            f"--as-of {value!r} is not an ISO 8601 time or date, e.g. "
            "2024-06-03T17:00:00+01:00 or 2024-06-03 (the end of that day)"
        ) from exc
    if isinstance(moment, datetime) and (moment.tzinfo is None or moment.utcoffset() is None):
        raise fail(
            f"--as-of {value!r} has no UTC offset; write e.g. 2024-06-03T17:00:00+01:00, or a "
            "date (2024-06-03) for the end of that day"
        )
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise fail(
            f"--as-of {value!r} is outside the years {EARLIEST_YEAR} to {LATEST_YEAR} "
            "that events may have (docs/events.md)"
        )
    return moment


def _bound(flag: str, name: str, default: int, help: str, most: int | None = None) -> Option:
    """An option that sets one of the bounds of docs/limits.md: a whole number from 1."""
    return click.option(
        flag,
        name,
        type=click.IntRange(min=1, max=most),
        default=default,
        show_default=True,
        help=help,
    )


def with_options(command: Callable[..., Any], options: Sequence[Option]) -> Callable[..., Any]:
    """``command`` with ``options``, which ``--help`` lists in the order given."""
    for option in reversed(options):
        command = option(command)
    return command


def event_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that change the bounds on event input (docs/limits.md)."""
    defaults = EventLimits()
    return with_options(
        command,
        (
            _bound(
                "--max-event-record-chars",
                "max_record_chars",
                defaults.record_chars,
                "Longest event record (a JSON line, array element or YAML item).",
            ),
            _bound(
                "--max-event-file-bytes",
                "max_file_bytes",
                defaults.file_bytes,
                "Largest .json array or YAML event file (these are read whole).",
            ),
            _bound(
                "--max-event-depth",
                "max_depth",
                defaults.depth,
                "Deepest nesting of values in an event record.",
                most=1000,
            ),
        ),
    )


def pack_limit_options() -> tuple[Option, ...]:
    """The options that raise the bounds on reading a pack (docs/limits.md)."""
    defaults = PackLimits()
    return (
        _bound(
            "--max-pack-bytes",
            "max_pack_bytes",
            defaults.max_file_bytes,
            "Largest pack or overlay file.",
        ),
        _bound(
            "--max-pack-values",
            "max_pack_values",
            defaults.max_values,
            "Most values in one pack file (aliases counted in full).",
        ),
        _bound(
            "--max-pack-depth",
            "max_pack_depth",
            defaults.max_depth,
            "Deepest nesting of lists and mappings in one pack file.",
            most=1000,
        ),
    )


def pack_limits(max_pack_bytes: int, max_pack_values: int, max_pack_depth: int) -> PackLimits:
    return PackLimits(
        max_file_bytes=max_pack_bytes, max_values=max_pack_values, max_depth=max_pack_depth
    )


def event_limits(max_record_chars: int, max_file_bytes: int, max_depth: int) -> EventLimits:
    return EventLimits(record_chars=max_record_chars, file_bytes=max_file_bytes, depth=max_depth)


def parse_params(values: Sequence[str]) -> dict[str, Due]:
    params: dict[str, Due] = {}
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
        try:
            params[name] = parameter_value(value)
        except ValueError as exc:
            # Said here, of the option: the library would place it in the pack's file.
            raise fail(
                f"--param {safe(item)}: {exc}; a pack parameter's type is a timescale or a "
                "deadline table, as for a rule's 'due' (docs/pack-format.md), e.g. "
                f"--param {safe(name)}='{{working_days: 2}}'"
            ) from exc
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


def read_events(
    paths: Sequence[Path],
    limits: EventLimits | None = None,
    mapping: EventMapping | None = None,
    vocabulary: Vocabulary | None = None,
) -> EventStream:
    """The events of ``paths`` ("-" is standard input), one stream; each file is read
    record by record, and what is wrong inside a file is a rejection, not an error."""
    # Events hold no reference cycles: the collector stays paused across all the files
    # (the library pauses it per file too, and restores the caller's setting).
    with collector_paused():
        return _read_event_files(paths, limits or EventLimits(), mapping, vocabulary)


def _read_event_files(
    paths: Sequence[Path],
    limits: EventLimits,
    mapping: EventMapping | None = None,
    vocabulary: Vocabulary | None = None,
) -> EventStream:
    streams = []
    for path in paths:
        try:
            stream = load_events(path, limits=limits, mapping=mapping, vocabulary=vocabulary)
        except OSError as exc:
            raise fail(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from exc
        if stream.received == 0:
            echo(f"warning: {safe(stream.source)} holds no events", err=True)
        streams.append(stream)
    return EventStream.join(streams, ",".join(str(p) for p in paths))


def print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    """Why a pack did not load, on stderr (the command's own output is on stdout), in the
    same form as ``validate`` and ``lint``: the source line and a caret under the spot."""
    echo(render_text(diagnostics), err=True, nl=False)
