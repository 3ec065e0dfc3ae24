"""A child process's own peak resident memory, for the hostile-input tests' bounds.

The kernel's ``ru_maxrss`` of a child (``os.wait4``, ``resource.getrusage``) also counts the
memory of the forked copy of this pytest process it started as, which late in a full run is
larger than the bounds themselves. So the child reports its own peak, ``VmHWM`` of
/proc/self/status, which counts only the image it runs after exec.

- :data:`PEAK_KIB` is Python source defining ``peak_kib()``, for a script a test runs in
  a child (``[sys.executable, "-c", PEAK_KIB + script]``).
- :func:`cli_command` runs the command line that way and ends its stderr with the peak,
  which :func:`split_peak` takes off again.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

PEAK_KIB = (
    "def peak_kib():\n"
    "    with open('/proc/self/status', encoding='ascii') as status:\n"
    "        return int(next(line.split()[1] for line in status if line.startswith('VmHWM:')))\n"
)

_CLI = PEAK_KIB + (
    "import runpy, sys\n"
    "sys.argv = ['safeguard-rules', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('safeguard_rules', run_name='__main__')\n"
    "finally:\n"
    "    sys.stdout.flush()\n"
    "    sys.stderr.write(f'\\nVmHWM {peak_kib()}\\n')\n"
)
_PEAK = re.compile(r"\nVmHWM (\d+)\n")


def cli_command(args: Sequence[str]) -> list[str]:
    """The command that runs ``safeguard-rules *args`` and reports its peak on stderr."""
    return [sys.executable, "-c", _CLI, *args]


def split_peak(stderr: str) -> tuple[str, float]:
    """The stderr of :func:`cli_command` without the peak, and the peak in MiB."""
    # The last match: the command's own output comes before it.
    found = next(iter(reversed(list(_PEAK.finditer(stderr)))), None)
    assert found is not None, f"the child did not report its peak: {stderr[-2000:]}"
    return stderr[: found.start()] + stderr[found.end() :], int(found.group(1)) / 1024
