"""Streaming carries date-only events, unknown values and cannot_evaluate: a census return
evaluated child by child (evaluate_stream, merge_evaluations, evaluate --stream) gives
byte for byte what evaluate gives."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from census_xml import generate_census
from click.testing import CliRunner

from safeguard_rules import (
    evaluate,
    evaluate_stream,
    load_events,
    load_pack,
    merge_evaluations,
    read_events_lazily,
)
from safeguard_rules._census import import_cin_census
from safeguard_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
OVERLAY = ROOT / "examples" / "overlays" / "wtsc_2015_conference_15_working_days.yaml"
REFERENCE_DATE = date(2024, 3, 31)


def test_a_census_streamed_child_by_child_equals_evaluate(tmp_path: Path) -> None:
    census = tmp_path / "census.xml"
    census.write_text(generate_census(150, seed=5), encoding="utf-8")
    events = tmp_path / "events.jsonl"
    with events.open("w", encoding="utf-8") as out:
        import_cin_census(census).write_jsonl(out)  # written child by child
    pack = load_pack(OVERLAY)
    whole = evaluate(pack, load_events(events, vocabulary=pack.vocabulary), REFERENCE_DATE)
    assert whole.account.cannot_evaluate > 0 and whole.obligations
    parts = list(
        evaluate_stream(
            pack, read_events_lazily([events], vocabulary=pack.vocabulary), REFERENCE_DATE
        )
    )
    assert len(parts) > 1
    assert merge_evaluations(parts).to_json() == whole.to_json()
    streamed = CliRunner().invoke(
        main,
        [
            "evaluate",
            "--stream",
            "--format",
            "json",
            "--pack",
            str(OVERLAY),
            "--as-of",
            "2024-03-31",
            str(events),
        ],
    )
    assert streamed.exit_code == 0, streamed.output
    assert streamed.stdout == whole.to_json()
    lines = CliRunner().invoke(
        main, ["evaluate", "--stream", "--pack", str(OVERLAY), "--as-of", "2024-03-31", str(events)]
    )
    assert lines.exit_code == 0, lines.output
    last = json.loads(lines.stdout.splitlines()[-1])
    assert last["record"] == "account" and last["cannot_evaluate"] == whole.account.cannot_evaluate
