"""What is known about a child's case at a point in its history.

Packs condition on these facts as ``case.NAME`` (for example
``case.allocated_social_worker``). They are derived only from events, in time order,
and include the event being evaluated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._event_table import core_table
from ._field_spec import FieldSpec

if TYPE_CHECKING:  # types only: the event models are imported when events are read
    from ._events import (
        BaseEvent,
        ConcernIdentified,
        CpnCreated,
        PoliceAttention,
        SocialWorkerAllocated,
        SocialWorkerUnallocated,
    )

CASE_FIELDS: dict[str, FieldSpec] = {
    "allocated_social_worker": FieldSpec("bool", None),
    "social_worker": FieldSpec("text", None),
    "team_manager": FieldSpec("text", None),
    "senior_practitioner": FieldSpec("text", None),
    "looked_after": FieldSpec("bool", None),
    # The categories a concern can have (read from the field, not from a JSON Schema,
    # which would build the model's validator at import).
    "concern_categories": FieldSpec(
        "text_list", core_table().fields["concern_identified"]["category"].choices
    ),
    "cpn_count": FieldSpec("number", None),
    "police_attention_count": FieldSpec("number", None),
    "cpn_count_since_allocation": FieldSpec("number", None),
    "police_attention_count_at_last_cpn": FieldSpec("number", None),
    "allocated_at_last_cpn": FieldSpec("bool", None),
    "referring_agency": FieldSpec("text", None),
}

CASE_FIELD_DOCS: dict[str, str] = {
    "allocated_social_worker": "true while a social worker is allocated",
    "social_worker": "person id of the allocated social worker",
    "team_manager": "person id of the allocated worker's team manager",
    "senior_practitioner": "person id of the allocated worker's senior practitioner",
    "looked_after": "the looked_after value of the latest concern that records it (a concern "
    "that leaves it out does not change it; unknown while no concern has recorded it)",
    "concern_categories": "every concern category identified so far",
    "cpn_count": "how many CPNs have been created for the child so far",
    "police_attention_count": "how many occasions of police attention have been recorded for "
    "the child so far: each `police_attention`, and each `cpn_created` whose `incident_ref` no "
    "`police_attention` names (a CPN records an occasion too); an occasion recorded both ways "
    "counts once, in either order. A record whose `incident_ref` is unknown may be another's "
    "occasion: the count is then unknown between the fewest and the most occasions, and a "
    "condition both answer alike (`at_least`, `at_most`) is still decided",
    "cpn_count_since_allocation": "how many CPNs have been created since the current social "
    "worker was allocated (0 while none is allocated; each `social_worker_allocated` starts "
    "again from 0)",
    "police_attention_count_at_last_cpn": "`case.police_attention_count` as it stood when the "
    "latest CPN was created, that CPN's own occasion included (0 before the first CPN)",
    "allocated_at_last_cpn": "true when a social worker (this one or an earlier one) was "
    "allocated as the latest CPN was created (false before the first CPN); a new allocation "
    "does not change it",
    "referring_agency": "the referring_agency of the latest concern (None when it does not say)",
}


# The facts each event type changes (see CaseState.apply).
FACTS_CHANGED_BY: dict[str, tuple[str, ...]] = {
    "social_worker_allocated": (
        "allocated_social_worker",
        "social_worker",
        "team_manager",
        "senior_practitioner",
        "cpn_count_since_allocation",
    ),
    "social_worker_unallocated": (
        "allocated_social_worker",
        "social_worker",
        "team_manager",
        "senior_practitioner",
        "cpn_count_since_allocation",
    ),
    "cpn_created": (
        "cpn_count",
        "police_attention_count",
        "cpn_count_since_allocation",
        "police_attention_count_at_last_cpn",
        "allocated_at_last_cpn",
    ),
    "police_attention": ("police_attention_count",),
    "concern_identified": ("looked_after", "referring_agency", "concern_categories"),
}


@dataclass(slots=True)
class CaseState:
    allocated_social_worker: bool = False
    social_worker: str | None = None
    team_manager: str | None = None
    senior_practitioner: str | None = None
    looked_after: bool | None = None  # None: no concern has recorded it
    concern_categories: list[str] = field(default_factory=list)
    cpn_count: int = 0
    police_attention_count: int = 0
    # What a CPN found when it was created (reader 8 M3: whether the situation that owes a
    # flag arose while the current worker was allocated, which the counts alone cannot say).
    cpn_count_since_allocation: int = 0
    police_attention_count_at_last_cpn: int = 0
    # Reader 10 M1: whether the situation arose while a worker was allocated, though the
    # worker has changed since (cpn_count_since_allocation is then 0).
    allocated_at_last_cpn: bool = False
    referring_agency: str | None = None
    # police_attention_count counts each occasion once (reader 6 M3): the incident refs its
    # police_attention records named, and those only a cpn_created has counted so far.
    attention_refs: set[str] = field(default_factory=set)
    cpn_only_refs: set[str] = field(default_factory=set)
    # Occasions whose incident_ref is unknown (reader 9 M1): they make the count a range,
    # kept in ``ranges`` and, while its ends differ, listed in ``unknown``.
    cpn_refs: set[str] = field(default_factory=set)  # every known CPN reference
    attention_unknown_refs: int = 0
    cpn_unknown_refs: int = 0
    # A numeric fact known only to lie between two ends: fact -> (low, high, what it rests
    # on). Read (``_tristate``) only while ``unknown`` lists the fact with the same names.
    ranges: dict[str, tuple[int, int, frozenset[str]]] = field(default_factory=dict)
    # Facts that rest on a value recorded as unknown -> the unknown values they rest on
    # ("concern_identified.looked_after"); conditions on them are unknown. Empty unless
    # some event lists fields under unknown.
    unknown: dict[str, frozenset[str]] = field(default_factory=dict)

    def apply(self, event: BaseEvent) -> None:
        """Fold one event (in time order) into the facts."""
        fold = FOLD_BY_TYPE.get(event.type)  # type: ignore[attr-defined]
        if fold is not None:  # most events change no fact: one lookup, no isinstance
            fold(self, event)

    def _allocated(self, event: SocialWorkerAllocated) -> None:
        values = event.__dict__  # the fields read at once (a model's attribute read is dear)
        self.allocated_social_worker = True
        self.cpn_count_since_allocation = 0
        self.social_worker = values["worker"]
        self.team_manager = values["team_manager"]
        self.senior_practitioner = values["senior_practitioner"]
        if self.unknown or values["unknown"]:
            self._learn(
                event,
                social_worker="worker",
                team_manager="team_manager",
                senior_practitioner="senior_practitioner",
            )

    def _unallocated(self, _event: SocialWorkerUnallocated) -> None:
        self.allocated_social_worker = False
        self.cpn_count_since_allocation = 0
        self.social_worker = self.team_manager = self.senior_practitioner = None
        if self.unknown:
            for fact in ("social_worker", "team_manager", "senior_practitioner"):
                self.unknown.pop(fact, None)

    def _cpn(self, event: CpnCreated) -> None:
        self.cpn_count += 1
        # "The child came to police attention and a CPN was created": a CPN whose incident
        # no police_attention has named is an occasion of its own (reader 6 M3). One whose
        # incident_ref is not known is an occasion too (one CPN per occasion), which may be
        # that of a police_attention: the count then becomes a range (reader 9 M1).
        ref = event.incident_ref
        if ref is None:
            self.cpn_unknown_refs += 1
            self.police_attention_count += 1
        else:
            self.cpn_refs.add(ref)
            if ref not in self.attention_refs and ref not in self.cpn_only_refs:
                self.police_attention_count += 1
                self.cpn_only_refs.add(ref)
        if self.allocated_social_worker:
            self.cpn_count_since_allocation += 1
        if self.attention_unknown_refs or self.cpn_unknown_refs:
            self._count_range()
        self.police_attention_count_at_last_cpn = self.police_attention_count
        if self.ranges or self.unknown:
            self._copy_fact("police_attention_count", "police_attention_count_at_last_cpn")
        self.allocated_at_last_cpn = self.allocated_social_worker

    def _police_attention(self, event: PoliceAttention) -> None:
        ref = event.incident_ref
        if ref is not None and ref in self.cpn_only_refs:
            self.cpn_only_refs.discard(ref)  # its CPN, taken first, counted this occasion
        else:
            self.police_attention_count += 1
        if ref is not None:
            self.attention_refs.add(ref)
        else:
            self.attention_unknown_refs += 1
        if self.attention_unknown_refs or self.cpn_unknown_refs:
            self._count_range()

    def _count_range(self) -> None:
        """The fewest and most occasions any filling-in of the unknown references gives.

        The value kept is the most: each record with an unknown reference an occasion of
        its own. The fewest: a police_attention whose reference is unknown may be the
        occasion of a CPN no known police_attention names, and a CPN whose reference is
        unknown may be the occasion of any police_attention; two CPNs are never one occasion
        unless they name the same incident. While the two differ the fact is unknown, with
        the range, so a condition that both ends answer alike is still decided (_tristate).
        """
        high = self.police_attention_count
        only = len(self.cpn_only_refs)
        attentions = high - only - self.cpn_unknown_refs  # every police_attention record
        low = max(
            attentions + max(0, only - self.attention_unknown_refs),
            len(self.cpn_refs) + self.cpn_unknown_refs,
        )
        fact = "police_attention_count"
        if low >= high:
            self.ranges.pop(fact, None)
            self.unknown.pop(fact, None)
            return
        names = frozenset(
            name
            for name, count in (
                ("police_attention.incident_ref", self.attention_unknown_refs),
                ("cpn_created.incident_ref", self.cpn_unknown_refs),
            )
            if count
        )
        self.ranges[fact] = (low, high, names)
        self.unknown[fact] = names

    def _copy_fact(self, source: str, target: str) -> None:
        """``target`` takes ``source``'s range and unknown names, or drops its own."""
        if source in self.ranges:
            self.ranges[target] = self.ranges[source]
        else:
            self.ranges.pop(target, None)
        if source in self.unknown:
            self.unknown[target] = self.unknown[source]
        else:
            self.unknown.pop(target, None)

    def _concern(self, event: ConcernIdentified) -> None:
        # Each field read once, from the model's __dict__ (an attribute read on a pydantic
        # model costs a few hundred instructions, a dict look-up a few dozen: _evaluate._walk).
        values = event.__dict__
        looked_after = values["looked_after"]
        if looked_after is not None:
            self.looked_after = looked_after
        self.referring_agency = values["referring_agency"]
        category = values["category"]
        if category is not None and category not in self.concern_categories:
            self.concern_categories.append(category)
        if self.unknown or values["unknown"]:
            self._learn(event, referring_agency="referring_agency")
            if looked_after is not None:
                self.unknown.pop("looked_after", None)
            elif self.looked_after is None and "looked_after" not in self.unknown:
                # Not recorded by this concern nor any before it (reader 5 MEDIUM-1): a
                # concern that leaves it out does not end what an earlier one recorded.
                self.unknown["looked_after"] = frozenset({"concern_identified.looked_after"})
            if "category" in event.unknown:
                # One category is not known: the list is no longer the whole story.
                known = self.unknown.get("concern_categories", frozenset())
                self.unknown["concern_categories"] = known | {"concern_identified.category"}

    def _learn(self, event: BaseEvent, **facts: str) -> None:
        """Each fact set from ``event``'s field is unknown exactly when that field is."""
        kind = event.type  # type: ignore[attr-defined]
        for fact, name in facts.items():
            if name in event.unknown:
                self.unknown[fact] = frozenset({f"{kind}.{name}"})
            else:
                self.unknown.pop(fact, None)


# Event type -> how CaseState folds it in (the types of FACTS_CHANGED_BY). The walk calls
# these directly: an event's type is its class, so no isinstance chain is needed.
FOLD_BY_TYPE: dict[str, Callable[[CaseState, Any], None]] = {
    "social_worker_allocated": CaseState._allocated,
    "social_worker_unallocated": CaseState._unallocated,
    "cpn_created": CaseState._cpn,
    "police_attention": CaseState._police_attention,
    "concern_identified": CaseState._concern,
}
assert FOLD_BY_TYPE.keys() == FACTS_CHANGED_BY.keys()

# Event type -> the types whose folds keep state its own fold reads: a CPN's fold reads
# whether a worker is allocated and, as police_attention's does, the incident references
# both keep. (Facts resting on unknown values are left aside: a child the fast walk takes
# has none; _uncertain walks the others with every fold.)
FOLDS_READ_BY: dict[str, tuple[str, ...]] = {
    "social_worker_allocated": (),
    "social_worker_unallocated": (),
    "cpn_created": ("social_worker_allocated", "social_worker_unallocated", "police_attention"),
    "police_attention": ("cpn_created",),
    "concern_identified": (),
}
assert FOLDS_READ_BY.keys() == FOLD_BY_TYPE.keys()


def folds_needed(facts_named: frozenset[str] | None) -> frozenset[str]:
    """The event types whose folds a walk must make for conditions that name
    ``facts_named`` (None: not known, every fold): those that change a named fact, and the
    folds whose state those read, and so on."""
    if facts_named is None:
        return frozenset(FOLD_BY_TYPE)
    needed = {kind for kind, facts in FACTS_CHANGED_BY.items() if facts_named.intersection(facts)}
    todo = list(needed)
    while todo:
        for other in FOLDS_READ_BY[todo.pop()]:
            if other not in needed:
                needed.add(other)
                todo.append(other)
    return frozenset(needed)
