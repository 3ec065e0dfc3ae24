"""One self-contained HTML report of an evaluation: timeliness, overdue now, timelines.

``render_report`` returns the page as text. The page holds everything it needs: styles
and script inline (allowed by hash in a Content-Security-Policy that forbids every other
source, so the page cannot make a network request), charts as inline SVG, and the data
the per-child timelines are drawn from as JSON, one blob per child parsed only when that
child is opened. Jinja2 is imported here, when a report is made, not by
``import safeguard_rules``.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from importlib import metadata, resources

from .._compile import CompiledPack
from .._events import BaseEvent
from .._result import Evaluation
from .._stream import EventStream
from . import _data
from ._summary import (
    CANNOT_EVALUATE,
    PERCENT_METHOD,
    STATUS_LABELS,
    RuleTimeliness,
    Summary,
    describe_late,
    percent,
    status_label,
    summarise,
)

__all__ = ["PERCENT_METHOD", "render_report"]

# Rows of the overdue list and of the child index on one page of the report's tables.
PAGE_ROWS = 50


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the bar's tooltip and accessible name


@dataclass(frozen=True)
class Chart:
    """A small column chart of % within timescale per month (geometry only)."""

    width: int
    height: int
    plot_top: int
    plot_bottom: int
    left: int
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, str], ...]  # (x, label) along the month axis
    summary: str


def _chart(rule: RuleTimeliness) -> Chart:
    months = rule.months
    left, top, bottom = 40, 10, 130
    step = max(4.0, min(48.0, 680 / max(1, len(months))))  # 48: room for "2015-08"
    width = int(left + step * len(months) + 10)
    bars = []
    ticks = []
    for i, month in enumerate(months):
        x = left + i * step
        share = month.share
        text = (
            f"{month.label}: {month.percent} within timescale "
            f"({month['met']} of {month['met'] + month['met_late']} taken place)"
            if share is not None
            else f"{month.label}: nothing taken place yet ({month.triggered} triggered)"
        )
        if share is not None:
            height = max(1.0, (bottom - top) * share)
            bars.append(Bar(x + 1, bottom - height, max(1.0, step - 2), height, text))
        every = 1 if len(months) <= 12 else 3 if len(months) <= 36 else 12
        month_number = int(month.label[5:7])
        if (month_number - 1) % every == 0:
            ticks.append((x, month.label if every < 12 else month.label[:4]))
    shares = [m.share for m in months if m.share is not None]
    summary = (
        f"Column chart of the percentage within timescale for each month of trigger from "
        f"{months[0].label} to {months[-1].label}; overall {rule.total.percent}. "
        f"The table below gives every figure."
        if shares
        else "No obligation of this rule has taken place yet, so there is no percentage."
    )
    return Chart(width, 160, top, bottom, left, tuple(bars), tuple(ticks), summary)


def _library_version() -> str:
    # The installed distribution's version (the package face, a later stage, is not
    # imported from here); tests check it equals safeguard_rules.__version__.
    try:
        return metadata.version("safeguard-rules")
    except metadata.PackageNotFoundError:
        return "unknown"


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _asset(name: str) -> str:
    return (resources.files(__package__) / "templates" / name).read_text(encoding="utf-8")


def render_report(
    pack: CompiledPack,
    evaluation: Evaluation,
    events: EventStream | Iterable[BaseEvent],
    *,
    title: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    children: Collection[str] | None = None,
    max_timelines: int | None = None,
) -> str:
    """The evaluation as one self-contained HTML page.

    ``events`` are the events that were evaluated (an ``EventStream`` or the events
    themselves); the timelines draw them. ``progress(done, total)`` is called after each
    child's data is built, for a progress bar. The same pack, evaluation and events give
    byte-identical text: nothing in the page depends on when or where it was made.

    ``children`` restricts the whole page (figures, overdue list, index and timelines) to
    those child ids; the account stays that of the whole input, and the page says so.
    ``max_timelines`` keeps every figure, the overdue list and the index over all
    children but embeds the timelines of at most that many: those with the most overdue
    obligations, then the most obligations, then by id (a page with 20,000 timelines is
    about 120 MiB).
    """
    import jinja2  # a report dependency, imported only when a report is made

    stream = events.events if isinstance(events, EventStream) else tuple(events)
    restricted: tuple[str, ...] = ()
    if children is not None:
        keep = frozenset(children)
        restricted = tuple(sorted(keep))
        stream = tuple(e for e in stream if e.child_id in keep)
        evaluation = dataclasses.replace(
            evaluation,
            obligations=tuple(o for o in evaluation.obligations if o.child_id in keep),
            findings=tuple(f for f in evaluation.findings if f.child_id in keep),
            undetermined=tuple(u for u in evaluation.undetermined if u.child_id in keep),
        )
    titles = {c.rule.id: c.rule.title for c in pack.rules}
    tz = pack.calendar.tz
    summary: Summary = summarise(evaluation, titles, tz)
    data, blobs = _data.build(pack, evaluation, stream, summary.overdue, progress, max_timelines)
    script = _asset("report.js")
    style = _asset("report.css")
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader(__package__, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = environment.get_template("report.html.j2")
    account = evaluation.account
    as_of_local = evaluation.as_of.astimezone(tz)
    return template.render(
        title=title or f"Timeliness report: {pack.pack.pack.title}",
        pack=pack,
        stamp=evaluation.pack,
        as_of=evaluation.as_of.isoformat(timespec="seconds"),
        as_of_local=as_of_local.strftime("%a %Y-%m-%d %H:%M"),
        tz=tz.key,
        account=account,
        version=_library_version(),
        summary=summary,
        charts={r.rule: _chart(r) for r in summary.timeliness},
        cannot_column=any(r.total[CANNOT_EVALUATE] for r in summary.timeliness),
        method=PERCENT_METHOD,
        statuses=STATUS_LABELS,
        status_label=status_label,
        percent=percent,
        describe_late=describe_late,
        roles={role: spec.title for role, spec in pack.pack.roles.items()},
        children=len(data["children"]),
        restricted=restricted,
        timelines=sum(1 for blob in blobs if blob is not None),
        data=_data.json_for_script(data),
        blobs=blobs,
        script=script,
        style=style,
        csp=(
            "default-src 'none'; "
            f"script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; "
            "img-src data:; base-uri 'none'; form-action 'none'"
        ),
        page_rows=PAGE_ROWS,
    )
