#!/usr/bin/env python3
"""safeguard-rules on the shared benchmark workload: same counts and digest as handwritten.py.

The workload's JSON Lines are read by the library's public loading API with an event
mapping (shared_bench.mapping.yaml), so records are renamed and validated in one pass;
the two rules are the pack shared_bench.yaml, evaluated by ``evaluate``. The printed
report is the shared one (common.report's format), built here from the Evaluation:

* R1 actions: obligations of rules flag_to_social_worker (due = the incident's time) and
  request_planning_meeting (no due);
* R2 deadlines: obligations of strategy_meeting_timescale, deadline = the local date of
  ``due``, status met -> met, met_late or overdue -> breached, open -> pending.

Usage: python safeguard_rules_impl.py EVENTS.jsonl   (counts on stdout, phase times on stderr)
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from datetime import datetime
from itertools import repeat
from operator import attrgetter, itemgetter
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The pack as its YAML (parsed and validated at every start); safeguard_rules_compiled_impl.py
# loads its compiled form instead (safeguard-rules compile, docs/registry.md).
PACK = HERE / "shared_bench.yaml"
AS_OF = "2026-01-01T00:00:00+00:00"  # the benchmark's evaluation time: 2026-01-01T00:00 London
STATUS = {"met": "met", "met_late": "breached", "overdue": "breached", "open": "pending"}
R1 = ("flag_to_social_worker", "request_planning_meeting")
R2 = "strategy_meeting_timescale"


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} EVENTS.jsonl")
    t0 = time.perf_counter()
    import safeguard_rules as sr

    pack = sr.load_pack(PACK)
    mapping = sr.load_mapping(HERE / "shared_bench.mapping.yaml")
    t_start = time.perf_counter()
    stream = sr.load_events(sys.argv[1], mapping=mapping)
    t_loaded = time.perf_counter()
    result = sr.evaluate(pack, stream, datetime.fromisoformat(AS_OF))
    t_rules = time.perf_counter()
    if result.account.rejected:
        for rejection in result.account.rejected[:10]:
            print(f"rejected: {rejection}", file=sys.stderr)
        sys.exit(f"{len(result.account.rejected)} records rejected")
    summary(stream, result)
    t_end = time.perf_counter()
    print(
        f"safeguard_rules: imports+compile {t_start - t0:.3f}s load {t_loaded - t_start:.3f}s "
        f"rules {t_rules - t_loaded:.3f}s report {t_end - t_rules:.3f}s",
        file=sys.stderr,
    )


_RULE = attrgetter("rule")
_ID = attrgetter("id")
_ACTION = attrgetter("action")
_DUE = attrgetter("due")
_STATUS = attrgetter("status")


def summary(stream: object, result: object) -> None:
    """The report of ``result`` (an Evaluation) on ``stream`` (the EventStream read).

    The children are counted by ``EventStream.child_ids``, which reads the column of child
    ids the loader kept (in order) rather than every event (all over memory).
    """
    n_events = len(stream.events)  # type: ignore[attr-defined]
    report(result, n_events, len(stream.child_ids))  # type: ignore[attr-defined]


def report(result: object, n_events: int, n_children: int) -> None:
    """The lines common.report prints, from the Evaluation.

    Column by column (C-level ``map`` calls over the obligations of each rule), not a
    Python loop per obligation: an obligation's id is ``rule/trigger event id``."""
    by_rule: defaultdict[str, list[object]] = defaultdict(list)
    obligations = result.obligations  # type: ignore[attr-defined]
    deque(map(list.append, map(by_rule.__getitem__, map(_RULE, obligations)), obligations), 0)
    lines: list[str] = []
    count: Counter[str] = Counter()
    n_actions = n_deadlines = 0
    for rule, of_rule in by_rule.items():
        if rule not in R1 and rule != R2:
            continue
        triggers = map(itemgetter(slice(len(rule) + 1, None)), map(_ID, of_rule))
        dues = list(map(_DUE, of_rule))
        if rule in R1:
            names = list(map(_ACTION, of_rule))
            count.update(names)
            n_actions += len(names)
            if None not in dues:
                due_text: Iterable[str] = map(datetime.isoformat, dues)
            else:
                due_text = [due.isoformat() if due is not None else "" for due in dues]
            lines += map("|".join, zip(repeat("A"), triggers, names, due_text))
        else:
            # deadline = the local date of due; status met -> met, late/overdue -> breached
            statuses = list(map(STATUS.__getitem__, map(_STATUS, of_rule)))
            count.update(statuses)
            n_deadlines += len(statuses)
            # A date's text made once (formatting costs far more than a look-up), as many
            # deadlines fall on one day.
            dates = list(map(datetime.date, dues))
            text = {day: day.isoformat() for day in set(dates)}
            days = map(text.__getitem__, dates)
            lines += map("|".join, zip(repeat("D"), triggers, days, statuses))
    lines.sort()
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    print("impl=safeguard_rules")
    print(f"events={n_events} children={n_children}")
    print(
        f"actions={n_actions} flag_to_social_worker={count['flag_to_social_worker']}"
        f" request_planning_meeting={count['request_planning_meeting']}"
    )
    print(
        f"deadlines={n_deadlines} met={count['met']} "
        f"breached={count['breached']} pending={count['pending']}"
    )
    print(f"digest={digest}")


if __name__ == "__main__":
    main()
