"""Reporters: a run's diagnostics as text, GitHub Actions annotations, and a summary."""

from __future__ import annotations

from collections.abc import Sequence

from .._errors import Diagnostic
from .._files import excerpt, read_lines
from .._limits import DEFAULT_LIMITS
from .._wording import plural
from ._run import LintReport


def render_text(diagnostics: Sequence[Diagnostic]) -> str:
    """``file:line:col: level code: message``, then the source line and a caret under the spot."""
    lines: list[str] = []
    cache: dict[str, list[str] | None] = {}
    for d in diagnostics:
        lines.append(str(d))
        if d.file not in cache:
            # Only the reported file, read like a pack (bounded, regular files only).
            cache[d.file] = read_lines(d.file, DEFAULT_LIMITS.max_file_bytes)
        shown = excerpt(cache[d.file], d.line, d.column)  # cut to a width; controls hidden
        if shown is not None:
            lines.extend(f"    {part}" for part in shown)
    return "".join(line + "\n" for line in lines)


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: ``::error file=F,line=L,col=C,title=CODE::message``."""
    return "".join(
        f"::{d.level} file={_escape_property(d.file)},line={d.line},col={d.column},"
        f"title={_escape_property(d.code)}::{_escape_data(d.message)}\n"
        for d in diagnostics
    )


def _escape_data(text: str) -> str:
    # As GitHub's toolkit escapes command data: '%' first, so the others stay single.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_summary(report: LintReport) -> str:
    """One line per pack and a closing count."""
    out = []
    for p in report.packs:
        what = f"{p.pack} version {p.version}, {plural(p.rules or 0, 'rule')}"
        what = what if p.loads else "does not load"
        if p.errors or p.warnings:
            verdict = f"{plural(p.errors, 'error')}, {plural(p.warnings, 'warning')}"
        else:
            verdict = "ok"
        out.append(f"{p.file}: {what}: {verdict}\n")
    out.append(
        f"{plural(len(report.packs), 'pack')} checked: {plural(report.errors, 'error')}, "
        f"{plural(report.warnings, 'warning')}\n"
    )
    return "".join(out)
