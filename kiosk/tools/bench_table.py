"""A row of the benchmark's table and how a time is shown: shared by kiosk bench and its report figures."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure, what was measured and, if the contract sets one, the target and whether it is met."""

    figure: str
    measured: str
    target: str = ""
    met: bool | None = None


def _ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"
