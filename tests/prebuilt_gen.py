"""Writes the bundled packs' prebuilt readings and holiday table (``policies/compiled/``).

``python tests/prebuilt_gen.py`` rewrites them from the packs with the installed library
and ``holidays``. Run it after editing a bundled pack: until then that pack's reading is
not used (tests/test_prebuilt.py checks it is not, and that a current one is exactly what
this writes). Never edit them by hand.
"""

from __future__ import annotations

from pathlib import Path

from safeguard_rules._prebuilt import COMPILED, prebuilt_files

POLICIES = Path(__file__).resolve().parents[1] / "policies"


def main() -> None:
    files = prebuilt_files(POLICIES)
    (POLICIES / COMPILED).mkdir(exist_ok=True)
    for stale in (POLICIES / COMPILED).glob("*.json"):
        if stale not in files:
            stale.unlink()
    for path, text in files.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(POLICIES.parent)}")


if __name__ == "__main__":
    main()
