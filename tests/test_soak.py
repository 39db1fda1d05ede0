"""The soak of bench/soak.py at high speed: a whole office day (500 tickets, 4 lokets, 2 displays, 50 phones)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

# Slow (a minute of office day) but not serial: its checks are counts, gaps and flat memory, none a time bound,
# and its load (a ticket every ~0.1 s, 50 phones polling every 3 s) is light enough to share the machine.
pytestmark = [pytest.mark.slow]

SOAK = Path(__file__).resolve().parents[1] / "bench" / "soak.py"


def _soak_module():
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.timeout(300)
def test_an_office_day_at_480x_accounts_for_every_ticket_with_flat_memory_and_descriptors():
    result = _soak_module().run(speed=480, tickets=500, counters=4, displays=2, phones=50)
    print("\n".join(f"{name}: {value}" for name, value in result["figures"].items()))
    failed = [name for name, ok in result["checks"].items() if not ok]
    assert failed == [], (failed, result["figures"], result["errors"])
