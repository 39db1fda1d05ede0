"""Speech for the waiting-room display and the voice-guided kiosk: espeak-ng renders WAV, cached on disk per phrase."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

SPEED_WPM = 140  # espeak-ng default is 175; slower carries better across a noisy room
ESPEAK_TIMEOUT_SECONDS = 5
MAX_CACHED_PHRASES = 500  # call announcements kept besides the pinned catalogue (kiosk/domain/guide.py)
MAX_RENDERS = 2  # espeak-ng processes at once: a burst of requests must not take both cores
WARM_NICE = 10  # rendering ahead runs below requests' priority
WARM_PAUSE_SECONDS = 2.0  # rendering ahead waits this long, again and again, while the office is busy
PROBE_TEXT = "satu"


class Speech:
    """Render announcement sentences to WAV with espeak-ng (voice id), cached on disk per phrase.

    The kiosk's spoken catalogue (~1,300 sentences) is rendered ahead by ``warm`` and pinned: it is
    never pruned, so cycling through it never runs espeak-ng again. Other phrases (call
    announcements) keep the newest ``MAX_CACHED_PHRASES``. At most ``MAX_RENDERS`` espeak-ng
    processes run at once; rendering ahead takes one at a time, niced, so a request still gets one.
    """

    def __init__(self, cache_dir: Path, voice: str = "id", espeak: str | None = None):
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)  # an unwritable cache fails at start-up
        self.voice = voice
        self.binary = espeak or shutil.which("espeak-ng") or shutil.which("espeak")
        self._usable: bool | None = None
        self._probe_lock = threading.Lock()
        self._renders = threading.BoundedSemaphore(MAX_RENDERS)
        self._pinned: frozenset[str] = frozenset()  # cache file names of the catalogue
        self.warmed = threading.Event()  # set once ``warm`` has rendered the catalogue (or had nothing to do)
        self._nice = shutil.which("nice")

    def pin(self, texts) -> None:
        """Keep the WAVs of ``texts`` (the catalogue) out of pruning."""
        self._pinned = frozenset(self._cache_path(text).name for text in texts)

    def warm(
        self,
        texts,
        stop: threading.Event | None = None,
        pause: Callable[[], bool] | None = None,
        pause_seconds: float = WARM_PAUSE_SECONDS,
    ) -> int:
        """Pin ``texts`` and render those not cached yet, one at a time at low priority; return how many.

        Before each render ``pause`` is asked whether the office is busy; while it is, rendering waits
        ``pause_seconds`` at a time. Measured while tickets were issued, rendering ahead beside them
        made each one answer several times slower on a loaded 2-core machine.
        Without a usable espeak-ng nothing is rendered (the pages keep their browser-voice fallback).
        """
        texts = list(dict.fromkeys(texts))
        self.pin(texts)
        rendered = 0
        if self._is_usable():
            for text in texts:
                if stop is not None and stop.is_set():
                    return rendered
                path = self._cache_path(text)
                if path.exists():
                    continue
                while pause is not None and pause():
                    if stop is not None and stop.wait(pause_seconds):
                        return rendered
                    if stop is None:
                        time.sleep(pause_seconds)
                if self._render(text, path, background=True) is not None:
                    rendered += 1
        self.warmed.set()
        return rendered

    @property
    def engine(self) -> str:
        """Name the engine in use: "espeak-ng", or "browser" when the page must speak itself."""
        return "espeak-ng" if self._is_usable() else "browser"

    def wav(self, text: str) -> bytes | None:
        """Return the WAV for `text`, rendering and caching it on first use; None without espeak-ng."""
        if not self._is_usable():
            return None
        path = self._cache_path(text)
        try:
            os.utime(path)  # a hit counts as recent use, so pruning drops phrases nobody says
            return path.read_bytes()
        except FileNotFoundError:
            pass
        audio = self._render(text, path)
        if audio is not None:
            self._prune()
        return audio

    def _is_usable(self) -> bool:
        # Probe once: a binary can exist yet lack the voice or fail to run.
        if self._usable is None:
            with self._probe_lock:
                if self._usable is None:
                    self._usable = self.binary is not None and self._render(PROBE_TEXT, None) is not None
        return self._usable

    def _cache_path(self, text: str) -> Path:
        key = hashlib.sha256(f"{self.voice}\0{SPEED_WPM}\0{text}".encode()).hexdigest()
        return self.cache_dir / f"{key}.wav"

    def _render(self, text: str, target: Path | None, background: bool = False) -> bytes | None:
        """Run espeak-ng into a private temp file, then move it to `target` (or discard it)."""
        # A temp file per call plus os.replace lets threads render the same phrase at
        # once: readers only ever see a complete file.
        with self._renders:
            if target is not None and not background and target.exists():
                try:  # rendered by another request (or ahead) while this one waited for its turn
                    return target.read_bytes()
                except FileNotFoundError:
                    pass
            return self._render_now(text, target, background)

    def _render_now(self, text: str, target: Path | None, background: bool) -> bytes | None:
        handle, temp_name = tempfile.mkstemp(dir=self.cache_dir, suffix=".tmp")
        os.close(handle)
        temp = Path(temp_name)
        try:
            audio = self._run_espeak(text, temp, background)
            if audio is not None and target is not None:
                os.replace(temp, target)
            return audio
        finally:
            temp.unlink(missing_ok=True)

    def _run_espeak(self, text: str, out: Path, background: bool = False) -> bytes | None:
        # Text goes on stdin so a template starting with "-" is never read as an option;
        # -w (not --stdout) writes a header with the real sizes.
        command = [self.binary, "-v", self.voice, "-s", str(SPEED_WPM), "-b", "1", "-w", str(out)]
        if background and self._nice:
            command = [self._nice, "-n", str(WARM_NICE), *command]
        try:
            result = subprocess.run(command, input=text.encode(), capture_output=True, timeout=ESPEAK_TIMEOUT_SECONDS)
        except (OSError, subprocess.TimeoutExpired):
            return None
        audio = out.read_bytes()
        if result.returncode != 0 or not _is_wav(audio):
            return None
        return audio

    def _prune(self) -> None:
        cached = []
        pinned = self._pinned
        for path in self.cache_dir.glob("*.wav"):
            if path.name in pinned:
                continue
            try:
                cached.append((path.stat().st_mtime, path))
            except FileNotFoundError:  # another thread pruned it meanwhile
                continue
        cached.sort()
        for _, path in cached[: max(0, len(cached) - MAX_CACHED_PHRASES)]:
            path.unlink(missing_ok=True)


def _is_wav(audio: bytes) -> bool:
    return len(audio) > 44 and audio[:4] == b"RIFF" and audio[8:12] == b"WAVE"
