"""Deterministic synthetic CIN census returns (DfE XML), valid against the bundled schemas.

Writes a census return for N invented children in the element order the XSD of the
collection year requires, with the variety the procedures care about: referrals from every
source (some with no further action), assessments (some still open, factors only once
authorised), child in need plans, section 47 enquiries whose initial conference was held,
was not required ("ICPC not required") or is still pending at the reference date, child
protection plans with their categories and review conferences, closures with reasons, and
optional items left out (primary need, conference target, UPN, disabilities, birth date).
About one date in eight is pushed onto an edge: a weekend, an England bank holiday, 31
December / 1 January, or 31 March / 1 April (the census year boundary).

Every id is invented (``SYN000001``); UPNs are random digits after a letter; nothing is
real. One ``random.Random(seed)`` drives everything and nothing reads the clock, so the
same ``--children``, ``--seed`` and ``--year`` give a byte-identical file::

    python benchmarks/census_generate.py --children 10000 --seed 1 --out benchmarks/out/cin.xml
    python benchmarks/census_generate.py --children 10000 --seed 1 --check   # twice, compared
    python benchmarks/census_generate.py --children 200 --seed 1 --out F --validate  # XSD check
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import holidays

GENERATOR_VERSION = 1
YEARS = (2022, 2023, 2024)

REFERRAL_SOURCES = (
    "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B",
    "5C", "6", "7", "8", "9", "10",
)  # fmt: skip
NEEDS = ("N1", "N1", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N0")
CLOSURE_REASONS = ("RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8")
CATEGORIES = ("NEG", "NEG", "EMO", "EMO", "PHY", "SAB", "MUL")
FACTORS = ("1B", "2B", "3A", "3B", "4B", "5B", "6B", "11A", "16A", "17A", "18C", "19C", "20", "24A")
ETHNICITIES = (
    "WBRI",
    "WOTH",
    "MWBC",
    "MOTH",
    "AIND",
    "APKN",
    "BAFR",
    "BCRB",
    "CHNE",
    "OOTH",
    "NOBT",
)
DISABILITIES = ("MOB", "HAND", "PC", "COMM", "LD", "HEAR", "VIS", "BEH", "AUT", "DDA")


def _item(indent: int, tag: str, value: date) -> str:
    return f"{' ' * indent}<{tag}>{value.isoformat()}</{tag}>"


class _Calendar:
    """England's working days, from the ``holidays`` package (independent of the library)."""

    def __init__(self, first: int, last: int) -> None:
        self.bank = holidays.country_holidays("GB", subdiv="ENG", years=range(first, last + 1))

    def working(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.bank

    def add_working_days(self, day: date, n: int) -> date:
        while n > 0:
            day += timedelta(days=1)
            n -= self.working(day)
        return day


class _Census:
    def __init__(self, rng: random.Random, year: int) -> None:
        self.rng = rng
        self.year = year
        self.reference = date(year, 3, 31)
        self.period_start = date(year - 1, 4, 1)
        self.calendar = _Calendar(year - 8, year + 1)
        edges = [
            d for d in self.calendar.bank if year - 3 <= d.year <= year and d <= self.reference
        ]
        for y in range(year - 3, year + 1):
            edges += [date(y - 1, 12, 31), date(y, 1, 1), date(y - 1, 3, 31), date(y - 1, 4, 1)]
        self.edges = sorted(d for d in set(edges) if d <= self.reference)

    # --- dates ------------------------------------------------------------------------

    def on_or_after(self, first: date, within: int) -> date | None:
        """A date in [first, first + within] (no later than the reference date), sometimes
        moved onto an edge date (weekend, bank holiday, year boundary) in that range."""
        last = min(first + timedelta(days=within), self.reference)
        if last < first:
            return None
        if self.rng.random() < 0.125:
            near = [d for d in self.edges if first <= d <= last]
            if near:
                return self.rng.choice(near)
            weekend = [first + timedelta(days=i) for i in range((last - first).days + 1)]
            weekend = [d for d in weekend if d.weekday() >= 5]
            if weekend:
                return self.rng.choice(weekend)
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    # --- one child ----------------------------------------------------------------------

    def child(self, number: int) -> Iterator[str]:
        rng = self.rng
        yield "    <Child>"
        yield "      <ChildIdentifiers>"
        yield f"        <LAchildID>SYN{number:06d}</LAchildID>"
        if rng.random() < 0.8:
            upn = f"{rng.choice('ABCDEFGHJKLMNPQRTUVWXYZ')}{rng.randrange(10**12):012d}"
            yield f"        <UPN>{upn}</UPN>"
        else:
            yield f"        <UPNunknown>UN{rng.randint(1, 6)}</UPNunknown>"
        born = self.reference - timedelta(days=rng.randint(30, 17 * 365))
        if rng.random() < 0.97:
            yield f"        <PersonBirthDate>{born.isoformat()}</PersonBirthDate>"
        else:  # unborn at the time of the referral
            yield f"        <ExpectedPersonBirthDate>{born.isoformat()}</ExpectedPersonBirthDate>"
        yield f"        <GenderCurrent>{rng.choice('1290')}</GenderCurrent>"
        yield "      </ChildIdentifiers>"
        yield "      <ChildCharacteristics>"
        yield f"        <Ethnicity>{rng.choice(ETHNICITIES)}</Ethnicity>"
        if rng.random() < 0.6:
            yield "        <Disabilities>"
            chosen = rng.sample(DISABILITIES, rng.randint(1, 2)) if rng.random() < 0.3 else ["NONE"]
            for code in chosen:
                yield f"          <Disability>{code}</Disability>"
            yield "        </Disabilities>"
        yield "      </ChildCharacteristics>"
        # Episodes follow one another: each starts after the previous one closed.
        start = self.reference - timedelta(days=rng.randint(20, 3 * 365))
        episodes = rng.choices((1, 2, 3), weights=(75, 20, 5))[0]
        for index in range(episodes):
            last = index == episodes - 1
            closed_by, lines = self.episode(start, last)
            yield from lines
            if closed_by is None or closed_by >= self.reference - timedelta(days=2):
                break
            start = closed_by + timedelta(days=rng.randint(1, 120))
            if start > self.reference:
                break
        yield "    </Child>"

    def episode(self, referral: date, last: bool) -> tuple[date | None, list[str]]:
        rng = self.rng
        referral = self.on_or_after(referral, 10) or referral
        nfa = rng.random() < 0.15
        need = None if rng.random() < 0.08 else rng.choice(NEEDS)
        body: list[str] = []
        latest = referral  # the last dated activity, which a closure must not precede
        still_open = False  # an assessment, plan or enquiry not finished at the reference date
        episode_conference = None
        if not nfa:
            assessments, latest, open_a = self.assessments(referral, latest)
            plans, latest, open_p = self.cin_plans(referral, latest)
            enquiries, conferences, latest, open_e = self.section47s(referral, latest)
            if conferences and rng.random() < 0.05:
                # Some authorities record the same conference at episode level too.
                episode_conference = conferences[0]
            elif rng.random() < 0.03:
                # A conference with no section 47 enquiry in this episode.
                episode_conference = self.on_or_after(referral + timedelta(days=5), 40)
                if episode_conference is not None:
                    conferences = [*conferences, episode_conference]
                    latest = max(latest, episode_conference)
            cpps, latest, open_c = self.cp_plans(conferences, latest)
            body = [
                *assessments,
                *plans,
                *enquiries,
                "      <ReferralNFA>false</ReferralNFA>",
                *cpps,
            ]
            still_open = open_a or open_p or open_e or open_c
        else:
            body = [f"      <ReferralNFA>{rng.choice(('true', '1'))}</ReferralNFA>"]
        closing = not still_open and (not last or nfa or rng.random() < 0.45)
        closure = self.on_or_after(latest, 90) if closing else None
        head = [
            "    <CINdetails>",
            f"      <CINreferralDate>{referral.isoformat()}</CINreferralDate>",
            f"      <ReferralSource>{rng.choice(REFERRAL_SOURCES)}</ReferralSource>",
        ]
        if need is not None:
            head.append(f"      <PrimaryNeedCode>{need}</PrimaryNeedCode>")
        if closure is not None:
            head.append(f"      <CINclosureDate>{closure.isoformat()}</CINclosureDate>")
            reason = "RC7" if nfa else rng.choice(CLOSURE_REASONS)
            head.append(f"      <ReasonForClosure>{reason}</ReasonForClosure>")
        if episode_conference is not None:
            head.append(
                f"      <DateOfInitialCPC>{episode_conference.isoformat()}</DateOfInitialCPC>"
            )
        return closure, [*head, *body, "    </CINdetails>"]

    def assessments(self, referral: date, latest: date) -> tuple[list[str], date, bool]:
        rng = self.rng
        out: list[str] = []
        day = referral
        still_open = False
        for _ in range(rng.choices((0, 1, 2), weights=(15, 70, 15))[0]):
            started = self.on_or_after(day, 10)
            if started is None:
                break
            out.append("      <Assessments>")
            out.append(_item(8, "AssessmentActualStartDate", started))
            authorised = self.on_or_after(started, 70) if rng.random() < 0.85 else None
            if authorised is not None:
                out.append(_item(8, "AssessmentAuthorisationDate", authorised))
                out.append("        <FactorsIdentifiedAtAssessment>")
                for code in (
                    rng.sample(FACTORS, rng.randint(1, 3)) if rng.random() < 0.9 else ["21"]
                ):
                    out.append(f"          <AssessmentFactors>{code}</AssessmentFactors>")
                out.append("        </FactorsIdentifiedAtAssessment>")
            out.append("      </Assessments>")
            latest = max(latest, authorised or started)
            still_open = still_open or authorised is None
            day = (authorised or started) + timedelta(days=1)
        return out, latest, still_open

    def cin_plans(self, referral: date, latest: date) -> tuple[list[str], date, bool]:
        if self.rng.random() >= 0.35:
            return [], latest, False
        started = self.on_or_after(referral + timedelta(days=10), 60)
        if started is None:
            return [], latest, False
        out = [
            "      <CINPlanDates>",
            f"        <CINPlanStartDate>{started.isoformat()}</CINPlanStartDate>",
        ]
        ended = (
            self.on_or_after(started + timedelta(days=1), 200) if self.rng.random() < 0.5 else None
        )
        if ended is not None:
            out.append(f"        <CINPlanEndDate>{ended.isoformat()}</CINPlanEndDate>")
        out.append("      </CINPlanDates>")
        return out, max(latest, ended or started), ended is None

    def section47s(self, referral: date, latest: date) -> tuple[list[str], list[date], date, bool]:
        rng = self.rng
        still_open = False
        out: list[str] = []
        conferences: list[date] = []
        day = referral
        for _ in range(rng.choices((0, 1, 2), weights=(55, 38, 7))[0]):
            started = self.on_or_after(day, 14)
            if started is None:
                break
            target = self.calendar.add_working_days(started, 15)
            out.append("      <Section47>")
            out.append(f"        <S47ActualStartDate>{started.isoformat()}</S47ActualStartDate>")
            if rng.random() < 0.85:
                out.append(f"        <InitialCPCtarget>{target.isoformat()}</InitialCPCtarget>")
            outcome = rng.choices(("held", "not_required", "pending"), weights=(45, 45, 10))[0]
            held = None
            if outcome == "held":
                # Mostly within the 15 working days, some late: 0-35 days after the start.
                held = self.on_or_after(started, 35)
            if held is not None:
                out.append(f"        <DateOfInitialCPC>{held.isoformat()}</DateOfInitialCPC>")
                conferences.append(held)
            flag = "true" if outcome == "not_required" else "false"
            out.append(
                f"        <ICPCnotRequired>{rng.choice((flag, flag.upper()))}</ICPCnotRequired>"
            )
            out.append("      </Section47>")
            latest = max(latest, held or started)
            still_open = still_open or outcome == "pending"
            day = (held or started) + timedelta(days=1)
        return out, conferences, latest, still_open

    def cp_plans(self, conferences: list[date], latest: date) -> tuple[list[str], date, bool]:
        rng = self.rng
        out: list[str] = []
        still_open = False
        for held in sorted(set(conferences)):  # one plan per conference day
            if rng.random() >= 0.8:
                continue  # the conference decided no plan was needed
            category = rng.choice(CATEGORIES)
            out.append("      <ChildProtectionPlans>")
            out.append(f"        <CPPstartDate>{held.isoformat()}</CPPstartDate>")
            ended = self.on_or_after(held + timedelta(days=30), 400) if rng.random() < 0.5 else None
            if ended is not None:
                out.append(f"        <CPPendDate>{ended.isoformat()}</CPPendDate>")
            latest_category = category if rng.random() < 0.85 else rng.choice(CATEGORIES)
            out.append(f"        <InitialCategoryOfAbuse>{category}</InitialCategoryOfAbuse>")
            out.append(f"        <LatestCategoryOfAbuse>{latest_category}</LatestCategoryOfAbuse>")
            # The bundled schemas type this as xs:positiveInteger, so it is at least 1.
            out.append(f"        <NumberOfPreviousCPP>{rng.randint(1, 4)}</NumberOfPreviousCPP>")
            # Reviews: the first within three months, then every six months, while open.
            reviews = []
            review = held + timedelta(days=rng.randint(60, 92))
            end = min(ended or self.reference, self.reference)
            while review <= end:
                reviews.append(review)
                review += timedelta(days=rng.randint(150, 183))
            if reviews:
                out.append("        <Reviews>")
                out += [
                    f"          <CPPreviewDate>{r.isoformat()}</CPPreviewDate>" for r in reviews
                ]
                out.append("        </Reviews>")
            out.append("      </ChildProtectionPlans>")
            latest = max([latest, ended or held, *reviews])
            still_open = still_open or ended is None
        return out, latest, still_open


def generate(children: int, seed: int, year: int = 2024) -> Iterator[str]:
    """The lines of a census return for ``children`` invented children."""
    if year not in YEARS:
        raise ValueError(f"collection year {year}: the bundled schemas are for {YEARS}")
    census = _Census(random.Random(seed), year)
    yield '<?xml version="1.0" encoding="UTF-8"?>'
    yield "<Message>"
    yield "  <Header>"
    yield "    <CollectionDetails>"
    yield "      <Collection>CIN</Collection>"
    yield f"      <Year>{year}</Year>"
    yield f"      <ReferenceDate>{census.reference.isoformat()}</ReferenceDate>"
    yield "    </CollectionDetails>"
    yield "    <Source>"
    yield "      <SourceLevel>L</SourceLevel>"
    yield "      <LEA>999</LEA>"
    yield "      <SoftwareCode>safeguard-rules census_generate</SoftwareCode>"
    yield f"      <Release>{GENERATOR_VERSION}</Release>"
    yield "      <SerialNo>001</SerialNo>"
    yield f"      <DateTime>{year}-04-15T09:00:00</DateTime>"
    yield "    </Source>"
    yield "  </Header>"
    yield "  <Children>"
    for number in range(1, children + 1):
        yield from census.child(number)
    yield "  </Children>"
    yield "</Message>"


def census_text(children: int, seed: int, year: int = 2024) -> str:
    return "\n".join(generate(children, seed, year)) + "\n"


def write(path: Path, children: int, seed: int, year: int = 2024) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for line in generate(children, seed, year):
            handle.write(line + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=2024, choices=YEARS)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--check", action="store_true", help="generate twice and compare")
    parser.add_argument("--validate", action="store_true", help="validate --out against its XSD")
    args = parser.parse_args(argv)
    if args.check:
        first = hashlib.sha256(
            census_text(args.children, args.seed, args.year).encode()
        ).hexdigest()
        second = hashlib.sha256(
            census_text(args.children, args.seed, args.year).encode()
        ).hexdigest()
        print(f"sha256 {first}")
        return 0 if first == second else 1
    if args.out is None:
        parser.error("--out FILE (or --check)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write(args.out, args.children, args.seed, args.year)
    print(f"wrote {args.out} ({args.children} children, seed {args.seed}, {args.year} schema)")
    if args.validate:
        import xmlschema

        from safeguard_rules._census import schema_path

        errors = list(xmlschema.XMLSchema(schema_path(args.year)).iter_errors(str(args.out)))
        for error in errors[:10]:
            print(f"invalid: {error.path}: {error.reason}", file=sys.stderr)
        return 1 if errors else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
