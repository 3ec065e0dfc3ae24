"""Time and memory of importing a generated CIN census return.

Generates (or reuses, in ``benchmarks/out/``) a return of N children with
``census_generate.py``, then imports it in a fresh process per repeat and prints the wall
time of each stage (safe parse, schema validation, mapping, writing JSONL) and the peak
RSS. Prints numbers; asserts nothing::

    python benchmarks/census_import.py                     # 10,000 children, best of 3
    python benchmarks/census_import.py --children 1000 --repeat 1 --json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import census_generate  # noqa: E402 - the generator beside this script

_MEASURE = """
import io, json, resource, sys, time
from pathlib import Path
from safeguard_rules import _census
from safeguard_rules._safe_xml import parse_xml

path = Path(sys.argv[1])
t0 = time.perf_counter()
root = parse_xml(path, record="Child", record_id="LAchildID")
t1 = time.perf_counter()
schema = _census._schema(2024)
t2 = time.perf_counter()
errors = sum(1 for _ in schema.iter_errors(root))
t3 = time.perf_counter()
del root
result = _census.import_cin_census(path)          # the whole import, as the CLI runs it
t4 = time.perf_counter()
out = io.StringIO()
result.write_jsonl(out)
t5 = time.perf_counter()
print(json.dumps({
    "parse_s": t1 - t0, "schema_build_s": t2 - t1, "validate_s": t3 - t2,
    "import_s": t4 - t3, "jsonl_s": t5 - t4,
    "events": len(result.events), "errors": len(result.errors) + errors,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    out = HERE / "out" / f"cin_{args.children}_{args.seed}_v{census_generate.GENERATOR_VERSION}.xml"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        census_generate.write(out, args.children, args.seed)
    runs = []
    for _ in range(args.repeat):
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", _MEASURE, str(out)], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(done.stdout))
    best = min(runs, key=lambda r: r["import_s"])
    best.update(children=args.children, file_mb=out.stat().st_size / 1e6, runs=len(runs))
    if args.json:
        print(json.dumps(best, indent=2))
    else:
        print(
            f"{args.children:,} children ({best['file_mb']:.1f} MB): {best['events']:,} events, "
            f"{best['errors']} errors"
        )
        print(
            f"  import (best of {len(runs)}): {best['import_s']:.1f} s; of which, measured "
            f"alone: parse {best['parse_s']:.1f} s, schema validation {best['validate_s']:.1f} s "
            f"(+{best['schema_build_s']:.1f} s to build the schema once)"
        )
        print(f"  writing JSONL: {best['jsonl_s']:.1f} s; peak RSS: {best['peak_rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
