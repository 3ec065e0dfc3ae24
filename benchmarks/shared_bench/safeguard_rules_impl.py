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
from datetime import datetime
from operator import attrgetter
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
    report(result, len(stream.events), len(set(map(attrgetter("child_id"), stream.events))))
    t_end = time.perf_counter()
    print(
        f"safeguard_rules: imports+compile {t_start - t0:.3f}s load {t_loaded - t_start:.3f}s "
        f"rules {t_rules - t_loaded:.3f}s report {t_end - t_rules:.3f}s",
        file=sys.stderr,
    )


def report(result: object, n_events: int, n_children: int) -> None:
    """The lines common.report prints, from the Evaluation."""
    tz = None
    actions: list[tuple[str, str, str]] = []
    deadlines: list[tuple[str, str, str]] = []
    for o in result.obligations:  # type: ignore[attr-defined]
        trigger = o.id.split("/", 1)[1]  # rule_id/trigger event id
        if o.rule in R1:
            due = o.due.isoformat() if o.due is not None else ""
            actions.append((trigger, o.action, due))
        elif o.rule == R2:
            tz = tz or o.due.tzinfo
            deadlines.append((trigger, o.due.date().isoformat(), STATUS[o.status]))
    count: dict[str, int] = {}
    for _, name, _ in actions:
        count[name] = count.get(name, 0) + 1
    for _, _, status in deadlines:
        count[status] = count.get(status, 0) + 1
    lines = sorted(
        [f"A|{eid}|{name}|{due}" for eid, name, due in actions]
        + [f"D|{eid}|{day}|{status}" for eid, day, status in deadlines]
    )
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    print("impl=safeguard_rules")
    print(f"events={n_events} children={n_children}")
    print(
        f"actions={len(actions)} flag_to_social_worker={count.get('flag_to_social_worker', 0)}"
        f" request_planning_meeting={count.get('request_planning_meeting', 0)}"
    )
    print(
        f"deadlines={len(deadlines)} met={count.get('met', 0)} "
        f"breached={count.get('breached', 0)} pending={count.get('pending', 0)}"
    )
    print(f"digest={digest}")


if __name__ == "__main__":
    main()
