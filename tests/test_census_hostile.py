"""Hostile XML given to the census importer: refused early, with a place and a reason, no
expansion, no file or network access, nothing from the file echoed, bounded time and memory.

Each case runs in its own process so its peak memory can be measured; the bounds are
generous (the point is that nothing grows with the attack), per the hostile-input issue.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from census_xml import census, child, episode, section47
from child_memory import PEAK_KIB

from safeguard_rules._census import import_cin_census

TIME_LIMIT_S = 30.0
MEMORY_LIMIT_MB = 400

# peak_kib() is the child's own peak (child_memory says why not ru_maxrss).
_RUNNER = PEAK_KIB + textwrap.dedent("""
    import json, sys
    from safeguard_rules._census import import_cin_census
    kwargs = json.loads(sys.argv[2])
    result = import_cin_census(sys.argv[1], **kwargs)
    print(json.dumps({
        "errors": [[p.line, p.column, p.child_id, p.element, p.message] for p in result.errors],
        "events": len(result.events),
        "records": [[r.record, r.outcome] for r in result.records],
        "rss_mb": peak_kib() / 1024,
        "text": result.report_json(),
    }))
""")


def hostile(path: Path, **kwargs: Any) -> dict[str, Any]:
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _RUNNER, str(path), json.dumps(kwargs)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    assert elapsed < TIME_LIMIT_S, f"took {elapsed:.1f} s"
    assert out["rss_mb"] < MEMORY_LIMIT_MB, f"peak {out['rss_mb']:.0f} MB"
    return out


def refused(out: dict[str, Any]) -> tuple[int | None, int | None, str]:
    """The single error of a file refused whole: (line, column, message); nothing imported."""
    assert out["events"] == 0 and out["records"] == []
    ((line, column, child_id, element, message),) = out["errors"]
    assert child_id is None and element is None
    return line, column, message


DTD_REFUSED = (
    "a DOCTYPE (DTD) is not allowed: a census return has none, and DTDs can expand "
    "entities or reach other files"
)


def test_billion_laughs_is_refused_before_any_expansion(tmp_path: Path) -> None:
    entities = "".join(
        f'  <!ENTITY lol{i} "{"&lol" + str(i - 1) + ";" * 1}{("&lol" + str(i - 1) + ";") * 9}">\n'
        for i in range(1, 10)
    )
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE Message [\n  <!ENTITY lol0 "lol">\n' + entities + "]>\n"
        "<Message><Children><Child><ChildIdentifiers><LAchildID>&lol9;</LAchildID></ChildIdentifiers></Child></Children></Message>\n"
    )
    path = tmp_path / "laughs.xml"
    path.write_text(text)
    assert refused(hostile(path)) == (2, None, DTD_REFUSED)


def test_external_entity_never_reads_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MARKER-SECRET-7731")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE Message [ <!ENTITY x SYSTEM "file://{secret}"> ]>\n'
        "<Message><Header/><Children><Child><ChildIdentifiers><LAchildID>&x;</LAchildID>"
        "</ChildIdentifiers></Child></Children></Message>\n"
    )
    out = hostile(path)
    assert refused(out) == (2, None, DTD_REFUSED)
    assert "MARKER-SECRET" not in json.dumps(out)


def test_external_dtd_and_schema_location_never_touch_the_network(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/census.dtd"
    try:
        dtd = tmp_path / "dtd.xml"
        dtd.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE Message SYSTEM "{url}">\n<Message/>\n')
        assert refused(hostile(dtd)) == (2, None, DTD_REFUSED)
        # A schema location hint in an otherwise valid return is ignored, not fetched.
        hinted = tmp_path / "hint.xml"
        text = census(child("C-1", episode("2023-06-05")))
        text = text.replace(
            "<Message>",
            '<Message xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:noNamespaceSchemaLocation="{url}">',
            1,
        )
        hinted.write_text(text)
        out = hostile(hinted)
        assert out["errors"] == [] and out["events"] == 1
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", (1, 1, "not well-formed XML: no element found"), id="empty"),
        pytest.param(
            "\x00\x01binary\xff",
            (1, 1, "not well-formed XML: not well-formed (invalid token)"),
            id="binary",
        ),
        pytest.param(
            "<Message>\n  <Children>\n",
            (3, 1, "not well-formed XML: no element found"),
            id="truncated",
        ),
        pytest.param(
            "<Message>&undefined;</Message>\n",
            (1, 10, "not well-formed XML: undefined entity"),
            id="undefined-entity",
        ),
        pytest.param(
            "<Root/>\n",
            (1, None, "the root element is <Root>, not <Message>: this is not a CIN census return"),
            id="wrong-root",
        ),
        pytest.param(
            '<Message xmlns="urn:other"/>\n',
            (
                1,
                None,
                "the root element is <{urn:other}Message>, not <Message>: this is not a CIN census return",
            ),
            id="namespaced-root",
        ),
    ],
)
def test_malformed_files_are_refused_with_their_place(
    tmp_path: Path, text: str, expected: tuple[Any, ...]
) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(text.encode("latin-1"))
    assert refused(hostile(path)) == expected


def test_malformed_xml_inside_a_child_names_the_child(tmp_path: Path) -> None:
    text = census(
        child("C-1", episode("2023-06-05")),
        child("C-2", episode("2023-06-06", before_nfa=section47("2023-06-07"))),
    )
    broken = text.replace("</S47ActualStartDate>", "</S47ActualStartdate>", 1)
    path = tmp_path / "broken.xml"
    path.write_text(broken)
    line = next(n for n, t in enumerate(broken.splitlines(), 1) if "S47ActualStartdate" in t)
    child_line = [n for n, t in enumerate(broken.splitlines(), 1) if "<Child>" in t][1]
    column = broken.splitlines()[line - 1].index("</S47") + 3
    assert refused(hostile(path)) == (
        line,
        column,
        f"not well-formed XML: mismatched tag (inside Child C-2 (from line {child_line}))",
    )


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as handle:  # sparse: a gibibyte that takes no disk
        handle.truncate(1024**3)
    assert refused(hostile(huge)) == (
        None,
        None,
        "the file is 1,073,741,824 bytes, over the limit of 268,435,456 (raise it with max_bytes / --max-bytes)",
    )
    small = tmp_path / "small.xml"
    small.write_text(census(child("C-1", episode("2023-06-05"))))
    size = small.stat().st_size
    assert refused(hostile(small, max_bytes=100)) == (
        None,
        None,
        f"the file is {size:,} bytes, over the limit of 100 (raise it with max_bytes / --max-bytes)",
    )


def test_deep_nesting_is_refused_at_the_depth_limit(tmp_path: Path) -> None:
    depth = 200_000
    path = tmp_path / "deep.xml"
    path.write_text(
        "<Message>\n<Children>\n<Child>\n"
        + "<x>" * depth
        + "</x>" * depth
        + "\n</Child></Children></Message>\n"
    )
    # <Message>, <Children>, <Child> are 3 deep; the 30th <x> is element 33, on line 4.
    assert refused(hostile(path)) == (
        4,
        88,
        "elements are nested more than 32 deep (inside Child (from line 3))",
    )


def test_a_huge_value_is_rejected_without_being_echoed(tmp_path: Path) -> None:
    giant = "Z" * 5_000_000
    path = tmp_path / "giant.xml"
    path.write_text(census(child(giant, episode("2023-06-05"))))
    out = hostile(path)
    assert out["events"] == 0
    assert out["records"][1:] == [["Child#1", "rejected"], ["Child#1/CINdetails#1", "rejected"]]
    assert [e[4] for e in out["errors"]] == [
        "the child has an LAchildID (N00097) that is not 1-100 printable characters"
    ]
    assert "ZZZZZZZZZZ" not in out["text"]


def test_not_a_regular_file(tmp_path: Path) -> None:
    result = import_cin_census(tmp_path)
    assert [(p.line, p.message) for p in result.errors] == [
        (None, "not a regular file (a device, FIFO or directory is not read)")
    ]
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = import_cin_census(fifo)  # would block for ever if it were opened
    assert time.monotonic() - started < 5
    assert [p.message for p in result.errors] == [
        "not a regular file (a device, FIFO or directory is not read)"
    ]


def test_other_encodings_and_a_bom_are_read(tmp_path: Path) -> None:
    text = census(child("C-é1", episode("2023-06-05")))
    latin = tmp_path / "latin.xml"
    latin.write_bytes(('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + text).encode("latin-1"))
    bom = tmp_path / "bom.xml"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    for path in (latin, bom):
        result = import_cin_census(path)
        assert result.errors == () and [e.child_id for e in result.events] == ["C-é1"]
