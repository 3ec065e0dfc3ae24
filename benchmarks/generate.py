"""Deterministic synthetic case-event streams for the benchmarks.

Writes JSON Lines (one event a line) in the vocabulary of ``safeguard_rules._events``:
children with 30-60 events each, case histories starting between 2019 and 2025, CPN
bursts (so "more than three CPNs" fires), concerns followed by strategy discussions and
meetings, flags and receipts, planning meetings, enquiries, conferences, reviews,
supervision and professional differences. All ids are invented (``child-000001``,
``ev-0000001``); all timestamps carry a UTC offset (Europe/London local time, or ``Z``).

Determinism: one ``random.Random(seed)`` drives everything, nothing reads the clock or
the global ``random`` state, and JSON is written with a fixed key order, so the same
``--seed`` and ``--events`` give a byte-identical file on any machine (given the same
tzdata for the Europe/London offsets)::

    python benchmarks/generate.py --events 100000 --seed 1 --out benchmarks/out/e.jsonl
    python benchmarks/generate.py --events 100000 --seed 1 --check   # generates twice, compares

``--validate`` parses the first 5,000 lines with ``safeguard_rules.parse_events`` and
fails if any is rejected.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# Bump when the generated stream changes, so cached files in benchmarks/out/ are rebuilt.
GENERATOR_VERSION = 2  # 2: concerns record enquiry_decision_needed (8d8e5bf)

LOCAL = ZoneInfo("Europe/London")
FIRST_START = datetime(2019, 1, 1, tzinfo=UTC)
LAST_START = datetime(2025, 3, 31, tzinfo=UTC)
END = datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
BATCH_CHILDREN = 500  # children generated together and interleaved in time order

CATEGORIES = (
    ("neglect", 30),
    ("emotional_abuse", 20),
    ("physical_abuse", 20),
    ("sexual_abuse", 10),
    ("penetrative_sexual_abuse", 4),
    ("sexual_exploitation", 8),
    ("other", 8),
)
AGENCIES = ("csc", "police", "health", "education")
FLAG_SENDERS = ("mash_ds", "ppu_ds")
REQUESTERS = (
    ("allocated_social_worker", 45),
    ("team_manager", 30),
    ("police", 10),
    ("ppu_ds", 10),
    ("health", 5),
)
CHAIRS = (("team_manager", 80), ("senior_practitioner", 15), ("service_manager", 5))


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _stamp(instant: datetime, utc: bool) -> str:
    if utc:
        return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return instant.astimezone(LOCAL).isoformat(timespec="seconds")


class _Child:
    """One child's history, built episode by episode in time order."""

    def __init__(self, rng: random.Random, number: int, next_id: Callable[[], str]) -> None:
        self.rng = rng
        self.number = number
        self.child_id = f"child-{number:06d}"
        self.next_id = next_id
        self.rows: list[tuple[datetime, str, dict[str, Any]]] = []
        span = (LAST_START - FIRST_START).total_seconds()
        self.t = FIRST_START + timedelta(seconds=int(rng.random() * span))
        self.allocated = False
        self.team_manager: str | None = None
        self.cpns: list[str] = []
        self.flagged = False
        self.differences = 0
        self.looked_after = rng.random() < 0.12

    # --- plumbing --------------------------------------------------------------------

    def emit(self, kind: str, at: datetime, /, **fields: Any) -> str | None:
        """Record an event at ``at``; None (and no id used) if it falls after END."""
        if at > END:
            return None
        event_id = self.next_id()
        record: dict[str, Any] = {
            "id": event_id,
            "type": kind,
            "child_id": self.child_id,
            "at": _stamp(at, self.rng.random() < 0.2),
        }
        record.update({k: v for k, v in fields.items() if v is not None})
        if self.rng.random() < 0.03:
            record["attributes"] = {"source_system": "synthetic", "batch": self.number % 7}
        self.rows.append((at, event_id, record))
        return event_id

    def later(self, lo_minutes: int, hi_minutes: int, base: datetime | None = None) -> datetime:
        return (base or self.t) + timedelta(minutes=self.rng.randint(lo_minutes, hi_minutes))

    def advance(self, lo_days: int, hi_days: int) -> None:
        latest = max((at for at, _, _ in self.rows), default=self.t)
        self.t = max(self.t, latest) + timedelta(
            minutes=self.rng.randint(lo_days * 1440, hi_days * 1440)
        )

    def subset(self, values: tuple[str, ...], at_least: int = 1) -> list[str]:
        k = self.rng.randint(at_least, len(values))
        return sorted(self.rng.sample(values, k))

    # --- the history -------------------------------------------------------------------

    def build(self) -> list[tuple[datetime, str, dict[str, Any]]]:
        rng = self.rng
        target = rng.randint(30, 60)
        if rng.random() < 0.35:
            self.enquiry()
        if rng.random() < 0.75:
            self.allocate()
        self.cpn_burst(rng.randint(4, 6) if rng.random() < 0.6 else rng.randint(1, 3))
        episodes: tuple[tuple[Callable[[], None], int], ...] = (
            (lambda: self.cpn_burst(rng.randint(1, 3)), 25),
            (self.concern, 30),
            (self.review, 12),
            (self.supervision, 10),
            (self.difference, 5),
            (self.allocation_change, 6),
            (self.enquiry, 6),
            (self.referral, 6),
        )
        while len(self.rows) < target and self.t < END:
            self.advance(2, 30)
            rng.choices([e for e, _ in episodes], weights=[w for _, w in episodes])[0]()
        return self.rows

    def allocate(self) -> None:
        rng = self.rng
        self.team_manager = f"tm-{rng.randint(1, 40):02d}"
        self.emit(
            "social_worker_allocated",
            self.t,
            worker=f"sw-{rng.randint(1, 300):03d}",
            team_manager=self.team_manager,
            senior_practitioner=f"sp-{rng.randint(1, 60):02d}" if rng.random() < 0.7 else None,
        )
        self.allocated = True

    def allocation_change(self) -> None:
        if self.allocated:
            self.emit("social_worker_unallocated", self.t)
            self.allocated = False
            self.team_manager = None
            if self.rng.random() < 0.6:
                self.advance(1, 20)
                self.allocate()
        else:
            self.allocate()

    def enquiry(self) -> None:
        rng = self.rng
        self.emit(
            "enquiry_received",
            self.t,
            safeguarding_risk_clear=rng.random() < 0.7,
            referring_agency=rng.choice(AGENCIES[1:]),
        )
        if rng.random() < 0.6:
            self.emit("mash_enquiry_started", self.later(30, 2 * 1440))

    def referral(self) -> None:
        rng = self.rng
        self.emit(
            "referral_made",
            self.t,
            to_service=rng.choice(("children_and_family_hub", "early_help", "camhs")),
            by_role=rng.choice(("allocated_social_worker", "mash_team", "health")),
        )

    def cpn_burst(self, k: int) -> None:
        rng = self.rng
        for _ in range(k):
            ref = f"INC-{self.number:06d}-{len(self.cpns) + 1:02d}"
            self.cpns.append(ref)
            # Police attention happens at any hour.
            self.emit(
                "cpn_created",
                self.t,
                incident_ref=ref,
                summary="synthetic incident" if rng.random() < 0.3 else None,
            )
            self.t = self.later(1440, 20 * 1440)
        if len(self.cpns) > 3 and self.allocated and (not self.flagged or rng.random() < 0.3):
            self.flag()
        elif not self.allocated and rng.random() < 0.6:
            self.emit("mash_enquiry_started", self.later(60, 3 * 1440))

    def flag(self) -> None:
        rng = self.rng
        self.flagged = True
        at = self.later(60, 5 * 1440)
        sender = rng.choice(FLAG_SENDERS)
        to = ["allocated_social_worker"]
        if rng.random() < 0.15:
            to.append("senior_practitioner")
        cc = ["team_manager"] if rng.random() < 0.8 else []
        if rng.random() < 0.3:
            cc.append("senior_practitioner")
        recent = self.cpns[-rng.randint(3, 4) :]
        flag_id = self.emit(
            "flag_sent",
            at,
            sender_role=sender,
            to=to,
            cc=cc,
            attached_cpns=recent if rng.random() < 0.85 else [],
            summarised_incidents=recent[-3:] if rng.random() < 0.8 else recent[-2:],
        )
        if flag_id is None:
            return
        if rng.random() < 0.8:
            self.emit(
                "receipt_confirmed",
                self.later(30, 5 * 1440, at),
                of_event=flag_id,
                by_role="allocated_social_worker",
                method=rng.choice(("email", "email", "phone", "system")),
            )
        if rng.random() < 0.7:
            requested = self.later(60, 3 * 1440, at)
            self.emit("planning_meeting_requested", requested, requested_by_role=sender)
            if rng.random() < 0.85:
                self.emit(
                    "planning_meeting_held",
                    self.later(2 * 1440, 15 * 1440, requested),
                    chair_role=_weighted(rng, CHAIRS),
                    chair=self.team_manager,
                    agencies=self.subset(AGENCIES, 2),
                    minuted=rng.random() < 0.85,
                    actions_shared=rng.random() < 0.8,
                )

    def concern(self) -> None:
        rng = self.rng
        category = _weighted(rng, CATEGORIES)
        sexual = "sexual" in category
        self.emit(
            "concern_identified",
            self.t,
            category=category,
            serious_harm=rng.random() < 0.3,
            forensic_evidence_needed=rng.random() < (0.4 if sexual else 0.05),
            immediate_action_taken=rng.random() < 0.2,
            complex=rng.random() < 0.1,
            looked_after=self.looked_after,
            risk_level=rng.choice(("low", "medium", "high", None)),
            referring_agency=rng.choice(AGENCIES),
            # derived, not drawn, so the random sequence (and every stream) is unchanged
            enquiry_decision_needed=category != "other",
        )
        t = self.t
        discussion = None
        if rng.random() < 0.7:
            t = self.later(30, 2 * 1440, t)
            agencies = self.agencies()
            discussion = self.emit(
                "strategy_discussion_held",
                t,
                mode=rng.choice(("telephone", "video", "face_to_face")),
                agencies=agencies,
                chair_role="team_manager" if rng.random() < 0.7 else None,
                records_made_by=agencies if rng.random() < 0.7 else agencies[:1],
            )
        if discussion is not None and rng.random() < 0.6:
            self.circulate(discussion, agencies, t)
        if rng.random() < 0.8:
            self.strategy_meeting(self.later(30, 1440, t))
        if rng.random() < 0.5:
            kinds = ["child_sexual_abuse"] if sexual else ["child_protection"]
            self.emit(
                "medical_considered",
                self.later(60, 2 * 1440, t),
                kinds=kinds,
                required=rng.random() < 0.5,
            )
        if rng.random() < 0.5:
            self.enquiry_and_conference(self.later(1440, 5 * 1440, t))

    def strategy_meeting(self, at: datetime) -> None:
        rng = self.rng
        requested = self.emit(
            "strategy_meeting_requested",
            at,
            requested_by_role=_weighted(rng, REQUESTERS),
            purpose=rng.choice(
                (
                    "safeguarding",
                    "safeguarding",
                    "safeguarding",
                    "investigation_update",
                    "police_information_only",
                    "other",
                )
            ),
            authorised=rng.random() < 0.8,
            quality_assured=rng.random() < 0.7,
            form_complete=rng.random() < 0.9,
            mode=rng.choice(("face_to_face", "telephone", "video", None)),
        )
        if requested is None:
            return
        if rng.random() < 0.3:
            self.emit(
                "strategy_request_forwarded",
                self.later(10, 600, at),
                of_event=requested,
                by_role="police_mash",
                to=["ppu_ds"],
            )
        if rng.random() < 0.08:
            self.emit(
                "strategy_request_returned",
                self.later(60, 1440, at),
                of_event=requested,
                by_role="ppu_ds",
                reason="form incomplete",
            )
        if rng.random() < 0.08:
            self.emit(
                "police_contacted",
                self.later(600, 1200, at),
                by_role="team_manager",
                channel="101",
                requested_role="duty_sergeant",
            )
        meeting_at = self.later(1440, 7 * 1440, at)
        if rng.random() < 0.3:
            agency = rng.choice(("health", "education"))
            self.emit(
                "agency_unable_to_attend",
                self.later(60, 1440, at),
                agency=agency,
                meeting_ref=requested,
            )
            if rng.random() < 0.7:
                self.emit(
                    "agency_report_sent",
                    self.later(-1440, 0, meeting_at),
                    agency=agency,
                    to_role="strategy_meeting_chair",
                    meeting_ref=requested,
                )
        roll = rng.random()
        if roll < 0.1:
            self.emit(
                "strategy_meeting_cancelled",
                self.later(60, 2 * 1440, at),
                of_event=requested,
                by_role="team_manager",
                rationale="synthetic rationale" if rng.random() < 0.8 else None,
                agreed_by=self.subset(("csc", "police"), 1),
                notified=self.subset(AGENCIES, 1),
                recorded_on_child_file=rng.random() < 0.7,
            )
        elif roll < 0.9:
            chair_role = _weighted(rng, CHAIRS)
            agencies = self.agencies()
            held = self.emit(
                "strategy_meeting_held",
                meeting_at,
                chair_role=chair_role,
                chair=self.team_manager if rng.random() < 0.7 else f"tm-{rng.randint(1, 40):02d}",
                agencies=agencies,
                mode=rng.choice(("face_to_face", "telephone", "video")),
            )
            if held is not None and rng.random() < 0.8:
                self.circulate(held, agencies, meeting_at)

    def agencies(self) -> list[str]:
        """Agencies at a discussion or meeting; the fostering service for some looked-after."""
        chosen = self.subset(AGENCIES, 2)
        if self.looked_after and self.rng.random() < 0.6:
            chosen.append("fostering_service")
        return chosen

    def circulate(self, meeting: str, agencies: list[str], held_at: datetime) -> None:
        rng = self.rng
        self.emit(
            "strategy_record_circulated",
            self.later(60, 4 * 1440, held_at),
            meeting_ref=meeting,
            to=agencies if rng.random() < 0.8 else self.subset(AGENCIES, 1),
            authorised_by_role=rng.choice(
                ("csc_manager", "csc_manager", "team_manager", "senior_practitioner")
            ),
        )

    def enquiry_and_conference(self, at: datetime) -> None:
        rng = self.rng
        basis = rng.choice(("article_42", "section_47"))
        if self.emit("enquiry_started", at, basis=basis) is None:
            return
        if rng.random() < 0.8:
            concluded = self.later(10 * 1440, 40 * 1440, at)
            risk = rng.random() < 0.5
            self.emit("enquiry_concluded", concluded, basis=basis, continuing_risk=risk)
            if risk and rng.random() < 0.7:
                self.emit(
                    "child_protection_conference_held",
                    self.later(5 * 1440, 20 * 1440, concluded),
                    chair_role=rng.choice(("conference_chair", "independent_chair")),
                )

    def review(self) -> None:
        rng = self.rng
        self.emit(
            "case_reviewed",
            self.t,
            complex=rng.random() < 0.2,
            stuck=rng.random() < 0.1,
            drifting=rng.random() < 0.1,
        )

    def supervision(self) -> None:
        rng = self.rng
        kind = "multi_agency_reflective" if rng.random() < 0.3 else "internal"
        self.emit(
            "supervision_held",
            self.t,
            kind=kind,
            agencies=self.subset(AGENCIES, 2) if kind == "multi_agency_reflective" else [],
        )

    def difference(self) -> None:
        rng = self.rng
        self.differences += 1
        diff = f"pd-{self.number:06d}-{self.differences}"
        self.emit(
            "professional_difference_raised",
            self.t,
            difference_id=diff,
            raised_by_role=rng.choice(("allocated_social_worker", "police", "health")),
            started_on=self.t.astimezone(LOCAL).date().isoformat() if rng.random() < 0.7 else None,
        )
        if rng.random() < 0.7:
            resolved = self.later(2 * 1440, 30 * 1440)
            self.emit(
                "professional_difference_resolved",
                resolved,
                difference_id=diff,
                resolved_on=resolved.astimezone(LOCAL).date().isoformat(),
            )


def iter_lines(events: int, seed: int) -> Iterator[str]:
    """Exactly ``events`` JSON lines (with newlines) for ``seed``."""
    rng = random.Random(seed)
    counter = 0

    def next_id() -> str:
        nonlocal counter
        counter += 1
        return f"ev-{counter:07d}"

    written = 0
    child = 0
    while written < events:
        batch: list[tuple[datetime, str, dict[str, Any]]] = []
        for _ in range(BATCH_CHILDREN):
            child += 1
            batch.extend(_Child(rng, child, next_id).build())
            if written + len(batch) >= events:
                break
        # Time order across the batch (ties by id), so children interleave as in an export.
        batch.sort(key=lambda row: (row[0], row[1]))
        for _at, _id, record in batch[: events - written]:
            yield json.dumps(record, separators=(", ", ": "), ensure_ascii=False) + "\n"
        written += min(len(batch), events - written)


def write(events: int, seed: int, out: Path) -> str:
    """Write the stream to ``out`` (atomically) and return its SHA-256."""
    out.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    partial = out.with_name(out.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="\n") as handle:
        buffer = io.StringIO()
        for i, line in enumerate(iter_lines(events, seed), start=1):
            buffer.write(line)
            if i % 10_000 == 0:
                chunk = buffer.getvalue()
                handle.write(chunk)
                digest.update(chunk.encode("utf-8"))
                buffer = io.StringIO()
        chunk = buffer.getvalue()
        handle.write(chunk)
        digest.update(chunk.encode("utf-8"))
    partial.replace(out)
    return digest.hexdigest()


def stream_digest(events: int, seed: int) -> str:
    digest = hashlib.sha256()
    for line in iter_lines(events, seed):
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


def validate(path: Path, sample: int = 5000) -> int:
    """Parse the first ``sample`` lines with the library; the number rejected."""
    from safeguard_rules import parse_events

    records = []
    with path.open(encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i >= sample:
                break
            records.append(json.loads(line))
    stream = parse_events(records, source=str(path))
    for rejection in stream.rejected[:10]:
        print(f"rejected: {rejection}", file=sys.stderr)
    return len(stream.rejected)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="number of events")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="JSON Lines file to write")
    parser.add_argument(
        "--check",
        action="store_true",
        help="generate the stream twice in memory and compare SHA-256 digests",
    )
    parser.add_argument(
        "--validate",
        action="store_true",
        help="parse a sample of --out with safeguard_rules.parse_events",
    )
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be at least 1")
    if args.out is None and not args.check:
        parser.error("give --out FILE, --check, or both")
    status = 0
    if args.check:
        first, second = stream_digest(args.events, args.seed), stream_digest(args.events, args.seed)
        same = first == second
        print(
            f"check: {'identical' if same else 'DIFFERENT'} sha256 {first}"
            + ("" if same else f" vs {second}")
        )
        status |= 0 if same else 1
    if args.out is not None:
        digest = write(args.events, args.seed, args.out)
        print(f"wrote {args.events} events to {args.out} (sha256 {digest})")
        if args.check and digest != first:
            print("check: the written file differs from the in-memory stream", file=sys.stderr)
            status |= 1
        if args.validate:
            bad = validate(args.out)
            print(f"validate: {bad} of the first {min(args.events, 5000)} records rejected")
            status |= 1 if bad else 0
    return status


if __name__ == "__main__":
    sys.exit(main())
