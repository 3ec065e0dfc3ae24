"""Finding packs: paths, names across providers (real entry points), versions by date.

Third-party providers are installed for real: each test writes a package and a
``*.dist-info`` directory (METADATA, entry_points.txt) into a temporary directory put on
``sys.path``, where ``importlib.metadata`` finds it as it would an installed wheel.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from helpers import cli

from safeguard_rules import (
    AmbiguousPackError,
    ArgumentError,
    PackNotFoundError,
    PackSelectionError,
    PackValidationError,
    discover_packs,
    evaluate_jurisdiction,
    load_jurisdiction,
    load_pack,
    parse_events,
    select_pack,
)
from safeguard_rules._registry import ENTRY_POINT_GROUP, bundled_dir, resolve_pack

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "registry.md"
AS_OF = "2024-06-03T17:00:00+01:00"


def tiny_pack(pack_id: str, jurisdiction: str, start: str, end: str | None = None) -> str:
    """A valid one-rule pack text with the given id, jurisdiction and effective dates."""
    until = f"  effective_to: {end}\n" if end else ""
    return (
        "pack:\n"
        f"  id: {pack_id}\n"
        f"  title: Invented pack {pack_id}\n"
        f"  jurisdiction: {jurisdiction}\n"
        '  version: "1"\n'
        f"  effective_from: {start}\n{until}"
        "  sources:\n"
        "    - {id: src, file: none.txt, title: An invented source}\n"
        "calendar:\n"
        "  timezone: Europe/London\n"
        "roles:\n"
        "  someone: {title: Someone}\n"
        "rules:\n"
        "  - id: meet_after_concern\n"
        "    title: A meeting after a concern\n"
        "    citation: {source: src, quote: an invented sentence to cite}\n"
        "    strength: must\n"
        "    when: {event: concern_identified}\n"
        "    require:\n"
        "      action: hold_meeting\n"
        "      responsible: someone\n"
        "      due: {working_days: 3}\n"
        "      satisfied_by: {event: strategy_meeting_held}\n"
    )


@dataclass
class Site:
    """A directory on sys.path where tests install distributions."""

    root: Path

    def install(self, dist: str, entry_points: dict[str, str], files: dict[str, str]) -> None:
        """Write ``files`` (path -> text) and a dist-info for ``dist`` with ``entry_points``."""
        for relative, text in files.items():
            path = self.root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        info = self.root / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8"
        )
        lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
        (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}", encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    yield Site(root)
    # Forget the modules imported from this site, so the next test can reuse their names.
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", "") or "").startswith(str(root)):
            del sys.modules[name]


# --- bundled names and paths -----------------------------------------------------------


def test_bundled_names_resolve_to_the_shipped_files() -> None:
    registry = discover_packs()
    assert registry.names() == ["jersey_2019", "jersey_2024", "wirral_2019", "wtsc_2015"]
    assert {e.provider for e in registry.entries} == {"safeguard-rules"}
    assert resolve_pack("jersey_2024") == bundled_dir() / "jersey_2024.yaml"
    assert resolve_pack("safeguard-rules:jersey_2024") == bundled_dir() / "jersey_2024.yaml"


def test_a_path_always_wins_over_a_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "jersey_2024.yaml"
    mine.write_text(tiny_pack("my_copy", "nowhere", "2024-01-01"), encoding="utf-8")
    assert load_pack(mine).id == "my_copy"
    monkeypatch.chdir(tmp_path)
    assert load_pack("jersey_2024.yaml").id == "my_copy"  # a .yaml name is a path
    assert load_pack("jersey_2024").id == "jersey_2024"  # a bare name is the registry's


def test_missing_path_is_reported_as_a_path(tmp_path: Path) -> None:
    with pytest.raises(PackNotFoundError) as caught:
        load_pack(tmp_path / "absent.yaml")
    assert str(caught.value) == f"no pack file at {tmp_path / 'absent.yaml'}"


def test_unknown_name_suggests_across_names_and_jurisdictions() -> None:
    with pytest.raises(PackNotFoundError) as caught:
        load_pack("jersy")
    assert str(caught.value) == (
        "no pack named 'jersy'; did you mean 'jersey'?; packs are: jersey_2019, jersey_2024, "
        "wirral_2019, wtsc_2015; jurisdictions are: england, jersey, wirral; or give a path "
        "to a .yaml file"
    )
    with pytest.raises(PackNotFoundError, match=r"did you mean 'wtsc_2015'\?"):
        load_pack("wtsc_2051")


def test_a_jurisdiction_given_as_a_pack_name_lists_its_versions() -> None:
    with pytest.raises(PackNotFoundError) as caught:
        load_pack("jersey")
    assert str(caught.value) == (
        "'jersey' is a jurisdiction, not a pack; its versions are: jersey_2019 (2019-10-01 to "
        "2024-02-29), jersey_2024 (from 2024-03-01); name one, or choose by date (select_pack, "
        "or evaluate --jurisdiction jersey)"
    )


def test_unknown_provider_and_unknown_name_of_a_provider() -> None:
    with pytest.raises(PackNotFoundError) as caught:
        load_pack("safeguard-rule:jersey_2024")
    assert str(caught.value) == (
        "no pack provider 'safeguard-rule'; did you mean 'safeguard-rules'?; providers are: "
        "safeguard-rules"
    )
    with pytest.raises(PackNotFoundError) as caught:
        load_pack("safeguard-rules:jersey_2042")
    assert str(caught.value).startswith(
        "safeguard-rules offers no pack named 'jersey_2042'; did you mean 'jersey_2024'?; its "
        "packs are: jersey_2019, jersey_2024"
    )


# --- third-party providers through entry points ----------------------------------------


def test_a_package_provider_offers_its_directorys_packs(site: Site) -> None:
    site.install(
        "my-la-packs",
        {"la": "my_la_packs"},
        {
            "my_la_packs/__init__.py": "",
            "my_la_packs/la_child_protection.yaml": tiny_pack(
                "la_child_protection", "la", "2024-01-01"
            ),
            "my_la_packs/notes.txt": "not a pack",
        },
    )
    registry = discover_packs()
    (entry,) = [e for e in registry.entries if e.provider == "my-la-packs"]
    assert (entry.name, entry.entry_point) == ("la_child_protection", "la = my_la_packs")
    assert registry.problems == ()
    assert load_pack("la_child_protection").id == "la_child_protection"
    assert load_pack("my-la-packs:la_child_protection").id == "la_child_protection"
    assert load_pack("my_la_packs:la_child_protection").id == "la_child_protection"  # PEP 503


def test_providers_are_looked_up_without_importlib_metadata_only_when_none_can_exist(
    site: Site,
) -> None:
    """``_installed`` answers 'no provider' only when no installed distribution names the
    group in its entry_points.txt; once one does, importlib.metadata is asked and finds it."""
    from importlib.metadata import entry_points

    from safeguard_rules import _installed

    # A fresh interpreter (tests run before may leave on the path what only
    # importlib.metadata reads, and then the answer is 'ask it'):
    code = (
        "from importlib.metadata import entry_points\n"
        "from safeguard_rules import _installed\n"
        f"print(_installed.may_offer_entry_points({ENTRY_POINT_GROUP!r}),"
        f" list(entry_points(group={ENTRY_POINT_GROUP!r})))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out == "False []\n"
    site.install("some-provider", {"packs": "some_provider_packs"}, {})
    assert _installed.may_offer_entry_points(ENTRY_POINT_GROUP)
    assert [p.name for p in entry_points(group=ENTRY_POINT_GROUP)] == ["packs"]
    # A zip on the path is read by importlib.metadata alone: ask it.
    zipped = site.root / "elsewhere.zip"
    zipped.write_bytes(b"")
    sys.path.append(str(zipped))
    try:
        site.root.joinpath("some_provider-1.0.dist-info", "entry_points.txt").unlink()
        assert _installed.may_offer_entry_points(ENTRY_POINT_GROUP)
        assert _installed.version("some-provider") is _installed.ASK
    finally:
        sys.path.remove(str(zipped))


def test_callable_providers_give_a_directory_or_files(site: Site) -> None:
    site.install(
        "dir-packs",
        {"packs": "dir_packs:where"},
        {
            "dir_packs/__init__.py": (
                "from pathlib import Path\n"
                "def where():\n"
                "    return Path(__file__).parent / 'data'\n"
            ),
            "dir_packs/data/from_a_directory.yaml": tiny_pack(
                "from_a_directory", "la", "2024-01-01"
            ),
        },
    )
    site.install(
        "file-packs",
        {"packs": "file_packs:files"},
        {
            "file_packs/__init__.py": (
                "from pathlib import Path\n"
                "def files():\n"
                "    return [str(Path(__file__).parent / 'one' / 'from_a_list.yaml')]\n"
            ),
            "file_packs/one/from_a_list.yaml": tiny_pack("from_a_list", "la", "2024-01-01"),
        },
    )
    assert load_pack("dir-packs:from_a_directory").id == "from_a_directory"
    assert load_pack("from_a_list").id == "from_a_list"
    assert discover_packs().problems == ()


def test_a_broken_provider_is_a_warning_and_other_names_still_resolve(site: Site) -> None:
    site.install(
        "broken-packs",
        {"packs": "broken_packs"},
        {"broken_packs/__init__.py": "import not_installed_anywhere\n"},
    )
    site.install(
        "odd-packs", {"packs": "odd_packs:VALUE"}, {"odd_packs/__init__.py": "VALUE = 42\n"}
    )
    site.install("empty-packs", {"packs": "empty_packs"}, {"empty_packs/__init__.py": ""})
    site.install(
        "wrong-packs",
        {"packs": "wrong_packs:files"},
        {"wrong_packs/__init__.py": "def files():\n    return ['/nowhere/at/all.yaml']\n"},
    )
    registry = discover_packs()
    assert [str(p) for p in registry.problems] == [
        "broken-packs: entry point 'packs = broken_packs' (group safeguard_rules.packs) failed: "
        "ModuleNotFoundError: No module named 'not_installed_anywhere'; its packs are skipped",
        "empty-packs: entry point 'packs = empty_packs' (group safeguard_rules.packs) offers no "
        "*.yaml packs; its packs are skipped",
        "odd-packs: entry point 'packs = odd_packs:VALUE' (group safeguard_rules.packs) failed: "
        "TypeError: gives an object of type int, not a module, a package or a callable; its "
        "packs are skipped",
        "wrong-packs: entry point 'packs = wrong_packs:files' (group safeguard_rules.packs) "
        "failed: ValueError: returned /nowhere/at/all.yaml, which is not a .yaml file; its "
        "packs are skipped",
    ]
    assert load_pack("jersey_2024").id == "jersey_2024"  # the others still resolve
    with pytest.raises(PackNotFoundError) as caught:
        load_pack("broken-packs:anything")
    assert str(caught.value) == f"pack provider 'broken-packs' did not load: {registry.problems[0]}"
    with pytest.raises(
        PackNotFoundError,
        match=r"\(not loaded: broken-packs, empty-packs, odd-packs, wrong-packs; see 'safeguard-rules packs'\)",
    ):
        load_pack("not_a_pack_anywhere")
    code, out, err = cli("packs")
    assert code == 0
    assert [line.split(":")[0] for line in out.splitlines()] == registry.names()
    assert f"warning: {registry.problems[0]}" in err.splitlines()


@pytest.mark.parametrize(
    ("target", "module", "problem"),
    [
        ("sys", "", "failed: TypeError: module sys has no directory"),
        (
            "odd_packs:where",
            "def where():\n    return '/nowhere/at/all'\n",
            "failed: ValueError: returned /nowhere/at/all, which is not a directory",
        ),
        (
            "odd_packs:where",
            "def where():\n    return 7\n",
            "failed: TypeError: returned an object of type int, not a directory or an iterable "
            "of pack files",
        ),
        (
            "odd_packs:where",
            "def where():\n    raise RuntimeError('no network')\n",
            "failed: RuntimeError: no network",
        ),
    ],
)
def test_each_provider_problem_says_what_is_wrong(
    site: Site, target: str, module: str, problem: str
) -> None:
    site.install("odd-packs", {"packs": target}, {"odd_packs/__init__.py": module})
    assert [str(p) for p in discover_packs().problems] == [
        f"odd-packs: entry point 'packs = {target}' (group safeguard_rules.packs) {problem}; its "
        "packs are skipped"
    ]


def test_two_providers_of_one_name_is_an_error_naming_both(site: Site) -> None:
    copy = tiny_pack("my_jersey_copy", "la", "2024-01-01")
    site.install(
        "my-la-packs",
        {"la": "my_la_packs"},
        {"my_la_packs/__init__.py": "", "my_la_packs/jersey_2024.yaml": copy},
    )
    mine = site.root / "my_la_packs" / "jersey_2024.yaml"
    with pytest.raises(AmbiguousPackError) as caught:
        load_pack("jersey_2024")
    assert str(caught.value) == (
        f"pack name 'jersey_2024' is offered by more than one provider: "
        f"safeguard-rules:jersey_2024 ({bundled_dir() / 'jersey_2024.yaml'}); "
        f"my-la-packs:jersey_2024 ({mine}); pick one with provider:name "
        "('safeguard-rules:jersey_2024' or 'my-la-packs:jersey_2024') or give the file's path"
    )
    assert load_pack("safeguard-rules:jersey_2024").id == "jersey_2024"
    assert load_pack("my-la-packs:jersey_2024").id == "my_jersey_copy"
    assert load_pack(mine).id == "my_jersey_copy"
    code, out, _err = cli("packs")
    assert code == 0
    assert (
        "my-la-packs:jersey_2024: Invented pack my_jersey_copy (jurisdiction la, version 1, from 2024-01-01, 1 rules; from my-la-packs)"
        in out.splitlines()
    )
    assert any(line.startswith("safeguard-rules:jersey_2024: ") for line in out.splitlines())
    code, _out, err = cli(
        "evaluate",
        "--pack",
        "jersey_2024",
        "--as-of",
        AS_OF,
        str(ROOT / "examples" / "child_a_history.jsonl"),
    )
    assert code == 2
    assert "pick one with provider:name" in err


def test_one_file_offered_twice_is_one_pack(site: Site) -> None:
    site.install(
        "twice-packs",
        {"first": "twice_packs", "second": "twice_packs:here"},
        {
            "twice_packs/__init__.py": "from pathlib import Path\ndef here():\n    return Path(__file__).parent\n",
            "twice_packs/twice.yaml": tiny_pack("twice", "la", "2024-01-01"),
        },
    )
    assert [e.name for e in discover_packs().entries].count("twice") == 1
    assert load_pack("twice").id == "twice"


# --- versions by effective date --------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2019, 10, 1), "jersey_2019"),  # the first day of 2019's
        (date(2023, 6, 15), "jersey_2019"),
        (date(2024, 2, 29), "jersey_2019"),  # its last day (a leap day)
        (date(2024, 3, 1), "jersey_2024"),  # the day after: 2024's first
        (date(2025, 1, 6), "jersey_2024"),
    ],
)
def test_select_jersey_by_date(day: date, expected: str) -> None:
    assert select_pack("jersey", day).id == expected
    assert load_pack("jersey", on=day).id == expected


def test_no_version_in_force_lists_the_versions() -> None:
    with pytest.raises(PackSelectionError) as caught:
        select_pack("jersey", date(2019, 9, 30))  # the day before the first version
    assert str(caught.value) == (
        "no version of jurisdiction 'jersey' is in force on 2019-09-30; its versions are: "
        "jersey_2019 (2019-10-01 to 2024-02-29), jersey_2024 (from 2024-03-01)"
    )


def test_selection_needs_a_known_jurisdiction_and_a_date() -> None:
    with pytest.raises(PackNotFoundError) as caught:
        select_pack("jersy", date(2024, 1, 1))
    assert str(caught.value) == (
        "no packs for jurisdiction 'jersy'; did you mean 'jersey'?; jurisdictions are: england, "
        "jersey, wirral"
    )
    with pytest.raises(PackNotFoundError) as caught:
        load_pack("jersey_2024", on=date(2024, 1, 1))
    assert str(caught.value).endswith("; 'jersey_2024' is a pack, of jurisdiction 'jersey'")
    with pytest.raises(ArgumentError, match="'on' is a date"):
        select_pack("jersey", datetime(2024, 1, 1, 12, 0))


def test_overlapping_versions_are_an_error_naming_both(site: Site) -> None:
    site.install(
        "rival-packs",
        {"packs": "rival_packs"},
        {
            "rival_packs/__init__.py": "",
            "rival_packs/jersey_rival.yaml": tiny_pack(
                "jersey_rival", "jersey", "2024-01-01", "2024-03-31"
            ),
        },
    )
    assert select_pack("jersey", date(2023, 12, 31)).id == "jersey_2019"
    with pytest.raises(PackSelectionError) as caught:
        select_pack("jersey", date(2024, 1, 1))
    assert str(caught.value) == (
        "2 versions of jurisdiction 'jersey' are in force on 2024-01-01: "
        "safeguard-rules:jersey_2019 (2019-10-01 to 2024-02-29), rival-packs:jersey_rival "
        "(2024-01-01 to 2024-03-31); their effective dates overlap and neither extends the "
        "other; name the pack to use instead"
    )
    with pytest.raises(PackSelectionError, match="in force on 2024-01-01"):
        load_jurisdiction("jersey")  # overlap anywhere fails, with or without events there


OVERLAY_2025 = """\
extend: safeguard-rules:jersey_2024
pack:
  id: la_jersey_2025
  title: An invented local overlay of jersey_2024 from 2025
  version: "1"
  effective_from: 2025-01-01
parameters:
  receipt_follow_up_timescale:
    default: {hours: 4}
"""


def test_an_overlay_in_force_supersedes_its_base(site: Site) -> None:
    site.install(
        "la-packs",
        {"packs": "la_packs"},
        {"la_packs/__init__.py": "", "la_packs/la_jersey_2025.yaml": OVERLAY_2025},
    )
    assert select_pack("jersey", date(2024, 12, 31)).id == "jersey_2024"
    assert select_pack("jersey", date(2025, 1, 1)).id == "la_jersey_2025"
    periods = [(p.version.id, p.start, p.end) for p in discover_packs().periods("jersey")]
    assert periods == [
        ("jersey_2019", date(2019, 10, 1), date(2024, 2, 29)),
        ("jersey_2024", date(2024, 3, 1), date(2024, 12, 31)),
        ("la_jersey_2025", date(2025, 1, 1), None),
    ]
    code, out, _err = cli("packs")
    assert code == 0
    assert (
        "la_jersey_2025: An invented local overlay of jersey_2024 from 2025 (jurisdiction jersey, version 1, from 2025-01-01, 37 rules, extends jersey_2024; from la-packs)"
        in out.splitlines()
    )


def test_a_provider_pack_that_does_not_read_is_listed_not_selected(site: Site) -> None:
    site.install(
        "bad-packs",
        {"packs": "bad_packs"},
        {"bad_packs/__init__.py": "", "bad_packs/unreadable.yaml": "pack: [\n"},
    )
    registry = discover_packs()
    assert [u.entry.name for u in registry.unreadable] == ["unreadable"]
    assert select_pack("jersey", date(2025, 1, 1)).id == "jersey_2024"
    with pytest.raises(PackNotFoundError) as caught:
        select_pack("nowhere", date(2025, 1, 1))
    assert str(caught.value).endswith(
        "; packs that could not be read: unreadable (see 'safeguard-rules packs')"
    )
    code, out, _err = cli("packs")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("unreadable:"))
    assert line.startswith("unreadable: does not load (1 problems; first: ")
    assert line.endswith("; from bad-packs)")


# --- evaluating under a jurisdiction ---------------------------------------------------

# A child allocated before any Jersey version; a flag and an unshared planning meeting
# before any version; a flag at 00:30 BST on 1 March 2024 (23:30 on 29 February in Jersey,
# still GMT: jersey_2019's last day), and one at 10:00 on 1 March (jersey_2024's). Both
# packs apply only to children with an allocated social worker (issue 7, principle 1).
SWITCH_RECORDS = [
    {
        "id": "sw-000",
        "type": "flag_sent",
        "child_id": "child-S",
        "at": "2019-09-30T10:00:00+01:00",
        "sender_role": "mash_ds",
        "to": ["allocated_social_worker"],
        # a CPN attached, no one copied: 2019's copy-in check applies (every SOJP email),
        # 2024's does not (PPU emails only). Until reader 7 M1 this was a PPU email copied
        # to the Senior Practitioner, which 2019 now accepts as the worker's manager (reader
        # 5 L2: the flag's summary check no longer applies before more than three CPNs or
        # occasions)
        "cc": [],
        "attached_cpns": ["INC-1"],
    },
    {
        "id": "sw-001",
        "type": "social_worker_allocated",
        "child_id": "child-S",
        "at": "2019-09-02T09:00:00+01:00",
        "worker": "sw-90",
        "team_manager": "tm-90",
        "senior_practitioner": "sp-90",
    },
    {
        "id": "sw-00p",
        "type": "planning_meeting_held",
        "child_id": "child-S",
        "at": "2019-09-30T11:00:00+01:00",
        "chair_role": "team_manager",
        "agencies": ["csc", "police"],
        "minuted": True,
        "actions_shared": False,
    },
    {
        "id": "sw-002",
        "type": "flag_sent",
        "child_id": "child-S",
        "at": "2024-03-01T00:30:00+01:00",
        "sender_role": "mash_ds",
        "to": ["allocated_social_worker"],
        # a CPN attached, the manager not copied in: 2019's copy-in check applies (until
        # reader 7 M1 the Senior Practitioner was copied, which 2019 now accepts)
        "cc": [],
        "attached_cpns": ["INC-1"],
    },
    {
        "id": "sw-003",
        "type": "flag_sent",
        "child_id": "child-S",
        "at": "2024-03-01T10:00:00+00:00",
        "sender_role": "ppu_ds",
        "to": ["allocated_social_worker"],
        # a CPN attached, no one copied in: 2024's copy-in check applies
        "cc": [],
        "attached_cpns": ["INC-1"],
    },
]
SWITCH = list(parse_events(SWITCH_RECORDS).events)


def test_each_obligation_comes_from_the_version_in_force_on_its_trigger_date() -> None:
    result = evaluate_jurisdiction("jersey", SWITCH, datetime.fromisoformat(AS_OF))
    assert [(s.id, o.id) for s, o in result.obligations()] == [
        ("jersey_2019", "sender_follows_up_flag/sw-002"),
        ("jersey_2024", "sender_confirms_receipt_of_flag/sw-003"),
    ]
    confirm = result.obligations()[1][1]
    # flag Fri 1 March 2024 10:00 GMT; 1 working day: end of Mon 4 March; unconfirmed by June
    assert confirm.due == datetime.fromisoformat("2024-03-04T23:59:59.999999+00:00")
    assert confirm.status == "overdue"
    assert [(s.id, f.kind, f.event or f.obligation) for s, f in result.findings()] == [
        ("jersey_2019", "check", "sw-002"),
        ("jersey_2024", "check", "sw-003"),
        ("jersey_2024", "overdue", "sender_confirms_receipt_of_flag/sw-003"),
    ]
    assert [(u.kind, u.id, u.day, u.packs) for u in result.uncovered] == [
        # only jersey_2019's copy-in check covers a MASH DS email (2024's covers PPU
        # emails); both check the planning meeting
        ("check", "cpn_email_copies_in_manager/sw-000", date(2019, 9, 30), ("jersey_2019",)),
        (
            "check",
            "planning_meeting_minuted_and_actions_shared/sw-00p",
            date(2019, 9, 30),
            ("jersey_2019", "jersey_2024"),
        ),
        (
            "obligation",
            "sender_confirms_receipt_of_flag/sw-000",
            date(2019, 9, 30),
            ("jersey_2024",),
        ),
        ("obligation", "sender_follows_up_flag/sw-000", date(2019, 9, 30), ("jersey_2019",)),
        ("overdue", "sender_confirms_receipt_of_flag/sw-000", date(2019, 9, 30), ("jersey_2024",)),
    ]
    assert (result.account.received, result.account.evaluated) == (5, 5)


def test_jurisdiction_json_is_stable_and_stamped_with_every_version() -> None:
    as_of = datetime.fromisoformat(AS_OF)
    first = evaluate_jurisdiction("jersey", SWITCH, as_of).to_json()
    assert evaluate_jurisdiction("jersey", list(reversed(SWITCH)), as_of).to_json() == first
    data = json.loads(first)
    assert data["jurisdiction"] == "jersey"
    assert [(p["id"], p["version"], p["content_hash"], p["in_force"]) for p in data["packs"]] == [
        (
            "jersey_2019",
            "2019-10",
            load_pack("jersey_2019").content_hash,
            [{"from": "2019-10-01", "to": "2024-02-29"}],
        ),
        (
            "jersey_2024",
            "7",
            load_pack("jersey_2024").content_hash,
            [{"from": "2024-03-01", "to": None}],
        ),
    ]
    assert [o["pack"] for o in data["obligations"]] == ["jersey_2019", "jersey_2024"]
    assert data["uncovered"][1] == {
        "kind": "check",
        "id": "planning_meeting_minuted_and_actions_shared/sw-00p",
        "child_id": "child-S",
        "date": "2019-09-30",
        "packs": ["jersey_2019", "jersey_2024"],
    }


def test_jurisdiction_parameters_apply_to_the_versions_that_have_them() -> None:
    versions = load_jurisdiction("jersey", parameters={"receipt_follow_up_timescale": {"hours": 4}})
    assert [p.id for p in versions.packs] == ["jersey_2019", "jersey_2024"]
    assert versions.packs[0].content_hash == load_pack("jersey_2019").content_hash
    result = evaluate_jurisdiction(versions, SWITCH[1:], datetime.fromisoformat(AS_OF))
    confirm = next(
        o for _s, o in result.obligations() if o.rule == "sender_confirms_receipt_of_flag"
    )
    assert confirm.due == datetime.fromisoformat("2024-03-01T14:00:00+00:00")  # 10:00 + 4 hours
    with pytest.raises(PackValidationError) as caught:
        load_jurisdiction("jersey", parameters={"receipt_follow_up_timescal": {"hours": 4}})
    (problem,) = caught.value.diagnostics
    assert problem.message.startswith(
        "override of unknown parameter 'receipt_follow_up_timescal'; did you mean "
        "'receipt_follow_up_timescale'?"
    )
    assert Path(problem.file).name == "jersey_2024.yaml"


def write_switch(tmp_path: Path) -> Path:
    events = tmp_path / "switch.jsonl"
    events.write_text("".join(json.dumps(r) + "\n" for r in SWITCH_RECORDS), encoding="utf-8")
    return events


def test_cli_evaluate_jurisdiction_table_json_and_uncovered(tmp_path: Path) -> None:
    events = write_switch(tmp_path)
    code, out, err = cli("evaluate", "--jurisdiction", "jersey", "--as-of", AS_OF, str(events))
    assert code == 1  # something fell on a day no version covers
    lines = out.splitlines()
    assert lines[0] == f"jurisdiction jersey, as of {AS_OF}"
    assert lines[1].startswith("  pack jersey_2019 version 2019-10 (sha256:") and lines[1].endswith(
        "decides 2019-10-01 to 2024-02-29"
    )
    assert lines[2].startswith("  pack jersey_2024 version 7 (sha256:") and lines[2].endswith(
        "decides 2024-03-01 onwards"
    )
    row = next(line for line in lines if "sender_follows_up_flag" in line)
    assert row.rstrip(" │").endswith("jersey_2019")
    assert (
        "uncovered (no version in force that day): 5: check cpn_email_copies_in_manager/sw-000 (2019-09-30),"
        in out
    )
    assert err.splitlines() == [
        "uncovered: check finding cpn_email_copies_in_manager/sw-000 of child-S on 2019-09-30: no version of jersey is in force that day",
        "uncovered: check finding planning_meeting_minuted_and_actions_shared/sw-00p of child-S on 2019-09-30: no version of jersey is in force that day",
        "uncovered: obligation sender_confirms_receipt_of_flag/sw-000 of child-S on 2019-09-30: no version of jersey is in force that day",
        "uncovered: obligation sender_follows_up_flag/sw-000 of child-S on 2019-09-30: no version of jersey is in force that day",
        "uncovered: overdue finding sender_confirms_receipt_of_flag/sw-000 of child-S on 2019-09-30: no version of jersey is in force that day",
    ]
    code, out, _err = cli(
        "evaluate", "--jurisdiction", "jersey", "--as-of", AS_OF, "--format", "json", str(events)
    )
    assert code == 1
    assert out == evaluate_jurisdiction("jersey", SWITCH, datetime.fromisoformat(AS_OF)).to_json()


def test_cli_evaluate_jurisdiction_all_covered_exits_0() -> None:
    example = ROOT / "examples" / "child_a_history.jsonl"
    code, out, err = cli("evaluate", "--jurisdiction", "jersey", "--as-of", AS_OF, str(example))
    assert (code, err) == (0, "")
    _code, under_pack, _err = cli(
        "evaluate", "--pack", "jersey_2024", "--as-of", AS_OF, "--format", "json", str(example)
    )
    _code, under_jurisdiction, _err = cli(
        "evaluate", "--jurisdiction", "jersey", "--as-of", AS_OF, "--format", "json", str(example)
    )
    # every event of the example is from April/May 2024: all of it is jersey_2024's
    assert [o["id"] for o in json.loads(under_jurisdiction)["obligations"]] == [
        o["id"] for o in json.loads(under_pack)["obligations"]
    ]
    assert "events: 20 received, 20 evaluated, 0 rejected" in out


def test_cli_evaluate_needs_exactly_one_of_pack_and_jurisdiction() -> None:
    example = str(ROOT / "examples" / "child_a_history.jsonl")
    for args in ([], ["--pack", "jersey_2024", "--jurisdiction", "jersey"]):
        code, _out, err = cli("evaluate", *args, "--as-of", AS_OF, example)
        assert code == 2
        assert err == "error: give one of --pack NAME or --jurisdiction NAME\n"
    code, _out, err = cli("evaluate", "--jurisdiction", "jersy", "--as-of", AS_OF, example)
    assert code == 2
    assert err.startswith("error: no packs for jurisdiction 'jersy'; did you mean 'jersey'?")


def test_jurisdiction_periods_must_be_ordered_and_not_empty() -> None:
    from safeguard_rules import Jurisdiction, evaluate_jurisdiction
    from safeguard_rules._jurisdiction import InForce

    pack = load_pack("jersey_2024")
    with pytest.raises(ValueError, match="periods must be in date order and must not overlap"):
        Jurisdiction(
            "jersey", (InForce(pack, date(2024, 3, 1), None), InForce(pack, date(2025, 1, 1), None))
        )
    with pytest.raises(
        ValueError, match="jurisdiction 'nowhere' has no version in force on any day"
    ):
        evaluate_jurisdiction(
            Jurisdiction("nowhere", ()), [], datetime.fromisoformat("2024-06-03T17:00:00+01:00")
        )


# --- docs/registry.md ------------------------------------------------------------------


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_docs_python_examples_run() -> None:
    for block in blocks("python"):
        done = subprocess.run(  # noqa: S603 - the doc's own example, in a fresh interpreter
            [sys.executable, "-c", block], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{block}\n{done.stderr}"
        expected = re.findall(r"# prints: (.*)", block)
        assert done.stdout.splitlines() == expected, block


def test_docs_commands_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the commands use paths relative to the repository
    commands = [
        line
        for block in blocks("sh")
        for line in block.splitlines()
        if line.startswith("safeguard-rules ")
    ]
    assert len(commands) >= 3
    for command in commands:
        args = shlex.split(command.split("  #")[0])[1:]
        code, _out, err = cli(*args)
        assert code == 0, f"{command}\n{err}"


def test_docs_pyproject_declares_the_real_group_and_works(site: Site) -> None:
    (toml,) = blocks("toml")
    project = tomllib.loads(toml)["project"]
    (target,) = project["entry-points"][ENTRY_POINT_GROUP].values()
    module = target.partition(":")[0]
    overlay = (ROOT / "examples" / "overlays" / "example_partnership_jersey_2024.yaml").read_text(
        encoding="utf-8"
    )
    site.install(
        project["name"],
        project["entry-points"][ENTRY_POINT_GROUP],
        {
            f"{module.replace('.', '/')}/__init__.py": "",
            f"{module.replace('.', '/')}/example_partnership_jersey_2024.yaml": overlay,
        },
    )
    assert load_pack(f"{project['name']}:example_partnership_jersey_2024").extends == "jersey_2024"


def test_docs_example_overlay_is_the_shipped_file() -> None:
    shown = [b for b in blocks("yaml") if "# A synthetic overlay" in b]
    assert shown == [
        (ROOT / "examples" / "overlays" / "example_partnership_jersey_2024.yaml").read_text(
            encoding="utf-8"
        )
    ]
