"""The public surface: small, typed, light to import, deterministic."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import safeguard_rules
from safeguard_rules import evaluate, explain, load_events, load_pack

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "child_a_history.jsonl"
AS_OF = datetime.fromisoformat("2024-06-03T17:00:00+01:00")


def test_import_is_light() -> None:
    heavy = ("click", "rich", "jinja2", "icalendar", "playwright")  # CLI, report and calendar only
    code = f"import sys, safeguard_rules; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.strip() == "[]"


def test_public_names_exist_and_package_is_typed() -> None:
    for name in safeguard_rules.__all__:
        assert hasattr(safeguard_rules, name), name
    assert (Path(safeguard_rules.__file__).parent / "py.typed").is_file()


def test_packs_ship_inside_the_package() -> None:
    from safeguard_rules._registry import bundled_dir

    assert (bundled_dir() / "jersey_2024.yaml").is_file()
    assert (bundled_dir() / "sources" / "001_f46e5218b7059a3a.txt").is_file()


def test_compiled_pack_is_reusable_and_results_are_identical() -> None:
    pack = load_pack("jersey_2019")
    events = load_events(EXAMPLE)
    first = evaluate(pack, events, AS_OF).to_json()
    second = evaluate(pack, list(reversed(events.events)), AS_OF).to_json()
    assert first == second
    assert load_pack("jersey_2019").content_hash == pack.content_hash


def test_explain_returns_structured_steps() -> None:
    pack = load_pack("jersey_2019")
    events = load_events(EXAMPLE)
    result = evaluate(pack, events, AS_OF)
    # timed from the concern ev-007 (Wed 8 May 2024), fired by the meeting ev-010
    obligation = result.obligation("strategy_meeting_within_three_working_days/ev-010")
    explanation = explain(pack, obligation, events.events).to_dict()
    assert explanation["rule"] == "strategy_meeting_within_three_working_days"
    assert explanation["status"] == "met"
    assert explanation["deadline_steps"][-1] == "due 2024-05-14T23:59:59.999999+01:00"
    assert any("met by: ev-010 strategy_meeting_held" in e for e in explanation["events"])
