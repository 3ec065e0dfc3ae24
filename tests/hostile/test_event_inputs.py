"""Hostile event input, through the command line (issue 8, event side).

Every case runs ``safeguard-rules evaluate`` in its own process on one input: the
hand-written files in ``events/`` (every event-side reproducer of issue 8 among them) and
mutants generated here from a valid stream, in JSON Lines, JSON array and YAML. Each case
asserts:

- the exit code (0, 1 for rejected records, 2 for a usage error), and no traceback;
- the account, exactly: received = evaluated + rejected, with the numbers expected;
- each rejection, by its file and line and what its reason says;
- no leak: text planted in a rejected record (``PLANTED``) is never printed;
- time and memory, measured on the child process with generous margins
  (:data:`SECONDS`, :data:`MAX_RSS_MIB`): a refusal must be cheap.

The pack half of the hostile suite lives in its own files beside this one.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from child_memory import cli_command, split_peak

EVENTS = Path(__file__).parent / "events"
# An invented pack (cpn_created opens an obligation, flag_sent is checked), so the table
# shows event values whatever the real packs make of these events.
PACK = str(Path(__file__).parent / "event_pack.yaml")
AS_OF = "2024-06-01T00:00:00+00:00"
SECONDS = 120.0  # per process; the machines running this are shared and slow
SECONDS_LARGE = 300.0  # the few cases that read tens of megabytes on purpose
MAX_RSS_MIB = 400  # the command needs about 60 MiB; a gigabyte input must not be held
PLANTED = "PLANTED-d41d8c"


@dataclass
class Case:
    """One input and what the command must make of it."""

    name: str
    file: str  # the file name given to the command ("-": standard input)
    data: bytes | None  # None: a file of events/ under ``name``
    received: int
    rejected: dict[int, str] = field(default_factory=dict)  # line -> part of the reason
    args: tuple[str, ...] = ()
    fmt: str = "json"
    exit: int | None = None  # default: 1 when anything is rejected, else 0
    sparse: int = 0  # make the file this many bytes long, as a hole
    seconds: float = SECONDS
    shown: tuple[str, ...] = ()  # text the output must hold (table format)
    hidden: tuple[str, ...] = ()  # text that must never be printed

    @property
    def exit_code(self) -> int:
        if self.exit is not None:
            return self.exit
        return 1 if self.rejected else 0


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    rss_mib: float


def run(args: list[str], cwd: Path, stdin: bytes | None = None) -> Run:
    """The command line, in its own process, with its own time and peak memory (the
    peak it reports itself: child_memory says why not ru_maxrss)."""
    out_path, err_path = cwd / ".stdout", cwd / ".stderr"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603 - our own command line
            cli_command(args),
            cwd=cwd,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        if stdin is not None:
            assert process.stdin is not None
            with contextlib.suppress(BrokenPipeError):  # it may stop reading, as it should
                process.stdin.write(stdin)
            process.stdin.close()
        process.wait()
        seconds = time.monotonic() - started
    stderr, peak_mib = split_peak(err_path.read_text(encoding="utf-8", errors="replace"))
    return Run(
        process.returncode,
        out_path.read_text(encoding="utf-8", errors="replace"),
        stderr,
        seconds,
        peak_mib,
    )


def check(case: Case, tmp_path: Path) -> Run:
    """Run ``case`` and assert everything the module docstring promises."""
    stdin = None
    if case.file == "-":
        stdin = case.data if case.data is not None else (EVENTS / case.name).read_bytes()
        target = "-"
        source = "<stdin>"
    else:
        path = tmp_path / case.file
        if case.data is None:
            path.write_bytes((EVENTS / case.name).read_bytes())
        else:
            path.write_bytes(case.data)
        if case.sparse:
            with path.open("r+b") as handle:
                handle.truncate(case.sparse)
        target = source = case.file
    args = ["evaluate", "--pack", PACK, "--as-of", AS_OF, *case.args]
    if case.fmt == "json":
        args += ["--format", "json"]
    done = run([*args, target], tmp_path, stdin)

    assert "Traceback" not in done.err + done.out, done.err[-2000:]
    assert done.code == case.exit_code, (done.code, done.err[-2000:])
    assert done.seconds < case.seconds, f"took {done.seconds:.1f} s"
    assert done.rss_mib < MAX_RSS_MIB, f"peak RSS {done.rss_mib:.0f} MiB"
    for text in (PLANTED, *case.hidden):
        assert text not in done.out and text not in done.err, f"{text!r} was printed"
    for text in case.shown:
        assert text in done.out, f"{text!r} not in the output"

    printed = [line for line in done.err.splitlines() if line.startswith("rejected: ")]
    if case.fmt == "json":
        account = json.loads(done.out)["account"]
        rejections = [(r["where"], r["reason"]) for r in account["rejected"]]
        assert account["received"] == case.received
        assert account["evaluated"] == case.received - len(case.rejected)
        assert len(printed) == len(rejections)  # each is also on stderr
    else:
        summary = (
            f"events: {case.received} received, {case.received - len(case.rejected)} "
            f"evaluated, {len(case.rejected)} rejected"
        )
        assert summary in done.out
        rejections = [tuple(line[len("rejected: ") :].split(": ", 1)) for line in printed]
    by_line = {}
    for where, reason in rejections:
        assert where is not None, "every rejection names its place"
        name, _, line = where.rpartition(":")
        assert name == source, where
        assert int(line) not in by_line, f"two rejections at {where}"
        by_line[int(line)] = reason
    assert sorted(by_line) == sorted(case.rejected), by_line
    for line, part in case.rejected.items():
        assert part in by_line[line], (line, by_line[line])
    return done


def test_the_peak_measured_is_the_childs_own_not_its_parents(tmp_path: Path) -> None:
    # This process holds 256 MiB when it starts the child. The kernel's ru_maxrss of the
    # child counted them too (the forked copy: about 267 MiB for --version, measured), so
    # late in a full run every case was near MAX_RSS_MIB whatever the command did; the
    # child's own VmHWM is what the command itself used (about 50 MiB).
    ballast = b"x" * (256 << 20)  # written, so resident
    done = run(["--version"], tmp_path)
    assert len(ballast) == 256 << 20 and done.code == 0 and "version" in done.out
    assert done.rss_mib < 200, f"{done.rss_mib:.0f} MiB: the parent's memory was counted"


# --- hand-written inputs (events/), every event-side reproducer of issue 8 among them -------

NOT_ISO = "must be an ISO 8601 date and time with a UTC offset"
YEARS = "is outside the years 1901 to 2199"
BOOL = "must be true or false"
NOT_MAPPING = "the record is not a mapping of event fields"
DUPLICATE_IDS = "duplicate event id: 3 events share it (duplicate_ids.jsonl:1, duplicate_ids.jsonl:3, duplicate_ids.jsonl:5)"

HAND_WRITTEN = [
    # "20240501" became 1970-08-23T06:21:41Z; 0, 1e10 and "1714550400" were evaluated too
    Case(
        "unix_times.jsonl",
        "unix_times.jsonl",
        None,
        8,
        {2: NOT_ISO, 3: NOT_ISO, 4: NOT_ISO, 5: NOT_ISO, 6: "has no UTC offset", 7: NOT_ISO},
    ),
    # 0001-01-01 and 9999-12-31T23:00-05:00 ended the whole run with OverflowError
    Case(
        "placeholder_years.jsonl",
        "placeholder_years.jsonl",
        None,
        6,
        {2: YEARS, 3: YEARS, 4: YEARS, 5: "is not a real date and time"},
    ),
    # serious_harm: "yes" and 1 were accepted. Line 5, looked_after: null, is accepted as
    # "not recorded" (read as unknown) since reader 5 MEDIUM-1; it was rejected before.
    Case("lax_booleans.jsonl", "lax_booleans.jsonl", None, 5, {2: BOOL, 3: BOOL, 4: BOOL}),
    # a key twice in a JSON record: the last won
    Case(
        "duplicate_json_key.jsonl",
        "duplicate_json_key.jsonl",
        None,
        3,
        {2: "duplicate key 'id'; each key may appear once in a record"},
    ),
    # one syntax error: "1 received, 0 evaluated" for 20 records
    Case(
        "twenty_one_syntax_error.yaml",
        "twenty_one_syntax_error.yaml",
        None,
        20,
        {61: "YAML syntax error"},
    ),
    # a BOM made the first record "not valid JSON"
    Case("bom.jsonl", "bom.jsonl", None, 3),
    # CR-only line endings merged 16 records into one line
    Case("cr_only.jsonl", "cr_only.jsonl", None, 16),
    Case("crlf_bom.yaml", "crlf_bom.yaml", None, 3),
    # a .json array was read as JSON Lines: 17 unexplained rejections
    Case("seventeen.json", "seventeen.json", None, 17),
    # an empty .yaml was an error while an empty .jsonl passed
    *(
        Case(name, name, None, 0)
        for name in (
            "empty.yaml",
            "empty.jsonl",
            "empty.json",
            "blank_lines.jsonl",
            "comments_only.yaml",
        )
    ),
    # a 5,000-digit integer was "not valid JSON"
    Case(
        "big_integer.jsonl",
        "big_integer.jsonl",
        None,
        2,
        {2: "a number has 5,000 digits; numbers in events have at most 20"},
    ),
    # duplicates and events after as_of had no file or line
    Case(
        "duplicate_ids.jsonl",
        "duplicate_ids.jsonl",
        None,
        5,
        {1: DUPLICATE_IDS, 3: DUPLICATE_IDS, 5: DUPLICATE_IDS},
    ),
    Case(
        "after_as_of.yaml",
        "after_as_of.yaml",
        None,
        3,
        {2: "dated after as_of, so not yet evaluated", 3: "dated after as_of"},
    ),
    # undecodable files: a traceback for YAML
    Case("not_utf8.jsonl", "not_utf8.jsonl", None, 3, {2: "the record is not UTF-8 text"}),
    Case("not_utf8.yaml", "not_utf8.yaml", None, 3, {2: "line 2 is not UTF-8 text"}),
    Case(
        "tags_and_aliases.yaml",
        "tags_and_aliases.yaml",
        None,
        5,
        {
            2: "YAML aliases (*name) are not allowed in event files",
            3: "YAML tag '!!python/object/apply:os.system' is not allowed",
            4: "YAML tag '!custom' is not allowed",
        },
    ),
    Case("yaml11_booleans.yaml", "yaml11_booleans.yaml", None, 3, {3: BOOL, 4: BOOL}),
    Case(
        "multi_document.yaml",
        "multi_document.yaml",
        None,
        4,
        {9: "a YAML event document is a list of events, 'events: [...]' or one event"},
    ),
    Case(
        "events_mapping_extra_key.yaml",
        "events_mapping_extra_key.yaml",
        None,
        3,
        {1: "top-level key 'exported_by' is not read"},
    ),
    Case(
        "nan_infinity.jsonl",
        "nan_infinity.jsonl",
        None,
        4,
        {
            2: "NaN is not a JSON number",
            3: "-Infinity is not a JSON number",
            4: "a number is too large to represent",
        },
    ),
    Case(
        "not_objects.jsonl",
        "not_objects.jsonl",
        None,
        7,
        {2: NOT_MAPPING, 3: NOT_MAPPING, 4: NOT_MAPPING, 5: NOT_MAPPING, 6: NOT_MAPPING},
    ),
    Case(
        "broken_array.json",
        "broken_array.json",
        None,
        2,
        {3: "the JSON array is not closed with ']'; the entry starting here runs to the end"},
    ),
    Case(
        "nul_bytes.jsonl",
        "nul_bytes.jsonl",
        None,
        4,
        {2: "not valid JSON", 4: "not valid JSON: Invalid control character"},
    ),
    Case("tab_indent.yaml", "tab_indent.yaml", None, 3, {5: "YAML syntax error"}),
    # the table read event values as rich markup (MarkupError, a hyperlink) and passed
    # ESC/OSC/bidi through to the terminal
    Case(
        "markup_ids.jsonl",
        "markup_ids.jsonl",
        None,
        3,
        fmt="table",
        shown=("[/bold]c", "[link=https://example.invalid]x[/link]", ":warning:[red]"),
    ),
    Case(
        "terminal_escapes.jsonl",
        "terminal_escapes.jsonl",
        None,
        4,
        fmt="table",
        shown=(
            "c\\x1b[2J\\x1b[H",
            "c\\x1b]8;;https://example.invalid\\x07link",
            "c\\u202eevil",
            "c\\x9b31m",
        ),
        hidden=("\x1b", "\x07", "\u202e", "\x9b"),
    ),
]


@pytest.mark.parametrize("case", HAND_WRITTEN, ids=lambda c: c.name)
def test_hand_written_input(case: Case, tmp_path: Path) -> None:
    check(case, tmp_path)


def test_every_hand_written_file_has_a_case() -> None:
    assert sorted(p.name for p in EVENTS.iterdir()) == sorted(c.name for c in HAND_WRITTEN)


# --- inputs too large, too deep, or from standard input -----------------------------------------

GIB = 1 << 30
GOOD_LINE = json.dumps(
    {
        "id": "ev-1",
        "type": "mash_enquiry_started",
        "child_id": "child-1",
        "at": "2024-05-07T10:00:00Z",
    }
)


def deep(n: int) -> str:
    return "[" * n + "]" * n


def flow_yaml(n: int, pad: int = 0) -> bytes:
    line = (
        "- {id: ev-%d, type: mash_enquiry_started, child_id: child-1, at: '2024-05-07T10:00:00Z'}"
    )
    return "".join(line % i + " " * pad + "\n" for i in range(1, n + 1)).encode()


LARGE = [
    # a 1 GiB JSON Lines line took 2.1 GB of memory before it was refused
    Case(
        "gigabyte_line.jsonl",
        "gigabyte_line.jsonl",
        f"{GOOD_LINE}\n".encode(),
        2,
        {2: "the record is longer than 1,048,576 characters"},
        sparse=GIB,
        seconds=SECONDS_LARGE,
    ),
    # so did a 1 GiB YAML event file
    Case(
        "gigabyte.yaml",
        "gigabyte.yaml",
        b"- ",
        1,
        {1: "the file is larger than 268,435,456 bytes"},
        sparse=GIB,
    ),
    Case(
        "gigabyte.json",
        "gigabyte.json",
        b"[",
        1,
        {1: "the file is larger than 268,435,456 bytes"},
        sparse=GIB,
    ),
    # 40,000 valid events in a 5 MB YAML file reported "1 received"
    Case(
        "forty_thousand.yaml",
        "forty_thousand.yaml",
        flow_yaml(40_000, pad=38),
        40_000,
        seconds=SECONDS_LARGE,
    ),
    # 10,000 levels: the id lookup for the message raised RecursionError
    Case(
        "deep.jsonl",
        "deep.jsonl",
        f'{{"id": "ev-1", "attributes": {{"a": {deep(10_000)}}}}}\n{GOOD_LINE}\n'.encode(),
        2,
        {1: "the record nests more than 32 levels deep"},
    ),
    Case(
        "deep.json",
        "deep.json",
        f'[{{"a": {deep(10_000)}}}, {GOOD_LINE}]'.encode(),
        2,
        {1: "nests more than 32 levels deep"},
    ),
    Case(
        "deep.yaml",
        "deep.yaml",
        f"- {{a: {deep(10_000)}}}\n- {GOOD_LINE}\n".encode(),
        2,
        {1: "nests more than 32 levels deep"},
    ),
    Case(
        "deep_block.yaml",
        "deep_block.yaml",
        ("- " + "".join(f"{'  ' * i}k{i}:\n" for i in range(700)) + f"- {GOOD_LINE}\n").encode(),
        2,
        {1: "nests more than 32 levels deep"},
    ),
    Case(
        "long.yaml",
        "long.yaml",
        b"- {x: '" + b"y" * 2_000_000 + b"'}\n- " + GOOD_LINE.encode() + b"\n",
        2,
        {1: "longer than 1,048,576 characters"},
    ),
    Case(
        "limit_raised.jsonl",
        "limit_raised.jsonl",
        f'{GOOD_LINE[:-1]}, "attributes": {{"a": {deep(40)}}}}}\n'.encode(),
        1,
        {1: "attribute 'a' must be text, a number or true/false"},
        args=("--max-event-depth", "64"),
    ),
    Case(
        "limit_lowered.jsonl",
        "limit_lowered.jsonl",
        f"{GOOD_LINE}\n".encode(),
        1,
        {1: "longer than 10 characters"},
        args=("--max-event-record-chars", "10"),
    ),
    # "-" reads standard input, in every format
    Case("stdin.jsonl", "-", f"{GOOD_LINE}\n{{broken\n".encode(), 2, {2: "not valid JSON"}),
    Case("stdin.json", "-", f"[{GOOD_LINE},\n 7]".encode(), 2, {2: NOT_MAPPING}),
    Case("stdin.yaml", "-", flow_yaml(3), 3),
    Case("stdin_empty", "-", b"", 0),
]


@pytest.mark.parametrize("case", LARGE, ids=lambda c: c.name)
def test_large_deep_and_piped_input(case: Case, tmp_path: Path) -> None:
    check(case, tmp_path)


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        # a traceback and exit 1 before
        ("0001-01-01T00:00:00+14:00", "is outside the years 1901 to 2199"),
        ("9999-12-31T23:59:59-12:00", "is outside the years 1901 to 2199"),
        ("2024-06-01T00:00:00", "has no UTC offset"),
        ("1717200000", "is not an ISO 8601 time"),
    ],
)
def test_an_impossible_as_of_is_a_usage_error(as_of: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "e.jsonl").write_text(GOOD_LINE + "\n", encoding="utf-8")
    done = run(["evaluate", "--pack", PACK, "--as-of", as_of, "e.jsonl"], tmp_path)
    assert done.code == 2
    assert "Traceback" not in done.err
    assert message in done.err


def test_a_missing_file_or_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    for target, message in (("nowhere.jsonl", "cannot read nowhere.jsonl"), (".", "cannot read .")):
        done = run(["evaluate", "--pack", PACK, "--as-of", AS_OF, target], tmp_path)
        assert (done.code, "Traceback" in done.err) == (2, False)
        assert message in done.err


# --- mutants of a valid stream -----------------------------------------------------------------
#
# BASE is a valid stream touching every kind of field (text, lists, true/false, dates,
# attributes). Each mutation spoils one record in a known way; the case expects that record
# (and only it) rejected, on its line, for that reason, in each format it applies to.

BASE: list[dict[str, Any]] = [
    {
        "id": "ev-1",
        "type": "social_worker_allocated",
        "child_id": "child-1",
        "at": "2024-05-01T09:00:00+01:00",
        "worker": "sw-1",
        "team_manager": "tm-1",
    },
    {
        "id": "ev-2",
        "type": "cpn_created",
        "child_id": "child-1",
        "at": "2024-05-02T10:00:00+01:00",
        "incident_ref": "INC-1",
        "summary": "invented",
    },
    {
        "id": "ev-3",
        "type": "concern_identified",
        "child_id": "child-1",
        "at": "2024-05-03T11:00:00+01:00",
        "category": "neglect",
        "serious_harm": True,
        "attributes": {"referral_source": "school", "count": 2, "score": 1.5, "flagged": False},
    },
    {
        "id": "ev-4",
        "type": "flag_sent",
        "child_id": "child-1",
        "at": "2024-05-04T12:00:00Z",
        "sender_role": "ppu_ds",
        "to": ["allocated_social_worker"],
        "cc": ["team_manager"],
    },
    {
        "id": "ev-5",
        "type": "strategy_meeting_requested",
        "child_id": "child-2",
        "at": "2024-05-05T13:00:00+01:00",
        "requested_by_role": "team_manager",
        "authorised": None,
    },
    {
        "id": "ev-6",
        "type": "professional_difference_raised",
        "child_id": "child-2",
        "at": "2024-05-06T14:00:00+01:00",
        "difference_id": "pd-1",
        "started_on": "2024-05-06",
    },
    {
        "id": "ev-7",
        "type": "strategy_meeting_held",
        "child_id": "child-2",
        "at": "2024-05-07T15:00:00+01:00",
        "chair_role": "team_manager",
        "agencies": ["police", "csc"],
    },
    {
        "id": "ev-8",
        "type": "mash_enquiry_started",
        "child_id": "child-3",
        "at": "2024-05-08T16:00:00-04:00",
    },
]


@dataclass(frozen=True)
class Mutation:
    """Spoil ``BASE[target]`` (a copy); ``reason`` is part of the expected rejection."""

    name: str
    target: int
    spoil: Callable[[dict[str, Any]], Any]
    reason: str
    formats: tuple[str, ...] = ("jsonl",)  # values are validated alike whatever the format


ALL = ("jsonl", "json", "yaml")  # for the values each format writes differently


def _set(**changes: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda record: {**record, **changes}


def _drop(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda record: {k: v for k, v in record.items() if k != key}


MUTATIONS = [
    Mutation("no_id", 1, _drop("id"), "missing field 'id'"),
    Mutation("no_type", 2, _drop("type"), "missing 'type'", ALL),
    Mutation("no_child", 3, _drop("child_id"), "missing field 'child_id'"),
    Mutation("no_at", 4, _drop("at"), "missing field 'at'"),
    Mutation("no_required_field", 1, _drop("incident_ref"), "missing field 'incident_ref'"),
    Mutation(
        "unknown_type",
        7,
        _set(type="mash_enquiry_startd"),
        "unknown event type 'mash_enquiry_startd'; did you mean 'mash_enquiry_started'?",
    ),
    Mutation("type_not_text", 7, _set(type=7), "unknown event type"),
    Mutation(
        "unknown_field",
        1,
        _set(sumary=PLANTED),
        "unknown field 'sumary'; did you mean 'summary'?",
        ALL,
    ),
    Mutation("at_unix_number", 0, _set(at=1714550400), NOT_ISO, ALL),
    Mutation("at_unix_text", 0, _set(at="1714550400"), NOT_ISO),
    Mutation("at_compact_date", 0, _set(at="20240501"), NOT_ISO, ALL),
    Mutation("at_float", 0, _set(at=1e10), NOT_ISO),
    Mutation("at_naive", 5, _set(at="2024-05-06T14:00:00"), "has no UTC offset"),
    Mutation("at_date_only", 5, _set(at="2024-05-06"), NOT_ISO),
    Mutation("at_year_1", 6, _set(at="0001-01-01T00:00:00Z"), YEARS, ALL),
    Mutation("at_year_9999", 6, _set(at="9999-12-31T23:00:00-05:00"), YEARS, ALL),
    Mutation("at_not_a_day", 6, _set(at="2024-02-30T10:00:00Z"), "is not a real date and time"),
    Mutation("at_secret_text", 6, _set(at=PLANTED), NOT_ISO),
    Mutation("at_empty", 6, _set(at=""), NOT_ISO),
    Mutation("bool_yes", 2, _set(serious_harm="yes"), BOOL, ALL),
    Mutation("bool_one", 2, _set(serious_harm=1), BOOL, ALL),
    Mutation("bool_true_text", 2, _set(serious_harm="true"), BOOL),
    # null for a flag that has a default is rejected (a concern's flags accept null as "not
    # recorded" since reader 5 MEDIUM-1, so the mutation uses the request's form_complete)
    Mutation("bool_null", 4, _set(form_complete=None), BOOL),
    Mutation("optional_bool_text", 4, _set(authorised="no"), BOOL),
    Mutation("text_number", 3, _set(sender_role=5), "'sender_role' must be text"),
    Mutation("text_list", 0, _set(worker=["sw-1"]), "'worker' must be text"),
    Mutation("list_text", 3, _set(to="allocated_social_worker"), "'to' must be a list", ALL),
    Mutation("list_empty", 3, _set(to=[]), "List should have at least 1 item"),
    Mutation("choice_unknown", 2, _set(category="negelct"), "'category'"),
    Mutation("date_unix", 5, _set(started_on=1714953600), "must be an ISO 8601 date", ALL),
    Mutation("date_compact", 5, _set(started_on="20240506"), "must be an ISO 8601 date"),
    Mutation("date_year_1", 5, _set(started_on="0001-01-01"), "outside the years 1901 to 2199"),
    Mutation("attributes_list", 2, _set(attributes=[1, 2]), "'attributes' must be a mapping"),
    Mutation(
        "attribute_nested",
        2,
        _set(attributes={"a": {"b": PLANTED}}),
        "attribute 'a' must be text, a number or true/false",
        ALL,
    ),
    Mutation(
        "attribute_list",
        2,
        _set(attributes={"a": [PLANTED]}),
        "attribute 'a' must be text, a number or true/false",
    ),
    Mutation("id_too_long", 1, _set(id="e" * 201), "at most 200 characters"),
    Mutation("id_empty", 1, _set(id=""), "at least 1 character"),
    Mutation("id_number", 1, _set(id=17), "'id' must be text"),
    Mutation("summary_too_long", 1, _set(summary=PLANTED * 1000), "at most 10000 characters"),
    Mutation("record_list", 4, lambda r: [r], NOT_MAPPING, ALL),
    Mutation("record_text", 4, lambda r: PLANTED, NOT_MAPPING, ALL),
    Mutation("record_number", 4, lambda r: 17, NOT_MAPPING),
    Mutation("record_null", 4, lambda r: None, NOT_MAPPING, ("jsonl", "json")),
    Mutation(
        "huge_integer",
        2,
        _set(attributes={"n": int("9" * 300)}),
        "a number has 300 digits; numbers in events have at most 20",
        ALL,
    ),
    Mutation("after_as_of", 7, _set(at="2024-06-01T00:00:01Z"), "dated after as_of", ALL),
]

# Spoiled text rather than spoiled values: (name, target, spoil the record's text, reason,
# formats). The text is the record as the format writes it.
TEXT_MUTATIONS: list[tuple[str, int, Callable[[str], str], str, tuple[str, ...]]] = [
    ("truncated", 3, lambda t: t[: len(t) // 2], "not valid JSON", ("jsonl",)),
    ("truncated_yaml", 3, lambda t: t[: len(t) // 2], "YAML syntax error", ("yaml",)),
    (
        "raw_escape",
        1,
        lambda t: t.replace("invented", f"in\x1bvented {PLANTED}"),
        "not valid JSON: Invalid control character",
        ("jsonl", "json"),
    ),
    (
        "raw_escape_yaml",
        1,
        lambda t: t.replace("invented", f"in\x1bvented {PLANTED}"),
        "holds a control character (U+001B)",
        ("yaml",),
    ),
    (
        "duplicate_key",
        5,
        lambda t: t.replace(
            '"difference_id": "pd-1"', '"difference_id": "pd-1", "difference_id": "pd-2"'
        ),
        "duplicate key 'difference_id'",
        ("jsonl", "json", "yaml"),
    ),
    (
        "nan",
        2,
        lambda t: t.replace('"score": 1.5', '"score": NaN'),
        "NaN is not a JSON number",
        ("jsonl", "json"),
    ),
    (
        "infinity",
        2,
        lambda t: t.replace('"score": 1.5', '"score": 1e999'),
        "a number is too large to represent",
        ("jsonl", "json"),
    ),
    (
        "yaml_infinity",
        2,
        lambda t: t.replace('"score": 1.5', '"score": .inf'),
        "infinity and NaN are not numbers",
        ("yaml",),
    ),
    ("single_quotes", 0, lambda t: t.replace('"', "'"), "not valid JSON", ("jsonl",)),
    ("trailing_comma", 0, lambda t: t[:-1] + ", }", "not valid JSON", ("jsonl",)),
    ("comment", 0, lambda t: t + " // note", "not valid JSON", ("jsonl",)),
    (
        "nul",
        6,
        lambda t: t.replace("team_manager", "team\x00manager"),
        "not valid JSON: Invalid control character",
        ("jsonl", "json"),
    ),
    ("yaml_alias", 6, lambda t: t.replace('"team_manager"', "*someone"), "YAML aliases", ("yaml",)),
    (
        "yaml_tag",
        6,
        lambda t: t.replace('"team_manager"', "!!python/name:os.system ''"),
        "YAML tag '!!python/name:os.system' is not allowed",
        ("yaml",),
    ),
    (
        "yaml_unclosed_flow",
        6,
        lambda t: t.replace('["police", "csc"]}', '["police", "csc"'),
        "YAML syntax error",
        ("yaml",),
    ),
    (
        "yaml_yes",
        2,
        lambda t: t.replace('"serious_harm": true', '"serious_harm": yes'),
        BOOL,
        ("yaml",),
    ),
    (
        "yaml_merge",
        6,
        lambda t: t.replace('"chair_role": "team_manager"', "<<: {chair_role: x}"),
        "unknown field '<<'",
        ("yaml",),
    ),
]


def _text(record: Any, fmt: str) -> str:
    text = json.dumps(record, ensure_ascii=False)
    return f"- {text}" if fmt == "yaml" else text


def _document(lines: list[str], fmt: str) -> tuple[bytes, list[int]]:
    """The file, and the line each record starts on."""
    if fmt == "json":
        return ("[\n" + ",\n".join(lines) + "\n]\n").encode(), [i + 2 for i in range(len(lines))]
    return ("".join(line + "\n" for line in lines)).encode(), [i + 1 for i in range(len(lines))]


def mutants() -> Iterator[Case]:
    for m in MUTATIONS:
        for fmt in m.formats:
            records = [dict(r) for r in BASE]
            lines = [_text(r, fmt) for r in records]
            lines[m.target] = _text(m.spoil(records[m.target]), fmt)
            data, starts = _document(lines, fmt)
            yield Case(
                f"{m.name}.{fmt}", f"{m.name}.{fmt}", data, len(BASE), {starts[m.target]: m.reason}
            )
    for name, target, spoil, reason, formats in TEXT_MUTATIONS:
        for fmt in formats:
            lines = [_text(r, fmt) for r in BASE]
            lines[target] = spoil(lines[target])
            data, starts = _document(lines, fmt)
            yield Case(f"{name}.{fmt}", f"{name}.{fmt}", data, len(BASE), {starts[target]: reason})
    # Every line ending and a byte-order mark, in every format: nothing is rejected.
    for fmt in ("jsonl", "json", "yaml"):
        for ending_name, ending in (("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")):
            data, _starts = _document([_text(r, fmt) for r in BASE], fmt)
            data = b"\xef\xbb\xbf" + data.replace(b"\n", ending.encode())
            yield Case(f"bom_{ending_name}.{fmt}", f"bom_{ending_name}.{fmt}", data, len(BASE))
    # The whole stream shuffled and its records made duplicates of each other.
    data, _starts = _document([_text(r, "jsonl") for r in BASE[::-1]], "jsonl")
    yield Case("reversed.jsonl", "reversed.jsonl", data, len(BASE))
    both = [*BASE, *BASE]
    data, starts = _document([_text(r, "yaml") for r in both], "yaml")
    yield Case(
        "every_id_twice.yaml",
        "every_id_twice.yaml",
        data,
        16,
        dict.fromkeys(starts, "duplicate event id: 2 events share it"),
    )


MUTANTS = list(mutants())


@pytest.mark.parametrize("case", MUTANTS, ids=lambda c: c.name)
def test_mutant(case: Case, tmp_path: Path) -> None:
    check(case, tmp_path)


def test_there_are_at_least_150_event_inputs() -> None:
    assert len(HAND_WRITTEN) + len(LARGE) + len(MUTANTS) >= 150
