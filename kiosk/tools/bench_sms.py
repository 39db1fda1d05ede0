"""``kiosk bench`` rows for SMS: an incoming message to its reply in the outbox, and issuing during a flood.

This process plays gammu-smsd on the server's folders: it writes inbox files as the daemon does and moves
each reply from the outbox to the sent folder.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from kiosk.devices.sms import encode, message_of
from kiosk.tools.bench_load import one_client, percentile

FOLDERS = ("inbox", "outbox", "sent", "error")
FLOOD = 500


def enable_sms(config: Path, directory: Path) -> Path:
    """Turn ``[sms]`` on in the bench's configuration, on folders in ``directory``; return the folders' parent."""
    root = directory / "sms"
    lines = ["[sms]", "enabled = true"]
    for name in FOLDERS:
        (root / name).mkdir(parents=True, exist_ok=True)
        lines.append(f'{name} = "{root / name}/"')
    text = config.read_text(encoding="utf-8")
    start = text.index("[sms]\n")
    end = text.find("\n[", start + 1)
    block = "\n".join(lines) + "\ndaily_limit = 100000\n"
    config.write_text(text[:start] + block + (text[end:] if end != -1 else ""), encoding="utf-8")
    return root


def _receive(root: Path, sender: str, text: str, serial: int) -> None:
    name = f"IN{time.strftime('%Y%m%d_%H%M%S')}_{serial % 100:02d}_{sender}_00.txt"
    temporary = root / "inbox" / f".{name}"
    temporary.write_bytes(encode(text))
    os.replace(temporary, root / "inbox" / name)


def _replies(root: Path) -> list[str]:
    return [entry.name for entry in os.scandir(root / "outbox") if message_of(entry.name)]


def _send(root: Path, names: list[str]) -> None:
    for name in names:
        os.replace(root / "outbox" / name, root / "sent" / name)


def reply_times(root: Path, count: int, timeout: float = 10.0) -> list[float]:
    """Send ``count`` INFO messages one at a time, each from its own number; return ms until each reply is there."""
    timings = []
    for index in range(count):
        sender = f"+62812{7000000 + index:07d}"
        began = time.perf_counter()
        _receive(root, sender, "INFO", index)
        deadline = time.monotonic() + timeout
        while True:
            names = [name for name in _replies(root) if f"_{sender}_" in name]
            if names:
                timings.append((time.perf_counter() - began) * 1000)
                _send(root, names)
                break
            if time.monotonic() > deadline:
                timings.append(timeout * 1000)
                break
            time.sleep(0.005)
    return timings


def flood(root: Path, port: int, samples: int, timeout: float = 60.0) -> tuple[list[float], int, float]:
    """Put ``FLOOD`` messages from one number in the inbox and issue tickets meanwhile.

    Return the issuing times (ms), the replies the flooding number got, and seconds until the inbox was empty.
    """
    sender = "+6281299999999"
    began = time.monotonic()
    for index in range(FLOOD):
        _receive(root, sender, "INFO" if index % 2 else "halo", index)
    issuing = one_client(port, "POST", "/api/tickets", samples)
    deadline = time.monotonic() + timeout
    while any(name.startswith("IN") for name in os.listdir(root / "inbox")) and time.monotonic() < deadline:
        time.sleep(0.05)
    emptied = time.monotonic() - began
    time.sleep(1.5)  # the last round writes its replies
    answered = [name for name in _replies(root) if f"_{sender}_" in name]
    _send(root, _replies(root))
    return issuing, len(answered), emptied


def sms_rows(root: Path, port: int, count: int, samples: int, quiet_p99: float, row, ms) -> list:
    """The bench's SMS rows (``row``: the Row class, ``ms``: its millisecond format)."""
    times = reply_times(root, count)
    issuing, answered, emptied = flood(root, port, samples)
    p99 = percentile(times, 0.99)
    return [
        row(
            "SMS in -> reply in the outbox: p99",
            f"{ms(p99)} ({count} messages, p50 {ms(statistics.median(times))})",
            "< 2 s",
            p99 < 2000,
        ),
        row(
            f"kiosk issue during a {FLOOD}-SMS flood from one number: p99",
            f"{ms(percentile(issuing, 0.99))} (quiet p99 {ms(quiet_p99)}; {answered} replies, inbox empty in "
            f"{emptied:.1f} s)",
        ),
    ]
