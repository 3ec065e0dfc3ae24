"""Reading the files a pack names, and only those: regular files, bounded, inside its tree.

Every pack, overlay, base and source text is read through :func:`read_text`: the file
must be a regular file (a FIFO would block, a device never ends), its size is checked
with ``fstat`` before anything is read, and the read itself stops one byte past the
limit, so a file that grows while it is read is refused too. A path a pack writes
(``extend``, ``sources[].file``) is first checked by :func:`inside`: relative, and
staying inside the pack's directory tree once ``..`` and symlinks are followed. A
refused path is named in the message; nothing of its content is ever shown.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path, PurePath

from ._errors import PackNotFoundError, SafeguardRulesError, declare, shown
from ._limits import EXCERPT_CHARS

UNREADABLE = declare("unreadable", "the file cannot be read (missing, no permission)")
NOT_A_FILE = declare(
    "not-a-file", "the path is a directory, device, FIFO or socket, not a regular file"
)
TOO_LARGE = declare("too-large", "the file is larger than the limit (docs/limits.md)")
NOT_UTF8 = declare("not-utf8", "the file is not UTF-8 text")
PATH_OUTSIDE = declare(
    "path-outside",
    "a path leads outside the pack's directory tree: absolute, '..' above it, or a symlink out",
)

# Control characters shown as U+FFFD, one for one, so the caret stays under its column and
# nothing from a file can move the cursor or recolour a terminal.
_VISIBLE = dict.fromkeys((*range(0x00, 0x20), *range(0x7F, 0xA0)), "\ufffd")

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1024 * 1024
_PATH_CHARS = 440  # a path is named in full (the pack format caps it at 400 characters)


class FileReadError(SafeguardRulesError):
    """Why a file was not read: a declared code, a message, and where (for undecodable
    text, the place of the first bad byte)."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column


def path_list(paths: Iterable[str | Path]) -> list[str | Path]:
    """``paths`` as a list. One path passed alone is that path: a string is also an
    iterable of strings, and reading it as one-character paths found nothing, silently."""
    if isinstance(paths, str | os.PathLike):
        return [paths]
    return list(paths)


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; raises FileReadError."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        raise FileReadError(UNREADABLE, f"cannot read file: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileReadError(NOT_A_FILE, f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise FileReadError(TOO_LARGE, _too_large(info.st_size, limit))
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise FileReadError(TOO_LARGE, _too_large(total, limit))
        return b"".join(chunks)
    except OSError as exc:
        raise FileReadError(UNREADABLE, f"cannot read file: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def read_text(path: Path, limit: int) -> str:
    """The UTF-8 text of the regular file ``path`` (a leading BOM dropped), at most
    ``limit`` bytes; raises FileReadError, locating the first byte that is not UTF-8."""
    return decode(read_bytes(path, limit))


def decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise FileReadError(
            NOT_UTF8,
            f"file is not UTF-8 text: byte 0x{bad} cannot start or continue a character "
            "(save the file as UTF-8)",
            line,
            column,
        ) from exc
    return text.removeprefix("\ufeff")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _too_large(size: int, limit: int) -> str:
    return f"file is larger than the limit of {limit:,} bytes ({size:,} bytes; docs/limits.md)"


def inside(root: Path, directory: Path, reference: str, what: str) -> Path:
    """The file ``reference`` names, written in a file in ``directory``, if it stays inside
    ``root``; raises FileReadError(PATH_OUTSIDE) naming the reference, never its content.

    ``what`` says where the reference is written, for the message ("extend").
    """
    written = PurePath(reference)
    if written.is_absolute() or written.drive or reference.startswith(("/", "\\")):
        raise FileReadError(
            PATH_OUTSIDE,
            f"{what}: {shown(reference, _PATH_CHARS)} is an absolute path; a pack refers only "
            "to files in its own directory tree, by a path relative to the file that names them",
        )
    home = root.resolve()
    target = (directory / written).resolve()  # follows '..' and every symlink on the way
    if not target.is_relative_to(home):
        raise FileReadError(
            PATH_OUTSIDE,
            f"{what}: {shown(reference, _PATH_CHARS)} leads outside the pack's directory {home} "
            "(through '..' or a symlink); a pack refers only to files in its own directory "
            "tree, or to a registered pack by name",
        )
    return target


def read_lines(file: str, limit: int) -> list[str] | None:
    """The lines of a text file for showing excerpts, or None if it cannot be read safely."""
    try:
        return read_text(Path(file), limit).splitlines()
    except FileReadError:
        return None


def excerpt(lines: list[str] | None, line: int, column: int) -> tuple[str, str] | None:
    """The source line ``line`` and a caret under ``column``, cut to EXCERPT_CHARS around
    the column when the line is longer; None when there is no such line."""
    if lines is None or not 0 < line <= len(lines):
        return None
    text = lines[line - 1].expandtabs().translate(_VISIBLE)
    caret = max(column - 1, 0)
    if len(text) > EXCERPT_CHARS:
        start = max(0, min(caret - EXCERPT_CHARS // 2, len(text) - EXCERPT_CHARS))
        cut = text[start : start + EXCERPT_CHARS]
        prefix = "..." if start > 0 else ""
        suffix = "..." if start + EXCERPT_CHARS < len(text) else ""
        text = prefix + cut + suffix
        caret = caret - start + len(prefix)
    return text, " " * caret + "^"


def pack_path(name_or_path: str | Path) -> Path | None:
    """The file, when ``name_or_path`` is a path (which always wins over a pack name); else
    None (a name, for the registry)."""
    candidate = Path(name_or_path)
    # .json: a compiled pack (safeguard-rules compile), read beside its YAML file
    if candidate.suffix in (".yaml", ".yml", ".json") or candidate.is_file():
        if not candidate.is_file():
            raise PackNotFoundError(f"no pack file at {candidate}")
        return candidate
    return None
