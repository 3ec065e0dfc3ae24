"""Small CIN census returns written in tests, in the element order the XSD requires.

Every id and date is invented. ``census(child(...), ...)`` gives a whole return; each
builder takes the inner XML of the parts it does not fill itself.
"""

from __future__ import annotations

import random
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml.ElementTree import fromstring

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "data" / "cin_census"  # copies of shared/data/cin-census/

sys.path.insert(0, str(ROOT / "benchmarks"))
import census_generate  # noqa: E402 - the benchmark generator, shared with the tests

generate_census = census_generate.census_text


def census(*children: str, year: str = "2024", reference: str = "2024-03-31") -> str:
    header = (
        "  <Header>\n    <CollectionDetails>\n      <Collection>CIN</Collection>\n"
        f"      <Year>{year}</Year>\n      <ReferenceDate>{reference}</ReferenceDate>\n"
        "    </CollectionDetails>\n  </Header>\n"
    )
    return f"<Message>\n{header}  <Children>\n{''.join(children)}  </Children>\n</Message>\n"


def child(la: str, *episodes: str, identifiers: str = "") -> str:
    return (
        "    <Child>\n      <ChildIdentifiers>\n"
        f"        <LAchildID>{la}</LAchildID>\n{identifiers}"
        "        <GenderCurrent>2</GenderCurrent>\n      </ChildIdentifiers>\n"
        "      <ChildCharacteristics>\n        <Ethnicity>WBRI</Ethnicity>\n"
        "      </ChildCharacteristics>\n" + "".join(episodes) + "    </Child>\n"
    )


def episode(
    referral: str,
    *,
    closure: str | None = None,
    reason: str | None = None,
    icpc: str | None = None,
    before_nfa: str = "",
    after_nfa: str = "",
    source: str = "6",
    need: str | None = "N1",
    nfa: str = "false",
) -> str:
    out = f"      <CINdetails>\n        <CINreferralDate>{referral}</CINreferralDate>\n"
    out += f"        <ReferralSource>{source}</ReferralSource>\n"
    if need:
        out += f"        <PrimaryNeedCode>{need}</PrimaryNeedCode>\n"
    if closure:
        out += f"        <CINclosureDate>{closure}</CINclosureDate>\n"
    if reason:
        out += f"        <ReasonForClosure>{reason}</ReasonForClosure>\n"
    if icpc:
        out += f"        <DateOfInitialCPC>{icpc}</DateOfInitialCPC>\n"
    out += before_nfa + f"        <ReferralNFA>{nfa}</ReferralNFA>\n" + after_nfa
    return out + "      </CINdetails>\n"


def section47(start: str, *, target: str | None = None, icpc: str | None = None,
              not_required: str = "false") -> str:  # fmt: skip
    out = f"        <Section47>\n          <S47ActualStartDate>{start}</S47ActualStartDate>\n"
    if target:
        out += f"          <InitialCPCtarget>{target}</InitialCPCtarget>\n"
    if icpc:
        out += f"          <DateOfInitialCPC>{icpc}</DateOfInitialCPC>\n"
    out += f"          <ICPCnotRequired>{not_required}</ICPCnotRequired>\n"
    return out + "        </Section47>\n"


def assessment(start: str, authorised: str | None = None, factors: tuple[str, ...] = (),
               review: str | None = None) -> str:  # fmt: skip
    out = f"        <Assessments>\n          <AssessmentActualStartDate>{start}</AssessmentActualStartDate>\n"
    if review:
        out += f"          <AssessmentInternalReviewDate>{review}</AssessmentInternalReviewDate>\n"
    if authorised:
        out += (
            f"          <AssessmentAuthorisationDate>{authorised}</AssessmentAuthorisationDate>\n"
        )
    if factors:
        out += "          <FactorsIdentifiedAtAssessment>\n"
        out += "".join(f"            <AssessmentFactors>{f}</AssessmentFactors>\n" for f in factors)
        out += "          </FactorsIdentifiedAtAssessment>\n"
    return out + "        </Assessments>\n"


def cp_plan(start: str, *, end: str | None = None, initial: str = "NEG", latest: str = "NEG",
            previous: str = "1", reviews: tuple[str, ...] = ()) -> str:  # fmt: skip
    out = f"        <ChildProtectionPlans>\n          <CPPstartDate>{start}</CPPstartDate>\n"
    if end:
        out += f"          <CPPendDate>{end}</CPPendDate>\n"
    out += f"          <InitialCategoryOfAbuse>{initial}</InitialCategoryOfAbuse>\n"
    out += f"          <LatestCategoryOfAbuse>{latest}</LatestCategoryOfAbuse>\n"
    out += f"          <NumberOfPreviousCPP>{previous}</NumberOfPreviousCPP>\n"
    if reviews:
        out += "          <Reviews>\n"
        out += "".join(f"            <CPPreviewDate>{r}</CPPreviewDate>\n" for r in reviews)
        out += "          </Reviews>\n"
    return out + "        </ChildProtectionPlans>\n"


def cin_plan(start: str, end: str | None = None) -> str:
    out = f"        <CINPlanDates>\n          <CINPlanStartDate>{start}</CINPlanStartDate>\n"
    if end:
        out += f"          <CINPlanEndDate>{end}</CINPlanEndDate>\n"
    return out + "        </CINPlanDates>\n"


def shuffled(text: str, seed: int) -> str:
    """The same return with every run of repeated records in another order (children,
    episodes, assessments, plans, enquiries, reviews): the XSD's sequence order is kept."""
    rng = random.Random(seed)
    root = fromstring(text)

    def shuffle_runs(parent: ET.Element) -> None:
        subs = list(parent)
        out: list[ET.Element] = []
        i = 0
        while i < len(subs):
            j = i
            while j < len(subs) and subs[j].tag == subs[i].tag:
                j += 1
            run = subs[i:j]
            rng.shuffle(run)
            out.extend(run)
            i = j
        parent[:] = out
        for sub in out:
            shuffle_runs(sub)

    shuffle_runs(root)
    return ET.tostring(root, encoding="unicode")
