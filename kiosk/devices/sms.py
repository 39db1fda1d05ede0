"""gammu-smsd's files backend, seen from our side: its inbox, outbox, sent and error folders.

gammu-smsd owns the modem. It writes each received SMS to the inbox as
``IN<date>_<time>_<serial>_<sender>_<part>.txt`` and sends every ``OUT….txt`` that appears in the
outbox, then moves it (same name) to the sent or the error folder (gammu-smsd-files(7)). With
``InboxFormat = unicode`` / ``OutboxFormat = unicode`` the text is UTF-16 with a byte-order mark.

An outbox file is written under a name gammu-smsd ignores (it reads only names starting "OUT"),
flushed to disk and renamed into place, so the daemon never sends half a message.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.domain.sms import InboxName, parse_inbox_name

log = logging.getLogger(__name__)

BOM = "\ufeff"
NOTE_PREFIX = "kiosk"  # the <note> field of our outbox names: OUT<p><date>_<time>_00_<recipient>_kiosk<id>x<try>.txt
MONITOR = "gammu-smsd-monitor"
DEFAULT_SMSDRC = "/etc/gammu-smsdrc"


@dataclass(frozen=True)
class Incoming:
    """One received SMS: its inbox files (one per part, in order), sender as gammu wrote it, and its text."""

    key: str  # the first part's file name: unique per message
    files: tuple[Path, ...]
    sender: str
    text: str
    received: str  # YYYYMMDD_HHMMSS as gammu-smsd named it


def decode(data: bytes) -> str:
    """Return a message file's text: UTF-16 with a byte-order mark (unicode format), else UTF-8, else Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def encode(text: str) -> bytes:
    """Return ``text`` as gammu-smsd's unicode format: UTF-16 little-endian with a byte-order mark."""
    return (BOM + text).encode("utf-16-le")


def outbox_name(message_id: int, attempt: int, recipient: str, created: datetime, priority: str = "B") -> str:
    """Return the outbox name of one attempt of a message: the same for the same attempt, after any restart.

    ``OUT<priority><date>_<time>_<serial>_<recipient>_<note>.txt`` (gammu-smsd-files(7)); gammu-smsd
    sends in name order, so the priority letter (A first) and then the time order the queue.
    """
    return f"OUT{priority}{created:%Y%m%d_%H%M%S}_00_{recipient}_{NOTE_PREFIX}{message_id}x{attempt}.txt"


def message_of(name: str) -> tuple[int, int] | None:
    """Return (message id, attempt) of one of our outbox names, or None for another program's file."""
    if not name.startswith("OUT") or "." not in name:
        return None
    note = name.rsplit(".", 1)[0].rsplit("_", 1)[-1]
    if not note.startswith(NOTE_PREFIX):
        return None
    ident, _, attempt = note[len(NOTE_PREFIX) :].partition("x")
    if not (ident.isdigit() and attempt.isdigit()):
        return None
    return int(ident), int(attempt)


class Folders:
    """The four folders of gammu-smsd's files backend (``[sms]`` inbox, outbox, sent, error)."""

    def __init__(self, inbox: str | Path, outbox: str | Path, sent: str | Path, error: str | Path):
        self.inbox, self.outbox, self.sent, self.error = Path(inbox), Path(outbox), Path(sent), Path(error)

    @classmethod
    def of(cls, config) -> Folders:
        """Return the folders named by an ``[sms]`` settings table."""
        return cls(config.inbox, config.outbox, config.sent, config.error)

    def missing(self) -> list[str]:
        """Return the folders that do not exist or cannot be used (empty: all usable)."""
        problems = []
        for name in ("inbox", "outbox", "sent", "error"):
            folder = getattr(self, name)
            if not folder.is_dir():
                problems.append(f"{name} ({folder}) does not exist")
            elif not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
                problems.append(f"{name} ({folder}) is not readable and writable")
        return problems

    # ------------------------------------------------------------ incoming

    def received(self, limit: int = 200, settle_seconds: float = 0.0) -> list[Incoming]:
        """Return up to ``limit`` received messages, oldest first; the parts of one message joined in order.

        gammu-smsd writes an inbox file in place: a file changed less than ``settle_seconds`` ago may be
        half written, and waits for the next round.
        """
        newest = time.time() - settle_seconds
        try:
            with os.scandir(self.inbox) as entries:
                names = sorted(
                    entry.name
                    for entry in entries
                    if entry.is_file() and (not settle_seconds or entry.stat().st_mtime <= newest)
                )
        except FileNotFoundError:
            return []
        groups: dict[tuple[str, int, str], list[tuple[InboxName, str]]] = {}
        for name in names:
            parsed = parse_inbox_name(name)
            if parsed is None:
                continue
            groups.setdefault((parsed.received, parsed.serial, parsed.sender), []).append((parsed, name))
            if len(groups) > limit:
                break
        messages = []
        for (received, _serial, sender), entries in list(groups.items())[:limit]:
            entries.sort(key=lambda entry: entry[0].part)
            files = tuple(self.inbox / name for _, name in entries)
            texts = []
            for parsed, path in zip((entry[0] for entry in entries), files, strict=False):
                try:
                    data = path.read_bytes()
                except FileNotFoundError:  # removed meanwhile (handled by an earlier round)
                    data = b""
                texts.append(decode(data) if parsed.extension == "txt" else "")
            messages.append(Incoming(entries[0][1], files, sender, "".join(texts), received))
        return messages

    def remove(self, message: Incoming) -> None:
        """Delete a handled message's inbox files (a NIK or KK number in them must not stay on disk)."""
        for path in message.files:
            path.unlink(missing_ok=True)

    # ------------------------------------------------------------ outgoing

    def write(self, name: str, text: str) -> Path:
        """Put a message in the outbox atomically (temporary name, flushed, renamed); return its path."""
        final = self.outbox / name
        temporary = self.outbox / f".{name}.{os.getpid()}.tmp"  # gammu-smsd reads only names starting OUT
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o664)
        try:
            os.fchmod(fd, 0o660)  # gammu-smsd may run as user gammu (group of the folders), whatever our umask
            with os.fdopen(fd, "wb") as handle:
                handle.write(encode(text))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, final)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _sync_folder(self.outbox)
        return final

    def where(self, name: str) -> str | None:
        """Return where an outbox name is now: "sent", "error", "outbox" or None (nowhere)."""
        for place in ("sent", "error", "outbox"):
            if (getattr(self, place) / name).exists():
                return place
        return None

    def finished(self) -> dict[str, str]:
        """Return our messages gammu-smsd has finished with: outbox name -> "sent" or "error"."""
        found: dict[str, str] = {}
        for place in ("sent", "error"):
            try:
                with os.scandir(getattr(self, place)) as entries:
                    for entry in entries:
                        if message_of(entry.name) is not None:
                            found[entry.name] = place
            except FileNotFoundError:
                continue
        return found

    def forget(self, place: str, name: str) -> None:
        """Delete a finished file from the sent or error folder once its outcome is recorded."""
        (getattr(self, place) / name).unlink(missing_ok=True)

    def waiting_in_outbox(self) -> int:
        """Return how many of our messages still wait in the outbox."""
        try:
            with os.scandir(self.outbox) as entries:
                return sum(1 for entry in entries if message_of(entry.name) is not None)
        except FileNotFoundError:
            return 0


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk, so a rename survives a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def modem_status(smsdrc: str | Path = DEFAULT_SMSDRC, timeout: float = 3.0) -> dict:
    """Ask gammu-smsd (through ``gammu-smsd-monitor``, which reads its shared memory) how the modem is.

    Return {"state": "running", "sent", "received", "failed", "signal", "battery", "imei"} or
    {"state": "not_installed" | "not_configured" | "not_running", "detail"}.
    """
    program = shutil.which(MONITOR)
    if program is None:
        return {"state": "not_installed", "detail": "gammu-smsd is not installed"}
    if not Path(smsdrc).is_file():
        return {"state": "not_configured", "detail": f"{smsdrc} does not exist"}
    try:
        result = subprocess.run(
            [program, "-c", str(smsdrc), "-n", "1", "-d", "0"], capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"state": "not_running", "detail": str(exc)[:200]}
    values = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(":")
        values[key.strip()] = value.strip()
    if result.returncode != 0 or "Sent" not in values:
        detail = (result.stderr.strip().splitlines() or ["gammu-smsd is not running"])[-1]
        return {"state": "not_running", "detail": detail[:200]}

    def number(key: str) -> int | None:
        try:
            return int(values.get(key, ""))
        except ValueError:
            return None

    return {
        "state": "running",
        "sent": number("Sent"),
        "received": number("Received"),
        "failed": number("Failed"),
        "signal": number("NetworkSignal"),
        "battery": number("BatterPercent"),
        "imei": values.get("IMEI", "")[-4:],
    }
