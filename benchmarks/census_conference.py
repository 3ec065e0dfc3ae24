"""A generated CIN census return through ``import cin-census`` + ``evaluate`` under wtsc_2015
with the 15-working-day overlay, checked enquiry by enquiry against the independent
re-implementation in ``tests/test_census_conference.py`` (which never calls the library's
calendar, importer or evaluator), with the time and peak memory of each command.

The tests run the same comparison on the samples and on 400 children; this script is for
the 10,000 of issue 10 (too slow for a test). Prints figures; exits 1 if any enquiry
disagrees::

    python benchmarks/census_conference.py                        # 10,000 children, seed 1
    python benchmarks/census_conference.py --children 1000 --json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))
import census_generate  # noqa: E402 - the generator beside this script
from test_census_conference import RULE, expected_from_xml  # noqa: E402 - the re-implementation

OVERLAY = ROOT / "examples" / "overlays" / "wtsc_2015_conference_15_working_days.yaml"

# Runs one command in a child process and reports its own peak RSS (VmHWM), not the parent's.
_RUN = """
import runpy, sys
sys.argv = ["safeguard-rules", *sys.argv[1:]]
try:
    runpy.run_module("safeguard_rules", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open("/proc/self/status", encoding="ascii") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
sys.stderr.write(f"\\nVmHWM {peak}\\n")
sys.exit(code)
"""


def _run(args: list[str], stdout: Path | None = None) -> tuple[int, float, float]:
    """Exit code, wall seconds and peak MiB of ``safeguard-rules ARGS``."""
    start = time.perf_counter()
    with open(stdout, "wb") if stdout else open("/dev/null", "wb") as out:
        done = subprocess.run(  # noqa: S603 - this interpreter, our own arguments
            [sys.executable, "-c", _RUN, *args], stdout=out, stderr=subprocess.PIPE, check=False
        )
    seconds = time.perf_counter() - start
    peak = [ln for ln in done.stderr.decode().splitlines() if ln.startswith("VmHWM ")]
    return done.returncode, seconds, int(peak[-1].split()[1]) / 1024 if peak else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    stem = options.out / f"census-{options.children}-seed{options.seed}"
    xml, events, report, result = (
        stem.with_suffix(s) for s in (".xml", ".jsonl", ".report.json", ".evaluation.json")
    )
    census_generate.write(xml, options.children, options.seed)

    code, import_s, import_mib = _run(
        ["import", "cin-census", str(xml), "-o", str(events), "--report", str(report)]
    )
    if code != 0:
        print(f"import cin-census exited {code}", file=sys.stderr)
        return 1
    code, eval_s, eval_mib = _run(
        [
            "evaluate",
            "--pack",
            str(OVERLAY),
            "--as-of",
            "2024-03-31",
            "--format",
            "json",
            str(events),
        ],
        stdout=result,
    )
    if code != 0:
        print(f"evaluate exited {code}", file=sys.stderr)
        return 1
    document = json.loads(result.read_text(encoding="utf-8"))

    expected = expected_from_xml(xml)
    got = {
        o["triggered_by"][0].removesuffix("/started"): o
        for o in document["obligations"]
        if o["rule"] == RULE
    }
    disagree = []
    for key, want in expected.items():
        o = got.pop(key, None)
        if want is None:
            if o is not None:
                disagree.append((key, "owes nothing", o["status"]))
            continue
        if o is None:
            disagree.append((key, want.status, "no obligation"))
            continue
        due = o["due"][:10] if o["due"] else None
        if o["status"] != want.status or (
            want.status != "cannot_evaluate"
            and (due != want.due.isoformat() or o["met_on"] != want.held.isoformat())
        ):
            disagree.append((key, f"{want.status} {want.due}", f"{o['status']} {due}"))
    disagree += [(key, "no enquiry", o["status"]) for key, o in got.items()]

    statuses = Counter(o["status"] for o in document["obligations"] if o["rule"] == RULE)
    findings = Counter((f["rule"], f["kind"], f["severity"]) for f in document["findings"])
    account = document["account"]
    figures = {
        "children": options.children,
        "xml_mib": round(xml.stat().st_size / 2**20, 1),
        "events": account["received"],
        "import_seconds": round(import_s, 1),
        "import_peak_mib": round(import_mib),
        "evaluate_seconds": round(eval_s, 1),
        "evaluate_peak_mib": round(eval_mib),
        "enquiries": len(expected),
        "ruled_out": sum(1 for e in expected.values() if e is None),
        "conference_obligations": dict(sorted(statuses.items())),
        "findings": {" ".join(k): n for k, n in sorted(findings.items())},
        "undetermined": len(document["undetermined"]),
        "account": {k: v for k, v in account.items() if k != "rejected"}
        | {"rejected": len(account["rejected"])},
        "disagreements": len(disagree),
    }
    if options.json:
        print(json.dumps(figures, indent=2))
    else:
        for name, value in figures.items():
            print(f"{name:24} {value}")
        for row in disagree[:20]:
            print("DISAGREES", *row)
    return 1 if disagree else 0


if __name__ == "__main__":
    raise SystemExit(main())
