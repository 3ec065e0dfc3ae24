"""Every bundled pack is faithful to its sources and traceable in docs/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from safeguard_rules import CompiledPack, bundled_packs, load_pack
from safeguard_rules._pack import Citation

ROOT = Path(__file__).resolve().parents[1]
EXPECTED_PACKS = ["jersey_2019", "jersey_2024", "wirral_2019", "wtsc_2015"]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def citations(pack: CompiledPack) -> list[tuple[str, Citation]]:
    found: list[tuple[str, Citation]] = []
    for name, parameter in pack.pack.parameters.items():
        if parameter.citation is not None:
            found.append((f"parameter {name}", parameter.citation))
    for compiled in pack.rules:
        rule = compiled.rule
        found.append((rule.id, rule.citation))
        for route in rule.routes or []:
            if route.citation is not None:
                found.append((f"{rule.id} route {route.name}", route.citation))
        due = rule.require.due if rule.require is not None else None
        if due is not None and due.table is not None:
            found.extend(
                (f"{rule.id} case {c.label}", c.citation) for c in due.table.cases if c.citation
            )
    return found


def test_the_four_packs_are_bundled() -> None:
    assert set(EXPECTED_PACKS) <= set(bundled_packs())


@pytest.fixture(scope="module", params=EXPECTED_PACKS)
def pack(request: pytest.FixtureRequest) -> CompiledPack:
    return load_pack(request.param)


def test_every_quote_occurs_in_its_source(pack: CompiledPack) -> None:
    missing = []
    for where, citation in citations(pack):
        source = pack.source_file(citation.source)
        assert source is not None, (
            f"{pack.id}: source {citation.source} has no file beside the pack"
        )
        if squash(citation.quote) not in squash(source.read_text(encoding="utf-8")):
            missing.append(where)
    assert missing == []


def test_every_rule_is_in_the_traceability_table(pack: CompiledPack) -> None:
    doc = ROOT / "docs" / "policies" / f"{pack.id}.md"
    text = doc.read_text(encoding="utf-8")
    assert "|" in text  # a table
    absent = [
        c.rule.id for c in pack.rules if f"`{c.rule.id}`" not in text and c.rule.id not in text
    ]
    assert absent == []


def test_pack_names_its_effective_dates(pack: CompiledPack) -> None:
    meta = pack.pack.pack
    assert meta.effective_from.year >= 2015
    assert meta.id == pack.id


def test_jersey_versions_do_not_overlap() -> None:
    old, new = load_pack("jersey_2019").pack.pack, load_pack("jersey_2024").pack.pack
    assert old.jurisdiction == new.jurisdiction
    assert old.effective_to is not None and old.effective_to < new.effective_from


def test_no_python_knows_a_jurisdiction() -> None:
    names = re.compile(r"jersey|wirral|wtsc|england|merseyside|suffolk", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "src").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if names.search(line)
    ]
    assert offenders == []


def test_england_packs_use_the_eng_subdivision() -> None:
    for name in ("wirral_2019", "wtsc_2015"):
        holidays = load_pack(name).pack.calendar.public_holidays
        assert holidays is not None
        assert (holidays.country, holidays.subdivision) == ("GB", "ENG")
