"""The partitioned run on a real Dask cluster: a LocalCluster of two worker processes.

dask and distributed come with the test extra (pyproject: test -> safeguard-rules[dask]),
so this runs wherever the tests run, CI included; it does not skip.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dask
import dask.bag as db
import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from safeguard_rules import evaluate, load_pack, parse_events
from safeguard_rules.dask import (
    DuplicateIdsAcrossPartitionsError,
    evaluate_bag,
    evaluate_dataframe,
    evaluate_partition,
    merge_partitions,
    partition_by_child,
)

ROOT = Path(__file__).resolve().parents[1]
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)


def _records(events: int, seed: int) -> list[dict[str, Any]]:
    spec = importlib.util.spec_from_file_location(
        "bench_generate", ROOT / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [json.loads(line) for line in module.iter_lines(events, seed)]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    # Two worker processes (not threads): the pack is compiled in each, results are pickled back.
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    rows = _records(2000, 11)
    # Input problems, so that the account is compared too: a record that is not an event,
    # a duplicate id within one child, an event after as_of.
    first = rows[0]
    rows.append(
        {"id": "bad-1", "type": "no_such_type", "child_id": first["child_id"], "at": first["at"]}
    )
    rows.append({**first, "at": "2025-06-01T10:00:00Z"})  # same id as rows[0], same child
    rows.append({**rows[5], "id": "late-1", "at": "2027-01-01T10:00:00Z"})
    return rows


def test_workers_are_separate_processes(client: Client) -> None:
    import os

    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids


def test_a_bag_partitioned_by_child_gives_the_single_process_result(
    client: Client, records: list[dict[str, Any]]
) -> None:
    bag = partition_by_child(db.from_sequence(records, npartitions=6), npartitions=4)
    assert bag.npartitions > 1
    in_order = bag.compute()  # the records in partition order: what parse_events sees
    assert sorted(json.dumps(r, sort_keys=True) for r in in_order) == sorted(
        json.dumps(r, sort_keys=True) for r in records
    )
    reference = evaluate(load_pack("jersey_2024"), parse_events(in_order), AS_OF)
    assert len(reference.account.rejected) == 4  # the bad record, both duplicates, the late one
    assert any(
        r.where is not None and r.where.startswith("input[") for r in reference.account.rejected
    )
    result = evaluate_bag(bag, "jersey_2024", AS_OF)
    assert result.obligations
    assert result.to_json() == reference.to_json()


def test_a_dataframe_partitioned_by_child_gives_the_single_process_result(
    client: Client, records: list[dict[str, Any]]
) -> None:
    # Dask turns object columns into strings by default, which would make the list fields
    # (to, cc, agencies) text: keep them as objects (docs/scaling.md says so).
    with dask.config.set({"dataframe.convert-string": False}):
        frame = dd.from_pandas(pd.DataFrame(records[:2000]), npartitions=5)
        frame = partition_by_child(frame, npartitions=3)
    pieces = list(frame.to_delayed())
    rows: list[dict[str, Any]] = []
    for piece in pieces:
        for row in piece.compute().to_dict(orient="records"):
            # a null cell is an absent field; list cells come back as numpy arrays
            rows.append(
                {
                    k: (v.tolist() if hasattr(v, "tolist") else v)
                    for k, v in row.items()
                    if not (v is None or (isinstance(v, float) and v != v))
                }
            )
    reference = evaluate(load_pack("wtsc_2015"), parse_events(rows), AS_OF)
    assert reference.account.rejected == ()
    result = evaluate_dataframe(frame, "wtsc_2015", AS_OF)
    assert result.obligations
    assert result.to_json() == reference.to_json()


def test_a_child_split_across_partitions_is_an_error(
    client: Client, records: list[dict[str, Any]]
) -> None:
    # from_sequence cuts the list into runs: a generated export interleaves children
    bag = db.from_sequence(records[:2000], npartitions=4)
    with pytest.raises(ValueError, match="has events in partitions"):
        evaluate_bag(bag, "jersey_2024", AS_OF)


def test_an_id_shared_across_partitions_is_an_error_naming_it(client: Client) -> None:
    def cpn(eid: str, child: str) -> dict[str, Any]:
        return {
            "id": eid,
            "type": "cpn_created",
            "child_id": child,
            "at": "2024-05-01T10:00:00Z",
            "incident_ref": "I",
        }

    bag = db.from_sequence(
        [cpn("e1", "c1"), cpn("shared", "c1"), cpn("shared", "c2"), cpn("e4", "c2")], npartitions=2
    )
    with pytest.raises(DuplicateIdsAcrossPartitionsError) as caught:
        evaluate_bag(bag, "jersey_2024", AS_OF)
    assert caught.value.ids == {"shared": [0, 1]}


def test_the_partition_function_alone_is_what_other_engines_call(
    records: list[dict[str, Any]],
) -> None:
    """As a PySpark applyInPandas would: one pandas frame per group of children."""
    frame = pd.DataFrame(records[:2000])
    groups = [
        g for _c, g in frame.groupby(frame["child_id"].str[-1])
    ]  # 10 groups of whole children
    results = [evaluate_partition(g, "jersey_2024", AS_OF) for g in groups]
    rows = [
        {k: v for k, v in row.items() if not (v is None or (isinstance(v, float) and v != v))}
        for g in groups
        for row in g.to_dict(orient="records")
    ]
    reference = evaluate(load_pack("jersey_2024"), parse_events(rows), AS_OF)
    assert merge_partitions(results).to_json() == reference.to_json()
