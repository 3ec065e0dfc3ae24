"""Shared by the report tests: the bundled examples, the 2,000-child stream, and a small
HTML table reader (stdlib only) so tests read the page as text, not through the renderer."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any

from safeguard_rules import Evaluation

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# (pack, events file, as_of): each bundled example under the pack it was written for.
EXAMPLE_RUNS = [
    ("jersey_2024", "child_a_history.jsonl", "2024-06-03T17:00:00+01:00"),
    ("wtsc_2015", "concerns_2015.jsonl", "2016-01-15T17:00:00+00:00"),
    ("wirral_2019", "strategy_requests.yaml", "2019-06-20T17:00:00+01:00"),
    ("wtsc_2015", "caseload_2015.jsonl", "2016-01-15T17:00:00+00:00"),
]


def benchmark_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("report_bench", ROOT / "benchmarks" / "report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_children_stream(children: int, seed: int, out: Path) -> Path:
    return benchmark_module().write_children(children, seed, out)  # type: ignore[no-any-return]


class _Tables(HTMLParser):
    """Every <table>: its caption and rows of cell texts (th and td alike)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, Any]] = []
        self._stack: list[dict[str, Any]] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            table = {"attrs": dict(attrs), "caption": "", "rows": []}
            self.tables.append(table)
            self._stack.append(table)
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._stack:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._stack:
            self._stack.pop()
        elif tag == "caption" and self._caption is not None:
            self._stack[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._stack[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def tables(html: str) -> list[dict[str, Any]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def table(html: str, caption_starts: str) -> list[list[str]]:
    found = [t for t in tables(html) if t["caption"].startswith(caption_starts)]
    assert len(found) == 1, f"{len(found)} tables with caption {caption_starts!r}"
    return found[0]["rows"]  # type: ignore[no-any-return]


def script_json(html: str, element_id: str) -> Any:
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


# --- independent expectations, straight from the Evaluation -----------------------------


def expected_timeliness(evaluation: Evaluation, tz: Any) -> dict[str, dict[str, Counter[str]]]:
    """rule -> "YYYY-MM" -> Counter of statuses, for obligations that have a deadline."""
    out: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for o in evaluation.obligations:
        if o.due is not None:
            local = o.triggered_at.astimezone(tz)
            out[o.rule][f"{local.year}-{local.month:02d}"][o.status] += 1
    return out


def share_text(met: int, late: int) -> str:
    """The percentage as the page must print it: one decimal place, halves rounded up."""
    held = met + late
    if held == 0:
        return "\u2013"
    value = (Decimal(100 * met) / Decimal(held)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def local_text(moment: datetime, tz: Any) -> str:
    local = moment.astimezone(tz)
    return f"{local:%a} {local:%Y-%m-%d %H:%M}"


def quarter_of(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"
