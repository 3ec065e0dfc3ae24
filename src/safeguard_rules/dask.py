"""Evaluating a Dask bag or dataframe of events partitioned by child, on any Dask cluster.

Install with ``pip install "safeguard-rules[dask]"``. Each partition must hold whole
children (every event of a child in one partition): :func:`partition_by_child` makes a bag
or dataframe so. Each partition is evaluated where it lives by :func:`evaluate_partition`
(the same function a PySpark ``applyInPandas`` can call, docs/scaling.md), and the
partitions' evaluations are merged on the client by ``merge_evaluations`` into the
:class:`~safeguard_rules.Evaluation` that ``evaluate(pack, parse_events(records), as_of)``
gives for all the records in partition order, byte for byte in ``to_json()``:

* a record rejected while parsing is named ``input[i]`` with ``i`` its index in the whole
  collection, as ``parse_events`` names it (each partition reports its length, and the
  client turns partition indices into global ones);
* an event id shared by events in different partitions is found (each partition sends an
  8-byte fingerprint per event; fingerprints met in two partitions are confirmed by id),
  and reported as an error naming the ids: the single-process run would reject every
  event sharing the id, which partitions evaluated apart cannot do;
* a child found in two partitions is an error, never a wrong answer.

The pack travels as its name or path (plus parameter overrides) and is compiled once per
worker process; a path must be readable on every worker. Every partition's result
carries the pack's content hash, and the merge refuses results from different packs, so
a worker with another version of a pack cannot slip in.

Nothing here is imported by ``import safeguard_rules``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ._compile import CompiledPack
from ._evaluate import evaluate
from ._loading import load_pack
from ._mapping import EventMapping
from ._result import Evaluation, Rejection
from ._stream import parse_events
from ._streaming import merge_evaluations


def _dask() -> Any:
    """The dask module, imported when a run starts (it is an optional dependency)."""
    import dask

    return dask


__all__ = [
    "PartitionResult",
    "evaluate_bag",
    "evaluate_dataframe",
    "evaluate_partition",
    "partition_by_child",
]

SOURCE = "input"  # rejections are named input[i], as parse_events names them
_WHERE = re.compile(r"input\[(\d+)\]\Z")

# Compiled packs, once per worker process: (name or path, parameters as JSON) -> pack.
_COMPILED: dict[tuple[str, str], CompiledPack] = {}


def _pack(pack: str | Path | CompiledPack, parameters: Mapping[str, Any] | None) -> CompiledPack:
    if isinstance(pack, CompiledPack):
        return pack
    key = (str(pack), json.dumps(parameters or {}, sort_keys=True, default=str))
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _COMPILED[key] = load_pack(pack, parameters=parameters)
    return compiled


@dataclass(frozen=True)
class PartitionResult:
    """What one partition sends back: its evaluation and what the merge checks."""

    evaluation: Evaluation
    records: int  # how many records the partition held (for global rejection indices)
    children: frozenset[str]
    fingerprints: bytes  # 8 bytes per distinct event id, sorted


def _fingerprint(event_id: str) -> bytes:
    return hashlib.blake2b(event_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def _rows(records: Any) -> Iterable[Mapping[str, Any]]:
    """Records from a list of mappings or a pandas DataFrame (null cells are absent fields)."""
    to_dict = getattr(records, "to_dict", None)
    if to_dict is None:
        return records  # type: ignore[no-any-return]
    return [
        {k: _plain(v) for k, v in row.items() if not _missing(v)}
        for row in to_dict(orient="records")
    ]


def _plain(value: Any) -> Any:
    """A list cell comes back from Arrow-backed frames as a numpy array: a list again."""
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        return value.tolist()
    return value


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def evaluate_partition(
    records: Any,
    pack: str | Path | CompiledPack,
    as_of: datetime,
    *,
    parameters: Mapping[str, Any] | None = None,
    mapping: EventMapping | None = None,
) -> PartitionResult:
    """Evaluate one partition's records (mappings, or a pandas DataFrame) under ``pack``.

    The partition must hold every event of each of its children. ``pack`` is a name or
    path (compiled once per process) or a compiled pack.
    """
    rows = list(_rows(records))
    stream = parse_events(rows, SOURCE, mapping=mapping)
    evaluation = evaluate(_pack(pack, parameters), stream, as_of)
    ids = sorted({_fingerprint(e.id) for e in stream.events})
    return PartitionResult(
        evaluation, len(rows), frozenset(e.child_id for e in stream.events), b"".join(ids)
    )


def merge_partitions(results: Iterable[PartitionResult]) -> Evaluation:
    """One Evaluation from the partitions' results, in partition order (docs/scaling.md)."""
    results = list(results)
    owner: dict[str, int] = {}
    parts: list[Evaluation] = []
    offset = 0
    for index, result in enumerate(results):
        for child in result.children:
            if owner.setdefault(child, index) != index:
                raise ValueError(
                    f"child {child!r} has events in partitions {owner[child]} and {index}: "
                    "partition the events by child first (partition_by_child)"
                )
        account = result.evaluation.account
        rejected = tuple(_shift(r, offset) for r in account.rejected)
        parts.append(replace(result.evaluation, account=replace(account, rejected=rejected)))
        offset += result.records
    return merge_evaluations(parts)


def _shift(rejection: Rejection, offset: int) -> Rejection:
    match = _WHERE.match(rejection.where or "")
    if match is None or offset == 0:
        return rejection
    return replace(rejection, where=f"{SOURCE}[{int(match.group(1)) + offset}]")


def _shared_fingerprints(results: list[PartitionResult]) -> set[bytes]:
    seen: set[bytes] = set()
    shared: set[bytes] = set()
    for result in results:
        data = result.fingerprints
        for i in range(0, len(data), 8):
            fingerprint = data[i : i + 8]
            if fingerprint in seen:
                shared.add(fingerprint)
            else:
                seen.add(fingerprint)
    return shared


class DuplicateIdsAcrossPartitionsError(ValueError):
    """Event ids shared by events in different partitions (``ids``: id -> partitions)."""

    def __init__(self, ids: Mapping[str, list[int]]) -> None:
        self.ids = dict(ids)
        listed = ", ".join(f"{i!r} (partitions {p})" for i, p in sorted(ids.items())[:10])
        super().__init__(
            f"{len(ids)} event ids are shared by events in different partitions: {listed}; "
            "an id is unique within an input: the single-process evaluate would reject every "
            "event sharing it. Give each event its own id, or evaluate in one process"
        )


def _ids_with(records: Any, wanted: frozenset[bytes], mapping: EventMapping | None) -> list[str]:
    stream = parse_events(list(_rows(records)), SOURCE, mapping=mapping)
    return sorted({e.id for e in stream.events if _fingerprint(e.id) in wanted})


def evaluate_bag(
    bag: Any,
    pack: str | Path,
    as_of: datetime,
    *,
    parameters: Mapping[str, Any] | None = None,
    mapping: EventMapping | None = None,
) -> Evaluation:
    """Evaluate a ``dask.bag.Bag`` of event records (mappings) whose partitions hold
    whole children.

    Runs on the current Dask scheduler (a ``distributed.Client`` when one is active). The
    result equals ``evaluate(load_pack(pack), parse_events(bag.compute()), as_of)``.
    """
    load_pack(pack, parameters=parameters)  # a pack that does not load fails here, once
    results = bag.map_partitions(
        lambda part: [evaluate_partition(part, pack, as_of, parameters=parameters, mapping=mapping)]
    ).compute()
    _check_ids(
        results,
        lambda wanted: bag.map_partitions(
            lambda part: [_ids_with(part, wanted, mapping)]
        ).compute(),
    )
    return merge_partitions(results)


def evaluate_dataframe(
    frame: Any,
    pack: str | Path,
    as_of: datetime,
    *,
    parameters: Mapping[str, Any] | None = None,
    mapping: EventMapping | None = None,
) -> Evaluation:
    """Evaluate a ``dask.dataframe.DataFrame`` of events whose partitions hold whole
    children: one column per field, a null cell an absent field. The result equals
    ``evaluate`` of its rows in partition order, each parsed as ``parse_events`` parses
    a mapping."""
    load_pack(pack, parameters=parameters)
    parts = frame.to_delayed()
    dask = _dask()
    results = list(
        dask.compute(
            *[
                dask.delayed(evaluate_partition)(
                    part, pack, as_of, parameters=parameters, mapping=mapping
                )
                for part in parts
            ]
        )
    )

    def ids(wanted: frozenset[bytes]) -> list[list[str]]:
        return list(dask.compute(*[dask.delayed(_ids_with)(p, wanted, mapping) for p in parts]))

    _check_ids(results, ids)
    return merge_partitions(results)


def _check_ids(results: list[PartitionResult], ids_in: Any) -> None:
    shared = _shared_fingerprints(results)
    if not shared:
        return
    found: dict[str, list[int]] = {}
    for index, ids in enumerate(ids_in(frozenset(shared))):
        for event_id in ids:
            found.setdefault(event_id, []).append(index)
    duplicated = {i: p for i, p in found.items() if len(p) > 1}
    if duplicated:  # else: two different ids with one fingerprint (about 1 in 10^19)
        raise DuplicateIdsAcrossPartitionsError(duplicated)


def partition_by_child(
    collection: Any, npartitions: int | None = None, key: str = "child_id"
) -> Any:
    """A bag or dataframe of the same records, each child's in one partition.

    A bag is regrouped with ``groupby`` (a shuffle); a dataframe with ``shuffle(on=key)``.
    ``key`` is the record's child id field (before any mapping renames it).
    """
    if hasattr(collection, "shuffle") and hasattr(collection, "columns"):
        return collection.shuffle(on=key, npartitions=npartitions)

    def child_of(record: Any) -> Hashable:
        value = record.get(key) if isinstance(record, Mapping) else None
        return value if isinstance(value, str) else ""

    grouped = collection.groupby(child_of, npartitions=npartitions)
    return grouped.map(lambda pair: pair[1]).flatten()
