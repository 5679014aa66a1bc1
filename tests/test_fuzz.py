"""The bounded, seeded fuzz run of issue 12 (tests/fuzz_hostile.py; docs/reliability.md)."""

from __future__ import annotations

import fuzz_hostile


def test_hostile_scenarios_and_call_folders_never_crash_hang_lose_or_leak() -> None:
    figures = fuzz_hostile.run(seed=12, scenarios=300, calls=60)
    assert figures.scenarios.tried == 300 and figures.calls.tried >= 60
    assert figures.scenarios.crashes == [] and figures.calls.crashes == []   # no crash, no hang
    assert figures.lost == 0 and figures.outside_writes == 0
    assert figures.seconds < 60
