#!/usr/bin/env bash
# Whole-process timing on the shared benchmark, each implementation alternated with the
# shared handwritten.py (A B A B ...), the ratio taken pair by pair (shared/bench/time_all.sh's
# method). Prints a median table; per-run lines go to $LOG. The cpu ratio (user + system
# seconds, paired) is printed beside the wall ratio: on a machine shared with other work,
# wall time measures the queue as much as the program.
#
#   BENCH=/work/shared/bench PY=/tmp/benchvenv/bin/python RUNS=7 ./time_pair.sh
#   IMPLS="$PWD/safeguard_rules_impl.py zen_engine_impl.py" ./time_pair.sh
#
# safeguard_rules_impl.py loads the pack's YAML; safeguard_rules_compiled_impl.py its compiled
# form, which this script writes first (shared_bench.compiled.json, not committed).
#
# IMPLS: scripts by absolute path, or by name in $BENCH (the peer engines). Every script
# runs under $PY, which needs holidays, the peer engines (shared/bench/README.md, Setup)
# and safeguard-rules installed (pip install -e .). The workload is $EVENTS (generated
# with gen_events.py's defaults when missing).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BENCH=${BENCH:-/work/shared/bench}
PY=${PY:-/tmp/benchvenv/bin/python}
EVENTS=${EVENTS:-/tmp/events.jsonl}
RUNS=${RUNS:-7}
LOG=${LOG:-/tmp/shared_bench_times.tsv}
IMPLS=${IMPLS:-"$HERE/safeguard_rules_impl.py $HERE/safeguard_rules_compiled_impl.py zen_engine_impl.py business_rules_impl.py rule_engine_impl.py durable_rules_impl.py load_only.py"}
cd "$BENCH"
[ -f "$EVENTS" ] || "$PY" gen_events.py --out "$EVENTS"
# The pack's compiled form, for safeguard_rules_compiled_impl.py: built once, before timing,
# as a deployment builds it (docs/registry.md, "Compiled packs").
"$PY" -m safeguard_rules compile "$HERE/shared_bench.yaml" -o "$HERE/shared_bench.compiled.json" > /dev/null
: > "$LOG"
one() {  # one LABEL SCRIPT: append "label wall user sys maxrss_kB" to $LOG
  /usr/bin/time -f "$1 %e %U %S %M" -a -o "$LOG" "$PY" "$2" "$EVENTS" > /dev/null 2>&1
}
for impl in $IMPLS; do
  label=$(basename "$impl" .py)
  one warmup "$impl"; one warmup handwritten.py
  for _ in $(seq "$RUNS"); do one "$label" "$impl"; one "hw_vs_$label" handwritten.py; done
done
"$PY" - "$LOG" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, wall, user, sys_, rss = line.split()
    rows.setdefault(label, []).append((float(wall), float(user) + float(sys_), int(rss)))
print("| implementation | wall s | handwritten wall s, same series | x handwritten, wall (paired median; min-max) | cpu s | x handwritten, cpu (paired median; min-max) | peak RSS MiB |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for label, runs in rows.items():
    if label == "warmup" or label.startswith("hw_vs_"):
        continue
    hw = rows["hw_vs_" + label]
    ratios = [a[0] / b[0] for a, b in zip(runs, hw)]
    cpu = [a[1] / b[1] for a, b in zip(runs, hw)]
    med = lambda rs, i: statistics.median(r[i] for r in rs)  # noqa: E731
    print(f"| {label} | {med(runs, 0):.3f} | {med(hw, 0):.3f} | **{statistics.median(ratios):.2f}**"
          f" ({min(ratios):.2f}-{max(ratios):.2f}) | {med(runs, 1):.3f}"
          f" | **{statistics.median(cpu):.2f}** ({min(cpu):.2f}-{max(cpu):.2f})"
          f" | {med(runs, 2) / 1024:.1f} |")
PY
