"""Reporters: a validate or lint run as text, JSON, GitHub Actions annotations or SARIF.

Each reporter takes the whole :class:`LintReport` and returns the whole output; the CLI
picks one by name from :data:`REPORTERS`. Output depends only on the report (no clock,
no machine), so two runs over the same packs print the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from .._errors import LOAD_CODES, Diagnostic
from .._files import excerpt, read_lines
from .._limits import DEFAULT_LIMITS
from .._wording import plural
from ._run import LintReport
from .checks import CHECKS


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


# --- SARIF -----------------------------------------------------------------------------------

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://pypi.org/project/safeguard-rules/"


def render_sarif(report: LintReport) -> str:
    """A SARIF 2.1.0 log (one run) for code-scanning tools, e.g. GitHub's upload-sarif.

    Every code that occurs is a ``rule`` of the tool's driver, as is every lint check that
    ran: a check's summary, level and documentation, or a load code's summary. Columns
    count Unicode code points (``columnKind``), as the text output's do. A relative file
    is given relative to ``%SRCROOT%`` (the checkout, for GitHub), an absolute one as a
    ``file:`` URI.
    """
    codes = list(dict.fromkeys([*report.checks, *(d.code for d in report.diagnostics)]))
    index = {code: i for i, code in enumerate(codes)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "safeguard-rules",
                        "version": _version(),
                        "informationUri": TOOL_URI,
                        "rules": [_rule(code) for code in codes],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index[d.code]) for d in report.diagnostics],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _version() -> str:
    try:
        return metadata.version("safeguard-rules")
    except metadata.PackageNotFoundError:  # run from a source tree without installing
        return "0+unknown"


def _rule(code: str) -> dict[str, Any]:
    check = CHECKS.get(code)
    if check is not None:
        level, summary = check.level, check.summary
        full = check.doc.split("\n\n", 1)[0].replace("\n", " ")
    else:
        declared = LOAD_CODES.get(code)
        level = "error"
        summary = declared.summary if declared else f"The pack does not load ({code})."
        full = summary + " Checked when the pack loads: a pack with this problem does not load."
    return {
        "id": code,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": level},
        "help": {"text": f"docs/lint.md lists the checks and load codes ({code})."},
    }


def _result(d: Diagnostic, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": d.level,
        "message": {"text": d.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(d.file),
                    "region": {"startLine": d.line, "startColumn": d.column},
                }
            }
        ],
    }


def _artifact(file: str) -> dict[str, str]:
    path = Path(file)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(str(PurePosixPath(*path.parts))), "uriBaseId": "%SRCROOT%"}


# --- reporters chosen by name ----------------------------------------------------------------


def _text(report: LintReport) -> str:
    return render_text(report.diagnostics) + render_summary(report)


def _github(report: LintReport) -> str:
    return render_github(report.diagnostics) + render_summary(report)


def _json(report: LintReport) -> str:
    return report.to_json()


REPORTERS: dict[str, Callable[[LintReport], str]] = {
    "text": _text,
    "json": _json,
    "github": _github,
    "sarif": render_sarif,
}


def render_report(report: LintReport, fmt: str = "text") -> str:
    """The report in the format named ``fmt``, one of :data:`REPORTERS`."""
    return REPORTERS[fmt](report)
