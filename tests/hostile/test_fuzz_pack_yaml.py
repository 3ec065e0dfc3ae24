"""Fuzzing the pack YAML reader: whatever the bytes, a value or a located PackSyntaxError.

Random bytes, random text, token soups and a real pack with fragments spliced in go through
the same path a pack file does (decode, then parse). The invariants:

* the reader returns plain data (dict, list, str, int, float, bool, None) with a position
  for every mapping key and list item, or raises PackSyntaxError;
* each of its diagnostics carries a declared code and a place inside the text;
* nothing else escapes: no RecursionError, no UnicodeError, no error of the YAML library.

The examples are derandomized (a fixed sequence, so CI is stable) and their number fixed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguard_rules._errors import LOAD_CODES, PackSyntaxError
from safeguard_rules._files import FileReadError, decode
from safeguard_rules._limits import PackLimits
from safeguard_rules._yaml import Positions, read_yaml_text

ROOT = Path(__file__).resolve().parents[2]
BASE_TEXT = (ROOT / "tests" / "scenario_files" / "toy" / "toy_pack.yaml").read_text(
    encoding="utf-8"
)
# Small limits, so the fuzzer reaches them too.
LIMITS = PackLimits(max_file_bytes=64 * 1024, max_values=2_000, max_depth=16)
FUZZ = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PLAIN = (dict, list, str, int, float, bool, type(None))


def _plain(value: Any, positions: Positions, path: tuple[Any, ...] = ()) -> None:
    assert isinstance(value, PLAIN), type(value)
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str)
            assert (*path, key) in positions.spots
            _plain(item, positions, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            assert (*path, i) in positions.spots
            _plain(item, positions, (*path, i))


def read(text: str) -> None:
    lines = text.count("\n") + text.count("\r") + 2
    try:
        value, positions = read_yaml_text(text, "fuzz.yaml", LIMITS)
    except PackSyntaxError as exc:  # either outcome is fine; what it holds is checked
        assert exc.diagnostics  # noqa: PT017
        for d in exc.diagnostics:
            assert d.code in LOAD_CODES, d
            assert (d.file, d.level) == ("fuzz.yaml", "error")
            assert 1 <= d.line <= lines and d.column >= 1, d
            assert len(d.message) < 1000
        return
    _plain(value, positions)


def read_bytes(raw: bytes) -> None:
    try:
        text = decode(raw)
    except FileReadError as exc:
        assert exc.code == "not-utf8" and exc.line >= 1 and exc.column >= 1  # noqa: PT017
        return
    read(text)


@FUZZ
@given(st.binary(max_size=2_000))
def test_random_bytes(raw: bytes) -> None:
    read_bytes(raw)


@FUZZ
@given(st.text(max_size=600))
def test_random_text(text: str) -> None:
    read(text)


TOKENS = [
    "key",
    "pack",
    "rules",
    ":",
    ": ",
    " ",
    "  ",
    "\n",
    "\n  ",
    "\n    ",
    "- ",
    "-",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "!!str ",
    "!!int ",
    "!!python/object:os.system ",
    "!x ",
    "! ",
    "'q'",
    '"q"',
    "'",
    '"',
    '"\\x00"',
    "|\n  ",
    ">-\n  ",
    "#c",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "%YAML 1.1\n",
    "%TAG !e! tag:e.com,2000:\n",
    "? ",
    "<<: ",
    "yes",
    "no",
    "on",
    "1e3",
    "0x1F",
    "0o17",
    "017",
    ".nan",
    "-.inf",
    "2024-01-01",
    "09:00",
    "~",
    "null",
    "\t",
    "\x00",
    "\x1b",
    "\ufeff",
    "\u2028",
    "\r",
    "\r\n",
]


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_token_soup(tokens: list[str]) -> None:
    read("".join(tokens))


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(BASE_TEXT)),
            st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)),
            st.integers(min_value=0, max_value=3),  # characters removed at the spot
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_real_pack_with_fragments_spliced_in(edits: list[tuple[int, str, int]]) -> None:
    text = BASE_TEXT
    for at, fragment, removed in sorted(edits, reverse=True):
        text = text[:at] + fragment + text[at + removed :]
    read(text)


@FUZZ
@given(st.integers(min_value=1, max_value=400), st.sampled_from(["[", "{a: ", "- ", "a:\n" + " "]))
def test_nesting_of_any_depth(depth: int, opener: str) -> None:
    if opener.endswith("\n "):
        text = "".join(f"{' ' * k}k{k}:\n" for k in range(depth))
    else:
        text = opener * depth
    read(text)
