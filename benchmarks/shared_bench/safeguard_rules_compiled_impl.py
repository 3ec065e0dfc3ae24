#!/usr/bin/env python3
"""safeguard_rules_impl.py with the pack shipped compiled, as a deployment ships it: loads
shared_bench.compiled.json (written beforehand by ``safeguard-rules compile
shared_bench.yaml -o shared_bench.compiled.json``, which time_pair.sh runs first) instead of
parsing and validating shared_bench.yaml. Everything else, and the output, is
safeguard_rules_impl.py's.

Usage: python safeguard_rules_compiled_impl.py EVENTS.jsonl
"""

from __future__ import annotations

import safeguard_rules_impl as impl

impl.PACK = impl.HERE / "shared_bench.compiled.json"

if __name__ == "__main__":
    impl.main()
