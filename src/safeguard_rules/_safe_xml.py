"""Reading an XML file that nobody vouches for, safely and with line numbers.

* **No DTD, no entities, no network**: defusedxml's expat parser refuses a DOCTYPE,
  entity declarations and external references before they do anything, so billion
  laughs, quadratic blow-up and external entities (files, URLs) never expand.
* **Bounded**: the file's size is checked before reading (a regular file only, no device
  or FIFO) and again while reading; nesting deeper than ``max_depth`` stops the parse at
  once.
* **Located**: every element carries ``sourceline`` (its start tag's line), as lxml's do,
  so later stages can name the line of any element.

Messages never quote the document's text: they name lines, elements and what is wrong.
defusedxml is imported here, lazily, so ``import safeguard_rules`` stays light.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32
_CHUNK = 1024 * 1024


class XmlRefusalError(Exception):
    """The file cannot be read as XML at all; ``line``/``column`` where known (1-based)."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        context: str | None = None,  # e.g. "inside Child C-1 (from line 12)"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.context = context


class _TooDeepError(Exception):
    pass


def _parser_class(max_depth: int, track: str | None, tracked_record: str | None) -> Any:
    from defusedxml.ElementTree import DefusedXMLParser

    class LocatingParser(DefusedXMLParser):
        """defusedxml's parser (DTDs forbidden too), noting each element's line and depth,
        and which record (``tracked_record``, identified by its ``track`` child) it is in."""

        def __init__(self) -> None:
            super().__init__(forbid_dtd=True, forbid_entities=True, forbid_external=True)
            self.depth = 0
            self.doctype_line: int | None = None
            self.record_line: int | None = None
            self.record_id: str | None = None

        def _start(self, tag: str, attrs: list[str]) -> Any:
            self.depth += 1
            if self.depth > max_depth:
                raise _TooDeepError(self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber)
            elem = super()._start(tag, attrs)  # type: ignore[misc]  # expat handler, not in stubs
            line = self.parser.CurrentLineNumber
            elem.sourceline = line
            if tag == tracked_record:
                self.record_line, self.record_id = line, None
            return elem

        def defused_start_doctype_decl(self, *args: Any) -> None:
            # Its line: once the exception is out, expat has moved on.
            self.doctype_line = self.parser.CurrentLineNumber
            super().defused_start_doctype_decl(*args)

        def _end(self, tag: str) -> Any:
            self.depth -= 1
            elem = super()._end(tag)  # type: ignore[misc]  # expat handler, not in stubs
            if tag == track and self.record_line is not None:
                self.record_id = (elem.text or "").strip()
            elif tag == tracked_record:
                self.record_line = self.record_id = None
            return elem

    return LocatingParser


def parse_xml(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    record: str | None = None,
    record_id: str | None = None,
) -> Any:
    """The root element of ``path``; raises :class:`XmlRefusalError` with a place and a reason.

    ``record``/``record_id`` (e.g. ``Child``/``LAchildID``) let a refusal say which record
    the parser was inside: "inside child C-1 (from line 40)". OSError (no such file,
    permission) is left to the caller.
    """
    from xml.etree.ElementTree import ParseError
    from xml.parsers.expat import errors as expat_errors

    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise XmlRefusalError("not a regular file (a device, FIFO or directory is not read)")
    if info.st_size > max_bytes:
        raise XmlRefusalError(
            f"the file is {info.st_size:,} bytes, over the limit of {max_bytes:,} "
            "(raise it with max_bytes / --max-bytes)"
        )
    parser = _parser_class(max_depth, record_id, record)()

    def refusal(message: str, line: int | None, column: int | None) -> XmlRefusalError:
        context = None
        if parser.record_line is not None:
            who = f" {parser.record_id}" if parser.record_id else ""
            context = f"inside {record}{who} (from line {parser.record_line})"
        return XmlRefusalError(message, line, column, context)

    expat = parser.parser
    read = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                read += len(chunk)
                if read > max_bytes:
                    raise XmlRefusalError(f"the file grew past the limit of {max_bytes:,} bytes")
                parser.feed(chunk)
        return parser.close()
    except ParseError as exc:
        line, column = exc.position
        reason = expat_errors.messages.get(exc.code, "not well-formed")
        raise refusal(f"not well-formed XML: {reason}", line, column + 1) from None
    except DTDForbidden:
        # expat reports the DOCTYPE once its name (and any '[') is read: the line is right,
        # the column is not where it starts, so none is given.
        raise refusal(
            "a DOCTYPE (DTD) is not allowed: a census return has none, and DTDs can expand "
            "entities or reach other files",
            parser.doctype_line or expat.CurrentLineNumber,
            None,
        ) from None
    except EntitiesForbidden:
        raise refusal(
            "entity declarations are not allowed", expat.CurrentLineNumber, None
        ) from None
    except ExternalReferenceForbidden:
        raise refusal(
            "external entity references are not allowed", expat.CurrentLineNumber, None
        ) from None
    except _TooDeepError as exc:
        line, column = exc.args
        raise refusal(f"elements are nested more than {max_depth} deep", line, column + 1) from None
