"""The public surface: small, typed, light to import, deterministic."""

from __future__ import annotations

import ast
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


def test_import_builds_nothing_and_loading_a_pack_builds_no_event_validator() -> None:
    # Start-up (benchmarks/startup.py): the package's names are imported on first use, and
    # the event models' validators are built when events are first validated.
    code = (
        "import sys, safeguard_rules\n"
        "print(sorted(m for m in sys.modules if m.startswith('safeguard_rules.')))\n"
        "safeguard_rules.load_pack('jersey_2024')\n"
        "from safeguard_rules._events import EVENT_ADAPTER\n"
        "print(EVENT_ADAPTER.pydantic_complete)\n"
        "print(sorted(m for m in ('safeguard_rules._census', 'safeguard_rules._scenario',"
        " 'safeguard_rules._lint', 'safeguard_rules._diff', 'safeguard_rules._report')"
        " if m in sys.modules))\n"
        "safeguard_rules.parse_events([{'type': 'cpn_created', 'id': 'e1', 'child_id': 'c1',"
        " 'at': '2024-05-07T10:30:00+01:00', 'incident_ref': 'INC-1'}]).raise_for_rejections()\n"
        "print(EVENT_ADAPTER.pydantic_complete)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.split("\n")[:4] == ["[]", "False", "[]", "True"]


def test_loading_a_pack_builds_only_the_pack_models_it_uses() -> None:
    # The pack format's models are built on first use (defer_build). A bundled pack is
    # built from its prebuilt reading's stored model: no validator at all. Validating a
    # pack (any other pack) builds Pack and the few models validated on their own before
    # it, not the others.
    code = (
        "import safeguard_rules\n"
        "from safeguard_rules import _pack, _prebuilt\n"
        "def built(): return sorted(n for n, v in vars(_pack).items() if isinstance(v, type)"
        " and issubclass(v, _pack._Strict) and v.__pydantic_complete__)\n"
        "safeguard_rules.load_pack('jersey_2024')\n"
        "print(built())\n"
        "path = _prebuilt.bundled_dir() / 'jersey_2024.yaml'\n"
        "safeguard_rules.compile_text(path.read_text(encoding='utf-8'), str(path))\n"
        "print(built())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.splitlines() == ["[]", "['Due', 'DueFrom', 'Pack', 'Timescale']"]


def test_the_lazy_names_are_the_ones_type_checkers_see() -> None:
    # __init__ imports its names for type checkers only and finds them at run time in a
    # table: the two lists must agree, name for name and module for module.
    tree = ast.parse(Path(safeguard_rules.__file__).read_text(encoding="utf-8"))
    checked = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                checked[alias.asname or alias.name] = (node.module, alias.name)
    assert checked == safeguard_rules._WHERE
    assert set(checked) | {"__version__"} == set(safeguard_rules.__all__)
    assert set(safeguard_rules.__all__) <= set(dir(safeguard_rules))


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
    # timed from the concern ev-007 (Wed 8 May 2024), fired by the meeting ev-010; ev-007
    # does not carry jersey_2019's attribute multi_agency_response_required, so the meeting
    # is timed by the advisory notice (reader 6 M1)
    rule = "strategy_meeting_within_three_working_days_response_not_recorded"
    obligation = result.obligation(f"{rule}/ev-010")
    explanation = explain(pack, obligation, events.events).to_dict()
    assert explanation["rule"] == rule
    assert explanation["status"] == "met"
    assert explanation["deadline_steps"][-1] == "due 2024-05-14T23:59:59.999999+01:00"
    assert any("met by: ev-010 strategy_meeting_held" in e for e in explanation["events"])
